"""Facility registers: CSV / XLSX / GeoJSON / GeoPackage / zipped Shapefile → facility layer.

Validation policy
-----------------
Every data row of the file ends up either in the returned layer or in the report; a row
is never dropped silently.

**Errors** (the import fails with :class:`~coverage.io.report.DataImportError`, whose
message lists every error with file, row and column):

* an empty file, a header with no data rows, no name column, or no longitude/latitude
  columns (tables) — file level;
* an empty or non-numeric longitude/latitude, a missing geometry (vector files), a
  MultiPoint of several points (one feature must be one facility);
* a name cell left empty;
* a point outside Jiangmen (the city outline ``paths.CITY_FILE`` grown by
  ``tolerance_m``, else the default towns, else the bounding box
  111.9-113.3 E, 21.4-22.9 N), checked after any swap fix and datum conversion;
* the same facility id on two rows;
* a file over the size limit (for ``.csv.gz``, its decompressed size), or of an
  unsupported type.

**Warnings** (the import succeeds; the report lists them):

* longitude/latitude swapped (values of the longitude column look like latitudes of
  this region and vice versa) — swapped back, naming the columns;
* duplicates: same name and coordinates within 5 m — kept, the later row flagged with
  the row it duplicates;
* a beds / nursing-beds / opening-year cell that is not a whole number, is negative, is beyond int64,
  holds more beds than ``settings.MAX_BEDS_PER_FACILITY`` or a year outside
  ``settings.MIN_OPENING_YEAR`` … next year — left empty, naming the row;
* nursing beds above the facility's total beds — both kept, naming the row;
* a town cell that names no official town — the town is taken from the point's location;
* a district cell that names no district of Jiangmen (ignored), or another district than
  the town's (the town's is kept);
* no town boundaries available — town/district codes left empty unless the file names
  the town;
* merged XLSX cells below the header — the value is copied to every cell of the range;
* 3D coordinates — the height is dropped; lines/polygons — imported at a point inside;
* the points look like GCJ-02 although declared WGS-84/CGCS2000 (see
  :func:`_warn_if_gcj02` for the test and its limits) — suggests ``--crs gcj02``.

**Notes** (what was done, so nothing changes unseen): the file's columns that are not a
facility field (not in the result); points outside every town polygon given the nearest
town within :data:`coverage.settings.NEAREST_TOWN_M`; features without geometry placed at their
longitude/latitude columns; datum conversions and reprojections; rows naming a town other
than the one containing the point.

Coordinates may be decimal degrees (a trailing ``°`` is ignored) or degrees-minutes-seconds
(``113°4'48.5"``, ``113度4分48.5秒``; noted in the report).

Every finding is a catalogue code ``import.facilities.*`` (:mod:`coverage.i18n.imports_facilities`)
with its values; the words, in Chinese or English, come from the catalogue.
"""

from __future__ import annotations

import datetime
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS as ProjCRS
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from coverage.crs import JIANGMEN_BBOX, PROJECTED, WGS84, normalise_crs_name, swapped_mask, to_wgs84
from coverage.io.columns import FACILITY_ALIASES, match_columns
from coverage.io.matching import TownMatcher
from coverage.io.reference import default_towns, official_towns
from coverage.io.report import DataImportError, ImportReport, file_error
from coverage.io.tables import DEFAULT_MAX_MB, check_file, file_kind, read_table, read_vector
from coverage.io.towns import city_outline, match_failure
from coverage.layers import get_layer
from coverage.schema import DISTRICT_CODE, FACILITY_COLUMNS, FACILITY_EXTRA_COLUMNS, FACILITY_INT_COLUMNS, TOWN_CODE
from coverage.io.encoding import row_list
from coverage.settings import (
    DUPLICATE_DISTANCE_M, DUPLICATES_LISTED, MAX_BEDS_PER_FACILITY, MAX_FACILITY_ROWS, MIN_OPENING_YEAR, NEAREST_TOWN_M,
)

__all__ = ["read_facilities", "FACILITY_COLUMNS", "FACILITY_EXTRA_COLUMNS"]

