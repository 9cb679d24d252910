"""The offline map: no network resource in the default page, escaped tooltips, basemaps, datum shift."""

from __future__ import annotations

import base64
import html
import json
import re

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from coverage.crs import wgs84_to_gcj02
from coverage.ui import map as cmap

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"town_zh": ["会城街道", EVIL, "空镇"], "rate": [0.85, 0.1, np.nan]},
        geometry=[box(113.0, 22.5, 113.1, 22.6), box(113.1, 22.5, 113.2, 22.6), box(113.2, 22.5, 113.3, 22.6)],
        crs="EPSG:4326",
    )


@pytest.fixture
def facilities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [EVIL, "长者饭堂</script><script>alert(2)</script>"], "source": ["uploaded", "real"]},
        geometry=[Point(113.05, 22.55), Point(113.15, 22.55)],
        crs="EPSG:4326",
    )


FIELDS = [cmap.Field("town_zh", "镇街"), cmap.Field("rate", "覆盖率", ".0%")]


def _full_map(towns, facilities, basemap="none", **kw):
    """A standalone page of every overlay kind, made by the overlay builders (the app's own)."""
    rates = towns["rate"].tolist()
    return cmap.build_map(
        cmap.town_overlay(cmap.features(towns, basemap=basemap, tips=[""] * len(towns)), "镇街覆盖率"),
        [
            cmap.kept_overlay(cmap.features(facilities, [cmap.Field("name", "名称"), cmap.Field("source", "来源")],
                                            basemap), "现有设施", "K", "zh"),
            cmap.polygon_overlay(cmap.features(towns.iloc[:1], basemap=basemap), "服务范围"),
            cmap.polygon_overlay(cmap.features(towns.iloc[1:2], basemap=basemap), "缺口", hatch=True),
            cmap.town_restyle_overlay(rates, cmap.tooltips(towns, FIELDS)),
            cmap.facility_marks_overlay([1]),
            cmap.point_overlay(cmap.features(facilities.iloc[:1], basemap=basemap), "选址", "#e6550d", 7),
            cmap.legend_overlay(cmap.legend_body("覆盖率", "无服务对象", [("existing", "现有设施")])),
        ],
        bounds=towns.total_bounds,
        basemap=basemap,
        **kw,
    )


_RESTYLE = re.compile(r"var styles = (.*?), tips = (.*?), base = (.*?);\n")


def _restyled(js):
    """The ``styles``, ``tips`` and ``base`` a :func:`cmap.restyle_js` script carries, decoded."""
    (found,) = _RESTYLE.findall(js)
    return tuple(json.loads(part) for part in found)


def test_default_page_loads_nothing_from_the_network(towns, facilities):
    page = cmap.map_html(_full_map(towns, facilities))
    assert cmap.remote_urls(page) == []
    # Leaflet itself is inlined, not linked to a CDN.
    assert 'src="data:text/javascript;base64,' in page
    assert 'href="data:text/css;base64,' in page
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn"):
        assert cdn not in page
    # Every script/link in the page is inline or a data: URL.
    for src in re.findall(r'<script[^>]+src="([^"]+)"', page) + re.findall(r'<link[^>]+href="([^"]+)"', page):
        assert src.startswith("data:"), src
    # Every overlay made it into the page: towns, stations, two polygon layers, the proposal.
    assert [len(fc["features"]) for fc in cmap.embedded_features(page)] == [3, 2, 1, 1, 1]


def test_remote_urls_finds_cdn_and_tiles():
    page = '<script src="https://cdn.x/l.js"></script><link rel="stylesheet" href="//y/a.css">' \
           '<style>.a{background:url(http://z/i.png)}</style><a href="https://leafletjs.com">L</a>' \
           '<script src="data:text/javascript;base64,AAAA"></script>'
    assert cmap.remote_urls(page) == ["//y/a.css", "http://z/i.png", "https://cdn.x/l.js"]
    plain = cmap.map_html(cmap.offline_map())
    assert cmap.remote_urls(plain) == []
    import folium

    assert cmap.remote_urls(folium.Map(tiles=None).get_root().render())  # folium's own CDN links


