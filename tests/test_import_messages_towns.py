"""Town-boundary and community imports report codes + values; the words come from the catalogue.

Every code of :mod:`coverage.i18n.imports_towns` is triggered here from a small real file (made in
``tmp_path``, or ``tests/data/communities``) and checked for its row, column and values; the catalogue
renders every key in both languages, the Chinese without stray English. Town types go through the one
mapping :data:`coverage.standards.TOWN_TYPE_AREA`.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import shutil
import string
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from coverage import crs, paths, settings
from coverage.crs import JIANGMEN_BBOX
from coverage.i18n import imports_towns, t
from coverage.io import DataImportError, read_towns
from coverage.io.towns import city_outline
from coverage.io.columns import TOWN_ALIASES
from coverage.io.communities import COMMUNITY_ALIASES, read_communities
from coverage.io.reference import OFFICIAL_TOWNS
from coverage.io.report import Issue
from test_import_support import BOX_A, BOX_B, CITY_BOX, jm, no_defaults, write_csv  # noqa: F401

HERE = Path(__file__).parent
COMMUNITIES = HERE / "data" / "communities"
SOURCES = [HERE.parent / "coverage" / "io" / "towns.py", HERE.parent / "coverage" / "io" / "communities.py"]
MESSAGES = imports_towns.MESSAGES


def _write(tmp_path: Path, name: str, data: dict, geoms: list, crs_: str | None = "EPSG:4326",
           driver: str = "GeoJSON") -> Path:
    path = tmp_path / name
    gpd.GeoDataFrame(data, geometry=geoms, crs=crs_).to_file(path, driver=driver)
    return path


def _zip_shapefile(tmp_path: Path, frame: gpd.GeoDataFrame, drop_prj: bool = False) -> Path:
    d = tmp_path / "shp"
    d.mkdir()
    frame.to_file(d / "t.shp")
    if drop_prj:
        (d / "t.prj").unlink(missing_ok=True)
    z = tmp_path / "t.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in d.iterdir():
            zf.write(f, f.name)
    return z


def _run(read, *args, **kwargs):
    """The report of a read, whether it succeeds or raises; every issue must survive a JSON round trip."""
    try:
        _, report = read(*args, **kwargs)
    except DataImportError as exc:
        report = exc.report
    for issue in report.issues:
        saved = json.loads(json.dumps(dataclasses.asdict(issue), ensure_ascii=False, allow_nan=False))
        assert Issue.from_dict(saved) == issue
    return report


def _only(report, code: str) -> Issue:
    found = [i for i in report.issues if i.code == code]
    assert len(found) == 1, (code, [(i.code, i.values) for i in report.issues])
    return found[0]


def _official(rows: list[tuple], **extra: list) -> pd.DataFrame:
    """A made-up official list: (town_code, town_zh, town_type, district_code, district_zh) rows."""
    frame = pd.DataFrame(rows, columns=["town_code", "town_zh", "town_type", "district_code", "district_zh"])
    for k, v in extra.items():
        frame[k] = v
    return frame


# ============================================================================ towns: the file


def test_file_level_errors(tmp_path, no_defaults):
    table = tmp_path / "t.csv"
    table.write_text("town_code\n440703002\n")
    issue = _only(_run(read_towns, table), "import.towns.not_vector")
    assert (issue.row, issue.column, issue.severity) == (None, None, "error")

    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    assert _only(_run(read_towns, empty), "import.towns.no_features").severity == "error"

    nocol = _write(tmp_path, "x.geojson", {"foo": [1]}, [box(*BOX_A)])
    issue = _only(_run(read_towns, nocol), "import.towns.no_code_or_name_column")
    assert issue.values == {"accepted": ", ".join(TOWN_ALIASES["code"] + TOWN_ALIASES["name"])}
    assert issue.text("zh").startswith("找不到镇街代码列或名称列（可用的列名：town_code, towncode, 代码")


def test_coordinate_notes_and_the_z_warning(tmp_path, no_defaults):
    z3 = Polygon([(x, y, 5.0) for x, y in box(*BOX_A).exterior.coords])
    report = _run(read_towns, _write(tmp_path, "z.geojson", {"town_code": ["440703002"]}, [z3]))
    issue = _only(report, "import.towns.z_dropped")
    assert (issue.severity, issue.column, issue.values) == ("warning", "geometry", {"n": 1})
    assert issue.text("zh") == "1 个要素带三维坐标：已舍去高程（Z）"

    utm = gpd.GeoDataFrame({"town_code": ["440703002"]}, geometry=[box(*BOX_A)], crs="EPSG:4326").to_crs(32649)
    gpkg = tmp_path / "utm.gpkg"
    utm.to_file(gpkg, driver="GPKG")
    issue = _only(_run(read_towns, gpkg), "import.towns.reprojected")
    assert (issue.severity, issue.values) == ("info", {"crs": "EPSG:32649"})
    assert issue.text("zh") == "已从 EPSG:32649 转换为 WGS-84"

    ring = shapely.get_coordinates(box(*BOX_A))
    for key, label, forward in (("gcj02", "GCJ-02", crs.wgs84_to_gcj02), ("bd09", "BD-09", crs.wgs84_to_bd09)):
        lon, lat = forward(ring[:, 0], ring[:, 1])
        path = _write(tmp_path, f"{key}.geojson", {"town_code": ["440703002"]}, [Polygon(zip(lon, lat))])
        issue = _only(_run(read_towns, path, crs=key), "import.towns.datum_converted")
        assert (issue.severity, issue.values) == ("info", {"datum": label})

    bare = gpd.GeoDataFrame({"town_code": ["440703002"]}, geometry=[box(*BOX_A)], crs=None)
    issue = _only(_run(read_towns, _zip_shapefile(tmp_path, bare, drop_prj=True)), "import.towns.no_crs")
    assert (issue.severity, issue.row, issue.column) == ("info", None, None)


def test_polygons_far_from_jiangmen(tmp_path, no_defaults):
    bx0, by0, bx1, by1 = JIANGMEN_BBOX
    path = _write(tmp_path, "far.geojson", {"town_code": ["440703002"]}, [box(10, 20, 11, 21.5)])
    issue = _only(_run(read_towns, path), "import.towns.far_from_jiangmen")
    assert (issue.column, issue.severity) == ("geometry", "error")
    assert issue.values == {"x0": "10", "x1": "11", "y0": "20", "y1": "21.5", "crs": "EPSG:4326",
                            "bx0": bx0, "bx1": bx1, "by0": by0, "by1": by1}
    assert issue.message.startswith("the polygons span 10 to 11 E, 20 to 21.5 N as longitude/latitude")
    assert "文件声明的坐标系为 EPSG:4326" in issue.text("zh")

    # UTM metres in a Shapefile without .prj: read as longitude/latitude, far off
    bare = gpd.GeoDataFrame({"town_code": ["440703002"]}, geometry=[box(500000, 2490000, 510000, 2500000)])
    issue = _only(_run(read_towns, _zip_shapefile(tmp_path, bare, drop_prj=True)),
                  "import.towns.far_from_jiangmen_no_crs")
    assert (issue.values["x0"], issue.values["y1"]) == ("500000", "2500000") and "crs" not in issue.values
    assert issue.message.endswith("the file declares no CRS (longitude/latitude assumed); "
                                  "is that its real coordinate system?")


# ============================================================================ towns: each feature


def test_feature_errors_name_row_and_column(tmp_path, no_defaults):
    bowtie = Polygon([(112.70, 22.20), (112.85, 22.30), (112.85, 22.20), (112.70, 22.30)])
    path = _write(
        tmp_path, "rows.geojson",
        {"名称": ["白沙街道", None, "白沙街道", "台城街道", "潮连街道", "环市街道"]},
        [box(*BOX_A), box(*BOX_B), box(*BOX_B), None, Point(113.05, 22.55), bowtie],
    )  # fmt: skip
    report = _run(read_towns, path)
    got = {(i.code, i.row, i.column, i.severity) for i in report.issues}
    assert got == {
        ("import.towns.no_name_or_code", 2, "名称", "error"),
        ("import.towns.duplicate_town", 3, "名称", "error"),
        ("import.towns.missing_geometry", 4, "geometry", "error"),
        ("import.towns.not_polygon", 5, "geometry", "error"),
        ("import.towns.polygon_repaired", 6, "geometry", "warning"),
    }
    dup = _only(report, "import.towns.duplicate_town")
    assert dup.values == {"town_code": "440703002", "name": "白沙街道", "first_row": 1}
    assert dup.text("zh") == "镇街 440703002（白沙街道）已由第 1 行给出"
    assert _only(report, "import.towns.not_polygon").values == {"geom_type": "Point"}
    assert _only(report, "import.towns.polygon_repaired").values["detail"].startswith("Self-intersection")
    assert report.failure_text("zh").splitlines()[0] == "无法导入 rows.geojson：4 处错误"


@pytest.mark.parametrize(
    "data, column, code, values",
    [
        ({"名称": ["不存在镇"]}, "名称", "import.towns.unmatched.unknown_name", {"value": "不存在镇", "n": 73}),
        ({"名称": [" 不存在 镇 "]}, "名称", "import.towns.unmatched.unknown_name", {"value": "不存在镇", "n": 73}),
        ({"代码": ["440703999"]}, "代码", "import.towns.unmatched.unknown_code", {"town_code": "440703999", "n": 73}),
        ({"名称": ["白沙"]}, "名称", "import.towns.unmatched.ambiguous",
         {"value": "白沙", "names": "白沙街道 (蓬江区), 白沙镇 (台山市)"}),
    ],
)
def test_unmatched_town_reasons(tmp_path, no_defaults, data, column, code, values):
    report = _run(read_towns, _write(tmp_path, "u.geojson", data, [box(*BOX_A)]))
    issue = _only(report, code)
    assert (issue.row, issue.column, issue.severity, issue.values) == (1, column, "error", values)
    assert issue.message.endswith("; row not matched to an official town")
    assert issue.text("zh").endswith("；该行未能对应任何官方镇街")


@pytest.mark.parametrize(
    "code_cell, code, values",
    [
        ("440703999", "import.towns.matched_by_other.unknown_code", {"town_code": "440703999", "n": 73}),
        ("不存在", "import.towns.matched_by_other.unknown_name", {"value": "不存在", "n": 73}),
        ("白沙", "import.towns.matched_by_other.ambiguous", {"value": "白沙", "names": "白沙街道 (蓬江区), 白沙镇 (台山市)"}),
    ],
)
def test_a_bad_code_cell_matched_by_the_name(tmp_path, no_defaults, code_cell, code, values):
    path = _write(tmp_path, "c.geojson", {"code": [code_cell], "name": ["白沙街道"]}, [box(*BOX_A)])
    gdf, report = read_towns(path)
    assert gdf["town_code"].tolist() == ["440703002"]
    issue = _only(report, code)
    assert (issue.row, issue.column, issue.severity, issue.values) == (1, "code", "warning", {**values, "other": "name"})
    assert issue.text("zh").endswith("；已改按“name”列匹配")


def test_a_name_naming_another_town_than_the_code_is_warned(tmp_path, no_defaults):
    path = _write(tmp_path, "n.geojson", {"town_code": ["440703002", "440781001"], "town_zh": ["台城街道", "台城"]},
                  [box(*BOX_A), box(*BOX_B)])
    gdf, report = read_towns(path)
    assert gdf["town_code"].tolist() == ["440703002", "440781001"]  # the code decides
    issue = _only(report, "import.towns.name_differs_from_code")
    assert (issue.row, issue.column, issue.severity) == (1, "town_zh", "warning")
    assert issue.values == {"named": "440781001 台城街道", "kept": "440703002 白沙街道"}
    assert issue.text("zh") == "名称对应 440781001 台城街道，代码对应 440703002 白沙街道：以代码为准"


# ============================================================================ towns: the polygons as a whole


def test_missing_official_towns_and_a_degenerate_polygon(tmp_path, no_defaults):
    gdf, report = read_towns(_write(tmp_path, "one.geojson", {"town_code": ["440703002"]}, [box(*BOX_A)]))
    issue = _only(report, "import.towns.missing_official")
    assert (issue.values["n"], issue.values["total"]) == (72, 73)
    assert issue.values["towns"].startswith("440703005 潮连街道, 440703006 环市街道, ")
    assert issue.text("zh").startswith("官方 73 个镇街中有 72 个不在文件中：440703005 潮连街道")

    tiny = box(113.0, 22.5, 113.0001, 22.5001)  # ~110 m²
    issue = _only(_run(read_towns, _write(tmp_path, "tiny.geojson", {"town_code": ["440703002"]}, [tiny])),
                  "import.towns.degenerate_polygon")
    assert (issue.row, issue.column) == (1, "geometry")
    assert issue.values["town"] == "440703002 白沙街道" and issue.values["setting"] == "settings.TOWN_MIN_AREA_M2"
    assert 100 < issue.values["area"] < 120 and issue.values["min_area"] == settings.TOWN_MIN_AREA_M2
    assert f"{settings.TOWN_MIN_AREA_M2:,.0f} m²" in issue.text("zh")


def test_a_town_covering_the_city_and_an_overlap(tmp_path, jm):
    whole = _write(tmp_path, "w.geojson", {"town_code": ["440703002", "440781001"]}, [box(*CITY_BOX), box(*BOX_B)])
    issue = _only(_run(read_towns, whole), "import.towns.covers_city")
    assert (issue.row, issue.column, issue.severity) == (1, "geometry", "error")
    assert issue.values["town"] == "440703002 白沙街道" and issue.values["share"] > settings.TOWN_MAX_CITY_SHARE
    assert issue.values["area_key"] == "import.tables.area.city_boundary"
    assert issue.message.startswith(f"town 440703002 白沙街道 covers {issue.values['share']:.0%} of the city "
                                    "(the Jiangmen city boundary): ")
    assert f"覆盖了全市（{t('import.tables.area.city_boundary', 'zh')}）的" in issue.text("zh")

    a0, b0, a1, b1 = BOX_B
    bigger = box(a0, b0, a1 + 0.05, b1)  # B's box grown east: B lies wholly inside it
    path = _write(tmp_path, "o.geojson", {"town_code": ["440781001", "440703002"]}, [box(*BOX_B), bigger])
    issue = _only(_run(read_towns, path), "import.towns.overlap")
    assert (issue.row, issue.column, issue.severity) == (2, "geometry", "warning")
    assert {k: issue.values[k] for k in ("town_a", "row_a", "town_b", "row_b")} == {
        "town_a": "440781001 台城街道", "row_a": 1, "town_b": "440703002 白沙街道", "row_b": 2}
    assert issue.values["share"] == pytest.approx(1.0, abs=1e-3)
    assert "（占较小者的 100%）" in issue.text("zh")


def test_seats_outside_their_polygons(tmp_path, jm):
    """The fixture's seats are the box centres: swapped polygons put each seat in the other town."""
    swapped = _write(tmp_path, "s.geojson", {"town_code": ["440703002", "440781001"]}, [box(*BOX_B), box(*BOX_A)])
    report = _run(read_towns, swapped)
    seats = [i for i in report.issues if i.code == "import.towns.seat_in_other"]
    assert [(i.row, i.severity, i.values) for i in seats] == [
        (1, "warning", {"town": "440703002 白沙街道", "holder": "440781001 台城街道"}),
        (2, "warning", {"town": "440781001 台城街道", "holder": "440703002 白沙街道"}),
    ]  # two towns checked: too few to call it shifted
    assert seats[0].text("zh") == "440703002 白沙街道 的官方驻地不在其多边形内（落在 440781001 台城街道 的多边形内）"

    elsewhere = _write(tmp_path, "e.geojson", {"town_code": ["440703002"]}, [box(112.3, 21.9, 112.4, 22.0)])
    issue = _only(_run(read_towns, elsewhere), "import.towns.seat_in_none")
    assert (issue.row, issue.severity, issue.values) == (1, "warning", {"town": "440703002 白沙街道"})


