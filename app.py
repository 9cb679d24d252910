"""江门市民政设施 15 分钟服务覆盖规划 — the planner's map (Streamlit).

Run with ``streamlit run app.py`` (or ``bash scripts/run_app.sh``). Works offline: the map's
Leaflet is inlined and no basemap is drawn by default.

The page is a thin shell over the library: ``coverage.region`` (data), ``coverage.reach``
(service areas, incremental what-if), ``coverage.metrics`` (coverage), ``coverage.gaps``,
``coverage.siting``, ``coverage.review`` and ``coverage.io`` (uploads); the map is drawn by
``coverage.ui``. The default region and standards are cached per process (``st.cache_resource``);
the what-if scenario and the results derived from it (coverage, gap zones, service areas, review,
siting, their exports) live in ``st.session_state``, keyed by what they depend on, so a click on
the map recomputes only what changed. Set ``COVERAGE_APP_TIMING=1`` to print each step's time.

The planner's work is kept in the workspace (``coverage.workspace``; directory from
``COVERAGE_WORKSPACE``, else ``./workspace``), through ``coverage.ui.persist``: every upload that
imports (a failed one saves nothing), the standard chosen per layer, the what-if edits of every
layer (autosaved after each change as the scenario ``当前-autosave``) and named scenarios. A
restart reopens on the layer last edited, with its standard, edits and figures. The region in use
is the default one with the saved overrides applied, cached per process by the workspace's data
stamp (so an upload in one session reaches the others on their next run).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import streamlit as st

from coverage.layers import LAYERS, get_layer
from coverage.ui import map as cmap
from coverage.ui import persist
from coverage.i18n import LANGUAGES, layer_name, served_name, t
from coverage.workspace import Workspace, WorkspaceError, resolve_workspace_dir
from coverage.ui.views import (
    city_figures,
    coverage_table,
    input_label,
    map_layers,
    md_text,
    provenance_table,
    rate_text,
    review_table,
    scenario_facilities,
    sites_table,
    standard_override,
    town_rates,
)

st.set_page_config(page_title="江门民政设施覆盖规划", page_icon="🗺️", layout="wide")

MAP_KEY = "map"
MODES = ("walk", "bike", "drive")
YEARS = list(range(2020, 2031))


# --------------------------------------------------------------------------- timing

_TIMING = os.environ.get("COVERAGE_APP_TIMING") == "1"


@contextmanager
def timed(label: str):
    """With ``COVERAGE_APP_TIMING=1``, print how long ``label`` took to stderr."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if _TIMING:
            print(f"[timing] {label}: {time.perf_counter() - started:.3f}s", file=sys.stderr)


# --------------------------------------------------------------------------- modules


def _module(name: str) -> Any | None:
    """Import ``coverage.<name>`` or return None when it is not available yet."""
    try:
        return importlib.import_module(f"coverage.{name}")
    except ImportError:
        return None


def _missing(module: str, lang: str) -> None:
    st.info(t("not_available", lang, module=f"coverage.{module}"))


# --------------------------------------------------------------------------- cached loads


@st.cache_resource(show_spinner=False)
def default_region() -> Any:
    """The embedded Jiangmen region (read once per server process)."""
    from coverage.region import load_default

    return load_default()


@st.cache_resource(show_spinner=False)
def default_standards() -> Any:
    from coverage.standards import load_standards

    return load_standards()


@st.cache_resource(show_spinner=False)
def open_workspace(path: str) -> Workspace:
    """The workspace in directory ``path`` (one object per server process, shared by sessions)."""
    return Workspace.open(path)


@st.cache_resource(show_spinner=False, max_entries=4)
def restored_region(path: str, stamp: tuple) -> Any:
    """The default region with the overrides saved in workspace ``path`` (as of ``stamp``)."""
    return persist.region_from_workspace(open_workspace(path), default_region())


def workspace() -> Workspace:
    """The session's workspace: ``COVERAGE_WORKSPACE`` or ``./workspace``.

    When it cannot be opened (e.g. a damaged file), the error is shown and a temporary workspace
    is used for this session, so the app still works (nothing is kept after it ends).
    """
    ws = st.session_state.get("ws")
    if ws is not None:
        return ws
    try:
        ws = open_workspace(str(resolve_workspace_dir()))
    except (WorkspaceError, ValueError, OSError) as exc:
        st.session_state["ws_error"] = str(exc)
        ws = Workspace.open(tempfile.mkdtemp(prefix="coverage-workspace-"))
    st.session_state["ws"] = ws
    return ws