def test_user_strings_are_escaped(towns, facilities):
    page = cmap.map_html(_full_map(towns, facilities))
    assert EVIL not in page
    assert "<script>alert(2)" not in page
    assert "</script><script>" not in page
    # The escaped text is what the tooltips show: the stations' (base64 JSON) and the towns' (restyle).
    tips = [f["properties"]["_tip"] for fc in cmap.embedded_features(page) for f in fc["features"]]
    town_tips = _restyled(cmap.town_restyle_js(towns["rate"].tolist(), cmap.tooltips(towns, FIELDS)))[1]
    assert town_tips["1"] == f"<b>镇街</b> {html.escape(EVIL)}<br><b>覆盖率</b> 10%"
    assert sum(html.escape(EVIL) in tip for tip in tips) == 1  # the first station's name
    assert not any(EVIL in tip or "<script>" in tip for tip in [*tips, *town_tips.values()])


def test_field_formats_and_missing_values():
    assert cmap.Field("rate", "覆盖率", ".1%").render(0.1234) == "<b>覆盖率</b> 12.3%"
    assert cmap.Field("rate", "r").render(float("nan")) == "<b>r</b> —"
    assert cmap.Field("n", "<i>", lambda v: f"{v}人").render(3) == "<b>&lt;i&gt;</b> 3人"


def test_coverage_colours_by_class():
    colours = [c for _, _, c in cmap.COVERAGE_CLASSES]
    assert cmap.coverage_colour(0.0) == colours[0]
    assert cmap.coverage_colour(0.19) == colours[0]
    assert cmap.coverage_colour(0.2) == colours[1]
    assert cmap.coverage_colour(0.65) == colours[3]
    assert cmap.coverage_colour(1.0) == colours[4]
    assert cmap.coverage_colour(1.3) == colours[4]
    assert cmap.coverage_colour(float("nan")) == cmap.NO_DATA_COLOUR
    assert cmap.coverage_colour(None) == cmap.NO_DATA_COLOUR


def test_town_fill_follows_rate(towns):
    """The towns are drawn grey, once; the restyle fills each by its rate and gives it its tooltip."""
    data = cmap.features(towns, tips=[""] * len(towns))
    (draw,) = cmap.town_overlay(data, "镇街覆盖率").scripts
    js = draw("g")
    assert js_base(js) == cmap.TOWN_BASE and '"fillColor": "#bdbdbd"' in js
    assert 'window.coverageLayers["towns"] = layer' in js
    restyle = cmap.town_restyle_overlay([0.85, 0.1, float("nan")], ["a", "b", "c"])
    assert not restyle.control  # an update, not a layer of its own in the control
    (script,) = restyle.scripts
    styles, tips, base = _restyled(script("g"))
    assert styles == {"0": {"fillColor": "#1a9850"}, "1": {"fillColor": "#d7301f"}, "2": {"fillColor": "#bdbdbd"}}
    assert [styles[k]["fillColor"] for k in "012"] == [cmap.coverage_colour(r) for r in (0.85, 0.1, None)]
    assert tips == {"0": "a", "1": "b", "2": "c"} and base == cmap.TOWN_BASE
    assert 'coverageLayers || {})["towns"]' in script("g")


def js_base(js):
    """The ``base`` style a :func:`cmap.features_js` script draws with."""
    (found,) = re.findall(r"var base = (.*?), radius = ", js)
    return json.loads(found)


def test_online_basemaps_and_refusals(towns, facilities):
    osm = cmap.remote_urls(cmap.map_html(cmap.offline_map(basemap="osm")))
    assert osm == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    tdt = cmap.remote_urls(cmap.map_html(cmap.offline_map(basemap="tianditu", tianditu_key="k3y<>")))
    assert len(tdt) == 2 and all("tianditu.gov.cn" in u and u.endswith("tk=k3y") for u in tdt)
    with pytest.raises(cmap.BasemapError, match="key") as no_key:
        cmap.offline_map(basemap="tianditu", tianditu_key="  ")
    with pytest.raises(cmap.BasemapError, match="unknown basemap") as unknown:
        cmap.offline_map(basemap="google")
    # Codes and values for the page's words; the message itself stays English (CLI, Python users).
    assert (no_key.value.code, no_key.value.values) == (
        "basemap_error.tianditu_key_missing", {"site": "console.tianditu.gov.cn"})
    assert (unknown.value.code, unknown.value.values) == (
        "basemap_error.unknown_basemap", {"basemap": "google", "choices": "none, osm, tianditu, amap"})
    assert str(unknown.value) == "unknown basemap 'google'; choose one of none, osm, tianditu, amap"
    assert not re.search(r"[\u4e00-\u9fff]", str(no_key.value).replace("天地图", ""))
    amap = cmap.remote_urls(cmap.map_html(_full_map(towns, facilities, basemap="amap")))
    assert all("autonavi.com" in u for u in amap) and amap


