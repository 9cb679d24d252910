"""Population coverage, unit coverage and ratios on the hand-made ``small_region``.

Expected numbers are worked out by hand from ``tests/conftest.py``:
elder-care station ECS1 sits at the corner shared by cells (0,0), (1,0), (0,1),
(1,1) and ECS2 at the corner shared by (6,6), (7,7), ...; within 1000 m of
them the populated cells are (0,0), (1,0), (0,1) [T1] and (6,6), (7,7) [T4].
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import covered_within
from coverage.describe import provenance_text, standard_text
from coverage.metrics import (
    ColumnMemo,
    RatioStatus,
    beds_per_1000_elderly,
    covered_mask,
    facilities_per_10k,
    facility_units,
    nursing_bed_share,
    population_coverage,
    unit_coverage,
)
from coverage.schema import COVERAGE_COLUMNS, RATIO_COLUMNS, UNIT_COVERAGE_COLUMNS
from coverage.standards import load_standards

T1, T2, T3, T4 = "440703001", "440703101", "440704001", "440704101"


def _row(df: pd.DataFrame, level: str, code: str | None = None) -> pd.Series:
    if level == "town":
        sel = df[(df["level"] == "town") & (df["town_code"] == code)]
    elif level == "district":
        sel = df[(df["level"] == "district") & (df["district_code"] == code)]
    else:
        sel = df[df["level"] == "city"]
    assert len(sel) == 1, (level, code, sel)
    return sel.iloc[0]


@pytest.fixture
def station_cov(small_region):
    mask = covered_within(small_region, "elder_care_station", 1000.0)
    return population_coverage(small_region, "elder_care_station", reach=mask)


def test_population_coverage_per_town_by_hand(station_cov):
    # served = 60+; T1 cells 200+100+150+80, covered the first three.
    expected = {T1: (530, 450), T2: (280, 0), T3: (220, 0), T4: (360, 360)}
    for code, (served, covered) in expected.items():
        r = _row(station_cov, "town", code)
        assert (r.served, r.covered, r.uncovered) == (served, covered, served - covered)
        assert r.rate == pytest.approx(covered / served)
    assert _row(station_cov, "town", T1).town_zh == "甲一街道"
    assert set(station_cov["served_group"]) == {"pop_60plus"}  # a code, not words
    assert list(station_cov.columns) == COVERAGE_COLUMNS and not station_cov.attrs


def test_population_coverage_district_and_city_rows(station_cov):
    d1 = _row(station_cov, "district", "440703")
    d2 = _row(station_cov, "district", "440704")
    city = _row(station_cov, "city")
    assert (d1.served, d1.covered) == (810, 450)
    assert (d2.served, d2.covered) == (580, 360)
    assert (city.served, city.covered, city.uncovered) == (1390, 810, 580)
    assert city.rate == pytest.approx(810 / 1390)  # a fraction 0-1
    assert d1.district_zh == "测试甲区" and pd.isna(city.district_zh)
    assert list(station_cov["level"]).count("town") == 4
    assert list(station_cov["level"]).count("district") == 2


def test_population_coverage_uses_the_layers_served_group(small_region):
    mask = covered_within(small_region, "elder_care_station", 1000.0)
    # Child layer -> pop_0_17: T1 covered 150+200+90 of 500.
    cov = population_coverage(small_region, "child_protection_post", reach=mask)
    assert (_row(cov, "town", T1).served, _row(cov, "town", T1).covered) == (500, 440)
    # All-resident layer -> pop_total: city 6100, covered 1000+800+600+900+250.
    cov = population_coverage(small_region, "social_work_station", reach=mask)
    assert (_row(cov, "city").served, _row(cov, "city").covered) == (6100, 3550)




def test_people_off_the_road_network_are_counted_per_town(small_region):
    from coverage.reach import CellReach

    n = len(small_region.population)
    off = np.zeros(n, dtype=bool)
    off[0] = True  # cell (0,0): 200 older residents with no road within the snap distance
    covered = np.zeros(n, dtype=bool)
    covered[1] = True
    reach = CellReach(cost=np.where(covered, 10.0, np.inf), nearest=np.where(covered, 0, -1),
                      limit=np.full(n, 900.0), covered=covered, mode="network", unit="s", off_network=off)
    cov = population_coverage(small_region, "elder_care_station", reach=reach)
    town = small_region.population.town_code.iloc[0]
    assert _row(cov, "city").off_network == 200
    assert cov.set_index("town_code").loc[town, "off_network"] == 200
    assert (cov["off_network"] <= cov["uncovered"]).all()
    # Distance mode has no network to be off: the column is zero everywhere.
    assert (population_coverage(small_region, "elder_care_station")["off_network"] == 0).all()


def test_population_coverage_town_without_people(small_region):
    region = small_region
    region.population = region.population[region.population["town_code"] != T3].reset_index(drop=True)
    cov = population_coverage(region, "elder_care_station", reach=np.zeros(len(region.population), bool))
    r = _row(cov, "town", T3)
    assert r.served == 0 and r.covered == 0 and math.isnan(r.rate)


def test_population_coverage_equals_a_groupby_of_the_default_data():
    # The per-town table is array sums (the app recounts it on every what-if click): it must equal
    # a plain pandas groupby of the default grid, for every layer's group and a random coverage.
    from coverage.layers import LAYERS
    from coverage.region import load_default

    region = load_default()
    pop = region.population
    rng = np.random.default_rng(7)
    for layer_id, layer in LAYERS.items():
        mask = rng.random(len(pop)) < 0.6
        cov = population_coverage(region, layer_id, reach=mask)
        group = pop[layer.served_column].astype(float)
        frame = pd.DataFrame({"town": pop["town_code"], "district": pop["district_code"],
                              "served": group, "covered": group.where(mask, 0.0)})
        towns = frame.groupby("town")[["served", "covered"]].sum().reindex(region.towns["town_code"]).fillna(0)
        districts = frame.groupby("district")[["served", "covered"]].sum().reindex(region.districts["district_code"])
        town_rows = cov[cov["level"] == "town"]
        district_rows = cov[cov["level"] == "district"]
        assert list(cov["level"]) == ["town"] * len(region.towns) + ["district"] * len(region.districts) + ["city"]
        assert town_rows["town_code"].tolist() == region.towns["town_code"].tolist()
        assert district_rows["district_code"].tolist() == region.districts["district_code"].tolist()
        np.testing.assert_array_equal(town_rows["served"], towns["served"].round())
        np.testing.assert_array_equal(town_rows["covered"], towns["covered"].round())
        np.testing.assert_array_equal(district_rows["served"], districts["served"].round())
        np.testing.assert_array_equal(district_rows["covered"], districts["covered"].round())
        city = _row(cov, "city")
        assert (city.served, city.covered) == (round(group.sum()), round(group[mask].sum()))
        assert city.rate == pytest.approx(group[mask].sum() / group.sum())
        assert (cov["uncovered"] == cov["served"] - cov["covered"]).all()
        assert cov["served"].dtype == "int64" and cov["rate"].dtype == "float64"
        assert set(cov["layer"]) == {layer_id} and set(cov["served_group"]) == {layer.served_column}


def test_population_coverage_cells_without_a_town_other_districts_and_other_code_types(small_region):
    # Coverage within 1000 m (see station_cov): T1 (530, 450), T2 (280, 0), T3 (220, 0), T4 (360, 360).
    from conftest import cell_centre

    pop = small_region.population
    at = {(c, r): int(np.flatnonzero((pop["x"] == cell_centre(c, r)[0]) & (pop["y"] == cell_centre(c, r)[1]))[0])
          for c, r in [(0, 0), (7, 3), (4, 0), (6, 6)]}
    town = pop["town_code"].astype(object).to_numpy().copy()
    district = pop["district_code"].astype(object).to_numpy().copy()
    town[at[0, 0]] = None  # 200 covered people in no town: counted in their district and the city only
    district[at[7, 3]] = "440799"  # 120 uncovered people of a district the region does not list
    district[at[4, 0]] = 440703  # the same code as a number: the same district
    town[at[6, 6]] = 440704101  # and the same town
    pop["town_code"] = pd.Series(town, dtype=object)
    pop["district_code"] = pd.Series(district, dtype=object)
    cov = population_coverage(small_region, "elder_care_station",
                              reach=covered_within(small_region, "elder_care_station", 1000.0))
    assert {code: (_row(cov, "town", code).served, _row(cov, "town", code).covered) for code in (T1, T2, T3, T4)} \
        == {T1: (330, 250), T2: (280, 0), T3: (220, 0), T4: (360, 360)}
    assert {code: (_row(cov, "district", code).served, _row(cov, "district", code).covered)
            for code in ("440703", "440704", "440799")} == {"440703": (690, 450), "440704": (580, 360),
                                                            "440799": (120, 0)}
    assert _row(cov, "district", "440799").district_zh == "440799"  # no name known: the code
    assert list(cov["district_code"].iloc[4:7]) == ["440703", "440704", "440799"]  # listed ones first
    assert (_row(cov, "city").served, _row(cov, "city").covered) == (1390, 810)


def test_population_coverage_keeps_fractions_of_people(small_region):
    pop = small_region.population
    pop["pop_60plus"] = pop["pop_60plus"] * 0.25  # 150 older residents of cell (0,1) -> 37.5
    cov = population_coverage(small_region, "elder_care_station",
                              reach=covered_within(small_region, "elder_care_station", 1000.0))
    assert cov["served"].dtype == "float64"
    r = _row(cov, "town", T1)
    assert (r.served, r.covered, r.uncovered) == (132.5, 112.5, 20.0)
    assert _row(cov, "city").served == 347.5


def _by_hand(region, mask) -> dict[str, tuple[int, int]]:
    """(served, covered) 60+ per town code, counted cell by cell."""
    out: dict[str, list[int]] = {}
    pop = region.population
    for code, people, hit in zip(pop["town_code"].astype(object), pop["pop_60plus"], mask):
        if isinstance(code, str):
            row = out.setdefault(code, [0, 0])
            row[0] += int(people)
            row[1] += int(people) * bool(hit)
    return {k: tuple(v) for k, v in out.items()}


@pytest.mark.parametrize("dtype", ["str", object])
def test_population_coverage_follows_every_change_of_the_grid(small_region, dtype):
    # The cells' groups are kept per code column between calls (a what-if click recounts the same
    # grid): a grid changed in place, a column assigned anew or a grid replaced must be recounted.
    region = small_region
    region.population["town_code"] = region.population["town_code"].astype(dtype)
    mask = covered_within(region, "elder_care_station", 1000.0)

    def towns() -> dict[str, tuple[int, int]]:
        cov = population_coverage(region, "elder_care_station", reach=mask)
        rows = cov[(cov["level"] == "town") & (cov["served"] > 0)]
        return {c: (s, k) for c, s, k in zip(rows["town_code"], rows["served"], rows["covered"])}

    assert towns() == _by_hand(region, mask) == {T1: (530, 450), T2: (280, 0), T3: (220, 0), T4: (360, 360)}
    assert towns() == _by_hand(region, mask)  # the kept groups give the same answer
    region.population.loc[0, "town_code"] = T2  # cell (0,0), 200 covered people, now counted in T2
    assert towns() == _by_hand(region, mask) == {T1: (330, 250), T2: (480, 200), T3: (220, 0), T4: (360, 360)}
    region.population.iat[0, region.population.columns.get_loc("town_code")] = T3
    assert towns()[T3] == (420, 200) and towns() == _by_hand(region, mask)
    region.population["town_code"] = region.population["town_code"].replace({T3: T4})
    assert T3 not in towns() and towns() == _by_hand(region, mask)
    region.population = region.population.assign(town_code=T1)  # a grid replaced (as an upload does)
    assert towns() == {T1: (1390, 810)}
    # A region sharing the grid (another facility layer) shares its groups and counts the same.
    other = region.with_facilities("elder_care_station", region.facilities["elder_care_station"].iloc[:1])
    assert other.population is region.population
    cov = population_coverage(other, "elder_care_station", reach=mask)
    assert _row(cov, "town", T1).served == 1390


def test_column_memo_answers_only_for_the_same_values():
    memo = ColumnMemo(size=2)
    frame = pd.DataFrame({"code": pd.Series(["a", "b", "c"], dtype="str"), "n": [1, 2, 3]})
    memo.put(frame["code"], "abc")
    assert memo.get(frame["code"]) == "abc"  # the same column, taken again
    assert memo.get(frame.copy()["code"]) is None  # a copy of its own: computed afresh
    assert memo.get(frame["code"].iloc[:2]) is None and memo.get(frame["code"].iloc[1:]) is None
    frame.loc[frame["n"] > 2, "code"] = "z"
    assert memo.get(frame["code"]) is None  # written in place
    memo.put(frame["code"], "abz")
    for value in ("x", "y"):  # the oldest entry goes first
        other = pd.Series(["x", "y", value])
        memo.put(other, value)
    assert memo.get(frame["code"]) is None and memo.get(other) == "y"
    numbers = pd.DataFrame({"code": [1, 2, 3], "other": [4, 5, 6]})
    memo.put(numbers["code"], "ints")
    assert memo.get(numbers["code"]) == "ints" and memo.get(numbers["other"]) is None


def test_covered_mask_length_is_checked(small_region):
    with pytest.raises(ValueError, match="population grid has 12 cells"):
        population_coverage(small_region, "elder_care_station", reach=np.ones(5, dtype=bool))
    assert covered_mask([1, 0, 1], 3).tolist() == [True, False, True]


def test_bad_population_values_are_refused(small_region):
    small_region.population.loc[4, "pop_60plus"] = -3
    with pytest.raises(ValueError, match=r"'pop_60plus': 1 missing, non-numeric or negative value\(s\) \(first at row 4\)"):
        population_coverage(small_region, "elder_care_station", reach=np.ones(12, dtype=bool))


def test_unknown_layer_is_refused(small_region):
    with pytest.raises(ValueError, match="unknown layer"):
        population_coverage(small_region, "no_such_layer", reach=np.ones(12, dtype=bool))


def test_facility_units_places_a_point_without_town_code(small_region):
    units = facility_units(small_region, "child_protection_post").set_index("facility_id")
    assert units.loc["CPP4", "town_code"] == T3
    assert units.loc["CPP4", "district_code"] == "440704"
    assert units.loc["CPP1", "town_code"] == T1


def test_unit_coverage_towns(small_region):
    uc = unit_coverage(small_region, "child_protection_post", level="town")
    assert list(uc.columns) == UNIT_COVERAGE_COLUMNS
    towns = uc[uc["level"] == "town"].set_index("town_code")
    assert towns["facilities"].to_dict() == {T1: 1, T2: 0, T3: 1, T4: 2}
    assert towns["units_with"].to_dict() == {T1: 1, T2: 0, T3: 1, T4: 1}
    d1 = uc[(uc["level"] == "district") & (uc["district_code"] == "440703")].iloc[0]
    assert (d1.units, d1.units_with, d1.units_without, d1.rate) == (2, 1, 1, 0.5)
    city = uc[uc["level"] == "city"].iloc[0]
    assert (city.units, city.units_with, city.rate) == (4, 3, 0.75)
    assert city.facilities == 4


def test_unit_coverage_counties(small_region):
    uc = unit_coverage(small_region, "ossuary", level="county")
    counties = uc[uc["level"] == "county"].set_index("district_code")
    assert counties["units_with"].to_dict() == {"440703": 1, "440704": 0}
    assert counties["town_code"].isna().all()
    city = uc[uc["level"] == "city"].iloc[0]
    assert (city.units, city.units_with, city.rate) == (2, 1, 0.5)


def test_unit_coverage_by_opening_year(small_region):
    # Posts open 2019 (T1), 2021 (T4), 2022 (T3), 2024 (T4).
    shares = {
        y: unit_coverage(small_region, "child_protection_post", year=y).query("level == 'city'").iloc[0].rate
        for y in (2018, 2019, 2021, 2022, 2025)
    }
    assert shares == {2018: 0.0, 2019: 0.25, 2021: 0.5, 2022: 0.75, 2025: 0.75}


def test_unit_coverage_rejects_bad_level(small_region):
    with pytest.raises(ValueError, match="level must be"):
        unit_coverage(small_region, "ossuary", level="village")


def test_nursing_bed_share_by_hand(small_region):
    r = nursing_bed_share(small_region)
    assert list(r.columns) == RATIO_COLUMNS
    r = r.set_index(r["district_code"].fillna("city"))
    # ECI3 has no nursing-bed count: left out. City (40+35)/(100+50), as a fraction.
    assert r.loc["city", "value"] == pytest.approx(0.5)
    assert r.loc["440703", "value"] == pytest.approx(0.4)
    assert r.loc["440704", "value"] == pytest.approx(0.7)
    assert (r["status"] == RatioStatus.OK).all() and set(r["unit"]) == {"rate"}
    assert r.loc["city", "skipped"] == 1


def test_nursing_bed_share_missing_column_says_so(small_region):
    gdf = small_region.facilities["elder_care_institution"].drop(columns="nursing_beds")
    small_region.facilities["elder_care_institution"] = gdf
    r = nursing_bed_share(small_region)
    assert r["value"].isna().all()
    assert set(r["status"]) == {RatioStatus.MISSING_COLUMN}


def test_nursing_bed_share_with_more_nursing_than_beds_is_not_computed(small_region):
    gdf = small_region.facilities["elder_care_institution"].copy()
    gdf.loc[0, "nursing_beds"] = 500
    small_region.facilities["elder_care_institution"] = gdf
    r = nursing_bed_share(small_region)
    assert r["value"].isna().all()
    assert set(r["status"]) == {RatioStatus.INCONSISTENT}


def test_facilities_per_10k(small_region):
    r = facilities_per_10k(small_region, "social_work_station")
    r = r.set_index(r["district_code"].fillna("city"))
    # One station (district 440703, 3950 residents); city 6100 residents.
    assert r.loc["440703", "value"] == pytest.approx(1e4 / 3950)
    assert r.loc["440704", "value"] == 0.0
    assert r.loc["city", "value"] == pytest.approx(1e4 / 6100)
    missing = facilities_per_10k(small_region, "elder_canteen")
    assert (missing["status"] == RatioStatus.NO_LAYER).all() and missing["value"].isna().all()


def test_beds_per_1000_elderly(small_region):
    r = beds_per_1000_elderly(small_region)
    r = r.set_index(r["district_code"].fillna("city"))
    assert r.loc["city", "value"] == pytest.approx(1000 * 180 / 1390)
    assert r.loc["440703", "value"] == pytest.approx(1000 * 100 / 810)


def test_provenance_and_standard_text_come_from_the_catalogue(small_region):
    text = provenance_text(small_region.provenance, ["elder_care_station"])
    assert "人口网格: 模型推算" in text and "居家养老服务站点: 示意数据" in text
    assert "仅供方法演示" in text
    assert "elder canteen" not in provenance_text(small_region.provenance, ["elder_care_station"], "en").lower()
    assert "population grid: modelled" in provenance_text(small_region.provenance, None, "en")
    table = load_standards()
    desc = standard_text({a: table.get("elder_care_station", a) for a in ("urban", "rural")})
    # One wording for the area types (the catalogue's core_area_*), each with its own mode.
    assert desc.startswith("街道（城区）: 步行15分钟") and "镇（乡村）: 骑行15分钟" in desc


def test_no_result_of_the_library_carries_chinese_prose(small_region):
    """Codes, names and numbers only: the only CJK text is the places' own names."""
    import re

    names = set(small_region.towns["town_zh"]) | set(small_region.districts["district_zh"])
    cjk = re.compile(r"[\u4e00-\u9fff]")
    mask = covered_within(small_region, "elder_care_station", 1000.0)
    frames = [population_coverage(small_region, "elder_care_station", reach=mask),
              unit_coverage(small_region, "child_protection_post"), unit_coverage(small_region, "ossuary", "county"),
              nursing_bed_share(small_region), beds_per_1000_elderly(small_region),
              facilities_per_10k(small_region, "elder_canteen")]
    for df in frames:
        assert not df.attrs
        for col in df.columns:
            if col in ("town_zh", "district_zh"):
                assert set(df[col].dropna()) <= names
                continue
            for v in df[col].dropna():
                assert not (isinstance(v, str) and cjk.search(v)), (col, v)


