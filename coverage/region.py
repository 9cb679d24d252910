"""The study region: districts, towns, population grid, facility layers and their provenance.

:func:`load_default` returns the embedded Jiangmen data (``data/``); :func:`load_region`
starts from it and replaces inputs with the user's files. Every figure the tool shows can
say which of its inputs were real, modelled, illustrative or uploaded
(:meth:`Region.provenance_note`).
"""

from __future__ import annotations

import gzip
import json
import math
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from coverage import paths
from coverage.crs import PROJECTED, WGS84
from coverage.describe import provenance_note
from coverage.errors import InputError
from coverage.io import read_facilities, read_population, read_towns
from coverage.io.population import age_groups_modelled
from coverage.layers import LAYERS, get_layer
from coverage.schema import (
    DISTRICT_COLUMNS,
    FACILITY_COLUMNS,
    FACILITY_INT_COLUMNS,
    POPULATION_COLUMNS,
    PROVENANCE_VALUES,
    TOWN_COLUMNS,
)
from coverage.standards import AREA_TYPES, area_type_of

if TYPE_CHECKING:  # pragma: no cover - typing only
    from coverage.io.report import ImportReport
    from coverage.network import RoadNetwork

__all__ = [
    "Region",
    "GridSpec",
    "Unassigned",
    "load_default",
    "load_region",
    "PROVENANCE_VALUES",
    "DISTRICT_COLUMNS",
    "TOWN_COLUMNS",
    "POPULATION_COLUMNS",
    "FACILITY_COLUMNS",
]

_POP_INT_COLUMNS = ("cell_id", "pop_total", "pop_60plus", "pop_0_17")

_TO_PROJECTED = Transformer.from_crs(WGS84, PROJECTED, always_xy=True)


# --------------------------------------------------------------------------- grid


@dataclass(frozen=True)
class GridSpec:
    """The population grid's specification: square cells of ``cell_size_m`` in ``crs``.

    Parameters
    ----------
    cell_size_m : float
        Side of a cell in metres (> 0).
    crs : str
        CRS of the cell centres ``x``, ``y``: the metric CRS of every computation
        (:data:`coverage.crs.PROJECTED`); any other is refused.
    """

    cell_size_m: float
    crs: str = PROJECTED

    def __post_init__(self) -> None:
        size = float(self.cell_size_m)
        if not math.isfinite(size) or size <= 0:
            raise InputError(f"grid cell size must be a positive number of metres; got {self.cell_size_m!r}")
        object.__setattr__(self, "cell_size_m", size)
        if str(self.crs).upper() != PROJECTED:
            raise InputError(f"population grid cell centres must be in {PROJECTED}; got {self.crs!r}")

    @classmethod
    def default(cls) -> "GridSpec":
        """The embedded grid's specification (``data/population/grid_meta.json``)."""
        meta = json.loads(paths.POPULATION_META.read_text(encoding="utf-8"))
        return cls(float(meta["cell_size_m"]), str(meta["crs"]))

    @classmethod
    def infer(cls, population: pd.DataFrame, fallback: "GridSpec") -> "GridSpec":
        """The most common spacing between distinct cell-centre coordinates (``fallback`` when
        the grid has a single row or column of cells)."""
        size = _common_spacing(population)
        return fallback if size is None else cls(size, fallback.crs)

    def check(self, population: pd.DataFrame) -> None:
        """Raise :class:`~coverage.errors.InputError` unless ``population`` fits this grid.

        Checks the schema columns, finite coordinates, non-negative counts, no two cells with one
        centre, and (when the grid has neighbouring cells) a spacing equal to the cell size.
        """
        missing = [c for c in POPULATION_COLUMNS if c not in population.columns]
        if missing:
            raise InputError(f"population grid lacks column(s) {', '.join(missing)}")
        xy = population[["x", "y"]].to_numpy(dtype=float)
        if len(xy) and not np.isfinite(xy).all():
            raise InputError("population grid: cell centres x / y must be finite numbers")
        for col in ("pop_total", "pop_60plus", "pop_0_17"):
            values = pd.to_numeric(population[col], errors="coerce").to_numpy(dtype=float)
            if len(values) and (~np.isfinite(values) | (values < 0)).any():
                raise InputError(f"population grid column {col!r}: missing, non-numeric or negative values")
        if len(np.unique(np.round(xy, 3), axis=0)) != len(xy):
            raise InputError("population grid: two cells share one centre")
        size = _common_spacing(population)
        if size is not None and abs(size - self.cell_size_m) > 0.01 * self.cell_size_m:
            raise InputError(
                f"population grid: cells are {size:g} m apart but the grid specification says {self.cell_size_m:g} m"
            )


