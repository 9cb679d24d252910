"""The file and table readers' messages are catalogue codes with values (``import.tables.*``).

Each code is triggered from a small real input (made here in ``tmp_path``) through the readers
of :mod:`coverage.io.tables` / :mod:`coverage.io.encoding` / :mod:`coverage.io.xlsx`, and the
issue's code, row, column and values are checked; the English wording is the readers' historic
text (pinned in the other import tests), the Chinese one comes from the catalogue. Every key of
:mod:`coverage.i18n.imports_tables` renders in both languages, and its Chinese has no English
words left in it.
"""

from __future__ import annotations

import gzip
import json
import re
import string
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import Point

import coverage.io.xlsx as xlsx
from coverage.errors import DataImportError
from coverage.i18n import STRINGS, t
from coverage.i18n.imports_tables import MESSAGES
from coverage.io.columns import FACILITY_ALIASES
from coverage.io.encoding import decode_text, row_list
from coverage.io.matching import EMPTY, TownMatcher
from coverage.io.reference import OFFICIAL_TOWNS, city_area, city_area_source, official_towns
from coverage.io.report import ImportReport, Issue
from coverage.io.tables import check_file, file_kind, read_table, read_vector
from test_import_support import no_defaults  # noqa: F401

HEADER = ["名称", "经度", "纬度"]


def _report(path: Path) -> ImportReport:
    return ImportReport(path.name, "test")


def _table(path: Path, **kw) -> ImportReport:
    report = _report(path)
    read_table(path, FACILITY_ALIASES, report, **kw)
    return report


def _xlsx(path: Path, rows: list[list[object]], *, sheets: dict[str, list[list[object]]] | None = None,
          merge: list[str] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "站点"
    for r in rows:
        ws.append(r)
    for ref in merge:
        ws.merge_cells(ref)
    for title, more in (sheets or {}).items():
        extra = wb.create_sheet(title)
        for r in more:
            extra.append(r)
    wb.save(path)
    return path


def _zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_WS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _book(path: Path, sheet_xml: str | None, sst: str | None = None) -> Path:
    """A minimal workbook: one sheet ``S`` holding ``sheet_xml`` (none when None), optional shared strings."""
    rels = ""
    sheets = ""
    members: dict[str, str | bytes] = {}
    if sheet_xml is not None:
        rels += f'<Relationship Id="rId1" Type="{_WS_REL}" Target="worksheets/sheet1.xml"/>'
        sheets = '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
        members["xl/worksheets/sheet1.xml"] = sheet_xml
    if sst is not None:
        rels += f'<Relationship Id="rId2" Type="{_SST_REL}" Target="sharedStrings.xml"/>'
        members["xl/sharedStrings.xml"] = sst
    members["xl/workbook.xml"] = f"<workbook {_NS} {_RNS}>{sheets}</workbook>"
    members["xl/_rels/workbook.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + rels
        + "</Relationships>")
    return _zip(path, members)


def _failure(fn, *args, **kw) -> Issue:
    with pytest.raises(DataImportError) as exc:
        fn(*args, **kw)
    assert len(exc.value.report.errors) == 1
    return exc.value.report.errors[0]


def _issue(report: ImportReport, prefix: str) -> Issue:
    found = [i for i in report.issues if i.code.startswith(prefix)]
    assert len(found) == 1, [i.code for i in report.issues]
    return found[0]


# ----------------------------------------------------------------------------- the file itself


def test_file_level_refusals_are_codes(tmp_path):
    missing = tmp_path / "无.csv"
    issue = _failure(check_file, missing)
    assert (issue.code, issue.values) == ("import.tables.no_such_file", {"path": str(missing)})
    assert _failure(check_file, tmp_path).code == "import.tables.not_a_file"
    (tmp_path / "e.csv").write_bytes(b"")
    assert _failure(check_file, tmp_path / "e.csv").code == "import.tables.empty_file"
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2_000_000)
    issue = _failure(check_file, big, max_mb=1)
    assert issue.code == "import.tables.file_too_large" and issue.values == {"size_mb": 2.0, "max_mb": 1.0}
    assert issue.text("zh") == "文件大小为 2 MB，超过 1 MB 的导入上限（请拆分文件，或用 max_mb= 调高上限）"
    assert _failure(file_kind, tmp_path / "old.xls").code == "import.tables.xls_unsupported"
    issue = _failure(file_kind, tmp_path / "a.docx")
    assert (issue.code, issue.values) == ("import.tables.unsupported_type", {"suffix": ".docx"})
    assert _failure(file_kind, tmp_path / "noext").values == {"suffix": "(none)"}


