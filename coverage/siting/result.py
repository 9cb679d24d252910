"""The outcome of a siting run: ranked proposed sites and the parameters that produced them."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from coverage.export import to_feature_collection, write_csv, write_geojson
from coverage.describe import provenance_text
from coverage.errors import InputError
from coverage.i18n import layer_name, t

__all__ = ["SITE_COLUMNS", "SitingResult", "format_cost"]

SITE_COLUMNS = [
    "rank", "layer", "candidate_id", "source", "name", "town_code", "town_zh", "district_code",
    "district_zh", "new_covered_total", "new_covered_60plus", "new_covered_0_17", "cumulative_rate",
    "travel_saved", "cumulative_mean_travel", "travel_unit", "problem", "method", "status", "gap", "bound",
]


@dataclass
class SitingResult:
    """Proposed new sites, ranked, with the run's parameters.

    Attributes
    ----------
    sites : geopandas.GeoDataFrame
        WGS-84 points, one per proposed site, columns :data:`SITE_COLUMNS`:
        ``rank`` (1 = adds the most), ``new_covered_*`` (people newly covered by
        that site given the sites ranked before it and the existing facilities,
        integers) and ``cumulative_rate`` (coverage rate 0-1 of the layer's served group
        once sites 1..rank are built, existing facilities included). p-median also fills
        ``travel_saved`` (reduction of the served group's total capped travel by that
        site) and ``cumulative_mean_travel`` (mean travel once sites 1..rank are built),
        in ``travel_unit`` (``s`` or ``m``); NaN for the other objectives. Every row
        repeats the run's ``problem``, ``method``, ``status``, ``gap`` and ``bound``
        (so the CSV, which has no collection properties, states them too).
    params : dict
        Layer, standard (numbers per area type), mode, objective (``problem``), ``k``
        or target, the solver asked for and the one used (``solver_used``: ``ilp``,
        ``greedy``, ``substitution``, ``ilp+greedy`` or ``ilp+substitution``), ``status``
        (``optimal``: the gap is at most ``tolerance``; ``time_limit``, ``heuristic``,
        ``exhausted``, ...), ``objective`` with ``objective_unit``, the proven ``bound``
        (``bound_kind`` upper/lower, ``bound_unit``), relative ``gap`` and the ``tolerance``
        up to which a gap counts as optimal, coverage before/after (0-1) and the data sources with their provenance
        flags. Codes and numbers only; :meth:`summary` turns them into text. Written as
        the GeoJSON FeatureCollection's ``properties``.
    candidates : geopandas.GeoDataFrame, optional
        The candidate table the sites were chosen from.
    """

    sites: gpd.GeoDataFrame
    params: dict[str, Any]
    candidates: gpd.GeoDataFrame | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.sites)

    def to_feature_collection(self) -> dict[str, Any]:
        """RFC 7946 FeatureCollection dict (params in its ``properties``)."""
        return to_feature_collection(self.sites, properties=self.params)

    def to_geojson(self, path: str | os.PathLike[str]) -> Path:
        """Write the sites as an RFC 7946 GeoJSON FeatureCollection; return the path."""
        return write_geojson(self.sites, path, properties=self.params)

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write the sites as CSV (UTF-8 with BOM, for Excel) with ``lon``/``lat`` columns.

        Returns the path written. The file is written atomically.
        """
        table = pd.DataFrame(self.sites.drop(columns=self.sites.geometry.name))
        table["lon"] = self.sites.geometry.x.round(6).to_numpy()
        table["lat"] = self.sites.geometry.y.round(6).to_numpy()
        return write_csv(table, path)

    def summary(self, lang: str = "zh") -> str:
        """A few lines for the terminal (text from :mod:`coverage.i18n`): sites, effect, method, gap."""
        p = self.params
        if lang not in ("zh", "en"):
            raise InputError(f"lang must be 'zh' or 'en'; got {lang!r}")
        n = len(self.sites)
        layer = layer_name(p.get("layer", ""), lang)
        rate_before, rate_after = 100 * p.get("rate_before", 0.0), 100 * p.get("rate_after", 0.0)
        if p.get("problem") == "pmedian":
            unit = p.get("cost_unit", "m")
            line = t("siting.summary.pmedian", lang, layer=layer, n=n,
                     before=format_cost(p.get("mean_cost_before"), unit, lang),
                     after=format_cost(p.get("mean_cost_after"), unit, lang), cap=p.get("cost_cap_factor", 0.0),
                     rate_before=rate_before, rate_after=rate_after)  # fmt: skip
        else:
            line = t("siting.summary.cover", lang, layer=layer, n=n, new=int(p.get("newly_covered", 0)),
                     before=rate_before, after=rate_after)  # fmt: skip
        method = t("siting.summary.method", lang, method=t(f"siting.method.{p.get('solver_used')}", lang),
                   status=t(f"siting.status.{p.get('status')}", lang))  # fmt: skip
        gap, bound = p.get("gap"), p.get("bound")
        if p.get("status") == "optimal" and gap is not None and p.get("tolerance") is not None:
            method += t("siting.summary.tolerance", lang, gap=_percent(gap), tol=_percent(p["tolerance"]))
        elif gap is not None and bound is not None and p.get("status") != "optimal":
            if p.get("bound_unit") == "sites":
                bound_txt = t("siting.summary.sites_bound", lang, bound=bound)
            elif p.get("bound_unit") in ("s", "m"):
                served = max(float(p.get("served_total") or 0), 1.0)
                bound_txt = format_cost(bound / served, p["bound_unit"], lang)
            else:
                bound_txt = f"{bound:,.0f}"
            method += t("siting.summary.gap", lang, gap=gap, bound=bound_txt)
        sources = provenance_text(p.get("data_sources") or {}, [p.get("layer")], lang)
        return f"{line}\n{method}\n{t('siting.summary.sources', lang, items=sources)}"


def format_cost(value: float | None, unit: str, lang: str = "zh") -> str:
    """A travel cost for display: seconds as minutes, metres as metres (``-`` when unknown)."""
    if value is None:
        return "-"
    return t("siting.cost.s", lang, value=value / 60.0) if unit == "s" else t("siting.cost.m", lang, value=value)


def _percent(share: float) -> str:
    """A small share as a plain percentage with two significant digits, never in exponent notation
    (``0.000033%``, not ``3.3e-05%``; ``0%`` when exactly 0)."""
    if share == 0:
        return "0%"
    pct = 100 * share
    text = f"{pct:.{max(0, 1 - math.floor(math.log10(abs(pct))))}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"
