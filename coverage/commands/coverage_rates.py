"""``python -m coverage coverage --layer LAYER --out FILE.csv`` — population coverage rates.

One row per town plus district and city totals (served, covered, uncovered,
rate) under the layer's service standard, or a user standard given with
``--minutes`` / ``--mode`` / ``--distance``. A thin shell over
:func:`coverage.metrics.population_coverage`.

"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from coverage.cli import add_region_arguments, region_from_args
from coverage.commands._options import add_standard_arguments, apply_roads, standards_from_args
from coverage.export import write_csv
from coverage.layers import LAYERS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from coverage.region import Region

NAME = "coverage"
HELP = "population coverage rate of a facility layer per town, district and city (CSV)"

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser``."""
    parser.add_argument("--layer", required=True, choices=list(LAYERS), metavar="LAYER",
                        help="facility layer: " + ", ".join(LAYERS))  # fmt: skip
    parser.add_argument("--out", metavar="FILE.csv", help="write the table here (UTF-8 CSV with BOM)")
    add_standard_arguments(parser)
    add_region_arguments(parser)


def coverage_table(region: "Region", layer_id: str, standards: Any) -> "pd.DataFrame":
    """:func:`~coverage.metrics.population_coverage` with ``standard`` and ``provenance`` columns."""
    from coverage.metrics import population_coverage

    df = population_coverage(region, layer_id, standards=standards)
    df = df.copy()
    df["standard"] = df.attrs["standard"]
    df["provenance"] = df.attrs["provenance"]
    return df


def run(args: argparse.Namespace) -> int:
    """Compute the table, print the district and city rows, write ``--out``."""
    standards = standards_from_args(args, [args.layer])
    region = apply_roads(region_from_args(args), args)
    df = coverage_table(region, args.layer, standards)
    layer = LAYERS[args.layer]
    print(f"{layer.zh} ({args.layer}) — {df['served_group'].iloc[0]}人口覆盖率")
    print(f"服务标准: {df['standard'].iloc[0]}")
    print(f"数据来源: {df['provenance'].iloc[0]}")
    for r in df[df["level"] != "town"].itertuples(index=False):
        rate = "—" if r.rate != r.rate else f"{100 * r.rate:.1f}%"
        off = f", 其中无路可达 {r.off_network:,}" if r.off_network else ""
        print(f"  {r.district_zh}: {rate}  (覆盖 {r.covered:,} / {r.served:,}, 未覆盖 {r.uncovered:,}{off})")
    if args.out:
        write_csv(df, args.out)
        print(f"wrote {args.out} ({len(df)} rows)", file=sys.stderr)
    return 0