_CRS_LABEL = {"gcj02": "GCJ-02", "bd09": "BD-09"}
#: Canonical fields read as text into the result (the rest: coordinates, ids, counts, town, district).
_TEXT_FIELDS = ("name", "address", "type")
_CELL_CHARS = re.compile(r"[°\s]")
# 113°4'48.5", 113度4分48.5秒, E113°4.81', 22°35'N (hemisphere letters must be N or E here)
_DMS = re.compile(
    r"^(?P<h1>[NE]|东经|北纬)?(?P<d>\d+(?:\.\d+)?)[°度]"
    r"(?:(?P<m>\d+(?:\.\d+)?)['′分])?"
    r"(?:(?P<s>\d+(?:\.\d+)?)(?:[\"″秒]|''|′′)?)?(?P<h2>[NE])?$"
)


@dataclass
class _Rows:
    """Rows of a facility file before validation (one entry per data row)."""

    frame: pd.DataFrame  # canonical attribute fields (object dtype)
    rows: list[int]  # user-visible row numbers
    columns: dict[str, str]  # canonical field -> header as written
    lon: np.ndarray
    lat: np.ndarray
    coord_ok: np.ndarray  # bool
    lon_col: str
    lat_col: str


def read_facilities(
    path: str | os.PathLike[str],
    layer_id: str,
    crs: str = "wgs84",
    bounds: BaseGeometry | gpd.GeoDataFrame | tuple[float, float, float, float] | None = None,
    *,
    towns: gpd.GeoDataFrame | None = None,
    max_mb: float | None = DEFAULT_MAX_MB,
    tolerance_m: float = 500.0,
    sheet: str | None = None,
    layer_name: str | None = None,
    encoding: str | None = None,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read a facility register and validate it row by row.

    Parameters
    ----------
    path : path-like
        CSV (UTF-8, UTF-8 with BOM or GBK/GB18030, detected), XLSX (title rows above
        the header are skipped), GeoJSON, GeoPackage or zipped Shapefile.
    layer_id : str
        A layer of :data:`coverage.layers.LAYERS`.
    crs : {"wgs84", "cgcs2000", "gcj02", "bd09"}, default "wgs84"
        Coordinate system of the longitude/latitude values; GCJ-02 and BD-09 are
        converted to WGS-84. For vector files with a projected CRS the geometry is first
        reprojected to longitude/latitude.
    bounds : shapely geometry, GeoDataFrame or (minx, miny, maxx, maxy), optional
        Area (WGS-84) the points must fall in; default: Jiangmen (see module docstring).
    towns : GeoDataFrame, optional
        Town polygons with ``town_code`` and ``district_code`` used to fill those columns;
        default: the embedded towns layer when it exists.
    max_mb : float or None, default 50
        Refuse larger files (None: no limit).
    tolerance_m : float, default 500
        Points this close outside the area are accepted (coastline simplification).
    sheet : str, optional
        XLSX sheet to read (required when several sheets hold a table).
    layer_name : str, optional
        Layer of a GeoPackage / zip of Shapefiles (required when several hold features).
    encoding : str, optional
        CSV text encoding (default: detected, see :mod:`coverage.io.encoding`).

    Returns
    -------
    (GeoDataFrame, ImportReport)
        EPSG:4326 points with the columns :data:`coverage.schema.FACILITY_COLUMNS`
        (``source="uploaded"``) then :data:`FACILITY_EXTRA_COLUMNS` and ``geometry``, in
        file order; and the report (warnings and notes, as codes with values).

    Raises
    ------
    ValueError
        Unknown ``layer_id`` or ``crs``.
    DataImportError
        The file is missing or has errors; the report lists every one with file, row and
        column (``exc.text(lang)`` in Chinese or English).
    """
    layer = get_layer(layer_id)
    crs_key = normalise_crs_name(crs)
    p = check_file(path, max_mb)
    report = ImportReport(file=p.name, layer=layer.id)
    kind = file_kind(p)
    if kind == "raster":
        raise file_error(p, "import.facilities.raster_not_register", layer=layer.id)
    raw = (
        _rows_from_table(p, report, max_mb, sheet=sheet, encoding=encoding)
        if kind == "table"
        else _rows_from_vector(p, report, layer_name)
    )
    report.rows_read = len(raw.rows)
    if not raw.rows:
        report.error("import.facilities.no_data_rows")
        raise DataImportError(report)

    _check_names(raw, report)
    _fix_swaps(raw, report)
    if crs_key in ("gcj02", "bd09"):
        ok = raw.coord_ok
        raw.lon[ok], raw.lat[ok] = to_wgs84(raw.lon[ok], raw.lat[ok], crs_key)
        report.note("import.facilities.converted_datum", n=int(ok.sum()), datum=_CRS_LABEL[crs_key])
    elif crs_key == "cgcs2000":
        report.note("import.facilities.cgcs2000_as_wgs84")
    _check_inside(raw, report, bounds, tolerance_m)
    ids = _facility_ids(raw, report, layer.id)
    _flag_duplicates(raw, report)
    ints = {f: _int_column(raw, report, f) for f in FACILITY_INT_COLUMNS}
    _check_nursing_beds(raw, ints, report)
    report.raise_if_errors()

    text = {f: pd.Series(_text_column(raw, f), dtype=object) for f in _TEXT_FIELDS}
    empty = pd.Series([None] * len(ids), dtype=object)
    gdf = gpd.GeoDataFrame(
        {
            "facility_id": ids,
            "layer": layer.id,
            TOWN_CODE: empty,
            DISTRICT_CODE: empty.copy(),
            "source": "uploaded",
            **text,
            **ints,
        },
        geometry=gpd.points_from_xy(raw.lon, raw.lat),
        crs=WGS84,
    )
    _assign_towns(gdf, raw, report, towns, suspect_gcj02=crs_key in ("wgs84", "cgcs2000"))
    report.rows_imported = len(gdf)
    return gdf[[*FACILITY_COLUMNS, *FACILITY_EXTRA_COLUMNS, "geometry"]], report


# --------------------------------------------------------------------------- reading


def _parse_number(value: object) -> float | None:
    """A finite float from a cell, or None (blank cells are handled by the caller)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            f = float(value)
        except OverflowError:  # a Python int beyond the float range
            return None
        return f if math.isfinite(f) else None
    s = _CELL_CHARS.sub("", unicodedata.normalize("NFKC", str(value)))
    try:
        f = float(s)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _canonical_frame(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(frame)))
    for fld in FACILITY_ALIASES:
        out[fld] = frame[columns[fld]].to_numpy(dtype=object) if fld in columns else None
    return out


