"""Population rasters (WorldPop, GHS-POP, any grid and CRS) → people per cell of the region's grid.

What the reader guarantees:

* **Memory bounded by the region, not the file.** Only the window of the raster over the
  towns (plus a margin) is read; its pixels × bands are checked against
  ``settings.MAX_RASTER_PIXELS`` *before* anything is allocated, so a tiny file declaring
  40000 × 40000 pixels is refused at once with its size.
* **Values read as float64 and checked before any cast.** Declared nodata, NaN, ±inf,
  negative cells and cells above ``settings.MAX_CELL_PEOPLE`` are counted in the report
  (treated as empty). **Undeclared nodata** is
  detected: cells equal to a usual fill value (the dtype's maximum or minimum, ±3.4e38,
  ±1.8e308, -9999, -99999, -999999, 65535, 32767, -32768, 2147483647 …) are treated as
  empty, with a warning giving the value and the count.
* **Aggregated onto the region's grid once, conserving the total.** Each pixel is assigned
  to the town containing its centre (towns rasterised onto the pixel grid), then summed
  into the 500 m cell (``grid_meta.json``'s grid: EPSG:32649, origin 0, ``cell_id = row *
  100000 + col``) containing its centre. Pixels coarser than half a cell are first split
  into equal sub-pixels, so a 1 km raster spreads over the 500 m cells it covers. A grid
  cell reached by pixels of several towns goes to the town with most of its people (noted).
* **A raster on the grid is not blurred.** When the pixels line up with the grid (the grid's
  CRS, no rotation, square pixels whose side is the cell's side divided or multiplied by a
  whole number, every pixel edge within ``GRID_ALIGN_TOLERANCE_M`` of the grid's lines), a
  pixel of at most one cell goes whole to the cell holding it, and a pixel of m × m cells is
  split into exactly those m × m cells: each goes to the town of its centre, never shared
  2 × 2 with a neighbouring town.
  People in pixels outside every town are dropped and counted.
* **What it covers is known pixel by pixel.** :attr:`RasterCells.covers` tests points against
  the pixels that hold a count (0 or more people): a raster of one town padded with nodata
  covers that town, not its bounding box.

Every finding is a code of ``coverage/i18n/imports_population.py`` with its values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS as ProjCRS
from pyproj import Transformer

from coverage import paths
from coverage.crs import PROJECTED, WGS84
from coverage.io.report import ImportReport, file_error
from coverage.settings import MAX_CELL_PEOPLE, MAX_RASTER_PIXELS

__all__ = ["GRID_ROW_FACTOR", "GRID_ALIGN_TOLERANCE_M", "grid_cell_m", "grid_split", "fill_values", "FillValue",
           "read_raster_cells", "RasterCells"]

#: ``cell_id = row * GRID_ROW_FACTOR + col`` (the default grid's numbering).
GRID_ROW_FACTOR = 100_000
_DEFAULT_CELL_M = 500.0
#: Degrees added around the towns' bounding box when choosing the window to read.
_WINDOW_MARGIN_DEG = 0.05
_MAX_SPLIT = 16
#: How far (metres) a pixel edge may lie from the grid's lines and still count as on them.
GRID_ALIGN_TOLERANCE_M = 0.01


def grid_cell_m() -> float:
    """Side of the region's population grid cells in metres (``grid_meta.json``, else 500)."""
    try:
        return float(json.loads(paths.POPULATION_META.read_text(encoding="utf-8"))["cell_size_m"])
    except (OSError, ValueError, KeyError, TypeError):
        return _DEFAULT_CELL_M


@dataclass(frozen=True)
class FillValue:
    """How a usual fill value is named in the report.

    Attributes
    ----------
    value : str or None
        The number as written (``"-9999"``), None when only its type's bound names it.
    dtype : str or None
        The numeric type whose maximum or minimum it is (``"float32"``), None for a plain number.
    bound : {"max", "min"} or None
    """

    value: str | None
    dtype: str | None = None
    bound: str | None = None

    @property
    def label(self) -> str:
        """The key part of the ``import.population.fill.*`` messages naming this value."""
        if self.dtype is None:
            return "plain"
        return self.bound if self.value is None else f"value_{self.bound}"

    def values(self) -> dict[str, str]:
        """The message values naming this fill value."""
        out = {"value": self.value, "dtype": self.dtype}
        return {k: v for k, v in out.items() if v is not None}


