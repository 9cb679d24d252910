"""Reading user files: CSV (encoding detected), XLSX (title rows skipped) and vector files.

Tables are returned as strings/native cell values with the spreadsheet row number of
every data row, so that every later message can name the row the user sees. Nothing is
dropped or changed without a line in the report:

* CSV: malformed quoting is an error naming the row where the open quote starts; a quoted
  cell spanning several lines is a warning naming the rows; cells beyond the header's last
  column are a warning naming the rows; the encoding is detected (see
  :mod:`coverage.io.encoding`) or given (``encoding=``);
* XLSX: sheets are streamed and size-checked first (:mod:`coverage.io.xlsx`); a workbook
  with a header on several sheets needs ``sheet=`` (the error lists them);
* vector files: several layers with features need ``layer_name=`` (the error lists them);
  a nested FeatureCollection in GeoJSON is refused; a Shapefile without ``.cpg`` whose
  Latin-1 text is GBK mojibake is re-read as GB18030 (warning);
* every text cell loses its control characters and lone surrogates (warning naming rows).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import geopandas as gpd
import pandas as pd

from coverage.errors import InputError
from coverage.io.columns import match_columns
from coverage.io.geopackage import check_plain_tables
from coverage.io.encoding import ROWS_SHOWN, clean_frame, decode_text, looks_like_mojibake, row_list
from coverage.io.report import DataImportError, ImportReport, file_error
from coverage.io.xlsx import MergedRange, column_letters, read_sheets, scan_workbook
from coverage.settings import ARCHIVE_EXPANSION, MAX_IMPORT_MB

__all__ = [
    "DEFAULT_MAX_MB",
    "TABLE_SUFFIXES",
    "VECTOR_SUFFIXES",
    "RASTER_SUFFIXES",
    "Table",
    "check_file",
    "check_max_mb",
    "file_kind",
    "decode_text",
    "read_table",
    "read_vector",
    "list_sheets",
    "list_layers",
]

DEFAULT_MAX_MB = MAX_IMPORT_MB
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")
RASTER_SUFFIXES = (".tif", ".tiff")
HEADER_SCAN_ROWS = 30
#: ZIP-based inputs (XLSX, zipped Shapefile) are refused when their members add up to
#: more than ``settings.ARCHIVE_EXPANSION`` times the import size limit.
ARCHIVE_SUFFIXES = (".xlsx", ".xlsm", ".zip")
_NESTED_FC = re.compile(rb'"type"\s*:\s*"FeatureCollection"')
#: The csv module's complaint about text after a closing quote (its delimiter quoted).
_AFTER_QUOTE = re.compile(r"'(.)' expected after '\"'")


@dataclass
class Table:
    """A table read from a CSV/XLSX file.

    Attributes
    ----------
    frame : pandas.DataFrame
        Data rows (object dtype, cells as read), columns named as in the header
        (duplicate names get ``.1``, ``.2`` suffixes).
    rows : list of int
        For each row of ``frame``, its 1-based row number in the file as a spreadsheet
        shows it (header counted; a CSV record whose quoted cell runs over several lines
        is one row).
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