def test_amap_shifts_data_to_gcj02_and_clicks_back(facilities):
    shifted = cmap.shift_for_basemap(facilities, "amap")
    lon, lat = wgs84_to_gcj02(np.array([113.05]), np.array([22.55]))
    assert shifted.geometry.iloc[0].x == pytest.approx(float(lon[0]))
    assert shifted.geometry.iloc[0].y == pytest.approx(float(lat[0]))
    # The shift is a few hundred metres here, not zero.
    assert abs(shifted.geometry.iloc[0].x - 113.05) > 1e-3
    back = cmap.to_wgs84(shifted.geometry.iloc[0].x, shifted.geometry.iloc[0].y, "amap")
    assert back == pytest.approx((113.05, 22.55), abs=1e-6)
    assert cmap.shift_for_basemap(facilities, "none").geometry.iloc[0].x == 113.05
    assert cmap.to_wgs84(113.0, 22.0, "osm") == (113.0, 22.0)
    # The overlays carry the shifted points.
    page = cmap.map_html(_full_map(gpd.GeoDataFrame({"rate": [0.5]}, geometry=[box(113, 22.5, 113.1, 22.6)],
                                                    crs="EPSG:4326"), facilities, basemap="amap"))
    stations = cmap.embedded_features(page)[1]["features"]
    assert stations[0]["geometry"]["coordinates"] == pytest.approx([float(lon[0]), float(lat[0])], abs=1e-5)


def test_projected_input_is_drawn_in_wgs84(facilities):
    utm = facilities.to_crs("EPSG:32649")
    page = cmap.map_html(cmap.build_map(overlays=[cmap.point_overlay(cmap.features(utm), "设施")],
                                        layer_control=False))
    (fc,) = cmap.embedded_features(page)
    assert fc["features"][0]["geometry"]["coordinates"] == pytest.approx([113.05, 22.55])


def test_leaflet_css_images_are_inlined():
    js, css = cmap.leaflet_assets()
    import base64

    text = base64.b64decode(css.split(",", 1)[1]).decode()
    assert "url(images/" not in text
    assert "url(data:image/png;base64," in text
    assert b"L.version" in base64.b64decode(js.split(",", 1)[1]) or b"Leaflet" in base64.b64decode(js.split(",", 1)[1])


def test_attribution_is_escaped():
    page = cmap.map_html(cmap.offline_map(attribution="数据: <b>民政局</b>"))
    assert "<b>民政局</b>" not in page
    assert "\\u0026lt;b\\u0026gt;" in page  # &lt;b&gt; inside the JSON string


def test_map_behaviour_metric_scale_wheel_after_click_tile_message():
    page = cmap.map_html(cmap.offline_map(basemap="osm", tile_error="底图无法加载 <离线>"))
    assert "L.control.scale({imperial: false, metric: true})" in page
    assert "control.scale()" not in page  # folium's own (imperial) scale is off
    assert '"scrollWheelZoom": false' in page
    assert "map.scrollWheelZoom.enable()" in page and '"tileerror"' in page
    # The message is set as text (textContent), never as HTML.
    assert 'box.textContent = "\\u5e95' in page or "box.textContent = " in page
    assert "<离线>" not in page


def test_the_maps_focus_never_scrolls_the_page_and_pressed_shapes_have_no_outline():
    """Leaflet focuses the container on a press and after a control's click; the base map makes that
    focus keep the page where it is (the browser test presses the map: tests/test_browser_map.py)."""
    page = cmap.map_html(cmap.offline_map())
    assert "container.focus = function (options)" in page and "{preventScroll: true}" in page
    assert ".leaflet-container .leaflet-interactive:focus:not(:focus-visible) { outline: none; }" in page
    from coverage.ui import map_component as mc

    header = mc.base_map(cmap.offline_map()).header  # the header the front end puts in the iframe
    assert ".leaflet-interactive:focus:not(:focus-visible) { outline: none; }" in header