# --------------------------------------------------------------------------- CLI


def test_standards_from_cli_options():
    import argparse

    from coverage.commands._options import standards_from_args

    def ns(**kw):
        return argparse.Namespace(**{"standards": None, "minutes": None, "mode": None, "distance": None, **kw})

    t = standards_from_args(ns(minutes=10), ["elder_care_station"])
    assert t.get("elder_care_station", "urban").distance_m == 380  # GB 50180-2018 10-minute 500 m ÷ 1.3
    assert t.get("elder_care_station", "rural").distance_m == 1920  # 15 km/h × 10 min ÷ 1.3
    assert t.get("elder_canteen", "urban").distance_m == 770  # other layers untouched
    t = standards_from_args(ns(mode="drive", minutes=13), ["ossuary"])
    assert t.get("ossuary", "urban").distance_m == 5000  # 30 km/h × 13 min ÷ 1.3
    t = standards_from_args(ns(distance=750), ["ossuary"])
    assert {t.get("ossuary", a).distance_m for a in ("urban", "rural")} == {750}
    from coverage.errors import StandardsError

    with pytest.raises(StandardsError, match="minutes must be a positive"):
        standards_from_args(ns(minutes=-5), ["ossuary"])


def test_coverage_command_writes_one_row_per_town_plus_totals(small_region, tmp_path, monkeypatch):
    import coverage.commands.coverage_rates as cmd
    from coverage.cli import main

    monkeypatch.setattr(cmd, "region_from_args", lambda args: small_region)
    out = tmp_path / "cov.csv"
    argv = ["coverage", "--layer", "elder_care_station", "--mode", "walk", "--distance", "1000", "--out", str(out)]
    assert main(argv) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"town_code": str, "district_code": str})
    assert df["level"].tolist() == ["town"] * 4 + ["district"] * 2 + ["city"]
    town = df.set_index("town_code").loc[T1]
    assert (town.served, town.covered) == (530, 450)
    city = df[df["level"] == "city"].iloc[0]
    assert (city.served, city.covered, city.uncovered) == (1390, 810, 580)
    assert "直线1000米" in city.standard and "示意数据" in city.provenance
    with pytest.raises(SystemExit) as exc:  # refused by the option's type, before any work
        main(["coverage", "--layer", "elder_care_station", "--minutes", "0", "--out", str(out)])
    assert exc.value.code == 2


