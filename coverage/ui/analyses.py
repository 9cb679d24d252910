"""The app's analyses tab: capacity-aware accessibility, equity, the plan's trajectory, the community level.

The figures come from the library, unchanged: accessibility and equity from the one analysis
object (:meth:`coverage.analysis.Analysis.accessibility` / :meth:`~coverage.analysis.Analysis.equity`
of the data as loaded under the standard chosen — the app passes its own, so the tab shares its
reach and caches), :func:`coverage.review.trajectory` and :mod:`coverage.community` (with
:func:`coverage.io.communities.read_communities` for the uploaded 村/社区 layer). This module
turns their results into tables and charts in the page language (:mod:`coverage.i18n`, keys ``ana.*``);
the caveat mark next to a figure comes from ``Region.modelled_inputs`` (:func:`coverage.ui.views.caveat`).

Cost: nothing is computed until the planner presses a section's *Compute* button; the results are
cached per process (in the :class:`~coverage.analysis.Analysis` of the data version, layer and
standard chosen, per method and capacity; ``st.cache_resource`` for the year and the community
upload), so a later run of the page only redraws them. A change in the sidebar (layer, standard) or of the data asks
for a new press rather than recomputing on every run; a change of method or capacity inside a
section recomputes at once (the catchment costs are reused across methods).

The pure table builders (``access_frame``, ``equity_frame``, ``worst_frame``, ``trajectory_chart_data``,
``community_frame``, …) take a result and return a :class:`pandas.DataFrame` with headers in the page
language and raw numbers (formatted by the page), so tests compare them with the library's values.
"""

from __future__ import annotations

import math
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from coverage import settings
from coverage.access import CAPACITY_COLUMNS, COUNT_CAPACITY, AccessMethod, AccessResult, resolve_capacity
from coverage.analysis import Analysis
from coverage.describe import PERCENT_FORMAT, percent, percent_points
from coverage.community import (
    CommunityCircle,
    CommunityCoverage,
    CommunityIndicator,
    community_circle,
    community_coverage,
    community_indicators,
)
from coverage.equity import EquityResult
from coverage.errors import CapacityError
from coverage.i18n import error_words, indicator_name, layer_name, served_name, t
from coverage.io.communities import read_communities
from coverage.io.report import DataImportError, ImportReport
from coverage.layers import get_layer
from coverage.review import load_targets, trajectory, trajectory_table
from coverage.ui.views import caveat, district_names, md_text, report_table, town_names
from coverage.ui.widgets import file_input, lang_select, number_columns
from coverage.workspace import Workspace, WorkspaceError, storable_name

__all__ = [
    "COMMUNITY_LAYER_ID",
    "COMMUNITY_SESSION_KEY",
    "METHODS",
    "SECTIONS",
    "CommunityUpload",
    "capacity_options",
    "access_frame",
    "equity_frame",
    "worst_frame",
    "trajectory_chart_data",
    "community_frame",
    "community_district_frame",
    "circle_frame",
    "indicator_frame",
    "load_community_upload",
    "analyses_tab",
    "access_section",
    "equity_section",
    "trajectory_section",
    "community_section",
]

#: Name under which the uploaded community layer is kept in the workspace (``Workspace.save_layer``).
COMMUNITY_LAYER_ID = "communities"
#: Accessibility methods offered, in order.
METHODS: tuple[str, ...] = tuple(m.value for m in AccessMethod)
#: The tab's sections, in order.
SECTIONS: tuple[str, ...] = ("access", "equity", "trajectory", "community")
#: Community file types offered by the uploader.
COMMUNITY_TYPES = ["csv", "xlsx", "geojson", "json", "gpkg", "zip"]
#: Coordinate systems offered for community files (CGCS2000 / 天地图 is WGS-84 to < 1 m).
CRS_CHOICES = ("wgs84", "gcj02", "bd09")
#: Colours of the trajectory chart: measured value, 2023 target, 2025 target, the plan's 2020 figure
#: (those of the report's chart, :mod:`coverage.report.charts`).
TRAJECTORY_COLOURS = ("#1d3557", "#f4a261", "#d62828", "#6c757d")
#: Session-state key of the community layer in use (a :class:`CommunityUpload`).
COMMUNITY_SESSION_KEY = "ana_communities"


@dataclass(frozen=True)
class CommunityUpload:
    """An imported community layer kept in the session.

    Attributes
    ----------
    units : GeoDataFrame
        :func:`coverage.io.communities.read_communities` output.
    report : ImportReport or None
    file : str
        Name of the uploaded file.
    token : str
        Identifies this upload in cache keys.
    """

    units: gpd.GeoDataFrame
    report: ImportReport | None
    file: str
    token: str


# --------------------------------------------------------------------------- names and formats


def _area_name(area: Any, lang: str) -> str:
    return t(f"core_area_{area}", lang) if str(area) in ("urban", "rural") else ""


def _capacity_name(capacity: str, lang: str) -> str:
    key = f"access.capacity.{capacity}"
    try:
        return t(key, lang)
    except KeyError:
        return capacity


