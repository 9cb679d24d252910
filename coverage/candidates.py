"""Candidate sites for new facilities.

Candidates come from the user (a file read with :func:`coverage.io.read_facilities`,
or a (Geo)DataFrame of points) or are generated from the demand no facility
covers yet:

* the centres of scikit-learn ``KMeans`` clusters of uncovered populated cells,
  weighted by their uncovered demand (``sample_weight``), each snapped to the
  nearest uncovered cell of its cluster when the centre falls off land;
* the centres of the most populated uncovered cells themselves;
* for town/county siting, the most populated cells (and a point inside the
  polygon) of every unit that lacks a facility, so each has candidates.

Every candidate lies inside the city and on land — inside a town polygon — and
carries that town's codes and names. Generation is deterministic
(``random_state``).

The candidate table is a WGS-84 :class:`geopandas.GeoDataFrame` with columns
``candidate_id`` (str), ``source`` (``user`` | ``kmeans`` | ``cell`` | ``unit``),
``name``, ``town_code``, ``town_zh``, ``district_code``, ``district_zh``,
``x``, ``y`` (EPSG:32649 metres) and ``geometry``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from coverage.crs import PROJECTED, WGS84
from coverage.errors import InputError
from coverage.io import read_facilities

if TYPE_CHECKING:  # pragma: no cover
    from coverage.region import Region

__all__ = [
    "CANDIDATE_COLUMNS",
    "CandidatePoints",
    "candidate_points",
    "generate_candidates",
    "locate_towns",
]

CANDIDATE_COLUMNS = [
    "candidate_id", "source", "name", "town_code", "town_zh", "district_code", "district_zh", "x", "y",
]
_TO_WGS84 = Transformer.from_crs(PROJECTED, WGS84, always_xy=True)
_TO_PROJECTED = Transformer.from_crs(WGS84, PROJECTED, always_xy=True)
_LONLAT_NAMES = (("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"), ("经度", "纬度"))


def _towns_projected(region: "Region") -> gpd.GeoDataFrame:
    towns = region.towns
    if towns.crs is None:
        raise InputError("region.towns has no CRS")
    return towns.to_crs(PROJECTED).reset_index(drop=True)


def locate_towns(region: "Region", xy: np.ndarray) -> np.ndarray:
    """Row of ``region.towns`` containing each point (``-1`` outside every town: sea or abroad).

    Parameters
    ----------
    region : Region
    xy : (n, 2) array
        Points in EPSG:32649.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    out = np.full(len(xy), -1, dtype=np.int64)
    if len(xy) == 0:
        return out
    towns = _towns_projected(region)
    pts = shapely.points(xy[:, 0], xy[:, 1])
    pt_idx, town_idx = towns.sindex.query(pts, predicate="intersects")
    # a point on a shared border belongs to the first town listed
    order = np.lexsort((town_idx, pt_idx))
    pt_idx, town_idx = pt_idx[order], town_idx[order]
    first = np.unique(pt_idx, return_index=True)[1]
    out[pt_idx[first]] = town_idx[first]
    return out


def _frame(region: "Region", xy: np.ndarray, town_row: np.ndarray, source: Iterable[str], names=None) -> gpd.GeoDataFrame:
    towns = region.towns.reset_index(drop=True)
    n = len(xy)
    lon, lat = _TO_WGS84.transform(xy[:, 0], xy[:, 1]) if n else (np.zeros(0), np.zeros(0))

    def col(name: str) -> list:
        if name not in towns.columns:
            return [None] * n
        values = towns[name].astype(object).to_numpy()
        return [values[t] if t >= 0 else None for t in town_row]

    df = pd.DataFrame(
        {
            "candidate_id": [f"C{i + 1:05d}" for i in range(n)],
            "source": list(source),
            "name": list(names) if names is not None else [None] * n,
            "town_code": col("town_code"),
            "town_zh": col("town_zh"),
            "district_code": col("district_code"),
            "district_zh": col("district_zh"),
            "x": xy[:, 0] if n else np.zeros(0),
            "y": xy[:, 1] if n else np.zeros(0),
        }
    )
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


# --------------------------------------------------------------------------- user points