def _accepted(fld: str) -> str:
    """The header spellings accepted for ``fld``, as one comma-separated string."""
    return ", ".join(FACILITY_ALIASES[fld])


def _row_list(rows: list[int]) -> str:
    """Row numbers as one comma-separated string (a report value)."""
    return ", ".join(map(str, rows))


def _note_unused_columns(headers: list[object], used: dict[str, str], report: ImportReport) -> None:
    """Note the file's columns that are not a facility field (they are not in the result)."""
    taken = set(used.values())
    unused = [str(h) for h in headers if str(h) not in taken]
    if unused:
        report.note("import.facilities.columns_not_imported", columns=", ".join(unused))


def parse_dms(value: object) -> float | None:
    """Decimal degrees from a degrees-minutes-seconds string, or None if it is not one.

    Accepts ``113°4'48.5"``, ``113度4分48.5秒``, ``113°4.81'``, ``E113°4'48"`` and
    ``22°35'N`` (only N/E: the region is in the north-eastern hemisphere). Minutes and
    seconds must be below 60.
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).upper()
    m = _DMS.match(s)
    if m is None:
        return None
    d = float(m["d"])
    mins = float(m["m"]) if m["m"] else 0.0
    secs = float(m["s"]) if m["s"] else 0.0
    if mins >= 60 or secs >= 60 or (m["s"] and not m["m"]):
        return None
    return d + mins / 60.0 + secs / 3600.0


def _parse_coords(
    values: pd.Series, rows: list[int], column: str, report: ImportReport
) -> tuple[np.ndarray, np.ndarray]:
    out = np.full(len(values), np.nan)
    ok = np.zeros(len(values), dtype=bool)
    dms = 0
    for i, (v, row) in enumerate(zip(values, rows)):
        if _is_blank(v):
            report.error("import.facilities.empty_coordinate", row=row, column=column)
            continue
        f = _parse_number(v)
        if f is None and isinstance(v, str):
            f = parse_dms(v)
            dms += f is not None
        if f is None:
            report.error("import.facilities.not_a_number", row=row, column=column, value=str(v).strip())
            continue
        out[i], ok[i] = f, True
    if dms:
        report.note("import.facilities.dms_read", n=dms, header=column)
    return out, ok


def _rows_from_table(
    path: Path,
    report: ImportReport,
    max_mb: float | None = DEFAULT_MAX_MB,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> _Rows:
    table = read_table(path, FACILITY_ALIASES, report, max_mb=max_mb, sheet=sheet, encoding=encoding,
                       max_rows=MAX_FACILITY_ROWS)
    report.rows_read = len(table.rows)
    cols = table.columns
    missing = [fld for fld in ("name", "lon", "lat") if fld not in cols]
    if missing:
        for fld in missing:
            report.error(f"import.facilities.no_{fld}_column", row=table.header_row, accepted=_accepted(fld))
        raise DataImportError(report)
    _note_unused_columns(list(table.frame.columns), cols, report)
    frame = _canonical_frame(table.frame, cols)
    lon, ok_lon = _parse_coords(frame["lon"], table.rows, cols["lon"], report)
    lat, ok_lat = _parse_coords(frame["lat"], table.rows, cols["lat"], report)
    return _Rows(frame, table.rows, cols, lon, lat, ok_lon & ok_lat, cols["lon"], cols["lat"])


def _rows_from_vector(path: Path, report: ImportReport, layer_name: str | None = None) -> _Rows:
    gdf = read_vector(path, report, layer_name)
    if len(gdf) > MAX_FACILITY_ROWS:
        raise file_error(path, "import.tables.too_many_rows", row=MAX_FACILITY_ROWS + 1, limit=MAX_FACILITY_ROWS)
    cols = match_columns([c for c in gdf.columns if c != gdf.geometry.name], FACILITY_ALIASES)
    rows = list(range(1, len(gdf) + 1))
    report.rows_read = len(rows)
    if "name" not in cols:
        report.error("import.facilities.no_name_column", accepted=_accepted("name"))
        raise DataImportError(report)
    report.note("import.facilities.features_read", n=len(gdf))
    _note_unused_columns([c for c in gdf.columns if c != gdf.geometry.name], cols, report)
    frame = _canonical_frame(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), cols)
    geoms = gdf.geometry
    if gdf.crs is None:
        report.note("import.facilities.no_crs")
    else:
        file_crs = ProjCRS.from_user_input(gdf.crs)
        if file_crs.is_projected:
            report.note("import.facilities.reprojected", crs=file_crs.to_string())
            geoms = geoms.to_crs(WGS84)
        elif not file_crs.equals(ProjCRS.from_user_input(WGS84)):
            report.note("import.facilities.geographic_as_wgs84", crs=file_crs.name)
    lon = np.full(len(gdf), np.nan)
    lat = np.full(len(gdf), np.nan)
    ok = np.zeros(len(gdf), dtype=bool)
    non_point = 0
    has_z = 0
    from_columns: list[int] = []
    for i, (g, row) in enumerate(zip(geoms, rows)):
        if g is None or g.is_empty:
            if "lon" in cols and "lat" in cols:
                x = _parse_number(frame.at[i, "lon"]) if not _is_blank(frame.at[i, "lon"]) else None
                y = _parse_number(frame.at[i, "lat"]) if not _is_blank(frame.at[i, "lat"]) else None
                if x is not None and y is not None:
                    lon[i], lat[i], ok[i] = x, y, True
                    from_columns.append(row)
                    continue
            report.error("import.facilities.missing_geometry", row=row, column="geometry")
            continue
        if g.has_z:
            has_z += 1
            g = shapely.force_2d(g)
        if g.geom_type == "MultiPoint":
            parts = [q for q in g.geoms if not q.is_empty]
            if len(parts) != 1:
                report.error("import.facilities.multipoint_several", row=row, column="geometry", n=len(parts))
                continue
            report.note("import.facilities.multipoint_one", row=row, column="geometry")
            g = parts[0]
        elif g.geom_type != "Point":
            non_point += 1
            g = g.representative_point()
        lon[i], lat[i], ok[i] = g.x, g.y, True
    if from_columns:
        report.note("import.facilities.geometry_from_columns", column="geometry", n=len(from_columns),
                    lon_col=cols["lon"], lat_col=cols["lat"], rows=_row_list(from_columns))
    if has_z:
        report.warn("import.facilities.has_z", column="geometry", n=has_z)
    if non_point:
        report.warn("import.facilities.non_point", column="geometry", n=non_point)
    return _Rows(frame, rows, cols, lon, lat, ok, "geometry", "geometry")


# --------------------------------------------------------------------------- checks


def _check_names(raw: _Rows, report: ImportReport) -> None:
    for v, row in zip(raw.frame["name"], raw.rows):
        if _is_blank(v):
            report.error("import.facilities.empty_name", row=row, column=raw.columns["name"])


def _fix_swaps(raw: _Rows, report: ImportReport) -> None:
    ok = raw.coord_ok
    mask = np.zeros(len(ok), dtype=bool)
    mask[ok] = swapped_mask(raw.lon[ok], raw.lat[ok], JIANGMEN_BBOX)
    n = int(mask.sum())
    if n == 0:
        return
    lo, la = raw.lon_col, raw.lat_col
    columns = {} if lo == la else {"lon_col": lo, "lat_col": la}  # a vector file: its points' x and y
    suffix = "_geometry" if lo == la else ""
    if n == int(ok.sum()):
        report.warn(f"import.facilities.swapped_columns{suffix}", column=lo, n=n, **columns)
    else:
        for i in np.flatnonzero(mask):
            report.warn(f"import.facilities.swapped_row{suffix}", row=raw.rows[i], column=lo,
                        lon=float(raw.lon[i]), lat=float(raw.lat[i]), **columns)
    raw.lon[mask], raw.lat[mask] = raw.lat[mask].copy(), raw.lon[mask].copy()


def _area(bounds, tolerance_m: float) -> tuple[BaseGeometry, str, dict[str, float]]:
    """The area points must fall in (grown by ``tolerance_m``), the catalogue key of the
    "outside" error that names it, and that key's values (box corners)."""
    values: dict[str, float] = {}
    if bounds is None:
        geom, kind, values = city_outline()
    elif isinstance(bounds, gpd.GeoDataFrame):
        g = bounds.to_crs(WGS84) if bounds.crs is not None else bounds
        geom, kind = g.geometry.union_all(), "boundary"
    elif isinstance(bounds, BaseGeometry):
        geom, kind = bounds, "boundary"
    else:
        x0, y0, x1, y1 = (float(v) for v in bounds)
        geom, kind = box(x0, y0, x1, y1), "box"
        values = {"x0": x0, "x1": x1, "y0": y0, "y1": y1}
    if tolerance_m > 0:
        proj = gpd.GeoSeries([geom], crs=WGS84).to_crs(PROJECTED).buffer(tolerance_m)
        geom = proj.to_crs(WGS84).iloc[0]
    return geom, f"import.facilities.outside_{kind}", values