def test_seats_of_most_towns_outside_is_a_shift(tmp_path, no_defaults):
    boxes = [box(112.2 + 0.2 * k, 22.0, 112.3 + 0.2 * k, 22.1) for k in range(3)]
    official = _official(
        [("440703002", "白沙街道", "街道", "440703", "蓬江区"), ("440703005", "潮连街道", "街道", "440703", "蓬江区"),
         ("440703006", "环市街道", "街道", "440703", "蓬江区")],
        seat_lon=[b.centroid.x for b in boxes], seat_lat=[b.centroid.y for b in boxes],
    )  # fmt: skip
    path = _write(tmp_path, "r.geojson", {"town_code": ["440703002", "440703005", "440703006"]}, boxes[1:] + boxes[:1])
    report = _run(read_towns, path, official=official)
    assert [(i.row, i.severity) for i in report.issues if i.code == "import.towns.seat_in_other"] == [
        (1, "error"), (2, "error"), (3, "error")]
    issue = _only(report, "import.towns.seats_shifted")
    assert (issue.row, issue.values) == (None, {"n": 3, "checked": 3})
    assert issue.text("zh").startswith("3 个镇街中有 3 个的官方驻地落在自身多边形之外")


# ============================================================================ towns: town type → area type

TWO = [("440703002", "白沙街道", "街道", "440703", "蓬江区"), ("440781001", "台城街道", "街道", "440781", "台山市")]