def fill_values(dtype: str) -> dict[float, FillValue]:
    """Usual fill values for a raster of ``dtype`` → how the report names each."""
    f32, f64 = float(np.finfo(np.float32).max), float(np.finfo(np.float64).max)
    out: dict[float, FillValue] = {
        -9999.0: FillValue("-9999"), -99999.0: FillValue("-99999"), -999999.0: FillValue("-999999"),
        f32: FillValue(None, "float32", "max"), -f32: FillValue(None, "float32", "min"),
        f64: FillValue(None, "float64", "max"), -f64: FillValue(None, "float64", "min"),
        65535.0: FillValue("65535", "uint16", "max"), 32767.0: FillValue("32767", "int16", "max"),
        -32768.0: FillValue("-32768", "int16", "min"), 2147483647.0: FillValue("2147483647", "int32", "max"),
        -2147483648.0: FillValue("-2147483648", "int32", "min"),
        4294967295.0: FillValue("4294967295", "uint32", "max"),
    }  # fmt: skip
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        out.setdefault(float(info.max), FillValue(str(info.max), dt.name, "max"))
        if dt.kind == "i":
            out.setdefault(float(info.min), FillValue(str(info.min), dt.name, "min"))
    return out


@dataclass
class RasterCells:
    """Grid cells of a raster, and what the raster covers.

    Attributes
    ----------
    cells : DataFrame
        ``cell_id, x, y, pop_total, town_code, district_code``: one row per grid cell holding people.
    populated_pixels : int
        Pixels holding people (a finite count above 0) in the part read.
    bounds : tuple of float
        ``(left, right, bottom, top)`` of the whole raster in its declared CRS.
    declared_crs : str or None
        The CRS the file declares (None: it declares none; longitude/latitude were assumed).
    covers : callable
        ``covers(x, y)`` → bool array: which EPSG:32649 points the raster gives a count for (0 or
        more people). Inside the part read, a pixel counts unless it is nodata, NaN, infinite,
        negative, a fill value or implausibly large; outside it, the raster's extent decides.
    """

    cells: pd.DataFrame
    populated_pixels: int
    bounds: tuple[float, float, float, float]
    declared_crs: str | None
    covers: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _window(src, towns_wgs84: gpd.GeoDataFrame):
    """The window of ``src`` over the towns (with a margin), or None when they do not overlap."""
    from rasterio.warp import transform_bounds
    from rasterio.windows import Window, from_bounds

    x0, y0, x1, y1 = towns_wgs84.total_bounds
    m = _WINDOW_MARGIN_DEG
    crs = src.crs if src.crs is not None else WGS84
    try:
        b = transform_bounds(WGS84, crs, x0 - m, y0 - m, x1 + m, y1 + m, densify_pts=21)
    except Exception:
        return None
    if not all(math.isfinite(v) for v in b):
        return None
    win = from_bounds(*b, transform=src.transform)
    full = Window(0, 0, src.width, src.height)
    try:
        win = win.round_offsets(op="floor").round_lengths(op="ceil").intersection(full)
    except Exception:  # rasterio raises WindowError when they do not intersect
        return None
    if win.width <= 0 or win.height <= 0:
        return None
    return win


def _too_big(path: Path, src, pixels: int, whole: bool) -> Exception:
    return file_error(
        path, "import.population.too_many_pixels." + ("whole" if whole else "window"), layer="population",
        width=src.width, height=src.height, bands=src.count, pixels=pixels, limit=MAX_RASTER_PIXELS,
    )


