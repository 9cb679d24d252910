"""XLSX workbooks read in one streaming pass, with memory bounded by what the sheet holds.

Each sheet's XML is **streamed** once (``lxml.etree.iterparse``, row by row; every row is
discarded once read, so the parsed tree never grows): the pass learns the sheet's real
extent — the cells that hold a value, the last row and column used, its merged ranges and
formulas without a cached value — and keeps the value of every filled cell (sparse, as
``(row, column, value)``). Shared strings are read once per workbook and resolved by
index. A sheet with more cells than ``settings.MAX_XLSX_CELLS`` is refused as soon as the
count is passed; one whose used range spans more than ``settings.MAX_XLSX_SPAN`` cells (what
laying it out as rows would pad out in memory) is refused with its size before any row is
laid out; a declared ``<dimension>`` larger than the real extent is ignored (noted).

Values are the ones openpyxl's read-only, values-only reader gives (the reader this one
replaces, kept as the reference in the tests): numbers as ``int`` / ``float``, text (shared,
inline or a formula's text result) as ``str`` (rich text joined, phonetic runs left out),
booleans as ``bool``, error values as their text (``#N/A``), a number in a cell with a date
or time format as ``datetime`` / ``time`` / ``timedelta`` (the workbook's 1900 or 1904
calendar), an ISO 8601 date cell as ``datetime``. A formula reads as the value Excel cached
when the file was last saved; a formula with no cached value is a warning naming its cells
(it reads as empty).
"""

from __future__ import annotations

import re
import zipfile
from functools import lru_cache
from itertools import compress
from operator import itemgetter
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from lxml import etree
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from coverage.errors import DataImportError
from coverage.io.report import ImportReport, file_error
from coverage.settings import (
    MAX_XLSX_CELLS, MAX_XLSX_PART_MB, MAX_XLSX_SPAN, MAX_XLSX_STRING_CHARS, MAX_XLSX_STRINGS, MAX_XLSX_STRINGS_MB,
)

__all__ = ["SheetScan", "SheetCells", "scan_workbook", "read_sheets", "column_number", "column_letters"]

#: A merged range: (first row, first column, last row, last column), 1-based, inclusive.
MergedRange = tuple[int, int, int, int]
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
#: Formula cells without a cached value named in the warning; the rest are counted.
FORMULAS_SHOWN = 10
#: What a damaged sheet, shared-string table or style sheet raises while it is parsed.
_DAMAGED = (etree.LxmlError, SyntaxError, ParseError, expat.ExpatError, KeyError, IndexError, ValueError, OverflowError,
            zipfile.BadZipFile, zlib.error, OSError, EOFError)
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
_DATE1904 = ("1", "true")


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
class SheetCells:
    """The filled cells of a sheet, sparse: ``rows[k]``, ``cols[k]`` (1-based) hold ``values[k]``."""

    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)


@dataclass
class SheetScan:
    """What one sheet holds, learned by streaming its XML.

    ``data`` holds the filled cells when the sheet was scanned with its values
    (:func:`scan_workbook` ``values=True``), else None.
    """

    title: str
    member: str
    declared: str | None = None
    cells: int = 0
    max_row: int = 0
    max_col: int = 0
    merged: list[MergedRange] = field(default_factory=list)
    uncached_formulas: list[str] = field(default_factory=list)
    data: SheetCells | None = field(default=None, repr=False)

    @property
    def span(self) -> int:
        return self.max_row * self.max_col

    @property
    def extent(self) -> str:
        return f"A1:{column_letters(max(self.max_col, 1))}{max(self.max_row, 1)}"


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _iterparse(fh: IO[bytes], tags: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    return etree.iterparse(fh, events=("end",), tag=tags, **_PARSER_OPTIONS)


def _text_content(el: Any, ns: str) -> str:
    """A ``<si>`` / ``<is>`` element's text as openpyxl gives it: its ``<t>`` then each run's ``<t>``."""
    t_tag, r_tag = ns + "t", ns + "r"
    parts = []
    for child in el:
        tag = child.tag
        if tag == t_tag:
            parts.append(child.text or "")
        elif tag == r_tag:
            for g in child:
                if g.tag == t_tag:
                    parts.append(g.text or "")
                    break
    return "".join(parts)


@dataclass
class _Book:
    """What every sheet of a workbook needs: shared strings, date styles and the calendar."""

    strings: list[str]
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]
    epoch: Any


