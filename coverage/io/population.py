"""Population grids uploaded by the user → the population table.

Two inputs are accepted:

* a **raster** (GeoTIFF on any grid and CRS: WorldPop EPSG:4326 3″, GHS-POP Mollweide, a
  100 m or 1 km grid …): band 1 holds people per pixel; it is aggregated once onto the
  region's 500 m grid (EPSG:32649, ``cell_id = row * 100000 + col``), conserving the
  people inside the towns (:mod:`coverage.io.raster`);
* a **vector grid** (GeoJSON / GeoPackage / zipped Shapefile, or a CSV/XLSX table of cell
  centres) of points or polygons (taken at their centroid) with a population column
  (``pop_total``/人口/常住人口/population/pop …) and optional ``pop_60plus`` (60岁及以上 …)
  and ``pop_0_17`` (0-17岁 …); cells already on the region's grid keep their ids and
  centres, any other grid is summed into the 500 m cell holding each centre.

Vector cells are assigned to towns by point-in-polygon (raster pixels by their centre, before
aggregation). Cells outside every town are dropped and the report counts them and the
people in them. Where the age columns are missing they are modelled from district shares
(the default grid's, else the 2020 census), and the report says so. Counts are rounded to
integers by largest remainder town by town, which keeps every town's total (and, for
modelled age groups, each district's modelled total) exact.

Errors (vector grids): no population column, a missing geometry, a non-numeric or
negative count, a count above ``settings.MAX_CELL_PEOPLE``, an age group larger than the
total — each naming its row. Rasters: see :mod:`coverage.io.raster` (fill values, NaN,
infinite, negative and implausibly large pixels counted and treated as empty; windowed read;
aggregation onto the 500 m grid). Every input: the total over the districts the file covers
is compared with the 2020 census (``settings.POPULATION_CENSUS_TOLERANCE``). Any input
whose populated cells all fall outside every town is refused (file level, giving the
file's extent in its declared CRS): that is almost always a wrong or missing CRS.
"""

from __future__ import annotations

import math
import os
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from coverage.crs import PROJECTED, WGS84
from coverage.io.columns import POPULATION_ALIASES, match_columns
from coverage.io.raster import GRID_ROW_FACTOR, grid_cell_m, read_raster_cells
from coverage.io.reference import CENSUS_2020_TOTALS, default_towns, district_age_shares, district_boundaries
from coverage.io.report import DataImportError, ImportReport, file_error
from coverage.io.tables import check_file, file_kind, read_table, read_vector
from coverage.settings import MAX_CELL_PEOPLE, MAX_POPULATION_MB, POPULATION_CENSUS_TOLERANCE, POPULATION_DISTRICT_COVERED

__all__ = ["read_population", "POPULATION_COLUMNS", "age_groups_modelled", "round_preserving_sum"]

#: Start of the warning written when the file had no 60+ / 0-17 columns (read by age_groups_modelled).
_AGES_MODELLED = "not in the file: modelled from"

POPULATION_COLUMNS = ["cell_id", "x", "y", "town_code", "district_code", "pop_total", "pop_60plus", "pop_0_17"]
DEFAULT_MAX_MB_POPULATION = MAX_POPULATION_MB


def age_groups_modelled(report: ImportReport) -> bool:
    """True when :func:`read_population` modelled the 60+ / 0-17 groups (the file had no such columns).

    Read from the report's warnings, so it also holds for a report restored from a workspace.
    """
    return any(_AGES_MODELLED in w.message for w in report.warnings)


def round_preserving_sum(values: np.ndarray) -> np.ndarray:
    """Round non-negative ``values`` to integers whose sum is ``round(values.sum())``.

    Largest-remainder method: floor everything, then add 1 to the cells with the
    largest fractional parts (ties broken by position).
    """
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return np.zeros(0, dtype=np.int64)
    floor = np.floor(v)
    short = int(round(v.sum() - floor.sum()))
    out = floor.astype(np.int64)
    if short > 0:
        order = np.argsort(-(v - floor), kind="stable")[:short]
        out[order] += 1
    return out


