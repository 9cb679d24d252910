"""Equity of a layer's service: who is served as well as whom.

Per layer, :func:`equity` puts side by side, for 街道 (``urban``) and 镇 (``rural``) cells, for every
district and for the city:

* population coverage (share of the served group within the standard, 0-1);
* the share of the served group **beyond the standard** and **beyond twice the standard** (the
  standard's limits times :data:`coverage.settings.EQUITY_FAR_FACTOR`, network time or distance as the
  coverage uses);
* accessibility (:mod:`coverage.access`, capacity per 1,000 served people within reach; a layer with no
  capacity column counts facilities);

and, over every served person, the **Gini** and **Theil** indices of accessibility
(:func:`gini`, :func:`theil`, people-weighted), and the worst-served towns
(:data:`coverage.settings.EQUITY_WORST_SHARE` of the towns with served people, ranked by coverage, then
accessibility). Results are numbers and codes; the CLI and the app render them through
:mod:`coverage.i18n`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from coverage import settings
from coverage.access import (
    COUNT_CAPACITY,
    AccessMethod,
    AccessResult,
    accessibility,
    resolve_capacity,
)
from coverage.errors import CapacityError
from coverage.layers import get_layer
from coverage.reach import CellReach, compute_reach
from coverage.standards import AREA_TYPES, Standard, StandardTable, load_standards

if TYPE_CHECKING:  # pragma: no cover
    from coverage.network import RoadNetwork
    from coverage.region import Region

__all__ = ["EquityResult", "equity", "equity_capacity", "gini", "theil", "scaled_standards"]


def _weighted(values: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, float, float] | None:
    """Values and weights with zero-weight entries dropped, the total weight and the weighted mean;
    ``None`` when the total weight or the mean is not positive (the index is then undefined)."""
    x = np.asarray(values, dtype=float).ravel()
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    keep = w > 0
    x, w = x[keep], w[keep]
    total = float(w.sum())
    if total <= 0:
        return None
    mu = float((w * x).sum() / total)
    if mu <= 0:
        return None
    return x, w, total, mu


def gini(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Gini index of ``values`` (≥ 0) over ``weights`` (people): 0 = equal, → 1 = one holds everything.

    ``G = Σ_i Σ_j w_i w_j |x_i - x_j| / (2 W² μ)``; NaN when the weights or the mean are zero.
    """
    prepared = _weighted(values, weights)
    if prepared is None:
        return float("nan")
    x, w, total, mu = prepared
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    below = np.cumsum(w) - w
    above = total - below - w
    return float(2 * (w * x * (below - above)).sum() / (2 * total * total * mu))


