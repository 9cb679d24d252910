"""Community units: import with town matching and row-level reports; unit coverage; the circle; indicators.

The fixtures (``tests/data/communities/``) sit around the seats of 白沙街道 (440703002, 街道) and
大泽镇 (440705101, 镇); distances below are metres east of the seat.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from coverage.community import (
    CommunityStatus,
    community_circle,
    community_coverage,
    community_indicators,
)
from coverage.io.communities import read_communities
from coverage.io.report import DataImportError
from coverage.standards import Standard, StandardTable

DATA = Path(__file__).parent / "data" / "communities"
URBAN, RURAL = "440703002", "440705101"
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)
STANDARDS = StandardTable({
    ("elder_care_station", "urban"): Standard(mode="walk", minutes=15, speed_kmh=4.5, distance_m=1000),
    ("elder_care_station", "rural"): Standard(mode="bike", minutes=15, speed_kmh=15, distance_m=2880),
})  # fmt: skip


@pytest.fixture(scope="module")
def region():
    """Stations at 白沙 seat, 白沙 seat +100 m and 大泽 seat; five cells of 60+ residents.

    Cells: 白沙 +0 (100 people, covered), +1,500 (50), +3,000 (50); 大泽 +0 (200, covered), +7,000 (100).
    """
    from coverage.region import load_default

    base = load_default()
    towns = base.towns.set_index("town_code")
    ux, uy = TO_UTM.transform(towns.at[URBAN, "seat_lon"], towns.at[URBAN, "seat_lat"])
    rx, ry = TO_UTM.transform(towns.at[RURAL, "seat_lon"], towns.at[RURAL, "seat_lat"])
    grid = pd.DataFrame({
        "cell_id": [1, 2, 3, 4, 5], "x": [ux, ux + 1500, ux + 3000, rx, rx + 7000], "y": [uy, uy, uy, ry, ry],
        "town_code": [URBAN] * 3 + [RURAL] * 2, "district_code": ["440703"] * 3 + ["440705"] * 2,
        "pop_total": [300, 150, 150, 600, 300], "pop_60plus": [100, 50, 50, 200, 100], "pop_0_17": [3, 1, 1, 6, 3],
    })  # fmt: skip
    stations = gpd.GeoDataFrame(
        {"facility_id": ["s1", "s3", "s2"], "name": ["一", "三", "二"], "town_code": [URBAN, URBAN, RURAL],
         "district_code": ["440703", "440703", "440705"]},
        geometry=gpd.points_from_xy([ux, ux + 100, rx], [uy, uy, ry]), crs="EPSG:32649",
    )  # fmt: skip
    return base.with_population(grid, provenance="uploaded").with_facilities("elder_care_station", stations)


@pytest.fixture(scope="module")
def points():
    units, report = read_communities(DATA / "points.csv")
    return units, report


def test_points_matched_by_code_name_or_location(points):
    units, report = points
    assert units["community_zh"].tolist() == ["白沙一社区", "白沙二社区", "大泽村", "大泽二村", "无名码村"]
    # code → its first 9 digits; name only → the named town; a code disagreeing with the name → the code's
    # town; neither → the location (with a warning)
    assert units["town_code"].tolist() == [URBAN, URBAN, RURAL, RURAL, RURAL]
    assert units["district_code"].tolist() == ["440703", "440703", "440705", "440705", "440705"]
    assert units["community_code"].tolist()[:2] == ["440703002001", "440703002002"]
    assert units["geometry_kind"].unique().tolist() == ["point"]
    assert report.rows_read == report.rows_imported == 5 and report.ok
    warned = {(w.row, w.column) for w in report.warnings}
    assert (5, "所属镇街") in warned  # 大泽二村: named 白沙街道, code says 大泽镇
    assert any(w.row == 6 and w.code == "import.communities.town_from_location" for w in report.warnings)  # 无名码村


def test_bad_rows_are_reported_with_row_and_column():
    with pytest.raises(DataImportError) as err:
        read_communities(DATA / "bad.csv")
    errors = {(e.row, e.column): e for e in err.value.report.errors}
    assert errors[(2, "代码")].code == "import.communities.bad_code"
    assert errors[(3, "名称")].message == "name is empty"
    assert errors[(3, "名称")].text("zh") == "名称为空"
    assert errors[(5, "代码")].message == "code 440703002001 already used on row 4"
    assert errors[(5, "代码")].text("zh") == "代码 440703002001 已在第 4 行使用"
    assert errors[(6, None)].message == "outside the Jiangmen city boundary"
    assert errors[(7, "代码")].values["prefix"] == "449999999"
    assert errors[(8, "经度")].code == "import.communities.bad_coordinate"
    assert len(errors) == 6


def test_point_coverage_within_the_standard(region, points):
    units, _ = points
    cov = community_coverage(region, "elder_care_station", units, STANDARDS)
    assert cov.status is CommunityStatus.OK
    # 白沙一 200 m from s3 (≤1,000), 白沙二 1,400 m (>1,000); 大泽村 2,000 (≤2,880), 大泽二村 5,000, 无名码村 100
    assert cov.communities["covered"].tolist() == [True, False, True, False, True]
    assert cov.communities["cost"].iloc[0] == pytest.approx(200, abs=0.1)
    assert set(cov.communities["rule"]) == {"within_standard"}
    assert cov.share == pytest.approx(0.6)
    t = cov.table.set_index(["level", "town_code"])
    assert t.loc[("town", URBAN), "share"] == pytest.approx(0.5)
    assert t.loc[("town", RURAL), ["communities", "communities_with"]].tolist() == [3, 2]
    d = cov.table[cov.table.level == "district"].set_index("district_code")
    assert d.at["440705", "share"] == pytest.approx(2 / 3) and d.at["440704", "communities"] == 0
    assert cov.cost_mode == "distance" and cov.standard["rural"].distance_m == 2880
    # counting only facilities opened by a year: none of these has an opening year, so all count
    assert community_coverage(region, "elder_care_station", units, STANDARDS, year=2021).share == pytest.approx(0.6)


def test_polygon_coverage_needs_a_facility_inside(region):
    units, report = read_communities(DATA / "polygons.geojson")
    assert units["geometry_kind"].tolist() == ["polygon"] * 3
    assert units["town_code"].tolist() == [URBAN, URBAN, RURAL]
    cov = community_coverage(region, "elder_care_station", units, STANDARDS)
    # 甲 holds s1 and s3; 乙 (centre 1,000 m east) is within 1 km of them but holds none; 丙 holds none
    assert cov.communities["facilities_inside"].tolist() == [2, 0, 0]
    assert cov.communities["covered"].tolist() == [True, False, False]
    assert set(cov.communities["rule"]) == {"inside"}
    assert cov.share == pytest.approx(1 / 3)


def test_circle_per_community(region, points):
    units, _ = points
    circle = community_circle(region, units, "elder_care_station", STANDARDS)
    c = circle.communities.set_index("community_zh")
    # cells go to the nearest community point of their town:
    # 白沙 +0 → 白沙一; +1,500 and +3,000 → 白沙二; 大泽 +0 → 无名码村 (100 m); +7,000 → 大泽二村
    assert c.loc["白沙一社区", ["served", "covered", "rate"]].tolist() == [100, 100, 1.0]
    assert c.loc["白沙二社区", ["served", "covered", "rate"]].tolist() == [100, 0, 0.0]
    assert c.at["大泽村", "served"] == 0 and math.isnan(c.at["大泽村", "rate"])
    assert c.loc["大泽二村", ["served", "rate"]].tolist() == [100, 0.0]
    assert c.loc["无名码村", ["served", "rate"]].tolist() == [200, 1.0]
    assert circle.unassigned_served == 0


def test_indicators(region, points):
    units, _ = points
    found = {i.indicator_id: i for i in community_indicators(region, units, 2025, STANDARDS)}
    day = found["community_day_care_coverage"]
    assert day.layer == "elder_care_station" and day.value == pytest.approx(0.6)
    assert (day.communities, day.communities_with) == (5, 3)
    if math.isnan(day.target):
        assert day.status is CommunityStatus.NO_TARGET and day.met is None
    else:
        assert day.status is CommunityStatus.OK and day.met is (0.6 >= day.target)
    vol = found["volunteer_point_coverage"]
    assert vol.status is CommunityStatus.NEEDS_FACILITY_LAYER and math.isnan(vol.value)
    assert vol.target == pytest.approx(0.80)  # plan_indicators.csv: 80 % by 2025
    assert community_indicators(region, units, 2023, STANDARDS)[1].target == pytest.approx(0.70)


def test_without_a_community_layer_every_figure_says_it_needs_one(region):
    cov = community_coverage(region, "elder_care_station", None)
    assert cov.status is CommunityStatus.NEEDS_COMMUNITY_LAYER and math.isnan(cov.share)
    assert cov.communities.empty and (cov.table["communities"] == 0).all()
    circle = community_circle(region, None)
    assert circle.status is CommunityStatus.NEEDS_COMMUNITY_LAYER and circle.communities.empty
    for ind in community_indicators(region, None):
        assert ind.status is CommunityStatus.NEEDS_COMMUNITY_LAYER
        assert math.isnan(ind.value) and ind.met is None


def test_gcj02_points_are_converted(tmp_path):
    from coverage.crs import wgs84_to_gcj02

    units, _ = read_communities(DATA / "points.csv")
    lon, lat = wgs84_to_gcj02(units.geometry.x.to_numpy(), units.geometry.y.to_numpy())
    frame = pd.DataFrame({"名称": units["community_zh"], "所属镇街": ["白沙街道"] * 2 + ["大泽镇"] * 3,
                          "经度": lon, "纬度": lat})  # fmt: skip
    path = tmp_path / "gcj.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    back, report = read_communities(path, crs="gcj02")
    np.testing.assert_allclose(back.geometry.x, units.geometry.x, atol=1e-6)
    np.testing.assert_allclose(back.geometry.y, units.geometry.y, atol=1e-6)
    assert any(n.code == "import.communities.datum_converted" and n.values["datum"] == "GCJ-02" for n in report.notes)


def test_xlsx_codes_written_as_numbers(tmp_path):
    """Excel stores a 12-digit code as a number: it still reads as the 12-digit string."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["村(社区)基本情况表"])  # a title row above the header
    ws.append(["名称", "代码", "经度", "纬度"])
    ws.append(["白沙一社区", 440703002001, 113.0755564, 22.5760323])
    path = tmp_path / "c.xlsx"
    wb.save(path)
    units, report = read_communities(path)
    assert units["community_code"].tolist() == ["440703002001"] and units["town_code"].tolist() == [URBAN]


