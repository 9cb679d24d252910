"""The facility importer's messages are catalogue codes (``import.facilities.*``) with values.

Every code of :mod:`coverage.i18n.imports_facilities` is triggered here from a small file
whose answer is known by construction (the two-town fixture of ``test_import_support``:
town A 113.00-113.10 E, 22.50-22.60 N; town B 112.70-112.85 E, 22.20-22.30 N; city
112.0-113.2 E, 21.5-22.8 N), with the row, column and values it must carry; each renders in
both languages and survives the workspace's JSON round trip. The Chinese entries are Chinese.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import string
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from coverage import crs, paths
from coverage.i18n import t
from coverage.i18n.imports_facilities import MESSAGES
from coverage.io import DataImportError, read_facilities
from coverage.io.columns import FACILITY_ALIASES
from coverage.io.report import ImportReport, Issue
from coverage.settings import MAX_BEDS_PER_FACILITY, MIN_OPENING_YEAR
from test_import_support import IN_A, IN_B, jm, no_defaults, write_csv  # noqa: F401

HOSTILE = Path(__file__).parent / "data" / "hostile"
BAD = Path(__file__).parent / "data" / "bad"
LAYER = "elder_care_institution"
NEXT_YEAR = datetime.date.today().year + 1
HEAD = ["名称", "经度", "纬度"]


def _csv(*rows: list[object], header: list[str] = HEAD) -> Callable[[Path], Path]:
    return lambda d: write_csv(d / "f.csv", [header, *rows])


def _geojson(*features: tuple[dict | None, dict], crs_name: str | None = None) -> Callable[[Path], Path]:
    """A GeoJSON of ``(geometry, properties)`` features written as text (nulls and Z kept)."""

    def build(d: Path) -> Path:
        doc: dict[str, Any] = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": props, "geometry": geom} for geom, props in features]}
        path = d / "f.geojson"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return path

    return build


def _pt(x: float, y: float, *z: float) -> dict:
    return {"type": "Point", "coordinates": [x, y, *z]}


def _gpkg(epsg: int) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        gdf = gpd.GeoDataFrame({"名称": ["甲站"]}, geometry=[Point(*IN_A)], crs="EPSG:4326").to_crs(epsg)
        gdf.to_file(d / "f.gpkg", driver="GPKG")
        return d / "f.gpkg"

    return build


def _shapefile_without_prj(d: Path) -> Path:
    shp = d / "shp"
    shp.mkdir()
    gpd.GeoDataFrame({"名称": ["甲站"]}, geometry=[Point(*IN_A)]).to_file(shp / "pts.shp", encoding="utf-8")
    with zipfile.ZipFile(d / "f.zip", "w") as zf:
        for f in shp.iterdir():
            if f.suffix != ".prj":
                zf.write(f, f.name)
    return d / "f.zip"


def _gcj02_geojson(d: Path) -> Path:
    table = pd.read_csv(BAD / "gcj02_declared_wgs84.csv")
    gdf = gpd.GeoDataFrame({"名称": table["名称"], "所属镇街": table["所属镇街"]},
                           geometry=gpd.points_from_xy(table["经度"], table["纬度"]), crs="EPSG:4326")
    gdf.to_file(d / "f.geojson", driver="GeoJSON")
    return d / "f.geojson"


@dataclass
class Case:
    """Reading ``build(tmp_path)`` with ``options`` records ``code`` at ``row``/``column`` with
    ``values`` (a subset of the issue's values; ``approx`` for floats measured on the way)."""

    code: str
    build: Callable[[Path], Path]
    row: int | None = None
    column: str | None = None
    values: dict = field(default_factory=dict)
    severity: str = "warning"
    options: dict = field(default_factory=dict)
    fixture: str = "jm"


BOUNDS = (112.0, 22.0, 113.0, 23.0)
CASES = [
    # ---------------------------------------------------------------- the file
    Case("import.facilities.raster_not_register", lambda d: HOSTILE / "pop_utm_1km.tif", severity="error"),
    Case("import.facilities.no_data_rows", _csv(), severity="error"),
    Case("import.facilities.no_name_column", _csv([113.05, 22.55, "x"], header=["经度", "纬度", "地址"]), row=1,
         values={"accepted": ", ".join(FACILITY_ALIASES["name"])}, severity="error"),
    Case("import.facilities.no_lon_column", _csv(["甲站", 22.55], header=["名称", "纬度"]), row=1,
         values={"accepted": ", ".join(FACILITY_ALIASES["lon"])}, severity="error"),
    Case("import.facilities.no_lat_column", _csv(["甲站", 113.05], header=["名称", "经度"]), row=1,
         values={"accepted": ", ".join(FACILITY_ALIASES["lat"])}, severity="error"),
    Case("import.facilities.columns_not_imported", _csv(["甲站", 113.05, 22.55, "3301234", "x"],
                                                        header=[*HEAD, "电话", "备注"]),
         values={"columns": "电话, 备注"}, severity="info"),
    # ---------------------------------------------------------------- coordinates
    Case("import.facilities.empty_coordinate", _csv(["甲站", 113.05, ""]), row=2, column="纬度", severity="error"),
    Case("import.facilities.not_a_number", _csv(["甲站", " abc ", 22.55]), row=2, column="经度",
         values={"value": "abc"}, severity="error"),
    Case("import.facilities.dms_read", _csv(["甲站", "113°3'0\"", 22.55], ["乙站", "112°46.8'", 22.25]),
         values={"n": 2, "header": "经度"}, severity="info"),
    Case("import.facilities.converted_datum", _csv(["甲站", *map(float, crs.wgs84_to_bd09(*IN_A))]),
         values={"n": 1, "datum": "BD-09"}, severity="info", options={"crs": "bd09"}),
    Case("import.facilities.cgcs2000_as_wgs84", _csv(["甲站", *IN_A]), severity="info", options={"crs": "cgcs2000"}),
    Case("import.facilities.swapped_columns", _csv(["甲站", 22.55, 113.05], ["乙站", 22.25, 112.78]), column="经度",
         values={"lon_col": "经度", "lat_col": "纬度", "n": 2}),
    Case("import.facilities.swapped_row", _csv(["甲站", *IN_A], ["乙站", 22.25, 112.78]), row=3, column="经度",
         values={"lon_col": "经度", "lat_col": "纬度", "lon": 22.25, "lat": 112.78}),
    Case("import.facilities.swapped_columns_geometry",
         _geojson((_pt(22.55, 113.05), {"名称": "甲站"}), (_pt(22.25, 112.78), {"名称": "乙站"})), column="geometry",
         values={"n": 2}),
    Case("import.facilities.swapped_row_geometry",
         _geojson((_pt(*IN_A), {"名称": "甲站"}), (_pt(22.25, 112.78), {"名称": "乙站"})), row=2, column="geometry",
         values={"lon": 22.25, "lat": 112.78}),
    Case("import.facilities.outside_city", _csv(["甲站", *IN_A], ["广州站", 113.26, 23.13]), row=3, column="经度/纬度",
         values={"lon": 113.26, "lat": 23.13}, severity="error"),
    Case("import.facilities.outside_towns", _csv(["甲站", 112.4, 22.0]), row=2, column="经度/纬度",
         values={"lon": 112.4, "lat": 22.0}, severity="error", fixture="jm_without_city"),
    Case("import.facilities.outside_bbox", _csv(["广州站", 113.26, 23.13]), row=2, column="经度/纬度",
         values={"lon": 113.26, "lat": 23.13, "x0": 111.9, "x1": 113.3, "y0": 21.4, "y1": 22.9},
         severity="error", fixture="no_defaults"),
    Case("import.facilities.outside_boundary", _csv(["台城站", *IN_B]), row=2, column="经度/纬度",
         values={"lon": IN_B[0], "lat": IN_B[1]}, severity="error", options={"bounds": box(113.0, 22.0, 113.5, 23.0)}),
    Case("import.facilities.outside_box", _csv(["边站", 113.203, 22.55]), row=2, column="经度/纬度",
         values={"lon": 113.203, "lat": 22.55, "x0": 112.0, "x1": 113.0, "y0": 22.0, "y1": 23.0},
         severity="error", options={"bounds": BOUNDS}),
    Case("import.facilities.looks_gcj02", lambda d: BAD / "gcj02_declared_wgs84.csv", column="经度/纬度",
         values={"fixed": 3, "named": 4, "broken": 0, "town_column": "所属镇街", "lon_col": "经度", "lat_col": "纬度"}),
    Case("import.facilities.looks_gcj02_geometry", _gcj02_geojson, column="geometry",
         values={"fixed": 3, "named": 4, "broken": 0, "town_column": "所属镇街", "header": "geometry"}),
    # ---------------------------------------------------------------- vector files
    Case("import.facilities.features_read", _geojson((_pt(*IN_A), {"名称": "甲站"}), (_pt(*IN_B), {"名称": "乙站"})),
         values={"n": 2}, severity="info"),
    Case("import.facilities.no_crs", _shapefile_without_prj, severity="info"),
    Case("import.facilities.reprojected", _gpkg(32649), values={"crs": "EPSG:32649"}, severity="info"),
    Case("import.facilities.geographic_as_wgs84", _gpkg(4490),
         values={"crs": "China Geodetic Coordinate System 2000"}, severity="info"),
    Case("import.facilities.missing_geometry", _geojson((_pt(*IN_A), {"名称": "甲站"}), (None, {"名称": "乙站"})),
         row=2, column="geometry", severity="error"),
    Case("import.facilities.geometry_from_columns",
         _geojson((_pt(*IN_A), {"名称": "甲站", "经度": None, "纬度": None}),
                  (None, {"名称": "乙站", "经度": IN_B[0], "纬度": IN_B[1]})),
         column="geometry", values={"n": 1, "lon_col": "经度", "lat_col": "纬度", "rows": "2"}, severity="info"),
    Case("import.facilities.multipoint_several",
         _geojson((_pt(*IN_A), {"名称": "甲站"}),
                  ({"type": "MultiPoint", "coordinates": [list(IN_A), list(IN_B)]}, {"名称": "乙站"})),
         row=2, column="geometry", values={"n": 2}, severity="error"),
    Case("import.facilities.multipoint_one", _geojson(({"type": "MultiPoint", "coordinates": [list(IN_A)]},
                                                        {"名称": "甲站"})),
         row=1, column="geometry", severity="info"),
    Case("import.facilities.has_z", _geojson((_pt(*IN_A, 12.0), {"名称": "甲站"}), (_pt(*IN_B), {"名称": "乙站"})),
         column="geometry", values={"n": 1}),
    Case("import.facilities.non_point",
         _geojson(({"type": "Polygon", "coordinates": [[[113.0, 22.5], [113.1, 22.5], [113.1, 22.6], [113.0, 22.5]]]},
                   {"名称": "甲站"})),
         column="geometry", values={"n": 1}),
    # ---------------------------------------------------------------- names and ids
    Case("import.facilities.empty_name", _csv(["甲站", *IN_A], ["", *IN_B]), row=3, column="名称", severity="error"),
    Case("import.facilities.duplicate", _csv(["甲站", *IN_A], ["甲站", IN_A[0], IN_A[1] + 0.00001]), row=3,
         column="名称", values={"first_row": 2, "name": "甲站", "distance": pytest.approx(1.1, abs=0.05)}),
    Case("import.facilities.duplicates", _csv(*[["甲站", *IN_A]] * 23), row=3, column="名称",
         values={"n": 22, "rows": ", ".join(map(str, range(3, 23))), "more": 2, "distance": 5.0}),
    Case("import.facilities.no_id_column", _csv(["甲站", *IN_A]), values={"layer": LAYER}, severity="info"),
    Case("import.facilities.empty_id", _csv(["", "甲站", *IN_A], header=["编号", *HEAD]), row=2, column="编号",
         values={"id": f"{LAYER}-r2"}),
    Case("import.facilities.duplicate_id", _csv(["7", "甲站", *IN_A], ["7", "乙站", *IN_B], header=["编号", *HEAD]),
         row=3, column="编号", values={"id": "7", "first_row": 2}, severity="error"),
    # ---------------------------------------------------------------- beds and years
    Case("import.facilities.not_whole_number", _csv(["甲院", *IN_A, "约100"], header=[*HEAD, "床位数"]), row=2,
         column="床位数", values={"value": "约100"}),
    Case("import.facilities.negative_count", _csv(["甲院", *IN_A, "-20"], header=[*HEAD, "床位数"]), row=2,
         column="床位数", values={"value": "-20"}),
    Case("import.facilities.too_large", _csv(["甲院", *IN_A, "1e19"], header=[*HEAD, "床位数"]), row=2,
         column="床位数", values={"value": "1e19"}),
    Case("import.facilities.implausible_year", _csv(["甲院", *IN_A, 1850], header=[*HEAD, "启用年份"]), row=2,
         column="启用年份", values={"year": 1850, "first": MIN_OPENING_YEAR, "last": NEXT_YEAR}),
    Case("import.facilities.too_many_beds", _csv(["甲院", *IN_A, 10**9], header=[*HEAD, "床位数"]), row=2,
         column="床位数", values={"beds": 10**9, "limit": MAX_BEDS_PER_FACILITY}),
    Case("import.facilities.nursing_over_beds", _csv(["甲院", *IN_A, 100, 120], header=[*HEAD, "床位数", "护理型床位数"]),
         row=2, column="护理型床位数", values={"nursing": 120, "beds": 100, "beds_column": "床位数"}),
    # ---------------------------------------------------------------- towns
    Case("import.facilities.town_unknown_name", _csv(["甲站", *IN_A, " 不存在镇"], header=[*HEAD, "所属镇街"]), row=2,
         column="所属镇街", values={"value": "不存在镇", "n": 2}),
    Case("import.facilities.town_unknown_code", _csv(["甲站", *IN_A, "440705101"], header=[*HEAD, "所属镇街"]), row=2,
         column="所属镇街", values={"town_code": "440705101", "n": 2}),
    Case("import.facilities.town_ambiguous", _csv(["甲站", *IN_A, "白沙"], header=[*HEAD, "所属镇街"]), row=2,
         column="所属镇街", values={"value": "白沙", "names": "白沙街道 (蓬江区), 白沙镇 (台山市)"},
         fixture="no_defaults"),
    Case("import.facilities.no_town_boundaries", _csv(["甲站", *IN_A]), fixture="no_defaults"),
    Case("import.facilities.no_town_polygon", _csv(["甲站", *IN_A], ["乙站", 112.5, 21.65]), row=3),
    Case("import.facilities.nearest_town", _csv(["甲站", *IN_A], ["乙站", 113.11, 22.55]),
         values={"n": 1, "max_gap_m": 2000.0, "rows": "3"}, severity="info"),
    Case("import.facilities.named_town_differs", _csv(["甲站", *IN_A, "台城街道"], ["乙站", *IN_B, "台城街道"],
                                                      header=[*HEAD, "所属镇街"]),
         values={"n": 1, "rows": "2"}, severity="info"),
    Case("import.facilities.district_unknown", _csv(["甲站", *IN_A, "火星区"], header=[*HEAD, "区县"]),
         row=2, column="区县", values={"district": "火星区"}),
    Case("import.facilities.district_differs", _csv(["甲站", *IN_A, "白沙街道", "台山市"], header=[*HEAD, "镇街", "区县"]),
         row=2, column="区县", values={"district": "台山市", "district_code": "440703"}),
]


@pytest.fixture
def jm_without_city(jm, monkeypatch):
    """The two-town fixture without the city outline: the towns are the city."""
    monkeypatch.setattr(paths, "CITY_FILE", jm / "missing_city.geojson")
    return jm


def _report(path: Path, **options: Any) -> ImportReport:
    try:
        return read_facilities(path, LAYER, **options)[1]
    except DataImportError as exc:
        return exc.report


def test_every_code_of_the_catalogue_has_a_case():
    assert sorted(c.code for c in CASES) == sorted(MESSAGES)


@pytest.mark.parametrize("case", CASES, ids=[c.code.rsplit(".", 1)[1] for c in CASES])
def test_code_row_column_and_values(case, request, tmp_path):
    request.getfixturevalue(case.fixture)
    report = _report(case.build(tmp_path), **case.options)
    found = [i for i in report.issues if i.code == case.code]
    assert len(found) == 1, [str(i) for i in report.issues]
    issue = found[0]
    assert (issue.row, issue.column, issue.severity) == (case.row, case.column, case.severity)
    assert {k: issue.values.get(k) for k in case.values} == case.values
    assert set(issue.values) == {f for _, f, _, _ in string.Formatter().parse(MESSAGES[case.code][1]) if f}
    # the workspace saves reports as JSON and reads them back: same words in both languages
    back = Issue.from_dict(json.loads(json.dumps(dataclasses.asdict(issue))))
    assert back == issue
    for lang in ("zh", "en"):
        assert back.describe(lang) == issue.describe(lang) == t(
            "import.where.issue", lang, where=issue.location(lang), message=t(case.code, lang, **issue.values))
    assert issue.text("zh") != issue.text("en")


def test_a_failed_import_reads_in_chinese(jm):
    path = Path(__file__).parent / "data" / "import" / "text_in_lon.csv"
    with pytest.raises(DataImportError) as exc:
        read_facilities(path, "elder_care_station")
    assert str(exc.value) == exc.value.text("en")
    assert exc.value.text("zh") == "无法导入 text_in_lon.csv：1 处错误\n  text_in_lon.csv，第 3 行，列 经度：“一百一十三”不是数字"


def test_report_table_in_chinese_keeps_the_codes(tmp_path, jm):
    rows = [["名称", "经度", "纬度", "床位数"], ["甲院", 22.55, 113.05, "约100"], ["乙院", 22.25, 112.78, 30]]
    _, report = read_facilities(write_csv(tmp_path / "b.csv", rows), LAYER)
    frame = report.to_frame("zh")
    warned = frame[frame.severity == "warning"]
    assert warned["code"].tolist() == ["import.facilities.swapped_columns", "import.facilities.not_whole_number"]
    assert warned["message"].tolist() == [
        "经度 列与 纬度 列填反了（经度 列是纬度，纬度 列是经度）；已将全部 2 行换回",
        "“约100”不是整数；留空",
    ]


# Technical tokens the Chinese entries may keep: CRS and datum names, formats, the option
# names a planner types (--crs gcj02, crs='gcj02') and the result's column names.
ALLOWED = {"EPSG", "WGS", "GCJ", "CGCS", "CSV", "XLSX", "UTF", "GBK", "crs", "gcj", "facility_id",
           "town_code", "district_code"}


def _dummy_values(text: str) -> dict[str, Any]:
    """A value for every placeholder of ``text`` that fits its format spec (numbers print no letters)."""
    return {name: 7 for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_entry_renders_in_both_languages_and_the_chinese_is_chinese(key):
    zh, en = MESSAGES[key]
    assert key.startswith("import.facilities.")
    assert {f for _, f, _, _ in string.Formatter().parse(zh) if f} == {
        f for _, f, _, _ in string.Formatter().parse(en) if f}
    values = _dummy_values(en)
    text_zh, text_en = t(key, "zh", **values), t(key, "en", **values)
    assert text_zh and text_en and text_zh != text_en
    assert re.search(r"[\u4e00-\u9fff]", text_zh)
    words = set(re.findall(r"[A-Za-z_]{3,}", text_zh)) - ALLOWED
    assert not words, f"{key}: English words in the Chinese text: {sorted(words)}"