def test_an_update_words_the_basemap_message_in_the_pages_language(towns):
    """The base map is one script for both languages; the update sets the message it shows
    (``window.coverageTileError``) and rewords one already shown, as text."""
    from coverage.ui import map_component as mc

    js = cmap.tile_error_js("The basemap cannot load <b>")
    assert 'window.coverageTileError = "The basemap cannot load \\u003cb\\u003e";' in js
    assert "shown.textContent = window.coverageTileError" in js
    page = cmap.map_html(cmap.offline_map(basemap="osm", tile_error="底图无法加载 / The basemap cannot load"))
    assert 'box.textContent = window.coverageTileError || "' in page
    from coverage.i18n import t

    default = cmap.map_html(cmap.offline_map(basemap="osm"))  # the catalogue's words by default
    assert f"window.coverageTileError || {cmap.js_json(t('tile_error', 'zh'))};" in default
    overlays = [cmap.legend_overlay("x")]
    plain = mc.feature_group_js(overlays, page_token="s")
    worded = mc.feature_group_js(overlays, page_token="s", tile_error="The basemap cannot load <b>")
    assert worded == plain.replace(cmap.drawn_js("s"), js + cmap.drawn_js("s"))
    assert "coverageTileError" not in mc.feature_group_js(overlays)  # st_folium's string without it


def test_clicked_facility_needs_the_same_click_and_a_token():
    tip = "名称 站点<span>" + cmap.facility_token(12) + "</span>"
    hit = {"lat": 22.5, "lng": 113.0}
    assert cmap.clicked_facility({"last_clicked": hit, "last_object_clicked": hit,
                                  "last_object_clicked_tooltip": tip}) == 12
    # A later click elsewhere (the object is still the old marker): not a marker click.
    assert cmap.clicked_facility({"last_clicked": {"lat": 22.6, "lng": 113.1}, "last_object_clicked": hit,
                                  "last_object_clicked_tooltip": tip}) is None
    # A click on a town polygon (its tooltip has no token).
    assert cmap.clicked_facility({"last_clicked": hit, "last_object_clicked": hit,
                                  "last_object_clicked_tooltip": "镇街 会城街道"}) is None
    assert cmap.clicked_facility(None) is None


def test_legend_lists_every_symbol_given():
    body = cmap.legend_body("覆盖率", "无服务对象", [("existing", "现有设施"), ("removed", "已移除"),
                                                  ("added", "新增"), ("proposed", "建议"),
                                                  ("gaps", "缺口 <b>"), ("service", "服务范围")])
    overlay = cmap.legend_overlay(body)
    assert not overlay.control
    page = cmap.map_html(cmap.build_map(overlays=[overlay], layer_control=False))
    for kind in ("ramp", "existing", "removed", "added", "proposed", "gaps", "service"):
        assert f'data-legend=\\"{kind}\\"' in page, kind
    assert "缺口 <b>" not in page and "缺口 &lt;b&gt;" in body  # labels escaped
    assert "window.coverageLegend.remove()" in page  # a new legend replaces the old one
    # The legend goes on the page's map, which the map's own script names first (a standalone page too).
    assert "legend.addTo(window.map)" in page
    assert page.index("window.map = window.map || map") < page.index("window.coverageLegend = legend")
    with pytest.raises(ValueError, match="unknown legend entry"):
        cmap.legend_body("t", "n", [("bogus", "x")])


def test_gap_zones_hatched_and_removed_facilities_marked(towns):
    hatched = cmap.polygon_overlay(cmap.features(towns.iloc[:1]), "缺口", hatch=True)
    pattern, draw = hatched.scripts
    assert pattern("g") == cmap.HATCH_JS and "coverageHatch()" in cmap.HATCH_JS
    assert js_base(draw("g")) == cmap.GAP_STYLE and cmap.GAP_STYLE["fillColor"] == "url(#coverage-hatch)"
    plain = cmap.polygon_overlay(cmap.features(towns.iloc[:1]), "服务范围", cmap.polygon_style(fill_opacity=0.15))
    assert len(plain.scripts) == 1 and js_base(plain.scripts[0]("g"))["fillOpacity"] == 0.15
    assert cmap.polygon_overlay({"type": "FeatureCollection", "features": []}, "缺口", hatch=True).scripts == ()
    # Removed facilities: only the rows removed get the removed style; the others are set back.
    (marks,) = cmap.facility_marks_overlay([1, 3]).scripts
    styles, tips, base = _restyled(marks("g"))
    assert styles == {"1": cmap.REMOVED_STYLE, "3": cmap.REMOVED_STYLE} and tips is None
    assert base == {**cmap.FACILITY_BASE, "dashArray": None}
    assert 'coverageLayers || {})["facilities"]' in marks("g") and "layer.bringToFront()" in marks("g")
    assert _restyled(cmap.facility_marks_js([]))[0] == {}  # an undo sets every mark back


