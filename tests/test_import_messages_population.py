"""Issues 10 and 12: the population readers report codes + values, worded by the catalogue.

Each code of ``coverage/i18n/imports_population.py`` is triggered from a small file made here,
against the two-town fixture of ``test_import_support`` (town A = 白沙街道, 113.00-113.10 E,
22.50-22.60 N; town B = 台城街道, 112.70-112.85 E, 22.20-22.30 N) and, where the districts matter,
two districts drawn exactly on the towns (蓬江区 = town A's box, 台山市 = town B's box), so the
share of the city a file covers is known by construction.
"""

from __future__ import annotations

import gzip
import json
import re
import string

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer
from shapely.geometry import Point, box

from coverage import paths
from coverage.i18n import t
from coverage.i18n.imports_population import MESSAGES
from coverage.io import DataImportError, read_population
from coverage.io import raster as raster_module
from coverage.io.reference import CENSUS_2020_TOTALS
from test_import_support import BOX_A, BOX_B, IN_A, IN_B, jm, towns_frame, write_csv  # noqa: F401

TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)


@pytest.fixture
def two_districts(jm, monkeypatch):
    """Districts 440703 蓬江区 = town A's box and 440781 台山市 = town B's box (the city = the two boxes)."""
    path = jm / "districts.geojson"
    gpd.GeoDataFrame(
        {"district_code": ["440703", "440781"], "district_zh": ["蓬江区", "台山市"]},
        geometry=[box(*BOX_A), box(*BOX_B)], crs="EPSG:4326",
    ).to_file(path, driver="GeoJSON")
    monkeypatch.setattr(paths, "DISTRICTS_FILE", path)
    return jm


def tif(path, values, transform, crs="EPSG:4326", nodata=None, count=1, mask=None):
    values = np.asarray(values)
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=count,
                       dtype=values.dtype, crs=crs, transform=transform, nodata=nodata) as dst:
        for band in range(1, count + 1):
            dst.write(values, band)
        if mask is not None:
            dst.write_mask(mask)
    return path


#: 10 × 10 pixels of 0.01° exactly over town A (north-west corner 113.00 E, 22.60 N).
OVER_A = Affine(0.01, 0, BOX_A[0], 0, -0.01, BOX_A[3])


