"""Options shared by the analysis commands: the service standard and the road network.

``--standards``, ``--minutes``, ``--mode``, ``--speed``, ``--distance`` (:func:`add_standard_arguments`,
turned into a :class:`coverage.standards.StandardTable` by :func:`standards_from_args`, which calls the
one resolver and nothing else) and
``--roads`` (:func:`apply_roads`); ``--force`` and the output checks every command that writes a
file the user names applies before any work (:func:`add_force_argument`, :func:`output_path`);
argparse types refusing NaN, infinities and out-of-range numbers (:func:`number`, worded in
``--lang`` by :class:`coverage.commands._parser.CliParser`); ``--layer`` (:func:`add_layer_argument`);
the layer, method and capacity options of ``access`` and ``equity`` (:func:`add_access_arguments`).
Every help text comes from the catalogue in the parser's language (``cli.arg.*``,
:mod:`coverage.i18n.cli_help`). The leading underscore keeps this module out of the sub-command list.
The analysis stack (regions, networks, exports) is imported by the functions that use it, when they run.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from coverage import settings
from coverage.choices import CAPACITY_COLUMNS, COUNT_CAPACITY, AccessMethod
from coverage.cli import add_region_arguments, draft_from_args, option_error, parse_layer_files
from coverage.commands._parser import WordedTypeError, help_words
from coverage.layers import LAYERS
from coverage.standards import MODES, Override, StandardTable, load_standards

if TYPE_CHECKING:
    from coverage.analysis import Analysis
    from coverage.region import Region


#: Extensions of the CSV tables the commands write.
CSV_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz")
#: Extensions of the GeoJSON files the commands write.
GEOJSON_SUFFIXES: tuple[str, ...] = (".geojson", ".json")
#: Options naming a file a command reads (besides ``--facilities LAYER=FILE``).
INPUT_OPTIONS: tuple[str, ...] = ("towns", "population", "targets", "communities", "standards", "roads")


def number(minimum: float = 0.0, *, strict: bool = True, integer: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number ``> minimum`` (``>=`` when not ``strict``), an int if ``integer``.

    ``nan``, ``inf`` and numbers out of range are refused at the boundary (argparse exits 2
    naming the option) with a :class:`~coverage.commands._parser.WordedTypeError`
    (``cli.argparse.not_number`` / ``not_whole_number`` / ``above`` / ``from``).
    """
    def parse(text: str) -> float:
        try:
            value: float = int(text) if integer else float(text)
        except ValueError:
            raise WordedTypeError("cli.argparse.not_whole_number" if integer else "cli.argparse.not_number",
                                  text=text) from None
        if not math.isfinite(value) or value < minimum or (strict and value == minimum):
            raise WordedTypeError("cli.argparse.above" if strict else "cli.argparse.from", minimum=minimum, text=text)
        return value

    parse.__name__ = "integer" if integer else "number"
    return parse


def year_number(text: str) -> int:
    """An argparse type: a year, a whole number from :data:`coverage.settings.MIN_OPENING_YEAR` on."""
    return int(number(settings.MIN_OPENING_YEAR, strict=False, integer=True)(text))