def _clean_values(
    values: np.ndarray, masked: np.ndarray, declared_nodata, dtype: str, report: ImportReport
) -> np.ndarray:
    """``values`` (float64) with every unusable cell set to NaN, each kind counted in ``report``.

    ``masked`` marks the cells the file itself declares empty (its nodata value or mask).
    """
    v = values
    n_masked = int(masked.sum())
    if n_masked:
        if declared_nodata is not None:
            report.note("import.population.nodata_declared", n=n_masked, nodata=float(declared_nodata))
        else:
            report.note("import.population.nodata_mask", n=n_masked)
    n_nan = int((np.isnan(v) & ~masked).sum())
    if n_nan:
        report.warn("import.population.nan_cells", n=n_nan)
    nodata_key = "no_nodata" if declared_nodata is None else "nodata"
    nodata_values = {} if declared_nodata is None else {"nodata": float(declared_nodata)}
    for value, fill in fill_values(dtype).items():
        if declared_nodata is not None and float(declared_nodata) == value:
            continue
        hit = v == value
        n = int(hit.sum())
        if n:
            report.warn(f"import.population.fill.{fill.label}.{nodata_key}", n=n, **fill.values(), **nodata_values)
            v[hit] = np.nan
    inf = np.isinf(v)
    n_inf = int(inf.sum())
    if n_inf:
        report.warn("import.population.infinite_cells", n=n_inf)
        v[inf] = np.nan
    with np.errstate(invalid="ignore"):
        huge = v > MAX_CELL_PEOPLE
    n_huge = int(huge.sum())
    if n_huge:
        report.warn("import.population.huge_cells", n=n_huge, limit=MAX_CELL_PEOPLE, top=float(np.nanmax(v[huge])))
        v[huge] = np.nan
    with np.errstate(invalid="ignore"):
        negative = v < 0
    n_neg = int(negative.sum())
    if n_neg:
        report.warn("import.population.negative_cells", n=n_neg)
        v[negative] = np.nan
    return v


def read_raster_cells(path: Path, towns: gpd.GeoDataFrame, report: ImportReport) -> RasterCells:
    """Read band 1 of a population raster and aggregate it onto the region's grid.

    Parameters
    ----------
    path : Path
    towns : GeoDataFrame
        Town polygons (any CRS) with ``town_code`` and ``district_code``.
    report : ImportReport

    Returns
    -------
    RasterCells
        One row per grid cell holding people (its town and district, float people).

    Raises
    ------
    DataImportError
        Unreadable, too many pixels, or (in the caller) no pixel in any town.
    """
    import rasterio
    from rasterio.features import rasterize
    from rasterio.windows import Window
    from rasterio.windows import transform as window_transform

    t = towns[["town_code", "district_code", towns.geometry.name]].copy()
    t = t.to_crs(WGS84) if t.crs is not None else t.set_crs(WGS84)
    try:
        src = rasterio.open(path)
    except Exception as exc:
        raise file_error(path, "import.population.not_a_raster", layer="population", detail=str(exc)) from None
    with src:
        win = _window(src, t)
        whole = win is None
        if whole:
            win = Window(0, 0, src.width, src.height)
        pixels = int(win.width) * int(win.height) * int(src.count)
        if pixels > MAX_RASTER_PIXELS:
            raise _too_big(path, src, pixels, whole)
        try:
            band = src.read(1, window=win, masked=True, out_dtype="float64")
        except Exception as exc:
            raise file_error(path, "import.population.unreadable_pixels", layer="population",
                             detail=str(exc)) from None
        transform = window_transform(win, src.transform)
        src_crs = src.crs
        dtype = src.dtypes[0]
        nodata = src.nodata
        res = src.res
        bounds = src.bounds
        width, height, bands = src.width, src.height, src.count
    masked = np.ma.getmaskarray(band)
    values = np.array(np.ma.filled(band, np.nan), dtype=np.float64)
    del band  # the masked array: as large again as the values
    values = _clean_values(values, masked, nodata, dtype, report)
    declared = None if src_crs is None else src_crs.to_string()
    if bands > 1:
        report.note("import.population.many_bands", bands=bands)
    if src_crs is None:
        report.note("import.population.raster_no_crs")
        src_crs = WGS84
    crs = ProjCRS.from_user_input(src_crs)
    extent = (float(bounds.left), float(bounds.right), float(bounds.bottom), float(bounds.top))
    covers = _coverage_test(crs, transform, np.isfinite(values), extent)
    populated = np.isfinite(values) & (values > 0)
    n_populated = int(populated.sum())
    total = float(values[populated].sum())
    cell_m = grid_cell_m()
    k = grid_split(transform, crs, values.shape, cell_m)
    if k is None:
        k = _split_factor(transform, crs, values.shape, cell_m)
    read = dict(width=width, height=height, res_x=float(res[0]), res_y=float(res[1]), crs=crs.name,
                read_width=int(values.shape[1]), read_height=int(values.shape[0]), populated=n_populated,
                people=total)
    if k > 1:
        report.note("import.population.raster_read.split", **read, k=k, cell=cell_m)
    else:
        report.note("import.population.raster_read", **read)
    if n_populated == 0:
        return RasterCells(_empty(), 0, extent, declared, covers)
    fine = values  # from here on only the people are needed: empty pixels zeroed in place
    fine[~populated] = 0.0
    if k > 1:
        fine = np.kron(fine, np.ones((k, k))) / (k * k)
    fine_transform = transform @ transform.scale(1.0 / k, 1.0 / k)
    t_src = t.to_crs(crs)
    shapes = [(g, i + 1) for i, g in enumerate(t_src.geometry) if g is not None and not g.is_empty]
    town_idx = rasterize(shapes, out_shape=fine.shape, transform=fine_transform, fill=0, dtype="int32")
    inside = (fine > 0) & (town_idx > 0)
    outside_people = float(fine[(fine > 0) & (town_idx == 0)].sum())
    if outside_people > 0:
        outside_pixels = populated & ~(
            (town_idx > 0).reshape(values.shape[0], k, values.shape[1], k).any(axis=(1, 3))
        )
        report.warn("import.population.cells_outside_towns", n=int(outside_pixels.sum()), people=outside_people)
    if not inside.any():
        return RasterCells(_empty(), n_populated, extent, declared, covers)
    tr = Transformer.from_crs(crs, ProjCRS.from_user_input(PROJECTED), always_xy=True)
    by = _people_by_cell_and_town(fine, town_idx, inside, fine_transform, tr, cell_m)
    by = by.sort_values(["cell_id", "pop_total"], ascending=[True, False], kind="stable")
    split = by["cell_id"].duplicated(keep="first")
    if split.any():
        moved = float(by.loc[split, "pop_total"].sum())
        n_split = int(by.loc[split, "cell_id"].nunique())
        report.note("import.population.raster_straddle", n=n_split, people=moved)
    totals = by.groupby("cell_id", sort=True)["pop_total"].sum()
    owner = by[~split].set_index("cell_id")["town"].reindex(totals.index)
    ids = totals.index.to_numpy(dtype=np.int64)
    rows_, cols_ = np.divmod(ids, GRID_ROW_FACTOR)
    idx = owner.to_numpy(dtype=np.int64) - 1
    cells = pd.DataFrame(
        {
            "cell_id": ids,
            "x": (cols_ + 0.5) * cell_m,
            "y": (rows_ + 0.5) * cell_m,
            "pop_total": totals.to_numpy(dtype=float),
            "town_code": t_src["town_code"].astype(str).to_numpy()[idx],
            "district_code": t_src["district_code"].astype(str).to_numpy()[idx],
        }
    )
    report.note("import.population.raster_aggregated", cell=cell_m, n=len(cells),
                people=float(cells["pop_total"].sum()))
    return RasterCells(cells, n_populated, extent, declared, covers)


