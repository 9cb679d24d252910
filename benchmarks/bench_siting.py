"""Benchmark: coverage's exact siting solvers against PySAL spopt's, on identical instances.

Exact against exact. The headline compares coverage's MCLP integer programme
(:func:`coverage.siting.ilp_max_cover`, HiGHS via ``scipy.optimize.milp``) with spopt 0.7.0's
``MCLP`` (PuLP + the same HiGHS engine through ``pulp.HiGHS``), both proven optimal, on equal
preprocessing:

* existing (fixed) facilities: spopt gets them as ``predefined_facilities_arr`` (their columns
  appended to the matrix, ``p_facilities = k + existing``); ours gets the mask of cells they cover;
* rows: spopt gets the same row reduction ours performs inside its solver — cells with no demand
  or no covering column dropped and cells covered by the same set of columns merged into one
  weighted row (:func:`coverage.siting.reduce_demand`), computed once and not timed for spopt;
  ours is timed *with* its reduction (and its candidate-dominance step);
* the same boolean coverage matrix (spopt as the dense cost matrix its ``from_cost_matrix``
  requires: 0 where a column covers a row, twice the radius elsewhere), weights and ``k``.

Beside it: coverage's greedy (lazy greedy + 1-swap) with its objective as a ratio of the
optimum, and a p-median row: :func:`coverage.siting.ilp_pmedian` against spopt's ``PMedian``
on the same dense cost matrix (Euclidean distances, no existing facility, so neither side can
drop a pair: equal preprocessing by construction). Objectives are recomputed from the inputs for
every answer. Every contender runs the same number of times (``--repeat``, default 1) and is
reported by its median. spopt runs in a child process with a wall-time and memory cap. Without
spopt (or PuLP) installed the script says so and still times coverage's solvers.

Usage::

    .venv/bin/python benchmarks/bench_siting.py            # ladder + full size (ours only there)
    .venv/bin/python benchmarks/bench_siting.py --quick    # two small sizes
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing as mp
import queue
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.siting import (  # noqa: E402
    greedy_max_cover,
    ilp_max_cover,
    ilp_pmedian,
    pmedian_instance,
    reduce_demand,
)

CELL_M = 500.0  # population-grid cell size
URBAN_RADIUS_M = 1000.0  # a walking circle (街道)
RURAL_RADIUS_M = 2880.0  # an e-bike circle (镇)
RADIUS_M = RURAL_RADIUS_M  # spopt's service radius (the dense cost matrix is 0 / 2 x radius)


def spopt_available() -> str | None:
    """None when spopt, PuLP and highspy import; else what is missing."""
    missing = [m for m in ("spopt", "pulp", "highspy") if importlib.util.find_spec(m) is None]
    return ", ".join(missing) if missing else None


def make_instance(n_cells: int, n_cand: int, seed: int = 7):
    """A synthetic region shaped like a prefecture's 500 m population grid.

    Towns of Pareto-distributed size plus a sparse rural background, snapped to 500 m cells;
    the densest 30 % of cells are urban (1,000 m), the rest rural (2,880 m); a column covers a
    cell when it lies within that cell's own standard. 80 % of the candidates sit near populated
    cells, 20 % anywhere. Existing facilities (``n_cand / 20``, fixed) are extra columns.

    Returns ``(A, weights, E)``: boolean CSR cells × candidates, population per cell, and the
    boolean CSR cells × existing facilities.
    """
    rng = np.random.default_rng(seed)
    side = np.sqrt(n_cells * CELL_M**2 / 0.45)
    extent = np.array([side * 1.2, side / 1.2])
    n_towns = max(8, int(round(80 * (n_cells / 100_000) ** 0.5)))
    centres = rng.random((n_towns, 2)) * extent
    size = rng.pareto(1.2, n_towns) + 1.0
    share = size / size.sum()
    spread = 0.006 * side * (1.0 + 4.0 * np.sqrt(share / share.max()))
    cells: dict[tuple[int, int], float] = {}
    while len(cells) < n_cells:
        town = rng.choice(n_towns, n_cells, p=share)
        pts = np.vstack([rng.normal(centres[town], spread[town, None]), rng.random((n_cells // 3, 2)) * extent])
        pts = pts[(pts >= 0).all(axis=1) & (pts < extent).all(axis=1)]
        keys, counts = np.unique(np.floor(pts / CELL_M).astype(np.int64), axis=0, return_counts=True)
        for (i, j), c in zip(map(tuple, keys), counts):
            cells[(i, j)] = cells.get((i, j), 0.0) + float(c)
    keys = list(cells)[:n_cells]
    xy = (np.array(keys, dtype=np.float64) + 0.5) * CELL_M
    density = np.array([cells[k] for k in keys])
    weights = np.round(density * rng.lognormal(2.5, 0.6, n_cells)).astype(float)
    limit = np.where(density >= np.quantile(density, 0.70), URBAN_RADIUS_M, RURAL_RADIUS_M)
    n_near = int(0.8 * n_cand)
    cand = np.vstack([xy[rng.choice(n_cells, n_near, replace=False)] + rng.normal(0, 100, (n_near, 2)),
                      rng.random((n_cand - n_near, 2)) * extent])  # fmt: skip
    existing = xy[rng.choice(n_cells, max(5, n_cand // 20), replace=False)]

    def cover(points: np.ndarray) -> sp.csr_matrix:
        dist = cKDTree(xy).sparse_distance_matrix(cKDTree(points), RURAL_RADIUS_M, output_type="coo_matrix")
        keep = dist.data <= limit[dist.row]
        return sp.csr_matrix((np.ones(int(keep.sum()), dtype=bool), (dist.row[keep], dist.col[keep])),
                             shape=(n_cells, len(points)))  # fmt: skip

    return cover(cand), weights, cover(existing)


def newly_covered(a: sp.csr_matrix, w: np.ndarray, covered: np.ndarray, sites) -> float:
    """People newly covered by ``sites`` (columns of ``a``), recomputed from the inputs."""
    sites = list(sites)
    if not sites:
        return 0.0
    hit = np.asarray(a[:, sites].sum(axis=1)).ravel() > 0
    return float(w[hit & ~covered].sum())


def spopt_mclp_inputs(a: sp.csr_matrix, w: np.ndarray, e: sp.csr_matrix):
    """spopt's input with our row reduction: the rows of ``[A | E]`` merged as ours merges them."""
    full = sp.hstack([a, e], format="csr")
    red = reduce_demand(full, w)
    cost = np.where(red.matrix.toarray(), 0.0, 2 * RADIUS_M)
    predefined = np.arange(a.shape[1], full.shape[1])
    return cost, red.weights, predefined


