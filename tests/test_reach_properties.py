"""Property tests of the reach engine against a networkx per-facility reference."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage.network import RoadNetwork
from coverage.reach import ReachModel
from coverage.standards import Standard

SNAP = 300.0
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw, with_network=True):
    n = draw(st.integers(2, 25))
    coord = st.floats(0, 2000, allow_nan=False)
    node_xy = np.array(draw(st.lists(st.tuples(coord, coord), min_size=n, max_size=n)))
    e = draw(st.integers(1, 3 * n))
    idx = st.integers(0, n - 1)
    u = np.array(draw(st.lists(idx, min_size=e, max_size=e)))
    v = np.array(draw(st.lists(idx, min_size=e, max_size=e)))
    detour = np.array(draw(st.lists(st.floats(1.0, 1.6), min_size=e, max_size=e)))
    oneway = np.array(draw(st.lists(st.booleans(), min_size=e, max_size=e)))
    speed = np.array(draw(st.lists(st.floats(10, 60), min_size=e, max_size=e)))
    length = np.hypot(*(node_xy[u] - node_xy[v]).T) * detour + 1.0
    net = RoadNetwork.from_arrays(
        node_xy, u, v, length_m=length, oneway=oneway, drive_speed_kmh=speed, max_snap_m=SNAP
    )
    pt = st.tuples(st.floats(-300, 2300), st.floats(-300, 2300))
    cells = np.array(draw(st.lists(pt, min_size=1, max_size=40)), dtype=float).reshape(-1, 2)
    facs = np.array(draw(st.lists(pt, min_size=0, max_size=6)), dtype=float).reshape(-1, 2)
    mode = draw(st.sampled_from(["walk", "bike", "drive"]))
    std = Standard(mode, draw(st.floats(0.5, 10)), draw(st.floats(3, 40)), draw(st.floats(100, 1500)))
    return net if with_network else None, cells, facs, std


def reference(net: RoadNetwork, cells, facs, std):
    """Cell cost to the nearest facility: one networkx Dijkstra per facility, then the minimum."""
    G = nx.DiGraph()
    G.add_nodes_from(range(net.n_nodes))
    mask = net.edge_mask(std.mode)
    for a, b, length, kmh in zip(net.edge_u[mask], net.edge_v[mask], net.length_m[mask], net.drive_speed_kmh[mask]):
        if a == b:
            continue
        length = max(length, 0.01)
        pairs = [(a, b, length / (kmh / 3.6))] if std.mode == "drive" else [
            (a, b, length / std.speed_ms), (b, a, length / std.speed_ms)]
        for x, y, t in pairs:
            # trips go TO the facility: search from the facility on the reversed graph
            if not G.has_edge(y, x) or G[y][x]["t"] > t:
                G.add_edge(y, x, t=t)
    # Snapping (nearest usable node, ties, the max distance) is tested in test_network.py;
    # use the engine's so that equidistant nodes do not make the two sides disagree.
    def snap(p):
        node, d = net.snap(np.asarray(p, float)[None], std.mode)
        return int(node[0]), float(d[0])

    per_fac = np.full((len(facs), len(cells)), np.inf)
    cell_snap = [snap(p) for p in cells]
    for f, p in enumerate(facs):
        node, d = snap(p)
        if node < 0:
            continue
        times = nx.single_source_dijkstra_path_length(G, node, weight="t")
        for c, (cn, cd) in enumerate(cell_snap):
            if cn >= 0 and cn in times:
                per_fac[f, c] = d / std.speed_ms + times[cn] + cd / std.speed_ms
    return per_fac


def check_against(per_fac, reach, limit, tol):
    best = per_fac.min(axis=0) if len(per_fac) else np.full(len(reach.cost), np.inf)
    clear = np.abs(best - limit) > tol  # skip float ties at the boundary
    np.testing.assert_array_equal(reach.covered[clear], (best <= limit)[clear])
    cov = reach.covered & clear
    np.testing.assert_allclose(reach.cost[cov], best[cov], rtol=1e-9, atol=tol)
    # the reported facility achieves the minimum
    got = per_fac[reach.nearest[cov], np.flatnonzero(cov)] if cov.any() else np.zeros(0)
    np.testing.assert_allclose(got, best[cov], rtol=1e-9, atol=tol)
    assert (reach.nearest[~reach.covered] == -1).all()
    assert np.isinf(reach.cost[~reach.covered]).all()


@SETTINGS
@given(scenarios())
def test_multi_source_equals_per_facility_networkx(case):
    net, cells, facs, std = case
    reach = ReachModel.from_arrays(cells, facs, std, network=net).reach
    check_against(reference(net, cells, facs, std), reach, std.seconds, 1e-6)


@SETTINGS
@given(scenarios(with_network=False))
def test_distance_mode_equals_brute_force(case):
    _, cells, facs, std = case
    reach = ReachModel.from_arrays(cells, facs, std).reach
    per_fac = np.hypot(cells[None, :, 0] - facs[:, None, 0], cells[None, :, 1] - facs[:, None, 1])
    check_against(per_fac, reach, std.distance_m, 1e-6)
    assert reach.mode == "distance"


@SETTINGS
@given(scenarios(), st.tuples(st.floats(-300, 2300), st.floats(-300, 2300)))
def test_adding_a_facility_never_lowers_coverage(case, new):
    net, cells, facs, std = case
    model = ReachModel.from_arrays(cells, facs, std, network=net)
    before = model.reach
    model.add_facility_xy(*new)
    after = model.reach
    assert (after.covered | ~before.covered).all()  # covered before ⇒ covered after
    assert (after.cost <= before.cost).all()


EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.floats(-300, 2300), st.floats(-300, 2300)),
        st.tuples(st.just("remove"), st.integers(0, 20), st.just(0.0)),
    ),
    max_size=8,
)


def apply_edits(model: ReachModel, ops) -> None:
    """Apply ``ops`` (add at x, y / remove the n-th live facility) to ``model``."""
    for op, a, b in ops:
        if op == "add":
            model.add_facility_xy(a, b)
        else:
            alive = np.flatnonzero(model.active)
            if len(alive):
                model.remove_facility(int(alive[int(a) % len(alive)]))


def check_equals_full_recompute(model: ReachModel, cells, std, net) -> None:
    """``model``'s reach equals a model built from scratch on its live facilities."""
    alive = np.flatnonzero(model.active)
    full = ReachModel.from_arrays(cells, model.facility_xy[alive], std, network=net).reach
    inc = model.reach
    limit = std.seconds if net is not None else std.distance_m
    clear = np.abs(np.where(np.isfinite(full.cost), full.cost, 0) - limit) > 1e-6
    np.testing.assert_array_equal(inc.covered[clear], full.covered[clear])
    both = inc.covered & full.covered
    np.testing.assert_allclose(inc.cost[both], full.cost[both], rtol=1e-12, atol=1e-9)
    # nearest refers to live facilities only, numbered as in the model
    assert set(inc.nearest[inc.covered].tolist()) <= set(alive.tolist())