def _check_inside(raw: _Rows, report: ImportReport, bounds, tolerance_m: float) -> None:
    idx = np.flatnonzero(raw.coord_ok)
    if len(idx) == 0:
        return
    area, code, values = _area(bounds, tolerance_m)
    shapely.prepare(area)
    inside = shapely.contains_xy(area, raw.lon[idx], raw.lat[idx])  # as Point.within(area), vectorised
    column = raw.lon_col if raw.lon_col == raw.lat_col else f"{raw.lon_col}/{raw.lat_col}"
    for i in idx[~inside]:
        report.error(code, row=raw.rows[i], column=column, lon=float(raw.lon[i]), lat=float(raw.lat[i]), **values)


def _flag_duplicates(raw: _Rows, report: ImportReport) -> None:
    idx = np.flatnonzero(raw.coord_ok)
    if len(idx) < 2:
        return
    pts = gpd.GeoSeries(gpd.points_from_xy(raw.lon[idx], raw.lat[idx]), crs=WGS84).to_crs(PROJECTED)
    xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    name_cells = raw.frame["name"].to_numpy(dtype=object)
    names = [_norm_name(name_cells[i]) for i in idx]
    # Same name within DUPLICATE_DISTANCE_M: bucket points by (name, grid cell of that
    # size) so each point is compared only with earlier ones in the 3x3 cells around it
    # (linear time, even for a file of thousands of identical rows).
    finite = np.isfinite(xy).all(axis=1)
    cells = np.zeros(xy.shape, dtype=np.int64)
    cells[finite] = np.floor(xy[finite] / DUPLICATE_DISTANCE_M).astype(np.int64)
    grid: dict[tuple[str, int, int], list[int]] = {}
    col = raw.columns["name"]
    found: list[tuple[int, int, float]] = []  # (row, the earlier row it repeats, distance)
    for k, name in enumerate(names):
        if not name or not finite[k]:
            continue
        cx, cy = int(cells[k, 0]), int(cells[k, 1])
        best: tuple[int, float] | None = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for b in grid.get((name, cx + dx, cy + dy), ()):
                    if best is not None and b >= best[0]:
                        break
                    d = float(np.hypot(*(xy[k] - xy[b])))
                    if d <= DUPLICATE_DISTANCE_M:
                        best = (b, d)
                        break
        grid.setdefault((name, cx, cy), []).append(k)
        if best is not None:
            found.append((k, *best))
    if len(found) <= DUPLICATES_LISTED:
        for k, b, d in found:
            report.warn("import.facilities.duplicate", row=raw.rows[idx[k]], column=col,
                        first_row=raw.rows[idx[b]], name=str(name_cells[idx[k]]).strip(), distance=d)
        return
    rows = [raw.rows[idx[k]] for k, _, _ in found]
    _, where = row_list(rows, DUPLICATES_LISTED)  # the "more" form: more rows than listed
    report.warn("import.facilities.duplicates", row=rows[0], column=col, n=len(rows),
                distance=DUPLICATE_DISTANCE_M, **where)


