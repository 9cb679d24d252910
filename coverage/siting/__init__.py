"""Siting: propose new facility sites — most people covered, fewest sites, or least travel.

:func:`propose_sites` is the entry point (used by ``python -m coverage site``, the app and
``coverage.analysis``): the layer's reach, candidates (:mod:`coverage.candidates`), the
coverage matrix (and for p-median the capped travel costs, :mod:`~coverage.siting.costs`),
a solver and a :class:`SitingResult` (ranked WGS-84 sites, GeoJSON / CSV, with the method,
status, proven bound and optimality gap as codes and numbers).

Existing facilities are fixed (never moved or removed). Exact by default: ``solver="auto"``
solves the integer programme (HiGHS) wherever the instance fits, under
:data:`coverage.settings.SITING_TIME_LIMIT_S`, and the greedy only beyond; each greedy answer
carries a proven bound too. One rule for every solver's status: ``"optimal"`` exactly when the
proven gap is at most the stated tolerance (``mip_rel_gap``, default
:data:`coverage.settings.SITING_MIP_REL_GAP`; :meth:`Solution.settle_status`).

* :func:`solve_max_cover` — maximal coverage (MCLP), ``k`` new sites, optionally with site
  capacities (:func:`ilp_max_cover_capacitated`); :func:`greedy_max_cover` / :func:`ilp_max_cover`;
* :func:`solve_set_cover` — fewest sites reaching a coverage target (LSCP);
  :func:`greedy_set_cover` / :func:`ilp_set_cover` / :func:`ilp_set_cover_capacitated`;
* :func:`solve_pmedian` — p-median (least total travel), :func:`ilp_pmedian` /
  :func:`heuristic_pmedian`;
* :func:`solve_one_per_group` — one site in each town/county lacking one.
"""

from coverage.siting.demand import ReducedDemand, reduce_demand
from coverage.siting.solvers import (
    HEURISTIC_SOLVERS,
    SOLVERS,
    STATUSES,
    Solution,
    assign,
    check_k,
    check_time_limit,
    dual_bound,
    greedy_bound,
    greedy_max_cover,
    greedy_one_per_group,
    greedy_set_cover,
    ilp_max_cover,
    ilp_one_per_group,
    ilp_set_cover,
    rank_sites,
    remove_redundant,
    set_cover_bound,
)
from coverage.siting.capacitated import ilp_max_cover_capacitated, ilp_set_cover_capacitated
from coverage.siting.pmedian import (
    PMedianInstance,
    heuristic_pmedian,
    ilp_pmedian,
    lagrangian_bound,
    pmedian_instance,
    solve_pmedian,
)
from coverage.siting.dispatch import (
    SOLVER_CHOICES,
    fits_ilp,
    solve_max_cover,
    solve_one_per_group,
    solve_set_cover,
)
from coverage.siting.result import SITE_COLUMNS, SitingResult, format_cost
from coverage.siting.propose import OBJECTIVES, STEPS, lacking_units, propose_sites

__all__ = [
    "HEURISTIC_SOLVERS",
    "OBJECTIVES",
    "PMedianInstance",
    "ReducedDemand",
    "SITE_COLUMNS",
    "SOLVERS",
    "SOLVER_CHOICES",
    "STATUSES",
    "SitingResult",
    "Solution",
    "assign",
    "check_k",
    "check_time_limit",
    "dual_bound",
    "fits_ilp",
    "format_cost",
    "greedy_bound",
    "greedy_max_cover",
    "greedy_one_per_group",
    "greedy_set_cover",
    "heuristic_pmedian",
    "ilp_max_cover",
    "ilp_max_cover_capacitated",
    "ilp_one_per_group",
    "ilp_pmedian",
    "ilp_set_cover",
    "ilp_set_cover_capacitated",
    "lacking_units",
    "lagrangian_bound",
    "pmedian_instance",
    "propose_sites",
    "STEPS",
    "rank_sites",
    "reduce_demand",
    "remove_redundant",
    "set_cover_bound",
    "solve_max_cover",
    "solve_one_per_group",
    "solve_pmedian",
]