def _spopt_child(kind, payload, time_limit, mem_gb, out):
    resource.setrlimit(resource.RLIMIT_AS, (int(mem_gb * 2**30), int(mem_gb * 2**30)))
    try:
        import pulp
        from spopt.locate import MCLP, PMedian

        t0 = time.perf_counter()
        if kind == "mclp":
            cost, w, predefined, p = payload
            model = MCLP.from_cost_matrix(cost, w, service_radius=RADIUS_M, p_facilities=p,
                                          predefined_facilities_arr=predefined)  # fmt: skip
        else:
            cost, w, p = payload
            model = PMedian.from_cost_matrix(cost, w, p_facilities=p)
        t_build = time.perf_counter() - t0
        model.solve(pulp.HiGHS(msg=False, timeLimit=time_limit), results=False)
        seconds = time.perf_counter() - t0
        sites = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
        out.put(("ok", t_build, seconds, sites, pulp.LpStatus[model.problem.status]))
    except MemoryError:
        out.put(("memory", 0.0, None, None, "MemoryError"))
    except Exception as exc:  # report, don't hang
        out.put(("error", 0.0, None, None, repr(exc)))


def run_spopt(kind, payload, wall_limit, mem_gb):
    """spopt in a child process; a dict with status, seconds (build + solve), build, sites, info."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=_spopt_child, args=(kind, payload, max(1.0, wall_limit - 5), mem_gb, out))
    t0 = time.perf_counter()
    proc.start()
    try:
        status, t_build, seconds, sites, info = out.get(timeout=wall_limit)
    except queue.Empty:
        proc.kill()
        proc.join()
        return {"status": "timeout", "seconds": time.perf_counter() - t0, "build": None, "sites": None, "info": ""}
    proc.join()
    return {"status": status, "seconds": seconds, "build": t_build, "sites": sites, "info": info}


def median_run(fn, repeat: int):
    """(median seconds, last result) over ``repeat`` runs."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench_mclp(n_cells, n_cand, k, args, with_spopt: bool) -> dict:
    t0 = time.perf_counter()
    a, w, e = make_instance(n_cells, n_cand)
    covered = np.asarray(e.sum(axis=1)).ravel() > 0
    red = reduce_demand(a, w, covered)
    print(f"\n== MCLP {n_cells:,} cells x {n_cand:,} candidates (+{e.shape[1]} existing), k={k}: nnz={a.nnz:,}, "
          f"already covered {w[covered].sum() / w.sum():.1%}, reduced rows {red.matrix.shape[0]:,} "
          f"[instance {time.perf_counter() - t0:.1f} s]", flush=True)  # fmt: skip
    g_s, g = median_run(lambda: greedy_max_cover(a, w, k, covered), args.repeat)
    i_s, i = median_run(lambda: ilp_max_cover(a, w, k, covered, time_limit=args.ilp_time_limit), args.repeat)
    g_obj, i_obj = newly_covered(a, w, covered, g.sites), newly_covered(a, w, covered, i.sites)
    assert abs(i_obj - i.objective) <= 1e-6 * max(1.0, i_obj), "ILP reported a wrong objective"
    print(f"coverage ILP    : {i_s:8.3f} s  objective {i_obj:,.0f}  status {i.status}  gap {i.gap:.1e}", flush=True)
    print(f"coverage greedy : {g_s:8.3f} s  objective {g_obj:,.0f}  = {g_obj / i_obj:.4f} of the optimum  "
          f"(its own proven bound: gap <= {g.gap:.2%})", flush=True)  # fmt: skip
    res = {"cells": n_cells, "cand": n_cand, "k": k, "ilp_s": i_s, "ilp_obj": i_obj, "ilp_status": i.status,
           "greedy_s": g_s, "greedy_ratio": g_obj / i_obj if i_obj else 1.0}  # fmt: skip
    if not with_spopt:
        return res
    cost, w_red, predefined = spopt_mclp_inputs(a, w, e)
    runs = [run_spopt("mclp", (cost, w_red, predefined, k + len(predefined)), args.spopt_wall, args.spopt_mem_gb)
            for _ in range(args.repeat)]  # fmt: skip
    s = runs[-1]
    if s["status"] == "ok":
        s_s = statistics.median(r["seconds"] for r in runs)
        chosen = [j for j in s["sites"] if j < n_cand]
        s_obj = newly_covered(a, w, covered, chosen)
        print(f"spopt MCLP      : {s_s:8.3f} s  objective {s_obj:,.0f}  status {s['info']}  (model build "
              f"{s['build']:.1f} s; input {cost.shape[0]:,} reduced rows x {cost.shape[1]:,} columns, "
              f"{len(predefined)} predefined)", flush=True)  # fmt: skip
        print(f"exact vs exact  : ILP {s_s / i_s:,.1f}x faster, objective ILP / spopt = {i_obj / s_obj:.6f}",
              flush=True)  # fmt: skip
        res.update(spopt_s=s_s, spopt_obj=s_obj)
    else:
        print(f"spopt MCLP      : did not finish ({s['status']} after {s['seconds']:.0f} s; limits "
              f"{args.spopt_wall:.0f} s wall / {args.spopt_mem_gb:.0f} GB) {s['info']}", flush=True)  # fmt: skip
        res.update(spopt_status=s["status"], spopt_after=s["seconds"])
    return res