def _member(target: str) -> str:
    """The ZIP member a relationship target of ``workbook.xml`` names."""
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


_SST = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sst\b")


def _open_part(zf: zipfile.ZipFile, member: str, path: Path, limit_mb: float, setting: str) -> IO[bytes]:
    """``member`` opened for streaming, refused (before any byte is inflated) past ``limit_mb`` uncompressed.

    The size is the one the archive declares: :mod:`zipfile` never inflates more than it.
    """
    info = zf.getinfo(member)
    if info.file_size > limit_mb * 1e6:
        raise file_error(path, "import.tables.xlsx_part_too_large", part=member, mb=info.file_size / 1e6,
                         limit=limit_mb, setting=setting)
    return zf.open(info)


def _checked_strings(out: list[str], path: Path, before: int = 0) -> None:
    """Refuse a shared-string table past ``MAX_XLSX_STRINGS`` items or one item past Excel's cell limit
    (``out`` follows ``before`` items already checked)."""
    if before + len(out) > MAX_XLSX_STRINGS:
        raise file_error(path, "import.tables.xlsx_too_many_strings", limit=MAX_XLSX_STRINGS)
    if out and max(map(len, out)) > MAX_XLSX_STRING_CHARS:
        item = next(i for i, x in enumerate(out, before + 1) if len(x) > MAX_XLSX_STRING_CHARS)
        raise file_error(path, "import.tables.xlsx_string_too_long", item=item, limit=MAX_XLSX_STRING_CHARS)


def _shared_strings(zf: zipfile.ZipFile, member: str | None, path: Path) -> list[str]:
    """The shared-string table: the fast path, else (rich text, another encoding …) the element tree.

    Refused past ``MAX_XLSX_STRINGS_MB`` uncompressed, ``MAX_XLSX_STRINGS`` items or an item longer than
    ``MAX_XLSX_STRING_CHARS``, as soon as it is seen.
    """
    if member is None or member not in zf.namelist():
        return []
    try:
        with _open_part(zf, member, path, MAX_XLSX_STRINGS_MB, "MAX_XLSX_STRINGS_MB") as fh:
            return _shared_strings_fast(fh, path)
    except _NotSimple:
        with _open_part(zf, member, path, MAX_XLSX_STRINGS_MB, "MAX_XLSX_STRINGS_MB") as fh:
            return _shared_strings_tree(fh, path)



def _checked_chunks(fh: Any, checker: Any) -> Iterator[tuple[bytes, bool]]:
    """``(chunk, finished)`` pairs of ``fh`` read in ``_CHUNK`` bytes, the last one ``(b"", True)``.

    Each chunk is checked for the plain forms the fast path reads (:func:`_check_simple`, with the last
    bytes of the previous chunk so a token split between two chunks is seen whole) and fed to the
    expat ``checker``, so a damaged sheet is refused with the parser's own message.
    """
    first, before = True, b""
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            checker.Parse(b"", True)
            yield b"", True
            return
        _check_simple(chunk if first else before + chunk, first)
        checker.Parse(chunk, False)
        first, before = False, chunk[-8:]
        yield chunk, False


#: Most bytes one shared-string item may take in the XML: Excel's 32,767 characters, each written
#: as a 10-byte character reference, with room for rich-text runs. A longer item is refused.
_ITEM_MAX_BYTES = 8 << 20


def _shared_strings_fast(fh: IO[bytes], path: Path) -> list[str]:
    """Plain ``<si><t>…</t></si>`` items found by one expression per chunk, checked by expat;
    :class:`_NotSimple` when an item has another form (rich text runs, phonetic guides …)."""
    checker = expat.ParserCreate()
    out: list[str] = []
    buf = b""
    item = start = None
    for chunk, finished in _checked_chunks(fh, checker):
        buf += chunk
        if item is None:
            m = _SST.search(buf)
            if m is None:
                continue
            p = re.escape(m[1])
            item = re.compile(rb"<" + p + rb"si>\s*<" + p + rb"t(?:\s[^>]*)?>([^<]*)</" + p + rb"t>\s*</" + p + rb"si>")
            start = (b"<" + m[1] + b"si>", b"<" + m[1] + b"si ", b"<" + m[1] + b"si/")
        cut = len(buf) if finished else buf.rfind(start[0])
        if cut <= 0:
            if len(buf) > _ITEM_MAX_BYTES:  # one item larger than any Excel writes
                raise file_error(path, "import.tables.xlsx_string_too_long", item=len(out) + 1,
                                 limit=MAX_XLSX_STRING_CHARS)
            continue
        body, buf = buf[:cut], buf[cut:]
        texts = item.findall(body)
        if len(texts) != sum(body.count(x) for x in start):
            raise _NotSimple
        new = [_xml_text(x).replace("x005F_", "") if x else "" for x in texts]
        _checked_strings(new, path, len(out))
        out.extend(new)
    return out


