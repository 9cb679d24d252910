"""The planner's map: an offline Leaflet base map and the overlays drawn on it, written as text.

folium loads Leaflet (and jQuery, Bootstrap, awesome-markers) from CDNs even when no tiles are
drawn, so a folium map is blank on a machine without internet. :func:`offline_map` replaces the
map's JavaScript/CSS resources with Leaflet read from the ``XStatic-Leaflet`` package, inlined as
``data:`` URLs, and draws no basemap by default: the page it produces makes no request to any
host. Points are drawn as ``CircleMarker`` (the default ``Marker`` icon is a CDN image).

What is drawn on it is one kind of object, :class:`Overlay` (a name and scripts written here as
text: :func:`features_js`, :func:`town_restyle_js`, :func:`facility_marks_js`, :func:`legend_js`),
made by one builder per overlay (:func:`town_overlay`, :func:`kept_overlay`, :func:`point_overlay`,
:func:`polygon_overlay`, :func:`town_restyle_overlay`, :func:`facility_marks_overlay`,
:func:`legend_overlay`). The app sends them as text (:mod:`coverage.ui.map_component`);
:func:`overlay_group` wraps one in a folium feature group where folium needs one (the base map's
towns, a standalone page: :func:`build_map`, :func:`map_html`).

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

from coverage.errors import BasemapError, InputError
from coverage.i18n import t
from coverage.crs import WGS84

__all__ = [
    "BASEMAPS",
    "BASEMAP_ERROR",
    "COVERAGE_CLASSES",
    "LEGEND_SWATCHES",
    "MAP_DECIMALS",
    "BasemapError",
    "FACILITY_BASE",
    "Field",
    "HATCH_JS",
    "MapBehaviour",
    "Overlay",
    "TOWN_BASE",
    "TIANDITU_KEY_SITE",
    "TOWN_HIGHLIGHT",
    "build_map",
    "clicked_facility",
    "coverage_colour",
    "drawn_js",
    "drop_kept_js",
    "embedded_features",
    "facility_marks_js",
    "facility_marks_overlay",
    "facility_token",
    "features",
    "features_js",
    "js_json",
    "kept_overlay",
    "leaflet_assets",
    "legend_body",
    "legend_js",
    "legend_overlay",
    "map_html",
    "offline_map",
    "overlay_group",
    "payload",
    "point_overlay",
    "point_style",
    "polygon_overlay",
    "polygon_style",
    "remote_urls",
    "restyle_js",
    "shift_for_basemap",
    "tile_error_js",
    "to_wgs84",
    "tooltips",
    "town_overlay",
    "town_restyle_js",
    "town_restyle_overlay",
]

BASEMAPS: tuple[str, ...] = ("none", "osm", "tianditu", "amap")
"""Basemap ids accepted by :func:`offline_map`; ``"none"`` is the offline default."""

#: The catalogue prefix of :class:`BasemapError` codes (``basemap_error.unknown_basemap`` with the
#: values ``basemap`` and ``choices``; ``basemap_error.tianditu_key_missing`` with ``site``;
#: ``basemap_error.gcj02_unavailable``): ``t(error.code, lang, **error.values)`` words one.
BASEMAP_ERROR = "basemap_error"

#: Where a 天地图 key is applied for.
TIANDITU_KEY_SITE = "console.tianditu.gov.cn"

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

    Parameters
    ----------
    gdf : GeoDataFrame
        Any CRS (none: taken as WGS-84).
    basemap : str
        One of :data:`BASEMAPS`.

    Returns
    -------
    GeoDataFrame
        ``gdf`` itself when it is already WGS-84 and no shift applies, else a new frame.

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
            "Amap (高德) tiles are in GCJ-02 and coverage.crs.wgs84_to_gcj02 is not available to shift "
            "the data layers; choose another basemap", code=f"{BASEMAP_ERROR}.gcj02_unavailable",
        ) from exc

    def fn(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    out = g.copy()
    out.geometry = shapely.transform(np.asarray(g.geometry.values), fn)
    return out


def to_wgs84(lon: float, lat: float, basemap: str) -> tuple[float, float]:
    """Convert a point clicked on a map drawn with ``basemap`` back to WGS-84.

    Parameters
    ----------
    lon, lat : float
        The point on the map (GCJ-02 for ``"amap"``).
    basemap : str
        One of :data:`BASEMAPS`.

    Returns
    -------
    (float, float)
        WGS-84 ``(lon, lat)``.
    """
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
    tile_error: str | None = None,
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
    tile_error : str, optional
        Message shown in the map when a basemap tile fails to load (set as text; default the
        catalogue's ``tile_error`` in Chinese), unless an update gave the page's own
        (:func:`tile_error_js`).

    Returns
    -------
    folium.Map
        With :class:`MapBehaviour`; nothing else drawn.

    Raises
    ------
    BasemapError
        Unknown basemap (code ``basemap_error.unknown_basemap``), or 天地图 without a key
        (``basemap_error.tianditu_key_missing``); see :data:`BASEMAP_ERROR`.
    """
    if basemap not in BASEMAPS:
        values = {"basemap": str(basemap), "choices": ", ".join(BASEMAPS)}
        raise BasemapError("unknown basemap {basemap!r}; choose one of {choices}".format(**values),
                           code=f"{BASEMAP_ERROR}.unknown_basemap", values=values)
    if basemap == "tianditu" and not (tianditu_key or "").strip():
        values = {"site": TIANDITU_KEY_SITE}
        raise BasemapError("Tianditu (天地图) tiles need a key (apply for one at {site})".format(**values),
                           code=f"{BASEMAP_ERROR}.tianditu_key_missing", values=values)

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
    MapBehaviour(t("tile_error", "zh") if tile_error is None else tile_error).add_to(m)
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
    Leaflet's focus of the map (on a press, after a control's click) never scrolls the page (in
    the app's iframe it scrolled the parent page and moved the map under the pointer between press
    and release), and a pressed town or marker (focused: Leaflet opens its tooltip on focus) gets
    no focus outline.

    Also defines the SVG hatch pattern (``url(#coverage-hatch)``) that :func:`polygon_overlay`
    uses for gap zones, ``window.coverageLayers`` where :func:`features_js` registers named layers,
    and ``window.coverageSend(value)`` (the component's value sent to the page; :func:`drawn_js`
    sends the drawn signal again for another page token).

    Parameters
    ----------
    tile_error : str
        The message shown in the map when a basemap tile fails to load (set as text), unless an
        update script set the page's own (``window.coverageTileError``, :func:`tile_error_js`).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                /* A pressed town or marker takes the focus (Leaflet listens to its focus for the
                   tooltip): no focus rectangle around it; the map's own focus ring stays. */
                .leaflet-container .leaflet-interactive:focus:not(:focus-visible) { outline: none; }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            // The page's map for every update script (streamlit-folium sets the same; a standalone page too).
            window.map = window.map || map;
            window.coverageLayers = window.coverageLayers || {};
            // The component's value, sent to the page as streamlit-folium sends it.
            window.coverageSend = function (value) {
                window.parent.postMessage({isStreamlitMessage: true, type: "streamlit:setComponentValue",
                                           value: value, dataType: "json"}, "*");
            };
            L.control.scale({imperial: false, metric: true}).addTo(map);
            // Leaflet focuses the map's container on a press (to take the arrow keys) and after a
            // click on a control; in the page's iframe a plain focus() scrolls the parent page to show
            // the whole map, moving the map under the pointer between press and release (the site
            // added elsewhere, or the press turned into a drag). Its focus never scrolls the page.
            var container = map.getContainer();
            var focusContainer = container.focus;
            container.focus = function (options) {
                focusContainer.call(container, Object.assign({}, options, {preventScroll: true}));
            };
            map.scrollWheelZoom.disable();
            map.on("click focus", function () { map.scrollWheelZoom.enable(); });
            // A marker pressed but whose click reached only the map (the pointer's target changed
            // between press and release, e.g. a town highlighted under it): deliver the click to
            // the marker, at the map click's position, before the map's own click handlers run.
            map.on("click", function (e) {
                var down = window.coverageDown;
                window.coverageDown = null;
                if (down && !window.coverageClicked && map.hasLayer(down)) { down.fire("click", {latlng: e.latlng}); }
                window.coverageClicked = false;
            });
            container.addEventListener("mouseleave", function () { map.scrollWheelZoom.disable(); });
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
                    window.coverageSend(value);
                }, 0);
            });
            var box = null;
            function tileFailed() {
                if (box) { return; }
                box = L.DomUtil.create("div", "coverage-tile-error", container);
                box.style.cssText = "position:absolute;top:10px;left:50%;transform:translateX(-50%);"
                    + "z-index:1000;background:#fff3cd;color:#664d03;border:1px solid #ffda6a;"
                    + "padding:6px 10px;border-radius:4px;font:13px sans-serif;";
                // The page's language when an update set it (tile_error_js), else the base map's text.
                box.textContent = window.coverageTileError || {{ this.message|tojson }};
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
            // the same page sends nothing), so the page runs again at once (see app.page); an
            // update carrying another session's token sends it again (drawn_js).
            setTimeout(function () {
                var g = window.__GLOBAL_DATA__;
                if (!g || !window.parent || window.parent === window) { return; }
                try {
                    if (window.parent.coverageMapDrawn) { return; }
                    window.parent.coverageMapDrawn = true;
                } catch (e) { return; }
                window.coverageSend(g.previous_data);
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


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Field:
    """One tooltip line: ``label`` then the value of ``column`` (escaped, formatted).

    Attributes
    ----------
    column : str
        The column of the frame whose value is shown.
    label : str
        The words before the value (escaped).
    fmt : str or callable, optional
        A :func:`format` spec (``",.0f"``) or a function of the value returning its text.
    """

    column: str
    label: str
    fmt: str | Callable[[Any], str] | None = None

    def render(self, value: Any) -> str:
        """The line's escaped HTML for ``value`` (``"—"`` for None / NaN).

        Parameters
        ----------
        value : any
            The row's value of :attr:`column`.

        Returns
        -------
        str
            ``<b>label</b> text``, both escaped.
        """
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
    """One escaped HTML tooltip per row of ``gdf``.

    Parameters
    ----------
    gdf : GeoDataFrame
        The rows.
    fields : sequence of Field
        The lines; those whose column is not in ``gdf`` are left out.

    Returns
    -------
    list of str
        The tooltips, lines joined by ``<br>``, in row order.
    """
    cols = [f for f in fields if f.column in gdf.columns]
    rows = []
    for values in zip(*(gdf[f.column].tolist() for f in cols)) if cols else [()] * len(gdf):
        rows.append("<br>".join(f.render(v) for f, v in zip(cols, values)))
    return rows


def facility_token(index: int) -> str:
    """The hidden marker put in facility ``index``'s tooltip (see :func:`clicked_facility`).

    Parameters
    ----------
    index : int
        The facility's row in the layer the map was drawn from.

    Returns
    -------
    str
        ``⟦f:<index>⟧``.
    """
    return f"\u27e6f:{int(index)}\u27e7"


_TOKEN = re.compile("\u27e6f:(\\d+)\u27e7")


def clicked_facility(out: dict[str, Any] | None) -> int | None:
    """Index of the facility marker the last map click landed on, or None.

    A click is on a marker when the object clicked was hit by the same click (same position) and
    its tooltip carries a :func:`facility_token`.

    Parameters
    ----------
    out : dict or None
        What the map returned (with ``last_clicked``, ``last_object_clicked`` and
        ``last_object_clicked_tooltip``).

    Returns
    -------
    int or None
        The row of the facility clicked; None for a click elsewhere (or no click).
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


def _feature_collection(gdf: gpd.GeoDataFrame, tips: list[str]) -> dict[str, Any]:
    """GeoJSON with only the (escaped) tooltip as property: no raw user strings.

    Coordinates are rounded to :data:`MAP_DECIMALS` decimal degrees (about 1 m): the page carries
    about half the characters and the map looks the same at every zoom the planner uses.
    """
    features = []
    geoms = shapely.transform(np.asarray(gdf.geometry.values, dtype=object),
                              lambda xy: np.round(xy, MAP_DECIMALS))
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        features.append({"type": "Feature", "id": i, "geometry": shapely.geometry.mapping(geom),
                         "properties": {"_tip": tips[i]}})
    return {"type": "FeatureCollection", "features": features}


def features(gdf: gpd.GeoDataFrame, fields: Sequence[Field] = (), basemap: str = "none",
             tips: list[str] | None = None) -> dict[str, Any]:
    """``gdf`` as a GeoJSON dict for the map (feature ``id`` = row number).

    Serialise a static layer once with this and reuse the dict (e.g. cached per data version):
    :func:`payload` remembers its text.

    Parameters
    ----------
    gdf : GeoDataFrame
        Any CRS (drawn in WGS-84, shifted to GCJ-02 for ``basemap="amap"``).
    fields : sequence of Field
        The tooltip lines (:func:`tooltips`), unless ``tips`` is given.
    basemap : str
        One of :data:`BASEMAPS`.
    tips : list of str, optional
        One finished (escaped) tooltip per row.

    Returns
    -------
    dict
        A FeatureCollection whose only property is ``_tip``; rows with an empty geometry are left out.
    """
    g = shift_for_basemap(gdf, basemap)
    return _feature_collection(g, tips if tips is not None else tooltips(g, fields))


def js_json(value: Any) -> str:
    """``value`` as JSON safe inside a page's script (Jinja's ``tojson``: sorted keys, ``<>&'`` escaped).

    The update scripts (:mod:`coverage.ui.map_component`) and the folium elements of this module
    use it, so both write the same characters.

    Parameters
    ----------
    value : any
        JSON-serialisable.

    Returns
    -------
    str
        The JSON text.
    """
    return str(htmlsafe_json_dumps(value, sort_keys=True))


_PAYLOAD = re.compile(r'atob\("([A-Za-z0-9+/=]*)"\)')


def embedded_features(page: str) -> list[dict[str, Any]]:
    """The GeoJSON FeatureCollections embedded (base64, :func:`features_js`) in ``page``, in order.

    Parameters
    ----------
    page : str
        A rendered map page or update script.

    Returns
    -------
    list of dict
        The decoded collections.
    """
    return [json.loads(base64.b64decode(m).decode("utf-8")) for m in _PAYLOAD.findall(page)]


#: id(data) -> (data, base64 payload) of recently drawn layers (static layers are reused dicts).
_PAYLOADS: dict[int, tuple[dict[str, Any], str]] = {}
#: The sessions run in threads and share :data:`_PAYLOADS`.
_PAYLOADS_LOCK = threading.Lock()


def payload(data: dict[str, Any]) -> str:
    """``data`` as base64 of its compact UTF-8 JSON, remembered for the same (cached) dict.

    Parameters
    ----------
    data : dict
        A FeatureCollection (:func:`features`); treat it as read-only once drawn.

    Returns
    -------
    str
        The base64 text :func:`features_js` decodes in the page.
    """
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


# --------------------------------------------------------------------------- symbols


def coverage_colour(rate: float | None) -> str:
    """Fill colour of a coverage rate (:data:`COVERAGE_CLASSES`).

    Parameters
    ----------
    rate : float or None
        A rate in [0, 1] (clipped); None / NaN: no served population.

    Returns
    -------
    str
        The class's colour, or :data:`NO_DATA_COLOUR`.
    """
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
TOWN_BASE: dict[str, Any] = {**TOWN_STYLE, "fillColor": NO_DATA_COLOUR}
"""Style of a town before :func:`town_restyle_js` colours it."""
FACILITY_BASE: dict[str, Any] = {"color": "#ffffff", "fillColor": FACILITY_COLOUR, "fillOpacity": 0.9, "weight": 1}
"""Style of an existing facility's marker."""


def point_style(colour: str) -> dict[str, Any]:
    """The style of a point marker.

    Parameters
    ----------
    colour : str
        Fill colour.

    Returns
    -------
    dict
        Leaflet path options (white outline).
    """
    return {"color": "#ffffff", "fillColor": colour, "fillOpacity": 0.9, "weight": 1}


def polygon_style(colour: str = SERVICE_COLOUR, fill_opacity: float = 0.25, dash: str | None = None,
                  hatch: bool = False) -> dict[str, Any]:
    """The style of the polygons of :func:`polygon_overlay`.

    Parameters
    ----------
    colour : str
        Outline and fill colour.
    fill_opacity : float
        Fill opacity.
    dash : str, optional
        The outline's SVG dash array.
    hatch : bool
        :data:`GAP_STYLE` instead (a dark hatch and a dashed outline, visible over every fill of
        the town ramp).

    Returns
    -------
    dict
        Leaflet path options.
    """
    if hatch:
        return dict(GAP_STYLE)
    style: dict[str, Any] = {"color": colour, "weight": 1.5, "fillColor": colour, "fillOpacity": fill_opacity}
    if dash:
        style["dashArray"] = dash
    return style


# --------------------------------------------------------------------------- scripts


def drop_kept_js(js_name: str) -> str:
    """The script removing the layer kept on the map as ``js_name`` (:func:`features_js` with ``keep``).

    E.g. the previous layer's stations when the layer shown now has no facility.

    Parameters
    ----------
    js_name : str
        The name the kept layer is registered under (``"facilities"``).

    Returns
    -------
    str
        The script (it also forgets which update group owned the layer).
    """
    name = js_json(js_name)
    return ("(function () { var kept = (window.coverageLayers || {})[" + name + "];"
            " if (kept) { kept.remove(); delete window.coverageLayers[" + name + "]; }"
            " if (window.coverageOwners) { delete window.coverageOwners[" + name + "]; } })();")


def _kept_toggle_js(parent: str, name: str) -> list[str]:
    """Lines making the layer control's box of group ``parent`` show and hide the layer kept as ``name``."""
    return [
        "    // The layer control's box of this group shows and hides the kept layer, which sits on the",
        "    // map itself (an update replaces the groups, not the kept markers). The group's first",
        "    // \"add\" is the update's own; a removal while the group still owns the layer (no later",
        "    // update replaced it) is the planner's: the markers go, and later updates keep them",
        "    // hidden (their group is taken off the map once added) until the box is ticked again.",
        f"    var group = {parent}, first = true, hidden = window.coverageHidden = window.coverageHidden || {{}};",
        "    var owners = window.coverageOwners = window.coverageOwners || {};",
        f"    owners[{name}] = group;",
        "    group.on(\"add\", function () {",
        "        if (first) {",
        "            first = false;",
        f"            if (hidden[{name}]) {{ setTimeout(function () {{ group.remove(); }}, 0); }}",
        "            return;",
        "        }",
        f"        delete hidden[{name}];",
        f"        var shown = window.coverageLayers[{name}];",
        f"        if (shown && owners[{name}] === group && !window.map.hasLayer(shown)) {{ shown.addTo(window.map); }}",
        "    });",
        "    group.on(\"remove\", function () {",
        "        setTimeout(function () {",
        f"            if (window.map.hasLayer(group) || owners[{name}] !== group) {{ return; }}",
        f"            hidden[{name}] = true;",
        f"            var shown = window.coverageLayers[{name}];",
        "            if (shown) { shown.remove(); }",
        "        }, 0);",
        "    });",
    ]


def features_js(parent: str, payload: str, base: dict[str, Any], radius: float = 5,
                highlight: dict[str, Any] | None = None, js_name: str | None = None,
                keep: str | None = None, tips_key: str | None = None) -> str:
    """The script drawing a GeoJSON layer (base64 ``payload``) into the Leaflet object ``parent``.

    The features' ``_tip`` (escaped HTML) is bound as a string tooltip, so streamlit-folium
    reports it on click. Points are ``CircleMarker`` (no icon image).

    Parameters
    ----------
    parent : str
        The JavaScript variable of the group (or map) drawn into.
    payload : str
        :func:`payload` of the FeatureCollection.
    base : dict
        Leaflet path options of every feature.
    radius : float
        Radius of the point markers (pixels).
    highlight : dict, optional
        Style of a feature under the pointer (reset when it leaves).
    js_name : str, optional
        Register the layer as ``window.coverageLayers[js_name]`` (for :func:`restyle_js`);
        ``"facilities"`` also relays a press on a marker as a click on it (see :class:`MapBehaviour`).
    keep : str, optional
        A key (e.g. data version + layer + basemap): the layer is added to the map itself and
        kept there, decoded and drawn once, while later updates carry the same key; ``parent``'s
        box in the layer control still shows and hides it, and an unticked box stays unticked in
        later updates.
    tips_key : str, optional
        With ``keep``: an update with the same key and another ``tips_key`` (e.g. the language)
        only replaces the kept markers' tooltips (``setTooltipContent``); none is drawn again.

    Returns
    -------
    str
        The script (a function run at once).
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
        lines += _kept_toggle_js(parent, name)
        lines += [
            "    // Kept on the map across updates while its key is unchanged (decoded and drawn once).",
            f"    var kept = window.coverageLayers[{name}];",
            f"    if (kept && kept.coverageKey === {js_json(keep)} && (window.map.hasLayer(kept) || hidden[{name}])) {{",
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
        "        style: function () { return Object.assign({}, base); },",
        "        pointToLayer: function (f, latlng) {",
        "            return L.circleMarker(latlng, Object.assign({radius: radius}, base));",
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
                  f"    if (!hidden[{name}]) {{ layer.addTo(window.map); }}"]
    else:
        lines.append(f"    layer.addTo({parent});")
    if js_name:
        lines.append(f"    window.coverageLayers[{name}] = layer;")
    lines.append("})();")
    return "\n".join(lines) + "\n"


def restyle_js(js_name: str, styles: dict[str, dict[str, Any]], tips: dict[str, str] | None,
               base: dict[str, Any]) -> str:
    """The script giving every feature of a registered layer its style and tooltip, by feature id.

    Without ``tips``, only the features styled now or by the previous restyle are touched. The
    facilities are brought to the front (above the overlays drawn by later updates).

    Parameters
    ----------
    js_name : str
        The layer's name in ``window.coverageLayers`` (:func:`features_js`); nothing happens
        when no such layer is drawn.
    styles : dict
        Feature id (as text) → style drawn over ``base``.
    tips : dict, optional
        Feature id (as text) → escaped HTML tooltip.
    base : dict
        The style of a feature not in ``styles``.

    Returns
    -------
    str
        The script.
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


def town_restyle_js(rates: Sequence[float], tips: Sequence[str]) -> str:
    """:func:`restyle_js` of the static town layer: filled by rate, with new tooltips.

    Parameters
    ----------
    rates : sequence of float
        One coverage rate per town (NaN: no served population), rows of the static layer.
    tips : sequence of str
        One escaped HTML tooltip per town, same rows.

    Returns
    -------
    str
        The script.
    """
    styles = {str(i): {"fillColor": coverage_colour(r)} for i, r in enumerate(rates)}
    return restyle_js("towns", styles, {str(i): tip for i, tip in enumerate(tips)}, TOWN_BASE)


def facility_marks_js(removed: Iterable[int]) -> str:
    """:func:`restyle_js` of the kept facility layer: the rows ``removed`` drawn as removed.

    Parameters
    ----------
    removed : iterable of int
        Rows of the facility layer (:data:`REMOVED_STYLE`; the others get :data:`FACILITY_BASE`).

    Returns
    -------
    str
        The script.
    """
    return restyle_js("facilities", {str(int(i)): REMOVED_STYLE for i in removed}, None,
                      {**FACILITY_BASE, "dashArray": None})


HATCH_JS = "if (window.coverageHatch) { window.coverageHatch(); }\n"
"""Make sure the hatch pattern exists in the map's SVG (defined by :class:`MapBehaviour`)."""


def legend_js(body: str) -> str:
    """The script putting the map's one legend on the page's map (``window.map``, set by
    :class:`MapBehaviour`), replacing the previous one.

    Parameters
    ----------
    body : str
        The legend's HTML (:func:`legend_body`).

    Returns
    -------
    str
        The script.
    """
    return "\n".join([
        "(function () {",
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
        "    legend.addTo(window.map);",
        "    window.coverageLegend = legend;",
        "})();",
    ]) + "\n"


def drawn_js(token: str) -> str:
    """The script telling the page, once per ``token``, that the map is drawn.

    :class:`MapBehaviour` sends the map's value once per page when it is first drawn
    (``window.parent.coverageMapDrawn``), which gives a session its second run. A session that
    starts on a page left open (a server restart) gets no such signal; an update script carrying
    the session's token sends the value again when the page's mark is not that token (and sets
    it), so each session gets its signal once. The mark is set before :class:`MapBehaviour`'s own
    check runs, so a fresh page sends the value once, not twice.

    Parameters
    ----------
    token : str
        A per-session token (any text; put in the script as JSON).

    Returns
    -------
    str
        The script.
    """
    return "\n".join([
        "(function () {",
        f"    var mark = {js_json(str(token))};",
        "    try {",
        "        if (!window.parent || window.parent === window || window.parent.coverageMapDrawn === mark) { return; }",
        "        window.parent.coverageMapDrawn = mark;",
        "    } catch (e) { return; }",
        "    setTimeout(function () {",
        "        var g = window.__GLOBAL_DATA__;",
        "        if (g && window.coverageSend) { window.coverageSend(g.previous_data); }",
        "    }, 0);",
        "})();",
    ]) + "\n"


def tile_error_js(message: str) -> str:
    """The script that words the basemap-failure message in the page's language.

    The base map is one script for every language (its message is the text given to
    :func:`offline_map`); an update carrying this script sets ``window.coverageTileError``, which
    :class:`MapBehaviour` shows when a basemap tile fails, and rewords a message already shown.

    Parameters
    ----------
    message : str
        The message (set as text, never as HTML).

    Returns
    -------
    str
        The script.
    """
    return "\n".join([
        "(function () {",
        f"    window.coverageTileError = {js_json(str(message))};",
        "    var shown = window.map && window.map.getContainer().querySelector('.coverage-tile-error');",
        "    if (shown) { shown.textContent = window.coverageTileError; }",
        "})();",
    ]) + "\n"


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

    Returns
    -------
    str
        The HTML; every line is a ``div`` with ``data-legend`` (``ramp`` or the entry's kind).

    Raises
    ------
    InputError
        An entry kind not in :data:`LEGEND_SWATCHES` (a ``ValueError``).
    """
    rows = [f"<b>{html.escape(title)}</b>"]
    for lo, hi, colour in COVERAGE_CLASSES:
        rows.append(_swatch(f"width:14px;height:10px;background:{colour}", f"{lo * 100:.0f}–{hi * 100:.0f}%",
                            "ramp"))
    rows.append(_swatch(f"width:14px;height:10px;background:{NO_DATA_COLOUR}", no_data, "ramp"))
    for kind, label in entries:
        if kind not in LEGEND_SWATCHES:
            raise InputError(f"unknown legend entry {kind!r}; choose from {', '.join(LEGEND_SWATCHES)}")
        rows.append(_swatch(LEGEND_SWATCHES[kind], label, kind))
    return "".join(rows)


# --------------------------------------------------------------------------- overlays


@dataclass(frozen=True)
class Overlay:
    """One group of the map: a Leaflet feature group with ``scripts`` drawn into it.

    Made by the builders below (:func:`town_overlay`, :func:`kept_overlay`, :func:`point_overlay`,
    :func:`polygon_overlay`, :func:`town_restyle_overlay`, :func:`facility_marks_overlay`,
    :func:`legend_overlay`), the only ones: the app sends overlays as text
    (:mod:`coverage.ui.map_component`); :func:`overlay_group` makes one a folium feature group
    (the base map's towns, a standalone page with :func:`build_map`).

    Attributes
    ----------
    name : str
        The title in the layer control.
    scripts : tuple of callables
        Each a function of the group's JavaScript variable name returning a script
        (:func:`features_js`, :func:`town_restyle_js`, :func:`legend_js`…).
    control : bool
        Listed in the layer control.
    """

    name: str
    scripts: tuple[Callable[[str], str], ...] = ()
    control: bool = True


def town_overlay(data: dict[str, Any], name: str) -> Overlay:
    """The town polygons, drawn grey and registered as ``"towns"`` (coloured by :func:`town_restyle_overlay`).

    Parameters
    ----------
    data : dict
        :func:`features` of the towns (their rows are the restyle's rows).
    name : str
        The title in the layer control (the page's words: catalogue ``lyr_towns``).

    Returns
    -------
    Overlay
        Outlined on hover (:data:`TOWN_HIGHLIGHT`).
    """
    text = payload(data)
    return Overlay(name, (lambda var: features_js(var, text, TOWN_BASE, 5, TOWN_HIGHLIGHT, "towns"),))


def kept_overlay(data: dict[str, Any], name: str, key: str, tips_key: str | None = None) -> Overlay:
    """The layer's facilities, registered as ``"facilities"`` and kept on the map while ``key`` holds.

    Parameters
    ----------
    data : dict
        :func:`features` of the facilities (tooltips with their :func:`facility_token`).
    name : str
        The title in the layer control (its box shows and hides the kept markers).
    key : str
        :func:`features_js`' ``keep``; it should not name the language.
    tips_key : str, optional
        :func:`features_js`' ``tips_key`` (the language: a switch only retitles the markers).

    Returns
    -------
    Overlay
        Without features, the overlay removes the previous layer's kept stations (:func:`drop_kept_js`).
    """
    if not data["features"]:
        return Overlay(name, (lambda var: drop_kept_js("facilities"),))
    text = payload(data)
    return Overlay(name, (lambda var: features_js(var, text, FACILITY_BASE, 5, None, "facilities", key, tips_key),))


def _data_overlay(name: str, data: dict[str, Any], *scripts: Callable[[str, str], str]) -> Overlay:
    """An overlay running ``script(var, text)`` for ``data``'s :func:`payload` ``text`` (none without features)."""
    if not data["features"]:
        return Overlay(name)
    text = payload(data)
    return Overlay(name, tuple((lambda var, script=script: script(var, text)) for script in scripts))


def point_overlay(data: dict[str, Any], name: str, colour: str = FACILITY_COLOUR, radius: float = 5) -> Overlay:
    """Points drawn as circle markers of one colour, with their tooltips.

    Parameters
    ----------
    data : dict
        :func:`features` of the points.
    name : str
        The title in the layer control.
    colour : str
        Fill colour (:func:`point_style`).
    radius : float
        Marker radius (pixels).

    Returns
    -------
    Overlay
        With no script when ``data`` has no feature.
    """
    return _data_overlay(name, data, lambda var, text: features_js(var, text, point_style(colour), radius))


def polygon_overlay(data: dict[str, Any], name: str, style: dict[str, Any] | None = None,
                    hatch: bool = False) -> Overlay:
    """Polygons (service areas, gap zones) of one style, with their tooltips.

    Parameters
    ----------
    data : dict
        :func:`features` of the polygons.
    name : str
        The title in the layer control.
    style : dict, optional
        Leaflet path options (default :func:`polygon_style`, or :data:`GAP_STYLE` with ``hatch``).
    hatch : bool
        Hatched (:data:`GAP_STYLE`): the script first makes sure the pattern exists (:data:`HATCH_JS`).

    Returns
    -------
    Overlay
        With no script when ``data`` has no feature.
    """
    chosen = style if style is not None else polygon_style(hatch=hatch)
    draw = (lambda var, text: features_js(var, text, chosen))
    return _data_overlay(name, data, *(((lambda var, text: HATCH_JS), draw) if hatch else (draw,)))


def _script_overlay(name: str, js: str) -> Overlay:
    """An update group that only runs ``js`` (not listed in the layer control)."""
    return Overlay(name, (lambda var: js,), control=False)


def town_restyle_overlay(rates: Sequence[float], tips: Sequence[str], name: str = "towns-style") -> Overlay:
    """The towns coloured by rate, with new tooltips (:func:`town_restyle_js`), not in the layer control.

    Parameters
    ----------
    rates, tips : sequence
        As :func:`town_restyle_js`.
    name : str
        The group's name.

    Returns
    -------
    Overlay
    """
    return _script_overlay(name, town_restyle_js(rates, tips))


def facility_marks_overlay(removed: Iterable[int], name: str = "facilities-style") -> Overlay:
    """The removed facilities marked (:func:`facility_marks_js`), not in the layer control.

    Parameters
    ----------
    removed : iterable of int
        Rows of the facility layer.
    name : str
        The group's name.

    Returns
    -------
    Overlay
    """
    return _script_overlay(name, facility_marks_js(removed))


def legend_overlay(body: str, name: str = "legend") -> Overlay:
    """The map's one legend (:func:`legend_js`), not in the layer control.

    Parameters
    ----------
    body : str
        :func:`legend_body`.
    name : str
        The group's name.

    Returns
    -------
    Overlay
    """
    return Overlay(name, (lambda var: legend_js(body),), control=False)


# --------------------------------------------------------------------------- folium


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
    """``overlay`` as a folium feature group: the same scripts, drawn into the group.

    Parameters
    ----------
    overlay : Overlay

    Returns
    -------
    folium.FeatureGroup
        Named ``overlay.name``, in the layer control when ``overlay.control``.
    """
    fg = folium.FeatureGroup(name=overlay.name, control=overlay.control)
    if overlay.scripts:
        _Scripts(overlay.scripts).add_to(fg)
    return fg


def build_map(
    towns: Overlay | None = None,
    overlays: Iterable[Overlay] = (),
    bounds: Sequence[float] | None = None,
    basemap: str = "none",
    tianditu_key: str | None = None,
    layer_control: bool = True,
) -> folium.Map:
    """A complete standalone map: :func:`offline_map`, the towns, the overlays on top.

    Parameters
    ----------
    towns : Overlay, optional
        :func:`town_overlay` (restyled by a :func:`town_restyle_overlay` among ``overlays``).
    overlays : iterable of Overlay
        Bottom to top, e.g. :func:`coverage.ui.views.map_overlays`; made with the same ``basemap``.
    bounds : (minx, miny, maxx, maxy), optional
        WGS-84 extent to fit.
    basemap, tianditu_key : str
        As :func:`offline_map`.
    layer_control : bool
        Add a (folded) layer control.

    Returns
    -------
    folium.Map
        Render it with :func:`map_html`.

    Raises
    ------
    BasemapError
        As :func:`offline_map`.
    """
    m = offline_map(bounds=bounds, basemap=basemap, tianditu_key=tianditu_key)
    for overlay in ([towns] if towns is not None else []) + list(overlays):
        overlay_group(overlay).add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    return m


def map_html(m: folium.Map) -> str:
    """The complete standalone HTML page of ``m``.

    Parameters
    ----------
    m : folium.Map

    Returns
    -------
    str
        The page (it loads nothing from the network unless ``m`` has a basemap: :func:`remote_urls`).
    """
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

    Parameters
    ----------
    page : str
        A rendered HTML page (:func:`map_html`).

    Returns
    -------
    list of str
        The distinct URLs (``http(s)://`` or protocol-relative), sorted.
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