@SETTINGS
@given(st.booleans().flatmap(lambda net: scenarios(with_network=net)), EDITS)
def test_incremental_updates_equal_full_recompute(case, ops):
    net, cells, facs, std = case
    model = ReachModel.from_arrays(cells, facs, std, network=net)
    apply_edits(model, ops)
    check_equals_full_recompute(model, cells, std, net)


@SETTINGS
@given(st.booleans().flatmap(lambda net: scenarios(with_network=net)), EDITS, EDITS)
def test_a_copy_is_edited_apart_from_its_original(case, first, then):
    # The app's what-if scenario edits a copy of the model its analysis built.
    net, cells, facs, std = case
    model = ReachModel.from_arrays(cells, facs, std, network=net)
    apply_edits(model, first)
    held = model.reach
    cost, nearest, active = held.cost.copy(), held.nearest.copy(), model.active.copy()
    twin = model.copy()
    apply_edits(twin, then)
    check_equals_full_recompute(twin, cells, std, net)
    np.testing.assert_array_equal(model.reach.cost, cost)  # the original did not move
    np.testing.assert_array_equal(model.reach.nearest, nearest)
    np.testing.assert_array_equal(model.active, active)
    apply_edits(model, then[::-1])  # and it still updates correctly after the copy
    check_equals_full_recompute(model, cells, std, net)


@SETTINGS
@given(st.booleans().flatmap(lambda net: scenarios(with_network=net)))
def test_coverage_matrix_equals_one_facility_at_a_time(case):
    net, cells, facs, std = case
    model = ReachModel.from_arrays(cells, np.zeros((0, 2)), std, network=net)
    mat = model.coverage_matrix(facs, chunk=2).toarray()
    for k in range(len(facs)):
        single = ReachModel.from_arrays(cells, facs[k : k + 1], std, network=net).reach
        np.testing.assert_array_equal(mat[:, k], single.covered)