def bench_pmedian(n_clients, n_cand, k, args, with_spopt: bool) -> dict:
    rng = np.random.default_rng(11)
    clients = rng.random((n_clients, 2)) * 20_000
    cand = rng.random((n_cand, 2)) * 20_000
    cost = np.hypot(*(clients[:, None, :] - cand[None, :, :]).transpose(2, 0, 1))
    w = np.round(rng.lognormal(4.0, 1.0, n_clients))
    print(f"\n== p-median {n_clients:,} clients x {n_cand} candidates (dense, {cost.size:,} pairs), k={k}",
          flush=True)  # fmt: skip
    i_s, i = median_run(lambda: ilp_pmedian(pmedian_instance(cost, w), k, time_limit=args.ilp_time_limit),
                        args.repeat)  # fmt: skip
    i_obj = float(w @ cost[:, i.sites].min(axis=1))
    print(f"coverage ILP    : {i_s:8.3f} s  total {i_obj:,.0f}  status {i.status}  gap {i.gap:.1e}", flush=True)
    res = {"clients": n_clients, "cand": n_cand, "k": k, "ilp_s": i_s, "ilp_obj": i_obj}
    if not with_spopt:
        return res
    runs = [run_spopt("pmedian", (cost, w, k), args.spopt_wall, args.spopt_mem_gb) for _ in range(args.repeat)]
    s = runs[-1]
    if s["status"] == "ok":
        s_s = statistics.median(r["seconds"] for r in runs)
        s_obj = float(w @ cost[:, s["sites"]].min(axis=1))
        print(f"spopt PMedian   : {s_s:8.3f} s  total {s_obj:,.0f}  status {s['info']}  (model build "
              f"{s['build']:.1f} s)", flush=True)  # fmt: skip
        print(f"exact vs exact  : ILP {s_s / i_s:,.1f}x faster, objective ILP / spopt = {i_obj / s_obj:.6f}",
              flush=True)  # fmt: skip
        res.update(spopt_s=s_s, spopt_obj=s_obj)
    else:
        print(f"spopt PMedian   : did not finish ({s['status']} after {s['seconds']:.0f} s) {s['info']}", flush=True)
    return res


