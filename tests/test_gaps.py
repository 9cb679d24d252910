"""Gap zones and uncovered population on the hand-made ``small_region``.

With elder-care stations reaching 1000 m, the populated cells left uncovered
(60+ in brackets) are (3,3) [80, T1], (4,3) [70, T2], (4,0) [90, T2],
(7,3) [120, T2], (0,4) [140, T3], (1,5) [50, T3] and (2,7) [30, T3].
(3,3)-(4,3) share an edge but lie in two towns; (0,4)-(1,5) share only a corner.
The embedded standard's radius is 770 m in 街道 (urban) and 2,880 m in 镇 (rural), so a
zone's diagonal may reach 1,540 m in T1/T3 and 5,760 m in T2/T4.
"""

from __future__ import annotations

import dataclasses
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import shape

from conftest import ORIGIN, POPULATED, TOWNS, cell_centre, covered_within
from coverage.errors import InputError
from coverage.gaps import GAP_COLUMNS, gap_zones, gap_zones_feature_collection, uncovered_by_town, write_gap_zones
from coverage.network import RoadNetwork
from coverage.paths import POPULATION_FILE
from coverage.reach import ReachModel
from coverage.settings import GAP_MIN_CELL_POPULATION
from coverage.standards import Standard

LAYER = "elder_care_station"


@pytest.fixture
def mask(small_region):
    return covered_within(small_region, LAYER, 1000.0)


def test_zones_stay_inside_one_town(small_region, mask):
    z = gap_zones(small_region, LAYER, reach=mask).zones
    assert list(z.columns) == GAP_COLUMNS + ["geometry"] and z.crs.to_epsg() == 32649
    # (3,3) [T1] and (4,3) [T2] touch but are two zones; (0,4)+(1,5) [T3] are one
    assert z["served"].tolist() == [190, 120, 90, 80, 70, 30]
    assert z["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert z["town_code"].tolist() == ["440704001", "440703101", "440703101", "440703001", "440703101",
                                       "440704001"]  # fmt: skip
    assert z["district_code"].tolist() == [t[:6] for t in z["town_code"]]
    first = z.iloc[0]
    assert (first.town_zh, first.district_zh) == ("乙一街道", "测试乙区")
    assert (first.pop_total, first.pop_60plus, first.pop_0_17, first.n_cells) == (900, 190, 120, 2)
    assert first.area_km2 == pytest.approx(0.5) and first.geometry.area == pytest.approx(500_000)
    assert first.max_across_m == pytest.approx(2 * 770) and first.across_m == pytest.approx(np.hypot(1000, 1000))


def test_corner_neighbours_split_with_4_connectivity(small_region, mask):
    z = gap_zones(small_region, LAYER, reach=mask, connectivity=4).zones
    assert z["served"].tolist() == [140, 120, 90, 80, 70, 50, 30]


def test_nearest_facility_and_suggested_site_distance_mode(small_region, mask):
    result = gap_zones(small_region, LAYER, reach=mask)
    z = result.zones
    first = z.iloc[0]  # (0,4) [140] + (1,5) [50]; ECS1 at (500, 500), ECS2 at (3500, 3500)
    assert first.nearest_facility_id == "ECS1" and "nearest_facility" not in z.columns  # the id, no row index
    assert first.nearest_distance_m == pytest.approx(np.hypot(250, 1750))  # from cell (0,4)
    assert np.isnan(first.nearest_time_s)
    # served-weighted centre (382, 2382) snaps to the centre of cell (0,4)
    assert (first.site_x, first.site_y) == pytest.approx(cell_centre(0, 4))
    assert 112 < first.site_lon < 115 and 21 < first.site_lat < 24
    assert result.method == "distance" and result.unit == "m"
    # (7,3) [T2] is nearest to ECS2: hypot(3750-3500, 1750-3500)
    t2 = z[z["served"] == 120].iloc[0]
    assert t2.nearest_facility_id == "ECS2" and t2.nearest_distance_m == pytest.approx(np.hypot(250, 1750))


def strip_region(region):
    """Row 1 fully populated (cols 0-7, 10 people 60+ each, cols 0-3 in T1 (urban), 4-7 in T2 (rural))."""
    rows = []
    for col in range(8):
        x, y = cell_centre(col, 1)
        town = TOWNS[0] if col < 4 else TOWNS[1]
        rows.append(dict(cell_id=col, x=x, y=y, town_code=town[0], district_code=town[4],
                         pop_total=40, pop_60plus=10 + col, pop_0_17=5))  # fmt: skip
    return dataclasses.replace(region, population=pd.DataFrame(rows))


