"""Bounds on what checking and repairing an uploaded polygon may cost, measured before GEOS runs.

Repairing an invalid polygon (``shapely.make_valid``) costs in proportion to the points where its
edges cross: a ring of a few thousand vertices that runs round the same outline a thousand times
has millions of them, and the repair takes minutes and gigabytes (or fails with ``bad_alloc``). A
real boundary with digitising slips crosses itself a handful of times. :func:`edge_crossings`
counts the crossings of non-adjacent edges and stops as soon as the count passes a limit, with
memory bounded by the block of edges queried at once.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["vertex_counts", "edge_crossings", "shapefile_vertex_room"]

#: Edges queried against the tree at once: grows while the blocks find few pairs, shrinks when
#: one finds many (a ring repeating itself), so the pairs held at once stay about PAIRS_AT_ONCE.
FIRST_BLOCK = 16
PAIRS_AT_ONCE = 1 << 20


def vertex_counts(geoms: np.ndarray) -> np.ndarray:
    """Coordinates of each geometry (0 for a missing one)."""
    return shapely.get_num_coordinates(geoms)


#: Bytes a Shapefile (``.shp``) takes per vertex (two 8-byte doubles).
SHP_BYTES_PER_VERTEX = 16


def shapefile_vertex_room(path: Path, layer: str | None = None) -> int:
    """Most vertices the ``.shp`` members of the zip ``path`` can hold (from their declared
    uncompressed sizes: nothing is inflated) — only the member of ``layer`` (its file stem) when one
    is named; 0 for any other file."""
    if path.suffix.lower() != ".zip":
        return 0
    try:
        with zipfile.ZipFile(path) as zf:
            size = sum(i.file_size for i in zf.infolist() if i.filename.lower().endswith(".shp")
                       and (layer is None or Path(i.filename).stem == layer))
    except (zipfile.BadZipFile, OSError):
        return 0  # the reader says what is wrong
    return size // SHP_BYTES_PER_VERTEX


def _edges(geom: BaseGeometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring edge as a two-point line, with its ring's number and its place in the ring."""
    polygons = shapely.get_parts(geom)
    rings = [r for p in polygons for r in shapely.get_rings(p)]
    lines, ring_of, place = [], [], []
    for k, ring in enumerate(rings):
        xy = shapely.get_coordinates(ring)
        if len(xy) < 2:
            continue
        lines.append(shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1)))
        ring_of.append(np.full(len(xy) - 1, k))
        place.append(np.arange(len(xy) - 1))
    if not lines:
        empty = np.empty(0, dtype=np.int64)
        return np.empty(0, dtype=object), empty, empty
    return np.concatenate(lines), np.concatenate(ring_of), np.concatenate(place)


def edge_crossings(geom: BaseGeometry, limit: int) -> int:
    """Pairs of non-adjacent ring edges of ``geom`` that touch or cross, counted up to past ``limit``.

    Returns the exact count when it is at most ``limit``, else some count above ``limit``
    (the counting stops there).
    """
    edges, ring_of, place = _edges(geom)
    if len(edges) == 0:
        return 0
    ring_len = np.bincount(ring_of)
    tree = shapely.STRtree(edges)
    count, start, block = 0, 0, FIRST_BLOCK
    while start < len(edges):
        stop = min(start + block, len(edges))
        a, b = tree.query(edges[start:stop], predicate="intersects")
        a = a + start
        later = a < b
        a, b = a[later], b[later]
        same = ring_of[a] == ring_of[b]
        gap = np.abs(place[a] - place[b])
        adjacent = same & ((gap == 1) | (gap == ring_len[ring_of[a]] - 1))
        count += int((~adjacent).sum())
        if count > limit:
            return count
        found = len(a)
        start = stop
        block = max(1, min(block * 2, block * PAIRS_AT_ONCE // max(found, 1)))
    return count
