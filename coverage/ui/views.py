"""Pure helpers behind the app's widgets: standard overrides, tables, map layers.

Nothing here touches Streamlit, so everything is testable without a browser.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.layers import LAYERS, get_layer
from coverage.standards import Override
from coverage.ui import map as cmap
from coverage.i18n import layer_name, served_name, source_name, status_name, t

__all__ = [
    "standard_override",
    "town_rates",
    "coverage_table",
    "city_figures",
    "provenance_table",
    "scenario_facilities",
    "map_layers",
]


def standard_override(table: Any, layer_id: str, mode: str, minutes: float) -> Any:
    """The standards ``table`` with the sidebar's ``mode`` / ``minutes`` for ``layer_id``.

    Routed through the one resolver (:meth:`coverage.standards.StandardTable.resolved`): the mode
    selected is the urban standard's unless the planner changes it; changing only the minutes keeps
    each area type's own mode and re-applies the rule; a new mode applies to both area types.

    Raises
    ------
    ValueError
        Unknown mode, or minutes not a positive number (:class:`coverage.errors.StandardsError`).
    """
    base = table.get(layer_id, "urban")
    return table.resolved([layer_id], Override(mode=None if mode == base.mode else mode,
                                               minutes=None if minutes == base.minutes else minutes))


def town_rates(towns: gpd.GeoDataFrame, coverage: pd.DataFrame) -> gpd.GeoDataFrame:
    """Town polygons joined with the town rows of ``population_coverage``.

    Adds ``served``, ``covered`` and ``rate`` (NaN where no one of the group lives).
    """
    rows = coverage[coverage["level"] == "town"].set_index("town_code")[["served", "covered", "rate"]]
    out = towns.drop(columns=[c for c in ("served", "covered", "rate") if c in towns.columns])
    out = out.join(rows, on="town_code")
    out["rate"] = out["rate"].astype(float)
    return out


def city_figures(coverage: pd.DataFrame) -> dict[str, float]:
    """``served``, ``covered``, ``rate`` of the city row of ``population_coverage``."""
    city = coverage[coverage["level"] == "city"]
    if city.empty:
        raise ValueError("coverage table has no city row")
    row = city.iloc[0]
    served, covered = float(row["served"]), float(row["covered"])
    return {"served": served, "covered": covered, "rate": covered / served if served else float("nan")}


def coverage_table(coverage: pd.DataFrame, level: str, lang: str = "zh", region: Any = None) -> pd.DataFrame:
    """Display table of one level (``town`` / ``district``) with localised headers.

    In English, town and district names come from ``region`` (``town_en`` / ``district_en``) when
    it is given and has them. ``rate`` is kept as a fraction (the app formats it as a percentage).
    """
    rows = coverage[coverage["level"] == level].copy()
    if lang == "en" and region is not None:
        for kind, frame in (("town", region.towns), ("district", region.districts)):
            code, en = f"{kind}_code", f"{kind}_en"
            if en in frame.columns and f"{kind}_zh" in rows.columns:
                names = dict(zip(frame[code].astype(str), frame[en].astype(str)))
                english = rows[code].astype(str).map(names)
                rows[f"{kind}_zh"] = english.where(english.notna(), rows[f"{kind}_zh"])
    if level == "town":
        cols = {"town_zh": t("town", lang), "district_zh": t("district", lang)}
    else:
        cols = {"district_zh": t("district", lang)}
    cols.update({"served": t("served_pop", lang), "covered": t("covered_pop", lang),
                 "rate": t("coverage_rate", lang)})
    out = rows[list(cols)].rename(columns=cols).reset_index(drop=True)
    for c in (t("served_pop", lang), t("covered_pop", lang)):
        out[c] = out[c].astype(float).round().astype("int64")
    out[t("coverage_rate", lang)] = out[t("coverage_rate", lang)].astype(float)
    return out


def input_label(name: str, lang: str = "zh") -> str:
    """Words for an input name of ``Region.provenance`` (``towns``, ``facilities:<layer>``…)."""
    if name.startswith("facilities:"):
        return t("in_facilities", lang, layer=layer_name(name.split(":", 1)[1], lang))
    key = {"districts": "in_districts", "towns": "in_towns", "population": "in_population",
           "roads": "in_roads"}.get(name)
    return t(key, lang) if key else name


def provenance_table(provenance: dict[str, str], lang: str = "zh") -> pd.DataFrame:
    """One row per input with its provenance flag in words (real / modelled / illustrative…)."""
    rows = [{t("input", lang): input_label(key, lang), t("status", lang): source_name(status, lang), "_flag": status}
            for key, status in provenance.items()]
    return pd.DataFrame(rows, columns=[t("input", lang), t("status", lang), "_flag"])


def scenario_facilities(scenario: Any) -> gpd.GeoDataFrame:
    """The scenario's facility layer in the ARCHITECTURE schema (existing + added sites).

    Added sites get ``facility_id`` ``new-<n>``, name ``新增站点 <n>``, ``source="uploaded"``
    and the town/district containing them (empty when outside every town).
    """
    active = scenario.active_facilities()
    added = scenario.added_sites()
    if added.empty:
        return active
    towns = scenario.region.towns[["town_code", "district_code", "geometry"]]
    located = gpd.sjoin(added, towns.to_crs(added.crs), how="left", predicate="within")
    located = located[~located.index.duplicated(keep="first")]
    new = gpd.GeoDataFrame(
        {
            "facility_id": added["facility_id"].to_numpy(),
            "name": [f"新增站点 {n}" for n in added["order"]],
            "layer": scenario.layer_id,
            "town_code": located["town_code"].to_numpy(),
            "district_code": located["district_code"].to_numpy(),
            "address": None,
            "beds": None,
            "nursing_beds": None,
            "opening_year": None,
            "source": "uploaded",
        },
        geometry=added.geometry.to_numpy(),
        crs=added.crs,
    )
    return pd.concat([active, new[[c for c in new.columns if c in active.columns or c == "geometry"]]],
                     ignore_index=True)


def _town_names(region: Any, lang: str) -> dict[str, str]:
    col = "town_en" if lang == "en" and "town_en" in region.towns.columns else "town_zh"
    return dict(zip(region.towns["town_code"].astype(str), region.towns[col].astype(str)))


def map_layers(
    region: Any,
    layer_id: str,
    towns_rated: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    added: gpd.GeoDataFrame | None = None,
    service_areas: gpd.GeoDataFrame | None = None,
    gaps: gpd.GeoDataFrame | None = None,
    proposals: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    basemap: str = "none",
) -> list[folium.FeatureGroup]:
    """The map's feature groups, bottom to top: towns, service areas, gaps, facilities, sites."""
    served = served_name(get_layer(layer_id).served_column, lang)
    town_col = "town_en" if lang == "en" and "town_en" in towns_rated.columns else "town_zh"
    groups = [
        cmap.town_layer(
            towns_rated,
            fields=[cmap.Field(town_col, t("town", lang)), cmap.Field("district_zh", t("district", lang)),
                    cmap.Field("served", f"{t('served_pop', lang)} ({served})", ",.0f"),
                    cmap.Field("covered", t("covered_pop", lang), ",.0f"),
                    cmap.Field("rate", t("coverage_rate", lang), ".1%")],
            name=t("lyr_towns", lang), basemap=basemap,
        )
    ]
    if service_areas is not None and not service_areas.empty:
        groups.append(cmap.polygon_layer(service_areas, name=t("lyr_service", lang), colour="#3182bd",
                                         fill_opacity=0.15, basemap=basemap))
    if gaps is not None and not gaps.empty:
        groups.append(cmap.polygon_layer(
            gaps, [cmap.Field("rank", "#"), cmap.Field("town_zh", t("town", lang)),
                   cmap.Field("served", served, ",.0f"), cmap.Field("area_km2", t("f_area", lang), ".2f")],
            name=t("lyr_gaps", lang), colour="#de2d26", fill_opacity=0.35, dash="4", basemap=basemap))
    names = _town_names(region, lang)
    fac = facilities.copy()
    fac["_town"] = fac["town_code"].astype(str).map(names) if "town_code" in fac else None
    fac["_source"] = [source_name(s, lang) for s in fac["source"]] if "source" in fac else None
    groups.append(cmap.facility_layer(
        fac, [cmap.Field("name", t("f_name", lang)), cmap.Field("_town", t("f_town", lang)),
              cmap.Field("_source", t("f_source", lang))],
        name=f"{t('lyr_facilities', lang)}: {layer_name(layer_id, lang)}", basemap=basemap))
    if added is not None and not added.empty:
        groups.append(cmap.point_layer(added, [cmap.Field("order", t("added_site", lang).split(" ")[0])],
                                       name=t("lyr_added", lang), colour="#e6550d", radius=7,
                                       basemap=basemap))
    if proposals is not None and not proposals.empty:
        new_col = f"new_covered_{get_layer(layer_id).served_column[4:]}"
        fields = [cmap.Field(c, lbl, fmt) for c, lbl, fmt in (
            ("rank", t("f_rank", lang), None), ("town_zh", t("f_town", lang), None),
            (new_col, f"{t('f_new_pop', lang)} ({served})", ",.0f"),
            ("cumulative_rate", t("coverage_rate", lang), ".1%")) if c in proposals.columns]
        groups.append(cmap.point_layer(proposals, fields, name=t("lyr_proposals", lang),
                                       colour="#756bb1", radius=7, basemap=basemap))
    return groups