def _norm_name(value: object) -> str:
    if _is_blank(value):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


def _cell_text(value: object) -> str | None:
    if _is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text_column(raw: _Rows, fld: str) -> list[str | None]:
    return [_cell_text(v) for v in raw.frame[fld]]


def _facility_ids(raw: _Rows, report: ImportReport, layer_id: str) -> list[str]:
    if "id" not in raw.columns:
        report.note("import.facilities.no_id_column", layer=layer_id)
        return [f"{layer_id}-r{row}" for row in raw.rows]
    col = raw.columns["id"]
    ids: list[str] = []
    seen: dict[str, int] = {}
    for v, row in zip(raw.frame["id"], raw.rows):
        text = _cell_text(v)
        if text is None:
            text = f"{layer_id}-r{row}"
            report.warn("import.facilities.empty_id", row=row, column=col, id=text)
        if text in seen:
            report.error("import.facilities.duplicate_id", row=row, column=col, id=text, first_row=seen[text])
        else:
            seen[text] = row
        ids.append(text)
    return ids


_INT64_MAX = 2**63 - 1


def _int_column(raw: _Rows, report: ImportReport, fld: str) -> pd.Series:
    """Whole-number column ``fld``; implausible values are warned about (naming the row) and left empty.

    Beds and nursing beds: 0 to ``settings.MAX_BEDS_PER_FACILITY``; opening year:
    ``settings.MIN_OPENING_YEAR`` to next year; anything beyond int64 is refused before any cast.
    """
    values: list[int | None] = [None] * len(raw.rows)
    if fld not in raw.columns:
        return pd.Series(pd.array(values, dtype="Int64"))
    col = raw.columns[fld]
    last_year = datetime.date.today().year + 1
    for i, (v, row) in enumerate(zip(raw.frame[fld], raw.rows)):
        if _is_blank(v):
            continue
        text = str(v).strip()
        f = _parse_number(v)
        if f is not None and f < 0:
            report.warn("import.facilities.negative_count", row=row, column=col, value=text)
            continue
        if f is None or not float(f).is_integer():
            report.warn("import.facilities.not_whole_number", row=row, column=col, value=text)
            continue
        if f > _INT64_MAX:
            report.warn("import.facilities.too_large", row=row, column=col, value=text)
            continue
        if fld == "opening_year":
            if not MIN_OPENING_YEAR <= f <= last_year:
                report.warn("import.facilities.implausible_year", row=row, column=col, year=int(f),
                            first=MIN_OPENING_YEAR, last=last_year)
                continue
        elif f > MAX_BEDS_PER_FACILITY:
            report.warn("import.facilities.too_many_beds", row=row, column=col, beds=int(f),
                        limit=MAX_BEDS_PER_FACILITY)
            continue
        values[i] = int(f)
    return pd.Series(pd.array(values, dtype="Int64"))


