"""What-if scenario over the hand-made region: answers worked out on paper.

Standard: a single 600 m straight-line radius. Elder-care stations ECS1 (500, 500) and
ECS2 (3500, 3500) m from ORIGIN cover the 60+ of cells (0,0) 200, (1,0) 100, (0,1) 150 and
(6,6) 300, (7,7) 60: 810 of 1,390. A site at the centre of cell (4,3) covers it (70) and
cell (3,3) 500 m away (80): 960. Removing ECS2 loses 360.
"""

from __future__ import annotations

import numpy as np
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
