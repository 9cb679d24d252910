"""propose_sites, SitingResult output and the ``site`` command on a hand-made region.

The region: two urban towns side by side (A west, B east), eight populated
500 m cells on one east-west line 1,500 m apart, one existing elder-care station
on cell A0, and user candidates half-way between neighbouring cells (750 m from
each, so each covers exactly two cells under the 1,000 m urban walking standard).

60+ population per cell:  A0 10 | A1 20 | A2 30 | A3 5 || B0 40 | B1 8 | B2 9 | B3 50
Candidate gains (A0 already covered): m01 20, m12 50, m23 35, m45 48, m56 17, m67 59.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from coverage.crs import PROJECTED, WGS84
from coverage.region import Region
from coverage.siting import SITE_COLUMNS, propose_sites

X0, Y0 = 700_000.0, 2_490_000.0  # ~113.0 E, 22.5 N (UTM 49N)
TO_WGS = Transformer.from_crs(PROJECTED, WGS84, always_xy=True)
OLD = np.array([10, 20, 30, 5, 40, 8, 9, 50])
CELL_X = X0 + 750 + 1500 * np.arange(8)
MID = {"m01": 1, "m12": 2, "m23": 3, "m45": 5, "m56": 6, "m67": 7}  # x = X0 + 1500 * value
LAYER = "elder_care_station"


def _lonlat(x, y):
    return TO_WGS.transform(x, y)


def make_region(with_station: bool = True) -> Region:
    towns_proj = gpd.GeoDataFrame(
        {
            "town_code": ["440703001", "440703002"],
            "town_zh": ["甲街道", "乙街道"],
            "town_en": ["Jia", "Yi"],
            "town_type": ["街道", "街道"],
            "area_type": ["urban", "urban"],
            "district_code": ["440703", "440703"],
            "district_zh": ["蓬江区", "蓬江区"],
        },
        geometry=[box(X0, Y0, X0 + 6000, Y0 + 3000), box(X0 + 6000, Y0, X0 + 12000, Y0 + 3000)],
        crs=PROJECTED,
    )
    towns = towns_proj.to_crs(WGS84)
    districts = gpd.GeoDataFrame(
        {"district_code": ["440703"], "district_zh": ["蓬江区"], "district_en": ["Pengjiang"],
         "geometry_source": ["real"]},
        geometry=[towns_proj.union_all()], crs=PROJECTED,
    ).to_crs(WGS84)  # fmt: skip
    population = pd.DataFrame(
        {
            "cell_id": np.arange(8),
            "x": CELL_X,
            "y": np.full(8, Y0 + 1500),
            "town_code": ["440703001"] * 4 + ["440703002"] * 4,
            "district_code": ["440703"] * 8,
            "pop_total": OLD * 10,
            "pop_60plus": OLD,
            "pop_0_17": OLD * 2,
        }
    )
    facilities = {}
    if with_station:
        lon, lat = _lonlat(CELL_X[0], Y0 + 1500)
        facilities[LAYER] = gpd.GeoDataFrame(
            {"facility_id": ["F1"], "name": ["站点一"], "layer": [LAYER], "town_code": ["440703001"],
             "district_code": ["440703"], "address": [""], "beds": [None], "nursing_beds": [None],
             "opening_year": [None], "source": ["illustrative"]},
            geometry=[Point(lon, lat)], crs=WGS84,
        )  # fmt: skip
    provenance = {
        "districts": "real",
        "towns": "modelled",
        "population": "modelled",
        f"facilities:{LAYER}": "illustrative",
        "roads": "none",
    }
    return Region(districts, towns, population, facilities, provenance)


def user_candidates(names=("m01", "m12", "m23", "m45", "m56", "m67")) -> pd.DataFrame:
    x = np.array([X0 + 1500 * MID[n] for n in names], dtype=float)
    lon, lat = _lonlat(x, np.full(len(x), Y0 + 1500))
    return pd.DataFrame({"name": list(names), "lon": lon, "lat": lat})


@pytest.fixture(scope="module")
def region() -> Region:
    return make_region()


# --------------------------------------------------------------------------- problems


@pytest.mark.parametrize("solver", ["greedy", "ilp"])
def test_k_sites_hand_answer(region, solver):
    res = propose_sites(region, LAYER, k=2, candidates=user_candidates(), solver=solver)
    s = res.sites
    assert list(s.columns[:-1]) == SITE_COLUMNS
    assert s["name"].tolist() == ["m67", "m12"]
    assert s["rank"].tolist() == [1, 2]
    assert s["new_covered_60plus"].tolist() == [59, 50]
    assert s["new_covered_total"].tolist() == [590, 500]
    assert s["new_covered_0_17"].tolist() == [118, 100]
    np.testing.assert_allclose(s["cumulative_rate"], [(10 + 59) / 172, (10 + 109) / 172], atol=1e-6)
    assert s["town_zh"].tolist() == ["乙街道", "甲街道"]
    p = res.params
    assert p["objective"] == 109
    assert p["rate_before"] == pytest.approx(10 / 172)
    assert p["rate_after"] == pytest.approx(119 / 172)
    assert p["mode"] == "distance" and p["k"] == 2 and p["target"] is None
    if solver == "ilp":
        assert p["bound"] == pytest.approx(109) and p["gap"] == pytest.approx(0)
        assert p["status"] == "optimal"


def test_existing_facilities_are_fixed(region):
    before = region.facilities[LAYER].copy()
    res = propose_sites(region, LAYER, k=3, candidates=user_candidates())
    pd.testing.assert_frame_equal(pd.DataFrame(region.facilities[LAYER]), pd.DataFrame(before))
    assert res.params["existing_facilities"] == 1
    # the covered cell A0 is never counted again: the best 3 sites add 59 + 50 + 48
    assert res.sites["new_covered_60plus"].tolist() == [59, 50, 48]
    assert res.sites["new_covered_60plus"].sum() + 10 <= 172


def test_without_the_existing_station_a0_counts():
    res = propose_sites(make_region(with_station=False), LAYER, k=1, candidates=user_candidates(["m01"]))
    assert res.sites["new_covered_60plus"].tolist() == [30]  # A0 10 + A1 20


@pytest.mark.parametrize("solver", ["greedy", "ilp"])
def test_rate_target_reached_with_fewest_sites(region, solver):
    res = propose_sites(region, LAYER, target=0.9, candidates=user_candidates(), solver=solver)
    # 0.9 × 172 = 154.8 needs 144.8 new; two sites give at most 109, three give 157
    assert res.sites["name"].tolist() == ["m67", "m12", "m45"]
    assert res.sites["cumulative_rate"].iloc[-1] >= 0.9
    assert res.params["problem"] == "lscp" and res.params["target"] == 0.9
    assert res.params["objective"] == 3 and res.params["objective_unit"] == "sites"
    assert res.params["newly_covered"] == 59 + 50 + 48
    if solver == "ilp":
        assert res.params["bound"] == 3 and res.params["status"] == "optimal"


def test_rate_target_already_met_needs_no_site(region):
    res = propose_sites(region, LAYER, target=0.05, candidates=user_candidates())
    assert len(res.sites) == 0
    assert res.params["rate_after"] == pytest.approx(10 / 172)


def test_unreachable_target_raises(region):
    with pytest.raises(ValueError, match="unreachable"):
        propose_sites(region, LAYER, target=1.0, candidates=user_candidates(["m01"]))


@pytest.mark.parametrize("solver", ["greedy", "ilp"])
def test_town_target_one_site_in_each_town_lacking_one(region, solver):
    res = propose_sites(region, LAYER, target="town", candidates=user_candidates(), solver=solver)
    assert res.params["units_lacking"] == ["440703002"]
    assert res.sites["town_code"].tolist() == ["440703002"]
    assert res.sites["name"].tolist() == ["m67"]  # best site inside town B


def test_town_target_reports_units_without_candidate(region):
    res = propose_sites(region, LAYER, target="town", candidates=user_candidates(["m12"]))
    assert len(res.sites) == 0
    assert res.params["units_without_candidate"] == ["440703002"]


def test_capacity_caps_each_site(region):
    res = propose_sites(region, LAYER, k=2, candidates=user_candidates(), capacity=30)
    assert res.sites["new_covered_60plus"].tolist() == [30, 30]
    assert res.params["capacity"] == 30


def test_generated_candidates_are_deterministic(region):
    a = propose_sites(region, LAYER, k=2, random_state=3)
    b = propose_sites(region, LAYER, k=2, random_state=3)
    pd.testing.assert_frame_equal(pd.DataFrame(a.sites), pd.DataFrame(b.sites))
    assert a.params["candidate_source"] == "generated"
    # cell-centre candidates cover only their own cell (neighbours are 1,500 m away): B3 and B0
    assert a.sites["new_covered_60plus"].tolist() == [50, 40]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "exactly one of k"),
        ({"k": 2, "target": 0.5}, "exactly one of k"),
        ({"k": 0}, "k must be a positive integer"),
        ({"target": 1.5}, r"\(0, 1\]"),
        ({"target": "village"}, "'town' or 'county'"),
        ({"k": 1, "solver": "cbc"}, "solver must be one of"),
        ({"k": 1, "capacity": -5}, "capacity must be a positive"),
        ({"k": 1, "objective": "pmedian", "capacity": 10}, "not for pmedian"),
        ({"target": 0.9, "objective": "pmedian"}, "takes k"),
        ({"k": 1, "objective": "lscp"}, "needs target"),
        ({"k": 1, "objective": "p-center"}, "objective must be one of"),
        ({"k": 1, "time_limit": 0}, "time_limit must be a positive"),
        ({"target": "town", "capacity": 10}, "not for town/county"),
    ],
)
def test_parameter_validation(region, kwargs, message):
    with pytest.raises(ValueError, match=message):
        propose_sites(region, LAYER, candidates=user_candidates(), **kwargs)


def test_unknown_layer(region):
    with pytest.raises(ValueError, match="unknown layer"):
        propose_sites(region, "library", k=1)


# --------------------------------------------------------------------------- output


def _check_rfc7946(fc: dict) -> None:
    assert fc["type"] == "FeatureCollection"
    assert "crs" not in fc  # RFC 7946 drops the crs member
    for f in fc["features"]:
        assert f["type"] == "Feature"
        assert f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert 112.0 <= lon <= 113.3 and 21.4 <= lat <= 22.9  # Jiangmen, lon first
        props = f["properties"]
        for key in ("rank", "new_covered_total", "new_covered_60plus", "new_covered_0_17"):
            assert isinstance(props[key], int) and not isinstance(props[key], bool)
        assert isinstance(props["cumulative_rate"], float)
        assert isinstance(props["town_code"], str)


def test_geojson_is_rfc7946_with_params(region, tmp_path):
    res = propose_sites(region, LAYER, k=2, candidates=user_candidates(), solver="ilp")
    path = res.to_geojson(tmp_path / "proposals.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    _check_rfc7946(fc)
    assert len(fc["features"]) == 2
    props = fc["properties"]
    assert props["layer"] == LAYER and props["k"] == 2 and props["solver"] == "ilp"
    assert props["data_sources"]["population"] == "modelled"
    assert "population" in props["modelled_inputs"]
    assert props["objective"] == 109 and props["gap"] == 0
    assert props["standard"]["urban"]["mode"] == "walk" and props["standard"]["urban"]["minutes"] == 15
    assert props["solver_used"] == "ilp" and props["status"] == "optimal" and props["bound"] == 109
    assert props["bound_kind"] == "upper" and props["objective_unit"] == "people"
    feature = fc["features"][0]["properties"]
    assert feature["method"] == "ilp" and feature["status"] == "optimal" and feature["gap"] == 0
    for value in props.values():
        assert not (isinstance(value, float) and math.isnan(value))
    # round trip through geopandas keeps the points
    back = gpd.read_file(path)
    assert back["rank"].tolist() == [1, 2]


def test_csv_has_lon_lat_and_excel_bom(region, tmp_path):
    res = propose_sites(region, LAYER, k=2, candidates=user_candidates())
    path = res.to_csv(tmp_path / "p.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(path, encoding="utf-8-sig", dtype={"town_code": str})
    assert df["rank"].tolist() == [1, 2]
    assert df["town_code"].tolist() == ["440703002", "440703001"]
    lon, lat = _lonlat(X0 + 1500 * 7, Y0 + 1500)
    assert df["lon"].iloc[0] == pytest.approx(lon, abs=1e-6)
    assert df["lat"].iloc[0] == pytest.approx(lat, abs=1e-6)


def test_summary_mentions_provenance(region):
    res = propose_sites(region, LAYER, k=1, candidates=user_candidates())
    assert "新增 1 处站点" in res.summary("zh")
    assert "模型推算" in res.summary("zh")
    assert "已证明最优" in res.summary("zh") and "proven optimal" in res.summary("en")
    assert "1 new site" in res.summary("en")


# --------------------------------------------------------------------------- CLI


def test_site_command_writes_geojson_and_csv(region, tmp_path, monkeypatch, capsys):
    import coverage.commands.site as site
    from coverage.cli import main

    monkeypatch.setattr(site, "region_from_args", lambda args: region)
    cand = tmp_path / "cand.csv"
    user_candidates().to_csv(cand, index=False)
    out = tmp_path / "out" / "proposals.geojson"
    status = main(["site", "--layer", LAYER, "--k", "2", "--candidates", str(cand), "--solver", "ilp",
                   "--out", str(out), "--quiet"])  # fmt: skip
    assert status == 0
    fc = json.loads(out.read_text(encoding="utf-8"))
    _check_rfc7946(fc)
    assert [f["properties"]["new_covered_60plus"] for f in fc["features"]] == [59, 50]
    assert (tmp_path / "out" / "proposals.csv").exists()
    assert "新增 2 处站点" in capsys.readouterr().out


def test_site_command_target_percent_and_errors(region, tmp_path, monkeypatch, capsys):
    import coverage.commands.site as site
    from coverage.cli import main

    monkeypatch.setattr(site, "region_from_args", lambda args: region)
    cand = tmp_path / "cand.csv"
    user_candidates().to_csv(cand, index=False)
    out = tmp_path / "t.geojson"
    assert main(["site", "--layer", LAYER, "--target", "90%", "--candidates", str(cand), "--out", str(out),
                 "--quiet"]) == 0  # fmt: skip
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 3
    assert (tmp_path / "t.csv").exists()  # the CSV twin is written by default
    no_csv = tmp_path / "only.geojson"
    assert main(["site", "--layer", LAYER, "--target", "90%", "--candidates", str(cand), "--out", str(no_csv),
                 "--no-csv", "--quiet"]) == 0  # fmt: skip
    assert not (tmp_path / "only.csv").exists()
    assert main(["site", "--layer", LAYER, "--target", "150%", "--out", str(out), "--quiet"]) == 2
    assert "(0, 1]" in capsys.readouterr().err
    assert main(["site", "--layer", LAYER, "--k", "1", "--candidates", str(tmp_path / "nope.csv"),
                 "--out", str(out), "--quiet"]) == 2  # fmt: skip
    assert f"候选点文件不存在：{tmp_path / 'nope.csv'}" in capsys.readouterr().err  # the command's --lang (zh)
    assert main(["site", "--layer", LAYER, "--k", "1", "--candidates", str(tmp_path / "nope.csv"),
                 "--out", str(out), "--quiet", "--lang", "en"]) == 2  # fmt: skip
    assert "candidate file not found" in capsys.readouterr().err


def test_prepared_candidate_table_is_accepted(region):
    from coverage.candidates import candidate_points

    table = candidate_points(region, user_candidates()).table
    res = propose_sites(region, LAYER, k=1, candidates=pd.DataFrame(table.drop(columns="geometry")))
    assert res.params["candidate_source"] == "table"
    assert res.sites["name"].tolist() == ["m67"]
    assert res.sites.crs.to_epsg() == 4326
    lon, lat = _lonlat(X0 + 1500 * 7, Y0 + 1500)
    assert res.sites.geometry.x.iloc[0] == pytest.approx(lon, abs=1e-7)
    assert res.sites.geometry.y.iloc[0] == pytest.approx(lat, abs=1e-7)


def _street(cut_between: tuple[float, float] | None = None):
    """A two-way street along the cells (nodes every 250 m), optionally cut (a river, no bridge)."""
    from coverage.network import RoadNetwork

    x = X0 + 250.0 * np.arange(49)
    nodes = np.column_stack([x, np.full(x.size, Y0 + 1500)])
    u = np.arange(x.size - 1)
    if cut_between is not None:
        u = u[~((x[u] >= X0 + cut_between[0]) & (x[u + 1] <= X0 + cut_between[1]))]
    length = np.full(u.size, 250.0)
    return RoadNetwork(nodes, np.r_[u, u + 1], np.r_[u + 1, u], np.r_[length, length])


def test_network_mode_uses_street_distances(region):
    # 15-min walk at 4.5 km/h = 1,125 m of street: each midpoint still reaches both neighbours
    res = propose_sites(region, LAYER, k=2, candidates=user_candidates(), network=_street())
    assert res.params["mode"] == "network"
    assert res.sites["new_covered_60plus"].tolist() == [59, 50]
    # a river between B2 (9,750 m) and m67 (10,500 m): m67 now reaches only B3
    cut = propose_sites(region, LAYER, k=2, candidates=user_candidates(), network=_street((10_000, 10_250)))
    assert cut.sites["new_covered_60plus"].tolist() == [50, 50]
    assert sorted(cut.sites["name"]) == ["m12", "m67"]
    assert cut.params["objective"] == 100


# --------------------------------------------------------------------------- exact by default, p-median


def test_default_solver_is_exact_and_states_its_gap(region, tmp_path):
    res = propose_sites(region, LAYER, k=2, candidates=user_candidates())
    p = res.params
    assert p["solver"] == "auto" and p["solver_used"] == "ilp" and p["status"] == "optimal"
    assert p["gap"] == 0 and p["bound"] == 109
    forced = propose_sites(region, LAYER, k=2, candidates=user_candidates(), solver="greedy").params
    # the greedy's own proven bound: what it covers plus the two largest gains left
    assert forced["solver_used"] == "greedy" and forced["bound"] >= 109 and forced["gap"] is not None
    df = pd.read_csv(res.to_csv(tmp_path / "s.csv"), encoding="utf-8-sig")
    assert set(df["method"]) == {"ilp"} and set(df["status"]) == {"optimal"} and (df["gap"] == 0).all()


def _capped_total(x_sites, cap):
    """Total 60+ travel (metres, straight line, capped) with the station at A0 and ``x_sites``."""
    pts = np.concatenate([[CELL_X[0]], np.asarray(x_sites, dtype=float)])
    d = np.abs(CELL_X[:, None] - pts[None, :]).min(axis=1)
    return float(OLD @ np.minimum(d, cap))


@pytest.mark.parametrize("k", [1, 2])
def test_pmedian_minimises_capped_travel(region, k):
    import itertools

    from coverage.settings import SITING_PMEDIAN_COST_CAP_FACTOR

    res = propose_sites(region, LAYER, k=k, objective="pmedian", candidates=user_candidates())
    p = res.params
    cap = SITING_PMEDIAN_COST_CAP_FACTOR * p["standard"]["urban"]["distance_m"]
    xs = {n: X0 + 1500 * v for n, v in MID.items()}
    best = min(itertools.combinations(xs, k), key=lambda s: _capped_total([xs[n] for n in s], cap))
    assert sorted(res.sites["name"]) == sorted(best)
    assert p["objective"] == pytest.approx(_capped_total([xs[n] for n in best], cap))
    assert p["problem"] == "pmedian" and p["cost_unit"] == "m" and p["status"] == "optimal"
    assert p["mean_cost_before"] == pytest.approx(_capped_total([], cap) / OLD.sum())
    assert p["mean_cost_after"] == pytest.approx(p["objective"] / OLD.sum())
    assert res.sites["cumulative_mean_travel"].iloc[-1] == pytest.approx(p["mean_cost_after"], abs=1e-3)
    assert (res.sites["travel_unit"] == "m").all()
    assert "平均出行" in res.summary("zh") and "mean travel" in res.summary("en")


def test_capacitated_max_cover_is_exact(region):
    res = propose_sites(region, LAYER, k=2, candidates=user_candidates(), capacity=55)
    assert res.params["solver_used"] == "ilp" and res.params["status"] == "optimal"
    assert res.sites["new_covered_60plus"].tolist() == [55, 50]  # m67 capped at 55, m12 all 50


def test_site_command_pmedian_and_greedy_gap(region, tmp_path, monkeypatch, capsys):
    import coverage.commands.site as site
    from coverage.cli import main

    monkeypatch.setattr(site, "region_from_args", lambda args: region)
    cand = tmp_path / "cand.csv"
    user_candidates().to_csv(cand, index=False)
    out = tmp_path / "pm.geojson"
    assert main(["site", "--layer", LAYER, "--k", "1", "--objective", "pmedian", "--candidates", str(cand),
                 "--out", str(out), "--quiet", "--lang", "en"]) == 0  # fmt: skip
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert fc["properties"]["problem"] == "pmedian" and fc["properties"]["solver_used"] in ("ilp", "substitution")
    assert fc["features"][0]["properties"]["travel_unit"] == "m"
    printed = capsys.readouterr().out
    assert "mean travel" in printed and "proven optimal" in printed
    assert "<= tolerance 0.0001%" in printed  # "optimal" states the tolerance it holds within
    assert main(["site", "--layer", LAYER, "--k", "1", "--solver", "greedy", "--candidates", str(cand),
                 "--out", str(tmp_path / "g.geojson"), "--quiet", "--lang", "en"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "greedy heuristic" in printed


@pytest.mark.parametrize("cut", [None, (10_000, 10_250)])
def test_pmedian_on_the_street_network(region, cut):
    import itertools

    from coverage.settings import SITING_PMEDIAN_COST_CAP_FACTOR

    res = propose_sites(region, LAYER, k=2, objective="pmedian", candidates=user_candidates(), network=_street(cut))
    p = res.params
    std = p["standard"]["urban"]
    cap = SITING_PMEDIAN_COST_CAP_FACTOR * std["minutes"] * 60.0
    speed = std["speed_kmh"] / 3.6

    def seconds(x_from, x_to):  # along the street; no path across the cut
        if cut is not None and (min(x_from, x_to) <= X0 + cut[0]) and (max(x_from, x_to) >= X0 + cut[1]):
            return np.inf
        return abs(x_from - x_to) / speed

    def total(xs):
        pts = [CELL_X[0], *xs]
        return float(sum(w * min(cap, min(seconds(c, q) for q in pts)) for c, w in zip(CELL_X, OLD)))

    xs = {n: X0 + 1500 * v for n, v in MID.items()}
    best = min(itertools.combinations(xs, 2), key=lambda s: total([xs[n] for n in s]))
    assert p["mode"] == "network" and p["cost_unit"] == "s"
    assert sorted(res.sites["name"]) == sorted(best)
    assert p["objective"] == pytest.approx(total([xs[n] for n in best]), rel=1e-9)


def test_pmedian_costs_one_query_equals_the_engines_what_if_steps(region):
    from coverage.reach import ReachModel
    from coverage.siting.costs import travel_costs

    rng = np.random.default_rng(4)
    cand = np.column_stack([X0 + rng.random(40) * 12_000, Y0 + 1500 + rng.normal(0, 400, 40)])
    cand[0] = [CELL_X[3], Y0 + 1500]  # on a cell centre: a zero cost is a pair too
    model = ReachModel(region, LAYER)
    fast = travel_costs(region, LAYER, model, cand)
    slow = travel_costs(region, LAYER, model, cand, pairs="engine")
    np.testing.assert_array_equal(fast.base, slow.base)
    assert _stored_pairs(fast.matrix) == _stored_pairs(slow.matrix)
    assert (3, 0) in _stored_pairs(fast.matrix) and fast.matrix[3, 0] == 0
    np.testing.assert_allclose(fast.matrix.toarray(), slow.matrix.toarray(), rtol=0, atol=1e-9)


def _stored_pairs(matrix) -> set[tuple[int, int]]:
    """Stored (row, column) pairs of a sparse matrix, explicit zeros included."""
    coo = matrix.tocoo()
    return set(zip(coo.row.tolist(), coo.col.tolist()))


def test_progress_reports_each_step_by_code_in_order(region):
    """The library reports codes (the CLI words them): every step once, in order, the matrix with the
    number of candidates, then "done"; each code has its words in both languages."""
    from coverage.i18n import t
    from coverage.siting import STEPS

    calls: list[tuple[str, dict]] = []
    result = propose_sites(region, "elder_care_station", k=1, solver="ilp",
                           progress=lambda code, **values: calls.append((code, values)))
    assert [c for c, _ in calls] == [*STEPS, "done"]
    assert dict(calls)["matrix"] == {"n": int(result.params["n_candidates"])}
    for code in STEPS:
        zh, en = t(f"siting.step.{code}", "zh", n=3), t(f"siting.step.{code}", "en", n=3)
        assert zh != en and not any(c.isascii() and c.isalpha() for c in zh)
