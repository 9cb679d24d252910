"""The Word report on the hand-made ``small_region``: opened with python-docx, its tables, images and
statuses are checked against the review's display table (:func:`coverage.review.review_table`); one
run renders it to PDF with LibreOffice (skipped without ``soffice``)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pandas as pd
import pytest
from docx import Document

from test_review import TARGET_COLUMNS, TARGET_ROWS, WALK_1000
from conftest import build_small_region
from coverage.errors import ExportError
from coverage.report import build_report, indicator_map, report_steps, write_report
from coverage.report.document import charted_indicators, mapped_indicators
from coverage.review import CAVEAT_MARK, STATUS_COLOURS, Status, annual_review, load_targets, review_notes, review_table

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def targets(tmp_path_factory):
    path = tmp_path_factory.mktemp("targets") / "targets.csv"
    pd.DataFrame(TARGET_ROWS, columns=TARGET_COLUMNS).to_csv(path, index=False)
    return load_targets(path)


@pytest.fixture(scope="module")
def region():
    return build_small_region()  # not modified by these tests


@pytest.fixture(scope="module")
def review(region, targets):
    return annual_review(region, 2025, standards=WALK_1000, targets=targets)


@pytest.fixture(scope="module")
def built(review, region):
    calls: list[str] = []
    return Document(io.BytesIO(build_report(review, region, "zh", progress=calls.append, dpi=60))), calls


@pytest.fixture(scope="module")
def docx_zh(built):
    return built[0]


def test_progress_is_reported_once_per_step(built, review):
    calls = built[1]
    assert len(calls) == report_steps(review) and calls[-1] == "写入文档"


def _rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _display(review, level: str) -> list[list[str]]:
    """The display table of one level (what the app shows and the Word report prints), header first."""
    table = review_table(review, "zh", level)
    return [list(table.columns), *table.astype(str).to_numpy().tolist()]


def _fill(cell) -> str | None:
    shd = cell._tc.tcPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}shd")
    return None if shd is None else shd.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}fill")


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for table in doc.tables for row in table.rows for c in row.cells]
    return "\n".join(parts)


def test_city_table_equals_the_display_table_and_statuses_are_coloured(docx_zh, review):
    city = _display(review, "city")
    table = next(t for t in docx_zh.tables if _rows(t)[0] == city[0] and len(t.rows) == len(city))
    assert _rows(table) == city
    for row, status in zip(table.rows[1:], review.city["status"]):
        assert _fill(row.cells[0]) == STATUS_COLOURS[status]
    assert {r[0] for r in city[1:]} >= {"达标", "未达标", "无法计算", "已测算"}


def test_district_tables_and_town_matrix_equal_the_display_table(docx_zh, review):
    districts = _display(review, "district")
    head = districts[0]
    keep = [head.index(c) for c in ("完成情况", "地区", "测算值", "目标", "差距", "说明")]
    expected = {tuple(r[i] for i in keep) for r in districts[1:]}
    got = set()
    for table in docx_zh.tables:
        rows = _rows(table)
        if rows[0] == [head[i] for i in keep]:
            got |= {tuple(r) for r in rows[1:]}
    assert got == expected
    towns = _display(review, "town")
    head = towns[0]
    by_cell = {(r[head.index("地区")], r[head.index("指标")]): r[head.index("测算值")] for r in towns[1:]}
    matrix = next(_rows(t) for t in docx_zh.tables if _rows(t)[0][:2] == ["镇街", "区县"])
    assert len(matrix) == 1 + 4  # four towns
    for row in matrix[1:]:
        for indicator, value in zip(matrix[0][2:], row[2:]):
            assert by_cell[(row[0], indicator)] == value


def test_images_summary_notes_and_caveat(docx_zh, review):
    assert len(docx_zh.inline_shapes) == len(mapped_indicators(review)) + len(charted_indicators(review))
    assert "minor" not in mapped_indicators(review)  # cannot be computed: no map
    assert "circle" in mapped_indicators(review) and "child" in charted_indicators(review)
    text = _text(docx_zh)
    assert "2025年度" in text and "演示数据 — 非正式评估结果" in text
    assert "全市层面共测算 9 项指标: 达标 1 项, 未达标 6 项, 未到期 0 项, 无法计算 1 项, 无量化目标 1 项。" in text
    for note in review_notes(review, "zh"):
        assert note in text
    assert CAVEAT_MARK in text
    assert "社区日间照料机构覆盖率" in text and "需要村(社区)图层" in text  # no community layer: it says so
    assert "五、服务公平性" in text and "基尼系数" in text  # equity of the 15-minute circle's layer
    captions = [p.text for p in docx_zh.paragraphs if p.style.name == "Caption"]
    assert len(captions) == len(docx_zh.inline_shapes) and captions[0].startswith("图 1:")


def test_report_writes_every_rate_one_way(docx_zh):
    """Measured rates with one decimal (``40.0%``), targets as the plan states them (``≥55%``), the
    area types in the catalogue's one wording."""
    cells = [c.text for table in docx_zh.tables for row in table.rows for c in row.cells]
    rates = [m for c in cells for m in re.findall(r"(?<![≥>\d.])\d+(?:\.\d+)?%", c)]
    assert rates and all(re.fullmatch(r"\d+\.\d%", r) for r in rates), sorted(set(rates))[:10]
    targets = [m for c in cells for m in re.findall(r"[≥>]\d+(?:\.\d+)?%", c)]
    assert "≥55%" in targets and not any(t.endswith(".0%") for t in targets)
    groups = {table.rows[i].cells[0].text for table in docx_zh.tables if table.rows[0].cells[0].text == "组别"
              for i in range(1, len(table.rows))}
    assert {"街道（城区）", "镇（乡村）", "江门市"} <= groups


