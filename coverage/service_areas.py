"""Service-area polygons for a facility layer.

Network mode: for each facility, the street segments from which the facility
can be reached within its limit — every edge ``y -> z`` whose end ``z`` is
reached with time ``d(z) <= L`` contributes the part of the edge within
``L - d(z)`` of ``z`` (partial edges are cut where the time runs out) — plus
the facility's access leg, buffered by ``buffer_m`` and unioned. A river
without a bridge or an island without a link is never swallowed, unlike a
convex hull of the reached nodes.

Distance mode: circles of the standard's ``distance_m`` (GB 50180-2018 for the
walking layers), clipped to the city when the region has districts.

Each facility is held to the standard of its own area type (that of the
nearest population cell). These polygons are for display; coverage figures
come from :class:`coverage.reach.CellReach`, which also counts each cell's
access leg to the street.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
import shapely.geometry
from scipy.sparse.csgraph import dijkstra

from coverage.crs import PROJECTED
from coverage.standards import Standard

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from coverage.reach import ReachModel, _Group

__all__ = ["build_service_areas", "service_areas_frame", "reached_segments"]


def reached_segments(
    node_xy: np.ndarray,
    edge_from: np.ndarray,
    edge_to: np.ndarray,
    edge_seconds: np.ndarray,
    time_to_facility: np.ndarray,
    limit: float,
) -> np.ndarray:
    """Street pieces from which a facility is reached within ``limit``.

    Parameters
    ----------
    node_xy : (n, 2) array
    edge_from, edge_to, edge_seconds : (e,) arrays
        Directed travel edges ``from -> to`` and their travel time.
    time_to_facility : (n,) array
        Time from each node to the facility (``inf`` if unreachable).
    limit : float

    Returns
    -------
    (s, 2, 2) array
        Segments ``[[x0, y0], [x1, y1]]``: for each edge whose ``to`` node is
        reached, the piece ending there of length fraction
        ``min(1, (limit - d(to)) / seconds)``.
    """
    d_to = time_to_facility[edge_to]
    ok = d_to <= limit
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip((limit - d_to[ok]) / edge_seconds[ok], 0.0, 1.0)
    frac = np.where(np.isfinite(frac), frac, 1.0)
    a = node_xy[edge_to[ok]]
    b = node_xy[edge_from[ok]]
    start = a + frac[:, None] * (b - a)
    seg = np.stack([start, a], axis=1)
    keep = frac > 0
    return seg[keep]


#: Above this many street pieces a service area is traced on a raster (fast, exact
#: to one pixel) instead of buffering and unioning vector segments (exact, but
#: ~0.2 ms a segment in GEOS).
VECTOR_MAX_SEGMENTS = 400
#: Largest raster traced for one polygon (pixels); the pixel grows beyond it.
RASTER_MAX_PIXELS = 16_000_000
#: Holes smaller than this (m²) are filled: land enclosed by reached streets, such
#: as the inside of a city block, is reached from those streets. Parks, lakes and
#: rivers (larger) stay out.
FILL_HOLES_M2 = 20_000.0


def _to_polygon(segments: np.ndarray, points: np.ndarray, buffer_m: float) -> Any:
    """Union of the segments and points buffered by ``buffer_m`` (vector or raster, see above)."""
    if len(segments) > VECTOR_MAX_SEGMENTS:
        return _to_polygon_raster(segments, points, buffer_m)
    parts = []
    if len(segments):
        parts.append(shapely.multilinestrings(shapely.linestrings(segments)))
    if len(points):
        parts.append(shapely.multipoints(points))
    if not parts:
        return shapely.Polygon()
    geom = parts[0] if len(parts) == 1 else shapely.GeometryCollection(parts)
    return _fill_small_holes(shapely.buffer(geom, buffer_m, quad_segs=4), FILL_HOLES_M2)


def _fill_small_holes(geom: Any, min_area: float) -> Any:
    """``geom`` without interior rings enclosing less than ``min_area``."""
    polys = []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon":
            continue
        holes = [r for r in part.interiors if shapely.Polygon(r).area >= min_area]
        polys.append(shapely.Polygon(part.exterior, holes))
    if not polys:
        return shapely.Polygon()
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _to_polygon_raster(segments: np.ndarray, points: np.ndarray, buffer_m: float) -> Any:
    """Trace the buffered segments on a raster: sample the segments every half pixel,
    mark the pixels within ``buffer_m`` (Euclidean distance transform), polygonise."""
    from rasterio.features import shapes
    from affine import Affine
    from scipy.ndimage import distance_transform_edt, label

    pts = np.concatenate([segments.reshape(-1, 2), points.reshape(-1, 2)])
    lo = pts.min(axis=0) - 2 * buffer_m
    hi = pts.max(axis=0) + 2 * buffer_m
    extent = hi - lo
    res = max(buffer_m / 2.5, float(np.sqrt(extent[0] * extent[1] / RASTER_MAX_PIXELS)))
    ncol, nrow = (np.ceil(extent / res).astype(int) + 1).tolist()
    # sample every segment at <= res/2 spacing
    a, b = segments[:, 0], segments[:, 1]
    steps = np.maximum(1, np.ceil(np.hypot(*(b - a).T) / (res / 2)).astype(np.int64))
    seg_of = np.repeat(np.arange(len(segments)), steps + 1)
    first = np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
    t = (np.arange(len(seg_of)) - first) / np.repeat(steps, steps + 1)
    samples = a[seg_of] + t[:, None] * (b - a)[seg_of]
    samples = np.concatenate([samples, points.reshape(-1, 2)])
    col = ((samples[:, 0] - lo[0]) / res).astype(np.int64)
    row = ((hi[1] - samples[:, 1]) / res).astype(np.int64)
    row = np.clip(row, 0, nrow - 1)
    col = np.clip(col, 0, ncol - 1)
    far = np.ones((nrow, ncol), dtype=bool)
    far[row, col] = False
    mask = (distance_transform_edt(far) * res <= buffer_m).astype(np.uint8)
    holes, n_holes = label(mask == 0)
    if n_holes:
        size = np.bincount(holes.ravel(), minlength=n_holes + 1) * res * res
        edge = np.unique(np.concatenate([holes[0], holes[-1], holes[:, 0], holes[:, -1]]))
        small = size < FILL_HOLES_M2
        small[0] = False
        small[edge] = False
        mask[small[holes]] = 1
    transform = Affine(res, 0.0, lo[0], 0.0, -res, hi[1])
    polys = [shapely.geometry.shape(g) for g, v in shapes(mask, mask=mask.astype(bool), transform=transform) if v == 1]
    if not polys:
        return shapely.Polygon()
    # shapes() yields disjoint regions (holes included), so no union is needed
    return shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]


def _group_for(model: "ReachModel", std: Standard) -> "_Group | None":
    for g in model._groups:
        if g.standard.mode == std.mode and g.standard.speed_kmh == std.speed_kmh:
            return g
    return None


def _segments(g: "_Group", node_xy: np.ndarray, d: np.ndarray, limit: float) -> np.ndarray:
    """:func:`reached_segments` over the edges into reached nodes only.

    Row ``z`` of the Dijkstra graph lists the travel edges ``y -> z`` (the graph
    runs from the facility outwards, against the direction of travel).
    """
    from coverage.reach import _gather_rows

    reached = np.flatnonzero(d <= limit)
    z, y, w = _gather_rows(g.graph, reached)
    return reached_segments(node_xy, y, z, w, d, limit)


def _facility_standards(model: "ReachModel", facilities: np.ndarray) -> tuple[np.ndarray, list[Standard]]:
    area = model.facility_area_type()[facilities]
    fallback = next(iter(model.standards_by_area.values()))
    stds = [model.standards_by_area.get(a, fallback) for a in area]
    return area, stds


def build_service_areas(
    model: "ReachModel",
    dissolve: bool = False,
    buffer_m: float = 25.0,
    chunk: int = 16,
    facilities: Any = None,
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Polygons (EPSG:32649) and attribute dicts for the model's active facilities.

    See :func:`coverage.reach.service_areas` for the parameters; ``facilities``
    (indices in the model, e.g. a site just added) restricts the output to those.
    """
    if not (buffer_m > 0):
        raise ValueError(f"buffer_m must be positive; got {buffer_m!r}")
    if facilities is None:
        facilities = np.flatnonzero(model.active)
    else:
        facilities = np.atleast_1d(np.asarray(facilities, dtype=np.int64))
        bad = [int(j) for j in facilities if not (0 <= j < len(model.active)) or not model.active[j]]
        if bad:
            raise ValueError(f"no active facility {bad[0]} in the model")
    area, stds = _facility_standards(model, facilities)
    if model.network is None:
        geoms = [
            shapely.buffer(shapely.Point(*model.facility_xy[j]), s.distance_m, quad_segs=16)
            for j, s in zip(facilities, stds)
        ]
    else:
        geoms = _network_areas(model, facilities, stds, buffer_m, chunk, dissolve)
    city = _city(model)
    if city is not None:
        geoms = [shapely.intersection(g, city) if not g.is_empty else g for g in geoms]
    if dissolve:
        labels = sorted({s.label("zh") for s in stds})
        geom = shapely.union_all(geoms) if geoms else shapely.Polygon()
        return [geom], [
            {
                "layer": model.layer_id,
                "method": model.mode,
                "n_facilities": int(len(facilities)),
                "standard": "；".join(labels),
            }
        ]
    attrs = []
    for j, a, s in zip(facilities, area, stds):
        attrs.append(
            {
                "facility": int(j),
                "layer": model.layer_id,
                "area_type": str(a),
                "method": model.mode,
                "mode": s.mode if model.network is not None else "distance",
                "minutes": s.minutes,
                "distance_m": s.distance_m,
                "standard": s.label("zh"),
            }
        )
    return geoms, attrs


