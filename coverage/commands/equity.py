"""``python -m coverage equity --layer LAYER [--out FILE.csv]`` — equity of a layer's service.

Coverage, the share of the served group beyond the standard and beyond twice the standard, and
accessibility, for 街道 / 镇 and for every district; the Gini and Theil indices of accessibility; the
worst-served towns. A thin shell over :func:`coverage.equity.equity`.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd
from tqdm.auto import tqdm

from coverage import settings
from coverage.access import CAPACITY_COLUMNS, COUNT_CAPACITY, AccessMethod
from coverage.cli import add_region_arguments, region_from_args
from coverage.commands._options import add_standard_arguments, apply_roads, standards_from_args
from coverage.equity import EquityResult, equity
from coverage.export import write_csv
from coverage.i18n import layer_name, served_name, t
from coverage.layers import LAYERS

NAME = "equity"
HELP = "equity of a layer: coverage and accessibility by 街道/镇 and district, Gini/Theil, worst-served towns"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser``."""
    parser.add_argument("--layer", required=True, choices=list(LAYERS), metavar="LAYER",
                        help="facility layer: " + ", ".join(LAYERS))  # fmt: skip
    parser.add_argument("--method", choices=[m.value for m in AccessMethod], default=AccessMethod.TWO_STEP.value,
                        help="accessibility variant (default 2sfca)")  # fmt: skip
    parser.add_argument("--capacity", choices=[*CAPACITY_COLUMNS, COUNT_CAPACITY],
                        help="capacity column (default: the first the layer fills, else the facility count)")
    parser.add_argument("--out", metavar="FILE.csv", help="write the groups and the worst-served towns here")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the printed summary")
    add_standard_arguments(parser)
    add_region_arguments(parser)


def equity_frame(eq: EquityResult) -> pd.DataFrame:
    """The groups and the worst-served towns in one table (``section`` = ``group`` | ``worst_town``)."""
    groups = eq.groups.assign(section="group")
    towns = eq.worst_towns.assign(section="worst_town", group_kind="town", group=eq.worst_towns["town_code"])
    out = pd.concat([groups, towns], ignore_index=True)
    return out.assign(layer=eq.layer, method=eq.access.method.value, capacity=eq.access.capacity,
                      cost_mode=eq.cost_mode, gini=eq.gini, theil=eq.theil, gini_covered=eq.gini_covered)  # fmt: skip


def print_summary(eq: EquityResult, lang: str, stream=None) -> None:
    """Print the groups, the indices and the worst-served towns in ``lang``."""
    stream = sys.stdout if stream is None else stream
    v = eq.value_column
    print(t("equity.title", lang, layer=layer_name(eq.layer, lang), group=served_name(eq.access.served_column, lang)),
          file=stream)  # fmt: skip
    for area, std in eq.standard.items():
        print(t("access.standard", lang, area=t(f"access.area.{area}", lang), label=std.label(lang),
                cost_mode=t(f"access.cost_mode.{eq.cost_mode}", lang)), file=stream)  # fmt: skip
    print(t("equity.header", lang, capacity=t(f"access.capacity.{eq.access.capacity}", lang)), file=stream)
    for r in eq.groups.itertuples(index=False):
        row = r._asdict()
        if row["group_kind"] == "area_type":
            name = t(f"access.area.{row['group']}", lang)
        elif row["group_kind"] == "city":
            name = t("access.city", lang)
        else:
            name = row["district_zh"]
        print(t("equity.row", lang, name=name, rate=row["coverage_rate"], beyond=row["share_beyond_standard"],
                beyond2=row["share_beyond_2x_standard"], value=row[v], gini=row["gini_access"]),
              file=stream)  # fmt: skip
    print(t("equity.indices", lang, gini=eq.gini, gini_covered=eq.gini_covered, theil=eq.theil), file=stream)
    print(t("equity.worst", lang, n=len(eq.worst_towns)), file=stream)
    for r in eq.worst_towns.itertuples(index=False):
        row = r._asdict()
        print(t("equity.worst_row", lang, rank=row["rank"], town=row["town_zh"], district=row["district_zh"],
                rate=row["coverage_rate"], beyond2=row["share_beyond_2x_standard"], value=row[v]),
              file=stream)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Compute, print, write ``--out``."""
    lang = args.lang
    with tqdm(total=4, desc=t("equity.progress", lang), unit="step", delay=settings.PROGRESS_DELAY_S,
              leave=False, file=sys.stderr) as bar:  # fmt: skip
        standards = standards_from_args(args, [args.layer])
        region = apply_roads(region_from_args(args), args)
        bar.update()
        eq = equity(region, args.layer, standards, method=args.method, capacity=args.capacity, progress=bar.update)
    print_summary(eq, lang)
    print(region.provenance_note(lang, [args.layer]))
    if args.out:
        frame = equity_frame(eq).assign(provenance=region.provenance_note(lang, [args.layer]))
        write_csv(frame, args.out)
        print(t("access.wrote", lang, path=args.out, rows=len(frame)), file=sys.stderr)
    return 0
