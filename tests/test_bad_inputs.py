"""The bad-input corpus (``tests/data/bad``, built by ``make_corpus.py``).

Each file goes through the same path the app and CLI use — read, validate, then save to
the workspace only on success (:func:`coverage.io.import_into_workspace`) — against the
two-town fixture of ``test_import_support``. A file that must fail gets its exact error
message (file, row, column) and leaves the workspace unchanged, byte for byte; a file
that imports with warnings gets its exact warning and is saved once.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from coverage.cli import main
from coverage.crs import wgs84_to_gcj02
from coverage.export import spreadsheet_safe
from coverage.io import DataImportError, import_into_workspace, read_facilities
from coverage.io.facilities import gcj02_evidence
from coverage.workspace import Workspace
from test_import_support import DATA, towns_frame, jm, write_csv, write_xlsx  # noqa: F401

BAD = Path(__file__).parent / "data" / "bad"
LAYER = "elder_canteen"
JM_BOX = "111.9-113.3 E, 21.4-22.9 N"

# (file, kind, options, exact DataImportError message) — the import must fail.
FAILING = [
    ("gbk_text_in_lat.csv", "facilities", {},
     "cannot import gbk_text_in_lat.csv: 1 error\n"
     "  gbk_text_in_lat.csv, row 3, column 纬度: '二十二点二五' is not a number"),
    ("utf8_bom_no_lat.csv", "facilities", {},
     "cannot import utf8_bom_no_lat.csv: 1 error\n"
     "  utf8_bom_no_lat.csv, row 1: no latitude column (accepted: 纬度, 緯度, lat, latitude, y, 北纬)"),
    ("missing_columns.csv", "facilities", {},
     "cannot import missing_columns.csv: 2 errors\n"
     "  missing_columns.csv, row 1: no longitude column (accepted: 经度, 經度, lon, lng, long, longitude, x, 东经)\n"
     "  missing_columns.csv, row 1: no latitude column (accepted: 纬度, 緯度, lat, latitude, y, 北纬)"),
    ("text_in_numeric.csv", "facilities", {},
     "cannot import text_in_numeric.csv: 1 error\n"
     "  text_in_numeric.csv, row 3, column 经度: 'N/A' is not a number"),
    ("out_of_range.csv", "facilities", {},
     "cannot import out_of_range.csv: 2 errors\n"
     "  out_of_range.csv, row 3, column 经度/纬度: point (113.05, 95) is outside Jiangmen (the Jiangmen city boundary)\n"
     "  out_of_range.csv, row 4, column 经度/纬度: point (113.26, 23.13) is outside Jiangmen (the Jiangmen city boundary)"),
    ("empty.csv", "facilities", {},
     "cannot import empty.csv: 1 error\n  empty.csv: the file is empty (0 bytes)"),
    ("header_only.csv", "facilities", {},
     "cannot import header_only.csv: 1 error\n"
     "  header_only.csv: no data rows: the file holds a header but no facilities"),
    ("oversize.csv", "facilities", {"max_mb": 0.002},
     "cannot import oversize.csv: 1 error\n"
     "  oversize.csv: file is 0.00267 MB, over the 0.002 MB import limit (split it, or raise the limit with max_mb=)"),
    ("bomb.csv.gz", "facilities", {"max_mb": 1},
     "cannot import bomb.csv.gz: 1 error\n"
     "  bomb.csv.gz: decompresses to more than the 1 MB import limit (the limit applies to the "
     "uncompressed data; split the file, or raise the limit with max_mb=)"),
    ("title_rows.xlsx", "facilities", {},
     "cannot import title_rows.xlsx: 1 error\n"
     "  title_rows.xlsx, row 5, column 经度/纬度: point (110.5, 22.55) is outside Jiangmen (the Jiangmen city boundary)"),
    ("merged_cells.xlsx", "facilities", {},
     "cannot import merged_cells.xlsx: 2 errors\n"
     "  merged_cells.xlsx, row 5, column 经度: '合计' is not a number\n"
     "  merged_cells.xlsx, row 5, column 纬度: '合计' is not a number"),
    ("multipoint.geojson", "facilities", {},
     "cannot import multipoint.geojson: 1 error\n"
     "  multipoint.geojson, row 2, column geometry: a MultiPoint of 2 points: one feature must be one "
     "facility (split it into single points)"),
    ("towns_metres.geojson", "towns", {},
     "cannot import towns_metres.geojson: 1 error\n"
     "  towns_metres.geojson, column geometry: the polygons span 705000 to 715000 E, 2490000 to 2500000 N "
     f"as longitude/latitude, nowhere near Jiangmen ({JM_BOX}): the file declares CRS EPSG:4326; "
     "is that its real coordinate system?"),
    ("towns_point.geojson", "towns", {},
     "cannot import towns_point.geojson: 1 error\n"
     "  towns_point.geojson, row 2, column geometry: geometry is a Point, not a polygon"),
    ("population_metres.geojson", "population", {},
     "cannot import population_metres.geojson: 1 error\n"
     "  population_metres.geojson: none of the 3 populated cells lies in a town; the file covers "
     "x 705250 to 706250, y 2490250 to 2490250 in its declared CRS EPSG:4326. The file's coordinate "
     f"system is probably wrong or missing (Jiangmen is {JM_BOX})"),
    ("population_wrong_crs.tif", "population", {},
     "cannot import population_wrong_crs.tif: 1 error\n"
     "  population_wrong_crs.tif: none of the 9 populated cells lies in a town; the raster covers "
     "x 113.02 to 113.05, y 22.55 to 22.58 in its declared CRS EPSG:32649. The file's coordinate "
     f"system is probably wrong or missing (Jiangmen is {JM_BOX})"),
]

# (file, kind, the exact warning lines expected in the report) — imported with warnings.
WARNED = [
    ("gcj02_declared_wgs84.csv", "facilities", [
        "gcj02_declared_wgs84.csv, column 经度/纬度: the points look like GCJ-02 (Amap/Tencent) "
        "coordinates declared as WGS-84: 3 of the 4 rows that name their town (所属镇街) lie outside "
        "it as WGS-84 but inside it when read as GCJ-02 (0 the other way); GCJ-02 points sit "
        "~500-700 m off the roads and towns. If the columns 经度 and 纬度 come from Amap, Tencent or "
        "a Chinese web map, import again with --crs gcj02 (crs='gcj02')"]),
    ("points_3d.geojson", "facilities", [
        "points_3d.geojson, column geometry: 2 features have 3D coordinates: the height (Z) is dropped"]),
    ("towns_3d.geojson", "towns", [
        "towns_3d.geojson, column geometry: 2 features have 3D coordinates: the height (Z) is dropped"]),
    ("towns_bowtie.zip", "towns", [
        "towns_bowtie.zip, row 2, column geometry: invalid polygon (Self-intersection[112.775 22.25]) repaired"]),
]

# Warnings that accompany some failing files (the report still carries them).
FAILING_WARNINGS = {
    "text_in_numeric.csv": ["text_in_numeric.csv, row 2, column 床位数: '十张' is not a whole number; left empty"],
    "merged_cells.xlsx": [
        "merged_cells.xlsx, row 3, column 所属镇街: merged cells D3:D4: the value '白沙街道' is copied to "
        "each cell of column 所属镇街, rows 3-4; check it applies to every row",
        "merged_cells.xlsx, row 5: merged cells A5:C5: the value '合计' is copied to each cell of "
        "columns 名称, 经度, 纬度, row 5; check it applies to every row",
    ],
}


def test_corpus_is_complete():
    """Every corpus file is exercised, and the generator's outputs are all there."""
    listed = {f for f, *_ in FAILING} | {f for f, *_ in WARNED}
    on_disk = {p.name for p in BAD.iterdir() if p.name != "make_corpus.py" and not p.name.startswith(".")}
    assert on_disk == listed


