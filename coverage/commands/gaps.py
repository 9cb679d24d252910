"""``python -m coverage gaps --layer LAYER --out gaps.geojson`` — where coverage is missing.

Writes the gap zones (contiguous uncovered cells where the layer's served group lives, ranked by
that population) as RFC 7946 GeoJSON with the standard, the zone options and the provenance, and
prints the largest zones and the towns with most people uncovered. Options left out keep the
library's defaults (:func:`coverage.gaps.gap_zones`), the ones the app uses. A thin shell over
:meth:`coverage.analysis.Analysis.gaps`.
"""

from __future__ import annotations

import argparse
import sys

from coverage.cli import add_region_arguments, region_from_args
from coverage.commands._options import (
    CSV_SUFFIXES,
    GEOJSON_SUFFIXES,
    add_force_argument,
    add_layer_argument,
    add_standard_arguments,
    analysis_from_args,
    number,
    output_path,
)
from coverage.commands._parser import help_words
from coverage.i18n import layer_name, served_name, t
from coverage.layers import LAYERS

NAME = "gaps"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.gaps.*``)."""
    say = help_words(parser, "cli.arg.gaps")
    add_layer_argument(parser)
    parser.add_argument("--out", metavar="FILE.geojson", required=True, help=say("out"))
    parser.add_argument("--towns-out", metavar="FILE.csv", help=say("towns_out"))
    add_force_argument(parser)
    parser.add_argument("--connectivity", type=int, choices=(4, 8), help=say("connectivity"))
    parser.add_argument("--min-population", type=number(strict=False), metavar="N", help=say("min_population"))
    parser.add_argument("--min-cell-population", type=number(strict=False), metavar="N",
                        help=say("min_cell_population"))
    parser.add_argument("--max-across", type=number(), metavar="M", dest="max_across_m", help=say("max_across"))
    parser.add_argument("--top", type=number(strict=False, integer=True), default=10, metavar="N", help=say("top"))
    add_standard_arguments(parser)
    add_region_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Compute the zones once, write them (and the town table), print a summary."""
    from coverage.describe import district_names, place_name, provenance_text, standard_text, town_names
    from coverage.export import write_csv

    lang = args.lang
    out = output_path(args, args.out, GEOJSON_SUFFIXES, others=[args.towns_out])
    towns_out = output_path(args, args.towns_out, CSV_SUFFIXES, others=[args.out])
    region = region_from_args(args)
    tnames, dnames = town_names(region.towns, lang), district_names(region.districts, lang)
    analysis = analysis_from_args(args, [args.layer], region)
    given = {"connectivity": args.connectivity, "min_population": args.min_population,
             "min_cell_population": args.min_cell_population, "max_across_m": args.max_across_m}
    result = analysis.gaps(args.layer, **{k: v for k, v in given.items() if v is not None})
    zones, towns = result.zones, result.towns
    result.to_geojson(out)
    standard = standard_text(result.standards, lang)
    provenance = provenance_text(result.provenance, [args.layer], lang)
    print(t("core_cli_gaps_head", lang, layer=layer_name(args.layer, lang), n=len(zones), standard=standard))
    for z in zones.head(args.top).itertuples(index=False):
        print(t("core_cli_gap_row", lang, rank=z.rank, district=place_name(dnames, z.district_code, z.district_zh),
                town=place_name(tnames, z.town_code, z.town_zh), served=z.served,
                cells=z.n_cells, area=z.area_km2))
    if result.left_out:
        print(t("core_cli_left_out", lang, n=result.left_out, min=result.min_cell_population))
    print(t("core_cli_gap_towns", lang))
    for r in towns.head(args.top).itertuples(index=False):
        print(t("core_cli_gap_town_row", lang, rank=r.rank, district=place_name(dnames, r.district_code, r.district_zh),
                town=place_name(tnames, r.town_code, r.town_zh), n=r.uncovered))
    print(t("core_cli_provenance", lang, text=provenance))
    if towns_out is not None:
        table = towns.copy()
        table["standard"] = standard
        table["provenance"] = provenance
        write_csv(table, towns_out)
        print(t("core_cli_wrote", lang, path=towns_out, rows=len(table)), file=sys.stderr)
    print(t("core_cli_wrote_gaps", lang, path=out, n=len(zones),
            group=served_name(LAYERS[args.layer].served_column, lang)), file=sys.stderr)
    return 0