def init_session(ws: Workspace) -> None:
    """Once per session: the autosaved what-if edits, the saved standards and the layer last edited."""
    if st.session_state.get("ws_ready"):
        return
    st.session_state["ws_ready"] = True
    try:
        edits = ws.load_scenario(persist.AUTOSAVE)
    except KeyError:
        edits = []
    st.session_state["edits"] = edits
    st.session_state["std_saved"] = ws.load_standards()
    layer = persist.last_layer(edits)
    if layer is not None and "layer" not in st.session_state:
        st.session_state["layer"] = layer


def current_region() -> Any:
    """The region in use: the default one with the workspace's saved overrides applied.

    Also records the workspace's data stamp as the session's data version (every cache keyed by
    it is dropped when any session saves new data).
    """
    ws = workspace()
    stamp = persist.workspace_stamp(ws)
    st.session_state["data_version"] = stamp
    if not stamp:
        return default_region()
    return restored_region(str(ws.directory), stamp)


def _data_version() -> tuple:
    return st.session_state.get("data_version", ())


# --------------------------------------------------------------------------- scenario


def get_scenario(region: Any, layer_id: str, standards: Any, signature: tuple) -> Any:
    """The session's what-if scenario for this layer and standard (rebuilt when they change).

    A new scenario replays the layer's saved edits (``st.session_state["edits"]``, autosaved in
    the workspace), so edits survive a change of standard, of layer and a restart of the app.
    """
    from coverage.ui.scenario import Scenario

    key = (layer_id, signature, _data_version())
    current = st.session_state.get("scenario")
    if current is not None and st.session_state.get("scenario_key") == key:
        return current
    scenario = Scenario(region, layer_id, standards)
    problems = persist.replay(scenario, st.session_state.get("edits", []), layer_id)
    if problems:
        st.session_state["replay_problems"] = problems
    st.session_state["scenario"] = scenario
    st.session_state["scenario_key"] = key
    return scenario


def autosave(scenario: Any, layer_id: str) -> None:
    """Save the what-if edits when they changed (one small workspace transaction)."""
    edits = st.session_state.get("edits", [])
    current = persist.changes_from_edits(scenario.changes, layer_id)
    if current == [c for c in edits if c.get("layer") == layer_id]:
        return
    with timed("autosave"):
        ws = workspace()
        try:
            # Other layers' edits as saved now (another session may have changed them).
            saved = ws.load_scenario(persist.AUTOSAVE)
        except (KeyError, ValueError, OSError):
            saved = edits
        merged = [dict(c) for c in saved if c.get("layer") != layer_id] + current
        st.session_state["edits"] = merged
        try:
            ws.save_scenario(persist.AUTOSAVE, merged)
        except (ValueError, OSError) as exc:
            st.session_state["scenario_flash"] = ("error", str(exc))


def _save_named() -> None:
    """Button callback: save the edits of every layer under the name typed."""
    lang = st.session_state.get("lang", "zh")
    try:
        name = persist.check_scenario_name(st.session_state.get("scenario_name", ""))
        workspace().save_scenario(name, st.session_state.get("edits", []))
    except (ValueError, OSError) as exc:
        st.session_state["scenario_flash"] = ("error", t("scenario_save_failed", lang, error=str(exc)))
        return
    st.session_state["scenario_flash"] = ("success", t("scenario_saved", lang, name=name))


def _load_named() -> None:
    """Button callback: replace the edits by the saved scenario picked (and autosave them)."""
    lang = st.session_state.get("lang", "zh")
    name = st.session_state.get("scenario_pick")
    if not name:
        return
    ws = workspace()
    try:
        changes = ws.load_scenario(name)
        ws.save_scenario(persist.AUTOSAVE, changes)
    except (KeyError, ValueError, OSError) as exc:
        st.session_state["scenario_flash"] = ("error", t("scenario_load_failed", lang, error=str(exc)))
        return
    st.session_state["edits"] = changes
    for k in ("scenario", "scenario_key"):  # rebuilt on this run from the loaded edits
        st.session_state.pop(k, None)
    layer = persist.last_layer(changes)
    if layer is not None and not any(c.get("layer") == st.session_state.get("layer") for c in changes):
        st.session_state["layer"] = layer
    st.session_state["scenario_flash"] = ("success", t("scenario_loaded", lang, name=name, n=len(changes)))


def _delete_named() -> None:
    """Button callback: delete the saved scenario picked."""
    lang = st.session_state.get("lang", "zh")
    name = st.session_state.get("scenario_pick")
    if not name:
        return
    try:
        workspace().delete_scenario(name)
    except (KeyError, ValueError, OSError) as exc:
        st.session_state["scenario_flash"] = ("error", t("scenario_load_failed", lang, error=str(exc)))
        return
    st.session_state["scenario_flash"] = ("success", t("scenario_deleted", lang, name=name))


