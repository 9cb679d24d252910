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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Literal, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from coverage.crs import PROJECTED, WGS84
from coverage.standards import AREA_TYPES, Standard, StandardTable, load_standards

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from coverage.network import RoadNetwork

__all__ = [
    "CellReach",
    "ReachModel",
    "compute_reach",
    "coverage_matrix",
    "service_areas",
    "multi_source_times",
]

Method = Literal["auto", "network", "distance"]
_NO_SOURCE = -9999  # scipy's marker for "no path"


@dataclass
class CellReach:
    """Per-cell result of a reach computation for one layer.

    Attributes
    ----------
    cost : (m,) float array
        Seconds (network mode) or metres (distance mode) to the nearest
        facility; ``inf`` where no facility is within the cell's limit.
    nearest : (m,) int array
        Row of that facility in ``region.facilities[layer]`` (facilities added
        with :meth:`ReachModel.add_facility` continue the numbering); ``-1`` if none.
    limit : (m,) float array
        Each cell's limit in the same unit (from its town's area type).
    covered : (m,) bool array
        ``cost <= limit``.
    mode : {"network", "distance"}
    unit : {"s", "m"}
    off_network : (m,) bool array or None
        Network mode: True for cells with no road node within the snap distance (they
        cannot be reached at all and are reported as such). None in distance mode.
    """

    cost: np.ndarray
    nearest: np.ndarray
    limit: np.ndarray
    covered: np.ndarray
    mode: str
    unit: str
    off_network: np.ndarray | None = None

    @property
    def n_covered(self) -> int:
        """Number of covered cells."""
        return int(self.covered.sum())


# --------------------------------------------------------------------------- core
def _augment(graph: sp.csr_matrix, nodes: np.ndarray, offsets: np.ndarray) -> sp.csr_matrix:
    """``graph`` plus one virtual source row per (node, offset): edge ``virtual -> node`` of weight offset."""
    n = graph.shape[0]
    k = len(nodes)
    indptr = np.concatenate([graph.indptr, graph.indptr[-1] + np.arange(1, k + 1, dtype=graph.indptr.dtype)])
    indices = np.concatenate([graph.indices, np.asarray(nodes, dtype=graph.indices.dtype)])
    data = np.concatenate([graph.data, np.asarray(offsets, dtype=float)])
    return sp.csr_matrix((data, indices, indptr), shape=(n + k, n + k))


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
        raise ValueError("source_offsets must have one value per source")
    ok = np.flatnonzero(source_nodes >= 0)
    if len(ok) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    aug = _augment(graph, source_nodes[ok], offsets[ok])
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