def read_population(
    path: str | os.PathLike[str],
    towns: gpd.GeoDataFrame | None = None,
    *,
    max_mb: float | None = DEFAULT_MAX_MB_POPULATION,
    sheet: str | None = None,
    layer_name: str | None = None,
    encoding: str | None = None,
    census_check: bool = True,
) -> tuple[pd.DataFrame, ImportReport]:
    """Read a population raster or vector grid and assign its cells to towns.

    Parameters
    ----------
    path : path-like
        GeoTIFF, or GeoJSON / GeoPackage / zipped Shapefile / CSV / XLSX grid (see module docstring).
    towns : GeoDataFrame, optional
        Town polygons with ``town_code`` and ``district_code``; default: the embedded towns.
    max_mb : float or None, default 500
        Refuse larger files.
    sheet, layer_name, encoding : str, optional
        XLSX sheet, GeoPackage / zip layer, CSV encoding (see :func:`coverage.io.read_facilities`).
    census_check : bool, default True
        Refuse a file whose total over the districts it covers is outside
        ``settings.POPULATION_CENSUS_TOLERANCE`` of their 2020 census total. With False the
        difference is a warning.

    Returns
    -------
    (DataFrame, ImportReport)
        ARCHITECTURE.md population schema: ``cell_id, x, y`` (EPSG:32649 cell centre),
        ``town_code, district_code, pop_total, pop_60plus, pop_0_17`` (integers). Rasters
        come on the region's 500 m grid (``cell_id = row * 100000 + col``).

    Raises
    ------
    DataImportError
        Unreadable file, too many pixels, no population column, bad rows (listed), no towns
        to assign to, or a total implausible against the census.
    """
    p = check_file(path, max_mb)
    report = ImportReport(file=p.name, layer="population")
    if towns is None:
        towns = default_towns()
        if towns is None:
            raise file_error(p, "no town boundaries to assign cells to: pass towns=", layer="population")
    kind = file_kind(p)
    if kind == "raster":
        raster = read_raster_cells(p, towns, report)
        n_cells, source, footprint = raster.populated_pixels, raster.source, _polygon_footprint(raster.footprint_wgs84)
        report.rows_read = n_cells
        cells = raster.cells
    else:
        cells = (
            _vector_cells(p, report, layer_name)
            if kind == "vector"
            else _table_cells(p, report, max_mb, sheet=sheet, encoding=encoding)
        )
        report.rows_read = len(cells)
        report.raise_if_errors()
        n_cells = len(cells)
        source = cells.attrs.get("source")
        footprint = _points_footprint(cells)
        cells = _to_grid(_assign(cells, towns, report), report)
    report.raise_if_errors()
    if n_cells and cells.empty:
        extent = f"; {source}" if source else ""
        report.error(
            f"none of the {n_cells} populated cells lies in a town{extent}. The file's "
            "coordinate system is probably wrong or missing (Jiangmen is 111.9-113.3 E, "
            "21.4-22.9 N)"
        )
        raise DataImportError(report)
    _check_census(cells, footprint, report, census_check)
    cells = _finish(cells, report)
    report.rows_imported = len(cells)
    return cells, report


# --------------------------------------------------------------------------- census