def _points_xy(points: pd.DataFrame) -> tuple[np.ndarray, list]:
    """(x, y) in EPSG:32649 and names from a GeoDataFrame or a DataFrame with lon/lat or x/y."""
    names = None
    for c in ("name", "名称"):
        if c in points.columns:
            names = [None if pd.isna(v) else str(v) for v in points[c]]
            break
    if isinstance(points, gpd.GeoDataFrame) and points.geometry is not None:
        if points.crs is None:
            raise InputError("candidate points have no CRS; set one (e.g. EPSG:4326)")
        geom = points.geometry.to_crs(PROJECTED)
        bad = np.flatnonzero(~(geom.geom_type == "Point").to_numpy() | geom.is_empty.to_numpy())
        if bad.size:
            raise InputError(f"candidate row {int(bad[0]) + 1} is not a point geometry")
        return np.column_stack([geom.x.to_numpy(float), geom.y.to_numpy(float)]), names
    cols = {str(c).strip().lower(): c for c in points.columns}
    for lo, la in _LONLAT_NAMES:
        if lo in cols and la in cols:
            lon = pd.to_numeric(points[cols[lo]], errors="coerce").to_numpy(float)
            lat = pd.to_numeric(points[cols[la]], errors="coerce").to_numpy(float)
            bad = np.flatnonzero(~np.isfinite(lon) | ~np.isfinite(lat))
            if bad.size:
                raise InputError(
                    f"candidate row {int(bad[0]) + 1}: column {cols[lo]!r}/{cols[la]!r} is not a number"
                )
            x, y = _TO_PROJECTED.transform(lon, lat)
            return np.column_stack([x, y]), names
    if "x" in cols and "y" in cols:
        x = pd.to_numeric(points[cols["x"]], errors="coerce").to_numpy(float)
        y = pd.to_numeric(points[cols["y"]], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~np.isfinite(x) | ~np.isfinite(y))
        if bad.size:
            raise InputError(f"candidate row {int(bad[0]) + 1}: column 'x'/'y' is not a number")
        return np.column_stack([x, y]), names
    raise InputError(
        "candidate points need lon/lat columns (WGS-84), x/y columns (EPSG:32649) or a geometry; "
        f"got columns {list(points.columns)}"
    )


@dataclass(frozen=True, eq=False)
class CandidatePoints:
    """User candidate sites as read (:func:`candidate_points`).

    Attributes
    ----------
    table : geopandas.GeoDataFrame
        The candidate table (``source="user"``, columns :data:`CANDIDATE_COLUMNS` + ``geometry``),
        in input order, without the rows dropped.
    dropped_rows : tuple of int
        1-based numbers of the input rows left out because they lie outside every town
        (``on_outside="drop"``; empty otherwise).
    """

    table: gpd.GeoDataFrame
    dropped_rows: tuple[int, ...]


def candidate_points(
    region: "Region",
    points: "pd.DataFrame | gpd.GeoDataFrame | str | os.PathLike[str]",
    layer_id: str | None = None,
    *,
    crs: str = "wgs84",
    on_outside: Literal["raise", "drop"] = "raise",
) -> CandidatePoints:
    """Candidate sites supplied by the user, with the rows left out.

    Parameters
    ----------
    region : Region
    points : path, GeoDataFrame or DataFrame
        A facility-style file (CSV/XLSX/GeoJSON/GPKG/zipped SHP, read with
        :func:`coverage.io.read_facilities`), a GeoDataFrame of points in any CRS, or a
        DataFrame with ``lon``/``lat`` (WGS-84) or ``x``/``y`` (EPSG:32649) columns.
        A ``name`` column is kept.
    layer_id : str, optional
        Layer the file is read as (default ``elder_care_station``; only used for files).
    crs : {"wgs84", "cgcs2000", "gcj02", "bd09"}
        Coordinate system of a file's lon/lat.
    on_outside : {"raise", "drop"}
        What to do with points outside every town polygon (outside the city or at sea).

    Returns
    -------
    CandidatePoints
        The candidate table and the 1-based numbers of the rows dropped.

    Raises
    ------
    InputError
        Naming the file and row of a point that is not on land in the city, or of a
        missing / non-numeric coordinate.
    """
    if on_outside not in ("raise", "drop"):
        raise InputError(f"on_outside must be 'raise' or 'drop'; got {on_outside!r}")
    label = "candidate points"
    if isinstance(points, (str, os.PathLike)):
        path = Path(points)
        label = str(path)
        gdf, _report = read_facilities(path, layer_id or "elder_care_station", crs=crs, towns=region.towns)
        points = gdf
    elif not isinstance(points, pd.DataFrame):
        raise InputError(f"candidates must be a file path or a (Geo)DataFrame; got {type(points).__name__}")
    if len(points) == 0:
        raise InputError(f"{label}: no candidate points")
    try:
        xy, names = _points_xy(points)
    except ValueError as exc:
        raise InputError(f"{label}: {exc}") from None
    town_row = locate_towns(region, xy)
    outside = np.flatnonzero(town_row < 0)
    if outside.size and on_outside == "raise":
        rows = ", ".join(str(int(i) + 1) for i in outside[:10])
        more = f" (and {outside.size - 10} more)" if outside.size > 10 else ""
        raise InputError(
            f"{label}: {outside.size} candidate point(s) lie outside the city's towns (not on land "
            f"in the study area): row(s) {rows}{more}"
        )
    keep = town_row >= 0
    out = _frame(
        region, xy[keep], town_row[keep], ["user"] * int(keep.sum()),
        None if names is None else [n for n, k in zip(names, keep) if k],
    )
    return CandidatePoints(out, tuple(int(i) + 1 for i in outside))