def test_coverage_command_with_a_road_network(small_region, tmp_path, monkeypatch):
    import coverage.commands.coverage_rates as cmd
    from coverage.cli import main
    from coverage.network import RoadNetwork

    monkeypatch.setattr(cmd, "region_from_args", lambda args: small_region)
    # A straight two-way east-west street through the populated cells of row 0.
    xy = small_region.population[["x", "y"]].to_numpy()
    row0 = xy[xy[:, 1] == xy[:, 1].min()]
    nodes = row0[np.argsort(row0[:, 0])]
    u = np.arange(len(nodes) - 1)
    length = np.hypot(*(nodes[1:] - nodes[:-1]).T)
    net = RoadNetwork(nodes, np.r_[u, u + 1], np.r_[u + 1, u], np.r_[length, length])
    roads = net.save(tmp_path / "roads.npz")
    out = tmp_path / "cov.csv"
    assert main(["coverage", "--layer", "elder_care_station", "--roads", str(roads), "--out", str(out)]) == 0
    df = pd.read_csv(out, encoding="utf-8-sig")
    city = df[df["level"] == "city"].iloc[0]
    assert "按路网通行时间计算" in city.standard
    assert city.covered + city.uncovered == city.served == 1390
    bad = tmp_path / "roads.shp"
    bad.write_text("x")
    assert main(["coverage", "--layer", "elder_care_station", "--roads", str(bad)]) == 2


