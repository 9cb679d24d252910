"""XLSX workbooks read with memory bounded by what the sheet holds.

Before any row is read, each sheet's XML is **streamed** (``iterparse``, element by element,
never held whole) to learn its real extent: the cells that hold a value, the last row and
column used, its merged ranges and formulas without a cached value. A sheet with more
cells than ``settings.MAX_XLSX_CELLS``, or whose used range spans more than
``settings.MAX_XLSX_SPAN`` cells (what reading it would pad out in memory), is refused
with its size before anything is allocated; a declared ``<dimension>`` larger than the
real extent is ignored (openpyxl would otherwise pad every row out to it).

Rows are then read with openpyxl's read-only (streaming) reader, values only: a formula
reads as the value Excel cached when the file was last saved; a formula with no cached
value is a warning naming its cells (it reads as empty).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError, fromstring, iterparse

from coverage.io.report import ImportReport, file_error
from coverage.settings import MAX_XLSX_CELLS, MAX_XLSX_SPAN

__all__ = ["SheetScan", "scan_workbook", "read_sheets", "column_number", "column_letters"]

#: A merged range: (first row, first column, last row, last column), 1-based, inclusive.
MergedRange = tuple[int, int, int, int]
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def column_number(letters: str) -> int:
    """1-based column number of ``"A"``, ``"AB"``, ``"XFD"``."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(n: int) -> str:
    """Spreadsheet letters of 1-based column ``n``."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass
class SheetScan:
    """What one sheet holds, learned by streaming its XML."""

    title: str
    member: str
    declared: str | None = None
    cells: int = 0
    max_row: int = 0
    max_col: int = 0
    merged: list[MergedRange] = field(default_factory=list)
    uncached_formulas: list[str] = field(default_factory=list)

    @property
    def span(self) -> int:
        return self.max_row * self.max_col

    @property
    def extent(self) -> str:
        return f"A1:{column_letters(max(self.max_col, 1))}{max(self.max_row, 1)}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _scan_sheet(zf: zipfile.ZipFile, title: str, member: str, path: Path) -> SheetScan:
    scan = SheetScan(title, member)
    row_no = 0
    try:
        with zf.open(member) as fh:
            col_no = 0
            has_value = has_formula = False
            ref = None
            data = None  # <sheetData>: processed rows are removed from it, so memory stays flat
            for event, el in iterparse(fh, events=("start", "end")):
                tag = _local(el.tag)
                if event == "start":
                    if tag == "sheetData":
                        data = el
                    elif tag == "row":
                        r = el.get("r")
                        row_no = int(r) if r and r.isdigit() else row_no + 1
                        col_no = 0
                    elif tag == "c":
                        ref = el.get("r")
                        m = _REF.match(ref or "")
                        col_no = column_number(m[1]) if m else col_no + 1
                        if m:
                            row_no = int(m[2])
                        has_value = has_formula = False
                    continue
                if tag == "v":
                    has_value = has_value or bool(el.text)
                elif tag == "is":
                    has_value = True
                elif tag == "f":
                    has_formula = True
                elif tag == "c":
                    if has_value:
                        scan.cells += 1
                        scan.max_row = max(scan.max_row, row_no)
                        scan.max_col = max(scan.max_col, col_no)
                    elif has_formula:
                        scan.uncached_formulas.append(ref or f"{column_letters(col_no)}{row_no}")
                    el.clear()
                    if scan.cells > MAX_XLSX_CELLS:
                        break
                elif tag == "row":
                    el.clear()
                    if data is not None:
                        data.clear()
                elif tag == "dimension":
                    scan.declared = el.get("ref")
                elif tag == "mergeCell":
                    parts = (el.get("ref") or "").split(":")
                    ms = [_REF.match(p) for p in parts]
                    if ms and all(ms):
                        a, b = ms[0], ms[-1]
                        scan.merged.append((int(a[2]), column_number(a[1]), int(b[2]), column_number(b[1])))
    except (ParseError, KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise file_error(path, f"sheet {title!r} cannot be read: {exc} (damaged workbook?)") from None
    return scan


_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_members(zf: zipfile.ZipFile, path: Path) -> list[tuple[str, str]]:
    """``(title, member)`` of every worksheet, in workbook order, from ``workbook.xml`` and its rels.

    Read directly (two small XML files) rather than through openpyxl, which parses a whole sheet
    to look for its dimension when the sheet declares none.
    """
    try:
        book = fromstring(zf.read("xl/workbook.xml"))
        rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ParseError) as exc:
        raise file_error(path, f"cannot open as an Excel workbook: {exc} (damaged, or not an .xlsx)") from None
    target = {r.get("Id"): r.get("Target", "") for r in rels if _local(r.tag) == "Relationship"}
    out = []
    for el in book.iter():
        if _local(el.tag) != "sheet":
            continue
        t = target.get(el.get(_REL_NS), "")
        member = t.lstrip("/") if t.startswith("/") else f"xl/{t}"
        if member in zf.namelist() and "worksheets/" in member:
            out.append((el.get("name", ""), member))
    return out


def scan_workbook(path: Path) -> list[SheetScan]:
    """Stream every sheet of ``path``; refuse one past the limits (see module docstring).

    Raises
    ------
    DataImportError
        Not a workbook, damaged, or a sheet over ``MAX_XLSX_CELLS`` / ``MAX_XLSX_SPAN``.
    """
    out = []
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise file_error(path, f"cannot open as an Excel workbook: {exc}") from None
    with zf:
        for title, member in _sheet_members(zf, path):
            scan = _scan_sheet(zf, title, member, path)
            if scan.cells > MAX_XLSX_CELLS:
                raise file_error(
                    path,
                    f"sheet {title!r} holds more than {MAX_XLSX_CELLS:,} cells, over the limit "
                    "(settings.MAX_XLSX_CELLS); split it or save it as CSV",
                )
            if scan.span > MAX_XLSX_SPAN:
                raise file_error(
                    path,
                    f"sheet {title!r} uses the range {scan.extent} ({scan.max_row:,} rows × "
                    f"{scan.max_col:,} columns = {scan.span:,} cells, {scan.cells:,} of them filled), "
                    f"over the {MAX_XLSX_SPAN:,}-cell limit (settings.MAX_XLSX_SPAN): delete the "
                    "stray cells far from the data, or save the sheet as CSV",
                )
            out.append(scan)
    return out


def read_sheets(
    path: Path, scans: list[SheetScan], titles: list[str], report: ImportReport
) -> dict[str, list[list[object]]]:
    """Rows (lists of cell values, row ``i`` = spreadsheet row ``i + 1``) of the sheets ``titles``.

    Each row holds at most the sheet's real last column; trailing empty rows are not read.
    Formulas without a cached value are warned about (naming the cells).
    """
    import openpyxl

    by_title = {s.title: s for s in scans}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out: dict[str, list[list[object]]] = {}
    try:
        for title in titles:
            scan = by_title[title]
            ws = wb[title]
            ws.reset_dimensions()  # ignore a declared <dimension> larger than the data
            if scan.declared and scan.declared.split(":")[-1] != scan.extent.split(":")[-1] and scan.cells:
                report.note(
                    f"sheet {title!r} declares the range {scan.declared} but uses {scan.extent}: "
                    "read as used"
                )
            rows: list[list[object]] = []
            if scan.cells:
                for r in ws.iter_rows(max_row=scan.max_row, max_col=scan.max_col, values_only=True):
                    rows.append(list(r))
            out[title] = rows
            if scan.uncached_formulas:
                cells = scan.uncached_formulas
                shown = ", ".join(cells[:10]) + (f" and {len(cells) - 10} more" if len(cells) > 10 else "")
                report.warn(
                    f"sheet {title!r}: {len(cells)} formula cell(s) have no saved value ({shown}) and "
                    "read as empty; open the file in Excel/WPS and save it to store the values"
                )
    finally:
        wb.close()
    return out
