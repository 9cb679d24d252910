"""coverage.analysis.Analysis on the hand-made ``small_region`` (answers worked out on paper).

With a 1,000 m straight-line radius, ECS1 at ORIGIN + (500, 500) covers cells (0,0), (1,0),
(0,1) (200 + 100 + 150 people 60+) and ECS2 at ORIGIN + (3500, 3500) covers (6,6), (7,7)
(300 + 60): 810 of 1,390. A site at the centre of cell (0,4) covers (0,4) and (1,5) (140 + 50).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from conftest import ORIGIN, covered_within
from coverage.analysis import Analysis, CoverageResult, Edit, GapResult, edits_from_changes
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
    direct = gap_zones(small_region, LAYER, reach=mask, standards=analysis.standards)
    assert zones["served"].tolist() == direct["served"].tolist()


def test_results_are_computed_once(analysis):
    assert analysis.coverage(LAYER) is analysis.coverage(LAYER)
    assert analysis.reach(LAYER) is analysis.reach(LAYER)
    assert analysis.gaps(LAYER) is analysis.gaps(LAYER)
    assert analysis.gaps(LAYER, min_cell_population=100) is not analysis.gaps(LAYER)


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
    assert isinstance(result, GapResult)
    assert result.zones["served"].sum() + result.left_out == analysis.coverage(LAYER).city["uncovered"]
    assert result.method == "distance" and "min_cell_population" in result.options
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
