"""read_facilities: encodings, header aliases, title rows, formats, validation messages."""

from __future__ import annotations

import datetime
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from coverage import crs
from coverage.io import FACILITY_COLUMNS, DataImportError, read_facilities
from coverage.io.columns import FACILITY_ALIASES, match_columns
from coverage.io.facilities import FACILITY_EXTRA_COLUMNS
from test_import_support import DATA, IN_A, IN_B, jm, no_defaults, write_csv, write_xlsx  # noqa: F401

NEXT_YEAR = datetime.date.today().year + 1

HEADER = ["名称", "经度", "纬度", "类型", "地址"]


def _messages(report, severity=None):
    return [str(i) for i in report.issues if severity is None or i.severity == severity]


# ----------------------------------------------------------------------------- encodings


def test_gbk_csv_with_chinese_headers(jm):
    gdf, report = read_facilities(DATA / "canteens_gbk.csv", "elder_canteen")
    assert list(gdf.columns) == [*FACILITY_COLUMNS, *FACILITY_EXTRA_COLUMNS, "geometry"]
    assert gdf.crs == "EPSG:4326"
    assert gdf["name"].tolist() == ["白沙长者饭堂", "台城长者饭堂"]
    assert gdf["address"].tolist() == ["蓬江区白沙街道xx路1号", "台山市台城街道yy路2号"]
    assert gdf["type"].tolist() == ["长者饭堂", "长者饭堂"]
    assert [(p.x, p.y) for p in gdf.geometry] == [IN_A, IN_B]
    assert gdf["town_code"].tolist() == ["440703002", "440781001"]
    assert gdf["district_code"].tolist() == ["440703", "440781"]
    assert set(gdf["source"]) == {"uploaded"} and set(gdf["layer"]) == {"elder_canteen"}
    assert gdf["facility_id"].tolist() == ["elder_canteen-r2", "elder_canteen-r3"]
    assert (report.rows_read, report.rows_imported, report.ok) == (2, 2, True)
    assert "canteens_gbk.csv: read as CSV, encoding gb18030" in _messages(report, "info")
    assert report.warnings == []


def test_utf8_bom_csv_english_headers_any_case(tmp_path, jm):
    path = write_csv(
        tmp_path / "bom.csv",
        [[" Name ", "LNG", "Latitude", "BEDS", "Opening_Year", "ID"], ["A站", 113.05, 22.55, 30, 2019, "E-1"]],
        encoding="utf-8-sig",
    )
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    gdf, report = read_facilities(path, "elder_care_institution")
    assert gdf["name"].tolist() == ["A站"]
    assert gdf["facility_id"].tolist() == ["E-1"]
    assert gdf["beds"].tolist() == [30] and gdf["opening_year"].tolist() == [2019]
    assert str(gdf["beds"].dtype) == "Int64"
    assert "bom.csv: read as CSV, encoding utf-8-bom" in _messages(report)


def test_gb18030_semicolon_csv(tmp_path, jm):
    path = tmp_path / "semi.csv"
    path.write_bytes("名称;经度;纬度\n𠀀站;113.05;22.55\n".encode("gb18030"))
    gdf, _ = read_facilities(path, "elder_canteen")
    assert gdf["name"].tolist() == ["𠀀站"]


# ----------------------------------------------------------------------------- xlsx


def test_xlsx_with_title_row(tmp_path, jm):
    rows = [HEADER, ["甲站", 113.05, 22.55, "站点", "地址1"], ["乙站", 112.78, 22.25, "站点", None]]
    path = write_xlsx(tmp_path / "list.xlsx", rows, title="江门市居家养老服务站点名单（2023年）")
    gdf, report = read_facilities(path, "elder_care_station")
    assert gdf["name"].tolist() == ["甲站", "乙站"]
    assert gdf["address"].tolist() == ["地址1", None]
    assert gdf["facility_id"].tolist() == ["elder_care_station-r3", "elder_care_station-r4"]
    assert "list.xlsx: header found on row 2; 1 title row(s) above it skipped" in _messages(report)


