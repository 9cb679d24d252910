"""Benchmark: coverage's MCLP solvers against PySAL spopt on identical coverage matrices.

Synthetic but realistic instance: clustered demand cells (towns of varying size
plus a rural background, lognormal populations), candidate sites drawn mostly
from populated places, and a 15-minute-walk radius that makes the coverage
matrix sparse. Both tools get the same boolean matrix (spopt as the dense
cost matrix its API requires, with every uncovered pair set beyond the radius)
and the same weights and ``k``.

Timed: coverage's lazy greedy (`greedy_max_cover`, demand reduction included),
coverage's exact ILP (`ilp_max_cover`, HiGHS via scipy.optimize.milp, greedy and
reduction included) and spopt 0.7.0's `MCLP.from_cost_matrix(...).solve(...)`
(model building + PuLP + solver). Matrix construction is excluded for both.

spopt builds its model in pure Python over the *dense* matrix (one PuLP term
per cell × candidate pair), so it runs in a child process with a time and
memory limit. The ladder of sizes shows how it scales; the full-size instance
(≥ 100,000 cells × ≥ 5,000 candidates) is attempted last.

Usage::

    /work/venv/bin/python benchmarks/bench_siting.py            # ladder + full size
    /work/venv/bin/python benchmarks/bench_siting.py --quick    # small sizes only

Requires ``requirements-bench.txt`` (spopt, pulp, highspy).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import resource
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.siting import greedy_max_cover, ilp_max_cover, reduce_demand  # noqa: E402

CELL_M = 500.0  # population-grid cell size
URBAN_RADIUS_M = 1000.0  # GB 50180-2018 15-minute walking circle (街道)
RURAL_RADIUS_M = 2880.0  # 15 min by e-bike ÷ detour 1.3 (镇), as data/standards.csv
RADIUS_M = RURAL_RADIUS_M  # largest radius (spopt's cost matrix is scaled to it)


def make_instance(n_cells: int, n_cand: int, seed: int = 7):
    """A synthetic region shaped like a prefecture's 500 m population grid.

    Towns of Pareto-distributed size (a few big urban cores, many small ones)
    plus a sparse rural background are sampled, snapped to a 500 m grid and the
    first ``n_cells`` distinct populated cells kept. The densest 30 % of cells are
    "urban" (1,000 m walking standard), the rest "rural" (2,880 m); a candidate
    covers a cell when it lies within that cell's own standard. 80 % of the
    candidates sit near populated cells, 20 % anywhere. Existing facilities
    (``n_cand / 20``, fixed) already cover part of the demand.

    Returns ``(A, weights, covered)``: boolean CSR cells × candidates, population
    per cell, and the mask of cells existing facilities cover.
    """
    rng = np.random.default_rng(seed)
    side = np.sqrt(n_cells * CELL_M**2 / 0.45)  # ~45 % of the land populated
    extent = np.array([side * 1.2, side / 1.2])
    n_towns = max(8, int(round(80 * (n_cells / 100_000) ** 0.5)))
    centres = rng.random((n_towns, 2)) * extent
    size = rng.pareto(1.2, n_towns) + 1.0
    share = size / size.sum()
    spread = 0.006 * side * (1.0 + 4.0 * np.sqrt(share / share.max()))
    cells: dict[tuple[int, int], float] = {}
    while len(cells) < n_cells:
        n = n_cells
        town = rng.choice(n_towns, n, p=share)
        pts = rng.normal(centres[town], spread[town, None])
        bg = rng.random((n // 3, 2)) * extent
        pts = np.vstack([pts, bg])
        pts = pts[(pts >= 0).all(axis=1) & (pts < extent).all(axis=1)]
        ij = np.floor(pts / CELL_M).astype(np.int64)
        keys, counts = np.unique(ij, axis=0, return_counts=True)
        for (i, j), c in zip(map(tuple, keys), counts):
            cells[(i, j)] = cells.get((i, j), 0.0) + float(c)
    keys = list(cells)[:n_cells]
    ij = np.array(keys, dtype=np.float64)
    xy = (ij + 0.5) * CELL_M
    density = np.array([cells[k] for k in keys])
    weights = np.round(density * rng.lognormal(2.5, 0.6, n_cells)).astype(float)
    limit = np.where(density >= np.quantile(density, 0.70), URBAN_RADIUS_M, RURAL_RADIUS_M)

    n_near = int(0.8 * n_cand)
    cand = np.vstack(
        [
            xy[rng.choice(n_cells, n_near, replace=False)] + rng.normal(0, 100, (n_near, 2)),
            rng.random((n_cand - n_near, 2)) * extent,
        ]
    )
    dist = cKDTree(xy).sparse_distance_matrix(cKDTree(cand), RURAL_RADIUS_M, output_type="coo_matrix")
    keep = dist.data <= limit[dist.row]
    a = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=bool), (dist.row[keep], dist.col[keep])), shape=(n_cells, n_cand)
    )
    existing = xy[rng.choice(n_cells, max(5, n_cand // 20), replace=False)]
    d_exist, _ = cKDTree(existing).query(xy)
    covered = d_exist <= limit
    return a, weights, covered


def objective(a: sp.csr_matrix, w: np.ndarray, covered: np.ndarray, sites) -> float:
    sites = list(sites)
    if not sites:
        return 0.0
    hit = np.asarray(a[:, sites].sum(axis=1)).ravel() > 0
    return float(w[hit & ~covered].sum())


def _spopt_child(a, w, covered, k, time_limit, solver_name, mem_gb, out):
    resource.setrlimit(resource.RLIMIT_AS, (int(mem_gb * 2**30), int(mem_gb * 2**30)))
    t0 = time.perf_counter()
    try:
        import pulp
        from spopt.locate import MCLP

        # spopt has no notion of already-covered demand: give it the demand still uncovered.
        w_left = np.where(covered, 0.0, w)
        cost = np.where(a.toarray(), 0.0, 2 * RADIUS_M).astype(np.float64)
        t0 = time.perf_counter()
        model = MCLP.from_cost_matrix(cost, w_left, service_radius=RADIUS_M, p_facilities=k)
        t_build = time.perf_counter() - t0
        if solver_name == "highs":
            solver = pulp.HiGHS(msg=False, timeLimit=time_limit)
        else:
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
        model.solve(solver, results=False)
        t_total = time.perf_counter() - t0
        sites = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
        out.put(("ok", t_build, t_total, sites, pulp.LpStatus[model.problem.status]))
    except MemoryError:
        out.put(("memory", time.perf_counter() - t0, None, None, None))
    except Exception as exc:  # report, don't hang
        out.put(("error", 0.0, None, None, repr(exc)))


def run_spopt(a, w, covered, k, wall_limit, solver_time_limit, solver_name="highs", mem_gb=12.0):
    """Run spopt in a child process; return a dict (status, seconds, sites)."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=_spopt_child, args=(a, w, covered, k, solver_time_limit, solver_name, mem_gb, out))
    t0 = time.perf_counter()
    proc.start()
    try:
        status, t_build, t_total, sites, info = out.get(timeout=wall_limit)
    except queue.Empty:
        proc.kill()
        proc.join()
        return {"status": "timeout", "seconds": time.perf_counter() - t0, "sites": None, "info": ""}
    proc.join()
    return {"status": status, "seconds": t_total, "build": t_build, "sites": sites, "info": info}


