"""Tiny hostile files refused by a named limit before they take gigabytes or minutes.

Each test crafts a small file whose parts expand far beyond what a real one holds and checks
the import is refused with a clear error naming the file and the part (or row), while a file
just inside the limit still imports.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

import coverage.io.xlsx as xlsx
from coverage.i18n import STRINGS
from coverage.io import DataImportError
from coverage.settings import MAX_XLSX_PART_MB, MAX_XLSX_STRING_CHARS
from test_import_support import jm, no_defaults  # noqa: F401

SST_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _parts() -> dict[str, bytes]:
    """The parts of a small valid workbook: a header and one facility (text cells as shared strings)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "经度", "纬度"])
    ws.append(["甲站", 113.05, 22.55])
    ws["D2"].number_format = "yyyy-mm-dd"
    ws["D2"] = 45000
    buf = io.BytesIO()
    wb.save(buf)
    zf = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    return {n: zf.read(n) for n in zf.namelist()}


def _workbook(path: Path, replace: dict[str, bytes]) -> Path:
    parts = {**_parts(), **replace}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _comments(size: int) -> bytes:
    """About ``size`` bytes of XML comments (1 kB each, as the parser takes them)."""
    one = b"<!-- " + b"x" * 990 + b" -->"
    return one * (size // len(one))


def _codes(exc: pytest.ExceptionInfo) -> list[str]:
    return [e.code for e in exc.value.report.errors]


def _shared(*items: bytes) -> bytes:
    """A shared-string table of the header's and the row's text, then ``items``."""
    own = b"".join(b"<si><t>" + t.encode() + b"</t></si>" for t in ("名称", "经度", "纬度", "甲站"))
    return SST_HEAD + own + b"".join(items) + b"</sst>"


def test_the_small_workbook_reads_with_its_strings_and_dates(tmp_path):
    path = _workbook(tmp_path / "ok.xlsx", {"xl/sharedStrings.xml": _shared()})
    scan = xlsx.scan_workbook(path, values=True)[0]
    values = dict(zip(zip(scan.data.rows, scan.data.cols), scan.data.values))
    assert values[(1, 1)] == "名称" and values[(2, 1)] == "甲站" and values[(2, 2)] == 113.05
    assert values[(2, 4)].year == 2023  # serial 45000 with a date format: 2023-03-15


@pytest.mark.parametrize("part", ["xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
def test_a_part_expanding_past_the_limit_is_refused_before_it_is_parsed(tmp_path, part):
    """A part of a few hundred kB zipped declaring more than MAX_XLSX_PART_MB is refused by its size."""
    original = _parts()[part]
    cut = original.rindex(b"</")
    filler = _comments(int(MAX_XLSX_PART_MB * 1e6))
    path = _workbook(tmp_path / "bomb.xlsx", {part: original[:cut] + filler + original[cut:]})
    assert path.stat().st_size < 1_000_000
    for values in (True, False) if part != "xl/styles.xml" else (True,):  # listing the sheets is refused too
        with pytest.raises(DataImportError) as exc:
            xlsx.scan_workbook(path, values=values)
        assert _codes(exc) == ["import.tables.xlsx_part_too_large"]
        assert str(exc.value) == (
            f"cannot import bomb.xlsx: 1 error\n  bomb.xlsx: the workbook part {part!r} expands to 32 MB, over the "
            "32 MB limit (settings.MAX_XLSX_PART_MB): the file was not saved normally by a spreadsheet program, or "
            "is damaged; open it in Excel/WPS and save it again, or save it as CSV"
        )
        assert "工作簿的部件" in exc.value.text("zh")


def test_a_styles_part_just_inside_the_limit_still_reads(tmp_path):
    original = _parts()["xl/styles.xml"]
    cut = original.rindex(b"</")
    filler = _comments(int(MAX_XLSX_PART_MB * 1e6) - len(original) - 1000)
    path = _workbook(tmp_path / "big.xlsx", {"xl/styles.xml": original[:cut] + filler + original[cut:],
                                            "xl/sharedStrings.xml": _shared()})
    scan = xlsx.scan_workbook(path, values=True)[0]
    assert scan.cells == 7 and scan.data.values[-1].year == 2023


def test_a_shared_string_table_past_its_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_XLSX_STRINGS_MB", 1.0)
    path = _workbook(tmp_path / "sst.xlsx", {"xl/sharedStrings.xml": _shared(b"<si><t>ab</t></si>" * 60_000)})
    with pytest.raises(DataImportError) as exc:
        xlsx.scan_workbook(path, values=True)
    assert _codes(exc) == ["import.tables.xlsx_part_too_large"]
    assert "'xl/sharedStrings.xml' expands to 1 MB, over the 1 MB limit (settings.MAX_XLSX_STRINGS_MB)" in str(
        exc.value)


@pytest.mark.parametrize("rich", [False, True], ids=["plain", "rich_text"])
def test_a_shared_string_longer_than_excel_allows_is_refused_naming_the_item(tmp_path, rich):
    """Excel writes at most 32,767 characters in a cell; the 5th item here has one more."""
    long = "长" * (MAX_XLSX_STRING_CHARS + 1)
    item = (b"<si><r><t>" + long[:100].encode() + b"</t></r><r><t>" + long[100:].encode() + b"</t></r></si>" if rich
            else b"<si><t>" + long.encode() + b"</t></si>")
    path = _workbook(tmp_path / "long.xlsx", {"xl/sharedStrings.xml": _shared(item)})
    with pytest.raises(DataImportError) as exc:
        xlsx.scan_workbook(path, values=True)
    assert _codes(exc) == ["import.tables.xlsx_string_too_long"]
    assert "the workbook's shared string 5 is longer than 32,767 characters (Excel's own limit for a cell)" in str(
        exc.value)
    # one character fewer reads
    item = item.replace("长".encode(), b"", 1)
    path = _workbook(tmp_path / "fits.xlsx", {"xl/sharedStrings.xml": _shared(item)})
    assert xlsx.scan_workbook(path, values=True)[0].cells == 7


def test_one_shared_string_of_megabytes_is_refused_without_buffering_it_whole(tmp_path):
    """A single item larger than any Excel writes (no item boundary in 8 MB) is refused at once."""
    path = _workbook(tmp_path / "huge.xlsx", {"xl/sharedStrings.xml": _shared(b"<si><t>" + b"A" * (9 << 20)
                                                                            + b"</t></si>")})
    with pytest.raises(DataImportError) as exc:
        xlsx.scan_workbook(path, values=True)
    assert _codes(exc) == ["import.tables.xlsx_string_too_long"]
    assert exc.value.report.errors[0].values["item"] == 5


@pytest.mark.parametrize("rich", [False, True], ids=["plain", "rich_text"])
def test_more_shared_strings_than_the_limit_are_refused(tmp_path, monkeypatch, rich):
    monkeypatch.setattr(xlsx, "MAX_XLSX_STRINGS", 50)
    item = b"<si><r><t>a</t></r></si>" if rich else b"<si><t>a</t></si>"
    path = _workbook(tmp_path / "many.xlsx", {"xl/sharedStrings.xml": _shared(item * 47)})
    with pytest.raises(DataImportError) as exc:
        xlsx.scan_workbook(path, values=True)
    assert _codes(exc) == ["import.tables.xlsx_too_many_strings"]
    assert "holds more than 50 items" in str(exc.value)
    path = _workbook(tmp_path / "fits.xlsx", {"xl/sharedStrings.xml": _shared(item * 46)})
    assert xlsx.scan_workbook(path, values=True)[0].cells == 7


def test_rich_text_and_phonetic_runs_read_as_openpyxl_reads_them(tmp_path):
    """The streamed element-tree path: runs joined, phonetic guides left out."""
    item = (b"<si><r><rPr><b/></rPr><t>\xe7\x94\xb2</t></r><r><t>\xe7\xab\x99</t></r>"
            b"<rPh sb=\"0\" eb=\"1\"><t>jia</t></rPh></si>")
    sst = _shared().replace("<si><t>甲站</t></si>".encode(), item)
    path = _workbook(tmp_path / "rich.xlsx", {"xl/sharedStrings.xml": sst})
    scan = xlsx.scan_workbook(path, values=True)[0]
    assert scan.data.values[3] == "甲站"
    reference = openpyxl.load_workbook(path, read_only=True).active
    assert [c.value for c in next(reference.iter_rows(min_row=2, max_row=2))][0] == "甲站"


def test_the_new_codes_are_in_the_catalogue_in_both_languages():
    for code in ("import.tables.xlsx_part_too_large", "import.tables.xlsx_too_many_strings",
                 "import.tables.xlsx_string_too_long"):
        zh, en = STRINGS[code][:2] if isinstance(STRINGS[code], tuple) else (None, None)
        assert zh and en


def test_a_geojson_nested_a_hundred_thousand_deep_is_refused_not_a_recursion_error(tmp_path):
    """Two "FeatureCollection" texts make the nesting check parse the file; 100,000 arrays overflow it."""
    from coverage.io import read_facilities

    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.geojson"
    path.write_text('{"type":"FeatureCollection","note":{"type":"FeatureCollection"},"features":[{"type":"Feature",'
                    '"properties":{"名称":"甲站","deep":' + deep + '},"geometry":{"type":"Point","coordinates":'
                    '[113.05,22.55]}}]}', encoding="utf-8")
    with pytest.raises(DataImportError) as exc:
        read_facilities(path, "elder_care_station")
    assert _codes(exc) == ["import.tables.geojson_too_deep"]
    assert str(exc.value) == (
        "cannot import deep.geojson: 1 error\n  deep.geojson, column geometry: the GeoJSON nests arrays or objects "
        "too deep to read (thousands of levels): not a layer a GIS program writes; export it again")
    assert "嵌套过深" in exc.value.text("zh")


# ----------------------------------------------------------------------------- town polygons

def _ring_town(tmp_path: Path, turns: int) -> Path:
    """One town whose outer ring runs round its box ``turns`` times (a bow-tie-free, fully overlapping ring)."""
    import geopandas as gpd
    from shapely.geometry import Polygon

    from test_import_support import BOX_B

    x0, y0, x1, y1 = BOX_B
    loop = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    path = tmp_path / f"ring_{turns}.geojson"
    gpd.GeoDataFrame({"town_code": ["440781001"]}, geometry=[Polygon(loop * turns + [loop[0]])],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def test_a_ring_running_round_its_town_many_times_is_refused_before_repair(tmp_path, no_defaults, monkeypatch):
    """64 turns: 257 vertices, tens of thousands of edge crossings (the repair grows with them)."""
    import coverage.io.towns as towns

    def no_repair(geom):
        raise AssertionError("make_valid must not run on a tangled ring")

    monkeypatch.setattr(towns.shapely, "make_valid", no_repair)
    with pytest.raises(DataImportError) as exc:
        towns.read_towns(_ring_town(tmp_path, 64))
    assert str(exc.value).splitlines() == [
        "cannot import ring_64.geojson: 1 error",
        # the limit grows with the polygon's vertices: 4 × 257 = 1,028 (a ring going round 64 times has far more)
        "  ring_64.geojson, row 1, column geometry: invalid polygon whose edges cross each other in more than 1,028 "
        "places (settings.MAX_TOWN_REPAIR_CROSSINGS), too tangled to repair: the boundary may run round the same "
        "outline many times; fix it in a GIS program and export it again",
    ]
    assert "无法修复" in exc.value.text("zh")


def test_a_ring_going_round_twice_is_still_repaired(tmp_path, no_defaults):
    """Two turns cross a few times only: repaired into the box, with the repair warning."""
    from shapely.geometry import box

    from coverage.io import read_towns
    from test_import_support import BOX_B

    gdf, report = read_towns(_ring_town(tmp_path, 2))
    assert gdf.geometry.iloc[0].area == pytest.approx(box(*BOX_B).area)
    assert [w.code for w in report.warnings if w.code == "import.towns.polygon_repaired"] == [
        "import.towns.polygon_repaired"]


def test_a_town_drawn_as_parts_sharing_a_long_border_is_repaired_not_refused(tmp_path, no_defaults):
    """Two parts of one town sharing a wiggly border of ~1,500 vertices (a dissolve gone wrong, parcels
    collected into a town) count thousands of "crossings" along the shared edges, yet repair in
    milliseconds: the limit grows with the polygon, so the town is repaired (with the warning)."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import LineString, MultiPolygon, box
    from shapely.ops import split

    from coverage.io import read_towns
    from coverage.io.polygon_limits import edge_crossings
    from test_import_support import BOX_B

    town = box(*BOX_B)
    x0, y0, x1, y1 = BOX_B
    ys = np.linspace(y0 - 0.001, y1 + 0.001, 1500)
    xs = (x0 + x1) / 2 + (x1 - x0) * 0.05 * np.sin(ys * 5000)
    parts = [g for g in split(town, LineString(np.c_[xs, ys])).geoms if g.geom_type == "Polygon"]
    shape = MultiPolygon(parts)
    assert not shape.is_valid and edge_crossings(shape, 10**9) > 1_000  # over the old fixed limit
    path = tmp_path / "parts.geojson"
    gpd.GeoDataFrame({"town_code": ["440781001"]}, geometry=[shape], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    gdf, report = read_towns(path)
    assert gdf.geometry.iloc[0].area == pytest.approx(town.area, rel=1e-6)
    assert "import.towns.polygon_repaired" in [w.code for w in report.warnings]


def test_edge_crossings_count_exactly_up_to_the_limit():
    from shapely.geometry import MultiPolygon, Polygon, box

    from coverage.io.polygon_limits import edge_crossings

    assert edge_crossings(box(0, 0, 1, 1), 10) == 0
    assert edge_crossings(Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), 10) == 1  # a bow-tie
    holed = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
    assert edge_crossings(holed, 10) == 0
    # a shared edge: it overlaps its twin and touches the 2 x 2 edges meeting at its ends, which touch 2 more
    touching = MultiPolygon([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    assert edge_crossings(touching, 10) == 7
    loop = [(0, 0), (1, 0), (1, 1), (0, 1)]
    assert edge_crossings(Polygon(loop * 50 + [loop[0]]), 100) > 100


def test_towns_past_the_vertex_limits_are_refused_naming_the_row(tmp_path, no_defaults, monkeypatch):
    import geopandas as gpd
    from shapely.geometry import box

    import coverage.io.towns as towns
    from test_import_support import BOX_A, BOX_B

    path = tmp_path / "dense.geojson"
    dense = box(*BOX_B).segmentize(0.001)
    gpd.GeoDataFrame({"town_code": ["440703002", "440781001"]}, geometry=[box(*BOX_A), dense],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    n = len(dense.exterior.coords)
    monkeypatch.setattr(towns, "MAX_TOWN_VERTICES", n - 1)
    monkeypatch.setattr(towns, "MAX_TOWNS_VERTICES", n)
    with pytest.raises(DataImportError) as exc:
        towns.read_towns(path)
    assert [(e.code, e.row) for e in exc.value.report.errors] == [
        ("import.towns.too_many_vertices", 2), ("import.towns.too_many_vertices_in_all", None)]
    assert f"row 2, column geometry: the polygon has {n:,} vertices, over the limit of {n - 1:,} per town" in str(
        exc.value)
    monkeypatch.setattr(towns, "MAX_TOWN_VERTICES", n)
    monkeypatch.setattr(towns, "MAX_TOWNS_VERTICES", n + 5)
    assert len(towns.read_towns(path)[0]) == 2


def test_a_geos_failure_during_repair_is_an_import_error_naming_the_row(tmp_path, no_defaults, monkeypatch):
    """GEOS running out of memory (std::bad_alloc) while repairing a bow-tie."""
    import shapely

    import coverage.io.towns as towns
    from shapely.geometry import Polygon

    def out_of_memory(geom):
        raise shapely.errors.GEOSException("std::bad_alloc")

    path = tmp_path / "bow.geojson"
    import geopandas as gpd
    gpd.GeoDataFrame({"town_code": ["440781001"]}, geometry=[Polygon([(112.70, 22.20), (112.85, 22.30),
                     (112.85, 22.20), (112.70, 22.30)])], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    monkeypatch.setattr(towns.shapely, "make_valid", out_of_memory)
    with pytest.raises(DataImportError) as exc:
        towns.read_towns(path)
    assert str(exc.value).splitlines()[1] == (
        "  bow.geojson, row 1, column geometry: invalid polygon that cannot be repaired: std::bad_alloc; fix it in a "
        "GIS program and export it again")


# ----------------------------------------------------------------------------- GeoPackage views

def test_a_geopackage_layer_that_is_an_endless_view_is_refused_before_counting(tmp_path):
    """A recursive view of 10^12 rows listed as the only feature layer: GDAL would count it for ever."""
    import sqlite3

    import geopandas as gpd
    from shapely.geometry import Point

    from coverage.io import list_layers, read_facilities

    path = tmp_path / "view.gpkg"
    gpd.GeoDataFrame({"名称": ["甲站"]}, geometry=[Point(113.05, 22.55)], crs=4326).to_file(
        path, layer="stations", driver="GPKG")
    assert list_layers(path) == ["stations"]  # the plain table reads
    con = sqlite3.connect(path)
    con.execute("CREATE VIEW bomb AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                "WHERE i < 1000000000000) SELECT i AS fid, 'x' AS 名称, (SELECT geom FROM stations) AS geom FROM n")
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                "VALUES ('bomb', 'features', 'bomb', 4326)")
    con.execute("INSERT INTO gpkg_geometry_columns VALUES ('bomb', 'geom', 'POINT', 4326, 0, 0)")
    con.commit()
    con.close()
    for call in (lambda: list_layers(path), lambda: read_facilities(path, "elder_care_station")):
        with pytest.raises(DataImportError) as exc:
            call()
        assert str(exc.value) == (
            "cannot import view.gpkg: 1 error\n  view.gpkg: the GeoPackage layer 'bomb' is not a table of stored "
            "features (but an SQL view, a virtual table, or missing) and is not read: a view computes its rows, "
            "possibly without end; export the layer as a plain table")
        assert exc.value.report.errors[0].values == {"name": "bomb", "kind": "view"}


# ----------------------------------------------------------------------------- facility registers

def _register_rows(n: int) -> str:
    return "名称,经度,纬度\n" + "甲站,113.05,22.55\n" * n


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".xlsx"])
def test_a_register_past_the_row_limit_is_refused_naming_the_row(tmp_path, monkeypatch, suffix):
    """A tiny gz of identical rows (the hostile one unpacks to 2.44 M rows) stops at the limit."""
    import gzip

    import coverage.io.facilities as facilities

    monkeypatch.setattr(facilities, "MAX_FACILITY_ROWS", 100)
    path = tmp_path / f"rows{suffix}"
    if suffix == ".xlsx":
        wb = openpyxl.Workbook()
        for line in _register_rows(101).splitlines():
            name, lon, lat = line.split(",")
            wb.active.append([name, float(lon), float(lat)] if name != "名称" else [name, lon, lat])
        wb.save(path)
    elif suffix == ".csv.gz":
        path.write_bytes(gzip.compress(_register_rows(101).encode()))
    else:
        path.write_text(_register_rows(101), encoding="utf-8")
    with pytest.raises(DataImportError) as exc:
        facilities.read_facilities(path, "elder_care_station")
    assert _codes(exc) == ["import.tables.too_many_rows"]
    assert str(exc.value) == (
        f"cannot import {path.name}: 1 error\n  {path.name}, row 102: more than 100 data rows "
        "(settings.MAX_FACILITY_ROWS), far more than any county's facilities: check this is the right file, or "
        "split it by layer")


def test_a_csv_past_the_row_limit_stops_reading_there(tmp_path, monkeypatch):
    """The limit is checked while the records are read: row 102 + the header scan, not the millionth."""
    import coverage.io.facilities as facilities
    import coverage.io.tables as tables

    monkeypatch.setattr(facilities, "MAX_FACILITY_ROWS", 100)
    path = tmp_path / "long.csv"
    path.write_text(_register_rows(300) + "\"unclosed\n", encoding="utf-8")  # a quoting error far below
    with pytest.raises(DataImportError) as exc:
        facilities.read_facilities(path, "elder_care_station")
    assert _codes(exc) == ["import.tables.too_many_rows"]
    assert exc.value.report.errors[0].row == 100 + tables.HEADER_SCAN_ROWS + 1


def test_a_register_at_the_row_limit_reads_with_one_grouped_duplicate_warning(tmp_path, monkeypatch):
    import coverage.io.facilities as facilities

    monkeypatch.setattr(facilities, "MAX_FACILITY_ROWS", 100)
    path = tmp_path / "rows.csv"
    path.write_text(_register_rows(100), encoding="utf-8")
    gdf, report = facilities.read_facilities(path, "elder_care_station")
    assert len(gdf) == 100
    dups = [w for w in report.warnings if w.code.startswith("import.facilities.duplicate")]
    assert [(w.code, w.row) for w in dups] == [("import.facilities.duplicates", 3)]
    assert str(dups[0]) == (
        "rows.csv, row 3, column 名称: 99 rows repeat an earlier row (same name, at most 5 m apart): rows 3, 4, 5, 6, "
        "7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22 and 79 more; all kept")


def test_up_to_twenty_duplicates_are_still_named_one_by_one(tmp_path):
    from coverage.io import read_facilities

    path = tmp_path / "rows.csv"
    path.write_text(_register_rows(21), encoding="utf-8")
    _, report = read_facilities(path, "elder_care_station")
    dups = [w for w in report.warnings if w.code.startswith("import.facilities.duplicate")]
    assert [(w.code, w.row, w.values["first_row"]) for w in dups] == [
        ("import.facilities.duplicate", r, 2) for r in range(3, 23)]


# ----------------------------------------------------------------------------- population polygons

def test_population_given_by_town_polygons_is_refused_not_put_in_one_cell(tmp_path):
    """A town of 34,017 people as one polygon would land in one 500 m cell; grid cells still read."""
    import geopandas as gpd
    from shapely.geometry import box

    from coverage.io import read_population
    from test_import_support import BOX_A

    cell = box(113.045, 22.545, 113.05, 22.55)  # about 0.5 km x 0.55 km
    path = tmp_path / "towns_pop.geojson"
    gpd.GeoDataFrame({"pop_total": [120, 34_017]}, geometry=[cell, box(*BOX_A)], crs="EPSG:4326").to_file(
        path, driver="GeoJSON")
    with pytest.raises(DataImportError) as exc:
        read_population(path)
    [error] = exc.value.report.errors
    assert (error.code, error.row, error.column) == ("import.population.polygons_too_large.one", 2, "geometry")
    assert error.values["largest"] > 100
    assert "1 polygon(s) larger than 1.5 km²" in str(exc.value) and "in row 2: " in str(exc.value)
    assert "人口点" in exc.value.text("zh")


# ----------------------------------------------------------------------------- rasters

@pytest.mark.parametrize("name", ["pop_worldpop_3arcsec.tif", "pop_ghs_mollweide_100m.tif", "pop_utm_1km.tif"])
def test_a_raster_placed_a_few_rows_at_a_time_gives_the_same_cells(jm, monkeypatch, name):
    """The pixels are put on the grid in bands of rows (bounded memory); the cells do not change."""
    import coverage.io.raster as raster
    from coverage.io import read_population

    path = Path(__file__).parent / "data" / "hostile" / name
    whole = read_population(path, census_check=False)[0]
    monkeypatch.setattr(raster, "PIXELS_AT_ONCE", 7)  # a row or so at a time
    banded = read_population(path, census_check=False)[0]
    assert len(whole) > 3
    assert banded["cell_id"].tolist() == whole["cell_id"].tolist()
    assert banded["town_code"].tolist() == whole["town_code"].tolist()
    assert banded["pop_total"].tolist() == whole["pop_total"].tolist()  # rounded per town: equal integers


def test_a_zipped_shapefile_with_room_for_too_many_vertices_is_refused_before_reading(tmp_path, no_defaults,
                                                                                      monkeypatch):
    import geopandas as gpd
    from shapely.geometry import box

    import coverage.io.towns as towns
    from test_import_support import BOX_B

    shp = tmp_path / "shp"
    shp.mkdir()
    dense = box(*BOX_B).segmentize(0.0005)
    gpd.GeoDataFrame({"town_code": ["440781001"]}, geometry=[dense], crs="EPSG:4326").to_file(shp / "t.shp")
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in shp.iterdir():
            zf.write(f, f.name)
    n = len(dense.exterior.coords)
    room = zipfile.ZipFile(path).getinfo("t.shp").file_size // 16
    assert n < room < n + 20  # 100 bytes of header, 56 of record header and box
    read_vector = towns.read_vector
    monkeypatch.setattr(towns, "MAX_TOWNS_VERTICES", room - 1)
    monkeypatch.setattr(towns, "read_vector", lambda *a, **k: pytest.fail("the file must not be read"))
    with pytest.raises(DataImportError) as exc:
        towns.read_towns(path)
    assert str(exc.value) == (
        f"cannot import t.zip: 1 error\n  t.zip: the zipped Shapefile expands to room for about {room:,} vertices, "
        f"over the limit of {room - 1:,} (settings.MAX_TOWNS_VERTICES); simplify the boundaries first")
    monkeypatch.setattr(towns, "MAX_TOWNS_VERTICES", room)
    monkeypatch.setattr(towns, "read_vector", read_vector)
    assert len(towns.read_towns(path)[0]) == 1


def test_the_vertex_room_of_a_zipped_project_counts_only_the_layer_chosen(tmp_path):
    """A zip of a project folder holds other layers too (roads …): with the towns layer named, only its
    .shp counts toward the vertex limit."""
    from coverage.io.polygon_limits import SHP_BYTES_PER_VERTEX, shapefile_vertex_room

    path = tmp_path / "project.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("towns.shp", b"\0" * 1600)
        zf.writestr("roads/roads.shp", b"\0" * 160_000)
    assert shapefile_vertex_room(path, "towns") == 1600 // SHP_BYTES_PER_VERTEX
    assert shapefile_vertex_room(path) == 161_600 // SHP_BYTES_PER_VERTEX  # no layer named: all of them
