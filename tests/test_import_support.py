"""Shared hand-made fixtures for the import tests (no tests of its own).

A two-town "Jiangmen" whose answers are known by construction:

* town A = 440703002 白沙街道 (蓬江区 440703): the box 113.00-113.10 E, 22.50-22.60 N;
* town B = 440781001 台城街道 (台山市 440781): the box 112.70-112.85 E, 22.20-22.30 N;
* the city outline: the box 112.0-113.2 E, 21.5-22.8 N (Guangzhou, 113.26 E 23.13 N, is outside);
* no default population grid (so age shares come from the 2020 census table).

``jm`` points ``coverage.paths`` at these files for the duration of a test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from coverage import paths

DATA = Path(__file__).parent / "data" / "import"

TOWN_A = ("440703002", "白沙街道", "Baisha Subdistrict", "街道", "urban", "440703", "蓬江区")
TOWN_B = ("440781001", "台城街道", "Taicheng Subdistrict", "街道", "urban", "440781", "台山市")
BOX_A = (113.00, 22.50, 113.10, 22.60)
BOX_B = (112.70, 22.20, 112.85, 22.30)
CITY_BOX = (112.0, 21.5, 113.2, 22.8)
IN_A = (113.05, 22.55)
IN_B = (112.78, 22.25)


def towns_frame() -> gpd.GeoDataFrame:
    rows = []
    for (code, zh, en, typ, area, dcode, dzh), b in ((TOWN_A, BOX_A), (TOWN_B, BOX_B)):
        rows.append(
            {
                "town_code": code, "town_zh": zh, "town_en": en, "town_type": typ, "area_type": area,
                "district_code": dcode, "district_zh": dzh,
                "seat_lon": (b[0] + b[2]) / 2, "seat_lat": (b[1] + b[3]) / 2,
                "seat_source": "geonames", "geometry_source": "modelled:voronoi-of-seats",
                "geometry": box(*b),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


@pytest.fixture
def jm(tmp_path, monkeypatch):
    """Point coverage.paths at the two-town fixture; return the directory."""
    d = tmp_path / "jm"
    d.mkdir()
    towns_frame().to_file(d / "towns.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"name": ["江门市"]}, geometry=[box(*CITY_BOX)], crs="EPSG:4326").to_file(
        d / "city.geojson", driver="GeoJSON"
    )
    monkeypatch.setattr(paths, "TOWNS_FILE", d / "towns.geojson")
    monkeypatch.setattr(paths, "CITY_FILE", d / "city.geojson")
    monkeypatch.setattr(paths, "POPULATION_FILE", d / "missing_grid.csv.gz")
    return d


@pytest.fixture
def no_defaults(tmp_path, monkeypatch):
    """No default towns, city or population files at all."""
    for name in ("TOWNS_FILE", "CITY_FILE", "POPULATION_FILE"):
        monkeypatch.setattr(paths, name, tmp_path / f"missing_{name}")


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    """Write ``rows`` (header first) as CSV in ``encoding`` (``utf-8-sig`` adds a BOM)."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]], title: str | None = None) -> Path:
    """Write ``rows`` (header first) to a one-sheet workbook, with an optional merged title row."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "站点"
    if title is not None:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, len(rows[0])))
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path
