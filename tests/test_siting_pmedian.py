"""p-median, capacitated maximal covering and the greedy's proven bounds, against brute force.

Every instance is small enough to enumerate every set of sites, so the optimum is known
independently of our solvers: the exact solvers must reach it, the heuristics must not beat
it, and every bound they report must lie on the right side of it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from coverage.siting import (
    greedy_max_cover,
    greedy_set_cover,
    heuristic_pmedian,
    ilp_max_cover_capacitated,
    ilp_pmedian,
    ilp_set_cover_capacitated,
    lagrangian_bound,
    pmedian_instance,
    solve_pmedian,
)


def _pmedian_instance(seed: int):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(8, 16)), int(rng.integers(4, 8))
    xy = rng.random((n, 2)) * 10
    cand = rng.random((m, 2)) * 10
    cost = np.hypot(*(xy[:, None, :] - cand[None, :, :]).transpose(2, 0, 1))
    w = rng.integers(0, 30, n).astype(float)
    base = np.minimum(np.hypot(*(xy - rng.random(2) * 10).T), 6.0)  # one existing facility, capped at 6
    return cost, w, base


def _brute_pmedian(cost, w, base, k):
    best = np.inf
    for s in itertools.combinations(range(cost.shape[1]), k):
        best = min(best, float(w @ np.minimum(base, cost[:, list(s)].min(axis=1))))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_pmedian_exact_and_heuristic_against_brute_force(seed):
    cost, w, base = _pmedian_instance(seed)
    k = 1 + seed % 3
    best = _brute_pmedian(cost, w, base, k)
    inst = pmedian_instance(cost, w, base)
    exact = ilp_pmedian(inst, k)
    assert exact.objective == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert exact.status == "optimal"
    # what the solution reports is what its sites really cost
    assert float(w @ np.minimum(base, cost[:, exact.sites].min(axis=1))) == pytest.approx(exact.objective)
    assert exact.extra["base_total"] == pytest.approx(float(w @ base))
    assert exact.gains.sum() == pytest.approx(float(w @ base) - exact.objective)
    heur = heuristic_pmedian(inst, k)
    assert heur.objective >= best - 1e-9
    assert heur.bound <= best + 1e-6
    assert lagrangian_bound(inst, k, heur.objective, heur.sites) <= best + 1e-6
    assert solve_pmedian(cost, w, k, base).objective == pytest.approx(best, rel=1e-9, abs=1e-9)


def test_pmedian_hand_example():
    # demand points on a line at 0, 10, 25 (weights 2, 1, 4); candidates at the same places
    pos = np.array([0.0, 10.0, 25.0])
    cost = np.abs(np.subtract.outer(pos, pos))
    w = np.array([2.0, 1.0, 4.0])
    one = ilp_pmedian(pmedian_instance(cost, w), 1)  # site 0: 110, site 1: 80, site 2: 50 + 15 = 65
    assert one.sites.tolist() == [2] and one.objective == 65.0
    two = ilp_pmedian(pmedian_instance(cost, w), 2)  # {0, 1}: 60, {0, 2}: 10, {1, 2}: 20
    assert sorted(two.sites.tolist()) == [0, 2] and two.objective == 10.0
    # ranked: site 2 first (no existing facility: its reduction from "unserved" is undefined), then
    # site 0 takes the point at 0 from 50 down to 0 and the point at 10 from 15 to 10: 2 * 25 + 5 = 55
    assert two.sites.tolist() == [2, 0] and np.isnan(two.gains[0]) and two.gains[1] == 55.0
    # an existing facility at 25 (base 50 + 15 + 0 = 65): one new site at 0 gives 10, at 10 gives 20
    fixed = solve_pmedian(cost, w, 1, base=cost[:, 2])
    assert fixed.sites.tolist() == [0] and fixed.objective == 10.0 and fixed.extra["base_total"] == 65.0


def test_pmedian_rejects_a_row_nobody_can_serve():
    cost = np.array([[np.inf, np.inf], [1.0, 2.0]])
    with pytest.raises(ValueError, match="no existing facility and no candidate"):
        pmedian_instance(cost, [1.0, 1.0])


def _served_lp(a, w, sites, cap):
    """Most demand ``sites`` with capacities can serve (fractional assignment), by linprog."""
    pairs = [(i, j) for j in sites for i in range(a.shape[0]) if a[i, j] and w[i] > 0]
    if not pairs:
        return 0.0
    rows = sorted({i for i, _ in pairs})
    a_ub = [[1.0 if pi == i else 0.0 for pi, _ in pairs] for i in rows]
    a_ub += [[w[pi] if pj == j else 0.0 for pi, pj in pairs] for j in sites]
    res = linprog([-w[i] for i, _ in pairs], A_ub=a_ub, b_ub=[1.0] * len(rows) + [cap[j] for j in sites],
                  bounds=(0, 1))  # fmt: skip
    return -res.fun


@pytest.mark.parametrize("seed", range(8))
def test_capacitated_max_cover_against_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    n, m, k = 12, 6, 1 + seed % 3
    a = rng.random((n, m)) < 0.35
    w = rng.integers(1, 20, n).astype(float)
    cap = rng.integers(5, 40, m).astype(float)
    covered = rng.random(n) < 0.2
    left = np.where(covered, 0.0, w)
    best = max(_served_lp(a, left, list(s), cap) for s in itertools.combinations(range(m), k))
    sol = ilp_max_cover_capacitated(sp.csr_matrix(a), w, k, cap, covered)
    assert sol.objective == pytest.approx(best, abs=1e-6)
    frac = sol.extra["assignment"]
    served_by_site = np.asarray(frac.T @ left).ravel()
    assert served_by_site.sum() == pytest.approx(best, abs=1e-6)
    assert np.all(served_by_site <= cap[sol.sites] + 1e-6)  # no site over its capacity
    assert np.all(np.asarray(frac.sum(axis=1)).ravel() <= 1 + 1e-9)  # no one served twice
    assert frac[covered].nnz == 0  # already covered people are not counted again
    assert np.all(a[frac.nonzero()[0], sol.sites[frac.nonzero()[1]]])  # only within the standard


def test_capacitated_set_cover_fewest_sites():
    # four cells of 10 people, each candidate covers all of them but serves at most 15
    a = sp.csr_matrix(np.ones((4, 3), dtype=bool))
    w = np.full(4, 10.0)
    sol = ilp_set_cover_capacitated(a, w, 25.0, 15.0)
    assert sol.n_sites == 2 and sol.status == "optimal" and sol.objective == pytest.approx(25.0, abs=1e-6)
    with pytest.raises(ValueError, match="unreachable"):
        ilp_set_cover_capacitated(a, w, 50.0, 15.0)  # 3 sites x 15 = 45 < 50


@pytest.mark.parametrize("seed", range(10))
def test_greedy_bounds_bracket_the_optimum(seed):
    rng = np.random.default_rng(200 + seed)
    n, m, k = int(rng.integers(8, 25)), int(rng.integers(4, 9)), 1 + seed % 3
    a = rng.random((n, m)) < 0.3
    w = rng.integers(0, 50, n).astype(float)
    best = max(float(w[a[:, list(s)].any(axis=1)].sum()) for s in itertools.combinations(range(m), k))
    g = greedy_max_cover(sp.csr_matrix(a), w, k)
    assert g.objective <= best + 1e-9 <= g.bound + 1e-9
    required = 0.6 * float(w[a.any(axis=1)].sum())
    fewest = next(size for size in range(m + 1) for s in itertools.combinations(range(m), size)
                  if float(w[a[:, list(s)].any(axis=1)].sum()) >= required - 1e-9)  # fmt: skip
    sc = greedy_set_cover(sp.csr_matrix(a), w, required)
    assert sc.bound <= fewest <= sc.n_sites


def _no_incumbent(milp):
    """A milp that behaves as if HiGHS hit its time limit before finding any solution."""

    def run(*args, **kwargs):
        res = milp(*args, **kwargs)
        res.x, res.fun, res.status, res.message = None, None, 1, "time limit reached"
        res.mip_dual_bound = None  # and without a proven bound
        return res

    return run


def test_capacitated_falls_back_to_the_greedy_past_the_time_limit(monkeypatch):
    from coverage.siting import capacitated

    rng = np.random.default_rng(3)
    a = sp.csr_matrix(rng.random((60, 12)) < 0.3)
    w = rng.integers(1, 30, 60).astype(float)
    covered = rng.random(60) < 0.1
    exact = ilp_max_cover_capacitated(a, w, 3, 40.0, covered)
    monkeypatch.setattr(capacitated, "milp", _no_incumbent(capacitated.milp))
    late = ilp_max_cover_capacitated(a, w, 3, 40.0, covered)
    assert late.solver == "ilp+greedy" and late.n_sites == 3
    assert late.objective <= exact.objective + 1e-9
    # the greedy's own bound (3 sites x 40 people) proves its 120 people optimal: the one rule for
    # "optimal" (gap within the tolerance) holds whatever stopped HiGHS
    assert late.objective == pytest.approx(120.0) and late.bound == pytest.approx(120.0)
    assert late.status == "optimal" and late.gap == 0
    assert np.all(np.asarray(late.extra["assignment"].T @ np.where(covered, 0, w)).ravel() <= 40 + 1e-9)


def test_pmedian_falls_back_to_the_heuristic_past_the_time_limit(monkeypatch):
    from coverage.siting import pmedian

    cost, w, base = _pmedian_instance(5)
    best = _brute_pmedian(cost, w, base, 2)
    monkeypatch.setattr(pmedian, "milp", _no_incumbent(pmedian.milp))
    late = ilp_pmedian(pmedian_instance(cost, w, base), 2)
    assert late.solver == "ilp+substitution" and late.status == "time_limit"
    assert late.objective >= best - 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_one_per_group_greedy_bound_and_auto_optimum(seed):
    from coverage.siting import solve_one_per_group

    rng = np.random.default_rng(300 + seed)
    n, m = 20, 8
    a = rng.random((n, m)) < 0.3
    w = rng.integers(0, 50, n).astype(float)
    groups = [[0, 1, 2], [3, 4], [5, 6, 7]]
    best = max(float(w[a[:, list(s)].any(axis=1)].sum()) for s in itertools.product(*groups))
    greedy = solve_one_per_group(sp.csr_matrix(a), w, groups, solver="greedy")
    assert greedy.objective <= best + 1e-9 <= greedy.bound + 1e-9
    exact = solve_one_per_group(sp.csr_matrix(a), w, groups)
    assert exact.objective == pytest.approx(best) and exact.status == "optimal"


@pytest.mark.parametrize("seed", [1, 4, 7])
def test_pmedian_stops_at_its_time_limit(seed):
    """Past the time limit the heuristic keeps the greedy's sites, says so, and the ILP is not started."""
    cost, w, base = _pmedian_instance(seed)
    k = 2
    best = _brute_pmedian(cost, w, base, k)
    inst = pmedian_instance(cost, w, base)
    all_open = float(w @ np.minimum(base, cost.min(axis=1)))
    assert all_open < best * (1 - 1e-3)  # the cheap bound alone cannot prove the greedy optimal
    for sol in (heuristic_pmedian(inst, k, time_limit=1e-9), solve_pmedian(inst, k=k, time_limit=1e-9)):
        assert sol.solver == "substitution" and sol.status == "time_limit" and sol.n_sites == k
        assert sol.objective >= best - 1e-9 and sol.bound <= best + 1e-9 and sol.gap > sol.tolerance
    forced = solve_pmedian(inst, k=k, solver="ilp", time_limit=1e-9)
    assert forced.solver == "ilp+substitution" and forced.status == "time_limit"
    assert "highs_message" not in forced.extra  # HiGHS never ran
    done = solve_pmedian(inst, k=k)
    assert done.status == "optimal" and done.gap <= done.tolerance
    assert done.objective == pytest.approx(best, rel=1e-9, abs=1e-9)


def test_optimal_means_within_the_tolerance():
    """One rule for every solver: "optimal" exactly when the proven gap is at most the tolerance."""
    cost, w, base = _pmedian_instance(3)
    inst = pmedian_instance(cost, w, base)
    for sol in (heuristic_pmedian(inst, 2), ilp_pmedian(inst, 2), solve_pmedian(inst, k=2)):
        assert (sol.status == "optimal") == (sol.gap <= sol.tolerance)
    cut = heuristic_pmedian(inst, 2, time_limit=1e-9)  # only the cheap bound: a real gap
    assert cut.status == "time_limit" and 1e-3 < cut.gap < 0.9
    loose = heuristic_pmedian(inst, 2, time_limit=1e-9, mip_rel_gap=min(0.99, 1.01 * cut.gap))
    assert loose.status == "optimal" and loose.gap == pytest.approx(cut.gap)  # whatever stopped the search