def scenario_store(lang: str) -> None:
    """Save / load / delete named scenarios."""
    st.markdown(f"**{t('scenarios_saved', lang)}**")
    st.text_input(t("scenario_name", lang), key="scenario_name", max_chars=120)
    st.button(t("save_scenario", lang), key="save_scenario", on_click=_save_named)
    names = [n for n in workspace().scenarios() if n != persist.AUTOSAVE]
    st.selectbox(t("saved_scenarios", lang), names, key="scenario_pick", index=None,
                 placeholder=t("none_selected", lang))
    b1, b2 = st.columns(2)
    picked = bool(st.session_state.get("scenario_pick"))
    b1.button(t("load_scenario", lang), key="load_scenario", disabled=not picked, on_click=_load_named)
    b2.button(t("delete_scenario", lang), key="delete_scenario", disabled=not picked, on_click=_delete_named)
    flash = st.session_state.pop("scenario_flash", None)
    if flash:
        (st.error if flash[0] == "error" else st.success)(md_text(flash[1]))


# --------------------------------------------------------------------------- sidebar


def sidebar(region: Any) -> dict[str, Any]:
    sb = st.sidebar
    lang = sb.radio(t("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang",
                    horizontal=True)
    sb.header(t("settings", lang))
    layer_id = sb.selectbox(t("layer", lang), list(LAYERS), key="layer",
                            format_func=lambda x: layer_name(x, lang))
    table = default_standards()
    base = table.get(layer_id, "urban")
    sb.subheader(t("standard", lang))
    saved = st.session_state.get("std_saved", {})
    saved_mode, saved_minutes = persist.standard_choice(saved, layer_id, base.mode, base.minutes)
    mode = sb.selectbox(t("mode", lang), MODES, index=MODES.index(saved_mode), key=f"mode_{layer_id}",
                        format_func=lambda m: t(m, lang))
    minutes = sb.number_input(t("minutes", lang), min_value=1, max_value=120, value=saved_minutes,
                              step=1, key=f"minutes_{layer_id}")
    standards = standard_override(table, layer_id, mode, minutes)
    chosen = persist.update_standards(saved, layer_id, mode, minutes, base.mode, base.minutes)
    if chosen != saved:  # remembered for the next session / restart
        try:
            # Merged into the standards saved now (another session may have changed other layers').
            chosen = persist.update_standards(workspace().load_standards(), layer_id, mode, minutes,
                                              base.mode, base.minutes)
            workspace().save_standards(chosen)
            st.session_state["std_saved"] = chosen
        except (ValueError, OSError) as exc:
            sb.error(t("error", lang, error=md_text(exc)))
    for area in ("urban", "rural"):
        sb.caption(f"{t(area, lang)}: {standards.get(layer_id, area).label(lang)}")
    year = sb.selectbox(t("year", lang), YEARS, index=YEARS.index(2025), key="year")

    sb.subheader(t("basemap", lang))
    basemap = sb.selectbox(t("basemap", lang), cmap.BASEMAPS, key="basemap", label_visibility="collapsed",
                           format_func=lambda b: t(f"basemap_{b}", lang))
    key = sb.text_input(t("tianditu_key", lang), key="tianditu_key", type="password") \
        if basemap == "tianditu" else None

    sb.subheader(t("sources", lang))
    prov = provenance_table(region.provenance, lang)
    marks = {"real": ":green[●]", "modelled": ":orange[●]", "illustrative": ":violet[●]",
             "uploaded": ":blue[●]", "none": ":gray[○]"}
    lines = [f"{marks.get(str(f).split(':')[0], ':gray[○]')} {r} — {s}"
             for r, s, f in prov.itertuples(index=False, name=None)]
    sb.markdown("  \n".join(lines))
    sb.caption(region.provenance_note(lang))
    return {"lang": lang, "layer": layer_id, "standards": standards, "mode": mode, "minutes": float(minutes),
            "year": int(year), "basemap": basemap, "tianditu_key": key}


# --------------------------------------------------------------------------- map + what-if


def _handle_click(out: dict | None, scenario: Any, basemap: str) -> bool:
    """Add a site for a new map click; returns True when the scenario changed."""
    if not out:
        return False
    click = out.get("last_clicked")
    if not click:
        return False
    point = (round(float(click["lng"]), 7), round(float(click["lat"]), 7))
    if st.session_state.get("last_click") == point:
        return False
    st.session_state["last_click"] = point
    lon, lat = cmap.to_wgs84(point[0], point[1], basemap)
    scenario.add_site(lon, lat)
    return True


def _remove_chosen(scenario: Any) -> None:
    """Button callback: remove the facility picked in the select box, then clear the box."""
    choice = st.session_state.get("remove_choice")
    if choice:
        scenario.remove_facility(choice)
    st.session_state["remove_choice"] = ""


def compute_service_areas(scenario: Any, lang: str) -> Any:
    """Dissolved service area of the scenario's facilities (cached until the scenario changes)."""
    try:
        from coverage.service_areas import service_areas_frame
    except ImportError:
        _missing("service_areas", lang)
        return None
    sig = scenario_signature(scenario)
    cached = st.session_state.get("service_cache")
    if cached and cached[0] == sig:
        return cached[1]
    areas = service_areas_frame(scenario.model, dissolve=True)
    st.session_state["service_cache"] = (sig, areas)
    return areas


def map_section(ctx: dict[str, Any], region: Any, scenario: Any, coverage: pd.DataFrame) -> None:
    lang, layer_id, basemap = ctx["lang"], ctx["layer"], ctx["basemap"]
    left, right = st.columns([3, 1])
    with right:
        show_service = st.checkbox(t("show_service", lang), key="show_service")
        show_gaps = st.checkbox(t("show_gaps", lang), key="show_gaps")
        st.markdown(f"**{t('scenario', lang)}**")
        if not scenario.changes:
            st.caption(t("scenario_empty", lang))
        for i, c in enumerate(scenario.changes, 1):
            if c.kind == "add":
                st.caption(f"{i}. + " + t("added_site", lang, lon=c.lon, lat=c.lat))
            else:
                st.caption(f"{i}. − " + t("removed_facility", lang, name=md_text(c.name or c.facility_id)))
        # Callbacks run before the next script run: the figures drawn then include the edit.
        b1, b2 = st.columns(2)
        b1.button(t("undo", lang), key="undo", disabled=not scenario.changes, on_click=scenario.undo)
        b2.button(t("reset", lang), key="reset", disabled=not scenario.changes, on_click=scenario.reset)
        problems = st.session_state.pop("replay_problems", None)
        if problems:
            st.warning(md_text(t("replay_skipped", lang, n=len(problems)) + " " + "; ".join(problems[:5])))
        active = scenario_facilities(scenario)
        options = [""] + active["facility_id"].astype(str).tolist()
        names = dict(zip(active["facility_id"].astype(str), active["name"].astype(str)))
        choice = st.selectbox(t("remove_facility", lang), options, key="remove_choice",
                              format_func=lambda f: t("none_selected", lang) if not f else f"{names[f]} ({f})")
        st.button(t("remove", lang), key="remove", disabled=not choice, on_click=_remove_chosen,
                  args=(scenario,))
        scenario_store(lang)

    with left:
        st.caption(t("map_hint", lang))
        towns = town_rates(region.towns, coverage)
        service = None
        if show_service:
            with st.spinner(t("computing", lang)):
                service = compute_service_areas(scenario, lang)
        gaps = None
        if show_gaps:
            gaps = compute_gaps(region, layer_id, scenario, lang)
        siting = st.session_state.get("siting")
        proposals = siting["sites"] if siting and siting["layer"] == layer_id else None
        try:
            base = cmap.offline_map(bounds=region.towns.total_bounds, basemap=basemap,
                                    tianditu_key=ctx["tianditu_key"])
        except cmap.BasemapError as exc:
            st.warning(t("basemap_error", lang, reason=str(exc)))
            basemap = "none"
            base = cmap.offline_map(bounds=region.towns.total_bounds)
        cmap.coverage_legend(t("coverage_rate", lang), t("no_served", lang)).add_to(base)
        groups = map_layers(region, layer_id, towns, scenario.active_facilities(),
                            added=scenario.added_sites(), service_areas=service, gaps=gaps,
                            proposals=proposals, lang=lang, basemap=basemap)
        from streamlit_folium import st_folium

        out = st_folium(base, key=MAP_KEY, height=560, use_container_width=True,
                        feature_group_to_add=groups, layer_control=folium.LayerControl(collapsed=True),
                        returned_objects=["last_clicked"])
        if _handle_click(out, scenario, basemap):  # a click the pre-run check did not see
            autosave(scenario, layer_id)
            st.rerun()


def scenario_signature(scenario: Any) -> tuple:
    """Identifies the scenario's state: its layer/standard/data key and its edits."""
    return (st.session_state.get("scenario_key"), tuple(scenario.changes))


def compute_gaps(region: Any, layer_id: str, scenario: Any, lang: str) -> Any:
    """Gap zones of the current scenario (kept for the session until the scenario changes)."""
    gaps_mod = _module("gaps")
    if gaps_mod is None:
        _missing("gaps", lang)
        return None
    sig = scenario_signature(scenario)
    cached = st.session_state.get("gaps_cache")
    if cached and cached[0] == sig:
        return cached[1]
    zones = gaps_mod.gap_zones(region, layer_id, reach=scenario.reach)
    from coverage.export import to_feature_collection

    geojson = json.dumps(to_feature_collection(zones), ensure_ascii=False).encode("utf-8")
    st.session_state["gaps_cache"] = (sig, zones, geojson)
    return zones


# --------------------------------------------------------------------------- tabs


def coverage_tab(ctx: dict[str, Any], region: Any, coverage: pd.DataFrame) -> None:
    lang = ctx["lang"]
    rate_col = t("coverage_rate", lang)
    config = {
        rate_col: st.column_config.ProgressColumn(rate_col, format="percent", min_value=0.0, max_value=1.0),
        t("served_pop", lang): st.column_config.NumberColumn(format="localized"),
        t("covered_pop", lang): st.column_config.NumberColumn(format="localized"),
    }
    st.markdown(f"**{t('per_district', lang)}**")
    st.dataframe(coverage_table(coverage, "district", lang, region), hide_index=True, column_config=config,
                 key="district_table")
    st.markdown(f"**{t('per_town', lang)}**")
    towns = coverage_table(coverage, "town", lang, region).sort_values(rate_col, na_position="first")
    st.dataframe(towns, hide_index=True, column_config=config, key="town_table")
    chart = towns.dropna(subset=[rate_col]).set_index(t("town", lang))[[rate_col]] * 100
    st.bar_chart(chart, y_label="%", height=320)


def gaps_tab(ctx: dict[str, Any], region: Any, scenario: Any) -> None:
    """Gap zones: computed at once for the data as loaded; after what-if edits, on request.

    (Recomputing them on every map click would slow the what-if loop; until the user asks, the
    zones shown are those before the latest edits, and the page says so.)
    """
    lang = ctx["lang"]
    sig = scenario_signature(scenario)
    cached = st.session_state.get("gaps_cache")
    if not (cached and cached[0] == sig) and not scenario.changes:
        with st.spinner(t("computing", lang)):
            compute_gaps(region, ctx["layer"], scenario, lang)
        cached = st.session_state.get("gaps_cache")
    fresh = bool(cached and cached[0] == sig)
    if scenario.changes and st.button(t("run_gaps", lang), key="run_gaps", disabled=fresh):
        with st.spinner(t("computing", lang)):
            compute_gaps(region, ctx["layer"], scenario, lang)
        cached = st.session_state.get("gaps_cache")
        fresh = True
    if not cached or cached[0][0] != sig[0]:  # nothing computed for this layer / standard / data
        st.caption(t("gaps_hint", lang))
        return
    if not fresh:
        st.warning(t("gaps_stale", lang))
    zones = cached[1]
    if zones.empty:
        st.success(t("gaps_none", lang))
        return
    st.markdown(t("gaps_summary", lang, n=len(zones), pop=float(zones["served"].sum())))
    cols = [c for c in ("rank", "town_zh", "district_zh", "served", "pop_total", "n_cells", "area_km2", "towns")
            if c in zones.columns]
    st.dataframe(pd.DataFrame(zones[cols]), hide_index=True, key="gaps_table")
    st.download_button(t("download_geojson", lang), cached[2], file_name=f"gaps_{ctx['layer']}.geojson",
                       mime="application/geo+json", key="gaps_geojson")


def siting_tab(ctx: dict[str, Any], region: Any, scenario: Any) -> None:
    lang, layer_id = ctx["lang"], ctx["layer"]
    siting_mod = _module("siting")
    if siting_mod is None or not hasattr(siting_mod, "propose_sites"):
        _missing("siting.propose_sites", lang)
        return
    with st.form("siting_form"):
        objective = st.radio(t("objective", lang), ("k", "target", "units"), horizontal=True,
                             key="siting_objective", format_func=lambda o: t(f"objective_{o}", lang))
        c1, c2, c3 = st.columns(3)
        k = c1.number_input(t("k_sites", lang), min_value=1, max_value=200, value=5, step=1, key="k_sites")
        target = c2.number_input(t("target_rate", lang), min_value=0.05, max_value=1.0, value=0.9, step=0.05,
                                 key="target_rate")
        solver = c3.selectbox(t("solver", lang), ("greedy", "ilp"), key="solver",
                              format_func=lambda x: t(f"solver_{x}", lang))
        run = st.form_submit_button(t("run_siting", lang))
    if objective == "units":
        level = get_layer(layer_id).level
        params = {"k": None, "target": "county" if level == "county" else "town"}
    elif objective == "target":
        params = {"k": None, "target": float(target)}
    else:
        params = {"k": int(k), "target": None}
    if run:
        sc_region = region.with_facilities(layer_id, scenario_facilities(scenario))
        with st.status(t("siting_running", lang), expanded=True) as status:
            st.write(t("siting_steps", lang))
            started = time.perf_counter()
            try:
                result = siting_mod.propose_sites(sc_region, layer_id, solver=solver,
                                                  standards=ctx["standards"], **params)
            except Exception as exc:  # shown to the user with the library's message
                status.update(label=t("siting_failed", lang), state="error")
                st.error(t("error", lang, error=md_text(exc)))
                return
            elapsed = time.perf_counter() - started
            status.update(label=f"{t('siting_done', lang)} ({elapsed:.1f} s)", state="complete")
        with tempfile.TemporaryDirectory() as tmp:
            gj, csv = Path(tmp) / "sites.geojson", Path(tmp) / "sites.csv"
            result.to_geojson(gj)
            result.to_csv(csv)
            st.session_state["siting"] = {"layer": layer_id, "sites": result.sites, "result": result,
                                          "geojson": gj.read_bytes(), "csv": csv.read_bytes(),
                                          "elapsed": elapsed}
        st.rerun()  # draw the proposals on the map (drawn above this tab)
    siting = st.session_state.get("siting")
    if not siting or siting["layer"] != layer_id:
        return
    sites = siting["sites"]
    st.success(f"{t('siting_done', lang)} ({siting['elapsed']:.1f} s)")
    st.markdown(f"**{t('siting_result', lang)}**")
    st.caption(siting["result"].summary(lang))
    rate_col = t("coverage_rate", lang)
    st.dataframe(sites_table(sites, layer_id, lang), hide_index=True, key="sites_table",
                 column_config={rate_col: st.column_config.NumberColumn(format="percent")})
    c1, c2 = st.columns(2)
    c1.download_button(t("download_geojson", lang), siting["geojson"], file_name=f"sites_{layer_id}.geojson",
                       mime="application/geo+json", key="sites_geojson")
    c2.download_button(t("download_csv", lang), siting["csv"], file_name=f"sites_{layer_id}.csv",
                       mime="text/csv", key="sites_csv")


def run_review(region: Any, year: int, standards: Any) -> dict[str, Any]:
    """The annual review and its exports (Excel, CSV, Markdown) as bytes."""
    from coverage.review import annual_review

    result = annual_review(region, year, standards=standards)
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = result.to_excel(Path(tmp) / f"review_{year}.xlsx").read_bytes()
        csv = result.to_csv(Path(tmp) / f"review_{year}.csv").read_bytes()
    return {"result": result, "xlsx": xlsx, "csv": csv, "md": result.to_markdown().encode("utf-8")}


def review_tab(ctx: dict[str, Any], region: Any) -> None:
    lang, year = ctx["lang"], ctx["year"]
    if _module("review") is None:
        _missing("review", lang)
        return
    st.markdown(f"**{t('review_title', lang, year=year)}**")
    sig = (year, ctx["layer"], ctx["mode"], ctx["minutes"], _data_version())
    cached = st.session_state.get("review_cache")
    if st.button(t("run_review", lang), key="run_review", disabled=bool(cached and cached[0] == sig)):
        with st.status(t("review_running", lang), expanded=False) as status:
            started = time.perf_counter()
            try:
                cached = (sig, run_review(region, year, ctx["standards"]))
            except Exception as exc:  # shown to the user with the library's message
                status.update(label=t("review_failed", lang), state="error")
                st.error(t("error", lang, error=md_text(exc)))
                return
            st.session_state["review_cache"] = cached
            status.update(label=f"{t('review_done', lang)} ({time.perf_counter() - started:.1f} s)",
                          state="complete")
    if not cached or cached[0] != sig:
        st.caption(t("review_hint", lang))
        return
    review = cached[1]
    result = review["result"]
    level = st.radio(t("level", lang), ("city", "district", "town"), horizontal=True, key="review_level",
                     format_func=lambda x: t(x, lang))
    st.dataframe(review_table(result, level, lang), hide_index=True, key="review_table")
    for note in result.notes:
        st.caption(md_text(note))
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("download_excel", lang), review["xlsx"], file_name=f"review_{year}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="review_xlsx")
    c2.download_button(t("download_csv", lang), review["csv"], file_name=f"review_{year}.csv",
                       mime="text/csv", key="review_csv")
    c3.download_button(t("download_md", lang), review["md"], file_name=f"review_{year}.md",
                       mime="text/markdown", key="review_md")


def _save_upload(upload: Any) -> Path:
    folder = st.session_state.setdefault("upload_dir", tempfile.mkdtemp(prefix="coverage-upload-"))
    path = Path(folder) / Path(upload.name).name
    path.write_bytes(upload.getvalue())
    return path


def data_tab(ctx: dict[str, Any], region: Any) -> None:
    lang = ctx["lang"]
    io_mod = _module("io")
    st.markdown(f"**{t('upload_title', lang)}**")
    if io_mod is None or not hasattr(io_mod, "read_facilities"):
        _missing("io", lang)
    else:
        with st.form("upload_form"):
            c1, c2 = st.columns(2)
            up_layer = c1.selectbox(t("upload_layer", lang), list(LAYERS), key="upload_layer",
                                    format_func=lambda x: layer_name(x, lang))
            crs = c2.selectbox(t("upload_crs", lang), ("wgs84", "cgcs2000", "gcj02", "bd09"), key="upload_crs")
            fac = st.file_uploader(t("upload_facilities", lang), key="up_fac",
                                   type=["csv", "xlsx", "geojson", "json", "gpkg", "zip"])
            towns = st.file_uploader(t("upload_towns", lang), key="up_towns",
                                     type=["geojson", "json", "gpkg", "zip"])
            pop = st.file_uploader(t("upload_population", lang), key="up_pop",
                                   type=["tif", "tiff", "geojson", "json", "gpkg", "zip"])
            apply = st.form_submit_button(t("apply_upload", lang))
        if apply and (fac or towns or pop):
            files = {}
            if fac:
                files[up_layer] = fac
            if towns:
                files["towns"] = towns
            if pop:
                files["population"] = pop
            load_uploads(region, files, crs, lang)
    ws = workspace()
    if ws.layers() or ws.overrides():
        confirm = st.checkbox(t("reset_confirm", lang), key="reset_confirm")
        st.button(t("reset_data", lang), key="reset_data", disabled=not confirm, on_click=_reset_data)
    for message in st.session_state.pop("upload_flash", []):
        st.success(message)
    reports = getattr(region, "reports", {}) or {}
    if reports:
        st.markdown(f"**{t('validation', lang)}**")
        for name, rep in reports.items():
            frame = rep.to_frame()
            st.caption(md_text(f"{input_label(name, lang)} — {rep}".splitlines()[0]))
            if frame.empty:
                st.caption(t("validation_clean", lang))
            else:
                st.dataframe(frame, hide_index=True, key=f"report_{name}")
    st.markdown(f"**{t('provenance', lang)}**")
    st.dataframe(provenance_table(region.provenance, lang).drop(columns="_flag"), hide_index=True,
                 key="provenance_table")
    st.caption(region.provenance_note(lang))
    st.markdown(f"**{t('workspace', lang)}**")
    if st.session_state.get("ws_error"):
        st.error(t("workspace_failed", lang, error=md_text(st.session_state["ws_error"])))
    st.caption(t("workspace_path", lang, path=md_text(ws.file)))
    entries = [e for e in ws.entries() if e.name != persist.AUTOSAVE]
    if entries:
        st.dataframe(pd.DataFrame({"kind": [e.kind for e in entries], "name": [e.name for e in entries],
                                   "version": [e.version for e in entries],
                                   "saved_at": [e.saved_at for e in entries],
                                   "rows": [e.n_rows for e in entries],
                                   "file": [e.source_name for e in entries]}),
                     hide_index=True, key="workspace_table")


def _reset_data() -> None:
    """Button callback: forget the saved uploads (the default data is used again)."""
    lang = st.session_state.get("lang", "zh")
    removed = persist.clear_data(workspace())
    st.session_state["reset_confirm"] = False
    st.session_state["upload_flash"] = [t("reset_done", lang, n=len(removed))]


def load_uploads(region: Any, files: dict[str, Any], crs: str, lang: str) -> None:
    """Import the uploaded files against ``region`` and save them in the workspace.

    Every file is read and validated first; only when all of them import is anything saved, so a
    failed upload changes neither the workspace nor the region in use. Row-level problems are
    listed.
    """
    from coverage.io import DataImportError

    paths = {k: str(_save_upload(f)) for k, f in files.items()}
    facilities = {k: p for k, p in paths.items() if k not in ("towns", "population")}
    with st.spinner(t("loading", lang)):
        try:
            imported = persist.import_files(region, towns=paths.get("towns"), population=paths.get("population"),
                                            facilities=facilities, crs=crs)
        except DataImportError as exc:
            st.error(t("upload_failed", lang, error=md_text(str(exc).splitlines()[0])))
            st.dataframe(exc.report.to_frame(), hide_index=True, key="upload_errors")
            return
        except (ValueError, OSError) as exc:
            st.error(t("upload_failed", lang, error=md_text(exc)))
            return
        try:
            persist.save_imports(workspace(), imported, {k: f.name for k, f in files.items()})
        except (ValueError, OSError) as exc:
            st.error(t("upload_failed", lang, error=md_text(exc)))
            return
    reports = {"towns": imported.get("towns"), "population": imported.get("population"),
               **{f"facilities:{k}": v for k, v in imported.get("facilities", {}).items()}}
    st.session_state["upload_flash"] = [f"{input_label(name, lang)}: " + t("upload_ok", lang, n=item[1].rows_imported)
                                        for name, item in reports.items() if item is not None]
    st.rerun()  # redraw the figures and the map with the new data


# --------------------------------------------------------------------------- page


def main() -> None:
    lang = st.session_state.get("lang", "zh")
    if _module("region") is None:
        st.title(t("title", lang))
        _missing("region", lang)
        return
    with st.spinner(t("loading", lang)), timed("region"):
        init_session(workspace())
        region = current_region()
    with timed("sidebar"):
        ctx = sidebar(region)
    lang, layer_id = ctx["lang"], ctx["layer"]
    st.title(t("title", lang))
    st.caption(t("subtitle", lang))

    reach_mod, metrics_mod = _module("reach"), _module("metrics")
    if reach_mod is None or not hasattr(reach_mod, "ReachModel") or metrics_mod is None:
        _missing("reach" if metrics_mod else "metrics", lang)
        return
    signature = (ctx["mode"], ctx["minutes"])
    with st.spinner(t("computing", lang)), timed("scenario + coverage"):
        scenario = get_scenario(region, layer_id, ctx["standards"], signature)
        # A map click arrives in the component's state before the script runs: apply it now so
        # the figures drawn below already include the new site (no second run).
        _handle_click(st.session_state.get(MAP_KEY), scenario, ctx["basemap"])
        autosave(scenario, layer_id)
        sig = scenario_signature(scenario)
        cached = st.session_state.get("coverage_cache")
        if cached and cached[0] == sig:
            coverage = cached[1]
        else:
            coverage = metrics_mod.population_coverage(region, layer_id, reach=scenario.reach)
            st.session_state["coverage_cache"] = (sig, coverage)
    figures = city_figures(coverage)
    base = st.session_state.get("baseline", {}).get((layer_id, signature, _data_version()))
    if base is None:
        base = figures if not scenario.changes else city_figures(
            metrics_mod.population_coverage(region, layer_id, standards=ctx["standards"]))
        st.session_state.setdefault("baseline", {})[(layer_id, signature, _data_version())] = base

    served = served_name(get_layer(layer_id).served_column, lang)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(f"{t('served_pop', lang)} ({served})", f"{figures['served']:,.0f}")
    c2.metric(t("covered_pop", lang), f"{figures['covered']:,.0f}",
              delta=f"{figures['covered'] - base['covered']:+,.0f}" if scenario.changes else None)
    c3.metric(t("coverage_rate", lang), rate_text(figures["rate"]),
              delta=f"{(figures['rate'] - base['rate']) * 100:+.1f} pp" if scenario.changes else None)
    c4.metric(t("facilities_n", lang), f"{scenario.n_active:,}")
    labels = [f"{t(area, lang)}: {ctx['standards'].get(layer_id, area).label(lang)}" for area in ("urban", "rural")]
    if getattr(region, "network", None) is None:
        labels.append(t("no_network", lang))
    st.caption("; ".join(labels))

    with timed("map"):
        map_section(ctx, region, scenario, coverage)

    tabs = st.tabs([t(k, lang) for k in ("tab_coverage", "tab_gaps", "tab_siting", "tab_review", "tab_data")])
    with tabs[0], timed("tab coverage"):
        coverage_tab(ctx, region, coverage)
    with tabs[1], timed("tab gaps"):
        gaps_tab(ctx, region, scenario)
    with tabs[2], timed("tab siting"):
        siting_tab(ctx, region, scenario)
    with tabs[3], timed("tab review"):
        review_tab(ctx, region)
    with tabs[4], timed("tab data"):
        data_tab(ctx, region)


main()
