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
  People in pixels outside every town are dropped and counted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS as ProjCRS
from pyproj import Transformer
from shapely.geometry import box

from coverage import paths
from coverage.crs import PROJECTED, WGS84
from coverage.io.report import ImportReport, file_error
from coverage.settings import MAX_CELL_PEOPLE, MAX_RASTER_PIXELS

__all__ = ["GRID_ROW_FACTOR", "grid_cell_m", "fill_values", "read_raster_cells", "RasterCells"]

#: ``cell_id = row * GRID_ROW_FACTOR + col`` (the default grid's numbering).
GRID_ROW_FACTOR = 100_000
_DEFAULT_CELL_M = 500.0
#: Degrees added around the towns' bounding box when choosing the window to read.
_WINDOW_MARGIN_DEG = 0.05
_MAX_SPLIT = 16


def grid_cell_m() -> float:
    """Side of the region's population grid cells in metres (``grid_meta.json``, else 500)."""
    try:
        return float(json.loads(paths.POPULATION_META.read_text(encoding="utf-8"))["cell_size_m"])
    except (OSError, ValueError, KeyError, TypeError):
        return _DEFAULT_CELL_M


def fill_values(dtype: str) -> dict[float, str]:
    """Usual fill values for a raster of ``dtype`` → how to describe each."""
    out: dict[float, str] = {
        -9999.0: "-9999", -99999.0: "-99999", -999999.0: "-999999",
        float(np.finfo(np.float32).max): "the float32 maximum", -float(np.finfo(np.float32).max): "the float32 minimum",
        float(np.finfo(np.float64).max): "the float64 maximum", -float(np.finfo(np.float64).max): "the float64 minimum",
        65535.0: "65535 (the uint16 maximum)", 32767.0: "32767 (the int16 maximum)",
        -32768.0: "-32768 (the int16 minimum)", 2147483647.0: "2147483647 (the int32 maximum)",
        -2147483648.0: "-2147483648 (the int32 minimum)", 4294967295.0: "4294967295 (the uint32 maximum)",
    }  # fmt: skip
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        out.setdefault(float(info.max), f"{info.max} (the {dt.name} maximum)")
        if dt.kind == "i":
            out.setdefault(float(info.min), f"{info.min} (the {dt.name} minimum)")
    return out


@dataclass
class RasterCells:
    """Grid cells of a raster: ``cells`` (``cell_id, x, y, pop_total, town_code, district_code``)."""

    cells: pd.DataFrame
    populated_pixels: int
    source: str
    footprint_wgs84: object


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


