"""coverage.region: the Region object, the default loader and user-file overrides."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from coverage.layers import LAYERS
from coverage.region import FACILITY_COLUMNS, TOWN_COLUMNS, Region, load_default, load_region

UTM = "EPSG:32649"
X0, Y0 = 600_000.0, 2_450_000.0  # a 2 km × 1 km test area in Jiangmen's UTM zone


def _tiny_region() -> Region:
    """Two 1 km towns side by side (west 街道/urban, east 镇/rural), three cells, one station."""
    towns = gpd.GeoDataFrame(
        {
            "town_code": ["440703002", "440703101"],
            "town_zh": ["西街道", "东镇"],
            "town_en": ["West Subdistrict", "East Town"],
            "town_type": ["街道", "镇"],
            "area_type": ["urban", "rural"],
            "district_code": ["440703", "440703"],
            "district_zh": ["蓬江区", "蓬江区"],
        },
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
        crs=UTM,
    ).to_crs("EPSG:4326")
    districts = gpd.GeoDataFrame(
        {"district_code": ["440703"], "district_zh": ["蓬江区"], "district_en": ["Pengjiang District"],
         "geometry_source": ["real"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 1000)],
        crs=UTM,
    ).to_crs("EPSG:4326")
    population = pd.DataFrame(
        {
            "cell_id": [1, 2, 3],
            "x": [X0 + 250, X0 + 1250, X0 + 1750],
            "y": [Y0 + 250, Y0 + 250, Y0 + 750],
            "town_code": ["440703002", "440703101", "999999999"],
            "district_code": ["440703"] * 3,
            "pop_total": [100, 50, 10],
            "pop_60plus": [20, 15, 4],
            "pop_0_17": [30, 5, 1],
        }
    )
    station = gpd.GeoDataFrame(
        {c: [None] for c in FACILITY_COLUMNS}, geometry=[Point(X0 + 300, Y0 + 400)], crs=UTM
    ).to_crs("EPSG:4326")
    station["layer"], station["source"], station["facility_id"] = "elder_care_station", "illustrative", "S1"
    return Region(
        districts=districts,
        towns=towns,
        population=population,
        facilities={"elder_care_station": station},
        provenance={"districts": "real", "towns": "modelled", "population": "modelled",
                    "facilities:elder_care_station": "illustrative", "roads": "none"},
    )


# --------------------------------------------------------------------------- helpers on a hand-made region


def test_facility_xy_is_in_utm():
    r = _tiny_region()
    np.testing.assert_allclose(r.facility_xy("elder_care_station"), [[X0 + 300, Y0 + 400]], atol=1e-3)
    # the UTM 49N central meridian (111°E) on the equator is (500000, 0)
    eq = gpd.GeoDataFrame({"source": ["uploaded"]}, geometry=[Point(111.0, 0.0)], crs="EPSG:4326")
    np.testing.assert_allclose(r.with_facilities("ossuary", eq).facility_xy("ossuary"), [[500_000.0, 0.0]], atol=1e-6)


def test_facility_xy_of_a_missing_layer_is_empty_and_unknown_layer_fails():
    r = _tiny_region()
    assert r.facility_xy("elder_canteen").shape == (0, 2)
    with pytest.raises(ValueError, match="unknown layer"):
        r.facility_xy("hospital")


def test_cell_xy_and_served():
    r = _tiny_region()
    np.testing.assert_array_equal(r.cell_xy(), [[X0 + 250, Y0 + 250], [X0 + 1250, Y0 + 250], [X0 + 1750, Y0 + 750]])
    assert r.served("elder_canteen").tolist() == [20, 15, 4]  # pop_60plus
    assert r.served("child_protection_post").tolist() == [30, 5, 1]  # pop_0_17
    assert r.served("social_work_station").tolist() == [100, 50, 10]  # pop_total
    assert r.served("ossuary").dtype == np.float64


def test_cell_area_type_from_town():
    r = _tiny_region()
    # third cell's town is unknown → rural
    assert r.cell_area_type().tolist() == ["urban", "rural", "rural"]
    no_area = dataclasses.replace(r, towns=r.towns.drop(columns="area_type"))
    assert no_area.cell_area_type().tolist() == ["urban", "rural", "rural"]  # from town_type
    # cells of no town (a missing code) are rural; repeated codes each get their town's type
    pop = pd.concat([r.population, r.population], ignore_index=True)
    pop.loc[0, "town_code"] = None
    mixed = dataclasses.replace(r, population=pop)
    assert mixed.cell_area_type().tolist() == ["rural", "rural", "rural", "urban", "rural", "rural"]


def test_modelled_inputs_and_notes():
    r = _tiny_region()
    assert r.modelled_inputs() == ["towns", "population", "facilities:elder_care_station"]
    zh, en = r.provenance_note("zh"), r.provenance_note("en")
    assert "镇街边界、人口网格为模型推算" in zh and "居家养老服务站点为示意数据" in zh and "未提供路网" in zh
    assert "town boundaries and population grid are modelled" in en
    assert "home elder-care station is illustrative" in en and "no road network" in en
    with pytest.raises(ValueError, match="lang"):
        r.provenance_note("fr")
    real = dataclasses.replace(r, provenance={k: "real" for k in r.provenance}, network=object())
    assert real.provenance_note() == "数据说明：各项输入均为真实数据。"


def test_with_facilities_copies_and_sets_provenance():
    r = _tiny_region()
    new = gpd.GeoDataFrame(
        {"facility_id": ["U1", "U2"], "source": ["uploaded", "uploaded"], "beds": [10, None]},
        geometry=[Point(X0 + 1500, Y0 + 500), Point(X0 + 100, Y0 + 100)],
        crs=UTM,
    )
    r2 = r.with_facilities("elder_care_station", new)
    assert len(r.facilities["elder_care_station"]) == 1  # original untouched
    assert r.provenance["facilities:elder_care_station"] == "illustrative"
    assert len(r2.facilities["elder_care_station"]) == 2
    assert r2.provenance["facilities:elder_care_station"] == "uploaded"
    got = r2.facilities["elder_care_station"]
    assert list(got.columns[: len(FACILITY_COLUMNS)]) == FACILITY_COLUMNS
    assert got.crs.to_epsg() == 4326 and set(got.layer) == {"elder_care_station"}
    assert got.beds.tolist()[0] == 10 and pd.isna(got.beds.tolist()[1])
    assert "居家养老服务站点为用户上传" in r2.provenance_note()
    # mixed illustrative + proposed sites stay illustrative; explicit provenance wins
    mixed = new.assign(source=["illustrative", "proposed"])
    assert r.with_facilities("elder_care_station", mixed).provenance["facilities:elder_care_station"] == "illustrative"
    assert r.with_facilities("elder_care_station", new, provenance="real").provenance[
        "facilities:elder_care_station"] == "real"


def test_with_facilities_validates():
    r = _tiny_region()
    pts = gpd.GeoDataFrame({"source": ["uploaded"]}, geometry=[Point(0, 0)])
    with pytest.raises(ValueError, match="no CRS"):
        r.with_facilities("elder_care_station", pts)
    with pytest.raises(ValueError, match="unknown layer"):
        r.with_facilities("hospital", pts.set_crs(4326))
    with pytest.raises(ValueError, match="provenance"):
        r.with_facilities("elder_care_station", pts.set_crs(4326), provenance="guessed")


def test_with_network_sets_roads():
    r = _tiny_region()
    net = object()
    r2 = r.with_network(net)
    assert r2.network is net and r2.provenance["roads"] == "uploaded" and r.network is None
    assert "未提供路网" not in r2.provenance_note()
    assert r2.with_network(None).provenance["roads"] == "none"


# --------------------------------------------------------------------------- the default region


def test_load_default_schema_and_provenance():
    r = load_default()
    assert r.network is None
    assert len(r.districts) == 7 and len(r.towns) == 73
    assert list(r.towns.columns) == TOWN_COLUMNS + ["geometry"]
    assert r.towns.crs.to_epsg() == 4326 and r.districts.crs.to_epsg() == 4326
    assert r.population.pop_total.sum() == 4_798_090
    assert set(r.facilities) == set(LAYERS)
    for layer_id, gdf in r.facilities.items():
        assert list(gdf.columns) == FACILITY_COLUMNS + ["geometry"], layer_id
        assert str(gdf.beds.dtype) == "Int64" and str(gdf.opening_year.dtype) == "Int64"
        assert r.facility_xy(layer_id).shape == (len(gdf), 2)
    assert r.provenance["districts"] == "real"
    assert r.provenance["towns"] == "modelled" and r.provenance["population"] == "modelled"
    assert r.provenance["roads"] == "none"
    assert all(r.provenance[f"facilities:{k}"] == "illustrative" for k in LAYERS)
    assert set(r.modelled_inputs()) == {"towns", "population", *(f"facilities:{k}" for k in LAYERS)}


def test_load_default_returns_independent_copies():
    a = load_default()
    a.population.loc[0, "pop_total"] = -1
    a.facilities["elder_canteen"]["name"] = "changed"
    a.provenance["roads"] = "uploaded"
    b = load_default()
    assert b.population.loc[0, "pop_total"] > 0
    assert len(b.facilities["elder_canteen"]) == 60
    assert "changed" not in set(b.facilities["elder_canteen"].name)
    assert b.provenance["roads"] == "none"


def test_default_cell_area_type_follows_towns():
    r = load_default()
    area = r.cell_area_type()
    urban_towns = set(r.towns.town_code[r.towns.area_type == "urban"])
    expected = np.where(r.population.town_code.isin(urban_towns), "urban", "rural")
    assert (area == expected).all()
    assert 0 < (area == "urban").sum() < len(area)


# --------------------------------------------------------------------------- overrides


def test_load_region_replaces_a_facility_layer(tmp_path):
    csv = tmp_path / "stations.csv"
    # two stations in 白沙街道 / 会城街道 (WGS-84)
    csv.write_text("名称,经度,纬度,床位数\n站A,113.0726,22.5760,\n站B,113.0299,22.5263,12\n", encoding="utf-8")
    r = load_region(facilities={"elder_care_station": csv})
    got = r.facilities["elder_care_station"]
    assert len(got) == 2 and set(got.source) == {"uploaded"}
    assert got.town_code.tolist() == ["440703002", "440705001"]
    assert r.provenance["facilities:elder_care_station"] == "uploaded"
    assert r.provenance["facilities:elder_canteen"] == "illustrative"
    assert "facilities:elder_care_station" in r.reports
    assert "facilities:elder_care_station" not in r.modelled_inputs()
    assert len(load_default().facilities["elder_care_station"]) == 581  # default untouched


def test_load_region_rejects_unknown_layer(tmp_path):
    with pytest.raises(ValueError, match="unknown layer"):
        load_region(facilities={"hospital": tmp_path / "x.csv"})


def test_load_region_replaces_towns_and_reassigns_cells(tmp_path):
    # upload the default towns of 江海区 merged into one polygon coded as 江南街道: every
    # 江海区 cell and facility then belongs to 江南街道; cells elsewhere keep no town
    default = load_default()
    jh = default.towns[default.towns.district_code == "440704"]
    up = gpd.GeoDataFrame({"town_code": ["440704001"], "town_zh": ["江南街道"]},
                          geometry=[jh.geometry.union_all()], crs="EPSG:4326")
    path = tmp_path / "towns.geojson"
    up.to_file(path, driver="GeoJSON")
    r = load_region(towns=path)
    assert r.provenance["towns"] == "uploaded" and "towns" in r.reports
    assert r.towns.town_code.tolist() == ["440704001"]
    in_jh = default.population.district_code == "440704"
    assert (r.population.town_code[in_jh] == "440704001").mean() > 0.999
    assert r.population.town_code[~in_jh].isna().all()
    assert r.population.pop_total.sum() == default.population.pop_total.sum()
    st = r.facilities["elder_care_station"]
    assert (st.town_code[st.district_code == "440704"] == "440704001").all()


def test_load_region_replaces_the_population(tmp_path):
    # three points: two in 白沙街道 (one with age groups), one in the sea south of 台山 (dropped)
    pts = gpd.GeoDataFrame(
        {"pop_total": [1000, 500, 70], "pop_60plus": [200, 100, 10], "pop_0_17": [150, 50, 5]},
        geometry=[Point(113.0726, 22.5760), Point(113.0700, 22.5740), Point(112.9, 21.0)],
        crs="EPSG:4326",
    )
    path = tmp_path / "pop.geojson"
    pts.to_file(path, driver="GeoJSON")
    r = load_region(population=path)
    assert r.provenance["population"] == "uploaded" and "population" in r.reports
    assert r.provenance["towns"] == "modelled"
    assert sorted(r.population.pop_total.tolist()) == [500, 1000]  # the point in the sea is dropped
    assert r.population.town_code.tolist() == ["440703002", "440703002"]
    assert sorted(r.served("elder_care_station").tolist()) == [100.0, 200.0]
    assert r.cell_area_type().tolist() == ["urban", "urban"]
    assert "population" not in r.modelled_inputs()


def test_notes_can_be_scoped_to_the_layers_an_output_uses():
    r = dataclasses.replace(
        _tiny_region(),
        provenance={"districts": "real", "towns": "real", "population": "real", "roads": "none",
                    "facilities:elder_care_station": "uploaded", "facilities:elder_canteen": "illustrative"},
    )
    # An output on the uploaded stations alone must not be labelled illustrative by the canteens.
    assert r.modelled_inputs(["elder_care_station"]) == []
    assert r.modelled_inputs() == ["facilities:elder_canteen"]
    assert "示意" not in r.provenance_note("zh", layers=["elder_care_station"])
    assert "长者饭堂为示意数据" in r.provenance_note("zh")
    assert set(r.provenance_for(["elder_care_station"])) == {
        "districts", "towns", "population", "roads", "facilities:elder_care_station"}


def test_uploaded_population_without_age_columns_is_flagged_as_modelled_ages(tmp_path):
    pts = gpd.GeoDataFrame({"pop_total": [1000, 500]},
                           geometry=[Point(113.0726, 22.5760), Point(113.0700, 22.5740)], crs="EPSG:4326")
    path = tmp_path / "pop_total_only.geojson"
    pts.to_file(path, driver="GeoJSON")
    r = load_region(population=path)
    assert r.provenance["population"] == "uploaded"
    assert r.provenance["population:age_groups"] == "modelled"
    assert "population:age_groups" in r.modelled_inputs()
    assert "人口网格年龄组(60+、0-17)为模型推算" in r.provenance_note("zh")


# --------------------------------------------------------------------------- validated, typed


def test_region_is_validated_and_compared_by_identity():
    from coverage.errors import InputError

    region = _tiny_region()
    assert region == region and region != dataclasses.replace(region)  # eq=False: no table comparison
    with pytest.raises(InputError, match="Region.towns must be in EPSG:4326"):
        dataclasses.replace(region, towns=region.towns.to_crs(UTM))
    with pytest.raises(InputError, match="lacks column"):
        dataclasses.replace(region, population=region.population.drop(columns="town_code"))
    with pytest.raises(InputError, match="provenance"):
        dataclasses.replace(region, provenance={"towns": "guessed"})
    with pytest.raises(ValueError, match="unknown layer"):
        dataclasses.replace(region, facilities={"no_such_layer": region.facilities["elder_care_station"]})


def test_grid_spec_is_checked_when_a_grid_is_attached():
    from coverage.errors import InputError
    from coverage.region import GridSpec

    region = _tiny_region()
    assert region.grid == GridSpec(500.0) and region.cell_size == 500.0
    grid = pd.DataFrame({"cell_id": [1, 2, 3], "x": [X0 + 50, X0 + 150, X0 + 250], "y": [Y0 + 50] * 3,
                         "town_code": ["440703002"] * 3, "district_code": ["440703"] * 3,
                         "pop_total": [10, 20, 30], "pop_60plus": [1, 2, 3], "pop_0_17": [2, 3, 4]})
    fine = region.with_population(grid)  # a 100 m grid: the spec is inferred from the spacing
    assert fine.cell_size == 100.0
    with pytest.raises(InputError, match="100 m apart but the grid specification says 500 m"):
        region.with_population(grid, spec=GridSpec(500.0))
    with pytest.raises(InputError, match="share one centre"):
        region.with_population(pd.concat([grid, grid.iloc[:1]], ignore_index=True))
    with pytest.raises(InputError, match="negative"):
        region.with_population(grid.assign(pop_total=[10, -1, 30]))
    with pytest.raises(InputError, match="EPSG:32649"):
        GridSpec(500.0, "EPSG:4326")
    with pytest.raises(InputError, match="positive"):
        GridSpec(0)


def test_towns_missing_from_an_uploaded_file_leave_their_cells_and_facilities_unassigned(small_region):
    """Issue 11: what lies in a town the file lacks is named unassigned, never given to a neighbour."""
    from coverage.io.report import ImportReport
    from coverage.metrics import population_coverage, unit_coverage

    t2 = "440703101"  # 甲二镇: cells (4,0), (7,3), (4,3) with 300 + 500 + 350 residents; SWS1
    report = ImportReport(file="towns.geojson", layer="towns")
    region = small_region.with_towns(small_region.towns[small_region.towns["town_code"] != t2], report=report)
    lost = region.unassigned()
    assert (lost.cells, lost.people) == (3, 1150)
    assert "SWS1" in lost.facilities["social_work_station"]
    cells = region.population[region.population["town_code"].isna()]
    assert set(cells["district_code"]) == {"440703"}  # their own district, not the nearest town's
    sws = region.facilities["social_work_station"].set_index("facility_id").loc["SWS1"]
    assert sws["town_code"] is None and sws["district_code"] == "440703"
    text = "\n".join(str(i) for i in report.warnings)
    assert "3 population cells (1150 residents) lie in no town" in text and "SWS1" in text
    cov = population_coverage(region, "social_work_station", reach=np.zeros(len(region.population), bool))
    assert len(cov[cov["level"] == "town"]) == 3
    district = cov[(cov["level"] == "district") & (cov["district_code"] == "440703")].iloc[0]
    assert district.served == 1000 + 800 + 600 + 400 + 1150  # the unassigned people still count here
    units = unit_coverage(region, "social_work_station")
    assert units.query("level == 'city'").facilities.item() == 0  # SWS1 is in no town


def test_locate_gives_no_town_outside_every_polygon():
    region = _tiny_region()
    pts = gpd.GeoDataFrame({"district_code": ["440703", None]},
                           geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 9000, Y0 + 500)], crs=UTM)
    located = region.locate(pts)
    assert located["town_code"].tolist() == ["440703002", None]
    assert located["district_code"].tolist() == ["440703", None]
