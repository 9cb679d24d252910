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


def _full_map(towns, facilities, basemap="none", **kw):
    fields = [cmap.Field("town_zh", "镇街"), cmap.Field("rate", "覆盖率", ".0%")]
    return cmap.build_map(
        cmap.town_layer(towns, fields=fields, basemap=basemap),
        [
            cmap.facility_layer(facilities, [cmap.Field("name", "名称"), cmap.Field("source", "来源")],
                                basemap=basemap),
            cmap.polygon_layer(towns.iloc[:1], name="服务范围", basemap=basemap),
            cmap.point_layer(facilities.iloc[:1], name="选址", colour="#e6550d", basemap=basemap),
        ],
        bounds=towns.total_bounds,
        basemap=basemap,
        legend=cmap.coverage_legend("覆盖率"),
        **kw,
    )


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
    # The escaped text is what the tooltip shows (the layers' data is embedded as base64 JSON).
    tips = [f["properties"]["_tip"] for fc in cmap.embedded_features(page) for f in fc["features"]]
    assert any(html.escape(EVIL) in tip for tip in tips)
    assert not any(EVIL in tip or "<script>" in tip for tip in tips)


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
    page = cmap.map_html(cmap.build_map(cmap.town_layer(towns), bounds=towns.total_bounds))
    (fc,) = cmap.embedded_features(page)
    fills = [f["properties"]["_style"]["fillColor"] for f in fc["features"]]
    assert fills == [cmap.coverage_colour(0.85), cmap.coverage_colour(0.1), cmap.NO_DATA_COLOUR]
    assert fills == ["#1a9850", "#d7301f", "#bdbdbd"]
    with pytest.raises(ValueError, match="rate"):
        cmap.town_layer(towns.drop(columns="rate"))


def test_online_basemaps_and_refusals(towns, facilities):
    osm = cmap.remote_urls(cmap.map_html(cmap.offline_map(basemap="osm")))
    assert osm == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    tdt = cmap.remote_urls(cmap.map_html(cmap.offline_map(basemap="tianditu", tianditu_key="k3y<>")))
    assert len(tdt) == 2 and all("tianditu.gov.cn" in u and u.endswith("tk=k3y") for u in tdt)
    with pytest.raises(cmap.BasemapError, match="key"):
        cmap.offline_map(basemap="tianditu")
    with pytest.raises(cmap.BasemapError, match="unknown basemap"):
        cmap.offline_map(basemap="google")
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


def test_projected_input_is_drawn_in_wgs84(facilities):
    utm = facilities.to_crs("EPSG:32649")
    page = cmap.map_html(cmap.build_map(layers=[cmap.facility_layer(utm)], layer_control=False))
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
    legend = cmap.map_legend("覆盖率", "无服务对象", [("existing", "现有设施"), ("removed", "已移除"),
                                                    ("added", "新增"), ("proposed", "建议"),
                                                    ("gaps", "缺口 <b>"), ("service", "服务范围")])
    page = cmap.map_html(cmap.build_map(layers=[cmap.legend_layer(legend)], layer_control=False))
    for kind in ("ramp", "existing", "removed", "added", "proposed", "gaps", "service"):
        assert f'data-legend=\\"{kind}\\"' in page, kind
    assert "缺口 <b>" not in page  # labels escaped
    assert "window.coverageLegend.remove()" in page  # a new legend replaces the old one
    with pytest.raises(ValueError, match="unknown legend entry"):
        cmap.map_legend("t", "n", [("bogus", "x")])


def test_gap_zones_hatched_and_updates_restyle_registered_layers(towns):
    page = cmap.map_html(cmap.build_map(
        cmap.town_layer(cmap.features(towns)),
        [cmap.polygon_layer(towns.iloc[:1], hatch=True), cmap.town_restyle([0.1, 0.9, float("nan")], ["a", "b", "c"]),
         cmap.facility_marks([1])], layer_control=False))
    assert "url(#coverage-hatch)" in page and "coverage-hatch" in page
    assert '"0": {"fillColor": "#d7301f"}' in page and '"1": {"fillColor": "#1a9850"}' in page
    assert 'coverageLayers["towns"]' in page or "coverageLayers[\"towns\"]" in page


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
    cmap.town_layer(cmap.features(towns, tips=[""] * len(towns)), name="镇街覆盖率").add_to(base)
    return base


