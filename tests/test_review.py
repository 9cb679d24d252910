"""The annual review on the hand-made ``small_region`` (see ``tests/conftest.py``).

Facilities by town (opening year): child-protection posts T1 (2019), T4 (2021,
2024), T3 (2022, placed by location); social-work station T2; elder-care
centres T2 (2021), T3 (2023); ossuary in district 440703 (no year); institutions
100 beds / 40 nursing (T1), 50 / 35 (T3), 30 / unknown (T4).
"""

from __future__ import annotations

import csv
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import build_small_region
from coverage.errors import ExportError, InputError
from coverage.i18n import status_name
from coverage.review import (
    CAVEAT_MARK,
    STATUS_COLOURS,
    Reason,
    Status,
    annual_review,
    indicators,
    load_targets,
    meets,
    number_table,
    parse_target,
    review_notes,
    review_table,
    target_for,
    units_needed,
)
from coverage.standards import Standard

WALK_1000 = Standard(mode="walk", minutes=15, speed_kmh=4.5, distance_m=1000, basis="test")

TARGET_ROWS = [
    # table, indicator_id, indicator_zh, indicator_en, unit, target_2020, target_2023, target_2025, comparator,
    # target_2020_value, target_2023_value, target_2025_value, measurable_by
    ("十四五主要指标", "nursing", "养老机构护理型床位占比", "nursing-bed share", "%", "", "≥50", "≥55", ">=", "", "50",
     "55", "elder_care_institution:nursing_bed_share"),
    ("十四五主要指标", "centre", "乡镇(街道)范围具备综合功能的养老服务机构覆盖率", "towns with a centre", "%", "", "≥40",
     "≥60", ">=", "", "40", "60", "elder_care_centre:unit_town"),
    ("十四五主要指标", "child", "乡镇(街道)未成年人保护工作站覆盖率", "towns with a post", "%", "", "30", ">50", ">=", "",
     "30", "50", "child_protection_post:unit_town"),
    ("十四五主要指标", "social", "乡镇（街道）社工站覆盖率", "towns with a station", "%", "", "100", "100", ">=", "",
     "100", "100", "social_work_station:unit_town"),
    ("十四五主要指标", "ossuary", "县级城乡公益性安葬（放）设施覆盖率", "counties with an ossuary", "%", "", "100", "100",
     ">=", "", "100", "100", "ossuary:unit_county"),
    ("十四五主要指标", "lottery", "福利彩票销售网点数", "lottery outlets", "个", "", "440", "450", ">=", "", "440", "450",
     ""),
    ("十三五完成情况", "ossuary_2020", "公益性骨灰安放设施（公墓）县级行政区域覆盖率", "ossuary 2020", "%", "90", "", "",
     ">=", "90", "", "", "ossuary:unit_county"),
    ("测试", "station_pop", "居家养老服务站点60岁及以上人口覆盖率", "station coverage", "%", "", "", "≥80", ">=", "",
     "", "80", "elder_care_station:pop_coverage"),
    ("测试", "beds_1000", "每千老年人口养老床位数", "beds per 1000", "张", "", "", "≥150", ">=", "", "", "150",
     "elder_care_institution:beds_per_1000_60plus"),
    ("十四五重点工程", "minor", "县级未成年人救助保护中心覆盖率", "counties with a centre", "%", "", "", "100", ">=", "",
     "", "100", "minor_protection_centre:unit_county"),
    ("十四五规划正文", "circle", "社区15分钟居家养老服务圈", "15-minute circle", "%", "", "", "基本建成", "", "", "", "",
     "elder_care_station:pop_coverage"),
]  # fmt: skip
TARGET_COLUMNS = [
    "table", "indicator_id", "indicator_zh", "indicator_en", "unit", "target_2020", "target_2023", "target_2025",
    "comparator", "target_2020_value", "target_2023_value", "target_2025_value", "measurable_by",
]  # fmt: skip
HEADER_ZH = ["完成情况", "指标", "层级", "地区", "测算值", "目标", "差距", "说明"]
NUMBER_HEADER_ZH = ["完成情况", "指标", "层级", "地区", "测算值", "单位", "数据性质", "目标", "目标值", "差距", "差距单位", "说明"]
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def targets(tmp_path_factory):
    path = tmp_path_factory.mktemp("targets") / "targets.csv"
    pd.DataFrame(TARGET_ROWS, columns=TARGET_COLUMNS).to_csv(path, index=False)
    return load_targets(path)


