"""``python -m coverage review --year 2025 --out review.xlsx`` — the plan's annual review.

Measures every plan indicator the data supports (towns / counties covered,
nursing-bed share, the 15-minute elder-care circle) against its 2023 / 2025
target, per city, district and town. The format follows the extension of
``--out``: ``.xlsx`` (sheets 城市/区县/镇街/逐年/说明), ``.csv`` (UTF-8 with BOM)
or ``.md``. A thin shell over :meth:`coverage.analysis.Analysis.review`.
"""

from __future__ import annotations

import argparse
import sys

from coverage.cli import add_region_arguments, region_from_args
from coverage.commands._options import (
    add_force_argument,
    add_standard_arguments,
    analysis_from_args,
    output_path,
    year_number,
)
from coverage.commands._parser import help_words
from coverage.i18n import t

NAME = "review"

FORMATS = (".xlsx", ".csv", ".md")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.review.*``)."""
    say = help_words(parser, "cli.arg.review")
    shared = help_words(parser)
    parser.add_argument("--year", type=year_number, default=2025, help=shared("year"))
    parser.add_argument("--out", metavar="FILE", required=True, help=say("out"))
    add_force_argument(parser)
    parser.add_argument("--targets", metavar="FILE", help=shared("targets"))
    parser.add_argument("--no-yearly", action="store_true", help=say("no_yearly"))
    add_standard_arguments(parser)
    add_region_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run the review, print the city rows, write ``--out``."""
    from coverage.review import coverage_layers, review_notes, review_table

    out = output_path(args, args.out, FORMATS)
    assert out is not None  # --out is required
    analysis = analysis_from_args(args, coverage_layers(args.targets), region_from_args(args))
    result = analysis.review(args.year, targets=args.targets, yearly=not args.no_yearly)
    print(review_table(result, args.lang, "city").to_string(index=False))
    for note in review_notes(result, args.lang):
        print(f"  * {note}")
    result.write(out, lang=args.lang)
    print(t("core_cli_wrote_file", args.lang, path=out), file=sys.stderr)
    return 0