def _squeeze(text):
    return re.sub(r"\s+", "", text) if isinstance(text, str) else text


@pytest.mark.parametrize("basemap", ["none", "tianditu"])
def test_component_sends_what_st_folium_sends_for_the_same_map(monkeypatch, towns, facilities, basemap):
    """The cached base map + text updates give the front end the arguments st_folium gives it."""
    import folium
    from streamlit_folium import st_folium

    from coverage.ui import map_component as mc
    from coverage.ui.map import Overlay

    calls = _captured(monkeypatch)
    data = cmap.features(facilities, [cmap.Field("name", "名称")], tips=None)
    text = cmap.payload(data)
    tips = cmap.features(towns, [cmap.Field("town_zh", "镇街")])
    rates = [0.85, 0.1, float("nan")]
    legend = cmap.legend_body("覆盖率", "无", [("existing", "现有"), ("gaps", "缺口"), ("added", "新增")])
    tip_text = [f["properties"]["_tip"] for f in tips["features"]]
    groups = [
        cmap.facility_layer(data, name="现有设施", keep="K", tips_key="zh"),
        cmap.polygon_layer(towns.iloc[:1], name="缺口", hatch=True),
        cmap.town_restyle(rates, tip_text),
        cmap.facility_marks([1]),
        cmap.point_layer(facilities.iloc[:1], [cmap.Field("name", "名称")], name="新增", colour=cmap.ADDED_COLOUR,
                         radius=7),
        cmap.legend_layer(cmap.map_legend("覆盖率", "无", [("existing", "现有"), ("gaps", "缺口"), ("added", "新增")])),
    ]
    returned = ["last_clicked", "last_object_clicked", "last_object_clicked_tooltip"]
    st_folium(_base_figure(towns, basemap), key="map", height=560, use_container_width=True,
              feature_group_to_add=groups, layer_control=folium.LayerControl(collapsed=True),
              returned_objects=returned)
    gap = cmap.payload(cmap.features(towns.iloc[:1]))
    added = cmap.payload(cmap.features(facilities.iloc[:1], [cmap.Field("name", "名称")]))
    overlays = [
        Overlay("现有设施", (lambda v: cmap.features_js(v, text, cmap.FACILITY_BASE, 5, None, "facilities", "K", "zh"),)),
        Overlay("缺口", (lambda v: cmap.HATCH_JS, lambda v: cmap.features_js(v, gap, cmap.polygon_style(hatch=True)))),
        Overlay("towns-style", (lambda v: cmap.town_restyle_js(rates, tip_text),), control=False),
        Overlay("facilities-style", (lambda v: cmap.facility_marks_js([1]),), control=False),
        Overlay("新增", (lambda v: cmap.features_js(v, added, cmap.point_style(cmap.ADDED_COLOUR), 7),)),
        Overlay("legend", (lambda v: cmap.legend_js(v, legend),), control=False),
    ]
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
    if basemap == "tianditu":  # the base map's own layers stay in the control (base layer + overlay)
        assert "base_layers : {\n        \"\\u5929\\u5730\\u56fe\" : tile_layer_div_" in ours["layer_control"]
    assert mc.base_map(_base_figure(towns, basemap)).hash_key("map") == ours["key"]  # stable across renders


def test_kept_facilities_are_retitled_not_redrawn_on_a_language_switch(facilities):
    """A kept layer's script under the same key but another tips key only replaces the tooltips."""
    data = cmap.features(facilities, [cmap.Field("name", "名称")])
    js = cmap.features_js("g", cmap.payload(data), cmap.FACILITY_BASE, 5, None, "facilities", "K", "en")
    kept, rest = js.split("if (kept) { kept.remove(); }")
    assert 'kept.coverageKey === "K"' in kept and 'kept.coverageTips === "en"' in kept
    assert "setTooltipContent" in kept and "L.geoJson" not in kept and "return;" in kept
    assert "L.geoJson" in rest and 'layer.coverageTips = "en"' in rest
    assert js.count("atob(") == 1  # the payload is carried once


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