def _network_areas(
    model: "ReachModel",
    facilities: np.ndarray,
    stds: list[Standard],
    buffer_m: float,
    chunk: int,
    dissolve: bool,
) -> list[Any]:
    from coverage.reach import _augment

    net = model.network
    n = net.n_nodes
    geoms: list[Any] = [shapely.Polygon()] * len(facilities)
    by_group: dict[int, list[int]] = {}
    groups = []
    for pos, s in enumerate(stds):
        g = _group_for(model, s)
        if g is None:
            continue
        if not any(g is h for h in groups):
            groups.append(g)
        by_group.setdefault(next(i for i, h in enumerate(groups) if h is g), []).append(pos)
    for gi, positions in by_group.items():
        g = groups[gi]
        pos = np.asarray(positions)
        fac = facilities[pos]
        node = np.asarray(g.fac_node, dtype=np.int64)[fac]
        offset = np.asarray(g.fac_offset)[fac]
        limit = np.array([stds[p].seconds for p in pos])
        ok = node >= 0
        # head-start penalty: a facility with a shorter limit starts later, so one
        # cutoff (the largest limit) serves them all
        lmax = float(limit[ok].max()) if ok.any() else 0.0
        shifted = offset + (lmax - limit)
        reach_ok = ok & (shifted <= lmax)
        if not reach_ok.any():
            continue
        src = np.flatnonzero(reach_ok)
        aug = _augment(g.graph, node[src], shifted[src])
        access_pts = model.facility_xy[fac]
        if dissolve:
            d = dijkstra(aug, directed=True, indices=n + np.arange(len(src)), min_only=True, limit=lmax)[:n]
            seg = _segments(g, net.node_xy, d, lmax)
            legs = np.stack([access_pts[src], net.node_xy[node[src]]], axis=1)
            geoms[pos[src[0]]] = _to_polygon(np.concatenate([seg, legs]), access_pts[src], buffer_m)
            continue
        for b in range(0, len(src), chunk):
            idx = np.arange(b, min(b + chunk, len(src)))
            D = dijkstra(aug, directed=True, indices=n + idx, limit=lmax)[:, :n]
            for row, i in enumerate(idx):
                p = src[i]
                seg = _segments(g, net.node_xy, D[row], lmax)
                leg = np.array([[access_pts[p], net.node_xy[node[p]]]])
                geoms[pos[p]] = _to_polygon(np.concatenate([seg, leg]), access_pts[p : p + 1], buffer_m)
    return geoms


