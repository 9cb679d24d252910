"""App helpers: standard overrides, coverage tables, provenance, map layers."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from coverage.metrics import population_coverage
from coverage.standards import load_standards
from coverage.ui import views
from coverage.ui.map import coverage_colour


@pytest.fixture(scope="module")
def table():
    return load_standards()


def test_override_unchanged_returns_the_table(table):
    assert views.standard_override(table, "elder_care_station", "walk", 15) is table


def test_override_minutes_keep_each_area_types_mode(table):
    new = views.standard_override(table, "elder_care_station", "walk", 10)
    urban, rural = (new.get("elder_care_station", a) for a in ("urban", "rural"))
    base_urban, base_rural = (table.get("elder_care_station", a) for a in ("urban", "rural"))
    assert (urban.mode, urban.minutes) == (base_urban.mode, 10)
    assert (rural.mode, rural.minutes) == (base_rural.mode, 10)  # rural keeps its own mode
    # Shorter time, shorter straight-line radius; other layers are untouched.
    assert urban.distance_m < base_urban.distance_m and rural.distance_m < base_rural.distance_m
    assert new.get("elder_canteen", "rural") == table.get("elder_canteen", "rural")


def test_override_other_mode_uses_speed_time_detour(table):
    std = views.standard_override(table, "elder_care_station", "bike", 20).get("elder_care_station", "urban")
    assert (std.mode, std.speed_kmh) == ("bike", 15.0)
    assert std.distance_m == 3850.0  # 15 km/h × 20 min = 5000 m ÷ 1.3 = 3846 → 3850


def test_override_refuses_bad_input(table):
    with pytest.raises(ValueError, match="mode"):
        views.standard_override(table, "elder_care_station", "fly", 15)
    with pytest.raises(ValueError, match="positive"):
        views.standard_override(table, "elder_care_station", "walk", 0)


def test_tables_and_town_rates(small_region):
    cov = population_coverage(small_region, "elder_care_station",
                              reach=np.array([True] * 3 + [False] * 9))
    fig = views.city_figures(cov)
    covered_by_hand = small_region.population["pop_60plus"].iloc[:3].sum()
    assert fig["covered"] == covered_by_hand
    assert fig["served"] == small_region.population["pop_60plus"].sum()
    towns = views.coverage_table(cov, "town", "en")
    assert list(towns.columns) == ["Town", "District", "Served population", "Covered population", "Coverage rate"]
    assert len(towns) == 4 and towns["Covered population"].sum() == covered_by_hand
    assert list(towns["Town"]) == ["甲一街道", "甲二镇", "乙一街道", "乙二镇"]  # no region: names as given
    english = views.coverage_table(cov, "town", "en", small_region)
    assert list(english["Town"]) == ["Jia-1", "Jia-2", "Yi-1", "Yi-2"]
    assert list(english["District"]) == ["Test-Jia", "Test-Jia", "Test-Yi", "Test-Yi"]
    assert list(views.coverage_table(cov, "district", "zh", small_region)["区县"]) == ["测试甲区", "测试乙区"]
    rated = views.town_rates(small_region.towns, cov)
    assert len(rated) == 4 and rated.crs == small_region.towns.crs
    # The first three cells in grid order: (0,0) 200 and (1,0) 100 in T1, (4,0) 90 in T2.
    by_code = rated.set_index("town_code")
    assert by_code.loc["440703001", "covered"] == 300
    assert by_code.loc["440703101", "covered"] == 90
    assert by_code.loc["440704001", "rate"] == 0
    assert views.rate_text(0.12345) == "12.3%" and views.rate_text(float("nan")) == "—"
    # The table's rate is in percent points with one decimal, as every rate shown (T1: 300 of 60+ people).
    served_t1 = by_code.loc["440703001", "served"]
    assert english["Coverage rate"].iloc[0] == round(100 * 300 / served_t1, 1)
    assert all(v == round(v, 1) for v in english["Coverage rate"].dropna())


def test_provenance_table_labels():
    df = views.provenance_table({"towns": "modelled", "facilities:ossuary": "uploaded", "roads": "none"}, "zh")
    assert list(df.iloc[:, 0]) == ["镇街边界", "设施: 公益性骨灰存放设施", "路网"]
    assert list(df.iloc[:, 1]) == ["推算", "用户上传", "无"]


def test_static_layers_and_updates_colour_towns_by_rate(small_region):
    from coverage.ui.map import embedded_features, js_json
    from coverage.ui.map_component import feature_group_js

    cov = population_coverage(small_region, "elder_care_station",
                              reach=np.array([True] * 3 + [False] * 9))
    rated = views.town_rates(small_region.towns, cov)
    base = small_region.facilities["elder_care_station"]
    feats = views.static_features(small_region, "elder_care_station", base, "en")
    towns = views.static_layers(feats, "en")
    facilities = views.facility_overlay(feats, "elder_care_station", "k", "en")
    assert [g.layer_name for g in towns] == ["Town coverage"]
    assert facilities.name == "Existing facilities: Home elder-care station" and facilities.control
    tips = [f["properties"]["_tip"] for f in feats["facilities"]["features"]]
    assert len(tips) == len(base) and all("Click the point to remove it" in tip for tip in tips)
    # Removing every facility but the first: they are marked removed, the towns get their rate colours.
    removed = list(range(1, len(base)))
    updates = views.map_overlays(small_region, "elder_care_station", rated, removed, lang="en",
                                 facilities=facilities)
    assert [u.name for u in updates if not u.control] == ["towns-style", "facilities-style", "legend"]
    page = feature_group_js(updates)
    for rate in rated["rate"]:
        assert coverage_colour(rate) in page
    town_tips = views.town_tips(small_region, "elder_care_station", rated, "en")
    assert "Jia-1" in town_tips[0] and "Test-Jia" in town_tips[0]  # pinyin names in English
    assert all(js_json(tip) in page for tip in town_tips)  # the towns' tooltips in the restyle
    names = " ".join(tips)
    assert str(base["name"].iloc[0]) in names
    (carried,) = embedded_features(page)  # only the facilities carry data; the updates are small scripts
    assert [f["properties"]["_tip"] for f in carried["features"]] == tips
    assert 'data-legend=\\"removed\\"' in page and 'data-legend=\\"existing\\"' in page
    # The kept facilities: keyed without the language, retitled in it.
    assert 'kept.coverageKey === "k"' in page and 'kept.coverageTips === "en"' in page


def test_sites_table_localised():
    import geopandas as gpd
    from shapely.geometry import Point

    sites = gpd.GeoDataFrame(
        {"rank": [1, 2], "town_zh": ["甲镇", "乙镇"], "district_zh": ["A", "B"],
         "new_covered_60plus": [1485, 80], "new_covered_total": [11032, 300], "cumulative_rate": [0.5, 0.6]},
        geometry=[Point(113.0, 22.5), Point(112.912345678, 22.4)], crs="EPSG:4326",
    )
    table = views.sites_table(sites, "elder_care_station", "en")
    assert list(table.columns) == ["Rank", "Town", "District", "Newly covered (residents 60+)", "Cumulative rate",
                                   "Longitude", "Latitude"]
    assert list(table["Newly covered (residents 60+)"]) == [1485, 80]
    assert list(table["Cumulative rate"]) == [50.0, 60.0]  # percent points, as the coverage tables
    assert list(table["Longitude"]) == [113.0, 112.91235]  # five decimals
    total = views.sites_table(sites, "social_work_station", "zh")
    assert list(total["新增覆盖人口 (常住人口)"]) == [11032, 300]
    assert list(total.columns)[-3:] == ["累计覆盖率", "经度", "纬度"]
    # The grid's formats: people with thousands separators, the rate in percent, coordinates 5 decimals.
    assert views.table_formats(total, "zh") == {"新增覆盖人口 (常住人口)": "localized", "累计覆盖率": "%.1f%%",
                                                "经度": "%.5f", "纬度": "%.5f"}


def pmedian_sites(unit: str):
    import geopandas as gpd
    from shapely.geometry import Point

    return gpd.GeoDataFrame(
        {"rank": [1, 2], "town_zh": ["甲镇", "乙镇"], "district_zh": ["A", "B"], "new_covered_60plus": [2891, 1649],
         "cumulative_rate": [0.716, 0.718], "travel_saved": [8664550.657, 7556488.712],
         "cumulative_mean_travel": [1504.421, 1495.798], "travel_unit": [unit, unit], "problem": "pmedian"},
        geometry=[Point(112.4896, 22.4758), Point(112.8698, 22.2009)], crs="EPSG:4326")


def test_pmedian_sites_table_shows_whole_metres_and_says_its_order():
    """The planner's p-median run: 8664550.657 person-m and 1504.421 m shown as whole numbers."""
    zh = views.sites_table(pmedian_sites("m"), "elder_care_station", "zh")
    assert list(zh["减少出行 (米·人)"]) == [8664551, 7556489]
    assert list(zh["人均出行 (米)"]) == [1504, 1496]
    assert str(zh["减少出行 (米·人)"].dtype) == "Int64" and list(zh["累计覆盖率"]) == [71.6, 71.8]
    formats = views.table_formats(zh, "zh")
    assert formats["减少出行 (米·人)"] == formats["人均出行 (米)"] == "localized"
    assert "序号" not in formats  # the rank stays a plain number
    # Seconds: person-minutes whole, mean minutes with one decimal.
    en = views.sites_table(pmedian_sites("s"), "elder_care_station", "en")
    assert list(en["Travel saved (person-min)"]) == [144409, 125941]  # 8664550.657 / 60 = 144409.18
    assert list(en["Mean travel (min)"]) == [25.1, 24.9]
    assert views.table_formats(en, "en")["Mean travel (min)"] == "%.1f"
    # The heading says the order the rows are in.
    assert views.sites_heading("pmedian", "zh") == "建议站点 (按减少出行排序, 每处计入排在其前的站点)"
    assert views.sites_heading("mclp", "en").startswith("Proposed sites (ranked by people newly covered")
    assert views.sites_heading("pmedian", "en").startswith("Proposed sites (ranked by travel saved")


