"""Candidate sites: user points (validated on land) and generated ones (weighted KMeans + cells)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from coverage.candidates import (
    CANDIDATE_COLUMNS,
    candidate_points,
    generate_candidates,
    locate_towns,
)
from coverage.crs import PROJECTED, WGS84
from coverage.region import Region

X0, Y0 = 700_000.0, 2_490_000.0
TO_WGS = Transformer.from_crs(PROJECTED, WGS84, always_xy=True)


def make_region(town_boxes, cells, pops) -> Region:
    """Towns from (minx, maxx) spans on one strip; cells (x offsets) with 60+ populations."""
    codes = [f"44070300{i + 1}" for i in range(len(town_boxes))]
    towns = gpd.GeoDataFrame(
        {"town_code": codes, "town_zh": [f"镇{i + 1}" for i in range(len(codes))], "town_en": codes,
         "town_type": ["镇"] * len(codes), "area_type": ["rural"] * len(codes),
         "district_code": ["440703"] * len(codes), "district_zh": ["蓬江区"] * len(codes)},
        geometry=[box(X0 + a, Y0, X0 + b, Y0 + 3000) for a, b in town_boxes], crs=PROJECTED,
    ).to_crs(WGS84)  # fmt: skip
    x = X0 + np.asarray(cells, dtype=float)
    town_of = [codes[next(i for i, (a, b) in enumerate(town_boxes) if a <= c < b)] for c in cells]
    pops = np.asarray(pops)
    population = pd.DataFrame(
        {"cell_id": np.arange(len(cells)), "x": x, "y": np.full(len(cells), Y0 + 1500.0), "town_code": town_of,
         "district_code": "440703", "pop_total": pops * 10, "pop_60plus": pops, "pop_0_17": pops * 2}
    )  # fmt: skip
    districts = gpd.GeoDataFrame(
        {"district_code": ["440703"], "district_zh": ["蓬江区"], "district_en": ["P"], "geometry_source": ["real"]},
        geometry=[towns.union_all()], crs=WGS84,
    )
    return Region(districts, towns, population, {}, {"towns": "modelled", "population": "modelled"})


@pytest.fixture(scope="module")
def strip() -> Region:
    # town 1: 0-6000 m, town 2: 6000-12000 m; cells 1,500 m apart
    return make_region([(0, 6000), (6000, 12000)], [750, 2250, 3750, 5250, 6750, 8250, 9750, 11250],
                       [10, 20, 30, 5, 40, 8, 9, 50])  # fmt: skip


def lonlat(dx):
    lon, lat = TO_WGS.transform(X0 + np.asarray(dx, dtype=float), np.full(len(dx), Y0 + 1500.0))
    return lon, lat


def test_locate_towns(strip):
    xy = np.array([[X0 + 100, Y0 + 100], [X0 + 7000, Y0 + 2000], [X0 + 20_000, Y0 + 100], [X0 + 100, Y0 - 50]])
    assert locate_towns(strip, xy).tolist() == [0, 1, -1, -1]


def test_user_points_get_town_codes(strip):
    lon, lat = lonlat([1500, 9000])
    cand = candidate_points(strip, pd.DataFrame({"名称": ["甲", "乙"], "经度": lon, "纬度": lat})).table
    assert list(cand.columns[:-1]) == CANDIDATE_COLUMNS
    assert cand["town_code"].tolist() == ["440703001", "440703002"]
    assert cand["name"].tolist() == ["甲", "乙"]
    assert cand["source"].tolist() == ["user", "user"]
    np.testing.assert_allclose(cand["x"], [X0 + 1500, X0 + 9000], atol=1e-3)
    assert cand.crs.to_epsg() == 4326


def test_user_points_off_land_are_refused_with_row_numbers(strip):
    lon, lat = lonlat([1500, 20_000, 9000, 30_000])
    df = pd.DataFrame({"lon": lon, "lat": lat})
    with pytest.raises(ValueError, match=r"2 candidate point\(s\).*row\(s\) 2, 4"):
        candidate_points(strip, df)
    kept = candidate_points(strip, df, on_outside="drop")
    assert len(kept.table) == 2 and kept.table["x"].tolist() == pytest.approx([X0 + 1500, X0 + 9000], abs=1e-3)
    assert kept.dropped_rows == (2, 4) and not kept.table.attrs
    assert candidate_points(strip, df.iloc[[0, 2]]).dropped_rows == ()
    assert len(candidate_points(strip, df, on_outside="drop").table) == 2


def test_user_points_from_projected_geodataframe_and_xy(strip):
    gdf = gpd.GeoDataFrame(geometry=[Point(X0 + 4000, Y0 + 1000)], crs=PROJECTED)
    assert candidate_points(strip, gdf).table["town_code"].tolist() == ["440703001"]
    xy = pd.DataFrame({"x": [X0 + 11_000], "y": [Y0 + 10]})
    assert candidate_points(strip, xy).table["town_code"].tolist() == ["440703002"]


@pytest.mark.parametrize(
    "df, message",
    [
        (pd.DataFrame({"a": [1], "b": [2]}), "need lon/lat columns"),
        (pd.DataFrame({"lon": [113.0, "x"], "lat": [22.5, 22.5]}), "row 2"),
        (pd.DataFrame({"lon": [], "lat": []}), "no candidate points"),
    ],
)
def test_user_points_validation(strip, df, message):
    with pytest.raises(ValueError, match=message):
        candidate_points(strip, df)


def test_user_points_from_file(strip, tmp_path):
    lon, lat = lonlat([1500, 9000])
    path = tmp_path / "cand.csv"
    pd.DataFrame({"名称": ["甲", "乙"], "经度": lon, "纬度": lat}).to_csv(path, index=False)
    cand = candidate_points(strip, path, "elder_care_station").table
    assert cand["town_code"].tolist() == ["440703001", "440703002"]
    assert cand["name"].tolist() == ["甲", "乙"]


def test_kmeans_centre_is_the_weighted_mean_of_uncovered_demand(strip):
    uncovered = np.array([False] * 4 + [True] * 4)  # only town 2's cells
    cand = generate_candidates(strip, "elder_care_station", uncovered, n_clusters=1, max_cells=0)
    assert cand["source"].tolist() == ["kmeans"]
    w = np.array([40, 8, 9, 50], dtype=float)
    expected = X0 + np.average([6750, 8250, 9750, 11250], weights=w)
    assert cand["x"].iloc[0] == pytest.approx(expected, abs=1e-3)
    assert cand["town_code"].iloc[0] == "440703002"


def test_off_land_centre_snaps_to_a_member_cell():
    # two islands with sea between them: the weighted centre (6,000 m) is at sea
    region = make_region([(0, 3000), (9000, 12000)], [1500, 10500], [10, 10])
    cand = generate_candidates(region, "elder_care_station", n_clusters=1, max_cells=0)
    assert len(cand) == 1
    assert cand["x"].iloc[0] in (X0 + 1500, X0 + 10500)
    assert (locate_towns(region, cand[["x", "y"]].to_numpy()) >= 0).all()


def test_generated_candidates_cells_units_dedup_and_determinism(strip):
    uncovered = np.array([True, True, False, False, True, True, True, True])
    a = generate_candidates(strip, "elder_care_station", uncovered, n_clusters=2, max_cells=3, random_state=5)
    b = generate_candidates(strip, "elder_care_station", uncovered, n_clusters=2, max_cells=3, random_state=5)
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
    cells = a[a["source"] == "cell"]
    # the three most populated uncovered cells: B3 (50), B0 (40), A1 (20)
    np.testing.assert_allclose(sorted(cells["x"] - X0), [2250, 6750, 11250])
    assert (locate_towns(strip, a[["x", "y"]].to_numpy()) >= 0).all()
    assert not a[["x", "y"]].round(0).duplicated().any()
    assert a["candidate_id"].is_unique
    # unit candidates come first: the per_unit most populated cells of town 1 and a point inside it
    u = generate_candidates(strip, "elder_care_station", uncovered, n_clusters=0, max_cells=0,
                            units=["440703001"], per_unit=2)  # fmt: skip
    assert u["source"].tolist() == ["unit"] * 3
    np.testing.assert_allclose(u["x"].iloc[:2] - X0, [3750, 2250])  # A2 (30), A1 (20)
    assert set(u["town_code"]) == {"440703001"}


def test_generate_validation(strip):
    with pytest.raises(ValueError, match="uncovered mask has 3 values"):
        generate_candidates(strip, "elder_care_station", np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="n_clusters"):
        generate_candidates(strip, "elder_care_station", n_clusters=-1)


def test_user_file_in_gcj02_is_converted(strip, tmp_path):
    from coverage.crs import wgs84_to_gcj02

    lon, lat = lonlat([4500])
    glon, glat = wgs84_to_gcj02(lon, lat)
    path = tmp_path / "gcj.csv"
    pd.DataFrame({"名称": ["甲"], "经度": glon, "纬度": glat}).to_csv(path, index=False)
    cand = candidate_points(strip, path, "elder_care_station", crs="gcj02").table
    assert cand["x"].iloc[0] == pytest.approx(X0 + 4500, abs=1.0)
    assert cand["y"].iloc[0] == pytest.approx(Y0 + 1500, abs=1.0)
    raw = candidate_points(strip, path, "elder_care_station").table  # read as WGS-84: offset by the datum shift
    assert np.hypot(raw["x"].iloc[0] - X0 - 4500, raw["y"].iloc[0] - Y0 - 1500) > 100