def check_max_mb(max_mb: float | None) -> float | None:
    """``max_mb`` if it is None or a finite positive number; :class:`InputError` otherwise."""
    if max_mb is None:
        return None
    try:
        value = float(max_mb)
    except (TypeError, ValueError):
        raise InputError(f"max_mb must be a positive number of MB, got {max_mb!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"max_mb must be a positive, finite number of MB, got {max_mb!r}")
    return value


def check_file(path: str | os.PathLike[str], max_mb: float | None = DEFAULT_MAX_MB) -> Path:
    """Validate that ``path`` exists, is a file and is at most ``max_mb`` MB.

    Raises
    ------
    InputError
        ``max_mb`` is not a positive finite number (NaN, inf, 0, negative).
    DataImportError
        If it does not exist, is a directory, is empty or is larger than the limit (the
        message names the file).
    """
    max_mb = check_max_mb(max_mb)
    p = Path(path)
    if not p.exists():
        raise file_error(p, "import.tables.no_such_file", path=str(p))
    if not p.is_file():
        raise file_error(p, "import.tables.not_a_file", path=str(p))
    if p.stat().st_size == 0:
        raise file_error(p, "import.tables.empty_file")
    if max_mb is not None:
        size_mb = p.stat().st_size / 1e6
        if size_mb > max_mb:
            raise file_error(p, "import.tables.file_too_large", size_mb=size_mb, max_mb=max_mb)
        if p.suffix.lower() in ARCHIVE_SUFFIXES:
            _check_archive(p, max_mb)
    return p


def _check_archive(path: Path, max_mb: float) -> None:
    """Refuse an XLSX / zipped Shapefile whose contents expand past ``ARCHIVE_EXPANSION × max_mb``.

    The sizes are the ones the archive declares; a member that expands past its declared
    size fails its own check when read (``zipfile`` verifies sizes and CRCs).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        if path.suffix.lower() == ".zip":
            raise file_error(path, "import.tables.zip_unreadable", detail=str(exc)) from None
        raise file_error(path, "import.tables.xlsx_damaged_or_renamed", detail=str(exc)) from None
    cap_mb = ARCHIVE_EXPANSION * max_mb
    if total / 1e6 > cap_mb:
        raise file_error(path, "import.tables.archive_too_large", size_mb=total / 1e6, cap_mb=cap_mb,
                         factor=ARCHIVE_EXPANSION, max_mb=max_mb)


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
        raise file_error(path, "import.tables.xls_unsupported")
    raise file_error(path, "import.tables.unsupported_type", suffix=suffix or "(none)")


def _gunzip_capped(path: Path, max_mb: float | None) -> bytes:
    """Decompress a ``.gz`` file, refusing more than ``max_mb`` MB of decompressed data.

    The data are decompressed in chunks, so a small file that expands enormously (a
    "zip bomb") is refused after reading at most ``max_mb`` MB, never held in memory whole.
    """
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
                    raise file_error(path, "import.tables.gz_too_large", max_mb=max_mb)
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise file_error(path, "import.tables.gz_unreadable", detail=str(exc)) from None
    return b"".join(chunks)


def _too_many_rows(path: Path, row: int, max_rows: int) -> DataImportError:
    return file_error(path, "import.tables.too_many_rows", row=row, limit=max_rows)


def _csv_rows(
    path: Path, report: ImportReport, max_mb: float | None = DEFAULT_MAX_MB, encoding: str | None = None,
    max_rows: int | None = None,
) -> tuple[list[list[object]], str]:
    """Rows (records) of a CSV file and the encoding used; refused as soon as it holds more than
    ``max_rows`` rows below the first :data:`HEADER_SCAN_ROWS` (where the header may be)."""
    if path.name.lower().endswith(".gz"):
        data = _gunzip_capped(path, max_mb)
    else:
        data = path.read_bytes()
    text, enc = decode_text(data, path, report, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.strip() == "":
        raise file_error(path, "import.tables.csv_no_text")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[object]] = []
    spanning: list[tuple[int, int, int]] = []  # (row, first line, last line)
    while True:
        start = reader.line_num + 1
        record = len(rows) + 1  # rows are numbered as a spreadsheet shows them (one per record)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            detail = str(exc)
            if "end of data" in detail:
                raise file_error(path, "import.tables.csv_unclosed_quote", row=record, line=start) from None
            after = _AFTER_QUOTE.fullmatch(detail)
            if after:
                raise file_error(path, "import.tables.csv_text_after_quote", row=record, line=start,
                                 delimiter=after[1]) from None
            raise file_error(path, "import.tables.csv_bad_quoting", row=record, line=start, detail=detail) from None
        if reader.line_num > start:
            spanning.append((record, start, reader.line_num))
        rows.append(list(row))
        if max_rows is not None and record > max_rows + HEADER_SCAN_ROWS:
            raise _too_many_rows(path, record, max_rows)
    if spanning:
        lines = ", ".join(f"{a}-{b}" for _, a, b in spanning[:ROWS_SHOWN]) + (" …" if len(spanning) > ROWS_SHOWN else "")
        form, where = row_list([r for r, _, _ in spanning])
        report.warn(f"import.tables.csv_multiline_cells.{form}", row=spanning[0][0], lines=lines, **where)
    label = "utf-8-bom" if enc == "utf-8" and data[:3] == b"\xef\xbb\xbf" else enc
    return rows, label


def list_sheets(path: str | os.PathLike[str]) -> list[str]:
    """Names of the sheets of an XLSX workbook that hold at least one cell (the app's selector).

    Raises
    ------
    DataImportError
        Not a readable workbook, or a sheet over the size limits.
    """
    return [s.title for s in scan_workbook(Path(path)) if s.cells]


def list_layers(path: str | os.PathLike[str]) -> list[str]:
    """Names of the layers of a vector file (GeoPackage, zip of Shapefiles …) that hold features.

    Raises
    ------
    DataImportError
        Not readable as vector data.
    """
    return [name for name, _ in _layers_with_features(Path(path))]


def _layers_with_features(path: Path) -> list[tuple[str, int]]:
    import pyogrio

    check_plain_tables(path)
    try:
        layers = pyogrio.list_layers(str(path))
        out = []
        for name, _geom in layers:
            info = pyogrio.read_info(str(path), layer=name)
            out.append((str(name), int(info.get("features") or 0)))
    except DataImportError:
        raise
    except Exception as exc:
        raise file_error(path, "import.tables.vector_unreadable", detail=str(exc)) from None
    return [(n, k) for n, k in out if k != 0] or out[:1]


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
        ref = f"{column_letters(c0)}{r0}:{column_letters(c1)}{r1}"
        cols = header[c0 - 1 : min(c1, len(header))]
        column = cols[0] if len(cols) == 1 else None
        which = {"header": cols[0]} if len(cols) == 1 else {"headers": ", ".join(cols)}
        if r0 <= header_row:
            report.warn(f"import.tables.merged_header_{'column' if column is not None else 'columns'}",
                        row=header_row + 1, column=column, ref=ref, header_row=header_row, first=header_row + 1,
                        last=r1, **which)
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
        shape = f"{'column' if column is not None else 'columns'}_{'row' if r0 == r1 else 'rows'}"
        report.warn(f"import.tables.merged_copied_{shape}", row=r0, column=column, ref=ref, value=repr(value),
                    first=r0, last=r1, **which)


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


def _xlsx_sheet(
    path: Path, aliases: Mapping[str, Iterable[str]], min_fields: int, sheet: str | None, report: ImportReport
) -> tuple[str, list[list[object]], list[MergedRange]]:
    """The one sheet to read: ``sheet``, else the only one with a header (error if several)."""
    scans = scan_workbook(path, values=True)
    titles = [s.title for s in scans]
    if not titles:
        raise file_error(path, "import.tables.xlsx_no_sheet")
    if sheet is not None:
        if sheet not in titles:
            raise file_error(path, "import.tables.xlsx_no_such_sheet", sheet=sheet, sheets=", ".join(map(repr, titles)))
        rows = read_sheets(path, scans, [sheet], report)[sheet]
        return sheet, rows, next(s.merged for s in scans if s.title == sheet)
    filled = [s.title for s in scans if s.cells]
    all_rows = read_sheets(path, scans, filled, report)
    with_header = [t for t in filled if _find_header(all_rows[t], aliases, min_fields) is not None]
    if len(with_header) > 1:
        raise file_error(path, "import.tables.xlsx_several_tables", n=len(with_header),
                         sheets=", ".join(map(repr, with_header)))
    if not with_header:  # no header anywhere: the caller says which names it looked for
        first = filled[0] if filled else titles[0]
        return first, all_rows.get(first, []), []
    chosen = with_header[0]
    others = [t for t in filled if t != chosen]
    if others:
        cells = {s.title: s.cells for s in scans}
        if len(others) == 1:
            key = "import.tables.xlsx_other_sheet_skipped" + ("_one_cell" if cells[others[0]] == 1 else "")
            report.warn(key, sheet=chosen, other=others[0], cells=cells[others[0]])
        else:  # counted items, worded in the page's language (coverage.io.report.value_text)
            report.warn("import.tables.xlsx_other_sheets_skipped", sheet=chosen,
                        others=[{"name": t, "cells": cells[t]} for t in others])
    elif len(titles) > 1:
        report.note("import.tables.xlsx_read_sheet", sheet=chosen)
    return chosen, all_rows[chosen], next(s.merged for s in scans if s.title == chosen)


def read_table(
    path: Path,
    aliases: Mapping[str, Iterable[str]],
    report: ImportReport,
    min_fields: int = 2,
    max_mb: float | None = DEFAULT_MAX_MB,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    max_rows: int | None = None,
) -> Table:
    """Read a CSV/XLSX file, locating the header row by its recognised column names.

    The header is the first row (of the first :data:`HEADER_SCAN_ROWS`) in which at
    least ``min_fields`` cells match ``aliases``; title rows above it are skipped (and
    noted in ``report``). Entirely empty rows are skipped; those between data rows are
    noted with their row number, trailing ones are not data. In XLSX files, merged
    cells below the header have their value copied into every cell they cover (warned).
    A ``.csv.gz`` is decompressed in a stream and refused past ``max_mb`` MB of
    uncompressed data. See the module docstring for what is an error or a warning.

    Parameters
    ----------
    sheet : str, optional
        XLSX sheet to read; required when several sheets hold a table.
    encoding : str, optional
        CSV text encoding (default: detected).
    max_rows : int, optional
        Refuse a table of more data rows (a CSV as soon as it is read that far, before its cells
        are cleaned).

    Raises
    ------
    DataImportError
        If no header row is found (the message lists the accepted names), several sheets
        hold a table and ``sheet`` is not given, or the CSV quoting is malformed.
    """
    encoding_used = None
    merged: list[MergedRange] = []
    if path.suffix.lower() in (".csv", ".txt", ".gz"):
        rows, encoding_used = _csv_rows(path, report, max_mb, encoding, max_rows)
        report.note("import.tables.csv_encoding", encoding=encoding_used)
    else:
        _title, rows, merged = _xlsx_sheet(path, aliases, min_fields, sheet, report)
    numbers_all = list(range(1, len(rows) + 1))
    hit = _find_header(rows, aliases, min_fields)
    if hit is None:
        accepted = "; ".join(f"{k}: {'/'.join(v[:4])}" for k, v in aliases.items())
        raise file_error(path, "import.tables.no_header", scan=HEADER_SCAN_ROWS, need=min_fields, accepted=accepted)
    h, found = hit
    if h > 0:
        report.note("import.tables.header_after_titles", header_row=numbers_all[h], titles=h)
    header = [("" if c is None else str(c).strip()) for c in rows[h]]
    width = len(header)
    while width > 0 and header[width - 1] == "":
        width -= 1
    header = _unique([c if c else f"(column {j + 1})" for j, c in enumerate(header[:width])])
    if merged:
        _unmerge(rows, merged, h + 1, header, report)
    if max_rows is not None and len(rows) - h - 1 > max_rows:
        raise _too_many_rows(path, numbers_all[h + 1 + max_rows], max_rows)
    data, numbers, beyond = [], [], []
    for i in range(h + 1, len(rows)):
        line = rows[i]
        if len(line) > width and any(not _is_blank(c) for c in line[width:]):
            beyond.append(numbers_all[i])
        data.append(line if len(line) == width else list(line[:width]) + [None] * max(0, width - len(line)))
        numbers.append(numbers_all[i])
    if beyond:
        last = column_letters(width) if encoding_used is None else str(width)
        form, where = row_list(beyond)
        report.warn(f"import.tables.cells_beyond_header.{form}", row=beyond[0],
                    header=header[-1] if header else "-", letter=last, **where)
    # trailing empty rows are padding, not data; interior empty rows are noted.
    while data and all(_is_blank(c) for c in data[-1]):
        data.pop()
        numbers.pop()
    keep = [j for j, cells in enumerate(data) if not all(_is_blank(c) for c in cells)]
    kept = set(keep)
    for j in range(len(data)):
        if j not in kept:
            report.note("import.tables.empty_row", row=numbers[j])
    found = match_columns(header, aliases)
    frame = pd.DataFrame([data[j] for j in keep], columns=header, dtype=object)
    rows_kept = [numbers[j] for j in keep]
    frame = clean_frame(frame, rows_kept, report)
    return Table(frame, rows_kept, numbers_all[h], found, encoding_used)


def _check_nested(path: Path) -> None:
    """Refuse a GeoJSON holding a FeatureCollection inside its features (GDAL skips those)."""
    if path.suffix.lower() not in (".geojson", ".json"):
        return
    with open(path, "rb") as fh:
        hits = 0
        tail = b""
        while chunk := fh.read(1 << 20):
            hits += len(_NESTED_FC.findall(tail + chunk))
            tail = chunk[-40:]
            if hits > 1:
                break
    if hits <= 1:
        return
    try:
        doc = json.loads(path.read_bytes())
    except RecursionError:  # arrays / objects nested deeper than the interpreter's stack
        raise file_error(path, "import.tables.geojson_too_deep", column="geometry") from None
    except ValueError:
        return  # not JSON: the reader says so
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        return
    nested = [i + 1 for i, f in enumerate(features) if isinstance(f, dict) and f.get("type") == "FeatureCollection"]
    if nested:
        inside = sum(len(features[i - 1].get("features") or []) for i in nested)
        raise file_error(path, "import.tables.geojson_nested", column="geometry", n=len(nested), total=len(features),
                         features=", ".join(map(str, nested[:ROWS_SHOWN])), inside=inside)


def read_vector(path: Path, report: ImportReport, layer_name: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage or zipped/plain Shapefile (one layer).

    Parameters
    ----------
    layer_name : str, optional
        Layer to read; required when several layers (GeoPackage layers, Shapefiles in one
        zip) hold features.

    Raises
    ------
    DataImportError
        If the file cannot be read as vector data, several layers hold features and
        ``layer_name`` is not given, or a GeoJSON nests FeatureCollections.
    """
    import pyogrio

    _check_nested(path)
    layers = _layers_with_features(path)
    names = [n for n, _ in layers]
    if layer_name is not None:
        try:
            all_names = [str(n) for n, _ in pyogrio.list_layers(str(path))]
        except Exception as exc:
            raise file_error(path, "import.tables.vector_unreadable", detail=str(exc)) from None
        if layer_name not in all_names:
            raise file_error(path, "import.tables.no_such_layer", name=layer_name, layers=", ".join(map(repr, all_names)))
        chosen = layer_name
    elif len(layers) > 1:
        raise file_error(
            path, "import.tables.several_layers", n=len(layers),
            layers=[{"name": n, "features": k} for n, k in layers],
        )
    else:
        chosen = names[0] if names else None
    if len(names) > 1 or layer_name is not None:
        report.note("import.tables.read_layer", name=chosen)
    target = str(path)
    try:
        info = pyogrio.read_info(target, layer=chosen)
        gdf = gpd.read_file(target, layer=chosen)
        if (info.get("encoding") or "").upper() in ("ISO-8859-1", "LATIN1") and "Shapefile" in str(
            info.get("driver", "")
        ):
            texts = [str(c) for c in gdf.columns] + [
                v for c in gdf.columns if c != gdf.geometry.name for v in gdf[c] if isinstance(v, str)
            ]
            if looks_like_mojibake(texts):
                gdf = gpd.read_file(target, layer=chosen, encoding="gb18030")
                report.warn("import.tables.shp_read_as_gbk")
    except DataImportError:
        raise
    except Exception as exc:
        raise file_error(path, "import.tables.vector_unreadable", detail=str(exc)) from None
    attrs = gdf.drop(columns=gdf.geometry.name)
    cleaned = clean_frame(pd.DataFrame(attrs), list(range(1, len(gdf) + 1)), report)
    for col in cleaned.columns:
        gdf[col] = cleaned[col].to_numpy()
    return gdf