def test_xlsx_row_numbers_count_title_and_header(tmp_path, jm):
    rows = [HEADER, ["甲站", 113.05, 22.55, None, None], ["乙站", "abc", 22.25, None, None]]
    path = write_xlsx(tmp_path / "list.xlsx", rows, title="名单")
    with pytest.raises(DataImportError) as exc:
        read_facilities(path, "elder_care_station")
    assert str(exc.value) == "cannot import list.xlsx: 1 error\n  list.xlsx, row 4, column 经度: 'abc' is not a number"


def test_xlsx_interior_blank_row_is_noted_not_lost(tmp_path, jm):
    rows = [HEADER, ["甲站", 113.05, 22.55, None, None], [None] * 5, ["乙站", 112.78, 22.25, None, None]]
    gdf, report = read_facilities(write_xlsx(tmp_path / "gap.xlsx", rows), "elder_canteen")
    assert gdf["facility_id"].tolist() == ["elder_canteen-r2", "elder_canteen-r4"]
    assert "gap.xlsx, row 3: empty row skipped" in _messages(report, "info")


# ----------------------------------------------------------------------------- bad rows


def test_text_value_in_longitude_exact_message(jm):
    with pytest.raises(DataImportError) as exc:
        read_facilities(DATA / "text_in_lon.csv", "elder_care_station")
    assert str(exc.value) == (
        "cannot import text_in_lon.csv: 1 error\n"
        "  text_in_lon.csv, row 3, column 经度: '一百一十三' is not a number"
    )
    err = exc.value.report.errors[0]
    assert (err.file, err.row, err.column) == ("text_in_lon.csv", 3, "经度")
    assert isinstance(exc.value, ValueError)


def test_point_in_guangzhou_is_outside_jiangmen(jm):
    with pytest.raises(DataImportError) as exc:
        read_facilities(DATA / "guangzhou_point.csv", "elder_canteen")
    assert str(exc.value) == (
        "cannot import guangzhou_point.csv: 1 error\n"
        "  guangzhou_point.csv, row 3, column 经度/纬度: point (113.26, 23.13) is outside Jiangmen "
        "(the Jiangmen city boundary)"
    )
    assert exc.value.text("zh") == (
        "无法导入 guangzhou_point.csv：1 处错误\n"
        "  guangzhou_point.csv，第 3 行，列 经度/纬度：点 (113.26, 23.13) 不在江门市范围内（江门市市界）"
    )


def test_outside_uses_bbox_without_default_files(no_defaults):
    with pytest.raises(DataImportError, match=r"row 3, column 经度/纬度: point \(113\.26, 23\.13\) is outside "
                       r"Jiangmen \(the Jiangmen bounding box \(111\.9-113\.3 E, 21\.4-22\.9 N\)\)"):
        read_facilities(DATA / "guangzhou_point.csv", "elder_canteen")


def test_outside_tolerance_and_explicit_bounds(tmp_path, jm):
    # 113.203 E is ~310 m east of the city box edge (113.2): inside the 500 m tolerance, outside with 100 m.
    path = write_csv(tmp_path / "edge.csv", [["名称", "经度", "纬度"], ["边站", 113.203, 22.55]])
    read_facilities(path, "elder_canteen")
    with pytest.raises(DataImportError, match="row 2"):
        read_facilities(path, "elder_canteen", tolerance_m=100)
    with pytest.raises(DataImportError, match=r"outside Jiangmen \(the box 112.0-113.0 E"):
        read_facilities(path, "elder_canteen", bounds=(112.0, 22.0, 113.0, 23.0))
    read_facilities(path, "elder_canteen", bounds=box(113.0, 22.0, 113.5, 23.0))