def bench(n_cells, n_cand, k, ilp_limit, spopt_wall, spopt_solver, mem_gb):
    t = time.perf_counter()
    a, w, covered = make_instance(n_cells, n_cand)
    t_make = time.perf_counter() - t
    red = reduce_demand(a, w, covered)
    print(
        f"\n== {n_cells:,} cells x {n_cand:,} candidates, k={k}: nnz={a.nnz:,} "
        f"({a.nnz / n_cand:.0f} cells/candidate), already covered {covered.mean():.1%}, "
        f"reduced rows {red.matrix.shape[0]:,}  [instance built in {t_make:.1f}s]",
        flush=True,
    )
    t = time.perf_counter()
    g = greedy_max_cover(a, w, k, covered)
    greedy_s = time.perf_counter() - t
    t = time.perf_counter()
    i = ilp_max_cover(a, w, k, covered, time_limit=ilp_limit)
    ilp_s = time.perf_counter() - t
    g_obj, i_obj = objective(a, w, covered, g.sites), objective(a, w, covered, i.sites)
    assert abs(g_obj - g.objective) < 1e-6 * max(1, g_obj), "greedy reported a wrong objective"
    print(f"coverage greedy: {greedy_s:8.3f} s  objective {g_obj:,.0f}", flush=True)
    print(
        f"coverage ILP   : {ilp_s:8.3f} s  objective {i_obj:,.0f}  bound {i.bound:,.0f}  "
        f"gap {i.gap:.2e}  status {i.status}  (greedy = {g_obj / i_obj:.4f} of ILP)",
        flush=True,
    )
    res = {"cells": n_cells, "cand": n_cand, "k": k, "greedy_s": greedy_s, "ilp_s": ilp_s,
           "greedy_obj": g_obj, "ilp_obj": i_obj, "ilp_status": i.status, "ilp_gap": i.gap}
    if spopt_wall > 0:
        s = run_spopt(a, w, covered, k, spopt_wall, max(1.0, spopt_wall - 5), spopt_solver, mem_gb)
        if s["status"] == "ok":
            s_obj = objective(a, w, covered, s["sites"])
            print(
                f"spopt MCLP     : {s['seconds']:8.3f} s  objective {s_obj:,.0f}  "
                f"(model build {s['build']:.1f} s, {s['info']}, solver {spopt_solver})",
                flush=True,
            )
            print(
                f"ratios: greedy {s['seconds'] / greedy_s:,.0f}x faster at {g_obj / s_obj:.4f} of spopt's "
                f"objective; ILP {s['seconds'] / ilp_s:,.1f}x faster at {i_obj / s_obj:.4f}",
                flush=True,
            )
            res.update(spopt_s=s["seconds"], spopt_obj=s_obj)
        else:
            print(
                f"spopt MCLP     : did not finish ({s['status']} after {s['seconds']:.0f} s, "
                f"limits {spopt_wall:.0f} s wall / {mem_gb:.0f} GB) {s.get('info') or ''}",
                flush=True,
            )
            res.update(spopt_s=None, spopt_status=s["status"], spopt_after=s["seconds"])
    return res


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="small ladder only (no full-size run)")
    p.add_argument("--cells", type=int, default=100_000)
    p.add_argument("--candidates", type=int, default=5_000)
    p.add_argument("--k", type=int, default=None, help="sites to place (default candidates / 25)")
    p.add_argument("--ilp-time-limit", type=float, default=120.0)
    p.add_argument("--spopt-wall", type=float, default=600.0, help="wall-time limit per spopt ladder run (s)")
    p.add_argument("--spopt-full-wall", type=float, default=300.0, help="wall-time limit of the full-size spopt run (s)")
    p.add_argument("--spopt-solver", choices=["highs", "cbc"], default="highs")
    p.add_argument("--spopt-mem-gb", type=float, default=10.0, help="address-space cap of the spopt child (GB)")
    args = p.parse_args(argv)

    ladder = [(2_000, 100), (5_000, 250), (10_000, 500)]
    if args.quick:
        ladder = ladder[:2]
    results = []
    for n, m in ladder:
        results.append(bench(n, m, max(1, m // 25), args.ilp_time_limit, args.spopt_wall,
                             args.spopt_solver, args.spopt_mem_gb))
    if not args.quick:
        k = args.k or max(1, args.candidates // 25)
        results.append(bench(args.cells, args.candidates, k, args.ilp_time_limit, args.spopt_full_wall,
                             args.spopt_solver, args.spopt_mem_gb))

    full = results[-1]
    done = [r for r in results if r.get("spopt_s")]
    if full.get("spopt_s"):
        ref = full
    else:
        ref = done[-1] if done else None
        if ref is not None:
            print(
                f"\nspopt did not finish the {full['cells']:,} x {full['cand']:,} instance "
                f"({full.get('spopt_status')} after {full.get('spopt_after', 0):.0f} s); the RESULT line "
                f"compares at the largest size spopt finished: {ref['cells']:,} x {ref['cand']:,}. "
                f"Full-size coverage times: greedy {full['greedy_s']:.3f} s, ILP {full['ilp_s']:.3f} s."
            )
    if ref is None:
        print("RESULT greedy_s=nan ilp_s=nan spopt_s=nan ratio_vs_spopt=nan objective_vs_spopt=nan")
        return 1
    print(
        f"RESULT greedy_s={ref['greedy_s']:.4f} ilp_s={ref['ilp_s']:.4f} spopt_s={ref['spopt_s']:.2f} "
        f"ratio_vs_spopt={ref['spopt_s'] / ref['greedy_s']:.1f} "
        f"objective_vs_spopt={ref['greedy_obj'] / ref['spopt_obj']:.4f}"
    )
    print(f"(ILP: ratio_vs_spopt={ref['spopt_s'] / ref['ilp_s']:.1f} objective_vs_spopt={ref['ilp_obj'] / ref['spopt_obj']:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