@pytest.fixture(scope="module")
def review(targets):
    # Module-scoped: annual_review does not modify the region; tests must not modify the result.
    return annual_review(build_small_region(), 2025, standards=WALK_1000, targets=targets)


def _get(df: pd.DataFrame, indicator: str, level: str = "city", name: str | None = None) -> pd.Series:
    sel = df[(df["indicator_id"] == indicator) & (df["level"] == level)]
    if level == "district":
        sel = sel[sel["district_zh"] == name]
    elif level == "town":
        sel = sel[sel["town_zh"] == name]
    assert len(sel) == 1, (indicator, level, name)
    return sel.iloc[0]


# --------------------------------------------------------------------------- targets


def test_parse_target_uses_the_rows_one_comparator():
    assert parse_target("≥40", "40", ">=") == (">=", 40.0)
    assert parse_target(">50", "50", ">=") == (">=", 50.0)  # the comparator column decides, not the sign
    assert parse_target(">50", "50", "") == (">", 50.0)  # without one, the sign written
    assert parse_target("30", "30", "") == (">=", 30.0)  # a plain number is a level to reach
    assert parse_target("不低于居民上年度人均消费支出增速", "", "") is None
    assert parse_target("基本建成", "", "") is None
    assert parse_target("", "55", "≥") == (">=", 55.0)
    with pytest.raises(InputError):
        parse_target("≥5", "five", ">=")


def test_embedded_targets_read_50_percent_or_more_as_inclusive():
    table = load_targets()
    assert "comparator_2023" not in table.columns  # one comparator per row
    by_id = {i.indicator_id: i for i in indicators(table, 2025)}
    child = by_id["town_child_protection_post_coverage"]
    assert [(m.year, m.op, m.target) for m in child.milestones] == [(2023, ">=", 0.3), (2025, ">=", 0.5)]
    assert by_id["nursing_bed_share"].actual_2020 == pytest.approx(0.47)
    circle = by_id["elder_care_circle_15min"]
    assert circle.milestones == () and circle.text_target == "基本建成" and circle.measure == "pop_coverage"
    measures = {m.split(":")[1] for m in table["measurable_by"] if m}
    assert measures <= {"unit_town", "unit_county", "nursing_bed_share", "beds_per_1000_60plus", "pop_coverage"}
    assert all(i.name_en for i in by_id.values())


def test_meets_and_units_needed():
    assert meets(0.5, ">=", 0.5) and not meets(0.5, ">", 0.5) and meets(0.501, ">", 0.5)
    assert units_needed(4, ">=", 0.6) == 3
    assert units_needed(4, ">", 0.5) == 3
    assert units_needed(4, ">=", 0.5) == 2
    assert units_needed(73, ">=", 1.0) == 73
    assert units_needed(10, ">=", 0.0) == 0


def test_target_for_picks_the_next_milestone(targets):
    centre = next(i for i in indicators(targets, 2025) if i.indicator_id == "centre")
    assert target_for(centre.milestones, 2021).text == "≥40"
    assert target_for(centre.milestones, 2023).text == "≥40"
    assert target_for(centre.milestones, 2024).text == "≥60"
    assert target_for(centre.milestones, 2030).text == "≥60"
    assert target_for((), 2025) is None


