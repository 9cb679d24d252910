"""p-median: ``k`` new sites minimising the served group's total (or mean) travel cost.

The instance is a sparse cost matrix ``C`` (demand rows × candidate sites) whose
*stored* entries are the pairs that could serve a row (explicit zeros count: a
candidate on the cell itself), the demand weights ``w`` and each row's ``base``
cost: its travel to the nearest existing (fixed) facility, ``inf`` when only a
new site can serve it. A row's cost under a set ``S`` of new sites is
``min(base_i, min_{j in S} C_ij)`` and the objective is ``sum_i w_i * cost_i``.
Existing facilities are never moved: they are the ``base``.

* :func:`ilp_pmedian` — the exact integer programme (HiGHS via
  :func:`scipy.optimize.milp`): binary ``x_j``, assignment ``a_ij in [0, 1]`` on
  the stored pairs with ``a_ij <= x_j``, ``u_i`` for "stays with its existing
  facility", ``sum_j a_ij + u_i = 1``, ``sum x_j <= k``; under a time limit, with
  HiGHS's proven lower bound;
* :func:`heuristic_pmedian` — greedy (largest reduction of total cost first) then
  vertex substitution (Teitz & Bart 1968: swap a chosen site for an unchosen one
  while that lowers the total; method code ``"substitution"``), stopping at the time
  limit, with the LP relaxation's lower bound when it fits
  :data:`coverage.settings.SITING_PMEDIAN_LP_MAX_PAIRS` (else the bound of opening
  every candidate);
* :func:`lagrangian_bound` — a cheap lower bound (Lagrangian relaxation of the assignment
  constraints, subgradient steps); on the Jiangmen elder-care instance it closes the gap;
* :func:`solve_pmedian` — the heuristic and its Lagrangian bound first; the ILP when that
  leaves a gap and the pairs are at most :data:`coverage.settings.SITING_PMEDIAN_ILP_MAX_PAIRS`,
  both within one time limit.

Every result is a :class:`~coverage.siting.solvers.Solution` whose ``objective``
is the total weighted cost *with* the new sites, ``bound`` a proven lower bound
on it and ``gap = (objective - bound) / objective``; ``gains`` are the cost
reduction of each site given the sites ranked before it (NaN while some row that
only a new site can serve is still unserved: a reduction from infinity), and
``extra["base_total"]`` the total cost with no new site.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from coverage.errors import InputError, SitingError
from coverage.settings import (
    SITING_MIP_REL_GAP,
    SITING_PMEDIAN_ILP_MAX_PAIRS,
    SITING_PMEDIAN_LAGRANGE_ITERATIONS,
    SITING_PMEDIAN_LP_MAX_PAIRS,
    SITING_PMEDIAN_SWAP_PASSES,
    SITING_TIME_LIMIT_S,
)
from coverage.siting.solvers import Solution, check_k, check_time_limit, dual_bound

__all__ = [
    "PMedianInstance",
    "heuristic_pmedian",
    "ilp_pmedian",
    "lagrangian_bound",
    "pmedian_instance",
    "solve_pmedian",
]


@dataclass(frozen=True)
class PMedianInstance:
    """A validated p-median instance (rows with weight 0 or no candidate pair dropped).

    Attributes
    ----------
    cost : scipy.sparse.csr_matrix
        Rows × candidates; stored entries are the candidate pairs (zeros kept).
    weights : numpy.ndarray
        Demand per row (> 0).
    base : numpy.ndarray
        Cost of each row with no new site (``inf``: only a new site can serve it).
    fixed_total : float
        Weighted cost of the dropped rows (no candidate improves them).
    n_candidates : int
    """

    cost: sp.csr_matrix
    weights: np.ndarray
    base: np.ndarray
    fixed_total: float
    n_candidates: int

    @property
    def n_pairs(self) -> int:
        """Number of assignment pairs (stored entries)."""
        return int(self.cost.nnz)

    def base_total(self) -> float:
        """Total weighted cost with no new site (``inf`` if a row needs one)."""
        with np.errstate(invalid="ignore"):
            return float(self.fixed_total + np.sum(self.weights * self.base))

    def total(self, sites: np.ndarray) -> float:
        """Total weighted cost with the new ``sites`` open (existing facilities included)."""
        return self.fixed_total + float(np.sum(self.weights * self.row_costs(sites)))

    def row_costs(self, sites: np.ndarray) -> np.ndarray:
        """Each row's cost with ``sites`` open."""
        d = self.base.copy()
        if len(sites):
            sub = self.cost[:, np.asarray(sites, dtype=np.int64)].tocoo()
            np.minimum.at(d, sub.row, sub.data)
        return d


