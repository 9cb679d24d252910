"""Reading user files: CSV (encoding detected), XLSX (title rows skipped) and vector files.

Tables are returned as strings/native cell values with the spreadsheet row number of
every data row, so that every later message can name the row the user sees.
"""

from __future__ import annotations

import csv
import io
import os
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
    if max_mb is not None:
        size_mb = p.stat().st_size / 1e6
        if size_mb > max_mb:
            raise DataImportError(
                f"file is {size_mb:.1f} MB, over the {max_mb:g} MB import limit "
                "(split it, or raise the limit with max_mb=)",
                p,
            )
    return p


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


def _csv_rows(path: Path) -> tuple[list[list[object]], str]:
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        import gzip

        try:
            data = gzip.decompress(data)
        except OSError as exc:
            raise DataImportError(f"cannot decompress: {exc}", path) from None
    text, encoding = decode_text(data, path)
    if encoding == "utf-8" and text.startswith("\ufeff"):
        text = text[1:]
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


def _xlsx_sheets(path: Path) -> list[tuple[str, list[list[object]]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for corrupt files
        raise DataImportError(f"cannot open as an Excel workbook: {exc}", path) from None
    try:
        return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    finally:
        wb.close()


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
) -> Table:
    """Read a CSV/XLSX file, locating the header row by its recognised column names.

    The header is the first row (of the first :data:`HEADER_SCAN_ROWS`) in which at
    least ``min_fields`` cells match ``aliases``; title rows above it are skipped (and
    noted in ``report``). Entirely empty rows are skipped; those between data rows are
    noted with their row number, trailing ones are not data.

    Raises
    ------
    DataImportError
        If no header row is found (the message lists the accepted names).
    """
    encoding = None
    if path.suffix.lower() in (".csv", ".txt", ".gz"):
        rows, encoding = _csv_rows(path)
        sheets = [("", rows)]
        report.note(f"read as CSV, encoding {encoding}")
    else:
        sheets = _xlsx_sheets(path)
    for sheet, rows in sheets:
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
    for j in range(len(data)):
        if j not in set(keep):
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