def test_empty_coordinate_and_every_error_listed_in_row_order(tmp_path, jm):
    rows = [
        HEADER,
        ["甲站", 113.05, "", None, None],  # row 2: empty latitude
        ["", 113.05, 22.55, None, None],  # row 3: empty name
        ["丙站", "x", "y", None, None],  # row 4: both non-numeric
        ["丁站", 113.26, 23.13, None, None],  # row 5: Guangzhou
        ["戊站", 113.06, 22.56, None, None],  # row 6: fine
    ]
    with pytest.raises(DataImportError) as exc:
        read_facilities(write_csv(tmp_path / "many.csv", rows), "elder_canteen")
    lines = str(exc.value).splitlines()
    assert lines == [
        "cannot import many.csv: 5 errors",
        "  many.csv, row 2, column 纬度: empty coordinate",
        "  many.csv, row 3, column 名称: empty name",
        "  many.csv, row 4, column 经度: 'x' is not a number",
        "  many.csv, row 4, column 纬度: 'y' is not a number",
        "  many.csv, row 5, column 经度/纬度: point (113.26, 23.13) is outside Jiangmen (the Jiangmen city boundary)",
    ]
    frame = exc.value.report.to_frame()
    assert list(frame.columns) == ["file", "row", "column", "severity", "message", "code"]
    assert sorted(frame.loc[frame.severity == "error", "row"].tolist()) == [2, 3, 4, 4, 5]
    assert str(frame["row"].dtype) == "Int64"


def test_missing_name_column_is_an_error(tmp_path, jm):
    path = write_csv(tmp_path / "noname.csv", [["经度", "纬度", "地址"], [113.05, 22.55, "x"]])
    with pytest.raises(DataImportError) as exc:
        read_facilities(path, "elder_canteen")
    assert str(exc.value).startswith("cannot import noname.csv: 1 error\n  noname.csv, row 1: no name column (accepted: 名称")