def _shared_strings_tree(fh: IO[bytes], path: Path) -> list[str]:
    """The items streamed with lxml: each ``<t>`` taken (as :func:`_text_content`) and dropped once
    parsed, so one item of a million runs holds no more than its text."""
    out: list[str] = []
    parts: list[str] = []
    length = 0
    run_taken = False
    for _, el in _iterparse(fh, ("{*}t", "{*}r", "{*}rPh", "{*}si")):
        name = _local(el.tag)
        parent = el.getparent()
        if name == "t":
            where = _local(parent.tag) if parent is not None else ""
            if where == "si" or (where == "r" and not run_taken):
                parts.append(el.text or "")
                length += len(parts[-1])
                run_taken = where == "r"
                if length > MAX_XLSX_STRING_CHARS:
                    raise file_error(path, "import.tables.xlsx_string_too_long", item=len(out) + 1,
                                     limit=MAX_XLSX_STRING_CHARS)
            if where == "si":
                parent.remove(el)
            continue
        if name == "si":
            out.append("".join(parts).replace("x005F_", ""))  # as openpyxl reads an escaped underscore
            parts, length = [], 0
            if len(out) > MAX_XLSX_STRINGS:
                _checked_strings(out, path)
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
            continue
        run_taken = False  # the end of a run or of a phonetic guide: drop it
        if parent is not None:
            parent.remove(el)
    return out


def _streamed(fh: IO[bytes]) -> Iterator[Any]:
    """Every element of the XML ``fh`` as it ends (children first), dropped once the caller moves on."""
    for _, el in etree.iterparse(fh, events=("end",), **_PARSER_OPTIONS):
        yield el
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]


def _date_styles(zf: zipfile.ZipFile, member: str | None, path: Path) -> tuple[frozenset[int], frozenset[int]]:
    """Indexes of the cell styles (``cellXfs``) whose number format is a date / a duration (streamed)."""
    if member is None or member not in zf.namelist():
        return frozenset(), frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []  # the number format of each cell style, in order
    with _open_part(zf, member, path, MAX_XLSX_PART_MB, "MAX_XLSX_PART_MB") as fh:
        for el in _streamed(fh):
            name = _local(el.tag)
            if name not in ("numFmt", "xf"):
                continue
            where = _local(el.getparent().tag) if el.getparent() is not None else ""
            if name == "numFmt" and where == "numFmts" and (el.get("numFmtId") or "").isdigit():
                custom[int(el.get("numFmtId"))] = el.get("formatCode", "")
            elif name == "xf" and where == "cellXfs":
                formats.append(int(el.get("numFmtId") or 0))
    kinds = {}  # number format -> (is a date, is a duration)
    for num in set(formats):
        fmt = custom[num] if num in custom else builtin_format_code(num)
        kinds[num] = (is_date_format(fmt), is_timedelta_format(fmt))
    dates = frozenset(i for i, n in enumerate(formats) if kinds[n][0])
    durations = frozenset(i for i, n in enumerate(formats) if kinds[n][1])
    return dates, durations


