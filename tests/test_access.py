"""2SFCA / E2SFCA / Gaussian 2SFCA: hand-computed answers, the engine's costs, and pysal ``access``."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coverage.access import (
    AccessMethod,
    accessibility,
    catchment_costs,
    catchment_costs_xy,
    fca_scores,
    resolve_capacity,
    value_column,
    weighted_quantile,
)
from coverage.errors import CapacityError
from coverage.network import RoadNetwork
from coverage.reach import ReachModel, compute_reach
from coverage.standards import Standard

STD_1KM = Standard(mode="walk", minutes=15, speed_kmh=4.5, distance_m=1000)

# Four cells on a line and two facilities; distance mode, 1,000 m limit (inclusive).
#   c0 x=0 (100 people), c1 x=500 (200), c2 x=900 (100), c3 x=2000 (50)
#   f0 x=0 (10 beds), f1 x=1500 (6 beds)
# f0 reaches c0 (0 m), c1 (500), c2 (900); f1 reaches c1 (1000), c2 (600), c3 (500).
CELLS = np.array([[0.0, 0.0], [500.0, 0.0], [900.0, 0.0], [2000.0, 0.0]])
FACS = np.array([[0.0, 0.0], [1500.0, 0.0]])
DEMAND = np.array([100.0, 200.0, 100.0, 50.0])
SUPPLY = np.array([10.0, 6.0])


def _gauss(r: float) -> float:
    e = math.exp(-0.5)
    return (math.exp(-0.5 * r * r) - e) / (1 - e)


@pytest.fixture(scope="module")
def line_costs():
    return catchment_costs_xy(CELLS, FACS, STD_1KM)


def test_costs_are_the_pairs_within_the_limit(line_costs):
    pairs = {(int(c), int(f)): float(v) for c, f, v in zip(line_costs.cell, line_costs.facility, line_costs.cost)}
    assert pairs == {(0, 0): 0.0, (1, 0): 500.0, (2, 0): 900.0, (1, 1): 1000.0, (2, 1): 600.0, (3, 1): 500.0}
    assert line_costs.mode == "distance" and line_costs.unit == "m"


def test_2sfca_hand_computed(line_costs):
    a, r = fca_scores(line_costs, SUPPLY, DEMAND, "2sfca")
    r0, r1 = 10 / 400, 6 / 350  # f0 serves 100+200+100, f1 200+100+50
    np.testing.assert_allclose(r, [r0, r1])
    np.testing.assert_allclose(a, [r0, r0 + r1, r0 + r1, r1])


def test_e2sfca_hand_computed(line_costs):
    a, _ = fca_scores(line_costs, SUPPLY, DEMAND, AccessMethod.ENHANCED)
    # weights by cost/limit: ≤1/3 → 1, ≤2/3 → 0.68, ≤1 → 0.22
    r0 = 10 / (100 * 1 + 200 * 0.68 + 100 * 0.22)  # 10 / 258
    r1 = 6 / (200 * 0.22 + 100 * 0.68 + 50 * 0.68)  # 6 / 146
    np.testing.assert_allclose(a, [r0, 0.68 * r0 + 0.22 * r1, 0.22 * r0 + 0.68 * r1, 0.68 * r1])
    assert r0 == pytest.approx(10 / 258) and r1 == pytest.approx(6 / 146)


def test_gaussian_hand_computed(line_costs):
    a, _ = fca_scores(line_costs, SUPPLY, DEMAND, "gaussian")
    g05, g09, g06 = _gauss(0.5), _gauss(0.9), _gauss(0.6)
    r0 = 10 / (100 * 1 + 200 * g05 + 100 * g09)
    r1 = 6 / (200 * 0 + 100 * g06 + 50 * g05)  # at the limit (r = 1) the Gaussian weight is 0
    np.testing.assert_allclose(a, [r0, g05 * r0, g09 * r0 + g06 * r1, g05 * r1])


@pytest.mark.parametrize("method", list(AccessMethod))
def test_every_bed_is_shared_out_once(line_costs, method):
    """Σ demand × access = the capacity of every facility that reaches someone."""
    a, _ = fca_scores(line_costs, SUPPLY, DEMAND, method)
    assert float((DEMAND * a).sum()) == pytest.approx(SUPPLY.sum())


def test_facility_with_no_demand_in_reach_contributes_nothing():
    costs = catchment_costs_xy(CELLS, np.array([[0.0, 0.0], [9000.0, 0.0]]), STD_1KM)
    a, r = fca_scores(costs, SUPPLY, DEMAND)
    assert r[1] == 0.0 and np.isfinite(a).all()


def test_network_costs_match_hand_and_reach():
    # a street along y=0, nodes every 100 m; walking at 3.6 km/h = 1 m/s, 6-minute limit (360 s)
    nodes = np.column_stack([np.arange(0, 1001, 100.0), np.zeros(11)])
    net = RoadNetwork.from_arrays(nodes, np.arange(10), np.arange(1, 11))
    std = Standard(mode="walk", minutes=6, speed_kmh=3.6, distance_m=300)
    cells = np.array([[0.0, 10.0], [400.0, 0.0], [800.0, 0.0]])
    fac = np.array([[300.0, -20.0]])
    costs = catchment_costs_xy(cells, fac, std, network=net)
    got = dict(zip(costs.cell.tolist(), costs.cost.tolist()))
    # cell 0: 10 s access + 300 s street + 20 s facility leg; cell 1: 100 + 20; cell 2: 520 s > 360 s
    assert got == pytest.approx({0: 330.0, 1: 120.0})
    reach = ReachModel.from_arrays(cells, fac, std, network=net).reach
    np.testing.assert_allclose(costs.nearest_cost(), np.where(reach.covered, reach.cost, np.inf))


def test_network_costs_are_the_trip_to_the_facility():
    """Driving on one-way streets: a cell upstream reaches the facility, one downstream does not."""
    nodes = np.array([[0.0, 0.0], [500.0, 0.0], [1000.0, 0.0]])
    net = RoadNetwork.from_arrays(nodes, [0, 1], [1, 2], oneway=True, drive_speed_kmh=np.array([36.0, 36.0]))
    std = Standard(mode="drive", minutes=5, speed_kmh=36, distance_m=2000)
    cells = np.array([[0.0, 0.0], [1000.0, 0.0]])
    costs = catchment_costs_xy(cells, np.array([[1000.0, 0.0], [0.0, 0.0]]), std, network=net)
    pairs = {(int(c), int(f)): v for c, f, v in zip(costs.cell, costs.facility, costs.cost)}
    # cell 0 drives 0 → 1 → 2 to facility 0 (1,000 m at 10 m/s); cell 1 cannot drive back to facility 1
    assert pairs == pytest.approx({(0, 0): 100.0, (0, 1): 0.0, (1, 0): 0.0})
    for j, fac in enumerate(([1000.0, 0.0], [0.0, 0.0])):
        reach = ReachModel.from_arrays(cells, np.array([fac]), std, network=net).reach
        mine = np.full(2, np.inf)
        for (c, f), v in pairs.items():
            if f == j:
                mine[c] = v
        np.testing.assert_allclose(mine, np.where(reach.covered, reach.cost, np.inf))


def _pysal_2sfca(costs, supply, demand, weight_fn):
    two_stage_fca = pytest.importorskip("access.fca").two_stage_fca

    demand_df = pd.DataFrame({"demand": demand}, index=pd.Index(np.arange(len(demand)), name="geoid"))
    supply_df = pd.DataFrame({"supply": supply}, index=pd.Index(np.arange(len(supply)), name="geoid"))
    cost_df = pd.DataFrame({"origin": costs.cell, "dest": costs.facility, "cost": costs.ratio})
    out = two_stage_fca(
        demand_df, supply_df, cost_df, max_cost=1.0, demand_index=True, demand_name="demand",
        supply_name="supply", weight_fn=weight_fn,
    )  # fmt: skip
    return out.reindex(np.arange(len(demand))).fillna(0.0).to_numpy()


def test_matches_pysal_access_on_the_same_inputs():
    """Mixed urban/rural limits (costs normalised by each cell's limit), all three methods."""
    weights = pytest.importorskip("access.weights", reason="pysal access (requirements-dev.txt) not installed")

    rng = np.random.default_rng(7)
    cells = rng.uniform(0, 20_000, size=(1500, 2))
    facs = rng.uniform(0, 20_000, size=(40, 2))
    area = np.where(cells[:, 0] < 10_000, "urban", "rural")
    stds = {"urban": STD_1KM.replace(distance_m=2500), "rural": STD_1KM.replace(distance_m=4000)}
    costs = catchment_costs_xy(cells, facs, stds, area_type=area)
    demand = rng.integers(1, 500, size=len(cells)).astype(float)
    supply = rng.integers(5, 200, size=len(facs)).astype(float)
    cases = {
        "2sfca": None,
        "e2sfca": weights.step_fn({1 / 3: 1.0, 2 / 3: 0.68, 1.0: 0.22}),
        "gaussian": _gauss,
    }
    for method, fn in cases.items():
        ours, _ = fca_scores(costs, supply, demand, method)
        theirs = _pysal_2sfca(costs, supply, demand, fn)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15, err_msg=method)
        assert (ours > 0).sum() > 500  # a real test: most cells reach a facility