def test_no_header_row_found(tmp_path, jm):
    path = write_csv(tmp_path / "junk.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(DataImportError, match="junk.csv: no header row found in the first 30 rows"):
        read_facilities(path, "elder_canteen")


def test_duplicate_ids_are_errors(tmp_path, jm):
    rows = [["编号", "名称", "经度", "纬度"], ["7", "甲", 113.05, 22.55], ["7", "乙", 113.06, 22.56]]
    with pytest.raises(DataImportError, match=r"dupid.csv, row 3, column 编号: id '7' already used on row 2"):
        read_facilities(write_csv(tmp_path / "dupid.csv", rows), "elder_canteen")


# ----------------------------------------------------------------------------- warnings


def test_swapped_columns_fixed_with_warning(tmp_path, jm):
    rows = [HEADER, ["甲站", 22.55, 113.05, None, None], ["乙站", 22.25, 112.78, None, None]]
    gdf, report = read_facilities(write_csv(tmp_path / "swap.csv", rows), "elder_canteen")
    assert [(p.x, p.y) for p in gdf.geometry] == [IN_A, IN_B]
    assert _messages(report, "warning") == [
        "swap.csv, column 经度: columns 经度 and 纬度 are swapped (经度 holds latitudes, 纬度 longitudes); "
        "swapped back for all 2 rows"
    ]
    assert [w.describe("zh") for w in report.warnings] == [
        "swap.csv，列 经度：经度 列与 纬度 列填反了（经度 列是纬度，纬度 列是经度）；已将全部 2 行换回"
    ]


def test_single_swapped_row_fixed_with_row_warning(tmp_path, jm):
    rows = [HEADER, ["甲站", 113.05, 22.55, None, None], ["乙站", 22.25, 112.78, None, None]]
    gdf, report = read_facilities(write_csv(tmp_path / "swap1.csv", rows), "elder_canteen")
    assert [(p.x, p.y) for p in gdf.geometry] == [IN_A, IN_B]
    assert _messages(report, "warning") == [
        "swap1.csv, row 3, column 经度: 经度=22.25 and 纬度=112.78 look swapped; swapped back"
    ]


def test_duplicates_kept_and_flagged(tmp_path, jm):
    rows = [
        HEADER,
        ["甲站", 113.05, 22.55, None, None],
        ["乙站", 113.05, 22.55, None, None],  # same place, other name: not a duplicate
        ["甲站", 113.05, 22.55001, None, None],  # ~1.1 m north of row 2: duplicate
        ["甲站", 113.05, 22.5501, None, None],  # ~11 m north: a different station
    ]
    gdf, report = read_facilities(write_csv(tmp_path / "dup.csv", rows), "elder_canteen")
    assert len(gdf) == 4 and report.rows_imported == report.rows_read == 4
    assert _messages(report, "warning") == [
        "dup.csv, row 4, column 名称: duplicate of row 2 (same name '甲站', 1.1 m apart); kept"
    ]


def test_bad_integer_cells_become_empty_with_warnings(tmp_path, jm):
    rows = [
        ["名称", "经度", "纬度", "床位数", "护理型床位数", "启用年份"],
        ["甲院", 113.05, 22.55, "120", 80.0, "2015"],
        ["乙院", 113.06, 22.56, "约100", "", "1850"],
    ]
    gdf, report = read_facilities(write_csv(tmp_path / "beds.csv", rows), "elder_care_institution")
    assert gdf["beds"].tolist()[0] == 120 and pd.isna(gdf["beds"].iloc[1])
    assert gdf["nursing_beds"].tolist()[0] == 80 and pd.isna(gdf["nursing_beds"].iloc[1])
    assert gdf["opening_year"].tolist()[0] == 2015 and pd.isna(gdf["opening_year"].iloc[1])
    assert _messages(report, "warning") == [
        "beds.csv, row 3, column 床位数: '约100' is not a whole number; left empty",
        f"beds.csv, row 3, column 启用年份: 1850 is not a plausible opening year (1949-{NEXT_YEAR}); left empty",
    ]
    assert [w.text("zh") for w in report.warnings] == [
        "“约100”不是整数；留空",
        f"1850 不是合理的启用年份（1949-{NEXT_YEAR}）；留空",
    ]


# ----------------------------------------------------------------------------- towns


def test_named_town_wins_over_location_and_stem_matching(tmp_path, jm):
    rows = [
        ["名称", "经度", "纬度", "所属镇街", "区县"],
        ["甲站", 113.05, 22.55, "台城", "台山市"],  # named town B, located in A
        ["乙站", 113.05, 22.55, "不存在镇", None],
        ["丙站", 113.05, 22.55, "440781001000", None],  # 12-digit NBS code
        ["丁站", 113.05, 22.55, None, None],
    ]
    gdf, report = read_facilities(write_csv(tmp_path / "towns.csv", rows), "elder_canteen")
    assert gdf["town_code"].tolist() == ["440781001", "440703002", "440781001", "440703002"]
    assert gdf["district_code"].tolist() == ["440781", "440703", "440781", "440703"]
    assert _messages(report, "warning") == [
        "towns.csv, row 3, column 所属镇街: '不存在镇' is not one of Jiangmen's 2 towns/streets; "
        "town taken from the point's location"
    ]
    assert ("towns.csv: 2 rows name a town other than the polygon containing the point "
            "(the named town is kept): rows 2, 4") in _messages(report, "info")
    assert "2 行写明的镇街与点位所在的镇街不同（保留写明的镇街）：第 2, 4 行" in [n.text("zh") for n in report.notes]
    assert [w.text("zh") for w in report.warnings] == ["“不存在镇”不是江门 2 个镇街之一；所属镇街按点位确定"]


def test_ambiguous_town_stem_needs_district(no_defaults, tmp_path):
    # Official list: 白沙街道 (蓬江区) and 白沙镇 (台山市) share the stem 白沙.
    rows = [["名称", "经度", "纬度", "镇街", "区县"], ["甲", 113.05, 22.55, "白沙", "台山"], ["乙", 113.05, 22.55, "白沙", None]]
    gdf, report = read_facilities(write_csv(tmp_path / "amb.csv", rows), "elder_canteen")
    assert gdf["town_code"].tolist()[0] == "440781103"
    assert gdf["town_code"].tolist()[1] is None
    assert ("amb.csv, row 3, column 镇街: '白沙' is ambiguous (白沙街道 (蓬江区), 白沙镇 (台山市)); add the district; "
            "town taken from the point's location") in _messages(report, "warning")
    assert any("no town boundaries available" in m for m in _messages(report, "warning"))


def test_explicit_towns_argument(tmp_path, jm):
    towns = gpd.GeoDataFrame({"town_code": ["440785001"], "district_code": ["440785"]},
                             geometry=[box(113.0, 22.5, 113.1, 22.6)], crs="EPSG:4326")
    path = write_csv(tmp_path / "t.csv", [["名称", "经度", "纬度"], ["甲", 113.05, 22.55]])
    gdf, _ = read_facilities(path, "elder_canteen", towns=towns)
    assert gdf["town_code"].tolist() == ["440785001"] and gdf["district_code"].tolist() == ["440785"]


# ----------------------------------------------------------------------------- datums


def test_gcj02_declared_file_is_converted(tmp_path, jm):
    wgs = np.array([IN_A, IN_B])
    g_lon, g_lat = crs.wgs84_to_gcj02(wgs[:, 0], wgs[:, 1])
    rows = [["名称", "经度", "纬度"]] + [[f"站{i}", f"{g_lon[i]:.9f}", f"{g_lat[i]:.9f}"] for i in range(2)]
    gdf, report = read_facilities(write_csv(tmp_path / "gcj.csv", rows), "elder_canteen", crs="gcj02")
    exp_lon, exp_lat = crs.gcj02_to_wgs84(np.round(g_lon, 9), np.round(g_lat, 9))
    assert np.allclose(gdf.geometry.x, exp_lon, atol=1e-12) and np.allclose(gdf.geometry.y, exp_lat, atol=1e-12)
    assert np.allclose(gdf.geometry.x, wgs[:, 0], atol=1e-8) and np.allclose(gdf.geometry.y, wgs[:, 1], atol=1e-8)
    assert "gcj.csv: 2 points converted from GCJ-02 to WGS-84" in _messages(report, "info")


def test_bd09_declared_file_is_converted(tmp_path, jm):
    b_lon, b_lat = crs.wgs84_to_bd09(*IN_A)
    rows = [["名称", "经度", "纬度"], ["站", float(b_lon), float(b_lat)]]
    gdf, _ = read_facilities(write_csv(tmp_path / "bd.csv", rows), "elder_canteen", crs="bd09")
    assert gdf.geometry.x.iloc[0] == pytest.approx(IN_A[0], abs=1e-6)
    assert gdf.geometry.y.iloc[0] == pytest.approx(IN_A[1], abs=1e-6)


# ----------------------------------------------------------------------------- vector formats


def _points(names, xy, crs_="EPSG:4326"):
    return gpd.GeoDataFrame({"名称": names, "床位数": [10, 20][: len(names)]},
                            geometry=[Point(x, y) for x, y in xy], crs="EPSG:4326").to_crs(crs_)


def test_zipped_shapefile(tmp_path, jm):
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    _points(["甲站", "乙站"], [IN_A, IN_B]).to_file(shp_dir / "stations.shp", encoding="utf-8")
    zpath = tmp_path / "stations.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, f.name)
    gdf, report = read_facilities(zpath, "elder_care_station")
    assert gdf["name"].tolist() == ["甲站", "乙站"]
    assert gdf["beds"].tolist() == [10, 20]
    assert np.allclose(gdf.geometry.x, [IN_A[0], IN_B[0]]) and np.allclose(gdf.geometry.y, [IN_A[1], IN_B[1]])
    assert gdf["town_code"].tolist() == ["440703002", "440781001"]
    assert report.rows_imported == 2


def test_geopackage_in_utm_is_reprojected(tmp_path, jm):
    path = tmp_path / "stations.gpkg"
    _points(["甲站", "乙站"], [IN_A, IN_B], crs_="EPSG:32649").to_file(path, driver="GPKG")
    gdf, report = read_facilities(path, "elder_care_station")
    assert np.allclose(gdf.geometry.x, [IN_A[0], IN_B[0]], atol=1e-9)
    assert np.allclose(gdf.geometry.y, [IN_A[1], IN_B[1]], atol=1e-9)
    assert any("reprojected from EPSG:32649" in m for m in _messages(report, "info"))


def test_geojson_missing_geometry_and_outside_feature(tmp_path, jm):
    gdf = gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=[Point(*IN_A), None, Point(113.26, 23.13)], crs="EPSG:4326")
    path = tmp_path / "pts.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.raises(DataImportError) as exc:
        read_facilities(path, "elder_canteen")
    assert str(exc.value).splitlines()[1:] == [
        "  pts.geojson, row 2, column geometry: missing geometry",
        "  pts.geojson, row 3, column geometry: point (113.26, 23.13) is outside Jiangmen (the Jiangmen city boundary)",
    ]