def sites_table(sites: gpd.GeoDataFrame, layer_id: str, lang: str = "zh") -> pd.DataFrame:
    """Proposed sites for display: rank, town, district, people newly covered, rate, lon/lat."""
    served = served_name(get_layer(layer_id).served_column, lang)
    new_col = f"new_covered_{get_layer(layer_id).served_column[4:]}"
    cols = {"rank": t("f_rank", lang), "town_zh": t("town", lang), "district_zh": t("district", lang),
            new_col: f"{t('f_new_pop', lang)} ({served})", "cumulative_rate": t("coverage_rate", lang)}
    out = pd.DataFrame({label: sites[c].to_numpy() for c, label in cols.items() if c in sites.columns})
    pts = sites.to_crs("EPSG:4326").geometry
    out["lon"] = pts.x.round(6).to_numpy()
    out["lat"] = pts.y.round(6).to_numpy()
    return out


_REVIEW_EN = {
    "year": "Year", "level": "Level", "district_code": "District code", "district_zh": "District",
    "town_code": "Town code", "town_zh": "Town", "indicator_id": "Indicator id",
    "indicator_zh": "Indicator (plan wording)", "layer": "Layer", "unit": "Unit", "value": "Measured",
    "numerator": "Numerator", "denominator": "Denominator", "actual_2020": "2020 actual",
    "target_2023": "2023 target", "target_2025": "2025 target", "target": "Target", "status": "Status",
    "gap": "Gap", "gap_text": "Gap (text)", "standard": "Standard", "provenance": "Data sources", "note": "Note",
}


def review_table(result: Any, level: str, lang: str = "zh") -> pd.DataFrame:
    """The annual review rows of one level for display.

    Chinese: the review's own Chinese table. English: English headers, indicator names kept in the
    plan's Chinese wording, statuses as ``达标 (met)`` / ``未达标 (not met)``.
    """
    if lang == "zh":
        return result.table_zh(level)
    rows = result.level(level)
    cols = [c for c in _REVIEW_EN if c in rows.columns]
    out = rows[cols].copy()
    out["level"] = [t(v, lang) if v in ("city", "district", "town") else v for v in out["level"]]
    out["status"] = [f"{v} ({status_name(v, 'en')})" if isinstance(v, str) and status_name(v, "en") != v else v
                     for v in out["status"]]
    return out.rename(columns=_REVIEW_EN)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md_text(text: Any) -> str:
    """``text`` with Markdown (and Streamlit ``:color[]`` / emoji) syntax escaped: shown literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def rate_text(rate: float) -> str:
    """A rate as a percentage with one decimal (``"—"`` when undefined)."""
    return "—" if rate is None or not np.isfinite(rate) else f"{rate:.1%}"


def known_layers() -> Sequence[str]:
    """Layer ids in registry order."""
    return list(LAYERS)
