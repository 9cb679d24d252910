"""``python -m coverage site --layer LAYER (--k K | --target RATE) --out proposals.geojson`` — new sites.

Proposes new facility sites for a layer while existing facilities stay fixed:
``--k K`` places K sites covering the most uncovered people of the layer's
served group (maximal coverage; with ``--capacity N`` each site serves at most N);
``--objective pmedian --k K`` places K sites minimising the served group's travel;
``--target 0.9`` finds the fewest sites lifting the coverage rate to 90 % (set
cover); ``--target town`` / ``--target county`` places one site in every town /
county lacking the layer. Exact by default (``--solver auto``: the integer
programme where it fits, under ``--time-limit``), and the printed summary states
the method, status and optimality gap. Writes the ranked sites as RFC 7946
GeoJSON (parameters and data provenance in the collection's ``properties``) and
the same proposals as a CSV table (``--no-csv`` to skip). A thin shell over
:func:`coverage.siting.propose_sites`; its words come from :mod:`coverage.i18n`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from coverage import settings
from coverage.choices import OBJECTIVES, SOLVER_CHOICES
from coverage.cli import add_region_arguments, option_error, region_from_args
from coverage.commands._options import (
    CSV_SUFFIXES,
    GEOJSON_SUFFIXES,
    add_force_argument,
    add_layer_argument,
    add_standard_arguments,
    apply_roads,
    output_path,
    standards_from_args,
)
from coverage.commands._parser import help_words
from coverage.i18n import layer_name, t
from coverage.settings import SITING_TIME_LIMIT_S

NAME = "site"


def parse_target(text: str) -> float | str:
    """``"0.9"``, ``"90%"`` → 0.9; ``"town"`` / ``"county"`` unchanged."""
    t = text.strip().lower()
    if t in ("town", "county"):
        return t
    try:
        value = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise option_error("cli.option.target_text", text=text) from None
    if not 0 < value <= 1:
        raise option_error("cli.option.target_range", text=text)
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the command's options on ``parser`` (help in its language, ``cli.arg.site.*``)."""
    say = help_words(parser, "cli.arg.site")
    shared = help_words(parser)
    add_layer_argument(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--k", type=int, metavar="K", help=say("k"))
    what.add_argument("--target", metavar="RATE|town|county", help=say("target"))
    parser.add_argument("--candidates", metavar="FILE", help=say("candidates"))
    parser.add_argument("--objective", choices=OBJECTIVES, default=None, help=say("objective"))
    parser.add_argument("--solver", choices=SOLVER_CHOICES, default="auto", help=say("solver"))
    parser.add_argument("--time-limit", type=float, default=SITING_TIME_LIMIT_S, metavar="S",
                        help=say("time_limit", default=SITING_TIME_LIMIT_S))
    parser.add_argument("--capacity", type=float, metavar="N", help=say("capacity"))
    parser.add_argument("--seed", type=int, default=0, help=say("seed"))
    parser.add_argument("--out", required=True, metavar="FILE.geojson", help=say("out"))
    parser.add_argument("--csv", metavar="FILE.csv", help=say("csv"))
    parser.add_argument("--no-csv", action="store_true", help=say("no_csv"))
    add_force_argument(parser)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=shared("lang_summary"))
    parser.add_argument("--quiet", action="store_true", help=shared("quiet"))
    add_standard_arguments(parser)
    add_region_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Propose the sites, write GeoJSON (and CSV), print the ranking with the method and gap."""
    from tqdm.auto import tqdm

    from coverage.candidates import candidate_points
    from coverage.describe import district_names, place_name, town_names
    from coverage.siting import STEPS, format_cost, propose_sites

    if args.k is not None and args.k < 1:
        raise option_error("cli.option.k", k=args.k)
    target = parse_target(args.target) if args.target is not None else None
    if args.time_limit <= 0:
        raise option_error("cli.option.time_limit", value=args.time_limit)
    if args.capacity is not None and args.capacity <= 0:
        raise option_error("cli.option.capacity", value=args.capacity)
    if args.candidates and not Path(args.candidates).exists():
        raise option_error("cli.option.no_candidates", path=args.candidates)
    geojson_out = output_path(args, args.out, GEOJSON_SUFFIXES, others=[args.candidates])
    assert geojson_out is not None  # --out is required
    csv_out = None if args.no_csv else output_path(
        args, args.csv or str(geojson_out.with_suffix(".csv")), CSV_SUFFIXES, others=[args.out, args.candidates])
    standards = standards_from_args(args, [args.layer])
    region = apply_roads(region_from_args(args), args)
    candidates = None
    if args.candidates:
        # read here so the file's coordinate system (--crs) applies
        candidates = candidate_points(region, args.candidates, args.layer, crs=args.crs).table
    lang = args.lang
    with tqdm(total=len(STEPS), desc=t("siting.progress", lang, layer=layer_name(args.layer, lang)),
              unit=t("cli.progress.unit", lang), disable=args.quiet, delay=settings.PROGRESS_DELAY_S, leave=False,
              file=sys.stderr) as bar:

        def step(code: str, **values: Any) -> None:
            if code != STEPS[0]:
                bar.update(1)  # the step before is done
            if code != "done":
                bar.set_postfix_str(t(f"siting.step.{code}", lang, **values))

        result = propose_sites(
            region, args.layer, k=args.k, target=target, candidates=candidates, solver=args.solver,
            standards=standards, time_limit=args.time_limit, objective=args.objective, capacity=args.capacity,
            random_state=args.seed, progress=step,
        )  # fmt: skip
    out = result.to_geojson(geojson_out)
    print(result.summary(lang))
    pmedian = result.params.get("problem") == "pmedian"
    towns, districts = town_names(region.towns, lang), district_names(region.districts, lang)
    for r in result.sites.head(20).itertuples(index=False):
        common = {"rank": r.rank, "district": place_name(districts, r.district_code, r.district_zh),
                  "town": place_name(towns, r.town_code, r.town_zh), "cid": r.candidate_id,
                  "total": r.new_covered_total, "p60": r.new_covered_60plus, "p017": r.new_covered_0_17}  # fmt: skip
        if pmedian:
            print(t("siting.line.pmedian", lang, mean=format_cost(r.cumulative_mean_travel, r.travel_unit, lang),
                    **common))  # fmt: skip
        else:
            print(t("siting.line.cover", lang, rate=100 * r.cumulative_rate, **common))
    if len(result.sites) > 20:
        print(t("siting.line.more", lang, n=len(result.sites) - 20))
    missing = result.params.get("units_without_candidate")
    if missing:
        print(t("siting.warn.units_without_candidate", lang, n=len(missing), codes=", ".join(missing)),
              file=sys.stderr)  # fmt: skip
    print(t("siting.wrote", lang, path=out, n=len(result.sites)), file=sys.stderr)
    if csv_out is not None:
        result.to_csv(csv_out)
        print(t("siting.wrote_csv", lang, path=csv_out), file=sys.stderr)
    return 0
