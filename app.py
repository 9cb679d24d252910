"""江门市民政设施 15 分钟服务覆盖规划 — the planner's map (Streamlit).

Run with ``streamlit run app.py`` (or ``bash scripts/run_app.sh``). Works offline: the map's
Leaflet is inlined and no basemap is drawn by default.

The page is a thin shell over the library: every figure comes from one
:class:`coverage.analysis.Analysis` (coverage, gap zones, service areas, siting, the review, with
the library's defaults), the data from ``coverage.region`` and uploads from ``coverage.io``; the
map is drawn by ``coverage.ui``. The only figures not read from an ``Analysis`` are those right
after a what-if click: the scenario's incremental ``coverage.reach.ReachModel`` is counted by
``coverage.metrics.population_coverage`` (the function ``Analysis.coverage`` uses), which keeps a
click cheap and gives the same numbers as ``Analysis(...).with_edits(...).coverage(...)``. The
default region, standards and the analysis of the data as loaded are cached per process
(``st.cache_resource``); the what-if scenario and the results derived from it live in
``st.session_state``, keyed by what they depend on, so a click on the map recomputes only what
changed. The page body (figures, map, what-if panel, tabs: :func:`body`) is a Streamlit fragment: a
click in it runs and redraws only the body, and the headline figures are one element
(``coverage.ui.figures``), so a click redraws few elements; the sidebar runs the whole page, and so
does a body run that finds the workspace's data changed by another session. The tabs are stateful
(:func:`tab_bar`): only the open tab runs, and it stays open across
reruns (an upload's, a language switch); a session's first run leaves the coverage tab's tables,
chart and download to the next run, which the map asks for once drawn (:func:`page`), so their
JavaScript does not hold the figures and the map back. The map is streamlit-folium's front end fed by
``coverage.ui.map_component``: the base map (Leaflet, the towns) is rendered once per process and
data version, each run sends only small update scripts written as text, kept for the session until
what they show changes; the station markers stay on the map across a language switch (retitled). A
map click reaches the page at once (``coverage.ui.map`` sends it without streamlit-folium's debounce). Set ``COVERAGE_APP_TIMING=1`` to print each step's time
and one ``[timing] total`` line per script run.

The planner's work is kept in the workspace (``coverage.workspace``; directory from
``COVERAGE_WORKSPACE``, else ``./workspace``), through ``coverage.ui.persist``: every upload that
imports (a failed one saves nothing), named scenarios, and each session's own draft (the what-if
edits of every layer and the standard chosen per layer, saved after each change under the draft id
the page URL carries as ``?draft=<id>``). A reload of the same tab reopens its draft on the layer
last edited, with its standard, edits and figures; a new tab starts a fresh draft. The region in use
is the default one with the saved overrides applied, cached per process by the workspace's data
stamp (so an upload in one session reaches the others on their next run, a body run included).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from coverage import io as cio
from coverage import metrics
from coverage.analysis import Analysis
from coverage.describe import PERCENT_FORMAT, percent_points, place_name, town_names
from coverage.io.workspace_import import read_imports
from coverage.layers import LAYERS, get_layer
from coverage.region import load_default
from coverage.standards import MODES, load_standards
from coverage.ui import map as cmap
from coverage.ui.map_component import BaseMap, base_map, feature_group_js, layer_control_js, show_map
from coverage.ui.figures import FIGURE_STYLE, Figure, figures_html
from coverage.ui.widgets import file_input, lang_key, lang_select, number_columns, show_flash
from coverage.ui import health, persist
from coverage.i18n import LANGUAGES, error_words, layer_name, served_name, status_name, t
from coverage.review import review_notes
from coverage.workspace import (Workspace, WorkspaceConflictError, WorkspaceError, resolve_workspace_dir,
                                storable_name)
from coverage.ui.views import (
    city_figures,
    caveat,
    coverage_table,
    csv_bytes,
    gaps_table,
    input_label,
    map_overlays,
    md_text,
    provenance_table,
    rate_text,
    facility_overlay,
    report_table,
    review_table,
    scenario_edits,
    scenario_facilities,
    sites_heading,
    sites_table,
    standard_override,
    static_features,
    static_layers,
    WHOLE_FORMAT,
    table_formats,
    town_chart_spec,
    town_features,
    town_rates,
    with_caveat,
    workspace_table,
)

st.set_page_config(page_title="江门民政设施覆盖规划", page_icon="🗺️", layout="wide")

MAP_KEY = "map"
#: The basemap-failure message, in both languages (the map's script is the same in either).
TILE_ERROR = f"{t('tile_error', 'zh')} / {t('tile_error', 'en')}"
#: What the map sends back: the click, and the object (marker) it landed on with its tooltip.
MAP_RETURNED = ("last_clicked", "last_object_clicked", "last_object_clicked_tooltip")
#: Coordinate systems offered for uploads (CGCS2000 / 天地图 is WGS-84 to < 1 m).
CRS_CHOICES = ("wgs84", "gcj02", "bd09")
YEARS = list(range(2020, 2031))
#: The page's tabs (catalogue keys, in order) and the session-state key of the open one.
TABS = ("tab_coverage", "tab_gaps", "tab_siting", "tab_review", "tab_data", "ana.tab")
TAB_KEY = "main_tab"
#: Set by a session's first run: that run leaves the coverage tab's tables, chart and download out (see :func:`page`).
SHOWN_KEY = "page_shown"
#: Messages left for the next run: the named-scenario store's (sidebar), the draft's and the what-if panel's.
STORE_FLASH = "store_flash"
SCENARIO_FLASH = "scenario_flash"
#: Session key of the session's map token (see :func:`map_view`).
PAGE_TOKEN = "map_page_token"


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


# --------------------------------------------------------------------------- cached loads


@st.cache_resource(show_spinner=False)
def default_region() -> Any:
    """The embedded Jiangmen region (read once per server process)."""
    return load_default()


@st.cache_resource(show_spinner=False)
def default_standards() -> Any:
    """The embedded standards table (read once per server process)."""
    return load_standards()


@st.cache_resource(show_spinner=False)
def open_workspace(path: str) -> Workspace:
    """The workspace in directory ``path`` (one object per server process, shared by sessions)."""
    return Workspace.open(path)


@st.cache_resource(show_spinner=False, max_entries=4)
def restored_region(path: str, stamp: tuple) -> persist.Restored:
    """The default region with the overrides saved in workspace ``path`` (as of ``stamp``).

    Damaged saved items are skipped and listed in ``.damaged`` (the page names them).
    """
    return persist.restore_region(open_workspace(path), default_region())


def workspace() -> Workspace:
    """The session's workspace: ``COVERAGE_WORKSPACE`` or ``./workspace``.

    When it cannot be opened (0 bytes, truncated, not a workspace), the file is left untouched,
    the error is kept for the page (with a way to restore a backup) and a temporary workspace is
    used for this session (nothing is kept after it ends). After a drop or a restore
    (``health.RELOAD_KEY``) the workspace and the session's draft are opened afresh.
    """
    if st.session_state.pop(health.RELOAD_KEY, False):
        for k in ("ws", "ws_error", "ws_ready", "scenario", "scenario_key"):
            st.session_state.pop(k, None)
        open_workspace.clear()
        restored_region.clear()
    ws = st.session_state.get("ws")
    if ws is not None:
        return ws
    try:
        ws = open_workspace(str(resolve_workspace_dir()))
    except (WorkspaceError, OSError) as exc:
        st.session_state["ws_error"] = str(exc)
        ws = Workspace.open(tempfile.mkdtemp(prefix="coverage-workspace-"))
    st.session_state["ws"] = ws
    return ws


def init_session(ws: Workspace) -> None:
    """This session's own draft, once per session; the workspace-health panel, on every run.

    The draft id comes from the page URL (``?draft=<id>``) when it carries one, else a new one
    is made and put in the URL: a reload of the same tab keeps its draft (edits, standard per
    layer, the layer last edited), a new tab starts with a fresh, empty draft. Nothing another
    session does reaches this draft until the planner loads a saved scenario.
    """
    lang = st.session_state.get("lang", "zh")
    if not st.session_state.get("ws_ready"):
        st.session_state["ws_ready"] = True
        st.session_state[PAGE_TOKEN] = os.urandom(8).hex()  # this session's map signal (map_view)
        draft_id = persist.draft_id_from(st.query_params.get(persist.DRAFT_PARAM))
        doc = None
        if draft_id is None:
            draft_id = persist.new_draft_id()
        else:
            try:
                doc = ws.draft_doc(draft_id)
            except WorkspaceError as exc:
                st.session_state[SCENARIO_FLASH] = ("error", t("ws_draft_unreadable", lang, error=error_words(exc, lang)))
        st.query_params[persist.DRAFT_PARAM] = draft_id
        draft = doc.data if doc is not None else persist.empty_draft()
        st.session_state["draft_id"] = draft_id
        st.session_state["draft_version"] = None if doc is None else doc.version
        st.session_state["draft_saved"] = draft
        st.session_state["edits"] = draft["changes"]
        st.session_state["std_saved"] = draft["standards"]
        layer = draft["layer"] if draft["layer"] in LAYERS else persist.last_layer(draft["changes"])
        if layer is not None and "layer" not in st.session_state:
            st.session_state["layer"] = layer
        # Saved scenarios / standards / drafts that do not decode (small: checked once per session).
        st.session_state["ws_doc_damage"] = [] if "ws_error" in st.session_state else [
            d for d in ws.check(kinds=("scenario", "standards", "draft")).damaged
            if d.kind != "draft" or d.name == draft_id]  # other sessions' drafts are theirs
    damaged = list(st.session_state.get("ws_doc_damage", []))
    if "ws_error" not in st.session_state:
        try:
            damaged += restored_region(str(ws.directory), persist.workspace_stamp(ws)).damaged
        except WorkspaceError as exc:  # e.g. unreadable pages: the listing itself fails
            st.session_state["ws_error"] = str(exc)
            ws = st.session_state["ws"] = Workspace.open(tempfile.mkdtemp(prefix="coverage-workspace-"))
    health.workspace_panel(ws, lang, directory=resolve_workspace_dir(),
                           open_error=st.session_state.get("ws_error"), damaged=damaged)


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
    return restored_region(str(ws.directory), stamp).region


def data_changed() -> bool:
    """Whether the workspace's saved data changed since the page's last run (another session's upload
    or reset): a body run then runs the whole page instead, on the region now in use."""
    try:
        return persist.workspace_stamp(workspace()) != _data_version()
    except WorkspaceError:
        return False  # the page run reports it (init_session)


def _data_version() -> tuple:
    return st.session_state.get("data_version", ())


# --------------------------------------------------------------------------- scenario


def get_scenario(region: Any, layer_id: str, analysis: Analysis, signature: tuple) -> Any:
    """The session's what-if scenario for this layer and standard (rebuilt when they change).

    A new scenario starts from the reach model of ``analysis`` (the data as loaded under the
    standard chosen, :func:`base_analysis`; copied, not computed again: a layer switch computes
    one reach for the figures and the scenario together) and replays the layer's edits of this
    session's draft (``st.session_state["edits"]``, saved in the workspace), so edits survive a
    change of standard, of layer and a reload.
    """
    from coverage.ui.scenario import Scenario

    key = (layer_id, signature, _data_version())
    current = st.session_state.get("scenario")
    if current is not None and st.session_state.get("scenario_key") == key:
        return current
    scenario = Scenario.from_analysis(analysis, layer_id)
    problems = persist.replay(scenario, st.session_state.get("edits", []), layer_id)
    if problems:
        st.session_state["replay_problems"] = problems
    st.session_state["scenario"] = scenario
    st.session_state["scenario_key"] = key
    return scenario


def autosave(scenario: Any, layer_id: str) -> None:
    """Save this session's draft when its edits, standards or layer changed (one versioned save).

    The save names the draft version it is based on. If the same draft was saved meanwhile from
    another tab, nothing is overwritten: this tab continues as a new draft (new id in the URL)
    and says so, so neither tab loses an edit. A read-only workspace keeps the edits in the
    session only (the health panel says so).
    """
    edits = st.session_state.get("edits", [])
    current = persist.changes_from_edits(scenario.changes, layer_id)
    if current != [c for c in edits if c.get("layer") == layer_id]:
        edits = persist.merge_edits(edits, scenario.changes, layer_id)
        st.session_state["edits"] = edits
    draft = {"layer": layer_id, "changes": edits, "standards": st.session_state.get("std_saved", {})}
    if draft == st.session_state.get("draft_saved"):
        return
    if st.session_state.get("draft_version") is None and not edits and not draft["standards"]:
        return  # an untouched session saves no draft
    ws = workspace()
    if ws.read_only:
        return
    lang = st.session_state.get("lang", "zh")
    with timed("autosave"):
        draft_id = st.session_state.get("draft_id") or persist.new_draft_id()
        try:
            try:
                version = ws.save_draft(draft_id, draft, base_version=st.session_state.get("draft_version"))
            except WorkspaceConflictError:
                draft_id = persist.new_draft_id()
                version = ws.save_draft(draft_id, draft)
                st.session_state["draft_id"] = draft_id
                st.query_params[persist.DRAFT_PARAM] = draft_id
                st.session_state[SCENARIO_FLASH] = ("warning", t("ws_draft_forked", lang))
        except WorkspaceError as exc:
            st.session_state[SCENARIO_FLASH] = ("error", t("ws_draft_failed", lang, error=error_words(exc, lang)))
            return
        st.session_state["draft_version"] = version
        st.session_state["draft_saved"] = draft


def _save_named() -> None:
    """Button callback: save the edits of every layer under the name typed.

    A name that exists already is refused unless the planner loaded that scenario (and nobody
    saved it since) or ticked "overwrite": never overwritten silently.
    """
    lang = st.session_state.get("lang", "zh")
    ws = workspace()
    name = ""
    try:
        name = persist.check_scenario_name(st.session_state.get("scenario_name", ""))
        loaded = st.session_state.get("loaded_from")
        base = loaded[1] if loaded and loaded[0] == name else None
        if st.session_state.get("scenario_overwrite"):
            doc = ws.scenario_doc(name)
            base = None if doc is None else doc.version
        version = ws.save_scenario(name, st.session_state.get("edits", []), base_version=base)
    except WorkspaceConflictError:
        st.session_state[STORE_FLASH] = ("error", t("ws_scenario_exists", lang, name=name))
        return
    except (WorkspaceError, ValueError) as exc:
        st.session_state[STORE_FLASH] = ("error", t("scenario_save_failed", lang, error=error_words(exc, lang)))
        return
    st.session_state["loaded_from"] = (name, version)
    st.session_state[STORE_FLASH] = ("success", t("scenario_saved", lang, name=name))


def _load_named() -> None:
    """Button callback: replace this session's edits by the saved scenario picked (saved in the draft)."""
    lang = st.session_state.get("lang", "zh")
    name = st.session_state.get("scenario_pick")
    if not name:
        return
    try:
        doc = workspace().scenario_doc(name)
        if doc is None:
            raise KeyError(name)
    except (KeyError, WorkspaceError, ValueError) as exc:
        st.session_state[STORE_FLASH] = ("error", t("scenario_load_failed", lang, error=error_words(exc, lang)))
        return
    changes = doc.data
    st.session_state["edits"] = changes
    st.session_state["loaded_from"] = (name, doc.version)
    for k in ("scenario", "scenario_key"):  # rebuilt on this run from the loaded edits
        st.session_state.pop(k, None)
    layer = persist.last_layer(changes)
    if layer is not None and not any(c.get("layer") == st.session_state.get("layer") for c in changes):
        st.session_state["layer"] = layer
    st.session_state[STORE_FLASH] = ("success", t("scenario_loaded", lang, name=name, n=len(changes)))


