"""Travel costs for p-median siting, from the same engine the coverage uses.

A p-median instance needs, for every cell, its travel cost to the nearest
existing facility (the *base*) and to each candidate that would be nearer. Both
come from :class:`coverage.reach.ReachModel` under the layer's own standards
scaled by :data:`coverage.settings.SITING_PMEDIAN_COST_CAP_FACTOR` (the *cap*):
network time in network mode (seconds), straight-line distance in distance mode
(metres) — the cost the coverage itself compares against the standard. A cell
no facility reaches within the cap counts at the cap (travel beyond it is not
modelled), so the objective is ``sum_i w_i * min(cap_i, cost_i)``.

On a road network, candidate costs are read with the engine's own what-if step
(add the candidate, read the cells whose cost fell, remove it), so they follow
exactly the engine's rules (snapping, access legs, one-way streets). In distance
mode the engine's rule is the straight-line distance to the cell centre, so all
pairs come from one KD-tree query (``method="engine"`` forces the what-if path;
a test checks both give the same matrix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from coverage.reach import ReachModel
from coverage.settings import SITING_PMEDIAN_COST_CAP_FACTOR
from coverage.standards import StandardTable

__all__ = ["TravelCosts", "capped_standards", "travel_costs"]


@dataclass(frozen=True)
class TravelCosts:
    """Capped travel costs of one layer's cells.

    Attributes
    ----------
    base : (m,) array
        Cost to the nearest existing facility, at most ``cap``.
    cap : (m,) array
        Each cell's cap (its standard × the cap factor).
    matrix : scipy.sparse.csr_matrix
        Cells × candidates; stored entries are the pairs where the candidate is nearer
        than ``base`` (explicit zeros kept: a candidate on the cell).
    unit : {"s", "m"}
        Seconds (network mode) or metres (distance mode).
    mode : {"network", "distance"}
    cap_factor : float
    """

    base: np.ndarray
    cap: np.ndarray
    matrix: sp.csr_matrix
    unit: str
    mode: str
    cap_factor: float


def capped_standards(model: ReachModel, layer_id: str, factor: float) -> StandardTable:
    """The layer's standards (per area type, as ``model`` resolved them) scaled by ``factor``."""
    scaled = {
        (layer_id, area): std.replace(minutes=std.minutes * factor, distance_m=std.distance_m * factor)
        for area, std in model.standards_by_area.items()
    }
    return StandardTable(scaled, source=f"siting cap x{factor:g}")


def travel_costs(
    region,
    layer_id: str,
    model: ReachModel,
    candidate_xy: np.ndarray,
    *,
    network=None,
    method: str = "auto",
    factor: float = SITING_PMEDIAN_COST_CAP_FACTOR,
    progress: Callable[[int], None] | None = None,
    pairs: Literal["auto", "engine"] = "auto",
) -> TravelCosts:
    """Capped travel costs from every cell to the existing facilities and to each candidate.

    Parameters
    ----------
    region : Region
    layer_id : str
    model : ReachModel
        The layer's reach under its real standards (gives the standards and limits).
    candidate_xy : (k, 2) array
        Candidate sites, EPSG:32649.
    network, method
        As given to the model.
    factor : float
        Cap = standard × factor.
    progress : callable, optional
        Called with 1 after each candidate (what-if path).
    pairs : {"auto", "engine"}
        ``auto``: one KD-tree query in distance mode, the engine's what-if steps on a
        network; ``engine``: the what-if steps in both modes.
    """
    capped = ReachModel(region, layer_id, capped_standards(model, layer_id, factor), network, method=method)
    reach = capped.reach
    cap = np.asarray(reach.limit, dtype=np.float64)
    base = np.minimum(np.asarray(reach.cost, dtype=np.float64), cap)
    cand = np.asarray(candidate_xy, dtype=float).reshape(-1, 2)
    m, k = len(base), len(cand)
    if reach.mode == "distance" and pairs == "auto":
        if k == 0 or m == 0:
            return TravelCosts(base, cap, sp.csr_matrix((m, k)), reach.unit, reach.mode, float(factor))
        sdm = cKDTree(cand).sparse_distance_matrix(cKDTree(capped.cell_xy), float(cap.max()), output_type="ndarray")
        cell, col, dist = sdm["j"].astype(np.int64), sdm["i"].astype(np.int64), sdm["v"].astype(np.float64)
        keep = (dist <= cap[cell]) & (dist < base[cell])
        matrix = sp.csr_matrix((dist[keep], (cell[keep], col[keep])), shape=(m, k))
        return TravelCosts(base, cap, matrix, reach.unit, reach.mode, float(factor))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for j, (x, y) in enumerate(cand):
        idx = capped.add_facility_xy(float(x), float(y))
        cost = capped.reach.cost
        better = np.flatnonzero(cost < base)
        rows.append(better)
        cols.append(np.full(better.size, j, dtype=np.int64))
        vals.append(np.asarray(cost[better], dtype=np.float64))
        capped.remove_facility(idx)
        if progress is not None:
            progress(1)
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    v = np.concatenate(vals) if vals else np.zeros(0)
    matrix = sp.csr_matrix((v, (r, c)), shape=(m, k))
    return TravelCosts(base, cap, matrix, reach.unit, reach.mode, float(factor))