def pmedian_instance(
    cost: "np.ndarray | sp.spmatrix",
    weights: np.ndarray,
    base: np.ndarray | None = None,
) -> PMedianInstance:
    """Validate a p-median instance.

    Parameters
    ----------
    cost : (n, m) array or scipy sparse matrix
        Travel cost from each demand row to each candidate. A dense array's
        non-finite entries mean "cannot serve"; a sparse matrix's stored entries are
        the pairs (explicit zeros kept). Pairs not cheaper than the row's ``base``
        are dropped (they can never be used).
    weights : (n,) array
        Demand per row, ``>= 0``.
    base : (n,) array, optional
        Cost with no new site (travel to the nearest existing facility); default
        ``inf`` everywhere (no existing facility).

    Raises
    ------
    InputError
        On shape mismatch, negative or non-finite weights, negative costs, or a
        weighted row that neither an existing facility nor any candidate can serve.
    """
    if sp.issparse(cost):
        coo = sp.coo_matrix(cost)
        n, m = coo.shape
        r, c, v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)
    else:
        arr = np.asarray(cost, dtype=np.float64)
        if arr.ndim != 2:
            raise InputError(f"cost matrix must be 2-D; got shape {arr.shape}")
        n, m = arr.shape
        r, c = np.nonzero(np.isfinite(arr))
        v = arr[r, c]
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape[0] != n:
        raise InputError(f"weights has {w.shape[0]} values but the cost matrix has {n} rows")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InputError("demand weights must be finite and >= 0")
    b = np.full(n, np.inf) if base is None else np.asarray(base, dtype=np.float64).ravel()
    if b.shape[0] != n:
        raise InputError(f"base has {b.shape[0]} values but the cost matrix has {n} rows")
    if np.any(b < 0) or np.any(np.isnan(b)) or (v.size and (np.any(v < 0) or not np.all(np.isfinite(v)))):
        raise InputError("travel costs must be >= 0 (and finite for the candidate pairs)")
    keep = (v < b[r]) & (w[r] > 0)
    r, c, v = r[keep], c[keep], v[keep]
    has_pair = np.bincount(r, minlength=n) > 0
    stuck = np.flatnonzero((w > 0) & ~has_pair & ~np.isfinite(b))
    if stuck.size:
        raise InputError(f"demand row {int(stuck[0])} can be served by no existing facility and no candidate")
    rows = np.flatnonzero((w > 0) & has_pair)
    fixed = float(np.sum(w[(w > 0) & ~has_pair] * b[(w > 0) & ~has_pair]))
    new_row = np.full(n, -1, dtype=np.int64)
    new_row[rows] = np.arange(rows.size)
    mat = sp.csr_matrix((v, (new_row[r], c)), shape=(rows.size, m))
    mat.sum_duplicates()  # (duplicates only if the caller gave some; keeps explicit zeros otherwise)
    return PMedianInstance(mat, w[rows], b[rows], fixed, int(m))


class _State:
    """Flat arrays of an instance for vectorised gains: entry row, column, cost."""

    def __init__(self, inst: PMedianInstance) -> None:
        coo = inst.cost.tocoo()
        self.r, self.c, self.v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
        self.w = inst.weights
        finite = inst.base[np.isfinite(inst.base)]
        top = max(float(self.v.max()) if self.v.size else 0.0, float(finite.max()) if finite.size else 0.0)
        # a row that only a new site can serve weighs as if it were far beyond every real cost
        self.big = 10.0 * (top + 1.0) * max(1.0, float(self.w.sum()))
        self.base = np.where(np.isfinite(inst.base), inst.base, self.big)
        self.m = inst.n_candidates

    def costs(self, open_mask: np.ndarray) -> np.ndarray:
        d = self.base.copy()
        sel = open_mask[self.c]
        np.minimum.at(d, self.r[sel], self.v[sel])
        return d

    def savings(self, d: np.ndarray) -> np.ndarray:
        """Reduction of total cost from opening each candidate given row costs ``d``."""
        save = self.w[self.r] * np.maximum(0.0, d[self.r] - self.v)
        return np.bincount(self.c, weights=save, minlength=self.m)