def _open_book(zf: zipfile.ZipFile, path: Path, values: bool) -> tuple[list[tuple[str, str]], _Book]:
    """The worksheets ``(title, member)`` in workbook order and, with ``values``, what reading them needs.

    Read directly (a few small XML files) rather than through openpyxl, which parses a whole
    sheet to look for its dimension when the sheet declares none.
    """
    try:
        with _open_part(zf, "xl/workbook.xml", path, MAX_XLSX_PART_MB, "MAX_XLSX_PART_MB") as fh:
            book = [(_local(el.tag), el.get("date1904"), el.get(_REL_NS), el.get("name", "")) for el in _streamed(fh)
                    if _local(el.tag) in ("workbookPr", "sheet")]
        with _open_part(zf, "xl/_rels/workbook.xml.rels", path, MAX_XLSX_PART_MB, "MAX_XLSX_PART_MB") as fh:
            rels = [(r.get("Id"), r.get("Type", ""), r.get("Target", "")) for r in _streamed(fh)
                    if _local(r.tag) == "Relationship"]
    except DataImportError:
        raise
    except _DAMAGED as exc:
        raise file_error(path, "import.tables.xlsx_not_a_workbook", detail=str(exc)) from None
    by_id = {rid: target for rid, _, target in rels}
    targets: dict[str, str] = {}
    for _, kind, target in rels:  # relationship type (the last part of its URI) -> member
        targets.setdefault(kind.rsplit("/", 1)[-1], _member(target))
    names = set(zf.namelist())
    sheets, epoch = [], CALENDAR_WINDOWS_1900
    for tag, date1904, rid, title in book:
        if tag == "workbookPr" and (date1904 or "").lower() in _DATE1904:
            epoch = CALENDAR_MAC_1904
        if tag != "sheet":
            continue
        member = _member(by_id.get(rid, ""))
        if member in names and "worksheets/" in member:
            sheets.append((title, member))
    if not values:
        return sheets, _Book([], frozenset(), frozenset(), epoch)
    part = "xl/sharedStrings.xml"
    try:
        strings = _shared_strings(zf, targets.get("sharedStrings", part if part in names else None), path)
        dates, durations = _date_styles(zf, targets.get("styles"), path)
    except DataImportError:
        raise
    except _DAMAGED as exc:
        raise file_error(path, "import.tables.xlsx_parts_unreadable", detail=str(exc)) from None
    return sheets, _Book(strings, dates, durations, epoch)


_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _cell_value(kind: str, text: str | None, style: int, book: _Book) -> Any:
    """A cell's value from its type ``t``, the text of its ``<v>`` and its style (as openpyxl)."""
    if text is None:
        return None
    if kind == "n":
        number: int | float = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        if style in book.date_styles:
            try:
                return from_excel(number, book.epoch, timedelta=style in book.timedelta_styles)
            except (OverflowError, ValueError):
                return "#VALUE!"  # openpyxl's reading of a date serial outside the calendar
        return number
    if kind == "s":
        return book.strings[int(text)]
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_ISO8601(text)
    return text  # "str" (a formula's text), "e" (an error value such as #N/A), unknown types



# -- the fast path: the sheet XML tokenised with regular expressions, checked by expat -----------
#
# The cells of ``<sheetData>`` are found with compiled regular expressions on the raw bytes, one
# chunk at a time, while expat (no handlers: C only) checks the whole document is well-formed, so a
# damaged sheet is refused with the XML parser's own message. A sheet using what the expressions do
# not model (a DOCTYPE, comments, CDATA, processing instructions, another encoding than UTF-8) is
# read by the element-tree path instead (:func:`_scan_sheet_tree`); both give the same scan.

_CHUNK = 4 << 20
_SHEETDATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*([\"'])(.*?)\2", re.S)
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_UNSUPPORTED = (b"<!", b"<?")


class _NotSimple(Exception):
    """The sheet uses XML the fast path does not model: read it with the element tree."""


def _entity(m: re.Match[str]) -> str:
    name = m[1]
    if name[0] != "#":
        return _NAMED[name]
    return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))