def test_archives_refused_by_what_they_expand_to(tmp_path):
    bomb = _zip(tmp_path / "bomb.xlsx", {"xl/a.xml": b"0" * 3_000_000})
    issue = _failure(check_file, bomb, max_mb=0.1)
    assert issue.code == "import.tables.archive_too_large"
    assert issue.values == {"size_mb": 3.0, "cap_mb": 2.0, "factor": 20, "max_mb": 0.1}
    assert "导入上限 0.1 MB 的 20 倍" in issue.text("zh")
    (tmp_path / "fake.zip").write_bytes(b"not a zip")
    assert _failure(check_file, tmp_path / "fake.zip").code == "import.tables.zip_unreadable"
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    issue = _failure(check_file, tmp_path / "fake.xlsx")
    assert issue.code == "import.tables.xlsx_damaged_or_renamed" and issue.values["detail"] == "File is not a zip file"


def test_gzip_csv_capped_on_what_it_decompresses_to(tmp_path):
    src = tmp_path / "g.csv.gz"
    src.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 400_000))
    issue = _failure(read_table, src, FACILITY_ALIASES, _report(src), max_mb=1)
    assert (issue.code, issue.values) == ("import.tables.gz_too_large", {"max_mb": 1})
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert _failure(read_table, bad, FACILITY_ALIASES, _report(bad)).code == "import.tables.gz_unreadable"


# ----------------------------------------------------------------------------- CSV