def _common_spacing(population: pd.DataFrame) -> float | None:
    diffs = []
    for c in ("x", "y"):
        vals = np.unique(np.asarray(population[c], dtype=float))
        if vals.size > 1:
            d = np.round(np.diff(vals), 2)
            diffs.append(d[d > 0])
    d = np.concatenate(diffs) if diffs else np.empty(0)
    if d.size == 0:
        return None
    values, counts = np.unique(d, return_counts=True)
    return float(values[np.argmax(counts)])


@dataclass(frozen=True)
class Unassigned:
    """Cells and facilities that lie in no town of the region's boundaries.

    Attributes
    ----------
    cells : int
        Population cells with no town.
    people : int
        Residents (``pop_total``) of those cells.
    facilities : dict of layer id to tuple of facility_id
    """

    cells: int
    people: int
    facilities: dict[str, tuple[str, ...]]

    @property
    def empty(self) -> bool:
        """True when every cell and facility has a town."""
        return self.cells == 0 and not any(self.facilities.values())


# --------------------------------------------------------------------------- Region


@lru_cache(maxsize=1)
def _default_grid() -> GridSpec:
    return GridSpec.default()


_REQUIRED = {
    "districts": ("district_code", "district_zh"),
    "towns": ("town_code", "town_zh", "district_code", "district_zh"),
    "population": ("x", "y", "town_code", "district_code"),
}


