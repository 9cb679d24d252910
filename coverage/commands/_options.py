"""Options shared by the analysis commands: the service standard and the road network.

``--standards``, ``--minutes``, ``--mode``, ``--speed``, ``--distance`` (:func:`add_standard_arguments`,
turned into a :class:`coverage.standards.StandardTable` by :func:`standards_from_args`, which calls the
one resolver and nothing else) and
``--roads`` (:func:`apply_roads`). The leading underscore keeps this module out of the
sub-command list.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from coverage.analysis import Analysis
from coverage.cli import CLIError, draft_from_args
from coverage.network import RoadNetwork
from coverage.region import Region
from coverage.standards import MODES, Override, StandardTable, load_standards
from coverage.ui import persist


def add_standard_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--standards``, ``--minutes``, ``--mode``, ``--speed``, ``--distance`` and ``--roads``."""
    g = parser.add_argument_group("service standard (default: data/standards.csv, per area type)")
    g.add_argument("--standards", metavar="FILE", help="standards CSV replacing data/standards.csv")
    g.add_argument("--minutes", type=float, metavar="MIN",
                   help="time limit in minutes for the layer (each area type keeps its own mode)")
    g.add_argument("--mode", choices=MODES, help="travel mode for the layer in every area type")
    g.add_argument("--speed", type=float, metavar="KMH", help="travel speed in km/h (default: data/standards/speeds.csv)")
    g.add_argument(
        "--distance",
        type=float,
        metavar="M",
        help="straight-line radius in metres used without a road network (default: the travel "
        "distance ÷ the detour factor, see data/standards/README.md)",
    )
    g.add_argument("--roads", metavar="FILE", help="road network (.osm, .graphml, .pbf or a saved .npz)")


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
    return Analysis(apply_roads(region, args), standards_from_args(args, layer_ids))


def apply_roads(region: Region, args: argparse.Namespace) -> Region:
    """``region`` with the ``--roads`` network attached (unchanged without the option)."""
    path = getattr(args, "roads", None)
    if not path:
        return region
    p = Path(path)
    if not p.exists():
        raise CLIError(f"road network file not found: {p}")
    ext = "".join(p.suffixes[-2:]).lower() if p.suffix.lower() == ".gz" else p.suffix.lower()
    readers = {
        ".osm": RoadNetwork.from_osm_xml,
        ".xml": RoadNetwork.from_osm_xml,
        ".graphml": RoadNetwork.from_graphml,
        ".pbf": RoadNetwork.from_pbf,
        ".npz": RoadNetwork.load,
    }
    if ext not in readers:
        raise CLIError(f"--roads: unsupported file type {ext!r} (use .osm, .graphml, .pbf or .npz)")
    return region.with_network(readers[ext](p))
