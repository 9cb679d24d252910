"""Pure helpers behind the app's widgets: standard overrides, tables, map layers.

Nothing here touches Streamlit, so everything is testable without a browser.
"""

from __future__ import annotations

import html
import re
from typing import Any, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from coverage import describe
from coverage.analysis import Edit
from coverage.errors import InputError
from coverage.layers import get_layer
from coverage.ui import map as cmap
from coverage.ui.map import Overlay
from coverage import review
from coverage.i18n import STRINGS, layer_name, served_name, source_name, t

__all__ = [
    "standard_override",
    "town_rates",
    "coverage_table",
    "town_chart_spec",
    "input_label",
    "rate_text",
    "review_table",
    "city_figures",
    "provenance_table",
    "scenario_facilities",
    "scenario_edits",
    "town_names",
    "district_names",
    "town_tips",
    "static_features",
    "static_layers",
    "town_features",
    "facility_overlay",
    "map_overlays",
    "sites_table",
    "sites_heading",
    "gaps_table",
    "table_formats",
    "report_table",
    "workspace_table",
    "caveat",
    "with_caveat",
    "csv_bytes",
    "md_text",
]


def standard_override(table: Any, layer_id: str, mode: str, minutes: float) -> Any:
    """The standards ``table`` with the sidebar's ``mode`` / ``minutes`` for ``layer_id``.

    Routed through the one resolver (:meth:`coverage.standards.StandardTable.chosen`): the mode
    selected is the urban standard's unless the planner changes it; changing only the minutes keeps
    each area type's own mode and re-applies the rule; a new mode applies to both area types.

    Parameters
    ----------
    table : StandardTable
        The standards in force.
    layer_id : str
        The facility layer whose standard the sidebar sets.
    mode : str
        A travel mode of :data:`coverage.standards.MODES`.
    minutes : float
        The travel time.

    Returns
    -------
    StandardTable
        ``table`` itself when nothing changes, else a new table.

    Raises
    ------
    ValueError
        Unknown mode, or minutes not a positive number (:class:`coverage.errors.StandardsError`).
    """
    return table.chosen(layer_id, mode, minutes)


def town_rates(towns: gpd.GeoDataFrame, coverage: pd.DataFrame) -> gpd.GeoDataFrame:
    """Town polygons joined with the town rows of ``population_coverage``.

    Parameters
    ----------
    towns : GeoDataFrame
        ``Region.towns``.
    coverage : DataFrame
        :func:`coverage.metrics.population_coverage` (its ``level == "town"`` rows are used).

    Returns
    -------
    GeoDataFrame
        ``towns`` (same rows, same order) with ``served``, ``covered`` and ``rate`` (float; NaN
        where no one of the group lives).
    """
    rows = coverage[coverage["level"] == "town"].set_index("town_code")[["served", "covered", "rate"]]
    out = towns.drop(columns=[c for c in ("served", "covered", "rate") if c in towns.columns])
    out = out.join(rows, on="town_code")
    out["rate"] = out["rate"].astype(float)
    return out


def city_figures(coverage: pd.DataFrame) -> dict[str, float]:
    """``served``, ``covered``, ``rate`` of the city row of ``population_coverage``.

    Parameters
    ----------
    coverage : DataFrame
        :func:`coverage.metrics.population_coverage`.

    Returns
    -------
    dict
        ``served``, ``covered`` (people) and ``rate`` (0-1; NaN when no one is served).

    Raises
    ------
    InputError
        The table has no city row.
    """
    rows = np.flatnonzero(coverage["level"].to_numpy() == "city")
    if not len(rows):
        raise InputError("coverage table has no city row")
    served = float(coverage["served"].to_numpy()[rows[0]])
    covered = float(coverage["covered"].to_numpy()[rows[0]])
    return {"served": served, "covered": covered, "rate": covered / served if served else float("nan")}