@dataclass(eq=False)
class Region:
    """Everything a coverage computation needs about the study area.

    Validated when built (:class:`~coverage.errors.InputError` naming what is wrong): the
    boundary tables are GeoDataFrames in EPSG:4326 with their key columns, the population
    grid has cell centres and codes, facility layers are known layers with a CRS, provenance
    values are known. Two regions are never equal unless they are the same object.

    Attributes
    ----------
    districts : geopandas.GeoDataFrame
        County-level units, EPSG:4326 (``district_code``, ``district_zh``, ``district_en``,
        ``geometry_source``).
    towns : geopandas.GeoDataFrame
        Towns/streets (镇/街道), EPSG:4326, schema in ``docs/ARCHITECTURE.md``.
    population : pandas.DataFrame
        One row per populated 500 m cell; ``x``, ``y`` are cell centres in EPSG:32649.
    facilities : dict of str to geopandas.GeoDataFrame
        Layer id → EPSG:4326 points with the facility schema.
    provenance : dict of str to str
        Input name (``districts``, ``towns``, ``population``, ``facilities:<layer>``,
        ``roads``) → ``real`` | ``modelled`` | ``illustrative`` | ``uploaded`` | ``none``.
    network : RoadNetwork or None
        Road graph (``coverage.network.RoadNetwork``); None: distance mode.
    reports : dict of str to ImportReport
        Import reports of the user files that replaced default inputs, by input name.
    grid : GridSpec
        The population grid's cell size and CRS (the embedded grid's by default); checked
        against the grid by :meth:`with_population`.
    """

    districts: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    population: pd.DataFrame
    facilities: dict[str, gpd.GeoDataFrame]
    provenance: dict[str, str]
    network: "RoadNetwork | None" = None
    reports: dict[str, "ImportReport"] = field(default_factory=dict)
    grid: GridSpec = field(default_factory=_default_grid)

    def __post_init__(self) -> None:
        for name in ("districts", "towns"):
            frame = getattr(self, name)
            if not isinstance(frame, gpd.GeoDataFrame):
                raise InputError(f"Region.{name} must be a GeoDataFrame; got {type(frame).__name__}")
            if frame.crs is None or not frame.crs.equals(WGS84):
                raise InputError(f"Region.{name} must be in {WGS84}; got {frame.crs}")
        if not isinstance(self.population, pd.DataFrame):
            raise InputError(f"Region.population must be a DataFrame; got {type(self.population).__name__}")
        for name, cols in _REQUIRED.items():
            missing = [c for c in cols if c not in getattr(self, name).columns]
            if missing:
                raise InputError(f"Region.{name} lacks column(s) {', '.join(missing)}")
        for layer_id, gdf in self.facilities.items():
            get_layer(layer_id)
            if not isinstance(gdf, gpd.GeoDataFrame) or gdf.crs is None:
                raise InputError(f"Region.facilities[{layer_id!r}] must be a GeoDataFrame with a CRS")
        for name, value in self.provenance.items():
            if value not in PROVENANCE_VALUES:
                raise InputError(f"provenance of {name!r} must be one of {', '.join(PROVENANCE_VALUES)}; got {value!r}")
        if not isinstance(self.grid, GridSpec):
            raise InputError(f"Region.grid must be a GridSpec; got {type(self.grid).__name__}")

    @property
    def cell_size(self) -> float:
        """Side of the population grid's cells in metres (:attr:`grid`)."""
        return self.grid.cell_size_m

    # -- coordinates -------------------------------------------------------------------
    def facility_xy(self, layer: str) -> np.ndarray:
        """Facility coordinates of ``layer`` in EPSG:32649, shape ``(n, 2)`` float64.

        A known layer the region does not hold gives an empty array; an unknown layer id
        raises ``ValueError``.
        """
        gdf = self.layer(layer)
        if len(gdf) == 0:
            return np.empty((0, 2), dtype=float)
        geom = gdf.geometry
        x, y = _TO_PROJECTED.transform(geom.x.to_numpy(float), geom.y.to_numpy(float))
        return np.column_stack([x, y]).astype(float)

    def cell_xy(self) -> np.ndarray:
        """Population cell centres in EPSG:32649, shape ``(m, 2)`` float64."""
        return self.population[["x", "y"]].to_numpy(dtype=float)

    def cell_area_type(self) -> np.ndarray:
        """Area type (``"urban"`` / ``"rural"``) of every cell, from the town it lies in.

        Towns without an ``area_type`` use their ``town_type``
        (:data:`coverage.standards.TOWN_TYPE_AREA`: 街道 → urban, 镇 → rural); any other type
        raises :class:`InputError`. Cells of no known town are ``"rural"``.
        """
        lookup = _town_area_types(self.towns)
        keys, uniques = pd.factorize(self.population["town_code"].astype(object))  # one lookup per distinct code
        areas = np.array([lookup.get(c, "rural") for c in uniques] + ["rural"], dtype=object)
        return areas[keys]  # a missing code (key -1) takes the last entry: rural

    def served(self, layer_id: str) -> np.ndarray:
        """Population per cell of the group ``layer_id`` serves (float64, one per cell)."""
        col = get_layer(layer_id).served_column
        if col not in self.population.columns:
            raise ValueError(f"population grid has no column {col!r} needed by layer {layer_id!r}")
        return self.population[col].to_numpy(dtype=float)

    # -- provenance ----------------------------------------------------------------------
    def provenance_for(self, layers: Iterable[str] | None = None) -> dict[str, str]:
        """The provenance entries an output on ``layers`` depends on.

        Parameters
        ----------
        layers : iterable of str, optional
            Facility layers the output uses; None keeps every layer.
        """
        if layers is None:
            return dict(self.provenance)
        keep = {f"facilities:{layer}" for layer in layers}
        return {k: v for k, v in self.provenance.items() if not k.startswith("facilities:") or k in keep}

    def modelled_inputs(self, layers: Iterable[str] | None = None) -> list[str]:
        """Input names whose provenance is ``modelled`` or ``illustrative``, in provenance order.

        Parameters
        ----------
        layers : iterable of str, optional
            Only these facility layers are considered (all when None).
        """
        return [k for k, v in self.provenance_for(layers).items() if v in ("modelled", "illustrative")]

    def provenance_note(self, lang: str = "zh", layers: Iterable[str] | None = None) -> str:
        """One sentence saying which inputs are modelled, illustrative or uploaded.

        Parameters
        ----------
        lang : {"zh", "en"}
        layers : iterable of str, optional
            Facility layers the output uses; the note names only these (all when None).
        """
        no_roads = self.network is None and self.provenance.get("roads", "none") == "none"
        return provenance_note(self.provenance_for(layers), no_roads, lang)

    # -- copies ----------------------------------------------------------------------------
    def with_facilities(
        self, layer: str, gdf: gpd.GeoDataFrame, provenance: str | None = None
    ) -> "Region":
        """A copy of the region with facility layer ``layer`` replaced by ``gdf``.

        Parameters
        ----------
        layer : str
            A layer id of :data:`coverage.layers.LAYERS`.
        gdf : GeoDataFrame
            Points with a CRS (reprojected to WGS-84). Missing schema columns are added
            empty; ``layer`` is set.
        provenance : str, optional
            New provenance of the layer. Default: the ``source`` column's value when it is
            the same on every row, ``illustrative`` when any row is illustrative, else the
            layer's current provenance.
        """
        get_layer(layer)
        if not isinstance(gdf, gpd.GeoDataFrame):
            raise ValueError(f"with_facilities({layer!r}): expected a GeoDataFrame, got {type(gdf).__name__}")
        if gdf.crs is None:
            raise ValueError(f"with_facilities({layer!r}): the GeoDataFrame has no CRS")
        new = _normalise_facilities(gdf.to_crs(WGS84), layer)
        if provenance is None:
            provenance = _infer_provenance(new, self.provenance.get(f"facilities:{layer}", "uploaded"))
        _check_provenance(provenance)
        facilities = dict(self.facilities)
        facilities[layer] = new
        prov = dict(self.provenance)
        prov[f"facilities:{layer}"] = provenance
        return replace(self, facilities=facilities, provenance=prov)

    def with_towns(self, towns: gpd.GeoDataFrame, provenance: str = "uploaded",
                   report: "ImportReport | None" = None) -> "Region":
        """A copy with town boundaries ``towns``; population cells and facilities are re-assigned to them.

        A cell or facility that lies in no town of ``towns`` (e.g. a town missing from the file)
        is left unassigned — no town, its own district kept — never given to a nearby town; the
        report (``reports["towns"]``) gets a warning naming them (:meth:`unassigned`).

        Parameters
        ----------
        towns : GeoDataFrame
            Town polygons in the towns schema (``coverage.io.read_towns`` output); WGS-84 when
            it has no CRS.
        provenance : str, default "uploaded"
        report : ImportReport, optional
            Kept in ``reports["towns"]``.
        """
        _check_provenance(provenance)
        towns = towns.to_crs(WGS84) if towns.crs is not None else towns.set_crs(WGS84)
        towns = towns.reset_index(drop=True)
        reports = dict(self.reports) if report is None else {**self.reports, "towns": report}
        out = replace(
            self,
            towns=towns,
            population=_reassign_cells(self.population, towns),
            facilities={k: _reassign_points(v, towns) for k, v in self.facilities.items()},
            provenance={**self.provenance, "towns": provenance},
            reports=reports,
        )
        lost = out.unassigned()
        if report is not None and not lost.empty:
            if lost.cells:
                report.warn("import.towns.unassigned_cells", cells=lost.cells, people=lost.people)
            for layer_id, ids in lost.facilities.items():
                shown = ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
                report.warn("import.towns.unassigned_facilities", n=len(ids), layer_id=layer_id, ids=shown)
        return out

    def with_population(
        self, grid: pd.DataFrame, provenance: str = "uploaded", report: "ImportReport | None" = None,
        reassign: bool = False, spec: GridSpec | None = None,
    ) -> "Region":
        """A copy with population grid ``grid`` (population schema, x/y in EPSG:32649).

        Parameters
        ----------
        grid : DataFrame
        provenance : str, default "uploaded"
        report : ImportReport, optional
            Kept in ``reports["population"]``; a report saying the age groups were modelled
            (the file had no 60+ / 0-17 columns) also marks ``population:age_groups`` modelled.
        reassign : bool, default False
            Re-assign the cells to this region's towns (when the grid was read against other
            boundaries).
        spec : GridSpec, optional
            The grid's cell size and CRS; inferred from the cell spacing when omitted (this
            region's spec when the grid has no neighbouring cells). Checked against ``grid``.

        Raises
        ------
        InputError
            The grid does not fit ``spec`` (columns, coordinates, counts, spacing).
        """
        _check_provenance(provenance)
        grid = grid.reset_index(drop=True)
        spec = spec if spec is not None else GridSpec.infer(grid, self.grid)
        spec.check(grid)
        if reassign:
            grid = _reassign_cells(grid, self.towns)
        prov = {**self.provenance, "population": provenance}
        prov.pop("population:age_groups", None)
        if report is not None and age_groups_modelled(report):
            prov["population:age_groups"] = "modelled"
        reports = dict(self.reports) if report is None else {**self.reports, "population": report}
        return replace(self, population=grid, provenance=prov, reports=reports, grid=spec)

    def with_network(self, network: "RoadNetwork | None", provenance: str = "uploaded") -> "Region":
        """A copy of the region with road network ``network`` (None: distance mode, ``roads=none``)."""
        prov = dict(self.provenance)
        prov["roads"] = "none" if network is None else provenance
        _check_provenance(prov["roads"])
        return replace(self, network=network, provenance=prov)

    def copy(self) -> "Region":
        """A copy whose tables can be modified without touching this region."""
        return Region(
            districts=self.districts.copy(),
            towns=self.towns.copy(),
            population=self.population.copy(),
            facilities={k: v.copy() for k, v in self.facilities.items()},
            provenance=dict(self.provenance),
            network=self.network,
            reports=dict(self.reports),
            grid=self.grid,
        )

    # -- layers and towns ----------------------------------------------------------------------
    def layer(self, layer: str) -> gpd.GeoDataFrame:
        """Facilities of ``layer`` (an empty frame with the schema when the region holds none)."""
        get_layer(layer)
        gdf = self.facilities.get(layer)
        return _empty_facilities(layer) if gdf is None else gdf

    def locate(self, points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """``points`` with ``town_code`` / ``district_code`` of the town polygon containing each.

        A point in no town polygon gets no town (None) and keeps its own ``district_code`` (None
        when it had none): it is never given to the nearest town.
        """
        if points.crs is None:
            raise InputError("locate: the points have no CRS")
        pts = points.to_crs(WGS84)
        code, district = _locate(pts[[pts.geometry.name]], self.towns)
        out = points.copy()
        own = out["district_code"].tolist() if "district_code" in out.columns else [None] * len(out)
        out["town_code"] = pd.Series(code, index=out.index, dtype=object)
        out["district_code"] = pd.Series([d if d is not None else (o if isinstance(o, str) else None)
                                          for d, o in zip(district, own)], index=out.index, dtype=object)
        return out

    def unassigned(self) -> Unassigned:
        """Population cells and facilities that lie in no town of :attr:`towns`."""
        known = set(self.towns["town_code"].astype(str))
        codes = self.population["town_code"]
        lost = ~codes.astype(object).where(codes.notna(), None).isin(known).to_numpy()
        people = int(pd.to_numeric(self.population.loc[lost, "pop_total"], errors="coerce").fillna(0).sum()) \
            if "pop_total" in self.population.columns else 0
        facilities = {}
        for layer_id, gdf in self.facilities.items():
            town = gdf["town_code"] if "town_code" in gdf.columns else pd.Series([None] * len(gdf))
            missing = ~town.isin(known).to_numpy()
            if missing.any():
                facilities[layer_id] = tuple(gdf.loc[missing, "facility_id"].astype(str))
        return Unassigned(int(lost.sum()), people, facilities)


# --------------------------------------------------------------------------- loading


def load_default() -> Region:
    """The embedded Jiangmen region (a fresh copy; the files are read once per process).

    Provenance: districts ``real``, towns and population ``modelled``, every facility
    layer ``illustrative``, roads ``none``.
    """
    return _default_cached(_data_stamp()).copy()


def load_region(
    towns: str | os.PathLike[str] | None = None,
    population: str | os.PathLike[str] | None = None,
    facilities: Mapping[str, str | os.PathLike[str]] | None = None,
    crs: str = "wgs84",
    base: Region | None = None,
) -> Region:
    """The default region (or ``base``) with some inputs replaced by the user's files.

    Parameters
    ----------
    towns : path-like, optional
        Town boundaries (read with ``coverage.io.read_towns``). The population cells and
        default facilities are re-assigned to the new towns by location.
    population : path-like, optional
        Population grid or raster (``coverage.io.read_population``), assigned to the towns.
    facilities : mapping of layer id to path-like, optional
        Facility registers (``coverage.io.read_facilities``), one per layer replaced.
    crs : {"wgs84", "cgcs2000", "gcj02", "bd09"}, default "wgs84"
        Coordinate system of the user's longitude/latitude values.
    base : Region, optional
        The region the files replace inputs of (default :func:`load_default`; e.g. the region
        restored from a workspace).

    Returns
    -------
    Region
        Replaced inputs have provenance ``uploaded``; the import reports are in
        ``Region.reports`` keyed by input name.

    Raises
    ------
    ValueError
        Unknown layer id in ``facilities``; any import error (``DataImportError``).
    """
    facilities = dict(facilities or {})
    for layer_id in facilities:
        get_layer(layer_id)
    region = load_default() if base is None else base

    if towns is not None:
        new_towns, rep = read_towns(towns, crs=crs)
        region = region.with_towns(new_towns, report=rep)

    if population is not None:
        grid, rep = read_population(population, region.towns)
        region = region.with_population(grid, report=rep)

    if facilities:
        for layer_id, path in facilities.items():
            gdf, rep = read_facilities(path, layer_id, crs=crs, towns=region.towns)
            region = region.with_facilities(layer_id, gdf, provenance="uploaded")
            region = replace(region, reports={**region.reports, f"facilities:{layer_id}": rep})
    return region


# --------------------------------------------------------------------------- internals


def _data_stamp() -> tuple:
    """Modification times of the default files (a changed file invalidates the cache)."""
    files = [paths.DISTRICTS_FILE, paths.TOWNS_FILE, paths.POPULATION_FILE]
    files += [paths.facility_file(layer_id) for layer_id in LAYERS]
    return tuple(f.stat().st_mtime_ns if f.exists() else None for f in files)


@lru_cache(maxsize=2)
def _default_cached(stamp: tuple) -> Region:
    missing = [str(p) for p, s in zip([paths.DISTRICTS_FILE, paths.TOWNS_FILE, paths.POPULATION_FILE], stamp) if s is None]
    if missing:
        raise FileNotFoundError(
            f"default data missing: {', '.join(missing)} (run scripts/build_default_data.py)"
        )
    districts = _read_vector(paths.DISTRICTS_FILE, ["district_code"])
    towns = _read_vector(paths.TOWNS_FILE, ["town_code", "district_code"])
    population = _read_population(paths.POPULATION_FILE)
    facilities: dict[str, gpd.GeoDataFrame] = {}
    provenance = {"districts": "real", "towns": "modelled", "population": "modelled"}
    for layer_id in LAYERS:
        path = paths.facility_file(layer_id)
        if path.exists():
            facilities[layer_id] = _normalise_facilities(
                _read_vector(path, ["facility_id", "town_code", "district_code"]), layer_id
            )
            provenance[f"facilities:{layer_id}"] = "illustrative"
        else:
            facilities[layer_id] = _empty_facilities(layer_id)
            provenance[f"facilities:{layer_id}"] = "none"
    provenance["roads"] = "none"
    return Region(districts, towns, population, facilities, provenance)


def _read_vector(path, str_columns: list[str]) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path)
    gdf = gdf.set_crs(WGS84) if gdf.crs is None else gdf.to_crs(WGS84)
    for col in str_columns:
        if col in gdf.columns:
            gdf[col] = gdf[col].astype(str)
    return gdf