# ----------------------------------------------------------------------------- file level


def test_size_limit(jm):
    with pytest.raises(DataImportError, match=r"canteens_gbk.csv: file is 0.000139 MB, over the 1e-05 MB import limit"):
        read_facilities(DATA / "canteens_gbk.csv", "elder_canteen", max_mb=1e-5)


def test_file_type_and_argument_errors(tmp_path, jm):
    (tmp_path / "old.xls").write_bytes(b"x")
    with pytest.raises(DataImportError, match="old Excel .xls files are not supported"):
        read_facilities(tmp_path / "old.xls", "elder_canteen")
    (tmp_path / "a.docx").write_bytes(b"x")
    with pytest.raises(DataImportError, match="unsupported file type '.docx'"):
        read_facilities(tmp_path / "a.docx", "elder_canteen")
    with pytest.raises(DataImportError, match="no such file"):
        read_facilities(tmp_path / "nope.csv", "elder_canteen")
    with pytest.raises(ValueError, match="unknown layer 'canteen'"):
        read_facilities(DATA / "canteens_gbk.csv", "canteen")
    with pytest.raises(ValueError, match="unknown coordinate system 'utm'"):
        read_facilities(DATA / "canteens_gbk.csv", "elder_canteen", crs="utm")


def test_header_aliases_case_width_and_units():
    found = match_columns(["ＮＡＭＥ", "经度(°)", " Lat ", "床位数（张）", "护理型床位数"], FACILITY_ALIASES)
    assert found == {"name": "ＮＡＭＥ", "lon": "经度(°)", "lat": " Lat ", "beds": "床位数（张）",
                     "nursing_beds": "护理型床位数"}


