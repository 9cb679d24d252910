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

from coverage.cli import error_text
from coverage.commands._options import add_force_argument, number
from coverage.crs import SUPPORTED_CRS
from coverage.errors import CoverageError
from coverage.export import safe_output_path, write_csv, write_geojson
from coverage.i18n import t
from coverage.io import DataImportError, read_facilities, read_population, read_towns

NAME = "import"

KINDS = ("facilities", "towns", "population")
#: Extensions ``--out`` may have, per kind (the extension decides the format).
OUT_SUFFIXES = {
    "facilities": (".geojson", ".json"),
    "towns": (".geojson", ".json"),
    "population": (".csv", ".csv.gz"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser``."""
    parser.add_argument("file", metavar="FILE", help="CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile or GeoTIFF")
    parser.add_argument("--kind", choices=KINDS, default="facilities", help="what FILE holds (default facilities)")
    parser.add_argument("--layer", metavar="LAYER", help="facility layer id (required for --kind facilities)")
    parser.add_argument("--crs", choices=SUPPORTED_CRS, default="wgs84", help="coordinate system of FILE and --towns (default wgs84)")
    parser.add_argument("--out", metavar="OUT", required=True,
                        help="output file: .geojson (facilities, towns) or .csv / .csv.gz (population)")
    add_force_argument(parser)
    parser.add_argument("--towns", metavar="FILE", help="town boundaries to assign towns with (default: embedded)")
    parser.add_argument("--max-mb", type=number(), default=None,
                        help="refuse larger input files (default 50, population 500)")
    parser.add_argument("--sheet", metavar="NAME", help="XLSX sheet to read (needed when several sheets hold a table)")
    parser.add_argument("--layer-name", metavar="NAME",
                        help="layer of a GeoPackage / zip of Shapefiles (needed when several hold features)")
    parser.add_argument("--encoding", metavar="ENC", help="CSV text encoding, e.g. gb18030, big5, utf-8 (default: detected)")
    parser.add_argument("--skip-census-check", action="store_true",
                        help="population: import even when its total is far from the 2020 census (a warning)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the printed report and errors (default zh)")


def run(args: argparse.Namespace) -> int:
    """Run the import; return 0 on success, 2 on a data or option error (nothing written)."""
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
