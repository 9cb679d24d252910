"""Exact by default: pick the integer programme where the instance fits, the greedy beyond.

``solver="auto"`` (the default everywhere) solves with HiGHS when the reduced
coverage matrix has at most :data:`coverage.settings.SITING_ILP_MAX_NONZEROS`
non-zeros (:data:`coverage.settings.SITING_CAPACITATED_ILP_MAX_PAIRS` with site
capacities), under :data:`coverage.settings.SITING_TIME_LIMIT_S`; past the time
limit the ILP functions return the better of HiGHS's incumbent and the greedy's
answer, with HiGHS's proven bound. Larger instances go straight to the greedy,
which reports its own proven bound. ``"ilp"`` and ``"greedy"`` force one solver.
"""

from __future__ import annotations

import time
from typing import Literal, Sequence

import numpy as np
import scipy.sparse as sp

from coverage.choices import SOLVER_CHOICES
from coverage.errors import InputError
from coverage.settings import (
    SITING_CAPACITATED_ILP_MAX_PAIRS,
    SITING_ILP_MAX_NONZEROS,
    SITING_MIP_REL_GAP,
    SITING_TIME_LIMIT_S,
)
from coverage.siting.capacitated import ilp_max_cover_capacitated, ilp_set_cover_capacitated
from coverage.siting.demand import check_instance, reduce_demand
from coverage.siting.solvers import (
    Solution,
    greedy_max_cover,
    greedy_one_per_group,
    greedy_set_cover,
    ilp_max_cover,
    ilp_one_per_group,
    ilp_set_cover,
)

__all__ = ["SOLVER_CHOICES", "fits_ilp", "solve_max_cover", "solve_one_per_group", "solve_set_cover"]


def _check_solver(solver: str) -> None:
    if solver not in SOLVER_CHOICES:
        raise InputError(f"solver must be one of {', '.join(SOLVER_CHOICES)}; got {solver!r}")


def fits_ilp(
    matrix: sp.spmatrix, weights: np.ndarray, covered: np.ndarray | None = None, capacitated: bool = False
) -> bool:
    """True when the reduced instance is small enough for the exact solver by default.

    The limit is :data:`~coverage.settings.SITING_ILP_MAX_NONZEROS` non-zeros of the reduced
    matrix, or :data:`~coverage.settings.SITING_CAPACITATED_ILP_MAX_PAIRS` with capacities.
    """
    limit = SITING_CAPACITATED_ILP_MAX_PAIRS if capacitated else SITING_ILP_MAX_NONZEROS
    return reduce_demand(matrix, weights, covered).matrix.nnz <= limit


def _use_ilp(solver: str, matrix, weights, covered, capacitated: bool = False) -> bool:
    _check_solver(solver)
    return solver == "ilp" or (solver == "auto" and fits_ilp(matrix, weights, covered, capacitated))


def _solve_cover(
    kind: Literal["max", "set"],
    matrix: sp.spmatrix,
    weights: np.ndarray,
    amount: float,
    covered: np.ndarray | None,
    capacity: float | None,
    solver: str,
    time_limit: float,
    mip_rel_gap: float,
) -> Solution:
    """Maximal coverage (``amount`` = k sites) or set cover (``amount`` = demand to newly cover)."""
    ilp, ilp_capacitated, greedy = _COVER_SOLVERS[kind]
    if _use_ilp(solver, matrix, weights, covered, capacity is not None):
        if capacity is not None:
            return ilp_capacitated(matrix, weights, amount, capacity, covered, time_limit=time_limit,
                                   mip_rel_gap=mip_rel_gap)  # fmt: skip
        return ilp(matrix, weights, amount, covered, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    return greedy(matrix, weights, amount, covered, capacity=capacity)


_COVER_SOLVERS = {
    "max": (ilp_max_cover, ilp_max_cover_capacitated, greedy_max_cover),
    "set": (ilp_set_cover, ilp_set_cover_capacitated, greedy_set_cover),
}


def solve_max_cover(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    k: int,
    covered: np.ndarray | None = None,
    *,
    capacity: float | None = None,
    solver: str = "auto",
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """Maximal coverage with ``k`` new sites (optionally capacitated), exact where it fits."""
    return _solve_cover("max", matrix, weights, k, covered, capacity, solver, time_limit, mip_rel_gap)


def solve_set_cover(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    required: float,
    covered: np.ndarray | None = None,
    *,
    capacity: float | None = None,
    solver: str = "auto",
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """Fewest new sites newly covering ``required`` demand (optionally capacitated), exact where it fits."""
    return _solve_cover("set", matrix, weights, required, covered, capacity, solver, time_limit, mip_rel_gap)


def solve_one_per_group(
    matrix: sp.spmatrix,
    weights: np.ndarray,
    groups: Sequence[Sequence[int]],
    covered: np.ndarray | None = None,
    *,
    solver: str = "auto",
    time_limit: float = SITING_TIME_LIMIT_S,
    mip_rel_gap: float = SITING_MIP_REL_GAP,
) -> Solution:
    """One new site in each group, exact where it fits; the greedy's answer carries a proven bound.

    The greedy's bound: the covered demand plus, for every group, the largest gain
    one of its candidates still adds (submodularity over a partition constraint).
    """
    if _use_ilp(solver, matrix, weights, covered):
        return ilp_one_per_group(matrix, weights, groups, covered, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    t0 = time.perf_counter()
    sol = greedy_one_per_group(matrix, weights, groups, covered)
    a, w, c = check_instance(matrix, weights, covered)
    left = np.where(c, 0.0, w)
    csc = a.tocsc()
    hit = np.asarray(csc[:, sol.sites].sum(axis=1)).ravel() > 0 if sol.n_sites else np.zeros(a.shape[0], bool)
    gains = np.asarray(csc.T @ np.where(hit, 0.0, left)).ravel()
    bound = sol.objective + float(sum(gains[np.asarray(list(g), dtype=np.int64)].max() for g in groups if len(g)))
    sol.bound = bound
    sol.gap = 0.0 if bound <= 0 else max(0.0, (bound - sol.objective) / bound)
    sol.seconds += time.perf_counter() - t0
    return sol.settle_status(mip_rel_gap)