def test_sites_and_gaps_tables_use_pinyin_in_english(small_region):
    import geopandas as gpd
    from shapely.geometry import Point

    sites = gpd.GeoDataFrame(
        {"rank": [1], "town_code": ["440703001"], "town_zh": ["甲一街道"], "district_code": ["440703"],
         "district_zh": ["测试甲区"], "new_covered_60plus": [7], "cumulative_rate": [0.5]},
        geometry=[Point(113.0, 22.5)], crs="EPSG:4326")
    table = views.sites_table(sites, "elder_care_station", "en", small_region)
    assert list(table["Town"]) == ["Jia-1"] and list(table["District"]) == ["Test-Jia"]
    zones = sites.assign(served=[12.4], pop_total=[30.0], pop_60plus=[12.4], pop_0_17=[3.0], area_km2=[0.257],
                         nearest_distance_m=[1234.4], site_lon=[113.0], site_lat=[22.5])
    gaps = views.gaps_table(zones, "elder_care_station", "zh", small_region)
    assert list(gaps.columns)[:4] == ["序号", "镇街", "区县", "未覆盖人口 (60岁及以上)"]
    assert list(gaps["镇街"]) == ["甲一街道"] and list(gaps["面积 (km²)"]) == [0.26]
    assert list(gaps["最近设施 (米)"]) == [1234]