def _gather_rows(csr: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of every stored entry of ``csr`` in ``rows`` (vectorised)."""
    starts = csr.indptr[rows]
    counts = csr.indptr[rows + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    rep_rows = np.repeat(rows, counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    pos = np.repeat(starts, counts) + offsets
    return rep_rows, csr.indices[pos].astype(np.int64), csr.data[pos]


# ----------------------------------------------------------------------- groups
@dataclass
class _Group:
    """Cells sharing one standard's travel mode (one Dijkstra)."""

    standard: Standard  # representative standard (mode, speed)
    cells: np.ndarray  # indices into all cells
    limit: np.ndarray  # per-cell limit of these cells (s or m)
    max_limit: float
    # network state
    graph: sp.csr_matrix | None = None  # Dijkstra graph (edges point away from facilities)
    graph_in: sp.csr_matrix | None = None  # transpose: in-edges of each node
    cell_node: np.ndarray | None = None
    cell_access: np.ndarray | None = None
    fac_node: list[int] = field(default_factory=list)
    fac_offset: list[float] = field(default_factory=list)
    dist: np.ndarray | None = None
    src: np.ndarray | None = None
    one_source: sp.csr_matrix | None = None  # graph + one spare virtual row (for add)


def _standards_for(
    standards: StandardTable | Standard | None, layer_id: str | None, area_types: Iterable[str]
) -> dict[str, Standard]:
    if isinstance(standards, Standard):
        return {a: standards for a in area_types}
    table = load_standards() if standards is None else standards
    if not isinstance(table, StandardTable):
        raise TypeError(f"standards must be a StandardTable, a Standard or None; got {type(table).__name__}")
    if layer_id is None:
        raise ValueError("a StandardTable needs a layer_id")
    return {a: table.get(layer_id, a) for a in area_types}


def _region_cell_xy(region: Any) -> np.ndarray:
    if hasattr(region, "cell_xy"):
        return np.asarray(region.cell_xy(), dtype=float)
    return region.population[["x", "y"]].to_numpy(dtype=float)


def _region_area_types(region: Any, m: int) -> np.ndarray:
    if hasattr(region, "cell_area_type"):
        area = np.asarray(region.cell_area_type(), dtype=object)
    else:
        towns = getattr(region, "towns", None)
        pop = region.population
        if towns is not None and "area_type" in towns and "town_code" in pop:
            lookup = dict(zip(towns["town_code"].astype(str), towns["area_type"]))
            area = pop["town_code"].astype(str).map(lookup).to_numpy(dtype=object)
        else:
            area = np.full(m, "urban", dtype=object)
    if len(area) != m:
        raise ValueError(f"cell_area_type() returned {len(area)} values for {m} cells")
    return area


def _region_facility_xy(region: Any, layer_id: str) -> np.ndarray:
    if hasattr(region, "facility_xy"):
        xy = np.asarray(region.facility_xy(layer_id), dtype=float)
    else:
        gdf = region.facilities[layer_id]
        g = gdf.to_crs(PROJECTED).geometry if len(gdf) else gdf.geometry
        xy = np.column_stack([g.x.to_numpy(), g.y.to_numpy()]) if len(gdf) else np.zeros((0, 2))
    return xy.reshape(-1, 2)


def _choose_network(region: Any, network: Any, method: Method) -> "RoadNetwork | None":
    if method not in ("auto", "network", "distance"):
        raise ValueError(f"method must be 'auto', 'network' or 'distance'; got {method!r}")
    if method == "distance":
        return None
    net = network if network is not None else getattr(region, "network", None)
    if method == "network" and net is None:
        raise ValueError("method='network' needs a road network (region.network or network=...)")
    return net


_TRANSFORMERS: dict[tuple[str, str], Any] = {}


def _transform(src: str, dst: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

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
        Needs ``cell_xy()``, ``cell_area_type()`` (or ``population`` + ``towns``),
        ``facility_xy(layer)`` (or ``facilities``) and optionally ``network``.
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
        Every facility ever known to the model (EPSG:32649), removed ones included.
    active : (k,) bool array
        False for removed facilities.
    """

    def __init__(
        self,
        region: Any,
        layer_id: str,
        standards: StandardTable | Standard | None = None,
        network: "RoadNetwork | None" = None,
        *,
        method: Method = "auto",
    ) -> None:
        cell_xy = _region_cell_xy(region)
        area = _region_area_types(region, len(cell_xy))
        fac_xy = _region_facility_xy(region, layer_id)
        net = _choose_network(region, network, method)
        self.region = region
        self.layer_id = layer_id
        self._setup(cell_xy, area, fac_xy, standards, layer_id, net)

    @classmethod
    def from_arrays(
        cls,
        cell_xy: np.ndarray,
        facility_xy: np.ndarray,
        standards: StandardTable | Standard,
        area_type: Sequence[str] | np.ndarray | None = None,
        network: "RoadNetwork | None" = None,
        layer_id: str | None = None,
    ) -> "ReachModel":
        """Build without a Region, from EPSG:32649 arrays.

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
        network: "RoadNetwork | None",
    ) -> None:
        if not np.isfinite(cell_xy).all():
            raise ValueError("cell coordinates contain NaN or infinite values")
        if len(fac_xy) and not np.isfinite(fac_xy).all():
            raise ValueError(f"facility coordinates of layer {layer_id!r} contain NaN or infinite values")
        m = len(cell_xy)
        area = np.asarray(area)
        urban = np.asarray(area == "urban", dtype=bool).reshape(m)
        rural = ~urban
        others = np.flatnonzero(rural)
        is_rural = np.asarray(area[others] == "rural", dtype=bool).reshape(len(others))
        masks = {"urban": urban, "rural": rural}
        if not is_rural.all():
            bad = sorted({str(a) for a in area[others[~is_rural][:1000]]})
            raise ValueError(f"unknown cell area type(s) {bad}; expected {', '.join(AREA_TYPES)}")
        present = [a for a in AREA_TYPES if masks[a].any()]
        by_area = _standards_for(standards, layer_id, present or AREA_TYPES[:1])
        self.standards_by_area = by_area
        self.cell_xy = cell_xy
        self.area_type = area
        self.network = network
        self.mode = "network" if network is not None else "distance"
        self.unit = "s" if network is not None else "m"
        self._limit = np.full(m, np.inf)
        self._groups: list[_Group] = []
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
            self._groups.append(
                _Group(standard=std, cells=cells, limit=limit, max_limit=float(limit.max()) if len(limit) else own)
            )
        self.facility_xy = np.zeros((0, 2))
        self.active = np.zeros(0, dtype=bool)
        self._cost = np.full(m, np.inf)
        self._nearest = np.full(m, -1, dtype=np.int64)
        self._cell_tree: cKDTree | None = None
        self._snapshot: CellReach | None = None
        self._limit.setflags(write=False)
        self._off_network: np.ndarray | None = None
        if network is not None:
            self._off_network = np.zeros(m, dtype=bool)
            for g in self._groups:
                self._setup_network_group(g)
                self._off_network[g.cells] = ~np.isfinite(g.cell_access)
            self._off_network.setflags(write=False)
        self._append_facilities(fac_xy)
        self._full_recompute()

    def _setup_network_group(self, g: _Group) -> None:
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
            for g in self._groups:
                node, d = self.network.snap(xy, g.standard.mode)
                g.fac_node.extend(node.tolist())
                g.fac_offset.extend((d / g.standard.speed_ms).tolist())
        return np.arange(start, start + len(xy))

    # ------------------------------------------------------------ computation
    def _full_recompute(self) -> None:
        self._snapshot = None
        self._cost = np.full(len(self.cell_xy), np.inf)
        self._nearest = np.full(len(self.cell_xy), -1, dtype=np.int64)
        for g in self._groups:
            if self.network is None:
                self._distance_full(g)
            else:
                nodes = np.where(self.active, np.asarray(g.fac_node, dtype=np.int64), -1)
                g.dist, g.src = multi_source_times(g.graph, nodes, np.asarray(g.fac_offset), g.max_limit)
                self._network_cells(g, None)
        self._snapshot = None

    def _network_cells(self, g: _Group, changed_nodes: np.ndarray | None) -> None:
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

    def _distance_full(self, g: _Group) -> None:
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
            raise ValueError(f"not a WGS-84 lon/lat: ({lon}, {lat})")
        x, y = _transform(WGS84, PROJECTED, np.array([lon]), np.array([lat]))
        return self.add_facility_xy(float(x[0]), float(y[0]))

    def add_facility_xy(self, x: float, y: float) -> int:
        """Add a facility at EPSG:32649 ``x``/``y``; returns its index."""
        xy = np.array([[float(x), float(y)]])
        if not np.isfinite(xy).all():
            raise ValueError("facility coordinates must be finite")
        self._before_change()
        j = int(self._append_facilities(xy)[0])
        for g in self._groups:
            if self.network is None:
                self._distance_add(g, j)
            else:
                self._network_add(g, j)
        self._snapshot = None
        return j

    def _network_add(self, g: _Group, j: int) -> None:
        node = g.fac_node[j]
        if node < 0:
            return
        n = g.graph.shape[0]
        if g.one_source is None:
            g.one_source = _augment(g.graph, np.array([0]), np.array([0.0]))
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

    def _distance_add(self, g: _Group, j: int) -> None:
        if len(g.cells) == 0:
            return
        if self._cell_tree is None:
            self._cell_tree = cKDTree(self.cell_xy)
        idx = np.asarray(self._cell_tree.query_ball_point(self.facility_xy[j], r=g.max_limit), dtype=np.int64)
        in_group = np.zeros(len(self.cell_xy), dtype=bool)
        in_group[g.cells] = True
        idx = idx[in_group[idx]]
        d = np.hypot(*(self.cell_xy[idx] - self.facility_xy[j]).T)
        ok = (d < self._cost[idx]) & (d <= self._limit[idx])
        self._cost[idx[ok]] = d[ok]
        self._nearest[idx[ok]] = j

    def remove_facility(self, index: int) -> None:
        """Remove facility ``index`` (indices of the others do not change)."""
        index = int(index)
        if not (0 <= index < len(self.active)):
            raise IndexError(f"no facility {index} (the model knows {len(self.active)})")
        if not self.active[index]:
            raise ValueError(f"facility {index} was already removed")
        self._before_change()
        self.active[index] = False
        for g in self._groups:
            if self.network is None:
                self._distance_remove(g, index)
            else:
                self._network_remove(g, index)
        self._snapshot = None

    def _distance_remove(self, g: _Group, j: int) -> None:
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

    def _network_remove(self, g: _Group, j: int) -> None:
        region_mask = g.src == j
        if not region_mask.any():
            return
        R = np.flatnonzero(region_mask)
        g.dist[R] = np.inf
        g.src[R] = -1
        # Seeds: every edge y -> z entering R from a node y outside R keeps y's
        # (unchanged, final) time; plus other facilities snapped inside R.
        z, y, w = _gather_rows(g.graph_in, R)
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
            Candidate sites, EPSG:32649.
        chunk : int
            Candidates per Dijkstra batch (memory: chunk × nodes floats).

        Returns
        -------
        scipy.sparse.csr_matrix
            ``(m, k)`` bool, True where the candidate reaches the cell within the cell's limit.
        """
        cand = np.asarray(candidate_xy, dtype=float).reshape(-1, 2)
        if not np.isfinite(cand).all():
            raise ValueError("candidate coordinates must be finite")
        m, k = len(self.cell_xy), len(cand)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        for g in self._groups:
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

    def _distance_matrix_group(self, g: _Group, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tree_c = cKDTree(self.cell_xy[g.cells])
        tree_k = cKDTree(cand)
        sdm = tree_k.sparse_distance_matrix(tree_c, g.max_limit, output_type="ndarray")
        ok = sdm["v"] <= g.limit[sdm["j"]]
        return g.cells[sdm["j"][ok]].astype(np.int32), sdm["i"][ok].astype(np.int32)

    def _network_matrix_group(self, g: _Group, cand: np.ndarray, chunk: int) -> tuple[np.ndarray, np.ndarray]:
        net = self.network
        node, d = net.snap(cand, g.standard.mode)
        offset = d / g.standard.speed_ms
        ok = np.flatnonzero(node >= 0)
        if len(ok) == 0:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        n = net.n_nodes
        aug = _augment(g.graph, node[ok], offset[ok])
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

    def service_area_geometries(
        self, dissolve: bool = False, buffer_m: float = 25.0, chunk: int = 16, facilities: Any = None
    ) -> tuple[list[Any], list[dict[str, Any]]]:
        """Service-area polygons in EPSG:32649 and their attributes (see :func:`service_areas`).

        ``facilities``: model indices to draw (default: every active facility).
        """
        from coverage.service_areas import build_service_areas

        return build_service_areas(
            self, dissolve=dissolve, buffer_m=buffer_m, chunk=chunk, facilities=facilities
        )

    def service_areas(
        self, dissolve: bool = False, buffer_m: float = 25.0, facilities: Any = None
    ) -> "gpd.GeoDataFrame":
        """Service areas of the current facilities as a WGS-84 GeoDataFrame (see :func:`service_areas`)."""
        from coverage.service_areas import service_areas_frame

        return service_areas_frame(self, dissolve=dissolve, buffer_m=buffer_m, facilities=facilities)


# --------------------------------------------------------------------- region API
def compute_reach(
    region: Any,
    layer_id: str,
    standards: StandardTable | Standard | None = None,
    network: "RoadNetwork | None" = None,
    *,
    method: Method = "auto",
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
    region: Any,
    layer_id: str,
    candidate_xy: np.ndarray,
    standards: StandardTable | Standard | None = None,
    network: "RoadNetwork | None" = None,
    *,
    method: Method = "auto",
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
    model = ReachModel.__new__(ReachModel)
    cell_xy = _region_cell_xy(region)
    area = _region_area_types(region, len(cell_xy))
    net = _choose_network(region, network, method)
    model.region = region
    model.layer_id = layer_id
    model._setup(cell_xy, area, np.zeros((0, 2)), standards, layer_id, net)
    return model.coverage_matrix(candidate_xy)


def service_areas(
    region: Any,
    layer_id: str,
    standards: StandardTable | Standard | None = None,
    network: "RoadNetwork | None" = None,
    dissolve: bool = False,
    *,
    buffer_m: float = 25.0,
    method: Method = "auto",
) -> "gpd.GeoDataFrame":
    """Service-area polygons of a layer, WGS-84.

    Network mode: the reached street segments (partial edges cut at the
    remaining time) buffered by ``buffer_m`` and unioned — never a convex hull,
    so rivers and unlinked islands stay out. Distance mode: circles of the
    standard's radius, clipped to the city when the region has districts.

    Parameters
    ----------
    dissolve : bool
        One row for the whole layer instead of one per facility.
    buffer_m : float
        Half-width of the street corridors (network mode).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326. Per facility: ``facility`` (row), ``facility_id``/``name``
        when the layer has them, ``layer``, ``area_type``, ``method``,
        ``standard`` (label), geometry. Dissolved: ``layer``, ``method``,
        ``n_facilities``, ``standard``, geometry.
    """
    from coverage.service_areas import service_areas_frame

    model = ReachModel(region, layer_id, standards, network, method=method)
    return service_areas_frame(model, dissolve=dissolve, buffer_m=buffer_m)
