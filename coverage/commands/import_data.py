"""``python -m coverage import FILE --layer LAYER --out OUT`` — validate and convert a user file.

Reads a facility register, town boundaries or a population grid with
:mod:`coverage.io`, prints the import report and writes the result (GeoJSON for
facilities and towns, CSV for population). On any error the report's errors are printed,
the exit status is 2 and nothing is written (an existing output file is left untouched).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coverage.crs import SUPPORTED_CRS
from coverage.export import write_csv

NAME = "import"
HELP = "validate a facility register / town boundaries / population grid and write it in the standard schema"

KINDS = ("facilities", "towns", "population")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser``."""
    parser.add_argument("file", metavar="FILE", help="CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile or GeoTIFF")
    parser.add_argument("--kind", choices=KINDS, default="facilities", help="what FILE holds (default facilities)")
    parser.add_argument("--layer", metavar="LAYER", help="facility layer id (required for --kind facilities)")
    parser.add_argument("--crs", choices=SUPPORTED_CRS, default="wgs84", help="coordinate system of FILE and --towns (default wgs84)")
    parser.add_argument("--out", metavar="OUT", required=True, help="output file (.geojson; .csv or .csv.gz for population)")
    parser.add_argument("--towns", metavar="FILE", help="town boundaries to assign towns with (default: embedded)")
    parser.add_argument("--max-mb", type=float, default=None, help="refuse larger input files (default 50, population 500)")


def run(args: argparse.Namespace) -> int:
    """Run the import; return 0 on success, 2 on a data error (nothing written)."""
    from coverage.export import write_geojson
    from coverage.io import DataImportError, read_facilities, read_population, read_towns

    out = Path(args.out)
    limit = {} if args.max_mb is None else {"max_mb": args.max_mb}
    try:
        towns = None
        if args.towns:
            towns, _ = read_towns(args.towns, crs=args.crs)
        if args.kind == "facilities":
            if not args.layer:
                print("error: --layer is required for --kind facilities", file=sys.stderr)
                return 2
            data, report = read_facilities(args.file, args.layer, crs=args.crs, towns=towns, **limit)
        elif args.kind == "towns":
            data, report = read_towns(args.file, crs=args.crs, **limit)
        else:
            data, report = read_population(args.file, towns, **limit)
    except DataImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.report.warnings:
            print("\n".join(f"  WARNING: {w}" for w in exc.report.warnings), file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    if args.kind == "population":
        write_csv(data, out, encoding="utf-8", safe=False)
    else:
        write_geojson(
            data,
            out,
            properties={"source_file": report.file, "layer": report.layer, "crs_declared": args.crs},
        )
    print(report)
    print(f"wrote {len(data)} rows to {out}")
    return 0