def _greedy(state: _State, k: int, allowed: np.ndarray | None = None) -> list[int]:
    open_mask = np.zeros(state.m, dtype=bool)
    d = state.base.copy()
    sites: list[int] = []
    for _ in range(k):
        s = state.savings(d)
        s[open_mask] = -1.0
        if allowed is not None:
            s[~allowed] = -1.0
        j = int(np.argmax(s))
        if s[j] <= 0:
            break
        sites.append(j)
        open_mask[j] = True
        col = state.c == j
        np.minimum.at(d, state.r[col], state.v[col])
    return sites


def _substitute(state: _State, sites: list[int], passes: int, deadline: float = math.inf) -> tuple[list[int], bool]:
    """Teitz-Bart vertex substitution: for each chosen site, the best swap that lowers the total.

    Returns the sites and whether the search finished (False: stopped at ``deadline``, a
    :func:`time.perf_counter` value, before a pass without improvement or ``passes`` passes).
    """
    out = list(sites)
    tol = 1e-12 * max(1.0, float(np.sum(state.w * state.base)))
    for _ in range(passes):
        improved = False
        for pos in range(len(out)):
            if time.perf_counter() >= deadline:
                return out, False
            open_mask = np.zeros(state.m, dtype=bool)
            open_mask[out] = True
            now = float(np.sum(state.w * state.costs(open_mask)))
            open_mask[out[pos]] = False
            d_wo = state.costs(open_mask)
            without = float(np.sum(state.w * d_wo))
            s = state.savings(d_wo)
            s[open_mask] = -np.inf
            s[out[pos]] = -np.inf
            j = int(np.argmax(s))
            if without - s[j] < now - tol:
                out[pos] = j
                improved = True
        if not improved:
            break
    return out, True