# ----------------------------------------------------------------------------- workspace


@pytest.fixture
def seeded(tmp_path, jm):
    """A workspace already holding a facility layer, a towns override and a population override."""
    ws = Workspace.open(tmp_path / "ws")
    import_into_workspace(ws, DATA / "canteens_gbk.csv", "facilities", layer_id=LAYER)
    ws.save_towns(towns_frame(), source_name="towns.geojson")
    pop = pd.DataFrame({"cell_id": [1, 2], "x": [0.0, 1.0], "y": [0.0, 1.0], "town_code": ["440703002"] * 2,
                        "district_code": ["440703"] * 2, "pop_total": [10, 20], "pop_60plus": [2, 3], "pop_0_17": [1, 1]})
    ws.save_population(pop, source_name="grid.csv")
    return ws


def _snapshot(ws: Workspace) -> dict:
    return {
        "files": {p.name: p.read_bytes() for p in sorted(ws.directory.iterdir()) if p.is_file()},
        "entries": ws.entries(),
        "history": ws.history(),
        "layer": ws.load_layer(LAYER).data.to_json(),
        "towns": ws.load_towns().data.to_json(),
        "population": ws.load_population().data.to_json(),
    }


def _import(ws, name, kind, opts):
    layer = {"layer_id": LAYER} if kind == "facilities" else {}
    return import_into_workspace(ws, BAD / name, kind, **layer, **opts)


