"""``python -m coverage service-areas --layer LAYER --out FILE.geojson`` — service-area polygons.

One polygon per facility (or one for the whole layer with ``--dissolve``):
the streets from which the facility is reached within its standard when a road
network is given (``--roads``), else GB 50180-2018 straight-line circles.
A thin shell over :func:`coverage.service_areas.service_areas`; written as RFC 7946
GeoJSON with the run's parameters and input provenance.
"""

from __future__ import annotations

import argparse
import sys

from coverage.cli import add_region_arguments, region_from_args
from coverage.commands._options import (
    GEOJSON_SUFFIXES,
    add_force_argument,
    add_layer_argument,
    add_standard_arguments,
    analysis_from_args,
    number,
    output_path,
)
from coverage.commands._parser import help_words
from coverage.i18n import layer_name, t

NAME = "service-areas"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.service-areas.*``)."""
    say = help_words(parser, "cli.arg.service-areas")
    add_layer_argument(parser)
    parser.add_argument("--out", required=True, metavar="FILE.geojson", help=say("out"))
    add_force_argument(parser)
    parser.add_argument("--dissolve", action="store_true", help=say("dissolve"))
    parser.add_argument("--buffer", type=number(), default=25.0, metavar="M", help=say("buffer"))
    add_standard_arguments(parser)
    add_region_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Compute the polygons and write ``--out``."""
    from coverage.describe import method_text, provenance_text
    from coverage.export import write_geojson

    out = output_path(args, args.out, GEOJSON_SUFFIXES)
    analysis = analysis_from_args(args, [args.layer], region_from_args(args))
    gdf = analysis.service_areas(args.layer, dissolve=args.dissolve, buffer_m=args.buffer)
    method = analysis.method
    provenance = analysis.edited_region().provenance_for([args.layer])
    props = {
        "layer": args.layer,
        "layer_zh": layer_name(args.layer, "zh"),
        "method": method,
        "standard": {a: s.label("zh") for a, s in analysis.standards_of(args.layer).items()},
        "dissolve": bool(args.dissolve),
        "buffer_m": args.buffer if method == "network" else None,
        "provenance": provenance,
        "provenance_note_zh": provenance_text(provenance, [args.layer], "zh"),
        "provenance_note_en": provenance_text(provenance, [args.layer], "en"),
    }
    write_geojson(gdf, out, properties=props)
    print(t("core_cli_service_areas", args.lang, layer=layer_name(args.layer, args.lang), n=len(gdf),
            method=method_text(method, args.lang), path=out), file=sys.stderr)
    return 0
