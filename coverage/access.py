"""Capacity-aware accessibility: the two-step floating catchment family (2SFCA, E2SFCA, Gaussian 2SFCA).

Coverage says whether a cell is within a layer's standard of *a* facility; accessibility says how much
of the layer's capacity (beds, nursing beds, seats, staff) a resident there can reach once every other
resident competing for it is counted. With demand ``d_i`` (the layer's served group in cell ``i``),
supply ``S_j`` (facility ``j``'s capacity) and a weight ``w_ij`` that is zero beyond the catchment:

* step 1, per facility: ``R_j = S_j / Σ_i w_ij d_i`` (capacity per person in its catchment);
* step 2, per cell: ``A_i = Σ_j w_ij R_j`` (capacity per person within reach).

The catchment is the same one coverage uses: cell ``i`` is in facility ``j``'s catchment when the travel
cost between them (network seconds, or straight-line metres without a road network) is within the
cell's own standard limit (its area type's :class:`~coverage.standards.Standard`), so a cell has
non-zero accessibility exactly when it is covered. The weight depends on ``r = cost / limit``:

* ``"2sfca"`` (Luo & Wang 2003): ``w = 1`` for ``r ≤ 1``;
* ``"e2sfca"`` (Luo & Qi 2009): stepped weights, :data:`coverage.settings.ACCESS_E2SFCA_STEPS`
  (``r ≤ 1/3 → 1.00``, ``≤ 2/3 → 0.68``, ``≤ 1 → 0.22``);
* ``"gaussian"`` (Dai 2010): ``w = (exp(-r²/2) - exp(-1/2)) / (1 - exp(-1/2))``.

The weight is applied in both steps, as in pysal ``access`` (``two_stage_fca`` with a ``weight_fn``),
which the tests reproduce to floating-point tolerance. A facility whose catchment holds no demand
contributes nothing (``R_j = 0``). The cost matrix is sparse (only pairs within the catchment);
:func:`catchment_costs` builds it with the engine's public pieces: a KD-tree in distance mode, or one
bounded Dijkstra per facility on :meth:`coverage.network.RoadNetwork.travel_csr` in network mode,
with the same access legs as :mod:`coverage.reach` (its row minimum equals
:func:`coverage.reach.compute_reach`'s cost).

Results are numbers with the unit in the field name (e.g. ``beds_per_1000_60plus``), per cell, per town,
per district and for the city, beside the plain ratio of the capacity located in each unit to its
served group and the plan's target for that ratio where the plan has one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from coverage import settings
from coverage.choices import CAPACITY_COLUMNS, COUNT_CAPACITY, AccessMethod
from coverage.errors import CapacityError, InputError
from coverage.layers import get_layer
from coverage.metrics import facility_units
from coverage.review import load_targets, parse_target
from coverage.standards import AREA_TYPES, Standard, StandardTable, standards_by_area

if TYPE_CHECKING:  # pragma: no cover
    from coverage.network import RoadNetwork
    from coverage.region import Region

__all__ = [
    "AccessMethod",
    "CatchmentCosts",
    "AccessResult",
    "CAPACITY_COLUMNS",
    "COUNT_CAPACITY",
    "catchment_costs",
    "catchment_costs_xy",
    "catchment_weights",
    "fca_scores",
    "resolve_capacity",
    "accessibility",
    "value_column",
    "weighted_quantile",
]

_GROUP_SUFFIX = {"pop_60plus": "60plus", "pop_0_17": "0_17", "pop_total": "residents"}
#: Plan ratio indicators (``data/targets/plan_indicators.csv`` ids) measured by capacity / served group.
PLAN_RATIO_INDICATORS: dict[tuple[str, str], str] = {("beds", "pop_60plus"): "elder_beds_per_1000"}


# --------------------------------------------------------------------------- costs


@dataclass(frozen=True)
class CatchmentCosts:
    """Sparse cell × facility travel costs within each cell's standard limit.

    Attributes
    ----------
    cell, facility : (nnz,) int arrays
        Cell row (population grid order) and facility row (layer order) of each pair.
    cost : (nnz,) float array
        Travel cost of the pair (``unit``); zero is a valid cost (a facility in the cell).
    limit : (nnz,) float array
        The cell's standard limit (same unit) for that pair.
    n_cells, n_facilities : int
    mode : {"network", "distance"}
    unit : {"s", "m"}
    standards : dict of area type to Standard
        The standard of each area type present.
    """

    cell: np.ndarray
    facility: np.ndarray
    cost: np.ndarray
    limit: np.ndarray
    n_cells: int
    n_facilities: int
    mode: str
    unit: str
    standards: dict[str, Standard] = field(default_factory=dict)

    @property
    def ratio(self) -> np.ndarray:
        """``cost / limit`` of each pair (0-1)."""
        return self.cost / self.limit

    def nearest_cost(self) -> np.ndarray:
        """Per cell, the cost to its nearest facility in the catchment (``inf`` where none)."""
        out = np.full(self.n_cells, np.inf)
        np.minimum.at(out, self.cell, self.cost)
        return out



def catchment_costs_xy(
    cell_xy: np.ndarray,
    facility_xy: np.ndarray,
    standards: StandardTable | Standard | Mapping[str, Standard],
    area_type: np.ndarray | None = None,
    network: "RoadNetwork | None" = None,
    layer_id: str | None = None,
    chunk: int = 64,
) -> CatchmentCosts:
    """Cell × facility costs within each cell's limit, from EPSG:32649 arrays.

    Parameters
    ----------
    cell_xy : (m, 2) array
    facility_xy : (k, 2) array
    standards : Standard, StandardTable (with ``layer_id``) or mapping area type → Standard
    area_type : (m,) array of "urban" | "rural", optional
        Default: every cell urban.
    network : RoadNetwork, optional
        Network mode (seconds) when given, distance mode (metres) otherwise.
    chunk : int
        Facilities per Dijkstra batch (memory: chunk × nodes floats).
    """
    cell_xy = np.asarray(cell_xy, dtype=float).reshape(-1, 2)
    fac_xy = np.asarray(facility_xy, dtype=float).reshape(-1, 2)
    m, k = len(cell_xy), len(fac_xy)
    area = np.full(m, "urban", dtype=object) if area_type is None else np.asarray(area_type, dtype=object)
    if len(area) != m:
        raise InputError(f"area_type has {len(area)} values for {m} cells")
    unknown = sorted({str(a) for a in set(area.tolist())} - set(AREA_TYPES))
    if unknown:
        raise InputError(f"unknown cell area type(s) {unknown}; expected {', '.join(AREA_TYPES)}")
    present = [a for a in AREA_TYPES if (area == a).any()]
    if isinstance(standards, Mapping):
        by_area = {a: standards[a] for a in present}
    else:
        by_area = standards_by_area(standards, layer_id, present)
    mode = "distance" if network is None else "network"
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for a in present:
        std = by_area[a]
        cells = np.flatnonzero(area == a)
        if k == 0 or len(cells) == 0:
            continue
        if network is None:
            parts.append(_distance_pairs(cell_xy[cells], fac_xy, std.distance_m, cells))
        else:
            parts.append(_network_pairs(network, cell_xy, cells, fac_xy, std, max(1, int(chunk))))
    if parts:
        cell, fac, cost, limit = (np.concatenate(p) for p in zip(*parts))
    else:
        cell = fac = np.zeros(0, dtype=np.int64)
        cost = limit = np.zeros(0)
    order = np.lexsort((fac, cell))
    return CatchmentCosts(
        cell=cell[order], facility=fac[order], cost=cost[order], limit=limit[order], n_cells=m, n_facilities=k,
        mode=mode, unit="m" if network is None else "s", standards=by_area,
    )  # fmt: skip


def _distance_pairs(
    xy: np.ndarray, fac_xy: np.ndarray, radius: float, cells: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    sdm = cKDTree(fac_xy).sparse_distance_matrix(cKDTree(xy), radius, output_type="ndarray")
    ok = sdm["v"] <= radius
    n = int(ok.sum())
    return cells[sdm["j"][ok]].astype(np.int64), sdm["i"][ok].astype(np.int64), sdm["v"][ok], np.full(n, radius)


def _network_pairs(
    network: "RoadNetwork", cell_xy: np.ndarray, cells: np.ndarray, fac_xy: np.ndarray, std: Standard, chunk: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of one area type's cells, as coverage.reach computes them (trip cell → facility)."""
    if std.mode == "drive":
        graph = network.travel_csr("drive", to_node=True)  # Dijkstra from a facility = times *to* it
    else:
        graph = network.travel_csr(std.mode, std.speed_kmh)
    node_all, snap_all = network.snap_cached(cell_xy, std.mode)
    node, access = node_all[cells], snap_all[cells] / std.speed_ms
    fnode, fsnap = network.snap(fac_xy, std.mode)
    foffset = fsnap / std.speed_ms
    limit = std.seconds
    on = np.flatnonzero(node >= 0)
    ok = np.flatnonzero(fnode >= 0)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    if len(on) == 0 or len(ok) == 0:
        return empty
    # the group's snapped cells sorted by node, to expand each reached node into its cells
    n = network.n_nodes
    order = on[np.argsort(node[on], kind="stable")]
    counts = np.bincount(node[on], minlength=n)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    has_cells = counts > 0
    # keep a batch's (facility × node) distances to ~4 million values
    chunk = int(max(1, min(chunk, 4_000_000 // max(1, n))))
    out_c, out_f, out_v = [], [], []
    for b in range(0, len(ok), chunk):
        batch = ok[b : b + chunk]
        dist = dijkstra(graph, directed=True, indices=fnode[batch], limit=limit)
        fi, nd = np.nonzero(np.isfinite(dist) & has_cells[None, :])
        if len(nd) == 0:
            continue
        cnt = counts[nd]
        pos = np.repeat(start[nd], cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        local = order[pos]
        f_rep = np.repeat(fi, cnt)
        total = foffset[batch][f_rep] + dist[f_rep, node[local]] + access[local]
        hit = total <= limit
        out_c.append(cells[local[hit]].astype(np.int64))
        out_f.append(batch[f_rep[hit]].astype(np.int64))
        out_v.append(total[hit])
    if not out_c:
        return empty
    c = np.concatenate(out_c)
    return c, np.concatenate(out_f), np.concatenate(out_v), np.full(len(c), limit)


def catchment_costs(
    region: "Region",
    layer_id: str,
    standards: StandardTable | Standard | None = None,
    network: "RoadNetwork | None" = None,
    *,
    method: str = "auto",
) -> CatchmentCosts:
    """Cell × facility costs of ``layer_id`` within each cell's standard (see :func:`catchment_costs_xy`).

    Parameters
    ----------
    region : Region
    layer_id : str
    standards : StandardTable, Standard or None
        ``None``: the embedded ``data/standards.csv``.
    network : RoadNetwork, optional
        Default ``region.network``.
    method : {"auto", "network", "distance"}
        ``distance`` ignores any network; ``network`` requires one.
    """
    get_layer(layer_id)
    if method not in ("auto", "network", "distance"):
        raise InputError(f"method must be 'auto', 'network' or 'distance'; got {method!r}")
    net = None if method == "distance" else (network if network is not None else region.network)
    if method == "network" and net is None:
        raise InputError("method='network' needs a road network (region.network or network=...)")
    return catchment_costs_xy(
        region.cell_xy(), region.facility_xy(layer_id), standards, region.cell_area_type(), net, layer_id
    )


# --------------------------------------------------------------------------- scores


def catchment_weights(
    ratio: np.ndarray, method: AccessMethod | str = AccessMethod.TWO_STEP, steps: tuple | None = None
) -> np.ndarray:
    """Weight of each pair from ``r = cost / limit`` (0 beyond 1).

    Parameters
    ----------
    ratio : array
    method : AccessMethod or its value
    steps : sequence of (upper bound of r, weight), optional
        E2SFCA steps (default :data:`coverage.settings.ACCESS_E2SFCA_STEPS`); a pair is weighted by the
        first step whose bound is ≥ r.
    """
    method = AccessMethod(method)
    r = np.asarray(ratio, dtype=float)
    inside = r <= 1.0
    if method is AccessMethod.TWO_STEP:
        return inside.astype(float)
    if method is AccessMethod.ENHANCED:
        steps = tuple(sorted(settings.ACCESS_E2SFCA_STEPS if steps is None else steps))
        w = np.zeros_like(r)
        done = np.zeros(r.shape, dtype=bool)
        for bound, weight in steps:
            hit = ~done & (r <= bound)
            w[hit] = weight
            done |= hit
        return np.where(inside, w, 0.0)
    e = math.exp(-0.5)
    return np.where(inside, (np.exp(-0.5 * r * r) - e) / (1.0 - e), 0.0)


def fca_scores(
    costs: CatchmentCosts,
    supply: np.ndarray,
    demand: np.ndarray,
    method: AccessMethod | str = AccessMethod.TWO_STEP,
    steps: tuple | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The two floating-catchment steps.

    Parameters
    ----------
    costs : CatchmentCosts
    supply : (k,) array
        Capacity of each facility (NaN counts as 0).
    demand : (m,) array
        Served people per cell.
    method, steps : see :func:`catchment_weights`

    Returns
    -------
    access : (m,) array
        Capacity per person within reach of each cell (``A_i``).
    ratio : (k,) array
        Capacity per person in each facility's catchment (``R_j``; 0 where the catchment holds no demand).
    """
    supply = np.nan_to_num(np.asarray(supply, dtype=float).ravel(), nan=0.0)
    demand = np.asarray(demand, dtype=float).ravel()
    if len(supply) != costs.n_facilities or len(demand) != costs.n_cells:
        raise InputError(
            f"supply has {len(supply)} values for {costs.n_facilities} facilities and demand {len(demand)} "
            f"for {costs.n_cells} cells"
        )
    w = catchment_weights(costs.ratio, method, steps)
    reached = np.bincount(costs.facility, weights=w * demand[costs.cell], minlength=costs.n_facilities)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(reached > 0, supply / reached, 0.0)
    access = np.bincount(costs.cell, weights=w * ratio[costs.facility], minlength=costs.n_cells)
    return access, ratio


# --------------------------------------------------------------------------- region level


def resolve_capacity(facilities: pd.DataFrame | None, capacity: str | None = None, layer_id: str = "") -> str:
    """The capacity column to use: ``capacity`` if given, else the first of :data:`CAPACITY_COLUMNS` with values.

    ``capacity="facilities"`` (:data:`COUNT_CAPACITY`) counts every facility as 1.

    Raises
    ------
    CapacityError
        The named column is absent or empty, or (``capacity=None``) the layer has none of the columns.
    """
    if capacity == COUNT_CAPACITY:
        return capacity
    cols = [] if facilities is None else list(facilities.columns)

    def filled(c: str) -> bool:
        return c in cols and bool(pd.to_numeric(facilities[c], errors="coerce").notna().any())

    if capacity is not None:
        if not filled(capacity):
            raise CapacityError(
                f"layer {layer_id!r} has no values in capacity column {capacity!r}"
                + ("" if capacity in cols else " (no such column)")
            )
        return capacity
    for c in CAPACITY_COLUMNS:
        if filled(c):
            return c
    raise CapacityError(
        f"layer {layer_id!r} has no capacity column with values (looked for {', '.join(CAPACITY_COLUMNS)}); "
        f"add one to the register, or pass capacity={COUNT_CAPACITY!r} to count facilities"
    )


def value_column(capacity: str, served_column: str) -> str:
    """Name of the accessibility field, e.g. ``beds_per_1000_60plus``."""
    return f"{capacity}_per_1000_{_GROUP_SUFFIX.get(served_column, served_column)}"


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile ``q`` (0-1) of ``values`` with ``weights`` (people): the smallest value reaching share ``q``."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = weights > 0
    if not keep.any():
        return float("nan")
    order = np.argsort(values[keep], kind="stable")
    v, w = values[keep][order], weights[keep][order]
    cum = np.cumsum(w) / w.sum()
    return float(v[min(int(np.searchsorted(cum, q - 1e-12)), len(v) - 1)])


@dataclass(frozen=True, eq=False)
class AccessResult:
    """Accessibility of one layer (language-neutral; text comes from :mod:`coverage.i18n` at the edges).

    Attributes
    ----------
    layer : str
    method : AccessMethod
    capacity : str
        Capacity column used (or ``"facilities"``).
    served_column : str
        Population column of the served group.
    value_column : str
        Accessibility field, capacity per 1,000 served people within reach (e.g. ``beds_per_1000_60plus``).
    cells : DataFrame
        Per cell: ``cell_id, town_code, district_code, area_type, served, covered`` (bool) and
        ``value_column``.
    table : DataFrame
        Per town (``level="town"``), district (``"district"``) and the city (``"city"``): ``level,
        town_code, town_zh, district_code, district_zh, area_type, served, served_with_access,
        capacity_in_unit``, ``value_column`` (people-weighted mean), ``<value_column>_p10``,
        ``<value_column>_median``, ``<value_column>_p90``, ``<value_column>_in_unit`` (capacity located in
        the unit per 1,000 of its served group), ``plan_indicator``, ``plan_target``.
    standard : dict of area type to Standard
    cost_mode : {"network", "distance"}
    provenance : dict
        The inputs' provenance (``Region.provenance_for([layer])``).
    facilities_without_capacity : int
        Facilities whose capacity cell is empty (counted as 0).
    city_ratio : float
        City-wide capacity per 1,000 served people (all facilities).
    """

    layer: str
    method: AccessMethod
    capacity: str
    served_column: str
    value_column: str
    cells: pd.DataFrame
    table: pd.DataFrame
    standard: dict[str, Standard]
    cost_mode: str
    provenance: dict[str, str]
    facilities_without_capacity: int
    city_ratio: float


def _plan_target(indicator_id: str | None) -> float:
    """The latest numeric target of ``indicator_id`` in the plan's targets table (NaN when absent)."""
    if indicator_id is None:
        return float("nan")
    table = load_targets()
    rows = table[table["indicator_id"] == indicator_id]
    if rows.empty:
        return float("nan")
    row = rows.iloc[0]
    for year in (2025, 2023, 2020):
        parsed = parse_target(row[f"target_{year}"], row[f"target_{year}_value"], row["comparator"])
        if parsed is not None:
            return float(parsed[1])
    return float("nan")


def accessibility(
    region: "Region",
    layer_id: str,
    method: AccessMethod | str = AccessMethod.TWO_STEP,
    capacity: str | None = None,
    standards: StandardTable | Standard | None = None,
    network: "RoadNetwork | None" = None,
    *,
    costs: CatchmentCosts | None = None,
    steps: tuple | None = None,
) -> AccessResult:
    """Capacity-aware accessibility of ``layer_id`` per cell, town, district and city.

    Parameters
    ----------
    region : Region
    layer_id : str
    method : {"2sfca", "e2sfca", "gaussian"}
    capacity : str, optional
        Capacity column (default: the first of :data:`CAPACITY_COLUMNS` the layer fills; ``"facilities"``
        counts facilities).
    standards, network
        As in :func:`catchment_costs` (ignored when ``costs`` is given).
    costs : CatchmentCosts, optional
        Reuse a cost matrix (e.g. for several methods).
    steps : E2SFCA steps, optional

    Example
    -------
    >>> from coverage.region import load_default
    >>> res = accessibility(load_default(), "elder_care_institution", "e2sfca")  # doctest: +SKIP
    >>> res.table.loc[res.table.level == "city", res.value_column]  # doctest: +SKIP

    Raises
    ------
    CapacityError
        The layer has no capacity column with values (or the named one is empty).
    """
    layer = get_layer(layer_id)
    method = AccessMethod(method)
    gdf = region.facilities.get(layer_id)
    cap = resolve_capacity(gdf, capacity, layer_id)
    n_fac = 0 if gdf is None else len(gdf)
    if cap == COUNT_CAPACITY:
        supply = np.ones(n_fac)
    else:
        supply = pd.to_numeric(gdf[cap], errors="coerce").to_numpy(dtype=float)
    if costs is None:
        costs = catchment_costs(region, layer_id, standards, network)
    demand = region.served(layer_id)
    access, _ = fca_scores(costs, supply, demand, method, steps)
    vcol = value_column(cap, layer.served_column)
    pop = region.population
    cells = pd.DataFrame(
        {
            "cell_id": pop["cell_id"].to_numpy(),
            "town_code": pop["town_code"].astype(str).to_numpy(),
            "district_code": pop["district_code"].astype(str).to_numpy(),
            "area_type": region.cell_area_type(),
            "served": demand,
            "covered": np.isfinite(costs.nearest_cost()),
            vcol: 1000.0 * access,
        }
    )
    units = facility_units(region, layer_id)
    cap_by = pd.DataFrame(
        {"town_code": units["town_code"].to_numpy(), "district_code": units["district_code"].to_numpy(),
         "cap": np.nan_to_num(supply, nan=0.0)}
    )  # fmt: skip
    indicator = PLAN_RATIO_INDICATORS.get((cap, layer.served_column))
    target = _plan_target(indicator)
    table = _level_table(region, cells, cap_by, vcol, indicator, target)
    total_demand = float(demand.sum())
    city_ratio = 1000.0 * float(np.nansum(supply)) / total_demand if total_demand > 0 else float("nan")
    return AccessResult(
        layer=layer_id, method=method, capacity=cap, served_column=layer.served_column, value_column=vcol,
        cells=cells, table=table, standard=dict(costs.standards), cost_mode=costs.mode,
        provenance=region.provenance_for([layer_id]),
        facilities_without_capacity=int(np.isnan(supply).sum()), city_ratio=city_ratio,
    )  # fmt: skip


def _summary(sub: pd.DataFrame, vcol: str, cap: float) -> dict[str, float]:
    served = float(sub["served"].sum())
    v = sub[vcol].to_numpy(dtype=float)
    w = sub["served"].to_numpy(dtype=float)
    mean = float((v * w).sum() / served) if served > 0 else float("nan")
    return {
        "served": served,
        "served_with_access": float(w[v > 0].sum()),
        "capacity_in_unit": cap,
        vcol: mean,
        f"{vcol}_p10": weighted_quantile(v, w, 0.10),
        f"{vcol}_median": weighted_quantile(v, w, 0.50),
        f"{vcol}_p90": weighted_quantile(v, w, 0.90),
        f"{vcol}_in_unit": 1000.0 * cap / served if served > 0 else float("nan"),
    }


def _level_table(
    region: "Region", cells: pd.DataFrame, cap_by: pd.DataFrame, vcol: str, indicator: str | None, target: float
) -> pd.DataFrame:
    rows = []
    towns = region.towns
    by_town = dict(tuple(cells.groupby("town_code")))
    cap_town = cap_by.groupby("town_code")["cap"].sum()
    empty = cells.iloc[0:0]
    for t in towns.itertuples(index=False):
        code = str(t.town_code)
        rows.append({
            "level": "town", "town_code": code, "town_zh": t.town_zh, "district_code": str(t.district_code),
            "district_zh": t.district_zh, "area_type": t.area_type,
            **_summary(by_town.get(code, empty), vcol, float(cap_town.get(code, 0.0))),
        })  # fmt: skip
    by_district = dict(tuple(cells.groupby("district_code")))
    cap_district = cap_by.groupby("district_code")["cap"].sum()
    for d in region.districts.itertuples(index=False):
        code = str(d.district_code)
        rows.append({
            "level": "district", "town_code": pd.NA, "town_zh": pd.NA, "district_code": code,
            "district_zh": d.district_zh, "area_type": pd.NA,
            **_summary(by_district.get(code, empty), vcol, float(cap_district.get(code, 0.0))),
        })  # fmt: skip
    rows.append({
        "level": "city", "town_code": pd.NA, "town_zh": pd.NA, "district_code": pd.NA, "district_zh": pd.NA,
        "area_type": pd.NA, **_summary(cells, vcol, float(cap_by["cap"].sum())),
    })  # fmt: skip
    out = pd.DataFrame(rows)
    out["plan_indicator"] = indicator if indicator is not None else pd.NA
    out["plan_target"] = target
    return out
