"""Coverage gaps a planner can act on: who is left out, where, and where a new site would go.

* :func:`uncovered_by_town` — uncovered served population per town, largest first;
* :func:`gap_zones` — zones of uncovered populated cells, each inside ONE town and small
  enough for one new facility, ranked by the uncovered served population.

How zones are made (one rule, the same for the app, the CLI and the Python API):

1. **Cells.** A cell is in a gap when it is not covered and holds at least
   ``min_cell_population`` residents of the layer's served group
   (:data:`coverage.settings.GAP_MIN_CELL_POPULATION` by default); sparser uncovered cells are
   left out of the zones (their people are counted in :attr:`GapZones.left_out` and still
   count in :func:`uncovered_by_town`).
2. **Within one town.** Gap cells are joined into connected groups (cells touching by an
   edge, or also a corner with ``connectivity=8``) separately in every town: a zone never
   crosses a town boundary, hence never a district boundary.
3. **Bounded in size.** A zone must fit inside one service area: the diagonal of the
   bounding box of its cell squares is at most twice the straight-line service radius
   (the standard's ``distance_m`` for the town's area type), so every cell of the zone lies
   within one radius of the box centre. A larger group is split by recursive bisection:
   across its longer side where the served people divide most evenly, each half re-split into connected
   parts, until every part fits (a single cell always stands as a zone).
4. **Ranked** by uncovered served people (then cells, town code, position).

Each zone carries its town and district codes and names, uncovered people (all / 60+ /
0-17), cells and area, the nearest existing facility (over the zone's cells, with no
cutoff: ``nearest_time_s`` in network mode, ``nearest_distance_m`` in distance mode) and a
suggested site: the served-weighted centre of the zone snapped to the nearest of its own
cells. :func:`gap_zones` returns a :class:`GapZones` result: the zone table (codes, names and
numbers only, no prose) and, as typed fields, the metadata (standard per area type, method,
unit, provenance, the options in force, the people left out), which every GeoJSON written by
:func:`write_gap_zones` carries as top-level properties.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy import ndimage

from coverage.crs import PROJECTED, WGS84
from coverage.errors import InputError
from coverage.export import to_feature_collection, write_geojson
from coverage.layers import get_layer
from coverage.metrics import covered_mask, population_coverage
from coverage.reach import CellReach, CostUnit, ReachModel
from coverage.region import Region
from coverage.settings import GAP_CONNECTIVITY, GAP_MIN_CELL_POPULATION, GAP_MIN_ZONE_POPULATION
from coverage.standards import AREA_TYPES, Standard, StandardTable, load_standards

__all__ = ["GAP_COLUMNS", "GapZones", "uncovered_by_town", "gap_zones", "gap_zones_feature_collection",
           "write_gap_zones"]

#: Columns of :attr:`GapZones.zones` (besides ``geometry``), in order.
GAP_COLUMNS = [
    "rank", "layer", "served_column", "served", "pop_total", "pop_60plus", "pop_0_17", "n_cells", "area_km2",
    "across_m", "max_across_m", "town_code", "town_zh", "district_code", "district_zh",
    "nearest_facility_id", "nearest_time_s", "nearest_distance_m",
    "site_cell_id", "site_x", "site_y", "site_lon", "site_lat",
]  # fmt: skip

_TO_WGS84 = Transformer.from_crs(PROJECTED, WGS84, always_xy=True)


@dataclass(frozen=True, eq=False)
class GapZones:
    """Gap zones of one layer with the metadata they were made under (:func:`gap_zones`).

    Attributes
    ----------
    zones : geopandas.GeoDataFrame
        EPSG:32649, one row per zone, ranked: columns :data:`GAP_COLUMNS` + ``geometry`` (the
        union of the zone's cell squares). ``nearest_facility_id`` is the ``facility_id`` of the
        zone's nearest facility (None for a site added to a what-if model, or when none is
        reachable).
    layer_id : str
    served_column : str
        The served group's population column (``pop_60plus`` / ``pop_0_17`` / ``pop_total``).
    method : {"network", "distance"}
        How reach and the nearest facility were measured.
    unit : {"s", "m"}
        Unit of the nearest-facility cost (``nearest_time_s`` / ``nearest_distance_m``).
    standards : dict of area type to Standard
        The standard of each area type (its radius is the size rule's).
    provenance : dict of str to str
        Input → real / modelled / illustrative / uploaded / none (``Region.provenance_for``).
    cell_size : float
        Grid cell size in metres.
    connectivity : {4, 8}
    min_population, min_cell_population : float
        The options in force (library defaults where not given).
    max_across_m : dict of area type to float
        The largest zone diagonal applied per area type (``{"urban": m, "rural": m}``).
    left_out : float
        Uncovered people of the served group in cells below ``min_cell_population`` (in no zone).
    """

    zones: gpd.GeoDataFrame
    layer_id: str
    served_column: str
    method: str
    unit: str
    standards: Mapping[str, Standard]
    provenance: Mapping[str, str]
    cell_size: float
    connectivity: int
    min_population: float
    min_cell_population: float
    max_across_m: Mapping[str, float]
    left_out: float

    @property
    def options(self) -> dict[str, Any]:
        """The zone options in force: ``connectivity``, ``min_population``, ``min_cell_population``,
        ``max_across_m`` (per area type)."""
        return {"connectivity": self.connectivity, "min_population": self.min_population,
                "min_cell_population": self.min_cell_population, "max_across_m": dict(self.max_across_m)}

    def metadata(self) -> dict[str, Any]:
        """The metadata as JSON-ready values: the top-level properties of the GeoJSON (``kind`` =
        ``gap_zones``, ``layer``, ``served_column``, ``method``, ``unit``, ``standards`` (per area type:
        mode, minutes, speed_kmh, distance_m, basis — GB 50180 life circle, travel or the user's — and
        walk_distance_m), ``provenance``, ``cell_size``, the options, ``left_out``)."""
        return {
            "kind": "gap_zones", "layer": self.layer_id, "served_column": self.served_column,
            "method": self.method, "unit": self.unit,
            "standards": {a: dict(mode=s.mode, minutes=s.minutes, speed_kmh=s.speed_kmh, distance_m=s.distance_m,
                                  basis=getattr(s.basis, "value", str(s.basis)), walk_distance_m=s.walk_distance_m)
                          for a, s in self.standards.items()},
            "provenance": dict(self.provenance), "cell_size": self.cell_size, **self.options,
            "left_out": self.left_out,
        }  # fmt: skip

    def feature_collection(self) -> dict[str, Any]:
        """RFC 7946 FeatureCollection (dict, WGS-84) of the zones with :meth:`metadata` as top-level properties."""
        return to_feature_collection(self.zones, self.metadata())

    def to_geojson(self, path: str | os.PathLike[str]) -> Path:
        """Write the zones as RFC 7946 GeoJSON (WGS-84) with :meth:`metadata`; the path written."""
        return write_geojson(self.zones, path, properties=self.metadata())


def uncovered_by_town(
    region: Region, layer_id: str, reach: Any = None, standards: Any = None
) -> pd.DataFrame:
    """Uncovered served population per town, largest first.

    Parameters
    ----------
    region, layer_id, reach, standards
        As for :func:`coverage.metrics.population_coverage`.

    Returns
    -------
    pandas.DataFrame
        Town rows of :func:`~coverage.metrics.population_coverage` sorted by
        ``uncovered`` (descending) with a 1-based ``rank`` and the town's
        share of the city's uncovered population (``share_of_gap``, 0-1).
    """
    cov = population_coverage(region, layer_id, reach=reach, standards=standards)
    towns = cov[cov["level"] == "town"].drop(columns="level")
    total = float(towns["uncovered"].sum())
    towns = towns.sort_values(["uncovered", "town_code"], ascending=[False, True], kind="stable")
    towns = towns.reset_index(drop=True)
    towns.insert(0, "rank", np.arange(1, len(towns) + 1))
    towns["share_of_gap"] = towns["uncovered"] / total if total > 0 else 0.0
    return towns


def _lattice(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Integer column/row of every cell centre on a lattice of spacing ``size``."""
    x0, y0 = float(x.min()), float(y.min())
    col = np.rint((x - x0) / size).astype(np.int64)
    row = np.rint((y - y0) / size).astype(np.int64)
    off = np.abs((x - x0) / size - col) + np.abs((y - y0) / size - row)
    if np.any(off > 0.01):
        i = int(np.argmax(off))
        raise InputError(f"population cell {i} (x={x[i]}, y={y[i]}) is not on the {size:g} m lattice of the grid")
    return col, row, x0, y0


def _components(col: np.ndarray, row: np.ndarray, structure: np.ndarray) -> list[np.ndarray]:
    """Connected parts (positions into ``col``/``row``) of a set of lattice cells."""
    c, r = col - col.min(), row - row.min()
    grid = np.zeros((r.max() + 1, c.max() + 1), dtype=bool)
    grid[r, c] = True
    labels, n = ndimage.label(grid, structure=structure)
    lab = labels[r, c] - 1
    order = np.argsort(lab, kind="stable")
    bounds = np.searchsorted(lab[order], np.arange(n + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(n)]


def _across(col: np.ndarray, row: np.ndarray, size: float) -> float:
    """Diagonal (m) of the bounding box of the cells' squares."""
    return float(np.hypot((col.max() - col.min() + 1) * size, (row.max() - row.min() + 1) * size))


def _split(col: np.ndarray, row: np.ndarray, weight: np.ndarray, size: float, max_across: float,
           structure: np.ndarray) -> list[np.ndarray]:  # fmt: skip
    """Recursive bisection of one connected part into parts whose :func:`_across` <= ``max_across``."""
    out: list[np.ndarray] = []
    stack = [np.arange(len(col))]
    while stack:
        part = stack.pop()
        c, r = col[part], row[part]
        if _across(c, r, size) <= max_across or len(part) == 1:
            out.append(part)
            continue
        axis = c if (c.max() - c.min()) >= (r.max() - r.min()) else r
        values = np.unique(axis)
        if len(values) == 1:  # one line of cells along the other axis
            axis = r if axis is c else c
            values = np.unique(axis)
        w = np.array([weight[part][axis == v].sum() for v in values]) + 1e-9  # empty cells still count
        cum = np.cumsum(w)[:-1]  # both halves non-empty
        k = int(np.argmin(np.abs(cum - w.sum() / 2.0)))  # the most even split of the served people
        left = axis <= values[k]
        for half in (part[left], part[~left]):
            for sub in _components(col[half], row[half], structure):
                stack.append(half[sub])
    return out


def _standards_by_area(model: ReachModel | None, standards: StandardTable | Standard | None,
                       layer_id: str) -> dict[str, Standard]:
    """The standard per area type: the model's own when there is a model, else ``standards``'."""
    if model is not None:
        return dict(model.standards_by_area)
    if isinstance(standards, Standard):
        return {a: standards for a in AREA_TYPES}
    table = load_standards() if standards is None else standards
    return {a: table.get(layer_id, a) for a in AREA_TYPES}


def _number(name: str, value: object, positive: bool = False) -> float:
    """``value`` as a finite float (>= 0, or > 0 when ``positive``), else :class:`InputError` naming ``name``."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise InputError(f"{name} must be a finite number {'> 0' if positive else '>= 0'}, got {value!r}")
    return number


def _max_across(value: float | Mapping[str, float] | None) -> dict[str, float]:
    """The zone diagonals given (one number for every area type, or some per area type), validated."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        unknown = sorted(map(str, set(value) - set(AREA_TYPES)))
        if unknown:
            raise InputError(f"max_across_m: unknown area type(s) {', '.join(unknown)}; "
                             f"valid: {', '.join(AREA_TYPES)}")
        return {str(a): _number(f"max_across_m[{a!r}]", v, positive=True) for a, v in value.items()}
    limit = _number("max_across_m", value, positive=True)
    return {a: limit for a in AREA_TYPES}


def gap_zones(
    region: Region,
    layer_id: str,
    reach: CellReach | ReachModel | np.ndarray | None = None,
    standards: StandardTable | Standard | None = None,
    connectivity: Literal[4, 8] = GAP_CONNECTIVITY,
    min_population: float = GAP_MIN_ZONE_POPULATION,
    min_cell_population: float = GAP_MIN_CELL_POPULATION,
    max_across_m: float | Mapping[str, float] | None = None,
) -> GapZones:
    """Zones of uncovered cells where the layer's served group lives, each inside one town.

    Parameters
    ----------
    region : Region
    layer_id : str
        Facility layer; its served group decides which cells are "populated".
    reach : ReachModel, CellReach or array of bool, optional
        What is covered. A :class:`~coverage.reach.ReachModel` (e.g. the app's what-if model)
        also gives the nearest facility with the current edits; otherwise a model of the
        region's facilities is built for it. Computed under ``standards`` when omitted.
    standards : StandardTable or Standard, optional
        The standards (radius of the size rule; reach when computed here). Default: the
        embedded table; a model's own standards when ``reach`` is a model.
    connectivity : {4, 8}
        Cells touching by an edge (4) or also by a corner (8) belong to one zone.
    min_population : float
        Zones with fewer uncovered served people are dropped (finite, >= 0).
    min_cell_population : float
        Uncovered cells with fewer served people are left out of the zones (counted in
        :attr:`GapZones.left_out`; finite, >= 0).
    max_across_m : float or mapping of area type to float, optional
        Largest zone diagonal in metres (finite, > 0), for every town or per area type (default:
        twice the standard's straight-line radius of the town's area type, for each area type not
        given; see the module docstring).

    Returns
    -------
    GapZones
        The ranked zones (:attr:`GapZones.zones`: EPSG:32649, columns :data:`GAP_COLUMNS` +
        ``geometry``) with the standards, method, unit, provenance, the options in force
        (``max_across_m`` as applied per area type) and the people left out.

    Raises
    ------
    InputError
        A parameter out of range, or cells that are not on the grid's lattice.
    """
    layer = get_layer(layer_id)
    if isinstance(connectivity, bool) or connectivity not in (4, 8):
        raise InputError(f"connectivity must be 4 or 8, got {connectivity!r}")
    min_population = _number("min_population", min_population)
    min_cell_population = _number("min_cell_population", min_cell_population)
    given_across = _max_across(max_across_m)
    pop = region.population
    model = reach if isinstance(reach, ReachModel) else None
    if reach is None:
        model = ReachModel(region, layer_id, standards)
    cell_reach = model.reach if model is not None else reach
    mask = covered_mask(cell_reach, len(pop))
    by_area = _standards_by_area(model, standards, layer_id)
    limits = {a: given_across.get(a, 2.0 * s.distance_m) for a, s in by_area.items()}  # the size rule applied
    size = float(region.cell_size)
    served_col = layer.served_column
    served = np.asarray(pop[served_col], dtype=float)
    gap_all = (~mask) & (served > 0)
    gap = gap_all & (served >= min_cell_population)
    if isinstance(cell_reach, CellReach):
        method = cell_reach.mode.value
    else:  # a bare mask: the nearest facilities are measured by a model of the region's facilities
        model = model if model is not None else ReachModel(region, layer_id, standards)
        method = model.mode.value
    def result(zones: gpd.GeoDataFrame) -> GapZones:
        return GapZones(
            zones=zones, layer_id=layer_id, served_column=served_col, method=method,
            unit=CostUnit.SECONDS.value if method == "network" else CostUnit.METRES.value,
            standards=by_area, provenance=region.provenance_for([layer_id]), cell_size=size,
            connectivity=int(connectivity), min_population=min_population, min_cell_population=min_cell_population,
            max_across_m=limits, left_out=float(served[gap_all & ~gap].sum()),
        )  # fmt: skip

    if not gap.any():
        return result(gpd.GeoDataFrame({c: [] for c in GAP_COLUMNS}, geometry=[], crs=PROJECTED))

    idx = np.flatnonzero(gap)
    x = np.asarray(pop["x"], dtype=float)[idx]
    y = np.asarray(pop["y"], dtype=float)[idx]
    col, row, x0, y0 = _lattice(x, y, size)
    structure = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    town = pop["town_code"].astype(str).to_numpy()[idx]
    area = np.asarray(region.cell_area_type(), dtype=object)[idx]
    w = served[idx]
    zones: list[tuple[np.ndarray, float]] = []
    for t in np.unique(town):
        sel = np.flatnonzero(town == t)
        limit = limits[str(area[sel[0]])]
        for comp in _components(col[sel], row[sel], structure):
            members = sel[comp]
            for part in _split(col[members], row[members], w[members], size, limit, structure):
                zones.append((members[part], limit))

    # nearest facility of every gap cell, no cutoff
    if model is None:
        model = ReachModel(region, layer_id, standards)
    near_fac, near_cost = model.nearest_unbounded(idx)
    fac = region.facilities.get(layer_id)
    fac_ids = fac["facility_id"].astype(str).tolist() if fac is not None and "facility_id" in fac else []
    town_names = dict(zip(region.towns["town_code"].astype(str), region.towns["town_zh"]))
    district_names = dict(zip(region.districts["district_code"].astype(str), region.districts["district_zh"]))
    district = pop["district_code"].astype(str).to_numpy()[idx]
    cell_id = pop["cell_id"].to_numpy()[idx] if "cell_id" in pop.columns else idx
    groups = {c: np.asarray(pop[c], dtype=float)[idx] if c in pop.columns else np.full(len(idx), np.nan)
              for c in ("pop_total", "pop_60plus", "pop_0_17")}  # fmt: skip
    half = size / 2.0
    cx, cy = x0 + col * size, y0 + row * size
    squares = shapely.box(cx - half, cy - half, cx + half, cy + half)
    network = model.unit is CostUnit.SECONDS
    rows = []
    geoms = []
    for members, limit in zones:
        wm = w[members]
        k = members[int(np.argmin(near_cost[members]))] if len(members) else members[0]
        has_near = bool(np.isfinite(near_cost[k]))
        # suggested site: served-weighted centre snapped to the nearest cell of the zone
        mx, my = np.average(cx[members], weights=wm), np.average(cy[members], weights=wm)
        s = members[int(np.argmin(np.hypot(cx[members] - mx, cy[members] - my)))]
        lon, lat = _TO_WGS84.transform(cx[s], cy[s])
        f = int(near_fac[k]) if has_near else -1
        rows.append({
            "layer": layer_id, "served_column": served_col, "served": float(wm.sum()),
            "pop_total": float(groups["pop_total"][members].sum()),
            "pop_60plus": float(groups["pop_60plus"][members].sum()),
            "pop_0_17": float(groups["pop_0_17"][members].sum()),
            "n_cells": int(len(members)), "area_km2": len(members) * size * size / 1e6,
            "across_m": _across(col[members], row[members], size), "max_across_m": limit,
            "town_code": town[members[0]], "town_zh": town_names.get(town[members[0]]),
            "district_code": district[members[0]], "district_zh": district_names.get(district[members[0]]),
            "nearest_facility_id": fac_ids[f] if 0 <= f < len(fac_ids) else None,
            "nearest_time_s": float(near_cost[k]) if has_near and network else np.nan,
            "nearest_distance_m": float(near_cost[k]) if has_near and not network else np.nan,
            "site_cell_id": cell_id[s].item() if hasattr(cell_id[s], "item") else cell_id[s],
            "site_x": float(cx[s]), "site_y": float(cy[s]), "site_lon": float(lon), "site_lat": float(lat),
        })  # fmt: skip
        geoms.append(shapely.coverage_union_all(squares[members]) if len(members) > 1 else squares[members[0]])
    out = pd.DataFrame(rows)
    out["geometry"] = geoms
    out = out[out["served"] >= min_population]
    out = out.sort_values(["served", "n_cells", "town_code", "site_x", "site_y"],
                          ascending=[False, False, True, True, True], kind="stable").reset_index(drop=True)  # fmt: skip
    out["rank"] = np.arange(1, len(out) + 1)
    for c in ("served", "pop_total", "pop_60plus", "pop_0_17"):
        vals = out[c].to_numpy(dtype=float)
        if np.all(np.isfinite(vals)) and np.all(np.mod(vals, 1) == 0):
            out[c] = vals.astype("int64")
    return result(gpd.GeoDataFrame(out[GAP_COLUMNS], geometry=list(out["geometry"]), crs=PROJECTED))


def gap_zones_feature_collection(zones: GapZones) -> dict[str, Any]:
    """RFC 7946 FeatureCollection (dict) of ``zones`` with their metadata and provenance as top-level
    properties (:meth:`GapZones.feature_collection`)."""
    return _gap_zones(zones).feature_collection()


def write_gap_zones(zones: GapZones, path: str | os.PathLike[str]) -> Path:
    """Write ``zones`` (from :func:`gap_zones`) as RFC 7946 GeoJSON with their standards and provenance
    (:meth:`GapZones.to_geojson`)."""
    return _gap_zones(zones).to_geojson(path)


def _gap_zones(zones: object) -> GapZones:
    if not isinstance(zones, GapZones):
        raise TypeError(f"expected the GapZones that gap_zones returns; got {type(zones).__name__}")
    return zones