@pytest.mark.parametrize("name,kind,opts,message", FAILING, ids=[c[0] for c in FAILING])
def test_bad_file_fails_and_workspace_unchanged(seeded, name, kind, opts, message):
    before = _snapshot(seeded)
    with pytest.raises(DataImportError) as info:
        _import(seeded, name, kind, opts)
    assert str(info.value) == message
    warnings = [str(w) for w in info.value.report.warnings]
    for expected in FAILING_WARNINGS.get(name, []):
        assert expected in warnings
    after = _snapshot(seeded)
    assert after == before
    assert seeded.check().ok


@pytest.mark.parametrize("name,kind,expected", WARNED, ids=[c[0] for c in WARNED])
def test_warned_file_imports_with_its_warning(seeded, name, kind, expected):
    before = {(e.kind, e.name): e.version for e in seeded.entries()}
    data, report, version = _import(seeded, name, kind, {})
    warnings = [str(w) for w in report.warnings]
    assert warnings[: len(expected)] == expected or set(expected) <= set(warnings)
    after = {(e.kind, e.name): e.version for e in seeded.entries()}
    changed = {k for k in after if after[k] != before.get(k)}
    assert len(changed) == 1 and after[changed.pop()] == version
    assert all(not g.has_z for g in data.geometry)


def test_points_3d_keep_their_position(jm):
    gdf, _ = read_facilities(BAD / "points_3d.geojson", LAYER)
    assert [(g.x, g.y) for g in gdf.geometry] == [(113.05, 22.55), (112.78, 22.25)]
    assert list(gdf["town_code"]) == ["440703002", "440781001"]


def test_single_part_multipoint_is_a_point(jm, tmp_path):
    src = tmp_path / "one.geojson"
    gpd.GeoDataFrame({"名称": ["甲"]}, geometry=gpd.GeoSeries.from_wkt(["MULTIPOINT (113.05 22.55)"]),
                     crs="EPSG:4326").to_file(src, driver="GeoJSON")
    gdf, report = read_facilities(src, LAYER)
    assert gdf.geometry.iloc[0].equals(Point(113.05, 22.55))
    assert "one.geojson, row 1, column geometry: a MultiPoint with one point read as that point" in str(report)


def test_bowtie_town_is_repaired_to_its_area(jm):
    from coverage.io import read_towns

    towns, _ = read_towns(BAD / "towns_bowtie.zip")
    b = towns.set_index("town_code").geometry["440781001"]
    # the bow tie's two triangles: each half of the box's 0.15 x 0.10 degrees
    assert b.is_valid and b.geom_type == "MultiPolygon"
    assert b.area == pytest.approx(0.15 * 0.10 / 2)


# ----------------------------------------------------------------------------- merged cells


def test_merged_town_cells_fill_every_row(jm, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [["名称", "经度", "纬度", "所属镇街"], ["甲", 113.05, 22.55, "台城街道"],
                                             ["乙", 113.06, 22.56, None]])
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("D2:D3")
    wb.save(path)
    gdf, report = read_facilities(path, LAYER)
    # the file names 台城 for both rows (kept over the polygon, which is 白沙)
    assert list(gdf["town_code"]) == ["440781001", "440781001"]
    assert ("m.xlsx, row 2, column 所属镇街: merged cells D2:D3: the value '台城街道' is copied to each "
            "cell of column 所属镇街, rows 2-3; check it applies to every row") in [str(w) for w in report.warnings]


# ----------------------------------------------------------------------------- gzip cap