def _utm_cell_centre(lon: float, lat: float) -> tuple[float, float]:
    x, y = TO_UTM.transform(lon, lat)
    return (x // 500 + 0.5) * 500, (y // 500 + 0.5) * 500


def _towns_meeting_mid_cell():
    """Town A, and town B moved next to it, sharing an edge (a meridian) through the middle of a 500 m
    cell of the region's grid; and a point on that edge."""
    x, y = TO_UTM.transform(113.10, 22.55)
    x, y = (x // 500 + 0.5) * 500, (y // 500 + 0.5) * 500
    lon, lat = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True).transform(x, y)
    towns = towns_frame()
    towns.loc[0, "geometry"] = box(BOX_A[0], BOX_A[1], lon, BOX_A[3])
    towns.loc[1, "geometry"] = box(lon, BOX_A[1], lon + 0.1, BOX_A[3])
    return towns, (lon, lat)


def _issue(report_or_exc, code: str):
    report = report_or_exc.report if isinstance(report_or_exc, DataImportError) else report_or_exc
    found = [i for i in report.issues if i.code == code]
    assert len(found) == 1, [i.code for i in report.issues]
    return found[0]


def _import(path, **kw):
    """The report of importing ``path``, whether the import fails or not."""
    try:
        return read_population(path, **kw)[1]
    except DataImportError as exc:
        return exc.report


# ----------------------------------------------------------------------------- rasters: pixel values


@pytest.mark.parametrize(
    "dtype,fill,nodata,code,values",
    [
        ("float32", -9999, None, "import.population.fill.plain.no_nodata", {"value": "-9999"}),
        ("float32", np.finfo(np.float32).max, None, "import.population.fill.max.no_nodata", {"dtype": "float32"}),
        ("float32", -np.finfo(np.float32).max, 0, "import.population.fill.min.nodata",
         {"dtype": "float32", "nodata": 0.0}),
        ("uint16", 65535, None, "import.population.fill.value_max.no_nodata", {"value": "65535", "dtype": "uint16"}),
        ("int16", -32768, 1, "import.population.fill.value_min.nodata",
         {"value": "-32768", "dtype": "int16", "nodata": 1.0}),
        ("int8", 127, None, "import.population.fill.value_max.no_nodata", {"value": "127", "dtype": "int8"}),
        ("float32", -99999, 0, "import.population.fill.plain.nodata", {"value": "-99999", "nodata": 0.0}),
        ("float64", np.finfo(np.float64).max, -1, "import.population.fill.max.nodata",
         {"dtype": "float64", "nodata": -1.0}),
        ("float64", -np.finfo(np.float64).max, None, "import.population.fill.min.no_nodata", {"dtype": "float64"}),
        ("int32", 2147483647, 0, "import.population.fill.value_max.nodata",
         {"value": "2147483647", "dtype": "int32", "nodata": 0.0}),
        ("int32", -2147483648, None, "import.population.fill.value_min.no_nodata",
         {"value": "-2147483648", "dtype": "int32"}),
    ],
)
def test_fill_values_are_named_by_value_and_type(jm, tmp_path, dtype, fill, nodata, code, values):
    v = np.full((10, 10), 10, dtype=dtype)
    v[0, :3] = fill
    report = _import(tif(tmp_path / "p.tif", v, OVER_A, nodata=nodata))
    issue = _issue(report, code)
    assert issue.severity == "warning" and issue.row is None and issue.column is None
    assert dict(issue.values) == {"n": 3, **values}


def test_unusable_pixels_are_counted_by_kind(jm, tmp_path):
    v = np.full((10, 10), 10.0)
    v[0, :2] = np.nan
    v[1, :3] = np.inf
    v[2, :4] = -2.5
    v[3, :1] = 3e7
    v[4, :5] = -1
    report = _import(tif(tmp_path / "p.tif", v, OVER_A, nodata=-1))
    got = {i.code: dict(i.values) for i in report.issues}
    assert got["import.population.nodata_declared"] == {"n": 5, "nodata": -1.0}
    assert got["import.population.nan_cells"] == {"n": 2}
    assert got["import.population.infinite_cells"] == {"n": 3}
    assert got["import.population.negative_cells"] == {"n": 4}
    assert got["import.population.huge_cells"] == {"n": 1, "limit": 10_000_000, "top": 3e7}
    assert _issue(report, "import.population.huge_cells").text("zh") == (
        "1 个像元超过 10,000,000 人（最大 3e+07）：不是人数，已按无人口处理")


def test_masked_pixels_bands_and_the_read(jm, tmp_path):
    mask = np.full((10, 10), 255, dtype="uint8")
    mask[:, :2] = 0
    report = _import(tif(tmp_path / "m.tif", np.full((10, 10), 4.0, dtype="float32"), OVER_A, count=2, mask=mask))
    assert dict(_issue(report, "import.population.nodata_mask").values) == {"n": 20}
    assert dict(_issue(report, "import.population.many_bands").values) == {"bands": 2}
    read = _issue(report, "import.population.raster_read.split")
    assert dict(read.values) == {
        "width": 10, "height": 10, "res_x": 0.01, "res_y": 0.01, "crs": "WGS 84", "read_width": 10,
        "read_height": 10, "populated": 80, "people": 320.0, "k": 5, "cell": 500.0}
    aggregated = _issue(report, "import.population.raster_aggregated")
    assert aggregated.values["people"] == pytest.approx(320.0) and aggregated.values["cell"] == 500.0


def test_a_fine_raster_with_no_crs_is_read_as_lonlat_without_splitting(jm, tmp_path):
    step = 1 / 1200  # 3 arc-seconds: finer than half a 500 m cell
    report = _import(tif(tmp_path / "w.tif", np.full((12, 12), 1.0, dtype="float32"),
                         Affine(step, 0, 113.05, 0, -step, 22.55), crs=None))
    assert _issue(report, "import.population.raster_no_crs").severity == "info"
    read = _issue(report, "import.population.raster_read")
    assert read.values["populated"] == 144 and "k" not in read.values


def test_pixels_outside_the_towns_and_cells_straddling_two_towns(jm, tmp_path):
    # 0.01° pixels from 112.99 E: column 0 lies west of town A (113.00 E)
    report = _import(tif(tmp_path / "p.tif", np.full((2, 3), 1.0, dtype="float32"),
                         Affine(0.01, 0, 112.99, 0, -0.01, 22.58)))
    outside = _issue(report, "import.population.cells_outside_towns")
    assert outside.severity == "warning" and outside.values["n"] == 2
    towns, (lon, lat) = _towns_meeting_mid_cell()
    step = 0.0005  # ~50 m pixels across the towns' shared edge
    report = _import(tif(tmp_path / "s.tif", np.full((4, 4), 1.0, dtype="float32"),
                         Affine(step, 0, lon - 2 * step, 0, -step, lat + 2 * step)), towns=towns)
    straddle = _issue(report, "import.population.raster_straddle")
    assert straddle.values["n"] >= 1 and 0 < straddle.values["people"] < 16


def test_unreadable_and_oversized_rasters(jm, tmp_path, monkeypatch):
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"not a tiff")
    with pytest.raises(DataImportError) as exc:
        read_population(bad)
    issue = _issue(exc.value, "import.population.not_a_raster")
    assert "not recognized as being in a supported file format" in issue.values["detail"]
    assert issue.text("zh").startswith("无法作为栅格读取：")

    path = tif(tmp_path / "big.tif", np.full((10, 10), 1.0, dtype="float32"), OVER_A)
    monkeypatch.setattr(raster_module, "MAX_RASTER_PIXELS", 50)
    with pytest.raises(DataImportError) as exc:
        read_population(path)
    assert dict(_issue(exc.value, "import.population.too_many_pixels.window").values) == {
        "width": 10, "height": 10, "bands": 1, "pixels": 100, "limit": 50}
    far = tif(tmp_path / "far.tif", np.full((10, 10), 1.0, dtype="float32"), Affine(0.01, 0, 100.0, 0, -0.01, 10.0))
    with pytest.raises(DataImportError) as exc:
        read_population(far)
    assert _issue(exc.value, "import.population.too_many_pixels.whole").text("zh").startswith(
        "栅格声明了 10 × 10 个像元 × 1 个波段；整个文件为 100 像元 × 波段，超过 50 的上限")