def gap_zones():
    import geopandas as gpd
    from shapely.geometry import Point

    return gpd.GeoDataFrame(
        {"rank": [1, 2, 3], "town_zh": ["甲镇", "乙镇", "丙镇"], "district_zh": ["A", "B", "C"],
         "served": [11032.2, 1485.0, 7.0], "pop_total": [40210.0, 5120.0, 30.0], "pop_60plus": [11032.2, 1485.0, 7.0],
         "pop_0_17": [6000.0, 800.0, 3.0], "area_km2": [0.75, 1.0, 0.5], "nearest_distance_m": [2150.4, 900.0, 610.6],
         "site_lon": [112.48961234, 112.8, 113.1], "site_lat": [22.4758, 22.20091, 22.3]},
        geometry=[Point(112.5, 22.5)] * 3, crs="EPSG:4326")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gaps_table_shows_the_served_group_once_and_numbers_as_numbers(lang):
    from coverage.i18n import t

    gaps = views.gaps_table(gap_zones(), "elder_care_station", lang)
    first = list(gaps.columns)[3]
    assert first.startswith(t("gap_uncovered", lang))
    assert t("gap_pop_60", lang) not in gaps.columns  # the served group (60+) is not repeated
    assert list(gaps.columns)[3:6] == [first, t("gap_pop_total", lang), t("gap_pop_0_17", lang)]
    assert list(gaps[first]) == [11032, 1485, 7]
    assert list(gaps[t("gap_pop_total", lang)]) == [40210, 5120, 30]
    assert list(gaps[t("f_area", lang)]) == [0.75, 1.0, 0.5]
    assert list(gaps[t("gap_site_lon", lang)]) == [112.48961, 112.8, 113.1]
    formats = views.table_formats(gaps, lang)
    assert formats == {first: "localized", t("gap_pop_total", lang): "localized", t("gap_pop_0_17", lang): "localized",
                       t("f_area", lang): "%.2f", t("gap_nearest_m", lang): "localized",
                       t("gap_site_lon", lang): "%.5f", t("gap_site_lat", lang): "%.5f"}
    # A layer serving everyone keeps the 60+ column and drops the all-ages one instead.
    total = views.gaps_table(gap_zones(), "social_work_station", lang)
    assert t("gap_pop_total", lang) not in total.columns and t("gap_pop_60", lang) in total.columns


