"""Benchmark: coverage's 2SFCA family against pysal ``access`` 1.1.10 on identical inputs.

Two instances:

* the **default grid**: the embedded Jiangmen data, elder-care institutions (103, ``beds``) for the
  60+ (38,779 cells), the catchments of ``data/standards.csv`` (drive 20 min in 街道, 30 min in 镇; the
  straight-line fallback, no road network ships);
* a **500,000-cell synthetic city**: a 100 m grid of 707 × 707 cells with lognormal demand, 3,000
  facilities with random capacity, a 1,500 m catchment;
* **network mode** (informational, ``--network``): a 200 × 200 street grid (40,000 nodes, 80 m blocks),
  100,000 cells, 500 facilities, the app's 15-minute urban walk (``data/standards.csv`` and
  ``data/standards/speeds.csv``); the cost matrix from one bounded Dijkstra per facility (the same
  access legs as :mod:`coverage.reach`).

Both tools get the **same sparse cost matrix** (the cell × facility pairs within each cell's limit from
:func:`coverage.access.catchment_costs`, costs divided by the cell's limit so one ``max_cost=1`` holds for
both area types) and the same weight functions (pysal's own ``weights.step_fn`` for E2SFCA). pysal gets
its input as the long ``origin, dest, cost`` DataFrame it requires, built outside the timing (in its
favour). Timed: the two FCA steps only (``fca_scores`` vs ``access.fca.two_stage_fca``), median of the
same number of runs for both; the cost-matrix build is printed separately. "max_diff" is the largest
absolute difference in capacity per 1,000 served people over all cells.

Without pysal ``access`` installed the script says so, still times coverage's side and prints
``pysal_s=nan ratio=nan max_diff=nan``.

Usage::

    .venv/bin/python benchmarks/bench_access.py            # both instances (≈2-4 min)
    .venv/bin/python benchmarks/bench_access.py --quick    # default grid only, one run
    .venv/bin/python benchmarks/bench_access.py --network  # also the network-mode instance
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.access import CatchmentCosts, catchment_costs, catchment_costs_xy, fca_scores  # noqa: E402
from coverage.standards import Basis, Standard, load_standards  # noqa: E402

#: The layer whose walking standard the synthetic instances use (15 minutes on foot, urban).
WALK_LAYER = "elder_care_station"


def pysal_access():
    """pysal ``access``'s ``(two_stage_fca, weights)``, or None when it is not installed."""
    try:
        from access import weights
        from access.fca import two_stage_fca
    except ImportError:
        return None
    return two_stage_fca, weights


def walk_standard(**changes) -> Standard:
    """The app's urban walking standard (from ``data/``, nothing restated here), with ``changes``."""
    return load_standards().get(WALK_LAYER, "urban").replace(**changes)


def fmt(value: float | None, spec: str) -> str:
    """``value`` formatted, or ``nan`` when the baseline is missing."""
    return "nan" if value is None else format(value, spec)


def _gauss(r: float) -> float:
    e = math.exp(-0.5)
    return (math.exp(-0.5 * r * r) - e) / (1 - e)


def _pysal_inputs(costs: CatchmentCosts, supply: np.ndarray, demand: np.ndarray):
    demand_df = pd.DataFrame({"demand": demand}, index=pd.Index(np.arange(len(demand)), name="geoid"))
    supply_df = pd.DataFrame({"supply": supply}, index=pd.Index(np.arange(len(supply)), name="geoid"))
    cost_df = pd.DataFrame({"origin": costs.cell, "dest": costs.facility, "cost": costs.ratio})
    return demand_df, supply_df, cost_df


def _pysal(two_stage_fca, inputs, weight_fn, n_cells: int) -> np.ndarray:
    demand_df, supply_df, cost_df = inputs
    out = two_stage_fca(demand_df, supply_df, cost_df, max_cost=1.0, demand_index=True, demand_name="demand",
                        supply_name="supply", weight_fn=weight_fn)  # fmt: skip
    return out.reindex(np.arange(n_cells)).fillna(0.0).to_numpy()