def test_gzip_under_the_cap_imports(jm, tmp_path):
    src = tmp_path / "ok.csv.gz"
    src.write_bytes(gzip.compress("名称,经度,纬度\n甲,113.05,22.55\n".encode("utf-8")))
    gdf, _ = read_facilities(src, LAYER, max_mb=1)
    assert list(gdf["name"]) == ["甲"]


def test_gzip_cap_counts_uncompressed_bytes(jm, tmp_path):
    body = ("名称,经度,纬度\n" + "甲,113.05,22.55\n" * 7_000).encode("utf-8")  # 119,021 bytes
    src = tmp_path / "big.csv.gz"
    src.write_bytes(gzip.compress(body))
    assert len(body) == 119_021 and src.stat().st_size < 5_000
    # the compressed file is far under both limits; its content is over the first
    with pytest.raises(DataImportError, match="big.csv.gz: decompresses to more than the 0.119 MB"):
        read_facilities(src, LAYER, max_mb=0.119)
    gdf, _ = read_facilities(src, LAYER, max_mb=0.12)
    assert len(gdf) == 7_000


def test_corrupt_gzip_names_the_file(jm, tmp_path):
    src = tmp_path / "broken.csv.gz"
    src.write_bytes(gzip.compress(b"name,lon,lat\n" * 100)[:40])
    with pytest.raises(DataImportError, match=r"broken.csv.gz: cannot decompress"):
        read_facilities(src, LAYER)


# ----------------------------------------------------------------------------- GCJ-02 check


def _gcj_rows(points, town="白沙街道"):
    rows = [["名称", "经度", "纬度", "所属镇街"]]
    for k, (x, y) in enumerate(points):
        rows.append([f"站点{k}", x, y, town])
    return rows


NEAR_EAST_EDGE = [(113.097, 22.55), (113.098, 22.57), (113.096, 22.53)]


def test_true_wgs84_points_are_not_flagged(jm, tmp_path):
    src = write_csv(tmp_path / "wgs.csv", _gcj_rows(NEAR_EAST_EDGE))
    _, report = read_facilities(src, LAYER)
    assert not any("GCJ-02" in w.message for w in report.warnings)


def test_gcj02_file_read_as_gcj02_is_not_flagged_and_lands_in_its_town(jm):
    gdf, report = read_facilities(BAD / "gcj02_declared_wgs84.csv", LAYER, crs="gcj02")
    assert not any("GCJ-02" in w.message for w in report.warnings)
    box_a = (113.00, 22.50, 113.10, 22.60)
    assert all(box_a[0] < g.x < box_a[2] and box_a[1] < g.y < box_a[3] for g in gdf.geometry)


def test_one_stray_point_is_not_enough(jm, tmp_path):
    gx, gy = wgs84_to_gcj02(113.097, 22.55)
    src = write_csv(tmp_path / "one.csv", _gcj_rows([(float(gx), float(gy)), (113.05, 22.55)]))
    _, report = read_facilities(src, LAYER)
    assert not any("GCJ-02" in w.message for w in report.warnings)


def test_gcj02_evidence_counts_both_directions():
    towns = towns_frame()
    # row 0: GCJ-02 point east of A (fixed by converting); row 1: true point at A's west
    # edge (converting moves it out: broken); row 2 names no town.
    gx, gy = wgs84_to_gcj02(113.097, 22.55)
    lon = np.array([float(gx), 113.001, 113.05])
    lat = np.array([float(gy), 22.55, 22.55])
    assert gcj02_evidence(lon, lat, ["440703002", "440703002", None], towns) == (1, 1, 2)


# ----------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("name,kind,opts,message", FAILING, ids=[c[0] for c in FAILING])
def test_cli_failure_leaves_existing_output_untouched(jm, tmp_path, capsys, name, kind, opts, message):
    out = tmp_path / ("keep.csv" if kind == "population" else "keep.geojson")
    out.write_bytes(b"previous output\n")
    argv = ["import", str(BAD / name), "--kind", kind, "--out", str(out), "--force", "--lang", "en"]
    if kind == "facilities":
        argv += ["--layer", LAYER]
    if "max_mb" in opts:
        argv += ["--max-mb", str(opts["max_mb"])]
    assert main(argv) == 2
    assert out.read_bytes() == b"previous output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["jm", out.name])  # no temp file left
    assert capsys.readouterr().err.startswith(f"error: {message}")


# ----------------------------------------------------------------------------- formula injection