def coverage_table(coverage: pd.DataFrame, level: str, lang: str = "zh", region: Any = None) -> pd.DataFrame:
    """Display table of one level (``town`` / ``district``) with localised headers.

    Town and district names come from ``region`` in ``lang`` (:func:`coverage.describe.town_names`;
    pinyin in English) when it is given, else the rows' Chinese names. People are whole numbers;
    the rate is in percent points rounded as every rate shown (:func:`coverage.describe.percent_points`,
    shown with :data:`coverage.describe.PERCENT_FORMAT`; NaN where no one of the group lives).

    Parameters
    ----------
    coverage : DataFrame
        :func:`coverage.metrics.population_coverage`.
    level : {"town", "district"}
        The rows shown.
    lang : {"zh", "en"}
        The language of the headers and names.
    region : Region, optional
        Where the names come from.

    Returns
    -------
    DataFrame
        Town (and district) name, served, covered, rate.
    """
    rows = _named(coverage[coverage["level"] == level], region, lang)
    if level == "town":
        cols = {"_town": t("town", lang), "_district": t("district", lang)}
    else:
        cols = {"_district": t("district", lang)}
    cols.update({"served": t("served_pop", lang), "covered": t("covered_pop", lang),
                 "rate": t("coverage_rate", lang)})
    out = rows[list(cols)].rename(columns=cols).reset_index(drop=True)
    for c in (t("served_pop", lang), t("covered_pop", lang)):
        out[c] = out[c].astype(float).round().astype("int64")
    out[t("coverage_rate", lang)] = describe.percent_points(out[t("coverage_rate", lang)])
    return out


#: Pixels of the per-town chart a town takes (its bar and its 11-pixel label, never overlapping).
TOWN_BAR_PX = 18
#: The per-town chart's percent ticks: every 10 points (11 ticks).
PERCENT_TICKS = tuple(range(0, 101, 10))


def town_chart_spec(title: str, town_col: str, n: int) -> dict[str, Any]:
    """The Vega-Lite spec of the per-town coverage chart (for ``st.vega_lite_chart`` with the data).

    Horizontal bars, one per town, :data:`TOWN_BAR_PX` pixels each so every label is shown
    without overlap (73 towns: 1,314 pixels); sorted by rate with the lowest on top (the town
    table's order), each bar's rate written at its end, and the percent axis above and below the
    bars with a tick every 10 points (:data:`PERCENT_TICKS`). The data holds ``town_col`` and
    ``"%"`` (percent points).

    Parameters
    ----------
    title : str
        The chart's title.
    town_col : str
        The data's column of town names.
    n : int
        The number of towns (at least 160 pixels in all).

    Returns
    -------
    dict
        The spec (without data).
    """
    def axis(orient: str) -> dict[str, Any]:
        return {"field": "%", "type": "quantitative", "scale": {"domain": [0, 100]}, "title": "%",
                "axis": {"values": list(PERCENT_TICKS), "orient": orient}}

    return {
        "title": title,
        "height": max(160, TOWN_BAR_PX * int(n)),
        "encoding": {
            "y": {"field": town_col, "type": "nominal", "sort": "x", "title": None,
                  "axis": {"labelLimit": 200, "labelOverlap": False, "labelFontSize": 11}},
            "x": axis("bottom"),
            "tooltip": [{"field": town_col, "type": "nominal"},
                        {"field": "%", "format": ".1f", "type": "quantitative"}],
        },
        "layer": [
            {"mark": {"type": "bar", "color": "#3182bd"}},
            {"mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 3, "fontSize": 10},
             "encoding": {"x": axis("top"), "text": {"field": "%", "type": "quantitative", "format": ".1f"}}},
        ],
        "resolve": {"axis": {"x": "independent"}},
    }


def input_label(name: str, lang: str = "zh") -> str:
    """Words for an input name of ``Region.provenance`` (``towns``, ``facilities:<layer>``…).

    Parameters
    ----------
    name : str
        The input's name.
    lang : {"zh", "en"}

    Returns
    -------
    str
        Its words from the catalogue; an unknown name as given.
    """
    if name.startswith("facilities:"):
        return t("in_facilities", lang, layer=layer_name(name.split(":", 1)[1], lang))
    key = {"districts": "in_districts", "towns": "in_towns", "population": "in_population",
           "roads": "in_roads"}.get(name)
    return t(key, lang) if key else name


def provenance_table(provenance: dict[str, str], lang: str = "zh") -> pd.DataFrame:
    """One row per input with its provenance flag in words (real / modelled / illustrative…).

    Parameters
    ----------
    provenance : dict
        ``Region.provenance`` (input name → flag).
    lang : {"zh", "en"}

    Returns
    -------
    DataFrame
        Input, status (words) and ``_flag`` (the flag, for styling).
    """
    rows = [{t("input", lang): input_label(key, lang), t("status", lang): source_name(status, lang), "_flag": status}
            for key, status in provenance.items()]
    return pd.DataFrame(rows, columns=[t("input", lang), t("status", lang), "_flag"])


