"""read_towns: matching uploaded polygons to the official 73 towns."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box

from coverage import crs, paths
from coverage.io import TOWN_COLUMNS, DataImportError, read_towns
from coverage.io.reference import OFFICIAL_TOWNS
from test_import_support import BOX_A, BOX_B, jm, no_defaults  # noqa: F401

BOWTIE = Polygon([(112.70, 22.20), (112.85, 22.30), (112.85, 22.20), (112.70, 22.30)])


def _write(tmp_path, name, data, geoms, crs_="EPSG:4326", driver="GeoJSON"):
    path = tmp_path / name
    gpd.GeoDataFrame(data, geometry=geoms, crs=crs_).to_file(path, driver=driver)
    return path


def test_official_list_has_73_towns():
    assert len(OFFICIAL_TOWNS) == 73
    assert len({t[0] for t in OFFICIAL_TOWNS}) == 73
    assert sum(t[2] == "街道" for t in OFFICIAL_TOWNS) == 12
    assert sum(t[2] == "镇" for t in OFFICIAL_TOWNS) == 61


def test_match_by_code_and_name_with_fallback_attributes(tmp_path, no_defaults):
    path = _write(
        tmp_path, "towns.geojson",
        {"代码": ["440703002000", None], "名称": ["白沙街道", "台城"]},
        [box(*BOX_A), box(*BOX_B)],
    )
    gdf, report = read_towns(path)
    assert list(gdf.columns) == TOWN_COLUMNS + ["geometry"]
    assert gdf["town_code"].tolist() == ["440703002", "440781001"]
    assert gdf["town_zh"].tolist() == ["白沙街道", "台城街道"]
    assert gdf["district_code"].tolist() == ["440703", "440781"]
    assert gdf["area_type"].tolist() == ["urban", "urban"]
    assert set(gdf["geometry_source"]) == {"uploaded"}
    # no default towns file: the seat is modelled inside the polygon
    assert gdf["seat_source"].tolist() == ["modelled", "modelled"]
    assert all(box(*b).contains(Point(x, y)) for b, x, y in zip((BOX_A, BOX_B), gdf.seat_lon, gdf.seat_lat))
    assert gdf.geometry.iloc[0].equals(box(*BOX_A))
    warnings = [str(w) for w in report.warnings]
    assert len(warnings) == 1 and warnings[0].startswith(
        "towns.geojson: 71 of the 73 official towns are not in the file: 440703005 潮连街道, "
    )


def test_attributes_come_from_the_default_towns_when_present(tmp_path, jm):
    path = _write(tmp_path, "t.geojson", {"town_code": ["440781001"]}, [box(*BOX_B).buffer(0.01)])
    gdf, report = read_towns(path)
    assert gdf["town_en"].tolist() == ["Taicheng Subdistrict"]
    assert gdf["seat_source"].tolist() == ["geonames"]
    assert gdf["geometry_source"].tolist() == ["uploaded"]
    assert "1 of the 2 official towns are not in the file: 440703002 白沙街道" in str(report)


def test_unmatched_and_duplicate_rows_are_errors(tmp_path, no_defaults):
    path = _write(
        tmp_path, "bad.geojson",
        {"名称": ["白沙街道", "不存在镇", "白沙街道", None]},
        [box(*BOX_A), box(*BOX_B), box(*BOX_B), box(*BOX_B)],
    )
    with pytest.raises(DataImportError) as exc:
        read_towns(path)
    assert str(exc.value).splitlines() == [
        "cannot import bad.geojson: 3 errors",
        "  bad.geojson, row 2, column 名称: '不存在镇' is not one of Jiangmen's 73 towns/streets; "
        "row not matched to an official town",
        "  bad.geojson, row 3, column 名称: town 440703002 (白沙街道) already given by row 1",
        "  bad.geojson, row 4, column 名称: no town/street name or code",
    ]
    assert exc.value.text("zh").splitlines() == [
        "无法导入 bad.geojson：3 处错误",
        "  bad.geojson，第 2 行，列 名称：“不存在镇”不是江门 73 个镇街之一；该行未能对应任何官方镇街",
        "  bad.geojson，第 3 行，列 名称：镇街 440703002（白沙街道）已由第 1 行给出",
        "  bad.geojson，第 4 行，列 名称：没有镇街名称或代码",
    ]


def test_invalid_polygon_repaired_with_warning(tmp_path, no_defaults):
    path = _write(tmp_path, "bow.geojson", {"town_code": ["440781001"]}, [BOWTIE])
    gdf, report = read_towns(path)
    geom = gdf.geometry.iloc[0]
    assert geom.is_valid and geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(0.15 * 0.10 / 2)  # two triangles of half the box
    assert any(
        str(w).startswith("bow.geojson, row 1, column geometry: invalid polygon (Self-intersection")
        and str(w).endswith(") repaired")
        for w in report.warnings
    )


def test_non_polygon_and_missing_geometry_are_errors(tmp_path, no_defaults):
    path = _write(tmp_path, "pts.geojson", {"town_code": ["440703002", "440781001"]}, [Point(113.05, 22.55), None])
    with pytest.raises(DataImportError) as exc:
        read_towns(path)
    assert str(exc.value).splitlines()[1:] == [
        "  pts.geojson, row 1, column geometry: geometry is a Point, not a polygon",
        "  pts.geojson, row 2, column geometry: missing geometry",
    ]


def test_bad_code_but_good_name_warns(tmp_path, no_defaults):
    path = _write(tmp_path, "c.geojson", {"code": ["440703999"], "name": ["白沙街道"]}, [box(*BOX_A)])
    gdf, report = read_towns(path)
    assert gdf["town_code"].tolist() == ["440703002"]
    assert ("c.geojson, row 1, column code: code 440703999 is not one of Jiangmen's 73 towns/streets; "
            "matched by name instead") in [str(w) for w in report.warnings]


def test_no_code_or_name_column(tmp_path, no_defaults):
    path = _write(tmp_path, "x.geojson", {"foo": [1]}, [box(*BOX_A)])
    with pytest.raises(DataImportError, match="x.geojson: no town code or name column"):
        read_towns(path)


def test_zipped_shapefile_in_utm_and_gcj02(tmp_path, no_defaults):
    shp = tmp_path / "shp"
    shp.mkdir()
    # polygon vertices given in GCJ-02
    ring = np.array(box(*BOX_A).exterior.coords)
    g_lon, g_lat = crs.wgs84_to_gcj02(ring[:, 0], ring[:, 1])
    gpd.GeoDataFrame({"town_code": ["440703002"]}, geometry=[Polygon(np.column_stack([g_lon, g_lat]))],
                     crs="EPSG:4326").to_file(shp / "towns.shp")
    z = tmp_path / "towns.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in shp.iterdir():
            zf.write(f, f.name)
    gdf, report = read_towns(z, crs="gcj02")
    back = np.array(gdf.geometry.iloc[0].exterior.coords)[:-1]
    # the Shapefile writer may reverse the ring: compare vertex sets
    assert np.allclose(np.sort(back, axis=0), np.sort(ring[:-1], axis=0), atol=1e-8)
    assert "towns.zip: converted from GCJ-02 to WGS-84" in [str(n) for n in report.notes]


def test_geopackage_projected(tmp_path, no_defaults):
    path = _write(tmp_path, "t.gpkg", {"镇街": ["台城街道"]}, [box(*BOX_B)], driver="GPKG")
    gpd.GeoDataFrame({"镇街": ["台城街道"]}, geometry=[box(*BOX_B)], crs="EPSG:4326").to_crs(32649).to_file(
        path, driver="GPKG"
    )
    gdf, _ = read_towns(path)
    assert gdf["town_code"].tolist() == ["440781001"]
    assert np.allclose(gdf.total_bounds, BOX_B, atol=1e-9)


def test_tables_are_refused(tmp_path, no_defaults):
    p = tmp_path / "t.csv"
    p.write_text("town_code\n440703002\n")
    with pytest.raises(DataImportError, match="town boundaries must be GeoJSON, GeoPackage or a zipped Shapefile"):
        read_towns(p)


# ----------------------------------------------------------------------------- plausibility on the real towns


def test_the_real_towns_pass_and_names_shifted_by_one_row_are_refused(tmp_path):
    """The embedded 73 towns import with no warning (no overlap, every seat inside its town);
    the same polygons with the codes shifted by one row put every seat in a neighbour: refused."""
    towns, report = read_towns(paths.TOWNS_FILE)
    assert len(towns) == 73 and report.warnings == [] and report.errors == []
    src = gpd.read_file(paths.TOWNS_FILE)
    src["town_code"] = list(src["town_code"].iloc[1:]) + [src["town_code"].iloc[0]]
    shifted = tmp_path / "shifted.geojson"
    src[["town_code", "geometry"]].to_file(shifted, driver="GeoJSON")
    with pytest.raises(DataImportError) as exc:
        read_towns(shifted)
    lines = str(exc.value).splitlines()
    assert lines[:3] == [
        "cannot import shifted.geojson: 74 errors",
        "  shifted.geojson: 73 of the 73 towns' official seats lie outside their own polygon: are the names "
        "or codes shifted against the polygons (e.g. by one row)?",
        "  shifted.geojson, row 1, column geometry: the official seat of 440703005 潮连街道 is outside its "
        "polygon (it lies in the polygon given for 440703006 环市街道)",
    ]