def test_cli_community(tmp_path, monkeypatch, capsys):
    from coverage.cli import main

    monkeypatch.setenv("COVERAGE_WORKSPACE", str(tmp_path / "no-workspace"))
    assert main(["community"]) == 0
    assert "需要上传村(社区)图层" in capsys.readouterr().out
    out = tmp_path / "c.csv"
    assert main(["community", "--communities", str(DATA / "points.csv"), "--out", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr()
    assert "5 communities" in printed.out and "row 5, column 所属镇街" in printed.err
    frame = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert frame["community_zh"].tolist()[0] == "白沙一社区" and len(frame) == 5


def test_vector_units_projected_lines_and_an_empty_layer(tmp_path, region):
    from shapely.geometry import LineString, box

    towns = region.towns.set_index("town_code")
    ux, uy = TO_UTM.transform(towns.at[URBAN, "seat_lon"], towns.at[URBAN, "seat_lat"])
    units = gpd.GeoDataFrame({"名称": ["甲", "乙"], "代码": ["440703002201", "440703002202"]},
                             geometry=[box(ux - 300, uy - 300, ux + 300, uy + 300),
                                       LineString([(ux, uy), (ux + 10, uy)])], crs="EPSG:32649")  # fmt: skip
    bad = tmp_path / "lines.gpkg"
    units.to_file(bad)
    with pytest.raises(DataImportError) as err:
        read_communities(bad)
    assert [(e.row, e.code, e.values) for e in err.value.report.errors] == [
        (2, "import.communities.not_point_or_polygon", {"geom_type": "LineString"})]
    good = tmp_path / "square.gpkg"
    units.iloc[:1].to_file(good)
    read, report = read_communities(good)
    assert read.crs.to_epsg() == 4326 and read["geometry_kind"].tolist() == ["polygon"]
    assert "import.communities.projected" in [n.code for n in report.notes]
    no_stations = region.with_facilities("elder_care_station", region.facilities["elder_care_station"].iloc[0:0])
    for frame in (read, read_communities(DATA / "points.csv")[0]):
        cov = community_coverage(no_stations, "elder_care_station", frame, STANDARDS)
        assert cov.status is CommunityStatus.OK and cov.share == 0.0 and not cov.communities["covered"].any()


def test_an_invalid_community_polygon_is_refused_naming_its_row(tmp_path):
    """A bow-tie (its two lobes cancel: area 0) and a ring of collinear points would count facilities
    and people wrongly: each is an error naming its row and column, in both languages; a proper
    square in the same file reads."""
    import json

    import pytest as _pytest

    from coverage.io import DataImportError

    x, y = 113.075, 22.59
    shapes = {"蝴蝶结社区": [[x, y], [x + .01, y + .01], [x + .01, y], [x, y + .01], [x, y]],
              "共线社区": [[x, y], [x + .01, y], [x + .02, y], [x, y]],
              "正常社区": [[x, y], [x + .01, y], [x + .01, y + .01], [x, y + .01], [x, y]]}
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": n, "所属镇街": "白沙街道"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}} for n, ring in shapes.items()]}
    path = tmp_path / "communities.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with _pytest.raises(DataImportError) as exc:
        read_communities(path)
    errors = exc.value.report.errors
    assert [(e.code, e.row, e.column) for e in errors] == [
        ("import.communities.polygon_invalid", 1, "geometry"), ("import.communities.polygon_invalid", 2, "geometry")]
    assert "无效" in exc.value.text("zh") and "invalid polygon" in exc.value.text("en")
    doc["features"] = doc["features"][2:]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    units, _ = read_communities(path)
    assert list(units["community_zh"]) == ["正常社区"]
