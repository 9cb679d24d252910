"""Road networks as sparse travel-time matrices.

A :class:`RoadNetwork` holds the nodes (EPSG:32649 metres) and directed edges
(length, drive speed, which modes may use them) of a street graph and turns
them, once per mode, into a :class:`scipy.sparse.csr_matrix` of travel
seconds for :func:`scipy.sparse.csgraph.dijkstra`. Walking and cycling ignore
one-way restrictions (both directions of every usable edge); driving respects
them and uses a per-edge speed from OSM ``maxspeed`` or, failing that, the
``highway`` class (:data:`DEFAULT_DRIVE_SPEEDS`).

Points (population cells, facilities) are *snapped* to the nearest node usable
by the mode with a KD-tree; beyond ``max_snap_m`` a point is unreachable. The
time of a point is the access leg (straight line to its node at the mode's
speed) plus the network time from that node.

Constructors: :meth:`RoadNetwork.from_arrays` (plain arrays),
:meth:`~RoadNetwork.from_osm_xml` (``.osm``, read offline with osmnx),
:meth:`~RoadNetwork.from_graphml` (an osmnx GraphML file),
:meth:`~RoadNetwork.from_networkx` (an osmnx graph in memory),
:meth:`~RoadNetwork.from_pbf` (needs ``osmium``), :meth:`~RoadNetwork.download`
(osmnx, online once, cached as GraphML) and :meth:`~RoadNetwork.load` (the fast
``.npz`` cache written by :meth:`~RoadNetwork.save`).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from coverage.crs import PROJECTED, WGS84

__all__ = [
    "DEFAULT_DRIVE_SPEEDS",
    "DEFAULT_MAX_SNAP_M",
    "RoadNetwork",
]

#: Maximum straight-line distance (m) from a point to its road node; beyond it
#: the point is unreachable on the network.
DEFAULT_MAX_SNAP_M = 500.0

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

# highway classes nobody travels on (not real roads)
_NOT_ROADS = {
    "proposed", "construction", "abandoned", "disused", "platform", "raceway",
    "bus_stop", "elevator", "escalator", "rest_area", "services", "emergency_bay",
}
# usable on foot / by bike but not by car
_NO_DRIVE = {
    "footway", "pedestrian", "path", "steps", "cycleway", "bridleway", "corridor",
    "track_grade5", "via_ferrata",
}
# in China pedestrians and non-motor vehicles are banned from 高速公路
_NO_WALK = {"motorway", "motorway_link"}
_NO_BIKE = _NO_WALK | {"steps"}

_MODE_FLAG = {"walk": "walk", "bike": "bike", "drive": "drive"}


def _first(value: Any) -> Any:
    """osmnx stores merged tags as lists: take the first value."""
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


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


def _mode_flags(highway: str | None, access: str | None) -> tuple[bool, bool, bool]:
    """(walk, bike, drive) permissions of an edge from its OSM tags."""
    if highway is None or highway in _NOT_ROADS or access == "no":
        return False, False, False
    walk = highway not in _NO_WALK
    bike = highway not in _NO_BIKE
    drive = highway not in _NO_DRIVE
    return walk, bike, drive


class RoadNetwork:
    """A street graph ready for multi-source Dijkstra.

    Parameters
    ----------
    node_xy : (n, 2) array
        Node coordinates in EPSG:32649 metres.
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
    ) -> None:
        node_xy = np.ascontiguousarray(node_xy, dtype=float)
        if node_xy.ndim != 2 or node_xy.shape[1] != 2:
            raise ValueError(f"node_xy must have shape (n, 2); got {node_xy.shape}")
        if not np.isfinite(node_xy).all():
            raise ValueError("node_xy contains NaN or infinite coordinates")
        n = len(node_xy)
        edge_u = np.asarray(edge_u, dtype=np.int64).ravel()
        edge_v = np.asarray(edge_v, dtype=np.int64).ravel()
        e = len(edge_u)
        if len(edge_v) != e:
            raise ValueError("edge_u and edge_v must have the same length")
        if e and (edge_u.min() < 0 or edge_v.min() < 0 or edge_u.max() >= n or edge_v.max() >= n):
            raise ValueError("edge endpoints must be node indices in [0, n)")
        length_m = np.asarray(length_m, dtype=float).ravel()
        if len(length_m) != e or (e and (not np.isfinite(length_m).all() or length_m.min() < 0)):
            raise ValueError("length_m must be e finite non-negative values")

        def flags(a: np.ndarray | None, name: str) -> np.ndarray:
            if a is None:
                return np.ones(e, dtype=bool)
            a = np.asarray(a, dtype=bool).ravel()
            if len(a) != e:
                raise ValueError(f"{name} must have one value per edge")
            return a

        if drive_speed_kmh is None:
            drive_speed_kmh = np.full(e, 30.0)
        drive_speed_kmh = np.asarray(drive_speed_kmh, dtype=float).ravel()
        if len(drive_speed_kmh) != e or (e and (not np.isfinite(drive_speed_kmh).all() or drive_speed_kmh.min() <= 0)):
            raise ValueError("drive_speed_kmh must be e positive finite values")
        if not (max_snap_m > 0):
            raise ValueError(f"max_snap_m must be positive; got {max_snap_m!r}")

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
            raise ValueError("node_id must have one value per node")
        self.max_snap_m = float(max_snap_m)
        if int(min_component_nodes) < 1:
            raise ValueError(f"min_component_nodes must be >= 1; got {min_component_nodes!r}")
        self.min_component_nodes = int(min_component_nodes)
        self.source = source
        self.crs = PROJECTED
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
        """Node indices of original ids (e.g. OSM ids); ``ValueError`` for an unknown id."""
        ids = np.atleast_1d(np.asarray(ids))
        if self.node_id is None:
            raise ValueError("this network keeps no original node ids")
        order = np.argsort(self.node_id, kind="stable")
        pos = np.searchsorted(self.node_id, ids, sorter=order)
        pos = np.minimum(pos, len(order) - 1)
        found = self.node_id[order[pos]] == ids
        if not found.all():
            raise ValueError(f"unknown node id(s): {ids[~found][:5].tolist()}")
        return order[pos]

    def edge_mask(self, mode: str) -> np.ndarray:
        """Boolean mask of the edges usable by ``mode``."""
        if mode not in _MODE_FLAG:
            raise ValueError(f"mode must be one of walk, bike, drive; got {mode!r}")
        return getattr(self, _MODE_FLAG[mode])

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
                raise ValueError(f"{mode} needs a positive speed_kmh; got {speed_kmh!r}")
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
            raise ValueError("edge_u and edge_v must have the same length")
        if len(u) and (max(u.max(), v.max()) >= len(node_xy) or min(u.min(), v.min()) < 0):
            raise ValueError("edge endpoints must be node indices in [0, n)")
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
    ) -> "RoadNetwork":
        """Build from an osmnx-style ``MultiDiGraph`` (nodes with ``x``/``y``; edges with OSM tags).

        Node coordinates are projected to EPSG:32649 from the graph's ``crs``
        attribute (WGS-84 when absent). Edges without a ``highway`` tag (e.g.
        building outlines in a raw .osm) are dropped. Edge lengths come from the
        ``length`` attribute when present, else the great-circle distance (as osmnx
        computes it) for lon/lat graphs, or the straight line for projected ones.
        Edges are straight between their nodes (read unsimplified data for exact
        service-area outlines; lengths and times are exact either way).
        """
        from pyproj import CRS, Transformer

        speeds = {**DEFAULT_DRIVE_SPEEDS, **(speeds or {})}
        ids = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes()) if len(G) else np.zeros(0, np.int64)
        x = np.fromiter((d["x"] for _, d in G.nodes(data=True)), dtype=float, count=len(ids))
        y = np.fromiter((d["y"] for _, d in G.nodes(data=True)), dtype=float, count=len(ids))
        crs = CRS.from_user_input(G.graph.get("crs", WGS84))
        lonlat = np.column_stack([x, y]) if crs.is_geographic else None
        if not crs.equals(CRS.from_user_input(PROJECTED)):
            x, y = Transformer.from_crs(crs, PROJECTED, always_xy=True).transform(x, y)
        node_xy = np.column_stack([x, y]).astype(float)
        index = {nid: i for i, nid in enumerate(ids.tolist())}

        us, vs, lengths, speed, walk, bike, drive = [], [], [], [], [], [], []
        for u, v, data in G.edges(data=True):
            w, b, d = _mode_flags(_first(data.get("highway")), _first(data.get("access")))
            if data.get("area") in ("yes", True) or not (w or b or d):
                continue
            if u == v:
                continue
            iu, iv = index[u], index[v]
            length = data.get("length")
            try:
                length = float(length)
            except (TypeError, ValueError):
                length = math.nan
            if not math.isfinite(length):  # as osmnx: great-circle metres, else projected
                length = (
                    _great_circle_m(lonlat[iu], lonlat[iv]) if lonlat is not None
                    else float(np.hypot(*(node_xy[iu] - node_xy[iv])))
                )
            ms = parse_maxspeed(data.get("maxspeed"))
            if math.isnan(ms):
                ms = speeds.get(_first(data.get("highway")), _FALLBACK_DRIVE_SPEED)
            us.append(iu)
            vs.append(iv)
            lengths.append(length)
            speed.append(ms)
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
        )

    @classmethod
    def from_osm_xml(cls, path: str | os.PathLike[str], **kwargs: Any) -> "RoadNetwork":
        """Read an OSM XML (``.osm``) extract offline with ``osmnx.graph_from_xml``.

        Every connected part is kept (``retain_all``): islands stay in the graph
        and are simply unreachable from the mainland. One-way tags are kept for
        driving. Keyword arguments go to :meth:`from_networkx`.
        """
        import osmnx as ox

        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"OSM file not found: {path}")
        G = ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
        kwargs.setdefault("source", f"osm-xml:{path.name}")
        return cls.from_networkx(G, **kwargs)

    @classmethod
    def from_graphml(cls, path: str | os.PathLike[str], **kwargs: Any) -> "RoadNetwork":
        """Read an osmnx GraphML file (e.g. the :meth:`download` cache)."""
        import osmnx as ox

        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"GraphML file not found: {path}")
        G = ox.load_graphml(path)
        kwargs.setdefault("source", f"graphml:{path.name}")
        return cls.from_networkx(G, **kwargs)

    @classmethod
    def from_pbf(cls, path: str | os.PathLike[str], **kwargs: Any) -> "RoadNetwork":
        """Read an OSM PBF extract with ``osmium`` (pyosmium), if it is installed.

        Raises
        ------
        ImportError
            When pyosmium is not installed, saying how to proceed.
        """
        try:
            import osmium  # noqa: F401
        except ImportError:
            raise ImportError(
                "reading .pbf needs pyosmium (pip install osmium); alternatively convert the "
                "extract to XML with `osmium cat in.osm.pbf -o out.osm` and use from_osm_xml"
            ) from None
        return cls._from_pbf_osmium(Path(path), **kwargs)

    @classmethod
    def _from_pbf_osmium(cls, path: Path, **kwargs: Any) -> "RoadNetwork":  # pragma: no cover - optional
        import networkx as nx
        import osmium

        if not path.exists():
            raise FileNotFoundError(f"PBF file not found: {path}")
        G = nx.MultiDiGraph(crs=WGS84)
        oneway_yes = {"yes", "true", "1"}
        for obj in osmium.FileProcessor(str(path)).with_locations().with_filter(osmium.filter.KeyFilter("highway")):
            if not obj.is_way():
                continue
            tags = dict(obj.tags)
            nodes = [(n.ref, n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            for ref, lon, lat in nodes:
                G.add_node(ref, x=lon, y=lat)
            refs = [r for r, _, _ in nodes]
            ow = tags.get("oneway", "")
            if ow in ("-1", "reverse"):
                refs.reverse()
            one = ow in oneway_yes or ow in ("-1", "reverse") or tags.get("junction") == "roundabout"
            attrs = {k: tags[k] for k in ("highway", "maxspeed", "access", "area") if k in tags}
            for a, b in zip(refs[:-1], refs[1:]):
                G.add_edge(a, b, **attrs)
                if not one:
                    G.add_edge(b, a, **attrs)
        kwargs.setdefault("source", f"pbf:{path.name}")
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
        G = ox.graph_from_polygon(polygon, network_type=network_type, simplify=False, retain_all=True)
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
            min_component_nodes=np.array(self.min_component_nodes),
        )
        if self.node_id is not None:
            arrays["node_id"] = self.node_id
        with path.open("wb") as fh:
            np.savez_compressed(fh, **arrays)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "RoadNetwork":
        """Read a network written by :meth:`save`."""
        with np.load(Path(path), allow_pickle=False) as z:
            kw = {k: z[k] for k in z.files}
        kw["max_snap_m"] = float(kw["max_snap_m"])
        if "min_component_nodes" in kw:
            kw["min_component_nodes"] = int(kw["min_component_nodes"])
        kw["source"] = str(kw["source"])
        return cls(**kw)


def _great_circle_m(a: np.ndarray, b: np.ndarray, radius: float = 6_371_009.0) -> float:
    """Haversine distance in metres between lon/lat points ``a`` and ``b`` (osmnx's Earth radius)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * radius * math.asin(min(1.0, math.sqrt(h)))


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
