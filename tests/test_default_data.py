"""The embedded Jiangmen default dataset (data/) against the published facts it is built from.

Known answers are the official statistics themselves (NBS town codes, 2020 census totals
and age bands, the plan's published counts and indicator values), written out here so a
wrong build cannot agree with itself.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from coverage import paths
from coverage.layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (ROOT / ".." / "shared" / "jiangmen").resolve()
MiB = 1024 * 1024

# NBS 2023 统计用区划代码: the 73 towns/streets (镇/街道) by district, last three digits.
OFFICIAL_CODES = {
    "440703": "002 005 006 101 102 103",
    "440704": "001 004 005",
    "440705": "001 101 102 103 104 105 106 107 108 109 110",
    "440781": "001 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115",
    "440783": "001 002 103 104 105 106 107 108 109 110 111 112 115 116 117",
    "440784": "001 101 102 103 104 105 106 107 108 112",
    "440785": "001 100 101 102 103 104 105 106 107 108 109",
}
# 2020 census (county tabulation): total, 60+ (bands 60-64 … 85+), 0-14, 15-19 (male + female)
CENSUS = {
    "440703": (853007, 124500, 137313, 26748 + 20455),
    "440704": (364694, 43544, 58773, 11217 + 11456),
    "440705": (909277, 170433, 146411, 21234 + 17120),
    "440781": (907744, 209437, 131565, 19525 + 16336),
    "440783": (748777, 150639, 123183, 18251 + 15475),
    "440784": (530684, 83014, 90302, 12347 + 9364),
    "440785": (483907, 94740, 80953, 10166 + 7532),
}
# 鹤山市统计局, 第七次全国人口普查公报（第二号）
HESHAN_TOWNS = {
    "440784001": 240614, "440784101": 32680, "440784102": 34208, "440784103": 33748,
    "440784104": 34077, "440784105": 37398, "440784106": 44638, "440784107": 33367,
    "440784108": 26340, "440784112": 13614,
}
TOWN_COLUMNS = [
    "town_code", "town_zh", "town_en", "town_type", "area_type", "district_code", "district_zh",
    "seat_lon", "seat_lat", "seat_source", "geometry_source",
]
FACILITY_COLUMNS = [
    "facility_id", "name", "layer", "town_code", "district_code", "address",
    "beds", "nursing_beds", "opening_year", "source",
]


def _read(path: Path) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path)
    for col in ("district_code", "town_code", "facility_id"):
        if col in gdf.columns:
            gdf[col] = gdf[col].astype(str)
    return gdf


@pytest.fixture(scope="module")
def towns() -> gpd.GeoDataFrame:
    return _read(paths.TOWNS_FILE)


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return _read(paths.DISTRICTS_FILE)


@pytest.fixture(scope="module")
def city():
    return _read(paths.CITY_FILE).to_crs(32649).geometry.union_all()


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    with gzip.open(paths.POPULATION_FILE, "rt", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"town_code": str, "district_code": str})


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return pd.read_csv(paths.TARGETS_FILE, dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------- boundaries


def test_districts_are_the_seven_real_units(districts):
    assert list(districts.columns) == ["district_code", "district_zh", "district_en", "geometry_source", "geometry"]
    assert sorted(districts.district_code) == sorted(OFFICIAL_CODES)
    assert dict(zip(districts.district_code, districts.district_en))["440703"] == "Pengjiang District"
    assert set(districts.geometry_source) == {"real"}
    assert districts.is_valid.all()


def test_towns_have_the_official_codes_and_schema(towns):
    expected = {d + s for d, tail in OFFICIAL_CODES.items() for s in tail.split()}
    assert len(towns) == 73
    assert set(towns.town_code) == expected
    assert list(towns.columns) == TOWN_COLUMNS + ["geometry"]
    assert (towns.town_code.str[:6] == towns.district_code).all()
    street = towns.town_zh.str.endswith("街道")
    assert (towns.town_type == np.where(street, "街道", "镇")).all()
    assert (towns.area_type == np.where(street, "urban", "rural")).all()
    assert street.sum() == 12
    assert towns.town_en.str.match(r"^[A-Z][A-Za-z']+ (Subdistrict|Town)$").all()
    assert dict(zip(towns.town_zh, towns.town_en))["白沙街道"] == "Baisha Subdistrict"
    assert set(towns.geometry_source) == {"modelled:voronoi-of-seats"}


def test_modelled_seats_are_the_documented_ones(towns):
    modelled = set(towns.town_zh[towns.seat_source == "modelled"])
    # no GeoNames seat (百合镇, 双合镇); 川岛镇's GeoNames point is on the mainland, not its islands
    assert modelled == {"百合镇", "双合镇", "川岛镇"}
    assert set(towns.seat_source) == {"geonames", "modelled"}
    # 百合镇's seat: 3.5 km west of 赤坎镇's (published description: < 4 km from 赤坎古镇)
    seats = gpd.GeoSeries(gpd.points_from_xy(towns.seat_lon, towns.seat_lat), crs=4326).to_crs(32649)
    by_name = dict(zip(towns.town_zh, seats))
    assert by_name["百合镇"].distance(by_name["赤坎镇"]) == pytest.approx(3500, abs=1)


def test_every_seat_lies_in_its_own_town(towns):
    t = towns.to_crs(32649)
    seats = gpd.GeoSeries(gpd.points_from_xy(towns.seat_lon, towns.seat_lat), crs=4326).to_crs(32649)
    assert (t.geometry.distance(seats, align=False) < 1.0).all()
    # 江南街道's GeoNames point lies in 蓬江区; its seat was moved inside 江海区
    jn = towns.index[towns.town_zh == "江南街道"][0]
    assert towns.district_code[jn] == "440704"


def test_geometries_valid_and_inside_the_city(towns, districts, city):
    assert towns.is_valid.all() and districts.is_valid.all()
    assert (towns.geom_type.isin(["Polygon", "MultiPolygon"])).all()
    assert towns.to_crs(32649).within(city.buffer(1.0)).all()


def test_towns_tile_each_district(towns, districts):
    t = towns.to_crs(32649)
    d = districts.to_crs(32649).set_index("district_code")
    for code, group in t.groupby("district_code"):
        area = d.geometry[code].area
        union = group.geometry.union_all()
        assert abs(union.area - area) / area < 1e-4, code
        assert union.symmetric_difference(d.geometry[code]).area / area < 1e-4, code
        assert group.geometry.area.sum() == pytest.approx(area, rel=1e-4)
        geoms = list(group.geometry)
        for i in range(len(geoms)):
            for j in range(i + 1, len(geoms)):
                assert geoms[i].intersection(geoms[j]).area <= 1.0, (code, i, j)


def test_mainland_towns_are_contiguous(towns):
    # every town except the coastal ones holding offshore islets is one polygon
    multi = towns.town_zh[towns.geom_type == "MultiPolygon"]
    assert set(multi) <= {"川岛镇", "广海镇", "赤溪镇", "北陡镇", "海宴镇", "汶村镇", "都斛镇", "端芬镇", "斗山镇"}
    # 上川岛 (~167 km²) and 下川岛 (~97 km²) belong to 川岛镇
    ch = towns[towns.town_zh == "川岛镇"].to_crs(32649).geometry.iloc[0]
    parts = sorted((p.area for p in ch.geoms), reverse=True)
    assert parts[0] / 1e6 == pytest.approx(167.3, rel=0.01)
    assert parts[1] / 1e6 == pytest.approx(97.3, rel=0.01)


# --------------------------------------------------------------------------- population


def test_grid_schema_and_lattice(grid):
    assert list(grid.columns) == ["cell_id", "x", "y", "town_code", "district_code", "pop_total", "pop_60plus", "pop_0_17"]
    for col in ("cell_id", "x", "y", "pop_total", "pop_60plus", "pop_0_17"):
        assert grid[col].dtype.kind == "i", col
    meta = json.loads(paths.POPULATION_META.read_text(encoding="utf-8"))
    size = meta["cell_size_m"]
    assert size == 500
    assert ((grid.x - size / 2) % size == 0).all() and ((grid.y - size / 2) % size == 0).all()
    row, col = (grid.y // size).astype(int), (grid.x // size).astype(int)
    assert (grid.cell_id == row * 100_000 + col).all()
    assert grid.cell_id.is_unique
    assert (grid.town_code.str[:6] == grid.district_code).all()


def test_grid_counts_are_consistent(grid):
    assert (grid.pop_total > 0).all()
    assert (grid.pop_60plus >= 0).all() and (grid.pop_0_17 >= 0).all()
    assert (grid.pop_60plus + grid.pop_0_17 <= grid.pop_total).all()


def test_district_sums_equal_the_census(grid):
    sums = grid.groupby("district_code")[["pop_total", "pop_60plus", "pop_0_17"]].sum()
    assert sorted(sums.index) == sorted(CENSUS)
    for code, (total, old, young014, band1519) in CENSUS.items():
        assert sums.loc[code, "pop_total"] == total
        assert sums.loc[code, "pop_60plus"] == old
        assert sums.loc[code, "pop_0_17"] == young014 + int(np.floor(band1519 * 3 / 5 + 0.5))
    assert sums.pop_total.sum() == 4_798_090


def test_heshan_town_sums_equal_the_town_census(grid):
    sums = grid[grid.district_code == "440784"].groupby("town_code").pop_total.sum()
    assert sums.to_dict() == HESHAN_TOWNS


def test_cells_belong_to_the_town_containing_their_centre(grid, towns):
    pts = gpd.GeoDataFrame(grid[["town_code"]], geometry=gpd.points_from_xy(grid.x, grid.y), crs=32649)
    j = gpd.sjoin(pts, towns[["town_code", "geometry"]].to_crs(32649), predicate="within", how="left")
    j = j[~j.index.duplicated()]
    assert (j.town_code_left == j.town_code_right).mean() > 0.9999
    assert set(grid.town_code) == set(towns.town_code)  # every town has people


def test_islands_have_population(grid):
    island = grid[grid.town_code == "440781115"]  # 川岛镇 = 上川岛 + 下川岛
    lonlat = gpd.GeoSeries(gpd.points_from_xy(island.x, island.y), crs=32649).to_crs(4326)
    assert len(island) > 700  # ~264 km² of islands in 500 m cells
    assert (lonlat.y < 21.8).all()  # all offshore (the mainland coast is north of 21.8°N here)
    assert island.pop_total.sum() > 0


# --------------------------------------------------------------------------- facilities


@pytest.mark.parametrize("layer_id", list(LAYERS))
def test_facility_layer(layer_id, towns, city):
    gdf = _read(paths.facility_file(layer_id))
    layer = LAYERS[layer_id]
    assert list(gdf.columns) == FACILITY_COLUMNS + ["geometry"]
    if layer.count_2020 is not None:
        assert len(gdf) == layer.count_2020
    assert len(gdf) > 0
    assert set(gdf.source) == {"illustrative"} and set(gdf.layer) == {layer_id}
    assert gdf.facility_id.is_unique
    assert gdf.to_crs(32649).within(city).all()
    assert gdf.opening_year.between(2012, 2020).all()
    j = gpd.sjoin(gdf[["town_code", "geometry"]], towns[["town_code", "geometry"]], predicate="within")
    assert len(j) == len(gdf) and (j.town_code_left == j.town_code_right).all()
    assert (gdf.district_code == gdf.town_code.str[:6]).all()
    if layer_id == "elder_care_institution":
        assert (gdf.nursing_beds <= gdf.beds).all() and (gdf.beds > 0).all()
        assert gdf.nursing_beds.sum() / gdf.beds.sum() == pytest.approx(0.47, abs=0.001)
    else:
        assert gdf.beds.isna().all() and gdf.nursing_beds.isna().all()


def test_published_counts():
    counts = {k: len(_read(paths.facility_file(k))) for k in LAYERS}
    assert counts["elder_care_station"] == 581
    assert counts["elder_canteen"] == 60
    assert counts["elder_care_institution"] == 103
    assert counts["social_work_station"] == 17
    assert counts["minor_protection_centre"] == 8


def test_unit_coverage_matches_the_plan_2020_actuals(towns, targets):
    def towns_with(layer_id):
        return _read(paths.facility_file(layer_id)).town_code.nunique()

    actual = targets.set_index("indicator_id").actual_2020_value
    # 社工站覆盖率 2020 = 23%: 17 of 73 towns
    assert round(100 * towns_with("social_work_station") / 73) == int(actual["town_social_work_station_coverage"])
    # 县级公益性安葬（放）设施覆盖率 100%; 每个镇平均超过2个骨灰存放设施
    oss = _read(paths.facility_file("ossuary"))
    assert oss.district_code.nunique() == 7 == int(actual["county_public_burial_facility_coverage"]) * 7 // 100
    assert len(oss) / (towns.town_type == "镇").sum() > 2
    # town-level layers stay below the 2023 targets (≥40%, 30%)
    assert towns_with("elder_care_centre") / 73 < 0.40
    assert towns_with("child_protection_post") / 73 < 0.30
    assert _read(paths.facility_file("minor_protection_centre")).district_code.nunique() == 7


# --------------------------------------------------------------------------- targets


def test_targets_fourteenth_plan_table(targets):
    t = targets[targets.table == "十四五主要指标"]
    assert sorted(set(t.seq.astype(int))) == list(range(1, 26))
    assert targets.indicator_id.is_unique
    assert targets.indicator_id.str.match(r"^[a-z][a-z0-9_]*$").all()
    assert set(t.attribute) <= {"约束性", "预期性", ""}
    row = t.set_index("indicator_id")
    sws = row.loc["town_social_work_station_coverage"]
    assert (sws.actual_2020_value, sws.target_2023_value, sws.target_2025_value) == ("23", "100", "100")
    nb = row.loc["nursing_bed_share"]
    assert (nb.actual_2020, nb.target_2023, nb.target_2025) == ("47", "≥50", "≥55")
    assert (nb.target_2023_value, nb.target_2025_value, nb.comparator) == ("50", "55", ">=")
    cpp = row.loc["town_child_protection_post_coverage"]
    # one comparator per row; ">50" (the text's "50%以上") is inclusive
    assert (cpp.target_2023_value, cpp.target_2025_value, cpp.comparator) == ("30", "50", ">=")
    assert "comparator_2023" not in targets.columns
    ecc = row.loc["town_elder_care_centre_coverage"]
    assert (ecc.actual_2020, ecc.target_2023_value, ecc.target_2025_value) == ("—", "40", "60")
    burial = row.loc["county_public_burial_facility_coverage"]
    assert (burial.actual_2020_value, burial.target_2025_value, burial.attribute) == ("100", "100", "约束性")
    # text targets keep the text and have no number
    dibao = row.loc["dibao_standard_growth"]
    assert dibao.target_2025 == "不低于居民上年度人均消费支出增速" and dibao.target_2025_value == ""


def test_targets_thirteenth_plan_table(targets):
    t = targets[targets.table == "十三五完成情况"]
    assert sorted(set(t.seq.astype(int))) == list(range(1, 16))
    assert set(t.status_2020) == {"已完成", "未完成"}
    assert t.status_2020.eq("未完成").sum() == 1
    beds = t.set_index("indicator_id").loc["elder_beds_per_1000"]
    assert (beds.target_2020, beds.actual_2020_value, beds.comparator) == ("≥35", "38.5", ">=")


def test_measurable_by_names_real_layers(targets):
    m = targets.measurable_by[targets.measurable_by != ""]
    assert len(m) >= 6
    for value in m:
        layer, kind = value.split(":")
        assert layer in LAYERS
        assert re.fullmatch(r"unit_town|unit_county|nursing_bed_share|pop_coverage", kind)
    by_layer = dict(zip(targets.indicator_id, targets.measurable_by))
    assert by_layer["town_child_protection_post_coverage"] == "child_protection_post:unit_town"
    assert by_layer["nursing_bed_share"] == "elder_care_institution:nursing_bed_share"


# --------------------------------------------------------------------------- files and build


def test_file_sizes():
    files = [p for p in paths.DATA.rglob("*") if p.is_file()]
    assert files
    for p in files:
        assert p.stat().st_size < 3 * MiB, p
    assert paths.POPULATION_FILE.stat().st_size < 2 * MiB


def _build_module():
    spec = importlib.util.spec_from_file_location("build_default_data", ROOT / "scripts" / "build_default_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.skipif(not SOURCE.is_dir(), reason=f"reference data {SOURCE} not present")
def test_build_is_byte_identical_to_the_committed_data(tmp_path):
    # the committed files were built by another process: one fresh build reproducing them
    # byte for byte shows the build is deterministic and the committed data is current
    build = _build_module()
    build.build(SOURCE, tmp_path, verbose=False)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(built) == 5 + len(LAYERS) + 1
    for rel in built:
        assert (tmp_path / rel).read_bytes() == (paths.DATA / rel).read_bytes(), f"data/{rel} is stale: rebuild"


def test_largest_remainder_rounding():
    lr = _build_module().largest_remainder
    assert lr(np.array([0.5, 0.5, 1.0]), 2).tolist() == [1, 0, 1]  # tie → lower index
    assert lr(np.array([2.2, 3.7, 4.1]), 10).tolist() == [2, 4, 4]
    assert lr(np.array([1.6, 1.6]), 3, cap=np.array([1, 5])).tolist() == [1, 2]
    with pytest.raises(ValueError):
        lr(np.array([3.0, 3.0]), 5)
