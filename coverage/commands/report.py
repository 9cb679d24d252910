"""``python -m coverage report --year 2025 --out 年度评估.docx`` — the annual review as a Word report.

Measures the plan's indicators (as ``review`` does), draws a map per measured indicator and each
indicator's 2020 → year path, and writes a .docx with the cover, summary, tables, maps, charts,
methods and data notice. ``--lang en`` writes it in English. A thin shell over
:meth:`coverage.analysis.Analysis.review` and :func:`coverage.report.write_report`.
"""

from __future__ import annotations

import argparse
import sys

from coverage import settings
from coverage.cli import add_region_arguments, option_error, region_from_args
from coverage.commands._options import (
    add_force_argument,
    add_standard_arguments,
    analysis_from_args,
    number,
    output_path,
    year_number,
)
from coverage.commands._parser import help_words
from coverage.i18n import t

NAME = "report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.report.*``)."""
    say = help_words(parser, "cli.arg.report")
    shared = help_words(parser)
    parser.add_argument("--year", type=year_number, default=2025, help=shared("year"))
    parser.add_argument("--out", metavar="FILE.docx", required=True, help=say("out"))
    add_force_argument(parser)
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help=say("lang"))
    parser.add_argument("--targets", metavar="FILE", help=shared("targets"))
    parser.add_argument("--dpi", type=number(integer=True), default=settings.REPORT_FIGURE_DPI,
                        help=say("dpi", dpi=settings.REPORT_FIGURE_DPI))
    parser.add_argument("--quiet", action="store_true", help=shared("quiet"))
    add_standard_arguments(parser)
    add_region_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Review, draw, write ``--out``; print the city rows."""
    from tqdm.auto import tqdm

    from coverage.report import report_steps, write_report
    from coverage.review import coverage_layers, review_table

    out = output_path(args, args.out, (".docx",))
    assert out is not None  # --out is required
    if not 50 <= args.dpi <= 600:
        raise option_error("cli.option.dpi", dpi=args.dpi)
    lang = args.lang
    with tqdm(total=1, desc=t("report.progress.review", lang), unit=t("cli.progress.unit", lang), delay=settings.PROGRESS_DELAY_S,
              leave=False, file=sys.stderr, disable=args.quiet) as bar:  # fmt: skip
        region = region_from_args(args)
        analysis = analysis_from_args(args, coverage_layers(args.targets), region)
        result = analysis.review(args.year, targets=args.targets, yearly=True)
        bar.update()
        bar.reset(total=report_steps(result))

        def step(label: str) -> None:
            bar.set_description(label)
            bar.update()

        write_report(out, result, analysis.edited_region(), lang, progress=step, dpi=args.dpi)
    print(review_table(result, lang, "city").to_string(index=False))
    if result.caveat:
        print(t("review.notes.caveat", lang))
    print(t("core_cli_wrote_file", lang, path=out), file=sys.stderr)
    return 0