def test_truncated_pixels_are_an_error_not_a_crash(jm, tmp_path):
    path = tmp_path / "cut.tif"
    with rasterio.open(path, "w", driver="GTiff", width=200, height=200, count=1, dtype="float32",
                       crs="EPSG:4326", transform=Affine(0.0005, 0, 113.0, 0, -0.0005, 22.6)) as dst:
        dst.write(np.random.default_rng(1).random((200, 200), dtype="float32"), 1)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataImportError) as exc:
        read_population(path)
    [issue] = exc.value.report.errors
    assert issue.code == "import.population.unreadable_pixels" and issue.values["detail"]


# ----------------------------------------------------------------------------- nothing in a town


def test_files_whose_cells_lie_in_no_town_give_their_extent(jm, tmp_path):
    metres = tmp_path / "m.geojson"
    gpd.GeoDataFrame({"pop_total": [3, 4]}, geometry=[Point(705250, 2490250), Point(706250, 2490250)],
                     crs="EPSG:4326").to_file(metres, driver="GeoJSON")
    issue = _issue(_import(metres), "import.population.outside_towns.file_crs")
    assert dict(issue.values) == {"n": 2, "x0": 705250.0, "x1": 706250.0, "y0": 2490250.0, "y1": 2490250.0,
                                  "crs": "EPSG:4326"}
    nocrs = tmp_path / "nocrs.gpkg"
    gpd.GeoDataFrame({"pop_total": [3]}, geometry=[Point(10, 10)]).to_file(nocrs, driver="GPKG")
    report = _import(nocrs)
    assert _issue(report, "import.population.no_crs_lonlat").severity == "info"
    assert dict(_issue(report, "import.population.outside_towns.file_no_crs").values) == {
        "n": 1, "x0": 10.0, "x1": 10.0, "y0": 10.0, "y1": 10.0}

    ras = tif(tmp_path / "r.tif", np.ones((3, 3), dtype="float32"), Affine(0.01, 0, 113.02, 0, -0.01, 22.58),
              crs="EPSG:32649")
    issue = _issue(_import(ras), "import.population.outside_towns.raster_crs")
    assert issue.values["crs"] == "EPSG:32649" and issue.values["n"] == 9
    assert issue.values["x0"] == pytest.approx(113.02) and issue.values["y1"] == pytest.approx(22.58)
    ras = tif(tmp_path / "n.tif", np.ones((3, 3), dtype="float32"), Affine(0.01, 0, 100.0, 0, -0.01, 10.0), crs=None)
    assert _issue(_import(ras), "import.population.outside_towns.raster_no_crs").values["x0"] == pytest.approx(100.0)

    table = write_csv(tmp_path / "far.csv", [["经度", "纬度", "人口"], [100.0, 10.0, 5]])
    issue = _issue(_import(table), "import.population.outside_towns")
    assert dict(issue.values) == {"n": 1}
    assert issue.text("zh") == (
        "1 个有人口的网格都不在任何镇街内。文件的坐标系很可能有误或缺失（江门市位于东经 111.9-113.3°、北纬 21.4-22.9°）")