def add_force_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--force``: replace an existing output file (never an input; see :func:`output_path`)."""
    parser.add_argument("--force", action="store_true", help=help_words(parser)("force"))


def input_files(args: argparse.Namespace) -> list[str]:
    """Every file the options name for reading (:data:`INPUT_OPTIONS` and the ``--facilities`` files)."""
    files = [getattr(args, name, None) for name in INPUT_OPTIONS]
    files += list(parse_layer_files(getattr(args, "facilities", None) or []).values())
    return [str(f) for f in files if f]


def output_path(args: argparse.Namespace, value: str | None, suffixes: Sequence[str],
                others: Sequence[str | None] = ()) -> Path | None:
    """``value`` checked as an output file (None without it), before any work.

    :func:`coverage.export.safe_output_path` with every input file (:func:`input_files`) and
    ``others`` (the command's other outputs) as inputs and ``--force``: a directory, another
    extension, an input (by any path or link) and an existing file without ``--force`` are refused
    with :class:`~coverage.errors.ExportError` (exit 2).
    """
    from coverage.export import safe_output_path

    if not value:
        return None
    inputs = input_files(args) + [str(o) for o in others if o]
    return safe_output_path(value, suffixes, inputs=inputs, force=bool(getattr(args, "force", False)))


def add_layer_argument(parser: argparse.ArgumentParser) -> None:
    """Add the required ``--layer LAYER`` (one of :data:`coverage.layers.LAYERS`, named in its help)."""
    parser.add_argument("--layer", required=True, choices=list(LAYERS), metavar="LAYER",
                        help=help_words(parser)("layer", layers=", ".join(LAYERS)))


def add_access_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    """The options ``access`` and ``equity`` share: ``--layer``, ``--method``, ``--capacity``, ``--out``,
    ``--force``, ``--lang``, the standard and the region options; ``--method``, ``--capacity`` and
    ``--out`` have the help of ``command`` (``cli.arg.<command>.*``)."""
    say = help_words(parser)
    own = help_words(parser, f"cli.arg.{command}")
    add_layer_argument(parser)
    parser.add_argument("--method", choices=[m.value for m in AccessMethod], default=AccessMethod.TWO_STEP.value,
                        help=own("method"))  # fmt: skip
    parser.add_argument("--capacity", choices=[*CAPACITY_COLUMNS, COUNT_CAPACITY], help=own("capacity"))
    parser.add_argument("--out", metavar="FILE.csv", help=own("out"))
    add_force_argument(parser)
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help=say("lang_summary"))
    add_standard_arguments(parser)
    add_region_arguments(parser)


def add_standard_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--standards``, ``--minutes``, ``--mode``, ``--speed``, ``--distance`` and ``--roads``."""
    say = help_words(parser)
    g = parser.add_argument_group(say("group.standard"))
    g.add_argument("--standards", metavar="FILE", help=say("standards"))
    g.add_argument("--minutes", type=number(), metavar="MIN", help=say("minutes"))
    g.add_argument("--mode", choices=MODES, help=say("mode"))
    g.add_argument("--speed", type=number(), metavar="KMH", help=say("speed"))
    g.add_argument("--distance", type=number(), metavar="M", help=say("distance"))
    g.add_argument("--roads", metavar="FILE", help=say("roads"))


def override_from_args(args: argparse.Namespace) -> Override:
    """The :class:`~coverage.standards.Override` the ``--mode/--minutes/--speed/--distance`` options describe."""
    return Override(mode=getattr(args, "mode", None), minutes=getattr(args, "minutes", None),
                    speed_kmh=getattr(args, "speed", None), distance_m=getattr(args, "distance", None))


def standards_from_args(args: argparse.Namespace, layer_ids: list[str] | tuple[str, ...]) -> StandardTable:
    """The standards table the options describe.

    ``--standards FILE`` (else ``data/standards.csv``); with ``--draft``, the standard the planner
    chose per layer in that app session (:meth:`StandardTable.chosen`, as the app applies it); then
    ``--mode/--minutes/--speed/--distance`` for every layer in ``layer_ids`` in both area types
    (:meth:`StandardTable.resolved`). The one resolver, nothing else.
    """
    from coverage.ui import persist

    path = getattr(args, "standards", None)
    table = load_standards(path) if path else load_standards()
    draft = draft_from_args(args)
    for layer_id, choice in (draft or {}).get("standards", {}).items():
        base = table.get(layer_id, "urban")
        mode, minutes = persist.standard_choice({layer_id: choice}, layer_id, base.mode, base.minutes)
        table = table.chosen(layer_id, mode, minutes)
    return table.resolved(layer_ids, override_from_args(args))


def analysis_from_args(args: argparse.Namespace, layer_ids: list[str] | tuple[str, ...],
                       region: Region) -> Analysis:
    """The :class:`~coverage.analysis.Analysis` the options describe on ``region`` (from
    :func:`coverage.cli.region_from_args`, which has applied the ``--scenario`` / ``--draft``
    edits): ``--roads`` attached and the standards."""
    from coverage.analysis import Analysis

    return Analysis(apply_roads(region, args), standards_from_args(args, layer_ids))


def apply_roads(region: Region, args: argparse.Namespace) -> Region:
    """``region`` with the ``--roads`` network attached (unchanged without the option)."""
    from coverage.network import RoadNetwork

    path = getattr(args, "roads", None)
    if not path:
        return region
    p = Path(path)
    if not p.exists():
        raise option_error("cli.option.no_roads", path=str(p))
    ext = "".join(p.suffixes[-2:]).lower() if p.suffix.lower() == ".gz" else p.suffix.lower()
    readers = {
        ".osm": RoadNetwork.from_osm_xml,
        ".xml": RoadNetwork.from_osm_xml,
        ".graphml": RoadNetwork.from_graphml,
        ".pbf": RoadNetwork.from_pbf,
        ".npz": RoadNetwork.load,
    }
    if ext not in readers:
        raise option_error("cli.option.roads_type", ext=ext)
    return region.with_network(readers[ext](p))
