"""Coverage gaps: who is left out, and where.

* :func:`uncovered_by_town` — uncovered served population per town, largest first;
* :func:`gap_zones` — contiguous uncovered populated cells of the 500 m grid
  (4- or 8-connected components found with :func:`scipy.ndimage.label`), each
  dissolved into one polygon (the union of its cell squares) with its
  population (all / 60+ / 0-17), ranked by the served group's uncovered
  population. The result is a GeoDataFrame in the projected CRS; write it with
  :func:`coverage.export.write_geojson` (or :func:`write_gap_zones`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from coverage.crs import PROJECTED
from coverage.layers import SERVED_GROUPS, get_layer
from coverage.metrics import covered_mask, describe_standard, population_coverage, provenance_text

if TYPE_CHECKING:  # pragma: no cover
    from coverage.region import Region

__all__ = ["uncovered_by_town", "gap_zones", "grid_cell_size", "write_gap_zones"]

DEFAULT_CELL_SIZE = 500.0


def grid_cell_size(region: "Region") -> float:
    """Side of the population grid's square cells in metres.

    ``region.cell_size`` when the region carries one, else the most common
    positive spacing between consecutive distinct cell-centre coordinates
    (x and y together), else 500 m.
    """
    size = getattr(region, "cell_size", None)
    if size:
        return float(size)
    pop = region.population
    diffs = []
    for c in ("x", "y"):
        vals = np.unique(np.asarray(pop[c], dtype=float))
        if vals.size > 1:
            d = np.round(np.diff(vals), 2)
            diffs.append(d[d > 0])
    d = np.concatenate(diffs) if diffs else np.empty(0)
    if d.size == 0:
        return DEFAULT_CELL_SIZE
    values, counts = np.unique(d, return_counts=True)
    return float(values[np.argmax(counts)])


def uncovered_by_town(
    region: "Region", layer_id: str, reach: Any = None, standards: Any = None
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
        share of the city's uncovered population (``share_of_gap``).
    """
    cov = population_coverage(region, layer_id, reach=reach, standards=standards)
    towns = cov[cov["level"] == "town"].drop(columns="level")
    total = float(towns["uncovered"].sum())
    towns = towns.sort_values(["uncovered", "town_code"], ascending=[False, True], kind="stable")
    towns = towns.reset_index(drop=True)
    towns.insert(0, "rank", np.arange(1, len(towns) + 1))
    towns["share_of_gap"] = towns["uncovered"] / total if total > 0 else 0.0
    towns.attrs.update(cov.attrs)
    return towns