EVIL = '=HYPERLINK("http://example.invalid/x","点我")'


def test_spreadsheet_safe_rules():
    df = pd.DataFrame({
        "text": [EVIL, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "平安站", "-12.5", "-", None],
        "n": range(10),
    })
    out = spreadsheet_safe(df)
    assert list(out["text"][:6]) == ["'" + v for v in df["text"][:6]]
    assert list(out["text"][6:9]) == ["平安站", "-12.5", "-"]
    assert pd.isna(out["text"].iloc[9])
    assert list(out["n"]) == list(range(10))
    assert df["text"].iloc[0] == EVIL  # input untouched


def _csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row]


def test_imported_formula_name_is_kept_as_data_but_neutralised_in_siting_csv(jm, tmp_path):
    from coverage.siting import SitingResult

    src = write_csv(tmp_path / "evil.csv", [["名称", "经度", "纬度"], [EVIL, 113.05, 22.55]])
    gdf, _ = read_facilities(src, LAYER)
    assert gdf["name"].iloc[0] == EVIL  # the data itself is not altered
    sites = gpd.GeoDataFrame({"rank": [1], "name": gdf["name"]}, geometry=list(gdf.geometry), crs="EPSG:4326")
    out = SitingResult(sites, {}).to_csv(tmp_path / "sites.csv")
    cells = _csv_cells(out)
    assert "'" + EVIL in cells and EVIL not in cells


def test_coverage_rates_csv_neutralises(tmp_path):
    from coverage.commands.coverage_rates import write_csv as write_rates

    df = pd.DataFrame({"town_zh": [EVIL, "白沙街道"], "rate": [0.5, 0.75]})
    cells = _csv_cells(write_rates(df, tmp_path / "rates.csv"))
    assert cells == ["town_zh", "rate", "'" + EVIL, "0.5", "白沙街道", "0.75"]


def _review(note: str):
    from coverage.review import COLUMNS, ReviewResult, Status

    row = {c: None for c in COLUMNS}
    row.update(year=2025, level="district", district_code="440703", district_zh=note, indicator_id="X1",
               indicator_zh="测试指标", unit="rate", value=1.0, status=Status.MEASURED, lacking=(), skipped=0,
               caveat=False)  # an uploaded district name
    return ReviewResult(year=2025, rows=pd.DataFrame([row]), notes=[note])


def test_review_csv_and_xlsx_neutralise(tmp_path):
    review = _review(EVIL)
    cells = _csv_cells(review.to_csv(tmp_path / "review.csv"))
    assert "'" + EVIL in cells and EVIL not in cells
    wb = openpyxl.load_workbook(review.to_excel(tmp_path / "review.xlsx"))
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert values.count("'" + EVIL) == 2  # the row's place name and the 说明 sheet
    assert EVIL not in values
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_cli_prints_the_gcj02_warning_and_still_writes(jm, tmp_path, capsys):
    out = tmp_path / "o.geojson"
    assert main(["import", str(BAD / "gcj02_declared_wgs84.csv"), "--layer", LAYER, "--out", str(out), "--lang", "en"]) == 0
    stdout = capsys.readouterr().out
    assert "WARNING: gcj02_declared_wgs84.csv, column 经度/纬度: the points look like GCJ-02" in stdout
    assert "import again with --crs gcj02" in stdout
    assert out.exists()


def test_xlsx_that_expands_past_the_archive_cap_is_refused(jm, tmp_path):
    import zipfile

    src = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * 2_000_000)
    assert src.stat().st_size < 10_000
    with pytest.raises(DataImportError) as info:
        read_facilities(src, LAYER, max_mb=0.05)
    assert str(info.value) == (
        "cannot import bomb.xlsx: 1 error\n  bomb.xlsx: its contents expand to 2 MB, over the 1 MB limit "
        "for archives (20× the 0.05 MB import limit; raise it with max_mb=)"
    )


def test_renamed_csv_is_not_a_workbook(jm, tmp_path):
    src = tmp_path / "fake.xlsx"
    src.write_text("名称,经度,纬度\n甲,113.05,22.55\n", encoding="utf-8")
    with pytest.raises(DataImportError, match=r"fake.xlsx: cannot open as an Excel workbook: File is not a zip file \(damaged, or another format renamed .xlsx\)"):
        read_facilities(src, LAYER)