def _check_nursing_beds(raw: _Rows, ints: dict[str, pd.Series], report: ImportReport) -> None:
    """Warn on every row whose nursing beds exceed its total beds (both kept)."""
    if "beds" not in raw.columns or "nursing_beds" not in raw.columns:
        return
    beds, nursing = ints["beds"], ints["nursing_beds"]
    both = beds.notna() & nursing.notna()
    for i in np.flatnonzero((both & (nursing > beds).fillna(False)).to_numpy()):
        report.warn("import.facilities.nursing_over_beds", row=raw.rows[i], column=raw.columns["nursing_beds"],
                    nursing=int(nursing.iloc[i]), beds=int(beds.iloc[i]), beds_column=raw.columns["beds"])


# --------------------------------------------------------------------------- towns


def _assign_towns(
    gdf: gpd.GeoDataFrame,
    raw: _Rows,
    report: ImportReport,
    towns: gpd.GeoDataFrame | None,
    suspect_gcj02: bool = False,
) -> None:
    """Fill ``town_code`` / ``district_code``: the town named in the file, else the polygon."""
    official = official_towns()
    matcher = TownMatcher(official)
    district_of = dict(zip(official["town_code"].astype(str), official["district_code"].astype(str)))
    declared: list[str | None] = [None] * len(gdf)
    if "town" in raw.columns:
        col = raw.columns["town"]
        for i, (v, dv, row) in enumerate(zip(raw.frame["town"].tolist(), raw.frame["district"].tolist(), raw.rows)):
            if _is_blank(v):
                continue
            code, why = matcher.match(v, dv)
            if code is None:
                reason, values = match_failure(matcher, v, why)
                report.warn(f"import.facilities.town_{reason}", row=row, column=col, **values)
            declared[i] = code

    if towns is None:
        towns = default_towns()
    located: list[str | None] = [None] * len(gdf)
    if towns is None:
        if any(c is None for c in declared):
            report.warn("import.facilities.no_town_boundaries")
    else:
        located, nearest = _locate(gdf, towns)
        near_rows = [row for row, near, d in zip(raw.rows, nearest, declared) if near and d is None]
        if near_rows:
            report.note("import.facilities.nearest_town", n=len(near_rows), max_gap_m=NEAREST_TOWN_M,
                        rows=_row_list(near_rows))
        if suspect_gcj02:
            _warn_if_gcj02(raw, declared, towns, report)
        district_of.update(zip(towns["town_code"].astype(str), towns["district_code"].astype(str)))
    differ = []
    codes = []
    for i, row in enumerate(raw.rows):
        d, loc = declared[i], located[i]
        if d is not None and loc is not None and d != loc:
            differ.append(row)
        code = d if d is not None else loc
        if code is None and towns is not None:
            report.warn("import.facilities.no_town_polygon", row=row)
        codes.append(code)
    if differ:
        report.note("import.facilities.named_town_differs", n=len(differ), rows=_row_list(differ))
    gdf[TOWN_CODE] = pd.Series(codes, dtype=object, index=gdf.index)
    gdf[DISTRICT_CODE] = pd.Series([district_of.get(c) if c else None for c in codes], dtype=object, index=gdf.index)
    if "district" in raw.columns:
        col = raw.columns["district"]
        district_codes = gdf[DISTRICT_CODE].tolist()
        for i, (v, row) in enumerate(zip(raw.frame["district"].tolist(), raw.rows)):
            if _is_blank(v):
                continue
            d = matcher.district(v)
            if d is None:
                report.warn("import.facilities.district_unknown", row=row, column=col, district=str(v).strip())
            elif codes[i] is not None and d != district_codes[i]:
                report.warn("import.facilities.district_differs", row=row, column=col, district=str(v).strip(),
                            district_code=district_codes[i])