def test_a_long_zone_splits_by_the_size_rule(small_region):
    region = strip_region(small_region)
    z = gap_zones(region, LAYER, reach=np.zeros(8, dtype=bool)).zones
    # T2's four cells (2,000 m x 500 m, diagonal 2,062 m <= 5,760 m) stay one zone;
    # T1's four (diagonal 2,062 m > 1,540 m) split at the weighted median into 2 + 2
    assert sorted(z["n_cells"].tolist()) == [2, 2, 4]
    assert (z["across_m"] <= z["max_across_m"]).all()
    t1 = z[z["town_code"] == TOWNS[0][0]].sort_values("site_x")
    assert t1["served"].tolist() == [10 + 11, 12 + 13]
    assert int(z["served"].sum()) == sum(10 + c for c in range(8))
    # a planner's own bound applies to every town: 1,200 m → at most 2 cells in a row
    tight = gap_zones(region, LAYER, reach=np.zeros(8, dtype=bool), max_across_m=1200)
    assert tight.zones["n_cells"].tolist() == [2, 2, 2, 2]
    assert tight.max_across_m == {"urban": 1200, "rural": 1200}
    # ... or to one area type only: the rural town keeps the rule (5,760 m) and its 4-cell zone
    urban_only = gap_zones(region, LAYER, reach=np.zeros(8, dtype=bool), max_across_m={"urban": 1200})
    assert sorted(urban_only.zones["n_cells"].tolist()) == [2, 2, 4]
    assert urban_only.max_across_m == {"urban": 1200, "rural": pytest.approx(5760)}


def test_file_metadata_states_the_size_rule_applied_per_area_type(small_region, tmp_path):
    """The GeoJSON's top-level ``max_across_m`` is the limit every feature of that area type was cut to."""
    region = strip_region(small_region)
    z = gap_zones(region, LAYER, reach=np.zeros(8, dtype=bool))
    # elder_care_station: urban walk 15 min → 770 m radius; rural bike 15 min at 15 km/h → 2,880 m
    assert z.max_across_m == {"urban": pytest.approx(1540), "rural": pytest.approx(5760)}
    fc = json.loads(write_gap_zones(z, tmp_path / "g.geojson").read_text(encoding="utf-8"))
    rule = fc["properties"]["max_across_m"]
    area_of_town = {TOWNS[0][0]: "urban", TOWNS[1][0]: "rural"}
    for f in fc["features"]:
        assert f["properties"]["max_across_m"] == rule[area_of_town[f["properties"]["town_code"]]]


def test_min_cell_population_is_the_one_default_and_counts_what_it_leaves_out(small_region, mask):
    assert gap_zones(small_region, LAYER, reach=mask).min_cell_population == GAP_MIN_CELL_POPULATION
    z = gap_zones(small_region, LAYER, reach=mask, min_cell_population=60)
    # (1,5) [50] and (2,7) [30] are too sparse: (0,4) stands alone
    assert z.zones["served"].tolist() == [140, 120, 90, 80, 70]
    assert z.left_out == 80 and z.min_cell_population == 60
    with pytest.raises(InputError, match="min_cell_population"):
        gap_zones(small_region, LAYER, reach=mask, min_cell_population=-1)


def test_min_population_and_child_group(small_region, mask):
    z = gap_zones(small_region, LAYER, reach=mask, min_population=100).zones
    assert z["served"].tolist() == [190, 120]
    zc = gap_zones(small_region, "child_protection_post", reach=mask).zones
    assert set(zc["served_column"]) == {"pop_0_17"}
    assert int(zc["served"].sum()) == 60 + 40 + 30 + 80 + 100 + 20 + 10


def test_no_gap_when_everything_is_covered(small_region):
    result = gap_zones(small_region, LAYER, reach=np.ones(12, dtype=bool))
    z = result.zones
    assert result.left_out == 0 and result.connectivity == 8
    assert len(z) == 0 and z.crs.to_epsg() == 32649 and list(z.columns) == GAP_COLUMNS + ["geometry"]


def test_everyone_uncovered_without_facilities(small_region):
    z = gap_zones(small_region, LAYER, reach=np.zeros(12, dtype=bool)).zones
    assert int(z["served"].sum()) == sum(v[1] for v in POPULATED.values())
    assert int(z["n_cells"].sum()) == 12