def _delete_named() -> None:
    """Button callback: delete the saved scenario picked."""
    lang = st.session_state.get("lang", "zh")
    name = st.session_state.get("scenario_pick")
    if not name:
        return
    try:
        workspace().delete_scenario(name)
    except (KeyError, WorkspaceError, ValueError) as exc:
        st.session_state[STORE_FLASH] = ("error", t("scenario_load_failed", lang, error=error_words(exc, lang)))
        return
    if (st.session_state.get("loaded_from") or ("",))[0] == name:
        st.session_state.pop("loaded_from", None)
    st.session_state[STORE_FLASH] = ("success", t("scenario_deleted", lang, name=name))


def scenario_store(box: Any, lang: str) -> None:
    """Save / load / delete named scenarios (shared by every session of the workspace).

    Parameters
    ----------
    box : streamlit container
        Where it is drawn: the sidebar (its buttons run the whole page, which a loaded scenario
        changes).
    lang : {"zh", "en"}
    """
    ws = workspace()
    box.subheader(t("scenarios_saved", lang))
    box.text_input(t("scenario_name", lang), key="scenario_name", max_chars=120)
    box.checkbox(t("ws_overwrite", lang), key="scenario_overwrite", disabled=ws.read_only)
    box.button(t("save_scenario", lang), key="save_scenario", on_click=_save_named, disabled=ws.read_only)
    try:
        names = ws.scenarios()
    except WorkspaceError:
        names = []
    box.selectbox(t("saved_scenarios", lang), names, key="scenario_pick", index=None,
                  placeholder=t("none_selected", lang))
    b1, b2 = box.columns(2)
    picked = bool(st.session_state.get("scenario_pick"))
    b1.button(t("load_scenario", lang), key="load_scenario", disabled=not picked, on_click=_load_named)
    b2.button(t("delete_scenario", lang), key="delete_scenario", disabled=not picked or ws.read_only,
              on_click=_delete_named)
    show_flash(box, STORE_FLASH)


