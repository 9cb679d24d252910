"""Locations of the embedded default data."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BOUNDARIES = DATA / "boundaries"
POPULATION = DATA / "population"
FACILITIES = DATA / "facilities"
TARGETS = DATA / "targets"
DISTRICTS_FILE = BOUNDARIES / "districts.geojson"
TOWNS_FILE = BOUNDARIES / "towns.geojson"
CITY_FILE = BOUNDARIES / "city.geojson"
POPULATION_FILE = POPULATION / "grid_500m.csv.gz"
POPULATION_META = POPULATION / "grid_meta.json"
TARGETS_FILE = TARGETS / "plan_indicators.csv"
STANDARDS_FILE = DATA / "standards.csv"


def facility_file(layer_id: str) -> Path:
    """Path of the embedded facility layer ``layer_id``."""
    return FACILITIES / f"{layer_id}.geojson"
STANDARDS_DIR = DATA / "standards"
