"""Maximal covering and set cover with site capacities, solved exactly (HiGHS MILP).

Each new site ``j`` serves at most ``capacity_j`` people of the served group, and
a cell's demand may be split between sites that cover it (the planner assigns
people, not cells). On the reduced instance (:func:`~coverage.siting.demand.reduce_demand`:
rows with the same candidate set merged — exact here too, since assignment is
fractional) the model has binary ``x_j``, assignment ``a_ij in [0, 1]`` (share of
row ``i`` served by ``j``) on the covering pairs and

* ``sum_j a_ij <= 1`` (a row is served at most once),
* ``sum_i w_i a_ij <= capacity_j * x_j`` (capacity, only at open sites),
* ``a_ij <= x_j`` (tightens the relaxation),

maximising ``sum w_i a_ij`` with ``sum x_j <= k`` (:func:`ilp_max_cover_capacitated`)
or minimising ``sum x_j`` with ``sum w_i a_ij >= required``
(:func:`ilp_set_cover_capacitated`). Candidate dominance is *not* used (with
capacities two overlapping sites may both be needed).

Results are :class:`~coverage.siting.solvers.Solution` objects whose
``extra["assignment"]`` is the cells × chosen-sites CSC matrix (sites in ranking
order, like :func:`~coverage.siting.solvers.assign`) of the share of each cell's
demand each site serves, so tables and exports report exactly the
assignment the solver found. When HiGHS finds nothing in time, the capacitated
greedy's answer is returned with HiGHS's bound.
"""

from __future__ import annotations

import math
import time
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from coverage.errors import InputError, SitingError, UnreachableTargetError
from coverage.settings import SITING_MIP_REL_GAP, SITING_TIME_LIMIT_S
from coverage.siting.demand import ReducedDemand, reduce_demand
from coverage.siting.solvers import (
    Solution,
    assign,
    check_k,
    check_time_limit,
    dual_bound,
    greedy_max_cover,
    greedy_set_cover,
)

__all__ = ["ilp_max_cover_capacitated", "ilp_set_cover_capacitated"]


def _capacities(capacity: "float | np.ndarray", n_cand: int) -> np.ndarray:
    cap = np.broadcast_to(np.asarray(capacity, dtype=np.float64), (n_cand,)).copy()
    if not np.all(np.isfinite(cap)) or np.any(cap <= 0):
        raise InputError(f"capacity must be a positive number of people per site; got {capacity!r}")
    return cap


def _model(red: ReducedDemand, cap: np.ndarray, kind: str, k: int | None, required: float | None):
    coo = red.matrix.tocoo()
    r, c = coo.row.astype(np.int64), coo.col.astype(np.int64)
    n, m, p = red.matrix.shape[0], red.matrix.shape[1], coo.nnz
    nvar = m + p
    wa = red.weights[r]
    rows_once = sp.csr_matrix((np.ones(p), (r, m + np.arange(p))), shape=(n, nvar))
    capacity = sp.csr_matrix(
        (np.concatenate([wa, -cap]),
         (np.concatenate([c, np.arange(m)]), np.concatenate([m + np.arange(p), np.arange(m)]))),
        shape=(m, nvar),
    )
    link = sp.csr_matrix(
        (np.concatenate([np.ones(p), -np.ones(p)]),
         (np.concatenate([np.arange(p), np.arange(p)]), np.concatenate([m + np.arange(p), c]))),
        shape=(p, nvar),
    )  # fmt: skip
    cons = [LinearConstraint(rows_once, -np.inf, 1.0), LinearConstraint(capacity, -np.inf, 0.0),
            LinearConstraint(link, -np.inf, 0.0)]  # fmt: skip
    if kind == "max":
        obj = np.concatenate([np.zeros(m), -wa])
        count = sp.csr_matrix((np.ones(m), (np.zeros(m, dtype=np.int64), np.arange(m))), shape=(1, nvar))
        cons.append(LinearConstraint(count, 0.0, float(k)))
    else:
        obj = np.concatenate([np.ones(m), np.zeros(p)])
        served = sp.csr_matrix((wa, (np.zeros(p, dtype=np.int64), m + np.arange(p))), shape=(1, nvar))
        cons.append(LinearConstraint(served, required - 1e-9 * max(1.0, required), np.inf))
    integrality = np.concatenate([np.ones(m), np.zeros(p)])
    return obj, cons, integrality, Bounds(np.zeros(nvar), np.ones(nvar)), (r, c)