def _typed(types: list, areas: list | None = None) -> pd.DataFrame:
    rows = [(c, n, typ, d, dz) for (c, n, _, d, dz), typ in zip(TWO, types)]
    return _official(rows) if areas is None else _official(rows, area_type=areas)


def _two_boxes(tmp_path) -> Path:
    return _write(tmp_path, "two.geojson", {"town_code": ["440703002", "440781001"]}, [box(*BOX_A), box(*BOX_B)])


def test_town_types_map_through_the_standards_table(tmp_path, no_defaults):
    """街道 → urban and 镇 → rural (coverage.standards.TOWN_TYPE_AREA), spaces and width variants removed."""
    for types in (["街 道", "\u3000镇 "], ["街道", "鎮"], ["街道办事处", "镇人民政府"], ["街道办", "镇"]):
        gdf, report = read_towns(_two_boxes(tmp_path), official=_typed(types))
        assert gdf["area_type"].tolist() == ["urban", "rural"]
        assert gdf["town_type"].tolist() == ["街道", "镇"]
        assert [i.code for i in report.issues if i.column == "town_type"] == []
    gdf, _ = read_towns(_two_boxes(tmp_path), official=_typed(["民族鄉", "蘇木"]))
    assert gdf["town_type"].tolist() == ["民族乡", "苏木"] and gdf["area_type"].tolist() == ["rural", "rural"]


