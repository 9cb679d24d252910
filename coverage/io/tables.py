"""Reading user files: CSV (encoding detected), XLSX (title rows skipped) and vector files.

Tables are returned as strings/native cell values with the spreadsheet row number of
every data row, so that every later message can name the row the user sees.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import geopandas as gpd
import pandas as pd

from coverage.io.columns import match_columns
from coverage.io.report import DataImportError, ImportReport

__all__ = [
    "DEFAULT_MAX_MB",
    "TABLE_SUFFIXES",
    "VECTOR_SUFFIXES",
    "RASTER_SUFFIXES",
    "Table",
    "check_file",
    "file_kind",
    "decode_text",
    "read_table",
    "read_vector",
]

DEFAULT_MAX_MB = 50.0
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")
RASTER_SUFFIXES = (".tif", ".tiff")
# Tried in order. GB18030 is a superset of GBK/GB2312 and decodes any byte string that
# is valid in them; UTF-8 is tried first because GBK text is almost never valid UTF-8.
ENCODINGS = ("utf-8-sig", "gb18030")
HEADER_SCAN_ROWS = 30
#: ZIP-based inputs (XLSX, zipped Shapefile) are refused when their members add up to
#: more than this many times the import size limit (XML compresses ~5-10×).
ARCHIVE_SUFFIXES = (".xlsx", ".xlsm", ".zip")
ARCHIVE_EXPANSION = 20


@dataclass
class Table:
    """A table read from a CSV/XLSX file.

    Attributes
    ----------
    frame : pandas.DataFrame
        Data rows (object dtype, cells as read), columns named as in the header
        (duplicate names get ``.1``, ``.2`` suffixes).
    rows : list of int
        For each row of ``frame``, its 1-based row number in the file (header counted).
    header_row : int
        1-based row number of the header.
    columns : dict
        Canonical field → header, from the alias table used to find the header.
    encoding : str or None
        Detected text encoding (CSV only).
    """

    frame: pd.DataFrame
    rows: list[int]
    header_row: int
    columns: dict[str, str]
    encoding: str | None = None


def check_file(path: str | os.PathLike[str], max_mb: float | None = DEFAULT_MAX_MB) -> Path:
    """Validate that ``path`` exists, is a file and is at most ``max_mb`` MB.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    DataImportError
        If it is a directory or larger than the limit.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file")
    if not p.is_file():
        raise DataImportError(f"{p} is not a file", p)
    if p.stat().st_size == 0:
        raise DataImportError("the file is empty (0 bytes)", p)
    if max_mb is not None:
        size_mb = p.stat().st_size / 1e6
        if size_mb > max_mb:
            raise DataImportError(
                f"file is {size_mb:.3g} MB, over the {max_mb:g} MB import limit "
                "(split it, or raise the limit with max_mb=)",
                p,
            )
        if p.suffix.lower() in ARCHIVE_SUFFIXES:
            _check_archive(p, max_mb)
    return p


