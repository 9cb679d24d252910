"""What-if scenario over the hand-made region: answers worked out on paper.

Standard: a single 600 m straight-line radius. Elder-care stations ECS1 (500, 500) and
ECS2 (3500, 3500) m from ORIGIN cover the 60+ of cells (0,0) 200, (1,0) 100, (0,1) 150 and
(6,6) 300, (7,7) 60: 810 of 1,390. A site at the centre of cell (4,3) covers it (70) and
cell (3,3) 500 m away (80): 960. Removing ECS2 loses 360.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from coverage.standards import Standard
from coverage.ui.scenario import Scenario
from coverage.ui.views import scenario_facilities
from tests.conftest import ORIGIN, cell_centre

STD = Standard("walk", 15, 4.5, 600)
TO_LONLAT = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)


def covered_60(region, scenario) -> float:
    served = region.population["pop_60plus"].to_numpy(dtype=float)
    return float(served[np.asarray(scenario.reach.covered)].sum())


@pytest.fixture
def scenario(small_region):
    return Scenario(small_region, "elder_care_station", STD)


def test_add_remove_undo_reset(small_region, scenario):
    assert covered_60(small_region, scenario) == 810
    assert scenario.n_active == 2
    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    change = scenario.add_site(lon, lat)
    assert change.kind == "add" and change.facility_id == "new-1"
    assert covered_60(small_region, scenario) == 960
    scenario.remove_facility("ECS2")
    assert covered_60(small_region, scenario) == 600
    assert scenario.removed_ids == {"ECS2"}
    assert list(scenario.active_facilities()["facility_id"]) == ["ECS1"]
    assert [c.kind for c in scenario.changes] == ["add", "remove"]
    assert scenario.changes[1].name == "ECS2 名称"
    assert scenario.undo().kind == "remove"
    assert covered_60(small_region, scenario) == 960
    assert scenario.removed_ids == set()
    # ECS2 came back and can be removed again (its model index changed, its id did not).
    scenario.remove_facility("ECS2")
    assert covered_60(small_region, scenario) == 600
    scenario.reset()
    assert scenario.changes == [] and covered_60(small_region, scenario) == 810
    assert scenario.undo() is None


def test_a_reset_can_be_undone_until_the_next_edit(small_region, scenario):
    """A reset keeps what it cleared: restore makes the same edits again (an added site, then the
    removal of that site and of an existing facility) with the same figures; a new edit forgets it."""
    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    scenario.add_site(lon, lat)
    scenario.add_site(lon, lat)
    scenario.remove_facility("new-1")
    scenario.remove_facility("ECS2")
    edited = covered_60(small_region, scenario)
    kinds = [(c.kind, c.lon, c.lat) for c in scenario.changes]
    scenario.reset()
    assert covered_60(small_region, scenario) == 810 and len(scenario.cleared) == 4
    made = scenario.restore()
    assert [(c.kind, c.lon, c.lat) for c in made] == kinds == [(c.kind, c.lon, c.lat) for c in scenario.changes]
    assert covered_60(small_region, scenario) == edited and scenario.removed_ids >= {"ECS2"}
    assert scenario.cleared == [] and scenario.restore() == []
    scenario.reset()
    scenario.add_site(lon, lat)  # a new edit after the reset: nothing to restore any more
    assert scenario.cleared == []


def test_added_site_can_be_removed_and_listed(small_region, scenario):
    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    scenario.add_site(lon, lat)
    sites = scenario.added_sites()
    assert list(sites["facility_id"]) == ["new-1"] and list(sites["order"]) == [1]
    assert sites.geometry.iloc[0].x == pytest.approx(lon)
    scenario.remove_facility("new-1")
    assert scenario.added_sites().empty
    assert covered_60(small_region, scenario) == 810


def test_bad_edits_are_refused(scenario):
    with pytest.raises(ValueError, match="no active facility 'NOPE'"):
        scenario.remove_facility("NOPE")
    with pytest.raises(ValueError, match="lon/lat"):
        scenario.add_site(700000.0, 2490000.0)
    scenario.remove_facility("ECS1")
    with pytest.raises(ValueError, match="ECS1"):
        scenario.remove_facility("ECS1")


def test_scenario_facilities_schema(small_region, scenario):
    lon, lat = TO_LONLAT.transform(ORIGIN[0] + 2250, ORIGIN[1] + 1750)
    scenario.add_site(lon, lat)
    scenario.remove_facility("ECS1")
    layer = scenario_facilities(scenario)
    assert list(layer["facility_id"]) == ["ECS2", "new-1"]
    new = layer.iloc[1]
    assert new["town_code"] == "440703101" and new["district_code"] == "440703"
    assert new["source"] == "uploaded" and new["name"] == "新增站点 1"
    assert new["layer"] == "elder_care_station"
    # The layer round-trips through Region.with_facilities (the siting tab uses it).
    region = small_region.with_facilities("elder_care_station", layer)
    assert len(region.facilities["elder_care_station"]) == 2


def test_layer_without_facilities(small_region):
    scenario = Scenario(small_region, "elder_canteen", STD)  # the small region has no canteens
    assert scenario.n_active == 0 and covered_60(small_region, scenario) == 0
    assert scenario.active_facilities().empty
    lon, lat = TO_LONLAT.transform(*cell_centre(0, 0))
    scenario.add_site(lon, lat)
    # (0,0) itself, (1,0) and (0,1) at 500 m: 200 + 100 + 150.
    assert covered_60(small_region, scenario) == 450
    assert list(scenario_facilities(scenario)["facility_id"]) == ["new-1"]
    # An added site is named in the page's language (the remove box lists it by name).
    assert list(scenario_facilities(scenario)["name"]) == ["新增站点 1"]
    assert list(scenario_facilities(scenario, "en")["name"]) == ["Added site 1"]


# ------------------------------------------------------- from an analysis, views per state
def test_a_scenario_from_an_analysis_edits_a_copy_of_its_model(small_region):
    from coverage.analysis import Analysis
    from coverage.standards import load_standards

    analysis = Analysis(small_region, load_standards())
    before = analysis.coverage("elder_care_station").table.copy()
    own = Scenario(small_region, "elder_care_station", analysis.standards)
    shared = Scenario.from_analysis(analysis, "elder_care_station")
    assert shared.model is not analysis.model("elder_care_station")
    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    for s in (own, shared):
        s.add_site(lon, lat)
        s.remove_facility("ECS1")
        s.undo()
        s.remove_facility("ECS2")
    np.testing.assert_array_equal(shared.reach.cost, own.reach.cost)
    np.testing.assert_array_equal(shared.reach.nearest, own.reach.nearest)
    loaded = Scenario(small_region, "elder_care_station", analysis.standards)
    assert covered_60(small_region, shared) == covered_60(small_region, own) != covered_60(small_region, loaded)
    # The analysis (shared by the page's sessions) still has the layer as loaded.
    assert analysis.model("elder_care_station").active.all()
    assert analysis.coverage("elder_care_station").table.equals(before)
    again = Scenario.from_analysis(analysis, "elder_care_station")
    assert covered_60(small_region, again) == covered_60(small_region, loaded)


def test_a_scenario_refuses_a_model_of_something_else(small_region):
    from coverage.analysis import Analysis, Edit
    from coverage.reach import ReachModel

    model = ReachModel(small_region, "elder_care_station", STD)
    Scenario(small_region, "elder_care_station", STD, model=model)  # the right one is taken
    with pytest.raises(ValueError, match="without edits"):
        Scenario(small_region, "elder_care_station", Standard("walk", 15, 4.5, 900), model=model)
    with pytest.raises(ValueError, match="without edits"):
        Scenario(small_region, "child_protection_post", STD, model=model)
    with pytest.raises(ValueError, match="without edits"):
        Scenario(small_region.copy(), "elder_care_station", STD, model=model)
    model.remove_facility(0)
    with pytest.raises(ValueError, match="without edits"):
        Scenario(small_region, "elder_care_station", STD, model=model)
    edited = Analysis(small_region).with_edits([Edit("elder_care_station", "remove", facility_id="ECS1")])
    with pytest.raises(ValueError, match="already edits"):
        Scenario.from_analysis(edited, "elder_care_station")
    # Edits of another layer are kept: the scenario works on the analysis' edited region.
    other = Analysis(small_region).with_edits([Edit("child_protection_post", "remove", facility_id="CPP1")])
    scenario = Scenario.from_analysis(other, "elder_care_station")
    assert list(scenario.region.facilities["child_protection_post"]["facility_id"]) == ["CPP2", "CPP3", "CPP4"]


def test_views_follow_every_change_and_are_built_once_per_state(small_region, scenario):
    base = scenario.active_facilities()
    assert base is scenario.base and scenario.removed_rows() == [] and scenario.added_sites().empty
    lon, lat = TO_LONLAT.transform(ORIGIN[0] + 2250, ORIGIN[1] + 1750)  # in T2 (440703101)
    scenario.add_site(lon, lat)
    sites = scenario.added_sites()
    assert scenario.added_sites() is sites  # no change: the same frame
    assert list(sites["facility_id"]) == ["new-1"]
    located = scenario.added_sites(located=True)
    assert list(located["town_code"]) == ["440703101"] and list(located["district_code"]) == ["440703"]
    scenario.remove_facility("ECS1")
    assert scenario.removed_rows() == [0] and scenario.removed_ids == {"ECS1"}
    assert list(scenario.active_facilities()["facility_id"]) == ["ECS2"]
    far = TO_LONLAT.transform(ORIGIN[0] - 5000, ORIGIN[1] - 5000)  # outside every town
    scenario.add_site(*far)
    located = scenario.added_sites(located=True)
    assert list(located["facility_id"]) == ["new-1", "new-2"] and list(located["order"]) == [1, 2]
    assert located["town_code"].iloc[0] == "440703101" and pd.isna(located["town_code"].iloc[1])
    scenario.undo()
    scenario.undo()
    assert scenario.removed_rows() == [] and scenario.active_facilities() is scenario.base
    assert list(scenario.added_sites(located=True)["town_code"]) == ["440703101"]
    scenario.remove_facility("new-1")
    assert scenario.added_sites().empty and scenario.added_sites(located=True).empty
    # The views equal what the table and the map show: scenario_facilities lists the same rows.
    scenario.add_site(lon, lat)
    assert list(scenario_facilities(scenario)["facility_id"]) == ["ECS1", "ECS2", "new-3"]  # every add counts
    built = []
    assert scenario.per_state("n", lambda: built.append(1) or len(built)) == 1
    assert scenario.per_state("n", lambda: built.append(1) or len(built)) == 1  # same state: not rebuilt
    scenario.undo()
    assert scenario.per_state("n", lambda: built.append(1) or len(built)) == 2