def _locate(
    gdf: gpd.GeoDataFrame, towns: gpd.GeoDataFrame, max_gap_m: float = NEAREST_TOWN_M
) -> tuple[list[str | None], list[bool]]:
    """Town code of the polygon containing each point (nearest within ``max_gap_m`` if none),
    and for each point whether it lies outside every polygon and was given the nearest town."""
    t = towns[[TOWN_CODE, towns.geometry.name]].copy()
    t[TOWN_CODE] = t[TOWN_CODE].astype(str)
    t = t.to_crs(PROJECTED) if t.crs is not None else t.set_crs(WGS84).to_crs(PROJECTED)
    pts = gpd.GeoDataFrame(geometry=gdf.geometry.to_crs(PROJECTED).values, crs=PROJECTED)
    joined = gpd.sjoin_nearest(pts, t, how="left", max_distance=max_gap_m, distance_col="_d")
    joined = joined[~joined.index.duplicated(keep="first")].reindex(pts.index)
    codes = [None if pd.isna(c) else str(c) for c in joined[TOWN_CODE]]
    nearest = [c is not None and float(d) > 0 for c, d in zip(codes, joined["_d"])]
    return codes, nearest


#: The GCJ-02 check needs at least this many rows that it explains.
GCJ02_MIN_ROWS = 2


