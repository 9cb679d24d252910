"""``python -m coverage equity --layer LAYER [--out FILE.csv]`` — equity of a layer's service.

Coverage, the share of the served group beyond the standard and beyond twice the standard, and
accessibility, for 街道 / 镇 and for every district; the Gini and Theil indices of accessibility; the
worst-served towns. A thin shell over :meth:`coverage.analysis.Analysis.equity` (the workspace,
``--scenario`` / ``--draft`` edits and the standard options as for every command).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from coverage import settings
from coverage.cli import region_from_args
from coverage.commands._options import CSV_SUFFIXES, add_access_arguments, analysis_from_args, output_path
from coverage.i18n import layer_name, served_name, t

if TYPE_CHECKING:
    import pandas as pd

    from coverage.equity import EquityResult

NAME = "equity"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.equity.*``)."""
    add_access_arguments(parser, "equity")


def equity_frame(eq: EquityResult) -> pd.DataFrame:
    """The groups and the worst-served towns in one table (``section`` = ``group`` | ``worst_town``)."""
    import pandas as pd

    groups = eq.groups.assign(section="group")
    towns = eq.worst_towns.assign(section="worst_town", group_kind="town", group=eq.worst_towns["town_code"])
    out = pd.concat([groups, towns], ignore_index=True)
    return out.assign(layer=eq.layer, method=eq.access.method.value, capacity=eq.access.capacity,
                      cost_mode=eq.cost_mode, gini=eq.gini, theil=eq.theil, gini_covered=eq.gini_covered)  # fmt: skip


def print_summary(eq: EquityResult, lang: str, stream=None, districts: dict[str, str] | None = None,
                  towns: dict[str, str] | None = None) -> None:
    """Print the groups, the indices and the worst-served towns in ``lang`` (``districts`` / ``towns``:
    code → name, :mod:`coverage.describe`; default the rows' Chinese names)."""
    from coverage.describe import place_name

    stream = sys.stdout if stream is None else stream
    districts, towns = districts or {}, towns or {}
    v = eq.value_column
    print(t("equity.title", lang, layer=layer_name(eq.layer, lang), group=served_name(eq.access.served_column, lang)),
          file=stream)  # fmt: skip
    for area, std in eq.standard.items():
        print(t("access.standard", lang, area=t(f"core_area_{area}", lang), label=std.label(lang),
                cost_mode=t(f"access.cost_mode.{eq.cost_mode}", lang)), file=stream)  # fmt: skip
    print(t("equity.header", lang, capacity=t(f"access.capacity.{eq.access.capacity}", lang)), file=stream)
    for r in eq.groups.itertuples(index=False):
        row = r._asdict()
        if row["group_kind"] == "area_type":
            name = t(f"core_area_{row['group']}", lang)
        elif row["group_kind"] == "city":
            name = t("access.city", lang)
        else:
            name = place_name(districts, row["group"], row["district_zh"])
        print(t("equity.row", lang, name=name, rate=row["coverage_rate"], beyond=row["share_beyond_standard"],
                beyond2=row["share_beyond_2x_standard"], value=row[v], gini=row["gini_access"]),
              file=stream)  # fmt: skip
    print(t("equity.indices", lang, gini=eq.gini, gini_covered=eq.gini_covered, theil=eq.theil), file=stream)
    print(t("equity.worst", lang, n=len(eq.worst_towns)), file=stream)
    for r in eq.worst_towns.itertuples(index=False):
        row = r._asdict()
        print(t("equity.worst_row", lang, rank=row["rank"], town=place_name(towns, row["town_code"], row["town_zh"]),
                district=place_name(districts, row["district_code"], row["district_zh"]),
                rate=row["coverage_rate"], beyond2=row["share_beyond_2x_standard"], value=row[v]),
              file=stream)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Compute, print, write ``--out``."""
    from tqdm.auto import tqdm

    from coverage.describe import district_names, town_names
    from coverage.export import write_csv

    lang = args.lang
    out = output_path(args, args.out, CSV_SUFFIXES)
    with tqdm(total=4, desc=t("equity.progress", lang), unit=t("cli.progress.unit", lang), delay=settings.PROGRESS_DELAY_S,
              leave=False, file=sys.stderr) as bar:  # fmt: skip
        analysis = analysis_from_args(args, [args.layer], region_from_args(args))
        bar.update()
        eq = analysis.equity(args.layer, args.method, args.capacity, progress=bar.update)
    region = analysis.edited_region()
    print_summary(eq, lang, districts=district_names(region.districts, lang), towns=town_names(region.towns, lang))
    print(region.provenance_note(lang, [args.layer]))
    if out is not None:
        frame = equity_frame(eq).assign(provenance=region.provenance_note(lang, [args.layer]))
        write_csv(frame, out)
        print(t("access.wrote", lang, path=out, rows=len(frame)), file=sys.stderr)
    return 0
