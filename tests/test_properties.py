"""Property-based tests (hypothesis) of reach / coverage and of the facility importer.

Reach and coverage, on small generated regions (the hand-made towns of
``conftest.build_small_region`` with generated populations, facilities and, for
network mode, a generated street grid with random gaps, one-way streets and
speeds):

* adding a facility never uncovers a cell nor lengthens a trip (monotone);
* the result does not depend on the order the facilities are listed in;
* covered population never exceeds the served population, per town, district
  and city;
* the incremental what-if model (add / remove one site) equals a full recompute.

Importer (``coverage.io.read_facilities``) on generated CSV content: it either
returns every data row or raises ``DataImportError`` naming the bad rows, never
another exception, and never drops a row silently.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import itertools
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import Point, box

from conftest import ORIGIN, build_small_region
from coverage.crs import JIANGMEN_BBOX
from coverage.io import DataImportError, read_facilities
from coverage.io.encoding import clean_text
from coverage.metrics import population_coverage
from coverage.network import RoadNetwork
from coverage.reach import ReachModel, compute_reach

LAYER = "elder_care_station"  # walk 1000 m / 15 min in 街道, e-bike 2880 m / 15 min in 镇
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- strategies

# facility sites anywhere in (and a little around) the 4 km × 4 km test region, metres from ORIGIN
site = st.tuples(st.floats(-500, 4500, allow_nan=False), st.floats(-500, 4500, allow_nan=False))
sites = st.lists(site, min_size=0, max_size=6)
populations = st.lists(st.integers(0, 2_000), min_size=12, max_size=12)


@st.composite
def street_grids(draw) -> RoadNetwork | None:
    """None (distance mode) or a 9 × 9 street grid (500 m blocks) with random gaps and one-ways."""
    if not draw(st.booleans()):
        return None
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k = 9
    ij = np.array(list(itertools.product(range(k), range(k))))
    node_xy = np.column_stack([ORIGIN[0] + 500.0 * ij[:, 0], ORIGIN[1] + 500.0 * ij[:, 1]])
    idx = {tuple(p): n for n, p in enumerate(ij.tolist())}
    u, v = [], []
    for (i, j), n in idx.items():
        for di, dj in ((1, 0), (0, 1)):
            if (i + di, j + dj) in idx:
                u.append(n)
                v.append(idx[(i + di, j + dj)])
    u, v = np.array(u), np.array(v)
    keep = rng.random(len(u)) < 0.8
    u, v = u[keep], v[keep]
    return RoadNetwork.from_arrays(
        node_xy,
        u,
        v,
        oneway=rng.random(len(u)) < 0.15,
        drive_speed_kmh=rng.choice([20.0, 30.0, 50.0], size=len(u)),
    )


_TO_WGS84 = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)


@functools.lru_cache(maxsize=1)
def _base_region():
    return build_small_region()


def make_region(pop: list[int], facility_sites: list[tuple[float, float]], network: RoadNetwork | None):
    """The small region with population ``pop`` per cell and ``facility_sites`` for LAYER."""
    base = _base_region()
    population = base.population.copy()
    population["pop_total"] = pop
    population["pop_60plus"] = [p // 3 for p in pop]
    population["pop_0_17"] = [p // 5 for p in pop]
    facilities = dict(base.facilities)
    facilities[LAYER] = facility_frame(facility_sites)
    return dataclasses.replace(base, population=population, facilities=facilities, network=network)


def facility_frame(facility_sites: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    """Facilities at ``(dx, dy)`` metres from ORIGIN, as WGS-84 points (the Region schema)."""
    dx = np.array([s[0] for s in facility_sites], dtype=float)
    dy = np.array([s[1] for s in facility_sites], dtype=float)
    lon, lat = _TO_WGS84.transform(ORIGIN[0] + dx, ORIGIN[1] + dy)
    n = len(facility_sites)
    return gpd.GeoDataFrame(
        {"facility_id": [f"S{i}" for i in range(n)], "name": [f"站{i}" for i in range(n)], "layer": LAYER},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def assert_same_reach(a, b) -> None:
    np.testing.assert_array_equal(a.covered, b.covered)
    np.testing.assert_allclose(a.cost, b.cost, rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(a.limit, b.limit)
    assert a.mode == b.mode


# --------------------------------------------------------------------------- reach / coverage


@FAST
@given(pop=populations, existing=sites, new=site, network=street_grids())
def test_adding_a_facility_never_reduces_coverage(pop, existing, new, network):
    before = compute_reach(make_region(pop, existing, network), LAYER)
    after = compute_reach(make_region(pop, existing + [new], network), LAYER)
    assert before.mode == after.mode == ("distance" if network is None else "network")
    assert not (before.covered & ~after.covered).any(), "a cell lost coverage when a site was added"
    assert (after.cost <= before.cost + 1e-6).all()
    assert after.n_covered >= before.n_covered


@FAST
@given(pop=populations, existing=sites.filter(lambda s: len(s) >= 2), network=street_grids(), data=st.data())
def test_reach_does_not_depend_on_facility_order(pop, existing, network, data):
    order = data.draw(st.permutations(range(len(existing))))
    a = compute_reach(make_region(pop, existing, network), LAYER)
    b = compute_reach(make_region(pop, [existing[i] for i in order], network), LAYER)
    assert_same_reach(a, b)
    # the nearest facility is the same site (up to ties at equal cost)
    reached = a.nearest >= 0
    np.testing.assert_array_equal(reached, b.nearest >= 0)


@FAST
@given(pop=populations, existing=sites, network=street_grids())
def test_covered_population_never_exceeds_served(pop, existing, network):
    region = make_region(pop, existing, network)
    reach = compute_reach(region, LAYER)
    table = population_coverage(region, LAYER, reach=reach)
    assert (table["covered"] <= table["served"] + 1e-9).all()
    assert (table["covered"] >= 0).all()
    rates = table["rate"].dropna()
    assert ((rates >= 0) & (rates <= 1 + 1e-12)).all()
    city = table[table["level"] == "city"].iloc[0]
    served = region.served(LAYER)
    assert city["served"] == pytest.approx(served.sum())
    assert city["covered"] == pytest.approx(served[reach.covered].sum())
    assert reach.n_covered <= len(region.population)


@FAST
@given(pop=populations, existing=sites.filter(bool), new=site, network=street_grids(), data=st.data())
def test_incremental_what_if_equals_full_recompute(pop, existing, new, network, data):
    region = make_region(pop, existing, network)
    model = ReachModel(region, LAYER)
    lonlat = gpd.GeoSeries([Point(ORIGIN[0] + new[0], ORIGIN[1] + new[1])], crs="EPSG:32649").to_crs(4326)
    j = model.add_facility(float(lonlat.x.iloc[0]), float(lonlat.y.iloc[0]))
    assert j == len(existing)
    assert_same_reach(model.reach, compute_reach(make_region(pop, existing + [new], network), LAYER))

    gone = data.draw(st.integers(0, len(existing) - 1))
    model.remove_facility(gone)
    rest = [s for i, s in enumerate(existing) if i != gone] + [new]
    assert_same_reach(model.reach, compute_reach(make_region(pop, rest, network), LAYER))


# --------------------------------------------------------------------------- importer

# two towns splitting the Jiangmen box, so town assignment is cheap and deterministic
_minx, _miny, _maxx, _maxy = JIANGMEN_BBOX
_midx = (_minx + _maxx) / 2
TOWNS = gpd.GeoDataFrame(
    {"town_code": ["440703001", "440704001"], "district_code": ["440703", "440704"]},
    geometry=[box(_minx, _miny, _midx, _maxy), box(_midx, _miny, _maxx, _maxy)],
    crs="EPSG:4326",
)
_TMP = Path(tempfile.mkdtemp(prefix="coverage-props-"))

text_cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
good_lon = st.floats(112.2, 113.0).map(lambda f: f"{f:.6f}")  # inside Jiangmen
good_lat = st.floats(21.6, 22.7).map(lambda f: f"{f:.6f}")
bad_lon = st.one_of(
    st.one_of(st.floats(-200, 200), st.sampled_from([float("nan"), float("inf")])).map(str),
    st.sampled_from(["", " ", "abc", "113,08", "1e3", "113.08°", "—", "NaN"]),
    text_cell,
)
bad_lat = st.one_of(
    st.one_of(st.floats(-100, 100), st.sampled_from([float("nan"), float("-inf")])).map(str),
    st.sampled_from(["", "22.5.1", "北纬22.5", "-"]),
    text_cell,
)
beds_cell = st.one_of(st.integers(0, 500).map(str), st.sampled_from(["", "12.5", "十", "n/a", "-3"]), text_cell)


@st.composite
def facility_tables(draw) -> tuple[list[str], list[list[str]]]:
    header = ["名称", "经度", "纬度"]
    with_beds = draw(st.booleans())
    if with_beds:
        header.append("床位数")
    rows = []
    for i in range(draw(st.integers(1, 8))):
        # a non-blank name keeps every line a data row (fully blank lines are not rows)
        # most rows valid, so both outcomes (import / refusal) are common
        valid = draw(st.integers(0, 4)) > 0
        lon = draw(good_lon if valid else st.one_of(good_lon, bad_lon))
        lat = draw(good_lat if valid else st.one_of(good_lat, bad_lat))
        row = [f"站{i}" + draw(text_cell), lon, lat]
        if with_beds:
            row.append(draw(beds_cell))
        rows.append(row)
    return header, rows


def _write_csv(header, rows, encoding="utf-8") -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)  # "\r\n" rows: fields holding \r or \n get quoted
    writer.writerow(header)
    writer.writerows(rows)
    fd, name = tempfile.mkstemp(suffix=".csv", dir=_TMP)
    with open(fd, "w", encoding=encoding, newline="") as fh:
        fh.write(buf.getvalue())
    return Path(name)


def _import(path: Path):
    return read_facilities(path, "elder_canteen", bounds=JIANGMEN_BBOX, towns=TOWNS)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=facility_tables())
def test_importer_keeps_every_row_or_names_the_bad_ones(table):
    header, rows = table
    path = _write_csv(header, rows)
    try:
        gdf, report = _import(path)
    except DataImportError as exc:
        report = exc.report
        assert report.rows_read == len(rows), "rows went missing before validation"
        assert report.errors, "an import failed without an error"
        for err in report.errors:
            assert err.row is None or 2 <= err.row <= len(rows) + 1, str(err)
        assert path.name in str(exc)
    else:
        # success: every data row is in the result, in file order
        assert len(gdf) == report.rows_read == report.rows_imported == len(rows)
        assert not report.errors
        assert gdf["facility_id"].tolist() == [f"elder_canteen-r{i + 2}" for i in range(len(rows))]
        assert gdf["name"].tolist() == [clean_text(r[0])[0].strip() for r in rows]  # control chars: removed, warned
        assert gdf.crs == "EPSG:4326"
    finally:
        path.unlink()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_importer_only_raises_its_documented_error_on_junk(content):
    fd, name = tempfile.mkstemp(suffix=".csv", dir=_TMP)
    path = Path(name)
    with open(fd, "wb") as fh:
        fh.write(content if isinstance(content, bytes) else content.encode("utf-8"))
    try:
        gdf, report = _import(path)
    except DataImportError as exc:
        assert exc.report.errors
    else:
        assert len(gdf) == report.rows_read == report.rows_imported
    finally:
        path.unlink()


def test_importer_property_sanity():
    """The generators above produce both outcomes (so the properties are not vacuous)."""
    good = _write_csv(["名称", "经度", "纬度"], [["站A", "112.5", "22.3"], ["站B", "112.9", "22.6"]])
    bad = _write_csv(["名称", "经度", "纬度"], [["站A", "112.5", "22.3"], ["站B", "abc", "22.6"]])
    try:
        gdf, report = _import(good)
        assert len(gdf) == report.rows_read == 2
        with pytest.raises(DataImportError) as err:
            _import(bad)
        assert [e.row for e in err.value.report.errors] == [3]
        assert err.value.report.rows_read == 2
    finally:
        good.unlink()
        bad.unlink()
