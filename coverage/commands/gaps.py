"""``python -m coverage gaps --layer LAYER --out gaps.geojson`` — where coverage is missing.

Writes the gap zones (contiguous uncovered cells where the layer's served group
lives, ranked by that population) as RFC 7946 GeoJSON and prints the largest
zones and the towns with most people uncovered. A thin shell over
:func:`coverage.gaps.gap_zones` and :func:`coverage.gaps.uncovered_by_town`.
"""

from __future__ import annotations

import argparse
import sys

from coverage.cli import add_region_arguments, region_from_args
from coverage.commands._options import add_standard_arguments, apply_roads, standards_from_args
from coverage.export import write_csv
from coverage.layers import LAYERS

NAME = "gaps"
HELP = "gap zones (uncovered populated areas) of a facility layer as GeoJSON"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser``."""
    parser.add_argument("--layer", required=True, choices=list(LAYERS), metavar="LAYER",
                        help="facility layer: " + ", ".join(LAYERS))  # fmt: skip
    parser.add_argument("--out", metavar="FILE.geojson", required=True, help="gap zones (RFC 7946 GeoJSON)")
    parser.add_argument("--towns-out", metavar="FILE.csv", help="also write uncovered population per town (CSV)")
    parser.add_argument("--connectivity", type=int, choices=(4, 8), default=8,
                        help="cells touching by an edge (4) or also a corner (8) form one zone (default 8)")  # fmt: skip
    parser.add_argument("--min-population", type=float, default=0, metavar="N",
                        help="drop zones with fewer uncovered residents of the served group")  # fmt: skip
    parser.add_argument("--min-cell-population", type=float, default=10, metavar="N",
                        help="leave out uncovered cells with fewer than N residents of the served group "
                        "(scattered rural settlement; default 10 per 500 m cell); they still count per town")  # fmt: skip
    parser.add_argument("--split-by-town", action="store_true", help="never join cells of different towns")
    parser.add_argument("--top", type=int, default=10, metavar="N", help="zones and towns to print (default 10)")
    add_standard_arguments(parser)
    add_region_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Compute reach once, write the zones (and the town table), print a summary."""
    from coverage.gaps import gap_zones, uncovered_by_town, write_gap_zones
    from coverage.reach import compute_reach

    standards = standards_from_args(args, [args.layer])
    region = apply_roads(region_from_args(args), args)
    reach = compute_reach(region, args.layer, standards=standards)
    zones = gap_zones(region, args.layer, reach=reach, standards=standards,
                      connectivity=args.connectivity, min_population=args.min_population,
                      min_cell_population=args.min_cell_population, split_by_town=args.split_by_town)  # fmt: skip
    towns = uncovered_by_town(region, args.layer, reach=reach, standards=standards)
    write_gap_zones(zones, args.out)
    group = LAYERS[args.layer].served_column
    print(f"{LAYERS[args.layer].zh}: {len(zones)} 个服务空白区 (服务标准: {zones.attrs['standard']})")
    for z in zones.head(args.top).itertuples(index=False):
        print(f"  #{z.rank} {z.district_zh}{z.town_zh}: 未覆盖 {z.served:,} 人 ({z.n_cells} 格, {z.area_km2:g} km²)")
    if zones.attrs.get("left_out"):
        print(f"  (另有 {zones.attrs['left_out']:,.0f} 人分散居住于每格少于 {args.min_cell_population:g} 人的网格, 未划入空白区)")
    print("未覆盖人口最多的镇街:")
    for t in towns.head(args.top).itertuples(index=False):
        print(f"  {t.rank}. {t.district_zh}{t.town_zh}: {t.uncovered:,} 人")
    print(f"数据来源: {zones.attrs['provenance']}")
    if args.towns_out:
        out = towns.copy()
        out["standard"] = towns.attrs.get("standard", "")
        out["provenance"] = towns.attrs.get("provenance", "")
        write_csv(out, args.towns_out)
    print(f"wrote {args.out} ({len(zones)} zones, served group {group})", file=sys.stderr)
    return 0
