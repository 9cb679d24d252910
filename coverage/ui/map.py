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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement, Template

from coverage.errors import BasemapError
from coverage.crs import WGS84

__all__ = [
    "BASEMAPS",
    "COVERAGE_CLASSES",
    "BasemapError",
    "Field",
    "build_map",
    "coverage_colour",
    "coverage_legend",
    "facility_layer",
    "leaflet_assets",
    "map_html",
    "offline_map",
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
) -> folium.Map:
    """An empty folium map whose Leaflet is inlined: it makes no request by default.

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

    Raises
    ------
    BasemapError
        Unknown basemap, or 天地图 without a key.
    """
    if basemap not in BASEMAPS:
        raise BasemapError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
    if basemap == "tianditu" and not (tianditu_key or "").strip():
        raise BasemapError("天地图 tiles need a key (申请: console.tianditu.gov.cn)")

    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
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
    if bounds is not None:
        minx, miny, maxx, maxy = (float(b) for b in bounds)
        if all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
            m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


class _Attribution(MacroElement):
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


def _tooltips(gdf: gpd.GeoDataFrame, fields: Sequence[Field]) -> list[str]:
    cols = [f for f in fields if f.column in gdf.columns]
    rows = []
    for values in zip(*(gdf[f.column].tolist() for f in cols)) if cols else [()] * len(gdf):
        rows.append("<br>".join(f.render(v) for f, v in zip(cols, values)))
    return rows


def _feature_collection(
    gdf: gpd.GeoDataFrame, tips: list[str], styles: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """GeoJSON with only the (escaped) tooltip and style as properties: no raw user strings."""
    features = []
    for i, geom in enumerate(gdf.geometry):
        if geom is None or geom.is_empty:
            continue
        props: dict[str, Any] = {"_tip": tips[i]}
        if styles is not None:
            props["_style"] = styles[i]
        features.append({"type": "Feature", "id": i, "geometry": shapely.geometry.mapping(geom),
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _geojson(
    data: dict[str, Any],
    name: str,
    base_style: dict[str, Any],
    marker: folium.CircleMarker | None = None,
    highlight: bool = False,
) -> folium.GeoJson:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {**base_style, **feature["properties"].get("_style", {})}

    kwargs: dict[str, Any] = {}
    if highlight:
        kwargs["highlight_function"] = lambda _f: {"weight": 3, "color": "#333333"}
    return folium.GeoJson(
        data,
        name=name,
        style_function=style,
        marker=marker,
        tooltip=folium.GeoJsonTooltip(fields=["_tip"], labels=False) if data["features"] else None,
        **kwargs,
    )


def coverage_colour(rate: float | None) -> str:
    """Fill colour of a coverage rate in [0, 1] (grey for missing)."""
    if rate is None or not np.isfinite(rate):
        return NO_DATA_COLOUR
    r = min(max(float(rate), 0.0), 1.0)
    for lo, hi, colour in COVERAGE_CLASSES:
        if lo <= r < hi:
            return colour
    return COVERAGE_CLASSES[-1][2]


def town_layer(
    towns: gpd.GeoDataFrame,
    rate_column: str = "rate",
    fields: Sequence[Field] = (),
    name: str = "镇街覆盖率",
    basemap: str = "none",
) -> folium.FeatureGroup:
    """Town polygons coloured by coverage rate (choropleth; see :func:`coverage_legend`).

    Parameters
    ----------
    towns : GeoDataFrame
        Town polygons with a ``rate_column`` in [0, 1] (NaN: no served population).
    fields : sequence of Field
        Tooltip lines.
    """
    if rate_column not in towns.columns:
        raise ValueError(f"town layer: column {rate_column!r} missing (columns: {list(towns.columns)})")
    g = shift_for_basemap(towns, basemap)
    styles = [{"fillColor": coverage_colour(r)} for r in g[rate_column].astype(float)]
    data = _feature_collection(g, _tooltips(g, fields), styles)
    fg = folium.FeatureGroup(name=name)
    _geojson(data, name, {"color": "#555555", "weight": 1, "fillOpacity": 0.6},
             highlight=True).add_to(fg)
    return fg


def point_layer(
    points: gpd.GeoDataFrame,
    fields: Sequence[Field] = (),
    name: str = "设施",
    colour: str = "#2c7fb8",
    radius: float = 5,
    basemap: str = "none",
) -> folium.FeatureGroup:
    """Points drawn as CircleMarkers (no icon image) with escaped tooltips."""
    g = shift_for_basemap(points, basemap)
    data = _feature_collection(g, _tooltips(g, fields))
    fg = folium.FeatureGroup(name=name)
    if data["features"]:
        marker = folium.CircleMarker(radius=radius, weight=1, color="#ffffff", fill=True,
                                     fill_color=colour, fill_opacity=0.9)
        _geojson(data, name, {"color": "#ffffff", "fillColor": colour, "fillOpacity": 0.9,
                              "weight": 1, "radius": radius}, marker=marker).add_to(fg)
    return fg


def facility_layer(
    facilities: gpd.GeoDataFrame,
    fields: Sequence[Field] = (),
    name: str = "设施",
    colour: str = "#2c7fb8",
    basemap: str = "none",
) -> folium.FeatureGroup:
    """Facilities as CircleMarkers; tooltips show ``fields`` (e.g. name / town / source)."""
    return point_layer(facilities, fields, name=name, colour=colour, radius=5, basemap=basemap)


def polygon_layer(
    polygons: gpd.GeoDataFrame,
    fields: Sequence[Field] = (),
    name: str = "服务范围",
    colour: str = "#3182bd",
    fill_opacity: float = 0.25,
    dash: str | None = None,
    basemap: str = "none",
) -> folium.FeatureGroup:
    """Polygons (service areas, gap zones) with one style and escaped tooltips."""
    g = shift_for_basemap(polygons, basemap)
    data = _feature_collection(g, _tooltips(g, fields))
    fg = folium.FeatureGroup(name=name)
    if data["features"]:
        style = {"color": colour, "weight": 1.5, "fillColor": colour, "fillOpacity": fill_opacity}
        if dash:
            style["dashArray"] = dash
        _geojson(data, name, style).add_to(fg)
    return fg


class _Legend(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "coverage-legend");
                div.style.cssText = "background:rgba(255,255,255,.9);padding:6px 8px;"
                    + "font:12px sans-serif;border-radius:4px;box-shadow:0 0 4px rgba(0,0,0,.3);";
                div.innerHTML = {{ this.body|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, body: str):
        super().__init__()
        self._name = "Legend"
        self.body = body


def coverage_legend(title: str = "覆盖率", no_data: str = "无服务对象") -> MacroElement:
    """A legend control for :func:`town_layer`'s classes (title and labels are escaped)."""
    rows = [f"<b>{html.escape(title)}</b>"]
    for lo, hi, colour in COVERAGE_CLASSES:
        rows.append(
            f'<span style="display:inline-block;width:14px;height:10px;background:{colour};'
            f'margin-right:4px"></span>{lo * 100:.0f}–{hi * 100:.0f}%'
        )
    rows.append(
        f'<span style="display:inline-block;width:14px;height:10px;background:{NO_DATA_COLOUR};'
        f'margin-right:4px"></span>{html.escape(no_data)}'
    )
    return _Legend("<br>".join(rows))


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