def test_csv_quoting_and_text_codes(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text('名称,经度,纬度\n甲,113.05,22.55\n"乙,113.06,22.56\n', encoding="utf-8")
    issue = _failure(read_table, src, FACILITY_ALIASES, _report(src))
    assert (issue.code, issue.row, issue.values) == ("import.tables.csv_unclosed_quote", 3, {"line": 3})
    blank = tmp_path / "b.csv"
    blank.write_bytes(b"\xef\xbb\xbf  \n")
    assert _failure(read_table, blank, FACILITY_ALIASES, _report(blank)).code == "import.tables.csv_no_text"
    multi = tmp_path / "m.csv"
    multi.write_text('名称,经度,纬度\n"甲\n站",113.05,22.55\n乙,113.06,22.56\n', encoding="utf-8")
    report = _table(multi)
    issue = _issue(report, "import.tables.csv_multiline_cells")
    assert (issue.code, issue.row, issue.values) == (
        "import.tables.csv_multiline_cells.one", 2, {"lines": "2-3", "rows": "2"})
    assert issue.text("zh") == "第 2 行的带引号单元格跨越多行（文件行 2-3）：每条仍按一行读取；请检查是否漏了引号"
    note = _issue(report, "import.tables.csv_encoding")
    assert note.values == {"encoding": "utf-8"} and note.severity == "info"


def test_csv_bad_quoting_names_the_record(tmp_path):
    src = tmp_path / "nul.csv"
    src.write_bytes('名称,经度,纬度\n甲,113.05,22.55\n"乙"x,113.06,22.56\n'.encode())
    issue = _failure(read_table, src, FACILITY_ALIASES, _report(src))
    assert (issue.code, issue.row, issue.values) == ("import.tables.csv_text_after_quote", 3,
                                                     {"line": 3, "delimiter": ","})
    assert issue.text("en") == "not a readable CSV file (line 3): malformed quoting (',' expected after '\"')"
    huge = tmp_path / "huge.csv"
    huge.write_text("名称,经度,纬度\n" + "甲" * 140_000 + ",113.05,22.55\n", encoding="utf-8")
    issue = _failure(read_table, huge, FACILITY_ALIASES, _report(huge))
    assert (issue.code, issue.row, issue.values) == ("import.tables.csv_bad_quoting", 2, {
        "line": 2, "detail": "field larger than field limit (131072)"})


def test_header_titles_beyond_and_empty_rows(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("江门市站点名单\n名称,经度,纬度\n甲,113.05,22.55,多余\n\n乙,113.06,22.56\n", encoding="utf-8")
    report = _table(src)
    head = _issue(report, "import.tables.header_after_titles")
    assert head.values == {"header_row": 2, "titles": 1} and head.row is None
    beyond = _issue(report, "import.tables.cells_beyond_header")
    assert (beyond.code, beyond.row, beyond.values) == (
        "import.tables.cells_beyond_header.one", 3, {"header": "纬度", "letter": "3", "rows": "3"})
    assert beyond.text("zh") == ("最后一个表头列（纬度，第 3 列）右侧的单元格未导入（第 3 行）："
                                 "请给这些列加上表头后再导入")
    empty = _issue(report, "import.tables.empty_row")
    assert empty.row == 4 and empty.severity == "info"
    none = tmp_path / "n.csv"
    none.write_text("a,b\n1,2\n", encoding="utf-8")
    issue = _failure(read_table, none, FACILITY_ALIASES, _report(none))
    assert issue.code == "import.tables.no_header" and issue.values["scan"] == 30 and issue.values["need"] == 2
    assert issue.values["accepted"].startswith("name: 名称/机构名称/站点名称/设施名称; lon: 经度")


@pytest.mark.parametrize("n,form,values", [
    (1, "one", {"rows": "2"}),
    (3, "many", {"rows": "2, 3, 4"}),
    (23, "more", {"rows": ", ".join(str(r) for r in range(2, 22)), "more": 3}),
])
def test_row_lists_come_in_three_forms(tmp_path, n, form, values):
    """Control characters in ``n`` rows: one / many / more than 20 rows listed."""
    src = tmp_path / "c.csv"
    src.write_text("名称,经度,纬度\n" + "".join(f"甲\x07{i},113.05,22.55\n" for i in range(n)), encoding="utf-8")
    issue = _issue(_table(src), "import.tables.control_chars_removed")
    assert (issue.code, issue.row, issue.column) == (f"import.tables.control_chars_removed.{form}", 2, "名称")
    assert issue.values == {"chars": "U+0007", **values}
    english = {"one": "row 2", "many": "rows 2, 3, 4", "more": f"rows {values['rows']} and 3 more"}[form]
    assert issue.text("en") == f"control characters or lone surrogates (U+0007) removed in {english}"
    chinese = {"one": "第 2 行", "many": "第 2, 3, 4 行", "more": f"第 {values['rows']} 行等（另有 3 行）"}[form]
    assert issue.text("zh") == f"已删除{chinese}中的控制字符或孤立代理字符（U+0007）"
    assert row_list(list(range(2, 2 + n))) == (form, values)


def test_replacement_characters_warned(tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("名称,经度,纬度\n甲\ufffd,113.05,22.55\n", encoding="utf-8")
    issue = _issue(_table(src), "import.tables.replacement_chars")
    assert (issue.code, issue.row, issue.column, issue.values) == (
        "import.tables.replacement_chars.one", 2, "名称", {"rows": "2"})


# ----------------------------------------------------------------------------- encodings


def test_encoding_codes(tmp_path):
    f = tmp_path / "x.csv"
    issue = _failure(decode_text, "名称".encode("gbk"), f, None, "no-such-codec")
    assert (issue.code, issue.values) == ("import.tables.unknown_encoding", {"encoding": "no-such-codec"})
    issue = _failure(decode_text, "a\n名称".encode("gbk"), f, None, "utf-8")
    assert (issue.code, issue.row) == ("import.tables.bad_bytes", 2)
    assert issue.values == {"encoding": "utf-8", "byte": 0xC3, "offset": 2}
    assert issue.text("en") == "not valid utf-8: byte 0xc3 at offset 2 cannot be decoded"
    assert _failure(decode_text, b"\x81\x30\xff\xff", f).code == "import.tables.undecodable"
    report = ImportReport("x.csv", "test")
    text, enc = decode_text("江門長者飯堂，臺城長者飯堂，開平".encode("big5"), f, report)
    issue = report.warnings[0]
    assert enc == "big5" and issue.code.startswith("import.tables.legacy_traditional")
    assert issue.values["encoding"] == "BIG5" and issue.values["other"] == "gb18030" and issue.values["n"] == 14
    assert "常用繁体字" in issue.text("zh") and "--encoding（encoding=）gb18030" in issue.text("zh")


# ----------------------------------------------------------------------------- workbooks


def test_merged_ranges_copied_and_header_joins(tmp_path):
    rows = [HEADER + ["所属镇街"], ["甲", 113.05, 22.55, "白沙街道"], [None, 113.06, 22.56, None],
            ["合计", None, None, None]]
    report = _table(_xlsx(tmp_path / "m.xlsx", rows, merge=["D2:D3", "A4:C4"]))
    one = [i for i in report.issues if i.code.startswith("import.tables.merged_copied")]
    assert [(i.code, i.row, i.column) for i in one] == [
        ("import.tables.merged_copied_column_rows", 2, "所属镇街"), ("import.tables.merged_copied_columns_row", 4, None)]
    assert one[0].values == {"ref": "D2:D3", "value": "'白沙街道'", "first": 2, "last": 3, "header": "所属镇街"}
    assert one[1].values["headers"] == "名称, 经度, 纬度"
    assert one[0].text("zh") == ("合并单元格 D2:D3：值 '白沙街道' 已填入列 所属镇街 第 2-3 行的每个单元格；"
                                 "请确认它适用于每一行")
    joined = _table(_xlsx(tmp_path / "j.xlsx", [HEADER, ["甲", 113.05, 22.55], ["乙", 113.06, 22.56]],
                          merge=["B1:B3"]))
    issue = _issue(joined, "import.tables.merged_header")
    assert (issue.code, issue.row, issue.column) == ("import.tables.merged_header_column", 2, "经度")
    assert issue.values == {"ref": "B1:B3", "header_row": 1, "first": 2, "last": 3, "header": "经度"}


def test_sheet_choice_codes(tmp_path):
    two = _xlsx(tmp_path / "two.xlsx", [HEADER, ["甲", 113.05, 22.55]], sheets={"B": [HEADER, ["乙", 113.06, 22.56]]})
    issue = _failure(read_table, two, FACILITY_ALIASES, _report(two))
    assert (issue.code, issue.values) == ("import.tables.xlsx_several_tables", {"n": 2, "sheets": "'站点', 'B'"})
    issue = _failure(read_table, two, FACILITY_ALIASES, _report(two), sheet="C")
    assert (issue.code, issue.values) == ("import.tables.xlsx_no_such_sheet", {"sheet": "C", "sheets": "'站点', 'B'"})
    lone = _xlsx(tmp_path / "lone.xlsx", [HEADER, ["甲", 113.05, 22.55]], sheets={"空白": []})
    assert _issue(_table(lone), "import.tables.xlsx_read_sheet").values == {"sheet": "站点"}
    notes = _xlsx(tmp_path / "notes.xlsx", [HEADER, ["甲", 113.05, 22.55]], sheets={"说明": [["填表说明"], ["见附件"]]})
    issue = _issue(_table(notes), "import.tables.xlsx_other_sheet")
    assert (issue.code, issue.values) == ("import.tables.xlsx_other_sheet_skipped",
                                          {"sheet": "站点", "other": "说明", "cells": 2})
    assert issue.text("zh") == "已读取工作表 '站点'；工作表 '说明'（2 个单元格）没有表头，未读取"
    assert issue.text("en") == "read sheet '站点'; sheets without a table header not read: '说明' (2 cells)"
    more = _xlsx(tmp_path / "more.xlsx", [HEADER, ["甲", 113.05, 22.55]], sheets={"说明": [["见附件"]], "备注": [["a", "b"]]})
    issue = _issue(_table(more), "import.tables.xlsx_other_sheets")
    assert issue.values == {"sheet": "站点", "others": [{"name": "说明", "cells": 1}, {"name": "备注", "cells": 2}]}
    assert issue.text("en") == ("read sheet '站点'; sheets without a table header not read: '说明' (1 cell), "
                                "'备注' (2 cells)")
    assert issue.text("zh") == "已读取工作表 '站点'；以下工作表没有表头，未读取：'说明'（1 个单元格）、'备注'（2 个单元格）"
    one = _xlsx(tmp_path / "one.xlsx", [HEADER, ["甲", 113.05, 22.55]], sheets={"说明": [["见附件"]]})
    assert _issue(_table(one), "import.tables.xlsx_other_sheet").code == (
        "import.tables.xlsx_other_sheet_skipped_one_cell")
    empty = _book(tmp_path / "none.xlsx", None)
    assert _failure(read_table, empty, FACILITY_ALIASES, _report(empty)).code == "import.tables.xlsx_no_sheet"


def test_sheet_size_limits_and_formulas(tmp_path, monkeypatch):
    path = _xlsx(tmp_path / "f.xlsx", [HEADER + ["床位数"]] + [[f"站{i}", 113.05, 22.55, f"=B{i + 2}*2"]
                                                             for i in range(12)])
    report = _table(path)
    issue = _issue(report, "import.tables.xlsx_formula_no_value")
    assert issue.code == "import.tables.xlsx_formula_no_value_more"
    assert issue.values == {"sheet": "站点", "n": 12, "cells": ", ".join(f"D{r}" for r in range(2, 12)), "more": 2}
    assert issue.text("en").startswith("sheet '站点': 12 formula cell(s) have no saved value (D2, D3")
    assert issue.text("en").endswith("D11 and 2 more) and read as empty; open the file in Excel/WPS and save it "
                                     "to store the values")
    monkeypatch.setattr(xlsx, "MAX_XLSX_CELLS", 10)
    issue = _failure(read_table, path, FACILITY_ALIASES, _report(path))
    assert (issue.code, issue.values) == ("import.tables.xlsx_too_many_cells", {"sheet": "站点", "limit": 10})
    monkeypatch.setattr(xlsx, "MAX_XLSX_CELLS", 1_000)
    monkeypatch.setattr(xlsx, "MAX_XLSX_SPAN", 20)
    issue = _failure(read_table, path, FACILITY_ALIASES, _report(path))
    assert issue.code == "import.tables.xlsx_span_too_large"
    assert issue.values == {"sheet": "站点", "extent": "A1:D13", "rows": 13, "cols": 4, "span": 52, "cells": 40,
                            "limit": 20}


def test_declared_range_note(tmp_path):
    sheet = (f'<worksheet {_NS}><dimension ref="A1:Z900"/><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c><c r="B1" t="inlineStr"><is><t>经度</t></is></c>'
             '</row><row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="B2"><v>113.05</v></c></row>'
             "</sheetData></worksheet>")
    issue = _issue(_table(_book(tmp_path / "d.xlsx", sheet)), "import.tables.xlsx_declared_range")
    assert issue.values == {"sheet": "S", "declared": "A1:Z900", "extent": "A1:B2"} and issue.severity == "info"


def test_damaged_workbooks_are_codes(tmp_path):
    broken = _book(tmp_path / "broken.xlsx", f"<worksheet {_NS}><sheetData><row><c>")
    issue = _failure(read_table, broken, FACILITY_ALIASES, _report(broken))
    assert issue.code == "import.tables.xlsx_sheet_unreadable" and issue.values["sheet"] == "S"
    assert issue.values["detail"].startswith("no element found")
    bad_index = _book(tmp_path / "idx.xlsx", f'<worksheet {_NS}><sheetData><row><c t="s"><v>7</v></c></row>'
                      "</sheetData></worksheet>", sst=f"<sst {_NS}><si><t>名称</t></si></sst>")
    assert _failure(read_table, bad_index, FACILITY_ALIASES, _report(bad_index)).code == (
        "import.tables.xlsx_sheet_unreadable")
    bad_sst = _book(tmp_path / "sst.xlsx", f"<worksheet {_NS}><sheetData/></worksheet>", sst="<sst><si>")
    assert _failure(read_table, bad_sst, FACILITY_ALIASES, _report(bad_sst)).code == (
        "import.tables.xlsx_parts_unreadable")
    no_book = _zip(tmp_path / "nobook.xlsx", {"xl/other.xml": "<a/>"})
    issue = _failure(read_table, no_book, FACILITY_ALIASES, _report(no_book))
    assert issue.code == "import.tables.xlsx_not_a_workbook"
    assert issue.values == {"detail": "\"There is no item named 'xl/workbook.xml' in the archive\""}
    (tmp_path / "raw.xlsx").write_bytes(b"PK not really")
    assert _failure(xlsx.scan_workbook, tmp_path / "raw.xlsx").code == "import.tables.xlsx_cannot_open"


# ----------------------------------------------------------------------------- vector files


def test_vector_codes(tmp_path):
    nested = {"type": "FeatureCollection", "features": [
        {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "甲"}, "geometry": {"type": "Point", "coordinates": [113, 22.5]}}]},
        {"type": "FeatureCollection", "features": []},
        {"type": "Feature", "properties": {"name": "乙"}, "geometry": {"type": "Point", "coordinates": [113, 22.6]}}]}
    src = tmp_path / "n.geojson"
    src.write_text(json.dumps(nested), encoding="utf-8")
    issue = _failure(read_vector, src, _report(src))
    assert (issue.code, issue.column) == ("import.tables.geojson_nested", "geometry")
    assert issue.values == {"n": 2, "total": 3, "features": "1, 2", "inside": 1}
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    assert _failure(read_vector, bad, _report(bad)).code == "import.tables.vector_unreadable"
    gpkg = tmp_path / "two.gpkg"
    for name, n in (("a", 1), ("b", 2)):
        gpd.GeoDataFrame({"name": [f"{name}{i}" for i in range(n)]}, geometry=[Point(113, 22.5)] * n,
                         crs="EPSG:4326").to_file(gpkg, layer=name, driver="GPKG")
    issue = _failure(read_vector, gpkg, _report(gpkg))
    assert issue.code == "import.tables.several_layers"
    assert issue.values == {"n": 2, "layers": [{"name": "a", "features": 1}, {"name": "b", "features": 2}]}
    assert issue.text("en").startswith("2 layers hold features: 'a' (1 feature), 'b' (2 features); choose one")
    assert issue.text("zh").startswith("2 个图层都有要素：'a'（1 个要素）、'b'（2 个要素）；请选择其一")
    issue = _failure(read_vector, gpkg, _report(gpkg), layer_name="c")
    assert (issue.code, issue.values) == ("import.tables.no_such_layer", {"name": "c", "layers": "'a', 'b'"})
    report = _report(gpkg)
    read_vector(gpkg, report, layer_name="b")
    assert _issue(report, "import.tables.read_layer").values == {"name": "b"}