def test_english_report_has_no_chinese(region, targets):
    result = annual_review(region, 2025, standards=WALK_1000, targets=targets, yearly=False)
    doc = Document(io.BytesIO(build_report(result, region, "en", dpi=50)))
    text = _text(doc)
    assert "Summary" in text and "not met" in text and "Jia-1" in text
    assert not CJK.search(text), CJK.findall(text)[:10]


def test_report_after_real_uploads_has_no_caveat(targets):
    region = build_small_region()
    region.provenance.update({k: ("none" if k == "roads" else "real") for k in region.provenance})
    result = annual_review(region, 2025, standards=WALK_1000, targets=targets, yearly=False)
    text = _text(Document(io.BytesIO(build_report(result, region, "zh", dpi=50))))
    assert CAVEAT_MARK not in text and "演示数据" not in text


def test_map_has_district_names_legend_and_scale(review, region):
    fig = indicator_map(review, region, "centre", "zh")
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"测试甲区", "测试乙区"} <= texts and any(t.endswith("千米") for t in texts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["有设施", "无设施"]
    circle = indicator_map(review, region, "circle", "en")
    assert len(circle.axes) == 2  # the map and its colour bar
    assert circle.axes[1].get_ylabel() == "Measured, 2025"  # the colour bar says what it shows
    assert {"Test-Jia", "Test-Yi"} <= {t.get_text() for t in circle.axes[0].texts}


@pytest.mark.slow
def test_write_report_and_command(review, region, tmp_path, monkeypatch, capsys):
    with pytest.raises(ExportError, match=".docx"):
        write_report(tmp_path / "r.pdf", review, region)
    import coverage.commands.report as cmd
    from coverage.cli import main

    monkeypatch.setattr(cmd, "region_from_args", lambda args: build_small_region())
    targets = tmp_path / "targets.csv"
    pd.DataFrame(TARGET_ROWS, columns=TARGET_COLUMNS).to_csv(targets, index=False)
    out = tmp_path / "年度评估.docx"
    args = ["report", "--year", "2025", "--out", str(out), "--targets", str(targets), "--mode", "walk",
            "--distance", "1000", "--dpi", "50", "--quiet", "--no-workspace"]
    assert main(args) == 0
    assert "乡镇（街道）社工站覆盖率" in capsys.readouterr().out
    doc = Document(str(out))
    assert len(doc.inline_shapes) > 0
    assert main([*args[:4], str(tmp_path / "r.pdf"), *args[5:]]) == 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_report_renders_to_pdf(review, region, tmp_path):
    path = write_report(tmp_path / "年度评估.docx", review, region, "zh", dpi=60)
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=180, capture_output=True)  # fmt: skip
    pdf = (tmp_path / "年度评估.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 4


def test_district_chart_bars_equal_the_district_rows(review):
    from coverage.report import district_chart

    ax = district_chart(review, "nursing", "zh").axes[0]
    heights = [round(p.get_height(), 6) for p in ax.patches]
    assert heights == [0.4, 0.7]  # 测试甲区 40 / 100, 测试乙区 35 / 50 (ECI3 has no nursing-bed count)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["测试甲区", "测试乙区"]
    target = [line for line in ax.get_lines() if line.get_label().startswith("2025年目标")]
    assert target and target[0].get_ydata()[0] == pytest.approx(0.55)
