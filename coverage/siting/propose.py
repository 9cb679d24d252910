"""Propose new facility sites for one layer of a region.

:func:`propose_sites` ties the pieces together: the layer's current reach
(:mod:`coverage.reach`; existing facilities stay fixed), candidate sites
(:mod:`coverage.candidates`), the sparse coverage matrix of the candidates
under every cell's own standard, a solver (:mod:`coverage.siting.solvers`) and
a :class:`~coverage.siting.result.SitingResult` with the ranked sites.

Three problems:

* ``k=K`` — maximal coverage (MCLP): ``K`` new sites covering the most people of
  the layer's served group not yet covered;
* ``target=RATE`` — set cover (LSCP): the fewest new sites lifting the served
  group's coverage rate to ``RATE``, with no redundant site;
* ``target="town"`` / ``"county"`` — one new site in every town / county that has
  no facility of the layer, each the best site inside its unit.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from pyproj import Transformer

import coverage
from coverage.candidates import CANDIDATE_COLUMNS, candidates_from_points, generate_candidates, locate_towns
from coverage.crs import PROJECTED, WGS84
from coverage.layers import SERVED_GROUPS, get_layer
from coverage.siting.result import SITE_COLUMNS, SitingResult
from coverage.siting.solvers import (
    Solution,
    assign,
    greedy_max_cover,
    greedy_one_per_group,
    greedy_set_cover,
    ilp_max_cover,
    ilp_one_per_group,
    ilp_set_cover,
)

if TYPE_CHECKING:  # pragma: no cover
    from coverage.network import RoadNetwork
    from coverage.region import Region
    from coverage.standards import Standard, StandardTable

__all__ = ["propose_sites", "lacking_units"]

_POP_COLUMNS = ("pop_total", "pop_60plus", "pop_0_17")
_SOLVERS = ("greedy", "ilp")
_UNIT_TARGETS = ("town", "county")


def lacking_units(region: "Region", layer_id: str, level: Literal["town", "county"]) -> list[str]:
    """Codes of the towns (``level="town"``) or districts (``"county"``) with no facility of ``layer_id``.

    A facility's unit is its ``town_code`` / ``district_code``; facilities without one
    are located in the town polygons. Units are listed in ``region.towns`` order.
    """
    if level not in _UNIT_TARGETS:
        raise ValueError(f"level must be 'town' or 'county'; got {level!r}")
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


def _standard_labels(standards: Any, layer_id: str, lang: str) -> dict[str, str]:
    from coverage.standards import AREA_TYPES, Standard, load_standards

    if standards is None:
        standards = load_standards()
    if isinstance(standards, Standard):
        return {"all": standards.label(lang)}
    out = {}
    for area in AREA_TYPES:
        try:
            out[area] = standards.get(layer_id, area).label(lang)
        except (ValueError, KeyError):
            continue
    return out


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
            raise ValueError(
                f"candidate table: row(s) {', '.join(str(i + 1) for i in outside[:10])} lie outside the "
                "city's towns"
            )
        if not isinstance(cand, gpd.GeoDataFrame) or cand.crs is None:
            lon, lat = Transformer.from_crs(PROJECTED, WGS84, always_xy=True).transform(xy[:, 0], xy[:, 1])
            cand = gpd.GeoDataFrame(pd.DataFrame(cand), geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
        return cand.to_crs(WGS84).reset_index(drop=True), "table"
    if isinstance(candidates, (str, os.PathLike, pd.DataFrame)):
        return candidates_from_points(region, candidates, layer_id), "user"
    raise ValueError(
        f"candidates must be None (generate), a file path or a (Geo)DataFrame; got {type(candidates).__name__}"
    )


def _validate(layer_id: str, k: Any, target: Any, solver: str, capacity: Any) -> tuple[str, Any]:
    get_layer(layer_id)
    if solver not in _SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(_SOLVERS)}; got {solver!r}")
    if (k is None) == (target is None):
        raise ValueError("give exactly one of k (number of new sites) or target (coverage rate, 'town' or 'county')")
    if k is not None:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer; got {k!r}")
        return "mclp", int(k)
    if isinstance(target, str):
        if target not in _UNIT_TARGETS:
            raise ValueError(f"target must be a rate in (0, 1], 'town' or 'county'; got {target!r}")
        if capacity is not None:
            raise ValueError("capacity is supported for k and rate targets, not for town/county siting")
        return f"one_per_{target}", target
    try:
        rate = float(target)
    except (TypeError, ValueError):
        raise ValueError(f"target must be a rate in (0, 1], 'town' or 'county'; got {target!r}") from None
    if not 0 < rate <= 1:
        raise ValueError(f"target rate must be in (0, 1] (e.g. 0.9 for 90%); got {target!r}")
    return "lscp", rate


def propose_sites(
    region: "Region",
    layer_id: str,
    k: int | None = None,
    target: float | str | None = None,
    candidates: "gpd.GeoDataFrame | pd.DataFrame | str | os.PathLike[str] | None" = None,
    solver: Literal["greedy", "ilp"] = "greedy",
    standards: "StandardTable | Standard | None" = None,
    time_limit: float = 30.0,
    *,
    capacity: float | None = None,
    network: "RoadNetwork | None" = None,
    method: Literal["auto", "network", "distance"] = "auto",
    random_state: int = 0,
    progress: bool = False,
) -> SitingResult:
    """Propose new sites for ``layer_id``; existing facilities are kept fixed.

    Parameters
    ----------
    region : Region
    layer_id : str
        A layer of :data:`coverage.layers.LAYERS`.
    k : int, optional
        Number of new sites (maximal coverage). Exclusive with ``target``.
    target : float or {"town", "county"}, optional
        A coverage rate of the served group to reach with the fewest new sites
        (set cover), or ``"town"`` / ``"county"``: one new site in each unit lacking
        a facility. Exclusive with ``k``.
    candidates : path, (Geo)DataFrame or None
        Candidate sites (see :func:`coverage.candidates.candidates_from_points`); None
        generates them from the uncovered demand
        (:func:`coverage.candidates.generate_candidates`).
    solver : {"greedy", "ilp"}
        Lazy greedy (+ 1-swap), or the exact integer programme under ``time_limit``.
    standards : StandardTable or Standard, optional
        Service standards (default ``data/standards.csv``).
    time_limit : float, default 30
        Seconds for the ILP solver.
    capacity : float, optional
        People one new site can serve (greedy only; not for town/county siting).
    network : RoadNetwork, optional
        Default ``region.network``; none: GB 50180 distance mode.
    method : {"auto", "network", "distance"}
        Force the reach method.
    random_state : int, default 0
        Seed for candidate generation.
    progress : bool, default False
        Show a tqdm progress bar over the steps.

    Returns
    -------
    SitingResult

    Raises
    ------
    ValueError
        On invalid parameters, candidates off land, or an unreachable target.
    """
    from tqdm.auto import tqdm

    from coverage.reach import ReachModel

    problem, arg = _validate(layer_id, k, target, solver, capacity)
    if capacity is not None and solver == "ilp":
        raise ValueError("capacity is supported by the greedy solver only; use solver='greedy'")
    layer = get_layer(layer_id)
    bar = tqdm(total=4, desc=f"siting {layer_id}", unit="step", disable=not progress, leave=False)
    try:
        bar.set_postfix_str("reach of existing facilities")
        model = ReachModel(region, layer_id, standards, network, method=method)
        reach = model.reach
        covered = np.asarray(reach.covered, dtype=bool)
        served = region.served(layer_id)
        bar.update(1)

        units: list[str] | None = None
        unit_level = "town"
        if problem.startswith("one_per_"):
            unit_level = arg
            units = lacking_units(region, layer_id, unit_level)
        bar.set_postfix_str("candidates")
        cand, cand_source = _resolve_candidates(
            region, layer_id, candidates, ~covered, units, unit_level, random_state
        )
        bar.update(1)

        bar.set_postfix_str(f"coverage matrix ({len(cand):,} candidates)")
        cand_xy = cand[["x", "y"]].to_numpy(float)
        matrix = model.coverage_matrix(cand_xy) if len(cand) else None
        bar.update(1)

        bar.set_postfix_str(f"{solver} solver")
        extra: dict[str, Any] = {}
        total = float(served.sum())
        before = float(served[covered].sum())
        if len(cand) == 0:
            sol = Solution(np.zeros(0, int), np.zeros(0), 0.0, math.nan, math.nan, solver, "no_candidates")
        elif problem == "mclp":
            if solver == "ilp":
                sol = ilp_max_cover(matrix, served, arg, covered, time_limit=time_limit)
            else:
                sol = greedy_max_cover(matrix, served, arg, covered, capacity=capacity)
        elif problem == "lscp":
            required = arg * total - before
            extra["required_new"] = max(0.0, required)
            if solver == "ilp":
                sol = ilp_set_cover(matrix, served, required, covered, time_limit=time_limit)
            else:
                sol = greedy_set_cover(matrix, served, required, covered, capacity=capacity)
        else:
            key = "town_code" if unit_level == "town" else "district_code"
            codes = cand[key].astype(str).to_numpy()
            groups, with_cand, without = [], [], []
            for u in units or []:
                members = np.flatnonzero(codes == u)
                (with_cand if members.size else without).append(u)
                if members.size:
                    groups.append(members)
            extra["units_lacking"] = list(units or [])
            extra["units_without_candidate"] = without
            if not groups:
                sol = Solution(np.zeros(0, int), np.zeros(0), 0.0, 0.0, 0.0, solver, "optimal")
            elif solver == "ilp":
                sol = ilp_one_per_group(matrix, served, groups, covered, time_limit=time_limit)
            else:
                sol = greedy_one_per_group(matrix, served, groups, covered)
        bar.update(1)
    finally:
        bar.close()

    sites = _site_table(region, layer_id, cand, matrix, sol, covered, served, capacity, before, total)
    after = before + float(sol.gains.sum())
    params: dict[str, Any] = {
        "layer": layer_id,
        "layer_zh": layer.zh,
        "layer_en": layer.en,
        "served_group": layer.served_column,
        "served_group_zh": SERVED_GROUPS[layer.served_column][0],
        "problem": problem,
        "k": arg if problem == "mclp" else None,
        "target": None if problem == "mclp" else arg,
        "solver": solver,
        "solver_used": sol.solver,
        "status": sol.status,
        "objective": float(sol.objective),
        "objective_unit": "people newly covered",
        "bound": None if math.isnan(sol.bound) else float(sol.bound),
        # Set cover bounds the number of sites; the other problems bound the people covered.
        "bound_unit": "sites (lower bound)" if problem == "lscp" else "people (upper bound)",
        "gap": None if math.isnan(sol.gap) else float(sol.gap),
        "solve_seconds": round(float(sol.seconds), 3),
        "time_limit_s": float(time_limit) if solver == "ilp" else None,
        "capacity": capacity,
        "standard": _standard_labels(standards, layer_id, "zh"),
        "standard_en": _standard_labels(standards, layer_id, "en"),
        "mode": reach.mode,
        "unit": reach.unit,
        "existing_facilities": int(len(region.facilities.get(layer_id, []))),
        "n_candidates": int(len(cand)),
        "candidate_source": cand_source,
        "served_total": int(round(total)),
        "covered_before": int(round(before)),
        "rate_before": before / total if total > 0 else 0.0,
        "rate_after": after / total if total > 0 else 0.0,
        "data_sources": region.provenance_for([layer_id]),
        "modelled_inputs": region.modelled_inputs([layer_id]),
        "provenance_note_zh": region.provenance_note("zh", layers=[layer_id]),
        "provenance_note_en": region.provenance_note("en", layers=[layer_id]),
        "coverage_version": coverage.__version__,
        **extra,
    }
    return SitingResult(sites=sites, params=params, candidates=cand)


def _site_table(
    region: "Region",
    layer_id: str,
    cand: gpd.GeoDataFrame,
    matrix,
    sol: Solution,
    covered: np.ndarray,
    served: np.ndarray,
    capacity: float | None,
    before: float,
    total: float,
) -> gpd.GeoDataFrame:
    chosen = cand.iloc[sol.sites].reset_index(drop=True) if sol.n_sites else cand.iloc[0:0].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "rank": np.arange(1, sol.n_sites + 1, dtype=np.int64),
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
    if sol.n_sites:
        frac = assign(matrix, sol.sites, covered, served, capacity)
        for col in _POP_COLUMNS:
            pop = region.population[col].to_numpy(float)
            out[f"new_covered_{col[4:]}"] = np.rint(np.asarray(frac.T @ pop).ravel()).astype(np.int64)
        cum = before + np.cumsum(np.asarray(frac.T @ served).ravel())
        out["cumulative_rate"] = np.round(cum / total, 6) if total > 0 else 0.0
    else:
        for col in _POP_COLUMNS:
            out[f"new_covered_{col[4:]}"] = np.zeros(0, dtype=np.int64)
        out["cumulative_rate"] = np.zeros(0)
    out = out[SITE_COLUMNS]
    return gpd.GeoDataFrame(out, geometry=chosen.geometry.to_numpy(), crs=cand.crs)
