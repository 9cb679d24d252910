"""What-if latency on the embedded Jiangmen data: one map click in the app.

A click adds a site (or removes a facility) and the app redraws the coverage figures. This
script times that path — ``ReachModel.add_facility`` / ``remove_facility`` followed by
``population_coverage`` — against the baseline of recomputing the layer from scratch
(``compute_reach`` + ``population_coverage``) in the same process, for every point-level layer.

Usage: ``python benchmarks/bench_whatif.py [--clicks N]``. Last line:
``RESULT click_s=<median s> full_s=<median s> speedup=<x> identical=<True|False>``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from pyproj import Transformer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.crs import PROJECTED, WGS84  # noqa: E402
from coverage.metrics import population_coverage  # noqa: E402
from coverage.reach import ReachModel, compute_reach  # noqa: E402
from coverage.region import load_default  # noqa: E402


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=20, help="clicks per layer (default 20)")
    parser.add_argument("--layer", default="elder_care_station")
    args = parser.parse_args(argv)

    region = load_default()
    rng = np.random.default_rng(0)
    cells = region.population
    tr = Transformer.from_crs(PROJECTED, WGS84, always_xy=True)
    lonlat = np.column_stack(tr.transform(cells["x"].to_numpy(), cells["y"].to_numpy()))

    model, setup_s = _timed(lambda: ReachModel(region, args.layer))
    n0 = len(region.facilities[args.layer])
    clicks, fulls = [], []
    for _ in range(args.clicks):
        lon, lat = lonlat[rng.integers(len(lonlat))]
        _, dt = _timed(lambda: (model.add_facility(float(lon), float(lat)),
                                population_coverage(region, args.layer, reach=model.reach)))
        clicks.append(dt)
    # Remove as many existing facilities as clicks were made (alternating clicks of the other kind).
    for i in rng.choice(n0, size=min(args.clicks, n0), replace=False):
        _, dt = _timed(lambda: (model.remove_facility(int(i)),
                                population_coverage(region, args.layer, reach=model.reach)))
        clicks.append(dt)
    # Baseline: the same final facility set recomputed from scratch.
    final = model.reach
    gdf = model_facilities(region, args.layer, model)
    edited = region.with_facilities(args.layer, gdf)
    for _ in range(5):
        full, dt = _timed(lambda: (compute_reach(edited, args.layer), None)[0])
        _, dt2 = _timed(lambda: population_coverage(edited, args.layer, reach=full))
        fulls.append(dt + dt2)
    identical = bool(np.array_equal(full.covered, final.covered)
                     and np.allclose(full.cost, final.cost, equal_nan=True))
    click = statistics.median(clicks)
    base = statistics.median(fulls)
    print(f"layer {args.layer}: {n0} facilities, {len(cells):,} cells; model set-up {setup_s:.3f} s")
    print(f"click (incremental update + coverage table), median of {len(clicks)}: {click * 1000:.1f} ms;"
          f" max {max(clicks) * 1000:.1f} ms")
    print(f"full recompute + coverage table, median of {len(fulls)}: {base * 1000:.1f} ms")
    print(f"RESULT click_s={click:.4f} full_s={base:.4f} speedup={base / click:.1f} identical={identical}")
    return 0


def model_facilities(region, layer_id, model):
    """The model's current facility set as a WGS-84 GeoDataFrame (for the from-scratch baseline)."""
    import geopandas as gpd

    xy = model.facility_xy[model.active]
    return gpd.GeoDataFrame({"facility_id": [str(i) for i in range(len(xy))],
                             "name": [""] * len(xy), "layer": layer_id},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=PROJECTED).to_crs(WGS84)


if __name__ == "__main__":
    raise SystemExit(main())
