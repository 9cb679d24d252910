"""The annual review on the hand-made ``small_region`` (see ``tests/conftest.py``).

Facilities by town (opening year): child-protection posts T1 (2019), T4 (2021,
2024), T3 (2022, placed by location); social-work station T2; elder-care
centres T2 (2021), T3 (2023); ossuary in district 440703 (no year); institutions
100 beds / 40 nursing (T1), 50 / 35 (T3), 30 / unknown (T4).
"""

from __future__ import annotations

import csv
import math

import openpyxl
import pandas as pd
import pytest

from conftest import build_small_region
from coverage.paths import TARGETS_FILE
from coverage.review import (
    COLUMNS_ZH,
    annual_review,
    load_targets,
    meets,
    parse_target,
    target_for,
    units_needed,
)
from coverage.standards import Standard

WALK_1000 = Standard(mode="walk", minutes=15, speed_kmh=4.5, distance_m=1000, fallback_basis="test")

TARGET_ROWS = [
    # table, indicator_id, indicator_zh, unit, target_2020, target_2023, target_2025, comparator,
    # target_2020_value, target_2023_value, target_2025_value, measurable_by
    ("十四五主要指标", "nursing", "养老机构护理型床位占比", "%", "", "≥50", "≥55", ">=", "", "50", "55",
     "elder_care_institution:nursing_bed_share"),
    ("十四五主要指标", "centre", "乡镇(街道)范围具备综合功能的养老服务机构覆盖率", "%", "", "≥40", "≥60", ">=", "", "40",
     "60", "elder_care_centre:unit_town"),
    ("十四五主要指标", "child", "乡镇(街道)未成年人保护工作站覆盖率", "%", "", "30", ">50", ">", "", "30", "50",
     "child_protection_post:unit_town"),
    ("十四五主要指标", "social", "乡镇（街道）社工站覆盖率", "%", "", "100", "100", ">=", "", "100", "100",
     "social_work_station:unit_town"),
    ("十四五主要指标", "ossuary", "县级城乡公益性安葬（放）设施覆盖率", "%", "", "100", "100", ">=", "", "100", "100",
     "ossuary:unit_county"),
    ("十四五主要指标", "lottery", "福利彩票销售网点数", "个", "", "440", "450", "=", "", "440", "450", ""),
    ("十三五完成情况", "ossuary_2020", "公益性骨灰安放设施（公墓）县级行政区域覆盖率", "%", "90", "", "", ">=", "90", "",
     "", "ossuary:unit_county"),
    ("测试", "station_pop", "居家养老服务站点60岁及以上人口覆盖率", "%", "", "", "≥80", ">=", "", "", "80",
     "elder_care_station:pop_coverage"),
    ("测试", "beds_1000", "每千老年人口养老床位数", "张", "", "", "≥150", ">=", "", "", "150",
     "elder_care_institution:beds_per_1000_60plus"),
    ("十四五重点工程", "minor", "县级未成年人救助保护中心覆盖率", "%", "", "", "100", ">=", "", "", "100",
     "minor_protection_centre:unit_county"),
]  # fmt: skip
TARGET_COLUMNS = [
    "table", "indicator_id", "indicator_zh", "unit", "target_2020", "target_2023", "target_2025", "comparator",
    "target_2020_value", "target_2023_value", "target_2025_value", "measurable_by",
]  # fmt: skip


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


def test_parse_target():
    assert parse_target("≥40", "40", ">=") == (">=", 40.0)
    assert parse_target(">50", "50", ">") == (">", 50.0)
    assert parse_target("30", "30", ">") == (">=", 30.0)  # a plain number is a level to reach
    assert parse_target("100", "100", "=") == (">=", 100.0)
    assert parse_target("不低于居民上年度人均消费支出增速", "", "") is None
    assert parse_target("", "", "") is None
    assert parse_target("", "55", "≥") == (">=", 55.0)


def test_meets_and_units_needed():
    assert meets(50, ">=", 50) and not meets(50, ">", 50) and meets(50.1, ">", 50)
    assert units_needed(4, ">=", 60) == 3
    assert units_needed(4, ">", 50) == 3
    assert units_needed(4, ">=", 50) == 2
    assert units_needed(73, ">=", 100) == 73
    assert units_needed(10, ">=", 0) == 0


def test_target_for_picks_the_next_milestone():
    m = {2023: ((">=", 40.0), "≥40"), 2025: ((">=", 60.0), "≥60")}
    assert target_for(m, 2021)[1] == "≥40"
    assert target_for(m, 2023)[1] == "≥40"
    assert target_for(m, 2024)[1] == "≥60"
    assert target_for(m, 2030)[1] == "≥60"
    assert target_for({}, 2025) is None