#: Pixels placed on the grid at once (their coordinates take ~100 bytes each while they are).
PIXELS_AT_ONCE = 1 << 20


def _people_by_cell_and_town(
    fine: np.ndarray, town_idx: np.ndarray, inside: np.ndarray, fine_transform, tr: Transformer, cell_m: float
) -> pd.DataFrame:
    """People of the pixels ``inside`` summed by (grid cell, town), a band of rows at a time so the
    per-pixel coordinates never exist for the whole raster at once."""
    step = max(1, PIXELS_AT_ONCE // max(1, fine.shape[1]))
    parts = []
    for top in range(0, fine.shape[0], step):
        r, c = np.nonzero(inside[top:top + step])
        if r.size == 0:
            continue
        r = r + top
        xs = fine_transform.c + (c + 0.5) * fine_transform.a + (r + 0.5) * fine_transform.b
        ys = fine_transform.f + (c + 0.5) * fine_transform.d + (r + 0.5) * fine_transform.e
        x, y = tr.transform(xs, ys)
        col = np.floor(np.asarray(x) / cell_m).astype(np.int64)
        row = np.floor(np.asarray(y) / cell_m).astype(np.int64)
        frame = pd.DataFrame({"cell_id": row * GRID_ROW_FACTOR + col, "town": town_idx[r, c], "pop_total": fine[r, c]})
        parts.append(frame.groupby(["cell_id", "town"], sort=False)["pop_total"].sum().reset_index())
    whole = pd.concat(parts, ignore_index=True)
    return whole.groupby(["cell_id", "town"], sort=True)["pop_total"].sum().reset_index()


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {"cell_id": pd.Series([], dtype=np.int64), "x": [], "y": [], "pop_total": [],
         "town_code": pd.Series([], dtype=object), "district_code": pd.Series([], dtype=object)}
    )  # fmt: skip


