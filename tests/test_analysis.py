"""coverage.analysis.Analysis on the hand-made ``small_region`` (answers worked out on paper).

With a 1,000 m straight-line radius, ECS1 at ORIGIN + (500, 500) covers cells (0,0), (1,0),
(0,1) (200 + 100 + 150 people 60+) and ECS2 at ORIGIN + (3500, 3500) covers (6,6), (7,7)
(300 + 60): 810 of 1,390. A site at the centre of cell (0,4) covers (0,4) and (1,5) (140 + 50).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from conftest import ORIGIN, covered_within
from coverage.access import AccessMethod, accessibility
from coverage.analysis import Analysis, CoverageResult, Edit, GapResult, cache_key, edits_from_changes
from coverage.equity import equity
from coverage.gaps import GapZones
from coverage.gaps import gap_zones
from coverage.metrics import population_coverage
from coverage.schema import COVERAGE_COLUMNS
from coverage.standards import Override, load_standards

LAYER = "elder_care_station"
T1, T2 = "440703001", "440703101"
_TO_WGS = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)


def lonlat(dx: float, dy: float) -> tuple[float, float]:
    return _TO_WGS.transform(ORIGIN[0] + dx, ORIGIN[1] + dy)


@pytest.fixture
def analysis(small_region) -> Analysis:
    return Analysis(small_region).with_override([LAYER], Override(distance_m=1000))


def test_coverage_by_hand(analysis):
    result = analysis.coverage(LAYER)
    assert isinstance(result, CoverageResult)
    assert list(result.table.columns) == COVERAGE_COLUMNS
    assert result.city["served"] == 1390 and result.city["covered"] == 810
    assert result.city["rate"] == pytest.approx(810 / 1390)
    town = result.rows("town").set_index("town_code")
    assert town.loc[T1, "covered"] == 450
    assert result.method == "distance"
    assert {a: s.distance_m for a, s in result.standards.items()} == {"urban": 1000, "rural": 1000}
    assert result.provenance["facilities:elder_care_station"] == "illustrative"
    assert "直线1000米" in result.standard_text("zh") and "示意数据" in result.provenance_text("zh")


def test_the_same_figures_as_the_functions_it_calls(analysis, small_region):
    mask = covered_within(small_region, LAYER, 1000.0)
    pd.testing.assert_frame_equal(analysis.coverage(LAYER).table,
                                  population_coverage(small_region, LAYER, reach=mask))
    zones = analysis.gaps(LAYER).zones
    direct = gap_zones(small_region, LAYER, reach=mask, standards=analysis.standards).zones
    assert zones["served"].tolist() == direct["served"].tolist()


def test_results_are_computed_once(analysis):
    assert analysis.coverage(LAYER) is analysis.coverage(LAYER)
    assert analysis.reach(LAYER) is analysis.reach(LAYER)
    assert analysis.gaps(LAYER) is analysis.gaps(LAYER)
    assert analysis.gaps(LAYER, min_cell_population=100) is not analysis.gaps(LAYER)


def test_a_per_area_type_option_caches_on_its_value(analysis):
    """A dict option (``max_across_m`` per area type) is a valid cache key: equal values, however
    spelled, give the same result object; another value computes anew."""
    tight = analysis.gaps(LAYER, max_across_m={"urban": 1200})
    assert tight.max_across_m == {"urban": 1200, "rural": 2000}  # rural keeps the rule: 2 × 1,000 m
    assert analysis.gaps(LAYER, max_across_m={"urban": np.float64(1200.0)}) is tight
    assert analysis.gaps(LAYER, max_across_m={"urban": 1300}) is not tight
    both = analysis.gaps(LAYER, max_across_m={"urban": 1200, "rural": 1200})
    assert both is not tight and analysis.gaps(LAYER, max_across_m={"rural": 1200, "urban": 1200}) is both


def test_siting_with_a_candidate_table_caches_on_its_content(analysis):
    """Candidate sites given as a table (unhashable) key the cache by content: the same points give
    the same proposal, other points a new one."""
    points = [lonlat(250, 2250), lonlat(2250, 250), lonlat(3750, 1750)]  # cells (0,4), (4,0), (7,3)
    table = pd.DataFrame({"lon": [p[0] for p in points], "lat": [p[1] for p in points]})
    first = analysis.siting(LAYER, k=1, candidates=table)
    assert analysis.siting(LAYER, k=1, candidates=table.copy()) is first
    other = analysis.siting(LAYER, k=1, candidates=table.iloc[1:].reset_index(drop=True))
    assert other is not first
    assert len(first.sites) == len(other.sites) == 1


def test_cache_key_freezes_and_normalises():
    nested = cache_key({"b": [1, 2], "a": {"y": 1.5, "x": np.int64(2)}})
    assert nested == cache_key({"a": {"x": 2, "y": np.float32(1.5)}, "b": (1, 2)})
    assert hash(nested) == hash(cache_key({"a": {"x": 2, "y": 1.5}, "b": [1, 2]}))
    assert cache_key({"b": [1, 2]}) != cache_key({"b": [2, 1]})
    assert cache_key(True) != cache_key(1) and cache_key(np.bool_(True)) == cache_key(True)
    assert cache_key(float("nan")) == cache_key(np.nan)
    assert cache_key(AccessMethod.ENHANCED) == cache_key("e2sfca")
    frame = pd.DataFrame({"lon": [113.1, 113.2], "lat": [22.5, 22.6]})
    assert cache_key(frame) == cache_key(frame.copy())
    assert cache_key(frame) != cache_key(frame.assign(lat=[22.5, 22.7]))
    assert cache_key(np.array([1, 2])) != cache_key(np.array([1, 3]))
    points = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(113.1, 22.5)], crs="EPSG:4326")
    assert cache_key(points) == cache_key(points.copy())
    assert cache_key(points) != cache_key(points.set_geometry([Point(113.1, 22.6)]))
    assert cache_key(points) != cache_key(points.set_crs("EPSG:4490", allow_override=True))  # same numbers, other CRS


def test_cache_keys_of_tables_that_only_look_alike_differ():
    p = Point(113.1, 22.5)
    assert cache_key(gpd.GeoDataFrame(geometry=[None, p])) != cache_key(gpd.GeoDataFrame(geometry=[p, None]))
    assert cache_key(pd.DataFrame({"v": [1, "a"]})) != cache_key(pd.DataFrame({"v": ["1", "a"]}))
    series = pd.Series([1.0, 2.0])
    before = cache_key(series)
    series.iloc[0] = 5.0  # changed in place: a new key, never the stale result
    assert cache_key(series) != before and cache_key(series) == cache_key(series.copy())
    with pytest.raises(TypeError, match="cannot be hashed"):
        cache_key(pd.DataFrame({"v": [[1, 2]]}))


def test_edits_add_and_remove_by_hand(analysis):
    lon, lat = lonlat(250, 2250)  # centre of cell (0,4)
    added = analysis.with_edits([Edit(LAYER, "add", lon=lon, lat=lat)])
    assert added.coverage(LAYER).city["covered"] == 810 + 190
    facilities = added.facilities(LAYER)
    assert facilities["facility_id"].tolist()[-1] == "new-1"
    assert facilities["town_code"].tolist()[-1] == "440704001"  # located in its town (乙一街道)
    removed = added.with_edits([Edit(LAYER, "remove", facility_id="ECS2")])
    assert removed.coverage(LAYER).city["covered"] == 810 + 190 - 360
    undone = removed.with_edits([Edit(LAYER, "remove", facility_id="new-1")])
    assert undone.coverage(LAYER).city["covered"] == 810 - 360
    # The analysis it started from is unchanged.
    assert analysis.coverage(LAYER).city["covered"] == 810 and analysis.edits == ()


def test_edits_from_workspace_change_records_and_problems(analysis):
    lon, lat = lonlat(250, 2250)
    changes = [{"layer": LAYER, "op": "add", "lon": lon, "lat": lat, "facility_id": "new-7"},
               {"layer": LAYER, "op": "remove", "facility_id": "NOPE"},
               {"layer": "child_protection_post", "op": "remove", "facility_id": "CPP1"}]
    edited = analysis.with_edits(edits_from_changes(changes))
    assert edited.coverage(LAYER).city["covered"] == 1000
    assert [e.facility_id for _, e in edited.problems] == ["NOPE"]
    units = edited.unit_coverage("child_protection_post").table
    assert units.loc[units["level"] == "city", "units_with"].item() == 2  # CPP1 was T1's only post
    with pytest.raises(ValueError, match="lon/lat"):
        Edit(LAYER, "add", lon=float("nan"), lat=22.5)
    with pytest.raises(ValueError, match="op"):
        Edit(LAYER, "move", facility_id="ECS1")


def test_unit_coverage_with_an_added_post(small_region):
    a = Analysis(small_region)
    before = a.unit_coverage("child_protection_post")
    assert before.level == "town" and before.table.query("level == 'city'").rate.item() == 0.75
    lon, lat = lonlat(3000, 1500)  # inside T2, the only town without a post
    after = a.with_edits([Edit("child_protection_post", "add", lon=lon, lat=lat)]).unit_coverage(
        "child_protection_post")
    assert after.table.query("level == 'city'").rate.item() == 1.0 and after.unassigned == 0
    assert a.unit_coverage("ossuary").level == "county"
    lon, lat = lonlat(9000, 1500)  # east of every town
    outside = a.with_edits([Edit("child_protection_post", "add", lon=lon, lat=lat)])
    assert outside.unit_coverage("child_protection_post").unassigned == 1
    assert outside.facilities("child_protection_post")["town_code"].iloc[-1] is None


def test_a_choice_goes_through_the_resolver(small_region):
    a = Analysis(small_region)
    ten = a.with_choice(LAYER, "walk", 10)
    assert ten.standards == load_standards().chosen(LAYER, "walk", 10)
    assert ten.standards_of(LAYER)["rural"].mode == "bike"  # each area type keeps its mode
    assert ten.coverage(LAYER).city["covered"] <= a.coverage(LAYER).city["covered"]


def test_gap_result_carries_its_metadata(analysis, tmp_path):
    import json

    result = analysis.gaps(LAYER)
    assert isinstance(result, GapResult) and isinstance(result, GapZones)  # the zones' result + the towns
    assert result.zones["served"].sum() + result.left_out == analysis.coverage(LAYER).city["uncovered"]
    assert result.towns["uncovered"].sum() == analysis.coverage(LAYER).city["uncovered"]
    assert result.method == "distance" and result.unit == "m" and "min_cell_population" in result.options
    assert result.feature_collection()["properties"] == result.metadata()
    fc = json.loads(result.to_geojson(tmp_path / "gaps.geojson").read_text(encoding="utf-8"))
    assert fc["properties"]["provenance"]["facilities:elder_care_station"] == "illustrative"
    assert len(fc["features"]) == len(result.zones)


def test_review_sees_the_edits(small_region):
    a = Analysis(small_region)
    lon, lat = lonlat(3000, 1500)
    edited = a.with_edits([Edit("social_work_station", "add", lon=lon, lat=lat)])
    assert len(edited.edited_region().facilities["social_work_station"]) == 2
    assert edited.review(2025, yearly=False) is edited.review(2025, yearly=False)


def test_rejects_what_is_not_a_region_or_a_table(small_region):
    with pytest.raises(TypeError):
        Analysis(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Analysis(small_region, standards={"elder_care_station": 1})  # type: ignore[arg-type]
    assert np.isfinite(Analysis(small_region).coverage(LAYER).city["rate"])


# --------------------------------------------------------------------------- accessibility and equity
# elder-care stations counted as facilities (the layer has no capacity column), 1,000 m: ECS1's
# catchment holds 450 people 60+ and ECS2's 360, so every covered person has 1/450 or 1/360 of a
# station: the city's people-weighted mean is (450/450 + 360/360) × 1,000 / 1,390 per 1,000.


def test_accessibility_by_hand_and_cached(analysis, small_region):
    res = analysis.accessibility(LAYER, capacity="facilities")
    city = res.table[res.table["level"] == "city"].iloc[0]
    assert res.value_column == "facilities_per_1000_60plus"
    assert city[res.value_column] == pytest.approx(2000 / 1390)
    assert city["served_with_access"] == 810
    assert res.cost_mode == "distance" and res.provenance["facilities:elder_care_station"] == "illustrative"
    # the same figures as the function it calls; one result per method, however it is spelled
    direct = accessibility(small_region, LAYER, "2sfca", "facilities", analysis.standards)
    pd.testing.assert_frame_equal(res.table, direct.table)
    assert analysis.accessibility(LAYER, AccessMethod.TWO_STEP, "facilities") is res
    assert analysis.accessibility(LAYER, "e2sfca", "facilities") is not res
    assert analysis.catchment_costs(LAYER) is analysis.catchment_costs(LAYER)
    beds = analysis.accessibility("elder_care_institution")  # its first filled capacity column
    assert beds.capacity == "beds" and beds is analysis.accessibility("elder_care_institution", capacity="beds")


def test_accessibility_and_equity_see_the_edits(analysis):
    lon, lat = lonlat(250, 2250)  # a site at the centre of cell (0,4): 190 more people 60+ reached
    edited = analysis.with_edits([Edit(LAYER, "add", lon=lon, lat=lat)])
    res = edited.accessibility(LAYER, capacity="facilities")
    city = res.table[res.table["level"] == "city"].iloc[0]
    assert city[res.value_column] == pytest.approx(3000 / 1390) and city["served_with_access"] == 1000
    eq = edited.equity(LAYER)
    assert eq.access is edited.accessibility(LAYER, capacity="facilities")  # the one accessibility
    city = eq.groups[eq.groups["group_kind"] == "city"].iloc[0]
    assert city["coverage_rate"] == pytest.approx(1000 / 1390)
    assert city["share_beyond_standard"] == pytest.approx(390 / 1390)
    assert analysis.equity(LAYER).groups.query("group_kind == 'city'")["covered"].item() == 810


def test_equity_is_the_functions_and_cached(analysis, small_region):
    eq = analysis.equity(LAYER)
    direct = equity(small_region, LAYER, analysis.standards)
    pd.testing.assert_frame_equal(eq.groups, direct.groups)
    pd.testing.assert_frame_equal(eq.worst_towns, direct.worst_towns)
    assert (eq.gini, eq.theil, eq.access.capacity) == (pytest.approx(direct.gini), pytest.approx(direct.theil),
                                                         "facilities")
    assert analysis.equity(LAYER, "2sfca", "facilities") is eq
    assert analysis.equity(LAYER, worst_share=0.5) is not eq
