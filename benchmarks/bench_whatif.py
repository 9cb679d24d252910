"""What-if latency on the embedded Jiangmen data: the compute path of one map click in the app.

A click adds a site (or removes a facility, or undoes the last change) and the app recounts the
coverage figures. This script times that path in-process, step by step, the way the page runs it
(``coverage.ui.scenario.Scenario``, whose model is :class:`coverage.reach.ReachModel`):

* ``update`` — ``Scenario.add_site`` / ``remove_facility`` / ``undo`` (the incremental reach update);
* ``table`` — ``population_coverage(region, layer, reach=scenario.reach)``, the per-town table;
* ``views`` — what the map and the what-if panel read after the change: ``added_sites()``,
  ``active_facilities()``, ``removed_rows()`` (built once per change, then handed out again).

Baselines, each run in the same process on the same data and checked to give the same result:

* the per-town table as it was computed before (pandas ``factorize`` of the text codes, per-row
  dictionary fills and ``concat``; kept below as :func:`pandas_table`) on the same reach, timed
  right after each click's own table;
* recomputing the layer from scratch (``compute_reach`` + ``population_coverage``) for the final
  facility set;
* a layer switch that builds the scenario's own model (``Scenario(region, layer, standards)``)
  against one that copies the model the page's analysis already built (``Scenario.from_analysis``).

Usage: ``python benchmarks/bench_whatif.py [--clicks N] [--layer ID] [--switch-runs N]``. Last line::

    RESULT click_s=<median s> full_s=<median s> speedup=<x> identical=<True|False> add_s=… remove_s=…
           undo_s=… update_s=… table_s=… table_before_s=… table_speedup=… views_s=… switch_s=…
           switch_build_s=… switch_speedup=… first_add_s=… first_add_built_s=… same_table=<True|False>

``click_s`` is the median over every add and remove of update + table + views (``add_s``,
``remove_s``, ``undo_s`` the medians per kind; ``update_s``, ``table_s``, ``views_s`` per step over
all clicks); ``full_s`` the from-scratch recompute + table; ``table_before_s`` the previous table
on the same clicks; ``switch_s`` / ``switch_build_s`` the medians of a switch to each other layer
with a copied / a freshly built model, ``first_add_s`` / ``first_add_built_s`` the first add after it
on each; ``same_table`` that both tables, both switches and both first adds agree.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.analysis import Analysis  # noqa: E402
from coverage.crs import PROJECTED, WGS84  # noqa: E402
from coverage.layers import get_layer  # noqa: E402
from coverage.metrics import covered_mask, population_coverage  # noqa: E402
from coverage.reach import CellReach, compute_reach  # noqa: E402
from coverage.region import load_default  # noqa: E402
from coverage.schema import COVERAGE_COLUMNS  # noqa: E402
from coverage.standards import load_standards  # noqa: E402
from coverage.ui.scenario import Scenario  # noqa: E402

SWITCH_LAYERS = ("elder_canteen", "elder_care_institution", "social_work_station", "elder_care_centre")


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def pandas_table(region, layer_id: str, reach) -> pd.DataFrame:
    """The per-town coverage table computed as ``population_coverage`` did before (the baseline)."""
    pop = region.population
    col = get_layer(layer_id).served_column
    mask = covered_mask(reach, len(pop))
    served = pd.to_numeric(pop[col], errors="coerce").to_numpy(dtype=float)
    covered = np.where(mask, served, 0.0)
    off = reach.off_network if isinstance(reach, CellReach) else None
    off_network = np.where(np.asarray(off, dtype=bool), served, 0.0) if off is not None else np.zeros_like(served)
    measures = {"served": served, "covered": covered, "off_network": off_network}

    def sums(codes):
        labels = pd.Series(codes, dtype=object)
        keys, inverse = pd.factorize(labels.where(labels.notna(), "").astype(str), sort=False)
        totals = {n: np.bincount(keys, weights=w, minlength=len(inverse)) for n, w in measures.items()}
        return {str(k): {n: t[i] for n, t in totals.items()} for i, k in enumerate(inverse)}

    def fill(rows, by, key):
        for n in measures:
            rows[n] = [by.get(c, {}).get(n, 0.0) for c in rows[key]]

    cols = ["town_code", "town_zh", "district_code", "district_zh"]
    town_rows = pd.DataFrame({c: [str(v) for v in region.towns[c].tolist()] for c in cols}, dtype=object)
    fill(town_rows, sums(pop["town_code"].to_numpy()), "town_code")
    town_rows.insert(0, "level", "town")
    d = region.districts
    districts = pd.DataFrame({c: [str(v) for v in d[c].tolist()] for c in ("district_code", "district_zh")},
                             dtype=object).drop_duplicates("district_code").reset_index(drop=True)
    by_district = sums(pop["district_code"].to_numpy())
    extra = sorted(set(by_district) - set(districts["district_code"]) - {""})
    if extra:
        districts = pd.concat([districts, pd.DataFrame({"district_code": extra, "district_zh": extra})],
                              ignore_index=True)
    district_rows = districts.copy()
    fill(district_rows, by_district, "district_code")
    district_rows.insert(0, "level", "district")
    district_rows["town_code"] = pd.NA
    district_rows["town_zh"] = pd.NA
    city_rows = pd.DataFrame({"level": ["city"], "town_code": [pd.NA], "town_zh": [pd.NA],
                              "district_code": [pd.NA], "district_zh": [pd.NA],
                              **{n: [float(w.sum())] for n, w in measures.items()}})
    out = pd.concat([town_rows, district_rows, city_rows], ignore_index=True)
    out["layer"] = layer_id
    out["served_group"] = col
    out["uncovered"] = out["served"] - out["covered"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(out["served"] > 0, out["covered"] / out["served"], np.nan)
    if np.all(np.mod(served, 1) == 0):
        for c in ("served", "covered", "uncovered", "off_network"):
            out[c] = out[c].round().astype("int64")
    return out[COVERAGE_COLUMNS]


def _views(scenario: Scenario) -> None:
    scenario.added_sites()
    scenario.active_facilities()
    scenario.removed_rows()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=20, help="adds and removes each (default 20)")
    parser.add_argument("--layer", default="elder_care_station")
    parser.add_argument("--switch-runs", type=int, default=5, help="switches timed per other layer (default 5)")
    args = parser.parse_args(argv)

    region = load_default()
    standards = load_standards()
    rng = np.random.default_rng(0)
    cells = region.population
    tr = Transformer.from_crs(PROJECTED, WGS84, always_xy=True)
    lonlat = np.column_stack(tr.transform(cells["x"].to_numpy(), cells["y"].to_numpy()))

    analysis = Analysis(region, standards)
    _, setup_s = _timed(lambda: analysis.model(args.layer))
    scenario = Scenario.from_analysis(analysis, args.layer)
    n0 = len(scenario.base)
    steps: dict[str, list[float]] = {"update": [], "table": [], "views": [], "table_before": []}
    per_kind: dict[str, list[float]] = {"add": [], "remove": [], "undo": []}
    same_table = True

    def click(kind: str, change) -> None:
        nonlocal same_table
        _, du = _timed(change)
        table, dt = _timed(lambda: population_coverage(region, args.layer, reach=scenario.reach))
        _, dv = _timed(lambda: _views(scenario))
        before, db = _timed(lambda: pandas_table(region, args.layer, scenario.reach))
        same_table = same_table and table.equals(before) and (table.dtypes == before.dtypes).all()
        steps["update"].append(du)
        steps["table"].append(dt)
        steps["views"].append(dv)
        steps["table_before"].append(db)
        per_kind[kind].append(du + dt + dv)

    for _ in range(args.clicks):
        lon, lat = lonlat[rng.integers(len(lonlat))]
        click("add", lambda: scenario.add_site(float(lon), float(lat)))
    ids = scenario.base["facility_id"].astype(str).tolist()
    for i in rng.choice(n0, size=min(args.clicks, n0), replace=False):
        click("remove", lambda: scenario.remove_facility(ids[int(i)]))
    # Undo the last few removals and adds; they are then redone so the final set stays the one above.
    redo = []
    for _ in range(min(5, len(scenario.changes))):
        last = scenario.changes[-1]
        click("undo", scenario.undo)
        redo.append(last)
    for change in reversed(redo):
        if change.kind == "add":
            scenario.add_site(change.lon, change.lat)
        else:
            scenario.remove_facility(change.facility_id)

    # Baseline: the same final facility set recomputed from scratch.
    model = scenario.model
    final = model.reach
    edited = region.with_facilities(args.layer, model_facilities(args.layer, model))
    fulls = []
    for _ in range(5):
        full, dt = _timed(lambda: compute_reach(edited, args.layer, standards))
        _, dt2 = _timed(lambda: population_coverage(edited, args.layer, reach=full))
        fulls.append(dt + dt2)
    identical = bool(np.array_equal(full.covered, final.covered)
                     and np.allclose(full.cost, final.cost, equal_nan=True))

    # Layer switch: a scenario for each other layer, from the analysis' model (built once, as the page's
    # base figures need it anyway) or with a model of its own (what a switch cost before).
    # Then the first add on each (the copy shares the analysis model's cell tree; its own model builds one).
    copies, builds, first_adds, first_adds_built = [], [], [], []
    for other in SWITCH_LAYERS:
        analysis.model(other)
        for _ in range(args.switch_runs):
            copied, dc = _timed(lambda: Scenario.from_analysis(analysis, other))
            built, db = _timed(lambda: Scenario(region, other, standards))
            copies.append(dc)
            builds.append(db)
            same_table = same_table and bool(np.array_equal(copied.reach.cost, built.reach.cost)
                                             and np.array_equal(copied.reach.nearest, built.reach.nearest))
            lon, lat = lonlat[rng.integers(len(lonlat))]
            _, da = _timed(lambda: copied.add_site(float(lon), float(lat)))
            _, dab = _timed(lambda: built.add_site(float(lon), float(lat)))
            first_adds.append(da)
            first_adds_built.append(dab)
            same_table = same_table and bool(np.array_equal(copied.reach.cost, built.reach.cost))

    med = {k: statistics.median(v) for k, v in steps.items()}
    kinds = {k: statistics.median(v) for k, v in per_kind.items() if v}
    clicks = per_kind["add"] + per_kind["remove"]
    click_s = statistics.median(clicks)
    base = statistics.median(fulls)
    switch_s, switch_build_s = statistics.median(copies), statistics.median(builds)
    first_add_s, first_add_built_s = statistics.median(first_adds), statistics.median(first_adds_built)
    print(f"layer {args.layer}: {n0} facilities, {len(cells):,} cells; analysis model built in {setup_s:.3f} s")
    print(f"click (update + table + views), median of {len(clicks)} adds/removes: {click_s * 1000:.2f} ms;"
          f" max {max(clicks) * 1000:.1f} ms")
    print("  per kind: " + ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in kinds.items()))
    print(f"  per step: update {med['update'] * 1000:.2f} ms, table {med['table'] * 1000:.2f} ms,"
          f" views {med['views'] * 1000:.2f} ms")
    print(f"table before (pandas fills, same clicks): {med['table_before'] * 1000:.2f} ms"
          f" -> {med['table_before'] / med['table']:.1f}x")
    print(f"full recompute + coverage table, median of {len(fulls)}: {base * 1000:.1f} ms")
    print(f"layer switch to {len(SWITCH_LAYERS)} layers, median of {len(copies)}: copy of the analysis' model"
          f" {switch_s * 1000:.2f} ms; own model built {switch_build_s * 1000:.1f} ms")
    print(f"first add after a switch: on the copy {first_add_s * 1000:.2f} ms; on its own model"
          f" {first_add_built_s * 1000:.2f} ms (builds its cell tree)")
    print(f"RESULT click_s={click_s:.4f} full_s={base:.4f} speedup={base / click_s:.1f} identical={identical}"
          f" add_s={kinds['add']:.4f} remove_s={kinds['remove']:.4f} undo_s={kinds.get('undo', float('nan')):.4f}"
          f" update_s={med['update']:.4f} table_s={med['table']:.4f} table_before_s={med['table_before']:.4f}"
          f" table_speedup={med['table_before'] / med['table']:.1f} views_s={med['views']:.4f}"
          f" switch_s={switch_s:.4f} switch_build_s={switch_build_s:.4f}"
          f" switch_speedup={switch_build_s / switch_s:.1f} first_add_s={first_add_s:.4f}"
          f" first_add_built_s={first_add_built_s:.4f} same_table={same_table}")
    return 0


def model_facilities(layer_id, model):
    """The model's current facility set as a WGS-84 GeoDataFrame (for the from-scratch baseline)."""
    import geopandas as gpd

    xy = model.facility_xy[model.active]
    return gpd.GeoDataFrame({"facility_id": [str(i) for i in range(len(xy))],
                             "name": [""] * len(xy), "layer": layer_id},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=PROJECTED).to_crs(WGS84)


if __name__ == "__main__":
    raise SystemExit(main())
