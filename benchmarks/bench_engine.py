"""Benchmark the travel-time engine against the osmnx-examples recipe and networkx.

Builds a synthetic street network of city size (a jittered grid of >= 150,000
nodes, two rivers with a few bridges, one-way streets, missing links), ~600
facilities on street nodes and >= 500,000 population cells, then times, in the
same process and on the same graph:

* this engine: a full recompute of one layer (``compute_reach``: one
  multi-source Dijkstra + per-cell access legs), cold (first call: builds the
  CSR matrix and snaps the cells) and warm (what the app pays on a recompute);
  plus the incremental what-if (add / remove one facility);
* the osmnx-examples isochrone recipe: one ``nx.ego_graph(G, n, radius=limit,
  distance="time")`` per facility, timed on a sample of facilities and
  extrapolated linearly to all of them (said so in the output);
* networkx ``multi_source_dijkstra_path_length`` with ``cutoff``.

It checks that the covered node sets are identical, and prints last::

    RESULT engine_s=<s> ratio_vs_recipe=<x> ratio_vs_networkx=<y> identical=<True|False>

for the 15-minute walking layer (the one the app recomputes on every click).
The same comparison for a 15-minute drive layer (one-way streets respected) is
printed above it. Run: ``python benchmarks/bench_engine.py [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.network import RoadNetwork  # noqa: E402
from coverage.reach import ReachModel, compute_reach, multi_source_times  # noqa: E402
from coverage.standards import Standard  # noqa: E402

WALK = Standard("walk", 15, 4.5, 1000, "GB 50180-2018")  # elder_care_station, urban
DRIVE = Standard("drive", 15, 30, 5770)  # town-level layers, urban


class ArrayRegion:
    """Minimal Region stand-in: the accessors compute_reach uses."""

    def __init__(self, cell_xy, facility_xy, network):
        self._cells = cell_xy
        self._area = np.full(len(cell_xy), "urban", dtype=object)
        self._fac = facility_xy
        self.network = network

    def cell_xy(self):
        return self._cells

    def cell_area_type(self):
        return self._area

    def facility_xy(self, layer):
        return self._fac


def synthetic_city(side: int, spacing: float, rng: np.random.Generator) -> RoadNetwork:
    """Jittered ``side × side`` street grid with two rivers, few bridges, one-ways and gaps."""
    i, j = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    node_xy = np.column_stack([j.ravel() * spacing, i.ravel() * spacing]).astype(float)
    node_xy += rng.uniform(-0.3 * spacing, 0.3 * spacing, node_xy.shape)
    node_xy += [650_000.0, 2_480_000.0]  # EPSG:32649, around Jiangmen
    nid = (i * side + j)
    ew_u, ew_v = nid[:, :-1].ravel(), nid[:, 1:].ravel()
    ns_u, ns_v = nid[:-1, :].ravel(), nid[1:, :].ravel()
    u = np.concatenate([ew_u, ns_u])
    v = np.concatenate([ew_v, ns_v])
    row_u, col_u = u // side, u % side
    row_v, col_v = v // side, v % side
    # river 1 runs north-south between columns c1-1 and c1; river 2 east-west between rows r2-1 and r2
    c1, r2 = int(side * 0.45), int(side * 0.3)
    cross1 = (np.minimum(col_u, col_v) == c1 - 1) & (np.maximum(col_u, col_v) == c1)
    cross2 = (np.minimum(row_u, row_v) == r2 - 1) & (np.maximum(row_u, row_v) == r2)
    bridges1 = np.isin(row_u, np.linspace(side * 0.1, side * 0.9, 4).astype(int))
    bridges2 = np.isin(col_u, np.linspace(side * 0.15, side * 0.85, 3).astype(int))
    keep = ~(cross1 & ~bridges1) & ~(cross2 & ~bridges2)
    keep &= rng.random(len(u)) > 0.08  # missing links: an irregular street pattern
    u, v = u[keep], v[keep]
    arterial = ((row_u[keep] % 10 == 0) & (row_v[keep] % 10 == 0)) | ((col_u[keep] % 10 == 0) & (col_v[keep] % 10 == 0))
    speed = np.where(arterial, 50.0, 25.0)
    oneway = (rng.random(len(u)) < 0.15) & ~arterial
    flip = oneway & (rng.random(len(u)) < 0.5)
    u, v = np.where(flip, v, u), np.where(flip, u, v)
    length = np.hypot(*(node_xy[u] - node_xy[v]).T)
    return RoadNetwork.from_arrays(
        node_xy, u, v, length_m=length, oneway=oneway, drive_speed_kmh=speed, source="synthetic"
    )


def timed(fn, repeat: int = 1):
    best, out = np.inf, None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def nx_graph(csr) -> nx.DiGraph:
    coo = csr.tocoo()
    G = nx.DiGraph()
    G.add_nodes_from(range(csr.shape[0]))
    G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()), weight="time")
    return G


def compare(label, net, std, fac_nodes, region, sample_size, rng, repeat):
    """Time engine / recipe / networkx for one standard; return the figures."""
    limit = std.seconds
    # warm-up (cold figures): CSR matrix + KD-tree + snapping the cells
    cold, reach = timed(lambda: compute_reach(region, "elder_care_station", std, network=net))
    warm, reach = timed(lambda: compute_reach(region, "elder_care_station", std, network=net), repeat)
    # Dijkstra graph (time *to* the facility: reversed for driving)
    graph = net.travel_csr("drive", to_node=True) if std.mode == "drive" else net.travel_csr(std.mode, std.speed_kmh)
    node_s, (dist, _) = timed(lambda: multi_source_times(graph, fac_nodes, limit=limit), repeat)
    engine_nodes = set(np.flatnonzero(dist <= limit).tolist())

    t = time.perf_counter()
    G = nx_graph(graph)
    build_s = time.perf_counter() - t

    sample = rng.choice(fac_nodes, size=min(sample_size, len(fac_nodes)), replace=False)

    def recipe():
        nodes: set[int] = set()
        for n in sample:
            nodes.update(nx.ego_graph(G, int(n), radius=limit, distance="time").nodes)
        return nodes

    recipe_sample_s, recipe_nodes = timed(recipe)
    recipe_s = recipe_sample_s * len(fac_nodes) / len(sample)
    _, (sample_dist, _) = timed(lambda: multi_source_times(graph, sample, limit=limit))
    same_recipe = recipe_nodes == set(np.flatnonzero(sample_dist <= limit).tolist())

    nx_s, nx_len = timed(
        lambda: nx.multi_source_dijkstra_path_length(G, set(fac_nodes.tolist()), cutoff=limit, weight="time")
    )
    same_nx = set(nx_len) == engine_nodes
    same_times = same_nx and np.allclose([dist[k] for k in nx_len], list(nx_len.values()), rtol=1e-9, atol=1e-6)

    # incremental what-if on the same layer
    model = ReachModel(region, "elder_care_station", std, network=net)
    clicks = rng.choice(len(region.cell_xy()), size=10, replace=False)
    t = time.perf_counter()
    added = [model.add_facility_xy(*region.cell_xy()[c]) for c in clicks]
    add_s = (time.perf_counter() - t) / len(clicks)
    _ = model.reach
    t = time.perf_counter()
    for j in added:
        model.remove_facility(j)
    remove_s = (time.perf_counter() - t) / len(added)
    back = model.reach
    same_incremental = np.array_equal(back.covered, reach.covered) and np.allclose(
        back.cost[back.covered], reach.cost[reach.covered]
    )

    print(f"--- {label}: {std.label('en')}, limit {limit:.0f} s")
    print(f"engine full layer recompute (cold: CSR + KD-tree + snapping {len(region.cell_xy()):,} cells): {cold:.3f} s")
    print(f"engine full layer recompute (warm, what a recompute costs in the app, best of {repeat}): {warm:.3f} s")
    print(f"engine multi-source Dijkstra on nodes only: {node_s:.4f} s; covered nodes {len(engine_nodes):,}")
    print(f"engine what-if: add a facility {add_s * 1000:.1f} ms, remove one {remove_s * 1000:.1f} ms "
          f"(add+remove back == original: {same_incremental})")
    print(f"covered cells {reach.covered.sum():,} / {len(reach.covered):,}")
    print(f"networkx graph build (not timed in ratios): {build_s:.2f} s")
    print(f"osmnx-examples recipe (ego_graph per facility): {recipe_sample_s:.2f} s for a sample of {len(sample)} "
          f"facilities, extrapolated linearly to {len(fac_nodes)}: {recipe_s:.1f} s")
    print(f"networkx multi_source_dijkstra_path_length (cutoff): {nx_s:.3f} s")
    print(f"covered node sets identical: recipe sample {same_recipe}, networkx {same_nx} (times equal: {same_times})")
    return dict(
        engine_s=warm, recipe_s=recipe_s, nx_s=nx_s,
        identical=bool(same_recipe and same_nx and same_times and same_incremental),
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", type=int, default=400, help="grid side (nodes = side²; default 400 → 160,000)")
    ap.add_argument("--spacing", type=float, default=60.0, help="street spacing in metres (default 60)")
    ap.add_argument("--facilities", type=int, default=600)
    ap.add_argument("--cells", type=int, default=510_000)
    ap.add_argument("--sample", type=int, default=20, help="facilities timed for the ego_graph recipe")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = ap.parse_args(argv)
    if args.quick:
        args.side, args.facilities, args.cells, args.sample, args.repeat = 120, 60, 40_000, 5, 1

    rng = np.random.default_rng(20251128)
    t = time.perf_counter()
    net = synthetic_city(args.side, args.spacing, rng)
    lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
    g = int(np.ceil(np.sqrt(args.cells)))
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], g), np.linspace(lo[1], hi[1], g))
    cell_xy = np.column_stack([gx.ravel(), gy.ravel()])
    fac_nodes = np.sort(rng.choice(net.n_nodes, size=args.facilities, replace=False))
    region = ArrayRegion(cell_xy, net.node_xy[fac_nodes], net)
    print(f"synthetic city: {net.n_nodes:,} nodes, {net.n_edges:,} directed edges, "
          f"{(hi - lo)[0] / 1000:.1f} × {(hi - lo)[1] / 1000:.1f} km, 2 rivers with 4 + 3 bridges, "
          f"15% one-way side streets; {len(fac_nodes)} facilities on street nodes; {len(cell_xy):,} cells "
          f"(built in {time.perf_counter() - t:.1f} s)")

    drive = compare("drive layer", net, DRIVE, fac_nodes, region, max(3, args.sample // 4), rng, args.repeat)
    print(f"drive: ratio_vs_recipe={drive['recipe_s'] / drive['engine_s']:.0f} "
          f"ratio_vs_networkx={drive['nx_s'] / drive['engine_s']:.1f} identical={drive['identical']}")
    walk = compare("walk layer", net, WALK, fac_nodes, region, args.sample, rng, args.repeat)

    # siting and map helpers on the walk layer (informational)
    model = ReachModel(region, "elder_care_station", WALK, network=net)
    cand = cell_xy[rng.choice(len(cell_xy), size=min(1000, len(cell_xy)), replace=False)]
    matrix_s, matrix = timed(lambda: model.coverage_matrix(cand))
    sa_s, _ = timed(lambda: model.service_area_geometries(dissolve=True))
    print(f"walk coverage matrix for {len(cand)} candidate sites: {matrix_s:.2f} s ({matrix.nnz:,} pairs); "
          f"dissolved service-area polygon of the layer: {sa_s:.2f} s")

    tracemalloc.start()
    compute_reach(region, "elder_care_station", WALK, network=net)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of one warm walk-layer recompute (tracemalloc): {peak / 2**20:.0f} MiB; "
          f"process peak RSS (incl. networkx graphs): {rss:.0f} MiB")
    print(f"RESULT engine_s={walk['engine_s']:.3f} ratio_vs_recipe={walk['recipe_s'] / walk['engine_s']:.0f} "
          f"ratio_vs_networkx={walk['nx_s'] / walk['engine_s']:.1f} "
          f"identical={walk['identical'] and drive['identical']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