def test_load_targets_rejects_bad_measurable_by(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame([("x", "名称", "%", "nope")], columns=["indicator_id", "indicator_zh", "unit", "measurable_by"]).to_csv(
        path, index=False
    )
    with pytest.raises(InputError, match=r"row 2, column 'measurable_by'"):
        load_targets(path)
    with pytest.raises(InputError, match="not found"):
        load_targets(tmp_path / "missing.csv")


# --------------------------------------------------------------------------- values and statuses


def test_unit_indicators_city(review):
    rows = review.rows
    centre = _get(rows, "centre")
    assert (centre.value, centre.status, centre.gap, centre.gap_unit) == (0.5, Status.NOT_MET, 1, "towns")
    assert (centre.target_op, centre.target_value, centre.target_year) == (">=", 0.6, 2025)
    child = _get(rows, "child")
    assert (child.value, child.status, child.gap) == (0.75, Status.MET, 0)
    social = _get(rows, "social")
    assert (social.value, social.status, social.gap) == (0.25, Status.NOT_MET, 3)
    ossuary = _get(rows, "ossuary")
    assert (ossuary.value, ossuary.status, ossuary.gap, ossuary.gap_unit) == (0.5, Status.NOT_MET, 1, "counties")
    assert ossuary.lacking == ("440704",)


def test_unit_indicators_per_district_and_town(review):
    rows = review.rows
    # 1 of 2 towns is exactly 50 %: "50%以上" is inclusive, so it is met.
    assert _get(rows, "child", "district", "测试甲区").status == Status.MET
    assert _get(rows, "child", "district", "测试乙区").value == 1.0
    assert _get(rows, "ossuary", "district", "测试甲区").status == Status.MET
    assert _get(rows, "ossuary", "district", "测试乙区").gap == 1
    assert _get(rows, "social", "district", "测试乙区").gap == 2
    assert _get(rows, "centre", "town", "甲二镇").status == Status.MET
    assert _get(rows, "centre", "town", "甲一街道").gap == 1
    assert rows[(rows["indicator_id"] == "ossuary") & (rows["level"] == "town")].empty


def test_nursing_bed_share_gap_in_beds(review):
    city = _get(review.rows, "nursing")
    # 75 / 150 = 50 %; 55 % of 150 beds = 82.5 -> 83 nursing beds, 8 more; ECI3 has no nursing-bed count.
    assert (city.value, city.status, city.gap, city.gap_unit, city.skipped) == (0.5, Status.NOT_MET, 8,
                                                                                "nursing_beds", 1)  # fmt: skip
    jia = _get(review.rows, "nursing", "district", "测试甲区")
    assert (jia.value, jia.gap) == (0.4, 15)
    assert _get(review.rows, "nursing", "district", "测试乙区").status == Status.MET


def test_missing_inputs_are_codes_not_numbers(review, small_region, targets):
    minor = _get(review.rows, "minor")
    assert pd.isna(minor.value) and minor.status == Status.CANNOT_COMPUTE
    assert (minor.reason, minor.reason_detail) == (Reason.LAYER_MISSING, "minor_protection_centre")
    small_region.facilities["elder_care_institution"] = small_region.facilities["elder_care_institution"].drop(
        columns="nursing_beds"
    )
    r = annual_review(small_region, 2025, standards=WALK_1000, targets=targets, yearly=False)
    nursing = _get(r.rows, "nursing")
    assert (nursing.status, nursing.reason, nursing.reason_detail) == (Status.CANNOT_COMPUTE, Reason.COLUMN_MISSING,
                                                                       "nursing_beds")  # fmt: skip
    assert "lottery" not in set(r.rows["indicator_id"])  # no measurable_by: not reported
    assert review_table(r, "zh", "city").set_index("指标").loc["养老机构护理型床位占比", "说明"] == "缺少 nursing_beds 列"


def test_inconsistent_beds_cannot_be_computed(small_region, targets):
    eci = small_region.facilities["elder_care_institution"].copy()
    eci.loc[0, "nursing_beds"] = 120  # more nursing beds than beds
    small_region.facilities["elder_care_institution"] = eci
    r = annual_review(small_region, 2025, standards=WALK_1000, targets=targets, yearly=False)
    row = _get(r.rows, "nursing")
    assert (row.status, row.reason, row.reason_detail) == (Status.CANNOT_COMPUTE, Reason.NURSING_BEDS_EXCEED_BEDS, "1")


def test_population_and_bed_ratio_targets_give_gaps_in_people_and_beds(review):
    pop = _get(review.rows, "station_pop")
    # 810 of 1390 older residents covered; 80 % is 1112 -> 302 more people.
    assert (pop.status, pop.gap, pop.gap_unit) == (Status.NOT_MET, 302, "people")
    assert _get(review.rows, "station_pop", "town", "乙二镇").status == Status.MET
    beds = _get(review.rows, "beds_1000")
    # 180 beds for 1390 older residents = 129.5 per 1000; 150 per 1000 needs 208.5 -> 209 beds.
    assert beds.value == pytest.approx(1000 * 180 / 1390) and beds.unit == "per_1000"
    assert (beds.status, beds.gap, beds.gap_unit) == (Status.NOT_MET, 29, "beds")


def test_elder_care_circle_is_measured_without_a_number(review):
    city = _get(review.rows, "circle")
    assert city.value == pytest.approx(810 / 1390)
    assert (city.status, city.target_text, city.gap, city.gap_unit) == (Status.MEASURED, "基本建成", 580,
                                                                        "uncovered_people")  # fmt: skip
    assert _get(review.rows, "circle", "town", "乙二镇").value == 1.0
    assert review.standards["elder_care_station"]["urban"] == WALK_1000 and review.method == "distance"


def test_review_year_filters_facilities_and_targets(small_region, targets):
    r = annual_review(small_region, 2021, standards=WALK_1000, targets=targets, yearly=False)
    child = _get(r.rows, "child")  # posts of 2019 and 2021: 2 of 4 towns, 2023 target 30 %
    assert (child.value, child.target_year, child.status) == (0.5, 2023, Status.MET)
    centre = _get(r.rows, "centre")  # one centre by 2021: 25 % < 40 %, the 2023 milestone not yet due
    assert (centre.value, centre.status, centre.due_year, centre.gap) == (0.25, Status.NOT_YET_DUE, 2023, 1)
    assert _get(r.rows, "circle").value == pytest.approx(450 / 1390)  # ECS2 opens in 2022
    assert "ossuary_2020" not in set(r.rows["indicator_id"])
    assert review_table(r, "zh", "city").iloc[1]["完成情况"] == "未到期（2023年目标）"
    assert review_table(r, "en", "city").iloc[1]["Status"] == "not yet due (2023 target)"


def test_thirteenth_plan_rows_only_up_to_2020(small_region, targets):
    r = annual_review(small_region, 2020, standards=WALK_1000, targets=targets, yearly=False)
    row = _get(r.rows, "ossuary_2020")
    assert (row.value, row.target_value, row.status, row.gap) == (0.5, 0.9, Status.NOT_MET, 1)


def test_year_is_validated(small_region, targets):
    with pytest.raises(InputError, match="year"):
        annual_review(small_region, "twenty", targets=targets)


def test_results_hold_no_prose(review):
    """Only names (places, the plan's indicator wording and text targets) may be Chinese."""
    names = {"district_zh", "town_zh", "indicator_zh", "target_text"}
    for col in review.rows.columns:
        if col in names:
            continue
        text = " ".join(map(str, review.rows[col].tolist()))
        assert not CJK.search(text), col
    assert all(isinstance(s, Status) for s in review.rows["status"])
    assert all(r is None or isinstance(r, Reason) for r in review.rows["reason"])
    assert "attrs" not in review.rows.attrs or not review.rows.attrs


# --------------------------------------------------------------------------- tables people read


def test_review_table_reads_in_order_without_ids_or_none(review):
    zh = review_table(review, "zh")
    assert list(zh.columns) == HEADER_ZH
    cells = " ".join(zh.astype(str).to_numpy().ravel())
    for bad in ("None", "nan", "<NA>", "elder_care", "440703", "child", "not_met"):
        assert bad not in cells, bad
    centre = zh[(zh["指标"] == "乡镇(街道)范围具备综合功能的养老服务机构覆盖率") & (zh["层级"] == "全市")].iloc[0]
    assert list(centre) == ["未达标", "乡镇(街道)范围具备综合功能的养老服务机构覆盖率", "全市", "江门市",
                            "50.0%" + CAVEAT_MARK, "2025年 ≥60%", "还需 1 个乡镇(街道)", ""]  # fmt: skip
    ossuary = zh[(zh["指标"] == "县级城乡公益性安葬（放）设施覆盖率") & (zh["层级"] == "全市")].iloc[0]
    assert ossuary["说明"] == "缺少: 测试乙区"
    circle = zh[zh["指标"] == "社区15分钟居家养老服务圈"].iloc[0]
    assert (circle["完成情况"], circle["测算值"], circle["目标"], circle["差距"]) == (
        "已测算", "58.3%" + CAVEAT_MARK, "基本建成", "未覆盖 580 人")


def test_review_table_in_english_uses_english_names_and_pinyin(review):
    en = review_table(review, "en", "town")
    assert list(en.columns) == ["Status", "Indicator", "Level", "Place", "Measured", "Target", "Gap", "Note"]
    assert not CJK.search(" ".join(en.astype(str).to_numpy().ravel()))
    assert set(en["Place"]) == {"Jia-1", "Jia-2", "Yi-1", "Yi-2"}
    centre = review_table(review, "zh", "town")
    centre = centre[centre["指标"] == "乡镇(街道)范围具备综合功能的养老服务机构覆盖率"].set_index("地区")["测算值"]
    assert centre.to_dict() == {"甲一街道": "无" + CAVEAT_MARK, "甲二镇": "有" + CAVEAT_MARK,
                                "乙一街道": "有" + CAVEAT_MARK, "乙二镇": "无" + CAVEAT_MARK}
    city = review_table(review, "en", "city").set_index("Indicator")
    assert city.loc["towns with a centre", "Gap"] == "1 more town"  # singular for one
    assert city.loc["nursing-bed share", "Note"] == "1 institution(s) without bed data left out"
    assert city.loc["beds per 1000", "Measured"] == f"129.5 beds per 1,000 aged 60+{CAVEAT_MARK}"


def test_status_names_render_enums():
    assert status_name(Status.MET, "zh") == "达标" and status_name("not_met", "en") == "not met"
    assert status_name(Status.NOT_YET_DUE, "zh", due_year=2025) == "未到期（2025年目标）"
    assert status_name(Status.CANNOT_COMPUTE, "zh") == "无法计算"


def test_caveat_mark_goes_with_real_inputs(small_region, targets):
    r = annual_review(small_region, 2025, standards=WALK_1000, targets=targets, yearly=False)
    assert r.caveat and any(CAVEAT_MARK in n for n in review_notes(r, "zh"))
    real = {k: ("none" if k == "roads" else "real") for k in small_region.provenance}
    small_region.provenance.clear()
    small_region.provenance.update(real)
    r = annual_review(small_region, 2025, standards=WALK_1000, targets=targets, yearly=False)
    assert not r.caveat
    assert CAVEAT_MARK not in " ".join(review_table(r, "zh").astype(str).to_numpy().ravel())
    assert not any(CAVEAT_MARK in n for n in review_notes(r, "zh"))


def test_notes_state_the_comparator_rule_standard_and_sources(review):
    zh = review_notes(review, "zh")
    assert any("“50%以上”按含本数(≥50%)判断" in n for n in zh)
    assert any("直线1000米" in n and "直线距离" in n for n in zh)
    assert any(n.startswith("数据来源") and "人口网格: 推算" in n for n in zh)
    en = review_notes(review, "en")
    assert any("inclusive" in n for n in en) and any("1000 m straight line" in n for n in en)


# --------------------------------------------------------------------------- exports


def test_excel_sheets_are_the_number_table_with_formats(review, tmp_path):
    wb = openpyxl.load_workbook(review.write(tmp_path / "review.xlsx"))
    assert wb.sheetnames == ["概况", "全市", "区县", "镇街", "逐年", "说明"]
    for sheet, level in (("全市", "city"), ("区县", "district"), ("镇街", "town")):
        ws = wb[sheet]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref
        values = [[("" if c.value is None else c.value) for c in row] for row in ws.iter_rows()]
        table = number_table(review, "zh", level)
        assert values[0] == list(table.columns) == NUMBER_HEADER_ZH
        for got, want in zip(values[1:len(table) + 1], table.itertuples(index=False)):
            assert len(got) == len(want)
            for g, w in zip(got, want):
                if isinstance(w, float) or (w is not pd.NA and isinstance(w, (int, np.integer))):
                    assert g == "" if pd.isna(w) else g == pytest.approx(float(w))
                else:
                    assert g == ("" if w is pd.NA else w)
        assert values[len(table) + 2][0] == review_notes(review, "zh")[-1]  # the caveat under every table
        for i, status in enumerate(review.level(level)["status"], start=2):
            assert ws.cell(row=i, column=1).fill.start_color.rgb.endswith(STATUS_COLOURS[status])
        assert ws.column_dimensions["B"].width > 20  # the indicator column is wide enough to read
    notes = [r[0].value for r in wb["说明"].iter_rows(min_row=2)]
    assert notes == review_notes(review, "zh")
    # The year-by-year sheet: numbers with the percent format, statuses coloured.
    by_year = wb["逐年"]
    head = [c.value for c in by_year[1]]
    status_col = head.index("完成情况") + 1
    traj = review.trajectory.reset_index(drop=True)
    for i, r in enumerate(traj.itertuples(index=False), start=2):
        assert by_year.cell(row=i, column=status_col).fill.start_color.rgb.endswith(STATUS_COLOURS[Status(r.status)])
        if r.indicator_id == "centre":
            cell = by_year.cell(row=i, column=head.index("2025年目标") + 1)
            assert cell.value == pytest.approx(0.6) and cell.number_format == "0.0%"
    en = openpyxl.load_workbook(review.write(tmp_path / "review_en.xlsx", lang="en"))
    assert en.sheetnames == ["Overview", "City", "Districts", "Towns", "By year", "Notes"]


def test_csv_is_rounded_and_keeps_codes_at_the_end(review, tmp_path):
    path = review.write(tmp_path / "review.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    assert header[:12] == NUMBER_HEADER_ZH and header[12:] == [
        "indicator_id", "layer", "district_code", "town_code", "year", "status", "due_year", "reason"]
    assert len(rows) == len(review.rows)
    for r in rows:
        if r["测算值"]:
            assert re.fullmatch(r"-?\d+(\.\d)?", r["测算值"]), r["测算值"]  # one decimal at most
    assert all(r["数据性质"] == "† 含推算或示意数据" for r in rows)  # the caveat travels with the file
    circle = next(r for r in rows if r["indicator_id"] == "circle" and r["层级"] == "全市")
    assert (circle["测算值"], circle["单位"], circle["差距"], circle["差距单位"], circle["status"]) == (
        "58.3", "%", "580", "人(未覆盖)", "measured")
    centre = next(r for r in rows if r["indicator_id"] == "centre" and r["层级"] == "全市")
    assert (centre["目标值"], centre["差距"], centre["差距单位"], centre["完成情况"]) == ("60.0", "1", "个乡镇(街道)", "未达标")


def test_markdown_states_notes_and_tables(review, tmp_path):
    text = review.write(tmp_path / "review.md").read_text(encoding="utf-8")
    assert text.startswith("# 江门市民政事业发展“十四五”规划 指标年度评估报告 (2025年度)")
    assert "“50%以上”按含本数" in text and "| 完成情况 | 指标 |" in text and "还需 3 个乡镇(街道)" in text
    with pytest.raises(ExportError, match="extension"):
        review.write(tmp_path / "review.pdf")


# --------------------------------------------------------------------------- CLI


def test_review_command_formats(small_region, tmp_path, monkeypatch, capsys):
    import coverage.commands.review as cmd
    from coverage.cli import main

    monkeypatch.setattr(cmd, "region_from_args", lambda args: small_region)
    targets = tmp_path / "targets.csv"
    pd.DataFrame(TARGET_ROWS, columns=TARGET_COLUMNS).to_csv(targets, index=False)
    common = ["--targets", str(targets), "--mode", "walk", "--distance", "1000", "--no-yearly"]
    assert main(["review", "--year", "2025", "--out", str(tmp_path / "r.xlsx"), *common]) == 0
    assert "乡镇（街道）社工站覆盖率" in capsys.readouterr().out
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == ["概况", "全市", "区县", "镇街", "说明"]
    assert main(["review", "--year", "2025", "--out", str(tmp_path / "r.csv"), *common]) == 0
    df = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str)
    social = df[(df["indicator_id"] == "social") & (df["层级"] == "全市")].iloc[0]
    assert (social["测算值"], social["完成情况"], social["差距"]) == ("25.0", "未达标", "3")
    assert main(["review", "--out", str(tmp_path / "r.pdf"), *common]) == 2


def test_every_status_and_reason_has_words_in_both_languages():
    from coverage.i18n import t

    for lang in ("zh", "en"):
        names = {status_name(s, lang) for s in Status}
        assert len(names) == len(Status)  # distinct labels
        for r in Reason:
            assert "{" not in t(f"review.reason.{r.value}", lang, detail="x")
