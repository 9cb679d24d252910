"""Siting against PySAL spopt 0.7.0 on spopt's own published test instance.

spopt's wheel ships its test data (``spopt/tests/test_locate/data/``): 205 San Francisco
census tracts × 16 candidate stores with network distances and POP2000 weights. spopt's own
tests publish, for a 5,000 m service distance and 4 facilities, MCLP 89.756 % of tracts covered
and p-median mean distance 2,982.1268579890657 m. Here our solvers (the exact ILP, the default
``auto`` and the p-median heuristic with its proven bound) must reach spopt's objectives on the
same inputs — also with spopt's predefined facilities (``predefined_facilities_arr``), which our
solvers take as fixed existing facilities — and spopt's capacitated LSCP (``facility_capacity_arr``
with POP2000 demand quantities; spopt 0.7 has no capacitated MCLP, and our p-median takes no
capacity). Only the CSV files are read (never the pickles).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

spopt = pytest.importorskip("spopt")
pulp = pytest.importorskip("pulp")

from spopt.locate import LSCP, MCLP, PMedian  # noqa: E402

from coverage.siting import (  # noqa: E402
    heuristic_pmedian,
    ilp_max_cover,
    ilp_pmedian,
    ilp_set_cover,
    ilp_set_cover_capacitated,
    pmedian_instance,
    solve_max_cover,
    solve_pmedian,
    solve_set_cover,
)

DATA = Path(spopt.__file__).parent / "tests" / "test_locate" / "data"


@pytest.fixture(scope="module")
def sf():
    """spopt's real-world instance, prepared exactly as spopt's ``TestRealWorldLocate`` does."""
    dist = pd.read_csv(DATA / "SF_network_distance_candidateStore_16_censusTract_205_new.csv")
    cost = dist.pivot_table(values="distance", index="DestinationName", columns="name").to_numpy()
    demand = pd.read_csv(DATA / "SF_demand_205_centroid_uniform_weight.csv").sort_values(by=["NAME"])
    weights = demand["POP2000"].to_numpy().astype(float)
    return cost, weights


def _cbc():
    return pulp.PULP_CBC_CMD(msg=False)


def _covered_pop(cost, w, radius, sites) -> float:
    hit = (cost[:, list(sites)] <= radius).any(axis=1)
    return float(w[hit].sum())


def test_mclp_published_answer(sf):
    cost, w = sf
    a = sp.csr_matrix(cost <= 5000.0)
    sol = ilp_max_cover(a, w, 4)
    assert sol.status == "optimal" and sol.gap == 0
    hit = (cost[:, sol.sites] <= 5000.0).any(axis=1)
    # spopt's test_mixin_mclp_get_percentage / get_uncovered_clients
    assert 100 * hit.mean() == pytest.approx(89.75609756097561)
    assert int((~hit).sum()) == 21


@pytest.mark.parametrize("radius, p", [(3000.0, 2), (5000.0, 4), (7000.0, 2)])
def test_mclp_equals_spopt(sf, radius, p):
    cost, w = sf
    model = MCLP.from_cost_matrix(cost, w, radius, p).solve(_cbc(), results=False)
    chosen = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
    expected = _covered_pop(cost, w, radius, chosen)
    a = sp.csr_matrix(cost <= radius)
    for sol in (ilp_max_cover(a, w, p), solve_max_cover(a, w, p)):
        assert sol.objective == pytest.approx(expected, rel=1e-12)
        assert _covered_pop(cost, w, radius, sol.sites) == pytest.approx(expected, rel=1e-12)
        assert sol.status == "optimal"


@pytest.mark.parametrize("predefined, p", [([0, 5], 4), ([3], 3), ([2, 7, 11], 5)])
def test_mclp_with_predefined_facilities_equals_spopt(sf, predefined, p):
    cost, w = sf
    radius = 5000.0
    model = MCLP.from_cost_matrix(cost, w, radius, p, predefined_facilities_arr=np.array(predefined))
    model.solve(_cbc(), results=False)
    chosen = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
    assert set(predefined) <= set(chosen)
    expected = _covered_pop(cost, w, radius, chosen)
    covered = (cost[:, predefined] <= radius).any(axis=1)
    sol = solve_max_cover(sp.csr_matrix(cost <= radius), w, p - len(predefined), covered)
    assert float(w[covered].sum()) + sol.objective == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("radius", [5000.0, 6000.0, 8000.0])
def test_lscp_equals_spopt(sf, radius):
    cost, _ = sf
    model = LSCP.from_cost_matrix(cost, radius).solve(_cbc(), results=False)
    assert model.problem.status == pulp.LpStatusOptimal
    n_spopt = sum(1 for v in model.fac_vars if (v.value() or 0) > 0.5)
    a = sp.csr_matrix(cost <= radius)
    ones = np.ones(cost.shape[0])
    for sol in (ilp_set_cover(a, ones, cost.shape[0]), solve_set_cover(a, ones, cost.shape[0])):
        assert sol.n_sites == n_spopt
        assert (cost[:, sol.sites] <= radius).any(axis=1).all()
        assert sol.status == "optimal" and sol.bound == n_spopt


def _capacities(w: np.ndarray, kind: str) -> np.ndarray:
    """Site capacities as shares of the whole demand: uniform, or growing with the candidate index."""
    if kind == "uniform":
        return np.full(16, 0.2 * w.sum())
    return (0.1 + 0.02 * np.arange(16)) * w.sum()


@pytest.mark.parametrize("radius, kind", [(6000.0, "uniform"), (8000.0, "uniform"), (8000.0, "varying")])
def test_capacitated_lscp_equals_spopt(sf, radius, kind):
    """spopt's capacitated LSCP (every tract's POP2000 fully assigned, no site above its capacity)."""
    cost, w = sf
    cap = _capacities(w, kind)
    model = LSCP.from_cost_matrix(cost, radius, demand_quantity_arr=w, facility_capacity_arr=cap)
    model.solve(_cbc(), results=False)
    assert model.problem.status == pulp.LpStatusOptimal
    n_spopt = sum(1 for v in model.fac_vars if (v.value() or 0) > 0.5)
    uncapacitated = LSCP.from_cost_matrix(cost, radius).solve(_cbc(), results=False)
    assert n_spopt > sum(1 for v in uncapacitated.fac_vars if (v.value() or 0) > 0.5)  # the capacities bind
    a = sp.csr_matrix(cost <= radius)
    sol = ilp_set_cover_capacitated(a, w, w.sum(), cap)
    assert sol.n_sites == n_spopt and sol.status == "optimal" and sol.bound == n_spopt
    share = sol.extra["assignment"]  # tracts × chosen sites
    assert np.asarray(share.sum(axis=1)).ravel() == pytest.approx(np.ones(len(w)))
    assert np.all(np.asarray(share.T @ w).ravel() <= cap[sol.sites] * (1 + 1e-9))
    assert np.all((share.toarray() > 1e-12) <= (cost[:, sol.sites] <= radius))
    if kind == "uniform":
        auto = solve_set_cover(a, w, w.sum(), capacity=float(cap[0]))
        assert auto.n_sites == n_spopt


def test_lscp_infeasible_like_spopt(sf):
    cost, _ = sf
    with pytest.raises(RuntimeError, match="Infeasible"):
        LSCP.from_cost_matrix(cost, 3000.0).solve(_cbc(), results=False)
    with pytest.raises(ValueError, match="target unreachable"):
        solve_set_cover(sp.csr_matrix(cost <= 3000.0), np.ones(cost.shape[0]), cost.shape[0])


def test_pmedian_published_mean_distance(sf):
    cost, w = sf
    sol = ilp_pmedian(pmedian_instance(cost, w), 4)
    # spopt's test_mixin_mean_distance
    assert sol.objective / w.sum() == pytest.approx(2982.1268579890657, rel=1e-12)
    assert sol.status == "optimal" and sol.gap == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("p", [2, 5, 8])
def test_pmedian_equals_spopt(sf, p):
    cost, w = sf
    model = PMedian.from_cost_matrix(cost, w, p).solve(_cbc(), results=False)
    expected = model.problem.objective.value()
    inst = pmedian_instance(cost, w)
    exact = ilp_pmedian(inst, p)
    assert exact.objective == pytest.approx(expected, rel=1e-9)
    auto = solve_pmedian(inst, k=p)
    assert auto.objective == pytest.approx(expected, rel=1e-9)
    heur = heuristic_pmedian(inst, p, lp_bound=False)
    # the heuristic's Lagrangian bound is a true lower bound and its set is no worse than the bound says
    assert heur.bound <= expected * (1 + 1e-9)
    assert heur.objective >= expected * (1 - 1e-9)
    assert heur.objective * (1 - heur.gap) == pytest.approx(heur.bound, rel=1e-9)


@pytest.mark.parametrize("predefined, p", [([0, 5], 4), ([9], 3)])
def test_pmedian_with_predefined_facilities_equals_spopt(sf, predefined, p):
    cost, w = sf
    model = PMedian.from_cost_matrix(cost, w, p, predefined_facilities_arr=np.array(predefined))
    model.solve(_cbc(), results=False)
    expected = model.problem.objective.value()
    base = cost[:, predefined].min(axis=1)  # existing facilities are fixed: each tract's base cost
    sol = solve_pmedian(cost, w, p - len(predefined), base)
    assert sol.objective == pytest.approx(expected, rel=1e-9)
    assert sol.extra["base_total"] == pytest.approx(float(w @ base))