def scenario_edits(scenario: Any) -> list[Edit]:
    """The scenario's changes as :class:`coverage.analysis.Edit` of its layer, in order.

    The scenario numbers its added sites by every add it ever made (an undone add keeps its
    number); :class:`~coverage.analysis.Analysis` numbers them by the adds in its edit list. A
    removal of an added site is renamed to the id that site has in the analysis.

    Parameters
    ----------
    scenario : Scenario
        :class:`coverage.ui.scenario.Scenario`.

    Returns
    -------
    list of Edit
    """
    edits: list[Edit] = []
    ids: dict[str, str] = {}
    for change in scenario.changes:
        if change.kind == "add":
            ids[change.facility_id] = f"new-{len(ids) + 1}"
            edits.append(Edit(scenario.layer_id, "add", lon=change.lon, lat=change.lat))
        else:
            edits.append(Edit(scenario.layer_id, "remove",
                              facility_id=ids.get(change.facility_id, change.facility_id)))
    return edits


def scenario_facilities(scenario: Any, lang: str = "zh") -> gpd.GeoDataFrame:
    """The scenario's facility layer in the ARCHITECTURE schema (existing + added sites).

    Added sites get ``facility_id`` ``new-<n>``, the name ``新增站点 <n>`` / ``Added site <n>``
    (catalogue ``added_site_name`` in ``lang``), ``source="uploaded"`` and the town/district
    containing them (empty when outside every town).

    Parameters
    ----------
    scenario : Scenario
        :class:`coverage.ui.scenario.Scenario`.
    lang : {"zh", "en"}
        The language of the added sites' names.

    Returns
    -------
    GeoDataFrame
        WGS-84; the scenario's active facilities itself when no site is added.
    """
    active = scenario.active_facilities()
    located = scenario.added_sites(located=True)  # each site's town found once (Scenario keeps it)
    if located.empty:
        return active
    new = gpd.GeoDataFrame(
        {
            "facility_id": located["facility_id"].to_numpy(),
            "name": [t("added_site_name", lang, n=n) for n in located["order"]],
            "layer": scenario.layer_id,
            "town_code": located["town_code"].to_numpy(),
            "district_code": located["district_code"].to_numpy(),
            "address": None,
            "beds": None,
            "nursing_beds": None,
            "opening_year": None,
            "source": "uploaded",
        },
        geometry=located.geometry.to_numpy(),
        crs=located.crs,
    )
    return pd.concat([active, new[[c for c in new.columns if c in active.columns or c == "geometry"]]],
                     ignore_index=True)


def town_names(region: Any, lang: str) -> dict[str, str]:
    """``town_code`` → town name in ``lang`` of ``region``'s towns (:func:`coverage.describe.town_names`).

    Parameters
    ----------
    region : Region
    lang : {"zh", "en"}

    Returns
    -------
    dict
        Pinyin names in English.
    """
    return describe.town_names(region.towns, lang)


def district_names(region: Any, lang: str) -> dict[str, str]:
    """``district_code`` → district name in ``lang`` (:func:`coverage.describe.district_names`).

    Parameters
    ----------
    region : Region
    lang : {"zh", "en"}

    Returns
    -------
    dict
    """
    return describe.district_names(region.districts, lang)


def _named(frame: pd.DataFrame, region: Any, lang: str) -> pd.DataFrame:
    """``frame`` with ``_town`` / ``_district`` columns: the names in ``lang`` from the codes
    (without ``region``, the rows' Chinese names)."""
    if region is None:
        return frame.assign(_town=frame.get("town_zh"), _district=frame.get("district_zh"))
    out = frame.copy()
    for kind, names in (("town", town_names(region, lang)), ("district", district_names(region, lang))):
        code, zh = f"{kind}_code", f"{kind}_zh"
        if code in out.columns:
            fallback = out[zh] if zh in out.columns else [None] * len(out)
            # A row in no town (e.g. a site added outside every town) has no code and stays blank.
            out[f"_{kind}"] = [describe.place_name(names, c, f) if isinstance(c, str) and c else
                               (f if isinstance(f, str) and f else None) for c, f in zip(out[code], fallback)]
        elif zh in out.columns:
            out[f"_{kind}"] = out[zh]
    return out


def town_tips(region: Any, layer_id: str, towns_rated: gpd.GeoDataFrame, lang: str = "zh") -> list[str]:
    """Tooltip of every town (name, district, served, covered, rate), rows of ``towns_rated``.

    Parameters
    ----------
    region : Region
        Town and district names in ``lang``.
    layer_id : str
        The facility layer (its served group names the figures).
    towns_rated : GeoDataFrame
        :func:`town_rates`.
    lang : {"zh", "en"}

    Returns
    -------
    list of str
        Escaped HTML, one per row.
    """
    served = served_name(get_layer(layer_id).served_column, lang)
    named = _named(towns_rated, region, lang)
    return cmap.tooltips(named, [
        cmap.Field("_town", t("town", lang)), cmap.Field("_district", t("district", lang)),
        cmap.Field("served", f"{t('served_pop', lang)} ({served})", ",.0f"),
        cmap.Field("covered", t("covered_pop", lang), ",.0f"),
        cmap.Field("rate", t("coverage_rate", lang), describe.PERCENT_SPEC)])