@lru_cache(maxsize=1 << 16)
def _xml_text(raw: bytes) -> str:
    """Character data as an XML parser reports it: line ends normalised, references replaced."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ENTITY.sub(_entity, text) if "&" in text else text


class _Patterns:
    """The compiled expressions for one element prefix (``""`` or e.g. ``"x:"``).

    :attr:`token` matches, in one C-level scan, a ``<row>`` start tag or a whole ``<c>`` cell
    in the forms spreadsheet programs write: empty, a ``<v>`` value, an inline string, or a
    formula with or without its cached ``<v>``. Groups: 1-2 the column letters and row of the
    cell's reference when it comes first, 3 its other attributes, 4 its ``<v>`` text, 5 its
    inline string element, 6 its formula element, 7 the formula's cached ``<v>`` text; 8
    ``row`` for a row start tag, 9 its number when it comes first, 10 its other attributes. A cell in any other form is not matched: the caller
    counts the cells and falls back to the element tree when a cell was missed.
    """

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        ws = rb"\s*"
        v = rb"<" + p + rb"v>([^<]*)</" + p + rb"v>"
        t = rb"(?:<" + p + rb"t\s*/>|<" + p + rb"t(?:\s[^>]*)?>[^<]*</" + p + rb"t>)"
        inline = rb"(<" + p + rb"is\s*/>|<" + p + rb"is>" + ws + t + ws + rb"</" + p + rb"is>)"
        formula = (rb"(<" + p + rb"f\b[^>]*(?:/>|>[^<]*</" + p + rb"f>))" + ws
                   + rb"(?:<" + p + rb"v>([^<]*)</" + p + rb"v>)?")
        cell = (rb"<" + p + rb"c" + rb'(?:\s+r="([A-Z]{1,3})([0-9]+)")?' + rb"((?:\s[^>/]*)?)(?:/>|>" + ws
                + rb"(?:" + v + rb"|" + inline + rb"|" + formula + rb")?" + ws + rb"</" + p + rb"c>)")
        row = rb"<" + p + rb"(row)" + rb'(?:\s+r="([0-9]+)")?' + rb"((?:\s[^>]*?)?)/?>"
        self.token = re.compile(cell + rb"|" + row)
        self.inline_text = re.compile(rb"<" + p + rb"t(?:\s[^>]*)?>([^<]*)<")
        self.cell_starts = tuple(b"<" + prefix + b"c" + e for e in (b" ", b">", b"/"))
        self.row_starts = tuple(b"<" + prefix + b"row" + e for e in (b" ", b">", b"/"))
        self.row_start = b"<" + prefix + b"row"
        self.end = b"</" + prefix + b"sheetData"
        self.dimension = re.compile(rb"<" + p + rb"dimension\b([^>]*?)/?>")
        self.merge = re.compile(rb"<" + p + rb"mergeCell\b([^>]*?)/?>")


_R_FIRST = re.compile(rb'\s*r\s*=\s*"([A-Z]{1,3})(\d+)"')


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {k: v for k, _, v in _ATTR.findall(raw)}


def _check_simple(chunk: bytes, first: bool) -> None:
    if first:
        if chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        if chunk.startswith(b"<?xml"):
            decl_end = chunk.find(b"?>")
            decl = chunk[:decl_end].lower()
            if b"encoding" in decl and not re.search(rb"encoding\s*=\s*[\"']utf-?8[\"']", decl):
                raise _NotSimple
            chunk = chunk[decl_end + 2:]
        elif chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise _NotSimple
    if any(u in chunk for u in _UNSUPPORTED):
        raise _NotSimple


def _scan_sheet_fast(fh: IO[bytes], scan: SheetScan, data: SheetCells | None, book: _Book | None) -> None:
    """Fill ``scan`` (and ``data``) from the sheet XML ``fh``; :class:`_NotSimple` to fall back.

    Raises the XML parser's error (``xml.parsers.expat.ExpatError``) for a damaged sheet.
    """
    checker = expat.ParserCreate()
    buf = b""
    pat: _Patterns | None = None
    head = b""        # the XML before <sheetData> (the <dimension>)
    tail = b""        # the XML after </sheetData> (the <mergeCells>)
    state = 0         # 0: before sheetData, 1: inside, 2: after
    row_no = 0
    for chunk, finished in _checked_chunks(fh, checker):
        buf += chunk
        if state == 0:
            m = _SHEETDATA.search(buf)
            if m is None:
                if finished:
                    head, buf = buf, b""
                continue
            pat = _Patterns(m[1])
            head = buf[: m.start()]
            buf = buf[m.end():]
            state = 2 if m[2] else 1
        if state == 1:
            assert pat is not None
            end = buf.find(pat.end)
            if end >= 0:
                body, tail, state = buf[:end], buf[end:], 2
                buf = b""
            elif finished:
                body, buf = buf, b""
            else:
                cut = buf.rfind(pat.row_start)
                if cut <= 0:
                    continue
                body, buf = buf[:cut], buf[cut:]
            row_no = _scan_rows(body, pat, scan, data, book, row_no)
            if scan.cells > MAX_XLSX_CELLS:
                return
        elif state == 2:
            tail += buf
            buf = b""
    if pat is None:
        return
    m = pat.dimension.search(head)
    if m is not None:
        ref = _attrs(m[1]).get(b"ref")
        scan.declared = None if ref is None else _xml_text(ref)
    for m in pat.merge.finditer(tail):
        parts = _xml_text(_attrs(m[1]).get(b"ref", b"")).split(":")
        ms = [_REF.match(p) for p in parts]
        if ms and all(ms):
            a, b = ms[0], ms[-1]
            scan.merged.append((int(a[2]), column_number(a[1]), int(b[2]), column_number(b[1])))


def _kinds(rests: set[bytes]) -> dict[bytes, tuple[bytes, int]]:
    """Each distinct attribute text of the cells (their reference left out) → ``(type, style)``."""
    out = {}
    for rest in rests:
        found = _attrs(rest)
        out[rest] = (found.get(b"t", b"n"), int(found.get(b"s") or 0))
    return out


def _scan_columns(tokens: list[tuple[bytes, ...]], scan: SheetScan, data: SheetCells | None,
                  book: _Book | None, row_no: int) -> int | None:
    """The usual sheet, a column at a time: every cell has its reference and is empty, a shared
    string or a plain number (no inline string, formula, date style or other type). Return the
    last row number, or None (nothing done) for any other sheet: :func:`_scan_rows` reads it cell
    by cell."""
    if not tokens:
        return row_no
    inline, formula = (list(map(itemgetter(k), tokens)) for k in (4, 5))
    if any(inline) or any(formula):
        return None
    # one list per group (zip(*tokens) is far slower on hundreds of thousands of tuples)
    letters, at, rest, v, row, row_r, row_rest = (list(map(itemgetter(k), tokens)) for k in (0, 1, 2, 3, 7, 8, 9))
    is_cell = [not r for r in row]
    letters = list(compress(letters, is_cell))
    if not all(letters):
        return None
    filled = list(map(bool, compress(v, is_cell)))
    letters = list(compress(letters, filled))
    texts = list(compress(compress(v, is_cell), filled))
    rests = list(compress(compress(rest, is_cell), filled))
    kinds = _kinds(set(rests))
    dates = book.date_styles if book is not None else frozenset()
    if any(k not in (b"s", b"n") or (k == b"n" and st in dates) for k, st in kinds.values()):
        return None
    rows = list(map(int, compress(compress(at, is_cell), filled)))
    numbers = {x: column_number(x.decode("ascii")) for x in set(letters)}
    cols = list(map(numbers.__getitem__, letters))
    if rows:
        scan.cells += len(rows)
        scan.max_row = max(scan.max_row, max(rows))
        scan.max_col = max(scan.max_col, max(cols))
    if data is not None and book is not None:
        strings = book.strings
        shared = {rest for rest, (k, _st) in kinds.items() if k == b"s"}
        data.rows.extend(rows)
        data.cols.extend(cols)
        data.values.extend([
            strings[int(x)] if r in shared else float(x) if (b"." in x or b"E" in x or b"e" in x) else int(x)
            for x, r in zip(texts, rests)])
    for r, number, more in compress(zip(row, row_r, row_rest), row):
        if not number and more:
            number = _attrs(more).get(b"r") or b""
        row_no = int(number) if number.isdigit() else row_no + 1
    return row_no


def _scan_rows(body: bytes, pat: _Patterns, scan: SheetScan, data: SheetCells | None, book: _Book | None,
               row_no: int) -> int:
    """Scan the complete ``<row>`` elements of ``body``; return the last row number.

    Raises :class:`_NotSimple` when a cell or row is written in a form :attr:`_Patterns.token`
    does not match (so none is ever skipped).
    """
    tokens = pat.token.findall(body)
    n_rows = sum(1 for tok in tokens if tok[7])
    if n_rows != sum(body.count(x) for x in pat.row_starts) or (
            len(tokens) - n_rows != sum(body.count(x) for x in pat.cell_starts)):
        raise _NotSimple
    done = _scan_columns(tokens, scan, data, book, row_no)
    if done is not None:
        return done
    columns: dict[bytes, int] = {}
    kinds: dict[bytes, tuple[bytes, int]] = {}
    strings = book.strings if book is not None else []
    dates = book.date_styles if book is not None else frozenset()
    keep = data is not None and book is not None
    add_row, add_col, add_value = (data.rows.append, data.cols.append, data.values.append) if keep else (
        None, None, None)
    uncached = scan.uncached_formulas
    cells, max_row, max_col = scan.cells, scan.max_row, scan.max_col
    limit = MAX_XLSX_CELLS
    col_no = 0
    for letters, at, rest, v, inline, formula, fv, row, row_r, row_rest in tokens:
        if row:
            if not row_r and row_rest:
                row_r = _attrs(row_rest).get(b"r") or b""
            row_no = int(row_r) if row_r.isdigit() else row_no + 1
            col_no = 0
            if cells > limit:
                break
            continue
        if letters:
            col_no = columns.get(letters) or columns.setdefault(letters, column_number(letters.decode("ascii")))
            at_row = int(at)
            ref: bytes | None = letters + at
        else:
            found = _attrs(rest)
            ref = found.get(b"r")
            mm = _REF.match(_xml_text(ref)) if ref else None
            if mm:
                col_no, at_row = column_number(mm[1]), int(mm[2])
            else:
                col_no, at_row = col_no + 1, row_no
            if ref is not None:
                rest = b" ".join(k + b'="' + val + b'"' for k, val in found.items() if k != b"r")
        kind_style = kinds.get(rest)
        if kind_style is None:
            found = _attrs(rest)
            kind_style = kinds.setdefault(rest, (found.get(b"t", b"n"), int(found.get(b"s") or 0)))
        kind, style = kind_style
        if kind == b"inlineStr":
            if not inline:
                continue
            if keep:
                it = pat.inline_text.search(inline)
                value: Any = _xml_text(it[1]) if it else ""
        else:
            text = v or fv
            if not text:
                if formula:
                    uncached.append(_xml_text(ref) if ref else f"{column_letters(col_no)}{at_row}")
                continue
            if not keep:
                pass
            elif kind == b"s":
                value = strings[int(text)]
            elif kind == b"n" and style not in dates:
                value = float(text) if (b"." in text or b"E" in text or b"e" in text) else int(text)
            else:
                value = _cell_value(kind.decode("ascii", "replace"), _xml_text(text), style, book)
        cells += 1
        if at_row > max_row:
            max_row = at_row
        if col_no > max_col:
            max_col = col_no
        if keep:
            add_row(at_row)
            add_col(col_no)
            add_value(value)
    scan.cells, scan.max_row, scan.max_col = cells, max_row, max_col
    return row_no


def _scan_sheet_tree(fh: IO[bytes], scan: SheetScan, data: SheetCells | None, book: _Book | None) -> None:
    """Fill ``scan`` (and ``data``) from the sheet XML ``fh`` with lxml's streaming parser, row by row."""
    row_no = 0
    ref = None
    ns = None
    for _, el in _iterparse(fh, ("{*}row", "{*}mergeCell", "{*}dimension")):
        tag = el.tag
        if ns is None:
            ns = tag[: tag.rindex("}") + 1] if tag.startswith("{") else ""
            c_tag, v_tag, f_tag, is_tag = ns + "c", ns + "v", ns + "f", ns + "is"
            row_tag = ns + "row"
        if tag == row_tag:
            r = el.get("r")
            row_no = int(r) if r and r.isdigit() else row_no + 1
            col_no = 0
            for c in el:
                if c.tag != c_tag:
                    continue
                ref = c.get("r")
                m = _REF.match(ref) if ref else None
                if m:
                    col_no, at_row = column_number(m[1]), int(m[2])
                else:
                    col_no, at_row = col_no + 1, row_no
                text = None
                inline = formula = False
                for child in c:
                    ctag = child.tag
                    if ctag == v_tag:
                        text = child.text or None
                    elif ctag == is_tag:
                        inline = child
                    elif ctag == f_tag:
                        formula = True
                kind = c.get("t", "n")
                if kind == "inlineStr":
                    if inline is False:
                        continue
                    value: Any = _text_content(inline, ns) if book is not None else ""
                elif text is None:
                    if formula:
                        scan.uncached_formulas.append(ref or f"{column_letters(col_no)}{at_row}")
                    continue
                else:
                    value = None if book is None else _cell_value(kind, text, int(c.get("s") or 0), book)
                scan.cells += 1
                if at_row > scan.max_row:
                    scan.max_row = at_row
                if col_no > scan.max_col:
                    scan.max_col = col_no
                if data is not None:
                    data.rows.append(at_row)
                    data.cols.append(col_no)
                    data.values.append(value)
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
            if scan.cells > MAX_XLSX_CELLS:
                break
        elif _local(tag) == "dimension":
            scan.declared = el.get("ref")
        else:  # mergeCell
            parts = (el.get("ref") or "").split(":")
            ms = [_REF.match(p) for p in parts]
            if ms and all(ms):
                a, b = ms[0], ms[-1]
                scan.merged.append((int(a[2]), column_number(a[1]), int(b[2]), column_number(b[1])))


