"""Road networks as sparse travel-time matrices.

A :class:`RoadNetwork` holds the nodes (projected metres, EPSG:32649 unless told
otherwise) and directed edges (length, drive speed, which modes may use them) of a
street graph and turns them, once per mode, into a :class:`scipy.sparse.csr_matrix`
of travel seconds for :func:`scipy.sparse.csgraph.dijkstra`. Walking and cycling
ignore one-way restrictions (both directions of every usable edge); driving respects
them and uses a per-edge speed from OSM ``maxspeed`` or, failing that, the
``highway`` class (:data:`DEFAULT_DRIVE_SPEEDS`).

Points (population cells, facilities) are *snapped* to the nearest node usable
by the mode with a KD-tree; beyond ``max_snap_m`` a point is unreachable. The
time of a point is the access leg (straight line to its node at the mode's
speed) plus the network time from that node.

Who may use a way (:func:`mode_permissions`)
--------------------------------------------
The ``highway`` class gives a default per mode (:data:`HIGHWAY_DEFAULTS`), then the
most specific access tag with a known value decides: ``foot`` > ``access`` for
walking, ``bicycle`` > ``vehicle`` > ``access`` for cycling, ``motorcar`` >
``motor_vehicle`` > ``vehicle`` > ``access`` for driving. ``yes``, ``designated``,
``permissive``, ``destination``, ``official``, ``customers``, ``delivery``,
``use_sidepath``, ``dismount``, ``discouraged`` allow; ``no``, ``private``,
``agricultural``, ``forestry``, ``military``, ``permit``, ``restricted`` refuse; any
other value (``unknown``, ``conditional=…``) is skipped. The generic ``access`` tag can
close a way but never opens one its class closes to a mode (``access=permissive`` on
steps admits no bikes); mode tags do both. ``area=yes`` ways and the
:data:`NOT_ROADS` classes are never used.

The reference is osmnx 2.1's network-type filters (``osmnx._overpass._get_network_filter``:
``walk``, ``bike`` and ``drive_service``, each with ``settings.default_access``
``["access"!~"private"]``). Where this module differs, on purpose:

* **A mode tag overrides ``access``.** ``access=private`` + ``foot=yes`` is walkable
  here; osmnx drops every ``access=private`` way. ``access=no`` (+ no mode tag) is
  closed here; osmnx keeps it (it filters ``private`` only).
* **Mode tags open ways their class would close.** ``highway=cycleway`` + ``foot=yes|
  designated|permissive`` is walkable, ``highway=footway|steps`` + ``bicycle=yes`` is
  cyclable and ``highway=pedestrian`` + ``motorcar|motor_vehicle=yes|destination`` is
  drivable; osmnx decides by the class alone.
* **``vehicle=no`` closes a way to bikes and cars, ``motorcar|motor_vehicle=private`` to
  cars**; osmnx ignores ``vehicle`` and only matches ``motorcar|motor_vehicle`` against
  ``no``. Likewise ``bicycle=private`` and ``foot=private`` close.
* **``highway=track`` is drivable** (rural China reaches villages on tracks); osmnx's
  drive filters exclude it. Classes osmnx does not name (e.g. ``trail``) are walk and
  bike only here; osmnx drive keeps them.
* **Sidewalks mapped separately** (``sidewalk=separate``): the road stays walkable
  here (the sidewalk beside it is); osmnx's walk filter drops the road.
* **Cycling ignores one-way tags** (as walking does); osmnx's bike graph keeps them.

Readers
-------
:meth:`RoadNetwork.from_osm_xml` (``.osm``) and :meth:`~RoadNetwork.from_pbf`
(``.osm.pbf``) share one reader (pyosmium): on the same extract they give the same
graph. A way that refers to nodes missing from a clipped extract is split at them,
never joined straight across the gap. Other constructors:
:meth:`~RoadNetwork.from_arrays` (plain arrays), :meth:`~RoadNetwork.from_graphml`
(an osmnx GraphML file), :meth:`~RoadNetwork.from_networkx` (an osmnx graph in
memory; the same permissions, from whichever tags the graph kept),
:meth:`~RoadNetwork.download` (osmnx, online once, cached as GraphML) and
:meth:`~RoadNetwork.load` (the fast ``.npz`` cache written by :meth:`~RoadNetwork.save`).
Lengths are great-circle metres between node positions (as osmnx computes them).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import osmium
import scipy.sparse as sp
from pyproj import CRS, Transformer
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from coverage.crs import PROJECTED, WGS84
from coverage.errors import InputError, NetworkError
from coverage.settings import MAX_SNAP_M
from coverage.standards import MODES

__all__ = [
    "ACCESS_ALLOWED",
    "ACCESS_DENIED",
    "DEFAULT_DRIVE_SPEEDS",
    "DEFAULT_MAX_SNAP_M",
    "HIGHWAY_DEFAULTS",
    "MODES",
    "NOT_ROADS",
    "OSM_WAY_TAGS",
    "RoadNetwork",
    "augment_sources",
    "gather_rows",
    "mode_permissions",
    "parse_maxspeed",
]

#: Maximum straight-line distance (m) from a point to its road node (:data:`coverage.settings.MAX_SNAP_M`).
DEFAULT_MAX_SNAP_M = MAX_SNAP_M

#: Drive speed (km/h) by OSM ``highway`` class when an edge has no usable
#: ``maxspeed``: Chinese urban/rural defaults (道路交通安全法实施条例 §45-46 caps
#: unsigned roads at 30 km/h urban / 40 km/h on highways; signed arterials are faster).
DEFAULT_DRIVE_SPEEDS: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 50.0,
    "trunk": 70.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 35.0,
    "secondary": 40.0,
    "secondary_link": 30.0,
    "tertiary": 35.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 30.0,
    "track": 15.0,
}
_FALLBACK_DRIVE_SPEED = 25.0


#: ``highway`` values that are not (or not yet / no longer) ways anyone travels on.
NOT_ROADS = frozenset({
    "abandoned", "bus_guideway", "bus_stop", "construction", "disused", "emergency_bay", "no",
    "planned", "platform", "proposed", "raceway", "razed", "rest_area", "services",
})  # fmt: skip
#: Default (walk, bike, drive) by ``highway`` class before access tags; classes not
#: listed are walk + bike only. Motorways are closed to pedestrians and cyclists (as in
#: osmnx; in China by 道路交通安全法 §67).
HIGHWAY_DEFAULTS: dict[str, tuple[bool, bool, bool]] = {
    "motorway": (False, False, True), "motorway_link": (False, False, True),
    "trunk": (True, True, True), "trunk_link": (True, True, True),
    "primary": (True, True, True), "primary_link": (True, True, True),
    "secondary": (True, True, True), "secondary_link": (True, True, True),
    "tertiary": (True, True, True), "tertiary_link": (True, True, True),
    "unclassified": (True, True, True), "residential": (True, True, True),
    "living_street": (True, True, True), "road": (True, True, True),
    "service": (True, True, True), "track": (True, True, True),
    "cycleway": (False, True, False), "footway": (True, False, False),
    "steps": (True, False, False), "corridor": (True, False, False),
    "elevator": (True, False, False), "escalator": (True, False, False),
    "pedestrian": (True, True, False), "path": (True, True, False),
    "bridleway": (True, True, False),
}  # fmt: skip
#: Access-tag values that grant passage.
ACCESS_ALLOWED = frozenset({
    "yes", "designated", "permissive", "destination", "official", "customers", "delivery",
    "use_sidepath", "dismount", "discouraged",
})  # fmt: skip
#: Access-tag values that refuse passage to the general public.
ACCESS_DENIED = frozenset({"no", "private", "agricultural", "forestry", "military", "permit", "restricted"})
#: Per mode, the access tags from most to least specific: the first with a known value decides.
MODE_ACCESS_KEYS: dict[str, tuple[str, ...]] = {
    "walk": ("foot", "access"),
    "bike": ("bicycle", "vehicle", "access"),
    "drive": ("motorcar", "motor_vehicle", "vehicle", "access"),
}
#: ``service=*`` values not driven through (as osmnx's ``drive_service``).
NO_DRIVE_SERVICE = frozenset({"parking", "parking_aisle", "emergency_access"})
#: Way tags the readers keep (everything the permissions, speeds and directions look at).
OSM_WAY_TAGS = ("highway", "area", "access", "foot", "bicycle", "vehicle", "motor_vehicle", "motorcar",
                "service", "maxspeed", "oneway", "junction")  # fmt: skip
_ONEWAY = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})  # osmnx's one-way values
_REVERSED = frozenset({"-1", "reverse", "T"})


def _first(value: Any) -> Any:
    """osmnx stores merged tags as lists: take the first value."""
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def mode_permissions(tags: Mapping[str, Any]) -> tuple[bool, bool, bool]:
    """(walk, bike, drive) permissions of an OSM way from its tags (rules in the module docstring).

    Parameters
    ----------
    tags : mapping
        OSM way tags (osmnx lists allowed: their first value is used).

    Returns
    -------
    tuple of bool
        ``(walk, bike, drive)``.
    """
    tag = {k: _first(v) for k, v in tags.items() if _first(v) is not None}
    highway = tag.get("highway")
    if highway is None or str(highway) in NOT_ROADS or str(tag.get("area", "")).lower() in ("yes", "true"):
        return False, False, False
    defaults = HIGHWAY_DEFAULTS.get(str(highway), (True, True, False))
    service = tag.get("service")
    if service == "private" and "access" not in tag:
        tag["access"] = "private"
    out = []
    for mode, default in zip(MODES, defaults):
        allowed = default
        for key in MODE_ACCESS_KEYS[mode]:
            value = str(tag.get(key, "")).strip().lower()
            if value in ACCESS_ALLOWED:
                allowed = allowed or key != "access"  # access=yes never opens what the class closes
                break
            if value in ACCESS_DENIED:
                allowed = False
                break
        out.append(allowed)
    if service in NO_DRIVE_SERVICE:
        out[2] = False
    return out[0], out[1], out[2]


_NUM = re.compile(r"(\d+(?:\.\d+)?)")


def parse_maxspeed(value: Any) -> float:
    """Parse an OSM ``maxspeed`` tag to km/h; ``nan`` when absent or unusable.

    Lists (merged edges) give their mean; ``mph`` values are converted.
    """
    if value is None:
        return math.nan
    if isinstance(value, (list, tuple)):
        speeds = [parse_maxspeed(v) for v in value]
        speeds = [s for s in speeds if not math.isnan(s)]
        return float(np.mean(speeds)) if speeds else math.nan
    if isinstance(value, (int, float)):
        return float(value) if value > 0 else math.nan
    text = str(value).strip().lower()
    parts = [p for p in re.split(r"[;|]", text) if p.strip()]
    if len(parts) > 1:
        return parse_maxspeed(parts)
    m = _NUM.search(text)
    if not m:
        return math.nan
    speed = float(m.group(1))
    if "mph" in text:
        speed *= 1.609344
    return speed if speed > 0 else math.nan


def _drive_speed(tags: Mapping[str, Any], speeds: Mapping[str, float]) -> float:
    ms = parse_maxspeed(tags.get("maxspeed"))
    if math.isnan(ms):
        ms = speeds.get(_first(tags.get("highway")), _FALLBACK_DRIVE_SPEED)
    return ms


def augment_sources(graph: sp.csr_matrix, nodes: np.ndarray, offsets: np.ndarray) -> sp.csr_matrix:
    """``graph`` plus one virtual source row per (node, offset): an edge ``virtual -> node`` of weight offset.

    Row ``n + i`` (``n`` = the graph's size) is source ``i``; a Dijkstra from it starts
    ``offsets[i]`` away from ``nodes[i]`` (a facility's access leg to its street).
    """
    n = graph.shape[0]
    k = len(nodes)
    indptr = np.concatenate([graph.indptr, graph.indptr[-1] + np.arange(1, k + 1, dtype=graph.indptr.dtype)])
    indices = np.concatenate([graph.indices, np.asarray(nodes, dtype=graph.indices.dtype)])
    data = np.concatenate([graph.data, np.asarray(offsets, dtype=float)])
    return sp.csr_matrix((data, indices, indptr), shape=(n + k, n + k))


def gather_rows(csr: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of every stored entry of ``csr`` in ``rows`` (vectorised)."""
    rows = np.asarray(rows, dtype=np.int64)
    starts = csr.indptr[rows]
    counts = csr.indptr[rows + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    rep_rows = np.repeat(rows, counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    pos = np.repeat(starts, counts) + offsets
    return rep_rows, csr.indices[pos].astype(np.int64), csr.data[pos]


class RoadNetwork:
    """A street graph ready for multi-source Dijkstra.

    Parameters
    ----------
    node_xy : (n, 2) array
        Node coordinates in projected metres (``crs``).
    edge_u, edge_v : (e,) int arrays
        Directed edges ``u -> v`` (a two-way street is two edges; a one-way street one).
    length_m : (e,) array
        Edge lengths in metres (>= 0).
    drive_speed_kmh : (e,) array, optional
        Driving speed per edge (default: 30 km/h everywhere).
    walk, bike, drive : (e,) bool arrays, optional
        Which modes may use each edge (default: all).
    node_id : (n,) array, optional
        Original node ids (e.g. OSM ids), kept for reference.
    max_snap_m : float, default 500
        Points farther than this from every usable node are unreachable.
    min_component_nodes : int, default 1
        Points never snap to a connected part with fewer nodes than this (for
        raw OSM extracts with stray fragments, e.g. 20). Keep it below the size of
        real islands' networks: a point whose own part is skipped snaps to the
        next one within ``max_snap_m``, possibly across water.
    source : str, optional
        Where the network came from (provenance).
    crs : str, default EPSG:32649
        Projected CRS of ``node_xy`` (and of every point snapped to the network). A
        network far from UTM zone 49N needs its own (e.g. EPSG:3067 for Helsinki, where
        49N stretches distances by 15 %).

    Raises
    ------
    InputError
        Arrays of the wrong shape, negative lengths, non-positive speeds or snap distance.

    Notes
    -----
    Travel matrices and KD-trees are built lazily and cached, so the first query
    per mode pays for them and later ones do not.
    """

    def __init__(
        self,
        node_xy: np.ndarray,
        edge_u: np.ndarray,
        edge_v: np.ndarray,
        length_m: np.ndarray,
        drive_speed_kmh: np.ndarray | None = None,
        walk: np.ndarray | None = None,
        bike: np.ndarray | None = None,
        drive: np.ndarray | None = None,
        node_id: np.ndarray | None = None,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        source: str = "",
        min_component_nodes: int = 1,
        crs: str = PROJECTED,
    ) -> None:
        node_xy = np.ascontiguousarray(node_xy, dtype=float)
        if node_xy.ndim != 2 or node_xy.shape[1] != 2:
            raise InputError(f"node_xy must have shape (n, 2); got {node_xy.shape}")
        if not np.isfinite(node_xy).all():
            raise InputError("node_xy contains NaN or infinite coordinates")
        n = len(node_xy)
        edge_u = np.asarray(edge_u, dtype=np.int64).ravel()
        edge_v = np.asarray(edge_v, dtype=np.int64).ravel()
        e = len(edge_u)
        if len(edge_v) != e:
            raise InputError("edge_u and edge_v must have the same length")
        if e and (edge_u.min() < 0 or edge_v.min() < 0 or edge_u.max() >= n or edge_v.max() >= n):
            raise InputError("edge endpoints must be node indices in [0, n)")
        length_m = np.asarray(length_m, dtype=float).ravel()
        if len(length_m) != e or (e and (not np.isfinite(length_m).all() or length_m.min() < 0)):
            raise InputError("length_m must be e finite non-negative values")

        def flags(a: np.ndarray | None, name: str) -> np.ndarray:
            if a is None:
                return np.ones(e, dtype=bool)
            a = np.asarray(a, dtype=bool).ravel()
            if len(a) != e:
                raise InputError(f"{name} must have one value per edge")
            return a

        if drive_speed_kmh is None:
            drive_speed_kmh = np.full(e, 30.0)
        drive_speed_kmh = np.asarray(drive_speed_kmh, dtype=float).ravel()
        if len(drive_speed_kmh) != e or (e and (not np.isfinite(drive_speed_kmh).all() or drive_speed_kmh.min() <= 0)):
            raise InputError("drive_speed_kmh must be e positive finite values")
        if not (max_snap_m > 0):
            raise InputError(f"max_snap_m must be positive; got {max_snap_m!r}")

        self.node_xy = node_xy
        self.edge_u = edge_u
        self.edge_v = edge_v
        self.length_m = length_m
        self.drive_speed_kmh = drive_speed_kmh
        self.walk = flags(walk, "walk")
        self.bike = flags(bike, "bike")
        self.drive = flags(drive, "drive")
        self.node_id = None if node_id is None else np.asarray(node_id).ravel()
        if self.node_id is not None and len(self.node_id) != n:
            raise InputError("node_id must have one value per node")
        self.max_snap_m = float(max_snap_m)
        if int(min_component_nodes) < 1:
            raise InputError(f"min_component_nodes must be >= 1; got {min_component_nodes!r}")
        self.min_component_nodes = int(min_component_nodes)
        self.source = source
        self.crs = str(crs)
        if not CRS.from_user_input(self.crs).is_projected:
            raise InputError(f"crs must be a projected CRS (metres); got {crs!r}")
        self._csr: dict[tuple, sp.csr_matrix] = {}
        self._trees: dict[str, tuple[cKDTree, np.ndarray]] = {}
        self._snaps: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._component: np.ndarray | None = None
        self._lock = threading.RLock()  # the app may share one network between sessions

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for cache in ("_csr", "_trees", "_snaps"):
            state[cache] = type(state[cache])()
        state["_component"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ basics
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.edge_u)

    def __repr__(self) -> str:
        return f"RoadNetwork({self.n_nodes:,} nodes, {self.n_edges:,} edges, source={self.source!r})"

    def node_index(self, ids: Any) -> np.ndarray:
        """Node indices of original ids (e.g. OSM ids); ``InputError`` for an unknown id."""
        ids = np.atleast_1d(np.asarray(ids))
        if self.node_id is None:
            raise InputError("this network keeps no original node ids")
        order = np.argsort(self.node_id, kind="stable")
        pos = np.searchsorted(self.node_id, ids, sorter=order)
        pos = np.minimum(pos, len(order) - 1)
        found = self.node_id[order[pos]] == ids
        if not found.all():
            raise InputError(f"unknown node id(s): {ids[~found][:5].tolist()}")
        return order[pos]

    def edge_mask(self, mode: str) -> np.ndarray:
        """Boolean mask of the edges usable by ``mode``."""
        if mode not in MODES:
            raise InputError(f"mode must be one of walk, bike, drive; got {mode!r}")
        return getattr(self, mode)

    @property
    def component(self) -> np.ndarray:
        """Weakly connected component label of every node (over all usable edges).

        Parts with no road link to the rest (islands) get their own labels;
        nodes without any usable edge are singleton components.
        """
        if self._component is None:
            usable = self.walk | self.bike | self.drive
            g = sp.coo_matrix(
                (np.ones(int(usable.sum())), (self.edge_u[usable], self.edge_v[usable])),
                shape=(self.n_nodes, self.n_nodes),
            )
            _, labels = connected_components(g, directed=True, connection="weak")
            self._component = labels
        return self._component

    # ------------------------------------------------------------ travel times
    def travel_csr(self, mode: str, speed_kmh: float | None = None, to_node: bool = False) -> sp.csr_matrix:
        """Sparse matrix of edge travel seconds for ``mode`` (cached).

        Parameters
        ----------
        mode : {"walk", "bike", "drive"}
        speed_kmh : float
            Required for walk/bike (the mode's speed); ignored for drive, which
            uses the per-edge drive speeds.
        to_node : bool, default False
            If False, entry ``[u, v]`` is the time to go from ``u`` to ``v``.
            If True the matrix is transposed, so a Dijkstra *from* a node gives
            every other node's time *to* it (the trip a resident makes to a facility).

        Returns
        -------
        scipy.sparse.csr_matrix
            ``(n, n)`` float64; parallel edges keep their minimum; zero-length
            edges get a 1 cm floor so they stay explicit.
        """
        mask = self.edge_mask(mode)
        if mode in ("walk", "bike"):
            if speed_kmh is None or not (speed_kmh > 0):
                raise InputError(f"{mode} needs a positive speed_kmh; got {speed_kmh!r}")
            key = (mode, float(speed_kmh), False)  # symmetric: both directions
        else:
            key = (mode, None, bool(to_node))
        with self._lock:
            if key not in self._csr:
                self._csr[key] = self._build_csr(mode, speed_kmh, to_node, mask)
            return self._csr[key]

    def _build_csr(self, mode: str, speed_kmh: float | None, to_node: bool, mask: np.ndarray) -> sp.csr_matrix:
        u, v = self.edge_u[mask], self.edge_v[mask]
        length = np.maximum(self.length_m[mask], 0.01)
        if mode == "drive":
            seconds = length / (self.drive_speed_kmh[mask] / 3.6)
            if to_node:
                u, v = v, u
        else:
            seconds = length / (float(speed_kmh) / 3.6)
            u, v = np.concatenate([u, v]), np.concatenate([v, u])
            seconds = np.concatenate([seconds, seconds])
        return _csr_min(u, v, seconds, self.n_nodes)

    # ------------------------------------------------------------------ snapping
    def usable_nodes(self, mode: str) -> np.ndarray:
        """Indices of nodes touching at least one edge usable by ``mode``."""
        mask = self.edge_mask(mode)
        touched = np.zeros(self.n_nodes, dtype=bool)
        touched[self.edge_u[mask]] = True
        touched[self.edge_v[mask]] = True
        return np.flatnonzero(touched)

    def _tree(self, mode: str) -> tuple[cKDTree | None, np.ndarray]:
        with self._lock:
            return self._tree_locked(mode)

    def _tree_locked(self, mode: str) -> tuple[cKDTree | None, np.ndarray]:
        if mode not in self._trees:
            nodes = self.usable_nodes(mode)
            if self.min_component_nodes > 1 and len(nodes):
                size = np.bincount(self.component)
                nodes = nodes[size[self.component[nodes]] >= self.min_component_nodes]
            tree = cKDTree(self.node_xy[nodes]) if len(nodes) else None
            self._trees[mode] = (tree, nodes)
        return self._trees[mode]

    def snap(self, xy: np.ndarray, mode: str, max_snap_m: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Nearest usable node of each point.

        Parameters
        ----------
        xy : (k, 2) array
            Points in EPSG:32649 metres.
        mode : {"walk", "bike", "drive"}
        max_snap_m : float, optional
            Default: the network's ``max_snap_m``.

        Returns
        -------
        node : (k,) int array
            Node index, ``-1`` where no usable node lies within ``max_snap_m``.
        distance : (k,) float array
            Straight-line metres to that node (``inf`` where ``node == -1``).
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        limit = self.max_snap_m if max_snap_m is None else float(max_snap_m)
        tree, nodes = self._tree(mode)
        k = len(xy)
        if tree is None or k == 0:
            return np.full(k, -1, dtype=np.int64), np.full(k, np.inf)
        dist, idx = tree.query(xy, k=1, distance_upper_bound=np.nextafter(limit, np.inf))
        ok = dist <= limit  # inclusive: a point exactly max_snap_m away still snaps
        node = np.full(k, -1, dtype=np.int64)
        node[ok] = nodes[idx[ok]]
        dist = np.where(ok, dist, np.inf)
        return node, dist

    def snap_cached(self, xy: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`snap` with a small cache keyed by the points' bytes (for the fixed population grid)."""
        xy = np.ascontiguousarray(xy, dtype=float).reshape(-1, 2)
        digest = hashlib.sha1(memoryview(xy).cast("B") if xy.size else b"").digest()
        key = (mode, self.max_snap_m, self.min_component_nodes, xy.shape, digest)
        with self._lock:
            hit = self._snaps.get(key)
            if hit is not None:
                self._snaps.move_to_end(key)
                return hit
        result = self.snap(xy, mode)
        for a in result:
            a.setflags(write=False)
        with self._lock:
            self._snaps[key] = result
            while len(self._snaps) > 8:
                self._snaps.popitem(last=False)
        return result

    # -------------------------------------------------------------- constructors
    @classmethod
    def from_arrays(
        cls,
        node_xy: np.ndarray,
        edge_u: np.ndarray,
        edge_v: np.ndarray,
        length_m: np.ndarray | None = None,
        oneway: np.ndarray | bool = False,
        **kwargs: Any,
    ) -> "RoadNetwork":
        """Build from undirected-by-default segments.

        Parameters
        ----------
        node_xy : (n, 2) array
            EPSG:32649 metres.
        edge_u, edge_v : (e,) int arrays
            Segments; a segment with ``oneway`` False becomes two directed edges.
        length_m : (e,) array, optional
            Default: the straight-line length between the endpoints.
        oneway : bool or (e,) bool array
            True where a segment may only be driven ``u -> v``.
        **kwargs
            Per-segment arrays ``drive_speed_kmh``, ``walk``, ``bike``, ``drive``
            and scalars ``max_snap_m``, ``source``, ``node_id``.
        """
        node_xy = np.asarray(node_xy, dtype=float)
        u = np.asarray(edge_u, dtype=np.int64).ravel()
        v = np.asarray(edge_v, dtype=np.int64).ravel()
        if len(u) != len(v):
            raise InputError("edge_u and edge_v must have the same length")
        if len(u) and (max(u.max(), v.max()) >= len(node_xy) or min(u.min(), v.min()) < 0):
            raise InputError("edge endpoints must be node indices in [0, n)")
        if length_m is None:
            length_m = np.hypot(*(node_xy[u] - node_xy[v]).T) if len(u) else np.zeros(0)
        one = np.broadcast_to(np.asarray(oneway, dtype=bool), u.shape)
        back = ~one
        per_edge = {k: kwargs.pop(k) for k in ("drive_speed_kmh", "walk", "bike", "drive") if k in kwargs}

        def both(a: Any) -> np.ndarray:
            a = np.broadcast_to(np.asarray(a), u.shape)
            return np.concatenate([a, a[back]])

        return cls(
            node_xy,
            np.concatenate([u, v[back]]),
            np.concatenate([v, u[back]]),
            both(np.asarray(length_m, dtype=float)),
            **{k: both(a) for k, a in per_edge.items()},
            **kwargs,
        )

    @classmethod
    def from_networkx(
        cls,
        G: Any,
        speeds: Mapping[str, float] | None = None,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        source: str = "",
        min_component_nodes: int = 1,
        crs: str = PROJECTED,
    ) -> "RoadNetwork":
        """Build from an osmnx-style ``MultiDiGraph`` (nodes with ``x``/``y``; edges with OSM tags).

        Node coordinates are projected to ``crs`` from the graph's ``crs`` attribute
        (WGS-84 when absent). Edge permissions follow :func:`mode_permissions` on
        whichever tags the graph kept (osmnx keeps ``access`` but not ``foot`` /
        ``bicycle`` unless ``ox.settings.useful_tags_way`` lists them; :meth:`download`
        does). Edge lengths come from the ``length`` attribute when present, else the
        great-circle distance (as osmnx computes it) for lon/lat graphs, or the
        straight line for projected ones. Self-loops are dropped.
        """
        speeds = {**DEFAULT_DRIVE_SPEEDS, **(speeds or {})}
        ids = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes()) if len(G) else np.zeros(0, np.int64)
        x = np.fromiter((d["x"] for _, d in G.nodes(data=True)), dtype=float, count=len(ids))
        y = np.fromiter((d["y"] for _, d in G.nodes(data=True)), dtype=float, count=len(ids))
        graph_crs = CRS.from_user_input(G.graph.get("crs", WGS84))
        lonlat = np.column_stack([x, y]) if graph_crs.is_geographic else None
        if not graph_crs.equals(CRS.from_user_input(crs)):
            x, y = Transformer.from_crs(graph_crs, crs, always_xy=True).transform(x, y)
        node_xy = np.column_stack([x, y]).astype(float)
        index = {nid: i for i, nid in enumerate(ids.tolist())}

        us, vs, lengths, speed, walk, bike, drive = [], [], [], [], [], [], []
        for u, v, data in G.edges(data=True):
            w, b, d = mode_permissions(data)
            if not (w or b or d) or u == v:
                continue
            iu, iv = index[u], index[v]
            length = data.get("length")
            try:
                length = float(length)
            except (TypeError, ValueError):
                length = math.nan
            if not math.isfinite(length):  # as osmnx: great-circle metres, else projected
                length = (
                    float(_great_circle_m(lonlat[[iu]], lonlat[[iv]])[0]) if lonlat is not None
                    else float(np.hypot(*(node_xy[iu] - node_xy[iv])))
                )
            us.append(iu)
            vs.append(iv)
            lengths.append(length)
            speed.append(_drive_speed(data, speeds))
            walk.append(w)
            bike.append(b)
            drive.append(d)
        return cls(
            node_xy,
            np.asarray(us, dtype=np.int64),
            np.asarray(vs, dtype=np.int64),
            np.asarray(lengths, dtype=float),
            drive_speed_kmh=np.asarray(speed, dtype=float),
            walk=np.asarray(walk, dtype=bool),
            bike=np.asarray(bike, dtype=bool),
            drive=np.asarray(drive, dtype=bool),
            node_id=ids,
            max_snap_m=max_snap_m,
            source=source,
            min_component_nodes=min_component_nodes,
            crs=crs,
        )

    @classmethod
    def from_osm_xml(cls, path: str | os.PathLike[str], **kwargs: Any) -> "RoadNetwork":
        """Read an OSM XML (``.osm``) extract (the reader :meth:`from_pbf` uses; see :meth:`from_osm_file`)."""
        kwargs.setdefault("source", f"osm-xml:{Path(path).name}")
        return cls.from_osm_file(path, **kwargs)

    @classmethod
    def from_pbf(cls, path: str | os.PathLike[str], **kwargs: Any) -> "RoadNetwork":
        """Read an OSM PBF (``.osm.pbf``) extract (the reader :meth:`from_osm_xml` uses; see :meth:`from_osm_file`)."""
        kwargs.setdefault("source", f"pbf:{Path(path).name}")
        return cls.from_osm_file(path, **kwargs)

    @classmethod
    def from_osm_file(
        cls,
        path: str | os.PathLike[str],
        speeds: Mapping[str, float] | None = None,
        **kwargs: Any,
    ) -> "RoadNetwork":
        """Read the streets of an OSM extract (``.osm``, ``.osm.pbf``, ``.osm.bz2``) with pyosmium.

        Every ``highway`` way usable by some mode (:func:`mode_permissions`) becomes
        segments between its consecutive nodes; a way is split where it refers to a
        node the extract does not hold (a clipped extract), never joined across.
        Every connected part is kept: islands stay in the graph, unreachable from
        the mainland. One-way tags (``oneway=yes|true|1|-1|reverse``,
        ``junction=roundabout``) bind driving. Only street nodes are kept.

        Parameters
        ----------
        path : path
        speeds : mapping, optional
            Drive speed (km/h) per ``highway`` class overriding :data:`DEFAULT_DRIVE_SPEEDS`.
        **kwargs
            ``max_snap_m``, ``source``, ``min_component_nodes``, ``crs`` (see the class).

        Raises
        ------
        NetworkError
            The file does not exist or pyosmium cannot read it.
        """
        path = Path(path)
        if not path.is_file():
            raise NetworkError(f"OSM file not found: {path}")
        speeds = {**DEFAULT_DRIVE_SPEEDS, **(speeds or {})}
        crs = kwargs.pop("crs", PROJECTED)
        kwargs.setdefault("source", f"osm:{path.name}")
        ref_u: list[int] = []
        ref_v: list[int] = []
        seg: dict[str, list] = {"speed": [], "walk": [], "bike": [], "drive": [], "oneway": []}
        where: dict[int, tuple[float, float]] = {}
        try:
            reader = osmium.FileProcessor(str(path)).with_locations().with_filter(osmium.filter.KeyFilter("highway"))
            for obj in reader:
                if not obj.is_way():
                    continue
                tags = {k: obj.tags[k] for k in OSM_WAY_TAGS if k in obj.tags}
                w, b, d = mode_permissions(tags)
                if not (w or b or d):
                    continue
                ow = tags.get("oneway", "")
                one = ow in _ONEWAY or tags.get("junction") == "roundabout"
                nodes = [(n.ref, n.location) for n in obj.nodes]
                if ow in _REVERSED:
                    nodes.reverse()
                speed = _drive_speed(tags, speeds)
                for (ra, la), (rb, lb) in zip(nodes[:-1], nodes[1:]):
                    if not (la.valid() and lb.valid()) or ra == rb:
                        continue  # split at a node missing from the extract
                    where[ra] = (la.lon, la.lat)
                    where[rb] = (lb.lon, lb.lat)
                    ref_u.append(ra)
                    ref_v.append(rb)
                    for key, value in zip(("speed", "walk", "bike", "drive", "oneway"), (speed, w, b, d, one)):
                        seg[key].append(value)
        except RuntimeError as exc:  # pyosmium's error for unreadable files
            raise NetworkError(f"cannot read OSM file {path.name}: {exc}") from exc
        ids = np.fromiter(where.keys(), dtype=np.int64, count=len(where))
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        lonlat = np.array(list(where.values()), dtype=float).reshape(-1, 2)[order]
        u = np.searchsorted(ids, np.asarray(ref_u, dtype=np.int64))
        v = np.searchsorted(ids, np.asarray(ref_v, dtype=np.int64))
        x, y = _transformer(WGS84, crs).transform(lonlat[:, 0], lonlat[:, 1]) if len(ids) else (np.zeros(0), np.zeros(0))
        return cls.from_arrays(
            np.column_stack([x, y]),
            u,
            v,
            length_m=_great_circle_m(lonlat[u], lonlat[v]) if len(u) else np.zeros(0),
            oneway=np.asarray(seg["oneway"], dtype=bool),
            drive_speed_kmh=np.asarray(seg["speed"], dtype=float),
            walk=np.asarray(seg["walk"], dtype=bool),
            bike=np.asarray(seg["bike"], dtype=bool),
            drive=np.asarray(seg["drive"], dtype=bool),
            node_id=ids,
            crs=crs,
            **kwargs,
        )

    @classmethod
    def from_graphml(cls, path: str | os.PathLike[str], **kwargs: Any) -> "RoadNetwork":
        """Read an osmnx GraphML file (e.g. the :meth:`download` cache); ``NetworkError`` if absent."""
        import osmnx as ox  # heavy; only this constructor and download need it

        path = Path(path)
        if not path.exists():
            raise NetworkError(f"GraphML file not found: {path}")
        G = ox.load_graphml(path)
        kwargs.setdefault("source", f"graphml:{path.name}")
        return cls.from_networkx(G, **kwargs)

    @classmethod
    def download(
        cls,
        polygon: Any,
        cache_dir: str | os.PathLike[str],
        network_type: str = "all",
        **kwargs: Any,
    ) -> "RoadNetwork":
        """Download the streets inside ``polygon`` (WGS-84 shapely geometry) with osmnx, once.

        The graph is cached as ``roads-<hash>.graphml`` in ``cache_dir``; later
        calls with the same polygon read the cache and make no network request.
        """
        import osmnx as ox

        cache_dir = Path(cache_dir)
        key = hashlib.sha1(polygon.wkb + network_type.encode()).hexdigest()[:16]
        path = cache_dir / f"roads-{key}.graphml"
        if path.exists():
            return cls.from_graphml(path, **kwargs)
        saved = list(ox.settings.useful_tags_way)
        ox.settings.useful_tags_way = saved + [t for t in OSM_WAY_TAGS if t not in saved]  # keep the access tags
        try:
            G = ox.graph_from_polygon(polygon, network_type=network_type, simplify=False, retain_all=True)
        finally:
            ox.settings.useful_tags_way = saved
        cache_dir.mkdir(parents=True, exist_ok=True)
        ox.save_graphml(G, path)
        kwargs.setdefault("source", f"osmnx-download:{path.name}")
        return cls.from_networkx(G, **kwargs)

    # ------------------------------------------------------------------ caching
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the network's arrays to a compressed ``.npz`` (fast to :meth:`load`)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = dict(
            node_xy=self.node_xy, edge_u=self.edge_u, edge_v=self.edge_v, length_m=self.length_m,
            drive_speed_kmh=self.drive_speed_kmh, walk=self.walk, bike=self.bike, drive=self.drive,
            max_snap_m=np.array(self.max_snap_m), source=np.array(self.source),
            min_component_nodes=np.array(self.min_component_nodes), crs=np.array(self.crs),
        )
        if self.node_id is not None:
            arrays["node_id"] = self.node_id
        with path.open("wb") as fh:
            np.savez_compressed(fh, **arrays)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "RoadNetwork":
        """Read a network written by :meth:`save` (``NetworkError`` when absent, damaged or not one)."""
        path = Path(path)
        if not path.is_file():
            raise NetworkError(f"network file not found: {path}")
        try:
            with np.load(path, allow_pickle=False) as z:
                kw = {k: z[k] for k in z.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise NetworkError(f"cannot read network file {path.name}: {exc}") from exc
        missing = [k for k in ("node_xy", "edge_u", "edge_v", "length_m", "max_snap_m", "source") if k not in kw]
        if missing:
            raise NetworkError(f"{path.name} is not a saved road network (no {', '.join(missing)})")
        kw["max_snap_m"] = float(kw["max_snap_m"])
        if "min_component_nodes" in kw:
            kw["min_component_nodes"] = int(kw["min_component_nodes"])
        kw["source"] = str(kw["source"])
        kw["crs"] = str(kw.get("crs", PROJECTED))
        return cls(**kw)


def _great_circle_m(a: np.ndarray, b: np.ndarray, radius: float = 6_371_009.0) -> np.ndarray:
    """Haversine metres between lon/lat rows of ``a`` and ``b`` (osmnx's Earth radius and formula)."""
    lon1, lat1, lon2, lat2 = (np.radians(c) for c in (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * radius * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


_TRANSFORMERS: dict[tuple[str, str], Transformer] = {}


def _transformer(src: str, dst: str) -> Transformer:
    """A cached always-xy pyproj transformer."""
    key = (src, dst)
    if key not in _TRANSFORMERS:
        _TRANSFORMERS[key] = Transformer.from_crs(src, dst, always_xy=True)
    return _TRANSFORMERS[key]


def _csr_min(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sp.csr_matrix:
    """CSR matrix from directed edges keeping the minimum weight of parallel edges and no self-loops."""
    keep = u != v
    u, v, w = u[keep], v[keep], w[keep]
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    if len(u):
        first = np.ones(len(u), dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        u, v, w = u[first], v[first], w[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(u, minlength=n))
    idx_dtype = np.int32 if n < 2**31 - 1 and len(u) < 2**31 - 1 else np.int64
    return sp.csr_matrix(
        (w.astype(float), v.astype(idx_dtype), indptr.astype(idx_dtype)), shape=(n, n)
    )