def town_features(region: Any, basemap: str = "none") -> dict[str, Any]:
    """The town polygons as the map's static GeoJSON (no tooltips: :func:`map_overlays` set them).

    Parameters
    ----------
    region : Region
    basemap : str
        One of :data:`coverage.ui.map.BASEMAPS` (GCJ-02 shift for ``"amap"``).

    Returns
    -------
    dict
        :func:`coverage.ui.map.features` of ``region.towns``, rows in order.
    """
    return cmap.features(region.towns, basemap=basemap, tips=[""] * len(region.towns))


def static_features(region: Any, layer_id: str, facilities: gpd.GeoDataFrame, lang: str = "zh",
                    basemap: str = "none") -> dict[str, dict[str, Any]]:
    """The map's static layers as GeoJSON dicts: ``towns`` (polygons) and ``facilities`` (points).

    Serialised once per data version, layer, language and basemap (the app caches them); what a
    click changes is sent as :func:`map_overlays`. Each facility's tooltip carries
    :func:`coverage.ui.map.facility_token` of its row in ``facilities``, so a click on it can be
    recognised (:func:`coverage.ui.map.clicked_facility`).

    Parameters
    ----------
    region : Region
    layer_id : str
        The facility layer.
    facilities : GeoDataFrame
        The layer as loaded (the scenario's ``base``): its rows are the markers' rows.
    lang : {"zh", "en"}
        The tooltips' words and names.
    basemap : str
        One of :data:`coverage.ui.map.BASEMAPS`.

    Returns
    -------
    dict
        ``{"towns": ..., "facilities": ...}``, each :func:`coverage.ui.map.features`.
    """
    fac = _named(facilities, region, lang)
    fac["_source"] = [source_name(s, lang) for s in fac["source"]] if "source" in fac else None
    tips = cmap.tooltips(fac, [cmap.Field("name", t("f_name", lang)), cmap.Field("_town", t("f_town", lang)),
                               cmap.Field("_source", t("f_source", lang))])
    hint = html.escape(t("click_to_remove", lang))
    tips = [f"{tip}<br><i>{hint}</i><span style=\"display:none\">{cmap.facility_token(i)}</span>"
            for i, tip in enumerate(tips)]
    return {"towns": town_features(region, basemap), "facilities": cmap.features(fac, basemap=basemap, tips=tips)}


def static_layers(features: dict[str, dict[str, Any]], lang: str = "zh") -> list[folium.FeatureGroup]:
    """The map's fixed layer: the town polygons of :func:`static_features` (coloured by updates).

    It does not depend on the layer or the language, so the map is not reloaded when they change.

    Parameters
    ----------
    features : dict
        :func:`static_features` (only ``towns`` is used).
    lang : {"zh", "en"}
        The language of the layer control's title.

    Returns
    -------
    list of folium.FeatureGroup
        One group, :func:`coverage.ui.map.town_overlay` (for the base map's folium figure).
    """
    return [cmap.overlay_group(cmap.town_overlay(features["towns"], name=t("lyr_towns", lang)))]


def facility_overlay(features: dict[str, dict[str, Any]], layer_id: str, key: str,
                     lang: str = "zh") -> Overlay:
    """The layer's facilities from :func:`static_features`, kept on the map while ``key`` holds.

    Parameters
    ----------
    features : dict
        :func:`static_features` (only ``facilities`` is used).
    layer_id : str
        The facility layer (named in the layer control).
    key : str
        The kept layer's key (:func:`coverage.ui.map.kept_overlay`). It should not name the
        language: a language switch then retitles the kept markers (``tips_key`` = ``lang``)
        instead of drawing them again.
    lang : {"zh", "en"}

    Returns
    -------
    Overlay
        In the layer control (its box shows and hides the markers); for a layer without
        facilities, an overlay taking the previous layer's stations off the map.
    """
    name = f"{t('lyr_facilities', lang)}: {layer_name(layer_id, lang)}"
    return cmap.kept_overlay(features["facilities"], name, key, lang)