def test_no_town_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "TOWNS_FILE", tmp_path / "none.geojson")
    with pytest.raises(DataImportError) as exc:
        read_population(write_csv(tmp_path / "g.csv", [["经度", "纬度", "人口"], [*IN_A, 5]]))
    assert [i.code for i in exc.value.report.issues] == ["import.population.no_towns"]


# ----------------------------------------------------------------------------- rows of vector and table grids


def test_bad_rows_of_a_table_name_row_and_column(jm, tmp_path):
    rows = [["经度", "纬度", "人口", "60岁及以上"],
            [*IN_A, "many", 1],      # row 2
            [IN_A[0], "", 5, 1],     # row 3
            [*IN_A, -4, 0],          # row 4
            [*IN_A, 2e7, 0],         # row 5
            [*IN_A, 5, 9]]           # row 6
    with pytest.raises(DataImportError) as exc:
        read_population(write_csv(tmp_path / "bad.csv", rows))
    got = [(i.code, i.row, i.column, dict(i.values)) for i in exc.value.report.errors]
    assert got == [
        ("import.population.empty_cell", 3, "纬度", {}),
        ("import.population.not_a_number", 2, "人口", {"value": "'many'"}),
        ("import.population.negative_count", 4, "人口", {"count": -4.0}),
        ("import.population.too_many_people", 5, "人口", {"count": 2e7, "limit": 10_000_000}),
        ("import.population.age_over_total", 6, "60岁及以上", {"count": 9.0, "total": 5.0}),
    ]
    assert exc.value.text("zh").splitlines()[1:3] == [
        "  bad.csv，第 2 行，列 人口：'many' 不是数字",
        "  bad.csv，第 3 行，列 纬度：单元格为空",
    ]


def test_a_table_without_the_columns_it_needs(jm, tmp_path):
    with pytest.raises(DataImportError) as exc:
        read_population(write_csv(tmp_path / "a.csv", [["经度", "纬度", "编号"], [*IN_A, 1]]))
    issue = _issue(exc.value, "import.population.no_population_column")
    assert issue.row == 1 and issue.values["accepted"].startswith("pop_total")
    with pytest.raises(DataImportError) as exc:
        read_population(write_csv(tmp_path / "b.csv", [["编号", "人口"], [1, 5]]))
    assert _issue(exc.value, "import.population.no_centre_columns").row == 1