# --------------------------------------------------------------------------- generated


def generate_candidates(
    region: "Region",
    layer_id: str | None = None,
    uncovered: np.ndarray | None = None,
    *,
    n_clusters: int | None = None,
    max_cells: int = 3000,
    units: Iterable[str] | None = None,
    unit_level: Literal["town", "county"] = "town",
    per_unit: int = 10,
    random_state: int = 0,
) -> gpd.GeoDataFrame:
    """Candidate sites generated from the uncovered demand.

    Parameters
    ----------
    region : Region
    layer_id : str, optional
        Layer whose served group weighs the demand (default: all residents).
    uncovered : array of bool, optional
        Cells no existing facility covers (default: every cell).
    n_clusters : int, optional
        KMeans clusters (default ``min(150, uncovered populated cells)``; 0 disables).
    max_cells : int, default 3000
        The most populated uncovered cells also become candidates (0 disables).
    units : iterable of str, optional
        Town codes (``unit_level="town"``) or district codes (``"county"``) that
        must get candidates: their ``per_unit`` most populated cells and a point
        inside the unit's polygon are added.
    random_state : int, default 0
        Seed of KMeans; the same inputs give the same candidates.

    Returns
    -------
    geopandas.GeoDataFrame
        Candidate table; duplicate locations are removed. Unit candidates come
        first, most populated first within each unit.
    """
    from sklearn.cluster import KMeans

    pop = region.population
    m = len(pop)
    demand = region.served(layer_id) if layer_id else pop["pop_total"].to_numpy(float)
    if uncovered is None:
        uncovered = np.ones(m, dtype=bool)
    uncovered = np.asarray(uncovered, dtype=bool)
    if uncovered.shape != (m,):
        raise InputError(f"uncovered mask has {uncovered.shape[0]} values, population grid has {m} cells")
    if max_cells < 0 or per_unit < 0:
        raise InputError("max_cells and per_unit must be >= 0")
    cell_xy = region.cell_xy()
    # Cells are checked for land only once chosen (locating every cell is slow).
    weight = np.where(uncovered, demand, 0.0)
    live = np.flatnonzero(weight > 0)

    parts_xy: list[np.ndarray] = []
    parts_src: list[str] = []

    # 1. units lacking a facility
    if units is not None:
        if unit_level not in ("town", "county"):
            raise InputError(f"unit_level must be 'town' or 'county'; got {unit_level!r}")
        key = "town_code" if unit_level == "town" else "district_code"
        codes = pop[key].astype(str).to_numpy()
        polys = _towns_projected(region)
        for code in units:
            code = str(code)
            in_unit = np.flatnonzero(codes == code)
            top = in_unit[np.argsort(-demand[in_unit], kind="stable")[:per_unit]]
            parts_xy.append(cell_xy[top])
            parts_src += ["unit"] * top.size
            shapes = polys.loc[polys[key].astype(str) == code, "geometry"]
            if len(shapes):
                p = shapes.union_all().representative_point()
                parts_xy.append(np.array([[p.x, p.y]]))
                parts_src.append("unit")

    # 2. KMeans centres weighted by uncovered demand
    if n_clusters is None:
        n_clusters = min(150, live.size)
    if n_clusters < 0:
        raise InputError(f"n_clusters must be >= 0; got {n_clusters}")
    n_clusters = min(n_clusters, live.size)
    if n_clusters > 0:
        km = KMeans(n_clusters=n_clusters, n_init=1, random_state=random_state)
        labels = km.fit_predict(cell_xy[live], sample_weight=weight[live])
        centres = km.cluster_centers_.copy()
        off = locate_towns(region, centres) < 0
        for c in np.flatnonzero(off):  # off land: snap to the nearest uncovered cell of the cluster
            members = live[labels == c]
            if members.size == 0:
                continue
            d = np.hypot(*(cell_xy[members] - centres[c]).T)
            centres[c] = cell_xy[members[int(np.argmin(d))]]
        parts_xy.append(centres)
        parts_src += ["kmeans"] * len(centres)

    # 3. the most populated uncovered cells
    if max_cells > 0 and live.size:
        top = live[np.argsort(-weight[live], kind="stable")[:max_cells]]
        parts_xy.append(cell_xy[top])
        parts_src += ["cell"] * top.size

    if not parts_xy:
        return _frame(region, np.zeros((0, 2)), np.zeros(0, dtype=np.int64), [])
    xy = np.vstack(parts_xy)
    src = np.asarray(parts_src, dtype=object)
    _, first = np.unique(np.round(xy, 0), axis=0, return_index=True)
    first = np.sort(first)
    xy, src = xy[first], src[first]
    town_row = locate_towns(region, xy)
    keep = town_row >= 0
    return _frame(region, xy[keep], town_row[keep], src[keep])
