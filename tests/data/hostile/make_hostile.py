"""Write the hostile-input corpus used by ``tests/test_hostile_inputs.py`` (issue 11).

Run from the repository root after changing it (the outputs are committed)::

    .venv/bin/python tests/data/hostile/make_hostile.py

Every file is small and built against the two-town fixture of ``tests/test_import_support.py``
(town A = 白沙街道 440703002, the box 113.00-113.10 E, 22.50-22.60 N, seat at its centre;
town B = 台城街道 440781001, 112.70-112.85 E, 22.20-22.30 N; the city = 112.0-113.2 E,
21.5-22.8 N). What each file gets wrong, and the outcome expected, is in ``CASES`` of the
test module.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import rasterio
from affine import Affine
from pyproj import Transformer
from shapely.geometry import Point, box

HERE = Path(__file__).resolve().parent
BOX_A = (113.00, 22.50, 113.10, 22.60)
BOX_B = (112.70, 22.20, 112.85, 22.30)
HEADER = ["名称", "经度", "纬度"]


# ----------------------------------------------------------------------------- helpers


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def tif(name: str, values: np.ndarray, transform: Affine, crs: str | None, nodata=None, **kw) -> None:
    values = np.asarray(values)
    with rasterio.open(
        HERE / name, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
        dtype=values.dtype, crs=crs, transform=transform, nodata=nodata, compress="deflate", **kw,
    ) as dst:
        dst.write(values, 1)


def xlsx(name: str, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    path = HERE / name
    wb.save(path)
    return path


def patch_zip(path: Path, member: str, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` in one member of a ZIP (e.g. a sheet's XML)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                assert old in data, (member, old)
                data = data.replace(old, new)
            dst.writestr(info, data)
    tmp.replace(path)


def points(names: list[str], xy: list[tuple[float, float]], **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"名称": names, **cols}, geometry=[Point(p) for p in xy], crs="EPSG:4326")


def towns(polys: list[tuple[str, tuple[float, float, float, float]]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"town_code": [c for c, _ in polys]}, geometry=[box(*b) for _, b in polys], crs="EPSG:4326"
    )


def zip_dir(name: str, folder: Path) -> None:
    with zipfile.ZipFile(HERE / name, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, p.name)


def inner_box_in(crs: str, step: float, lon0=113.02, lat0=22.52, lon1=113.08, lat1=22.58):
    """Transform and shape of a raster in ``crs`` whose extent lies inside town A."""
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    xs, ys = tr.transform([lon0, lon1, lon0, lon1], [lat0, lat0, lat1, lat1])
    x0, x1 = max(xs[0], xs[2]), min(xs[1], xs[3])
    y0, y1 = max(ys[0], ys[1]), min(ys[2], ys[3])
    w, h = int((x1 - x0) // step), int((y1 - y0) // step)
    return Affine(step, 0, x0, 0, -step, y0 + h * step), (h, w)


# ----------------------------------------------------------------------------- population rasters


def rasters() -> None:
    a10 = Affine(0.01, 0, BOX_A[0], 0, -0.01, BOX_A[3])  # 10 × 10 pixels exactly over town A
    v = np.full((10, 10), 50, dtype="uint16")
    v[:2, :] = 65535  # 20 fill pixels, no nodata declared
    tif("pop_uint16_fill.tif", v, a10, "EPSG:4326")
    v = np.full((10, 10), 40.0, dtype="float32")
    v[5:, :] = np.finfo(np.float32).max  # 50 pixels filled with the float32 maximum
    tif("pop_float32_max.tif", v, a10, "EPSG:4326")
    v = np.full((10, 10), 30.0, dtype="float32")
    v[:, :3] = -9999  # 30 pixels
    tif("pop_minus9999.tif", v, a10, "EPSG:4326")
    v = np.full((10, 10), 20, dtype="int32")
    v[9, :] = -99999  # 10 pixels
    tif("pop_int32_minus99999.tif", v, a10, "EPSG:4326")
    v = np.full((10, 10), 10.0, dtype="float32")
    v[0, :5] = -np.finfo(np.float32).max  # 5 pixels, declared nodata is 0
    tif("pop_float32_min_other_nodata.tif", v, a10, "EPSG:4326", nodata=0)
    v = np.full((10, 10), 10.0, dtype="float64")
    v[0, 0:3] = np.inf
    v[1, 0:4] = np.nan
    v[2, 0:2] = -np.inf
    tif("pop_inf_nan.tif", v, a10, "EPSG:4326")
    v = np.full((10, 10), 10.0, dtype="float32")
    v[3, :7] = -2.5
    tif("pop_negative.tif", v, a10, "EPSG:4326")
    # 40000 × 40000 pixels of 5 m-ish (0.00005°) declared by a file of a few kB (sparse tiles)
    path = HERE / "pop_huge_declared.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=40000, height=40000, count=1, dtype="float32", crs="EPSG:4326",
        transform=Affine(0.00005, 0, 112.0, 0, -0.00005, 23.6), tiled=True, blockxsize=1024,
        blockysize=1024, compress="deflate", sparse_ok=True,
    ):
        pass
    # the whole city at 0.05°: 10 pixels fall in towns A (4) and B (6), 1,000,000 people each
    v = np.full((30, 28), 1_000_000.0, dtype="float32")
    tif("pop_census_high.tif", v, Affine(0.05, 0, 111.9, 0, -0.05, 22.9), "EPSG:4326")
    # WorldPop: EPSG:4326, 3 arc-seconds, exactly over town A (120 × 120), 0.5 people per pixel
    tif("pop_worldpop_3arcsec.tif", np.full((120, 120), 0.5, dtype="float32"),
        Affine(1 / 1200, 0, BOX_A[0], 0, -1 / 1200, BOX_A[3]), "EPSG:4326", nodata=-99999)
    t, shape = inner_box_in("ESRI:54009", 100.0)
    tif("pop_ghs_mollweide_100m.tif", np.full(shape, 1.0, dtype="float32"), t, "ESRI:54009", nodata=-200)
    t, shape = inner_box_in("EPSG:32649", 1000.0)
    tif("pop_utm_1km.tif", np.full(shape, 100.0, dtype="float32"), t, "EPSG:32649")
    t, shape = inner_box_in("EPSG:32649", 100.0)
    tif("pop_utm_100m.tif", np.full(shape, 2.0, dtype="float32"), t, "EPSG:32649")
    write("pop_not_a_tiff.tif", b"name,pop\nA,1\n")
    v = np.full((10, 10), 10.0, dtype="float32")
    v[4, 4:6] = 1e30  # 2 pixels no count can reach
    tif("pop_pixel_1e30.tif", v, a10, "EPSG:4326")
    gpd.GeoDataFrame({"pop_total": [12.0, 1e19]}, geometry=[Point(113.05, 22.55), Point(113.06, 22.56)],
                     crs="EPSG:4326").to_file(HERE / "pop_vector_1e19.geojson", driver="GeoJSON")


# ----------------------------------------------------------------------------- spreadsheets


def spreadsheets() -> None:
    p = xlsx("xlsx_xfd_cell.xlsx", {"Sheet": [HEADER, ["甲站", 113.05, 22.55]]})
    wb = openpyxl.load_workbook(p)
    wb["Sheet"]["XFD1048576"] = "x"
    wb.save(p)
    p = xlsx("xlsx_declared_dimension.xlsx", {"Sheet": [HEADER, ["甲站", 113.05, 22.55], ["乙站", 112.78, 22.25]]})
    patch_zip(p, "xl/worksheets/sheet1.xml", b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:XFD1048576"/>')
    xlsx("xlsx_two_sheets.xlsx", {
        "站点A": [HEADER, ["甲站", 113.05, 22.55]],
        "站点B": [HEADER, ["乙站", 112.78, 22.25], ["丙站", 112.79, 22.26]],
    })
    xlsx("xlsx_notes_sheet.xlsx", {"说明": [["本表由民政局填报"], ["联系人: 张三"]], "数据": [HEADER, ["甲站", 113.05, 22.55]]})
    xlsx("xlsx_formula_no_value.xlsx", {"Sheet": [HEADER + ["床位数"], ["甲院", 113.05, 22.55, "=60+60"], ["乙院", 112.78, 22.25, 80]]})
    p = xlsx("xlsx_formula_cached.xlsx", {"Sheet": [HEADER + ["床位数"], ["甲院", 113.05, 22.55, "=60+60"]]})
    patch_zip(p, "xl/worksheets/sheet1.xml", b"<f>60+60</f><v></v>", b"<f>60+60</f><v>120</v>")
    xlsx("xlsx_extra_cells.xlsx", {"Sheet": [HEADER, ["甲站", 113.05, 22.55], ["乙站", 112.78, 22.25, "备注: 新建"]]})


# ----------------------------------------------------------------------------- CSV


def csvs() -> None:
    write("csv_unterminated_quote.csv",
          "名称,经度,纬度\n甲站,113.05,22.55\n\"乙站,113.06,22.56\n丙站,113.07,22.57\n".encode())
    write("csv_quote_inside_cell.csv", "名称,经度,纬度\n甲站,113.05,22.55\n\"乙\"站,113.06,22.56\n".encode())
    write("csv_multiline_cell.csv", csv_bytes([HEADER + ["地址"], ["甲站", 113.05, 22.55, "蓬江区\n白沙街道1号"],
                                               ["乙站", 112.78, 22.25, "台城街道2号"]]))
    write("csv_extra_cells.csv", "名称,经度,纬度\n甲站,113.05,22.55\n乙站,112.78,22.25,备注\n丙站,113.06,22.56\n"
          "丁站,112.79,22.26,,多余\n".encode())
    write("csv_big5.csv", csv_bytes([["名稱", "經度", "緯度", "地址"], ["江門長者飯堂", 113.05, 22.55, "蓬江區白沙街道"],
                                     ["臺城長者飯堂", 112.78, 22.25, "臺山市臺城街道"]], "big5"))
    write("csv_gbk_declared_utf8.csv", csv_bytes([HEADER, ["白沙长者饭堂", 113.05, 22.55]], "gbk"))
    write("csv_nul_in_name.csv", csv_bytes([HEADER, ["甲\x00站", 113.05, 22.55], ["乙站", 112.78, 22.25]]))
    write("csv_lone_surrogate.csv", "名称,经度,纬度\n甲站,113.05,22.55\n乙".encode() + b"\xed\xa0\x80"
          + "站,112.78,22.25\n".encode())
    write("csv_control_chars.csv", csv_bytes([HEADER + ["地址"], ["甲站", 113.05, 22.55, "白沙\x07街道\x1b1号"]]))
    write("csv_replacement_char.csv", csv_bytes([HEADER, ["甲\ufffd站", 113.05, 22.55]]))
    beds = HEADER + ["床位数", "护理型床位数", "启用年份"]
    write("csv_beds_1e19.csv", csv_bytes([beds, ["甲院", 113.05, 22.55, "1e19", "", ""]]))
    write("csv_beds_1e9.csv", csv_bytes([beds, ["甲院", 113.05, 22.55, "1000000000", "", ""]]))
    write("csv_beds_beyond_int64.csv", csv_bytes([beds, ["甲院", 113.05, 22.55, "9223372036854775808", "", ""]]))
    write("csv_nursing_over_beds.csv", csv_bytes([beds, ["甲院", 113.05, 22.55, 100, 120, 2015],
                                                  ["乙院", 112.78, 22.25, 100, 60, 2016]]))
    write("csv_year_2099.csv", csv_bytes([beds, ["甲院", 113.05, 22.55, 100, 50, 2099]]))
    write("csv_year_1900.csv", csv_bytes([beds, ["甲院", 113.05, 22.55, 100, 50, 1900]]))


# ----------------------------------------------------------------------------- vector files


def vectors() -> None:
    path = HERE / "gpkg_two_layers.gpkg"
    path.unlink(missing_ok=True)
    points(["甲站", "乙站"], [(113.05, 22.55), (112.78, 22.25)]).to_file(path, layer="stations", driver="GPKG")
    points(["丙饭堂"], [(113.06, 22.56)]).to_file(path, layer="canteens", driver="GPKG")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        points(["甲站"], [(113.05, 22.55)]).to_file(d / "stations.shp", encoding="utf-8")
        points(["乙站"], [(112.78, 22.25)]).to_file(d / "more.shp", encoding="utf-8")
        zip_dir("zip_two_shapefiles.zip", d)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        points(["白沙长者饭堂", "台城长者饭堂"], [(113.05, 22.55), (112.78, 22.25)]).to_file(
            d / "canteens.shp", encoding="gbk")
        (d / "canteens.cpg").unlink(missing_ok=True)
        zip_dir("shp_gbk_no_cpg.zip", d)
    feature = lambda name, xy: {"type": "Feature", "properties": {"名称": name},  # noqa: E731
                                "geometry": {"type": "Point", "coordinates": list(xy)}}
    doc = {"type": "FeatureCollection", "features": [
        feature("甲站", (113.05, 22.55)),
        {"type": "FeatureCollection", "features": [feature("乙站", (112.78, 22.25)), feature("丙站", (112.79, 22.26))]},
    ]}
    write("geojson_nested_collection.geojson", json.dumps(doc, ensure_ascii=False).encode())
    doc = {"type": "FeatureCollection", "features": [feature("甲\u0007站", (113.05, 22.55))]}
    write("geojson_bell_in_name.geojson", json.dumps(doc, ensure_ascii=False).encode())


# ----------------------------------------------------------------------------- town boundaries


def town_files() -> None:
    def save(name: str, gdf: gpd.GeoDataFrame) -> None:
        (HERE / name).unlink(missing_ok=True)
        gdf.to_file(HERE / name, driver="GeoJSON")

    save("towns_whole_city.geojson", towns([("440703002", (112.0, 21.5, 113.2, 22.8)), ("440781001", BOX_B)]))
    save("towns_names_swapped.geojson", towns([("440781001", BOX_A), ("440703002", BOX_B)]))
    save("towns_overlap.geojson", towns([("440703002", BOX_A), ("440781001", (112.70, 22.20, 113.02, 22.52))]))
    save("towns_tiny.geojson", towns([("440703002", (113.05, 22.55, 113.0505, 22.5505)), ("440781001", BOX_B)]))
    save("towns_missing_one.geojson", towns([("440703002", BOX_A)]))
    path = HERE / "towns_two_layers.gpkg"
    path.unlink(missing_ok=True)
    towns([("440703002", BOX_A)]).to_file(path, layer="a", driver="GPKG")
    towns([("440781001", BOX_B)]).to_file(path, layer="b", driver="GPKG")


if __name__ == "__main__":
    for p in HERE.iterdir():
        if p.name != Path(__file__).name and p.is_file():
            p.unlink()
    rasters()
    spreadsheets()
    csvs()
    vectors()
    town_files()
    files = sorted(p.name for p in HERE.iterdir() if p.name != Path(__file__).name)
    print(f"{len(files)} files, {sum((HERE / f).stat().st_size for f in files):,} bytes")