def _check_archive(path: Path, max_mb: float) -> None:
    """Refuse an XLSX / zipped Shapefile whose contents expand past ``ARCHIVE_EXPANSION × max_mb``.

    The sizes are the ones the archive declares; a member that expands past its declared
    size fails its own check when read (``zipfile`` verifies sizes and CRCs).
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        if path.suffix.lower() == ".zip":
            raise DataImportError(f"cannot read as vector data: not a ZIP archive ({exc})", path) from None
        raise DataImportError(
            f"cannot open as an Excel workbook: {exc} (damaged, or another format renamed .xlsx)", path
        ) from None
    cap_mb = ARCHIVE_EXPANSION * max_mb
    if total / 1e6 > cap_mb:
        raise DataImportError(
            f"its contents expand to {total / 1e6:.3g} MB, over the {cap_mb:g} MB limit for "
            f"archives ({ARCHIVE_EXPANSION}× the {max_mb:g} MB import limit; raise it with max_mb=)",
            path,
        )


def file_kind(path: Path) -> str:
    """``"table"``, ``"vector"`` or ``"raster"`` from the file suffix; DataImportError otherwise."""
    suffix = path.suffix.lower()
    if path.name.lower().endswith(".csv.gz"):
        return "table"
    if suffix in TABLE_SUFFIXES:
        return "table"
    if suffix in VECTOR_SUFFIXES:
        return "vector"
    if suffix in RASTER_SUFFIXES:
        return "raster"
    if suffix == ".xls":
        raise DataImportError(
            "old Excel .xls files are not supported: save the sheet as .xlsx or CSV", path
        )
    raise DataImportError(
        f"unsupported file type {suffix or '(none)'!r}; expected CSV, XLSX, GeoJSON, "
        "GeoPackage, zipped Shapefile or GeoTIFF",
        path,
    )


def decode_text(data: bytes, file: Path) -> tuple[str, str]:
    """Decode ``data`` as UTF-8 (with or without BOM) or GB18030/GBK; return (text, encoding)."""
    for enc in ENCODINGS:
        try:
            return data.decode(enc), ("utf-8" if enc == "utf-8-sig" else enc)
        except UnicodeDecodeError:
            continue
    raise DataImportError(
        "cannot decode the file as UTF-8 or GBK/GB18030; save it as UTF-8 CSV", file
    )


def _gunzip_capped(path: Path, max_mb: float | None) -> bytes:
    """Decompress a ``.gz`` file, refusing more than ``max_mb`` MB of decompressed data.

    The data are decompressed in chunks, so a small file that expands enormously (a
    "zip bomb") is refused after reading at most ``max_mb`` MB, never held in memory whole.
    """
    import gzip
    import zlib

    cap = None if max_mb is None else int(max_mb * 1e6)
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(path, "rb") as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                total += len(chunk)
                if cap is not None and total > cap:
                    raise DataImportError(
                        f"decompresses to more than the {max_mb:g} MB import limit "
                        "(the limit applies to the uncompressed data; split the file, "
                        "or raise the limit with max_mb=)",
                        path,
                    )
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataImportError(f"cannot decompress: {exc}", path) from None
    return b"".join(chunks)


def _csv_rows(path: Path, max_mb: float | None = DEFAULT_MAX_MB) -> tuple[list[list[object]], str]:
    if path.name.lower().endswith(".gz"):
        data = _gunzip_capped(path, max_mb)
    else:
        data = path.read_bytes()
    text, encoding = decode_text(data, path)
    if encoding == "utf-8" and text.startswith("\ufeff"):
        text = text[1:]
    if text.strip() == "":
        raise DataImportError("the file holds no text (only blanks or a byte-order mark)", path)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [list(r) for r in reader]
    except csv.Error as exc:
        raise DataImportError(f"not a readable CSV file (line {reader.line_num}): {exc}", path) from None
    return rows, ("utf-8-bom" if data[:3] == b"\xef\xbb\xbf" else encoding)


#: A merged range: (first row, first column, last row, last column), 1-based, inclusive.
MergedRange = tuple[int, int, int, int]
_MERGE_REF = re.compile(r'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _merged_ranges(path: Path, worksheet_path: str | None) -> list[MergedRange]:
    """Merged cell ranges of one sheet, read from its XML (read-only openpyxl hides them)."""
    import zipfile

    if not worksheet_path:
        return []
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read(worksheet_path.lstrip("/")).decode("utf-8", errors="replace")
    except (KeyError, OSError, zipfile.BadZipFile):
        return []
    out = []
    for c0, r0, c1, r1 in _MERGE_REF.findall(xml):
        c1, r1 = (c1, r1) if c1 else (c0, r0)
        out.append((int(r0), _column_number(c0), int(r1), _column_number(c1)))
    return out


def _xlsx_sheets(path: Path) -> list[tuple[str, list[list[object]], list[MergedRange]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for corrupt files
        raise DataImportError(f"cannot open as an Excel workbook: {exc}", path) from None
    try:
        return [
            (
                ws.title,
                [list(r) for r in ws.iter_rows(values_only=True)],
                _merged_ranges(path, getattr(ws, "_worksheet_path", None)),
            )
            for ws in wb.worksheets
        ]
    finally:
        wb.close()


def _unmerge(
    rows: list[list[object]],
    merged: list[MergedRange],
    header_row: int,
    header: list[str],
    report: ImportReport,
) -> None:
    """Copy each merged range's value into every cell it covers below the header row.

    Excel keeps a merged range's value in its top-left cell only, so without this the
    other rows would read as empty. Every range touching the data rows is reported
    (warning, naming the range, its rows and column).
    """
    for r0, c0, r1, c1 in sorted(merged):
        if r1 <= header_row or c0 > len(header):
            continue
        ref = f"{_column_letters(c0)}{r0}:{_column_letters(c1)}{r1}"
        cols = header[c0 - 1 : min(c1, len(header))]
        column = cols[0] if len(cols) == 1 else None
        where = f"column {cols[0]}" if len(cols) == 1 else "columns " + ", ".join(cols)
        if r0 <= header_row:
            report.warn(
                f"merged cells {ref} join the header row {header_row} to data rows; "
                f"the data cells of {where} in rows {header_row + 1}-{r1} are read as empty",
                row=header_row + 1,
                column=column,
            )
            continue
        value = rows[r0 - 1][c0 - 1] if r0 - 1 < len(rows) and c0 - 1 < len(rows[r0 - 1]) else None
        for r in range(r0, r1 + 1):
            if r - 1 >= len(rows):
                break
            line = rows[r - 1]
            if len(line) < c1:
                line.extend([None] * (c1 - len(line)))
            for c in range(c0, c1 + 1):
                line[c - 1] = value
        span = f"row {r0}" if r0 == r1 else f"rows {r0}-{r1}"
        report.warn(
            f"merged cells {ref}: the value {value!r} is copied to each cell of {where}, {span}; "
            "check it applies to every row",
            row=r0,
            column=column,
        )


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip() == "")


def _find_header(
    rows: list[list[object]], aliases: Mapping[str, Iterable[str]], min_fields: int
) -> tuple[int, dict[str, str]] | None:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = match_columns(row, aliases)
        if len(found) >= min_fields:
            return i, found
    return None


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}.{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out


def read_table(
    path: Path,
    aliases: Mapping[str, Iterable[str]],
    report: ImportReport,
    min_fields: int = 2,
    max_mb: float | None = DEFAULT_MAX_MB,
) -> Table:
    """Read a CSV/XLSX file, locating the header row by its recognised column names.

    The header is the first row (of the first :data:`HEADER_SCAN_ROWS`) in which at
    least ``min_fields`` cells match ``aliases``; title rows above it are skipped (and
    noted in ``report``). Entirely empty rows are skipped; those between data rows are
    noted with their row number, trailing ones are not data. In XLSX files, merged
    cells below the header have their value copied into every cell they cover (warned).
    A ``.csv.gz`` is decompressed in a stream and refused past ``max_mb`` MB of
    uncompressed data.

    Raises
    ------
    DataImportError
        If no header row is found (the message lists the accepted names).
    """
    encoding = None
    if path.suffix.lower() in (".csv", ".txt", ".gz"):
        rows, encoding = _csv_rows(path, max_mb)
        sheets = [("", rows, [])]
        report.note(f"read as CSV, encoding {encoding}")
    else:
        sheets = _xlsx_sheets(path)
    for sheet, rows, merged in sheets:
        hit = _find_header(rows, aliases, min_fields)
        if hit is not None:
            break
    else:
        accepted = "; ".join(f"{k}: {'/'.join(v[:4])}" for k, v in aliases.items())
        raise DataImportError(
            f"no header row found in the first {HEADER_SCAN_ROWS} rows "
            f"(need at least {min_fields} recognised column names; accepted: {accepted})",
            path,
        )
    h, found = hit
    if sheet and len(sheets) > 1:
        report.note(f"read sheet {sheet!r}")
    if h > 0:
        report.note(f"header found on row {h + 1}; {h} title row(s) above it skipped")
    header = [("" if c is None else str(c).strip()) for c in rows[h]]
    width = len(header)
    while width > 0 and header[width - 1] == "":
        width -= 1
    header = _unique([c if c else f"(column {j + 1})" for j, c in enumerate(header[:width])])
    if merged:
        _unmerge(rows, merged, h + 1, header, report)
    data, numbers = [], []
    for i in range(h + 1, len(rows)):
        cells = list(rows[i][:width]) + [None] * max(0, width - len(rows[i]))
        data.append(cells)
        numbers.append(i + 1)
    # trailing empty rows are padding, not data; interior empty rows are noted.
    while data and all(_is_blank(c) for c in data[-1]):
        data.pop()
        numbers.pop()
    keep = [j for j, cells in enumerate(data) if not all(_is_blank(c) for c in cells)]
    kept = set(keep)
    for j in range(len(data)):
        if j not in kept:
            report.note("empty row skipped", row=numbers[j])
    found = match_columns(header, aliases)
    frame = pd.DataFrame([data[j] for j in keep], columns=header, dtype=object)
    return Table(frame, [numbers[j] for j in keep], h + 1, found, encoding)


def read_vector(path: Path, report: ImportReport) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage (first layer) or zipped/plain Shapefile.

    Raises
    ------
    DataImportError
        If the file cannot be read as vector data.
    """
    import pyogrio

    target = str(path)
    try:
        layers = pyogrio.list_layers(target)
        if len(layers) > 1:
            report.note(f"file has {len(layers)} layers; read the first, {layers[0][0]!r}")
        gdf = gpd.read_file(target, layer=layers[0][0] if len(layers) else None)
    except DataImportError:
        raise
    except Exception as exc:
        raise DataImportError(f"cannot read as vector data: {exc}", path) from None
    return gdf
