"""The outcome of a siting run: ranked proposed sites and the parameters that produced them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from coverage.export import to_feature_collection, write_csv, write_geojson

__all__ = ["SITE_COLUMNS", "SitingResult"]

SITE_COLUMNS = [
    "rank", "layer", "candidate_id", "source", "name", "town_code", "town_zh", "district_code",
    "district_zh", "new_covered_total", "new_covered_60plus", "new_covered_0_17", "cumulative_rate",
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
        integers) and ``cumulative_rate`` (coverage rate of the layer's served group
        once sites 1..rank are built, existing facilities included).
    params : dict
        Layer, standard, mode, ``k`` or target, solver, objective, bound, gap,
        coverage before/after and the data sources with their provenance flags.
        Written as the GeoJSON FeatureCollection's ``properties``.
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
        """A few lines for the terminal: sites, people newly covered, rate before → after."""
        p = self.params
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en'; got {lang!r}")
        n = len(self.sites)
        new = int(round(p.get("objective") or 0))
        before, after = p.get("rate_before", 0.0) * 100, p.get("rate_after", 0.0) * 100
        gap = p.get("gap")
        gap_txt = "" if gap is None else (f"，最优性差距 {gap:.2%}" if lang == "zh" else f", optimality gap {gap:.2%}")
        if lang == "zh":
            return (
                f"{p.get('layer_zh', p.get('layer'))}：新增 {n} 处站点，新覆盖服务人口 {new:,} 人，"
                f"覆盖率 {before:.1f}% → {after:.1f}%（{p.get('solver_used')}{gap_txt}）。\n"
                f"{p.get('provenance_note_zh', '')}"
            )
        return (
            f"{p.get('layer_en', p.get('layer'))}: {n} new site(s) newly cover {new:,} people; "
            f"coverage {before:.1f}% -> {after:.1f}% ({p.get('solver_used')}{gap_txt}).\n"
            f"{p.get('provenance_note_en', '')}"
        )