# --------------------------------------------------------------------------- the component's arguments


def _captured(monkeypatch):
    """Record the arguments every Streamlit custom component is called with (st_folium's and ours)."""
    from streamlit.components.v1.custom_component import CustomComponent

    calls = []

    def record(self, *args, **kwargs):
        calls.append({k: v for k, v in kwargs.items() if k != "on_change"})
        return kwargs.get("default")

    monkeypatch.setattr(CustomComponent, "create_instance", record)
    return calls


def _base_figure(towns, basemap):
    base = cmap.offline_map(bounds=towns.total_bounds, basemap=basemap, tianditu_key="k", tile_error="离线")
    cmap.overlay_group(cmap.town_overlay(cmap.features(towns, tips=[""] * len(towns)), name="镇街覆盖率")).add_to(base)
    return base


def _squeeze(text):
    return re.sub(r"\s+", "", text) if isinstance(text, str) else text


def _overlays(towns, facilities):
    """One overlay of each kind, as the app sends them."""
    tips = cmap.tooltips(towns, [cmap.Field("town_zh", "镇街")])
    legend = cmap.legend_body("覆盖率", "无", [("existing", "现有"), ("gaps", "缺口"), ("added", "新增")])
    return [
        cmap.kept_overlay(cmap.features(facilities, [cmap.Field("name", "名称")]), "现有设施", "K", "zh"),
        cmap.polygon_overlay(cmap.features(towns.iloc[:1]), "缺口", hatch=True),
        cmap.town_restyle_overlay([0.85, 0.1, float("nan")], tips),
        cmap.facility_marks_overlay([1]),
        cmap.point_overlay(cmap.features(facilities.iloc[:1], [cmap.Field("name", "名称")]), "新增",
                           cmap.ADDED_COLOUR, 7),
        cmap.legend_overlay(legend),
    ]


@pytest.mark.parametrize("basemap", ["none", "tianditu"])
def test_component_sends_what_st_folium_sends_for_the_same_map(monkeypatch, towns, facilities, basemap):
    """The cached base map + text updates give the front end the arguments st_folium gives it for
    the same overlays as folium groups (:func:`cmap.overlay_group`)."""
    import folium
    from streamlit_folium import st_folium

    from coverage.ui import map_component as mc

    calls = _captured(monkeypatch)
    overlays = _overlays(towns, facilities)
    returned = ["last_clicked", "last_object_clicked", "last_object_clicked_tooltip"]
    st_folium(_base_figure(towns, basemap), key="map", height=560, use_container_width=True,
              feature_group_to_add=[cmap.overlay_group(o) for o in overlays],
              layer_control=folium.LayerControl(collapsed=True), returned_objects=returned)
    base = mc.base_map(_base_figure(towns, basemap))
    mc.show_map(base, mc.feature_group_js(overlays), mc.layer_control_js(base, overlays), "map", height=560,
                width=None, returned_objects=returned)
    theirs, ours = calls
    assert set(ours) == set(theirs)
    # The base map is the same text (the key that decides a reload too); the updates the same code.
    for name in ("script", "header", "html", "id", "key", "css_links", "js_links", "default", "height", "width",
                 "returned_objects", "zoom", "center", "return_on_hover", "pixelated", "wrap_longitude"):
        assert ours[name] == theirs[name], name
    for name in ("feature_group", "layer_control"):
        assert _squeeze(ours[name]) == _squeeze(theirs[name]), name
    assert "feature_group_feature_group_5" in ours["feature_group"]
    assert '"\\u73b0\\u6709\\u8bbe\\u65bd" : feature_group_feature_group_0' in ours["layer_control"]
    assert "towns-style" not in ours["layer_control"] and "legend" not in ours["layer_control"]
    if basemap == "tianditu":  # the base map's own layers stay in the control (base layer + overlay)
        assert "base_layers : {\n        \"\\u5929\\u5730\\u56fe\" : tile_layer_div_" in ours["layer_control"]
    assert mc.base_map(_base_figure(towns, basemap)).hash_key("map") == ours["key"]  # stable across renders
    # Without a page token the string is st_folium's, to the byte; with one, the drawn signal is appended.
    assert mc.feature_group_js(overlays, page_token=None) == ours["feature_group"]
    assert mc.feature_group_js(overlays, page_token="s1") == ours["feature_group"] + cmap.drawn_js("s1")
    assert "coverageMapDrawn" not in ours["feature_group"]