def _too_big(path: Path, src, pixels: int, what: str) -> Exception:
    return file_error(
        path,
        f"the raster declares {src.width:,} × {src.height:,} pixels × {src.count} band(s); {what} "
        f"{pixels:,} pixels × bands, over the {MAX_RASTER_PIXELS:,} limit (settings.MAX_RASTER_PIXELS): "
        "clip it to Jiangmen, or use a coarser grid",
        layer="population",
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
        what = f"the declared nodata value {declared_nodata:g}" if declared_nodata is not None else "no data (mask)"
        report.note(f"{n_masked} cells hold {what}")
    n_nan = int((np.isnan(v) & ~masked).sum())
    if n_nan:
        report.warn(f"{n_nan} cells hold NaN: treated as empty")
    for value, label in fill_values(dtype).items():
        if declared_nodata is not None and float(declared_nodata) == value:
            continue
        hit = v == value
        n = int(hit.sum())
        if n:
            report.warn(
                f"{n} cells hold {label}, a usual fill value, but the file "
                + ("declares no nodata" if declared_nodata is None else f"declares nodata {declared_nodata:g}")
                + ": treated as empty (if they are real counts, fix the file)"
            )
            v[hit] = np.nan
    inf = np.isinf(v)
    n_inf = int(inf.sum())
    if n_inf:
        report.warn(f"{n_inf} cells hold an infinite value: treated as empty")
        v[inf] = np.nan
    with np.errstate(invalid="ignore"):
        huge = v > MAX_CELL_PEOPLE
    n_huge = int(huge.sum())
    if n_huge:
        report.warn(
            f"{n_huge} cells hold more than {MAX_CELL_PEOPLE:,} people (up to {np.nanmax(v[huge]):.3g}): "
            "not a count, treated as empty"
        )
        v[huge] = np.nan
    with np.errstate(invalid="ignore"):
        negative = v < 0
    n_neg = int(negative.sum())
    if n_neg:
        report.warn(f"{n_neg} cells with negative values treated as empty")
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
        raise file_error(path, f"cannot read as a raster: {exc}", layer="population") from None
    with src:
        win = _window(src, t)
        whole = win is None
        if whole:
            win = Window(0, 0, src.width, src.height)
        pixels = int(win.width) * int(win.height) * int(src.count)
        if pixels > MAX_RASTER_PIXELS:
            raise _too_big(path, src, pixels, "the whole file is" if whole else "the part over Jiangmen is")
        try:
            band = src.read(1, window=win, masked=True, out_dtype="float64")
        except Exception as exc:
            raise file_error(path, f"cannot read the raster's pixels: {exc}", layer="population") from None
        transform = window_transform(win, src.transform)
        src_crs = src.crs
        dtype = src.dtypes[0]
        nodata = src.nodata
        res = src.res
        bounds = src.bounds
        width, height, bands = src.width, src.height, src.count
    masked = np.ma.getmaskarray(band)
    values = np.array(np.ma.filled(band, np.nan), dtype=np.float64)
    values = _clean_values(values, masked, nodata, dtype, report)
    declared = "no CRS (longitude/latitude assumed)" if src_crs is None else f"CRS {src_crs.to_string()}"
    if bands > 1:
        report.note(f"the raster has {bands} bands: band 1 read as people per pixel")
    if src_crs is None:
        report.note("the raster declares no CRS; longitude/latitude assumed")
        src_crs = WGS84
    crs = ProjCRS.from_user_input(src_crs)
    source = (
        f"the raster covers x {bounds.left:.6g} to {bounds.right:.6g}, y {bounds.bottom:.6g} to "
        f"{bounds.top:.6g} in its declared {declared}"
    )
    footprint = _footprint(bounds, crs)
    populated = np.isfinite(values) & (values > 0)
    n_populated = int(populated.sum())
    total = float(values[populated].sum())
    cell_m = grid_cell_m()
    k = _split_factor(transform, crs, values.shape, cell_m)
    report.note(
        f"raster {width}×{height} pixels of {res[0]:g}×{res[1]:g} ({crs.name}); read "
        f"{values.shape[1]}×{values.shape[0]} over the region; {n_populated} populated pixels, "
        f"{total:,.1f} people"
        + (f"; pixels split {k}×{k} to spread over the {cell_m:g} m cells" if k > 1 else "")
    )
    if n_populated == 0:
        return RasterCells(_empty(), 0, source, footprint)
    fine = np.where(populated, values, 0.0)
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
        report.warn(
            f"{int(outside_pixels.sum())} cells outside every town dropped ({outside_people:,.1f} people)"
        )
    r, c = np.nonzero(inside)
    if r.size == 0:
        return RasterCells(_empty(), n_populated, source, footprint)
    xs = fine_transform.c + (c + 0.5) * fine_transform.a + (r + 0.5) * fine_transform.b
    ys = fine_transform.f + (c + 0.5) * fine_transform.d + (r + 0.5) * fine_transform.e
    tr = Transformer.from_crs(crs, ProjCRS.from_user_input(PROJECTED), always_xy=True)
    x, y = tr.transform(xs, ys)
    col = np.floor(np.asarray(x) / cell_m).astype(np.int64)
    row = np.floor(np.asarray(y) / cell_m).astype(np.int64)
    frame = pd.DataFrame(
        {"cell_id": row * GRID_ROW_FACTOR + col, "town": town_idx[r, c], "pop_total": fine[r, c]}
    )
    by = frame.groupby(["cell_id", "town"], sort=True)["pop_total"].sum().reset_index()
    by = by.sort_values(["cell_id", "pop_total"], ascending=[True, False], kind="stable")
    split = by["cell_id"].duplicated(keep="first")
    if split.any():
        moved = float(by.loc[split, "pop_total"].sum())
        n_split = int(by.loc[split, "cell_id"].nunique())
        report.note(
            f"{n_split} grid cells straddle towns: each given to the town with most of its people "
            f"({moved:,.1f} people counted in a neighbouring town)"
        )
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
    report.note(
        f"aggregated onto the {cell_m:g} m grid: {len(cells)} cells, {cells['pop_total'].sum():,.1f} people"
    )
    return RasterCells(cells, n_populated, source, footprint)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {"cell_id": pd.Series([], dtype=np.int64), "x": [], "y": [], "pop_total": [],
         "town_code": pd.Series([], dtype=object), "district_code": pd.Series([], dtype=object)}
    )  # fmt: skip


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


def _footprint(bounds, crs: ProjCRS):
    """The raster's extent as a WGS-84 polygon (densified), or None when it cannot be projected."""
    try:
        g = gpd.GeoSeries([box(bounds.left, bounds.bottom, bounds.right, bounds.top)], crs=crs)
        g = g.segmentize(max(bounds.right - bounds.left, bounds.top - bounds.bottom) / 50).to_crs(WGS84)
        geom = g.iloc[0]
        return geom if geom.is_valid and np.isfinite(geom.bounds).all() else None
    except Exception:
        return None