def test_bad_features_of_a_vector_grid(jm, tmp_path):
    path = tmp_path / "v.geojson"
    gpd.GeoDataFrame({"pop_total": [5, 2e7], "pop_0_17": [6, 0]}, geometry=[Point(*IN_A), None],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(DataImportError) as exc:
        read_population(path)
    got = [(i.code, i.row, i.column) for i in exc.value.report.errors]
    assert got == [("import.population.missing_geometry", 2, "geometry"),
                   ("import.population.too_many_people", 2, "pop_total"),
                   ("import.population.age_over_total", 1, "pop_0_17")]
    empty = tmp_path / "e.geojson"
    gpd.GeoDataFrame({"foo": [1]}, geometry=[Point(*IN_A)], crs="EPSG:4326").to_file(empty, driver="GeoJSON")
    assert _issue(_import(empty), "import.population.no_population_column").row is None


def test_notes_on_ids_empty_cells_centres_and_the_grid(jm, tmp_path):
    x, y = _utm_cell_centre(*IN_A)
    path = tmp_path / "v.geojson"
    lon, lat = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True).transform(x + 100, y)
    gpd.GeoDataFrame({"cell_id": [1, 1, 2], "pop_total": [5, 0, 3]},
                     geometry=[Point(*IN_A), Point(*IN_B), Point(lon, lat)],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    report = _import(path)
    assert _issue(report, "import.population.cell_id_not_unique").values["name"] == "cell_id"
    assert dict(_issue(report, "import.population.empty_cells_skipped").values) == {"n": 1}
    assert dict(_issue(report, "import.population.summed_onto_grid").values) == {"n": 2, "cell": 500.0, "cells": 1}

    report = _import(write_csv(tmp_path / "ll.csv", [["经度", "纬度", "人口"], [*IN_A, 5]]))
    assert _issue(report, "import.population.centres_lonlat").severity == "info"
    report = _import(write_csv(tmp_path / "m.csv", [["x", "y", "人口"], [x, y, 5]]))
    assert _issue(report, "import.population.centres_metres").severity == "info"


def test_a_grid_cell_reached_by_two_towns_goes_to_one(jm, tmp_path):
    towns, (lon, lat) = _towns_meeting_mid_cell()
    rows = [["经度", "纬度", "人口"], [lon - 0.001, lat, 5], [lon + 0.001, lat, 6]]  # ~100 m either side
    report = _import(write_csv(tmp_path / "s.csv", rows), towns=towns)
    issue = _issue(report, "import.population.summed_onto_grid.split")
    assert dict(issue.values) == {"n": 2, "cell": 500.0, "cells": 1, "split": 1}


# ----------------------------------------------------------------------------- age groups and rounding


def test_age_groups_modelled_from_the_census_or_the_grid(jm, tmp_path, monkeypatch):
    from coverage.io.population import age_groups_modelled

    both = _import(write_csv(tmp_path / "a.csv", [["经度", "纬度", "人口"], [*IN_A, 50]]))
    assert _issue(both, "import.population.ages_modelled.census").severity == "warning"
    assert age_groups_modelled(both)
    one = _import(write_csv(tmp_path / "b.csv", [["经度", "纬度", "人口", "60岁及以上"], [*IN_A, 50, 10]]))
    issue = _issue(one, "import.population.age_modelled.census")
    assert dict(issue.values) == {"group": "pop_0_17"} and age_groups_modelled(one)
    assert issue.text("zh") == "文件中没有 pop_0_17：按 2020 年人口普查各区县的年龄结构比例推算"
    full = _import(write_csv(tmp_path / "c.csv", [["经度", "纬度", "人口", "60岁及以上", "0-17岁"], [*IN_A, 50, 10, 5]]))
    assert not age_groups_modelled(full)

    grid = tmp_path / "grid.csv.gz"
    with gzip.open(grid, "wt", encoding="utf-8") as fh:
        fh.write("cell_id,x,y,town_code,district_code,pop_total,pop_60plus,pop_0_17\n1,0,0,440703002,440703,10,2,1\n")
    monkeypatch.setattr(paths, "POPULATION_FILE", grid)
    report = _import(write_csv(tmp_path / "d.csv", [["经度", "纬度", "人口"], [*IN_A, 50]]))
    assert _issue(report, "import.population.ages_modelled.grid").severity == "warning"
    assert age_groups_modelled(report)
    report = _import(write_csv(tmp_path / "e.csv", [["经度", "纬度", "人口", "0-17岁"], [*IN_A, 50, 10]]))
    assert dict(_issue(report, "import.population.age_modelled.grid").values) == {"group": "pop_60plus"}
    assert age_groups_modelled(report)


def test_a_report_saved_before_codes_still_says_the_ages_were_modelled():
    from coverage.io.population import age_groups_modelled
    from coverage.io.report import ImportReport, Issue

    old = Issue.from_dict({"file": "g.tif", "row": None, "column": None, "severity": "warning",
                           "message": "pop_60plus and pop_0_17 not in the file: modelled from the 2020 census "
                                      "district shares"})
    assert age_groups_modelled(ImportReport("g.tif", "population", issues=[old]))
    assert not age_groups_modelled(ImportReport("g.tif", "population"))


def test_districts_without_age_shares_and_cells_rounded_to_zero(jm, tmp_path):
    towns = towns_frame()
    towns.loc[0, "district_code"] = "449999"
    rows = [["经度", "纬度", "人口"], [*IN_A, 0.4], [IN_A[0] + 0.01, IN_A[1], 0.4], [*IN_B, 3]]
    report = _import(write_csv(tmp_path / "r.csv", rows), towns=towns)
    assert dict(_issue(report, "import.population.no_age_shares").values) == {"districts": "449999"}
    assert dict(_issue(report, "import.population.rounded_to_zero").values) == {"n": 1}


# ----------------------------------------------------------------------------- what part of the city a file covers


def test_a_file_over_one_district_of_two(two_districts, tmp_path):
    """Town A's raster covers 蓬江区 (= town A) wholly and leaves 台山市 (= town B) without people; the
    city's area is the two boxes, so its share is town A's area over both (sampled every 500 m)."""
    path = tif(tmp_path / "a.tif", np.full((10, 10), 8530.07, dtype="float64"), OVER_A)
    _, report = read_population(path)
    issue = _issue(report, "import.population.districts_left_out.area")
    utm = gpd.GeoSeries([box(*BOX_A), box(*BOX_B)], crs=4326).to_crs(32649)
    assert issue.values["fraction"] == pytest.approx(utm.area[0] / utm.area.sum(), abs=0.01)
    assert {k: issue.values[k] for k in ("n_covered", "n_all", "covered", "n_left", "left")} == {
        "n_covered": 1, "n_all": 2, "covered": [{"code": "440703", "zh": "蓬江区", "en": "蓬江区"}], "n_left": 1,
        "left": [{"code": "440781", "zh": "台山市", "en": "台山市"}]}  # no English names in this file: the Chinese
    assert issue.message.startswith(
        "the file covers 1 of the 2 districts wholly (440703 蓬江区), yet it replaces the whole population grid: "
        "1 district(s) are left without people, or with only the part the file covers (in brackets, the share "
        f"of the district's area): 440781 台山市. It covers {issue.values['share']} of the city's area (not of its "
        "people: without the embedded population grid, where people live inside a district is not known)")
    agrees = _issue(report, "import.population.census_agrees")
    assert dict(agrees.values) == {"people": pytest.approx(853_007), "n": 1,
                                   "districts": [{"code": "440703", "zh": "蓬江区", "en": "蓬江区"}],
                                   "census": 853_007.0, "diff": pytest.approx(0, abs=1e-9)}


def test_a_file_over_both_districts_warns_nothing_and_checks_the_census(two_districts, tmp_path):
    rows = [["经度", "纬度", "人口"]] + [
        [lon, lat, 1] for b in (BOX_A, BOX_B)
        for lon in np.arange(b[0] + 0.0025, b[2], 0.005) for lat in np.arange(b[1] + 0.0025, b[3], 0.005)]
    with pytest.raises(DataImportError) as exc:
        read_population(write_csv(tmp_path / "both.csv", rows))
    assert not [w for w in exc.value.report.warnings if "district" in w.code]
    issue = _issue(exc.value, "import.population.census_mismatch")
    assert [p["code"] for p in issue.values["districts"]] == ["440703", "440781"] and issue.values["n"] == 2
    assert "440703 蓬江区, 440781 台山市" in issue.message and "440703 蓬江区、440781 台山市" in issue.text("zh")
    assert issue.values["census"] == CENSUS_2020_TOTALS["440703"] + CENSUS_2020_TOTALS["440781"]
    assert issue.values["tolerance"] == 0.5 and issue.values["people"] == len(rows) - 1
    _, report = read_population(write_csv(tmp_path / "both.csv", rows), census_check=False)
    assert _issue(report, "import.population.census_mismatch").severity == "warning"


@pytest.mark.parametrize("fill", [-1.0, 0.0], ids=["all_nodata", "all_zero"])
def test_a_file_holding_no_people_is_refused(two_districts, tmp_path, fill):
    """A raster with no populated pixel would replace the grid with nothing: an error, not an empty grid."""
    path = tif(tmp_path / "z.tif", np.full((3, 3), fill, dtype="float32"), OVER_A, nodata=-1)
    with pytest.raises(DataImportError) as exc:
        read_population(path)
    issue = _issue(exc.value, "import.population.no_people")
    assert issue.severity == "error" and issue.values["n"] == 0
    assert "没有人口" in issue.text("zh")


def test_a_file_over_part_of_a_district(two_districts, tmp_path):
    # the west half of town A: half of 蓬江区, none of 台山市
    path = tif(tmp_path / "w.tif", np.full((10, 5), 1.0, dtype="float32"), OVER_A)
    issue = _issue(_import(path), "import.population.partial_city.area")
    assert issue.values["n_districts"] == 1
    [place] = issue.values["districts"]
    assert place["code"] == "440703"
    share = float(place["share"].rstrip("%")) / 100
    assert share == pytest.approx(0.5, abs=0.03)
    utm = gpd.GeoSeries([box(*BOX_A), box(*BOX_B)], crs=4326).to_crs(32649)
    assert issue.values["fraction"] == pytest.approx(utm.area[0] / 2 / utm.area.sum(), abs=0.01)


# ----------------------------------------------------------------------------- the catalogue


def _dummy_values(template: str) -> dict[str, object]:
    """A value for every placeholder: a number where the placeholder has a format spec, else text."""
    out: dict[str, object] = {}
    for _, field, spec, _ in string.Formatter().parse(template):
        if field:
            out[field] = 1234 if spec else "甲乙"
    return out


#: ASCII words allowed in the Chinese messages: technical tokens and names of options, settings, columns.
_ALLOWED = re.compile(
    r"EPSG:\d+|WGS-84|MB|NaN|--skip-census-check|census_check=False|towns=|settings\.[A-Z_]+|"
    r"pop_60plus|pop_0_17|lon/lat"
)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_renders_in_both_languages_in_real_chinese(key):
    zh, en = MESSAGES[key]
    values = {**_dummy_values(en), **_dummy_values(zh)}
    assert set(_dummy_values(zh)) == set(_dummy_values(en)), key
    text_zh, text_en = t(key, "zh", **values), t(key, "en", **values)
    assert "{" not in text_zh and "{" not in text_en
    json.dumps(values)
    assert re.search(r"[\u4e00-\u9fff]", text_zh)
    rest = _ALLOWED.sub("", text_zh.replace("甲乙", ""))
    assert not re.findall(r"[A-Za-z]{3,}", rest), (key, rest)


def test_the_coverage_warning_survives_the_workspace_round_trip(two_districts, tmp_path):
    """Reports are saved as JSON (``dataclasses.asdict``) and read back with ``Issue.from_dict``: the
    restored warning reads the same in both languages."""
    import dataclasses

    from coverage.io.report import Issue

    _, report = read_population(tif(tmp_path / "a.tif", np.full((10, 10), 8530.07), OVER_A))
    for issue in report.issues:
        back = Issue.from_dict(json.loads(json.dumps(dataclasses.asdict(issue))))
        assert back == issue and back.text("zh") == issue.text("zh") and back.message == issue.message
