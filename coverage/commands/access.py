"""``python -m coverage access --layer LAYER [--method e2sfca] --out FILE.csv`` — capacity-aware accessibility.

Capacity (beds, nursing beds, seats, staff) within reach per 1,000 of the layer's served group, by
2SFCA, enhanced 2SFCA or Gaussian 2SFCA over the coverage's own catchments; one row per town, district
and the city (``--cells FILE.csv`` also writes one row per population cell). A thin shell over
:meth:`coverage.analysis.Analysis.accessibility` (the workspace, ``--scenario`` / ``--draft`` edits and
the standard options as for every command).
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from coverage import settings
from coverage.cli import region_from_args
from coverage.commands._options import CSV_SUFFIXES, add_access_arguments, analysis_from_args, output_path
from coverage.commands._parser import help_words
from coverage.i18n import indicator_name, layer_name, served_name, t

if TYPE_CHECKING:
    from coverage.access import AccessResult

NAME = "access"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.access.*``)."""
    say = help_words(parser, "cli.arg.access")
    parser.add_argument("--cells", metavar="FILE.csv", help=say("cells"))
    add_access_arguments(parser, "access")


def plan_indicator_text(indicator_id: str, lang: str) -> str:
    """The name of a plan indicator (``data/targets/plan_indicators.csv`` id) in ``lang``."""
    from coverage.review import load_targets

    rows = load_targets()
    row = rows[rows["indicator_id"] == indicator_id]
    if row.empty:
        return indicator_id
    name_en = row.iloc[0]["indicator_en"]
    return indicator_name(str(row.iloc[0]["indicator_zh"]), name_en if isinstance(name_en, str) else None, lang)


def print_summary(res: AccessResult, lang: str, stream=None, districts: dict[str, str] | None = None) -> None:
    """Print the district and city rows of ``res`` in ``lang`` (``districts``: code → name,
    :func:`coverage.describe.district_names`; default the rows' Chinese names)."""
    from coverage.describe import place_name

    stream = sys.stdout if stream is None else stream
    districts = districts or {}
    v = res.value_column
    print(t("access.title", lang, layer=layer_name(res.layer, lang), group=served_name(res.served_column, lang),
            capacity=t(f"access.capacity.{res.capacity}", lang), method=t(f"access.method.{res.method.value}", lang)),
          file=stream)  # fmt: skip
    for area, std in res.standard.items():
        print(t("access.standard", lang, area=t(f"core_area_{area}", lang), label=std.label(lang),
                cost_mode=t(f"access.cost_mode.{res.cost_mode}", lang)), file=stream)  # fmt: skip
    print(t("access.header", lang), file=stream)
    table = res.table
    for r in table[table["level"] != "town"].itertuples(index=False):
        row = r._asdict()
        name = (t("access.city", lang) if row["level"] == "city"
                else place_name(districts, row["district_code"], row["district_zh"]))
        served = row["served"]
        print(t("access.row", lang, name=name, mean=row[v], p10=row[f"{v}_p10"], p50=row[f"{v}_median"],
                p90=row[f"{v}_p90"], local=row[f"{v}_in_unit"],
                reach=row["served_with_access"] / served if served else math.nan), file=stream)  # fmt: skip
    city = table[table["level"] == "city"].iloc[0]
    if isinstance(city["plan_indicator"], str) and math.isfinite(city["plan_target"]):
        print(t("access.plan_target", lang, indicator=plan_indicator_text(city["plan_indicator"], lang),
                target=city["plan_target"]), file=stream)
    if res.facilities_without_capacity:
        print(t("access.no_capacity_values", lang, n=res.facilities_without_capacity,
                capacity=t(f"access.capacity.{res.capacity}", lang)), file=stream)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Compute, print the district and city rows, write ``--out`` / ``--cells``."""
    from tqdm.auto import tqdm

    from coverage.describe import district_names
    from coverage.export import write_csv

    lang = args.lang
    out = output_path(args, args.out, CSV_SUFFIXES, others=[args.cells])
    cells = output_path(args, args.cells, CSV_SUFFIXES, others=[args.out])
    with tqdm(total=3, desc=t("access.progress", lang), unit=t("cli.progress.unit", lang), delay=settings.PROGRESS_DELAY_S,
              leave=False, file=sys.stderr) as bar:  # fmt: skip
        analysis = analysis_from_args(args, [args.layer], region_from_args(args))
        bar.update()
        analysis.catchment_costs(args.layer)
        bar.update()
        res = analysis.accessibility(args.layer, args.method, args.capacity)
        bar.update()
    region = analysis.edited_region()
    print_summary(res, lang, districts=district_names(region.districts, lang))
    print(region.provenance_note(lang, [args.layer]))
    for path, frame in ((out, res.table), (cells, res.cells)):
        if path:
            frame = frame.assign(method=res.method.value, capacity=res.capacity, cost_mode=res.cost_mode,
                                 provenance=region.provenance_note(lang, [args.layer]))  # fmt: skip
            write_csv(frame, path)
            print(t("access.wrote", lang, path=path, rows=len(frame)), file=sys.stderr)
    return 0
