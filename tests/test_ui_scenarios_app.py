"""What-if edits are kept: autosaved, restored after a restart, saved and loaded as named scenarios.

Each test gets an empty workspace of its own (``COVERAGE_WORKSPACE`` pointed at a temporary
directory); a "restart" is a new ``AppTest`` run of ``app.py`` on the same workspace.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from coverage.metrics import population_coverage
from coverage.region import load_default
from coverage.standards import load_standards
from coverage.ui.persist import AUTOSAVE
from coverage.ui.views import standard_override
from coverage.workspace import ENV_VAR, Workspace
from tests.test_ui_workspace_app import metrics, start


@pytest.fixture
def fresh_workspace(tmp_path, monkeypatch):
    """An empty workspace of its own for one test."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    return tmp_path


def _largest_gap(layer: str, minutes: float) -> tuple[float, float]:
    """lon/lat of the populated cell with the most uncovered served people under ``minutes``."""
    from pyproj import Transformer

    from coverage.layers import get_layer
    from coverage.reach import compute_reach

    region = load_default()
    mode = load_standards().get(layer, "urban").mode
    table = standard_override(load_standards(), layer, mode, minutes)
    served = region.population[get_layer(layer).served_column].to_numpy(dtype=float)
    served[np.asarray(compute_reach(region, layer, standards=table).covered)] = 0
    i = int(np.argmax(served))
    x, y = region.population["x"].iloc[i], region.population["y"].iloc[i]
    lon, lat = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True).transform(x, y)
    return round(lon, 6), round(lat, 6)


def test_what_if_edits_and_standard_survive_a_restart(fresh_workspace):
    layer = "social_work_station"
    region = load_default()
    at = start()
    at.sidebar.selectbox(key="layer").set_value(layer).run()
    at.sidebar.number_input(key=f"minutes_{layer}").set_value(10).run()
    fid = str(region.facilities[layer]["facility_id"].iloc[2])
    at.selectbox(key="remove_choice").set_value(fid).run()
    at.button(key="remove").click().run()
    lon, lat = _largest_gap(layer, 10)
    at.session_state["map"] = {"last_clicked": {"lng": lon, "lat": lat}}
    at.run()
    assert not at.exception
    edited = metrics(at)
    edits = [c.value for c in at.caption if c.value[:3] in ("1. ", "2. ")]
    assert len(edits) == 2
    ws = Workspace.open(fresh_workspace)
    saved = ws.load_scenario(AUTOSAVE)
    assert [(c["op"], c["layer"]) for c in saved] == [("remove", layer), ("add", layer)]
    mode = load_standards().get(layer, "urban").mode
    assert ws.load_standards() == {layer: {"mode": mode, "minutes": 10}}

    # The figures are those of the edited layer under the 10-minute standard (computed directly).
    kept = region.facilities[layer].drop(index=region.facilities[layer].index[2])
    site = gpd.GeoDataFrame({"facility_id": ["new-1"], "name": ["site"]}, geometry=[Point(lon, lat)],
                            crs="EPSG:4326")
    cov = population_coverage(region.with_facilities(layer, pd.concat([kept, site], ignore_index=True)), layer,
                              standards=standard_override(load_standards(), layer, mode, 10))
    assert edited[1][1] == f"{cov[cov['level'] == 'city'].iloc[0]['covered']:,.0f}"

    at = start()  # restart: the layer last edited, its standard, its edits and its figures are back
    assert at.sidebar.selectbox(key="layer").value == layer
    assert at.sidebar.number_input(key=f"minutes_{layer}").value == 10
    assert metrics(at) == edited
    assert [c.value for c in at.caption if c.value[:3] in ("1. ", "2. ")] == edits


def test_named_scenarios_save_load_delete_and_bad_names(fresh_workspace):
    layer = "social_work_station"
    fid = str(load_default().facilities[layer]["facility_id"].iloc[0])
    at = start()
    at.sidebar.selectbox(key="layer").set_value(layer).run()
    default = metrics(at)
    at.selectbox(key="remove_choice").set_value(fid).run()
    at.button(key="remove").click().run()
    edited = metrics(at)
    assert edited != default
    ws = Workspace.open(fresh_workspace)

    for bad in ("../x", AUTOSAVE):
        at.text_input(key="scenario_name").input(bad).run()
        at.button(key="save_scenario").click().run()
        assert not at.exception
        assert at.error and "无法保存方案" in at.error[0].value
        assert ws.scenarios() == [AUTOSAVE]

    at.text_input(key="scenario_name").input("方案 甲").run()
    at.button(key="save_scenario").click().run()
    assert not at.error and any("方案 甲" in s.value for s in at.success)
    assert ws.load_scenario("方案 甲") == ws.load_scenario(AUTOSAVE)

    at.button(key="reset").click().run()
    assert metrics(at) == default
    # A map click, then loading the scenario: the scenario replaces it (the click is not re-added).
    at.session_state["map"] = {"last_clicked": {"lng": 112.9, "lat": 22.3}}
    at.run()
    assert metrics(at)[3][1] == f"{int(default[3][1].replace(',', '')) + 1:,}"
    at.selectbox(key="scenario_pick").set_value("方案 甲").run()
    at.button(key="load_scenario").click().run()
    assert not at.exception
    assert metrics(at) == edited
    at.button(key="delete_scenario").click().run()
    assert ws.scenarios() == [AUTOSAVE]


def test_two_sessions_keep_each_others_edits(fresh_workspace):
    region = load_default()
    first, second = start(), start()
    first.sidebar.selectbox(key="layer").set_value("social_work_station").run()
    sws = str(region.facilities["social_work_station"]["facility_id"].iloc[0])
    first.selectbox(key="remove_choice").set_value(sws).run()
    first.button(key="remove").click().run()
    ecs = str(region.facilities["elder_care_station"]["facility_id"].iloc[0])
    second.selectbox(key="remove_choice").set_value(ecs).run()  # the second session's default layer
    second.button(key="remove").click().run()
    saved = Workspace.open(fresh_workspace).load_scenario(AUTOSAVE)
    assert sorted((c["layer"], c["facility_id"]) for c in saved) == [
        ("elder_care_station", ecs), ("social_work_station", sws)]
