"""Reach on the hand-made toy network (tests/data/network/toy_jiangmen.osm).

Layout (see make_toy_osm.py): two 3 × 4 grids of 200 m blocks, west bank W and
east bank E, a river between them crossed by ONE bridge W21 <- E01 that cars may
only drive westbound, and an island I0-I1-I2 600 m south of E00 with no link.
Node names are W/E + column + row. Streets have maxspeed 36 km/h (20 s a block).

Walking standard used below: 15 min at 4.5 km/h (1.25 m/s) → 900 s = 1125 m of
street = 5.625 blocks, so nodes ≤ 5 blocks away are covered, ≥ 6 are not.
Grid lengths are 200 m ± 0.01 m (great-circle), so the margins are wide.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coverage.network import RoadNetwork
from coverage.reach import (
    CellReach,
    ReachModel,
    compute_reach,
    coverage_matrix,
    multi_source_times,
)
from coverage.service_areas import build_service_areas, service_areas, service_areas_frame
from coverage.standards import Standard, load_standards

TOY = Path(__file__).parent / "data" / "network" / "toy_jiangmen.osm"
W = [f"W{c}{r}" for c in range(3) for r in range(4)]
E = [f"E{c}{r}" for c in range(3) for r in range(4)]
I = ["I0", "I1", "I2"]
NAMES = W + E + I
OSM_ID = {n: 1000 + i for i, n in enumerate(NAMES)}  # ids written by make_toy_osm.py (W, E, I order)

WALK15 = Standard("walk", 15, 4.5, 1000, "GB 50180-2018")
# drive 75 s at 36 km/h access speed; streets 20 s a block → ≤ 3 blocks covered, 4 not
DRIVE75 = Standard("drive", 1.25, 36, 900)


class FakeRegion:
    """The parts of coverage.region.Region that reach uses."""

    def __init__(self, cell_xy, facilities_xy, area=None, network=None):
        self._cells = np.asarray(cell_xy, float)
        self._fac = {"elder_care_station": np.asarray(facilities_xy, float).reshape(-1, 2)}
        self._area = np.full(len(self._cells), "urban", dtype=object) if area is None else np.asarray(area, object)
        self.network = network
        self.districts = None
        self.facilities = {}

    def cell_xy(self):
        return self._cells

    def cell_area_type(self):
        return self._area

    def facility_xy(self, layer):
        return self._fac[layer]


@pytest.fixture(scope="module")
def toy() -> RoadNetwork:
    return RoadNetwork.from_osm_xml(TOY)


def xy(net, *names):
    return net.node_xy[net.node_index([OSM_ID[n] for n in names])]


def node_cells(net):
    """One cell on every street node, in NAMES order."""
    return xy(net, *NAMES)


def covered_names(reach: CellReach) -> set[str]:
    return {n for n, c in zip(NAMES, reach.covered[: len(NAMES)]) if c}


# ----------------------------------------------------------------- walking
def test_walk_15_min_from_w00_crosses_only_at_the_bridge(toy):
    region = FakeRegion(node_cells(toy), xy(toy, "W00"), network=toy)
    reach = compute_reach(region, "elder_care_station", WALK15)
    assert reach.mode == "network" and reach.unit == "s"
    # West bank: W(c,r) is c + r blocks from W00; the farthest, W23, is 5 → all 12 covered.
    # East bank only via the bridge: W00→W21 3 blocks, +1 → E01 (4 blocks = 800 m),
    # E00 / E02 / E11 5 blocks (1000 m); E10, E03, E12, E21 6 blocks (1200 m > 1125): no.
    # The island has no link: never covered although I0 is 1.1 km straight-line away.
    assert covered_names(reach) == set(W) | {"E01", "E00", "E02", "E11"}
    cost = dict(zip(NAMES, reach.cost))
    assert cost["W00"] == pytest.approx(0, abs=1e-6)
    assert cost["W23"] == pytest.approx(1000 / 1.25, abs=0.1)  # 800 s
    assert cost["E01"] == pytest.approx(800 / 1.25, abs=0.1)  # 640 s
    assert cost["E11"] == pytest.approx(1000 / 1.25, abs=0.1)
    for n in ("E10", "E21", "I0", "I1", "I2"):
        assert np.isinf(cost[n]) and reach.nearest[NAMES.index(n)] == -1
    assert (reach.nearest[reach.covered] == 0).all()
    np.testing.assert_allclose(reach.limit, 900.0)


def test_walk_access_leg_counts(toy):
    e00 = xy(toy, "E00")[0]
    w00 = xy(toy, "W00")[0]
    cells = np.array(
        [
            e00 + [0, -80],  # snaps to E00 (800 s) + 80 m / 1.25 = 64 s → 864 s ≤ 900: covered
            e00 + [0, -150],  # E00 again: 800 + 120 = 920 s > 900: NOT covered though E00 is
            w00 + [-600, 0],  # 600 m from the nearest street (> 500 m snap limit): unreachable
        ]
    )
    reach = compute_reach(FakeRegion(cells, [w00], network=toy), "elder_care_station", WALK15)
    assert reach.covered.tolist() == [True, False, False]
    assert reach.cost[0] == pytest.approx(864, abs=0.5)
    assert np.isinf(reach.cost[1:]).all()
    # Only the third cell is off the network (too far from any street), and it is reported so.
    assert reach.off_network.tolist() == [False, False, True]
    assert compute_reach(FakeRegion(cells, [w00]), "elder_care_station", WALK15).off_network is None


def test_facility_access_leg_counts(toy):
    # facility 100 m west of W00 (80 s on foot): W23 now 800 + 80 = 880 s (covered),
    # E00 800 + 80 + ... = 1000 m + 100 m = 1100 m → 880 s (covered), cells at 5 blocks + 100 m.
    fac = xy(toy, "W00") + [-100, 0]
    reach = compute_reach(FakeRegion(node_cells(toy), fac, network=toy), "elder_care_station", WALK15)
    cost = dict(zip(NAMES, reach.cost))
    assert cost["W00"] == pytest.approx(80, abs=0.5)
    assert cost["E11"] == pytest.approx(880, abs=0.5)
    assert covered_names(reach) == set(W) | {"E01", "E00", "E02", "E11"}


# ------------------------------------------------------------------ driving
def test_drive_respects_the_one_way_bridge(toy):
    cells = node_cells(toy)
    # To a facility on W21 (the bridge's west end), 20 s a block, limit 75 s (≤ 3 blocks):
    #   west: Manhattan distance from (2,1) ≤ 3 → all but W03 (2 + 2 = 4 blocks, 80 s);
    #   east: over the bridge westbound (1 block) + ≤ 2 blocks to E01:
    #         E01 (1), E00 E02 E11 (2), E10 E03 E12 E21 (3); E20 E13 E22 E23 (4) no.
    reach = compute_reach(FakeRegion(cells, xy(toy, "W21"), network=toy), "elder_care_station", DRIVE75)
    assert covered_names(reach) == (set(W) - {"W03"}) | {"E01", "E00", "E02", "E11", "E10", "E03", "E12", "E21"}
    assert dict(zip(NAMES, reach.cost))["E21"] == pytest.approx(60, abs=0.1)
    # To a facility on E01, nobody on the west bank can drive there (the bridge is
    # westbound only); east: ≤ 3 blocks from (0,1) → all but E23 (2 + 2 = 4 blocks).
    reach = compute_reach(FakeRegion(cells, xy(toy, "E01"), network=toy), "elder_care_station", DRIVE75)
    assert covered_names(reach) == set(E) - {"E23"}
    assert np.isinf(reach.cost[: len(W)]).all()


def test_walking_to_e01_ignores_the_one_way(toy):
    # On foot the bridge works both ways: W21 is 1 block from E01; the farthest west
    # node W03 is 1 + 2 + 2 = 5 blocks (1000 m ≤ 1125 m) → the whole west bank.
    reach = compute_reach(FakeRegion(node_cells(toy), xy(toy, "E01"), network=toy), "elder_care_station", WALK15)
    assert set(W) <= covered_names(reach)


# ------------------------------------------------------------ distance mode
def test_distance_mode_uses_straight_lines_and_ignores_the_river(toy):
    # No network: GB 50180 straight line, radius 700 m = 3.5 blocks (3.5² = 12.25 blocks²)
    # from a facility on E00 = column 3, row 0. Squared block distances:
    #   W0r (dx -3): 9, 10, 13✗, 18✗   W1r (dx -2): 4, 5, 8, 13✗   W2r (dx -1): 1, 2, 5, 10
    #   E0r (dx 0): 0, 1, 4, 9         E1r (dx 1): 1, 2, 5, 10     E2r (dx 2): 4, 5, 8, 13✗
    #   I0 (0, -3): 9   I1 (1, -3): 10   I2 (2, -3): 13✗
    std = Standard("walk", 15, 4.5, 700, "GB 50180-2018")
    region = FakeRegion(node_cells(toy), xy(toy, "E00"), network=None)
    reach = compute_reach(region, "elder_care_station", std)
    assert reach.mode == "distance" and reach.unit == "m"
    assert covered_names(reach) == set(NAMES) - {"W02", "W03", "W13", "E23", "I2"}
    cost = dict(zip(NAMES, reach.cost))
    # (blocks are 200 m on osmnx's sphere; on the WGS-84 ellipsoid north-south blocks are
    # 0.4 % shorter, east-west 0.16 % longer, hence the 1 % tolerance)
    assert cost["W00"] == pytest.approx(600, rel=1e-2)  # 3 blocks across the river
    assert cost["I1"] == pytest.approx(200 * np.sqrt(10), rel=1e-2)
    assert np.isinf(cost["W03"])
    # method="distance" forces distance mode even with a network
    forced = compute_reach(FakeRegion(node_cells(toy), xy(toy, "E00"), network=toy), "elder_care_station", std,
                           method="distance")
    np.testing.assert_array_equal(forced.covered, reach.covered)


def test_method_network_without_network_is_an_error(toy):
    with pytest.raises(ValueError, match="network"):
        compute_reach(FakeRegion(node_cells(toy), xy(toy, "E00")), "elder_care_station", WALK15, method="network")
    with pytest.raises(ValueError, match="method"):
        compute_reach(FakeRegion(node_cells(toy), xy(toy, "E00")), "elder_care_station", WALK15, method="bus")


# ------------------------------------------------------ urban / rural modes
def test_urban_walk_and_rural_bike_standards(toy):
    # Cells at E10 twice: one urban (walk, 6 blocks = 1200 m > 1125 m: no), one rural
    # (bike 15 km/h = 4.167 m/s: 1200 m = 288 s ≤ 900 s: yes). Facility on W00.
    table = load_standards().with_override("elder_care_station", WALK15, "urban").with_override(
        "elder_care_station", Standard("bike", 15, 15, 2880), "rural"
    )
    cells = np.vstack([xy(toy, "E10"), xy(toy, "E10")])
    region = FakeRegion(cells, xy(toy, "W00"), area=["urban", "rural"], network=toy)
    reach = compute_reach(region, "elder_care_station", table)
    assert reach.covered.tolist() == [False, True]
    assert reach.cost[1] == pytest.approx(1200 / (15 / 3.6), abs=0.5)
    np.testing.assert_allclose(reach.limit, [900, 900])


def test_default_standards_table_is_used(toy):
    region = FakeRegion(node_cells(toy), xy(toy, "W00"), network=toy)
    a = compute_reach(region, "elder_care_station")
    b = compute_reach(region, "elder_care_station", load_standards().get("elder_care_station", "urban"))
    np.testing.assert_array_equal(a.cost, b.cost)


def test_bad_area_type_is_rejected(toy):
    region = FakeRegion(node_cells(toy)[:2], xy(toy, "W00"), area=["urban", "suburb"], network=toy)
    with pytest.raises(ValueError, match="suburb"):
        compute_reach(region, "elder_care_station", WALK15)


def test_no_facilities_covers_nothing(toy):
    for net in (toy, None):
        reach = compute_reach(FakeRegion(node_cells(toy), np.zeros((0, 2)), network=net), "elder_care_station", WALK15)
        assert not reach.covered.any() and (reach.nearest == -1).all()


# --------------------------------------------------------------- what-if
def test_reach_model_add_and_remove_on_the_toy(toy):
    region = FakeRegion(node_cells(toy), xy(toy, "W00"), network=toy)
    model = ReachModel(region, "elder_care_station", WALK15)
    before = model.reach
    lon, lat = 113.0800 + 4 * 0.0019470, 22.5800 + 2 * 0.0017986  # ≈ E12 (column 4, row 2)
    j = model.add_facility(lon, lat)
    assert j == 1
    after = model.reach
    # E12 covers the whole east bank (≤ 4 blocks away) and, over the bridge, W21 (3 blocks)…
    assert set(E) <= covered_names(after)
    assert before.covered.sum() < after.covered.sum()
    assert (after.cost <= before.cost).all()
    assert before is not after and not before.covered[NAMES.index("E23")]  # snapshots are independent
    model.remove_facility(0)
    full = compute_reach(FakeRegion(node_cells(toy), [[*model.facility_xy[1]]], network=toy), "elder_care_station",
                         WALK15)
    np.testing.assert_array_equal(model.reach.covered, full.covered)
    np.testing.assert_allclose(model.reach.cost, full.cost)
    assert set(model.reach.nearest[model.reach.covered]) == {1}
    with pytest.raises(ValueError, match="already removed"):
        model.remove_facility(0)
    with pytest.raises(IndexError):
        model.remove_facility(7)
    with pytest.raises(ValueError, match="lon/lat"):
        model.add_facility(2386250.0, 682750.0)


def test_remove_hands_over_to_a_facility_snapped_inside_the_removed_area(toy):
    # A on W00; B 250 m south of W10 → snaps to W10 with a 250 m access leg (200 s),
    # while A reaches W10 in 160 s, so W10 "belongs" to A. Removing A must let B take
    # over from its own node: W10 = 200 s, W00 = 200 + 160 = 360 s, W23 = 200 + 4 blocks
    # (640 s) = 840 s ≤ 900.
    a, b = xy(toy, "W00")[0], xy(toy, "W10")[0] + [0, -250]
    model = ReachModel(FakeRegion(node_cells(toy), [a, b], network=toy), "elder_care_station", WALK15)
    assert model.reach.nearest[NAMES.index("W10")] == 0
    model.remove_facility(0)
    cost = dict(zip(NAMES, model.reach.cost))
    assert cost["W10"] == pytest.approx(200, abs=0.5)
    assert cost["W00"] == pytest.approx(360, abs=0.5)
    assert cost["W23"] == pytest.approx(840, abs=0.5)
    full = compute_reach(FakeRegion(node_cells(toy), [b], network=toy), "elder_care_station", WALK15)
    np.testing.assert_allclose(model.reach.cost, full.cost)


# -------------------------------------------------------------- siting
def test_coverage_matrix_columns_equal_single_facility_reach(toy):
    cells = node_cells(toy)
    cand = xy(toy, "W00", "E01", "I1")
    region = FakeRegion(cells, np.zeros((0, 2)), network=toy)
    mat = coverage_matrix(region, "elder_care_station", cand, WALK15)
    assert mat.shape == (len(NAMES), 3) and mat.dtype == bool
    for k in range(3):
        single = compute_reach(FakeRegion(cells, cand[k], network=toy), "elder_care_station", WALK15)
        np.testing.assert_array_equal(mat[:, k].toarray().ravel(), single.covered)
    # the island candidate covers exactly the island (I0, I2 are 1 block from I1)
    assert {NAMES[i] for i in mat[:, 2].nonzero()[0]} == set(I)
    dist = coverage_matrix(FakeRegion(cells, np.zeros((0, 2))), "elder_care_station", cand,
                           Standard("walk", 15, 4.5, 700))
    single = compute_reach(FakeRegion(cells, cand[1]), "elder_care_station", Standard("walk", 15, 4.5, 700))
    np.testing.assert_array_equal(dist[:, 1].toarray().ravel(), single.covered)


# --------------------------------------------------------------- core
def test_multi_source_times_picks_nearest_source_and_offsets():
    import scipy.sparse as sp

    # path 0 - 1 - 2 - 3 with 10 s edges; sources at 0 (offset 0) and 3 (offset 25)
    u = np.array([0, 1, 2, 1, 2, 3])
    v = np.array([1, 2, 3, 0, 1, 2])
    g = sp.csr_matrix((np.full(6, 10.0), (u, v)), shape=(4, 4))
    dist, src = multi_source_times(g, np.array([0, 3, -1]), np.array([0.0, 25.0, 0.0]), limit=30)
    np.testing.assert_allclose(dist, [0, 10, 20, 25])
    np.testing.assert_array_equal(src, [0, 0, 0, 1])
    dist, src = multi_source_times(g, np.array([0]), limit=15)
    assert np.isinf(dist[2:]).all() and (src[2:] == -1).all()


# --------------------------------------------------------- service areas
def test_service_area_polygon_follows_streets_not_a_hull(toy):
    from shapely.geometry import Point

    region = FakeRegion(node_cells(toy), xy(toy, "W00"), network=toy)
    gdf = service_areas(region, "elder_care_station", WALK15, buffer_m=25)
    assert len(gdf) == 1 and gdf.crs.to_string() == "EPSG:4326"
    poly = gdf.to_crs("EPSG:32649").geometry.iloc[0]
    p = dict(zip(NAMES, map(tuple, node_cells(toy))))
    mid = lambda a, b, t=0.5: Point(np.add(p[a], t * np.subtract(p[b], p[a])))  # noqa: E731
    for n in set(W) | {"E01", "E00", "E02", "E11"}:
        assert poly.contains(Point(p[n])), n
    assert poly.contains(mid("W21", "E01"))  # the bridge
    # E11 is at 1000 m, 125 m of time left: E11→E21 is reached for 125 m (+25 m buffer)
    assert poly.contains(mid("E11", "E21", 100 / 200))
    assert not poly.contains(mid("E11", "E21", 160 / 200))
    # the river between W20 and E00 (both reached) is NOT swallowed, nor the island
    assert not poly.contains(mid("W20", "E00"))
    assert not poly.contains(Point(p["I0"]))
    assert gdf["standard"].iloc[0] == WALK15.label("zh")


def test_service_areas_dissolved_and_distance_mode(toy, tmp_path):
    import json

    from coverage.export import write_geojson

    cells = node_cells(toy)
    region = FakeRegion(cells, xy(toy, "W00", "E22"), network=toy)
    per = service_areas(region, "elder_care_station", WALK15)
    one = service_areas(region, "elder_care_station", WALK15, dissolve=True)
    assert len(per) == 2 and len(one) == 1 and one["n_facilities"].iloc[0] == 2
    union = per.to_crs("EPSG:32649").union_all()
    assert union.symmetric_difference(one.to_crs("EPSG:32649").geometry.iloc[0]).area < 1.0
    circles = service_areas(FakeRegion(cells, xy(toy, "W00")), "elder_care_station", Standard("walk", 15, 4.5, 700))
    area = circles.to_crs("EPSG:32649").geometry.iloc[0].area
    assert area == pytest.approx(np.pi * 700**2, rel=2e-3)
    path = write_geojson(per, tmp_path / "sa.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert [f["properties"]["facility"] for f in fc["features"]] == [0, 1]


def test_raster_tracing_matches_vector_buffer(toy, monkeypatch):
    import coverage.service_areas as sa

    region = FakeRegion(node_cells(toy), xy(toy, "W00"), network=toy)
    vector = service_areas(region, "elder_care_station", WALK15).to_crs("EPSG:32649").geometry.iloc[0]
    monkeypatch.setattr(sa, "VECTOR_MAX_SEGMENTS", 0)
    raster = service_areas(region, "elder_care_station", WALK15).to_crs("EPSG:32649").geometry.iloc[0]
    assert raster.is_valid
    # pixels are 10 m (buffer / 2.5): the traced outline stays within a pixel of the buffer
    assert vector.symmetric_difference(raster).area < 0.1 * vector.area
    assert abs(raster.area - vector.area) < 0.05 * vector.area
    from shapely.geometry import Point

    p = dict(zip(NAMES, map(tuple, node_cells(toy))))
    assert raster.contains(Point(p["E01"])) and not raster.contains(Point(p["I0"]))
    assert not raster.contains(Point(np.add(p["W20"], p["E00"]) / 2))  # river stays out
    # 200 m blocks enclose ~150 m × 150 m = 2.25 ha > FILL_HOLES_M2: they stay holes in both
    assert len(vector.interiors) == len(raster.interiors) == 6


def test_service_area_of_one_added_site(toy):
    model = ReachModel(FakeRegion(node_cells(toy), xy(toy, "W00"), network=toy), "elder_care_station", WALK15)
    j = model.add_facility_xy(*xy(toy, "E22")[0])
    gdf = service_areas_frame(model, facilities=[j])
    assert gdf["facility"].tolist() == [j]
    from shapely.geometry import Point

    poly = gdf.to_crs("EPSG:32649").geometry.iloc[0]
    # E22 reaches every east-bank node (≤ 4 blocks) and W21 (3 blocks to E01 + the bridge = 4)
    p = dict(zip(NAMES, map(tuple, node_cells(toy))))
    assert all(poly.contains(Point(p[n])) for n in E + ["W21"])
    assert not poly.contains(Point(p["W00"]))  # 4 + 3 = 7 blocks
    model.remove_facility(j)
    with pytest.raises(ValueError, match="no active facility"):
        service_areas_frame(model, facilities=[j])


def test_no_cells_still_gives_service_areas(toy):
    model = ReachModel.from_arrays(np.zeros((0, 2)), xy(toy, "W00"), WALK15, network=toy)
    assert model.reach.cost.shape == (0,)
    geoms, _ = build_service_areas(model)
    assert geoms[0].area > 0
    assert model.coverage_matrix(xy(toy, "E01")).shape == (0, 1)


def test_drive_service_area_respects_the_one_way_bridge(toy):
    from shapely.geometry import Point

    region = FakeRegion(node_cells(toy), xy(toy, "E01", "W21"), network=toy)
    gdf = service_areas(region, "elder_care_station", DRIVE75).to_crs("EPSG:32649")
    to_e01, to_w21 = gdf.geometry.iloc[0], gdf.geometry.iloc[1]
    p = dict(zip(NAMES, map(tuple, node_cells(toy))))
    bridge = Point(np.add(p["W21"], p["E01"]) / 2)
    # cars on the bridge can only head west: useless for reaching E01, useful for W21
    assert not to_e01.contains(bridge) and not to_e01.contains(Point(p["W21"]))
    assert to_e01.contains(Point(p["E21"]))  # 2 blocks, 40 s
    assert to_w21.contains(bridge) and to_w21.contains(Point(p["E11"]))  # 1 block + the bridge = 40 s


def test_a_network_in_another_crs_is_refused_for_a_region(toy):
    from coverage.errors import NetworkError

    other = RoadNetwork.from_arrays(toy.node_xy, toy.edge_u, toy.edge_v, crs="EPSG:3067")
    with pytest.raises(NetworkError, match="EPSG:3067"):
        compute_reach(FakeRegion(node_cells(toy), xy(toy, "W00"), network=other), "elder_care_station", WALK15)
    # from arrays, the network's CRS is the model's: a WGS-84 click lands in it
    model = ReachModel.from_arrays(other.node_xy, np.zeros((0, 2)), WALK15, network=other)
    assert model.crs == "EPSG:3067"


def test_cost_unit_is_explicit_and_checked(toy):
    from coverage.errors import InputError
    from coverage.reach import CostUnit, Method

    net = compute_reach(FakeRegion(node_cells(toy), xy(toy, "W00"), network=toy), "elder_care_station", WALK15)
    dist = compute_reach(FakeRegion(node_cells(toy), xy(toy, "W00")), "elder_care_station", WALK15)
    assert (net.mode, net.unit) == (Method.NETWORK, CostUnit.SECONDS)
    assert (dist.mode, dist.unit) == (Method.DISTANCE, CostUnit.METRES)
    with pytest.raises(InputError, match="measured in s"):
        CellReach(net.cost, net.nearest, net.limit, net.covered, mode="network", unit="m")


def test_nearest_unbounded_reaches_past_the_limit(toy):
    # W00's facility: E-bank nodes lie past the 900 s walk; the nearest facility is still W00 (over the bridge)
    model = ReachModel(FakeRegion(node_cells(toy), xy(toy, "W00"), network=toy), "elder_care_station", WALK15)
    nearest, cost = model.nearest_unbounded()
    reach = model.reach
    np.testing.assert_allclose(cost[reach.covered], reach.cost[reach.covered])
    far = ~reach.covered & np.isfinite(cost)
    assert far.any() and (cost[far] > 900).all() and (nearest[far] == 0).all()
    island = [NAMES.index(n) for n in I]
    assert np.isinf(cost[island]).all() and (nearest[island] == -1).all()  # no road link, at any cost


# -------------------------------------------------------------- copies
@pytest.mark.parametrize("network", [True, False])
def test_a_copy_and_its_original_are_edited_apart(toy, network):
    # The app's scenario edits a copy of the analysis' model: neither may see the other's edits,
    # including the add's scratch matrix (built by the add made before copying).
    net = toy if network else None
    w00, e22, e00, w21 = (xy(toy, n)[0] for n in ("W00", "E22", "E00", "W21"))

    def same(model: ReachModel, *facs) -> None:
        """``model`` equals a fresh computation over ``facs`` (nearest compared by position)."""
        full = compute_reach(FakeRegion(node_cells(toy), np.array(facs), network=net), "elder_care_station", WALK15)
        got = model.reach
        np.testing.assert_array_equal(got.covered, full.covered)
        np.testing.assert_allclose(got.cost, full.cost)
        on = full.covered
        np.testing.assert_allclose(model.facility_xy[got.nearest[on]], np.array(facs)[full.nearest[on]])
        assert (got.nearest[~on] == -1).all()

    model = ReachModel(FakeRegion(node_cells(toy), [w00], network=net), "elder_care_station", WALK15)
    model.add_facility_xy(*e22)  # index 1
    held = model.reach
    twin = model.copy()
    np.testing.assert_array_equal(twin.reach.cost, held.cost)
    np.testing.assert_array_equal(twin.reach.nearest, held.nearest)
    twin.remove_facility(0)
    twin.add_facility_xy(*e00)  # index 2 in the copy
    assert model.reach is held and len(model.active) == 2 and model.active.all()  # the original did not move
    same(model, w00, e22)
    model.add_facility_xy(*w21)  # index 2 in the original: another site
    same(model, w00, e22, w21)
    same(twin, e22, e00)  # the copy still holds its own edits only
    assert not np.array_equal(model.reach.cost, twin.reach.cost)  # the two really differ
    twin.remove_facility(2)
    same(twin, e22)
    same(model, w00, e22, w21)
