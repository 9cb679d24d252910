"""The column vocabulary of every table: one name per thing, written once.

Keys: ``town_code`` (9-digit str) and ``district_code`` (6-digit str) — never ``code`` or
``county``. Counts of people are ``served`` (the layer's group living in the units), ``covered``
(of whom within the standard), ``uncovered``, ``off_network``; a ``rate`` is a fraction 0-1
(never a percentage). ``level`` is one of :data:`LEVELS`. Names in Chinese are ``*_zh``, in
English ``*_en``; any other text is produced at the edges from :mod:`coverage.i18n`.

This module is a leaf: it imports nothing from :mod:`coverage`.
"""

from __future__ import annotations

__all__ = [
    "TOWN_CODE",
    "DISTRICT_CODE",
    "LEVELS",
    "POPULATION_GROUPS",
    "PROVENANCE_VALUES",
    "DISTRICT_COLUMNS",
    "TOWN_COLUMNS",
    "POPULATION_COLUMNS",
    "FACILITY_COLUMNS",
    "FACILITY_INT_COLUMNS",
    "FACILITY_EXTRA_COLUMNS",
    "COMMUNITY_COLUMNS",
    "COVERAGE_COLUMNS",
    "UNIT_COVERAGE_COLUMNS",
    "RATIO_COLUMNS",
]

TOWN_CODE = "town_code"
DISTRICT_CODE = "district_code"

#: Rows of a per-unit table, finest first (``county`` rows of a unit table are districts).
LEVELS: tuple[str, ...] = ("town", "district", "city")

#: Population-grid columns of the served groups.
POPULATION_GROUPS: tuple[str, ...] = ("pop_total", "pop_60plus", "pop_0_17")

#: Values of ``Region.provenance``.
PROVENANCE_VALUES: tuple[str, ...] = ("real", "modelled", "illustrative", "uploaded", "none")

DISTRICT_COLUMNS: list[str] = [DISTRICT_CODE, "district_zh", "district_en", "geometry_source"]

TOWN_COLUMNS: list[str] = [
    TOWN_CODE, "town_zh", "town_en", "town_type", "area_type", DISTRICT_CODE, "district_zh",
    "seat_lon", "seat_lat", "seat_source", "geometry_source",
]

POPULATION_COLUMNS: list[str] = ["cell_id", "x", "y", TOWN_CODE, DISTRICT_CODE, *POPULATION_GROUPS]

FACILITY_COLUMNS: list[str] = [
    "facility_id", "name", "layer", TOWN_CODE, DISTRICT_CODE, "address",
    "beds", "nursing_beds", "opening_year", "source",
]
FACILITY_INT_COLUMNS: tuple[str, ...] = ("beds", "nursing_beds", "opening_year")
#: Columns an uploaded facility layer carries after :data:`FACILITY_COLUMNS` (the register's own type).
FACILITY_EXTRA_COLUMNS: tuple[str, ...] = ("type",)

#: :func:`coverage.io.read_communities`: one row per community (社区/村), point or polygon.
COMMUNITY_COLUMNS: list[str] = ["community_code", "community_zh", TOWN_CODE, DISTRICT_CODE, "geometry_kind", "source"]

#: :func:`coverage.metrics.population_coverage`: one row per town, district and the city.
COVERAGE_COLUMNS: list[str] = [
    "level", TOWN_CODE, "town_zh", DISTRICT_CODE, "district_zh", "layer", "served_group",
    "served", "covered", "uncovered", "off_network", "rate",
]

#: :func:`coverage.metrics.unit_coverage`: one row per unit (town or county), district and the city.
UNIT_COVERAGE_COLUMNS: list[str] = [
    "level", TOWN_CODE, "town_zh", DISTRICT_CODE, "district_zh", "layer", "facilities", "units",
    "units_with", "units_without", "rate",
]

#: Ratio indicators (:func:`coverage.metrics.nursing_bed_share` …): district rows and the city.
RATIO_COLUMNS: list[str] = [
    "level", DISTRICT_CODE, "district_zh", "indicator", "numerator", "denominator", "value", "unit",
    "status", "skipped",
]
