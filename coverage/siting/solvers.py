"""Solvers for maximal coverage (MCLP) and set cover (LSCP) on a sparse coverage matrix.

Every solver works on the same instance — a boolean matrix of demand cells ×
candidate sites, demand weights and a mask of cells existing facilities
already cover — and returns a :class:`Solution` whose sites are in ranking
order (site 1 adds the most, site 2 the most given site 1, …) with the
demand each one newly covers.

* :func:`greedy_max_cover` — lazy greedy (a priority queue of stale marginal
  gains, re-evaluated on CSC column slices), optionally with a per-site
  capacity; ≥ 1 − 1/e of the optimum in theory. Each answer carries a proven upper
  bound (the submodular bound: what it covers plus the ``k`` largest marginal gains
  left), so its gap is known, not promised.
* :mod:`coverage.siting.dispatch` chooses between them: exact by default (the ILP when the
  reduced instance fits :data:`coverage.settings.SITING_ILP_MAX_NONZEROS`), the greedy beyond.
* :func:`ilp_max_cover` — the exact MCLP integer programme solved by HiGHS
  (:func:`scipy.optimize.milp`) under a time limit, with the proven bound and gap.
* :func:`greedy_set_cover` / :func:`ilp_set_cover` — the fewest sites reaching a
  required amount of demand; no redundant site is left in the result.
* :func:`greedy_one_per_group` / :func:`ilp_one_per_group` — exactly one new site
  in each group (e.g. each town lacking a facility), chosen to cover the most.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from coverage.errors import InputError, UnreachableTargetError
from coverage.settings import SITING_MIP_REL_GAP, SITING_TIME_LIMIT_S
from coverage.siting.demand import ReducedDemand, check_instance, reduce_demand, undominated_columns

__all__ = [
    "HEURISTIC_SOLVERS",
    "SOLVERS",
    "STATUSES",
    "Solution",
    "check_k",
    "check_time_limit",
    "dual_bound",
    "greedy_bound",
    "set_cover_bound",
    "assign",
    "greedy_max_cover",
    "greedy_one_per_group",
    "greedy_set_cover",
    "ilp_max_cover",
    "ilp_one_per_group",
    "ilp_set_cover",
    "rank_sites",
    "remove_redundant",
]

ProgressFn = Callable[[int], None]

#: Codes of :attr:`Solution.solver`: the coverage greedy, the p-median greedy + vertex
#: substitution (Teitz-Bart), the integer programme, or the ILP's bound with the heuristic's set
#: (the ILP stopped at its time limit with a worse or no incumbent): ``ilp+greedy`` /
#: ``ilp+substitution``.
SOLVERS = ("greedy", "substitution", "ilp", "ilp+greedy", "ilp+substitution")
#: The codes of :data:`SOLVERS` whose answer is a heuristic's (not proven unless its bound proves it).
HEURISTIC_SOLVERS = ("greedy", "substitution")
#: Codes of :attr:`Solution.status`.
STATUSES = ("optimal", "time_limit", "heuristic", "exhausted", "infeasible", "no_candidates")


@dataclass
class Solution:
    """Sites chosen by a solver, in ranking order.

    Attributes
    ----------
    sites : numpy.ndarray
        Candidate column indices, rank 1 first.
    gains : numpy.ndarray
        Demand newly covered by each site given the sites ranked before it
        (p-median: the reduction of total travel cost, see :mod:`coverage.siting.pmedian`).
    objective : float
        Total demand newly covered (the sum of ``gains``); p-median: the total travel
        cost with the new sites.
    bound : float
        Proven bound on the best objective: an upper bound for maximal coverage (equal
        to ``objective`` when proven optimal), a lower bound on the number of sites for
        set cover and on the total cost for p-median.
    gap : float
        Relative optimality gap: ``(bound - objective) / bound`` for maximal coverage,
        ``(n_sites - bound) / n_sites`` for set cover, ``(objective - bound) / objective``
        for p-median; 0 when proven optimal, NaN when no bound is known. Greedy answers
        carry a cheap proven bound (see the functions).
    solver : str
        A code of :data:`SOLVERS`: ``"greedy"``, ``"ilp"`` or ``"ilp+greedy"`` (the greedy's
        set kept because the ILP stopped at its time limit with a worse or no incumbent).
    status : str
        A code of :data:`STATUSES`: ``"optimal"`` (proven within ``tolerance``: the stated
        ``gap`` is at most ``tolerance``, the one rule for every solver, see
        :meth:`settle_status`), ``"time_limit"`` (the solver stopped at its time limit with a
        feasible answer), ``"heuristic"`` (gap as stated), ``"exhausted"``
        (no further candidate adds anything: optimal), ``"infeasible"`` (p-median: ``k``
        sites cannot serve every row only a new site can serve) or ``"no_candidates"``.
    seconds : float
        Wall time of the solve.
    tolerance : float
        Relative gap up to which ``status`` says ``"optimal"`` (HiGHS's ``mip_rel_gap``;
        default :data:`~coverage.settings.SITING_MIP_REL_GAP`).
    """

    sites: np.ndarray
    gains: np.ndarray
    objective: float
    bound: float
    gap: float
    solver: str
    status: str
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)
    tolerance: float = SITING_MIP_REL_GAP

    @property
    def n_sites(self) -> int:
        """Number of sites chosen."""
        return int(self.sites.size)

    def settle_status(self, tolerance: float | None = None) -> "Solution":
        """Apply the one rule for ``"optimal"``: the proven ``gap`` is at most ``tolerance``.

        An answer whose gap is within ``tolerance`` (default :attr:`tolerance`) is
        ``"optimal"``, whatever stopped the solver; one that claimed ``"optimal"`` without
        such a gap becomes ``"heuristic"`` (a heuristic's set) or ``"time_limit"`` (the
        ILP's). ``"exhausted"``, ``"infeasible"`` and ``"no_candidates"`` are kept.
        Returns ``self``.
        """
        if tolerance is not None:
            self.tolerance = float(tolerance)
        if self.status not in ("optimal", "heuristic", "time_limit"):
            return self
        if not math.isnan(self.gap) and self.gap <= self.tolerance:
            self.status = "optimal"
        elif self.status == "optimal":
            self.status = "heuristic" if self.solver in HEURISTIC_SOLVERS else "time_limit"
        return self


# --------------------------------------------------------------------------- helpers


def _check_capacity(capacity: float | None) -> float:
    if capacity is None:
        return math.inf
    cap = float(capacity)
    if not math.isfinite(cap) or cap <= 0:
        raise InputError(f"capacity must be a positive number of people per site; got {capacity!r}")
    return cap


def check_k(k: object) -> int:
    """``k`` as an int, or :class:`~coverage.errors.InputError` unless it is a positive integer."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or int(k) < 1:
        raise InputError(f"k must be a positive integer number of new sites; got {k!r}")
    return int(k)


def _column_rows(csc: sp.csc_matrix, j: int) -> np.ndarray:
    return csc.indices[csc.indptr[j] : csc.indptr[j + 1]]


class _Remaining:
    """Demand still uncovered per row, with proportional capacity-limited assignment."""

    def __init__(self, csc: sp.csc_matrix, weights: np.ndarray, capacity: float) -> None:
        self.csc = csc
        self.left = weights.astype(np.float64, copy=True)
        self.capacity = capacity

    def available(self, j: int) -> float:
        return float(self.left[_column_rows(self.csc, j)].sum())

    def gain(self, j: int) -> float:
        return min(self.capacity, self.available(j))

    def take(self, j: int) -> tuple[float, np.ndarray, float]:
        """Assign site ``j``; return (gain, rows, fraction of each row's remaining demand taken)."""
        rows = _column_rows(self.csc, j)
        avail = float(self.left[rows].sum())
        if avail <= 0:
            return 0.0, rows, 0.0
        frac = 1.0 if avail <= self.capacity else self.capacity / avail
        taken = min(avail, self.capacity)
        if frac >= 1.0:
            self.left[rows] = 0.0
        else:
            self.left[rows] *= 1.0 - frac
        return taken, rows, frac

    def all_gains(self) -> np.ndarray:
        g = self.csc.T @ self.left
        return np.minimum(np.asarray(g, dtype=np.float64).ravel(), self.capacity)


def _lazy_greedy(
    reduced: ReducedDemand,
    k: int | None,
    capacity: float,
    stop_at: float | None = None,
    allowed: np.ndarray | None = None,
    progress: ProgressFn | None = None,
) -> tuple[list[int], list[float]]:
    """Core lazy greedy on a reduced instance; stops at ``k`` sites or once ``stop_at`` is covered."""
    csc = reduced.csc
    state = _Remaining(csc, reduced.weights, capacity)
    gains0 = state.all_gains()
    cols = np.arange(csc.shape[1]) if allowed is None else np.flatnonzero(allowed)
    heap = [(-float(gains0[j]), int(j)) for j in cols if gains0[j] > 0]
    heapq.heapify(heap)
    sites: list[int] = []
    gains: list[float] = []
    total = 0.0
    eps = 1e-9 * max(1.0, reduced.total())
    while heap and (k is None or len(sites) < k):
        if stop_at is not None and total >= stop_at - eps:
            break
        _, j = heapq.heappop(heap)
        g = state.gain(j)
        if g <= 0:
            continue
        if heap and (-g, j) > heap[0]:
            # another candidate may beat (or tie with a lower index) this fresh gain
            heapq.heappush(heap, (-g, j))
            continue
        taken, _, _ = state.take(j)
        sites.append(j)
        gains.append(taken)
        total += taken
        if progress is not None:
            progress(1)
    return sites, gains


def _swap_improve(
    reduced: ReducedDemand,
    sites: list[int],
    max_passes: int = 10,
    allowed_for: Sequence[np.ndarray] | None = None,
) -> list[int]:
    """1-swap interchange: replace a chosen site by an unchosen one while that adds demand.

    Keeps ``g[c]`` = demand in column ``c`` no chosen site covers, updated
    incrementally on CSR row slices, so each tentative swap costs only the rows
    it touches. Stops after a pass with no improving swap (or ``max_passes``).
    ``allowed_for[pos]`` restricts the replacements of the site at ``pos`` (e.g. to
    the candidates of its own town).
    """
    if not sites:
        return sites
    a = reduced.matrix
    csc = reduced.csc
    w = reduced.weights
    n_cand = a.shape[1]
    count = np.zeros(a.shape[0], dtype=np.int64)
    for j in sites:
        count[_column_rows(csc, j)] += 1
    g = np.asarray(csc.T @ (w * (count == 0)), dtype=np.float64).ravel()
    chosen = np.zeros(n_cand, dtype=bool)
    chosen[sites] = True
    tol = 1e-9 * max(1.0, reduced.total())
    out = list(sites)

    def shift(rows: np.ndarray, sign: float) -> None:
        if rows.size:
            g[:] += sign * np.asarray(a[rows].T @ w[rows]).ravel()

    for _ in range(max_passes):
        improved = False
        for pos in range(len(out)):
            s = out[pos]
            rows_s = _column_rows(csc, s)
            count[rows_s] -= 1
            shift(rows_s[count[rows_s] == 0], +1.0)  # rows only s covered are free again
            chosen[s] = False
            if allowed_for is None:
                masked = np.where(chosen, -np.inf, g)
                c = int(np.argmax(masked))
                better = masked[c] > g[s] + tol
            else:
                opts = allowed_for[pos]
                vals = np.where(chosen[opts], -np.inf, g[opts])
                c = int(opts[int(np.argmax(vals))])
                better = g[c] > g[s] + tol and not chosen[c]
            if not better:
                c = s  # no strictly better replacement
            rows_c = _column_rows(csc, c)
            shift(rows_c[count[rows_c] == 0], -1.0)
            count[rows_c] += 1
            chosen[c] = True
            if c != s:
                out[pos] = c
                improved = True
        if not improved:
            break
    return out


def assign(
    matrix: sp.spmatrix,
    sites: Sequence[int],
    covered: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    capacity: float | None = None,
) -> sp.csc_matrix:
    """Which cells each site newly serves, replaying the sites in the given order.

    Parameters
    ----------
    matrix : scipy sparse matrix
        Original (unreduced) cells × candidates coverage matrix.
    sites : sequence of int
        Candidate columns in ranking order.
    covered : array of bool, optional
        Cells already covered by existing facilities (never re-counted).
    weights : array, optional
        Demand per cell; needed only with a capacity (default: all ones).
    capacity : float, optional
        People one site can serve; a site whose reachable demand exceeds it
        serves the same fraction of each reachable cell.

    Returns
    -------
    scipy.sparse.csc_matrix
        Cells × len(sites); entry = fraction of the cell's demand newly served by
        that site (1.0 without a capacity). Multiply by any population column
        (``frac.T @ pop``) to count the people each site newly covers.
    """
    w = np.ones(matrix.shape[0]) if weights is None else weights
    a, w, c = check_instance(matrix, w, covered)
    cap = _check_capacity(capacity)
    csc = a.tocsc()
    left = np.where(c, 0.0, 1.0)  # fraction of each cell still unserved
    rows_out: list[np.ndarray] = []
    vals_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    for pos, j in enumerate(sites):
        j = int(j)
        if not 0 <= j < csc.shape[1]:
            raise InputError(f"site index {j} out of range for {csc.shape[1]} candidates")
        rows = _column_rows(csc, j)
        rows = rows[left[rows] > 0]
        if rows.size == 0:
            continue
        avail = float((w[rows] * left[rows]).sum())
        frac = 1.0 if avail <= cap or avail == 0 else cap / avail
        got = left[rows] * frac
        left[rows] -= got
        rows_out.append(rows)
        vals_out.append(got)
        cols_out.append(np.full(rows.size, pos))
    if rows_out:
        data = np.concatenate(vals_out)
        r = np.concatenate(rows_out)
        cidx = np.concatenate(cols_out)
    else:
        data, r, cidx = np.zeros(0), np.zeros(0, int), np.zeros(0, int)
    return sp.csc_matrix((data, (r, cidx)), shape=(a.shape[0], len(sites)))


def rank_sites(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    sites: Sequence[int],
    covered: np.ndarray | None = None,
    capacity: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Order a fixed set of sites greedily (largest marginal gain first).

    Returns ``(ordered_sites, gains)``; ties keep the lower candidate index first.
    """
    sites = np.unique(np.asarray(sites, dtype=np.int64))
    if sites.size == 0:
        return sites, np.zeros(0)
    reduced = reduce_demand(matrix, weights, covered)
    allowed = np.zeros(reduced.n_candidates, dtype=bool)
    allowed[sites] = True
    order, gains = _lazy_greedy(reduced, None, _check_capacity(capacity), allowed=allowed)
    rest = [int(j) for j in sites if j not in set(order)]  # sites that add nothing
    return np.array(order + rest, dtype=np.int64), np.array(gains + [0.0] * len(rest))


def _finish(
    sites: Sequence[int],
    gains: Sequence[float],
    bound: float,
    solver: str,
    status: str,
    t0: float,
    maximise: bool = True,
    tolerance: float = SITING_MIP_REL_GAP,
) -> Solution:
    sites_a = np.asarray(sites, dtype=np.int64)
    gains_a = np.asarray(gains, dtype=np.float64)
    objective = float(gains_a.sum())
    if maximise:
        if math.isnan(bound):
            gap = math.nan
        else:
            gap = 0.0 if bound <= 0 else max(0.0, (bound - objective) / bound)
    else:
        n = sites_a.size
        gap = math.nan if math.isnan(bound) else (0.0 if n == 0 else max(0.0, (n - bound) / n))
    sol = Solution(sites_a, gains_a, objective, bound, gap, solver, status, time.perf_counter() - t0)
    return sol.settle_status(tolerance)


# --------------------------------------------------------------------------- MCLP


def greedy_max_cover(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    k: int,
    covered: np.ndarray | None = None,
    capacity: float | None = None,
    progress: ProgressFn | None = None,
    swap: bool = True,
) -> Solution:
    """Choose ``k`` new sites covering the most uncovered demand (lazy greedy).

    Parameters
    ----------
    matrix : scipy sparse matrix
        Cells × candidates, True where the candidate covers the cell.
    weights : array-like
        Demand per cell.
    k : int
        Number of new sites (fewer are returned if every reachable cell is covered first).
    covered : array of bool, optional
        Cells existing facilities already cover (fixed, never counted again).
    capacity : float, optional
        People one new site can serve.
    progress : callable, optional
        Called with 1 after each site is chosen (e.g. ``tqdm.update``).
    swap : bool, default True
        Improve the greedy set by 1-swap interchange (replace a chosen site by an
        unchosen one while that covers more), then re-rank it by marginal gain.
        Ignored with a capacity.

    Returns
    -------
    Solution
        ``bound`` is a proven upper bound on the optimum: the demand covered plus the
        ``k`` largest marginal gains still available (submodularity; with a capacity also
        at most ``k * capacity``). ``status`` is ``"optimal"`` when it equals the objective.
    """
    t0 = time.perf_counter()
    k = check_k(k)
    reduced = reduce_demand(matrix, weights, covered)
    cap = _check_capacity(capacity)
    sites, gains = _lazy_greedy(reduced, k, cap, progress=progress)
    status = "heuristic" if len(sites) == k else "exhausted"
    if swap and math.isinf(cap) and status == "heuristic":
        improved = _swap_improve(reduced, sites)
        if sorted(improved) != sorted(sites):
            order, new_gains = rank_sites(reduced.matrix, reduced.weights, improved)
            if new_gains.sum() > float(np.sum(gains)):
                sites, gains = order.tolist(), new_gains.tolist()
    objective = float(np.sum(gains))
    bound = greedy_bound(reduced, sites, k, cap) if status == "heuristic" else objective
    return _finish(sites, gains, bound, "greedy", status, t0)


def greedy_bound(reduced: ReducedDemand, sites: Sequence[int], k: int, capacity: float = math.inf) -> float:
    """A proven upper bound on the best demand ``k`` sites can newly cover.

    Coverage is submodular, so for any set ``S`` the optimum is at most
    ``f(S) + (sum of the k largest gains of single candidates added to S)``
    (Nemhauser, Wolsey & Fisher 1978). The bound is the smallest of these over every
    prefix of ``sites`` in the given (ranking) order, the empty set included; with a
    capacity it is also at most ``k * capacity``. One sparse product per prefix.
    """
    csc = reduced.csc
    hit = np.zeros(reduced.matrix.shape[0], dtype=bool)
    best = math.inf
    for step in range(len(sites) + 1):
        if step:
            hit[_column_rows(csc, int(sites[step - 1]))] = True
        left = np.where(hit, 0.0, reduced.weights)
        gains = np.asarray(csc.T @ left, dtype=np.float64).ravel()
        top = np.sort(gains)[::-1][: int(k)].sum() if gains.size else 0.0
        best = min(best, float(reduced.weights[hit].sum() + top))
    return min(best, float(k) * capacity) if math.isfinite(capacity) else best


def check_time_limit(time_limit: object, mip_rel_gap: object = SITING_MIP_REL_GAP) -> None:
    """:class:`~coverage.errors.InputError` unless ``time_limit`` is a positive finite number of
    seconds and ``mip_rel_gap`` is in ``[0, 1)``."""
    try:
        ok = float(time_limit) > 0 and math.isfinite(float(time_limit))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(f"time_limit must be a positive number of seconds; got {time_limit!r}")
    try:
        gap_ok = 0 <= float(mip_rel_gap) < 1
    except (TypeError, ValueError):
        gap_ok = False
    if not gap_ok:
        raise InputError(f"mip_rel_gap must be in [0, 1); got {mip_rel_gap!r}")


def dual_bound(res: Any, kind: Literal["min", "max", "count"]) -> float:
    """HiGHS's proven bound on the optimum from a :func:`scipy.optimize.milp` result (NaN if none).

    ``kind="min"``: the model's own (lower) bound; ``"max"``: the model minimised the negated
    objective, so the upper bound is ``-mip_dual_bound``; ``"count"``: a lower bound on an
    integer number of sites, rounded up.
    """
    dual = getattr(res, "mip_dual_bound", None)
    if dual is None or not math.isfinite(dual):
        return math.nan
    if kind == "max":
        return -float(dual)
    if kind == "count":
        return float(math.ceil(dual - 1e-6))
    return float(dual)


def _milp_options(time_limit: float, mip_rel_gap: float) -> dict:
    check_time_limit(time_limit, mip_rel_gap)
    # HiGHS's presolve spends most of the time on these models (coverage rows are
    # already reduced and dominated candidates dropped here), so it is off.
    return {"time_limit": float(time_limit), "disp": False, "mip_rel_gap": float(mip_rel_gap), "presolve": False}


def _coverage_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    """[-A | I]: y_i - sum_j A_ij x_j <= 0 for every reduced demand row."""
    n_rows, n_cand = m.shape
    return sp.hstack([-m.astype(np.float64), sp.identity(n_rows, format="csr")], format="csr")


def _restrict(reduced: ReducedDemand, cols: np.ndarray) -> ReducedDemand:
    """The instance on candidate columns ``cols`` only, rows re-reduced (merging rows
    whose candidate sets coincide once the other columns are gone)."""
    return reduce_demand(reduced.matrix[:, cols], reduced.weights)


def _run_milp(
    sub: ReducedDemand,
    kind: Literal["max", "min"],
    time_limit: float,
    mip_rel_gap: float,
    *,
    k: int | None = None,
    required: float | None = None,
    group: np.ndarray | None = None,
):
    """Solve the coverage MILP on ``sub``: x binary per column, 0 <= y <= 1 per row,
    ``y_i <= sum_j A_ij x_j``.

    ``kind="max"``: maximise ``w·y`` with ``sum x <= k`` or, with ``group``, exactly one
    x per group. ``kind="min"``: minimise ``sum x`` with ``w·y >= required``.
    Returns ``(chosen column positions in sub, proven bound, optimal?, message)``.
    """
    n_rows, n_c = sub.matrix.shape
    n = n_c + n_rows
    rows = LinearConstraint(_coverage_rows(sub.matrix), -np.inf, 0.0)
    if kind == "max":
        c = np.concatenate([np.zeros(n_c), -sub.weights])
        if group is not None:
            n_g = int(group.max()) + 1
            g = sp.csr_matrix((np.ones(n_c), (group, np.arange(n_c))), shape=(n_g, n))
            extra = LinearConstraint(g, 1.0, 1.0)
        else:
            extra = LinearConstraint(sp.csr_matrix((np.ones(n_c), (np.zeros(n_c, int), np.arange(n_c))), shape=(1, n)), -np.inf, k)
    else:
        c = np.concatenate([np.ones(n_c), np.zeros(n_rows)])
        row = np.concatenate([np.zeros(n_c), sub.weights])
        extra = LinearConstraint(sp.csr_matrix(row), required - 1e-9 * max(1.0, required), np.inf)
    res = milp(
        c,
        integrality=np.concatenate([np.ones(n_c), np.zeros(n_rows)]),
        bounds=Bounds(np.zeros(n), np.ones(n)),
        constraints=[rows, extra],
        options=_milp_options(time_limit, mip_rel_gap),
    )
    chosen = np.zeros(0, dtype=np.int64) if res.x is None else np.flatnonzero(res.x[:n_c] > 0.5)
    bound = dual_bound(res, "max" if kind == "max" else "count")
    return chosen, bound, bool(res.status == 0 and res.x is not None), str(res.message), res.x is not None


def ilp_max_cover(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    k: int,
    covered: np.ndarray | None = None,
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """Exact maximal coverage: ``k`` new sites maximising newly covered demand (HiGHS MILP).

    The model is built on :func:`~coverage.siting.demand.reduce_demand`'s
    reduced rows: maximise ``sum w_i y_i`` subject to ``y_i <= sum_j A_ij x_j``,
    ``sum x_j <= k``, ``x`` binary, ``0 <= y <= 1``.

    Parameters
    ----------
    matrix, weights, k, covered
        As in :func:`greedy_max_cover`.
    time_limit : float, default :data:`~coverage.settings.SITING_TIME_LIMIT_S`
        Seconds given to HiGHS. If it stops early, the best of its incumbent and
        the greedy solution is returned with HiGHS's proven bound.
    mip_rel_gap : float, default :data:`~coverage.settings.SITING_MIP_REL_GAP`
        Relative gap at which HiGHS stops.

    Returns
    -------
    Solution
        ``status`` is ``"optimal"`` or ``"time_limit"``; ``bound`` the proven upper bound.
    """
    t0 = time.perf_counter()
    check_time_limit(time_limit, mip_rel_gap)
    k = check_k(k)
    reduced = reduce_demand(matrix, weights, covered)
    n_rows, n_cand = reduced.matrix.shape
    greedy_sites, greedy_gains = _lazy_greedy(reduced, k, math.inf)
    if len(greedy_sites) == k:
        improved = _swap_improve(reduced, greedy_sites)
        order, gains = rank_sites(reduced.matrix, reduced.weights, improved)
        if gains.sum() > float(np.sum(greedy_gains)):
            greedy_sites, greedy_gains = order.tolist(), gains.tolist()
    greedy_obj = float(np.sum(greedy_gains))
    if n_rows == 0 or greedy_obj >= reduced.total() - 1e-9 * max(1.0, reduced.total()):
        # Greedy already covers every coverable cell: provably optimal.
        return _finish(greedy_sites, greedy_gains, greedy_obj, "ilp", "optimal", t0, tolerance=mip_rel_gap)
    cols = undominated_columns(reduced.matrix)
    sub = _restrict(reduced, cols)
    chosen, bound, optimal, message, found = _run_milp(sub, "max", time_limit, mip_rel_gap, k=k)
    status = "optimal" if optimal else "time_limit"
    sites, gains = rank_sites(reduced.matrix, reduced.weights, cols[chosen])
    solver = "ilp"
    if not found or float(np.sum(gains)) < greedy_obj:
        sites, gains, solver = np.asarray(greedy_sites), np.asarray(greedy_gains), "ilp+greedy"
    if optimal:
        bound = float(np.sum(gains)) if math.isnan(bound) else max(bound, float(np.sum(gains)))
    sol = _finish(sites, gains, bound, solver, status, t0, tolerance=mip_rel_gap)
    sol.extra["highs_message"] = message
    sol.extra["model_size"] = sub.matrix.shape
    return sol


# --------------------------------------------------------------------------- LSCP


def _check_required(required: float, reduced: ReducedDemand) -> float:
    req = float(required)
    if not math.isfinite(req):
        raise InputError(f"required demand must be a finite number; got {required!r}")
    best = reduced.total()
    if req > best * (1 + 1e-12) + 1e-9:
        raise UnreachableTargetError(
            f"target unreachable: it needs {req:,.0f} more people covered but all "
            f"{reduced.n_candidates} candidates together reach only {best:,.0f}"
        )
    return req


def remove_redundant(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    sites: Sequence[int],
    required: float,
    covered: np.ndarray | None = None,
    capacity: float | None = None,
) -> np.ndarray:
    """Drop sites whose removal still leaves ``required`` demand newly covered.

    The site that loses the least demand is removed first, repeatedly, until
    removing any single remaining site would fall below ``required``: the result
    has no redundant site. Order of the kept sites is preserved.
    """
    kept = [int(j) for j in sites]
    tol = 1e-9 * max(1.0, abs(required))
    a, w, c = check_instance(matrix, weights, covered)
    w = np.where(c, 0.0, w)
    if capacity is not None:
        return _remove_redundant_capacitated(a, w, kept, required, tol, capacity)
    csc = a.tocsc()
    while kept:
        sub = csc[:, kept]
        count = np.asarray(sub.sum(axis=1)).ravel()
        total = float(w[count > 0].sum())
        loss = np.asarray(sub.T @ (w * (count == 1))).ravel()  # demand only this site covers
        slack = total - required + tol
        removable = np.flatnonzero(loss <= slack)
        if removable.size == 0:
            break
        # smallest loss first; on ties the lowest-ranked (last) site goes
        pos = removable[np.lexsort((-removable, loss[removable]))[0]]
        del kept[pos]
    return np.asarray(kept, dtype=np.int64)


def _remove_redundant_capacitated(
    a: sp.csr_matrix, w: np.ndarray, kept: list[int], required: float, tol: float, capacity: float
) -> np.ndarray:
    def served(subset: list[int]) -> float:
        return float((assign(a, subset, None, w, capacity).T @ w).sum()) if subset else 0.0

    changed = True
    while changed and kept:
        changed = False
        contrib = np.asarray(assign(a, kept, None, w, capacity).T @ w).ravel()
        for pos in np.argsort(contrib, kind="stable"):
            trial = kept[:pos] + kept[pos + 1 :]
            if served(trial) >= required - tol:
                kept = trial
                changed = True
                break
    return np.asarray(kept, dtype=np.int64)


def greedy_set_cover(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    required: float,
    covered: np.ndarray | None = None,
    capacity: float | None = None,
    progress: ProgressFn | None = None,
) -> Solution:
    """Few new sites newly covering at least ``required`` demand (greedy + redundancy pass).

    Parameters
    ----------
    required : float
        Demand the new sites must newly cover (e.g. ``target_rate * total - already_covered``).
        ``<= 0`` returns no site.

    Raises
    ------
    UnreachableTargetError
        If all candidates together cannot reach ``required``.
    """
    t0 = time.perf_counter()
    cap = _check_capacity(capacity)
    reduced = reduce_demand(matrix, weights, covered)
    req = _check_required(required, reduced)
    if req <= 0:
        return _finish([], [], 0.0, "greedy", "optimal", t0, maximise=False)
    sites, _ = _lazy_greedy(reduced, None, cap, stop_at=req, progress=progress)
    total = float(np.sum(assign(reduced.matrix, sites, None, reduced.weights, capacity).T @ reduced.weights))
    if total < req - 1e-9 * max(1.0, req):
        raise UnreachableTargetError(
            f"target unreachable with capacity {capacity}: the candidates can newly serve "
            f"{total:,.0f} people but {req:,.0f} are needed"
        )
    kept = remove_redundant(reduced.matrix, reduced.weights, sites, req, capacity=capacity)
    ordered, gains = (
        rank_sites(reduced.matrix, reduced.weights, kept, capacity=capacity) if kept.size else (kept, np.zeros(0))
    )
    bound = float(set_cover_bound(reduced, req, cap))
    return _finish(ordered, gains, bound, "greedy", "heuristic", t0, maximise=False)


def set_cover_bound(reduced: ReducedDemand, required: float, capacity: float = math.inf) -> int:
    """A proven lower bound on the number of sites newly covering ``required`` demand.

    No ``n`` sites cover more than the ``n`` largest single-site totals (each capped
    by the capacity) together, so the bound is the smallest ``n`` whose top-``n`` sum
    reaches ``required``.
    """
    if required <= 0:
        return 0
    totals = np.minimum(np.asarray(reduced.csc.T @ reduced.weights, dtype=np.float64).ravel(), capacity)
    cum = np.cumsum(np.sort(totals)[::-1])
    tol = 1e-9 * max(1.0, required)
    return int(np.searchsorted(cum, required - tol) + 1)


def ilp_set_cover(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    required: float,
    covered: np.ndarray | None = None,
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """Fewest new sites newly covering at least ``required`` demand (HiGHS MILP).

    Minimise ``sum x_j`` subject to ``sum w_i y_i >= required``,
    ``y_i <= sum_j A_ij x_j``; among minimum-size solutions a small secondary
    term prefers the one covering more. If HiGHS stops at the time limit with a
    worse answer than greedy, the greedy answer is returned. Redundant sites are
    removed either way.
    """
    t0 = time.perf_counter()
    check_time_limit(time_limit, mip_rel_gap)
    reduced = reduce_demand(matrix, weights, covered)
    req = _check_required(required, reduced)
    if req <= 0:
        return _finish([], [], 0.0, "ilp", "optimal", t0, maximise=False, tolerance=mip_rel_gap)
    greedy = greedy_set_cover(reduced.matrix, reduced.weights, req)
    cols = undominated_columns(reduced.matrix)
    sub = _restrict(reduced, cols)
    chosen, bound, optimal, message, found = _run_milp(sub, "min", time_limit, mip_rel_gap, required=req)
    solver = "ilp"
    if not found or chosen.size > greedy.n_sites:
        sites, solver = greedy.sites, "ilp+greedy"
    else:
        sites = remove_redundant(reduced.matrix, reduced.weights, cols[chosen], req)
    if not math.isnan(bound) and sites.size <= bound:
        optimal = True  # the count is proven minimal even if HiGHS stopped early
    # Among sets of this size, prefer the one covering most (MCLP with k = n) if time remains.
    left = time_limit - (time.perf_counter() - t0)
    if sites.size and left > 1.0:
        best, _, _, _, ok = _run_milp(sub, "max", left, mip_rel_gap, k=int(sites.size))
        if ok and best.size <= sites.size:
            alt = cols[best]
            frac = assign(reduced.matrix, alt, None, reduced.weights)
            now = assign(reduced.matrix, sites, None, reduced.weights)
            if float((frac.T @ reduced.weights).sum()) > float((now.T @ reduced.weights).sum()):
                sites = remove_redundant(reduced.matrix, reduced.weights, alt, req)
    ordered, gains = rank_sites(reduced.matrix, reduced.weights, sites) if sites.size else (sites, np.zeros(0))
    status = "optimal" if optimal else "time_limit"
    if optimal and (math.isnan(bound) or bound > ordered.size):
        bound = float(ordered.size)
    sol = _finish(ordered, gains, bound, solver, status, t0, maximise=False, tolerance=mip_rel_gap)
    sol.extra["highs_message"] = message
    return sol


# --------------------------------------------------------------------------- one per group


def _check_groups(groups: Sequence[Sequence[int]], n_cand: int) -> list[np.ndarray]:
    out = []
    for g, members in enumerate(groups):
        arr = np.unique(np.asarray(list(members), dtype=np.int64))
        if arr.size == 0:
            raise InputError(f"group {g} has no candidate site")
        if arr.min() < 0 or arr.max() >= n_cand:
            raise InputError(f"group {g} refers to a candidate outside 0..{n_cand - 1}")
        out.append(arr)
    return out


def greedy_one_per_group(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    groups: Sequence[Sequence[int]],
    covered: np.ndarray | None = None,
    swap: bool = True,
) -> Solution:
    """Exactly one new site in each group, chosen greedily across groups.

    At each step the group whose best candidate adds the most demand is served
    first with that candidate. Ties go to the lower candidate index, so a group
    whose candidates add nothing still gets its lowest-numbered candidate (the
    unit must have a facility): number the preferred fallback (e.g. the most
    populated cell) first.

    Parameters
    ----------
    groups : sequence of sequences of int
        Candidate columns allowed in each group (e.g. the candidates inside each
        town that lacks a facility). Groups may not be empty.
    swap : bool, default True
        Then improve by 1-swap interchange within each group and re-rank.

    Returns
    -------
    Solution
        One site per group, in ranking order; ``extra["group"]`` gives each site's group.
    """
    t0 = time.perf_counter()
    a, w, c = check_instance(matrix, weights, covered)
    members = _check_groups(groups, a.shape[1])
    csc = a.tocsc()
    state = _Remaining(csc, np.where(c, 0.0, w), math.inf)
    open_groups = list(range(len(members)))
    sites: list[int] = []
    gains: list[float] = []
    group_of: list[int] = []
    while open_groups:
        all_g = state.all_gains()
        best = None  # (gain, -group, candidate)
        for g in open_groups:
            cand = members[g]
            i = int(np.argmax(all_g[cand]))  # first maximum = lowest index on ties
            key = (float(all_g[cand][i]), -g)
            if best is None or key > best[0]:
                best = (key, g, int(cand[i]))
        assert best is not None
        _, g, j = best
        taken, _, _ = state.take(j)
        sites.append(j)
        gains.append(taken)
        group_of.append(g)
        open_groups.remove(g)
    if swap and sites:
        reduced = reduce_demand(a, w, c)
        improved = _swap_improve(reduced, sites, allowed_for=[members[g] for g in group_of])
        if improved != sites:
            order, new_gains = rank_sites(reduced.matrix, reduced.weights, improved)
            if new_gains.sum() > float(np.sum(gains)):
                where = {j: g for j, g in zip(improved, group_of)}
                sites, gains = order.tolist(), new_gains.tolist()
                group_of = [where[j] for j in sites]
    sol = _finish(sites, gains, math.nan, "greedy", "heuristic", t0)
    sol.extra["group"] = np.asarray(group_of, dtype=np.int64)
    return sol


def ilp_one_per_group(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    groups: Sequence[Sequence[int]],
    covered: np.ndarray | None = None,
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """Exactly one new site in each group, maximising newly covered demand (HiGHS MILP).

    Groups must not share candidates. See :func:`greedy_one_per_group`.
    """
    t0 = time.perf_counter()
    check_time_limit(time_limit, mip_rel_gap)
    a, w, c = check_instance(matrix, weights, covered)
    members = _check_groups(groups, a.shape[1])
    flat = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
    if np.unique(flat).size != flat.size:
        raise InputError("groups must not share candidate sites")
    greedy = greedy_one_per_group(a, w, members, c)
    if not members:
        return greedy
    reduced = reduce_demand(a, w, c)
    group_of = np.full(a.shape[1], -1)
    for g, m in enumerate(members):
        group_of[m] = g
    # candidates dominated by another of their own group never need choosing
    keep = undominated_columns(reduced.matrix[:, flat], group_of[flat])
    cols = flat[keep]
    sub = _restrict(reduced, cols)
    if sub.matrix.shape[0] == 0:  # nothing left to cover: any choice is optimal
        greedy.solver, greedy.status, greedy.bound, greedy.gap = "ilp", "optimal", greedy.objective, 0.0
        return greedy.settle_status(mip_rel_gap)
    chosen, bound, optimal, message, found = _run_milp(
        sub, "max", time_limit, mip_rel_gap, group=group_of[cols]
    )
    status = "optimal" if optimal else "time_limit"
    if not found:
        sol = greedy
        sol.solver, sol.status, sol.bound = "ilp+greedy", "time_limit", bound
        sol.gap = math.nan if math.isnan(bound) or bound <= 0 else max(0.0, (bound - sol.objective) / bound)
        sol.seconds = time.perf_counter() - t0
        return sol.settle_status(mip_rel_gap)
    ordered, gains = rank_sites(a, w, cols[chosen], c)
    if float(np.sum(gains)) < greedy.objective:
        sol = greedy
        sol.solver, sol.status, sol.bound = "ilp+greedy", status, bound
        sol.gap = math.nan if math.isnan(bound) or bound <= 0 else max(0.0, (bound - sol.objective) / bound)
        sol.seconds = time.perf_counter() - t0
        return sol.settle_status(mip_rel_gap)
    if optimal:
        bound = float(np.sum(gains)) if math.isnan(bound) else max(bound, float(np.sum(gains)))
    sol = _finish(ordered, gains, bound, "ilp", status, t0, tolerance=mip_rel_gap)
    sol.extra["group"] = group_of[ordered]
    sol.extra["highs_message"] = message
    return sol