def theil(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Theil T index of ``values`` (≥ 0) over ``weights``: ``Σ w (x/μ) ln(x/μ) / W`` (0 ln 0 = 0)."""
    prepared = _weighted(values, weights)
    if prepared is None:
        return float("nan")
    x, w, total, mu = prepared
    s = x / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(s > 0, s * np.log(s), 0.0)
    return float((w * terms).sum() / total)


def scaled_standards(
    standards: StandardTable | Standard | None, layer_id: str, factor: float
) -> StandardTable | Standard:
    """The layer's standards with time and distance limits multiplied by ``factor`` (speeds unchanged)."""

    def scale(std: Standard) -> Standard:
        walk = None if std.walk_distance_m is None else std.walk_distance_m * factor
        return std.replace(minutes=std.minutes * factor, distance_m=std.distance_m * factor, walk_distance_m=walk)

    if isinstance(standards, Standard):
        return scale(standards)
    table = load_standards() if standards is None else standards
    for area in AREA_TYPES:
        table = table.with_override(layer_id, scale(table.get(layer_id, area)), area_type=area)
    return table


def equity_capacity(facilities: pd.DataFrame | None, capacity: str | None, layer_id: str) -> str:
    """The capacity equity measures accessibility by: ``capacity`` if given (it must hold values), else
    the layer's first filled capacity column, else :data:`coverage.access.COUNT_CAPACITY` (facilities).

    Raises
    ------
    CapacityError
        A named ``capacity`` column is absent or empty.
    """
    try:
        return resolve_capacity(facilities, capacity, layer_id)
    except CapacityError:
        if capacity is not None:
            raise
        return COUNT_CAPACITY


@dataclass(frozen=True, eq=False)
class EquityResult:
    """Equity figures of one layer.

    Attributes
    ----------
    layer : str
    groups : DataFrame
        One row per group: ``group_kind`` (``area_type`` | ``district`` | ``city``), ``group`` (``urban`` /
        ``rural``, a district code, or ``city``), ``district_zh``, ``served``, ``covered``,
        ``coverage_rate`` (0-1), ``share_beyond_standard``, ``share_beyond_2x_standard`` (0-1 of the
        served group), ``value_column`` (people-weighted mean accessibility), ``gini_access``.
    worst_towns : DataFrame
        The worst-served towns: ``rank, town_code, town_zh, district_code, district_zh, area_type, served,
        covered, coverage_rate, share_beyond_2x_standard`` and ``value_column``.
    gini, theil : float
        Of accessibility over every served person (those without any facility in reach count 0).
    gini_covered : float
        Gini over the people with a facility in reach only.
    access : AccessResult
        The accessibility the figures use (its ``method``, ``capacity``, ``standard``, ``cost_mode``).
    value_column : str
    standard : dict of area type to Standard
    far_factor : float
        "Twice the standard" factor used.
    cost_mode : {"network", "distance"}
    provenance : dict
    """

    layer: str
    groups: pd.DataFrame
    worst_towns: pd.DataFrame
    gini: float
    theil: float
    gini_covered: float
    access: AccessResult
    value_column: str
    standard: dict[str, Standard]
    far_factor: float
    cost_mode: str
    provenance: dict[str, str]


def equity(
    region: "Region",
    layer_id: str,
    standards: StandardTable | Standard | None = None,
    network: "RoadNetwork | None" = None,
    *,
    method: AccessMethod | str = AccessMethod.TWO_STEP,
    capacity: str | None = None,
    worst_share: float | None = None,
    progress: Callable[[], None] | None = None,
    reach: CellReach | None = None,
    access: AccessResult | None = None,
) -> EquityResult:
    """Coverage and accessibility by area type and district, inequality indices and the worst-served towns.

    Parameters
    ----------
    region : Region
    layer_id : str
    standards : StandardTable, Standard or None
        ``None``: the embedded ``data/standards.csv``.
    network : RoadNetwork, optional
        Default ``region.network`` (distance mode without one).
    method : {"2sfca", "e2sfca", "gaussian"}
    capacity : str, optional
        Capacity column; default the layer's first filled one, else ``"facilities"`` (facility count).
    worst_share : float, optional
        Share of towns listed as worst served (default :data:`coverage.settings.EQUITY_WORST_SHARE`).
    progress : callable, optional
        Called once after each of the three computing steps (e.g. ``tqdm.update``).
    reach : CellReach, optional
        The layer's reach under ``standards`` when already computed (e.g. by
        :meth:`coverage.analysis.Analysis.reach`); computed here otherwise.
    access : AccessResult, optional
        Its accessibility when already computed (:func:`coverage.access.accessibility` with
        ``method`` and the capacity of :func:`equity_capacity`); computed here otherwise.

    Example
    -------
    >>> from coverage.region import load_default
    >>> eq = equity(load_default(), "elder_care_station")  # doctest: +SKIP
    >>> eq.groups[["group", "coverage_rate", "share_beyond_2x_standard"]]  # doctest: +SKIP
    """
    layer = get_layer(layer_id)
    share = settings.EQUITY_WORST_SHARE if worst_share is None else float(worst_share)
    if not 0 < share <= 1:
        raise ValueError(f"worst_share must be in (0, 1]; got {share!r}")
    factor = settings.EQUITY_FAR_FACTOR
    tick = progress or (lambda: None)
    if reach is None:
        reach = compute_reach(region, layer_id, standards, network)
    far = compute_reach(region, layer_id, scaled_standards(standards, layer_id, factor), network)
    tick()
    if access is None:
        cap = equity_capacity(region.facilities.get(layer_id), capacity, layer_id)
        access = accessibility(region, layer_id, method, cap, standards, network)
    elif access.layer != layer_id:
        raise ValueError(f"access is of layer {access.layer!r}, not {layer_id!r}")
    acc = access
    tick()
    vcol = acc.value_column
    served = region.served(layer_id)
    value = acc.cells[vcol].to_numpy(dtype=float)
    cells = pd.DataFrame(
        {
            "town_code": acc.cells["town_code"].to_numpy(),
            "district_code": acc.cells["district_code"].to_numpy(),
            "area_type": acc.cells["area_type"].to_numpy(),
            "served": served,
            "covered": np.where(reach.covered, served, 0.0),
            "within_far": np.where(far.covered, served, 0.0),
            "weighted_value": served * value,
            "value": value,
        }
    )
    names = dict(zip(region.districts["district_code"].astype(str), region.districts["district_zh"]))
    rows = []
    for kind, key, labels in (
        ("area_type", "area_type", [a for a in AREA_TYPES if (cells["area_type"] == a).any()]),
        ("district", "district_code", list(names)),
    ):
        for label in labels:
            sub = cells[cells[key] == label]
            rows.append(_group_row(kind, label, names.get(label, pd.NA) if kind == "district" else pd.NA, sub, vcol))
    rows.append(_group_row("city", "city", pd.NA, cells, vcol))
    groups = pd.DataFrame(rows)
    worst = _worst_towns(region, cells, vcol, share)
    tick()
    covered = value > 0
    return EquityResult(
        layer=layer.id, groups=groups, worst_towns=worst,
        gini=gini(value, served), theil=theil(value, served), gini_covered=gini(value[covered], served[covered]),
        access=acc, value_column=vcol, standard=acc.standard, far_factor=factor, cost_mode=acc.cost_mode,
        provenance=region.provenance_for([layer_id]),
    )  # fmt: skip


def _rates(sub: pd.DataFrame) -> dict[str, float]:
    served = float(sub["served"].sum())
    covered = float(sub["covered"].sum())
    far = float(sub["within_far"].sum())
    if served <= 0:
        nan = float("nan")
        return {"served": served, "covered": covered, "coverage_rate": nan, "share_beyond_standard": nan,
                "share_beyond_2x_standard": nan, "mean": nan}  # fmt: skip
    return {
        "served": served,
        "covered": covered,
        "coverage_rate": covered / served,
        "share_beyond_standard": 1 - covered / served,
        "share_beyond_2x_standard": 1 - far / served,
        "mean": float(sub["weighted_value"].sum()) / served,
    }


def _group_row(kind: str, group: str, name: object, sub: pd.DataFrame, vcol: str) -> dict[str, object]:
    r = _rates(sub)
    return {
        "group_kind": kind, "group": group, "district_zh": name, "served": r["served"], "covered": r["covered"],
        "coverage_rate": r["coverage_rate"], "share_beyond_standard": r["share_beyond_standard"],
        "share_beyond_2x_standard": r["share_beyond_2x_standard"], vcol: r["mean"],
        "gini_access": gini(sub["value"].to_numpy(), sub["served"].to_numpy()),
    }  # fmt: skip


def _worst_towns(region: "Region", cells: pd.DataFrame, vcol: str, share: float) -> pd.DataFrame:
    by_town = dict(tuple(cells.groupby("town_code")))
    rows = []
    for t in region.towns.itertuples(index=False):
        code = str(t.town_code)
        sub = by_town.get(code)
        if sub is None:
            continue
        r = _rates(sub)
        if not r["served"] > 0:
            continue
        rows.append({
            "town_code": code, "town_zh": t.town_zh, "district_code": str(t.district_code),
            "district_zh": t.district_zh, "area_type": t.area_type, "served": r["served"],
            "covered": r["covered"], "coverage_rate": r["coverage_rate"],
            "share_beyond_2x_standard": r["share_beyond_2x_standard"], vcol: r["mean"],
        })  # fmt: skip
    columns = ["rank", "town_code", "town_zh", "district_code", "district_zh", "area_type", "served", "covered",
               "coverage_rate", "share_beyond_2x_standard", vcol]  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=columns)
    towns = pd.DataFrame(rows).sort_values(
        ["coverage_rate", vcol, "served"], ascending=[True, True, False], kind="stable"
    )
    n = max(1, math.ceil(share * len(towns) - 1e-9))
    worst = towns.head(n).reset_index(drop=True)
    worst.insert(0, "rank", np.arange(1, len(worst) + 1))
    return worst[columns]