def test_given_area_types_are_kept_and_only_the_missing_ones_filled(tmp_path, no_defaults):
    gdf, _ = read_towns(_two_boxes(tmp_path), official=_typed(["镇", "镇"], areas=["urban", None]))
    assert gdf["area_type"].tolist() == ["urban", "rural"]


def test_xiang_and_minzuxiang_count_as_zhen_with_a_note(tmp_path, no_defaults):
    gdf, report = read_towns(_two_boxes(tmp_path), official=_typed(["乡", "民族乡"]))
    assert gdf["area_type"].tolist() == ["rural", "rural"]
    assert gdf["town_type"].tolist() == ["乡", "民族乡"]
    notes = [i for i in report.notes if i.code == "import.towns.township_as_town"]
    assert [(i.column, i.values) for i in notes] == [
        ("town_type", {"town_type": "乡", "towns": "440703002 白沙街道"}),
        ("town_type", {"town_type": "民族乡", "towns": "440781001 台城街道"}),
    ]
    assert notes[0].text("zh") == "镇街类型“乡”按镇计（与镇同属乡级行政区，适用农村标准）：440703002 白沙街道"
    assert notes[0].message == ("town type 乡 counted as 镇 (a township-level unit like 镇: rural standards): "
                                "440703002 白沙街道")
    _, report = read_towns(_two_boxes(tmp_path), official=_typed(["乡", "乡 "]))
    assert [i.values["towns"] for i in report.notes if i.code == "import.towns.township_as_town"] == [
        "440703002 白沙街道, 440781001 台城街道"]  # one note per type