def _scan_sheet(zf: zipfile.ZipFile, title: str, member: str, path: Path, book: _Book | None) -> SheetScan:
    """Stream one sheet: its extent, merged ranges, uncached formulas and (with ``book``) its values."""
    try:
        try:
            scan, data = SheetScan(title, member), SheetCells() if book is not None else None
            with zf.open(member) as fh:
                _scan_sheet_fast(fh, scan, data, book)
        except _NotSimple:
            scan, data = SheetScan(title, member), SheetCells() if book is not None else None
            with zf.open(member) as fh:
                _scan_sheet_tree(fh, scan, data, book)
    except _DAMAGED as exc:
        raise file_error(path, "import.tables.xlsx_sheet_unreadable", sheet=title, detail=str(exc)) from None
    scan.data = data
    return scan


def scan_workbook(path: Path, *, values: bool = False) -> list[SheetScan]:
    """Stream every sheet of ``path``; refuse one past the limits (see module docstring).

    Parameters
    ----------
    values : bool, default False
        Keep every filled cell's value (``SheetScan.data``) so :func:`read_sheets` needs no
        second pass; False only measures (e.g. to list the sheets).

    Raises
    ------
    DataImportError
        Not a workbook, damaged, or a sheet over ``MAX_XLSX_CELLS`` / ``MAX_XLSX_SPAN``.
    """
    out = []
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise file_error(path, "import.tables.xlsx_cannot_open", detail=str(exc)) from None
    with zf:
        sheets, book = _open_book(zf, path, values)
        for title, member in sheets:
            scan = _scan_sheet(zf, title, member, path, book if values else None)
            if scan.cells > MAX_XLSX_CELLS:
                raise file_error(path, "import.tables.xlsx_too_many_cells", sheet=title, limit=MAX_XLSX_CELLS)
            if scan.span > MAX_XLSX_SPAN:
                raise file_error(
                    path, "import.tables.xlsx_span_too_large", sheet=title, extent=scan.extent,
                    rows=scan.max_row, cols=scan.max_col, span=scan.span, cells=scan.cells, limit=MAX_XLSX_SPAN,
                )
            out.append(scan)
    return out