def _lattice(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Integer column/row of every cell centre on a lattice of spacing ``size``."""
    x0, y0 = float(x.min()), float(y.min())
    col = np.rint((x - x0) / size).astype(np.int64)
    row = np.rint((y - y0) / size).astype(np.int64)
    off = np.abs((x - x0) / size - col) + np.abs((y - y0) / size - row)
    if np.any(off > 0.01):
        i = int(np.argmax(off))
        raise ValueError(
            f"population cell {i} (x={x[i]}, y={y[i]}) is not on the {size:g} m lattice of the grid"
        )
    return col, row, x0, y0


def gap_zones(
    region: "Region",
    layer_id: str,
    reach: Any = None,
    standards: Any = None,
    connectivity: Literal[4, 8] = 8,
    min_population: float = 0,
    cell_size: float | None = None,
    min_cell_population: float = 0,
    split_by_town: bool = False,
) -> gpd.GeoDataFrame:
    """Contiguous groups of uncovered cells where the layer's served group lives.

    Parameters
    ----------
    region : Region
        Population grid (cell centres ``x``, ``y`` in EPSG:32649).
    layer_id : str
        Facility layer; its served group decides which cells are "populated".
    reach : CellReach or array-like of bool, optional
        Covered cells (computed with :func:`coverage.reach.compute_reach` when omitted).
    standards : StandardTable, optional
        Standards used when ``reach`` is computed here.
    connectivity : {4, 8}, default 8
        Cells touching by an edge (4) or also by a corner (8) belong to one zone.
    min_population : float, default 0
        Zones whose uncovered served population is below this are dropped.
    cell_size : float, optional
        Grid spacing in metres (:func:`grid_cell_size` when omitted).
    min_cell_population : float, default 0
        Uncovered cells with fewer residents of the served group than this are
        left out of the zones (scattered rural settlement would otherwise join
        whole counties into one zone); they still count in
        :func:`uncovered_by_town`. The number of people left out is in
        ``attrs["left_out"]``.
    split_by_town : bool, default False
        Never join cells of different towns: each zone lies in one town, the
        unit responsible for closing the gap.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:32649, one row per zone ranked by ``served`` (descending):
        ``rank, layer, served_group, served, pop_total, pop_60plus, pop_0_17,
        n_cells, area_km2, town_code, town_zh, district_code, district_zh,
        towns, geometry`` where ``town_*`` / ``district_*`` name the unit holding
        most of the zone's served population and ``towns`` lists every town
        the zone touches. ``attrs`` carries ``standard`` and ``provenance``.
    """
    layer = get_layer(layer_id)
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity!r}")
    pop = region.population
    if reach is None:
        from coverage.reach import compute_reach

        reach = compute_reach(region, layer_id, standards=standards)
    mask = covered_mask(reach, len(pop))
    size = float(cell_size) if cell_size else grid_cell_size(region)
    if size <= 0:
        raise ValueError(f"cell_size must be positive, got {size}")
    served_col = layer.served_column
    served = np.asarray(pop[served_col], dtype=float)
    if min_cell_population < 0:
        raise ValueError(f"min_cell_population must be >= 0, got {min_cell_population}")
    gap_all = (~mask) & (served > 0)
    gap = gap_all & (served >= min_cell_population)
    columns = [
        "rank", "layer", "served_group", "served", "pop_total", "pop_60plus", "pop_0_17",
        "n_cells", "area_km2", "town_code", "town_zh", "district_code", "district_zh", "towns",
    ]  # fmt: skip
    attrs = dict(
        layer=layer_id,
        standard=describe_standard(reach, standards, layer_id),
        provenance=provenance_text(region, [layer_id]),
        cell_size=size,
        connectivity=connectivity,
        min_cell_population=min_cell_population,
        split_by_town=split_by_town,
        left_out=float(served[gap_all & ~gap].sum()),
    )
    if not gap.any():
        empty = gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=PROJECTED)
        empty.attrs.update(attrs)
        return empty

    x = np.asarray(pop["x"], dtype=float)[gap]
    y = np.asarray(pop["y"], dtype=float)[gap]
    col, row, x0, y0 = _lattice(x, y, size)
    structure = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    if split_by_town:
        town_of = pd.factorize(pop["town_code"].astype(str).to_numpy()[gap])[0]
        zone = np.empty(len(col), dtype=np.int64)
        n = 0
        for t in np.unique(town_of):
            sel = np.flatnonzero(town_of == t)
            c, r = col[sel] - col[sel].min(), row[sel] - row[sel].min()
            grid = np.zeros((r.max() + 1, c.max() + 1), dtype=bool)
            grid[r, c] = True
            labels, k = ndimage.label(grid, structure=structure)
            zone[sel] = labels[r, c] - 1 + n
            n += k
    else:
        grid = np.zeros((row.max() + 1, col.max() + 1), dtype=bool)
        grid[row, col] = True
        labels, n = ndimage.label(grid, structure=structure)
        zone = labels[row, col] - 1  # 0-based zone of every gap cell

    cells = pd.DataFrame(
        {
            "zone": zone,
            "served": served[gap],
            "town_code": pop["town_code"].astype(str).to_numpy()[gap],
            "district_code": pop["district_code"].astype(str).to_numpy()[gap],
        }
    )
    for c in ("pop_total", "pop_60plus", "pop_0_17"):
        cells[c] = np.asarray(pop[c], dtype=float)[gap] if c in pop.columns else np.nan
    agg = cells.groupby("zone").agg(
        served=("served", "sum"),
        pop_total=("pop_total", "sum"),
        pop_60plus=("pop_60plus", "sum"),
        pop_0_17=("pop_0_17", "sum"),
        n_cells=("served", "size"),
    )
    # Dominant town / district: the one holding most of the zone's served population.
    by_town = cells.groupby(["zone", "town_code", "district_code"], as_index=False)["served"].sum()
    by_town = by_town.sort_values(["zone", "served", "town_code"], ascending=[True, False, True])
    top = by_town.drop_duplicates("zone").set_index("zone")
    agg["town_code"] = top["town_code"]
    agg["district_code"] = top["district_code"]
    agg["towns"] = (
        by_town.groupby("zone")["town_code"].agg(lambda s: sorted(set(s))).reindex(agg.index)
    )

    town_names = dict(zip(region.towns["town_code"].astype(str), region.towns["town_zh"]))
    d = getattr(region, "districts", None)
    if d is not None and "district_zh" in d.columns:
        district_names = dict(zip(d["district_code"].astype(str), d["district_zh"]))
    else:
        district_names = dict(zip(region.towns["district_code"].astype(str), region.towns["district_zh"]))
    agg["town_zh"] = agg["town_code"].map(town_names)
    agg["district_zh"] = agg["district_code"].map(district_names)
    agg["towns"] = agg["towns"].map(lambda codes: "、".join(str(town_names.get(c, c)) for c in codes))

    # One polygon per zone: the union of its cell squares.
    half = size / 2.0
    cx = x0 + col * size
    cy = y0 + row * size
    squares = shapely.box(cx - half, cy - half, cx + half, cy + half)
    order = np.argsort(zone, kind="stable")
    bounds = np.searchsorted(zone[order], np.arange(n + 1))
    geoms = []
    for z in range(n):
        members = squares[order[bounds[z] : bounds[z + 1]]]
        geoms.append(shapely.coverage_union_all(members) if len(members) > 1 else members[0])
    agg["geometry"] = [geoms[z] for z in agg.index]
    agg["area_km2"] = agg["n_cells"] * (size * size) / 1e6
    agg["layer"] = layer_id
    agg["served_group"] = SERVED_GROUPS[served_col][0]

    agg = agg[agg["served"] >= min_population]
    agg = agg.sort_values(["served", "n_cells"], ascending=[False, False], kind="stable").reset_index(drop=True)
    agg["rank"] = np.arange(1, len(agg) + 1)
    for c in ("served", "pop_total", "pop_60plus", "pop_0_17"):
        vals = agg[c].to_numpy(dtype=float)
        if np.all(np.isfinite(vals)) and np.all(np.mod(vals, 1) == 0):
            agg[c] = vals.astype("int64")
    out = gpd.GeoDataFrame(agg[columns], geometry=list(agg["geometry"]), crs=PROJECTED)
    out.attrs.update(attrs)
    return out


def write_gap_zones(zones: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``zones`` (from :func:`gap_zones`) as RFC 7946 GeoJSON with its standard and provenance."""
    from coverage.export import write_geojson

    keys = ("layer", "standard", "provenance", "cell_size", "connectivity", "min_cell_population",
            "split_by_town", "left_out")  # fmt: skip
    props = {k: zones.attrs.get(k) for k in keys if k in zones.attrs}
    return write_geojson(zones, path, properties=props)