@pytest.mark.parametrize("bad", ["开发区", "管委会", "社区", "", None, "区公所", "农场"])
def test_any_other_town_type_is_an_error_naming_row_and_column(tmp_path, no_defaults, bad):
    report = _run(read_towns, _two_boxes(tmp_path), official=_typed(["街道", bad]))
    issue = _only(report, "import.towns.unknown_town_type")
    assert (issue.row, issue.column, issue.severity) == (2, "town_type", "error")
    assert issue.values == {"town": "440781001 台城街道", "town_type": bad or ""}
    assert not report.ok


def test_an_unknown_area_type_is_an_error(tmp_path, no_defaults):
    report = _run(read_towns, _two_boxes(tmp_path), official=_typed(["街道", "街道"], areas=["urban", "城区"]))
    issue = _only(report, "import.towns.unknown_area_type")
    assert (issue.row, issue.column, issue.values) == (2, "area_type", {"town": "440781001 台城街道", "area_type": "城区"})


def test_the_default_towns_keep_their_types():
    gdf, report = read_towns(paths.TOWNS_FILE)
    expected = {c: ("urban" if typ == "街道" else "rural") for c, _, typ, _, _ in OFFICIAL_TOWNS}
    assert dict(zip(gdf["town_code"], gdf["area_type"])) == expected and report.ok