def test_shapefile_without_cpg_read_as_gbk(tmp_path):
    shp = tmp_path / "s.shp"
    gpd.GeoDataFrame({"name": ["白沙长者饭堂"]}, geometry=[Point(113.05, 22.55)], crs="EPSG:4326").to_file(
        shp, encoding="gbk")
    (tmp_path / "s.cpg").unlink(missing_ok=True)
    report = _report(shp)
    gdf = read_vector(shp, report)
    assert list(gdf["name"]) == ["白沙长者饭堂"]
    assert _issue(report, "import.tables.shp_read_as_gbk").severity == "warning"


# ----------------------------------------------------------------------------- town matching, reference


def test_town_matching_reasons_are_codes():
    matcher = TownMatcher(official_towns())
    assert matcher.lookup("白沙街道").town_code == "440703002"
    assert matcher.lookup("  ").reason == EMPTY and matcher.match(" ") == (None, "empty")
    unknown = matcher.lookup("440703999")
    assert (unknown.reason, unknown.values) == ("import.tables.town_code_unknown", {"code": "440703999", "n": 73})
    assert unknown.text("zh") == "代码 440703999 不是江门市 73 个镇（街道）之一"
    ambiguous = matcher.lookup("白沙")
    assert ambiguous.reason == "import.tables.town_ambiguous"
    assert ambiguous.values == {"value": "白沙", "candidates": "白沙街道 (蓬江区), 白沙镇 (台山市)"}
    assert matcher.match("白沙") == (None, "'白沙' is ambiguous (白沙街道 (蓬江区), 白沙镇 (台山市)); add the district")
    assert matcher.lookup("白沙", district="台山").town_code == "440781103"
    nowhere = matcher.lookup("火星镇")
    assert (nowhere.reason, nowhere.values) == ("import.tables.town_unknown", {"value": "火星镇", "n": 73})
    assert len(OFFICIAL_TOWNS) == 73