def test_kept_facilities_are_retitled_not_redrawn_on_a_language_switch(facilities):
    """A kept layer's script under the same key but another tips key only replaces the tooltips."""
    data = cmap.features(facilities, [cmap.Field("name", "名称")])
    js = cmap.features_js("g", cmap.payload(data), cmap.FACILITY_BASE, 5, None, "facilities", "K", "en")
    head, kept_rest = js.split("// Kept on the map across updates")
    kept, rest = kept_rest.split("if (kept) { kept.remove(); }")
    assert 'kept.coverageKey === "K"' in kept and 'kept.coverageTips === "en"' in kept
    assert "setTooltipContent" in kept and "L.geoJson" not in kept and "return;" in kept
    assert "L.geoJson" in rest and 'layer.coverageTips = "en"' in rest
    assert "L.geoJson" not in head
    assert js.count("atob(") == 1  # the payload is carried once


def test_the_facilities_box_of_the_layer_control_shows_and_hides_the_kept_stations(facilities):
    """The kept stations sit on the map, not in their group: the script wires the group's add and
    remove events to them (a removal the next update did not make is the planner's), and a layer
    without a key keeps its markers in the group, which the control toggles by itself."""
    data = cmap.features(facilities, [cmap.Field("name", "名称")])
    kept = cmap.features_js("fg0", cmap.payload(data), cmap.FACILITY_BASE, 5, None, "facilities", "K", "zh")
    assert "var group = fg0" in kept and 'owners["facilities"] = group;' in kept
    assert 'group.on("add"' in kept and 'group.on("remove"' in kept
    assert 'if (!hidden["facilities"]) { layer.addTo(window.map); }' in kept
    plain = cmap.features_js("fg0", cmap.payload(data), cmap.point_style(cmap.ADDED_COLOUR), 7)
    assert "group.on(" not in plain and "layer.addTo(fg0);" in plain
    # An empty layer's overlay forgets the owner, so the update removing the old group is not a click.
    assert 'delete window.coverageOwners["facilities"]' in cmap.drop_kept_js("facilities")


# --------------------------------------------------------------------------- the scripts, run

