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

from collections import OrderedDict
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from affine import Affine
from rasterio.features import shapes
from scipy.ndimage import distance_transform_edt, label
from scipy.sparse.csgraph import dijkstra

from coverage.errors import InputError
from coverage.network import RoadNetwork, augment_sources, gather_rows
from coverage.reach import Method, MethodChoice, ModeGroup, ReachModel
from coverage.region import Region
from coverage.standards import Standard, StandardTable

__all__ = ["build_service_areas", "service_areas", "service_areas_frame", "reached_segments"]


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


def _segments(g: ModeGroup, node_xy: np.ndarray, d: np.ndarray, limit: float) -> np.ndarray:
    """:func:`reached_segments` over the edges into reached nodes only.

    Row ``z`` of the Dijkstra graph lists the travel edges ``y -> z`` (the graph
    runs from the facility outwards, against the direction of travel).
    """
    reached = np.flatnonzero(d <= limit)
    z, y, w = gather_rows(g.graph, reached)
    return reached_segments(node_xy, y, z, w, d, limit)


def _facility_standards(model: ReachModel, facilities: np.ndarray) -> tuple[np.ndarray, list[Standard]]:
    area = model.facility_area_type()[facilities]
    fallback = next(iter(model.standards_by_area.values()))
    stds = [model.standards_by_area.get(a, fallback) for a in area]
    return area, stds


def build_service_areas(
    model: ReachModel,
    dissolve: bool = False,
    buffer_m: float = 25.0,
    chunk: int = 16,
    facilities: Any = None,
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Polygons (EPSG:32649) and attribute dicts for the model's active facilities.

    See :func:`service_areas` for the parameters; ``facilities``
    (indices in the model, e.g. a site just added) restricts the output to those.
    """
    if not (buffer_m > 0):
        raise InputError(f"buffer_m must be positive; got {buffer_m!r}")
    if facilities is None:
        facilities = np.flatnonzero(model.active)
    else:
        facilities = np.atleast_1d(np.asarray(facilities, dtype=np.int64))
        bad = [int(j) for j in facilities if not (0 <= j < len(model.active)) or not model.active[j]]
        if bad:
            raise InputError(f"no active facility {bad[0]} in the model")
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
                "method": model.mode.value,
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
                "method": model.mode.value,
                "mode": s.mode if model.network is not None else Method.DISTANCE.value,
                "minutes": s.minutes,
                "distance_m": s.distance_m,
                "standard": s.label("zh"),
            }
        )
    return geoms, attrs


def _network_areas(
    model: ReachModel,
    facilities: np.ndarray,
    stds: list[Standard],
    buffer_m: float,
    chunk: int,
    dissolve: bool,
) -> list[Any]:
    net = model.network
    n = net.n_nodes
    geoms: list[Any] = [shapely.Polygon()] * len(facilities)
    by_group: dict[int, list[int]] = {}
    groups = []
    for pos, s in enumerate(stds):
        g = model.group_for(s)
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
        aug = augment_sources(g.graph, node[src], shifted[src])
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


_CITY: "OrderedDict[tuple[int, str], tuple[gpd.GeoDataFrame, Any]]" = OrderedDict()


def _city(model: ReachModel) -> Any:
    """The union of the region's districts in the model's CRS (cached per districts frame), or None."""
    region = model.region
    if region is None or region.districts is None or len(region.districts) == 0 or region.districts.crs is None:
        return None
    key = (id(region.districts), model.crs)
    hit = _CITY.get(key)
    if hit is None or hit[0] is not region.districts:  # the frame is held, so its id is not reused
        hit = (region.districts, shapely.union_all(region.districts.to_crs(model.crs).geometry.values))
        _CITY[key] = hit
        while len(_CITY) > 8:
            _CITY.popitem(last=False)
    return hit[1]


def service_areas_frame(
    model: ReachModel, dissolve: bool = False, buffer_m: float = 25.0, facilities: Any = None
) -> "gpd.GeoDataFrame":
    """GeoDataFrame (WGS-84) of the model's service areas, with facility ids/names when known."""
    geoms, attrs = build_service_areas(model, dissolve=dissolve, buffer_m=buffer_m, facilities=facilities)
    frame = pd.DataFrame(attrs)
    if not dissolve and model.region is not None and len(frame):
        fac = model.region.facilities.get(model.layer_id)
        if fac is not None:
            position = 1
            for col in ("facility_id", "name", "town_code", "district_code"):
                if col in fac.columns:
                    values = fac[col].tolist()
                    frame.insert(
                        position, col, [values[j] if j < len(values) else None for j in frame["facility"]]
                    )
                    position += 1
    gdf = gpd.GeoDataFrame(frame, geometry=list(geoms), crs=model.crs)
    return gdf.to_crs("EPSG:4326")


def service_areas(
    region: Region,
    layer_id: str,
    standards: StandardTable | Standard | None = None,
    network: RoadNetwork | None = None,
    dissolve: bool = False,
    *,
    buffer_m: float = 25.0,
    method: MethodChoice = "auto",
) -> gpd.GeoDataFrame:
    """Service-area polygons of a layer, WGS-84.

    Network mode: the reached street segments (partial edges cut at the
    remaining time) buffered by ``buffer_m`` and unioned — never a convex hull,
    so rivers and unlinked islands stay out. Distance mode: circles of the
    standard's radius, clipped to the city when the region has districts.

    Parameters
    ----------
    region, layer_id, standards, network, method
        As for :func:`coverage.reach.compute_reach`.
    dissolve : bool
        One row for the whole layer instead of one per facility.
    buffer_m : float
        Half-width of the street corridors (network mode).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326. Per facility: ``facility`` (row), ``facility_id``/``name``
        when the layer has them, ``layer``, ``area_type``, ``method``, ``mode``,
        ``minutes``, ``distance_m``, ``standard`` (label), geometry. Dissolved:
        ``layer``, ``method``, ``n_facilities``, ``standard``, geometry.
    """
    model = ReachModel(region, layer_id, standards, network, method=method)
    return service_areas_frame(model, dissolve=dissolve, buffer_m=buffer_m)
