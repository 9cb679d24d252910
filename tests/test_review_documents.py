"""The review's documents a bureau files (Excel, CSV, Markdown, Word) on the hand-made ``small_region``.

Known answers (see ``tests/test_review.py``): the elder-care centre layer has a centre in 甲二镇 and
乙一街道 only, so 甲一街道 and 乙二镇 each need one (“需新建 1 处”); the city has 2 of 4 towns (50 %,
one more town for ≥60 %) while each district has 1 of 2 and needs one more on its own (the districts
add up to 2 against the city's 1); nursing beds: the city 75 / 150 needs 8 more for 55 %, 测试甲区
40 / 100 needs 15 (the districts add up to 15).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest
from docx import Document

from conftest import build_small_region
from test_report import region, review, targets  # noqa: F401  (the Word report's fixtures, shared)
from test_review import WALK_1000
from coverage.report import build_report, district_chart, trajectory_chart, write_report
from coverage.report.document import charted_indicators, mapped_indicators
from coverage.review import (
    CAVEAT_MARK,
    Status,
    annual_review,
    load_targets,
    overview_lines,
    review_notes,
    review_table,
    rounding_gaps,
)

CJK = re.compile(r"[\u3400-\u9fff]")
CENTRE = "乡镇(街道)范围具备综合功能的养老服务机构覆盖率"


def _csv(review, tmp_path, lang: str) -> list[dict[str, str]]:
    with open(review.write(tmp_path / f"review_{lang}.csv", lang), encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- a town: has it or not


def test_a_town_without_a_facility_needs_one_not_a_share_of_towns(review):
    zh = review_table(review, "zh", "town")
    centre = zh[zh["指标"] == CENTRE].set_index("地区")
    assert centre.loc["甲一街道", ["测算值", "目标", "差距"]].tolist() == ["无" + CAVEAT_MARK, "应配置", "需新建 1 处"]
    assert centre.loc["甲二镇", ["完成情况", "目标", "差距"]].tolist() == ["达标", "应配置", "—"]
    assert centre.loc["乙二镇", "完成情况"] == "未达标"
    assert not zh["目标"].str.contains("≥60%").any() and not zh["差距"].str.contains("乡镇").any()
    en = review_table(review, "en", "town")
    centre = en[en["Indicator"] == "towns with a centre"].set_index("Place")
    assert centre.loc["Jia-1", ["Measured", "Target", "Gap"]].tolist() == [
        "no" + CAVEAT_MARK, "should have one", "1 facility to build"]
    # The city and the districts keep the plan's share of towns.
    city = review_table(review, "zh", "city").set_index("指标")
    assert city.loc[CENTRE, ["目标", "差距"]].tolist() == ["2025年 ≥60%", "还需 1 个乡镇(街道)"]
    rows = review.town[review.town["indicator_id"] == "centre"].set_index("town_zh")
    assert rows.loc["甲一街道", "gap"] == 1 and rows.loc["甲二镇", "gap"] == 0
    assert set(rows["gap_unit"]) == {"facilities"} and rows.loc["甲一街道", "status"] == Status.NOT_MET


def test_a_town_needs_one_in_the_excel_csv_and_markdown(review, tmp_path):
    wb = openpyxl.load_workbook(review.write(tmp_path / "review.xlsx"))
    ws = wb["镇街"]
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == CENTRE and r[3].value == "甲一街道")
    cell = {h: c for h, c in zip(head, row)}
    assert cell["测算值"].value == 0 and cell["测算值"].number_format == '"有";"有";"无"'  # a number shown as 无
    assert (cell["目标"].value, cell["差距"].value, cell["差距单位"].value) == ("应配置", 1, "处(需新建)")
    rows = _csv(review, tmp_path, "zh")
    town = next(r for r in rows if r["indicator_id"] == "centre" and r["地区"] == "甲一街道")
    assert (town["测算值"], town["单位"], town["目标"], town["目标值"], town["差距"], town["差距单位"]) == (
        "0.0", "有=1, 无=0", "应配置", "1.0", "1", "处(需新建)")
    md = review.to_markdown()
    assert md.splitlines()[2].startswith("生成日期: ") and "**演示数据 — 非正式评估结果**" in md
    assert f"| 未达标 | {CENTRE} | 镇街 | 甲一街道 | 无{CAVEAT_MARK} | 应配置 | 需新建 1 处 |" in md
    assert "| Jia-1 | no" + CAVEAT_MARK + " | should have one | 1 facility to build |" in review.to_markdown(lang="en")


# --------------------------------------------------------------------------- Excel


def test_excel_values_are_numbers_with_formats(review, tmp_path):
    wb = openpyxl.load_workbook(review.write(tmp_path / "review.xlsx"))
    ws = wb["全市"]
    head = [c.value for c in ws[1]]
    rows = {r[1].value: {h: c for h, c in zip(head, r)} for r in ws.iter_rows(min_row=2) if r[1].value}
    nursing = rows["养老机构护理型床位占比"]
    assert isinstance(nursing["测算值"].value, float) and nursing["测算值"].value == pytest.approx(0.5)
    assert nursing["测算值"].number_format == "0.0%" and nursing["目标值"].value == pytest.approx(0.55)
    assert (nursing["差距"].value, nursing["差距单位"].value, nursing["单位"].value) == (8, "张护理型床位", "%")
    assert nursing["数据性质"].value == "† 含推算或示意数据" and CAVEAT_MARK not in str(nursing["测算值"].value)
    beds = rows["每千老年人口养老床位数"]
    assert beds["测算值"].value == pytest.approx(129.496, abs=1e-3) and beds["测算值"].number_format == "#,##0.0"
    assert beds["单位"].value == "张/千名老人" and beds["差距单位"].value == "张床位"
    minor = rows["县级未成年人救助保护中心覆盖率"]  # cannot be computed: empty cells, not text
    assert minor["测算值"].value is None and minor["差距"].value is None
    # The districts' values add up like numbers (40 % and 70 %).
    ws = wb["区县"]
    head = [c.value for c in ws[1]]
    values = [r[head.index("测算值")].value for r in ws.iter_rows(min_row=2) if r[1].value == "养老机构护理型床位占比"]
    assert values == [pytest.approx(0.4), pytest.approx(0.7)]


def test_excel_first_sheet_is_a_title_block(review, tmp_path):
    wb = openpyxl.load_workbook(review.write(tmp_path / "review.xlsx"))
    first = wb.worksheets[0]
    lines = [r[0].value for r in first.iter_rows() if r[0].value]
    assert first.title == "概况" and lines == overview_lines(review, "zh")
    assert lines[0] == "江门市民政事业发展“十四五”规划 指标年度评估报告" and lines[1] == "2025年度"
    assert re.fullmatch(r"生成日期: \d{4}-\d{2}-\d{2}", lines[2])
    assert any(line.startswith("服务标准 — 居家养老服务站点: 步行15分钟") for line in lines)
    modelled = next(line for line in lines if line.startswith("推算或示意的输入"))
    assert "人口网格: 推算" in modelled and "养老机构: 示意" in modelled and "区县边界" not in modelled
    assert lines[-2:] == ["演示数据 — 非正式评估结果", review_notes(review, "zh")[-1]]  # the Word cover's caveat
    assert wb.sheetnames[1] == "全市"  # the page's word for the city level
    en = openpyxl.load_workbook(review.write(tmp_path / "review_en.xlsx", lang="en"))
    text = " ".join(str(c.value) for ws in en.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "Demonstration data — not an official result" in text
    assert not CJK.search(text), CJK.findall(text)[:10]


def test_all_real_inputs_say_so_and_carry_no_caveat(targets, tmp_path):
    region = build_small_region()
    region.provenance.update({k: ("none" if k == "roads" else "real") for k in region.provenance})
    result = annual_review(region, 2025, standards=WALK_1000, targets=targets, yearly=False)
    lines = overview_lines(result, "en")
    assert lines[-1] == "Every input is real uploaded data." and not any(CAVEAT_MARK in x for x in lines)
    rows = _csv(result, tmp_path, "en")
    assert {r["Data"] for r in rows} == {""}


# --------------------------------------------------------------------------- CSV


def test_csv_has_caveat_text_and_a_gap_unit_in_the_language(review, tmp_path):
    for lang, caveat, unit, beds in (("zh", "数据性质", "差距单位", "张护理型床位"), ("en", "Data", "Gap unit", "nursing beds")):
        rows = _csv(review, tmp_path, lang)
        assert "caveat" not in rows[0] and not any("True" in v or "False" in v for r in rows for v in r.values())
        assert {r[caveat] for r in rows} == {"† 含推算或示意数据" if lang == "zh" else "† modelled or illustrative inputs"}
        city = next(r for r in rows if r["indicator_id"] == "nursing" and r["district_code"] == "")
        assert city[unit] == beds
        assert {r[unit] for r in rows if r["indicator_id"] == "station_pop" and r["status"] != "cannot_compute"} == (
            {"人(待覆盖)"} if lang == "zh" else {"people to cover"})
    en = (review.write(tmp_path / "en.csv", "en")).read_text(encoding="utf-8-sig")
    places = {"测试甲区", "测试乙区", "甲一街道", "甲二镇", "乙一街道", "乙二镇"}
    assert not [w for w in CJK.findall(en) if not any(w in p for p in places)]


# --------------------------------------------------------------------------- rounding


def test_district_gaps_rounded_per_district_are_explained(review):
    assert rounding_gaps(review) == [("nursing", 8, 15), ("centre", 1, 2)]
    note = next(n for n in review_notes(review, "zh") if n.startswith("区县差距"))
    assert "养老机构护理型床位占比: 全市 8, 各区县合计 15" in note and f"{CENTRE}: 全市 1, 各区县合计 2" in note
    en = next(n for n in review_notes(review, "en") if n.startswith("A district's gap"))
    assert "towns with a centre: city 1, districts 2" in en and not CJK.search(en)
    assert note in review.to_markdown()


# --------------------------------------------------------------------------- charts


def test_district_chart_names_its_colours_and_keeps_bars_and_target_inside(review):
    ax = district_chart(review, "ossuary", "zh").axes[0]  # 测试甲区 100 %, 测试乙区 0 %; target 100 %
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert labels == ["达标", "未达标", "2025年目标 100%"]
    low, high = ax.get_ylim()
    assert max(p.get_height() for p in ax.patches) == pytest.approx(1.0) and high > 1.0
    assert all(text.get_position()[1] < high for text in ax.texts)
    assert max(ax.get_yticks()) == pytest.approx(1.0)  # no tick past 100 %
    en = district_chart(review, "ossuary", "en").axes[0]
    assert [x.get_text() for x in en.get_legend().get_texts()] == ["met", "not met", "2025 target 100%"]


def test_trajectory_axis_covers_the_values(review):
    ax = trajectory_chart(review.trajectory, "nursing", "zh").axes[0]  # 50 % in 2025, targets 50 % and 55 %
    ticks = [v for v in ax.get_yticks() if ax.get_ylim()[0] <= v <= ax.get_ylim()[1]]
    assert max(ticks) >= 0.55 and ax.get_ylim()[1] > 0.55
    labels = [x.get_text() for x in ax.get_yticklabels()]
    assert "50%" in labels and "60%" in labels


# --------------------------------------------------------------------------- Word


def test_word_keeps_each_picture_with_its_caption_at_200_dpi(review, region):
    doc = Document(io.BytesIO(build_report(review, region, "zh")))
    paragraphs = doc.paragraphs
    pictures = [i for i, p in enumerate(paragraphs) if p._p.xpath(".//pic:pic")]
    assert len(pictures) == len(mapped_indicators(review)) + len(charted_indicators(review))
    for i in pictures:
        caption = paragraphs[i + 1]
        assert paragraphs[i].paragraph_format.keep_with_next and caption.style.name == "Caption"
        assert caption.paragraph_format.keep_together and caption.text.startswith("图 ")
    shape = doc.inline_shapes[0]
    png = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
    image = doc.part.related_parts[png].image
    assert image.px_width >= 1280 and round(shape.width.cm, 1) == 16.0  # 200 dpi, the same size on the page


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfimages") is None,
                    reason="LibreOffice (soffice) or poppler (pdfimages) is not installed")  # fmt: skip
def test_each_caption_is_on_its_pictures_page_in_the_pdf(review, region, tmp_path):
    path = write_report(tmp_path / "review.docx", review, region, "zh", dpi=60)
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=240, capture_output=True)  # fmt: skip
    pdf = tmp_path / "review.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    caption_pages = []
    for page, body in enumerate(text.split("\f"), start=1):
        caption_pages += [(int(n), page) for n in re.findall(r"图\s*(\d+)\s*:", body)]
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    image_pages = [int(line.split()[0]) for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    n = len(mapped_indicators(review)) + len(charted_indicators(review))
    assert [c for c, _ in sorted(caption_pages)] == list(range(1, n + 1)) and len(image_pages) == n
    for (number, page), image_page in zip(sorted(caption_pages), image_pages):
        assert page == image_page, f"图 {number} is on page {page}, its picture on page {image_page}"
