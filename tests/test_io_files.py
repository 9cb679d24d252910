"""A missing, empty or oversized input file is a :class:`DataImportError` naming the file.

Users pass file paths on the command line and in scripts; a typo must give a one-line message
(exit status 2 in the CLI), never a traceback.
"""

from __future__ import annotations

import pytest

from coverage.cli import main
from coverage.errors import CoverageError, DataImportError, InputError
from coverage.io.tables import check_file


def test_missing_file_is_a_named_import_error(tmp_path):
    missing = tmp_path / "社区名单.csv"
    with pytest.raises(DataImportError, match="社区名单.csv") as err:
        check_file(missing)
    assert isinstance(err.value, InputError) and isinstance(err.value, CoverageError)
    assert err.value.report.file == "社区名单.csv" and "no such file" in str(err.value)


def test_directory_and_empty_file_refused(tmp_path):
    with pytest.raises(DataImportError, match="is not a file"):
        check_file(tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DataImportError, match="empty"):
        check_file(tmp_path / "empty.csv")
    (tmp_path / "ok.csv").write_text("a\n1\n", encoding="utf-8")
    assert check_file(tmp_path / "ok.csv") == tmp_path / "ok.csv"


def test_cli_missing_file_exits_2_with_message(tmp_path, capsys):
    missing = tmp_path / "nonexistent.csv"
    status = main(["community", "--no-workspace", "--communities", str(missing), "--lang", "en"])
    err = capsys.readouterr().err
    assert status == 2
    assert "nonexistent.csv" in err and "no such file" in err and "Traceback" not in err
    assert main(["community", "--no-workspace", "--communities", str(missing)]) == 2  # the default: Chinese
    assert capsys.readouterr().err == (f"错误：无法导入 nonexistent.csv：1 处错误\n"
                                       f"  nonexistent.csv：文件不存在：{missing}\n")


# ----------------------------------------------------------------------------- XLSX values


def _openpyxl_rows(path):
    """The rows openpyxl's read-only, values-only reader gives (the reference for our reader)."""
    import openpyxl

    from coverage.io.xlsx import scan_workbook

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = {}
        for s in scan_workbook(path):
            ws = wb[s.title]
            ws.reset_dimensions()
            out[s.title] = [list(r) for r in ws.iter_rows(max_row=s.max_row, max_col=s.max_col, values_only=True)] \
                if s.cells else []
        return out
    finally:
        wb.close()


def _our_rows(path):
    from coverage.io.report import ImportReport
    from coverage.io.xlsx import read_sheets, scan_workbook

    scans = scan_workbook(path, values=True)
    return read_sheets(path, scans, [s.title for s in scans], ImportReport(path.name, "test"))


def test_xlsx_cell_values_are_openpyxls(tmp_path):
    """Dates, times, durations, booleans, errors, formulas' cached values, text with escapes:
    the streaming reader gives what openpyxl gives, in the 1900 and the 1904 calendar."""
    import datetime

    import openpyxl

    for date1904 in (False, True):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "名单"
        ws.append(["名称", "启用日期", "时间", "时长", "开放", "床位数", "备注"])
        ws.append(["甲 & <乙>", datetime.datetime(2021, 3, 4, 5, 6, 7), datetime.time(8, 30),
                   datetime.timedelta(hours=30), True, 12, "x005F_y\r\n第二行"])
        ws.append(["  空格  ", datetime.date(1900, 2, 1), None, None, False, 1.5e-7, "=SUM(F2:F3)"])
        ws.append([None, 45000, None, None, None, -3, "#N/A"])
        ws["B4"].number_format = "yyyy-mm-dd"
        ws["G5"] = "末行"
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904 if date1904 else wb.epoch
        path = tmp_path / f"v{int(date1904)}.xlsx"
        wb.save(path)
        assert _our_rows(path) == _openpyxl_rows(path)
    assert _our_rows(path)["名单"][3][1] == openpyxl.utils.datetime.from_excel(45000, openpyxl.utils.datetime.MAC_EPOCH)


def _workbook(path, sheet_xml, sst=None):
    import zipfile

    ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = f'<Relationship Id="rId1" Type="{ns}/worksheet" Target="worksheets/sheet1.xml"/>'
    ct = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    with zipfile.ZipFile(path, "w") as zf:
        if sst is not None:
            rels += f'<Relationship Id="rId2" Type="{ns}/sharedStrings" Target="sharedStrings.xml"/>'
            ct += ('<Override PartName="/xl/sharedStrings.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
            zf.writestr("xl/sharedStrings.xml", sst)
        zf.writestr("[Content_Types].xml", ct + "</Types>")
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    f'xmlns:r="{ns}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                    f'2006/relationships">{rels}</Relationships>')
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.mark.parametrize("name,sheet,sst", [
    # rich text and phonetic runs in the shared strings (the shared-string table's slow path)
    ("rich", f'<worksheet {_MAIN}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
     '</row></sheetData></worksheet>',
     f'<sst {_MAIN}><si><r><t>白沙</t></r><r><rPr><b/></rPr><t xml:space="preserve">街道 </t></r>'
     '<rPh sb="0" eb="1"><t>ハク</t></rPh></si><si><t>乙</t></si></sst>'),
    # pretty-printed XML, cells without references, rows without numbers, a comment (the tree path)
    ("pretty", f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet {_MAIN}>\n <!-- made by hand -->\n <sheetData>\n'
     '  <row>\n   <c t="inlineStr"><is><t>名称</t></is></c>\n   <c><v>1</v></c>\n  </row>\n'
     '  <row r="4">\n   <c t="b"><v>1</v></c>\n   <c t="e"><v>#DIV/0!</v></c>\n   <c t="str"><v>文字</v></c>\n'
     '  </row>\n </sheetData>\n</worksheet>', None),
    # a prefixed namespace, an inline rich string, an empty <v/> and a shared formula without a value
    ("prefixed", '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
     '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:r><x:t>甲</x:t></x:r><x:r><x:t>站</x:t></x:r></x:is></x:c>'
     '<x:c r="B1"><x:v/></x:c><x:c r="C1"><x:f t="shared" si="0"/></x:c><x:c r="D1" s="0"><x:v>2.50</x:v></x:c>'
     '</x:row></x:sheetData></x:worksheet>', None),
])
def test_xlsx_written_by_other_programs_reads_as_openpyxl_reads_it(tmp_path, name, sheet, sst):
    path = _workbook(tmp_path / f"{name}.xlsx", sheet, sst)
    ours = _our_rows(path)
    if name != "prefixed":  # openpyxl reads only unprefixed elements; its rows are the reference here
        assert ours == _openpyxl_rows(path)
    expected = {"rich": [["白沙街道 ", "乙"]],
                "pretty": [["名称", 1], [None, None, None], [None, None, None], [True, "#DIV/0!", "文字"]],
                "prefixed": [["甲站", None, None, 2.5]]}[name]
    assert ours["S"] == [row + [None] * (len(ours["S"][0]) - len(row)) for row in expected]


def test_xlsx_damaged_sheet_refused_with_the_parsers_message(tmp_path):
    path = _workbook(tmp_path / "cut.xlsx", f'<worksheet {_MAIN}><sheetData><row r="1"><c r="A1"><v>1</v></c>')
    with pytest.raises(DataImportError) as exc:
        _our_rows(path)
    assert str(exc.value) == ("cannot import cut.xlsx: 1 error\n  cut.xlsx: sheet 'S' cannot be read: no element found: "
                              "line 1, column 121 (damaged workbook?)")