def test_keyed_values_are_worded_in_the_issue_language(no_defaults):
    """A value named ``*_key`` holding a catalogue key is worded in the issue's language."""
    _geom, key, values = city_area_source()
    assert key == "import.tables.area.bbox"
    issue = Issue("f.csv", 2, None, "import.tables.town_unknown", {"value": "x", "n": 73})
    assert issue.text("zh") == "'x' 不是江门市 73 个镇（街道）之一"
    phrase = Issue("f.csv", None, None, "import.tables.area.bbox", {"area_key": key, **values})
    assert phrase.text("en") == city_area()[1] == t(key, "en", **values)
    assert "东经" in t(key, "zh", **values)


# ----------------------------------------------------------------------------- the catalogue


_ALLOWED = {"EPSG", "CRS", "UTF", "GBK", "GB18030", "Big5", "XLSX", "CSV", "GeoJSON", "MB", "km", "WGS", "GCJ",
            "BD", "xlsx", "xls", "cpg", "Excel", "WPS", "Latin", "Shapefile", "GeoPackage", "GeoTIFF", "ZIP",
            "FeatureCollection", "max_mb", "settings", "MAX_XLSX_CELLS", "MAX_XLSX_SPAN", "MAX_XLSX_STRINGS", "MAX_FACILITY_ROWS", "encoding", "sheet",
            "layer_name", "layer", "name", "kind", "facilities", "FFFD", "MAX_XLSX_CELLS", "MAX_XLSX_SPAN"}


def _dummy(name: str, spec: str):
    if spec and spec[-1] in "dxXbc,":
        return 1234
    if spec and spec[-1] in "%fgeE":
        return 0.25
    return f"<{name}>"


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_renders_in_both_languages_without_english_in_chinese(key):
    assert STRINGS[key] == MESSAGES[key]
    zh, en = MESSAGES[key]
    fields = {name: _dummy(name, spec or "") for _, name, spec, _ in string.Formatter().parse(en) if name}
    assert {name for _, name, _, _ in string.Formatter().parse(zh) if name} == set(fields)
    text_zh, text_en = t(key, "zh", **fields), t(key, "en", **fields)
    assert "{" not in text_zh and "{" not in text_en and text_zh != text_en
    values = " ".join(str(v) for v in fields.values())
    leftover = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text_zh)
                if len(re.sub(r"[^A-Za-z]", "", w)) >= 3 and w not in _ALLOWED and w not in values]
    assert not leftover, (key, leftover, text_zh)
    assert re.search(r"[\u4e00-\u9fff]", text_zh), text_zh