def _expand(red: ReducedDemand, pairs: tuple[np.ndarray, np.ndarray], share: np.ndarray) -> sp.csc_matrix:
    """Per original cell × candidate share of demand served, from the reduced rows' shares."""
    r, c = pairs
    keep = share > 1e-12
    r, c, share = r[keep], c[keep], share[keep]
    order = np.argsort(r, kind="stable")
    r, c, share = r[order], c[order], share[order]
    n_red = red.matrix.shape[0]
    start = np.searchsorted(r, np.arange(n_red))
    count = np.bincount(r, minlength=n_red)
    cells_per_entry = count[red.group]
    cell_rows = np.repeat(red.rows, cells_per_entry)
    idx = np.repeat(start[red.group], cells_per_entry) + (
        np.arange(cells_per_entry.sum()) - np.repeat(np.cumsum(cells_per_entry) - cells_per_entry, cells_per_entry)
    )
    return sp.csc_matrix((np.minimum(share[idx], 1.0), (cell_rows, c[idx])), shape=(red.n_original, red.n_candidates))


def _from_assignment(frac: sp.csc_matrix, weights: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    served = np.asarray(frac.T @ weights).ravel()
    order = chosen[np.lexsort((chosen, -served[chosen]))]
    return order.astype(np.int64), served[order]


def _gap(objective: float, bound: float, maximise: bool, n_sites: int) -> float:
    if math.isnan(bound):
        return math.nan
    if maximise:
        return 0.0 if bound <= 0 else max(0.0, (bound - objective) / bound)
    return 0.0 if n_sites == 0 else max(0.0, (n_sites - bound) / n_sites)


def _result(frac, w, chosen, bound, solver, status, t0, maximise, message, tolerance) -> Solution:
    sites, gains = _from_assignment(frac, w, np.asarray(chosen, dtype=np.int64))
    objective = float(gains.sum())
    if status == "optimal":  # HiGHS's bound kept; it cannot be looser than the answer itself
        best = objective if maximise else float(sites.size)
        bound = best if math.isnan(bound) else (max(bound, best) if maximise else min(bound, best))
    sol = Solution(sites, gains, objective, bound, _gap(objective, bound, maximise, sites.size), solver, status,
                   time.perf_counter() - t0)  # fmt: skip
    sol.extra["assignment"] = frac[:, sites].tocsc()  # cells × chosen sites, in ranking order
    sol.extra["highs_message"] = message
    return sol.settle_status(tolerance)


def _greedy_result(greedy: Solution, matrix, w, covered, cap: np.ndarray, bound: float, status: str, t0: float,
                   maximise: bool, message: str, tolerance: float) -> Solution:
    by_site = assign(matrix, greedy.sites, covered, w, float(cap[0])).tocoo()  # cells × greedy sites
    frac = sp.csc_matrix((by_site.data, (by_site.row, greedy.sites[by_site.col])),
                         shape=(by_site.shape[0], cap.size))  # fmt: skip
    if not math.isnan(greedy.bound):  # the greedy's own proven bound may be the tighter one
        bound = greedy.bound if math.isnan(bound) else (min(bound, greedy.bound) if maximise
                                                         else max(bound, greedy.bound))  # fmt: skip
    return _result(frac, np.where(covered, 0.0, w), greedy.sites, bound, "ilp+greedy", status, t0, maximise,
                   message, tolerance)  # fmt: skip


def _solve(
    kind: Literal["max", "min"],
    matrix: sp.spmatrix,
    weights: np.ndarray,
    amount: float,
    capacity: "float | np.ndarray",
    covered: np.ndarray | None,
    time_limit: float,
    mip_rel_gap: float,
) -> Solution:
    """Both capacitated problems: ``kind="max"`` with ``amount`` = k sites, ``"min"`` with
    ``amount`` = the demand to serve newly."""
    t0 = time.perf_counter()
    check_time_limit(time_limit, mip_rel_gap)
    maximise = kind == "max"
    red = reduce_demand(matrix, weights, covered)
    cap = _capacities(capacity, red.n_candidates)
    w_left = np.zeros(red.n_original)
    w_left[red.rows] = np.asarray(weights, dtype=np.float64).ravel()[red.rows]
    cov = np.zeros(red.n_original, dtype=bool) if covered is None else np.asarray(covered, dtype=bool)
    if (red.matrix.shape[0] == 0) if maximise else (amount <= 0):
        empty = sp.csc_matrix((red.n_original, red.n_candidates))
        return _result(empty, w_left, np.zeros(0, dtype=np.int64), 0.0, "ilp", "optimal", t0, maximise, "",
                       mip_rel_gap)  # fmt: skip
    obj, cons, integ, bounds, pairs = _model(red, cap, kind, int(amount) if maximise else None,
                                             None if maximise else amount)  # fmt: skip
    res = milp(obj, integrality=integ, bounds=bounds, constraints=cons,
               options={"time_limit": float(time_limit), "disp": False, "mip_rel_gap": float(mip_rel_gap)})  # fmt: skip
    if not maximise and res.status == 2:
        raise UnreachableTargetError(
            f"target unreachable with capacity {capacity}: the candidates cannot newly serve {amount:,.0f} people"
        )
    bound = dual_bound(res, "max" if maximise else "count")
    status = "optimal" if res.status == 0 else "time_limit"
    if status != "optimal" and np.ptp(cap) == 0:  # the greedy's model is this one for a uniform capacity
        if maximise:
            greedy = greedy_max_cover(matrix, weights, int(amount), covered, capacity=float(cap[0]))
            better = res.x is None or -float(res.fun) < greedy.objective - 1e-9 * max(1.0, greedy.objective)
        else:
            greedy = greedy_set_cover(matrix, weights, amount, covered, capacity=float(cap[0]))
            better = res.x is None or int(np.sum(res.x[: red.n_candidates] > 0.5)) > greedy.n_sites
        if better:
            return _greedy_result(greedy, matrix, weights, cov, cap, bound, status, t0, maximise, str(res.message),
                                  mip_rel_gap)  # fmt: skip
    if res.x is None:
        raise SitingError(f"the capacitated solver found no solution in {time_limit:g} s: {res.message}")
    m = red.n_candidates
    chosen = np.flatnonzero(res.x[:m] > 0.5)
    frac = _expand(red, pairs, res.x[m:])
    return _result(frac, w_left, chosen, bound, "ilp", status, t0, maximise, str(res.message), mip_rel_gap)


def ilp_max_cover_capacitated(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    k: int,
    capacity: "float | np.ndarray",
    covered: np.ndarray | None = None,
    *,
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """``k`` new sites, each serving at most its capacity, maximising the demand newly served.

    Parameters
    ----------
    matrix, weights, covered
        As in :func:`~coverage.siting.solvers.greedy_max_cover`.
    k : int
        New sites.
    capacity : float or (candidates,) array
        People each site can serve.

    Returns
    -------
    Solution
        Sites by served demand (largest first); ``gains`` the demand each serves;
        ``bound`` HiGHS's proven upper bound; ``extra["assignment"]`` the shares.
    """
    return _solve("max", matrix, weights, check_k(k), capacity, covered, time_limit, mip_rel_gap)


def ilp_set_cover_capacitated(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    required: float,
    capacity: "float | np.ndarray",
    covered: np.ndarray | None = None,
    *,
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """Fewest new sites, each serving at most its capacity, newly serving ``required`` demand.

    Raises
    ------
    UnreachableTargetError
        If even every candidate at full capacity cannot serve ``required``.
    """
    return _solve("min", matrix, weights, float(required), capacity, covered, time_limit, mip_rel_gap)