def test_load_targets_rejects_bad_measurable_by(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame([("x", "名称", "%", "nope")], columns=["indicator_id", "indicator_zh", "unit", "measurable_by"]).to_csv(
        path, index=False
    )
    with pytest.raises(ValueError, match=r"row 2, column 'measurable_by'"):
        load_targets(path)
    with pytest.raises(FileNotFoundError):
        load_targets(tmp_path / "missing.csv")


@pytest.mark.skipif(not TARGETS_FILE.exists(), reason="data/targets/plan_indicators.csv not built")
def test_embedded_targets_are_all_measurable_kinds():
    t = load_targets()
    measures = {m.split(":")[1] for m in t["measurable_by"] if m}
    assert measures <= {"unit_town", "unit_county", "nursing_bed_share", "beds_per_1000_60plus", "pop_coverage"}
    assert "elder_care_institution:nursing_bed_share" in set(t["measurable_by"])


# --------------------------------------------------------------------------- values and statuses


def test_unit_indicators_city(review):
    rows = review.rows
    centre = _get(rows, "centre")
    assert (centre.value, centre.status, centre.gap, centre.gap_text) == (50.0, "未达标", 1, "还需 1 个乡镇(街道)")
    assert centre.target == "≥60"
    child = _get(rows, "child")
    assert (child.value, child.status, child.gap_text) == (75.0, "达标", "已达标")
    social = _get(rows, "social")
    assert (social.value, social.status, social.gap_text) == (25.0, "未达标", "还需 3 个乡镇(街道)")
    ossuary = _get(rows, "ossuary")
    assert (ossuary.value, ossuary.status, ossuary.gap_text) == (50.0, "未达标", "还需 1 个县级行政区")
    assert "测试乙区" in ossuary.note


def test_unit_indicators_per_district_and_town(review):
    rows = review.rows
    assert _get(rows, "child", "district", "测试甲区").status == "未达标"  # 1 of 2 is not > 50 %
    assert _get(rows, "child", "district", "测试乙区").value == 100.0
    assert _get(rows, "ossuary", "district", "测试甲区").status == "达标"
    assert _get(rows, "ossuary", "district", "测试乙区").gap_text == "还需 1 个县级行政区"
    assert _get(rows, "social", "district", "测试乙区").gap == 2
    assert _get(rows, "centre", "town", "甲二镇").status == "达标"
    assert _get(rows, "centre", "town", "甲一街道").gap_text == "还需 1 个乡镇(街道)"
    # County indicators have no town rows.
    assert rows[(rows["indicator_id"] == "ossuary") & (rows["level"] == "town")].empty


def test_nursing_bed_share_gap_in_beds(review):
    city = _get(review.rows, "nursing")
    # 75 / 150 = 50 %; 55 % of 150 beds = 82.5 -> 83 nursing beds, 8 more.
    assert (city.value, city.status, city.gap, city.gap_text) == (50.0, "未达标", 8, "还需 8 张护理型床位")
    jia = _get(review.rows, "nursing", "district", "测试甲区")
    assert (jia.value, jia.gap) == (40.0, 15)
    assert _get(review.rows, "nursing", "district", "测试乙区").status == "达标"


def test_missing_inputs_are_not_numbers(review, small_region, targets):
    minor = _get(review.rows, "minor")
    assert math.isnan(minor.value) and minor.status == "无法计算: 缺少 minor_protection_centre 图层"
    small_region.facilities["elder_care_institution"] = small_region.facilities["elder_care_institution"].drop(
        columns="nursing_beds"
    )
    r = annual_review(small_region, 2025, standards=WALK_1000, targets=targets, yearly=False)
    assert _get(r.rows, "nursing").status == "无法计算: 缺少 nursing_beds 列"
    # An indicator without measurable_by is not reported.
    assert "lottery" not in set(r.rows["indicator_id"])


def test_population_and_bed_ratio_targets_give_gaps_in_people_and_beds(review):
    pop = _get(review.rows, "station_pop")
    # 810 of 1390 older residents covered; 80 % is 1112 -> 302 more people.
    assert (pop.status, pop.gap, pop.gap_text) == ("未达标", 302, "还需 302 人")
    assert _get(review.rows, "station_pop", "town", "乙二镇").status == "达标"
    beds = _get(review.rows, "beds_1000")
    # 180 beds for 1390 older residents = 129.5 per 1000; 150 per 1000 needs 208.5 -> 209 beds.
    assert beds.value == pytest.approx(1000 * 180 / 1390)
    assert (beds.status, beds.gap, beds.gap_text) == ("未达标", 29, "还需 29 张床位")


def test_elder_care_circle_rows(review):
    city = _get(review.rows, "circle:elder_care_station")
    assert city.value == pytest.approx(100 * 810 / 1390)
    assert city.target == "基本建成"
    assert city.gap_text == "未覆盖 580 人"
    assert city.status.startswith("覆盖58.3%")
    assert _get(review.rows, "circle:elder_care_station", "town", "乙二镇").value == 100.0
    assert "直线1000米" in city.standard


def test_review_year_filters_facilities_and_targets(small_region, targets):
    r = annual_review(small_region, 2021, standards=WALK_1000, targets=targets, yearly=False)
    child = _get(r.rows, "child")  # posts of 2019 and 2021: 2 of 4 towns, 2023 target 30
    assert (child.value, child.target, child.status) == (50.0, "30", "达标")
    centre = _get(r.rows, "centre")  # one centre by 2021: 25 % < 40 %, the 2023 milestone not yet due
    assert (centre.value, centre.status, centre.gap) == (25.0, "未达标(未到期: 2023年目标)", 1)
    # ECS2 opens in 2022: only ECS1's cells are covered in 2021.
    assert _get(r.rows, "circle:elder_care_station").value == pytest.approx(100 * 450 / 1390)
    assert "ossuary_2020" not in set(r.rows["indicator_id"])


def test_thirteenth_plan_rows_only_up_to_2020(small_region, targets):
    r = annual_review(small_region, 2020, standards=WALK_1000, targets=targets, yearly=False)
    row = _get(r.rows, "ossuary_2020")
    assert (row.value, row.target, row.status, row.gap) == (50.0, "90", "未达标", 1)


def test_yearly_view(review):
    y = review.yearly
    child = y[y["indicator_id"] == "child"].set_index("year")["value"]
    assert child.to_dict() == {2020: 25.0, 2021: 50.0, 2022: 75.0, 2023: 75.0, 2024: 75.0, 2025: 75.0}
    status = y[y["indicator_id"] == "centre"].set_index("year")["status"]
    # 50 % meets ≥40 (2023) but not ≥60 (2025, not yet due in 2024)
    assert status[2023] == "达标" and status[2024] == "未达标(未到期: 2025年目标)"


def test_no_yearly_view_without_opening_years(small_region, targets):
    for k, gdf in small_region.facilities.items():
        small_region.facilities[k] = gdf.assign(opening_year=pd.array([None] * len(gdf), dtype="Int64"))
    r = annual_review(small_region, 2025, standards=WALK_1000, targets=targets)
    assert r.yearly is None
    assert _get(r.rows, "child").value == 75.0


def test_year_is_validated(small_region, targets):
    with pytest.raises(ValueError, match="year"):
        annual_review(small_region, "twenty", targets=targets)


# --------------------------------------------------------------------------- exports


def test_excel_has_sheets_headers_and_the_csv_numbers(review, tmp_path):
    xlsx = review.write(tmp_path / "review.xlsx")
    csv_path = review.write(tmp_path / "review.csv")
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["城市", "区县", "镇街", "逐年", "说明"]
    header = [c.value for c in wb["城市"][1]]
    assert header == list(COLUMNS_ZH.values())
    notes = [r[0].value for r in wb["说明"].iter_rows(min_row=2)]
    assert any("模型推算" in n for n in notes) and any("直线1000米" in n for n in notes)

    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    by_key = {(r["层级"], r["指标编号"], r["区县"], r["镇街"]): r for r in csv_rows}
    n_checked = 0
    for sheet in ("城市", "区县", "镇街"):
        ws = wb[sheet]
        head = [c.value for c in ws[1]]
        for values in ws.iter_rows(min_row=2, values_only=True):
            rec = dict(zip(head, values))
            key = (rec["层级"], rec["指标编号"], rec["区县"] or "", rec["镇街"] or "")
            c = by_key[key]
            for col in ("测算值", "差距", "分子", "分母"):
                if rec[col] is None:
                    assert c[col] == ""
                else:
                    assert float(c[col]) == pytest.approx(rec[col])
            assert c["完成情况"] == rec["完成情况"]
            n_checked += 1
    assert n_checked == len(csv_rows) == len(review.rows)
    assert all("示意数据" in r["数据来源"] for r in csv_rows)


def test_markdown_states_provenance_and_standard(review, tmp_path):
    path = review.write(tmp_path / "review.md")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 江门市民政事业发展“十四五”规划 指标年度评估 (2025年)")
    assert "模型推算" in text and "直线1000米" in text
    assert "| 全市 |" not in text.split("## 城市")[0]
    assert "还需 3 个乡镇(街道)" in text
    with pytest.raises(ValueError, match="extension"):
        review.write(tmp_path / "review.pdf")


# --------------------------------------------------------------------------- CLI


def test_review_command_formats(small_region, tmp_path, monkeypatch):
    import coverage.commands.review as cmd
    from coverage.cli import main

    monkeypatch.setattr(cmd, "region_from_args", lambda args: small_region)
    targets = tmp_path / "targets.csv"
    pd.DataFrame(TARGET_ROWS, columns=TARGET_COLUMNS).to_csv(targets, index=False)
    common = ["--targets", str(targets), "--mode", "walk", "--distance", "1000", "--no-yearly"]
    assert main(["review", "--year", "2025", "--out", str(tmp_path / "r.xlsx"), *common]) == 0
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == ["城市", "区县", "镇街", "说明"]
    assert main(["review", "--year", "2025", "--out", str(tmp_path / "r.csv"), *common]) == 0
    df = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    social = df[(df["指标编号"] == "social") & (df["层级"] == "城市")].iloc[0]
    assert (social["测算值"], social["完成情况"], social["差距说明"]) == (25.0, "未达标", "还需 3 个乡镇(街道)")
    circle = df[(df["指标编号"] == "circle:elder_care_station") & (df["层级"] == "城市")].iloc[0]
    assert circle["测算值"] == pytest.approx(100 * 810 / 1390)
    assert main(["review", "--out", str(tmp_path / "r.pdf"), *common]) == 2