def fmt(value: float | None, spec: str) -> str:
    """``value`` formatted, or ``nan`` when it is missing (never a TypeError)."""
    return "nan" if value is None else format(value, spec)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="two small MCLP sizes and a small p-median")
    p.add_argument("--cells", type=int, default=100_000, help="full-size MCLP cells (ours only)")
    p.add_argument("--candidates", type=int, default=5_000, help="full-size MCLP candidates")
    p.add_argument("--repeat", type=int, default=1, help="runs per contender (median reported), same for all")
    p.add_argument("--ilp-time-limit", type=float, default=120.0)
    p.add_argument("--spopt-wall", type=float, default=600.0, help="wall-time limit per spopt run (s)")
    p.add_argument("--spopt-mem-gb", type=float, default=10.0, help="address-space cap of the spopt child (GB)")
    args = p.parse_args(argv)

    missing = spopt_available()
    if missing:
        print(f"spopt comparison skipped: {missing} not installed (pip install -r requirements-bench.txt); "
              "timing coverage's solvers only.", flush=True)  # fmt: skip
    ladder = [(2_000, 100), (5_000, 250)] if args.quick else [(2_000, 100), (5_000, 250), (10_000, 500)]
    results = [bench_mclp(n, m, max(1, m // 25), args, missing is None) for n, m in ladder]
    if not args.quick:
        full = bench_mclp(args.cells, args.candidates, max(1, args.candidates // 25), args, False)
        print(f"(full size: spopt not attempted — its dense model would hold "
              f"{full['cells'] * full['cand'] / 1e6:,.0f} M pairs before reduction)")  # fmt: skip
    pm = bench_pmedian(*((300, 20, 4) if args.quick else (800, 40, 6)), args, missing is None)

    done = [r for r in results if r.get("spopt_s")]
    ref = done[-1] if done else results[-1]
    print(
        f"RESULT cells={ref['cells']} candidates={ref['cand']} k={ref['k']} ilp_s={ref['ilp_s']:.4f} "
        f"spopt_s={fmt(ref.get('spopt_s'), '.3f')} "
        f"ratio_exact_vs_spopt={fmt(ref['spopt_s'] / ref['ilp_s'] if ref.get('spopt_s') else None, '.1f')} "
        f"objective_vs_spopt={fmt(ref['ilp_obj'] / ref['spopt_obj'] if ref.get('spopt_s') else None, '.6f')} "
        f"greedy_s={ref['greedy_s']:.4f} greedy_objective_ratio={ref['greedy_ratio']:.4f} "
        f"pmedian_ilp_s={pm['ilp_s']:.4f} pmedian_spopt_s={fmt(pm.get('spopt_s'), '.3f')} "
        f"pmedian_ratio={fmt(pm['spopt_s'] / pm['ilp_s'] if pm.get('spopt_s') else None, '.1f')} "
        f"pmedian_objective_vs_spopt={fmt(pm['ilp_obj'] / pm['spopt_obj'] if pm.get('spopt_s') else None, '.6f')}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
