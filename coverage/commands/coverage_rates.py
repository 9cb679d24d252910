"""``python -m coverage coverage --layer LAYER --out FILE.csv`` — population coverage rates.

One row per town plus district and city totals (served, covered, uncovered, rate 0-1) under the
layer's service standard, or a user standard given with ``--minutes`` / ``--mode`` /
``--distance``, on the workspace's data (see :mod:`coverage.cli`). A thin shell over
:meth:`coverage.analysis.Analysis.coverage`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coverage.cli import add_region_arguments, region_from_args
from coverage.commands._options import (
    CSV_SUFFIXES,
    add_force_argument,
    add_layer_argument,
    add_standard_arguments,
    analysis_from_args,
    output_path,
)
from coverage.commands._parser import help_words
from coverage.i18n import layer_name, served_name, t
from coverage.layers import LAYERS

if TYPE_CHECKING:
    import pandas as pd

NAME = "coverage"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.coverage.*``)."""
    say = help_words(parser, "cli.arg.coverage")
    add_layer_argument(parser)
    parser.add_argument("--out", metavar="FILE.csv", help=say("out"))
    add_force_argument(parser)
    add_standard_arguments(parser)
    add_region_arguments(parser)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the coverage table ``frame`` to ``path``: :func:`coverage.export.write_csv` (spreadsheet-safe
    cells), imported when a table is written."""
    from coverage.export import write_csv as write

    return write(frame, path)


def run(args: argparse.Namespace) -> int:
    """Compute the table, print the district and city rows, write ``--out``."""
    from coverage.describe import district_names, percent, place_name

    lang = args.lang
    out = output_path(args, args.out, CSV_SUFFIXES)
    region = region_from_args(args)
    districts = district_names(region.districts, lang)
    analysis = analysis_from_args(args, [args.layer], region)
    result = analysis.coverage(args.layer)
    group = served_name(LAYERS[args.layer].served_column, lang)
    print(t("core_cli_coverage_head", lang, layer=layer_name(args.layer, lang), layer_id=args.layer, group=group))
    print(t("core_cli_standard", lang, text=result.standard_text(lang)))
    print(t("core_cli_provenance", lang, text=result.provenance_text(lang)))
    for level in ("district", "city"):
        for r in result.rows(level).itertuples(index=False):
            rate = percent(r.rate)
            off = t("core_cli_off", lang, n=r.off_network) if r.off_network else ""
            name = t("core_city", lang) if level == "city" else place_name(districts, r.district_code, r.district_zh)
            print(t("core_cli_row", lang, name=name, rate=rate, covered=r.covered, served=r.served,
                    uncovered=r.uncovered, off=off))
    if out is not None:
        write_csv(result.frame(lang), out)
        print(t("core_cli_wrote", lang, path=out, rows=len(result.table)), file=sys.stderr)
    return 0