def test_report_table_headers_and_blanks():
    frame = pd.DataFrame({"file": ["a.csv", "a.csv"], "row": pd.array([3, None], dtype="Int64"),
                          "column": ["经度", None], "severity": ["error", "warning"], "message": ["x", "y"]})
    zh = views.report_table(frame, "zh")
    assert list(zh.columns) == ["文件", "行", "列", "级别", "说明"]
    assert list(zh["级别"]) == ["错误", "警告"] and list(zh["列"]) == ["经度", ""]
    assert list(zh["行"]) == ["3", ""]  # a file-level note has no row: blank, never "None"
    en = views.report_table(frame, "en")
    assert list(en.columns) == ["File", "Row", "Column", "Severity", "Message"] and list(en["Row"]) == ["3", ""]


def test_report_table_of_a_real_import_has_no_none(tmp_path):
    """A facility file without an id column: the file-level note's row is blank in both languages."""
    from coverage.io import read_facilities

    path = tmp_path / "stations.csv"
    path.write_text("name,lon,lat\n站点甲,113.08,22.58\n站点乙,113.09,22.59\n", encoding="utf-8")
    _, report = read_facilities(path, "elder_care_station")
    for lang in ("zh", "en"):
        table = views.report_table(report.to_frame(lang), lang)
        assert len(table) and "None" not in table.astype(str).to_numpy().ravel().tolist()
        assert "" in list(table.iloc[:, 1])


def test_caveat_follows_provenance(small_region):
    from dataclasses import replace

    real = {k: "uploaded" for k in small_region.provenance}
    layer = "facilities:elder_care_station"
    illustrative = replace(small_region, provenance={**real, layer: "illustrative", "population": "modelled"})
    modelled = replace(small_region, provenance={**real, "population": "modelled"})
    uploaded = replace(small_region, provenance=real)
    assert views.caveat(illustrative, ["elder_care_station"], "zh") == "ᵃ示意数据"
    assert views.caveat(modelled, ["elder_care_station"], "en") == "ᵃmodelled data"
    assert views.caveat(uploaded, ["elder_care_station"], "zh") == ""
    # Another layer's illustrative register does not mark this layer's figures.
    other = replace(small_region, provenance={**real, "facilities:ossuary": "illustrative"})
    assert views.caveat(other, ["elder_care_station"], "zh") == ""
    assert views.with_caveat(pd.DataFrame({"a": [1]}), "", "zh").columns.tolist() == ["a"]
    assert views.with_caveat(pd.DataFrame({"a": [1]}), "ᵃ示意数据", "zh")["数据说明"].tolist() == ["ᵃ示意数据"]


def test_md_text_breaks_autolinks():
    text = views.md_text("见 http://evil.example.com 或 www.evil.cn, 邮件 a@b.com")
    assert "http://" not in text and "www." not in text and "a@b" not in text
    assert text.replace("\u2060", "").replace("\\", "") == "见 http://evil.example.com 或 www.evil.cn, 邮件 a@b.com"