def map_overlays(
    region: Any,
    layer_id: str,
    towns_rated: gpd.GeoDataFrame,
    removed: Sequence[int] = (),
    added: gpd.GeoDataFrame | None = None,
    service_areas: gpd.GeoDataFrame | None = None,
    gaps: gpd.GeoDataFrame | None = None,
    proposals: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    basemap: str = "none",
    facilities: Overlay | None = None,
) -> list[Overlay]:
    """What changes on the map after a click: town colours, removals, added/proposed sites, overlays.

    Sent to the map drawn from :func:`static_layers` as update groups written as text
    (:mod:`coverage.ui.map_component`), bottom to top: the facilities (:func:`facility_overlay`,
    drawn once per key), service areas, gaps, town restyle, removed marks, added sites, proposals,
    and the one legend (an entry for every symbol shown). A standalone page draws the same
    overlays with :func:`coverage.ui.map.build_map`.

    Parameters
    ----------
    region : Region
        The study region (town and district names in ``lang``).
    layer_id : str
        The facility layer (its served group names the figures).
    towns_rated : GeoDataFrame
        :func:`town_rates`, rows in the order of the static town layer.
    removed : sequence of int
        Rows of the layer's facilities removed by the scenario (``Scenario.removed_rows``).
    added : GeoDataFrame, optional
        Sites added (``Scenario.added_sites``: ``order``).
    service_areas : GeoDataFrame, optional
        Service-area polygons.
    gaps : GeoDataFrame, optional
        Gap zones (``rank``, ``town_code``, ``served``, ``area_km2``), drawn hatched.
    proposals : GeoDataFrame, optional
        Proposed sites (``rank``, ``town_code``, ``new_covered_<group>``, ``cumulative_rate``).
    lang : {"zh", "en"}
        Tooltips, layer names and legend.
    basemap : str
        The basemap the layers are drawn for (GCJ-02 shift for ``"amap"``).
    facilities : Overlay, optional
        :func:`facility_overlay`, drawn first.

    Returns
    -------
    list of Overlay
        Bottom to top; the restyles and the legend are not in the layer control.
    """
    served = served_name(get_layer(layer_id).served_column, lang)
    groups: list[Overlay] = [] if facilities is None else [facilities]
    entries: list[tuple[str, str]] = [("existing", t("lyr_facilities", lang))]
    if removed:
        entries.append(("removed", t("lyr_removed", lang)))
    if service_areas is not None and not service_areas.empty:
        groups.append(cmap.polygon_overlay(cmap.features(service_areas, basemap=basemap), t("lyr_service", lang),
                                           cmap.polygon_style(fill_opacity=0.15)))
        entries.append(("service", t("lyr_service", lang)))
    if gaps is not None and not gaps.empty:
        named = _named(gaps, region, lang)
        fields = [cmap.Field("rank", t("f_rank", lang)), cmap.Field("_town", t("town", lang)),
                  cmap.Field("served", f"{t('gap_uncovered', lang)} ({served})", ",.0f"),
                  cmap.Field("area_km2", t("f_area", lang), ".2f")]
        groups.append(cmap.polygon_overlay(cmap.features(named, fields, basemap), t("lyr_gaps", lang), hatch=True))
        entries.append(("gaps", t("lyr_gaps", lang)))
    groups.append(cmap.town_restyle_overlay(towns_rated["rate"].astype(float).tolist(),
                                            town_tips(region, layer_id, towns_rated, lang)))
    groups.append(cmap.facility_marks_overlay(removed))
    if added is not None and not added.empty:
        data = cmap.features(added, [cmap.Field("order", t("f_added_no", lang))], basemap)
        groups.append(cmap.point_overlay(data, t("lyr_added", lang), cmap.ADDED_COLOUR, 7))
        entries.append(("added", t("lyr_added", lang)))
    if proposals is not None and not proposals.empty:
        new_col = f"new_covered_{get_layer(layer_id).served_column[4:]}"
        named = _named(proposals, region, lang)
        fields = [cmap.Field(c, lbl, fmt) for c, lbl, fmt in (
            ("rank", t("f_rank", lang), None), ("_town", t("f_town", lang), None),
            (new_col, f"{t('f_new_pop', lang)} ({served})", ",.0f"),
            ("cumulative_rate", t("coverage_rate", lang), describe.PERCENT_SPEC)) if c in named.columns]
        groups.append(cmap.point_overlay(cmap.features(named, fields, basemap), t("lyr_proposals", lang),
                                         cmap.PROPOSED_COLOUR, 7))
        entries.append(("proposed", t("lyr_proposals", lang)))
    groups.append(cmap.legend_overlay(cmap.legend_body(t("coverage_rate", lang), t("no_served", lang), entries)))
    return groups


