"""The app's analyses tab (``coverage.ui.analyses``): what the page shows equals what the library computes.

A tiny Streamlit script draws the tab on the embedded Jiangmen data (AppTest); each test presses a
section's *Compute* button and compares the tables and figures shown with
:func:`coverage.access.accessibility`, :func:`coverage.equity.equity`, :func:`coverage.review.trajectory`
and :mod:`coverage.community` on the same inputs (the community fixture of ``tests/data/communities``,
uploaded through the page).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage.access import accessibility
from coverage.community import community_circle, community_coverage, community_indicators
from coverage.describe import percent_points
from coverage.equity import equity
from coverage.i18n import layer_name, t
from coverage.io.communities import read_communities
from coverage.io.report import DataImportError
from coverage.region import load_default
from coverage.review import trajectory, trajectory_table
from coverage.standards import load_standards
from coverage.ui.analyses import COMMUNITY_LAYER_ID, trajectory_chart_data
from coverage.ui.views import md_text
from coverage.ui.widgets import lang_key
from coverage.workspace import Workspace

COMMUNITIES = Path(__file__).parent / "data" / "communities"
CJK = re.compile(r"[\u4e00-\u9fff]")

SCRIPT = """
import streamlit as st
from coverage.region import load_default
from coverage.standards import load_standards
from coverage.ui.analyses import analyses_tab
from coverage.workspace import Workspace

ss = st.session_state
ws = Workspace.open(ss["t_ws"]) if ss.get("t_ws") else None
ctx = {"lang": ss.get("t_lang", "zh"), "layer": ss.get("t_layer", "elder_care_institution"),
       "standards": load_standards(), "mode": "walk", "minutes": 15.0, "year": ss.get("t_year", 2025)}
