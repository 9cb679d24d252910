"""``python -m coverage access --layer LAYER [--method e2sfca] --out FILE.csv`` — capacity-aware accessibility.

Capacity (beds, nursing beds, seats, staff) within reach per 1,000 of the layer's served group, by
2SFCA, enhanced 2SFCA or Gaussian 2SFCA over the coverage's own catchments; one row per town, district
and the city (``--cells FILE.csv`` also writes one row per population cell). A thin shell over
:func:`coverage.access.accessibility`.
"""

from __future__ import annotations

import argparse
import math
import sys

from tqdm.auto import tqdm

from coverage import settings
from coverage.access import CAPACITY_COLUMNS, COUNT_CAPACITY, AccessMethod, AccessResult, accessibility, catchment_costs
from coverage.cli import add_region_arguments, region_from_args
from coverage.commands._options import add_standard_arguments, apply_roads, standards_from_args
from coverage.export import write_csv
from coverage.i18n import layer_name, served_name, t
from coverage.layers import LAYERS

NAME = "access"
HELP = "capacity-aware accessibility (2SFCA / E2SFCA / Gaussian) per town, district and city (CSV)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser``."""
    parser.add_argument("--layer", required=True, choices=list(LAYERS), metavar="LAYER",
                        help="facility layer: " + ", ".join(LAYERS))  # fmt: skip
    parser.add_argument("--method", choices=[m.value for m in AccessMethod], default=AccessMethod.TWO_STEP.value,
                        help="floating-catchment variant (default 2sfca)")  # fmt: skip
    parser.add_argument("--capacity", choices=[*CAPACITY_COLUMNS, COUNT_CAPACITY],
                        help="capacity column (default: the first the layer fills; 'facilities' counts facilities)")
    parser.add_argument("--out", metavar="FILE.csv", help="write the town/district/city table here")
    parser.add_argument("--cells", metavar="FILE.csv", help="also write one row per population cell")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the printed summary")
    add_standard_arguments(parser)
    add_region_arguments(parser)


def print_summary(res: AccessResult, lang: str, stream=None) -> None:
    """Print the district and city rows of ``res`` in ``lang``."""
    stream = sys.stdout if stream is None else stream
    v = res.value_column
    print(t("access.title", lang, layer=layer_name(res.layer, lang), group=served_name(res.served_column, lang),
            capacity=t(f"access.capacity.{res.capacity}", lang), method=t(f"access.method.{res.method.value}", lang)),
          file=stream)  # fmt: skip
    for area, std in res.standard.items():
        print(t("access.standard", lang, area=t(f"access.area.{area}", lang), label=std.label(lang),
                cost_mode=t(f"access.cost_mode.{res.cost_mode}", lang)), file=stream)  # fmt: skip
    print(t("access.header", lang), file=stream)
    table = res.table
    for r in table[table["level"] != "town"].itertuples(index=False):
        row = r._asdict()
        name = t("access.city", lang) if row["level"] == "city" else row["district_zh"]
        served = row["served"]
        print(t("access.row", lang, name=name, mean=row[v], p10=row[f"{v}_p10"], p50=row[f"{v}_median"],
                p90=row[f"{v}_p90"], local=row[f"{v}_in_unit"],
                reach=row["served_with_access"] / served if served else math.nan), file=stream)  # fmt: skip
    city = table[table["level"] == "city"].iloc[0]
    if isinstance(city["plan_indicator"], str) and math.isfinite(city["plan_target"]):
        print(t("access.plan_target", lang, indicator=city["plan_indicator"], target=city["plan_target"]), file=stream)
    if res.facilities_without_capacity:
        print(t("access.no_capacity_values", lang, n=res.facilities_without_capacity,
                capacity=t(f"access.capacity.{res.capacity}", lang)), file=stream)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Compute, print the district and city rows, write ``--out`` / ``--cells``."""
    lang = args.lang
    with tqdm(total=3, desc=t("access.progress", lang), unit="step", delay=settings.PROGRESS_DELAY_S,
              leave=False, file=sys.stderr) as bar:  # fmt: skip
        standards = standards_from_args(args, [args.layer])
        region = apply_roads(region_from_args(args), args)
        bar.update()
        costs = catchment_costs(region, args.layer, standards)
        bar.update()
        res = accessibility(region, args.layer, args.method, args.capacity, costs=costs)
        bar.update()
    print_summary(res, lang)
    print(region.provenance_note(lang, [args.layer]))
    for path, frame in ((args.out, res.table), (args.cells, res.cells)):
        if path:
            frame = frame.assign(method=res.method.value, capacity=res.capacity, cost_mode=res.cost_mode,
                                 provenance=region.provenance_note(lang, [args.layer]))  # fmt: skip
            write_csv(frame, path)
            print(t("access.wrote", lang, path=path, rows=len(frame)), file=sys.stderr)
    return 0