# --------------------------------------------------------------------------- sidebar


def sidebar(region: Any) -> dict[str, Any]:
    sb = st.sidebar
    lang = sb.radio(t("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang",
                    horizontal=True)
    if st.query_params.get(LANG_PARAM, "zh") != lang:
        st.query_params[LANG_PARAM] = lang  # in the URL beside the draft: a reload keeps it
    sb.header(t("settings", lang))
    layer_id = lang_select(sb, t("layer", lang), list(LAYERS), "layer", lang,
                            format_func=lambda x: layer_name(x, lang))
    table = default_standards()
    base = table.get(layer_id, "urban")
    sb.subheader(t("standard", lang))
    saved = st.session_state.get("std_saved", {})
    saved_mode, saved_minutes = persist.standard_choice(saved, layer_id, base.mode, base.minutes)
    # The layer's urban mode leaves each area type its own mode (the standard); another mode applies
    # to both (coverage.standards.StandardTable.chosen): the options say which.
    mode = lang_select(sb, t("mode", lang), MODES, f"mode_{layer_id}", lang, index=MODES.index(saved_mode),
                        format_func=lambda m: t("mode_as_standard" if m == base.mode else "mode_both", lang,
                                                mode=t(m, lang)))
    minutes = sb.number_input(t("minutes", lang), min_value=1, max_value=120, value=saved_minutes,
                              step=1, key=f"minutes_{layer_id}")
    standards = standard_override(table, layer_id, mode, minutes)
    chosen = persist.update_standards(saved, layer_id, mode, minutes, base.mode, base.minutes)
    if chosen != saved:  # kept in this session's draft (saved with its edits by autosave)
        st.session_state["std_saved"] = chosen
    for area in ("urban", "rural"):
        sb.caption(f"{t(f'core_area_{area}', lang)}: {standards.get(layer_id, area).label(lang)}")
    year = sb.selectbox(t("year", lang), YEARS, index=YEARS.index(2025), key="year")

    sb.subheader(t("basemap", lang))
    basemap = lang_select(sb, t("basemap", lang), cmap.BASEMAPS, "basemap", lang, label_visibility="collapsed",
                           format_func=lambda b: t(f"basemap_{b}", lang))
    key = sb.text_input(t("tianditu_key", lang), key="tianditu_key", type="password") \
        if basemap == "tianditu" else None

    scenario_store(sb, lang)
    sb.subheader(t("sources", lang))
    sb.markdown(source_lines(region.provenance, lang))
    sb.caption(region.provenance_note(lang))
    return {"lang": lang, "layer": layer_id, "standards": standards, "mode": mode, "minutes": float(minutes),
            "year": int(year), "basemap": basemap, "tianditu_key": key}


#: The sidebar's mark of each provenance flag (Streamlit Markdown colours).
SOURCE_MARKS = {"real": ":green[●]", "modelled": ":orange[●]", "illustrative": ":violet[●]",
                "uploaded": ":blue[●]", "none": ":gray[○]"}


def source_lines(provenance: dict[str, str], lang: str) -> str:
    """The sidebar's list of inputs with their provenance (one Markdown line each), kept per session
    until the provenance or the language changes."""
    key = (tuple(provenance.items()), lang)
    cached = st.session_state.get("source_lines")
    if cached and cached[0] == key:
        return cached[1]
    prov = provenance_table(provenance, lang)
    text = "  \n".join(f"{SOURCE_MARKS.get(str(f).split(':')[0], ':gray[○]')} {r} — {s}"
                        for r, s, f in prov.itertuples(index=False, name=None))
    st.session_state["source_lines"] = (key, text)
    return text


# --------------------------------------------------------------------------- map + what-if


def _handle_click(out: dict | None, scenario: Any, basemap: str) -> bool:
    """Add a site for a new map click; returns True when the scenario changed.

    A click on an existing facility's marker adds nothing: it picks that facility for removal
    (``pick_pending``, shown in the remove box on the next draw).
    """
    if not out:
        return False
    click = out.get("last_clicked")
    if not click:
        return False
    point = (round(float(click["lng"]), 7), round(float(click["lat"]), 7))
    if st.session_state.get("last_click") == point:
        return False
    st.session_state["last_click"] = point
    row = cmap.clicked_facility(out)
    if row is not None and row < len(scenario.base):  # a click on an existing facility: offer removal
        fid = str(scenario.base["facility_id"].iloc[row])
        if fid in set(scenario.active_facilities()["facility_id"].astype(str)):
            st.session_state["pick_pending"] = fid
        return False
    lon, lat = cmap.to_wgs84(point[0], point[1], basemap)
    scenario.add_site(lon, lat)
    return True


def _remove_chosen(scenario: Any) -> None:
    """Button callback: remove the facility picked in the select box, then clear the box."""
    choice = st.session_state.get(lang_key("remove_choice", st.session_state.get("lang", "zh")))
    if choice:
        scenario.remove_facility(choice)
    _close_remove()


def compute_service_areas(analysis: Analysis, layer_id: str) -> Any:
    """Dissolved service area of the scenario's facilities (:meth:`Analysis.service_areas`)."""
    return analysis.service_areas(layer_id, dissolve=True)


def map_section(ctx: dict[str, Any], region: Any, scenario: Any, coverage: pd.DataFrame) -> None:
    """The map (towns by rate, the layer, the what-if edits, service areas, gaps, proposals) and the
    what-if panel beside it."""
    lang, layer_id, basemap = ctx["lang"], ctx["layer"], ctx["basemap"]
    left, right = st.columns([3, 1])
    with right:
        show_service = st.checkbox(t("show_service", lang), key="show_service")
        show_gaps = st.checkbox(t("show_gaps", lang), key="show_gaps")
        what_if_panel(scenario, lang)

    with left:
        st.caption(t("map_hint", lang))
        try:
            base = map_base(region, (_data_version(), id(region)), basemap, ctx["tianditu_key"])
        except cmap.BasemapError as exc:
            st.warning(t("basemap_error", lang, reason=error_words(exc, lang)))
            basemap = "none"
            base = map_base(region, (_data_version(), id(region)), basemap, None)
        feature_group, layer_control = map_view(ctx, region, scenario, coverage, base, basemap,
                                                show_service, show_gaps)
        out = show_map(base, feature_group, layer_control, MAP_KEY, height=560, width=None,
                       returned_objects=MAP_RETURNED)
        if _handle_click(out, scenario, basemap):  # a click the pre-run check did not see
            autosave(scenario, layer_id)
            rerun_body()
        if st.session_state.get("pick_pending"):  # a marker clicked: offer its removal on the right
            rerun_body()


def what_if_panel(scenario: Any, lang: str) -> None:
    """The scenario's changes (one list), undo / reset, and the removal of a facility.

    The remove box (every active facility: ~600 options) is drawn only while it is open: after a
    click on a facility's marker (that facility picked) or on the "remove a facility" button; a
    what-if click does not redraw it.
    """
    st.markdown(f"**{t('scenario', lang)}**")
    towns = {}  # added site -> the town it is in (the planner sees where the click landed)
    if any(c.kind == "add" for c in scenario.changes):
        located = scenario.added_sites(located=True)
        names = town_names(scenario.region.towns, lang)
        towns = {fid: place_name(names, code) for fid, code in zip(located["facility_id"], located["town_code"])
                 if code is not None}
    lines = [f"{i}. \\+ " + t("added_site", lang, lon=c.lon, lat=c.lat)  # "1. +" would nest a bullet
             + (f" ({md_text(towns[c.facility_id])})" if c.facility_id in towns else "") if c.kind == "add"
             else f"{i}. − " + t("removed_facility", lang, name=md_text(c.name or c.facility_id))
             for i, c in enumerate(scenario.changes, 1)]
    st.caption("  \n".join(lines) if lines else t("scenario_empty", lang))
    # Callbacks run before the next script run: the figures drawn then include the edit.
    b1, b2 = st.columns(2)
    if not scenario.changes and scenario.cleared:  # a reset can be undone until the next edit
        b1.button(t("restore_cleared", lang, n=len(scenario.cleared)), key="restore_cleared",
                  on_click=scenario.restore)
    else:
        b1.button(t("undo", lang), key="undo", disabled=not scenario.changes, on_click=scenario.undo)
    b2.button(t("reset", lang), key="reset", disabled=not scenario.changes, on_click=scenario.reset)
    problems = st.session_state.pop("replay_problems", None)
    if problems:
        st.warning(md_text(t("replay_skipped", lang, n=len(problems)) + " "
                           + "; ".join(persist.skipped_text(p, lang) for p in problems[:5])))
    show_flash(st, SCENARIO_FLASH)
    picked = st.session_state.pop("pick_pending", None)
    if picked is None and not st.session_state.get(REMOVE_OPEN):
        st.button(t("remove_open", lang), key="remove_open_button", on_click=_open_remove)
        return
    options, names = remove_options(scenario, lang)
    if picked in names:
        st.session_state["remove_choice"] = picked
        st.info(t("picked_facility", lang, name=md_text(names[picked])))
    st.session_state[REMOVE_OPEN] = True
    choice = lang_select(st, t("remove_facility", lang), options, "remove_choice", lang,
                         format_func=lambda f: t("none_selected", lang) if not f else f"{names[f]} ({f})")
    c1, c2 = st.columns(2)
    c1.button(t("remove", lang), key="remove", disabled=not choice, on_click=_remove_chosen, args=(scenario,))
    c2.button(t("remove_close", lang), key="remove_close", on_click=_close_remove)


#: Session key: the remove box is open (see :func:`what_if_panel`).
REMOVE_OPEN = "remove_open"


def _open_remove() -> None:
    """Button callback: open the remove box."""
    st.session_state[REMOVE_OPEN] = True


def _close_remove() -> None:
    """Button callback: close the remove box (nothing picked)."""
    st.session_state[REMOVE_OPEN] = False
    st.session_state[lang_key("remove_choice", st.session_state.get("lang", "zh"))] = ""


def rerun_body() -> None:
    """Run the page body again at once: only the body in a body run, the whole page in a full run
    (Streamlit allows a fragment-scoped rerun only in a fragment's own run)."""
    if st.session_state.get(BODY_RUN):
        st.rerun(scope="fragment")
    st.rerun()


def remove_options(scenario: Any, lang: str) -> tuple[list[str], dict[str, str]]:
    """The remove box's choices (``""`` then every active facility id) and their names in ``lang``
    (an added site's name is the page's words).

    Kept for the session until the scenario or the language changes (the facility table is not
    rebuilt per run).
    """
    sig = (scenario_signature(scenario), lang)
    cached = st.session_state.get("remove_options")
    if cached and cached[0] == sig:
        return cached[1], cached[2]
    active = scenario_facilities(scenario, lang)
    ids = active["facility_id"].astype(str).tolist()
    names = dict(zip(ids, active["name"].astype(str)))
    st.session_state["remove_options"] = (sig, [""] + ids, names)
    return [""] + ids, names


@st.cache_resource(show_spinner=False, max_entries=8)
def map_base(_region: Any, version: tuple, basemap: str, tianditu_key: str | None) -> BaseMap:
    """The base map (Leaflet, the map's behaviour, the static town polygons), rendered once.

    Shared by the sessions: ``version`` (the data stamp and the region's identity), ``basemap`` and
    the 天地图 key identify it. It does not depend on the layer or the language, so the front end keeps the map (and the
    station markers it holds) when they change; only :func:`map_view`'s updates are sent per run.

    Raises
    ------
    coverage.errors.BasemapError
        Unknown basemap, or 天地图 without a key.
    """
    fig = cmap.offline_map(bounds=_region.towns.total_bounds, basemap=basemap, tianditu_key=tianditu_key,
                           tile_error=TILE_ERROR)
    for group in static_layers({"towns": town_features(_region, basemap)}, "zh"):  # one fixed script
        group.add_to(fig)
    return base_map(fig)


def map_view(ctx: dict[str, Any], region: Any, scenario: Any, coverage: pd.DataFrame, base: BaseMap,
             basemap: str, show_service: bool, show_gaps: bool) -> tuple[str, str]:
    """The map's update scripts (``feature_group``, ``layer_control``) for the scenario as it is.

    Written as text (``views.map_overlays``) and kept for the session until what they show changes
    (the scenario, the language, the overlays shown, the proposals, the basemap): a run that changes
    none of them sends the same strings and the map does nothing. The facilities are kept on the map
    under a key without the language (a language switch only retitles them).
    """
    lang, layer_id = ctx["lang"], ctx["layer"]
    siting = st.session_state.get("siting")
    proposals = siting["sites"] if siting and siting["layer"] == layer_id else None
    key = (scenario_signature(scenario), lang, basemap, show_service, show_gaps, _data_version())
    cached = st.session_state.get("map_view")
    if cached and cached[0] == key and cached[1] is base and cached[2] is proposals:
        return cached[3], cached[4]
    service = None
    if show_service:
        with st.spinner(t("computing", lang)):
            service = compute_service_areas(scenario_analysis(region, ctx, scenario), layer_id)
    gaps = compute_gaps(region, ctx, scenario) if show_gaps else None
    features = static_map_features(region, scenario.base, (_data_version(), id(region)), layer_id, lang, basemap)
    keep = json.dumps([_data_version(), layer_id, basemap], default=str)
    overlays = map_overlays(region, layer_id, town_rates(region.towns, coverage),
                           scenario.removed_rows(),
                           added=scenario.added_sites(), service_areas=service, gaps=gaps,
                           proposals=proposals, lang=lang, basemap=basemap,
                           facilities=facility_overlay(features, layer_id, keep, lang))
    # the base map's towns entry was written once, in Chinese (one fixed script): retitled here
    towns_name = {t("lyr_towns", "zh"): t("lyr_towns", lang)}
    # A token per session: the map sends its "drawn" signal again for a new session on an open page
    # (a server restart), so that session's deferred tables come too (coverage.ui.map_component).
    view = (feature_group_js(overlays, page_token=st.session_state[PAGE_TOKEN], tile_error=t("tile_error", lang)),
            layer_control_js(base, overlays, collapsed=True, names=towns_name))
    st.session_state["map_view"] = (key, base, proposals, *view)
    return view


@st.cache_resource(show_spinner=False, max_entries=24)
def static_map_features(_region: Any, _facilities: Any, version: tuple, layer_id: str, lang: str,
                        basemap: str) -> dict:
    """The map's static layers as GeoJSON (``views.static_features``), shared by the sessions.

    ``_region`` and ``_facilities`` (the layer as loaded, the scenario's ``base``) are not hashed:
    ``version`` (the data stamp and the region's identity: two workspaces of one process can share a
    stamp), ``layer_id``, ``lang`` and ``basemap`` are the cache key.
    """
    return static_features(_region, layer_id, _facilities, lang, basemap)


def scenario_signature(scenario: Any) -> tuple:
    """Identifies the scenario's state: its layer/standard/data key and its edits."""
    return (st.session_state.get("scenario_key"), tuple(scenario.changes))


@st.cache_resource(show_spinner=False, max_entries=16)
def shared_analysis(_region: Any, _standards: Any, key: tuple) -> Analysis:
    """The :class:`~coverage.analysis.Analysis` of the data as loaded under the standards chosen.

    Shared by the sessions (its results are cached inside it): ``key`` (layer, mode, minutes,
    data version, the region's identity) identifies the region and standards passed.
    """
    return Analysis(_region, _standards)


def base_analysis(region: Any, ctx: dict[str, Any]) -> Analysis:
    """The analysis of the data as loaded, under the sidebar's standard (no what-if edits)."""
    # The region's identity too: two workspaces (e.g. in one test process) can carry the same stamp.
    return shared_analysis(region, ctx["standards"],
                           (ctx["layer"], ctx["mode"], ctx["minutes"], _data_version(), id(region)))


def scenario_analysis(region: Any, ctx: dict[str, Any], scenario: Any) -> Analysis:
    """The analysis with the scenario's what-if edits (kept for the session until they change)."""
    base = base_analysis(region, ctx)
    if not scenario.changes:
        return base
    sig = scenario_signature(scenario)
    cached = st.session_state.get("analysis_cache")
    if cached and cached[0] == sig:
        return cached[1]
    analysis = base.with_edits(scenario_edits(scenario))
    st.session_state["analysis_cache"] = (sig, analysis)
    return analysis


def scenario_coverage(region: Any, ctx: dict[str, Any], scenario: Any) -> pd.DataFrame:
    """Coverage per town, district and city of the scenario (``coverage.schema`` columns).

    Without edits it is :meth:`Analysis.coverage`. After what-if edits the scenario's incremental
    reach (a click updates only the cells it changes) is counted by
    :func:`coverage.metrics.population_coverage`, the function :meth:`Analysis.coverage` uses, so
    the figures equal ``Analysis(...).with_edits(...).coverage(...)`` without rebuilding the reach.
    """
    sig = scenario_signature(scenario)
    cached = st.session_state.get("coverage_cache")
    if cached and cached[0] == sig:
        return cached[1]
    if scenario.changes:
        table = metrics.population_coverage(region, ctx["layer"], reach=scenario.reach)
    else:
        table = base_analysis(region, ctx).coverage(ctx["layer"]).table
    st.session_state["coverage_cache"] = (sig, table)
    return table


def compute_gaps(region: Any, ctx: dict[str, Any], scenario: Any) -> Any:
    """Gap zones of the current scenario (:meth:`Analysis.gaps`; kept until the scenario changes)."""
    sig = scenario_signature(scenario)
    cached = st.session_state.get("gaps_cache")
    if cached and cached[0] == sig:
        return cached[1]
    result = scenario_analysis(region, ctx, scenario).gaps(ctx["layer"])
    # The GeoJSON download is written only when it is asked for (gaps_tab), not on every run.
    st.session_state["gaps_cache"] = (sig, result.zones, result)
    return result.zones


# --------------------------------------------------------------------------- tabs


def coverage_tab(ctx: dict[str, Any], region: Any, coverage: pd.DataFrame) -> None:
    """Coverage per district and per town (tables, the per-town chart, the CSV download).

    The tables, the chart's data and the CSV are built once per coverage table, language and
    caveat (kept for the session): a run that does not change the figures only draws them.
    """
    lang, layer_id = ctx["lang"], ctx["layer"]
    mark = ctx["caveat"]
    rate_col = t("coverage_rate", lang)
    config = {
        rate_col: st.column_config.ProgressColumn(rate_col, format=PERCENT_FORMAT, min_value=0.0, max_value=100.0),
        **number_columns(dict.fromkeys((t("served_pop", lang), t("covered_pop", lang)), WHOLE_FORMAT)),
    }
    key = (lang, mark, layer_id)
    view = st.session_state.get("coverage_view")
    if not view or view[0] != key or view[1] is not coverage:
        districts = coverage_table(coverage, "district", lang, region)
        towns = coverage_table(coverage, "town", lang, region).sort_values(rate_col, na_position="first")
        town_col = t("town", lang)
        rated = towns[towns[rate_col].notna()]
        chart = pd.DataFrame({town_col: rated[town_col].to_numpy(), "%": rated[rate_col].to_numpy()})  # points
        spec = town_chart_spec(f"{t('chart_town_rates', lang)} {mark}".strip(), town_col, len(chart))
        view = (key, coverage, districts, towns, chart, spec, csv_bytes(with_caveat(towns, mark, lang)))
        st.session_state["coverage_view"] = view
    _, _, districts, towns, chart, spec, csv_data = view
    st.markdown(f"**{t('per_district', lang)}** {mark}")
    st.dataframe(districts, hide_index=True, column_config=config, key="district_table")
    st.markdown(f"**{t('per_town', lang)}** {mark}")
    st.dataframe(towns, hide_index=True, column_config=config, key="town_table")
    st.vega_lite_chart(chart, spec, width="stretch")
    st.download_button(t("download_csv", lang), csv_data,
                       file_name=f"coverage_{layer_id}.csv", mime="text/csv", key="coverage_csv")


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
            compute_gaps(region, ctx, scenario)
        cached = st.session_state.get("gaps_cache")
    fresh = bool(cached and cached[0] == sig)
    if scenario.changes and st.button(t("run_gaps", lang), key="run_gaps", disabled=fresh):
        with st.spinner(t("computing", lang)):
            compute_gaps(region, ctx, scenario)
        cached = st.session_state.get("gaps_cache")
        fresh = True
    if not cached or cached[0][0] != sig[0]:  # nothing computed for this layer / standard / data
        st.caption(t("gaps_hint", lang))
        return
    if not fresh:
        st.warning(t("gaps_stale", lang))
    zones, result = cached[1], cached[2]
    if zones.empty:
        if result.left_out > 0:  # no zone, yet people uncovered: said, not "no gaps"
            st.info(t("gaps_only_scattered", lang, n=result.left_out, min=result.min_cell_population))
        else:
            st.success(t("gaps_none", lang))
        return
    mark = ctx["caveat"]
    st.markdown(t("gaps_summary", lang, n=len(zones), pop=float(zones["served"].sum())) + f" {mark}")
    notes = [t("gaps_rule", lang)]
    if result.left_out > 0:  # the zones and these people add up to the uncovered people of the figures
        notes.append(t("gaps_left_out", lang, n=result.left_out, min=result.min_cell_population,
                       total=float(zones["served"].sum()) + result.left_out))
    st.caption("  \n".join(notes))
    # The table and the downloads are built once per zones, language and caveat (not on every click).
    view_key = (lang, mark)
    view = st.session_state.get("gaps_view")
    if not view or view[0] != view_key or view[4] is not zones:
        table = gaps_table(zones, ctx["layer"], lang, region)
        note = geojson_caveat(region, ctx["layer"], mark, lang)
        view = (view_key, table, lambda: geojson_bytes(result.feature_collection(), note),
                csv_bytes(with_caveat(table, mark, lang)), zones)
        st.session_state["gaps_view"] = view
    _, table, gj_bytes, csv_data, _ = view
    st.dataframe(table, hide_index=True, key="gaps_table", column_config=number_columns(table_formats(table, lang)))
    c1, c2 = st.columns(2)
    c1.download_button(t("download_geojson", lang), gj_bytes,
                       file_name=f"gaps_{ctx['layer']}.geojson", mime="application/geo+json", key="gaps_geojson")
    c2.download_button(t("download_csv", lang), csv_data,
                       file_name=f"gaps_{ctx['layer']}.csv", mime="text/csv", key="gaps_csv")


SITING_OBJECTIVES = ("k", "target", "pmedian", "units")
SOLVERS = ("auto", "ilp", "greedy")


def siting_tab(ctx: dict[str, Any], region: Any, scenario: Any) -> None:
    lang, layer_id = ctx["lang"], ctx["layer"]
    # The objective is chosen outside the form so the target rate is enabled only for set cover.
    objective = st.radio(t("objective", lang), SITING_OBJECTIVES, horizontal=True, key="siting_objective",
                         format_func=lambda o: t(f"objective_{o}", lang))
    with st.form("siting_form"):
        c1, c2, c3 = st.columns(3)
        k = c1.number_input(t("k_sites", lang), min_value=1, max_value=200, value=5, step=1, key="k_sites",
                            disabled=objective not in ("k", "pmedian"))
        target = c2.number_input(t("target_rate", lang), min_value=5.0, max_value=100.0, value=90.0, step=5.0,
                                 format="%.0f", key="target_pct", disabled=objective != "target",
                                 help=t("target_rate_help", lang))
        solver = lang_select(c3, t("solver", lang), SOLVERS, "solver", lang,
                              format_func=lambda x: t(f"solver_{x}", lang))
        run = st.form_submit_button(t("run_siting", lang))
    if objective == "units":
        level = get_layer(layer_id).level
        params = {"target": "county" if level == "county" else "town"}
    elif objective == "target":
        params = {"target": float(target) / 100.0}
    elif objective == "pmedian":
        params = {"k": int(k), "objective": "pmedian"}
    else:
        params = {"k": int(k)}
    if run:
        with st.status(t("siting_running", lang), expanded=True) as status:
            st.write(t("siting_steps", lang))
            started = time.perf_counter()
            try:
                result = scenario_analysis(region, ctx, scenario).siting(layer_id, solver=solver, **params)
            except Exception as exc:  # shown to the user with the library's message
                status.update(label=t("siting_failed", lang), state="error")
                st.error(t("error", lang, error=md_text(error_words(exc, lang))))
                return
            elapsed = time.perf_counter() - started
            status.update(label=f"{t('siting_done', lang)} ({elapsed:.1f} s)", state="complete")
        with tempfile.TemporaryDirectory() as tmp:
            gj = Path(tmp) / "sites.geojson"
            result.to_geojson(gj)
            st.session_state["siting"] = {"layer": layer_id, "sites": result.sites, "result": result,
                                          "geojson": gj.read_bytes(), "elapsed": elapsed}
        rerun_body()  # draw the proposals on the map (drawn above this tab)
    siting = st.session_state.get("siting")
    if not siting or siting["layer"] != layer_id:
        return
    sites = siting["sites"]
    mark = ctx["caveat"]
    st.success(f"{t('siting_done', lang)} ({siting['elapsed']:.1f} s)")
    st.markdown(f"**{sites_heading(siting['result'].params.get('problem'), lang)}** {mark}")
    st.caption(md_text(siting["result"].summary(lang)).replace("\n", "  \n"))
    table = sites_table(sites, layer_id, lang, region)
    st.dataframe(table, hide_index=True, key="sites_table", column_config=number_columns(table_formats(table, lang)))
    c1, c2 = st.columns(2)
    note = geojson_caveat(region, layer_id, mark, lang)
    download = siting.get("geojson_download")  # written once per proposal and caveat, not on every run
    if download is None or download[0] != note:
        download = siting["geojson_download"] = (note, geojson_bytes(json.loads(siting["geojson"]), note))
    c1.download_button(t("download_geojson", lang), download[1],
                       file_name=f"sites_{layer_id}.geojson", mime="application/geo+json", key="sites_geojson")
    c2.download_button(t("download_csv", lang), csv_bytes(with_caveat(table, mark, lang)),
                       file_name=f"sites_{layer_id}.csv", mime="text/csv", key="sites_csv")


def geojson_caveat(region: Any, layer_id: str, mark: str, lang: str) -> str:
    """The caveat a GeoJSON download carries: the sentence saying which inputs are modelled or
    illustrative (``Region.provenance_note``), none when ``mark`` (the figures' mark) is empty."""
    return region.provenance_note(lang, layers=[layer_id]) if mark else ""


def geojson_bytes(fc: dict[str, Any], caveat_text: str) -> bytes:
    """A FeatureCollection as UTF-8 GeoJSON, with :func:`geojson_caveat` as a top-level ``caveat``
    member (none without one)."""
    return json.dumps({**fc, "caveat": caveat_text} if caveat_text else fc, ensure_ascii=False).encode("utf-8")


@st.cache_resource(show_spinner=False, max_entries=8)
def run_review(_analysis: Analysis, year: int, key: tuple) -> Any:
    """The annual review (:meth:`Analysis.review`), computed once for every language.

    Shared by the sessions: ``key`` (layer, standard chosen, data version) with ``year`` identifies
    the analysis passed (the data as loaded, without the what-if edits).
    """
    return _analysis.review(year)


@st.cache_resource(show_spinner=False, max_entries=8)
def review_files(_result: Any, lang: str, key: tuple) -> dict[str, bytes]:
    """The review's Excel, CSV and Markdown files in ``lang`` (``key``: the review's, as
    :func:`run_review`), written once per review and language."""
    year = _result.year
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = _result.to_excel(Path(tmp) / f"review_{year}.xlsx", lang=lang).read_bytes()
        csv = _result.to_csv(Path(tmp) / f"review_{year}.csv", lang=lang).read_bytes()
    return {"xlsx": xlsx, "csv": csv, "md": _result.to_markdown(lang=lang).encode("utf-8")}


@st.cache_resource(show_spinner=False, max_entries=4)
def review_docx(_result: Any, _region: Any, lang: str, key: tuple) -> bytes:
    """The review as a Word document (``coverage.report.build_report``), built once per review."""
    from coverage.report import build_report

    return build_report(_result, _region, lang)


#: Status colours of the review table (codes of ``coverage.review.Status``).
STATUS_COLOURS = {"met": "#d9f0d3", "not_met": "#f8d0c8", "not_yet_due": "#fde8b0",
                  "cannot_compute": "#e0e0e0", "measured": "#dbe9f6"}


def review_styled(table: pd.DataFrame, statuses: list[str]) -> Any:
    """``table`` (status first) with the status cells coloured by their code."""
    colours = [STATUS_COLOURS.get(str(code), "") for code in statuses]
    first = table.columns[0]

    def paint(column: pd.Series) -> list[str]:
        return [f"background-color: {c}" if c else "" for c in colours]

    return table.style.apply(paint, subset=[first])


def review_charts(result: Any, lang: str, mark: str) -> None:
    """One chart per indicator: its value by district against the target (a line)."""
    rows = result.rows[result.rows["level"] == "district"]
    rows = rows[rows["unit"] == "rate"]
    if rows.empty:
        return
    place = t("district", lang)
    for indicator, group in rows.groupby("indicator_id", sort=False):
        first = group.iloc[0]
        name = first["indicator_zh"] if lang == "zh" else (first["indicator_en"] or first["indicator_zh"])
        names = group["district_zh"] if lang == "zh" else group["district_en"].fillna(group["district_zh"])
        words = [status_name(c, lang) for c in STATUS_COLOURS]
        frame = pd.DataFrame({place: names.to_numpy(), "%": percent_points(group["value"].astype(float)).to_numpy(),
                              "status": [status_name(v, lang) for v in group["status"]]})
        bars = alt.Chart(frame).mark_bar().encode(
            x=alt.X(f"{place}:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            # 0-110 %: a bar or a target at 100 % stays inside the plot; ticks stop at 100.
            y=alt.Y("%:Q", title="%", scale=alt.Scale(domain=[0, 110]), axis=alt.Axis(values=list(range(0, 101, 20)))),
            color=alt.Color("status:N", title=None, legend=alt.Legend(orient="top"), scale=alt.Scale(
                domain=words, range=["#4daf4a", "#e41a1c", "#ff9900", "#999999", "#377eb8"])),
            tooltip=[alt.Tooltip(f"{place}:N"), alt.Tooltip("%:Q", format=".1f"), alt.Tooltip("status:N")])
        layers = [bars]
        target = first.get("target_value")
        has_target = target is not None and pd.notna(target)
        if has_target:
            rule = pd.DataFrame({"%": [float(target) * 100]})
            layers.append(alt.Chart(rule).mark_rule(color="#333333", strokeDash=[4, 3], size=2).encode(y="%:Q"))
        title = f"{name} ({t('review_chart_target', lang)}) {mark}" if has_target else f"{name} {mark}"
        title = title.strip()
        st.altair_chart(alt.layer(*layers).properties(title=title, height=220), width="stretch")


def review_tab(ctx: dict[str, Any], region: Any) -> None:
    """The plan review of the year chosen, run on request, with its exports and charts."""
    lang, year = ctx["lang"], ctx["year"]
    st.markdown(f"**{t('review_title', lang, year=year)}** {ctx['caveat']}")
    sig = (year, ctx["layer"], ctx["mode"], ctx["minutes"], _data_version())
    cached = st.session_state.get("review_cache")
    if st.button(t("run_review", lang), key="run_review", disabled=bool(cached and cached[0] == sig)):
        with st.status(t("review_running", lang), expanded=False) as status:
            started = time.perf_counter()
            try:
                cached = (sig, run_review(base_analysis(region, ctx), year, sig[1:]))
            except Exception as exc:  # shown to the user with the library's message
                status.update(label=t("review_failed", lang), state="error")
                st.error(t("error", lang, error=md_text(error_words(exc, lang))))
                return
            st.session_state["review_cache"] = cached
            status.update(label=f"{t('review_done', lang)} ({time.perf_counter() - started:.1f} s)",
                          state="complete")
    if not cached or cached[0] != sig:
        st.caption(t("review_hint", lang))
        return
    result = cached[1]
    st.caption(t("review_as_loaded", lang))
    level = st.radio(t("level", lang), ("city", "district", "town"), horizontal=True, key="review_level",
                     format_func=lambda x: t(x, lang))
    table = review_table(result, level, lang)
    rows = result.rows[result.rows["level"] == level]
    statuses = [getattr(v, "value", str(v)) for v in rows["status"]] if len(rows) == len(table) else []
    st.dataframe(review_styled(table, statuses) if statuses else table, hide_index=True, key="review_table")
    for note in review_notes(result, lang):
        st.caption(md_text(note))
    review = review_files(result, lang, sig)
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button(t("download_excel", lang), review["xlsx"], file_name=f"review_{year}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="review_xlsx")
    c2.download_button(t("download_csv", lang), review["csv"], file_name=f"review_{year}.csv",
                       mime="text/csv", key="review_csv")
    c3.download_button(t("download_md", lang), review["md"], file_name=f"review_{year}.md",
                       mime="text/markdown", key="review_md")
    docx_key = (sig, lang)
    if st.session_state.get("review_docx_key") == docx_key:
        c4.download_button(t("download_docx", lang), review_docx(result, region, lang, docx_key),
                           file_name=t("review_docx_name", lang, year=year),
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           key="review_docx")
    elif c4.button(t("make_docx", lang), key="make_docx"):
        with st.spinner(t("docx_running", lang)):
            try:
                review_docx(result, region, lang, docx_key)
            except Exception as exc:  # shown to the user with the library's message
                st.error(t("error", lang, error=md_text(error_words(exc, lang))))
                return
        st.session_state["review_docx_key"] = docx_key
        rerun_body()
    st.markdown(f"**{t('review_charts', lang)}**")
    review_charts(result, lang, ctx["caveat"])


def _save_upload(upload: Any) -> Path:
    """Write an uploaded file to a directory of its own (two files named alike never collide).

    The file keeps its own name as far as a file system allows (``coverage.workspace.storable_name``:
    its extension, which decides the reader, and ≤ 200 bytes without ``/ : * ?`` …; reports name it),
    inside a new temporary directory per upload.
    """
    root = st.session_state.setdefault("upload_dir", tempfile.mkdtemp(prefix="coverage-upload-"))
    folder = Path(tempfile.mkdtemp(prefix="u-", dir=root))
    path = folder / storable_name(upload.name, fallback="upload")  # any name a browser sends: ≤ 200 bytes, no / : * ?
    path.write_bytes(upload.getvalue())
    return path


def page_style() -> None:
    """The page's own style sheet, drawn once per page run (outside the body): the headline figures'
    (:data:`coverage.ui.figures.FIGURE_STYLE`), and metric labels (the analyses tab's) that wrap
    instead of ending in "…" so a caveat mark after a long label stays whole; Streamlit's English
    "Press Enter to apply" under the number and text inputs hidden (a value applies on Enter or when
    the box is left, in either language)."""
    st.html(f"""<style>{FIGURE_STYLE}
[data-testid="InputInstructions"] {{ display: none !important; }}
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }}
</style>""")


def sign_of(change: float) -> int:
    """A headline figure's delta colour (:class:`coverage.ui.figures.Figure` ``sign``).

    Parameters
    ----------
    change : float
        The figure now minus the figure of the data as loaded (NaN when undefined).

    Returns
    -------
    int
        ``1`` for a gain, ``-1`` for a loss, ``0`` for none (or undefined).
    """
    return 1 if change > 0 else -1 if change < 0 else 0


def data_tab(ctx: dict[str, Any], region: Any) -> None:
    """Uploads (with the sheet / layer choice), validation reports, provenance, the workspace."""
    lang = ctx["lang"]
    st.markdown(f"**{t('upload_title', lang)}**")
    with st.form("upload_form"):
        c1, c2 = st.columns(2)
        up_layer = lang_select(c1, t("upload_layer", lang), list(LAYERS), "upload_layer", lang,
                                format_func=lambda x: layer_name(x, lang))
        crs = lang_select(c2, t("upload_crs", lang), CRS_CHOICES, "upload_crs", lang,
                           format_func=lambda c: t(f"crs_{c}", lang))
        fac = file_input(st, t("upload_facilities", lang), "up_fac",
                         ["csv", "xlsx", "geojson", "json", "gpkg", "zip"], lang)
        towns = file_input(st, t("upload_towns", lang), "up_towns", ["geojson", "json", "gpkg", "zip"], lang)
        pop = file_input(st, t("upload_population", lang), "up_pop",
                         ["tif", "tiff", "geojson", "json", "gpkg", "zip"], lang)
        apply = st.form_submit_button(t("apply_upload", lang))
    if apply and (fac or towns or pop):
        files = {}
        if fac:
            files[up_layer] = fac
        if towns:
            files["towns"] = towns
        if pop:
            files["population"] = pop
        paths = {k: str(_save_upload(f)) for k, f in files.items()}
        names = {k: str(f.name) for k, f in files.items()}
        choices = upload_choices(paths)
        if any(len(names_) > 1 for _, names_ in choices.values()):
            st.session_state["upload_pending"] = {"paths": paths, "names": names, "crs": crs, "choices": choices}
        else:
            st.session_state.pop("upload_pending", None)
            load_uploads(region, paths, names, crs, lang, options=picked_options(choices))
    upload_picker(region, lang)
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
            frame = rep.to_frame(lang)
            st.caption(md_text(input_label(name, lang) + " — " + t(
                "report_summary", lang, file=rep.file, read=rep.rows_read, imported=rep.rows_imported,
                errors=len(rep.errors), warnings=len(rep.warnings))))
            if frame.empty:
                st.caption(t("validation_clean", lang))
            else:
                st.dataframe(report_table(frame, lang), hide_index=True, key=f"report_{name}")
    st.markdown(f"**{t('provenance', lang)}**")
    st.dataframe(provenance_table(region.provenance, lang).drop(columns="_flag"), hide_index=True,
                 key="provenance_table")
    st.caption(region.provenance_note(lang))
    st.markdown(f"**{t('workspace', lang)}**")
    if st.session_state.get("ws_error"):
        st.error(t("workspace_failed", lang, error=md_text(st.session_state["ws_error"])))
    st.caption(t("workspace_path", lang, path=md_text(ws.file)))
    entries = [e for e in ws.entries() if e.kind != "draft"]
    if entries:
        st.dataframe(workspace_table(entries, lang), hide_index=True, key="workspace_table")


def _reset_data() -> None:
    """Button callback: forget the saved uploads (the default data is used again)."""
    lang = st.session_state.get("lang", "zh")
    try:
        removed = persist.clear_data(workspace())
    except WorkspaceError as exc:
        st.session_state["upload_flash"] = [t("ws_drop_failed", lang, error=error_words(exc, lang))]
        return
    st.session_state["reset_confirm"] = False
    st.session_state["upload_flash"] = [t("reset_done", lang, n=len(removed))]
    st.rerun()  # the whole page (a button of the body runs only the body): the data in use changed


#: The reader keyword naming the part of a file to read (``coverage.io.read_imports`` options).
PART_OPTION = {".xlsx": "sheet", ".gpkg": "layer_name", ".zip": "layer_name"}


def upload_choices(paths: dict[str, str]) -> dict[str, tuple[str, list[str]]]:
    """``{input: (option, names)}`` of the uploaded workbooks / GeoPackages: the sheets or layers
    holding data (:func:`coverage.io.list_sheets` / :func:`coverage.io.list_layers`).

    A file that cannot be listed is left out (its import then reports why).
    """
    out = {}
    for key, path in paths.items():
        option = PART_OPTION.get(Path(path).suffix.lower())
        if option is None:
            continue
        try:
            names = cio.list_sheets(path) if option == "sheet" else cio.list_layers(path)
        except (cio.DataImportError, OSError):
            continue
        if names:
            out[key] = (option, names)
    return out


def picked_options(choices: dict[str, tuple[str, list[str]]],
                   picked: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """Reader options: per input, the sheet / layer picked (else the only / first one with data)."""
    picked = picked or {}
    return {key: {option: picked.get(key) or names[0]} for key, (option, names) in choices.items()}


def upload_picker(region: Any, lang: str) -> None:
    """When an upload holds several sheets / layers with data: one select box each, then import."""
    pending = st.session_state.get("upload_pending")
    if not pending:
        return
    st.info(t("upload_pick_hint", lang))
    picked = {}
    for key, (_option, names) in pending["choices"].items():
        if len(names) > 1:
            picked[key] = st.selectbox(f"{t('upload_sheet', lang)}: {md_text(pending['names'][key])}", names,
                                       key=f"upload_part_{key}")
    c1, c2 = st.columns(2)
    if c2.button(t("upload_pick_cancel", lang), key="upload_pick_cancel"):
        st.session_state.pop("upload_pending", None)
        rerun_body()
    if c1.button(t("upload_pick_apply", lang), key="upload_pick_apply"):
        st.session_state.pop("upload_pending", None)
        load_uploads(region, pending["paths"], pending["names"], pending["crs"], lang,
                     options=picked_options(pending["choices"], picked))


def load_uploads(region: Any, paths: dict[str, str], names: dict[str, str], crs: str, lang: str,
                 options: dict[str, dict[str, Any]] | None = None) -> None:
    """Import the uploaded files against ``region`` and save them in the workspace.

    ``paths`` / ``names`` map ``"towns"``, ``"population"`` or a layer id to the saved upload and
    its own file name; ``options`` are :func:`coverage.io.read_imports`'s (the sheet / layer
    picked). Every file is read and validated first; only when all of them import is anything
    saved, so a failed upload changes neither the workspace nor the region in use. Row-level
    problems are listed.
    """
    facilities = {k: p for k, p in paths.items() if k not in ("towns", "population")}
    with st.spinner(t("loading", lang)):
        try:
            imported = read_imports(region.towns, towns=paths.get("towns"), population=paths.get("population"),
                                    facilities=facilities, crs=crs, options=options)
        except cio.DataImportError as exc:
            rep = exc.report
            st.error(t("upload_failed_n", lang, file=md_text(rep.file), errors=len(rep.errors)))
            st.dataframe(report_table(rep.to_frame(lang), lang), hide_index=True, key="upload_errors")
            return
        except (ValueError, OSError) as exc:
            st.error(t("upload_failed", lang, error=md_text(error_words(exc, lang))))
            return
        try:
            persist.save_imports(workspace(), imported, names)
        except (ValueError, OSError) as exc:
            st.error(t("upload_failed", lang, error=md_text(error_words(exc, lang))))
            return
    flash = [f"{input_label(name, lang)}: " + t("upload_ok", lang, n=imported[name][1].rows_imported)
             for name in ("towns", "population") if imported.get(name) is not None]
    for layer_id, item in imported.get("facilities", {}).items():  # a register replaces the whole layer
        before = region.facilities.get(layer_id)
        flash.append(f"{input_label(f'facilities:{layer_id}', lang)}: " + t(
            "upload_replaced", lang, n=item[1].rows_imported, old=0 if before is None else len(before)))
    st.session_state["upload_flash"] = flash
    st.rerun()  # redraw the figures and the map with the new data


# --------------------------------------------------------------------------- page


def main() -> None:
    """One run of the page (with ``COVERAGE_APP_TIMING=1``, one ``[timing] total`` line per run)."""
    with timed("total"):
        page()


def page() -> None:
    """The page: the sidebar (settings, saved scenarios, sources), the title, then :func:`body`.

    A what-if click, a tab switch or any widget of the body runs only :func:`body` again (a
    Streamlit fragment): the sidebar and the title stay as drawn, so Streamlit's front end redraws
    only the body. The sidebar's widgets (language, layer, standard, year, basemap, the saved
    scenarios) run the whole page.
    """
    if "lang" not in st.session_state and st.query_params.get(LANG_PARAM) in LANGUAGES:
        st.session_state["lang"] = st.query_params[LANG_PARAM]  # a reload keeps the page's language
    lang = st.session_state.get("lang", "zh")
    st.session_state[BODY_RUN] = False
    with st.spinner(t("loading", lang)), timed("region"):
        init_session(workspace())
        region = current_region()
    with timed("sidebar"):
        ctx = sidebar(region)
    lang = ctx["lang"]
    st.title(t("title", lang))
    st.caption(t("subtitle", lang))
    page_style()
    body(ctx, region)
    st.session_state[BODY_RUN] = True  # a later run of body alone is a body run (see rerun_body)


#: The page URL's parameter holding the page's language (``?lang=en``; none: Chinese).
LANG_PARAM = "lang"

#: Session key: the last run was the whole page (False) or the body alone (True).
BODY_RUN = "body_run"


@st.fragment
def body(ctx: dict[str, Any], region: Any) -> None:
    """The page body: headline figures, the map with the what-if panel, the tabs.

    A Streamlit fragment: run with the whole page, and alone for its own widgets (``ctx`` and
    ``region`` are then those of the page's last run). A session's first run leaves the coverage
    tab's tables, chart and download out (a caption says they are loading): the browser loads their
    JavaScript (data grid, Arrow, Vega: ~2 MB) only when they arrive, and Streamlit's front end
    shows the elements of a run that wait for such chunks together, so they held the figures and
    the map back. The map, once drawn, sends its value (:class:`coverage.ui.map.MapBehaviour`);
    that second run draws them (as any later run does). With ``COVERAGE_APP_TIMING=1`` a body run
    prints one ``[timing] total`` line too (as a page run does).

    Parameters
    ----------
    ctx : dict
        The sidebar's choices (:func:`sidebar`: language, layer, standards, year, basemap).
    region : Region
        The region in use (:func:`current_region`). A body run that finds the workspace's data
        changed since (another session's upload or reset) runs the whole page instead.
    """
    with timed("total" if st.session_state.get(BODY_RUN) else "body"):
        body_parts(ctx, region)


def body_parts(ctx: dict[str, Any], region: Any) -> None:
    """:func:`body`'s content: the figures, the map and the what-if panel, the open tab."""
    if st.session_state.get(BODY_RUN) and data_changed():
        st.rerun()  # another session saved new data: the whole page, on the region now in use
    lang, layer_id = ctx["lang"], ctx["layer"]
    first_run = not st.session_state.get(SHOWN_KEY)
    st.session_state[SHOWN_KEY] = True

    signature = (ctx["mode"], ctx["minutes"])
    with st.spinner(t("computing", lang)), timed("scenario + coverage"):
        scenario = get_scenario(region, layer_id, base_analysis(region, ctx), signature)
        # A map click arrives in the component's state before the script runs: apply it now so
        # the figures drawn below already include the new site (no second run).
        _handle_click(st.session_state.get(MAP_KEY), scenario, ctx["basemap"])
        autosave(scenario, layer_id)
        coverage = scenario_coverage(region, ctx, scenario)
        figures = city_figures(coverage)
        base = city_figures(base_analysis(region, ctx).coverage(layer_id).table)

    served = served_name(get_layer(layer_id).served_column, lang)
    # The caveat travels with the figures: the library says which inputs are modelled/illustrative.
    mark = caveat(region, [layer_id], lang)
    ctx["caveat"] = mark
    note = region.provenance_note(lang, layers=[layer_id])
    label = (lambda text: f"{text} {mark}") if mark else (lambda text: text)
    covered_change = figures["covered"] - base["covered"]
    rate_change = figures["rate"] - base["rate"]
    st.html(figures_html([
        Figure("served", label(f"{t('served_pop', lang)} ({served})"), f"{figures['served']:,.0f}", help=note),
        Figure("covered", label(t("covered_pop", lang)), f"{figures['covered']:,.0f}", help=note,
               delta=f"{covered_change:+,.0f}" if scenario.changes else None, sign=sign_of(covered_change)),
        Figure("rate", label(t("coverage_rate", lang)), rate_text(figures["rate"]), help=note,
               delta=t("pp_delta", lang, pp=rate_change * 100) if scenario.changes else None,
               sign=sign_of(rate_change)),
        Figure("facilities", label(t("facilities_n", lang)), f"{scenario.n_active:,}", help=note),
    ]))
    notes = []
    if mark:
        inputs = ", ".join(input_label(n, lang) for n in region.modelled_inputs([layer_id]))
        notes.append(md_text(t("caveat_note", lang, inputs=inputs)))
    labels = [f"{t(f'core_area_{area}', lang)}: {ctx['standards'].get(layer_id, area).label(lang)}" for area in ("urban", "rural")]
    if getattr(region, "network", None) is None:
        labels.append(t("no_network", lang))
    notes.append("; ".join(labels))
    st.caption("  \n".join(notes))

    with timed("map"):
        map_section(ctx, region, scenario, coverage)

    tabs = tab_bar(lang)
    # Only the open tab runs (stateful tabs): a hidden tab costs nothing on a click or a switch.
    if tabs[0].open:
        with tabs[0], timed("tab coverage"):
            if first_run:
                st.caption(t("loading", lang))
            else:
                coverage_tab(ctx, region, coverage)
    if tabs[1].open:
        with tabs[1], timed("tab gaps"):
            gaps_tab(ctx, region, scenario)
    if tabs[2].open:
        with tabs[2], timed("tab siting"):
            siting_tab(ctx, region, scenario)
    if tabs[3].open:
        with tabs[3], timed("tab review"):
            review_tab(ctx, region)
    if tabs[4].open:
        with tabs[4], timed("tab data"):
            data_tab(ctx, region)
    if tabs[5].open:
        with tabs[5], timed("tab analyses"):
            from coverage.ui.analyses import analyses_tab

            analyses_tab(ctx, region, _data_version(), workspace())


def tab_bar(lang: str) -> list[Any]:
    """The page's tabs, stateful: the planner stays on the tab they chose (across an upload's rerun
    and a language switch) and only the open tab's content runs.

    The open tab is kept under :data:`TAB_KEY` as its label; after a language switch the label of
    the same tab in the new language is put there before the tabs are drawn.
    """
    labels = [t(k, lang) for k in TABS]
    current = st.session_state.get(TAB_KEY)
    if current is not None and current not in labels:
        for other in LANGUAGES:
            others = [t(k, other) for k in TABS]
            if current in others:
                st.session_state[TAB_KEY] = labels[others.index(current)]
                break
        else:
            del st.session_state[TAB_KEY]
    return st.tabs(labels, key=TAB_KEY, on_change="rerun")

main()