def _laid_out(scan: SheetScan) -> list[list[object]]:
    """The sheet's rows, each ``scan.max_col`` cells long (None where empty), up to its last filled row."""
    rows: list[list[object]] = [[None] * scan.max_col for _ in range(scan.max_row)]
    data = scan.data
    if data is not None:
        for r, c, v in zip(data.rows, data.cols, data.values):
            rows[r - 1][c - 1] = v
    return rows


def read_sheets(
    path: Path, scans: list[SheetScan], titles: list[str], report: ImportReport
) -> dict[str, list[list[object]]]:
    """Rows (lists of cell values, row ``i`` = spreadsheet row ``i + 1``) of the sheets ``titles``.

    Each row holds the sheet's real last column; trailing empty rows are not read. Sheets
    scanned without their values are streamed again (with them). Formulas without a cached
    value are warned about (naming the cells).
    """
    by_title = {s.title: s for s in scans}
    missing = [t for t in titles if by_title[t].data is None and by_title[t].cells]
    if missing:
        by_title.update({s.title: s for s in scan_workbook(path, values=True) if s.title in missing})
    out: dict[str, list[list[object]]] = {}
    for title in titles:
        scan = by_title[title]
        if scan.declared and scan.declared.split(":")[-1] != scan.extent.split(":")[-1] and scan.cells:
            report.note("import.tables.xlsx_declared_range", sheet=title, declared=scan.declared,
                        extent=scan.extent)
        out[title] = _laid_out(scan) if scan.cells else []
        if scan.uncached_formulas:
            cells = scan.uncached_formulas
            shown = ", ".join(cells[:FORMULAS_SHOWN])
            more = len(cells) - FORMULAS_SHOWN
            if more > 0:
                report.warn("import.tables.xlsx_formula_no_value_more", sheet=title, n=len(cells), cells=shown,
                            more=more)
            else:
                report.warn("import.tables.xlsx_formula_no_value", sheet=title, n=len(cells), cells=shown)
    return out