def test_region_accessibility_of_beds():
    from coverage.region import load_default

    region = load_default()
    costs = catchment_costs(region, "elder_care_institution")
    reach = compute_reach(region, "elder_care_institution")
    # the catchment is coverage's: nearest cost = the engine's, covered cells = cells with a pair
    np.testing.assert_allclose(costs.nearest_cost(), np.where(reach.covered, reach.cost, np.inf))
    res = accessibility(region, "elder_care_institution", "2sfca", costs=costs)
    assert res.capacity == "beds" and res.value_column == "beds_per_1000_60plus"
    assert res.standard["urban"].mode == "drive" and res.cost_mode == "distance"
    assert res.provenance["facilities:elder_care_institution"] == "illustrative"
    t = res.table
    assert (t.level == "town").sum() == len(region.towns) and (t.level == "district").sum() == 7
    city = t[t.level == "city"].iloc[0]
    beds = region.facilities["elder_care_institution"]["beds"].astype(float)
    reaching = np.unique(costs.facility[region.served("elder_care_institution")[costs.cell] > 0])
    # people-weighted mean × people / 1000 = every bed that reaches someone
    assert city["beds_per_1000_60plus"] * city["served"] / 1000 == pytest.approx(beds.iloc[reaching].sum())
    assert city["beds_per_1000_60plus_in_unit"] == pytest.approx(1000 * beds.sum() / city["served"])
    assert res.city_ratio == pytest.approx(city["beds_per_1000_60plus_in_unit"])
    assert city["plan_indicator"] == "elder_beds_per_1000" and city["plan_target"] == 35
    assert (res.cells["beds_per_1000_60plus"] > 0).to_numpy().tolist() == res.cells["covered"].tolist()
    assert city["beds_per_1000_60plus_p10"] <= city["beds_per_1000_60plus_median"] <= city["beds_per_1000_60plus_p90"]