# ============================================================================ communities


def test_community_file_errors(tmp_path):
    raster = tmp_path / "r.tif"
    shutil.copy(HERE / "data" / "hostile" / "pop_utm_1km.tif", raster)
    assert _only(_run(read_communities, raster), "import.communities.raster").row is None

    header = write_csv(tmp_path / "h.csv", [["名称", "经度", "纬度"]])
    assert _only(_run(read_communities, header), "import.communities.no_rows").severity == "error"

    report = _run(read_communities, write_csv(tmp_path / "c.csv", [["代码", "经度"], ["440703002001", 113.07]]))
    assert _only(report, "import.communities.no_lat_column").values == {
        "accepted": ", ".join(COMMUNITY_ALIASES["lat"][:5])}
    assert _only(report, "import.communities.no_name_column").values == {
        "accepted": ", ".join(COMMUNITY_ALIASES["name"][:6])}
    report = _run(read_communities, write_csv(tmp_path / "d.csv", [["名称", "纬度"], ["甲", 22.5]]))
    assert _only(report, "import.communities.no_lon_column").text("zh").startswith("找不到经度列（可用的列名：经度")

    unnamed = _write(tmp_path, "p.geojson", {"代码": ["440703002001"]}, [Point(113.07, 22.57)])
    assert _only(_run(read_communities, unnamed), "import.communities.no_name_attribute").values == {
        "accepted": ", ".join(COMMUNITY_ALIASES["name"][:6])}


def test_community_rows(tmp_path):
    report = _run(read_communities, COMMUNITIES / "bad.csv")
    got = {(i.code, i.row, i.column): dict(i.values) for i in report.issues if i.severity == "error"}
    assert got == {
        ("import.communities.bad_code", 2, "代码"): {"unit_code": "44070300200"},
        ("import.communities.empty_name", 3, "名称"): {},
        ("import.communities.duplicate_code", 5, "代码"): {"unit_code": "440703002001", "first_row": 4},
        ("import.communities.outside", 6, None): {"area_key": "import.tables.area.city_boundary"},
        ("import.communities.code_town_unknown", 7, "代码"): {"unit_code": "449999999001", "prefix": "449999999",
                                                              "n": 73},
        ("import.communities.bad_coordinate", 8, "经度"): {},
    }
    assert _only(report, "import.communities.bad_code").text("zh") == "代码“44070300200”不是 12 位统计用区划代码"
    assert _only(report, "import.communities.bad_code").message == "code '44070300200' is not a 12-digit statistical code"