analyses_tab(ctx, load_default(), (), ws)
"""


@pytest.fixture(scope="module")
def region():
    return load_default()


@pytest.fixture(scope="module")
def standards():
    return load_standards()


def page(section: str, lang: str = "zh", layer: str = "elder_care_institution", ws: Path | None = None) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=120)
    at.session_state["t_lang"] = lang
    at.session_state["t_layer"] = layer
    if ws is not None:
        at.session_state["t_ws"] = str(ws)
    at.run()
    at.radio(key="ana_section").set_value(section).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def compute(at: AppTest, section: str) -> AppTest:
    at.button(key=f"ana_{section}_compute").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    """Every text the page shows: labels, values, captions, messages, table headers and text cells."""
    parts = [f"{m.label} {m.value} {m.delta or ''}" for m in at.metric]
    parts += [e.value for kind in (at.caption, at.markdown, at.info, at.error, at.warning) for e in kind]
    parts += [" ".join(map(str, d.value.columns)) + " "
              + " ".join(d.value.select_dtypes(exclude="number").astype(str).stack()) for d in at.dataframe]
    parts += [f"{w.label} {' '.join(map(str, w.options))}" for w in (*at.selectbox, *at.radio)]
    parts += [b.label for b in at.button]
    return " ".join(parts)


def metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


# --------------------------------------------------------------------------- accessibility


def test_accessibility_shows_the_library_figures_per_town_district_and_city(region, standards):
    at = page("access")
    assert not at.dataframe  # nothing computed before the button
    at.selectbox(key="ana_method").set_value("e2sfca")
    compute(at, "access")
    res = accessibility(region, "elder_care_institution", "e2sfca", "beds", standards)
    v = res.value_column
    city = res.table[res.table.level == "city"].iloc[0]
    # the caveat mark travels with every figure (illustrative facilities on the default data)
    assert all("ᵃ示意数据" in m.label for m in at.metric)
    assert metric(at, "全市每千名60岁及以上床位") == f"{res.city_ratio:,.1f}"
    assert metric(at, "有设施可及的60岁及以上占比") == f"{city.served_with_access / city.served:.1%}"
    # the plan's ratio indicator beside it, with its target
    plan = next(m for m in at.metric if m.label.startswith("规划指标: 每千老年人口养老床位数"))
    assert plan.value == f"{city[f'{v}_in_unit']:,.1f}" and f"{city.plan_target:,.1f}" in plan.delta

    districts, towns = at.dataframe[0].value, at.dataframe[1].value
    lib = res.table[res.table.level.isin(["district", "city"])]
    np.testing.assert_allclose(districts["平均可及 (每千人)"], lib[v])
    np.testing.assert_allclose(districts["P10"], lib[f"{v}_p10"])
    np.testing.assert_allclose(districts["本地拥有 (每千人)"], lib[f"{v}_in_unit"])
    assert districts["范围"].iloc[-1] == "全市"
    lib_towns = res.table[res.table.level == "town"].set_index("town_zh")
    shown = towns.set_index("镇街")
    assert len(shown) == 73
    np.testing.assert_allclose(shown["平均可及 (每千人)"], lib_towns.loc[shown.index, v])
    np.testing.assert_allclose(shown["中位数"], lib_towns.loc[shown.index, f"{v}_median"])
    assert shown["平均可及 (每千人)"].is_monotonic_increasing  # worst first

    # another capacity column: the figures follow it
    at.selectbox(key="ana_capacity_elder_care_institution").set_value("nursing_beds").run()
    nursing = accessibility(region, "elder_care_institution", "e2sfca", "nursing_beds", standards)
    assert metric(at, "全市每千名60岁及以上护理型床位") == f"{nursing.city_ratio:,.1f}"
    assert not any(m.label.startswith("规划指标") for m in at.metric)  # the plan sets no nursing-bed ratio


def test_a_layer_without_capacity_says_so_and_counts_facilities_in_english(region, standards):
    at = page("access", "en", "elder_care_station")
    message = t("ana.access.no_capacity", "en", layer=layer_name("elder_care_station", "en"))
    assert [i.value for i in at.info] == [message]
    assert at.selectbox(key=lang_key("ana_capacity_elder_care_station", "en")).options == ["facilities"]
    compute(at, "access")
    res = accessibility(region, "elder_care_station", "2sfca", "facilities", standards)
    assert metric(at, "City facilities per 1,000 residents 60+") == f"{res.city_ratio:,.1f}"
    towns = at.dataframe[1].value
    assert set(towns["Town"]) == set(region.towns["town_en"])  # pinyin names, no Chinese, no codes
    text = page_text(at)
    assert not CJK.search(text), CJK.findall(text)
    assert not re.search(r"\b4407\d{2}(\d{3})?\b", text)  # no district or town codes


# --------------------------------------------------------------------------- equity


def test_equity_shows_groups_indices_and_worst_towns_of_the_library(region, standards):
    at = compute(page("equity", layer="elder_care_station"), "equity")
    eq = equity(region, "elder_care_station", standards, method="2sfca", capacity="facilities")
    assert metric(at, "可达性基尼系数") == f"{eq.gini:,.3f}"
    assert metric(at, "泰尔指数") == f"{eq.theil:,.3f}"
    groups, worst = at.dataframe[0].value, at.dataframe[1].value
    assert groups["分组"].tolist()[:2] == ["街道（城区）", "镇（乡村）"] and groups["分组"].iloc[-1] == "全市"
    np.testing.assert_allclose(groups["覆盖率"], percent_points(eq.groups["coverage_rate"]))
    np.testing.assert_allclose(groups["超出标准"], percent_points(eq.groups["share_beyond_standard"]))
    np.testing.assert_allclose(groups["超出2倍标准"], percent_points(eq.groups["share_beyond_2x_standard"]))
    np.testing.assert_allclose(groups["基尼系数"], eq.groups["gini_access"])
    assert worst["镇街"].tolist() == eq.worst_towns["town_zh"].tolist()
    np.testing.assert_allclose(worst["覆盖率"], percent_points(eq.worst_towns["coverage_rate"]))
    assert any(f"服务最差的 {len(eq.worst_towns)} 个镇街" in m.value for m in at.markdown)
    # the area types are named with the one wording of the catalogue, in the heading as in the rows
    heading = next(m.value for m in at.markdown if "超出标准者占比" in m.value)
    assert t("core_area_urban", "zh") in heading and t("core_area_rural", "zh") in heading


# --------------------------------------------------------------------------- trajectory


def test_trajectory_table_is_the_reviews_for_each_indicator(region, standards):
    at = compute(page("trajectory", "en"), "trajectory")
    frame = trajectory(region, 2025, standards)
    first = frame["indicator_id"].iloc[0]
    pd.testing.assert_frame_equal(at.dataframe[0].value.reset_index(drop=True),
                                  trajectory_table(frame[frame.indicator_id == first], "en").reset_index(drop=True),
                                  check_dtype=False)  # fmt: skip
    other = frame["indicator_id"].iloc[-1]
    at.selectbox(key=lang_key("ana_trajectory_indicator", "en")).set_value(other).run()
    shown = at.dataframe[0].value
    assert shown["Year"].tolist() == list(range(2020, 2026))
    assert not CJK.search(page_text(at)), CJK.findall(page_text(at))


def test_trajectory_chart_data_puts_each_milestone_at_its_year():
    frame = pd.DataFrame({
        "indicator_id": ["a"] * 3 + ["b"], "year": [2020, 2021, 2022, 2020], "value": [0.1, 0.2, np.nan, 5.0],
        "target_2023": [0.5] * 3 + [np.nan], "target_2025": [0.9] * 3 + [np.nan],
        "actual_2020": [0.15] * 3 + [np.nan],
    })  # fmt: skip
    data = trajectory_chart_data(frame, "a", "en")
    assert data[data.kind == "value"][["year", "value"]].values.tolist() == [[2020, 0.1], [2021, 0.2]]
    assert data[data.kind == "target"][["year", "value", "series"]].values.tolist() == [
        [2023, 0.5, "2023 target"], [2025, 0.9, "2025 target"]]
    assert data[data.kind == "plan_2020"][["year", "value"]].values.tolist() == [[2020, 0.15]]
    assert trajectory_chart_data(frame, "b", "en")["kind"].tolist() == ["value"]  # no milestones, no 2020 figure


# --------------------------------------------------------------------------- communities


def test_communities_need_an_upload_and_never_a_default(tmp_path):
    at = page("community", ws=tmp_path)
    assert [i.value for i in at.info] == [t("ana.community.needs_upload", "zh")]
    assert not at.dataframe and not at.metric
    assert not any(b.key == "ana_community_compute" for b in at.button)


def test_an_uploaded_community_layer_shows_the_library_figures_and_is_kept(region, standards, tmp_path):
    at = page("community", layer="elder_care_station", ws=tmp_path)
    at.file_uploader(key="ana_community_file").set_value(
        ("points.csv", (COMMUNITIES / "points.csv").read_bytes(), "text/csv"))
    at.run()
    at.button(key="ana_community_import").click().run()
    assert not at.exception, [e.message for e in at.exception]
    units, report = read_communities(COMMUNITIES / "points.csv", towns=region.towns)
    # the import report, in the page language
    summary = t("report_summary", "zh", file="points.csv", read=report.rows_read, imported=report.rows_imported,
                errors=0, warnings=len(report.warnings))
    assert md_text(summary) in [c.value for c in at.caption]
    compute(at, "community")
    cov = community_coverage(region, "elder_care_station", units, standards)
    circle = community_circle(region, units, "elder_care_station", standards)
    indicators = community_indicators(region, units, 2025, standards)
    n, k = len(cov.communities), int(cov.communities["covered"].sum())
    assert metric(at, "有居家养老服务站点的村(社区)") == f"{k:,} / {n:,}"
    frames = {tuple(d.value.columns): d.value for d in at.dataframe}
    units_shown = next(v for c, v in frames.items() if "判定" in c)
    assert units_shown["村(社区)"].tolist() == cov.communities["community_zh"].tolist()
    assert (units_shown["覆盖"] == "是").tolist() == cov.communities["covered"].tolist()
    circle_shown = next(v for c, v in frames.items() if "标准内人口" in c)
    np.testing.assert_allclose(circle_shown["服务对象人口"], circle.communities["served"])
    np.testing.assert_allclose(circle_shown["覆盖率"], percent_points(circle.communities["rate"]))
    ind_shown = next(v for c, v in frames.items() if "指标" in c)
    pct = lambda v: "—" if not np.isfinite(v) else f"{v:.1%}"  # noqa: E731
    assert ind_shown["测算值"].tolist() == [pct(i.value) for i in indicators]
    assert ind_shown["目标"].tolist() == [pct(i.target) for i in indicators]
    assert ind_shown["有设施"].tolist() == [i.communities_with for i in indicators]

    # kept in the workspace: a new session on it shows the same layer without uploading again
    assert COMMUNITY_LAYER_ID in Workspace.open(tmp_path).layers()
    again = page("community", layer="elder_care_station", ws=tmp_path)
    assert not again.info
    assert md_text(t("ana.community.loaded", "zh", file="points.csv", n=n)) in [c.value for c in again.caption]


def test_a_bad_community_file_is_reported_by_row_and_changes_nothing(tmp_path):
    at = page("community", "en", ws=tmp_path)
    at.file_uploader(key="ana_community_file").set_value(
        ("bad.csv", (COMMUNITIES / "bad.csv").read_bytes(), "text/csv"))
    at.run()
    at.button(key="ana_community_import").click().run()
    assert not at.exception
    with pytest.raises(DataImportError) as caught:
        read_communities(COMMUNITIES / "bad.csv")
    expected = caught.value.report
    assert [e.value for e in at.error] == [(t("ana.community.failed", "en", file=md_text("bad.csv"),
                                                     errors=len(expected.errors)))]
    report = at.dataframe[0].value
    assert {"File", "Row", "Column", "Severity", "Message"} <= set(report.columns)
    rows = expected.to_frame()["row"]  # the report's rows as text, a file-level note's blank (never "None")
    assert report["Row"].tolist() == ["" if pd.isna(r) else str(r) for r in rows] and rows.notna().any()
    words = {t(k, "en") for k in ("sev_error", "sev_warning", "sev_info")}
    assert set(report["Severity"]) <= words and (report["Severity"] == t("sev_error", "en")).any()
    assert [i.value for i in at.info] == [t("ana.community.needs_upload", "en")]
    assert COMMUNITY_LAYER_ID not in Workspace.open(tmp_path).layers()


def test_a_new_layer_asks_for_a_new_press_instead_of_recomputing_on_every_run():
    at = compute(page("access"), "access")
    assert len(at.dataframe) == 2
    at.session_state["t_layer"] = "elder_care_station"
    at.run()
    assert not at.dataframe and not at.metric  # nothing recomputed behind the planner's back
    assert t("ana.stale", "zh") in [c.value for c in at.caption]
    at.session_state["t_layer"] = "elder_care_institution"
    at.run()
    assert len(at.dataframe) == 2  # back to what was computed: shown again without a press


def test_a_language_switch_keeps_the_method_and_the_figures(region, standards):
    at = page("access")
    at.selectbox(key="ana_method").set_value("gaussian")
    compute(at, "access")
    at.session_state["t_lang"] = "en"
    at.run()
    assert at.selectbox(key=lang_key("ana_method", "en")).value == "gaussian"
    res = accessibility(region, "elder_care_institution", "gaussian", "beds", standards)
    assert metric(at, "City beds per 1,000 residents 60+") == f"{res.city_ratio:,.1f}"
    np.testing.assert_allclose(at.dataframe[0].value["Mean within reach (per 1,000)"],
                               res.table[res.table.level.isin(["district", "city"])][res.value_column])