def test_coverage_summary_side_by_side(small_region):
    from coverage.metrics import coverage_summary
    from coverage.standards import Standard

    walk = Standard(mode="walk", minutes=15, speed_kmh=4.5, distance_m=1100)
    s = coverage_summary(small_region, ["elder_care_station", "social_work_station"], standards=walk)
    assert s["layer"].tolist() == ["elder_care_station", "social_work_station"]
    # Stations: no cell lies between 1000 and 1100 m, so 810 as before. Social-work station at
    # (3000, 1000): cells (4,0), (4,3), (7,3) are 1061 m away -> 300 + 350 + 500 residents.
    assert s["covered"].tolist() == [810, 1150]
    assert s["served"].tolist() == [1390, 6100]
    d = coverage_summary(small_region, ["elder_care_station"], standards=walk, level="district")
    assert d["covered"].tolist() == [450, 360]
    with pytest.raises(ValueError, match="level"):
        coverage_summary(small_region, ["elder_care_station"], level="town")


def test_method_text():
    from coverage.describe import method_text

    assert method_text("network") == "按路网通行时间计算"
    assert method_text("distance", "en") == "no road network: straight-line distance"

def test_every_ratio_status_has_words():
    from coverage.describe import ratio_status_text

    assert ratio_status_text(RatioStatus.ZERO_DENOMINATOR) == "无法计算: 分母为 0"
    assert {ratio_status_text(s, "en") for s in RatioStatus} and len({ratio_status_text(s) for s in RatioStatus}) == len(
        RatioStatus)
