"""GeoPackage layers checked in the file's own SQLite schema before GDAL counts their features.

A GeoPackage may list an SQL view (or a virtual table) as a feature layer. Counting the rows of a
view runs its query, and a recursive view of a few bytes computes rows without end: GDAL's
``read_info`` never returns. Only layers stored as plain tables are read; any other is refused,
naming the layer, before GDAL opens the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coverage.io.report import file_error

__all__ = ["check_plain_tables"]

_LAYERS = """
SELECT c.table_name, m.type, m.sql FROM gpkg_contents AS c
LEFT JOIN sqlite_master AS m ON m.name = c.table_name COLLATE NOCASE
"""


def _kind(kind: str | None, sql: str | None) -> str | None:
    """``None`` for a plain table, else what the layer is (``view``, ``virtual table``, ``missing``)."""
    if kind == "table" and not (sql or "").lstrip().upper().startswith("CREATE VIRTUAL"):
        return None
    if kind == "table":
        return "virtual table"
    return kind or "missing"


def check_plain_tables(path: Path) -> None:
    """Refuse a GeoPackage listing a layer that is not a plain table (a view, a virtual table).

    A file that is not an SQLite database, or has no ``gpkg_contents``, is left for GDAL to judge.

    Raises
    ------
    DataImportError
        ``import.tables.gpkg_layer_not_table`` naming the first such layer (``kind``: ``view``,
        ``virtual table`` or ``missing``, for callers; the message covers all three).
    """
    if path.suffix.lower() != ".gpkg":
        return
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return
    try:
        rows = con.execute(_LAYERS).fetchall()
    except sqlite3.Error:
        return
    finally:
        con.close()
    for name, kind, sql in rows:
        what = _kind(kind, sql)
        if what is not None:
            raise file_error(path, "import.tables.gpkg_layer_not_table", name=str(name), kind=what)