def _group_name(served_column: str, lang: str) -> str:
    return served_name(served_column, lang)


def _number(value: float, digits: int = 1) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:,.{digits}f}"


def _indicator_names(lang: str) -> dict[str, str]:
    table = load_targets()
    return {str(r.indicator_id): indicator_name(r.indicator_zh, r.indicator_en, lang)
            for r in table.itertuples(index=False)}  # fmt: skip


def capacity_options(region: Any, layer_id: str) -> list[str]:
    """The capacity columns of ``layer_id`` that hold values (empty: the layer has none)."""
    gdf = region.facilities.get(layer_id)
    out = []
    for column in CAPACITY_COLUMNS:
        try:
            out.append(resolve_capacity(gdf, column, layer_id))
        except CapacityError:
            continue
    return out


# --------------------------------------------------------------------------- table builders


def access_frame(result: AccessResult, region: Any, lang: str = "zh", level: str = "town") -> pd.DataFrame:
    """Accessibility per town (``level="town"``) or per district and city (``level="district"``).

    Columns: place (town / district names in ``lang``; towns also district and area type), served
    people, share of them with any facility in reach (0-1), the people-weighted mean within reach
    per 1,000, P10 / median / P90, and the capacity located in the area per 1,000.
    """
    v = result.value_column
    table = result.table
    if level == "town":
        rows = table[table["level"] == "town"]
        towns, districts = town_names(region, lang), district_names(region, lang)
        head = {
            t("town", lang): [towns.get(str(c), z) for c, z in zip(rows["town_code"], rows["town_zh"])],
            t("district", lang): [districts.get(str(c), z) for c, z in zip(rows["district_code"], rows["district_zh"])],
            t("ana.col.area_type", lang): [_area_name(a, lang) for a in rows["area_type"]],
        }  # fmt: skip
    else:
        rows = table[table["level"].isin(["district", "city"])]
        districts = district_names(region, lang)
        head = {t("ana.col.level", lang): [
            t("city", lang) if lvl == "city" else districts.get(str(c), z)
            for lvl, c, z in zip(rows["level"], rows["district_code"], rows["district_zh"])]}  # fmt: skip
    served = rows["served"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        reached = np.where(served > 0, rows["served_with_access"].to_numpy(dtype=float) / served, np.nan)
    body = {
        t("ana.col.served", lang): served,
        t("ana.col.reached_share", lang): reached,
        t("ana.col.mean", lang): rows[v].to_numpy(dtype=float),
        t("ana.col.p10", lang): rows[f"{v}_p10"].to_numpy(dtype=float),
        t("ana.col.median", lang): rows[f"{v}_median"].to_numpy(dtype=float),
        t("ana.col.p90", lang): rows[f"{v}_p90"].to_numpy(dtype=float),
        t("ana.col.in_unit", lang): rows[f"{v}_in_unit"].to_numpy(dtype=float),
    }
    return pd.DataFrame({**head, **body})


def equity_frame(result: EquityResult, region: Any, lang: str = "zh") -> pd.DataFrame:
    """The equity groups (街道 / 镇, each district, the city) with rates 0-1 and the mean accessibility."""
    districts = district_names(region, lang)
    g = result.groups

    def label(kind: str, group: str, name: Any) -> str:
        if kind == "area_type":
            return _area_name(group, lang)
        if kind == "city":
            return t("city", lang)
        return districts.get(str(group), str(name))

    factor = f"{result.far_factor:g}"
    return pd.DataFrame({
        t("ana.col.group", lang): [label(k, gr, n) for k, gr, n in zip(g["group_kind"], g["group"], g["district_zh"])],
        t("ana.col.served", lang): g["served"].to_numpy(dtype=float),
        t("ana.col.coverage", lang): g["coverage_rate"].to_numpy(dtype=float),
        t("ana.col.beyond", lang): g["share_beyond_standard"].to_numpy(dtype=float),
        t("ana.col.beyond2", lang, factor=factor): g["share_beyond_2x_standard"].to_numpy(dtype=float),
        t("ana.col.mean", lang): g[result.value_column].to_numpy(dtype=float),
        t("ana.col.gini", lang): g["gini_access"].to_numpy(dtype=float),
    })  # fmt: skip


def worst_frame(result: EquityResult, region: Any, lang: str = "zh") -> pd.DataFrame:
    """The worst-served towns, ranked (names in ``lang``)."""
    w = result.worst_towns
    towns, districts = town_names(region, lang), district_names(region, lang)
    factor = f"{result.far_factor:g}"
    return pd.DataFrame({
        t("ana.col.rank", lang): w["rank"].astype(int).to_numpy(),
        t("town", lang): [towns.get(str(c), z) for c, z in zip(w["town_code"], w["town_zh"])],
        t("district", lang): [districts.get(str(c), z) for c, z in zip(w["district_code"], w["district_zh"])],
        t("ana.col.area_type", lang): [_area_name(a, lang) for a in w["area_type"]],
        t("ana.col.served", lang): w["served"].to_numpy(dtype=float),
        t("ana.col.coverage", lang): w["coverage_rate"].to_numpy(dtype=float),
        t("ana.col.beyond2", lang, factor=factor): w["share_beyond_2x_standard"].to_numpy(dtype=float),
        t("ana.col.mean", lang): w[result.value_column].to_numpy(dtype=float),
    })  # fmt: skip


def trajectory_chart_data(frame: pd.DataFrame, indicator_id: str, lang: str = "zh") -> pd.DataFrame:
    """One indicator's path and milestones as chart rows: ``year, value, series, kind``.

    ``kind`` is ``value`` (the measured value per year), ``target`` (the 2023 / 2025 milestones, at
    their year) or ``plan_2020`` (the plan's own 2020 figure, when the frame has ``actual_2020``).
    Rates stay 0-1.
    """
    df = frame[frame["indicator_id"] == indicator_id].sort_values("year")
    rows = [{"year": int(y), "value": float(v), "series": t("ana.trajectory.value", lang), "kind": "value"}
            for y, v in zip(df["year"], pd.to_numeric(df["value"], errors="coerce")) if np.isfinite(v)]
    if len(df):
        first = df.iloc[0]
        for year in (2023, 2025):
            target = first[f"target_{year}"]
            if not pd.isna(target):
                rows.append({"year": year, "value": float(target),
                             "series": t("ana.trajectory.target", lang, year=year), "kind": "target"})
        actual = first.get("actual_2020")
        if actual is not None and not pd.isna(actual):
            rows.append({"year": 2020, "value": float(actual), "series": t("report.chart.plan_2020", lang),
                         "kind": "plan_2020"})
    return pd.DataFrame(rows, columns=["year", "value", "series", "kind"])


def community_frame(result: CommunityCoverage, region: Any, lang: str = "zh") -> pd.DataFrame:
    """Per community: name, town, district, rule, facilities inside (polygons), covered."""
    c = result.communities
    towns, districts = town_names(region, lang), district_names(region, lang)
    return pd.DataFrame({
        t("ana.col.community", lang): c["community_zh"].astype(str).to_numpy(),
        t("town", lang): [towns.get(str(x), "") for x in c["town_code"]],
        t("district", lang): [districts.get(str(x), "") for x in c["district_code"]],
        t("ana.col.rule", lang): [t(f"community.rule.{r}", lang) for r in c["rule"]],
        t("ana.col.inside", lang): ["—" if pd.isna(v) else str(int(v)) for v in c["facilities_inside"]],
        t("ana.col.covered", lang): [t("ana.yes" if v else "ana.no", lang) for v in c["covered"]],
    })  # fmt: skip


def community_district_frame(result: CommunityCoverage, region: Any, lang: str = "zh") -> pd.DataFrame:
    """Communities and those with a facility per district (districts without communities left out) and city."""
    tab = result.table
    rows = tab[(tab["level"] == "city") | ((tab["level"] == "district") & (tab["communities"] > 0))]
    districts = district_names(region, lang)
    return pd.DataFrame({
        t("ana.col.level", lang): [t("city", lang) if lvl == "city" else districts.get(str(c), str(c))
                                   for lvl, c in zip(rows["level"], rows["district_code"])],
        t("ana.col.communities", lang): rows["communities"].astype(int).to_numpy(),
        t("ana.col.communities_with", lang): rows["communities_with"].astype(int).to_numpy(),
        t("ana.col.share", lang): rows["share"].to_numpy(dtype=float),
    })  # fmt: skip


def circle_frame(result: CommunityCircle, region: Any, lang: str = "zh") -> pd.DataFrame:
    """Per community: served people, those within the standard, and the rate (0-1)."""
    c = result.communities
    towns = town_names(region, lang)
    return pd.DataFrame({
        t("ana.col.community", lang): c["community_zh"].astype(str).to_numpy(),
        t("town", lang): [towns.get(str(x), "") for x in c["town_code"]],
        t("ana.col.served", lang): c["served"].to_numpy(dtype=float),
        t("ana.col.covered_pop", lang): c["covered"].to_numpy(dtype=float),
        t("ana.col.rate", lang): c["rate"].to_numpy(dtype=float),
    })  # fmt: skip


def indicator_frame(indicators: Sequence[CommunityIndicator], lang: str = "zh") -> pd.DataFrame:
    """The plan's community indicators: name, communities counted, value and target (percentages,
    ``—`` where there is none), status in ``lang``."""
    def status(ind: CommunityIndicator) -> str:
        if ind.met is not None:
            return t(f"community.met.{str(bool(ind.met)).lower()}", lang)
        return t(f"community.status.{ind.status.value}", lang)

    return pd.DataFrame({
        t("ana.col.indicator", lang): [t(f"community.indicator.{i.indicator_id}", lang) for i in indicators],
        t("ana.col.communities", lang): [int(i.communities) for i in indicators],
        t("ana.col.communities_with", lang): [int(i.communities_with) for i in indicators],
        t("ana.col.value", lang): [percent(float(i.value)) for i in indicators],
        t("ana.col.target", lang): [percent(float(i.target)) for i in indicators],
        t("ana.col.status", lang): [status(i) for i in indicators],
    })  # fmt: skip


# --------------------------------------------------------------------------- community upload


def load_community_upload(region: Any, name: str, data: bytes, crs: str = "wgs84") -> CommunityUpload:
    """Read an uploaded community file (its bytes) against ``region``'s towns.

    The file keeps its own name (its extension decides the reader; the report names it), in a
    directory of its own.

    Raises
    ------
    DataImportError
        Listing every bad row (file, row, column).
    """
    folder = Path(tempfile.mkdtemp(prefix="coverage-communities-"))
    path = folder / storable_name(name, fallback="communities")  # any name a browser sends (≤ 200 bytes)
    path.write_bytes(data)
    units, report = read_communities(path, crs, towns=region.towns)
    return CommunityUpload(units, report, path.name, uuid.uuid4().hex)


def _restore_upload(ws: Workspace | None) -> None:
    """Once per session: take the community layer saved in the workspace, if any."""
    if "ana_communities_checked" in st.session_state:
        return
    st.session_state["ana_communities_checked"] = True
    if ws is None or COMMUNITY_SESSION_KEY in st.session_state:
        return
    try:
        if COMMUNITY_LAYER_ID not in ws.layers():
            return
        stored = ws.load_layer(COMMUNITY_LAYER_ID)
    except (WorkspaceError, KeyError):
        return
    try:
        report = stored.import_report()
    except ValueError:
        report = None
    units = gpd.GeoDataFrame(stored.data, geometry="geometry", crs=stored.data.crs)
    name = stored.source_name or COMMUNITY_LAYER_ID
    st.session_state[COMMUNITY_SESSION_KEY] = CommunityUpload(units, report, name, f"ws-{stored.version}")


# --------------------------------------------------------------------------- cached computations


@st.cache_resource(show_spinner=False, max_entries=8)
def _shared_analysis(_region: Any, _standards: Any, key: tuple) -> Analysis:
    """The analysis of the data as loaded under the standard chosen (``key``: :func:`_base`); its
    results (catchment costs, accessibility per method and capacity, equity) are cached inside it."""
    return Analysis(_region, _standards)


def _analysis(ctx: dict[str, Any], region: Any, base: tuple, analysis: Analysis | None) -> Analysis:
    """``analysis`` (the app's, of the data as loaded) when given, else the tab's own for ``base``."""
    return analysis if analysis is not None else _shared_analysis(region, ctx["standards"], base)


@st.cache_resource(show_spinner=False, max_entries=8)
def _trajectory(_region: Any, _standards: Any, year: int, key: tuple) -> pd.DataFrame:
    return trajectory(_region, year, _standards)


@st.cache_resource(show_spinner=False, max_entries=8)
def _community(_region: Any, _standards: Any, _units: Any, layer_id: str, year: int, key: tuple) -> dict[str, Any]:
    return {
        "coverage": community_coverage(_region, layer_id, _units, _standards),
        "circle": community_circle(_region, _units, layer_id, _standards),
        "indicators": community_indicators(_region, _units, year, _standards),
    }


# --------------------------------------------------------------------------- page pieces


def _ready(name: str, base: tuple, lang: str) -> bool:
    """Whether the section ``name`` was computed for ``base`` (else its *Compute* button, pressed or not)."""
    state_key = f"ana_{name}_base"
    if st.session_state.get(state_key) == base:
        return True
    if state_key in st.session_state:
        st.caption(t("ana.stale", lang))
    if st.button(t("ana.compute", lang), key=f"ana_{name}_compute"):
        st.session_state[state_key] = base
        return True
    st.caption(t("ana.compute_hint", lang))
    return False


def _pct_config(*labels: str) -> dict[str, Any]:
    """Rate columns shown as percent points with one decimal (:data:`coverage.describe.PERCENT_FORMAT`);
    pass the frame through :func:`_points` first."""
    return number_columns(dict.fromkeys(labels, PERCENT_FORMAT))


def _points(frame: pd.DataFrame, *labels: str) -> pd.DataFrame:
    """``frame`` with its rate columns ``labels`` (fractions 0-1) as percent points (:func:`percent_points`)."""
    out = frame.copy()
    for c in labels:
        if c in out.columns:
            out[c] = percent_points(out[c])
    return out


def _num_config(fmt: str, *labels: str) -> dict[str, Any]:
    """Number columns ``labels`` shown with Streamlit's format ``fmt`` (e.g. ``"localized"``)."""
    return number_columns(dict.fromkeys(labels, fmt))


def _base(ctx: dict[str, Any], version: tuple) -> tuple:
    """What a section's figures depend on: the data version (``persist.workspace_stamp``: the region's
    data, not the community layer, which only the community section reads), the layer and the
    standard chosen."""
    return (version, ctx["layer"], ctx.get("mode"), ctx.get("minutes"))


def _method_and_capacity(region: Any, layer_id: str, lang: str) -> tuple[str, str]:
    """The method and capacity selectors (with the no-capacity message when the layer has none)."""
    options = capacity_options(region, layer_id)
    c1, c2 = st.columns(2)
    method = lang_select(c1, t("ana.access.method", lang), METHODS, "ana_method", lang,
                         format_func=lambda m: t(f"access.method.{m}", lang))
    if not options:
        st.info(t("ana.access.no_capacity", lang, layer=layer_name(layer_id, lang)))
        options = [COUNT_CAPACITY]
    capacity = lang_select(c2, t("ana.access.capacity", lang), options, f"ana_capacity_{layer_id}", lang,
                           format_func=lambda c: _capacity_name(c, lang), disabled=len(options) == 1)
    return str(method), str(capacity)


def access_section(ctx: dict[str, Any], region: Any, version: tuple = (), analysis: Analysis | None = None) -> None:
    """Accessibility of the sidebar's layer: method and capacity choice, per-town table and chart, plan ratio.

    ``analysis``: the :class:`~coverage.analysis.Analysis` of ``region`` as loaded under ``ctx["standards"]``
    (default: one kept per data version, layer and standard chosen).
    """
    lang, layer_id = ctx["lang"], ctx["layer"]
    method, capacity = _method_and_capacity(region, layer_id, lang)
    base = _base(ctx, version)
    if not _ready("access", base, lang):
        return
    with st.spinner(t("ana.running", lang)):
        result = _analysis(ctx, region, base, analysis).accessibility(layer_id, method, capacity)
    mark = caveat(region, [layer_id], lang)
    group = _group_name(result.served_column, lang)
    cap = _capacity_name(result.capacity, lang)
    city = result.table[result.table["level"] == "city"].iloc[0]
    c1, c2, c3 = st.columns(3)
    note = region.provenance_note(lang, layers=[layer_id])
    c1.metric(f"{t('ana.access.city_ratio', lang, group=group, capacity=cap)} {mark}".strip(),
              _number(result.city_ratio), help=note)
    served = float(city["served"])
    c2.metric(f"{t('ana.access.reached', lang, group=group)} {mark}".strip(),
              percent(float(city["served_with_access"]) / served if served > 0 else float("nan")), help=note)
    indicator = city["plan_indicator"]
    target = float(city["plan_target"])
    if not pd.isna(indicator):
        name = _indicator_names(lang).get(str(indicator), str(indicator))
        value = float(city[f"{result.value_column}_in_unit"])
        gap = target - value if np.isfinite(target) else float("nan")
        c3.metric(f"{t('ana.access.plan', lang, name=name)} {mark}".strip(), _number(value),
                  delta=(t("ana.access.plan_target", lang, value=_number(target)) if np.isfinite(target) else None),
                  delta_color="off", delta_arrow="off", help=note)
        if np.isfinite(gap) and gap > 0:
            c3.caption(t("ana.access.plan_gap", lang, value=_number(gap)))
    if result.facilities_without_capacity:
        st.caption(t("ana.access.without_capacity", lang, n=result.facilities_without_capacity, capacity=cap))
    labels = [f"{t(f'core_area_{a}', lang)}: {s.label(lang)}" for a, s in result.standard.items()]
    st.caption("; ".join(labels + [t(f"access.cost_mode.{result.cost_mode}", lang), t("ana.as_loaded", lang)]))
    towns = access_frame(result, region, lang, "town")
    mean_col = t("ana.col.mean", lang)
    _access_chart(towns, result, lang, mark, target)
    value_cols = [mean_col] + [t(k, lang) for k in ("ana.col.p10", "ana.col.median", "ana.col.p90", "ana.col.in_unit")]
    config = {**_num_config("%.1f", *value_cols), **_num_config("localized", t("ana.col.served", lang)),
              **_pct_config(t("ana.col.reached_share", lang))}
    st.markdown(f"**{t('ana.per_district', lang)}** {mark}")
    reached = t("ana.col.reached_share", lang)
    st.dataframe(_points(access_frame(result, region, lang, "district"), reached), hide_index=True, column_config=config,
                 key="ana_access_districts")
    st.markdown(f"**{t('ana.per_town', lang)}** {mark}")
    st.dataframe(_points(towns.sort_values(mean_col, kind="stable"), reached), hide_index=True, column_config=config,
                 key="ana_access_towns")


def _access_chart(towns: pd.DataFrame, result: AccessResult, lang: str, mark: str, target: float) -> None:
    town, mean = t("town", lang), t("ana.col.mean", lang)
    data = towns[[town, mean]].dropna().rename(columns={town: "town", mean: "value"})
    group, cap = _group_name(result.served_column, lang), _capacity_name(result.capacity, lang)
    title = f"{t('ana.access.title', lang, group=group, capacity=cap)} {mark}".strip()
    bars = (alt.Chart(data).mark_bar(color="#3182bd")
            .encode(x=alt.X("value:Q", title=t("ana.access.value", lang, group=group, capacity=cap)),
                    y=alt.Y("town:N", sort="x", title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
                    tooltip=[alt.Tooltip("town:N", title=t("town", lang)),
                             alt.Tooltip("value:Q", format=",.1f", title=mean)]))  # fmt: skip
    lines = [{"value": result.city_ratio, "label": t("ana.access.city_line", lang, value=_number(result.city_ratio))}]
    if np.isfinite(target):
        lines.append({"value": target, "label": t("ana.access.target_line", lang, value=_number(target))})
    rules = (alt.Chart(pd.DataFrame(lines)).mark_rule(strokeDash=[4, 3], size=2)
             .encode(x="value:Q", color=alt.Color("label:N", title=None, legend=alt.Legend(orient="top"),
                                                  scale=alt.Scale(range=["#333333", "#d62828"]))))  # fmt: skip
    chart = alt.layer(bars, rules).properties(title=title, height=max(160, 14 * len(data)))
    st.altair_chart(chart, width="stretch")


def equity_section(ctx: dict[str, Any], region: Any, version: tuple = (), analysis: Analysis | None = None) -> None:
    """Equity of the sidebar's layer: 街道 vs 镇 and districts, shares beyond 1× / 2× the standard,
    Gini / Theil, the worst-served towns, a chart (``analysis`` as for :func:`access_section`)."""
    lang, layer_id = ctx["lang"], ctx["layer"]
    method, capacity = _method_and_capacity(region, layer_id, lang)
    base = _base(ctx, version)
    if not _ready("equity", base, lang):
        return
    with st.spinner(t("ana.running", lang)):
        result = _analysis(ctx, region, base, analysis).equity(layer_id, method, capacity)
    mark = caveat(region, [layer_id], lang)
    note = region.provenance_note(lang, layers=[layer_id])
    c1, c2, c3 = st.columns(3)
    c1.metric(f"{t('ana.equity.gini', lang)} {mark}".strip(), _number(result.gini, 3), help=note)
    c2.metric(f"{t('ana.equity.gini_covered', lang)} {mark}".strip(), _number(result.gini_covered, 3), help=note)
    c3.metric(f"{t('ana.equity.theil', lang)} {mark}".strip(), _number(result.theil, 3), help=note)
    labels = [f"{t(f'core_area_{a}', lang)}: {s.label(lang)}" for a, s in result.standard.items()]
    st.caption("; ".join(labels + [t(f"access.method.{result.access.method.value}", lang),
                                   t(f"access.cost_mode.{result.cost_mode}", lang), t("ana.as_loaded", lang)]))
    groups = equity_frame(result, region, lang)
    factor = f"{result.far_factor:g}"
    rates = [t("ana.col.coverage", lang), t("ana.col.beyond", lang), t("ana.col.beyond2", lang, factor=factor)]
    _equity_chart(groups, rates, lang, mark)
    config = {**_pct_config(*rates), **_num_config("localized", t("ana.col.served", lang)),
              **_num_config("%.2f", t("ana.col.mean", lang)), **_num_config("%.3f", t("ana.col.gini", lang))}
    areas = {a: t(f"core_area_{a}", lang) for a in ("urban", "rural")}
    st.markdown(f"**{t('ana.equity.groups', lang, **areas)}** {mark}")
    st.dataframe(_points(groups, *rates), hide_index=True, column_config=config, key="ana_equity_groups")
    worst = worst_frame(result, region, lang)
    share = f"{settings.EQUITY_WORST_SHARE:.0%}"
    st.markdown(f"**{t('ana.equity.worst', lang, n=len(worst), share=share)}** {mark}")
    st.dataframe(_points(worst, *rates), hide_index=True, column_config=config, key="ana_equity_worst")


def _equity_chart(groups: pd.DataFrame, rates: list[str], lang: str, mark: str) -> None:
    group = t("ana.col.group", lang)
    measure = t("ana.measure", lang)
    data = groups.melt(id_vars=[group], value_vars=rates, var_name=measure, value_name="share")
    data["%"] = percent_points(data["share"])
    chart = (alt.Chart(data, title=f"{t('ana.equity.chart', lang)} {mark}".strip()).mark_bar()
             .encode(x=alt.X(f"{group}:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
                     xOffset=alt.XOffset(f"{measure}:N", sort=rates),
                     y=alt.Y("%:Q", title="%", scale=alt.Scale(domain=[0, 100])),
                     color=alt.Color(f"{measure}:N", sort=rates, title=None, legend=alt.Legend(orient="top"),
                                     scale=alt.Scale(range=["#3182bd", "#fdae6b", "#d62728"])),
                     tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip(f"{measure}:N"),
                              alt.Tooltip("%:Q", format=".1f")])
             .properties(height=260))  # fmt: skip
    st.altair_chart(chart, width="stretch")


def trajectory_section(ctx: dict[str, Any], region: Any, version: tuple = ()) -> None:
    """Each measurable indicator year by year, 2020 → the review year, against its 2023 / 2025 milestones."""
    lang, year, standards = ctx["lang"], int(ctx["year"]), ctx["standards"]
    st.markdown(f"**{t('ana.trajectory.title', lang, year=year)}**")
    base = _base(ctx, version) + (year,)
    if not _ready("trajectory", base, lang):
        return
    with st.spinner(t("ana.running", lang)):
        frame = _trajectory(region, standards, year, base)
    if frame.empty:
        st.info(t("ana.trajectory.empty", lang))
        return
    ids = list(dict.fromkeys(frame["indicator_id"]))
    names = _indicator_names(lang)
    chosen = lang_select(st, t("ana.trajectory.indicator", lang), ids, "ana_trajectory_indicator", lang,
                         format_func=lambda i: names.get(i, i))
    rows = frame[frame["indicator_id"] == chosen]
    layer = rows["layer"].dropna()
    mark = caveat(region, [str(layer.iloc[0])] if len(layer) else None, lang)
    _trajectory_chart(trajectory_chart_data(frame, chosen, lang), str(rows["unit"].iloc[0]),
                      f"{names.get(chosen, chosen)} {mark}".strip(), lang)
    st.dataframe(trajectory_table(rows, lang), hide_index=True, key="ana_trajectory_table")


def _trajectory_chart(data: pd.DataFrame, unit: str, title: str, lang: str) -> None:
    rate = unit == "rate"
    data = data.assign(shown=data["value"] * (100 if rate else 1))
    y_title = "%" if rate else ""
    year = t("ana.col.year", lang)
    x = alt.X("year:O", title=year, axis=alt.Axis(labelAngle=0))
    # The axis runs past the largest value or target (labels stopped at 40 % while the values were
    # 47-55 %): an explicit domain with room above it, ticks every 10 points up to 100 % for rates.
    top = float(data["shown"].max()) if len(data) else 0.0
    upper = max(10.0, math.ceil(top * 1.15 / 10.0) * 10.0) if rate else max(1.0, top * 1.15)
    ticks = [v for v in range(0, 101, 10) if v <= upper] if rate else alt.Undefined
    y = alt.Y("shown:Q", title=y_title, scale=alt.Scale(domain=[0, upper], nice=False),
              axis=alt.Axis(values=ticks))
    tip = [alt.Tooltip("year:O", title=year), alt.Tooltip("series:N", title=t("ana.col.series", lang)),
           alt.Tooltip("shown:Q", format=".1f", title=y_title or t("ana.trajectory.value", lang))]
    series = [t("ana.trajectory.value", lang), t("ana.trajectory.target", lang, year=2023),
              t("ana.trajectory.target", lang, year=2025), t("report.chart.plan_2020", lang)]
    colour = alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                       scale=alt.Scale(domain=series, range=list(TRAJECTORY_COLOURS)))
    values = data[data["kind"] == "value"]
    targets = data[data["kind"] == "target"]
    plan = data[data["kind"] == "plan_2020"]
    line = alt.Chart(values).mark_line(point=True).encode(x=x, y=y, color=colour, tooltip=tip)
    layers = [line]
    if len(plan):
        layers.append(alt.Chart(plan).mark_point(shape="square", size=100, filled=False)
                      .encode(x=x, y=y, color=colour, tooltip=tip))
    if len(targets):
        layers.append(alt.Chart(targets).mark_point(shape="diamond", size=120, filled=True)
                      .encode(x=x, y=y, color=colour, tooltip=tip))
        layers.append(alt.Chart(targets).mark_rule(strokeDash=[4, 3]).encode(y=y, color=colour))
    st.altair_chart(alt.layer(*layers).properties(title=title, height=260), width="stretch")


def _community_upload(region: Any, lang: str, ws: Workspace | None) -> None:
    c1, c2 = st.columns([3, 1])
    upload = file_input(c1, t("ana.community.upload", lang), "ana_community_file", COMMUNITY_TYPES, lang)
    crs = lang_select(c2, t("upload_crs", lang), CRS_CHOICES, "ana_community_crs", lang,
                      format_func=lambda c: t(f"crs_{c}", lang))
    if upload is None or not st.button(t("ana.community.import", lang), key="ana_community_import"):
        return
    try:
        loaded = load_community_upload(region, upload.name, upload.getvalue(), crs)
    except DataImportError as exc:
        rep = exc.report
        st.error(t("ana.community.failed", lang, file=md_text(rep.file), errors=len(rep.errors)))
        st.dataframe(report_table(rep.to_frame(lang), lang), hide_index=True, key="ana_community_errors")
        return
    except (ValueError, OSError) as exc:
        st.error(t("upload_failed", lang, error=md_text(error_words(exc, lang))))
        return
    st.session_state[COMMUNITY_SESSION_KEY] = loaded
    if ws is not None:
        try:
            ws.save_layer(COMMUNITY_LAYER_ID, loaded.units, report=loaded.report, source_name=loaded.file)
        except (WorkspaceError, ValueError, OSError) as exc:
            st.warning(t("ana.community.not_saved", lang, error=md_text(error_words(exc, lang))))


def community_section(ctx: dict[str, Any], region: Any, version: tuple = (), ws: Workspace | None = None) -> None:
    """Upload a 村/社区 layer, then its unit coverage, the circle per community and the plan's community
    indicators; without an upload, a message that the figures need one."""
    lang, layer_id, standards, year = ctx["lang"], ctx["layer"], ctx["standards"], int(ctx["year"])
    _restore_upload(ws)
    _community_upload(region, lang, ws)
    upload: CommunityUpload | None = st.session_state.get(COMMUNITY_SESSION_KEY)
    if upload is None:
        st.info(t("ana.community.needs_upload", lang))
        return
    rep = upload.report
    st.caption(md_text(t("ana.community.loaded", lang, file=upload.file, n=len(upload.units))))
    if rep is not None:
        st.caption(md_text(t("report_summary", lang, file=rep.file, read=rep.rows_read, imported=rep.rows_imported,
                             errors=len(rep.errors), warnings=len(rep.warnings))))
        frame = rep.to_frame(lang)
        if not frame.empty:
            st.dataframe(report_table(frame, lang), hide_index=True, key="ana_community_report")
    base = _base(ctx, version) + (year, upload.token)
    if not _ready("community", base, lang):
        return
    with st.spinner(t("ana.running", lang)):
        res = _community(region, standards, upload.units, layer_id, year, base)
    cov, circle, indicators = res["coverage"], res["circle"], res["indicators"]
    mark = caveat(region, [layer_id], lang)
    n, k = len(cov.communities), int(cov.communities["covered"].sum())
    st.metric(f"{t('ana.community.coverage', lang, layer=layer_name(layer_id, lang))} {mark}".strip(),
              f"{k:,} / {n:,}", delta=percent(cov.share), delta_color="off", delta_arrow="off",
              help=region.provenance_note(lang, layers=[layer_id]))
    rules = sorted(set(cov.communities["rule"]))
    st.caption("; ".join([t("ana.community.rule", lang, rule=", ".join(t(f"community.rule.{r}", lang) for r in rules))]
                         + [f"{t(f'core_area_{a}', lang)}: {s.label(lang)}" for a, s in cov.standard.items()]))  # fmt: skip
    share = t("ana.col.share", lang)
    districts = community_district_frame(cov, region, lang)
    st.markdown(f"**{t('ana.community.per_district', lang)}** {mark}")
    st.dataframe(_points(districts, share), hide_index=True, column_config=_pct_config(share),
                 key="ana_community_districts")
    chart = districts.assign(**{"%": percent_points(districts[share])})
    place = t("ana.col.level", lang)
    st.altair_chart(alt.Chart(chart).mark_bar(color="#3182bd")
                    .encode(x=alt.X(f"{place}:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
                            y=alt.Y("%:Q", title="%", scale=alt.Scale(domain=[0, 100])),
                            tooltip=[alt.Tooltip(f"{place}:N"), alt.Tooltip("%:Q", format=".1f")])
                    .properties(height=200), width="stretch")  # fmt: skip
    st.markdown(f"**{t('ana.community.list', lang)}** {mark}")
    st.dataframe(community_frame(cov, region, lang), hide_index=True, key="ana_community_units")
    group = _group_name(get_layer(layer_id).served_column, lang)
    st.markdown(f"**{t('ana.community.circle', lang, group=group)}** {mark}")
    rate = t("ana.col.rate", lang)
    st.dataframe(_points(circle_frame(circle, region, lang), rate), hide_index=True,
                 column_config={**_pct_config(rate), **_num_config("localized", t("ana.col.served", lang),
                                                                    t("ana.col.covered_pop", lang))},
                 key="ana_community_circle")  # fmt: skip
    st.caption(t("ana.community.unassigned", lang, n=_number(circle.unassigned_served, 0)))
    ind_layers = [i.layer for i in indicators if i.layer]
    ind_mark = caveat(region, ind_layers, lang) if ind_layers else ""
    st.markdown(f"**{t('ana.community.indicators', lang, year=year)}** {ind_mark}")
    st.dataframe(indicator_frame(indicators, lang), hide_index=True, key="ana_community_indicators")


def analyses_tab(ctx: dict[str, Any], region: Any, version: tuple = (), ws: Workspace | None = None,
                 analysis: Analysis | None = None) -> None:
    """The tab: a section picker, then the one section chosen (only it is drawn).

    ``analysis``: the app's :class:`~coverage.analysis.Analysis` of ``region`` as loaded under the
    standard chosen (no what-if edits), whose results the accessibility and equity sections show.
    """
    lang = ctx["lang"]
    section = st.radio(t("ana.section", lang), SECTIONS, horizontal=True, key="ana_section",
                       format_func=lambda s: t(f"ana.section.{s}", lang), label_visibility="collapsed")
    if section == "access":
        access_section(ctx, region, version, analysis)
    elif section == "equity":
        equity_section(ctx, region, version, analysis)
    elif section == "trajectory":
        trajectory_section(ctx, region, version)
    else:
        community_section(ctx, region, version, ws)
