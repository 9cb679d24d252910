"""Propose new facility sites for one layer of a region.

:func:`propose_sites` ties the pieces together: the layer's current reach
(:mod:`coverage.reach`; existing facilities stay fixed), candidate sites
(:mod:`coverage.candidates`), the sparse coverage matrix of the candidates
under every cell's own standard, a solver and a
:class:`~coverage.siting.result.SitingResult` with the ranked sites.

Objectives (:data:`OBJECTIVES`; inferred from ``k`` / ``target`` when not given):

* ``"mclp"`` (``k=K``) — maximal coverage: ``K`` new sites covering the most people of
  the layer's served group not yet covered; with ``capacity`` each site serves at most
  that many (maximal covering with capacities, exact ILP);
* ``"lscp"`` (``target=RATE``) — set cover: the fewest new sites lifting the served
  group's coverage rate to ``RATE`` (optionally capacitated);
* ``"pmedian"`` (``k=K``) — minimum travel: ``K`` new sites minimising the served group's
  total (equivalently mean) travel cost to the nearest facility, capped at
  :data:`~coverage.settings.SITING_PMEDIAN_COST_CAP_FACTOR` × the standard
  (:mod:`coverage.siting.costs`, :mod:`coverage.siting.pmedian`);
* ``"one_per_town"`` / ``"one_per_county"`` (``target="town"`` / ``"county"``) — one new
  site in every town / county that has no facility of the layer.

Exact by default (``solver="auto"``): the integer programme wherever the instance
fits (:mod:`coverage.siting.dispatch`, :mod:`coverage.siting.pmedian`), under
``time_limit`` seconds, the greedy only beyond; every result states its method,
status, proven bound and optimality gap (codes and numbers, never prose).
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any, Callable, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

import coverage
from coverage.candidates import CANDIDATE_COLUMNS, candidate_points, generate_candidates, locate_towns
from coverage.choices import OBJECTIVES
from coverage.crs import PROJECTED, WGS84
from coverage.errors import InputError
from coverage.layers import get_layer
from coverage.reach import ReachModel
from coverage.settings import SITING_PMEDIAN_COST_CAP_FACTOR, SITING_TIME_LIMIT_S
from coverage.siting.costs import TravelCosts, travel_costs
from coverage.siting.dispatch import SOLVER_CHOICES, solve_max_cover, solve_one_per_group, solve_set_cover
from coverage.siting.pmedian import pmedian_instance, solve_pmedian
from coverage.siting.result import SITE_COLUMNS, SitingResult
from coverage.siting.solvers import Solution, assign, check_k, check_time_limit

if TYPE_CHECKING:  # pragma: no cover
    from coverage.network import RoadNetwork
    from coverage.region import Region
    from coverage.standards import Standard, StandardTable

__all__ = ["OBJECTIVES", "STEPS", "lacking_units", "propose_sites"]

#: The steps :func:`propose_sites` reports to its ``progress`` callable, in order (then ``"done"``).
STEPS = ("reach", "candidates", "matrix", "solver")

_POP_COLUMNS = ("pop_total", "pop_60plus", "pop_0_17")
_UNIT_TARGETS = ("town", "county")


def lacking_units(region: "Region", layer_id: str, level: Literal["town", "county"]) -> list[str]:
    """Codes of the towns (``level="town"``) or districts (``"county"``) with no facility of ``layer_id``.

    A facility's unit is its ``town_code`` / ``district_code``; facilities without one
    are located in the town polygons. Units are listed in ``region.towns`` order.
    """
    if level not in _UNIT_TARGETS:
        raise InputError(f"level must be 'town' or 'county'; got {level!r}")
    key = "town_code" if level == "town" else "district_code"
    towns = region.towns.reset_index(drop=True)
    all_units = list(dict.fromkeys(towns[key].astype(str)))
    fac = region.facilities.get(layer_id)
    have: set[str] = set()
    if fac is not None and len(fac):
        codes = fac[key].astype(object).to_numpy() if key in fac.columns else np.full(len(fac), None)
        missing = np.array([c is None or (isinstance(c, float) and math.isnan(c)) or c == "" for c in codes])
        have |= {str(c) for c in codes[~missing]}
        if missing.any():
            rows = locate_towns(region, region.facility_xy(layer_id)[missing])
            have |= {str(towns[key].iloc[r]) for r in rows if r >= 0}
    return [u for u in all_units if u not in have]


def _standard_fields(model: ReachModel) -> dict[str, dict[str, Any]]:
    """The standard each area type was held to, as numbers and codes."""
    return {
        area: {"mode": std.mode, "minutes": float(std.minutes), "speed_kmh": float(std.speed_kmh),
               "distance_m": float(std.distance_m), "basis": str(getattr(std.basis, "value", std.basis))}
        for area, std in model.standards_by_area.items()
    }  # fmt: skip


def _resolve_candidates(
    region: "Region",
    layer_id: str,
    candidates: Any,
    uncovered: np.ndarray,
    units: list[str] | None,
    unit_level: str,
    random_state: int,
) -> tuple[gpd.GeoDataFrame, str]:
    if candidates is None:
        cand = generate_candidates(
            region, layer_id, uncovered, units=units, unit_level=unit_level, random_state=random_state
        )
        return cand, "generated"
    if isinstance(candidates, pd.DataFrame) and all(c in candidates.columns for c in CANDIDATE_COLUMNS):
        cand = candidates.copy()
        xy = cand[["x", "y"]].to_numpy(float)
        outside = np.flatnonzero(locate_towns(region, xy) < 0)
        if outside.size:
            raise InputError(
                f"candidate table: row(s) {', '.join(str(i + 1) for i in outside[:10])} lie outside the "
                "city's towns"
            )
        if not isinstance(cand, gpd.GeoDataFrame) or cand.crs is None:
            lon, lat = Transformer.from_crs(PROJECTED, WGS84, always_xy=True).transform(xy[:, 0], xy[:, 1])
            cand = gpd.GeoDataFrame(pd.DataFrame(cand), geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
        return cand.to_crs(WGS84).reset_index(drop=True), "table"
    if isinstance(candidates, (str, os.PathLike, pd.DataFrame)):
        return candidate_points(region, candidates, layer_id).table, "user"
    raise InputError(
        f"candidates must be None (generate), a file path or a (Geo)DataFrame; got {type(candidates).__name__}"
    )


def _check_rate(target: Any) -> float:
    try:
        rate = float(target)
    except (TypeError, ValueError):
        raise InputError(f"target must be a rate in (0, 1], 'town' or 'county'; got {target!r}") from None
    if not 0 < rate <= 1:
        raise InputError(f"target rate must be in (0, 1] (e.g. 0.9 for 90%); got {target!r}")
    return rate


def _validate(
    layer_id: str, k: Any, target: Any, solver: str, capacity: Any, objective: str | None, time_limit: Any
) -> tuple[str, Any]:
    """(objective code, its argument: k, rate or unit level)."""
    get_layer(layer_id)
    if solver not in SOLVER_CHOICES:
        raise InputError(f"solver must be one of {', '.join(SOLVER_CHOICES)}; got {solver!r}")
    check_time_limit(time_limit)
    if capacity is not None:
        try:
            cap_ok = math.isfinite(float(capacity)) and float(capacity) > 0
        except (TypeError, ValueError):
            cap_ok = False
        if not cap_ok:
            raise InputError(f"capacity must be a positive number of people per site; got {capacity!r}")
    if objective is None:
        if (k is None) == (target is None):
            raise InputError(
                "give exactly one of k (number of new sites) or target (coverage rate, 'town' or 'county')"
            )
        if k is not None:
            objective = "mclp"
        elif isinstance(target, str):
            if target not in _UNIT_TARGETS:
                raise InputError(f"target must be a rate in (0, 1], 'town' or 'county'; got {target!r}")
            objective = f"one_per_{target}"
        else:
            objective = "lscp"
    if objective not in OBJECTIVES:
        raise InputError(f"objective must be one of {', '.join(OBJECTIVES)}; got {objective!r}")
    if objective in ("mclp", "pmedian"):
        if target is not None:
            raise InputError(f"objective {objective!r} takes k (number of new sites), not target")
        if k is None:
            raise InputError(f"objective {objective!r} needs k (number of new sites)")
        if objective == "pmedian" and capacity is not None:
            raise InputError("capacity is supported for the mclp and lscp objectives, not for pmedian")
        return objective, check_k(k)
    if objective == "lscp":
        if k is not None or target is None or isinstance(target, str):
            raise InputError("objective 'lscp' needs target (a coverage rate in (0, 1]) and no k")
        return objective, _check_rate(target)
    level = objective[len("one_per_"):]
    if k is not None or (target is not None and target != level):
        raise InputError(f"objective {objective!r} takes neither k nor a rate target")
    if capacity is not None:
        raise InputError("capacity is supported for k and rate targets, not for town/county siting")
    return objective, level


def propose_sites(
    region: "Region",
    layer_id: str,
    k: int | None = None,
    target: float | str | None = None,
    candidates: "gpd.GeoDataFrame | pd.DataFrame | str | os.PathLike[str] | None" = None,
    solver: Literal["auto", "ilp", "greedy"] = "auto",
    standards: "StandardTable | Standard | None" = None,
    time_limit: float = SITING_TIME_LIMIT_S,
    *,
    objective: str | None = None,
    capacity: float | None = None,
    network: "RoadNetwork | None" = None,
    method: Literal["auto", "network", "distance"] = "auto",
    random_state: int = 0,
    progress: Callable[..., None] | None = None,
) -> SitingResult:
    """Propose new sites for ``layer_id``; existing facilities are kept fixed.

    Parameters
    ----------
    region : Region
    layer_id : str
        A layer of :data:`coverage.layers.LAYERS`.
    k : int, optional
        Number of new sites (objectives ``mclp`` and ``pmedian``).
    target : float or {"town", "county"}, optional
        A coverage rate of the served group to reach with the fewest new sites
        (``lscp``), or ``"town"`` / ``"county"``: one new site in each unit lacking
        a facility.
    candidates : path, (Geo)DataFrame or None
        Candidate sites (see :func:`coverage.candidates.candidate_points`); None
        generates them from the uncovered demand
        (:func:`coverage.candidates.generate_candidates`).
    solver : {"auto", "ilp", "greedy"}, default "auto"
        ``auto``: the exact integer programme wherever the instance fits, the greedy
        beyond (see :mod:`coverage.siting.dispatch`); ``ilp`` / ``greedy`` force one.
    standards : StandardTable or Standard, optional
        Service standards (default: the resolver's defaults).
    time_limit : float, default :data:`~coverage.settings.SITING_TIME_LIMIT_S`
        Seconds for the exact solver; past it the best answer found is returned with
        its proven bound.
    objective : {"mclp", "lscp", "pmedian", "one_per_town", "one_per_county"}, optional
        The problem (:data:`OBJECTIVES`); default inferred from ``k`` / ``target``.
    capacity : float, optional
        People one new site can serve (``mclp``: maximal covering with capacities;
        ``lscp``: capacitated set cover).
    network : RoadNetwork, optional
        Default ``region.network``; none: distance mode.
    method : {"auto", "network", "distance"}
        Force the reach method.
    random_state : int, default 0
        Seed for candidate generation.
    progress : callable, optional
        Called as each of the four steps starts, with its code (:data:`STEPS`) and the step's
        values as keywords (``"matrix"``: ``n``, the number of candidates), then once with
        ``"done"``: a caller draws the progress in its own words (the CLI: a bar worded from the
        catalogue's ``siting.step.<code>``).

    Returns
    -------
    SitingResult
        ``sites`` ranked, ``params`` with the objective, method (``solver_used``),
        ``status``, ``objective`` (people newly covered; for ``lscp`` the number of sites;
        for ``pmedian`` the total capped travel cost with the new sites, ``cost_unit`` s or
        m) with ``objective_unit``, the proven ``bound``, ``gap``, ``newly_covered`` people
        and the data provenance.

    Raises
    ------
    InputError
        On invalid parameters or candidates off land.
    UnreachableTargetError
        When a target cannot be reached with the candidates (a :class:`SitingError`).
    """
    problem, arg = _validate(layer_id, k, target, solver, capacity, objective, time_limit)
    layer = get_layer(layer_id)
    step = progress or (lambda code, **values: None)
    costs: TravelCosts | None = None
    step("reach")
    model = ReachModel(region, layer_id, standards, network, method=method)
    reach = model.reach
    covered = np.asarray(reach.covered, dtype=bool)
    served = region.served(layer_id)

    units: list[str] | None = None
    unit_level = "town"
    if problem.startswith("one_per_"):
        unit_level = arg
        units = lacking_units(region, layer_id, unit_level)
    step("candidates")
    cand, cand_source = _resolve_candidates(
        region, layer_id, candidates, ~covered, units, unit_level, random_state
    )

    step("matrix", n=len(cand))
    cand_xy = cand[["x", "y"]].to_numpy(float)
    matrix = model.coverage_matrix(cand_xy) if len(cand) else None
    if problem == "pmedian" and len(cand):
        costs = travel_costs(region, layer_id, model, cand_xy, network=network, method=method)

    step("solver")
    extra: dict[str, Any] = {}
    total = float(served.sum())
    before = float(served[covered].sum())
    opts = {"solver": solver, "time_limit": float(time_limit)}
    if len(cand) == 0:
        sol = Solution(np.zeros(0, int), np.zeros(0), 0.0, math.nan, math.nan, "greedy", "no_candidates")
    elif problem == "mclp":
        sol = solve_max_cover(matrix, served, arg, covered, capacity=capacity, **opts)
    elif problem == "lscp":
        required = arg * total - before
        extra["required_new"] = max(0.0, required)
        sol = solve_set_cover(matrix, served, required, covered, capacity=capacity, **opts)
    elif problem == "pmedian":
        inst = pmedian_instance(costs.matrix, served, costs.base)
        sol = solve_pmedian(inst, k=arg, **opts)
    else:
        key = "town_code" if unit_level == "town" else "district_code"
        codes = cand[key].astype(str).to_numpy()
        groups, without = [], []
        for u in units or []:
            members = np.flatnonzero(codes == u)
            if members.size:
                groups.append(members)
            else:
                without.append(u)
        extra["units_lacking"] = list(units or [])
        extra["units_without_candidate"] = without
        if not groups:
            sol = Solution(np.zeros(0, int), np.zeros(0), 0.0, 0.0, 0.0, "ilp", "optimal")
        else:
            sol = solve_one_per_group(matrix, served, groups, covered, **opts)
    step("done")

    sites, newly = _site_table(region, layer_id, problem, cand, matrix, sol, covered, served, capacity, before,
                               total, costs)  # fmt: skip
    after = before + newly
    params: dict[str, Any] = {
        "layer": layer_id,
        "served_group": layer.served_column,
        "problem": problem,
        "k": arg if problem in ("mclp", "pmedian") else None,
        "target": arg if problem in ("lscp", "one_per_town", "one_per_county") else None,
        "solver": solver,
        "solver_used": sol.solver,
        "status": sol.status,
        # what the problem optimises: people newly covered (mclp, one per unit), sites (lscp) or the
        # served group's total capped travel (pmedian)
        "objective": float(sol.n_sites) if problem == "lscp" else float(sol.objective),
        "objective_unit": "sites" if problem == "lscp" else (costs.unit if costs is not None else "people"),
        "objective_sense": "min" if problem in ("pmedian", "lscp") else "max",
        "bound": None if math.isnan(sol.bound) else float(sol.bound),
        # Set cover bounds the number of sites from below; p-median the travel cost from below;
        # the coverage problems the people covered from above.
        "bound_unit": "sites" if problem == "lscp" else (costs.unit if costs is not None else "people"),
        "bound_kind": "upper" if problem in ("mclp", "one_per_town", "one_per_county") else "lower",
        "gap": None if math.isnan(sol.gap) else float(sol.gap),
        "tolerance": float(sol.tolerance),
        "solve_seconds": round(float(sol.seconds), 3),
        "time_limit_s": float(time_limit),
        "capacity": None if capacity is None else float(capacity),
        "standard": _standard_fields(model),
        "mode": reach.mode,
        "unit": reach.unit,
        "existing_facilities": int(len(region.facilities.get(layer_id, []))),
        "n_candidates": int(len(cand)),
        "candidate_source": cand_source,
        "served_total": int(round(total)),
        "covered_before": int(round(before)),
        "newly_covered": int(round(newly)),
        "rate_before": before / total if total > 0 else 0.0,
        "rate_after": after / total if total > 0 else 0.0,
        "data_sources": region.provenance_for([layer_id]),
        "modelled_inputs": region.modelled_inputs([layer_id]),
        "coverage_version": coverage.__version__,
        **extra,
    }
    if costs is not None:
        weight = max(total, 1e-300)
        base_total = float(np.sum(served * costs.base))
        params.update({
            "cost_unit": costs.unit,
            "cost_cap_factor": costs.cap_factor,
            "mean_cost_before": base_total / weight if total > 0 else None,
            "mean_cost_after": float(sol.objective) / weight if total > 0 and math.isfinite(sol.objective) else None,
        })  # fmt: skip
    return SitingResult(sites=sites, params=params, candidates=cand)


def _site_table(
    region: "Region",
    layer_id: str,
    problem: str,
    cand: gpd.GeoDataFrame,
    matrix,
    sol: Solution,
    covered: np.ndarray,
    served: np.ndarray,
    capacity: float | None,
    before: float,
    total: float,
    costs: TravelCosts | None,
) -> tuple[gpd.GeoDataFrame, float]:
    """The ranked site table and the served people the new sites newly cover."""
    chosen = cand.iloc[sol.sites].reset_index(drop=True) if sol.n_sites else cand.iloc[0:0].reset_index(drop=True)
    n = sol.n_sites
    out = pd.DataFrame(
        {
            "rank": np.arange(1, n + 1, dtype=np.int64),
            "layer": layer_id,
            "candidate_id": chosen["candidate_id"].astype(str).to_numpy(),
            "source": chosen["source"].to_numpy(),
            "name": chosen["name"].to_numpy() if "name" in chosen.columns else None,
            "town_code": chosen["town_code"].to_numpy(),
            "town_zh": chosen["town_zh"].to_numpy(),
            "district_code": chosen["district_code"].to_numpy(),
            "district_zh": chosen["district_zh"].to_numpy(),
        }
    )
    newly_total = 0.0
    if n:
        # share of each cell's demand each site newly serves (cells × sites, ranking order)
        frac = sol.extra.get("assignment")
        if frac is None:
            frac = assign(matrix, sol.sites, covered, served, capacity)
        for col in _POP_COLUMNS:
            pop = region.population[col].to_numpy(float)
            out[f"new_covered_{col[4:]}"] = np.rint(np.asarray(frac.T @ pop).ravel()).astype(np.int64)
        per_site = np.asarray(frac.T @ served).ravel()
        newly_total = float(per_site.sum())
        cum = before + np.cumsum(per_site)
        out["cumulative_rate"] = np.round(cum / total, 6) if total > 0 else 0.0
    else:
        for col in _POP_COLUMNS:
            out[f"new_covered_{col[4:]}"] = np.zeros(0, dtype=np.int64)
        out["cumulative_rate"] = np.zeros(0)
    if costs is not None and n:
        base_total = float(np.sum(served * costs.base))
        out["travel_saved"] = np.round(sol.gains, 3)
        out["cumulative_mean_travel"] = np.round((base_total - np.cumsum(sol.gains)) / max(total, 1e-300), 3)
        out["travel_unit"] = costs.unit
    else:
        out["travel_saved"] = np.full(n, np.nan)
        out["cumulative_mean_travel"] = np.full(n, np.nan)
        out["travel_unit"] = None
    out["problem"] = problem
    out["method"] = sol.solver
    out["status"] = sol.status
    out["gap"] = None if math.isnan(sol.gap) else float(sol.gap)
    out["bound"] = None if math.isnan(sol.bound) else float(sol.bound)
    out = out[SITE_COLUMNS]
    return gpd.GeoDataFrame(out, geometry=chosen.geometry.to_numpy(), crs=cand.crs), newly_total
