"""The app's bridge to the workspace (coverage.ui.persist) on the hand-made region.

Answers worked out on paper (see ``tests/conftest.py`` and ``tests/test_ui_scenario.py``):
with a 600 m radius, elder-care stations ECS1 and ECS2 cover 810 of the 1,390 people aged 60+;
a site at the centre of cell (4, 3) adds 150 (960); removing ECS2 loses 360.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, Polygon

from coverage.io import DataImportError
from coverage.standards import Standard
from coverage.ui import persist
from coverage.ui.scenario import Scenario
from coverage.workspace import Workspace
from tests.conftest import cell_centre

STD = Standard("walk", 15, 4.5, 600)
TO_LONLAT = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)


def covered_60(region, scenario) -> float:
    served = region.population["pop_60plus"].to_numpy(dtype=float)
    return float(served[np.asarray(scenario.reach.covered)].sum())


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace.open(tmp_path)


# --------------------------------------------------------------------------- region


def test_nothing_saved_gives_the_base_region(ws, small_region):
    assert persist.region_from_workspace(ws, small_region) is small_region
    assert persist.workspace_stamp(ws) == ()


def test_saved_layer_replaces_the_layer_with_provenance_uploaded(ws, small_region):
    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    gdf = gpd.GeoDataFrame({"facility_id": ["U1"], "name": ["上传站"]}, geometry=[Point(lon, lat)],
                           crs="EPSG:4326")
    ws.save_layer("elder_care_station", gdf, source_name="register.csv")
    stamp = persist.workspace_stamp(ws)
    assert [s[:3] for s in stamp] == [("layer", "elder_care_station", 1)]
    region = persist.region_from_workspace(ws, small_region)
    assert list(region.facilities["elder_care_station"]["facility_id"]) == ["U1"]
    assert region.provenance["facilities:elder_care_station"] == "uploaded"
    assert list(small_region.facilities["elder_care_station"]["facility_id"]) == ["ECS1", "ECS2"]  # untouched
    ws.save_layer("elder_care_station", gdf)
    assert persist.workspace_stamp(ws) != stamp  # a new save changes the stamp


def test_a_saved_community_layer_is_not_part_of_the_region_or_its_stamp(ws, small_region):
    """The analyses tab's community layer is saved in the workspace too, but the region is not made of
    it: saving it must not change the stamp (which would drop every session's caches and run their
    pages again) nor the region; a facility layer saved after it still does."""
    from coverage.ui.analyses import COMMUNITY_LAYER_ID

    square = Polygon([(112.0, 22.0), (112.01, 22.0), (112.01, 22.01), (112.0, 22.01)])
    ws.save_layer(COMMUNITY_LAYER_ID, gpd.GeoDataFrame({"community_zh": ["某社区"]}, geometry=[square],
                                                       crs="EPSG:4326"), source_name="communities.geojson")
    assert COMMUNITY_LAYER_ID in ws.layers()
    assert persist.workspace_stamp(ws) == ()
    assert persist.region_from_workspace(ws, small_region) is small_region
    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    ws.save_layer("elder_care_station", gpd.GeoDataFrame({"facility_id": ["U1"], "name": ["上传站"]},
                                                         geometry=[Point(lon, lat)], crs="EPSG:4326"))
    assert [s[:2] for s in persist.workspace_stamp(ws)] == [("layer", "elder_care_station")]


def test_saved_towns_and_population_are_applied(ws, small_region):
    # Keep only the two southern towns (rows 0-3): cells of rows 4-7 fall outside every town.
    towns = small_region.towns[small_region.towns["town_code"].isin(["440703001", "440703101"])]
    ws.save_towns(towns.reset_index(drop=True), source_name="towns.geojson")
    pop = small_region.population.copy()
    pop["pop_total"] = pop["pop_total"] * 2
    ws.save_population(pop)
    region = persist.region_from_workspace(ws, small_region)
    assert region.provenance["towns"] == "uploaded" and region.provenance["population"] == "uploaded"
    assert len(region.towns) == 2
    assert region.population["pop_total"].sum() == 2 * small_region.population["pop_total"].sum()
    rows = ((region.population["y"] - 2_490_000.0) // 500).astype(int)
    assert region.population.loc[rows >= 4, "town_code"].isna().all()
    assert set(region.population.loc[rows < 4, "town_code"]) <= {"440703001", "440703101"}
    # Default facilities are re-assigned to the saved towns too (ECS2 at (3500, 3500) is outside).
    ecs = region.facilities["elder_care_station"].set_index("facility_id")
    assert ecs.loc["ECS1", "town_code"] == "440703001"
    assert pd.isna(ecs.loc["ECS2", "town_code"])

    removed = persist.clear_data(ws)
    assert sorted(removed) == ["population", "towns"]
    assert persist.region_from_workspace(ws, small_region) is small_region


def test_import_files_reads_against_the_region_and_saves_nothing_itself(ws, small_region, tmp_path):
    lon, lat = TO_LONLAT.transform(*cell_centre(1, 1))
    good = tmp_path / "good.csv"
    good.write_text(f"名称,经度,纬度\n甲站,{lon:.6f},{lat:.6f}\n", encoding="utf-8")
    imported = persist.import_files(small_region, facilities={"elder_care_station": good})
    gdf, report = imported["facilities"]["elder_care_station"]
    assert len(gdf) == 1 and report.rows_imported == 1
    assert gdf["town_code"].iloc[0] == "440703001"  # located in the region's towns
    assert ws.entries() == []
    persist.save_imports(ws, imported, {"elder_care_station": "/some/dir/good.csv"})
    assert ws.load_layer("elder_care_station").source_name == "good.csv"

    bad = tmp_path / "bad.csv"
    bad.write_text("名称,经度,纬度\n甲站,,22.5\n", encoding="utf-8")
    with pytest.raises(DataImportError):
        persist.import_files(small_region, facilities={"elder_care_station": bad})
    with pytest.raises(ValueError, match="unknown layer 'nope'"):
        persist.import_files(small_region, facilities={"nope": good})


def test_saved_layer_reports_and_other_layers(ws, small_region):
    from coverage.io.report import ImportReport

    report = ImportReport(file="x.csv", layer="elder_care_station", rows_read=1, rows_imported=1)
    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    new = gpd.GeoDataFrame({"facility_id": ["NEW1"], "name": ["新站"]}, geometry=[Point(lon, lat)],
                           crs="EPSG:4326")
    ws.save_layer("elder_care_station", new, report=report)
    ws.save_layer("my_custom_layer", new)  # not a registry layer: ignored
    region = persist.region_from_workspace(ws, small_region)
    assert region.reports["facilities:elder_care_station"] == report
    assert region.facilities["ossuary"]["facility_id"].tolist() == ["OSS1"]  # other layers kept


def test_a_damaged_saved_layer_is_skipped_and_named_or_refused(ws, small_region):
    import sqlite3

    from coverage.errors import WorkspaceDamagedError

    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    gdf = gpd.GeoDataFrame({"facility_id": ["U1"], "name": ["上传站"]}, geometry=[Point(lon, lat)],
                           crs="EPSG:4326")
    ws.save_layer("elder_care_station", gdf)
    ws.save_layer("ossuary", gdf)
    con = sqlite3.connect(ws.file)
    con.execute("UPDATE objects SET body = '{\"format\": 1' WHERE name = 'elder_care_station'")
    con.commit()
    con.close()
    restored = persist.restore_region(ws, small_region)
    assert [(d.kind, d.name) for d in restored.damaged] == [("layer", "elder_care_station")]
    # the damaged layer keeps the default; the readable upload is in use
    assert list(restored.region.facilities["elder_care_station"]["facility_id"]) == ["ECS1", "ECS2"]
    assert list(restored.region.facilities["ossuary"]["facility_id"]) == ["U1"]
    with pytest.raises(WorkspaceDamagedError, match="elder_care_station"):
        persist.region_from_workspace(ws, small_region)


def test_draft_ids():
    a, b = persist.new_draft_id(), persist.new_draft_id()
    assert a != b and persist.draft_id_from(a) == a and persist.draft_id_from([b]) == b
    for bad in (None, "", "../x", "A" * 32, a + "0", ["x"], 3):
        assert persist.draft_id_from(bad) is None
    assert persist.empty_draft() == {"layer": None, "changes": [], "standards": {}}


# --------------------------------------------------------------------------- edits


def test_replay_renumbers_added_sites_and_skips_what_no_longer_applies(small_region):
    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    saved = [
        {"op": "add", "layer": "elder_care_station", "lon": lon, "lat": lat, "facility_id": "new-3"},
        {"op": "remove", "layer": "elder_care_station", "facility_id": "ECS2"},
        {"op": "remove", "layer": "elder_care_station", "facility_id": "GONE"},
        {"op": "add", "layer": "elder_canteen", "lon": lon, "lat": lat, "facility_id": "new-1"},
    ]
    scenario = Scenario(small_region, "elder_care_station", STD)
    problems = persist.replay(scenario, saved, "elder_care_station")
    assert problems == [persist.SkippedChange(3, "remove", "GONE", "missing_facility")]
    # worded from the catalogue in the page's language
    assert persist.skipped_text(problems[0], "zh") == "第 3 项 (移除 GONE): 该设施已不在图层中"
    assert persist.skipped_text(problems[0], "en") == \
        "change 3 (remove GONE): the facility is no longer in the layer"
    assert [(c.kind, c.facility_id) for c in scenario.changes] == [("add", "new-1"), ("remove", "ECS2")]
    assert covered_60(small_region, scenario) == 960 - 360

    # A removal of an added site follows the site's new id.
    scenario = Scenario(small_region, "elder_care_station", STD)
    persist.replay(scenario, saved[:1] + [{"op": "remove", "layer": "elder_care_station",
                                           "facility_id": "new-3"}], "elder_care_station")
    assert scenario.n_active == 2 and covered_60(small_region, scenario) == 810


def test_merge_edits_and_last_layer(small_region):
    lon, lat = TO_LONLAT.transform(*cell_centre(4, 3))
    other = {"op": "remove", "layer": "elder_canteen", "facility_id": "C1"}
    old = {"op": "remove", "layer": "elder_care_station", "facility_id": "ECS1"}
    scenario = Scenario(small_region, "elder_care_station", STD)
    scenario.add_site(lon, lat)
    merged = persist.merge_edits([old, other], scenario.changes, "elder_care_station")
    assert [(c["op"], c["layer"]) for c in merged] == [("remove", "elder_canteen"), ("add", "elder_care_station")]
    assert merged[1]["facility_id"] == "new-1" and merged[1]["lon"] == pytest.approx(lon)
    assert persist.last_layer(merged) == "elder_care_station"
    assert persist.last_layer([other, {"op": "remove", "layer": "unknown", "facility_id": "x"}]) == "elder_canteen"
    assert persist.last_layer([]) is None


@pytest.mark.parametrize("bad", ["../x", "a/b", "", ".hidden", "x\ny", 3])
def test_bad_scenario_names_are_refused(bad):
    with pytest.raises(ValueError):
        persist.check_scenario_name(bad)


def test_scenario_names_are_stripped():
    assert persist.check_scenario_name("  方案 甲 ") == "方案 甲"


# --------------------------------------------------------------------------- standards


def test_standard_choice_and_update():
    saved = {"elder_canteen": {"mode": "bike", "minutes": 10}, "ossuary": {"mode": "fly", "minutes": 10},
             "child_protection": {"mode": "walk", "minutes": 0}}
    assert persist.standard_choice(saved, "elder_canteen", "walk", 15.0) == ("bike", 10)
    assert persist.standard_choice(saved, "ossuary", "drive", 30.0) == ("drive", 30)  # invalid: default
    assert persist.standard_choice(saved, "child_protection", "walk", 15.0) == ("walk", 15)
    assert persist.standard_choice({}, "x", "walk", 15.0) == ("walk", 15)
    new = persist.update_standards(saved, "elder_canteen", "walk", 15, "walk", 15.0)
    assert "elder_canteen" not in new and "elder_canteen" in saved  # default again: dropped; input kept
    assert persist.update_standards({}, "x", "drive", 20, "walk", 15.0) == {"x": {"mode": "drive", "minutes": 20}}


def test_a_save_after_a_restored_backup_never_repeats_a_stamp(tmp_path, small_region):
    """Restoring a backup rolls the versions back; the next save must still look new to every session
    (their caches are keyed by the stamp), not like the save the backup undid."""
    from coverage.workspace import Workspace, restore_backup

    ws = Workspace.open(tmp_path)
    fac = small_region.facilities["elder_care_station"]
    ws.save_layer("elder_care_station", fac.iloc[:1])
    backup = ws.backup(tmp_path / "backup.sqlite")
    ws.save_layer("elder_care_station", fac)
    seen = persist.workspace_stamp(ws)
    restore_backup(tmp_path, backup)
    ws = Workspace.open(tmp_path)
    ws.save_layer("elder_care_station", fac.iloc[1:])
    again = persist.workspace_stamp(ws)
    assert [s[:3] for s in again] == [s[:3] for s in seen]  # the same version number again ...
    assert again != seen  # ... but another stamp