def test_capacity_resolution():
    frame = pd.DataFrame({"beds": [None, None], "staff": [3, 4]})
    assert resolve_capacity(frame) == "staff"
    assert resolve_capacity(frame, "facilities") == "facilities"
    with pytest.raises(CapacityError, match="beds"):
        resolve_capacity(frame, "beds")
    with pytest.raises(CapacityError, match="no capacity column"):
        resolve_capacity(pd.DataFrame({"name": ["a"]}), layer_id="elder_care_station")
    assert value_column("beds", "pop_60plus") == "beds_per_1000_60plus"
    assert value_column("facilities", "pop_0_17") == "facilities_per_1000_0_17"


def test_layer_without_capacity_says_so():
    from coverage.region import load_default

    with pytest.raises(CapacityError, match="elder_care_station"):
        accessibility(load_default(), "elder_care_station")


def test_weighted_quantile():
    assert weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]), 0.5) == 2.0
    assert weighted_quantile(np.array([5.0, 1.0]), np.array([1.0, 3.0]), 0.10) == 1.0
    assert weighted_quantile(np.array([5.0, 1.0]), np.array([1.0, 3.0]), 0.90) == 5.0


def test_cli_access_writes_the_library_figures(tmp_path, monkeypatch, capsys):
    from coverage.cli import main
    from coverage.region import load_default

    monkeypatch.setenv("COVERAGE_WORKSPACE", str(tmp_path / "no-workspace"))
    out = tmp_path / "access.csv"
    assert main(["access", "--layer", "elder_care_institution", "--method", "gaussian", "--out", str(out),
                 "--lang", "en"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "Gaussian 2SFCA" in printed and "beds" in printed
    table = pd.read_csv(out, dtype={"town_code": str, "district_code": str}, encoding="utf-8-sig")
    lib = accessibility(load_default(), "elder_care_institution", "gaussian").table
    city = table[table.level == "city"].iloc[0]
    assert city["beds_per_1000_60plus"] == pytest.approx(lib[lib.level == "city"]["beds_per_1000_60plus"].iloc[0])
    assert set(table["method"]) == {"gaussian"} and set(table["capacity"]) == {"beds"}
    assert table["provenance"].str.contains("illustrative").all()
    assert main(["access", "--layer", "elder_care_station"]) == 2
    assert "no capacity column" in capsys.readouterr().err