def _read_population(path) -> pd.DataFrame:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"town_code": str, "district_code": str})
    missing = [c for c in POPULATION_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    for col in _POP_INT_COLUMNS:
        df[col] = df[col].astype(np.int64)
    df["x"] = df["x"].astype(float)
    df["y"] = df["y"].astype(float)
    return df


def _empty_facilities(layer_id: str) -> gpd.GeoDataFrame:
    return _normalise_facilities(
        gpd.GeoDataFrame({c: [] for c in FACILITY_COLUMNS}, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84),
        layer_id,
    )


def _normalise_facilities(gdf: gpd.GeoDataFrame, layer_id: str) -> gpd.GeoDataFrame:
    """The facility schema: every column present, integer columns nullable Int64."""
    out = gdf.copy()
    for col in FACILITY_COLUMNS:
        if col not in out.columns:
            out[col] = pd.Series([None] * len(out), index=out.index, dtype=object)
    out["layer"] = layer_id
    for col in FACILITY_INT_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    for col in ("facility_id", "town_code", "district_code"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
        out[col] = [None if v is None else str(v) for v in out[col]]
    extra = [c for c in out.columns if c not in FACILITY_COLUMNS and c != out.geometry.name]
    return out[FACILITY_COLUMNS + extra + [out.geometry.name]].reset_index(drop=True)


def _town_area_types(towns: gpd.GeoDataFrame) -> dict[str, str]:
    """``town_code`` → area type: the town's ``area_type``, else its ``town_type``
    (:func:`coverage.standards.area_type_of`); an unknown type raises :class:`InputError`."""
    codes = towns["town_code"].astype(str).tolist()
    areas = towns["area_type"].tolist() if "area_type" in towns.columns else [None] * len(codes)
    types = towns["town_type"].tolist() if "town_type" in towns.columns else [None] * len(codes)
    out: dict[str, str] = {}
    for code, area, kind in zip(codes, areas, types):
        if isinstance(area, str) and area in AREA_TYPES:
            out[code] = area
        elif isinstance(area, str) and area:
            raise InputError(f"town {code}: unknown area type {area!r}; expected {', '.join(AREA_TYPES)}")
        else:
            try:
                out[code] = area_type_of(kind)
            except InputError as exc:
                raise InputError(f"town {code}: {exc}") from None
    return out


def _reassign_cells(population: pd.DataFrame, towns: gpd.GeoDataFrame) -> pd.DataFrame:
    """Town (and district) of every cell centre under new town polygons (None outside)."""
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(population["x"], population["y"]), crs=PROJECTED
    ).to_crs(WGS84)
    code, district = _locate(pts, towns)
    out = population.copy()
    out["town_code"] = code
    out["district_code"] = [d if d is not None else old for d, old in zip(district, out["district_code"])]
    return out


def _reassign_points(gdf: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if len(gdf) == 0:
        return gdf
    code, district = _locate(gdf[[gdf.geometry.name]], towns)
    out = gdf.copy()
    out["town_code"] = code
    out["district_code"] = [d if d is not None else old for d, old in zip(district, out["district_code"])]
    return out


def _locate(points: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> tuple[list, list]:
    cols = ["town_code"] + (["district_code"] if "district_code" in towns.columns else [])
    j = gpd.sjoin(points.reset_index(drop=True), towns[cols + [towns.geometry.name]], how="left", predicate="within")
    j = j[~j.index.duplicated(keep="first")].sort_index()
    code = [None if pd.isna(v) else str(v) for v in j["town_code"]]
    if "district_code" in j.columns:
        district = [None if pd.isna(v) else str(v) for v in j["district_code"]]
    else:
        district = [None] * len(j)
    return code, district


def _infer_provenance(gdf: gpd.GeoDataFrame, current: str) -> str:
    values = {str(v) for v in gdf["source"].dropna()}
    if len(values) == 1 and next(iter(values)) in PROVENANCE_VALUES:
        return next(iter(values))
    if "illustrative" in values:
        return "illustrative"
    return current


def _check_provenance(value: str) -> None:
    if value not in PROVENANCE_VALUES:
        raise ValueError(f"provenance must be one of {', '.join(PROVENANCE_VALUES)}; got {value!r}")
