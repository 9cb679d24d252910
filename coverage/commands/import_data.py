"""``python -m coverage import FILE --layer LAYER --out OUT`` — validate and convert a user file.

Reads a facility register, town boundaries or a population grid with
:mod:`coverage.io`, prints the import report and writes the result (GeoJSON for
facilities and towns, CSV for population). On any error the report's errors are printed,
the exit status is 2 and nothing is written (an existing output file is left untouched).

The report (and, on failure, the errors) is printed in ``--lang`` (default zh), worded by the
catalogue; ``--lang en`` gives the English the readers are pinned to.

``--out`` is checked before anything is read (:func:`coverage.export.safe_output_path`):
its extension decides the format (``.geojson``/``.json``; population ``.csv``/``.csv.gz``),
it may not be a directory or the input, and an existing file is replaced only with
``--force``. ``--max-mb`` must be a positive finite number.
"""

from __future__ import annotations

import argparse
import sys

from coverage.choices import SUPPORTED_CRS
from coverage.cli import error_text
from coverage.commands._options import add_force_argument, number
from coverage.commands._parser import help_words
from coverage.errors import CoverageError, DataImportError
from coverage.i18n import t

NAME = "import"

KINDS = ("facilities", "towns", "population")
#: Extensions ``--out`` may have, per kind (the extension decides the format).
OUT_SUFFIXES = {
    "facilities": (".geojson", ".json"),
    "towns": (".geojson", ".json"),
    "population": (".csv", ".csv.gz"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.import.*``)."""
    say = help_words(parser, "cli.arg.import")
    parser.add_argument("file", metavar="FILE", help=say("file"))
    parser.add_argument("--kind", choices=KINDS, default="facilities", help=say("kind"))
    parser.add_argument("--layer", metavar="LAYER", help=say("layer"))
    parser.add_argument("--crs", choices=SUPPORTED_CRS, default="wgs84", help=say("crs"))
    parser.add_argument("--out", metavar="OUT", required=True, help=say("out"))
    add_force_argument(parser)
    parser.add_argument("--towns", metavar="FILE", help=say("towns"))
    parser.add_argument("--max-mb", type=number(), default=None, help=say("max_mb"))
    parser.add_argument("--sheet", metavar="NAME", help=say("sheet"))
    parser.add_argument("--layer-name", metavar="NAME", help=say("layer_name"))
    parser.add_argument("--encoding", metavar="ENC", help=say("encoding"))
    parser.add_argument("--skip-census-check", action="store_true", help=say("skip_census_check"))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=say("lang"))


def run(args: argparse.Namespace) -> int:
    """Run the import; return 0 on success, 2 on a data or option error (nothing written)."""
    from coverage.export import safe_output_path, write_csv, write_geojson
    from coverage.io import read_facilities, read_population, read_towns

    inputs = [args.file] + ([args.towns] if args.towns else [])
    try:
        out = safe_output_path(args.out, OUT_SUFFIXES[args.kind], inputs=inputs, force=args.force)
    except CoverageError as exc:
        print(error_text(exc, args.lang), file=sys.stderr)
        return 2
    limit = {} if args.max_mb is None else {"max_mb": args.max_mb}
    choose = {"layer_name": args.layer_name}
    try:
        towns = None
        if args.towns:
            towns, _ = read_towns(args.towns, crs=args.crs)
        if args.kind == "facilities":
            if not args.layer:
                print(t("cli.error", args.lang, message=t("import.tables.cli.layer_required", args.lang)), file=sys.stderr)
                return 2
            data, report = read_facilities(
                args.file, args.layer, crs=args.crs, towns=towns, sheet=args.sheet, encoding=args.encoding,
                **choose, **limit,
            )
        elif args.kind == "towns":
            data, report = read_towns(args.file, crs=args.crs, **choose, **limit)
        else:
            data, report = read_population(
                args.file, towns, sheet=args.sheet, encoding=args.encoding,
                census_check=not args.skip_census_check, **choose, **limit,
            )
    except DataImportError as exc:
        print(error_text(exc, args.lang), file=sys.stderr)
        if exc.report.warnings:
            label = t("import.severity.warning", args.lang)
            print("\n".join(f"  {label}: {w.describe(args.lang)}" for w in exc.report.warnings), file=sys.stderr)
        return 2
    except (CoverageError, ValueError, FileNotFoundError) as exc:
        print(error_text(exc, args.lang) if isinstance(exc, CoverageError) else t("cli.error", args.lang, message=exc),
              file=sys.stderr)
        return 2

    if args.kind == "population":
        write_csv(data, out, encoding="utf-8", safe=False)
    else:
        write_geojson(
            data,
            out,
            properties={"source_file": report.file, "layer": report.layer, "crs_declared": args.crs},
        )
    print(report.summary(args.lang))
    print(t("import.tables.cli.wrote", args.lang, rows=len(data), path=str(out)))
    return 0