def gcj02_evidence(
    lon: np.ndarray, lat: np.ndarray, declared: list[str | None], towns: gpd.GeoDataFrame
) -> tuple[int, int, int]:
    """Count how reading the points as GCJ-02 changes their agreement with their named town.

    Parameters
    ----------
    lon, lat : arrays
        Points as declared (WGS-84), NaN where unknown.
    declared : list
        Town code each row names (None where it names none).
    towns : GeoDataFrame
        Town polygons with ``town_code``.

    Returns
    -------
    (fixed, broken, named)
        ``fixed``: rows outside their named town as WGS-84 but inside it once converted
        from GCJ-02; ``broken``: the reverse; ``named``: rows checked (a point and a named
        town that has a polygon).
    """
    t = towns.to_crs(WGS84) if towns.crs is not None else towns
    polys = dict(zip(t["town_code"].astype(str), t.geometry))
    idx = [i for i, c in enumerate(declared) if c in polys and np.isfinite(lon[i]) and np.isfinite(lat[i])]
    if not idx:
        return 0, 0, 0
    x = np.asarray([lon[i] for i in idx])
    y = np.asarray([lat[i] for i in idx])
    cx, cy = to_wgs84(x, y, "gcj02")
    geoms = [polys[declared[i]] for i in idx]
    as_is = shapely.contains_xy(geoms, x, y)
    converted = shapely.contains_xy(geoms, cx, cy)
    return int((~as_is & converted).sum()), int((as_is & ~converted).sum()), len(idx)


def _warn_if_gcj02(raw: _Rows, declared: list[str | None], towns: gpd.GeoDataFrame, report: ImportReport) -> None:
    """Warn when the points look like GCJ-02 (Amap/Tencent) coordinates declared as WGS-84.

    Heuristic: GCJ-02 shifts points in Jiangmen ~550 m east and ~300 m south. Of the rows
    that name their town, count those that lie outside that town's polygon as given but
    inside it once converted from GCJ-02 (``fixed``), and the reverse (``broken``).
    Warn when ``fixed >= GCJ02_MIN_ROWS`` and ``fixed > 2 * broken``.

    Limits: it needs a town column and town polygons; only points within ~600 m of a town
    boundary carry any evidence, so a small file whose points all sit well inside their
    towns is never flagged; town boundaries that are themselves approximate (e.g.
    modelled from town seats) add noise in both directions. It warns, never converts.
    """
    if "town" not in raw.columns:
        return
    fixed, broken, named = gcj02_evidence(raw.lon, raw.lat, declared, towns)
    if fixed < GCJ02_MIN_ROWS or fixed <= 2 * broken:
        return
    lo, la = raw.lon_col, raw.lat_col
    evidence = {"fixed": fixed, "named": named, "broken": broken, "town_column": raw.columns["town"]}
    if lo == la:
        report.warn("import.facilities.looks_gcj02_geometry", column=lo, header=lo, **evidence)
    else:
        report.warn("import.facilities.looks_gcj02", column=f"{lo}/{la}", lon_col=lo, lat_col=la, **evidence)