#: Decimals of the longitudes and latitudes the tables show (1e-5 degree: about a metre).
COORD_DIGITS = 5
#: The data grid's number formats (Streamlit ``NumberColumn`` formats): whole numbers with the
#: thousands separators of the reader's locale, coordinates and areas with fixed decimals.
WHOLE_FORMAT = "localized"
COORD_FORMAT = f"%.{COORD_DIGITS}f"
AREA_FORMAT = "%.2f"
MINUTES_FORMAT = "%.1f"


def sites_heading(problem: str | None, lang: str = "zh") -> str:
    """The heading of the proposed-sites table: the order its rows are in.

    Rows are ranked by what each site adds given the sites above it: people newly covered for the
    covering objectives, travel saved for the p-median (``problem`` ``"pmedian"``).
    """
    kind = "pmedian" if problem == "pmedian" else "cover"
    return t(f"siting.table.heading.{kind}", lang)


def sites_table(sites: gpd.GeoDataFrame, layer_id: str, lang: str = "zh", region: Any = None) -> pd.DataFrame:
    """Proposed sites for display: rank, town, district, people newly covered, cumulative rate, lon/lat.

    Headers in ``lang``; with ``region``, town and district names in ``lang`` (pinyin in English).
    p-median results also show the travel saved and the mean travel once built. Values stay numbers
    (for the data grid's formats, :func:`table_formats`): people and metres whole, minutes with one
    decimal, the cumulative rate in percent points, coordinates with :data:`COORD_DIGITS` decimals.

    Parameters
    ----------
    sites : GeoDataFrame
        ``SitingResult.sites``.
    layer_id : str
        The facility layer (its served group names the figures).
    lang : {"zh", "en"}
    region : Region, optional
        Where the names come from (else the rows' Chinese names).

    Returns
    -------
    DataFrame
    """
    served = served_name(get_layer(layer_id).served_column, lang)
    new_col = f"new_covered_{get_layer(layer_id).served_column[4:]}"
    named = _named(sites, region, lang)
    cols = {"rank": t("f_rank", lang), "_town": t("town", lang), "_district": t("district", lang),
            new_col: f"{t('f_new_pop', lang)} ({served})", "cumulative_rate": t("siting.table.cumulative_rate", lang)}
    travel = "travel_saved" in named.columns and named["travel_saved"].notna().any()
    minutes = travel and "travel_unit" in named and str(named["travel_unit"].dropna().iloc[0]) == "s"
    if travel:
        cols["travel_saved"] = t(f"f_travel_saved_{'s' if minutes else 'm'}", lang)
        cols["cumulative_mean_travel"] = t(f"f_mean_travel_{'s' if minutes else 'm'}", lang)
    out = pd.DataFrame({label: named[c].to_numpy() for c, label in cols.items() if c in named.columns})
    if cols[new_col] in out.columns:
        out[cols[new_col]] = _whole(out[cols[new_col]])
    if cols["cumulative_rate"] in out.columns:
        out[cols["cumulative_rate"]] = describe.percent_points(out[cols["cumulative_rate"]])
    if travel:
        scale = 60.0 if minutes else 1.0
        out[cols["travel_saved"]] = _whole(out[cols["travel_saved"]].astype(float) / scale)
        mean = out[cols["cumulative_mean_travel"]].astype(float) / scale
        out[cols["cumulative_mean_travel"]] = mean.round(1) if minutes else _whole(mean)
    pts = sites.to_crs("EPSG:4326").geometry
    out[t("f_lon", lang)] = pts.x.round(COORD_DIGITS).to_numpy()
    out[t("f_lat", lang)] = pts.y.round(COORD_DIGITS).to_numpy()
    return out