def grid_split(transform, crs: ProjCRS, shape: tuple[int, int], cell_m: float) -> int | None:
    """Sub-pixels per side that put each pixel whole on the region's grid, or None when it is off the grid.

    Parameters
    ----------
    transform : affine.Affine
        Pixel → CRS coordinates of the part read.
    crs : pyproj.CRS
        The raster's CRS.
    shape : (int, int)
        Rows and columns of the part read.
    cell_m : float
        The grid's cell side in metres.

    Returns
    -------
    int or None
        1 when the pixels are at most one cell and each lies in one cell; m when each pixel is
        m × m cells (its sub-pixels are those cells); None unless the raster is in the grid's CRS,
        unrotated, with square pixels whose side divides the cell's side or is a whole multiple of it,
        and every pixel edge within :data:`GRID_ALIGN_TOLERANCE_M` of the grid's lines (or when m
        sub-pixels per side would pass the pixel limit).
    """
    if not crs.equals(ProjCRS.from_user_input(PROJECTED), ignore_axis_order=True):
        return None
    if transform.b != 0 or transform.d != 0:
        return None
    side = abs(float(transform.a))
    if side <= 0 or abs(abs(float(transform.e)) - side) > GRID_ALIGN_TOLERANCE_M / max(shape):
        return None
    step = min(side, cell_m)  # every pixel edge on a multiple of it, and the cell a multiple of it
    per = max(side, cell_m) / step
    m = round(per)
    if m < 1 or abs(per - m) * step * max(shape) > GRID_ALIGN_TOLERANCE_M:
        return None
    h, w = shape
    edges = np.concatenate([transform.c + transform.a * np.arange(w + 1),
                            transform.f + transform.e * np.arange(h + 1)])
    off = np.abs(edges / step - np.round(edges / step)) * step
    if not (off <= GRID_ALIGN_TOLERANCE_M).all():
        return None
    if side <= cell_m:
        return 1
    if m > _MAX_SPLIT or m * m * h * w > MAX_RASTER_PIXELS:
        return None
    return m


def _split_factor(transform, crs: ProjCRS, shape: tuple[int, int], cell_m: float) -> int:
    """Sub-pixels per side so that each is at most half a grid cell (bounded by the pixel limit)."""
    h, w = shape
    cx = transform.c + transform.a * w / 2
    cy = transform.f + transform.e * h / 2
    tr = Transformer.from_crs(crs, ProjCRS.from_user_input(PROJECTED), always_xy=True)
    xs, ys = tr.transform([cx, cx + transform.a, cx], [cy, cy, cy + transform.e])
    if not np.isfinite(xs).all() or not np.isfinite(ys).all():
        return 1
    side = max(math.hypot(xs[1] - xs[0], ys[1] - ys[0]), math.hypot(xs[2] - xs[0], ys[2] - ys[0]))
    k = max(1, math.ceil(side / (cell_m / 2) - 1e-9))
    k = min(k, _MAX_SPLIT, max(1, int(math.sqrt(MAX_RASTER_PIXELS / max(1, h * w)))))
    return k


def _coverage_test(
    crs: ProjCRS, transform, valid: np.ndarray, extent: tuple[float, float, float, float]
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``covers(x, y)`` for EPSG:32649 points: the ``valid`` pixel (of the part read, placed by
    ``transform``) holding each point; outside that part, whether the point lies in ``extent``
    (``left, right, bottom, top`` in ``crs``)."""
    to_src = Transformer.from_crs(ProjCRS.from_user_input(PROJECTED), crs, always_xy=True)
    inverse = ~transform
    h, w = valid.shape
    left, right, bottom, top = extent

    def covers(px: np.ndarray, py: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", over="ignore"):
            x, y = to_src.transform(np.asarray(px, dtype=float), np.asarray(py, dtype=float))
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            finite = np.isfinite(x) & np.isfinite(y)
            out = finite & (x >= left) & (x <= right) & (y >= bottom) & (y <= top)
            col, row = inverse @ (np.where(finite, x, 0.0), np.where(finite, y, 0.0))
            col, row = np.floor(col), np.floor(row)
        read = finite & (col >= 0) & (col < w) & (row >= 0) & (row < h)
        out[read] = valid[row[read].astype(np.int64), col[read].astype(np.int64)]
        return out

    return covers
