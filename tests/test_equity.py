"""Equity: coverage and accessibility by area type and district, Gini/Theil, the worst-served towns."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from coverage.equity import equity, gini, scaled_standards, theil
from coverage.standards import Standard, StandardTable, load_standards

URBAN, RURAL = "440703002", "440705101"  # 白沙街道 (蓬江区, 街道) and 大泽镇 (新会区, 镇)
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)
# fixed here, not read from data/standards.csv, so the hand-computed answers stay true
STANDARDS = StandardTable({
    ("elder_care_station", "urban"): Standard(mode="walk", minutes=15, speed_kmh=4.5, distance_m=1000),
    ("elder_care_station", "rural"): Standard(mode="bike", minutes=15, speed_kmh=15, distance_m=2880),
})  # fmt: skip


@pytest.fixture(scope="module")
def small_region():
    """Five cells of 60+ residents in two towns, one home-care station in each town (distance mode).

    Standards (:data:`STANDARDS`): 街道 1,000 m, 镇 2,880 m; twice: 2,000 m and 5,760 m.
      白沙街道: u1 at the seat (100 people, station 0 m), u2 +1,500 m (50: beyond 1x, within 2x),
                u3 +3,000 m (50: beyond 2x).
      大泽镇:   r1 at the seat (200, station 2,000 m away: covered), r2 +7,000 m (100: station 5,000 m,
                beyond 1x, within 2x).
    """
    from coverage.region import load_default

    region = load_default()
    towns = region.towns.set_index("town_code")
    ux, uy = TO_UTM.transform(towns.at[URBAN, "seat_lon"], towns.at[URBAN, "seat_lat"])
    rx, ry = TO_UTM.transform(towns.at[RURAL, "seat_lon"], towns.at[RURAL, "seat_lat"])
    grid = pd.DataFrame(
        {
            "cell_id": [1, 2, 3, 4, 5],
            "x": [ux, ux + 1500, ux + 3000, rx, rx + 7000],
            "y": [uy, uy, uy, ry, ry],
            "town_code": [URBAN] * 3 + [RURAL] * 2,
            "district_code": ["440703"] * 3 + ["440705"] * 2,
            "pop_total": [300, 150, 150, 600, 300],
            "pop_60plus": [100, 50, 50, 200, 100],
            "pop_0_17": [30, 15, 15, 60, 30],
        }
    )
    stations = gpd.GeoDataFrame(
        {"facility_id": ["s1", "s2"], "name": ["站一", "站二"], "town_code": [URBAN, RURAL],
         "district_code": ["440703", "440705"]},
        geometry=gpd.points_from_xy([ux, rx + 2000], [uy, ry]), crs="EPSG:32649",
    )  # fmt: skip
    return region.with_population(grid, provenance="uploaded").with_facilities("elder_care_station", stations)


def test_gini_and_theil_hand_computed():
    assert gini(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(0.25)
    # weights are replication: [1, 3] with weights [3, 1] is [1, 1, 1, 3]
    assert gini(np.array([1.0, 3.0]), np.array([3.0, 1.0])) == pytest.approx(0.25)
    assert gini(np.array([5.0, 5.0, 5.0])) == 0.0
    assert theil(np.array([1.0, 3.0]), np.array([3.0, 1.0])) == pytest.approx(0.5 * math.log(4 / 3))
    assert theil(np.array([2.0, 2.0])) == 0.0
    assert math.isnan(gini(np.zeros(3)))


def test_scaled_standards_double_time_and_distance():
    base = load_standards()
    far = scaled_standards(None, "elder_care_station", 2.0)
    assert scaled_standards(STANDARDS, "elder_care_station", 2.0).get("elder_care_station", "rural").distance_m == 5760
    for area in ("urban", "rural"):
        b, f = base.get("elder_care_station", area), far.get("elder_care_station", area)
        assert (f.minutes, f.distance_m, f.speed_kmh, f.mode) == (2 * b.minutes, 2 * b.distance_m, b.speed_kmh, b.mode)
    assert far.get("elder_canteen", "urban") == base.get("elder_canteen", "urban")


def test_equity_on_hand_made_towns(small_region):
    eq = equity(small_region, "elder_care_station", STANDARDS)
    g = eq.groups.set_index("group")
    assert g.at["urban", "served"] == 200 and g.at["urban", "covered"] == 100
    assert g.at["urban", "share_beyond_standard"] == pytest.approx(0.5)
    assert g.at["urban", "share_beyond_2x_standard"] == pytest.approx(0.25)
    assert g.at["rural", "coverage_rate"] == pytest.approx(2 / 3)
    assert g.at["rural", "share_beyond_2x_standard"] == pytest.approx(0.0)
    assert g.at["city", "coverage_rate"] == pytest.approx(0.6)
    assert g.at["city", "share_beyond_2x_standard"] == pytest.approx(0.1)
    assert g.at["440703", "coverage_rate"] == pytest.approx(0.5)  # the district of 白沙街道
    assert g.at["440704", "served"] == 0 and math.isnan(g.at["440704", "coverage_rate"])
    # stations carry no capacity: each counts 1. s1 serves u1 (100) → 10 per 1,000; s2 serves r1 (200) → 5
    assert eq.access.capacity == "facilities" and eq.value_column == "facilities_per_1000_60plus"
    np.testing.assert_allclose(eq.access.cells[eq.value_column], [10, 0, 0, 5, 0])
    assert g.at["city", eq.value_column] == pytest.approx((100 * 10 + 200 * 5) / 500)
    # people at 0 (200), 5 (200), 10 (100): Σ|xi-xj| over ordered pairs = 1e6, W = 500, mean 4
    assert eq.gini == pytest.approx(1e6 / (2 * 500**2 * 4)) and eq.gini == pytest.approx(0.5)
    assert eq.theil == pytest.approx(0.5 * math.log(1.25 * 2.5))
    assert eq.gini_covered == pytest.approx(gini(np.array([10.0, 5.0]), np.array([100.0, 200.0])))
    # 2 towns with people → the worst 10 % is one town, 白沙街道 (coverage 0.5 < 0.667)
    assert eq.worst_towns["town_code"].tolist() == [URBAN]
    assert eq.worst_towns.iloc[0]["rank"] == 1
    assert eq.provenance["population"] == "uploaded" and eq.cost_mode == "distance"
    assert eq.standard["urban"].distance_m == 1000 and eq.far_factor == 2.0


def test_equity_uses_capacity_when_the_layer_has_one():
    from coverage.region import load_default

    calls = []
    eq = equity(load_default(), "elder_care_institution", method="e2sfca", progress=lambda: calls.append(1))
    assert eq.access.capacity == "beds" and eq.access.method.value == "e2sfca"
    assert len(calls) == 3
    kinds = eq.groups["group_kind"].value_counts().to_dict()
    assert kinds == {"area_type": 2, "district": 7, "city": 1}
    city = eq.groups[eq.groups.group == "city"].iloc[0]
    # shares are of the same people: beyond 2x ≤ beyond 1x, and 1x + coverage = 1
    assert city["share_beyond_2x_standard"] <= city["share_beyond_standard"]
    assert city["share_beyond_standard"] + city["coverage_rate"] == pytest.approx(1.0)
    assert len(eq.worst_towns) == math.ceil(0.1 * 73)  # every default town has people
    assert eq.worst_towns["coverage_rate"].is_monotonic_increasing
    assert 0 < eq.gini < 1


def test_cli_equity(tmp_path, monkeypatch, capsys):
    from coverage.cli import main

    monkeypatch.setenv("COVERAGE_WORKSPACE", str(tmp_path / "no-workspace"))
    out = tmp_path / "equity.csv"
    assert main(["equity", "--layer", "elder_care_station", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "基尼系数" in printed and "街道" in printed and "镇" in printed
    frame = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert frame["section"].value_counts().to_dict() == {"group": 10, "worst_town": 8}
    assert set(frame["capacity"]) == {"facilities"}


def test_equity_over_a_road_network(small_region):
    """The same five cells on two straight streets: network seconds give the hand-computed shares too.

    Walk 15 min at 4.5 km/h = 1,125 m of street in 白沙街道 (u2 at 1,500 m: beyond 1x, within 2x;
    u3 at 3,000 m: beyond 2x); bike 15 min at 15 km/h = 3,750 m in 大泽镇 (r1 2,000 m: covered;
    r2 5,000 m: within 2x).
    """
    from coverage.network import RoadNetwork

    pop = small_region.population
    (ux, uy), (rx, ry) = pop[["x", "y"]].to_numpy()[[0, 3]]
    xs = [ux + np.arange(-100, 3001, 100.0), rx + np.arange(-100, 7001, 100.0)]
    ys = [np.full(len(xs[0]), uy), np.full(len(xs[1]), ry)]
    nodes = np.column_stack([np.concatenate(xs), np.concatenate(ys)])
    start = len(xs[0])
    u = np.concatenate([np.arange(start - 1), start + np.arange(len(xs[1]) - 1)])
    net = RoadNetwork.from_arrays(nodes, u, u + 1)
    region = small_region.with_network(net)
    eq = equity(region, "elder_care_station", STANDARDS)
    g = eq.groups.set_index("group")
    assert eq.cost_mode == "network"
    assert g.at["urban", "coverage_rate"] == pytest.approx(0.5)
    assert g.at["urban", "share_beyond_2x_standard"] == pytest.approx(0.25)
    assert g.at["rural", "coverage_rate"] == pytest.approx(2 / 3)
    assert g.at["rural", "share_beyond_2x_standard"] == pytest.approx(0.0)
    np.testing.assert_allclose(eq.access.cells[eq.value_column], [10, 0, 0, 5, 0])