@pytest.mark.parametrize("outline", ["city", "towns", "bbox"])
def test_the_outline_named_by_the_outside_checks(tmp_path, monkeypatch, outline):
    """Units outside the city name the outline the check used: the city boundary, else the union of the
    default towns, else the bounding box (with its corners)."""
    x0, y0, x1, y1 = JIANGMEN_BBOX
    if outline != "city":
        monkeypatch.setattr(paths, "CITY_FILE", tmp_path / "missing_city.geojson")
    if outline == "bbox":
        monkeypatch.setattr(paths, "TOWNS_FILE", tmp_path / "missing_towns.geojson")
    path = write_csv(tmp_path / "far.csv", [["名称", "所属镇街", "经度", "纬度"], ["甲", "白沙街道", 116.4, 39.9]])
    issue = _only(_run(read_communities, path), "import.communities.outside")
    key = {"city": "city_boundary", "towns": "town_boundaries", "bbox": "bbox"}[outline]
    assert issue.row == 2 and issue.values["area_key"] == f"import.tables.area.{key}"
    assert issue.message == {
        "city": "outside the Jiangmen city boundary",
        "towns": "outside the Jiangmen town boundaries",
        "bbox": f"outside the Jiangmen bounding box ({x0}-{x1} E, {y0}-{y1} N)",
    }[outline]
    bbox = {"west": x0, "east": x1, "south": y0, "north": y1}
    assert issue.text("zh") == f"位于{t(issue.values['area_key'], 'zh', **bbox)}之外"
    geom, name, corners = city_outline()  # the facility reader's view of the same outline
    assert name == outline and corners == ({"x0": x0, "x1": x1, "y0": y0, "y1": y1} if outline == "bbox" else {})


def test_community_towns_from_code_name_or_location():
    units, report = read_communities(COMMUNITIES / "points.csv")
    differs = _only(report, "import.communities.town_differs_from_code")
    assert (differs.row, differs.column, differs.values) == (5, "所属镇街", {"named": "440703002", "by_code": "440705101"})
    located = _only(report, "import.communities.town_from_location")
    assert (located.row, located.column, located.values) == (6, "所属镇街", {"town": "440705101"})
    assert located.text("zh") == "所属镇街按该单元的位置确定（440705101）"


@pytest.mark.parametrize(
    "town, code, values",
    [
        ("不存在镇", "unknown_name", {"value": "不存在镇", "n": 73}),
        ("白沙", "ambiguous", {"value": "白沙", "names": "白沙街道 (蓬江区), 白沙镇 (台山市)"}),
        ("440703999", "unknown_code", {"town_code": "440703999", "n": 73}),
    ],
)
def test_community_town_not_matched(tmp_path, town, code, values):
    """A town cell that matches nothing: the location decides (warning), else an error."""
    path = write_csv(tmp_path / "u.csv", [["名称", "所属镇街", "经度", "纬度"], ["甲", town, 113.0755564, 22.5760323]])
    issue = _only(_run(read_communities, path), f"import.communities.town_from_location.{code}")
    assert (issue.row, issue.column, issue.severity) == (2, "所属镇街", "warning")
    assert issue.values == {**values, "town": "440703002"}

    # only 大泽镇's polygon is given: a point in 白沙街道 lies in no town
    one = gpd.read_file(paths.TOWNS_FILE)
    one = one[one["town_code"].astype(str) == "440705101"]
    issue = _only(_run(read_communities, path, towns=one), f"import.communities.no_town.{code}")
    assert (issue.row, issue.column, issue.severity, issue.values) == (2, "所属镇街", "error", values)
    assert issue.text("zh").endswith("；其位置也不在任何镇街内")
    # with a code, the code's town is kept and the town cell that matched nothing is named
    coded = write_csv(tmp_path / "k.csv", [["名称", "代码", "所属镇街", "经度", "纬度"],
                                          ["甲", "440705101001", town, 113.0755564, 22.5760323]])
    units, report = read_communities(coded)
    assert units["town_code"].tolist() == ["440705101"]
    issue = _only(report, f"import.communities.code_town_kept.{code}")
    assert (issue.row, issue.column, issue.severity, issue.values) == (
        2, "所属镇街", "warning", {**values, "by_code": "440705101"})
    assert issue.text("zh").endswith("；以代码所属镇街（440705101）为准")
    blank = write_csv(tmp_path / "b.csv", [["名称", "经度", "纬度"], ["甲", 113.0755564, 22.5760323]])
    issue = _only(_run(read_communities, blank, towns=one), "import.communities.no_town")
    assert (issue.row, issue.column, issue.values) == (2, None, {})