def _rank(state: _State, sites: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Order ``sites`` by marginal cost reduction (site 1 saves most, then given site 1, …)."""
    allowed = np.zeros(state.m, dtype=bool)
    allowed[sites] = True
    d = state.base.copy()
    order: list[int] = []
    gains: list[float] = []
    left = set(int(j) for j in sites)
    while left:
        s = state.savings(d)
        cand = np.array(sorted(left))
        j = int(cand[int(np.argmax(s[cand]))])
        # a reduction from an infinite total (a row only a new site can serve still unserved) is undefined
        unserved = bool(np.any(d >= state.big))
        order.append(j)
        gains.append(math.nan if unserved else float(s[j]))
        left.discard(j)
        col = state.c == j
        np.minimum.at(d, state.r[col], state.v[col])
    return np.asarray(order, dtype=np.int64), np.asarray(gains)


def _model(inst: PMedianInstance, k: int, integral: bool):
    """The p-median MILP (or its LP relaxation): variables [x (m) | a (pairs) | u (rows with a base)]."""
    coo = inst.cost.tocoo()
    r, c, v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    n, m, p = inst.cost.shape[0], inst.n_candidates, coo.nnz
    has_base = np.isfinite(inst.base)
    u_rows = np.flatnonzero(has_base)
    nu = u_rows.size
    nvar = m + p + nu
    obj = np.concatenate([np.zeros(m), inst.weights[r] * v, inst.weights[u_rows] * inst.base[u_rows]])
    # sum_j a_ij + u_i = 1
    assign = sp.csr_matrix(
        (np.ones(p + nu), (np.concatenate([r, u_rows]), np.concatenate([m + np.arange(p), m + p + np.arange(nu)]))),
        shape=(n, nvar),
    )
    # a_ij - x_j <= 0
    link = sp.csr_matrix(
        (np.concatenate([np.ones(p), -np.ones(p)]),
         (np.concatenate([np.arange(p), np.arange(p)]), np.concatenate([m + np.arange(p), c]))),
        shape=(p, nvar),
    )  # fmt: skip
    count = sp.csr_matrix((np.ones(m), (np.zeros(m, dtype=np.int64), np.arange(m))), shape=(1, nvar))
    constraints = [
        LinearConstraint(assign, 1.0, 1.0),
        LinearConstraint(link, -np.inf, 0.0),
        LinearConstraint(count, 0.0, float(k)),
    ]
    integrality = np.concatenate([np.ones(m) if integral else np.zeros(m), np.zeros(p + nu)])
    return obj, constraints, integrality, Bounds(np.zeros(nvar), np.ones(nvar))


def _solve_model(inst: PMedianInstance, k: int, integral: bool, time_limit: float, mip_rel_gap: float):
    obj, cons, integ, bounds = _model(inst, k, integral)
    options = {"time_limit": float(time_limit), "disp": False}
    if integral:
        options["mip_rel_gap"] = float(mip_rel_gap)
    return milp(obj, integrality=integ, bounds=bounds, constraints=cons, options=options)


def _solution(inst: PMedianInstance, state: _State, sites: list[int], bound: float, solver: str,
              status: str, t0: float, tolerance: float = SITING_MIP_REL_GAP) -> Solution:
    order, gains = _rank(state, sites) if sites else (np.zeros(0, dtype=np.int64), np.zeros(0))
    total = inst.total(order)
    if not math.isfinite(total):
        status = "infeasible"  # k sites cannot serve every row that only a new site can serve
    bound = max(0.0, bound) if math.isfinite(bound) else math.nan
    if math.isfinite(bound) and math.isfinite(total):
        bound = min(bound, total)
        gap = 0.0 if total <= 0 else max(0.0, (total - bound) / total)
    else:
        gap = math.nan
    sol = Solution(order, gains, total, bound, gap, solver, status, time.perf_counter() - t0)
    sol.extra["base_total"] = inst.base_total()
    sol.extra["n_pairs"] = inst.n_pairs
    return sol.settle_status(tolerance)


def lagrangian_bound(inst: PMedianInstance, k: int, upper: float, sites: np.ndarray | None = None,
                     iterations: int = SITING_PMEDIAN_LAGRANGE_ITERATIONS, deadline: float = math.inf) -> float:
    """A proven lower bound on the total cost with ``k`` new sites (Lagrangian relaxation).

    The assignment constraints ``sum_j a_ij + u_i = 1`` are relaxed with multipliers
    ``lambda_i``; for any ``lambda`` the relaxed problem separates (each candidate's
    reduced cost ``rho_j = sum_i min(0, w_i c_ij - lambda_i)``, the ``k`` most negative
    opened) and its value bounds the optimum from below. The multipliers follow the
    subgradient method with Polyak steps towards ``upper`` (a known total, e.g. the
    heuristic's), starting from each row's cost under ``sites``, for ``iterations`` steps
    or until ``deadline`` (a :func:`time.perf_counter` value). Returns the best bound found
    (total including :attr:`PMedianInstance.fixed_total`).
    """
    coo = inst.cost.tocoo()
    r, c = coo.row.astype(np.int64), coo.col.astype(np.int64)
    n, m = inst.cost.shape[0], inst.n_candidates
    wc = inst.weights[r] * coo.data
    has_base = np.isfinite(inst.base)
    wb = np.where(has_base, inst.weights * np.where(has_base, inst.base, 0.0), np.inf)
    start = inst.row_costs(np.asarray(sites if sites is not None else [], dtype=np.int64))
    lam = inst.weights * np.where(np.isfinite(start), start, np.where(has_base, inst.base, 0.0))
    ub = float(upper) - inst.fixed_total
    best = -np.inf
    theta, stall = 2.0, 0
    kk = min(int(k), m)
    for _ in range(int(iterations)):
        if np.isfinite(best) and time.perf_counter() >= deadline:
            break
        red = wc - lam[r]
        neg = red < 0
        np.minimum(red, 0.0, out=red)
        rho = np.bincount(c, weights=red, minlength=m)
        open_idx = np.argpartition(rho, kk - 1)[:kk] if kk < m else np.arange(m)
        value = float(lam.sum() + np.minimum(0.0, wb - lam).sum() + np.minimum(0.0, rho[open_idx]).sum())
        if not np.isfinite(best) or value > best + 1e-12 * max(1.0, abs(best)):
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 10:
                theta, stall = theta / 2.0, 0
        if ub - best <= 0.5 * SITING_MIP_REL_GAP * max(1.0, abs(ub)) or theta < 1e-6:
            break
        is_open = np.zeros(m, dtype=bool)
        is_open[open_idx[rho[open_idx] < 0]] = True
        assigned = is_open[c] & neg
        g = 1.0 - np.bincount(r[assigned], minlength=n) - (wb < lam)
        norm = float(g @ g)
        if norm == 0:
            break  # the relaxed solution is feasible: the bound is the optimum
        lam = lam + theta * max(ub - value, 0.0) / norm * g
    return inst.fixed_total + best if np.isfinite(best) else math.nan


def heuristic_pmedian(
    inst: PMedianInstance,
    k: int,
    *,
    passes: int = SITING_PMEDIAN_SWAP_PASSES,
    lp_bound: bool = True,
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """Greedy + vertex substitution (Teitz-Bart), with a proven lower bound, within ``time_limit``.

    The greedy's ``k`` sites are always found; the substitution passes, the Lagrangian
    bound and the LP relaxation stop at ``time_limit`` seconds from the start. The bound
    is the best of: the cost with every candidate open, the Lagrangian bound
    (:func:`lagrangian_bound`, cheap and usually tight) and — when that leaves a gap,
    ``lp_bound`` is true, time remains and the instance has at most
    :data:`~coverage.settings.SITING_PMEDIAN_LP_MAX_PAIRS` pairs — the LP relaxation.
    ``solver="substitution"``; ``status`` ``"heuristic"``, ``"time_limit"`` (the substitution
    was cut short), ``"optimal"`` when the bound proves it (gap at most ``mip_rel_gap``,
    :meth:`~coverage.siting.solvers.Solution.settle_status`) or ``"exhausted"`` when fewer
    than ``k`` sites lower the cost at all (then optimal too).
    """
    t0 = time.perf_counter()
    k = check_k(k)
    check_time_limit(time_limit, mip_rel_gap)
    deadline = t0 + float(time_limit)
    state = _State(inst)
    sites = _greedy(state, k)
    status = "heuristic"
    if len(sites) < k:
        status = "exhausted"  # no further site lowers any row's cost: this set is optimal
    elif passes > 0:
        sites, finished = _substitute(state, sites, passes, deadline)
        if not finished:
            status = "time_limit"
    chosen = np.asarray(sites, dtype=np.int64)
    if status == "exhausted":
        bound = inst.total(chosen)
    else:
        bound = inst.total(np.arange(inst.n_candidates))
        upper = inst.total(chosen)
        if time.perf_counter() < deadline:
            lag = lagrangian_bound(inst, k, upper, chosen, deadline=deadline)
            if math.isfinite(lag):
                bound = max(bound, lag)
        closed = upper - bound <= mip_rel_gap * max(1.0, upper)
        left = deadline - time.perf_counter()
        if lp_bound and not closed and left > 0 and inst.n_pairs <= SITING_PMEDIAN_LP_MAX_PAIRS:
            res = _solve_model(inst, k, False, left, mip_rel_gap)
            if res.status == 0 and res.fun is not None:
                bound = max(bound, inst.fixed_total + float(res.fun) - 1e-9 * max(1.0, abs(float(res.fun))))
    return _solution(inst, state, sites, bound, "substitution", status, t0, mip_rel_gap)


def ilp_pmedian(
    inst: PMedianInstance,
    k: int,
    *,
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """The exact p-median integer programme (HiGHS), warm-compared with the heuristic.

    Returns the better of HiGHS's answer and the greedy + substitution answer, with
    HiGHS's proven lower bound; both within ``time_limit`` seconds (HiGHS gets what the
    substitution leaves). ``status`` ``"optimal"`` or ``"time_limit"``; ``solver``
    ``"ilp"`` (``"ilp+substitution"`` when the heuristic's set was better or HiGHS had no time).
    """
    t0 = time.perf_counter()
    k = check_k(k)
    check_time_limit(time_limit, mip_rel_gap)
    deadline = t0 + float(time_limit)
    state = _State(inst)
    heur = _greedy(state, k)
    if len(heur) < k:  # every improving candidate already open: optimal
        return _solution(inst, state, heur, inst.total(np.asarray(heur, dtype=np.int64)), "ilp", "optimal", t0,
                         mip_rel_gap)  # fmt: skip
    heur, _finished = _substitute(state, heur, SITING_PMEDIAN_SWAP_PASSES, deadline)
    left = deadline - time.perf_counter()
    if left <= 0:
        return _solution(inst, state, heur, inst.total(np.arange(inst.n_candidates)), "ilp+substitution",
                         "time_limit", t0, mip_rel_gap)  # fmt: skip
    res = _solve_model(inst, k, True, left, mip_rel_gap)
    bound = inst.fixed_total + dual_bound(res, "min")
    if res.x is None:
        if res.status not in (1,):  # 1: time limit without a solution
            raise SitingError(f"p-median solver failed: {res.message}")
        return _solution(inst, state, heur, bound, "ilp+substitution", "time_limit", t0, mip_rel_gap)
    chosen = np.flatnonzero(res.x[: inst.n_candidates] > 0.5).tolist()
    optimal = res.status == 0
    solver = "ilp"
    if inst.total(np.asarray(heur)) < inst.total(np.asarray(chosen, dtype=np.int64)) - 1e-9:
        chosen, solver = heur, "ilp+substitution"
    if optimal and math.isnan(bound):
        bound = inst.total(np.asarray(chosen, dtype=np.int64))  # HiGHS proved it without reporting a bound
    sol = _solution(inst, state, chosen, bound, solver, "optimal" if optimal else "time_limit", t0, mip_rel_gap)
    sol.extra["highs_message"] = str(res.message)
    return sol


def solve_pmedian(
    cost: "np.ndarray | sp.spmatrix | PMedianInstance",
    weights: np.ndarray | None = None,
    k: int = 1,
    base: np.ndarray | None = None,
    *,
    solver: str = "auto",
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """p-median with ``k`` new sites: exact where it fits, the heuristic with its bound beyond.

    Parameters
    ----------
    cost, weights, base
        See :func:`pmedian_instance` (or pass a :class:`PMedianInstance` as ``cost``).
    k : int
        New sites.
    solver : {"auto", "ilp", "greedy"}
        ``auto``: :func:`heuristic_pmedian` with its Lagrangian bound first; when that
        does not prove the answer optimal and the instance has at most
        :data:`~coverage.settings.SITING_PMEDIAN_ILP_MAX_PAIRS` pairs, :func:`ilp_pmedian`.
        ``greedy``: the heuristic only (with the LP bound where it fits); ``ilp``: the ILP.
    time_limit : float
        Seconds for the whole solve: the heuristic and then the ILP share them (the ILP
        is skipped, ``status="time_limit"``, when the heuristic used them up).
    """
    t0 = time.perf_counter()
    inst = cost if isinstance(cost, PMedianInstance) else pmedian_instance(cost, weights, base)
    if solver not in ("auto", "ilp", "greedy"):
        raise InputError(f"solver must be one of auto, ilp, greedy; got {solver!r}")
    check_time_limit(time_limit, mip_rel_gap)
    if inst.cost.shape[0] == 0:  # no row any candidate improves
        sol = Solution(np.zeros(0, dtype=np.int64), np.zeros(0), inst.base_total(), inst.base_total(), 0.0,
                       "ilp" if solver != "greedy" else "substitution", "exhausted", time.perf_counter() - t0,
                       tolerance=mip_rel_gap)  # fmt: skip
        sol.extra["base_total"] = inst.base_total()
        sol.extra["n_pairs"] = 0
        return sol
    if solver == "ilp":
        return ilp_pmedian(inst, k, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    heur = heuristic_pmedian(inst, k, lp_bound=solver == "greedy", time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    if solver == "greedy" or heur.status in ("optimal", "exhausted", "time_limit") \
            or inst.n_pairs > SITING_PMEDIAN_ILP_MAX_PAIRS:
        return heur
    left = float(time_limit) - (time.perf_counter() - t0)
    if left <= 0:  # the heuristic used the time: no exact solve
        heur.status = "time_limit"
        return heur.settle_status()
    exact = ilp_pmedian(inst, k, time_limit=left, mip_rel_gap=mip_rel_gap)
    exact.seconds += heur.seconds
    return exact