#: A stand-in for the few Leaflet calls the kept-layer scripts make, and streamlit-folium's update
#: (remove every group it added, run the new string), in node. The layer control's box is
#: ``map.removeLayer(group)`` / ``map.addLayer(group)``, which is what Leaflet's control does.
FAKE_LEAFLET = r"""
function Evented() { this._on = {}; }
Evented.prototype.on = function (types, fn) {
  var self = this; types.split(" ").forEach(function (t) { (self._on[t] = self._on[t] || []).push(fn); });
  return this;
};
Evented.prototype.off = function (t, fn) { this._on[t] = (this._on[t] || []).filter(function (f) { return f !== fn; }); return this; };
Evented.prototype.once = function (t, fn) { var self = this, g = function (e) { self.off(t, g); fn(e); }; return this.on(t, g); };
Evented.prototype.fire = function (t, e) { var self = this; (this._on[t] || []).slice().forEach(function (f) { f.call(self, e); }); return this; };
Evented.prototype.addTo = function (map) { map.addLayer(this); return this; };
Evented.prototype.remove = function () { if (this._map) { this._map.removeLayer(this); } return this; };
function Marker(f) { Evented.call(this); this.feature = f; this.tip = null; this.options = {}; }
Marker.prototype = Object.create(Evented.prototype);
Marker.prototype.bindTooltip = function (t) { this.tip = t; return this; };
Marker.prototype.getTooltip = function () { return this.tip === null ? null : {}; };
Marker.prototype.setTooltipContent = function (t) { this.tip = t; return this; };
Marker.prototype.setStyle = function (s) { Object.assign(this.options, s); return this; };
function Group() { Evented.call(this); this.children = []; this.options = {}; }
Group.prototype = Object.create(Evented.prototype);
Group.prototype.eachLayer = function (fn) { this.children.forEach(fn); };
Group.prototype.getLayers = function () { return this.children.slice(); };
Group.prototype.bringToFront = function () { return this; };
var drawn = 0;
var L = {
  featureGroup: function () { return new Group(); },
  geoJson: function (data, opts) {
    var g = new Group(); drawn += 1;
    data.features.forEach(function (f) { var m = new Marker(f); opts.onEachFeature(f, m); g.children.push(m); });
    return g;
  },
  circleMarker: function () { return new Marker(null); },
};
function FakeMap() { this._layers = []; }
FakeMap.prototype.addLayer = function (l) {
  if (this._layers.indexOf(l) >= 0) { return this; }
  this._layers.push(l); l._map = this; l.fire("add"); return this;
};
FakeMap.prototype.hasLayer = function (l) { return this._layers.indexOf(l) >= 0; };
FakeMap.prototype.removeLayer = function (l) {
  var i = this._layers.indexOf(l); if (i < 0) { return this; }
  this._layers.splice(i, 1); l._map = null; l.fire("remove"); return this;
};
var window = globalThis;
window.atob = function (s) { return Buffer.from(s, "base64").toString("latin1"); };
var map_div = new FakeMap();
window.map = map_div;
function update(script) {  // streamlit-folium's front end when the feature_group string changes
  (window.feature_group || []).forEach(function (g) { map_div.removeLayer(g); });
  var start = (window.feature_group || []).length;
  eval(script);
  return window.feature_group[start];  // the facilities' group: the first of the string
}
function settle() { return new Promise(function (r) { setTimeout(r, 5); }); }
function stations() { var k = window.coverageLayers.facilities; return k && k._map ? k.getLayers().length : 0; }
"""


def _node(script: str) -> dict:
    """Run ``script`` (after :data:`FAKE_LEAFLET`) in node; it prints one JSON line."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    done = subprocess.run([node, "-e", FAKE_LEAFLET + script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_unticking_the_facilities_box_hides_the_kept_stations_until_it_is_ticked_again(facilities):
    """Run in node: untick → the stations go; the next updates (same key, another language, another
    key) keep them hidden and the box unticked, drawing nothing again for the same key; tick → back."""
    from coverage.ui import map_component as mc

    data = cmap.features(facilities, [cmap.Field("name", "名称")])
    other = cmap.features(facilities.iloc[:1], [cmap.Field("name", "名称")])

    def run(data, key, lang, removed=()):
        return json.dumps(mc.feature_group_js([cmap.kept_overlay(data, "现有设施", key, lang),
                                               cmap.facility_marks_overlay(removed)]))

    out = _node(f"""
(async function () {{
  var log = {{}};
  var g = update({run(data, "K", "zh")}); await settle();
  log.first = [stations(), !!g._map, drawn];
  map_div.removeLayer(g); await settle();                       // the planner unticks the box
  log.unticked = [stations(), !!g._map];
  g = update({run(data, "K", "zh", [1])}); await settle();      // a removal: same key
  log.same_key = [stations(), !!g._map, drawn,
                  window.coverageLayers.facilities.getLayers()[1].options.dashArray];
  g = update({run(data, "K", "en")}); await settle();           // a language switch: retitled only
  log.language = [stations(), !!g._map, drawn, window.coverageLayers.facilities.getLayers()[0].tip];
  map_div.addLayer(g); await settle();                          // ticked again
  log.ticked = [stations(), !!g._map];
  g = update({run(data, "K", "en")}); await settle();           // an update while shown
  log.shown_update = [stations(), !!g._map, drawn];
  map_div.removeLayer(g); await settle();
  g = update({run(other, "K2", "en")}); await settle();         // another layer while hidden
  log.other_layer = [stations(), !!g._map, drawn, window.coverageLayers.facilities.getLayers().length];
  map_div.addLayer(g); await settle();
  log.other_ticked = [stations(), !!g._map];
  console.log(JSON.stringify(log));
}})();
""")
    assert out["first"] == [2, True, 1]
    assert out["unticked"] == [0, False]
    assert out["same_key"] == [0, False, 1, "2"]  # still hidden and unticked, marked removed, not redrawn
    assert out["language"][:3] == [0, False, 1] and "名称" in out["language"][3]
    assert out["ticked"] == [2, True]
    assert out["shown_update"] == [2, True, 1]  # an update's own removal of the old group hides nothing
    assert out["other_layer"] == [0, False, 2, 1]  # drawn for the new key, kept off the map
    assert out["other_ticked"] == [1, True]


def test_the_page_token_sends_the_drawn_signal_once_per_token():
    """Run in node: a fresh page gets the map's value once (the update's token mark stops
    MapBehaviour's own send); later updates of the session send nothing; a new session on the
    same page (a server restart) gets it once; a map rebuilt in the page sends nothing."""
    from coverage.ui import map_component as mc

    page = cmap.map_html(cmap.offline_map())
    start = page.index("// Drawn (this runs")
    behaviour = page[start:page.index("}, 0);", start) + len("}, 0);")]  # MapBehaviour's own signal
    overlays = [cmap.legend_overlay("x")]

    def fg(token):
        return json.dumps(mc.feature_group_js(overlays, page_token=token))

    out = _node(f"""