def gaps_table(zones: gpd.GeoDataFrame, layer_id: str, lang: str = "zh", region: Any = None) -> pd.DataFrame:
    """Gap zones for display, headers in ``lang``.

    Rank, town, district, uncovered people (the served group, then all ages, 60+ and 0-17 — the
    served group's own column not twice), area (km², two decimals), the nearest facility's distance
    (whole metres) or travel time (minutes, one decimal) and the suggested point
    (:data:`COORD_DIGITS` decimals). Values stay numbers (:func:`table_formats`).

    Parameters
    ----------
    zones : GeoDataFrame
        ``GapZones.zones``.
    layer_id : str
        The facility layer (its served group names the figures).
    lang : {"zh", "en"}
    region : Region, optional
        Where the names come from (else the rows' Chinese names).

    Returns
    -------
    DataFrame
    """
    group = get_layer(layer_id).served_column
    served = served_name(group, lang)
    named = _named(zones, region, lang)
    cols = {"rank": t("f_rank", lang), "_town": t("town", lang), "_district": t("district", lang),
            "served": f"{t('gap_uncovered', lang)} ({served})", "pop_total": t("gap_pop_total", lang),
            "pop_60plus": t("gap_pop_60", lang), "pop_0_17": t("gap_pop_0_17", lang),
            "area_km2": t("f_area", lang)}
    del cols[group]  # the served group's column is the first one of uncovered people
    out = pd.DataFrame({label: named[c].to_numpy() for c, label in cols.items() if c in named.columns})
    for c in ("served", "pop_total", "pop_60plus", "pop_0_17"):
        if c in cols and cols[c] in out.columns:
            out[cols[c]] = _whole(out[cols[c]])
    if cols["area_km2"] in out.columns:
        out[cols["area_km2"]] = out[cols["area_km2"]].astype(float).round(2)
    if "nearest_time_s" in named.columns and named["nearest_time_s"].notna().any():
        out[t("gap_nearest_min", lang)] = (named["nearest_time_s"].astype(float) / 60.0).round(1).to_numpy()
    elif "nearest_distance_m" in named.columns:
        out[t("gap_nearest_m", lang)] = _whole(named["nearest_distance_m"]).to_numpy()
    for c, label in (("site_lon", "gap_site_lon"), ("site_lat", "gap_site_lat")):
        if c in named.columns:
            out[t(label, lang)] = named[c].astype(float).round(COORD_DIGITS).to_numpy()
    return out


def _whole(values: Any) -> pd.Series:
    """Whole numbers (``Int64``: a missing value stays missing, not 0 and not a float)."""
    return pd.Series(np.asarray(values, dtype=float)).round().astype("Int64")


