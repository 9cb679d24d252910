"""Travel times from population cells to the nearest facility of a layer.

Two methods, chosen automatically:

* **network** (a :class:`~coverage.network.RoadNetwork` is available): every
  facility becomes a virtual source node joined to its snapped road node by its
  access leg; ONE multi-source :func:`scipy.sparse.csgraph.dijkstra` with
  ``min_only=True`` and a cutoff at the largest time limit gives every road node
  its time to the nearest facility and which facility that is. A cell's time is
  its own access leg (straight line to its road node at the mode's speed) plus
  its node's time. Times are for the trip *to* the facility, so one-way streets
  count in the direction a resident drives. Islands and other parts with no
  road link are unreachable (``inf``), never silently covered.
* **distance** (no network): the straight-line distance to the nearest
  facility with a KD-tree, against the standard's ``distance_m`` (GB 50180-2018's
  walking circle for the 15-minute layers).

Cells are grouped by the travel mode their area type's standard uses (e.g.
walking in 街道, e-bike in 镇), one Dijkstra per mode.

:class:`ReachModel` keeps the per-node state so the app's what-if clicks are
incremental: adding a facility is one Dijkstra bounded by the time limit from
the new site; removing one re-solves only the nodes that facility was nearest
to, seeded from their unchanged neighbours. Both equal a full recompute.

Public engine API (what other modules use): :class:`ReachModel` (with :attr:`~ReachModel.groups`,
:meth:`~ReachModel.group_for`, :meth:`~ReachModel.nearest_unbounded`,
:meth:`~ReachModel.coverage_matrix`), :class:`CellReach` (its cost in an explicit
:class:`CostUnit`), :class:`ModeGroup`, :func:`compute_reach`, :func:`coverage_matrix` and
:func:`multi_source_times`. Service-area polygons are built from a model by
:mod:`coverage.service_areas`, which imports this module (never the other way round).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal, Sequence

import numpy as np
import scipy.sparse as sp
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from coverage.crs import PROJECTED, WGS84
from coverage.errors import InputError, NetworkError
from coverage.network import RoadNetwork, augment_sources, gather_rows
from coverage.region import Region
from coverage.standards import AREA_TYPES, Standard, StandardTable, standards_by_area

__all__ = [
    "CellReach",
    "CostUnit",
    "Method",
    "ModeGroup",
    "ReachModel",
    "compute_reach",
    "coverage_matrix",
    "multi_source_times",
]

MethodChoice = Literal["auto", "network", "distance"]
_NO_SOURCE = -9999  # scipy's marker for "no path"


class Method(StrEnum):
    """How a reach was measured."""

    NETWORK = "network"  #: travel time over the road network
    DISTANCE = "distance"  #: straight-line distance (no network)


class CostUnit(StrEnum):
    """Unit of :attr:`CellReach.cost` and :attr:`CellReach.limit`."""

    SECONDS = "s"  #: network mode: travel seconds
    METRES = "m"  #: distance mode: straight-line metres


@dataclass
class CellReach:
    """Per-cell result of a reach computation for one layer.

    Attributes
    ----------
    cost : (m,) float array
        Cost to the nearest facility in :attr:`unit` (seconds on the network, metres
        in distance mode); ``inf`` where no facility is within the cell's limit.
    nearest : (m,) int array
        Row of that facility in ``region.facilities[layer]`` (facilities added
        with :meth:`ReachModel.add_facility` continue the numbering); ``-1`` if none.
    limit : (m,) float array
        Each cell's limit in :attr:`unit` (from its town's area type).
    covered : (m,) bool array
        ``cost <= limit``.
    mode : Method
        ``Method.NETWORK`` or ``Method.DISTANCE`` (compares equal to ``"network"`` / ``"distance"``).
    unit : CostUnit
        ``CostUnit.SECONDS`` (network) or ``CostUnit.METRES`` (distance); compares equal to ``"s"`` / ``"m"``.
    off_network : (m,) bool array or None
        Network mode: True for cells with no road node within the snap distance (they
        cannot be reached at all and are reported as such). None in distance mode.
    """

    cost: np.ndarray
    nearest: np.ndarray
    limit: np.ndarray
    covered: np.ndarray
    mode: Method
    unit: CostUnit
    off_network: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.mode = Method(self.mode)
        self.unit = CostUnit(self.unit)
        if (self.mode is Method.NETWORK) != (self.unit is CostUnit.SECONDS):
            raise InputError(f"a {self.mode.value} reach is measured in "
                             f"{'s' if self.mode is Method.NETWORK else 'm'}; got unit {self.unit.value!r}")  # fmt: skip

    @property
    def n_covered(self) -> int:
        """Number of covered cells."""
        return int(self.covered.sum())


# --------------------------------------------------------------------------- core
def multi_source_times(
    graph: sp.csr_matrix,
    source_nodes: np.ndarray,
    source_offsets: np.ndarray | None = None,
    limit: float = np.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """Time from each node to its nearest source, with one Dijkstra.

    Parameters
    ----------
    graph : (n, n) csr_matrix
        Edge weights (seconds); Dijkstra runs from the sources along ``graph``'s edges.
    source_nodes : (k,) int array
        Node of each source (``-1``: the source is not on the network and is ignored).
    source_offsets : (k,) float array, optional
        Time between each source and its node (access leg); default 0.
    limit : float
        Cutoff: nodes farther than this get ``inf``.

    Returns
    -------
    dist : (n,) float array
        Time to the nearest source (``inf`` beyond ``limit``).
    source : (n,) int array
        Position in ``source_nodes`` of that source; ``-1`` where ``dist`` is inf.
    """
    n = graph.shape[0]
    source_nodes = np.asarray(source_nodes, dtype=np.int64).ravel()
    offsets = np.zeros(len(source_nodes)) if source_offsets is None else np.asarray(source_offsets, float).ravel()
    if len(offsets) != len(source_nodes):
        raise InputError("source_offsets must have one value per source")
    ok = np.flatnonzero(source_nodes >= 0)
    if len(ok) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    aug = augment_sources(graph, source_nodes[ok], offsets[ok])
    dist, _, src = dijkstra(
        aug, directed=True, indices=n + np.arange(len(ok)), min_only=True, limit=limit,
        return_predecessors=True,
    )
    dist = dist[:n]
    src = src[:n].astype(np.int64)
    found = src != _NO_SOURCE
    out = np.full(n, -1, dtype=np.int64)
    out[found] = ok[src[found] - n]
    dist = np.where(found, dist, np.inf)
    return dist, out


# ----------------------------------------------------------------------- groups
@dataclass
class ModeGroup:
    """Cells sharing one standard's travel mode and speed: one Dijkstra per change.

    Read-only for callers (:attr:`ReachModel.groups`); the model updates it.

    Attributes
    ----------
    standard : Standard
        Representative standard (its ``mode`` and ``speed_kmh`` define the group).
    cells : (c,) int array
        Indices of the group's cells among all cells.
    limit : (c,) float array
        Per-cell limit of these cells (seconds or metres, as the model's unit).
    max_limit : float
        Cutoff of the group's Dijkstra runs.
    graph : csr_matrix or None
        Network mode: the Dijkstra graph, whose edges run from facilities outwards
        (against the direction of travel); row ``z`` lists the travel edges ``y -> z``.
    graph_in : csr_matrix or None
        Its transpose (the in-edges of every node).
    cell_node, cell_access : arrays or None
        Snapped node of each of the group's cells (-1: off the network) and its access leg (s).
    fac_node, fac_offset : lists
        Snapped node and access leg (s) of every facility the model knows (also removed ones).
    dist, src : arrays or None
        Time of every node to its nearest active facility and which facility that is (-1: none).
    """

    standard: Standard
    cells: np.ndarray
    limit: np.ndarray
    max_limit: float
    graph: sp.csr_matrix | None = None
    graph_in: sp.csr_matrix | None = None
    cell_node: np.ndarray | None = None
    cell_access: np.ndarray | None = None
    fac_node: list[int] = field(default_factory=list)
    fac_offset: list[float] = field(default_factory=list)
    dist: np.ndarray | None = None
    src: np.ndarray | None = None
    one_source: sp.csr_matrix | None = None  # graph + one spare virtual row (for add)



def _choose_network(region: Region, network: RoadNetwork | None, method: MethodChoice) -> RoadNetwork | None:
    if method not in ("auto", "network", "distance"):
        raise InputError(f"method must be 'auto', 'network' or 'distance'; got {method!r}")
    if method == "distance":
        return None
    net = network if network is not None else region.network
    if method == "network" and net is None:
        raise InputError("method='network' needs a road network (region.network or network=...)")
    if net is not None and net.crs != PROJECTED:
        raise NetworkError(f"the road network is in {net.crs}, the region's cells in {PROJECTED}: "
                           "read the network with crs=" + PROJECTED)  # fmt: skip
    return net


_TRANSFORMERS: dict[tuple[str, str], Transformer] = {}


def _transform(src: str, dst: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    key = (src, dst)
    if key not in _TRANSFORMERS:
        _TRANSFORMERS[key] = Transformer.from_crs(src, dst, always_xy=True)
    return _TRANSFORMERS[key].transform(x, y)


# ----------------------------------------------------------------------- model
class ReachModel:
    """Reach of one facility layer, kept up to date as facilities are added or removed.

    Parameters
    ----------
    region : Region
        Its ``cell_xy()``, ``cell_area_type()``, ``facility_xy(layer_id)`` and ``network`` are used.
    layer_id : str
    standards : StandardTable, Standard or None
        ``None``: the embedded ``data/standards.csv``. A single ``Standard``
        applies to every cell.
    network : RoadNetwork, optional
        Default: ``region.network``; distance mode when there is none.
    method : {"auto", "network", "distance"}
        Force a method (``auto``: network when one is available).

    Attributes
    ----------
    reach : CellReach
        The current state (a fresh snapshot after every change).
    facility_xy : (k, 2) array
        Every facility ever known to the model (:attr:`crs`), removed ones included.
    active : (k,) bool array
        False for removed facilities.
    groups : tuple of ModeGroup
        One per travel mode in use (read-only for callers: service areas read the graphs).
    crs : str
        Projected CRS of every coordinate (the network's; EPSG:32649 for a Region).
    mode : Method
    unit : CostUnit
    region : Region or None
        The region the model was built from (None from :meth:`from_arrays`).
    """

    def __init__(
        self,
        region: Region,
        layer_id: str,
        standards: StandardTable | Standard | None = None,
        network: RoadNetwork | None = None,
        *,
        method: MethodChoice = "auto",
    ) -> None:
        cell_xy = np.asarray(region.cell_xy(), dtype=float).reshape(-1, 2)
        area = np.asarray(region.cell_area_type(), dtype=object)
        if len(area) != len(cell_xy):
            raise InputError(f"cell_area_type() gave {len(area)} values for {len(cell_xy)} cells")
        fac_xy = np.asarray(region.facility_xy(layer_id), dtype=float).reshape(-1, 2)
        net = _choose_network(region, network, method)
        self.region: Region | None = region
        self.layer_id: str | None = layer_id
        self._setup(cell_xy, area, fac_xy, standards, layer_id, net)

    @classmethod
    def from_arrays(
        cls,
        cell_xy: np.ndarray,
        facility_xy: np.ndarray,
        standards: StandardTable | Standard,
        area_type: Sequence[str] | np.ndarray | None = None,
        network: RoadNetwork | None = None,
        layer_id: str | None = None,
    ) -> "ReachModel":
        """Build without a Region, from projected arrays (in the network's CRS; EPSG:32649 without one).

        Parameters
        ----------
        cell_xy : (m, 2) array
        facility_xy : (k, 2) array
        standards : Standard or StandardTable (then ``layer_id`` is required)
        area_type : (m,) array of "urban" | "rural", optional
            Default: every cell urban.
        network : RoadNetwork, optional
            Distance mode when None.
        """
        self = cls.__new__(cls)
        cell_xy = np.asarray(cell_xy, dtype=float).reshape(-1, 2)
        if area_type is None:
            area = np.full(len(cell_xy), "urban", dtype=object)
        else:
            area = np.asarray(area_type, dtype=object)
        self.region = None
        self.layer_id = layer_id
        self._setup(cell_xy, area, np.asarray(facility_xy, dtype=float).reshape(-1, 2), standards, layer_id, network)
        return self

    # ------------------------------------------------------------------ set-up
    def _setup(
        self,
        cell_xy: np.ndarray,
        area: np.ndarray,
        fac_xy: np.ndarray,
        standards: StandardTable | Standard | None,
        layer_id: str | None,
        network: RoadNetwork | None,
    ) -> None:
        if not np.isfinite(cell_xy).all():
            raise InputError("cell coordinates contain NaN or infinite values")
        if len(fac_xy) and not np.isfinite(fac_xy).all():
            raise InputError(f"facility coordinates of layer {layer_id!r} contain NaN or infinite values")
        m = len(cell_xy)
        area = np.asarray(area)
        urban = np.asarray(area == "urban", dtype=bool).reshape(m)
        rural = ~urban
        others = np.flatnonzero(rural)
        is_rural = np.asarray(area[others] == "rural", dtype=bool).reshape(len(others))
        masks = {"urban": urban, "rural": rural}
        if not is_rural.all():
            bad = sorted({str(a) for a in area[others[~is_rural][:1000]]})
            raise InputError(f"unknown cell area type(s) {bad}; expected {', '.join(AREA_TYPES)}")
        present = [a for a in AREA_TYPES if masks[a].any()]
        by_area = standards_by_area(standards, layer_id, present or AREA_TYPES[:1])
        self.standards_by_area = by_area
        self.cell_xy = cell_xy
        self.area_type = area
        self.network = network
        self.mode = Method.NETWORK if network is not None else Method.DISTANCE
        self.unit = CostUnit.SECONDS if network is not None else CostUnit.METRES
        self.crs = network.crs if network is not None else PROJECTED
        self._limit = np.full(m, np.inf)
        self._mode_groups: list[ModeGroup] = []
        keyed: dict[tuple, list[str]] = {}
        for a in present or AREA_TYPES[:1]:  # no cells: keep one group (service areas still work)
            std = by_area[a]
            key = (std.mode, std.speed_kmh) if network is not None else ("distance",)
            keyed.setdefault(key, []).append(a)
        for key, areas in keyed.items():
            for a in areas:
                std = by_area[a]
                self._limit[masks[a]] = std.seconds if network is not None else std.distance_m
            if len(areas) == len(present):
                cells = np.arange(m)  # one group holds every cell
            else:
                cells = np.flatnonzero(np.logical_or.reduce([masks[a] for a in areas]))
            limit = self._limit if len(cells) == m else self._limit[cells]
            std = by_area[areas[0]]
            own = std.seconds if network is not None else std.distance_m
            self._mode_groups.append(
                ModeGroup(standard=std, cells=cells, limit=limit, max_limit=float(limit.max()) if len(limit) else own)
            )
        self.facility_xy = np.zeros((0, 2))
        self.active = np.zeros(0, dtype=bool)
        self._cost = np.full(m, np.inf)
        self._nearest = np.full(m, -1, dtype=np.int64)
        self._cell_tree: cKDTree | None = None
        self._ball_tree: cKDTree | None = None  # distance-mode adds: cells within a radius
        self._snapshot: CellReach | None = None
        self._limit.setflags(write=False)
        self._off_network: np.ndarray | None = None
        if network is not None:
            self._off_network = np.zeros(m, dtype=bool)
            for g in self._mode_groups:
                self._setup_network_group(g)
                self._off_network[g.cells] = ~np.isfinite(g.cell_access)
            self._off_network.setflags(write=False)
        self._append_facilities(fac_xy)
        self._full_recompute()

    def _setup_network_group(self, g: ModeGroup) -> None:
        net = self.network
        std = g.standard
        if std.mode == "drive":
            g.graph = net.travel_csr("drive", to_node=True)
            g.graph_in = net.travel_csr("drive", to_node=False)
        else:
            g.graph = g.graph_in = net.travel_csr(std.mode, std.speed_kmh)
        node, d = net.snap_cached(self.cell_xy, std.mode)
        whole = len(g.cells) == len(self.cell_xy)
        g.cell_node = node if whole else node[g.cells]
        g.cell_access = (d if whole else d[g.cells]) / std.speed_ms  # inf where unsnapped

    def _append_facilities(self, xy: np.ndarray) -> np.ndarray:
        start = len(self.facility_xy)
        self.facility_xy = np.vstack([self.facility_xy, xy]) if len(xy) else self.facility_xy
        self.active = np.concatenate([self.active, np.ones(len(xy), dtype=bool)])
        if self.network is not None and len(xy):
            for g in self._mode_groups:
                node, d = self.network.snap(xy, g.standard.mode)
                g.fac_node.extend(node.tolist())
                g.fac_offset.extend((d / g.standard.speed_ms).tolist())
        return np.arange(start, start + len(xy))

    # ------------------------------------------------------------ computation
    def _full_recompute(self) -> None:
        self._snapshot = None
        self._cost = np.full(len(self.cell_xy), np.inf)
        self._nearest = np.full(len(self.cell_xy), -1, dtype=np.int64)
        for g in self._mode_groups:
            if self.network is None:
                self._distance_full(g)
            else:
                nodes = np.where(self.active, np.asarray(g.fac_node, dtype=np.int64), -1)
                g.dist, g.src = multi_source_times(g.graph, nodes, np.asarray(g.fac_offset), g.max_limit)
                self._network_cells(g, None)
        self._snapshot = None

    def _network_cells(self, g: ModeGroup, changed_nodes: np.ndarray | None) -> None:
        """Recompute the group's cells (all, or those on ``changed_nodes``, a bool mask over nodes)."""
        if changed_nodes is None:
            node = np.maximum(g.cell_node, 0)  # unsnapped cells have access inf → cost inf
            cost = g.cell_access + g.dist[node]
            ok = cost <= g.limit
            cost[~ok] = np.inf
            nearest = np.where(ok, g.src[node], -1)
            if len(g.cells) == len(self._cost):
                self._cost, self._nearest = cost, nearest
            else:
                self._cost[g.cells] = cost
                self._nearest[g.cells] = nearest
            return
        idx = np.flatnonzero(changed_nodes[np.maximum(g.cell_node, 0)] & (g.cell_node >= 0))
        node = g.cell_node[idx]
        cost = g.cell_access[idx] + g.dist[node]
        ok = cost <= g.limit[idx]
        cells = g.cells[idx]
        self._cost[cells] = np.where(ok, cost, np.inf)
        self._nearest[cells] = np.where(ok, g.src[node], -1)

    def _distance_full(self, g: ModeGroup) -> None:
        act = np.flatnonzero(self.active)
        cells = g.cells
        if len(act) == 0 or len(cells) == 0:
            return
        tree = cKDTree(self.facility_xy[act])
        d, i = tree.query(self.cell_xy[cells], k=1, distance_upper_bound=g.max_limit * (1 + 1e-12) + 1e-9)
        ok = np.isfinite(d) & (d <= g.limit)
        self._cost[cells] = np.where(ok, d, np.inf)
        self._nearest[cells] = np.where(ok, act[np.minimum(i, len(act) - 1)], -1)

    # ---------------------------------------------------------------- what-if
    def copy(self) -> "ReachModel":
        """An independent model in the same state, without recomputing anything.

        The copy shares what no change touches (cells, limits, area types, the network and
        its graphs, the snapped cells, the cell KD-tree) and owns what a change updates (the
        facilities, the per-cell and per-node state), so editing one never alters the other.
        This is how the app starts a what-if scenario from the model an analysis already
        built (a layer switch then costs a copy, not a second reach computation).
        """
        if self.network is None and len(self.cell_xy):
            self._cells_within_tree()  # built here once, so a copy's first add does not build its own
        other = copy.copy(self)
        other.facility_xy = self.facility_xy.copy()
        other.active = self.active.copy()
        other._cost = self._cost.copy()
        other._nearest = self._nearest.copy()
        other._snapshot = None
        other._mode_groups = [
            replace(g, fac_node=list(g.fac_node), fac_offset=list(g.fac_offset),
                    dist=None if g.dist is None else g.dist.copy(),
                    src=None if g.src is None else g.src.copy(),
                    one_source=None)  # the add's scratch matrix is written in place: not shared (sessions run in threads)
            for g in self._mode_groups
        ]
        return other

    @property
    def reach(self) -> CellReach:
        """Current :class:`CellReach` (a read-only snapshot: later changes do not alter it)."""
        if self._snapshot is None:
            for a in (self._cost, self._nearest):
                a.setflags(write=False)
            self._snapshot = CellReach(
                cost=self._cost,
                nearest=self._nearest,
                limit=self._limit,
                covered=self._cost <= self._limit,
                mode=self.mode,
                unit=self.unit,
                off_network=self._off_network,
            )
        return self._snapshot

    def _before_change(self) -> None:
        """Copy-on-write: detach the state from the snapshot handed out."""
        if self._snapshot is not None:
            self._cost = self._cost.copy()
            self._nearest = self._nearest.copy()
            self._snapshot = None

    def add_facility(self, lon: float, lat: float) -> int:
        """Add a facility at WGS-84 ``lon``/``lat``; returns its index."""
        lon, lat = float(lon), float(lat)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"not a WGS-84 lon/lat: ({lon}, {lat})")
        x, y = _transform(WGS84, self.crs, np.array([lon]), np.array([lat]))
        return self.add_facility_xy(float(x[0]), float(y[0]))

    def add_facility_xy(self, x: float, y: float) -> int:
        """Add a facility at projected ``x``/``y`` (:attr:`crs`); returns its index."""
        xy = np.array([[float(x), float(y)]])
        if not np.isfinite(xy).all():
            raise InputError("facility coordinates must be finite")
        self._before_change()
        j = int(self._append_facilities(xy)[0])
        for g in self._mode_groups:
            if self.network is None:
                self._distance_add(g, j)
            else:
                self._network_add(g, j)
        self._snapshot = None
        return j

    def _network_add(self, g: ModeGroup, j: int) -> None:
        node = g.fac_node[j]
        if node < 0:
            return
        n = g.graph.shape[0]
        if g.one_source is None:
            g.one_source = augment_sources(g.graph, np.array([0]), np.array([0.0]))
        aug = g.one_source
        aug.indices[-1] = node
        aug.data[-1] = g.fac_offset[j]
        dnew = dijkstra(aug, directed=True, indices=n, limit=g.max_limit)[:n]
        better = dnew < g.dist
        if not better.any():
            return
        g.dist[better] = dnew[better]
        g.src[better] = j
        self._network_cells(g, better)

    def _distance_add(self, g: ModeGroup, j: int) -> None:
        if len(g.cells) == 0:
            return
        idx = np.asarray(self._cells_within_tree().query_ball_point(self.facility_xy[j], r=g.max_limit),
                         dtype=np.int64)
        in_group = np.zeros(len(self.cell_xy), dtype=bool)
        in_group[g.cells] = True
        idx = idx[in_group[idx]]
        d = np.hypot(*(self.cell_xy[idx] - self.facility_xy[j]).T)
        ok = (d < self._cost[idx]) & (d <= self._limit[idx])
        self._cost[idx[ok]] = d[ok]
        self._nearest[idx[ok]] = j

    def _cells_within_tree(self) -> cKDTree:
        """KD-tree of the cells for radius queries (built once, shared with copies made after it).

        Unbalanced and without compacted nodes it is built ~4x faster than the default tree, and a
        radius query finds the same cells (each point is tested against the radius, whatever the
        tree's shape); nearest-cell queries keep the default tree (:meth:`facility_area_type`).
        """
        if self._ball_tree is None:
            self._ball_tree = cKDTree(self.cell_xy, balanced_tree=False, compact_nodes=False)
        return self._ball_tree

    def remove_facility(self, index: int) -> None:
        """Remove facility ``index`` (indices of the others do not change)."""
        index = int(index)
        if not (0 <= index < len(self.active)):
            raise IndexError(f"no facility {index} (the model knows {len(self.active)})")
        if not self.active[index]:
            raise InputError(f"facility {index} was already removed")
        self._before_change()
        self.active[index] = False
        for g in self._mode_groups:
            if self.network is None:
                self._distance_remove(g, index)
            else:
                self._network_remove(g, index)
        self._snapshot = None

    def _distance_remove(self, g: ModeGroup, j: int) -> None:
        in_group = np.zeros(len(self.cell_xy), dtype=bool)
        in_group[g.cells] = True
        cells = np.flatnonzero((self._nearest == j) & in_group)
        self._cost[cells] = np.inf
        self._nearest[cells] = -1
        act = np.flatnonzero(self.active)
        if len(cells) == 0 or len(act) == 0:
            return
        tree = cKDTree(self.facility_xy[act])
        d, i = tree.query(self.cell_xy[cells], k=1, distance_upper_bound=g.max_limit * (1 + 1e-12) + 1e-9)
        ok = np.isfinite(d) & (d <= self._limit[cells])
        self._cost[cells[ok]] = d[ok]
        self._nearest[cells[ok]] = act[i[ok]]

    def _network_remove(self, g: ModeGroup, j: int) -> None:
        region_mask = g.src == j
        if not region_mask.any():
            return
        R = np.flatnonzero(region_mask)
        g.dist[R] = np.inf
        g.src[R] = -1
        # Seeds: every edge y -> z entering R from a node y outside R keeps y's
        # (unchanged, final) time; plus other facilities snapped inside R.
        z, y, w = gather_rows(g.graph_in, R)
        keep = ~region_mask[y] & np.isfinite(g.dist[y])
        z, y, w = z[keep], y[keep], w[keep]
        seed_node = [z]
        seed_cost = [g.dist[y] + w]
        seed_src = [g.src[y]]
        fac_node = np.asarray(g.fac_node, dtype=np.int64)
        others = np.flatnonzero(self.active & (fac_node >= 0))
        others = others[region_mask[fac_node[others]]]
        if len(others):
            seed_node.append(fac_node[others])
            seed_cost.append(np.asarray(g.fac_offset)[others])
            seed_src.append(others)
        s_node = np.concatenate(seed_node)
        s_cost = np.concatenate(seed_cost)
        s_src = np.concatenate(seed_src)
        if len(s_node):
            local = np.full(g.graph.shape[0], -1, dtype=np.int64)
            local[R] = np.arange(len(R))
            sub = g.graph[R][:, R].tocsr()
            dsub, ssub = multi_source_times(sub, local[s_node], s_cost, g.max_limit)
            found = ssub >= 0
            g.dist[R[found]] = dsub[found]
            g.src[R[found]] = s_src[ssub[found]]
        self._network_cells(g, region_mask)

    # ------------------------------------------------------------------ siting
    def coverage_matrix(self, candidate_xy: np.ndarray, chunk: int = 32) -> sp.csr_matrix:
        """Which cells each candidate site would cover (ignoring the existing facilities).

        Parameters
        ----------
        candidate_xy : (k, 2) array
            Candidate sites (:attr:`crs`).
        chunk : int
            Candidates per Dijkstra batch (memory: chunk × nodes floats).

        Returns
        -------
        scipy.sparse.csr_matrix
            ``(m, k)`` bool, True where the candidate reaches the cell within the cell's limit.
        """
        cand = np.asarray(candidate_xy, dtype=float).reshape(-1, 2)
        if not np.isfinite(cand).all():
            raise InputError("candidate coordinates must be finite")
        m, k = len(self.cell_xy), len(cand)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        for g in self._mode_groups:
            if len(g.cells) == 0 or k == 0:
                continue
            if self.network is None:
                r, c = self._distance_matrix_group(g, cand)
            else:
                r, c = self._network_matrix_group(g, cand, max(1, int(chunk)))
            rows.append(r)
            cols.append(c)
        r = np.concatenate(rows) if rows else np.zeros(0, np.int32)
        c = np.concatenate(cols) if cols else np.zeros(0, np.int32)
        del rows, cols
        # every (cell, candidate) pair occurs once: cells belong to one group, candidates once per batch
        mat = sp.coo_matrix((np.ones(len(r), dtype=bool), (r, c)), shape=(m, k)).tocsr()
        return mat

    def _distance_matrix_group(self, g: ModeGroup, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tree_c = cKDTree(self.cell_xy[g.cells])
        tree_k = cKDTree(cand)
        sdm = tree_k.sparse_distance_matrix(tree_c, g.max_limit, output_type="ndarray")
        ok = sdm["v"] <= g.limit[sdm["j"]]
        return g.cells[sdm["j"][ok]].astype(np.int32), sdm["i"][ok].astype(np.int32)

    def _network_matrix_group(self, g: ModeGroup, cand: np.ndarray, chunk: int) -> tuple[np.ndarray, np.ndarray]:
        net = self.network
        node, d = net.snap(cand, g.standard.mode)
        offset = d / g.standard.speed_ms
        ok = np.flatnonzero(node >= 0)
        if len(ok) == 0:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        n = net.n_nodes
        aug = augment_sources(g.graph, node[ok], offset[ok])
        # cells of this group sorted by node, to expand reached nodes into cells
        on = np.flatnonzero(g.cell_node >= 0)
        order = on[np.argsort(g.cell_node[on], kind="stable")]
        counts = np.bincount(g.cell_node[on], minlength=n)
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        # keep the (candidate, cell) temporaries of a batch to ~4 million pairs
        chunk = int(max(1, min(chunk, 4_000_000 // max(1, len(g.cells)))))
        rows, cols = [], []
        for b in range(0, len(ok), chunk):
            idx = np.arange(b, min(b + chunk, len(ok)))
            D = dijkstra(aug, directed=True, indices=n + idx, limit=g.max_limit)[:, :n]
            ci, nodes = np.nonzero(np.isfinite(D))
            cnt = counts[nodes]
            keep = cnt > 0
            ci, nodes, cnt = ci[keep], nodes[keep], cnt[keep]
            if len(nodes) == 0:
                continue
            pos = np.repeat(start[nodes], cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
            local = order[pos]  # index into g.cells
            cand_i = np.repeat(ci, cnt)
            cost = g.cell_access[local] + D[cand_i, g.cell_node[local]]
            hit = cost <= g.limit[local]
            rows.append(g.cells[local[hit]].astype(np.int32))
            cols.append(ok[idx[cand_i[hit]]].astype(np.int32))
        if not rows:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        return np.concatenate(rows), np.concatenate(cols)

    # ---------------------------------------------------------- service areas
    def facility_area_type(self) -> np.ndarray:
        """Area type at each facility: that of the nearest population cell ("urban" if there are no cells)."""
        k = len(self.facility_xy)
        if len(self.cell_xy) == 0 or k == 0:
            return np.full(k, "urban", dtype=object)
        if self._cell_tree is None:
            self._cell_tree = cKDTree(self.cell_xy)
        _, i = self._cell_tree.query(self.facility_xy, k=1)
        return self.area_type[i]

    # ------------------------------------------------------ beyond the limit
    def nearest_unbounded(self, cells: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Nearest active facility of each cell and its cost, with no cutoff.

        For cells outside every facility's reach (gaps): how far the nearest one is.
        Network mode runs one multi-source Dijkstra per group without a limit; distance
        mode one KD-tree query.

        Parameters
        ----------
        cells : (c,) int array, optional
            Cell indices (default: all).

        Returns
        -------
        nearest : (c,) int array
            Facility index (-1: none reachable at all, e.g. on an island or off the network).
        cost : (c,) float array
            In :attr:`unit` (``inf`` where ``nearest == -1``).
        """
        cells = np.arange(len(self.cell_xy)) if cells is None else np.asarray(cells, dtype=np.int64).ravel()
        nearest = np.full(len(cells), -1, dtype=np.int64)
        cost = np.full(len(cells), np.inf)
        act = np.flatnonzero(self.active)
        if len(cells) == 0 or len(act) == 0:
            return nearest, cost
        if self.network is None:
            d, i = cKDTree(self.facility_xy[act]).query(self.cell_xy[cells], k=1)
            return act[i], d
        pos = np.full(len(self.cell_xy), -1, dtype=np.int64)
        pos[cells] = np.arange(len(cells))
        for g in self._mode_groups:
            mine = pos[g.cells]
            sel = np.flatnonzero(mine >= 0)
            if len(sel) == 0:
                continue
            nodes = np.where(self.active, np.asarray(g.fac_node, dtype=np.int64), -1)
            dist, src = multi_source_times(g.graph, nodes, np.asarray(g.fac_offset))
            node = g.cell_node[sel]
            on = node >= 0
            c = np.where(on, g.cell_access[sel] + dist[np.maximum(node, 0)], np.inf)
            f = np.where(on & np.isfinite(c), src[np.maximum(node, 0)], -1)
            cost[mine[sel]] = np.where(f >= 0, c, np.inf)
            nearest[mine[sel]] = f
        return nearest, cost

    @property
    def groups(self) -> tuple[ModeGroup, ...]:
        """The model's travel-mode groups (see :class:`ModeGroup`)."""
        return tuple(self._mode_groups)

    def group_for(self, standard: Standard) -> ModeGroup | None:
        """The group travelling like ``standard`` (same mode and speed; the one group in distance mode)."""
        for g in self._mode_groups:
            if self.network is None or (g.standard.mode == standard.mode and g.standard.speed_kmh == standard.speed_kmh):
                return g
        return None


# --------------------------------------------------------------------- region API
def compute_reach(
    region: Region,
    layer_id: str,
    standards: StandardTable | Standard | None = None,
    network: RoadNetwork | None = None,
    *,
    method: MethodChoice = "auto",
) -> CellReach:
    """Travel cost from every population cell to the nearest facility of ``layer_id``.

    Parameters
    ----------
    region : Region
    layer_id : str
    standards : StandardTable, Standard or None
        ``None``: the embedded ``data/standards.csv``.
    network : RoadNetwork, optional
        Default ``region.network``; without one the GB 50180 straight-line
        distance is used (``mode="distance"``).
    method : {"auto", "network", "distance"}

    Returns
    -------
    CellReach
    """
    return ReachModel(region, layer_id, standards, network, method=method).reach


def coverage_matrix(
    region: Region,
    layer_id: str,
    candidate_xy: np.ndarray,
    standards: StandardTable | Standard | None = None,
    network: RoadNetwork | None = None,
    *,
    method: MethodChoice = "auto",
) -> sp.csr_matrix:
    """(cells × candidates) boolean matrix: True where a candidate would cover the cell.

    Parameters
    ----------
    candidate_xy : (k, 2) array
        Candidate sites in EPSG:32649.

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(m, k)``, dtype bool, under each cell's own limit.
    """
    net = _choose_network(region, network, method)
    model = ReachModel.from_arrays(region.cell_xy(), np.zeros((0, 2)), standards,
                                   area_type=region.cell_area_type(), network=net, layer_id=layer_id)  # fmt: skip
    model.region = region
    return model.coverage_matrix(candidate_xy)
