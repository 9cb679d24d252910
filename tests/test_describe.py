"""Words at the edges: one way to write a rate, one way to name a place, one standard label."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coverage import describe
from coverage.standards import load_standards


def test_percent_has_one_decimal_always():
    # The uneven "80.97 %" / "25.6 %" of the English tables: every rate now has one decimal.
    assert describe.percent(0.8097) == "81.0%"
    assert describe.percent(0.256) == "25.6%"
    assert describe.percent(1.0) == "100.0%"
    assert describe.percent(0) == "0.0%"
    assert describe.percent(0.12345) == "12.3%"
    assert format(0.8097, describe.PERCENT_SPEC) == describe.percent(0.8097)  # the maps' tooltips agree
    assert describe.PERCENT_FORMAT % 81.0 == "81.0%"  # the app's numeric columns agree


@pytest.mark.parametrize("value", [None, float("nan"), math.inf, "n/a"])
def test_percent_of_no_value_is_a_dash(value):
    assert describe.percent(value) == describe.NO_VALUE == "—"
    assert describe.target_percent(value) == "—"


def test_target_is_written_as_the_plan_states_it():
    assert describe.target_percent(0.55) == "55%"
    assert describe.target_percent(0.6) == "60%"  # not 60.00000000000001%
    assert describe.target_percent(0.625) == "62.5%"


def test_percent_points_round_like_the_text():
    values = pd.Series([0.80974, 0.25649, np.nan])
    points = describe.percent_points(values)
    assert points.iloc[:2].tolist() == [81.0, 25.6] and np.isnan(points.iloc[2])
    assert [describe.PERCENT_FORMAT % p for p in points.iloc[:2]] == [describe.percent(v) for v in values.iloc[:2]]
    assert describe.percent_points(0.5) == 50.0


def test_place_names_in_each_language(small_region):
    towns = describe.town_names(small_region.towns, "en")
    assert towns["440703001"] == "Jia-1"
    assert set(describe.town_names(small_region.towns, "zh").values()) == set(small_region.towns["town_zh"])
    districts = describe.district_names(small_region.districts, "en")
    assert sorted(districts.values()) == ["Test-Jia", "Test-Yi"]
    # A town without an English name (an upload) keeps its Chinese name, never "nan".
    upload = small_region.towns.assign(town_en=[None, "", "Yi-1", "Yi-2"])
    names = describe.town_names(upload, "en")
    assert names["440703001"] == small_region.towns.set_index("town_code").at["440703001", "town_zh"]
    assert "nan" not in names.values() and "" not in names.values()
    # An unknown code: the fallback name given, else the code itself.
    assert describe.place_name(names, "999", "某镇") == "某镇"
    assert describe.place_name(names, "999") == "999"


def test_standard_text_joins_area_types_once():
    table = load_standards()
    same = {a: table.get("elder_care_station", a) for a in ("urban", "rural")}
    assert describe.standard_text({"urban": same["urban"], "rural": same["urban"]}, "en") == same["urban"].label("en")
    other = table.chosen("elder_care_station", "drive", 15)
    mixed = {"urban": same["urban"], "rural": other.get("elder_care_station", "rural")}
    text = describe.standard_text(mixed, "zh")
    assert text.startswith("街道（城区）: ") and "; 镇（乡村）: " in text
    assert describe.standard_text(mixed, "en").startswith("sub-districts (urban): ")