def test_undecodable_and_corrupt_files(tmp_path, jm):
    bad = tmp_path / "bin.csv"
    bad.write_bytes(b"\x80\xff\x80\xff")  # neither UTF-8 nor GB18030
    with pytest.raises(DataImportError, match="bin.csv: cannot decode the file as UTF-8, GBK/GB18030 or Big5"):
        read_facilities(bad, "elder_canteen")
    xl = tmp_path / "broken.xlsx"
    xl.write_bytes(b"not a zip")
    with pytest.raises(DataImportError, match="broken.xlsx: cannot open as an Excel workbook"):
        read_facilities(xl, "elder_canteen")


def test_xlsx_header_on_a_later_sheet(tmp_path, jm):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["说明：本表由民政局提供"])
    ws = wb.create_sheet("数据")
    ws.append(["站点名称", "经度", "纬度", "区县"])
    ws.append(["甲站", 113.05, 22.55, "蓬江区"])
    wb.save(tmp_path / "two.xlsx")
    gdf, report = read_facilities(tmp_path / "two.xlsx", "elder_canteen")
    assert gdf["name"].tolist() == ["甲站"] and gdf["district_code"].tolist() == ["440703"]
    assert [str(w) for w in report.warnings] == [
        "two.xlsx: read sheet '数据'; sheets without a table header not read: 'Sheet' (1 cell)"
    ]


def test_degrees_minutes_seconds_coordinates(tmp_path, jm):
    from coverage.io.facilities import parse_dms

    assert parse_dms("113°3'0\"") == pytest.approx(113.05)
    assert parse_dms("113度3分0秒") == pytest.approx(113.05)
    assert parse_dms("北纬22°33′0″") == pytest.approx(22.55)
    assert parse_dms("22°33.0'N") == pytest.approx(22.55)
    assert parse_dms("113°61'") is None and parse_dms("一百一十三") is None
    rows = [["名称", "经度", "纬度"], ["甲站", "113°3'0\"", "22度33分0秒"], ["乙站", 112.78, 22.25]]
    gdf, report = read_facilities(write_csv(tmp_path / "dms.csv", rows), "elder_canteen")
    assert gdf.geometry.x.tolist() == pytest.approx([113.05, 112.78])
    assert gdf.geometry.y.tolist() == pytest.approx([22.55, 22.25])
    assert "dms.csv: 1 values of column 经度 read as degrees-minutes-seconds" in [str(n) for n in report.notes]