def test_community_geometries_and_datums(tmp_path):
    units = _write(tmp_path, "v.geojson", {"名称": ["甲", "乙", "丙"]},
                   [Point(113.0755564, 22.5760323), None, LineString([(113.07, 22.57), (113.08, 22.57)])])
    report = _run(read_communities, units)
    assert _only(report, "import.communities.no_geometry").row == 2
    issue = _only(report, "import.communities.not_point_or_polygon")
    assert (issue.row, issue.values) == (3, {"geom_type": "LineString"})
    assert issue.text("zh") == "村（社区）应为点或多边形，而不是 LineString"

    utm = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[Point(113.0755564, 22.5760323)], crs="EPSG:4326").to_crs(32649)
    gpkg = tmp_path / "utm.gpkg"
    utm.to_file(gpkg, driver="GPKG")
    assert _only(_run(read_communities, gpkg), "import.communities.projected").severity == "info"

    table = COMMUNITIES / "points.csv"
    assert _only(_run(read_communities, table, crs="cgcs2000"), "import.communities.cgcs2000_as_wgs84").severity == "info"
    issue = _only(_run(read_communities, table, crs="bd09"), "import.communities.datum_converted")
    assert issue.values == {"n": 5, "datum": "BD-09"}
    assert issue.text("zh") == "5 个单元已从 BD-09 转换为 WGS-84"


# ============================================================================ the catalogue


def _dummy_values(template: str) -> dict[str, object]:
    """Values for every placeholder of ``template``: numbers where a number format asks, else 中文 text."""
    values: dict[str, object] = {}
    for _, name, spec, _ in string.Formatter().parse(template):
        if name:
            values[name] = 1234.5 if spec and spec[-1] in "f%gd," else "某值"
    return values


#: ASCII words a Chinese message may hold: CRS and format ids, units, and the file's own column codes.
ALLOWED = {"EPSG", "WGS", "GCJ", "CGCS2000", "GeoJSON", "GeoPackage", "Shapefile", "zip", "area_type", "urban",
           "rural", "settings", "MAX_TOWN_VERTICES", "MAX_TOWNS_VERTICES", "MAX_TOWN_REPAIR_CROSSINGS"}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_renders_in_both_languages(key):
    zh, en = MESSAGES[key]
    assert key.startswith(("import.towns.", "import.communities."))
    values = {**_dummy_values(zh), **_dummy_values(en)}
    assert set(_dummy_values(zh)) == set(_dummy_values(en)), "both languages take the same values"
    zh_text, en_text = t(key, "zh", **values), t(key, "en", **values)
    assert zh_text and en_text and zh_text != en_text
    stray = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9_]{2,}", zh_text) if w not in ALLOWED]
    assert stray == [], f"{key}: English words in the Chinese text: {stray}"
    assert re.search(r"[\u4e00-\u9fff]", zh_text)


#: Keys of the towns report written by another module (Region.with_towns: what the new towns leave out).
EMITTED_ELSEWHERE = {"import.towns.unassigned_cells", "import.towns.unassigned_facilities"}


OURS = ("import.towns.", "import.communities.")


def _codes_in_source() -> set[str]:
    """Our catalogue keys (or key prefixes of f-strings) written in the two readers."""
    found: set[str] = set()
    for src in SOURCES:
        tree = ast.parse(src.read_text(encoding="utf-8"))
        parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
        for node in ast.walk(tree):
            if id(node) in parts:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(OURS):
                found.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = node.values[0].value
                if isinstance(head, str) and head.startswith(OURS):
                    found.add(head + "*")
    return found


def test_every_code_the_readers_emit_is_in_the_catalogue_and_every_entry_is_used():
    used: set[str] = set()
    for code in _codes_in_source():
        if code.endswith("*"):  # an f-string: "import.towns.unmatched.{reason}" and the like
            keys = {k for k in MESSAGES if k.startswith(code[:-1])}
        else:
            keys = {k for k in MESSAGES if k == code or k.startswith(code + ".")}
        assert keys, f"{code} is not in coverage.i18n.imports_towns"
        used |= keys
    assert set(MESSAGES) - used == EMITTED_ELSEWHERE
