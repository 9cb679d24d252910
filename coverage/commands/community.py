"""``python -m coverage community --communities FILE [--layer LAYER] [--out FILE.csv]`` — the community level.

Reads the community / village units (:func:`coverage.io.communities.read_communities`, its report printed
with file, row and column), then prints for ``--layer`` how many communities have a facility (inside
the unit, or within the standard of a point unit) per district and city, the circle per community, and
the plan's community indicators. Without ``--communities`` it says the figures need a community layer.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from coverage import settings
from coverage.cli import add_region_arguments, region_from_args
from coverage.commands._options import (
    CSV_SUFFIXES,
    add_force_argument,
    add_standard_arguments,
    apply_roads,
    output_path,
    standards_from_args,
    year_number,
)
from coverage.commands._parser import help_words
from coverage.i18n import layer_name, t
from coverage.layers import LAYERS

if TYPE_CHECKING:
    from coverage.community import CommunityIndicator

NAME = "community"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.community.*``)."""
    say = help_words(parser, "cli.arg.community")
    parser.add_argument("--communities", metavar="FILE", help=say("communities"))
    parser.add_argument("--layer", choices=list(LAYERS), default="elder_care_station", metavar="LAYER",
                        help=say("layer"))  # fmt: skip
    parser.add_argument("--year", type=year_number, default=2025, help=say("year"))
    parser.add_argument("--out", metavar="FILE.csv", help=say("out"))
    add_force_argument(parser)
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help=help_words(parser)("lang_summary"))
    add_standard_arguments(parser)
    add_region_arguments(parser)



def print_indicators(found: list[CommunityIndicator], lang: str, stream=None) -> None:
    """One line per community indicator: value, target, status (or met / not met)."""
    from coverage.community import CommunityStatus
    from coverage.describe import percent

    stream = sys.stdout if stream is None else stream
    for ind in found:
        if ind.status is CommunityStatus.OK and ind.met is not None:
            status = t(f"community.met.{str(ind.met).lower()}", lang)
        else:
            status = t(f"community.status.{ind.status.value}", lang)
        print(t("community.indicator_row", lang, name=t(f"community.indicator.{ind.indicator_id}", lang),
                value=percent(ind.value), target=percent(ind.target), status=status), file=stream)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Read, compute, print, write ``--out``."""
    from tqdm.auto import tqdm

    from coverage.community import (
        COMMUNITY_INDICATORS,
        CommunityStatus,
        community_circle,
        community_coverage,
        community_indicators,
    )
    from coverage.describe import district_names, percent, place_name
    from coverage.export import write_csv
    from coverage.io.communities import read_communities

    lang = args.lang
    out = output_path(args, args.out, CSV_SUFFIXES)
    with tqdm(total=4, desc=t("community.progress", lang), unit=t("cli.progress.unit", lang), delay=settings.PROGRESS_DELAY_S,
              leave=False, file=sys.stderr) as bar:  # fmt: skip
        standards = standards_from_args(args, sorted({args.layer, *(v for v in COMMUNITY_INDICATORS.values() if v)}))
        region = apply_roads(region_from_args(args), args)
        units = None
        if args.communities:
            units, report = read_communities(args.communities, crs=args.crs, towns=region.towns)
            print(f"[communities] {report.summary(lang)}", file=sys.stderr)
        bar.update()
        cov = community_coverage(region, args.layer, units, standards, year=args.year)
        bar.update()
        circle = community_circle(region, units, args.layer, standards)
        bar.update()
        found = community_indicators(region, units, args.year, standards)
        bar.update()
    print(t("community.title", lang, layer=layer_name(args.layer, lang)))
    if cov.status is CommunityStatus.NEEDS_COMMUNITY_LAYER:
        print(t("community.needs_layer", lang))
    else:
        rules = sorted(set(cov.communities["rule"]))
        print(t("community.summary", lang, n=len(cov.communities), k=int(cov.communities["covered"].sum()),
                share=cov.share, rule="; ".join(t(f"community.rule.{r}", lang) for r in rules)))  # fmt: skip
        names = district_names(region.districts, lang)
        for r in cov.table[cov.table["level"] == "district"].itertuples(index=False):
            if r.communities:
                print(t("community.district_row", lang, name=place_name(names, r.district_code),
                        k=r.communities_with, n=r.communities, share=percent(r.share)))  # fmt: skip
        full = int((circle.communities["rate"] >= 1 - 1e-12).sum())
        print(t("community.circle", lang, n=len(circle.communities), full=full, unassigned=circle.unassigned_served))
    print_indicators(found, lang)
    print(region.provenance_note(lang, [args.layer]))
    if out is not None and units is not None:
        frame = cov.communities.merge(
            circle.communities[["community_code", "community_zh", "town_code", "served", "rate"]].rename(
                columns={"served": "served_in_community", "rate": "circle_rate"}),
            on=["community_code", "community_zh", "town_code"], how="left",
        ).assign(layer=args.layer, cost_mode=cov.cost_mode, cost_unit=cov.cost_unit,
                 provenance=region.provenance_note(lang, [args.layer]))  # fmt: skip
        write_csv(frame, out)
        print(t("access.wrote", lang, path=out, rows=len(frame)), file=sys.stderr)
    return 0
