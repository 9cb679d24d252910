"""Siting: propose new facility sites that cover the most uncovered people.

:func:`propose_sites` is the entry point (used by ``python -m coverage site`` and
the app): the layer's reach, candidates (:mod:`coverage.candidates`), the
coverage matrix, a solver and a :class:`SitingResult` (ranked WGS-84 sites,
GeoJSON / CSV). Modules: :mod:`~coverage.siting.demand` (matrix normalisation,
demand reduction, candidate dominance), :mod:`~coverage.siting.solvers`,
:mod:`~coverage.siting.propose`, :mod:`~coverage.siting.result`.

Existing facilities are fixed (never moved or removed). The solvers work on a
sparse coverage matrix (demand cells × candidate sites):

* :func:`greedy_max_cover` / :func:`ilp_max_cover` — maximal coverage (MCLP), ``k`` new sites;
* :func:`greedy_set_cover` / :func:`ilp_set_cover` — fewest sites reaching a coverage target (LSCP);
* :func:`greedy_one_per_group` / :func:`ilp_one_per_group` — one site in each town/county lacking one.
"""

from coverage.siting.demand import ReducedDemand, reduce_demand
from coverage.siting.solvers import (
    Solution,
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

__all__ = [
    "ReducedDemand",
    "Solution",
    "assign",
    "greedy_max_cover",
    "greedy_one_per_group",
    "greedy_set_cover",
    "ilp_max_cover",
    "ilp_one_per_group",
    "ilp_set_cover",
    "rank_sites",
    "reduce_demand",
    "remove_redundant",
]

from coverage.siting.result import SITE_COLUMNS, SitingResult  # noqa: E402
from coverage.siting.propose import lacking_units, propose_sites  # noqa: E402

__all__ += ["SITE_COLUMNS", "SitingResult", "lacking_units", "propose_sites"]
