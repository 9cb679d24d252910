"""Population grids uploaded by the user → the population table.

Two inputs are accepted:

* a **raster** (GeoTIFF on any grid and CRS: WorldPop EPSG:4326 3″, GHS-POP Mollweide, a
  100 m or 1 km grid …): band 1 holds people per pixel; it is aggregated once onto the
  region's 500 m grid (EPSG:32649, ``cell_id = row * 100000 + col``), conserving the
  people inside the towns (:mod:`coverage.io.raster`);
* a **vector grid** (GeoJSON / GeoPackage / zipped Shapefile, or a CSV/XLSX table of cell
  centres) of points or grid-cell polygons (taken at their centroid; a polygon larger than
  ``settings.MAX_POPULATION_POLYGON_KM2``, e.g. a town, is refused) with a population column
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
is compared with the 2020 census (``settings.POPULATION_CENSUS_TOLERANCE``). The file replaces
the whole grid, so one that does not cover every district gets a warning: the share of the
city's 2020 census population it covers (where the embedded grid places it; the share of the
city's area when there is no embedded grid) and the districts it covers only in part or not at
all, whose people the import removes. What a file covers: a raster, its pixels holding a count
(nodata, fill values and the like do not count), outside the part read its extent; a vector or
table grid, a square around each populated cell centre as wide as the centres' spacing. Any input
whose populated cells all fall outside every town is refused (file level, giving the
file's extent in its declared CRS): that is almost always a wrong or missing CRS.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from coverage import paths
from coverage.crs import PROJECTED, WGS84
from coverage.describe import percent
from coverage.i18n import STRINGS
from coverage.io.columns import POPULATION_ALIASES, match_columns
from coverage.io.raster import GRID_ROW_FACTOR, grid_cell_m, read_raster_cells
from coverage.io.reference import CENSUS_2020_TOTALS, default_towns, district_age_shares, district_boundaries
from coverage.io.report import DataImportError, ImportReport, file_error
from coverage.io.tables import check_file, file_kind, read_table, read_vector
from coverage.io.encoding import row_list
from coverage.settings import (
    MAX_CELL_PEOPLE, MAX_POPULATION_MB, MAX_POPULATION_POLYGON_KM2, POPULATION_CENSUS_TOLERANCE,
    POPULATION_DISTRICT_COVERED,
)

__all__ = ["read_population", "POPULATION_COLUMNS", "age_groups_modelled", "round_preserving_sum", "FileExtent"]

#: The warnings written when the file had no 60+ / 0-17 columns (read by age_groups_modelled).
_AGES_MODELLED_CODES = frozenset(
    f"import.population.{what}.{source}" for what in ("ages_modelled", "age_modelled") for source in ("census", "grid")
)
#: How those warnings read in a report saved before messages had codes (its literal text is its code).
_AGES_MODELLED_TEXT = "not in the file: modelled from"
#: Where :func:`coverage.io.reference.district_age_shares` says its shares come from → message key part.
_AGE_SHARE_SOURCES = {
    "the default population grid's district shares": "grid",
    "the 2020 census district shares": "census",
}

#: The accepted names of the population column, as the report lists them.
_ACCEPTED_TOTALS = ", ".join(POPULATION_ALIASES["pop_total"])

POPULATION_COLUMNS = ["cell_id", "x", "y", "town_code", "district_code", "pop_total", "pop_60plus", "pop_0_17"]
DEFAULT_MAX_MB_POPULATION = MAX_POPULATION_MB


@dataclass(frozen=True)
class FileExtent:
    """Where a file's data lie, named when every populated cell falls outside every town.

    Attributes
    ----------
    kind : {"raster", "file"}
        A raster's extent, or a vector file's bounds (the ``import.population.outside_towns.*`` key part).
    bounds : tuple of float
        ``(x0, x1, y0, y1)`` in the file's declared CRS.
    crs : str or None
        The CRS the file declares (None: it declares none).
    """

    kind: str
    bounds: tuple[float, float, float, float]
    crs: str | None


def age_groups_modelled(report: ImportReport) -> bool:
    """True when :func:`read_population` modelled the 60+ / 0-17 groups (the file had no such columns).

    Read from the codes of the report's warnings, so it also holds for a report restored from a
    workspace (one saved before messages had codes is read from its literal text).
    """
    return any(
        w.code in _AGES_MODELLED_CODES or (w.code not in STRINGS and _AGES_MODELLED_TEXT in w.code)
        for w in report.warnings
    )


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
            raise file_error(p, "import.population.no_towns", layer="population")
    kind = file_kind(p)
    if kind == "raster":
        raster = read_raster_cells(p, towns, report)
        n_cells, footprint = raster.populated_pixels, raster.covers
        extent: FileExtent | None = FileExtent("raster", raster.bounds, raster.declared_crs)
        report.rows_read = n_cells
        cells = raster.cells
    else:
        if kind == "vector":
            cells, extent = _vector_cells(p, report, layer_name)
        else:
            cells, extent = _table_cells(p, report, max_mb, sheet=sheet, encoding=encoding), None
        report.rows_read = len(cells)
        report.raise_if_errors()
        n_cells = len(cells)
        footprint = _points_footprint(cells)
        cells = _to_grid(_assign(cells, towns, report), report)
    report.raise_if_errors()
    if n_cells and cells.empty:
        if extent is None:
            report.error("import.population.outside_towns", n=n_cells)
        else:
            x0, x1, y0, y1 = extent.bounds
            crs = extent.crs
            code = f"import.population.outside_towns.{extent.kind}_" + ("no_crs" if crs is None else "crs")
            report.error(code, n=n_cells, x0=x0, x1=x1, y0=y0, y1=y1, **({} if crs is None else {"crs": crs}))
        raise DataImportError(report)
    if cells.empty or float(cells["pop_total"].sum()) <= 0:
        # nothing to import: replacing the grid with it would leave the whole city without people
        report.error("import.population.no_people", n=n_cells)
        raise DataImportError(report)
    _check_census(cells, footprint, report, census_check)
    cells = _finish(cells, report)
    report.rows_imported = len(cells)
    return cells, report


# --------------------------------------------------------------------------- census


def _points_footprint(cells: pd.DataFrame) -> "Callable[[np.ndarray, np.ndarray], np.ndarray] | None":
    """What a vector/table grid covers: a test of EPSG:32649 points, true within a square around
    some cell centre as wide as the centres' spacing (at most two grid cells; one grid cell when
    the file has a single centre); None for a file without centres."""
    x = np.asarray(cells.get("x", []), dtype=float)
    y = np.asarray(cells.get("y", []), dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    xy = np.unique(np.column_stack([x[ok], y[ok]]), axis=0) if ok.any() else np.empty((0, 2))
    if len(xy) == 0:
        return None
    tree = cKDTree(xy)
    if len(xy) == 1:
        half = grid_cell_m() / 2
    else:
        dist, _ = tree.query(xy, k=2)
        half = min(float(np.median(dist[:, 1])), 2 * grid_cell_m()) / 2

    def covers(px: np.ndarray, py: np.ndarray) -> np.ndarray:
        d, _ = tree.query(np.column_stack([px, py]), p=np.inf, distance_upper_bound=half)
        return np.isfinite(d)

    return covers


def _lattice(district, step: float) -> tuple[np.ndarray, np.ndarray]:
    """The points of a ``step`` lattice (over the bounds of ``district``, an EPSG:32649 polygon) inside it."""
    x0, y0, x1, y1 = district.bounds
    gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    px, py = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(district, px, py)
    return px[inside], py[inside]


def _percent(share: float) -> str:
    """A share as a language-neutral percentage (:func:`coverage.describe.percent`, one decimal):
    ``"<0.1%"``, ``"3.2%"``, ``"45.0%"``, ``">99.9%"``."""
    if 0 < share < 0.0005:
        return "<0.1%"
    if 0.9995 <= share < 1:
        return ">99.9%"
    return percent(share)  # the one way a rate is written: one decimal


def _census_cells() -> pd.DataFrame | None:
    """``x, y, pop_total`` of the embedded population grid (each district's 2020 census total spread
    over its cells), or None when it is not there or cannot be read."""
    try:
        return pd.read_csv(paths.POPULATION_FILE, usecols=["x", "y", "pop_total"])
    except (OSError, ValueError):
        return None


def _check_coverage(cells: pd.DataFrame, covers, report: ImportReport, districts: dict[str, dict]) -> None:
    """Warn when the file, which replaces the whole population grid, leaves part of the city out.

    ``districts`` maps each district code to its names ``zh`` / ``en``, ``share`` (of its area the file covers),
    ``covered`` (the share reaches ``settings.POPULATION_DISTRICT_COVERED``) and its lattice
    ``samples`` / ``hits``. The warning gives the share of the city's 2020 census population the
    file covers (where the embedded grid places it), or of the city's area when there is no
    embedded grid, and names the districts not covered wholly (with the share of each covered): the
    districts are places in the values (codes, names in both languages, shares), worded when shown.
    """
    covered = [c for c, d in districts.items() if d["covered"]]
    if len(covered) == len(districts):
        return
    with_cells = set(cells["district_code"].astype(str)) if len(cells) else set()
    census = float(sum(CENSUS_2020_TOTALS[c] for c in districts))
    grid = _census_cells()
    if grid is not None and len(grid):
        inside = covers(grid["x"].to_numpy(dtype=float), grid["y"].to_numpy(dtype=float))
        people = float(grid.loc[inside, "pop_total"].sum())
        how, fraction = "population", people / census
        share_values = {"people": people, "census": census, "cell": grid_cell_m()}
    else:
        hits = sum(int(d["hits"]) for d in districts.values())
        samples = sum(int(d["samples"]) for d in districts.values())
        how, fraction = "area", (hits / samples if samples else 0.0)
        share_values = {}
    # ``fraction`` is not shown (``share`` is its rounded text): it is there for programs reading the report
    share_values.update(share=_percent(fraction), fraction=fraction)

    def named(code: str, bracket: bool) -> dict[str, str]:
        # a place of the values (coverage.io.report.value_text names it in the page's language)
        d = districts[code]
        place = {"code": code, "zh": d["zh"], "en": d["en"]}
        if bracket:
            # a district holding some of the file's cells but none of the sample points: a sliver
            place["share"] = "<0.1%" if d["share"] == 0 else _percent(d["share"])
        return place

    if not covered:
        # some district is touched: the file holds people (an empty file is refused before) in towns
        touched = [c for c, d in districts.items() if d["share"] > 0 or c in with_cells]
        report.warn(f"import.population.partial_city.{how}", n_districts=len(touched),
                    districts=[named(c, True) for c in touched], **share_values)
        return
    left = [c for c in districts if not districts[c]["covered"]]
    report.warn(
        f"import.population.districts_left_out.{how}", n_covered=len(covered), n_all=len(districts),
        covered=[named(c, False) for c in covered], n_left=len(left),
        left=[named(c, districts[c]["share"] > 0 or c in with_cells) for c in left], **share_values,
    )


def _check_census(cells: pd.DataFrame, covers, report: ImportReport, enforce: bool) -> None:
    """Say what part of the city the file covers, and compare the people in the districts it
    covers with their 2020 census total.

    ``covers`` tests EPSG:32649 points for lying in the file's footprint. A district is covered
    when ``settings.POPULATION_DISTRICT_COVERED`` of its area (sampled every 500 m) lies in it.
    A file that does not cover every district gets a warning (:func:`_check_coverage`): it
    replaces the whole grid, so the rest of the city has no people. Over the covered districts,
    outside ``settings.POPULATION_CENSUS_TOLERANCE``: an error naming both totals (a warning
    when ``enforce`` is False); else a note.
    """
    boundaries = district_boundaries()
    if covers is None or boundaries is None:
        return
    d = boundaries[boundaries["district_code"].isin(CENSUS_2020_TOTALS)].to_crs(PROJECTED)
    if d.empty:
        return
    step = grid_cell_m()
    codes = d["district_code"].astype(str).tolist()
    zh_names = d["district_zh"].astype(str).tolist() if "district_zh" in d else [""] * len(codes)
    en_names = d["district_en"].astype(str).tolist() if "district_en" in d else zh_names
    districts: dict[str, dict] = {}
    for code, zh, en, geom in sorted(zip(codes, zh_names, en_names, d.geometry), key=lambda r: r[0]):
        px, py = _lattice(geom, step)
        hits = int(covers(px, py).sum()) if px.size else 0
        share = hits / px.size if px.size else 0.0
        districts[code] = {"zh": zh, "en": en or zh, "share": share, "samples": int(px.size), "hits": hits,
                           "covered": share >= POPULATION_DISTRICT_COVERED}
    _check_coverage(cells, covers, report, districts)
    covered = [c for c, v in districts.items() if v["covered"]]
    if not covered:
        return
    in_file = float(cells.loc[cells["district_code"].astype(str).isin(covered), "pop_total"].sum())
    census = float(sum(CENSUS_2020_TOTALS[c] for c in covered))
    ratio = in_file / census
    where = {"people": in_file, "n": len(covered), "census": census,
             "districts": [{"code": c, "zh": districts[c]["zh"], "en": districts[c]["en"]} for c in covered]}
    if abs(ratio - 1) <= POPULATION_CENSUS_TOLERANCE:
        report.note("import.population.census_agrees", **where, diff=ratio - 1)
        return
    mismatch = {**where, "ratio": ratio, "tolerance": POPULATION_CENSUS_TOLERANCE}
    if enforce:
        report.error("import.population.census_mismatch", **mismatch)
        raise DataImportError(report)
    report.warn("import.population.census_mismatch", **mismatch)


# --------------------------------------------------------------------------- readers


def _number(v) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _check_polygon_sizes(proj: gpd.GeoSeries, report: ImportReport) -> None:
    """Refuse polygons larger than ``MAX_POPULATION_POLYGON_KM2`` (towns, districts: not grid cells),
    which one point each would misplace; one error naming their rows."""
    polygonal = proj.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    km2 = np.where(polygonal, proj.area.to_numpy() / 1e6, 0.0)
    big = np.flatnonzero(km2 > MAX_POPULATION_POLYGON_KM2)
    if len(big) == 0:
        return
    rows = [int(i) + 1 for i in big]
    form, where = row_list(rows)
    report.error(f"import.population.polygons_too_large.{form}", row=rows[0], column="geometry", n=len(rows),
                 largest=float(km2[big].max()), limit=MAX_POPULATION_POLYGON_KM2, **where)
    raise DataImportError(report)


def _vector_cells(path, report: ImportReport, layer_name: str | None = None) -> tuple[pd.DataFrame, FileExtent | None]:
    """A vector grid's cells (``cell_id, x, y, pop_*``, EPSG:32649 centres) and the file's bounds
    (None when it holds no geometry)."""
    gdf = read_vector(path, report, layer_name)
    cols = match_columns([c for c in gdf.columns if c != gdf.geometry.name], POPULATION_ALIASES)
    if "pop_total" not in cols:
        report.error("import.population.no_population_column", accepted=_ACCEPTED_TOTALS)
        raise DataImportError(report)
    declared = None if gdf.crs is None else gdf.crs.to_string()
    if gdf.crs is None:
        report.note("import.population.no_crs_lonlat")
        gdf = gdf.set_crs(WGS84)
    proj = gdf.geometry.to_crs(PROJECTED)
    _check_polygon_sizes(proj, report)
    n = len(gdf)
    out = {fld: np.full(n, np.nan) for fld in ("pop_total", "pop_60plus", "pop_0_17")}
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    for i, g in enumerate(proj):
        row = i + 1
        if g is None or g.is_empty:
            report.error("import.population.missing_geometry", row=row, column="geometry")
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
                report.error("import.population.not_a_number", row=i + 1, column=col, value=repr(v))
            elif f < 0:
                report.error("import.population.negative_count", row=i + 1, column=col, count=f)
            elif f > MAX_CELL_PEOPLE:
                report.error("import.population.too_many_people", row=i + 1, column=col, count=f,
                             limit=MAX_CELL_PEOPLE)
            else:
                out[fld][i] = f
    for fld in ("pop_60plus", "pop_0_17"):
        if fld in cols:
            too_big = np.flatnonzero(out[fld] > out["pop_total"] + 1e-9)
            for i in too_big:
                report.error("import.population.age_over_total", row=int(i) + 1, column=cols[fld],
                             count=float(out[fld][i]), total=float(out["pop_total"][i]))
    if "cell_id" in cols:
        ids = pd.to_numeric(gdf[cols["cell_id"]], errors="coerce")
        if ids.notna().all() and (ids == ids.round()).all() and ids.is_unique:
            cell_id = ids.astype(np.int64).to_numpy()
        else:
            report.note("import.population.cell_id_not_unique", name=cols["cell_id"])
            cell_id = np.arange(n, dtype=np.int64)
    else:
        cell_id = np.arange(n, dtype=np.int64)
    frame = pd.DataFrame({"cell_id": cell_id, "x": x, "y": y, "_row": np.arange(1, n + 1)})
    for fld in ("pop_total", "pop_60plus", "pop_0_17"):
        if fld in cols:
            frame[fld] = out[fld]
    empty = frame["pop_total"].fillna(0) <= 0
    if empty.any() and not report.errors:
        report.note("import.population.empty_cells_skipped", n=int(empty.sum()))
    frame = frame[~empty | frame["pop_total"].isna()].reset_index(drop=True)
    extent = None
    if len(gdf) and not gdf.geometry.isna().all():
        x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds)
        extent = FileExtent("file", (x0, x1, y0, y1), declared)
    return frame, extent


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
        report.error("import.population.no_population_column", row=table.header_row, accepted=_ACCEPTED_TOTALS)
        raise DataImportError(report)
    if "lon" in cols and "lat" in cols:
        xcol, ycol = cols["lon"], cols["lat"]
    elif "x" in cols and "y" in cols:
        xcol, ycol = cols["x"], cols["y"]
    else:
        report.error("import.population.no_centre_columns", row=table.header_row)
        raise DataImportError(report)
    frame = table.frame
    values: dict[str, np.ndarray] = {}
    for fld, col in [("_x", xcol), ("_y", ycol)] + [(f, cols[f]) for f in ("pop_total", "pop_60plus", "pop_0_17") if f in cols]:
        arr = np.full(len(frame), np.nan)
        for i, (v, row) in enumerate(zip(frame[col], table.rows)):
            f = _number(v.strip() if isinstance(v, str) else v)
            if f is None and (v is None or str(v).strip() == ""):
                report.error("import.population.empty_cell", row=row, column=col)
            elif f is None:
                report.error("import.population.not_a_number", row=row, column=col, value=repr(v))
            elif f < 0 and fld.startswith("pop"):
                report.error("import.population.negative_count", row=row, column=col, count=f)
            elif f > MAX_CELL_PEOPLE and fld.startswith("pop"):
                report.error("import.population.too_many_people", row=row, column=col, count=f,
                             limit=MAX_CELL_PEOPLE)
            else:
                arr[i] = f
        values[fld] = arr
    for fld in ("pop_60plus", "pop_0_17"):
        if fld in values:
            for i in np.flatnonzero(values[fld] > values["pop_total"] + 1e-9):
                report.error("import.population.age_over_total", row=table.rows[i], column=cols[fld],
                             count=float(values[fld][i]), total=float(values["pop_total"][i]))
    if report.errors:
        raise DataImportError(report)
    x, y = values["_x"], values["_y"]
    if xcol == cols.get("lon") or (len(x) and np.nanmax(np.abs(x)) <= 180 and np.nanmax(np.abs(y)) <= 90):
        tr = Transformer.from_crs(WGS84, PROJECTED, always_xy=True)
        x, y = tr.transform(x, y)
        report.note("import.population.centres_lonlat")
    else:
        report.note("import.population.centres_metres")
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
        report.note("import.population.empty_cells_skipped", n=int(empty.sum()))
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
        report.warn("import.population.cells_outside_towns", n=int(outside.sum()),
                    people=float(joined.loc[outside, "pop_total"].sum()))
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
    summed = {"n": len(cells), "cell": size, "cells": len(out)}
    if split:
        report.note("import.population.summed_onto_grid.split", **summed, split=split)
    else:
        report.note("import.population.summed_onto_grid", **summed)
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
            report.warn("import.population.no_age_shares", districts=", ".join(unknown))
        for fld in modelled:
            share = out["district_code"].map(shares[f"share_{fld[4:]}"]).fillna(0.0).to_numpy()
            expected = out["pop_total"].to_numpy() * share
            col = np.zeros(len(out), dtype=np.int64)
            for d in out["district_code"].unique():
                m = (out["district_code"] == d).to_numpy()
                col[m] = round_preserving_sum(expected[m])
            out[fld] = col
        where = _AGE_SHARE_SOURCES[source]
        if len(modelled) == 2:
            report.warn(f"import.population.ages_modelled.{where}")
        else:
            report.warn(f"import.population.age_modelled.{where}", group=modelled[0])
    # keep each cell's age groups within its total
    out["pop_60plus"] = np.minimum(out["pop_60plus"], out["pop_total"])
    out["pop_0_17"] = np.minimum(out["pop_0_17"], out["pop_total"] - out["pop_60plus"])
    zero = out["pop_total"] == 0
    if zero.any():
        report.note("import.population.rounded_to_zero", n=int(zero.sum()))
        out = out[~zero]
    for fld in ("pop_total", "pop_60plus", "pop_0_17"):
        out[fld] = out[fld].astype(np.int64)
    return out[POPULATION_COLUMNS].reset_index(drop=True)