def _points_footprint(cells: pd.DataFrame) -> "Callable[[np.ndarray, np.ndarray], np.ndarray] | None":
    """What a vector/table grid covers: a test of EPSG:32649 points, true within a square around
    some cell centre as wide as the centres' spacing (at most two grid cells); None for < 2 cells."""
    x = np.asarray(cells.get("x", []), dtype=float)
    y = np.asarray(cells.get("y", []), dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    xy = np.unique(np.column_stack([x[ok], y[ok]]), axis=0) if ok.any() else np.empty((0, 2))
    if len(xy) < 2:
        return None
    tree = cKDTree(xy)
    dist, _ = tree.query(xy, k=2)
    half = min(float(np.median(dist[:, 1])), 2 * grid_cell_m()) / 2

    def covers(px: np.ndarray, py: np.ndarray) -> np.ndarray:
        d, _ = tree.query(np.column_stack([px, py]), p=np.inf, distance_upper_bound=half)
        return np.isfinite(d)

    return covers


def _polygon_footprint(polygon) -> "Callable[[np.ndarray, np.ndarray], np.ndarray] | None":
    """The test of EPSG:32649 points for a WGS-84 footprint polygon (a raster's extent)."""
    if polygon is None or polygon.is_empty:
        return None
    fp = gpd.GeoSeries([polygon], crs=WGS84).to_crs(PROJECTED).iloc[0]
    fp = fp if fp.is_valid else fp.buffer(0)
    return lambda px, py: shapely.contains_xy(fp, px, py)


def _covered_share(district, covers, step: float) -> float:
    """Share of ``district`` (EPSG:32649 polygon) where ``covers`` holds, sampled on a ``step`` lattice."""
    x0, y0, x1, y1 = district.bounds
    gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    px, py = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(district, px, py)
    if not inside.any():
        return 0.0
    return float(covers(px[inside], py[inside]).mean())


def _check_census(cells: pd.DataFrame, covers, report: ImportReport, enforce: bool) -> None:
    """Compare the people in the districts the file covers with their 2020 census total.

    ``covers`` tests EPSG:32649 points for lying in the file's footprint. A district is covered
    when ``settings.POPULATION_DISTRICT_COVERED`` of its area (sampled every 500 m) lies in it.
    Outside ``settings.POPULATION_CENSUS_TOLERANCE``: an error naming both totals (a warning
    when ``enforce`` is False); else a note.
    """
    districts = district_boundaries()
    if covers is None or districts is None:
        return
    d = districts[districts["district_code"].isin(CENSUS_2020_TOTALS)].to_crs(PROJECTED)
    if d.empty:
        return
    step = grid_cell_m()
    share = np.array([_covered_share(g, covers, step) for g in d.geometry])
    covered = sorted(d.loc[share >= POPULATION_DISTRICT_COVERED, "district_code"].astype(str))
    if not covered:
        report.note("the file covers no whole district: its total is not compared with the census")
        return
    in_file = float(cells.loc[cells["district_code"].astype(str).isin(covered), "pop_total"].sum())
    census = float(sum(CENSUS_2020_TOTALS[c] for c in covered))
    ratio = in_file / census
    label = dict(zip(d["district_code"].astype(str), d["district_zh"] if "district_zh" in d else d["district_code"]))
    names = ", ".join(f"{c} {label.get(c, '')}".strip() for c in covered)
    where = f"the {len(covered)} district(s) it covers ({names})"
    if abs(ratio - 1) <= POPULATION_CENSUS_TOLERANCE:
        report.note(f"{in_file:,.0f} people in {where}; the 2020 census counts {census:,.0f} ({ratio - 1:+.1%})")
        return
    message = (
        f"{in_file:,.0f} people in {where}, against {census:,.0f} in the 2020 census (×{ratio:.3g}, "
        f"beyond the ±{POPULATION_CENSUS_TOLERANCE:.0%} tolerance): wrong units, an undeclared nodata "
        "value, or another area? If the figure is right, import again with --skip-census-check "
        "(census_check=False)"
    )
    if enforce:
        report.error(message)
        raise DataImportError(report)
    report.warn(message)


# --------------------------------------------------------------------------- readers


def _number(v) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _vector_cells(path, report: ImportReport, layer_name: str | None = None) -> pd.DataFrame:
    gdf = read_vector(path, report, layer_name)
    cols = match_columns([c for c in gdf.columns if c != gdf.geometry.name], POPULATION_ALIASES)
    if "pop_total" not in cols:
        report.error("no population column (accepted: " + ", ".join(POPULATION_ALIASES["pop_total"]) + ")")
        raise DataImportError(report)
    declared = "no CRS (longitude/latitude assumed)" if gdf.crs is None else f"CRS {gdf.crs.to_string()}"
    if gdf.crs is None:
        report.note("the file declares no CRS; longitude/latitude assumed")
        gdf = gdf.set_crs(WGS84)
    proj = gdf.geometry.to_crs(PROJECTED)
    n = len(gdf)
    out = {fld: np.full(n, np.nan) for fld in ("pop_total", "pop_60plus", "pop_0_17")}
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    for i, g in enumerate(proj):
        row = i + 1
        if g is None or g.is_empty:
            report.error("missing geometry", row=row, column="geometry")
            continue
        pt = g if g.geom_type == "Point" else g.centroid
        x[i], y[i] = pt.x, pt.y
    for fld in ("pop_total", "pop_60plus", "pop_0_17"):
        if fld not in cols:
            continue
        col = cols[fld]
        for i, v in enumerate(gdf[col]):
            f = _number(v)
            if f is None and (v is None or (isinstance(v, float) and math.isnan(v))) and fld == "pop_total":
                f = 0.0  # an empty total is an empty cell
            if f is None:
                report.error(f"{v!r} is not a number", row=i + 1, column=col)
            elif f < 0:
                report.error(f"negative count {f:g}", row=i + 1, column=col)
            elif f > MAX_CELL_PEOPLE:
                report.error(f"{f:g} people is more than any cell can hold (over {MAX_CELL_PEOPLE:,})",
                             row=i + 1, column=col)
            else:
                out[fld][i] = f
    for fld in ("pop_60plus", "pop_0_17"):
        if fld in cols:
            too_big = np.flatnonzero(out[fld] > out["pop_total"] + 1e-9)
            for i in too_big:
                report.error(
                    f"{out[fld][i]:g} exceeds the total {out['pop_total'][i]:g}", row=i + 1, column=cols[fld]
                )
    if "cell_id" in cols:
        ids = pd.to_numeric(gdf[cols["cell_id"]], errors="coerce")
        if ids.notna().all() and (ids == ids.round()).all() and ids.is_unique:
            cell_id = ids.astype(np.int64).to_numpy()
        else:
            report.note(f"column {cols['cell_id']} is not a unique integer id; cells numbered from 0")
            cell_id = np.arange(n, dtype=np.int64)
    else:
        cell_id = np.arange(n, dtype=np.int64)
    frame = pd.DataFrame({"cell_id": cell_id, "x": x, "y": y, "_row": np.arange(1, n + 1)})
    for fld in ("pop_total", "pop_60plus", "pop_0_17"):
        if fld in cols:
            frame[fld] = out[fld]
    empty = frame["pop_total"].fillna(0) <= 0
    if empty.any() and not report.errors:
        report.note(f"{int(empty.sum())} cells with no people skipped")
    frame = frame[~empty | frame["pop_total"].isna()].reset_index(drop=True)
    if len(gdf) and not gdf.geometry.isna().all():
        x0, y0, x1, y1 = gdf.total_bounds
        frame.attrs["source"] = (
            f"the file covers x {x0:.10g} to {x1:.10g}, y {y0:.10g} to {y1:.10g} in its declared {declared}"
        )
    return frame


_TABLE_ALIASES = {
    **POPULATION_ALIASES,
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "x": ("x", "x_m", "easting"),
    "y": ("y", "y_m", "northing"),
}


def _table_cells(
    path,
    report: ImportReport,
    max_mb: float | None = DEFAULT_MAX_MB_POPULATION,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """A CSV/XLSX grid: cell centres as lon/lat (WGS-84) or x/y (EPSG:32649 metres, or degrees)."""
    table = read_table(path, _TABLE_ALIASES, report, max_mb=max_mb, sheet=sheet, encoding=encoding)
    cols = table.columns
    if "pop_total" not in cols:
        report.error("no population column (accepted: " + ", ".join(POPULATION_ALIASES["pop_total"]) + ")",
                     row=table.header_row)
        raise DataImportError(report)
    if "lon" in cols and "lat" in cols:
        xcol, ycol = cols["lon"], cols["lat"]
    elif "x" in cols and "y" in cols:
        xcol, ycol = cols["x"], cols["y"]
    else:
        report.error("no cell-centre columns (经度/纬度, lon/lat or x/y)", row=table.header_row)
        raise DataImportError(report)
    frame = table.frame
    values: dict[str, np.ndarray] = {}
    for fld, col in [("_x", xcol), ("_y", ycol)] + [(f, cols[f]) for f in ("pop_total", "pop_60plus", "pop_0_17") if f in cols]:
        arr = np.full(len(frame), np.nan)
        for i, (v, row) in enumerate(zip(frame[col], table.rows)):
            f = _number(v.strip() if isinstance(v, str) else v)
            if f is None:
                report.error("empty cell" if v is None or str(v).strip() == "" else f"{v!r} is not a number",
                             row=row, column=col)
            elif f < 0 and fld.startswith("pop"):
                report.error(f"negative count {f:g}", row=row, column=col)
            elif f > MAX_CELL_PEOPLE and fld.startswith("pop"):
                report.error(f"{f:g} people is more than any cell can hold (over {MAX_CELL_PEOPLE:,})",
                             row=row, column=col)
            else:
                arr[i] = f
        values[fld] = arr
    for fld in ("pop_60plus", "pop_0_17"):
        if fld in values:
            for i in np.flatnonzero(values[fld] > values["pop_total"] + 1e-9):
                report.error(f"{values[fld][i]:g} exceeds the total {values['pop_total'][i]:g}",
                             row=table.rows[i], column=cols[fld])
    if report.errors:
        raise DataImportError(report)
    x, y = values["_x"], values["_y"]
    if xcol == cols.get("lon") or (len(x) and np.nanmax(np.abs(x)) <= 180 and np.nanmax(np.abs(y)) <= 90):
        tr = Transformer.from_crs(WGS84, PROJECTED, always_xy=True)
        x, y = tr.transform(x, y)
        report.note("cell centres read as longitude/latitude (WGS-84)")
    else:
        report.note("cell centres read as EPSG:32649 metres")
    if "cell_id" in cols:
        ids = pd.to_numeric(frame[cols["cell_id"]], errors="coerce")
        ok = ids.notna().all() and (ids == ids.round()).all() and ids.is_unique
        cell_id = ids.astype(np.int64).to_numpy() if ok else np.arange(len(frame), dtype=np.int64)
    else:
        cell_id = np.arange(len(frame), dtype=np.int64)
    out = pd.DataFrame({"cell_id": cell_id, "x": x, "y": y})
    for fld in ("pop_total", "pop_60plus", "pop_0_17"):
        if fld in values:
            out[fld] = values[fld]
    empty = out["pop_total"] <= 0
    if empty.any():
        report.note(f"{int(empty.sum())} cells with no people skipped")
    return out[~empty].reset_index(drop=True)


# --------------------------------------------------------------------------- towns / ages


def _assign(cells: pd.DataFrame, towns: gpd.GeoDataFrame, report: ImportReport) -> pd.DataFrame:
    t = towns[["town_code", "district_code", towns.geometry.name]].copy()
    t["town_code"] = t["town_code"].astype(str)
    t["district_code"] = t["district_code"].astype(str)
    t = t.to_crs(PROJECTED) if t.crs is not None else t.set_crs(WGS84).to_crs(PROJECTED)
    pts = gpd.GeoDataFrame(cells, geometry=gpd.points_from_xy(cells["x"], cells["y"]), crs=PROJECTED)
    joined = gpd.sjoin(pts, t, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    outside = joined["town_code"].isna()
    if outside.any():
        report.warn(
            f"{int(outside.sum())} cells outside every town dropped "
            f"({joined.loc[outside, 'pop_total'].sum():,.1f} people)"
        )
    kept = joined.loc[~outside].drop(columns=["geometry", "index_right"])
    return pd.DataFrame(kept).reset_index(drop=True)


def _to_grid(cells: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Vector/table cells on the region's grid: kept as they are when every centre sits on it
    (one per cell), else summed into the grid cell containing each centre (noted).

    A grid cell reached by cells of several towns goes to the town with most of its people.
    """
    if cells.empty:
        return cells
    size = grid_cell_m()
    x = cells["x"].to_numpy(dtype=float)
    y = cells["y"].to_numpy(dtype=float)
    col = np.floor(x / size).astype(np.int64)
    row = np.floor(y / size).astype(np.int64)
    on_lattice = np.allclose(x, (col + 0.5) * size, atol=0.01) and np.allclose(y, (row + 0.5) * size, atol=0.01)
    ids = row * GRID_ROW_FACTOR + col
    if on_lattice and len(np.unique(ids)) == len(ids):
        return cells
    fields = [f for f in ("pop_total", "pop_60plus", "pop_0_17") if f in cells.columns]
    frame = cells[["town_code", "district_code", *fields]].copy()
    frame["cell_id"] = ids
    by_town = frame.groupby(["cell_id", "town_code", "district_code"], sort=True)[fields].sum().reset_index()
    by_town = by_town.sort_values(["cell_id", "pop_total"], ascending=[True, False], kind="stable")
    owner = by_town.drop_duplicates("cell_id", keep="first").set_index("cell_id")
    sums = frame.groupby("cell_id", sort=True)[fields].sum()
    out = sums.join(owner[["town_code", "district_code"]]).reset_index()
    r, c = np.divmod(out["cell_id"].to_numpy(dtype=np.int64), GRID_ROW_FACTOR)
    out["x"] = (c + 0.5) * size
    out["y"] = (r + 0.5) * size
    split = int(by_town["cell_id"].duplicated().sum())
    report.note(
        f"{len(cells)} cells summed onto the region's {size:g} m grid: {len(out)} cells"
        + (f" ({split} grid cells straddle towns: each given to the town with most of its people)" if split else "")
    )
    return out


def _finish(cells: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    # rounded town by town: every town's total is kept (to the person), not only the city's
    raw_total = cells["pop_total"].to_numpy(dtype=float)
    total = np.zeros(len(cells), dtype=np.int64)
    for idx in cells.groupby(cells["town_code"].astype(str), sort=False).indices.values():
        total[idx] = round_preserving_sum(raw_total[idx])
    out = pd.DataFrame(
        {
            "cell_id": cells["cell_id"].astype(np.int64).to_numpy(),
            "x": cells["x"].to_numpy(dtype=float),
            "y": cells["y"].to_numpy(dtype=float),
            "town_code": cells["town_code"].astype(str).to_numpy(),
            "district_code": cells["district_code"].astype(str).to_numpy(),
            "pop_total": total,
        }
    )
    modelled = [f for f in ("pop_60plus", "pop_0_17") if f not in cells.columns]
    for fld in ("pop_60plus", "pop_0_17"):
        if fld in cells.columns:
            out[fld] = round_preserving_sum(cells[fld].to_numpy(dtype=float))
    if modelled:
        shares, source = district_age_shares()
        unknown = sorted(set(out["district_code"]) - set(shares.index.astype(str)))
        if unknown:
            report.warn(f"no age shares for districts {', '.join(unknown)}: their age groups set to 0")
        for fld in modelled:
            share = out["district_code"].map(shares[f"share_{fld[4:]}"]).fillna(0.0).to_numpy()
            expected = out["pop_total"].to_numpy() * share
            col = np.zeros(len(out), dtype=np.int64)
            for d in out["district_code"].unique():
                m = (out["district_code"] == d).to_numpy()
                col[m] = round_preserving_sum(expected[m])
            out[fld] = col
        report.warn(f"{' and '.join(modelled)} {_AGES_MODELLED} {source}")
    # keep each cell's age groups within its total
    out["pop_60plus"] = np.minimum(out["pop_60plus"], out["pop_total"])
    out["pop_0_17"] = np.minimum(out["pop_0_17"], out["pop_total"] - out["pop_60plus"])
    zero = out["pop_total"] == 0
    if zero.any():
        report.note(f"{int(zero.sum())} cells rounded to 0 people omitted (the total is kept)")
        out = out[~zero]
    for fld in ("pop_total", "pop_60plus", "pop_0_17"):
        out[fld] = out[fld].astype(np.int64)
    return out[POPULATION_COLUMNS].reset_index(drop=True)