def test_validate_parameters(small_region, mask):
    with pytest.raises(InputError, match="connectivity"):
        gap_zones(small_region, LAYER, reach=mask, connectivity=6)
    with pytest.raises(InputError, match="max_across_m"):
        gap_zones(small_region, LAYER, reach=mask, max_across_m=0)
    bad = [("min_population", np.nan), ("min_population", -1), ("min_population", np.inf),
           ("min_population", "many"), ("min_cell_population", np.nan), ("min_cell_population", -0.5),
           ("max_across_m", np.nan), ("max_across_m", -100), ("max_across_m", np.inf),
           ("max_across_m", {"urban": np.nan}), ("max_across_m", {"suburb": 1000}), ("connectivity", True)]
    for name, value in bad:
        with pytest.raises(InputError, match=name):
            gap_zones(small_region, LAYER, reach=mask, **{name: value})
    small_region.population.loc[3, "x"] += 120.0  # off the lattice
    with pytest.raises(InputError, match="not on the 500 m lattice"):
        gap_zones(small_region, LAYER, reach=np.zeros(12, dtype=bool))


def test_network_mode_nearest_time_and_what_if_model(small_region):
    # streets: ECS1 (500, 500) -> centre of (0,4) -> centre of (1,5); walking 1 m/s, 15 minutes
    xy = np.array([[500.0, 500.0], [250.0, 2250.0], [750.0, 2750.0]]) + ORIGIN
    net = RoadNetwork.from_arrays(xy, [0, 1], [1, 2])
    region = small_region.with_network(net)
    std = Standard("walk", 15, 3.6, 770)
    result = gap_zones(region, LAYER, standards=std)
    z = result.zones
    assert result.method == "network" and result.unit == "s"
    zone = z[z["town_code"] == "440704001"].iloc[0]  # (0,4)+(1,5): off the 900 s limit
    assert zone.n_cells == 2 and zone.nearest_facility_id == "ECS1"
    assert zone.nearest_time_s == pytest.approx(np.hypot(250, 1750))  # 1,768 m at 1 m/s
    assert np.isnan(zone.nearest_distance_m)
    # a what-if site on the middle street node covers (0,4) and (1,5): the model is the reach
    model = ReachModel(region, LAYER, std)
    model.add_facility_xy(*xy[1])
    after = gap_zones(region, LAYER, reach=model).zones
    t3 = after[after["town_code"] == "440704001"]
    # only (2,7) [30] is left in T3: 1,118 m from the nearest street node, off the network
    assert t3["served"].tolist() == [30]
    assert t3.iloc[0].nearest_facility_id is None and np.isnan(t3.iloc[0].nearest_time_s)
    assert len(after) == len(z) - 1 and int(after["served"].sum()) == int(z["served"].sum()) - 190


def test_uncovered_by_town_ranked(small_region, mask):
    t = uncovered_by_town(small_region, LAYER, reach=mask)
    assert t["town_zh"].tolist() == ["甲二镇", "乙一街道", "甲一街道", "乙二镇"]
    assert t["uncovered"].tolist() == [280, 220, 80, 0]
    assert t["rank"].tolist() == [1, 2, 3, 4]
    assert t["share_of_gap"].iloc[0] == pytest.approx(280 / 580)


def test_geojson_export_carries_provenance_and_parameters(small_region, mask, tmp_path):
    z = gap_zones(small_region, LAYER, reach=mask)
    path = write_gap_zones(z, tmp_path / "gaps.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert fc == json.loads(json.dumps(gap_zones_feature_collection(z)))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 6
    first = fc["features"][0]["properties"]
    assert first["served"] == 190 and first["rank"] == 1 and first["nearest_facility_id"] == "ECS1"
    assert first["nearest_time_s"] is None  # NaN → null (RFC 8259 has no NaN)
    minlon, minlat, maxlon, maxlat = shape(fc["features"][0]["geometry"]).bounds
    assert 112 < minlon < maxlon < 115 and 21 < minlat < maxlat < 24  # WGS-84 lon/lat, not metres
    props = fc["properties"]
    assert props["kind"] == "gap_zones" and props["connectivity"] == 8
    assert props["provenance"]["facilities:elder_care_station"] == "illustrative"
    assert props["provenance"]["population"] == "modelled"
    assert props["standards"]["urban"]["distance_m"] == pytest.approx(770)
    # where the radius comes from: the GB 50180 life circle (1,000 m walk ÷ 1.3), not a user's value
    assert props["standards"]["urban"]["basis"] == "life_circle"
    assert props["standards"]["urban"]["walk_distance_m"] == pytest.approx(1000)
    # every field of the result travels in the file, nothing else
    assert props == {"kind": "gap_zones", **json.loads(json.dumps(z.metadata()))}
    assert (props["layer"], props["served_column"], props["method"], props["unit"]) == (
        LAYER, "pop_60plus", "distance", "m")
    assert props["cell_size"] == 500 and props["left_out"] == 0
    assert props["min_cell_population"] == GAP_MIN_CELL_POPULATION
    assert props["max_across_m"] == {"urban": pytest.approx(1540), "rural": pytest.approx(5760)}
    # language-neutral: no Chinese outside proper names
    text = json.dumps({k: v for k, v in first.items() if k not in ("town_zh", "district_zh")}, ensure_ascii=False)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text + json.dumps(props, ensure_ascii=False))


