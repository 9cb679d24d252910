"""Each indicator's path 2020 → review year from the facilities' opening years (``small_region``).

Opening years (see ``tests/conftest.py``): child-protection posts T1 2019, T4 2021 and 2024,
T3 2022; elder-care centres T2 2021, T3 2023; elder-care stations ECS1 2018, ECS2 2022.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from test_review import TARGET_COLUMNS, TARGET_ROWS, WALK_1000
from coverage.report.charts import trajectory_chart
from coverage.review import Status, annual_review, load_targets, trajectory


@pytest.fixture(scope="module")
def targets(tmp_path_factory):
    path = tmp_path_factory.mktemp("targets") / "targets.csv"
    pd.DataFrame(TARGET_ROWS, columns=TARGET_COLUMNS).to_csv(path, index=False)
    return load_targets(path)


@pytest.fixture(scope="module")
def path(targets):
    from conftest import build_small_region

    return trajectory(build_small_region(), 2025, standards=WALK_1000, targets=targets)


def _series(frame: pd.DataFrame, indicator: str, col: str = "value") -> dict:
    return frame[frame["indicator_id"] == indicator].set_index("year")[col].to_dict()


def test_values_follow_the_opening_years(path):
    assert list(path.columns) == ["indicator_id", "indicator_zh", "indicator_en", "layer", "measure", "unit", "year",
                                  "value", "status", "due_year", "target_2023", "target_2025", "actual_2020",
                                  "caveat"]  # fmt: skip
    assert _series(path, "child") == {2020: 0.25, 2021: 0.5, 2022: 0.75, 2023: 0.75, 2024: 0.75, 2025: 0.75}
    assert _series(path, "centre") == {2020: 0.0, 2021: 0.25, 2022: 0.25, 2023: 0.5, 2024: 0.5, 2025: 0.5}
    circle = _series(path, "circle")
    assert circle[2021] == pytest.approx(450 / 1390) and circle[2022] == pytest.approx(810 / 1390)
    assert set(path["year"]) == set(range(2020, 2026))


def test_each_year_is_judged_against_its_next_milestone(path):
    status = _series(path, "centre", "status")
    due = _series(path, "centre", "due_year")
    assert (status[2022], due[2022]) == (Status.NOT_YET_DUE, 2023)  # 25 % < 40 %, 2023 not yet due
    assert status[2023] == Status.MET  # 50 % ≥ 40 %
    assert (status[2024], due[2024]) == (Status.NOT_YET_DUE, 2025)  # 50 % < 60 %, 2025 not yet due
    assert status[2025] == Status.NOT_MET
    assert _series(path, "circle", "status")[2025] == Status.MEASURED


def test_milestones_travel_with_the_path(path):
    child = path[path["indicator_id"] == "child"].iloc[0]
    assert (child.target_2023, child.target_2025) == (0.3, 0.5)
    circle = path[path["indicator_id"] == "circle"].iloc[0]
    assert math.isnan(circle.target_2023) and math.isnan(circle.target_2025)


def test_the_review_carries_the_same_path(path, small_region, targets):
    review = annual_review(small_region, 2025, standards=WALK_1000, targets=targets)
    pd.testing.assert_frame_equal(review.trajectory, path)
    last = path[path["year"] == 2025].set_index("indicator_id")["value"]
    city = review.city.set_index("indicator_id")["value"]
    pd.testing.assert_series_equal(last, city.loc[last.index], check_names=False)


def test_without_opening_years_the_path_is_flat(small_region, targets):
    for k, gdf in small_region.facilities.items():
        small_region.facilities[k] = gdf.assign(opening_year=pd.array([None] * len(gdf), dtype="Int64"))
    flat = trajectory(small_region, 2023, standards=WALK_1000, targets=targets, first_year=2021)
    assert _series(flat, "child") == {2021: 0.75, 2022: 0.75, 2023: 0.75}


def test_chart_draws_the_values_and_the_milestones(path):
    fig = trajectory_chart(path, "child", "zh")
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["测算值"].get_ydata()) == [0.25, 0.5, 0.75, 0.75, 0.75, 0.75]
    milestone = {k: v for k, v in lines.items() if k.startswith("2023年目标") or k.startswith("2025年目标")}
    assert sorted((float(v.get_xdata()[0]), float(v.get_ydata()[0])) for v in milestone.values()) == [
        (2023.0, 0.3), (2025.0, 0.5)]
    assert ax.get_title().endswith("†")  # modelled / illustrative inputs: the caveat mark
    en = trajectory_chart(path, "child", "en").axes[0]
    assert "measured" in {line.get_label() for line in en.get_lines()}
