"""Options shared by the analysis commands: the service standard and the road network.

``--standards``, ``--minutes``, ``--mode``, ``--distance`` (:func:`add_standard_arguments`,
turned into a :class:`coverage.standards.StandardTable` by :func:`standards_from_args`) and
``--roads`` (:func:`apply_roads`). The leading underscore keeps this module out of the
sub-command list.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from coverage.cli import CLIError

if TYPE_CHECKING:  # pragma: no cover
    from coverage.region import Region
    from coverage.standards import StandardTable

MODES = ("walk", "bike", "drive")
DETOUR = 1.3  # straight-line radius = speed × time ÷ detour factor (as in data/standards.csv)
MODE_SPEED_KMH = {"walk": 4.5, "bike": 15.0, "drive": 30.0}
# GB 50180-2018 life circles: walking minutes -> walking distance (upper value), metres.
GB50180_WALK_M = {5: 300.0, 10: 500.0, 15: 1000.0}


def add_standard_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--standards``, ``--minutes``, ``--mode``, ``--distance`` and ``--roads``."""
    g = parser.add_argument_group("service standard (default: data/standards.csv, per area type)")
    g.add_argument("--standards", metavar="FILE", help="standards CSV replacing data/standards.csv")
    g.add_argument("--minutes", type=float, metavar="MIN", help="time limit in minutes for the layer")
    g.add_argument("--mode", choices=MODES, help="travel mode for the layer")
    g.add_argument(
        "--distance",
        type=float,
        metavar="M",
        help="straight-line radius in metres used without a road network (default: the standard's, "
        "scaled with --minutes; GB 50180-2018 300/500/1000 m for 5/10/15-minute walks; "
        "speed × time ÷ 1.3 when --mode changes)",
    )
    g.add_argument("--roads", metavar="FILE", help="road network (.osm, .graphml, .pbf or a saved .npz)")


def _positive(name: str, value: float | None) -> None:
    if value is not None and not value > 0:
        raise CLIError(f"--{name} must be a positive number, got {value:g}")


def standards_from_args(args: argparse.Namespace, layer_ids: list[str] | tuple[str, ...]) -> "StandardTable":
    """The standards table the options describe, with ``--minutes/--mode/--distance``
    applied to every layer in ``layer_ids`` (in both area types)."""
    from coverage.standards import AREA_TYPES, load_standards

    table = load_standards(args.standards) if getattr(args, "standards", None) else load_standards()
    minutes, mode, distance = getattr(args, "minutes", None), getattr(args, "mode", None), getattr(args, "distance", None)
    _positive("minutes", minutes)
    _positive("distance", distance)
    if minutes is None and mode is None and distance is None:
        return table
    for layer_id in layer_ids:
        for area in AREA_TYPES:
            base = table.get(layer_id, area)
            new_mode = mode or base.mode
            new_minutes = minutes if minutes is not None else base.minutes
            speed = base.speed_kmh if new_mode == base.mode else MODE_SPEED_KMH[new_mode]
            if distance is not None:
                new_distance, basis = distance, "用户设定"
            elif new_mode == "walk" and new_minutes in GB50180_WALK_M:
                new_distance, basis = GB50180_WALK_M[new_minutes], "GB 50180-2018"
            elif new_mode == base.mode:
                new_distance = round(base.distance_m * new_minutes / base.minutes, -1)
                basis = f"{base.fallback_basis} 按时间折算" if base.fallback_basis else "按时间折算"
            else:
                new_distance = round(speed * 1000 * new_minutes / 60 / DETOUR, -1)
                basis = "speed×time÷1.3"
            std = base.replace(
                mode=new_mode, minutes=new_minutes, speed_kmh=speed, distance_m=new_distance, fallback_basis=basis
            )
            table = table.with_override(layer_id, std, area_type=area)
    return table


def apply_roads(region: "Region", args: argparse.Namespace) -> "Region":
    """``region`` with the ``--roads`` network attached (unchanged without the option)."""
    path = getattr(args, "roads", None)
    if not path:
        return region
    from coverage.network import RoadNetwork

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