def test_review_table_in_each_language():
    from coverage.review import COLUMNS, ReviewResult, Status

    row = {c: None for c in COLUMNS}
    row.update(year=2025, level="city", indicator_id="sws", indicator_zh="乡镇(街道)社工站覆盖率",
               indicator_en="towns with a social-work station", unit="rate", value=0.8, target_op=">=",
               target_value=1.0, target_year=2025, status=Status.NOT_MET, gap=15, gap_unit="towns", lacking=(),
               skipped=0, caveat=False)
    district = {**row, "level": "district", "district_code": "440703", "district_zh": "蓬江区",
                "district_en": "Pengjiang", "status": Status.MET}
    result = ReviewResult(year=2025, rows=pd.DataFrame([row, district]))
    zh = views.review_table(result, "city", "zh")
    assert zh["指标"].tolist() == ["乡镇(街道)社工站覆盖率"] and zh["完成情况"].tolist() == ["未达标"]
    en = views.review_table(result, "district", "en")
    assert en["Indicator"].tolist() == ["towns with a social-work station"]
    assert en["Status"].tolist() == ["met"] and en["Level"].tolist() == ["District"]
    assert en["Place"].tolist() == ["Pengjiang"]


def test_md_text_shows_user_strings_literally():
    assert views.md_text("[x](javascript:alert(1))") == "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"
    assert views.md_text(":red[站] **b**") == "\\:red\\[站\\] \\*\\*b\\*\\*"
    assert views.md_text("长者饭堂") == "长者饭堂"


def test_scenario_edits_rename_added_sites_as_the_analysis_numbers_them(small_region):
    """Add, undo, add again, remove that site: the analysis ends with the layer as loaded."""
    from coverage.analysis import Analysis
    from coverage.ui.scenario import Scenario

    layer = next(iter(small_region.facilities))
    scenario = Scenario(small_region, layer)
    x, y = small_region.facilities[layer].to_crs("EPSG:4326").geometry.iloc[0].coords[0]
    scenario.add_site(x + 0.001, y)
    scenario.undo()
    second = scenario.add_site(x + 0.002, y)
    assert second.facility_id == "new-2"  # the scenario counts the undone add
    scenario.remove_facility(second.facility_id)
    edits = views.scenario_edits(scenario)
    assert [(e.op, e.facility_id) for e in edits] == [("add", ""), ("remove", "new-1")]
    analysis = Analysis(small_region).with_edits(edits)
    assert not analysis.problems
    assert len(analysis.facilities(layer)) == len(small_region.facilities[layer])


def test_town_chart_spec_is_readable_for_73_towns():
    """Every town a bar of its own 18 pixels (labels never overlap), 11 ticks on the percent axis,
    lowest rate on top; still a Vega-Lite spec over the columns town and "%"."""
    spec = views.town_chart_spec("覆盖率 ᵃ", "镇街", 73)
    assert spec["height"] == 18 * 73 and views.town_chart_spec("t", "Town", 3)["height"] == 160
    y = spec["encoding"]["y"]
    assert (y["field"], y["type"], y["sort"]) == ("镇街", "nominal", "x") and y["axis"]["labelOverlap"] is False
    assert y["axis"]["labelFontSize"] < 18  # the label fits its bar's band
    bottom = spec["encoding"]["x"]
    top = spec["layer"][1]["encoding"]["x"]
    for x in (bottom, top):
        assert x["field"] == "%" and x["scale"] == {"domain": [0, 100]}
        assert x["axis"]["values"] == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]  # 11 ticks
    assert (bottom["axis"]["orient"], top["axis"]["orient"]) == ("bottom", "top")
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "text"]
    assert spec["layer"][1]["encoding"]["text"] == {"field": "%", "type": "quantitative", "format": ".1f"}
    fields = json.dumps(spec, ensure_ascii=False)
    assert set(re.findall(r'"field": "([^"]+)"', fields)) == {"镇街", "%"}
    assert spec["title"] == "覆盖率 ᵃ"


def test_town_chart_spec_draws_in_vega_lite():
    """The spec compiles to Vega with altair's own validation (the schema Streamlit's front end uses)."""
    import altair as alt

    chart = pd.DataFrame({"Town": ["Jia", "Yi", "Bing"], "%": [12.5, 80.0, 45.1]})
    spec = {**views.town_chart_spec("Coverage", "Town", 3), "data": {"values": chart.to_dict("records")}}
    alt.Chart.from_dict(spec).to_dict()  # raises on a spec the schema refuses