def table_formats(table: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """The data grid's number format of each number column of :func:`sites_table` / :func:`gaps_table`.

    Whole numbers (people, person-metres, metres) with the locale's thousands separators
    (:data:`WHOLE_FORMAT`; the rank stays plain), rates in percent points
    (:data:`coverage.describe.PERCENT_FORMAT`), coordinates with :data:`COORD_DIGITS` decimals,
    areas with two, minutes with one. The values stay numbers: they sort as numbers, and the CSV
    download holds them unformatted.

    Parameters
    ----------
    table : DataFrame
        A table of :func:`sites_table` or :func:`gaps_table` in ``lang``.
    lang : {"zh", "en"}

    Returns
    -------
    dict
        Column label → format, for the columns of ``table`` that have one
        (``coverage.ui.widgets.number_columns`` makes them Streamlit's column settings).
    """
    fixed = {t("siting.table.cumulative_rate", lang): describe.PERCENT_FORMAT,
             t("coverage_rate", lang): describe.PERCENT_FORMAT, t("f_area", lang): AREA_FORMAT,
             t("f_mean_travel_s", lang): MINUTES_FORMAT, t("gap_nearest_min", lang): MINUTES_FORMAT}
    fixed.update(dict.fromkeys((t(k, lang) for k in ("f_lon", "f_lat", "gap_site_lon", "gap_site_lat")),
                               COORD_FORMAT))
    out = {}
    for label in table.columns:
        if label in fixed:
            out[label] = fixed[label]
        elif label != t("f_rank", lang) and pd.api.types.is_integer_dtype(table[label]):
            out[label] = WHOLE_FORMAT
    return out


_SEVERITY_KEYS = {"error": "sev_error", "warning": "sev_warning", "info": "sev_info"}


def report_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """An import report (``ImportReport.to_frame()``) with headers and severities in ``lang``.

    Columns 文件/行/列/级别/说明 (File/Row/Column/Severity/Message); missing rows and columns
    are blank, never "None" (the row numbers are shown as text, so a file-level note's row is empty).

    Parameters
    ----------
    frame : DataFrame
        ``ImportReport.to_frame(lang)``.
    lang : {"zh", "en"}

    Returns
    -------
    DataFrame
    """
    cols = {"file": t("rep_file", lang), "row": t("rep_row", lang), "column": t("rep_column", lang),
            "severity": t("rep_severity", lang), "message": t("rep_message", lang)}
    out = frame.drop(columns=["code"], errors="ignore").rename(columns=cols)
    sev = cols["severity"]
    if sev in out.columns:
        out[sev] = [t(_SEVERITY_KEYS[v], lang) if v in _SEVERITY_KEYS else v for v in out[sev]]
    for c in (cols["file"], cols["column"], cols["message"]):
        if c in out.columns:
            out[c] = out[c].astype(object).where(out[c].notna(), "")
    if cols["row"] in out.columns:  # a file-level note has no row: blank, not the grid's "None"
        out[cols["row"]] = ["" if pd.isna(v) else str(v) for v in out[cols["row"]]]
    return out


def workspace_table(entries: Sequence[Any], lang: str = "zh") -> pd.DataFrame:
    """What the workspace holds (its ``entries()``) with headers and kinds in ``lang``.

    Parameters
    ----------
    entries : sequence
        ``Workspace.entries()``.
    lang : {"zh", "en"}

    Returns
    -------
    DataFrame
        Kind, name, version, saved at, rows, file.
    """
    def kind(k: str) -> str:
        key = f"ws_kind_{k}"
        return t(key, lang) if key in STRINGS else str(k)

    return pd.DataFrame({
        t("ws_col_kind", lang): [kind(e.kind) for e in entries],
        t("ws_col_name", lang): [input_label(e.name, lang) if e.kind != "scenario" else e.name for e in entries],
        t("ws_col_version", lang): [e.version for e in entries],
        t("ws_col_saved_at", lang): [e.saved_at for e in entries],
        t("ws_col_rows", lang): [e.n_rows for e in entries],
        t("ws_col_file", lang): [e.source_name or "" for e in entries],
    })


def caveat(region: Any, layers: Sequence[str] | None, lang: str = "zh") -> str:
    """The mark that travels with a figure computed from modelled or illustrative inputs.

    Parameters
    ----------
    region : Region
    layers : sequence of str, optional
        The facility layers the figure uses (``Region.modelled_inputs(layers)``).
    lang : {"zh", "en"}

    Returns
    -------
    str
        Empty when every input the figure uses is real or uploaded; ``"ᵃ示意数据"`` when one of
        them is illustrative, else ``"ᵃ推算数据"`` (in ``lang``).
    """
    modelled = region.modelled_inputs(layers)
    if not modelled:
        return ""
    prov = region.provenance_for(layers)
    kind = "illustrative" if any(prov.get(k) == "illustrative" for k in modelled) else "modelled"
    return t(f"caveat_{kind}", lang)


def with_caveat(table: pd.DataFrame, mark: str, lang: str = "zh") -> pd.DataFrame:
    """``table`` with a last column saying the figures rest on modelled data.

    Parameters
    ----------
    table : DataFrame
    mark : str
        :func:`caveat`.
    lang : {"zh", "en"}

    Returns
    -------
    DataFrame
        ``table`` itself when ``mark`` is empty.
    """
    if not mark:
        return table
    return table.assign(**{t("caveat_column", lang): mark})


def csv_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as CSV bytes for a download (UTF-8 with BOM, so Excel reads the Chinese).

    Parameters
    ----------
    table : DataFrame

    Returns
    -------
    bytes
    """
    return table.to_csv(index=False).encode("utf-8-sig")


def review_table(result: Any, level: str, lang: str = "zh") -> pd.DataFrame:
    """The annual review rows of one level for display (:func:`coverage.review.review_table`).

    Parameters
    ----------
    result : ReviewResult
    level : str
        ``city``, ``district`` or ``town``.
    lang : {"zh", "en"}

    Returns
    -------
    DataFrame
    """
    return review.review_table(result, lang, level)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


#: Invisible U+2060 WORD JOINER put inside what Markdown would turn into a link.
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(www|@|//)")


def md_text(text: Any) -> str:
    """``text`` shown literally in Markdown.

    Syntax is escaped (Streamlit ``:color[]`` / emoji too) and autolinks broken (``http://``,
    ``www.``, e-mail addresses get an invisible word joiner), so a name, address, file or scenario
    name never becomes a link.

    Parameters
    ----------
    text : any
        Shown as ``str(text)``.

    Returns
    -------
    str
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text))
    return _AUTOLINK.sub(lambda m: m.group(1)[0] + _JOINER + m.group(1)[1:] if len(m.group(1)) > 1
                         else _JOINER + m.group(1) + _JOINER, escaped)


def rate_text(rate: float) -> str:
    """A rate as people read it (:func:`coverage.describe.percent`: one decimal, ``"—"`` when undefined).

    Parameters
    ----------
    rate : float
        0-1 (NaN: undefined).

    Returns
    -------
    str
    """
    return describe.percent(rate)