def _city(model: "ReachModel") -> Any:
    region = model.region
    districts = getattr(region, "districts", None) if region is not None else None
    if districts is None or len(districts) == 0 or districts.crs is None:
        return None
    cached = getattr(model, "_city_geom", None)
    if cached is None:
        cached = shapely.union_all(districts.to_crs(PROJECTED).geometry.values)
        model._city_geom = cached
    return cached


def service_areas_frame(
    model: "ReachModel", dissolve: bool = False, buffer_m: float = 25.0, facilities: Any = None
) -> "gpd.GeoDataFrame":
    """GeoDataFrame (WGS-84) of the model's service areas, with facility ids/names when known."""
    import geopandas as gpd
    import pandas as pd

    geoms, attrs = build_service_areas(model, dissolve=dissolve, buffer_m=buffer_m, facilities=facilities)
    frame = pd.DataFrame(attrs)
    if not dissolve and model.region is not None and len(frame):
        fac = getattr(model.region, "facilities", {}).get(model.layer_id)
        if fac is not None:
            position = 1
            for col in ("facility_id", "name", "town_code", "district_code"):
                if col in fac.columns:
                    values = fac[col].tolist()
                    frame.insert(
                        position, col, [values[j] if j < len(values) else None for j in frame["facility"]]
                    )
                    position += 1
    gdf = gpd.GeoDataFrame(frame, geometry=list(geoms), crs=PROJECTED)
    return gdf.to_crs("EPSG:4326")