def _median_time(fn, runs: int):
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def compare(name: str, costs: CatchmentCosts, supply: np.ndarray, demand: np.ndarray, runs: int) -> None:
    pysal = pysal_access()
    inputs = _pysal_inputs(costs, supply, demand) if pysal else None
    for method in ("2sfca", "e2sfca", "gaussian"):
        ours_s, (ours, _) = _median_time(lambda: fca_scores(costs, supply, demand, method), runs)
        theirs_s = diff = None
        if pysal:
            two_stage_fca, weights = pysal
            fn = {"2sfca": None, "e2sfca": weights.step_fn({1 / 3: 1.0, 2 / 3: 0.68, 1.0: 0.22}),
                  "gaussian": _gauss}[method]  # fmt: skip
            theirs_s, theirs = _median_time(lambda: _pysal(two_stage_fca, inputs, fn, costs.n_cells), runs)
            diff = float(np.max(np.abs(1000 * ours - 1000 * theirs))) if len(ours) else 0.0
        print(
            f"RESULT bench=access instance={name} method={method} cells={costs.n_cells} "
            f"facilities={costs.n_facilities} pairs={len(costs.cost)} ours_s={ours_s:.4f} "
            f"pysal_s={fmt(theirs_s, '.4f')} ratio={fmt(theirs_s / ours_s if theirs_s else None, '.1f')} "
            f"max_diff={fmt(diff, '.2e')} runs={runs}",
            flush=True,
        )


def default_grid(runs: int) -> None:
    from coverage.region import load_default

    region = load_default()
    layer = "elder_care_institution"
    t0 = time.perf_counter()
    costs = catchment_costs(region, layer)
    build = time.perf_counter() - t0
    supply = region.facilities[layer]["beds"].to_numpy(dtype=float)
    demand = region.served(layer)
    print(f"default grid: cost matrix {len(costs.cost):,} pairs built in {build:.3f} s ({costs.mode} mode)")
    compare("default_grid", costs, supply, demand, runs)


def synthetic_city(runs: int, side: int = 707, n_fac: int = 3000, radius: float = 1500.0) -> None:
    rng = np.random.default_rng(42)
    xs = np.arange(side) * 100.0
    gx, gy = np.meshgrid(xs, xs)
    cells = np.column_stack([gx.ravel(), gy.ravel()])
    demand = np.round(rng.lognormal(3.0, 1.0, size=len(cells)))
    facs = rng.uniform(0, side * 100.0, size=(n_fac, 2))
    supply = rng.integers(10, 300, size=n_fac).astype(float)
    std = walk_standard(distance_m=radius, basis=Basis.USER, walk_distance_m=None)  # distance mode: the catchment
    t0 = time.perf_counter()
    costs = catchment_costs_xy(cells, facs, std)
    build = time.perf_counter() - t0
    print(f"synthetic city: {len(cells):,} cells, cost matrix {len(costs.cost):,} pairs built in {build:.3f} s")
    compare("city_500k", costs, supply, demand, runs)


def network_city(runs: int, side: int = 200, block: float = 80.0, n_cells: int = 100_000, n_fac: int = 500) -> None:
    from coverage.network import RoadNetwork

    rng = np.random.default_rng(3)
    ids = np.arange(side * side).reshape(side, side)
    gx, gy = np.meshgrid(np.arange(side) * block, np.arange(side) * block)
    nodes = np.column_stack([gx.ravel(), gy.ravel()])
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    net = RoadNetwork.from_arrays(nodes, u, v)
    extent = (side - 1) * block
    cells = rng.uniform(0, extent, size=(n_cells, 2))
    demand = np.round(rng.lognormal(3.0, 1.0, size=n_cells))
    facs = rng.uniform(0, extent, size=(n_fac, 2))
    supply = rng.integers(10, 300, size=n_fac).astype(float)
    std = walk_standard()
    catchment_costs_xy(cells[:10], facs[:2], std, network=net)  # warm the CSR matrix and the KD-tree
    build, costs = _median_time(lambda: catchment_costs_xy(cells, facs, std, network=net), runs)
    from coverage.reach import ReachModel

    reach = ReachModel.from_arrays(cells, facs, std, network=net).reach
    same = bool(np.allclose(costs.nearest_cost(), np.where(reach.covered, reach.cost, np.inf)))
    print(f"network: {net.n_nodes:,} nodes, {n_cells:,} cells, {n_fac} facilities, cost matrix "
          f"{len(costs.cost):,} pairs built in {build:.3f} s (median of {runs}); nearest cost = "
          f"coverage.reach's: {same}")
    compare("network_40k_nodes", costs, supply, demand, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="default grid only, one run")
    parser.add_argument("--runs", type=int, default=3, help="runs per contender (median; default 3)")
    parser.add_argument("--network", action="store_true", help="also the network-mode instance")
    args = parser.parse_args()
    runs = 1 if args.quick else max(1, args.runs)
    if pysal_access() is None:
        print("pysal access not installed (pip install -r requirements-bench.txt): timing coverage only, "
              "pysal_s / ratio / max_diff printed as nan.", flush=True)
    default_grid(runs)
    if not args.quick:
        synthetic_city(runs)
    if args.network:
        network_city(runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
