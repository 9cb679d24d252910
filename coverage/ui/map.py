"""The planner's map: folium layers that work with no network.

folium loads Leaflet (and jQuery, Bootstrap, awesome-markers) from CDNs even when no tiles are
drawn, so a folium map is blank on a machine without internet. :func:`offline_map` replaces the
map's JavaScript/CSS resources with Leaflet read from the ``XStatic-Leaflet`` package, inlined as
``data:`` URLs, and draws no basemap by default: the page it produces makes no request to any
host. Points are drawn as ``CircleMarker`` (the default ``Marker`` icon is a CDN image).

Every string that comes from user data (facility and town names, sources…) is HTML-escaped
before it reaches a tooltip: Leaflet puts tooltip content in ``innerHTML``.

Basemaps
--------
``"none"`` (default, offline), ``"osm"`` (OpenStreetMap tiles), ``"tianditu"`` (天地图, needs the
user's key; CGCS2000 ≈ WGS-84, no shift) and ``"amap"`` (高德, GCJ-02: every data layer is shifted
from WGS-84 to GCJ-02 so it lines up with the tiles; clicks must be shifted back with
:func:`to_wgs84`).
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, MacroElement, Template
from jinja2.utils import htmlsafe_json_dumps

from coverage.errors import BasemapError
from coverage.crs import WGS84

__all__ = [
    "BASEMAPS",
    "COVERAGE_CLASSES",
    "LEGEND_SWATCHES",
    "MAP_DECIMALS",
    "BasemapError",
    "FACILITY_BASE",
    "Field",
    "HATCH_JS",
    "MapBehaviour",
    "Overlay",
    "build_map",
    "clicked_facility",
    "coverage_colour",
    "coverage_legend",
    "facility_layer",
    "facility_marks_js",
    "drop_kept_js",
    "features_js",
    "js_json",
    "legend_body",
    "legend_js",
    "payload",
    "point_style",
    "polygon_style",
    "restyle_js",
    "TOWN_BASE",
    "TOWN_HIGHLIGHT",
    "town_restyle_js",
    "facility_marks",
    "facility_token",
    "embedded_features",
    "features",
    "legend_layer",
    "map_legend",
    "town_restyle",
    "tooltips",
    "leaflet_assets",
    "map_html",
    "offline_map",
    "overlay_group",
    "point_layer",
    "polygon_layer",
    "remote_urls",
    "shift_for_basemap",
    "to_wgs84",
    "town_layer",
]

BASEMAPS: tuple[str, ...] = ("none", "osm", "tianditu", "amap")
"""Basemap ids accepted by :func:`offline_map`; ``"none"`` is the offline default."""

#: Coverage classes (upper bound exclusive except the last) and their colours, red → green.
COVERAGE_CLASSES: tuple[tuple[float, float, str], ...] = (
    (0.0, 0.2, "#d7301f"),
    (0.2, 0.4, "#fc8d59"),
    (0.4, 0.6, "#fee08b"),
    (0.6, 0.8, "#91cf60"),
    (0.8, 1.0, "#1a9850"),
)
NO_DATA_COLOUR = "#bdbdbd"

_TIANDITU = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
_AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
_OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"



# --------------------------------------------------------------------------- assets


def _leaflet_dir() -> Path:
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError as exc:  # pragma: no cover - pinned in requirements.txt
        raise RuntimeError(
            "the offline map needs the XStatic-Leaflet package (pip install XStatic-Leaflet)"
        ) from exc
    return Path(xleaflet.BASE_DIR)


def _data_url(mime: str, payload: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JavaScript and CSS as ``data:`` URLs (read once from XStatic-Leaflet).

    The CSS's ``url(images/…)`` references are inlined too, so nothing is fetched.

    Returns
    -------
    (str, str)
        ``(js_data_url, css_data_url)``.
    """
    root = _leaflet_dir()
    js = (root / "leaflet.js").read_bytes()
    css = (root / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        image = root / match.group(1)
        if not image.is_file():
            return "url()"
        return f"url({_data_url('image/png', image.read_bytes())})"

    css = re.sub(r"url\((images/[^)]+\.png)\)", inline, css)
    return _data_url("text/javascript", js), _data_url("text/css", css.encode("utf-8"))


# --------------------------------------------------------------------------- datum


def shift_for_basemap(gdf: gpd.GeoDataFrame, basemap: str) -> gpd.GeoDataFrame:
    """Return ``gdf`` in WGS-84, shifted to GCJ-02 when ``basemap`` is ``"amap"``.

    Raises
    ------
    BasemapError
        If the GCJ-02 conversion is not available.
    """
    g = gdf.to_crs(WGS84) if gdf.crs is not None and not gdf.crs.equals(WGS84) else gdf
    if basemap != "amap" or g.empty:
        return g
    try:
        from coverage.crs import wgs84_to_gcj02
    except ImportError as exc:
        raise BasemapError(
            "高德 tiles are in GCJ-02 and coverage.crs.wgs84_to_gcj02 is not available to shift "
            "the data layers; choose another basemap"
        ) from exc

    def fn(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    out = g.copy()
    out.geometry = shapely.transform(np.asarray(g.geometry.values), fn)
    return out


def to_wgs84(lon: float, lat: float, basemap: str) -> tuple[float, float]:
    """Convert a point clicked on a map drawn with ``basemap`` back to WGS-84."""
    if basemap != "amap":
        return float(lon), float(lat)
    from coverage.crs import gcj02_to_wgs84

    x, y = gcj02_to_wgs84(np.array([lon]), np.array([lat]))
    return float(np.asarray(x)[0]), float(np.asarray(y)[0])


# --------------------------------------------------------------------------- map


def offline_map(
    bounds: Sequence[float] | None = None,
    basemap: str = "none",
    tianditu_key: str | None = None,
    attribution: str | None = None,
    tile_error: str = "底图无法加载 (无网络或密钥无效)",
) -> folium.Map:
    """An empty folium map whose Leaflet is inlined: it makes no request by default.

    The map has a metric-only scale; the mouse wheel zooms only after the map is clicked (and
    scrolls the page again once the pointer leaves it); a basemap tile that cannot load shows
    ``tile_error`` inside the map (see :class:`MapBehaviour`).

    Parameters
    ----------
    bounds : (minx, miny, maxx, maxy), optional
        WGS-84 extent to fit (e.g. ``region.towns.total_bounds``).
    basemap : {"none", "osm", "tianditu", "amap"}, default "none"
        Background tiles. Only ``"none"`` works offline.
    tianditu_key : str, optional
        The user's 天地图 key, required for ``"tianditu"``.
    attribution : str, optional
        Text shown in the attribution control (HTML-escaped).
    tile_error : str
        Message shown in the map when a basemap tile fails to load (HTML-escaped).

    Raises
    ------
    BasemapError
        Unknown basemap, or 天地图 without a key.
    """
    if basemap not in BASEMAPS:
        raise BasemapError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
    if basemap == "tianditu" and not (tianditu_key or "").strip():
        raise BasemapError("天地图 tiles need a key (申请: console.tianditu.gov.cn)")

    m = folium.Map(tiles=None, control_scale=False, prefer_canvas=False, scrollWheelZoom=False)
    js, css = leaflet_assets()
    # Instance attributes: the class-level lists (CDN links) are left alone for other maps.
    m.default_js = [("leaflet", js)]
    m.default_css = [("leaflet_css", css)]

    if basemap == "osm":
        folium.TileLayer(_OSM, attr="© OpenStreetMap contributors", name="OpenStreetMap",
                         max_zoom=19).add_to(m)
    elif basemap == "tianditu":
        key = re.sub(r"[^0-9A-Za-z]", "", tianditu_key or "")
        for layer, name in (("vec", "天地图"), ("cva", "天地图注记")):
            folium.TileLayer(_TIANDITU.format(layer=layer, key=key), attr="© 天地图",
                             name=name, subdomains="01234567", max_zoom=18,
                             overlay=layer == "cva").add_to(m)
    elif basemap == "amap":
        folium.TileLayer(_AMAP, attr="© 高德地图", name="高德", subdomains="1234",
                         max_zoom=18).add_to(m)
    if attribution:
        _Attribution(attribution).add_to(m)
    MapBehaviour(tile_error).add_to(m)
    if bounds is not None:
        minx, miny, maxx, maxy = (float(b) for b in bounds)
        if all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
            m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


class _Raw(Element):
    """Finished text put in a page as is (not compiled as a template again)."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _RawMacro(MacroElement):
    """A ``MacroElement`` whose rendered header / html / script go into the page as finished text.

    branca compiles every macro's output as a Jinja template once more before it is rendered
    (``Element(text)``), ~1 ms per element plus ~0.1 s per 100 kB; our macros' output is final.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = self._template.module.__dict__
        for name, element in self._children.items():
            element.render(**kwargs)
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Raw(macro(self, kwargs)), name=self.get_name())


#: What streamlit-folium returns about a click, in the order it sends them; when the app asks only
#: for these (``returned_objects``), :class:`MapBehaviour` sends a click at once, not after the
#: component's 250 ms debounce.
CLICK_FIELDS: tuple[str, ...] = ("last_clicked", "last_object_clicked", "last_object_clicked_count",
                                 "last_object_clicked_tooltip", "last_object_clicked_popup")


class MapBehaviour(_RawMacro):
    """Metric scale, wheel zoom only after a click, a visible message when basemap tiles fail, a
    click sent to the page at once (not after streamlit-folium's 250 ms debounce; see
    :data:`CLICK_FIELDS`), and the page told once, when the map is first drawn in it (the map's
    value before any click: the page's second run, which draws what the first one left out).

    Also defines the SVG hatch pattern (``url(#coverage-hatch)``) that :func:`polygon_layer`
    uses for gap zones, and ``window.coverageLayers`` where :func:`register` puts named layers.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            window.coverageLayers = window.coverageLayers || {};
            L.control.scale({imperial: false, metric: true}).addTo(map);
            map.scrollWheelZoom.disable();
            map.on("click focus", function () { map.scrollWheelZoom.enable(); });
            // A marker pressed but whose click reached only the map (the pointer's target changed
            // between press and release, e.g. a town highlighted under it): deliver the click to
            // the marker, at the map click's position, before the map's own click handlers run.
            map.on("click", function (e) {
                var down = window.coverageDown;
                window.coverageDown = null;
                if (down && !window.coverageClicked && down._map) { down.fire("click", {latlng: e.latlng}); }
                window.coverageClicked = false;
            });
            map.getContainer().addEventListener("mouseleave", function () { map.scrollWheelZoom.disable(); });
            // streamlit-folium sends a click to the page 250 ms after it (debounced, for map moves):
            // send a click at once, the value it would send, and mark it sent so it is not sent twice.
            var CLICK_FIELDS = {{ this.click_fields|tojson }};
            map.on("click", function () {
                setTimeout(function () {
                    var g = window.__GLOBAL_DATA__;
                    if (!g || !g.returned_objects || !window.parent || window.parent === window) { return; }
                    if (g.returned_objects.some(function (k) { return CLICK_FIELDS.indexOf(k) < 0; })) { return; }
                    var point = function (ll) {
                        if (!ll) { return ll; }
                        ll = g.wrap_longitude ? map.wrapLatLng(ll) : ll;
                        return {lat: ll.lat, lng: ll.lng};
                    };
                    var all = {last_clicked: point(g.lat_lng_clicked), last_object_clicked: point(g.last_object_clicked),
                               last_object_clicked_count: g.last_object_clicked_count,
                               last_object_clicked_tooltip: g.last_object_clicked_tooltip,
                               last_object_clicked_popup: g.last_object_clicked_popup};
                    var value = {};
                    CLICK_FIELDS.forEach(function (k) { if (g.returned_objects.indexOf(k) >= 0) { value[k] = all[k]; } });
                    if (JSON.stringify(value) === JSON.stringify(g.previous_data)) { return; }
                    g.previous_data = value;
                    window.parent.postMessage({isStreamlitMessage: true, type: "streamlit:setComponentValue",
                                               value: value, dataType: "json"}, "*");
                }, 0);
            });
            var box = null;
            function tileFailed() {
                if (box) { return; }
                box = L.DomUtil.create("div", "coverage-tile-error", map.getContainer());
                box.style.cssText = "position:absolute;top:10px;left:50%;transform:translateX(-50%);"
                    + "z-index:1000;background:#fff3cd;color:#664d03;border:1px solid #ffda6a;"
                    + "padding:6px 10px;border-radius:4px;font:13px sans-serif;";
                box.textContent = {{ this.message|tojson }};
            }
            function watch(layer) { if (layer instanceof L.TileLayer) { layer.on("tileerror", tileFailed); } }
            map.eachLayer(watch);
            map.on("layeradd", function (e) { watch(e.layer); });
            window.coverageHatch = function () {
                var svg = map.getPanes().overlayPane.querySelector("svg");
                if (!svg || svg.querySelector("#coverage-hatch")) { return; }
                var ns = "http://www.w3.org/2000/svg";
                var defs = document.createElementNS(ns, "defs");
                var p = document.createElementNS(ns, "pattern");
                p.setAttribute("id", "coverage-hatch");
                p.setAttribute("patternUnits", "userSpaceOnUse");
                p.setAttribute("width", "8");
                p.setAttribute("height", "8");
                p.setAttribute("patternTransform", "rotate(45)");
                var bg = document.createElementNS(ns, "rect");
                bg.setAttribute("width", "8"); bg.setAttribute("height", "8");
                bg.setAttribute("fill", "#ffffff"); bg.setAttribute("fill-opacity", "0.45");
                var line = document.createElementNS(ns, "rect");
                line.setAttribute("width", "3.5"); line.setAttribute("height", "8");
                line.setAttribute("fill", {{ this.hatch|tojson }});
                p.appendChild(bg); p.appendChild(line); defs.appendChild(p);
                svg.insertBefore(defs, svg.firstChild);
            };
            window.coverageHatch();
            // Drawn (this runs after the map's scripts and, on the next turn, its update groups):
            // send the value the map holds before any click, once per page (a map rebuilt later in
            // the same page sends nothing), so the page runs again at once (see app.page).
            setTimeout(function () {
                var g = window.__GLOBAL_DATA__;
                if (!g || !window.parent || window.parent === window) { return; }
                try {
                    if (window.parent.coverageMapDrawn) { return; }
                    window.parent.coverageMapDrawn = true;
                } catch (e) { return; }
                window.parent.postMessage({isStreamlitMessage: true, type: "streamlit:setComponentValue",
                                           value: g.previous_data, dataType: "json"}, "*");
            }, 0);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, tile_error: str):
        super().__init__()
        self._name = "MapBehaviour"
        self.message = tile_error
        self.hatch = HATCH_COLOUR
        self.click_fields = list(CLICK_FIELDS)


class _Attribution(_RawMacro):
    """Add a (pre-escaped) line to the map's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str):
        super().__init__()
        self._name = "Attribution"
        self.text = html.escape(text)


# --------------------------------------------------------------------------- layers


@dataclass(frozen=True)
class Field:
    """One tooltip line: ``label`` then the value of ``column`` (escaped, formatted)."""

    column: str
    label: str
    fmt: str | Callable[[Any], str] | None = None

    def render(self, value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            text = "—"
        elif callable(self.fmt):
            text = self.fmt(value)
        elif self.fmt:
            try:
                text = format(value, self.fmt)
            except (TypeError, ValueError):
                text = str(value)
        else:
            text = str(value)
        return f"<b>{html.escape(self.label)}</b> {html.escape(text)}"


def tooltips(gdf: gpd.GeoDataFrame, fields: Sequence[Field]) -> list[str]:
    """One escaped HTML tooltip per row of ``gdf`` (the ``fields`` present in it)."""
    cols = [f for f in fields if f.column in gdf.columns]
    rows = []
    for values in zip(*(gdf[f.column].tolist() for f in cols)) if cols else [()] * len(gdf):
        rows.append("<br>".join(f.render(v) for f, v in zip(cols, values)))
    return rows


def facility_token(index: int) -> str:
    """The hidden marker put in facility ``index``'s tooltip (see :func:`clicked_facility`)."""
    return f"\u27e6f:{int(index)}\u27e7"


_TOKEN = re.compile("\u27e6f:(\\d+)\u27e7")


def clicked_facility(out: dict[str, Any] | None) -> int | None:
    """Index of the facility marker the last map click landed on, or None.

    ``out`` is what ``st_folium`` returned (with ``last_clicked``, ``last_object_clicked`` and
    ``last_object_clicked_tooltip``). A click is on a marker when the object clicked was hit by
    the same click (same position) and its tooltip carries a :func:`facility_token`.
    """
    if not out:
        return None
    click, obj = out.get("last_clicked"), out.get("last_object_clicked")
    if not click or not obj or click != obj:
        return None
    match = _TOKEN.search(str(out.get("last_object_clicked_tooltip") or ""))
    return int(match.group(1)) if match else None


#: Decimal degrees kept in the map's coordinates (1e-5° ≈ 1.1 m at Jiangmen's latitude).
MAP_DECIMALS = 5


def _feature_collection(
    gdf: gpd.GeoDataFrame, tips: list[str], styles: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """GeoJSON with only the (escaped) tooltip and style as properties: no raw user strings.

    Coordinates are rounded to :data:`MAP_DECIMALS` decimal degrees (about 1 m): the page carries
    about half the characters and the map looks the same at every zoom the planner uses.
    """
    features = []
    geoms = shapely.transform(np.asarray(gdf.geometry.values, dtype=object),
                              lambda xy: np.round(xy, MAP_DECIMALS))
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        props: dict[str, Any] = {"_tip": tips[i]}
        if styles is not None:
            props["_style"] = styles[i]
        features.append({"type": "Feature", "id": i, "geometry": shapely.geometry.mapping(geom),
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


def features(gdf: gpd.GeoDataFrame, fields: Sequence[Field] = (), basemap: str = "none",
             tips: list[str] | None = None) -> dict[str, Any]:
    """``gdf`` as a GeoJSON dict for the map (shifted for ``basemap``; feature ``id`` = row number).

    Properties hold only the escaped tooltip (``tips``, or built from ``fields``). Serialise a
    static layer once with this and reuse the dict (e.g. cached per data version).
    """
    g = shift_for_basemap(gdf, basemap)
    return _feature_collection(g, tips if tips is not None else tooltips(g, fields))


def js_json(value: Any) -> str:
    """``value`` as JSON safe inside a page's script (Jinja's ``tojson``: sorted keys, ``<>&'`` escaped).

    The update scripts written as text (:mod:`coverage.ui.map_component`) and the folium elements
    of this module use it, so both write the same characters.
    """
    return str(htmlsafe_json_dumps(value, sort_keys=True))


def drop_kept_js(js_name: str) -> str:
    """The script removing the layer kept on the map as ``js_name`` (:func:`features_js` with
    ``keep``), e.g. the previous layer's stations when the layer shown now has no facility."""
    name = js_json(js_name)
    return ("(function () { var kept = (window.coverageLayers || {})[" + name + "];"
            " if (kept) { kept.remove(); delete window.coverageLayers[" + name + "]; } })();")


def features_js(parent: str, payload: str, base: dict[str, Any], radius: float = 5,
                highlight: dict[str, Any] | None = None, js_name: str | None = None,
                keep: str | None = None, tips_key: str | None = None) -> str:
    """The script drawing a GeoJSON layer (base64 ``payload``) into the Leaflet object ``parent``.

    Properties used: ``_tip`` (escaped HTML tooltip, bound as a string so streamlit-folium reports
    it on click) and ``_style``. With ``keep``, the layer is added to the map itself and kept there,
    decoded and drawn once, while later updates carry the same key; when such an update carries
    another ``tips_key`` (e.g. the language), only the kept markers' tooltips are replaced
    (``setTooltipContent``) from the payload's ``_tip``, no marker is drawn again.
    """
    name = js_json(js_name)
    relay = js_name == "facilities"
    lines = ["(function () {", "    window.coverageLayers = window.coverageLayers || {};",
             "    var read = function () {",
             "        var text = atob(" + js_json(payload) + "), bytes = new Uint8Array(text.length);",
             "        for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }",
             "        return JSON.parse(new TextDecoder().decode(bytes));",
             "    };"]
    if keep:
        lines += [
            "    // Kept on the map across updates while its key is unchanged (decoded and drawn once).",
            f"    var kept = window.coverageLayers[{name}];",
            f"    if (kept && kept.coverageKey === {js_json(keep)} && kept._map) {{",
            f"        if (kept.coverageTips === {js_json(tips_key)}) {{ return; }}",
            "        var tips = {};",
            "        read().features.forEach(function (f) { tips[f.id] = (f.properties || {})._tip; });",
            "        kept.eachLayer(function (l) {",
            "            var tip = tips[l.feature.id];",
            "            if (tip && l.getTooltip()) { l.setTooltipContent(tip); }",
            "        });",
            f"        kept.coverageTips = {js_json(tips_key)};",
            "        return;",
            "    }",
            "    if (kept) { kept.remove(); }",
        ]
    lines += [
        "    var data = read();",
        f"    var base = {js_json(base)}, radius = {js_json(radius)};",
        f"    var highlight = {js_json(highlight)};",
        "    var layer = L.geoJson(data, {",
        "        style: function (f) { return Object.assign({}, base, (f.properties || {})._style || {}); },",
        "        pointToLayer: function (f, latlng) {",
        "            return L.circleMarker(latlng, Object.assign({radius: radius}, base, (f.properties || {})._style || {}));",
        "        },",
        "        onEachFeature: function (f, l) {",
        "            var tip = (f.properties || {})._tip;",
        "            if (tip) { l.bindTooltip(tip, {sticky: true}); }",
    ]
    if highlight:
        lines += [
            "            l.on(\"mouseover\", function () { l.setStyle(highlight); });",
            "            l.on(\"mouseout\", function () { layer.resetStyle(l); });",
        ]
    if relay:
        lines += [
            "            // A press on a marker counts as a click on it even when the browser",
            "            // delivers the click to an ancestor (see MapBehaviour).",
            "            l.on(\"mousedown\", function () { window.coverageDown = l; window.coverageClicked = false; });",
            "            l.on(\"click\", function () { window.coverageClicked = true; });",
        ]
    lines += ["        }", "    });"]
    if keep:
        lines += [f"    layer.coverageKey = {js_json(keep)};", f"    layer.coverageTips = {js_json(tips_key)};",
                  f"    layer.addTo(window.map || {parent});"]
    else:
        lines.append(f"    layer.addTo({parent});")
    if js_name:
        lines.append(f"    window.coverageLayers[{name}] = layer;")
    lines.append("})();")
    return "\n".join(lines) + "\n"


class _Features(_RawMacro):
    """A GeoJSON layer drawn by a few lines of Leaflet (:func:`features_js`), its data embedded as base64.

    folium's ``GeoJson`` goes through Jinja twice per render (the rendered script is compiled as a
    template again), which costs ~0.3 s per run for the 73 towns and 581 stations; base64 text has
    no template syntax, so it passes straight through.
    """

    _template = Template("{% macro script(this, kwargs) %}{{ this.js() }}{% endmacro %}")

    def __init__(self, data: dict[str, Any], base: dict[str, Any], radius: float = 5,
                 highlight: dict[str, Any] | None = None, js_name: str | None = None, keep: str | None = None,
                 tips_key: str | None = None):
        super().__init__()
        self._name = "Features"
        self.keep = keep
        self.tips_key = tips_key
        self.payload = payload(data)
        self.base = base
        self.radius = radius
        self.highlight = highlight
        self.js_name = js_name

    def js(self) -> str:
        return features_js(self._parent.get_name(), self.payload, self.base, self.radius, self.highlight,
                           self.js_name, self.keep, self.tips_key)


_PAYLOAD = re.compile(r'atob\("([A-Za-z0-9+/=]*)"\)')


def embedded_features(page: str) -> list[dict[str, Any]]:
    """The GeoJSON FeatureCollections embedded (base64) in a rendered map ``page``, in order."""
    return [json.loads(base64.b64decode(m).decode("utf-8")) for m in _PAYLOAD.findall(page)]


#: id(data) -> (data, base64 payload) of recently drawn layers (static layers are reused dicts).
_PAYLOADS: dict[int, tuple[dict[str, Any], str]] = {}
#: The sessions run in threads and share :data:`_PAYLOADS`.
_PAYLOADS_LOCK = threading.Lock()


def payload(data: dict[str, Any]) -> str:
    """``data`` as base64 of its compact UTF-8 JSON, remembered for the same (cached) dict."""
    with _PAYLOADS_LOCK:
        hit = _PAYLOADS.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    with _PAYLOADS_LOCK:
        while len(_PAYLOADS) >= 16:
            _PAYLOADS.pop(next(iter(_PAYLOADS)), None)
        _PAYLOADS[id(data)] = (data, encoded)
    return encoded


def _layer(fg: folium.FeatureGroup, data: dict[str, Any], base: dict[str, Any], radius: float = 5,
           highlight: dict[str, Any] | None = None, js_name: str | None = None,
           keep: str | None = None, tips_key: str | None = None) -> folium.FeatureGroup:
    _Features(data, base, radius, highlight, js_name, keep, tips_key).add_to(fg)
    return fg


@dataclass(frozen=True)
class Overlay:
    """One update group of the map: a Leaflet feature group with ``scripts`` drawn into it.

    Each script is a function of the group's JavaScript variable name (:func:`features_js`,
    :func:`town_restyle_js`, :func:`legend_js`…). ``control``: listed in the layer control under
    ``name``. The app sends overlays as text (:mod:`coverage.ui.map_component`); :func:`overlay_group`
    makes one a folium feature group (for :func:`build_map`).
    """

    name: str
    scripts: tuple[Callable[[str], str], ...] = ()
    control: bool = True


class _Scripts(_RawMacro):
    """The scripts of an :class:`Overlay`, given the name of the folium group holding them."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.js() }}{% endmacro %}")

    def __init__(self, scripts: Sequence[Callable[[str], str]]):
        super().__init__()
        self._name = "Scripts"
        self.scripts = tuple(scripts)

    def js(self) -> str:
        parent = self._parent.get_name()
        return "".join(script(parent) for script in self.scripts)


def overlay_group(overlay: Overlay) -> folium.FeatureGroup:
    """``overlay`` as a folium feature group (the same scripts, for :func:`build_map` / :func:`map_html`)."""
    fg = folium.FeatureGroup(name=overlay.name, control=overlay.control)
    if overlay.scripts:
        _Scripts(overlay.scripts).add_to(fg)
    return fg


def coverage_colour(rate: float | None) -> str:
    """Fill colour of a coverage rate in [0, 1] (grey for missing)."""
    if rate is None or not np.isfinite(rate):
        return NO_DATA_COLOUR
    r = min(max(float(rate), 0.0), 1.0)
    for lo, hi, colour in COVERAGE_CLASSES:
        if lo <= r < hi:
            return colour
    return COVERAGE_CLASSES[-1][2]


#: Symbols of the map (one place: the layers and the legend use them).
TOWN_STYLE: dict[str, Any] = {"color": "#555555", "weight": 1, "fillOpacity": 0.6}
FACILITY_COLOUR = "#2c7fb8"
ADDED_COLOUR = "#e6550d"
PROPOSED_COLOUR = "#756bb1"
REMOVED_STYLE: dict[str, Any] = {"color": "#252525", "weight": 2, "fillColor": "#ffffff",
                                 "fillOpacity": 0.9, "dashArray": "2"}
SERVICE_COLOUR = "#3182bd"
HATCH_COLOUR = "#252525"
TOWN_HIGHLIGHT: dict[str, Any] = {"weight": 3, "color": "#333333"}
GAP_STYLE: dict[str, Any] = {"color": HATCH_COLOUR, "weight": 2, "dashArray": "5 3",
                             "fillColor": "url(#coverage-hatch)", "fillOpacity": 0.85}


def town_layer(
    towns: gpd.GeoDataFrame | dict[str, Any],
    rate_column: str = "rate",
    fields: Sequence[Field] = (),
    name: str = "镇街覆盖率",
    basemap: str = "none",
) -> folium.FeatureGroup:
    """Town polygons coloured by coverage rate (choropleth; see :func:`map_legend`).

    Parameters
    ----------
    towns : GeoDataFrame or dict
        Town polygons with a ``rate_column`` in [0, 1] (NaN: no served population); or the
        output of :func:`features` (a static layer drawn grey, coloured by :func:`town_restyle`).
    fields : sequence of Field
        Tooltip lines.
    """
    if isinstance(towns, dict):
        data = towns
    else:
        if rate_column not in towns.columns:
            raise ValueError(f"town layer: column {rate_column!r} missing (columns: {list(towns.columns)})")
        g = shift_for_basemap(towns, basemap)
        styles = [{"fillColor": coverage_colour(r)} for r in g[rate_column].astype(float)]
        data = _feature_collection(g, tooltips(g, fields), styles)
    return _layer(folium.FeatureGroup(name=name), data, {**TOWN_STYLE, "fillColor": NO_DATA_COLOUR},
                  highlight=TOWN_HIGHLIGHT, js_name="towns")


def restyle_js(js_name: str, styles: dict[str, dict[str, Any]], tips: dict[str, str] | None,
               base: dict[str, Any]) -> str:
    """The script giving every feature of a registered layer its style and tooltip, by feature id.

    ``styles`` / ``tips`` are keyed by the feature id as text. The facilities are brought to the
    front (above the overlays drawn by later updates).
    """
    lines = [
        "(function () {",
        f"    var layer = (window.coverageLayers || {{}})[{js_json(js_name)}];",
        "    if (!layer) { return; }",
        f"    var styles = {js_json(styles)}, tips = {js_json(tips)}, base = {js_json(base)};",
        "    // Without tooltips, only the features styled now or by the previous update are touched.",
        "    var before = tips ? null : layer.coverageStyled, touch = {};",
        "    if (before) { before.concat(Object.keys(styles)).forEach(function (k) { touch[k] = true; }); }",
        "    layer.options.style = function (f) { return Object.assign({}, base, styles[f.id] || {}); };",
        "    layer.eachLayer(function (l) {",
        "        if (before && !touch[l.feature.id]) { return; }",
        "        var tip = tips ? tips[l.feature.id] : undefined;",
        "        if (tip !== undefined) {",
        "            if (l.getTooltip()) { l.setTooltipContent(tip); } else { l.bindTooltip(tip, {sticky: true}); }",
        "        }",
        "        l.setStyle(layer.options.style(l.feature));",
        "    });",
        "    layer.coverageStyled = Object.keys(styles);",
    ]
    if js_name == "facilities":
        lines.append("    layer.bringToFront();")
    lines.append("})();")
    return "\n".join(lines) + "\n"


class _Restyle(_RawMacro):
    """Colour and tooltip of every feature of a registered layer, by feature id (:func:`restyle_js`)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.js() }}{% endmacro %}")

    def __init__(self, js_name: str, styles: dict[int, dict[str, Any]], tips: dict[int, str] | None,
                 base: dict[str, Any]):
        super().__init__()
        self._name = "Restyle"
        self.js_name = js_name
        self.styles = {str(k): v for k, v in styles.items()}
        self.tips = {str(k): v for k, v in tips.items()} if tips is not None else None
        self.base = base

    def js(self) -> str:
        return restyle_js(self.js_name, self.styles, self.tips, self.base)


TOWN_BASE: dict[str, Any] = {**TOWN_STYLE, "fillColor": NO_DATA_COLOUR}
"""Style of a town before :func:`town_restyle` colours it."""
FACILITY_BASE: dict[str, Any] = {"color": "#ffffff", "fillColor": FACILITY_COLOUR, "fillOpacity": 0.9, "weight": 1}
"""Style of an existing facility's marker."""


def town_restyle_js(rates: Sequence[float], tips: Sequence[str]) -> str:
    """:func:`restyle_js` of the static town layer: fill by ``rates``, tooltips ``tips`` (rows in order)."""
    styles = {str(i): {"fillColor": coverage_colour(r)} for i, r in enumerate(rates)}
    return restyle_js("towns", styles, {str(i): tip for i, tip in enumerate(tips)}, TOWN_BASE)


def facility_marks_js(removed: Iterable[int]) -> str:
    """:func:`restyle_js` of the kept facility layer: rows ``removed`` drawn as removed."""
    return restyle_js("facilities", {str(int(i)): REMOVED_STYLE for i in removed}, None,
                      {**FACILITY_BASE, "dashArray": None})


def town_restyle(rates: Sequence[float], tips: Sequence[str], name: str = "towns-style") -> folium.FeatureGroup:
    """A small update for the static :func:`town_layer`: fill by ``rates``, new tooltips.

    ``rates`` and ``tips`` follow the rows of the frame the static layer was made from.
    """
    styles = {i: {"fillColor": coverage_colour(r)} for i, r in enumerate(rates)}
    fg = folium.FeatureGroup(name=name, control=False)
    _Restyle("towns", styles, dict(enumerate(tips)), TOWN_BASE).add_to(fg)
    return fg


def point_layer(
    points: gpd.GeoDataFrame | dict[str, Any],
    fields: Sequence[Field] = (),
    name: str = "设施",
    colour: str = FACILITY_COLOUR,
    radius: float = 5,
    basemap: str = "none",
    js_name: str | None = None,
    keep: str | None = None,
    tips_key: str | None = None,
) -> folium.FeatureGroup:
    """Points drawn as CircleMarkers (no icon image) with escaped tooltips.

    ``points`` may be the output of :func:`features`; ``js_name`` registers the layer for
    :func:`facility_marks`. With ``keep`` (a key, e.g. data version + layer + basemap), the
    points are added to the map itself and stay there, decoded once, while later updates carry
    the same key (streamlit-folium re-runs every update script on each change); an update with
    another ``tips_key`` (the language) only retitles them (:func:`features_js`).
    """
    data = points if isinstance(points, dict) else features(points, fields, basemap)
    fg = folium.FeatureGroup(name=name)
    if data["features"]:
        _layer(fg, data, point_style(colour), radius=radius, js_name=js_name, keep=keep, tips_key=tips_key)
    return fg


def point_style(colour: str) -> dict[str, Any]:
    """The style of a point marker of ``colour``."""
    return {"color": "#ffffff", "fillColor": colour, "fillOpacity": 0.9, "weight": 1}


def facility_layer(
    facilities: gpd.GeoDataFrame | dict[str, Any],
    fields: Sequence[Field] = (),
    name: str = "设施",
    colour: str = FACILITY_COLOUR,
    basemap: str = "none",
    keep: str | None = None,
    tips_key: str | None = None,
) -> folium.FeatureGroup:
    """Facilities as CircleMarkers; tooltips show ``fields`` (e.g. name / town / source).

    Registered as ``"facilities"`` so :func:`facility_marks` can show removals without redrawing;
    ``keep`` and ``tips_key`` as in :func:`point_layer`.
    """
    return point_layer(facilities, fields, name=name, colour=colour, radius=5, basemap=basemap,
                       js_name="facilities", keep=keep, tips_key=tips_key)


def facility_marks(removed: Iterable[int], name: str = "facilities-style") -> folium.FeatureGroup:
    """A small update for the static :func:`facility_layer`: rows ``removed`` drawn as removed."""
    fg = folium.FeatureGroup(name=name, control=False)
    _Restyle("facilities", {int(i): REMOVED_STYLE for i in removed}, None,
             {**FACILITY_BASE, "dashArray": None}).add_to(fg)
    return fg


def polygon_style(colour: str = SERVICE_COLOUR, fill_opacity: float = 0.25, dash: str | None = None,
                  hatch: bool = False) -> dict[str, Any]:
    """The style of :func:`polygon_layer`: one colour, or :data:`GAP_STYLE` with ``hatch``."""
    if hatch:
        return dict(GAP_STYLE)
    style: dict[str, Any] = {"color": colour, "weight": 1.5, "fillColor": colour, "fillOpacity": fill_opacity}
    if dash:
        style["dashArray"] = dash
    return style


def polygon_layer(
    polygons: gpd.GeoDataFrame,
    fields: Sequence[Field] = (),
    name: str = "服务范围",
    colour: str = SERVICE_COLOUR,
    fill_opacity: float = 0.25,
    dash: str | None = None,
    basemap: str = "none",
    hatch: bool = False,
) -> folium.FeatureGroup:
    """Polygons (service areas, gap zones) with one style and escaped tooltips.

    With ``hatch``, the polygons get :data:`GAP_STYLE` (a dark hatch pattern and a dashed outline,
    visible over every fill of the town ramp) instead of ``colour``.
    """
    data = features(polygons, fields, basemap)
    fg = folium.FeatureGroup(name=name)
    if data["features"]:
        if hatch:
            _Hatch().add_to(fg)
        _layer(fg, data, polygon_style(colour, fill_opacity, dash, hatch))
    return fg


HATCH_JS = "if (window.coverageHatch) { window.coverageHatch(); }\n"
"""Make sure the hatch pattern exists in the map's SVG (defined by :class:`MapBehaviour`)."""


def legend_js(parent: str, body: str) -> str:
    """The script putting the map's one legend (HTML ``body``) on the map, replacing the previous one."""
    return "\n".join([
        "(function () {",
        f"    var map = window.map || {parent};",
        "    if (window.coverageLegend) { window.coverageLegend.remove(); }",
        "    var legend = L.control({position: \"bottomright\"});",
        "    legend.onAdd = function () {",
        "        var div = L.DomUtil.create(\"div\", \"coverage-legend\");",
        "        div.style.cssText = \"background:rgba(255,255,255,.92);padding:6px 8px;\"",
        "            + \"font:12px sans-serif;border-radius:4px;box-shadow:0 0 4px rgba(0,0,0,.3);\"",
        "            + \"line-height:18px;\";",
        f"        div.innerHTML = {js_json(body)};",
        "        return div;",
        "    };",
        "    legend.addTo(map);",
        "    window.coverageLegend = legend;",
        "})();",
    ]) + "\n"


class _Hatch(_RawMacro):
    """:data:`HATCH_JS` as a folium element."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.js() }}{% endmacro %}")

    def __init__(self):
        super().__init__()
        self._name = "Hatch"

    def js(self) -> str:
        return HATCH_JS


class _Legend(_RawMacro):
    """One legend control (:func:`legend_js`; replaced, never duplicated, when the map's layers change)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.js() }}{% endmacro %}")

    def __init__(self, body: str):
        super().__init__()
        self._name = "Legend"
        self.body = body

    def js(self) -> str:
        return legend_js(self._parent.get_name(), self.body)


def _swatch(style: str, label: str, kind: str) -> str:
    return (f'<div data-legend="{kind}"><span style="display:inline-block;vertical-align:middle;'
            f'margin-right:5px;{style}"></span>{html.escape(label)}</div>')


_HATCH_CSS = (f"width:16px;height:11px;border:2px dashed {HATCH_COLOUR};"
              f"background:repeating-linear-gradient(45deg,{HATCH_COLOUR} 0 3px,rgba(255,255,255,.5) 3px 7px)")

#: Legend entry kinds in drawing order, with the swatch of each.
LEGEND_SWATCHES: dict[str, str] = {
    "existing": f"width:10px;height:10px;border-radius:50%;background:{FACILITY_COLOUR};border:1px solid #fff",
    "removed": "width:10px;height:10px;border-radius:50%;background:#fff;border:2px dashed #252525",
    "added": f"width:13px;height:13px;border-radius:50%;background:{ADDED_COLOUR};border:1px solid #fff",
    "proposed": f"width:13px;height:13px;border-radius:50%;background:{PROPOSED_COLOUR};border:1px solid #fff",
    "gaps": _HATCH_CSS,
    "service": f"width:16px;height:11px;background:rgba(49,130,189,.25);border:1.5px solid {SERVICE_COLOUR}",
}


def legend_body(title: str, no_data: str, entries: Sequence[tuple[str, str]] = ()) -> str:
    """The HTML of the map's one legend: the town ramp, then one line per symbol shown.

    Parameters
    ----------
    title, no_data : str
        Title of the town ramp and the label of towns without served population.
    entries : sequence of (kind, label)
        ``kind`` one of :data:`LEGEND_SWATCHES` (``existing``, ``removed``, ``added``,
        ``proposed``, ``gaps``, ``service``); labels are escaped.

    Raises
    ------
    ValueError
        An entry kind not in :data:`LEGEND_SWATCHES`.
    """
    rows = [f"<b>{html.escape(title)}</b>"]
    for lo, hi, colour in COVERAGE_CLASSES:
        rows.append(_swatch(f"width:14px;height:10px;background:{colour}", f"{lo * 100:.0f}–{hi * 100:.0f}%",
                            "ramp"))
    rows.append(_swatch(f"width:14px;height:10px;background:{NO_DATA_COLOUR}", no_data, "ramp"))
    for kind, label in entries:
        if kind not in LEGEND_SWATCHES:
            raise ValueError(f"unknown legend entry {kind!r}; choose from {', '.join(LEGEND_SWATCHES)}")
        rows.append(_swatch(LEGEND_SWATCHES[kind], label, kind))
    return "".join(rows)


def map_legend(title: str, no_data: str, entries: Sequence[tuple[str, str]] = ()) -> MacroElement:
    """The map's one legend (:func:`legend_body`) as a folium element."""
    return _Legend(legend_body(title, no_data, entries))


def coverage_legend(title: str = "覆盖率", no_data: str = "无服务对象") -> MacroElement:
    """A legend with the town ramp only (:func:`map_legend` without other entries)."""
    return map_legend(title, no_data)


def legend_layer(legend: MacroElement, name: str = "legend") -> folium.FeatureGroup:
    """``legend`` wrapped in a feature group (so it can be sent as an update of an existing map)."""
    fg = folium.FeatureGroup(name=name, control=False)
    legend.add_to(fg)
    return fg


def build_map(
    towns: folium.FeatureGroup | None = None,
    layers: Iterable[folium.FeatureGroup] = (),
    bounds: Sequence[float] | None = None,
    basemap: str = "none",
    tianditu_key: str | None = None,
    legend: MacroElement | None = None,
    layer_control: bool = True,
) -> folium.Map:
    """Assemble a complete map: base map, town choropleth, other layers, legend.

    The layers come from :func:`town_layer`, :func:`facility_layer`, :func:`polygon_layer`,
    :func:`point_layer` built with the same ``basemap``.
    """
    m = offline_map(bounds=bounds, basemap=basemap, tianditu_key=tianditu_key)
    if towns is not None:
        towns.add_to(m)
    for layer in layers:
        layer.add_to(m)
    if legend is not None:
        legend.add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    return m


def map_html(m: folium.Map) -> str:
    """The complete standalone HTML page of ``m``."""
    return m.get_root().render()


_RESOURCE_PATTERNS = (
    re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I),
    re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""", re.I),
    re.compile(r"""<img\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I),
    re.compile(r"""url\(\s*["']?([^"')\s]+)""", re.I),
    re.compile(r"""@import\s+["']([^"']+)""", re.I),
)


def remote_urls(page: str) -> list[str]:
    """Network resources ``page`` would load: script/link/img sources, CSS ``url()``, tile URLs.

    ``data:`` URLs and in-page anchors are not network requests and are not listed; plain
    hyperlinks (``<a href>``) are not loaded by the browser and are not listed either.
    Tile URL templates are read from the JSON folium embeds.
    """
    found: list[str] = []
    for pattern in _RESOURCE_PATTERNS:
        for url in pattern.findall(page):
            if url.startswith(("data:", "#")):
                continue
            found.append(url)
    # folium writes tile layers as L.tileLayer(\n "url", ...) with JSON-escaped slashes allowed.
    for url in re.findall(r"""tileLayer\(\s*(".*?")""", page, flags=re.S):
        try:
            found.append(json.loads(url))
        except ValueError:
            pass
    return sorted({u for u in found if re.match(r"(?i)(https?:)?//", u)})