def test_the_result_is_frozen_and_the_writers_take_only_it(small_region, mask, tmp_path):
    result = gap_zones(small_region, LAYER, reach=mask)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.left_out = 0  # type: ignore[misc]
    assert result.options == {"connectivity": 8, "min_population": result.min_population,
                              "min_cell_population": GAP_MIN_CELL_POPULATION,
                              "max_across_m": {"urban": pytest.approx(1540), "rural": pytest.approx(5760)}}
    assert not result.zones.attrs  # the metadata is in the fields, not on the frame
    with pytest.raises(TypeError, match="GapZones"):
        write_gap_zones(result.zones, tmp_path / "g.geojson")  # a bare table has lost its metadata
    assert not (tmp_path / "g.geojson").exists()


def test_gaps_command(small_region, tmp_path, monkeypatch, capsys):
    import coverage.commands.gaps as cmd
    from coverage.cli import main

    monkeypatch.setattr(cmd, "region_from_args", lambda args: small_region)
    out, towns_out = tmp_path / "gaps.geojson", tmp_path / "towns.csv"
    argv = ["gaps", "--layer", LAYER, "--mode", "walk", "--distance", "1000",
            "--out", str(out), "--towns-out", str(towns_out)]  # fmt: skip
    assert main(argv) == 0
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["served"] for f in fc["features"]] == [190, 120, 90, 80, 70, 30]
    assert fc["properties"]["min_cell_population"] == GAP_MIN_CELL_POPULATION
    towns = pd.read_csv(towns_out, encoding="utf-8-sig")
    assert towns["uncovered"].tolist() == [280, 220, 80, 0]
    assert "6 个服务空白区" in capsys.readouterr().out
    # an invalid number is refused with a message (exit 2), not silently used
    try:
        status = main(["gaps", "--layer", LAYER, "--min-population", "nan", "--out", str(out)])
    except SystemExit as exc:  # refused by the option parser itself
        status = exc.code
    assert status == 2 and re.search("min.population", capsys.readouterr().err)


# --------------------------------------------------------------------------- default data


@pytest.mark.skipif(not POPULATION_FILE.exists(), reason="data/population/grid_500m.csv.gz not built")
def test_default_data_zones_are_actionable():
    from coverage.metrics import population_coverage
    from coverage.region import load_default

    region = load_default()
    cov = population_coverage(region, LAYER)
    city = cov[cov["level"] == "city"].iloc[0]
    result = gap_zones(region, LAYER)
    zones = result.zones
    assert zones["served"].sum() + result.left_out == city.uncovered  # every uncovered person counted once
    assert zones["served"].is_monotonic_decreasing
    assert ((zones["across_m"] <= zones["max_across_m"]) | (zones["n_cells"] == 1)).all()
    # each zone's cells all lie in its town (cell centres inside the zone belong to the zone's town)
    pop = region.population
    points = gpd.GeoDataFrame(pop[["town_code"]], geometry=gpd.points_from_xy(pop.x, pop.y), crs="EPSG:32649")
    inside = zones.sjoin(points, predicate="contains", how="inner", lsuffix="zone", rsuffix="cell")
    assert (inside["town_code_zone"] == inside["town_code_cell"]).all()
    assert zones["nearest_facility_id"].notna().all() and zones["nearest_distance_m"].gt(0).all()
    assert zones.iloc[0].area_km2 < 40  # no 4,326 km² zone any more
