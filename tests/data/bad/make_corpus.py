"""Write the bad-input corpus used by ``tests/test_bad_inputs.py``.

Run from the repository root after changing it (the outputs are committed)::

    /work/venv/bin/python tests/data/bad/make_corpus.py

Every file is small and built by hand against the two-town fixture of
``tests/test_import_support.py`` (town A = 白沙街道 440703002, the box 113.00-113.10 E,
22.50-22.60 N; town B = 台城街道 440781001, 112.70-112.85 E, 22.20-22.30 N; the city
= 112.0-113.2 E, 21.5-22.8 N). What each file gets wrong, and the message expected,
is listed in ``CASES`` of the test module.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from coverage.crs import wgs84_to_gcj02  # noqa: E402


def _csv_text(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _write_csv(name: str, rows: list[list[object]], encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(_csv_text(rows).encode(encoding))


def _feature(geometry: dict, **props: object) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _write_geojson(name: str, features: list[dict]) -> None:
    fc = {"type": "FeatureCollection", "features": features}
    (HERE / name).write_text(json.dumps(fc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _ring(x0: float, y0: float, x1: float, y1: float, z: float | None = None) -> list[list[float]]:
    pts = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return [p + [z] for p in pts] if z is not None else pts


def tables() -> None:
    # GBK-encoded register, a latitude written in Chinese numerals on row 3.
    _write_csv(
        "gbk_text_in_lat.csv",
        [["名称", "经度", "纬度", "所属镇街"], ["白沙长者饭堂", 113.05, 22.55, "白沙街道"],
         ["台城长者饭堂", 112.78, "二十二点二五", "台城街道"]],
        encoding="gbk",
    )
    # UTF-8 with BOM, no latitude column at all.
    _write_csv("utf8_bom_no_lat.csv", [["名称", "经度", "地址"], ["白沙长者饭堂", 113.05, "白沙路1号"]], "utf-8-sig")
    # Recognised header but no useful columns.
    _write_csv("missing_columns.csv", [["name", "address", "beds"], ["Baisha canteen", "1 Baisha Rd", 10]])
    # Text in the numeric columns: longitude "N/A" (error), beds "十张" (warning).
    _write_csv(
        "text_in_numeric.csv",
        [["名称", "经度", "纬度", "床位数"], ["甲", 113.05, 22.55, "十张"], ["乙", "N/A", 22.56, 20]],
    )
    # Coordinates out of range: a latitude of 95 and a point in Guangzhou.
    _write_csv(
        "out_of_range.csv",
        [["名称", "经度", "纬度"], ["甲", 113.05, 22.55], ["乙", 113.05, 95], ["丙", 113.26, 23.13]],
    )
    # Empty file and header-only file.
    (HERE / "empty.csv").write_bytes(b"")
    _write_csv("header_only.csv", [["名称", "经度", "纬度"]])
    # A valid register of ~3 KB: too big for the test's max_mb=0.002.
    _write_csv("oversize.csv", [["名称", "经度", "纬度"]] + [[f"站点{i}", 113.05, 22.55] for i in range(120)])
    # A .csv.gz that expands to ~2.4 MB (the test's limit is 1 MB).
    body = _csv_text([["名称", "经度", "纬度"]] + [["点", 113.05, 22.55]] * 150_000)
    (HERE / "bomb.csv.gz").write_bytes(gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0))
    # Points taken from a GCJ-02 web map (Amap) but declared WGS-84: three of the four
    # real sites sit within 400 m of town A's east edge, so their GCJ-02 coordinates
    # (~550 m east, ~300 m south) fall outside the town they name.
    true = [(113.097, 22.55), (113.098, 22.57), (113.096, 22.53), (113.05, 22.55)]
    rows = [["名称", "经度", "纬度", "所属镇街"]]
    for k, (x, y) in enumerate(true):
        gx, gy = wgs84_to_gcj02(x, y)
        rows.append([f"站点{k + 1}", round(float(gx), 6), round(float(gy), 6), "白沙街道"])
    _write_csv("gcj02_declared_wgs84.csv", rows)


def workbooks() -> None:
    import openpyxl

    # Two title rows above the header; row 5 is outside the city.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "长者饭堂"
    ws.append(["江门市长者饭堂名录"])
    ws.append(["（2024年12月）"])
    ws.append(["名称", "经度", "纬度"])
    ws.append(["甲", 113.05, 22.55])
    ws.append(["乙", 110.5, 22.55])
    wb.save(HERE / "title_rows.xlsx")

    # Merged cells: a merged title, the town merged over rows 3-4, and a 合计 row
    # merged across A5:C5 (its 经度 is then not a number).
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "站点"
    ws.append(["长者饭堂"])
    ws.merge_cells("A1:D1")
    ws.append(["名称", "经度", "纬度", "所属镇街"])
    ws.append(["甲", 113.05, 22.55, "白沙街道"])
    ws.append(["乙", 113.06, 22.56, None])
    ws.merge_cells("D3:D4")
    ws.append(["合计", None, None, None])
    ws.merge_cells("A5:C5")
    wb.save(HERE / "merged_cells.xlsx")


def vectors() -> None:
    # Multi-part points: feature 1 has one part (fine), feature 2 has two (error).
    _write_geojson(
        "multipoint.geojson",
        [
            _feature({"type": "MultiPoint", "coordinates": [[113.05, 22.55]]}, 名称="甲"),
            _feature({"type": "MultiPoint", "coordinates": [[113.05, 22.55], [113.06, 22.56]]}, 名称="乙"),
        ],
    )
    # 3D points (height dropped, warning).
    _write_geojson(
        "points_3d.geojson",
        [
            _feature({"type": "Point", "coordinates": [113.05, 22.55, 12.0]}, 名称="甲"),
            _feature({"type": "Point", "coordinates": [112.78, 22.25, 3.5]}, 名称="乙"),
        ],
    )
    # Town boundaries: 3D polygons (warning).
    _write_geojson(
        "towns_3d.geojson",
        [
            _feature({"type": "Polygon", "coordinates": [_ring(113.00, 22.50, 113.10, 22.60, 5.0)]}, town_code="440703002"),
            _feature({"type": "Polygon", "coordinates": [_ring(112.70, 22.20, 112.85, 22.30, 5.0)]}, town_code="440781001"),
        ],
    )
    # Town boundaries in UTM metres in a GeoJSON (which means longitude/latitude).
    _write_geojson(
        "towns_metres.geojson",
        [
            _feature({"type": "Polygon", "coordinates": [_ring(705000, 2490000, 715000, 2500000)]}, town_code="440703002"),
        ],
    )
    # Town boundaries where feature 2 is a point.
    _write_geojson(
        "towns_point.geojson",
        [
            _feature({"type": "Polygon", "coordinates": [_ring(113.00, 22.50, 113.10, 22.60)]}, town_code="440703002"),
            _feature({"type": "Point", "coordinates": [112.78, 22.25]}, town_code="440781001"),
        ],
    )
    # Zipped Shapefile: town B drawn as a self-intersecting "bow tie" (repaired, warning).
    import geopandas as gpd
    from shapely.geometry import Polygon, box

    bowtie = Polygon([(112.70, 22.20), (112.85, 22.30), (112.85, 22.20), (112.70, 22.30), (112.70, 22.20)])
    gdf = gpd.GeoDataFrame(
        {"town_code": ["440703002", "440781001"]}, geometry=[box(113.00, 22.50, 113.10, 22.60), bowtie], crs="EPSG:4326"
    )
    with tempfile.TemporaryDirectory() as tmp:
        gdf.to_file(Path(tmp) / "towns.shp", driver="ESRI Shapefile", engine="pyogrio")
        with zipfile.ZipFile(HERE / "towns_bowtie.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(Path(tmp).iterdir()):
                info = zipfile.ZipInfo(f.name, date_time=(2024, 1, 1, 0, 0, 0))
                zf.writestr(info, f.read_bytes(), zipfile.ZIP_DEFLATED)


def population_vector() -> None:
    # A population grid of points in UTM metres written to GeoJSON (= longitude/latitude).
    _write_geojson(
        "population_metres.geojson",
        [_feature({"type": "Point", "coordinates": [705250.0 + 500 * k, 2490250.0]}, pop_total=100 * (k + 1))
         for k in range(3)],
    )


def rasters() -> None:
    # A 3 x 3 population raster whose transform is in degrees (over town A) but which
    # declares EPSG:32649 (UTM metres): every cell lands near the equator, far west.
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    data = np.full((3, 3), 100.0, dtype="float32")
    with rasterio.open(
        HERE / "population_wrong_crs.tif", "w", driver="GTiff", width=3, height=3, count=1,
        dtype="float32", crs="EPSG:32649", transform=from_origin(113.02, 22.58, 0.01, 0.01),
        nodata=-1.0,
    ) as dst:
        dst.write(data, 1)


if __name__ == "__main__":
    tables()
    workbooks()
    vectors()
    population_vector()
    rasters()
    print("\n".join(sorted(f"{p.stat().st_size:>8}  {p.name}" for p in HERE.iterdir() if p.suffix != ".py")))