def test_the_same_overlays_make_a_standalone_page(small_region):
    """views.map_overlays drawn by coverage.ui.map.build_map make the app's map as one HTML page."""
    import geopandas as gpd
    from shapely.geometry import Point

    from coverage.ui.map import (REMOVED_STYLE, build_map, embedded_features, js_json, map_html, remote_urls,
                                 town_overlay)

    cov = population_coverage(small_region, "elder_care_station", reach=np.array([True] * 3 + [False] * 9))
    rated = views.town_rates(small_region.towns, cov)
    base = small_region.facilities["elder_care_station"]
    feats = views.static_features(small_region, "elder_care_station", base, "zh")
    added = gpd.GeoDataFrame({"facility_id": ["new-1"], "order": [1]}, geometry=[Point(113.0, 22.5)], crs="EPSG:4326")
    overlays = views.map_overlays(small_region, "elder_care_station", rated, [1], added=added, lang="zh",
                                  facilities=views.facility_overlay(feats, "elder_care_station", "k", "zh"))
    assert [o.name for o in overlays if o.control] == ["现有设施: 居家养老服务站点", "新增站点"]
    (town_group,) = views.static_layers(feats)  # the base map's towns: the same overlay as a folium group
    assert town_group.layer_name == "镇街覆盖率"
    page = map_html(build_map(town_overlay(feats["towns"], "镇街覆盖率"), overlays, bounds=small_region.towns.total_bounds))
    assert remote_urls(page) == []
    assert [len(fc["features"]) for fc in embedded_features(page)] == [len(small_region.towns), len(base), 1]
    for rate in rated["rate"]:
        assert coverage_colour(rate) in page
    assert 'data-legend=\\"removed\\"' in page and 'coverageLayers["facilities"]' in page
    assert f'{{"1": {js_json(REMOVED_STYLE)}}}' in page  # the second station drawn as removed, only it


def test_the_legend_names_every_symbol_in_the_page_language(small_region):
    """The legend lists the ramp, then the stations and one entry per symbol drawn, in zh and in en."""
    import geopandas as gpd
    from shapely.geometry import Point, box

    from coverage.i18n import t

    cov = population_coverage(small_region, "elder_care_station", reach=np.array([True] * 3 + [False] * 9))
    rated = views.town_rates(small_region.towns, cov)
    point = gpd.GeoDataFrame({"order": [1], "rank": [1], "town_code": ["440703001"]},
                             geometry=[Point(113.0, 22.5)], crs="EPSG:4326")
    zone = gpd.GeoDataFrame({"rank": [1], "town_code": ["440703001"], "served": [12.0], "area_km2": [0.25]},
                            geometry=[box(113.0, 22.5, 113.01, 22.51)], crs="EPSG:4326")
    for lang in ("zh", "en"):
        overlays = views.map_overlays(small_region, "elder_care_station", rated, [0], added=point,
                                      service_areas=zone, gaps=zone, proposals=point, lang=lang)
        legend = overlays[-1]
        assert legend.name == "legend" and not legend.control
        entries = _legend_entries(legend.scripts[0]("g"))
        kinds = [k for k, _ in entries]
        assert kinds == ["ramp"] * 6 + ["existing", "removed", "service", "gaps", "added", "proposed"]
        labels = [label for _, label in entries[6:]]
        assert labels == [t(k, lang) for k in ("lyr_facilities", "lyr_removed", "lyr_service", "lyr_gaps",
                                                "lyr_added", "lyr_proposals")]
        assert entries[5][1] == t("no_served", lang)
    # Without a removal or an overlay, only the ramp and the stations.
    plain = views.map_overlays(small_region, "elder_care_station", rated, [], lang="en")[-1].scripts[0]("g")
    assert [k for k, _ in _legend_entries(plain)] == ["ramp"] * 6 + ["existing"]


def _legend_entries(script):
    """``(kind, label)`` of every line of the legend a :func:`coverage.ui.map.legend_js` script puts on the map."""
    import html

    (body,) = re.findall(r"div.innerHTML = (.*?);\n", script)
    return [(kind, html.unescape(label)) for kind, label in
            re.findall(r'<div data-legend="(\w+)"><span[^>]*></span>(.*?)</div>', json.loads(body))]