L.control = function () {{ var c = {{addTo: function () {{ return c; }}, remove: function () {{}}}}; return c; }};
map_div._controlCorners = {{}};
var sent = [];
window.parent = {{}};
window.__GLOBAL_DATA__ = {{previous_data: {{"last_clicked": null}}}};
window.coverageSend = function (v) {{ sent.push(v); }};
function drawMap() {{ {behaviour} }}                             // the base map's script
(async function () {{
  var log = {{}};
  drawMap(); update({fg("s1")}); await settle();
  log.fresh = [sent.length, window.parent.coverageMapDrawn];
  update({fg("s1")}); await settle();
  log.later = sent.length;
  update({fg("s2")}); await settle();                              // a new session, same page
  log.reconnected = [sent.length, window.parent.coverageMapDrawn];
  drawMap(); update({fg("s2")}); await settle();                   // the map rebuilt in the page
  log.rebuilt = sent.length;
  window.parent = {{}};                                             // another page, no token
  drawMap(); update({json.dumps(mc.feature_group_js(overlays))}); await settle();
  log.no_token = [sent.length, window.parent.coverageMapDrawn];
  console.log(JSON.stringify(log));
}})();
""")
    assert out == {"fresh": [1, "s1"], "later": 1, "reconnected": [2, "s2"], "rebuilt": 2, "no_token": [3, True]}


def test_the_base_maps_towns_entry_is_retitled_in_the_page_language(towns):
    """The base map (one fixed script) names the towns layer in Chinese; the control sent with each run
    carries the page's own title for it (review B1: the English page listed 镇街覆盖率)."""
    from coverage.ui import map_component as mc

    base = mc.base_map(_base_figure(towns, "none"))
    assert '"\\u9547\\u8857\\u8986\\u76d6\\u7387"' in mc.layer_control_js(base, [])  # 镇街覆盖率
    english = mc.layer_control_js(base, [], names={"镇街覆盖率": "Town coverage"})
    assert '"Town coverage" : ' in english and "\\u9547" not in english


def test_a_layer_without_facilities_takes_the_previous_layers_stations_off_the_map():
    """An empty layer's overlay removes the stations kept on the map (review R3), so no old marker
    stays drawn, restyled or clickable under the new layer."""
    from coverage.ui.views import facility_overlay

    empty = {"facilities": {"type": "FeatureCollection", "features": []}}
    [script] = facility_overlay(empty, "elder_canteen", "K", "en").scripts
    js = script("feature_group_0")
    assert "kept.remove()" in js and 'delete window.coverageLayers["facilities"]' in js


def test_payloads_are_safe_to_make_from_several_sessions_at_once():
    """The sessions run in threads and share the payload memo (review R1: a race raised
    'dictionary changed size during iteration')."""
    import threading

    datas = [{"type": "FeatureCollection", "features": [{"id": i}]} for i in range(64)]
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(30):
                for d in datas:
                    assert json.loads(base64.b64decode(cmap.payload(d)))["features"][0]["id"] == d["features"][0]["id"]
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
