"""Command-line interface: ``python -m coverage <command> ...``.

Each sub-command lives in its own module under :mod:`coverage.commands` and
exposes ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
Options shared by every command that reads a region (``--towns``,
``--population``, ``--facilities LAYER=FILE``) are added by
:func:`add_region_arguments` and turned into a :class:`coverage.region.Region`
by :func:`region_from_args`.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import TYPE_CHECKING, Sequence

import coverage.commands

if TYPE_CHECKING:  # pragma: no cover
    from coverage.region import Region


class CLIError(Exception):
    """An error the user can fix; printed without a traceback, exit status 2."""


def add_region_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--towns``, ``--population`` and ``--facilities`` overrides to ``parser``."""
    group = parser.add_argument_group("data overrides (default: the embedded Jiangmen data)")
    group.add_argument("--towns", metavar="FILE", help="town/street boundaries (GeoJSON/GPKG/zipped SHP)")
    group.add_argument("--population", metavar="FILE", help="population grid (GeoTIFF or vector grid)")
    group.add_argument(
        "--facilities",
        metavar="LAYER=FILE",
        action="append",
        default=[],
        help="facility register for LAYER (repeatable), e.g. elder_care_station=stations.xlsx",
    )
    group.add_argument(
        "--crs",
        choices=["wgs84", "cgcs2000", "gcj02", "bd09"],
        default="wgs84",
        help="coordinate system of the override files (default wgs84)",
    )


def parse_layer_files(items: Sequence[str]) -> dict[str, str]:
    """Parse ``LAYER=FILE`` items into a dict, validating the layer ids."""
    from coverage.layers import get_layer

    out: dict[str, str] = {}
    for item in items:
        layer, sep, path = item.partition("=")
        if not sep or not path:
            raise CLIError(f"--facilities expects LAYER=FILE, got {item!r}")
        try:
            get_layer(layer)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
        out[layer] = path
    return out


def region_from_args(args: argparse.Namespace) -> "Region":
    """Build the :class:`~coverage.region.Region` the shared options describe."""
    from coverage.region import load_region

    region = load_region(
        towns=args.towns,
        population=args.population,
        facilities=parse_layer_files(args.facilities),
        crs=args.crs,
    )
    print_import_reports(region)
    return region


def print_import_reports(region: "Region", stream=None) -> None:
    """Print the import report of every user file the region was loaded with (to stderr).

    A report is printed whole (warnings and notes with file, row and column) so that what
    the importer fixed or flagged — swapped coordinates, duplicates, cells outside every
    town, modelled age groups — is never silent.
    """
    stream = sys.stderr if stream is None else stream
    for name, report in region.reports.items():
        print(f"[{name}] {report}", file=stream)


def _commands() -> list:
    mods = []
    for info in sorted(pkgutil.iter_modules(coverage.commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"coverage.commands.{info.name}"))
    return mods


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="python -m coverage",
        description="江门民政 service-coverage planner: coverage, gaps, siting and plan review.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for mod in _commands():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except CLIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError) as exc:
        # Validation errors from the library carry file/row/column context.
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
