"""The community level (村/社区): unit coverage per community, the 15-minute circle per community, the
plan's community indicators.

Communities are an uploaded layer (:func:`coverage.io.communities.read_communities`); there is no
default. Every function here takes that layer (``None`` when none was uploaded) and, without it,
returns a result whose ``status`` is :attr:`CommunityStatus.NEEDS_COMMUNITY_LAYER` and whose figures are
NaN — never a made-up default.

* :func:`community_coverage` — a community **counts** for a layer when a facility of the layer lies
  inside it (polygon units, rule ``inside``) or within the layer's service standard of it (point units,
  rule ``within_standard``: the same travel cost and limit as the population coverage, by the town's
  area type, over the road network when there is one);
* :func:`community_circle` — per community, the share of the layer's served group within the standard
  (cells assigned to a polygon containing their centre, or to the nearest community point of their town);
* :func:`community_indicators` — the plan's community indicators (:data:`COMMUNITY_INDICATORS`), their
  targets read from ``data/targets/plan_indicators.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from coverage.crs import PROJECTED, WGS84
from coverage.layers import get_layer
from coverage.reach import ReachModel, compute_reach
from coverage.review import Milestone, load_targets, meets, parse_target, target_for
from coverage.standards import Standard, StandardTable, load_standards, standards_by_area

if TYPE_CHECKING:  # pragma: no cover
    from coverage.network import RoadNetwork
    from coverage.region import Region

__all__ = [
    "CommunityStatus",
    "CommunityRule",
    "CommunityCoverage",
    "CommunityCircle",
    "CommunityIndicator",
    "COMMUNITY_INDICATORS",
    "community_coverage",
    "community_circle",
    "community_indicators",
]

#: The plan's community indicators → the facility layer that measures them (None: no layer in the
#: registry yet). 社区日间照料机构覆盖率 ≥ 90 % (plan §养老服务); 志愿服务站点在社区综合服务设施中的覆盖率 80 %.
COMMUNITY_INDICATORS: dict[str, str | None] = {
    "community_day_care_coverage": "elder_care_station",
    "volunteer_point_coverage": None,
}


class CommunityStatus(str, Enum):
    """Whether a community figure could be computed, and if not, what it needs."""

    OK = "ok"
    NEEDS_COMMUNITY_LAYER = "needs_community_layer"
    NEEDS_FACILITY_LAYER = "needs_facility_layer"
    NO_TARGET = "no_target"


class CommunityRule(str, Enum):
    """How a community was judged covered."""

    INSIDE = "inside"  # polygon: a facility lies within it
    WITHIN_STANDARD = "within_standard"  # point: a facility within the standard of it


@dataclass(frozen=True)
class CommunityCoverage:
    """Unit coverage of communities by one layer.

    Attributes
    ----------
    layer : str
    status : CommunityStatus
    communities : DataFrame
        Per community: ``community_code, community_zh, town_code, district_code, rule, facilities_inside``
        (polygons; NA for points), ``cost`` (to the nearest facility, points; ``cost_unit``), ``covered``.
    table : DataFrame
        Per town, district and the city: ``level, town_code, district_code, communities, communities_with,
        share`` (0-1).
    share : float
        City share of communities covered (NaN without a community layer).
    standard : dict of area type to Standard
    cost_mode : {"network", "distance"}
    cost_unit : {"s", "m"}
    provenance : dict
    """

    layer: str
    status: CommunityStatus
    communities: pd.DataFrame
    table: pd.DataFrame
    share: float
    standard: dict[str, Standard]
    cost_mode: str
    cost_unit: str
    provenance: dict[str, str]


@dataclass(frozen=True)
class CommunityCircle:
    """Population coverage per community (the 15-minute circle when the layer is a 15-minute one).

    Attributes
    ----------
    layer : str
    status : CommunityStatus
    communities : DataFrame
        ``community_code, community_zh, town_code, district_code, served, covered, rate`` (0-1).
    unassigned_served : float
        Served people in cells no community was given (towns without communities, cells outside every
        polygon).
    standard : dict of area type to Standard
    cost_mode : str
    provenance : dict
    """

    layer: str
    status: CommunityStatus
    communities: pd.DataFrame
    unassigned_served: float
    standard: dict[str, Standard]
    cost_mode: str
    provenance: dict[str, str]


@dataclass(frozen=True)
class CommunityIndicator:
    """One of the plan's community indicators.

    Attributes
    ----------
    indicator_id : str
    layer : str or None
    status : CommunityStatus
    value : float
        Share of communities covered (0-1); NaN unless ``status`` is OK or NO_TARGET.
    target : float
        Target share (0-1) of the milestone ``year`` is judged against (:func:`coverage.review.target_for`:
        the first due in or after ``year``); NaN without one.
    comparator : str
        The milestone's operator (``">="``, ``">"``).
    met : bool or None
        None when the value or the target is missing.
    communities, communities_with : int
    year : int
    """

    indicator_id: str
    layer: str | None
    status: CommunityStatus
    value: float
    target: float
    comparator: str
    met: bool | None
    communities: int
    communities_with: int
    year: int


# --------------------------------------------------------------------------- helpers



def _open_by(gdf: gpd.GeoDataFrame, year: int | None) -> gpd.GeoDataFrame:
    if year is None or "opening_year" not in gdf.columns:
        return gdf
    oy = pd.to_numeric(gdf["opening_year"], errors="coerce").astype(float).to_numpy()
    return gdf[~(oy > year)]  # no opening year: counted


def _projected_points(communities: gpd.GeoDataFrame) -> np.ndarray:
    g = communities.geometry.to_crs(PROJECTED)
    pts = [geom if geom.geom_type == "Point" else geom.representative_point() for geom in g]
    return np.array([[p.x, p.y] for p in pts], dtype=float).reshape(-1, 2)


def _area_types(region: "Region", town_codes: pd.Series) -> np.ndarray:
    lookup = dict(zip(region.towns["town_code"].astype(str), region.towns["area_type"]))
    return np.array([lookup.get(str(c), "rural") for c in town_codes], dtype=object)


def _is_polygon(communities: gpd.GeoDataFrame) -> np.ndarray:
    return communities.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()


def _summary_table(region: "Region", frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for level, key, codes in (
        ("town", "town_code", region.towns["town_code"].astype(str).tolist()),
        ("district", "district_code", region.districts["district_code"].astype(str).tolist()),
    ):
        groups = dict(tuple(frame.groupby(key))) if len(frame) else {}
        for code in codes:
            sub = groups.get(code)
            n = 0 if sub is None else len(sub)
            k = 0 if sub is None else int(sub["covered"].sum())
            district = code if level == "district" else (str(sub["district_code"].iloc[0]) if n else pd.NA)
            rows.append({"level": level, "town_code": code if level == "town" else pd.NA, "district_code": district,
                         "communities": n, "communities_with": k, "share": k / n if n else np.nan})  # fmt: skip
    n, k = len(frame), int(frame["covered"].sum()) if len(frame) else 0
    rows.append({"level": "city", "town_code": pd.NA, "district_code": pd.NA, "communities": n,
                 "communities_with": k, "share": k / n if n else np.nan})  # fmt: skip
    table = pd.DataFrame(rows)
    if len(region.towns):
        district_of = dict(zip(region.towns["town_code"].astype(str), region.towns["district_code"].astype(str)))
        town = table["level"] == "town"
        table.loc[town, "district_code"] = table.loc[town, "town_code"].map(district_of)
    return table


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


# --------------------------------------------------------------------------- coverage


def community_coverage(
    region: "Region",
    layer_id: str,
    communities: gpd.GeoDataFrame | None,
    standards: StandardTable | Standard | None = None,
    network: "RoadNetwork | None" = None,
    *,
    year: int | None = None,
) -> CommunityCoverage:
    """Which communities have a facility of ``layer_id`` (inside them, or within the standard).

    Parameters
    ----------
    region : Region
    layer_id : str
    communities : GeoDataFrame or None
        :func:`coverage.io.communities.read_communities` output; None → ``NEEDS_COMMUNITY_LAYER``.
    standards : StandardTable, Standard or None
        For point communities (default ``data/standards.csv``).
    network : RoadNetwork, optional
        Default ``region.network``.
    year : int, optional
        Count only facilities opened by ``year``.

    Example
    -------
    >>> from coverage.io.communities import read_communities
    >>> units, report = read_communities("communities.xlsx")  # doctest: +SKIP
    >>> community_coverage(region, "elder_care_station", units).share  # doctest: +SKIP
    """
    get_layer(layer_id)
    by_area = standards_by_area(standards, layer_id)
    net = network if network is not None else region.network
    mode, unit = ("distance", "m") if net is None else ("network", "s")
    provenance = region.provenance_for([layer_id])
    cols = ["community_code", "community_zh", "town_code", "district_code", "rule", "facilities_inside", "cost",
            "covered"]  # fmt: skip
    if communities is None or len(communities) == 0:
        return CommunityCoverage(layer_id, CommunityStatus.NEEDS_COMMUNITY_LAYER, _empty(cols),
                                 _summary_table(region, _empty(cols)), float("nan"), by_area, mode, unit,
                                 provenance)  # fmt: skip
    units = communities.to_crs(WGS84).reset_index(drop=True)
    facilities = region.facilities.get(layer_id)
    facilities = facilities.iloc[0:0] if facilities is None else _open_by(facilities, year)
    polygon = _is_polygon(units)
    n = len(units)
    inside = np.full(n, -1, dtype=np.int64)
    cost = np.full(n, np.nan)
    covered = np.zeros(n, dtype=bool)
    if polygon.any():
        counts = _facilities_inside(units[polygon], facilities)
        inside[polygon] = counts
        covered[polygon] = counts > 0
    if (~polygon).any():
        xy = _projected_points(units[~polygon])
        area = _area_types(region, units.loc[~polygon, "town_code"])
        fac_geom = facilities.to_crs(PROJECTED).geometry
        fac_xy = np.column_stack([fac_geom.x, fac_geom.y]) if len(facilities) else np.zeros((0, 2))
        std = standards if standards is not None else load_standards()
        reach = ReachModel.from_arrays(xy, fac_xy, std, area_type=area, network=net, layer_id=layer_id).reach
        cost[~polygon] = reach.cost
        covered[~polygon] = reach.covered
    frame = pd.DataFrame(
        {
            "community_code": units["community_code"].to_numpy(dtype=object),
            "community_zh": units["community_zh"].to_numpy(dtype=object),
            "town_code": units["town_code"].astype(str).to_numpy(dtype=object),
            "district_code": units["district_code"].astype(str).to_numpy(dtype=object),
            "rule": np.where(polygon, CommunityRule.INSIDE.value, CommunityRule.WITHIN_STANDARD.value),
            "facilities_inside": pd.array(np.where(polygon, inside, 0), dtype="Int64"),
            "cost": cost,
            "covered": covered,
        }
    )
    frame.loc[~polygon, "facilities_inside"] = pd.NA
    table = _summary_table(region, frame)
    share = float(covered.mean())
    return CommunityCoverage(layer_id, CommunityStatus.OK, frame, table, share, by_area, mode, unit, provenance)


def _facilities_inside(polygons: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame) -> np.ndarray:
    if len(facilities) == 0:
        return np.zeros(len(polygons), dtype=np.int64)
    polys = gpd.GeoDataFrame({"k": np.arange(len(polygons))}, geometry=polygons.geometry.values, crs=WGS84)
    pts = gpd.GeoDataFrame(geometry=facilities.to_crs(WGS84).geometry.values, crs=WGS84)
    joined = gpd.sjoin(pts, polys, how="inner", predicate="within")
    return np.bincount(joined["k"].to_numpy(dtype=np.int64), minlength=len(polygons))


# --------------------------------------------------------------------------- circle


def community_circle(
    region: "Region",
    communities: gpd.GeoDataFrame | None,
    layer_id: str = "elder_care_station",
    standards: StandardTable | Standard | None = None,
    network: "RoadNetwork | None" = None,
) -> CommunityCircle:
    """Share of the layer's served group within its standard, per community.

    Cells go to the polygon containing their centre, or (point communities) to the nearest community
    point of the same town; cells of towns without communities are ``unassigned_served``.
    """
    layer = get_layer(layer_id)
    by_area = standards_by_area(standards, layer_id)
    net = network if network is not None else region.network
    mode = "distance" if net is None else "network"
    provenance = region.provenance_for([layer_id])
    cols = ["community_code", "community_zh", "town_code", "district_code", "served", "covered", "rate"]
    served = region.served(layer_id)
    if communities is None or len(communities) == 0:
        return CommunityCircle(layer.id, CommunityStatus.NEEDS_COMMUNITY_LAYER, _empty(cols), float(served.sum()),
                               by_area, mode, provenance)  # fmt: skip
    units = communities.to_crs(WGS84).reset_index(drop=True)
    reach = compute_reach(region, layer_id, standards, network)
    owner = _assign_cells(region, units)
    ok = owner >= 0
    k = len(units)
    s = np.bincount(owner[ok], weights=served[ok], minlength=k)
    c = np.bincount(owner[ok], weights=np.where(reach.covered, served, 0.0)[ok], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(s > 0, c / s, np.nan)
    frame = pd.DataFrame(
        {
            "community_code": units["community_code"].to_numpy(dtype=object),
            "community_zh": units["community_zh"].to_numpy(dtype=object),
            "town_code": units["town_code"].astype(str).to_numpy(dtype=object),
            "district_code": units["district_code"].astype(str).to_numpy(dtype=object),
            "served": s,
            "covered": c,
            "rate": rate,
        }
    )
    return CommunityCircle(layer.id, CommunityStatus.OK, frame, float(served[~ok].sum()), by_area, mode, provenance)


def _assign_cells(region: "Region", units: gpd.GeoDataFrame) -> np.ndarray:
    """Community row of every population cell (-1: none)."""
    xy = region.cell_xy()
    owner = np.full(len(xy), -1, dtype=np.int64)
    polygon = _is_polygon(units)
    if polygon.any():
        polys = units[polygon].to_crs(PROJECTED)
        cells = gpd.GeoDataFrame({"cell": np.arange(len(xy))}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                                 crs=PROJECTED)  # fmt: skip
        frame = gpd.GeoDataFrame({"k": np.flatnonzero(polygon)}, geometry=polys.geometry.values, crs=PROJECTED)
        joined = gpd.sjoin(cells, frame, how="inner", predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        owner[joined["cell"].to_numpy()] = joined["k"].to_numpy()
    points = np.flatnonzero(~polygon)
    if len(points):
        pxy = _projected_points(units.iloc[points])
        ptown = units.iloc[points]["town_code"].astype(str).to_numpy()
        cell_town = region.population["town_code"].astype(str).to_numpy()
        for town in np.unique(ptown):
            mine = points[ptown == town]
            free = np.flatnonzero((cell_town == town) & (owner < 0))
            if len(free) == 0:
                continue
            _, nearest = cKDTree(pxy[ptown == town]).query(xy[free], k=1)
            owner[free] = mine[nearest]
    return owner


# --------------------------------------------------------------------------- indicators


def _milestone(indicator_id: str, year: int) -> Milestone | None:
    """The milestone of ``indicator_id`` a review of ``year`` is judged against (rates 0-1), or None."""
    table = load_targets()
    rows = table[table["indicator_id"] == indicator_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    scale = 100.0 if row["unit"].strip() == "%" else 1.0
    milestones = []
    for y in (2023, 2025):
        parsed = parse_target(row[f"target_{y}"], row[f"target_{y}_value"], row["comparator"])
        if parsed is not None:
            milestones.append(Milestone(y, parsed[0], parsed[1] / scale, row[f"target_{y}"]))
    return target_for(milestones, year)


def community_indicators(
    region: "Region",
    communities: gpd.GeoDataFrame | None,
    year: int = 2025,
    standards: StandardTable | Standard | None = None,
    network: "RoadNetwork | None" = None,
) -> list[CommunityIndicator]:
    """The plan's community indicators (:data:`COMMUNITY_INDICATORS`) for ``year``.

    Without a community layer every indicator has status ``NEEDS_COMMUNITY_LAYER``; an indicator with no
    facility layer in the registry ``NEEDS_FACILITY_LAYER``; one whose target row is missing from the
    targets file ``NO_TARGET`` (its value is still measured).
    """
    out = []
    for indicator_id, layer_id in COMMUNITY_INDICATORS.items():
        milestone = _milestone(indicator_id, year)
        target = float("nan") if milestone is None else milestone.target
        comparator = ">=" if milestone is None else milestone.op
        value, n, k = float("nan"), 0, 0
        if communities is None or len(communities) == 0:
            status = CommunityStatus.NEEDS_COMMUNITY_LAYER
        elif layer_id is None or layer_id not in region.facilities:
            status = CommunityStatus.NEEDS_FACILITY_LAYER
            n = len(communities)
        else:
            cov = community_coverage(region, layer_id, communities, standards, network, year=year)
            value = cov.share
            n, k = len(cov.communities), int(cov.communities["covered"].sum())
            status = CommunityStatus.OK if np.isfinite(target) else CommunityStatus.NO_TARGET
        met = None
        if np.isfinite(value) and np.isfinite(target):
            met = meets(value, comparator, target)
        out.append(CommunityIndicator(indicator_id, layer_id, status, value, target, comparator, met, n, k, int(year)))
    return out
