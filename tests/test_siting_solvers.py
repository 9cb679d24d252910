"""Siting solvers on hand-made and brute-forced coverage matrices."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp

from coverage.siting.demand import reduce_demand
from coverage.siting.solvers import (
    assign,
    greedy_max_cover,
    greedy_one_per_group,
    greedy_set_cover,
    ilp_max_cover,
    ilp_one_per_group,
    ilp_set_cover,
    rank_sites,
    remove_redundant,
)


def _matrix(rows: list[list[int]], n_cand: int) -> sp.csr_matrix:
    dense = np.zeros((len(rows), n_cand), dtype=bool)
    for i, cols in enumerate(rows):
        dense[i, cols] = True
    return sp.csr_matrix(dense)


def _value(a: sp.csr_matrix, w: np.ndarray, sites, covered=None) -> float:
    """Demand newly covered by ``sites``, computed independently of the solvers."""
    sites = list(sites)
    if not sites:
        return 0.0
    hit = np.asarray(a.toarray()[:, sites].any(axis=1)).ravel()
    if covered is not None:
        hit &= ~covered
    return float(w[hit].sum())


# A greedy trap: site 0 covers the two heavy cells, sites 1 and 2 cover the rest.
#   cell weights       5      5     4     4
TRAP = _matrix([[0, 1], [0, 2], [1], [2]], 3)
TRAP_W = np.array([5.0, 5.0, 4.0, 4.0])


def _random_instance(seed: int):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(6, 30)), int(rng.integers(3, 9))
    a = sp.csr_matrix(rng.random((n, m)) < 0.3)
    w = rng.integers(0, 60, n).astype(float)
    covered = rng.random(n) < 0.2
    return a, w, covered


# --------------------------------------------------------------------------- hand-made answers


def test_greedy_hand_example():
    # cells: c0 (10) by {0}; c1 (5) by {0,1}; c2 (8) by {1,2}; c3 (3) by {2}; c4 (7) by {3}
    a = _matrix([[0], [0, 1], [1, 2], [2], [3]], 4)
    w = np.array([10.0, 5.0, 8.0, 3.0, 7.0])
    sol = greedy_max_cover(a, w, 2)
    # site 0 adds 15; then site 2 adds 8 + 3 = 11 (site 1 only 8, site 3 only 7)
    assert sol.sites.tolist() == [0, 2]
    assert sol.gains.tolist() == [15.0, 11.0]
    assert sol.objective == 26.0
    # submodular bound, smallest over the prefixes: {} 0 + 15 + 13 = 28; {0} 15 + 11 + 8 = 34;
    # {0, 2} 26 + 7 + 0 = 33 (the optimum, 26, lies below it)
    assert sol.bound == 28.0 and sol.gap == pytest.approx(2 / 28)


def test_ilp_beats_plain_greedy_on_trap_and_proves_optimum():
    greedy = greedy_max_cover(TRAP, TRAP_W, 2, swap=False)
    assert greedy.objective == 14.0  # 10 for site 0, then 4
    assert greedy.sites.tolist() == [0, 1]
    ilp = ilp_max_cover(TRAP, TRAP_W, 2)
    assert sorted(ilp.sites.tolist()) == [1, 2]
    assert ilp.objective == 18.0
    assert ilp.status == "optimal"
    assert ilp.bound == pytest.approx(18.0)
    assert ilp.gap == pytest.approx(0.0, abs=1e-9)
    assert ilp.gains.tolist() == [9.0, 9.0]


def test_swap_pass_escapes_the_trap():
    sol = greedy_max_cover(TRAP, TRAP_W, 2)  # swap=True by default
    assert sorted(sol.sites.tolist()) == [1, 2]
    assert sol.gains.tolist() == [9.0, 9.0]


def test_existing_coverage_is_never_counted_again():
    covered = np.array([True, True, False, False])  # the two heavy cells are already served
    sol = greedy_max_cover(TRAP, TRAP_W, 1, covered=covered)
    assert sol.objective == 4.0
    assert ilp_max_cover(TRAP, TRAP_W, 2, covered=covered).objective == 8.0


def test_greedy_stops_when_nothing_left_to_cover():
    a = _matrix([[0], [1]], 3)
    sol = greedy_max_cover(a, np.array([3.0, 4.0]), 3)
    assert sol.sites.tolist() == [1, 0]
    assert sol.status == "exhausted"


def test_capacity_limits_each_site_and_splits_cells_proportionally():
    a = _matrix([[0], [0], [1]], 2)
    w = np.array([100.0, 50.0, 30.0])
    sol = greedy_max_cover(a, w, 2, capacity=60)
    assert sol.sites.tolist() == [0, 1]
    assert sol.gains.tolist() == [60.0, 30.0]
    frac = assign(a, sol.sites, weights=w, capacity=60).toarray()
    np.testing.assert_allclose(frac[:, 0], [0.4, 0.4, 0.0])
    np.testing.assert_allclose(frac[:, 1], [0.0, 0.0, 1.0])


def test_reduce_demand_merges_identical_rows_and_drops_useless_ones():
    a = _matrix([[0, 2], [2, 0], [1], [], [0, 2], [1]], 3)
    w = np.array([1.0, 2.0, 3.0, 9.0, 0.0, 4.0])
    covered = np.array([False, False, False, False, False, True])
    red = reduce_demand(a, w, covered)
    # row 3 reaches nothing, row 4 has no demand, row 5 is covered; rows 0 and 1 merge
    assert red.matrix.shape == (2, 3)
    sets = {tuple(red.matrix[i].indices.tolist()): red.weights[i] for i in range(2)}
    assert sets == {(0, 2): 3.0, (1,): 3.0}
    assert sorted(red.rows.tolist()) == [0, 1, 2]


def test_one_per_group_greedy_and_ilp():
    # Two towns: town A may use candidates 0 or 1, town B 2 or 3.
    # cells: x (6) by {0, 2}; y (5) by {1}; z (4) by {3}
    a = _matrix([[0, 2], [1], [3]], 4)
    w = np.array([6.0, 5.0, 4.0])
    greedy = greedy_one_per_group(a, w, [[0, 1], [2, 3]])
    assert greedy.sites.tolist() == [0, 3]  # 6 first, then town B: site 2 adds 0, site 3 adds 4
    assert greedy.objective == 10.0
    ilp = ilp_one_per_group(a, w, [[0, 1], [2, 3]])
    assert sorted(ilp.sites.tolist()) == [1, 2]
    assert ilp.objective == 11.0
    assert sorted(ilp.extra["group"].tolist()) == [0, 1]


def test_one_per_group_picks_a_site_even_when_nothing_is_gained():
    a = _matrix([[0]], 3)
    sol = greedy_one_per_group(a, np.array([5.0]), [[0], [2, 1]])
    assert sol.sites.tolist() == [0, 1]  # nothing to gain in group 1: its lowest index
    assert sol.gains.tolist() == [5.0, 0.0]


# --------------------------------------------------------------------------- brute force


@pytest.mark.parametrize("seed", range(12))
def test_ilp_matches_brute_force(seed):
    a, w, covered = _random_instance(seed)
    m = a.shape[1]
    for k in (1, 2, 3):
        best = max(_value(a, w, s, covered) for s in itertools.combinations(range(m), min(k, m)))
        sol = ilp_max_cover(a, w, k, covered=covered, time_limit=10)
        assert sol.objective == pytest.approx(best)
        assert _value(a, w, sol.sites, covered) == pytest.approx(best)
        assert sol.n_sites <= k


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("swap", [False, True])
def test_greedy_reports_exactly_what_it_covers(seed, swap):
    a, w, covered = _random_instance(seed)
    sol = greedy_max_cover(a, w, 4, covered=covered, swap=swap)
    # recompute each site's marginal gain from the matrix in ranking order
    running = []
    for r in range(1, sol.n_sites + 1):
        running.append(_value(a, w, sol.sites[:r], covered))
    marginal = np.diff([0.0, *running])
    np.testing.assert_allclose(sol.gains, marginal)
    assert sol.objective == pytest.approx(_value(a, w, sol.sites, covered))
    # ranking is non-increasing
    assert np.all(np.diff(sol.gains) <= 1e-9)
    # assign() agrees with the independent recomputation
    frac = assign(a, sol.sites, covered)
    np.testing.assert_allclose(frac.T @ w, marginal)


@pytest.mark.parametrize("seed", range(12))
def test_set_cover_reaches_target_without_redundant_site(seed):
    a, w, covered = _random_instance(seed)
    m = a.shape[1]
    reachable = _value(a, w, range(m), covered)
    required = 0.8 * reachable
    best_n = min(
        r for r in range(m + 1) for s in itertools.combinations(range(m), r) if _value(a, w, s, covered) >= required
    )
    for sol in (greedy_set_cover(a, w, required, covered), ilp_set_cover(a, w, required, covered, time_limit=10)):
        sites = sol.sites.tolist()
        assert _value(a, w, sites, covered) >= required - 1e-9
        for drop in range(len(sites)):
            assert _value(a, w, sites[:drop] + sites[drop + 1 :], covered) < required
        assert np.all(np.diff(sol.gains) <= 1e-9)
    assert ilp_set_cover(a, w, required, covered, time_limit=10).n_sites == best_n


def test_set_cover_unreachable_target_raises():
    with pytest.raises(ValueError, match="unreachable"):
        greedy_set_cover(TRAP, TRAP_W, 100.0)
    with pytest.raises(ValueError, match="unreachable"):
        ilp_set_cover(TRAP, TRAP_W, 100.0)


def test_set_cover_zero_requirement_needs_no_site():
    assert greedy_set_cover(TRAP, TRAP_W, 0.0).n_sites == 0


def test_remove_redundant_drops_only_redundant_sites():
    # site 0 covers everything site 1 covers, plus more
    a = _matrix([[0, 1], [0], [2]], 3)
    w = np.array([4.0, 3.0, 2.0])
    kept = remove_redundant(a, w, [1, 0, 2], required=7.0)
    assert kept.tolist() == [0]
    kept = remove_redundant(a, w, [1, 0, 2], required=9.0)
    assert kept.tolist() == [0, 2]


def test_rank_sites_orders_by_marginal_gain():
    order, gains = rank_sites(TRAP, TRAP_W, [2, 1, 0])
    assert order.tolist() == [0, 1, 2]
    assert gains.tolist() == [10.0, 4.0, 4.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k": 0}, "k must be a positive integer"),
        ({"k": 1.5}, "k must be a positive integer"),
        ({"k": 1, "capacity": -3}, "capacity must be a positive"),
    ],
)
def test_invalid_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        greedy_max_cover(TRAP, TRAP_W, **kwargs)


def test_shape_and_weight_validation():
    with pytest.raises(ValueError, match="weights has 3 values"):
        greedy_max_cover(TRAP, TRAP_W[:3], 1)
    with pytest.raises(ValueError, match="row 1"):
        greedy_max_cover(TRAP, np.array([1.0, -2.0, 1.0, 1.0]), 1)
    with pytest.raises(ValueError, match="time_limit"):
        ilp_max_cover(TRAP, TRAP_W, 2, time_limit=0)


@pytest.mark.parametrize("seed", range(10))
def test_one_per_group_ilp_matches_brute_force(seed):
    a, w, covered = _random_instance(seed)
    m = a.shape[1]
    rng = np.random.default_rng(100 + seed)
    labels = rng.integers(0, 3, m)
    groups = [np.flatnonzero(labels == g) for g in range(3) if np.any(labels == g)]
    best = max(_value(a, w, choice, covered) for choice in itertools.product(*groups))
    sol = ilp_one_per_group(a, w, groups, covered, time_limit=10)
    assert sol.objective == pytest.approx(best)
    assert sorted(labels[sol.sites].tolist()) == sorted(labels[[g[0] for g in groups]].tolist())
    greedy = greedy_one_per_group(a, w, groups, covered)
    assert greedy.objective <= best + 1e-9
    assert greedy.objective == pytest.approx(_value(a, w, greedy.sites, covered))


def test_undominated_columns():
    from coverage.siting.demand import undominated_columns

    # col 0 ⊂ col 1; col 2 == col 3 (keep the lower); col 4 empty
    a = _matrix([[0, 1], [1], [2, 3], [1, 2, 3]], 5)
    assert undominated_columns(a).tolist() == [1, 2]
    # within groups {0, 4} and {1, 2, 3}: col 0 survives (its dominator is in another group)
    group = np.array([0, 1, 1, 1, 0])
    assert undominated_columns(a, group).tolist() == [0, 1, 2, 4]


def test_set_cover_ilp_prefers_more_coverage_at_the_same_count():
    # one site suffices for 5 people; site 1 covers 8, site 0 only 5
    a = _matrix([[0], [1], [1]], 2)
    w = np.array([5.0, 5.0, 3.0])
    sol = ilp_set_cover(a, w, 5.0)
    assert sol.sites.tolist() == [1] and sol.status == "optimal" and sol.bound == 1.0
