"""The one analysis object the app, the CLI and scripts talk to.

An :class:`Analysis` is a region, the service standards in force and the planner's what-if
edits (sites added, facilities removed). Every figure is computed here, in one place, with one
set of defaults, and cached per input (:func:`cache_key`): reach, population and unit coverage,
gap zones, siting, accessibility, equity, the plan review, service areas. Results are language-neutral result objects (rates 0-1, the
keys of :mod:`coverage.schema`, the standard / method / provenance as fields); words come from
:mod:`coverage.describe` and :mod:`coverage.i18n` at the edges.

An ``Analysis`` never changes: ``with_*`` methods return a new one (sharing nothing mutable).

Example
-------
>>> from coverage.analysis import Analysis, Edit
>>> from coverage.region import load_default
>>> a = Analysis(load_default())
>>> cov = a.coverage("elder_care_station")          # CoverageResult
>>> round(cov.city["rate"], 3)                       # doctest: +SKIP
0.72
>>> ten = a.with_choice("elder_care_station", "walk", 10)   # the app's sidebar choice
>>> edited = a.with_edits([Edit("elder_care_station", "add", lon=113.08, lat=22.58)])
>>> gaps = edited.gaps("elder_care_station")         # GapResult (calls coverage.gaps)
>>> review = a.review(2025)                          # coverage.review.ReviewResult
>>> sites = a.siting("elder_care_station", k=5)      # coverage.siting.SitingResult  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Literal, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from geopandas.array import GeometryDtype
from shapely.geometry import Point

from coverage import access as access_mod
from coverage import equity as equity_mod
from coverage import gaps as gaps_mod
from coverage import metrics, reach as reach_mod, review as review_mod, service_areas as areas_mod
from coverage import siting as siting_mod
from coverage.crs import WGS84
from coverage.describe import method_text, provenance_text, standard_text
from coverage.errors import InputError
from coverage.export import write_csv
from coverage.layers import get_layer
from coverage.region import Region
from coverage.standards import AREA_TYPES, Override, Standard, StandardTable, load_standards

__all__ = ["Edit", "Analysis", "CoverageResult", "UnitCoverageResult", "GapResult", "cache_key", "edits_from_changes"]

Method = Literal["network", "distance"]


@dataclass(frozen=True)
class Edit:
    """One what-if edit of a facility layer.

    Parameters
    ----------
    layer : str
        Facility layer id.
    op : {"add", "remove"}
    lon, lat : float, optional
        WGS-84 position of an added site (required for ``add``).
    facility_id : str, optional
        The facility removed (``remove``); an added site's id is ``new-<n>`` (n-th site added to
        the layer, counting from 1), which a later ``remove`` may name.
    """

    layer: str
    op: Literal["add", "remove"]
    lon: float | None = None
    lat: float | None = None
    facility_id: str = ""

    def __post_init__(self) -> None:
        get_layer(self.layer)
        if self.op not in ("add", "remove"):
            raise InputError(f"edit op must be 'add' or 'remove'; got {self.op!r}")
        if self.op == "add":
            lon, lat = float(self.lon), float(self.lat)  # type: ignore[arg-type]
            if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
                raise InputError(f"an added site needs WGS-84 lon/lat; got {self.lon!r}, {self.lat!r}")
            object.__setattr__(self, "lon", lon)
            object.__setattr__(self, "lat", lat)
        elif not str(self.facility_id):
            raise InputError("a removal must name the facility_id removed")
        object.__setattr__(self, "facility_id", str(self.facility_id))


def edits_from_changes(changes: Iterable[Mapping[str, Any]]) -> tuple[Edit, ...]:
    """Edits from the workspace's change records (``{"layer", "op", "lon", "lat", "facility_id"}``)."""
    return tuple(Edit(str(c["layer"]), c["op"], c.get("lon"), c.get("lat"), str(c.get("facility_id") or ""))
                 for c in changes)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class CoverageResult:
    """Population coverage of one layer.

    Attributes
    ----------
    layer_id : str
    table : pandas.DataFrame
        :data:`coverage.schema.COVERAGE_COLUMNS`: one row per town, district and the city;
        ``rate`` is a fraction 0-1 (NaN where no one of the group lives).
    standards : dict of area type to Standard
    method : {"network", "distance"}
    provenance : dict of str to str
        The inputs the figures depend on (``Region.provenance_for``).
    """

    layer_id: str
    table: pd.DataFrame
    standards: Mapping[str, Standard]
    method: str
    provenance: Mapping[str, str]

    def rows(self, level: str) -> pd.DataFrame:
        """Rows of one ``level`` (``town`` / ``district`` / ``city``)."""
        return self.table[self.table["level"] == level].reset_index(drop=True)

    @property
    def city(self) -> dict[str, float]:
        """``served``, ``covered``, ``uncovered``, ``off_network`` and ``rate`` (0-1) of the city."""
        row = self.rows("city").iloc[0]
        return {k: float(row[k]) for k in ("served", "covered", "uncovered", "off_network", "rate")}

    def standard_text(self, lang: str = "zh") -> str:
        """The standard in words, with how reach was measured."""
        return f"{standard_text(self.standards, lang)}; {method_text(self.method, lang)}"

    def provenance_text(self, lang: str = "zh") -> str:
        """Where the inputs come from, in words."""
        return provenance_text(self.provenance, [self.layer_id], lang)

    def frame(self, lang: str = "zh") -> pd.DataFrame:
        """The table for export: with ``standard`` and ``provenance`` columns in ``lang``."""
        out = self.table.copy()
        out["standard"] = self.standard_text(lang)
        out["provenance"] = self.provenance_text(lang)
        return out

    def to_csv(self, path: str | os.PathLike[str], lang: str = "zh") -> Path:
        """:meth:`frame` as a UTF-8 CSV with BOM (spreadsheet-safe)."""
        return write_csv(self.frame(lang), path)


@dataclass(frozen=True, eq=False)
class UnitCoverageResult:
    """Unit coverage (towns or counties with at least one facility) of one layer.

    Attributes
    ----------
    layer_id : str
    level : {"town", "county"}
    table : pandas.DataFrame
        :func:`coverage.metrics.unit_coverage` rows.
    unassigned : int
        Facilities that lie in no unit.
    provenance : dict of str to str
    """

    layer_id: str
    level: str
    table: pd.DataFrame
    unassigned: int
    provenance: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class GapResult(gaps_mod.GapZones):
    """Gap zones of one layer and the uncovered people per town: a :class:`coverage.gaps.GapZones`
    (every field of it: ``zones``, ``layer_id``, the options in force, ``left_out``, ``standards``,
    ``method``, ``unit``, ``provenance`` …; :meth:`~coverage.gaps.GapZones.feature_collection`,
    :meth:`~coverage.gaps.GapZones.to_geojson`) plus ``towns``.

    Attributes
    ----------
    towns : pandas.DataFrame
        :func:`coverage.gaps.uncovered_by_town` rows (largest uncovered population first).
    """

    towns: pd.DataFrame

    @classmethod
    def of(cls, zones: gaps_mod.GapZones, towns: pd.DataFrame) -> "GapResult":
        """``zones`` (from :func:`coverage.gaps.gap_zones`) with the town table."""
        return cls(**{f.name: getattr(zones, f.name) for f in fields(gaps_mod.GapZones)}, towns=towns)


def cache_key(value: Any) -> Hashable:
    """A hashable key that is equal for equal option values (the one rule of :class:`Analysis`' caches).

    Mappings become sorted ``(key, value)`` tuples, lists / tuples tuples and sets frozensets (frozen
    recursively); numpy scalars become Python numbers and arrays their dtype, shape and bytes; enums
    their value; booleans stay distinct from 1 / 0 and NaN equals NaN. Data frames are keyed on their
    content (columns, index, values; geometries as WKB), paths on their name, size and modification
    time. Any other hashable value is itself; an unhashable object is keyed on its identity.

    Parameters
    ----------
    value : object
        An option value (or a mapping of options).

    Returns
    -------
    Hashable
    """
    if isinstance(value, Enum):
        return cache_key(value.value)
    if isinstance(value, (bool, np.bool_)):
        return ("bool", bool(value))
    if isinstance(value, np.generic):
        return cache_key(value.item())
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, (str, bytes, int, float, type(None))):
        return value
    if isinstance(value, Mapping):
        items = [(cache_key(k), cache_key(v)) for k, v in value.items()]
        return ("map", tuple(sorted(items, key=lambda kv: repr(kv[0]))))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(cache_key(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(cache_key(v) for v in value))
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, np.ascontiguousarray(value).tobytes())
    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        try:
            return ("frame", _frame_digest(value))
        except TypeError:  # cells pandas cannot hash (lists, dicts): refuse rather than key on identity
            raise TypeError("a table option holds cells that cannot be hashed (lists, dicts); "
                            "pass plain values") from None
    if isinstance(value, os.PathLike):
        path = Path(value)
        stat = path.stat() if path.exists() else None
        return ("path", str(path.resolve()), None if stat is None else (stat.st_size, stat.st_mtime_ns))
    try:
        hash(value)
    except TypeError:
        return ("id", _Identity(value))
    return value


class _Identity:
    """Keys an unhashable object on its identity (and keeps it alive while the key is)."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.obj is self.obj


def _frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's columns, dtypes, index and values (geometries as WKB)."""
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode("utf-8"))
    digest.update(repr(list(frame.index.names)).encode("utf-8"))
    plain = frame.drop(columns=[c for c in frame.columns if isinstance(frame[c].dtype, GeometryDtype)])
    digest.update(pd.util.hash_pandas_object(plain, index=True).to_numpy().tobytes())
    for c in plain.columns:
        if plain[c].dtype == object:  # hashed as text by pandas: 1 and "1" must differ
            digest.update(repr([type(v).__name__ for v in plain[c].tolist()]).encode("utf-8"))
    for c in frame.columns:
        if isinstance(frame[c].dtype, GeometryDtype):
            for w in shapely.to_wkb(np.asarray(frame[c])):  # length-prefixed, a missing geometry marked
                digest.update(b"-" if w is None else len(w).to_bytes(8, "little") + w)
            digest.update(str(getattr(frame[c], "crs", None)).encode("utf-8"))
    return digest.hexdigest()


# --------------------------------------------------------------------------- the analysis


class Analysis:
    """Region + standards + the planner's edits → every result, computed once.

    Parameters
    ----------
    region : Region
        The study region as loaded (default data, uploads, a road network).
    standards : StandardTable, optional
        The standards in force (the embedded ``data/standards.csv`` when None). Build variants
        with :meth:`with_choice` / :meth:`with_override`, which call the one resolver.
    edits : iterable of Edit (or workspace change records), optional
        What-if edits, applied in order per layer.

    Notes
    -----
    Edits that cannot be applied (a removal of a facility not in the layer) are skipped and
    listed in :attr:`problems` as ``(index, Edit)``.
    """

    def __init__(self, region: Region, standards: StandardTable | None = None,
                 edits: Iterable[Edit | Mapping[str, Any]] = ()) -> None:
        if not isinstance(region, Region):
            raise TypeError(f"region must be a Region; got {type(region).__name__}")
        table = load_standards() if standards is None else standards
        if not isinstance(table, StandardTable):
            raise TypeError(f"standards must be a StandardTable; got {type(table).__name__}")
        self._region = region
        self._standards = table
        self._edits = tuple(e if isinstance(e, Edit) else edits_from_changes([e])[0] for e in edits)
        self._cache: dict[tuple, Any] = {}
        self._problems: list[tuple[int, Edit]] = []

    # -- inputs ----------------------------------------------------------------------------
    @property
    def region(self) -> Region:
        """The region as loaded (without the edits; see :meth:`edited_region`)."""
        return self._region

    @property
    def standards(self) -> StandardTable:
        """The standards in force."""
        return self._standards

    @property
    def edits(self) -> tuple[Edit, ...]:
        """The what-if edits, in order."""
        return self._edits

    @property
    def method(self) -> Method:
        """``"network"`` when the region has a road network, else ``"distance"``."""
        return "network" if self._region.network is not None else "distance"

    @property
    def problems(self) -> list[tuple[int, Edit]]:
        """Edits skipped because they could not be applied (``(index, edit)``)."""
        self.edited_region()
        return list(self._problems)

    def with_standards(self, standards: StandardTable) -> "Analysis":
        """The same region and edits under ``standards``."""
        return Analysis(self._region, standards, self._edits)

    def with_override(self, layer_ids: Sequence[str], override: Override) -> "Analysis":
        """``override`` applied to ``layer_ids`` (:meth:`StandardTable.resolved`)."""
        return self.with_standards(self._standards.resolved(layer_ids, override))

    def with_choice(self, layer_id: str, mode: str, minutes: float) -> "Analysis":
        """A planner's ``(mode, minutes)`` choice for ``layer_id`` (:meth:`StandardTable.chosen`)."""
        return self.with_standards(self._standards.chosen(layer_id, mode, minutes))

    def with_edits(self, edits: Iterable[Edit | Mapping[str, Any]]) -> "Analysis":
        """These ``edits`` appended to the current ones."""
        return Analysis(self._region, self._standards, self._edits + tuple(edits))

    def with_region(self, region: Region) -> "Analysis":
        """Another region (e.g. with a road network) under the same standards and edits."""
        return Analysis(region, self._standards, self._edits)

    def standards_of(self, layer_id: str) -> dict[str, Standard]:
        """``{area_type: Standard}`` of ``layer_id``."""
        return {a: self._standards.get(layer_id, a) for a in AREA_TYPES}

    # -- edits -----------------------------------------------------------------------------
    def _cached(self, key: tuple, compute: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def facilities(self, layer_id: str) -> gpd.GeoDataFrame:
        """The layer's facilities with the edits applied (added sites ``new-<n>``, ``source`` uploaded)."""
        get_layer(layer_id)
        return self._cached(("facilities", layer_id), lambda: self._apply_edits(layer_id))

    def _apply_edits(self, layer_id: str) -> gpd.GeoDataFrame:
        base = self._region.facilities[layer_id]
        mine = [(i, e) for i, e in enumerate(self._edits) if e.layer == layer_id]
        if not mine:
            return base
        keep = np.ones(len(base), dtype=bool)
        ids = base["facility_id"].astype(str).tolist()
        position = {fid: j for j, fid in enumerate(ids)}
        added: dict[str, tuple[float, float]] = {}
        n = 0
        for i, e in mine:
            if e.op == "add":
                n += 1
                added[f"new-{n}"] = (float(e.lon), float(e.lat))  # type: ignore[arg-type]
            elif e.facility_id in added:
                del added[e.facility_id]
            elif e.facility_id in position and keep[position[e.facility_id]]:
                keep[position[e.facility_id]] = False
            else:
                self._problems.append((i, e))
        out = base[keep]
        if added:
            new = gpd.GeoDataFrame(
                {"facility_id": list(added), "name": list(added), "layer": layer_id, "source": "uploaded"},
                geometry=[Point(xy) for xy in added.values()], crs=WGS84,
            )
            new = self._region.locate(new)
            out = pd.concat([out, new.reindex(columns=out.columns)], ignore_index=True)
        return gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=base.crs).reset_index(drop=True)

    def edited_region(self) -> Region:
        """The region with every layer's edits applied (the region itself when there are none)."""
        def build() -> Region:
            region = self._region
            for layer_id in dict.fromkeys(e.layer for e in self._edits):
                region = region.with_facilities(layer_id, self.facilities(layer_id),
                                                provenance=region.provenance[f"facilities:{layer_id}"])
            return region

        return self._cached(("region",), build)

    # -- results ---------------------------------------------------------------------------
    def model(self, layer_id: str) -> reach_mod.ReachModel:
        """The reach model of ``layer_id`` on the edited region (:class:`coverage.reach.ReachModel`).

        Shared by :meth:`reach`, :meth:`gaps` (nearest facility of each zone) and
        :meth:`service_areas`; treat it as read-only (edit through :meth:`with_edits`).
        """
        return self._cached(("model", layer_id), lambda: reach_mod.ReachModel(
            self.edited_region(), layer_id, self._standards))

    def reach(self, layer_id: str) -> reach_mod.CellReach:
        """Per-cell reach of ``layer_id`` (what :func:`coverage.reach.compute_reach` returns)."""
        return self._cached(("reach", layer_id), lambda: self.model(layer_id).reach)

    def coverage(self, layer_id: str) -> CoverageResult:
        """Population coverage of ``layer_id`` per town, district and city."""
        def build() -> CoverageResult:
            region = self.edited_region()
            table = metrics.population_coverage(region, layer_id, reach=self.reach(layer_id))
            return CoverageResult(layer_id, table, self.standards_of(layer_id), self.method,
                                  region.provenance_for([layer_id]))

        return self._cached(("coverage", layer_id), build)

    def unit_coverage(self, layer_id: str, level: Literal["town", "county"] | None = None,
                      year: int | None = None) -> UnitCoverageResult:
        """Towns (or counties) with at least one facility of ``layer_id``.

        ``level`` defaults to the layer's own (:attr:`coverage.layers.Layer.level`; ``town`` for
        point layers).
        """
        lvl = level or ("county" if get_layer(layer_id).level == "county" else "town")

        def build() -> UnitCoverageResult:
            region = self.edited_region()
            table = metrics.unit_coverage(region, layer_id, level=lvl, year=year)
            units = metrics.facility_units(region, layer_id, year)
            unassigned = int(units["town_code" if lvl == "town" else "district_code"].isna().sum())
            return UnitCoverageResult(layer_id, lvl, table, unassigned, region.provenance_for([layer_id]))

        return self._cached(("units", layer_id, lvl, year), build)

    def gaps(self, layer_id: str, **options: Any) -> GapResult:
        """Gap zones and uncovered people per town (:func:`coverage.gaps.gap_zones`).

        ``options`` are :func:`coverage.gaps.gap_zones`'s (``connectivity``, ``min_population``,
        ``min_cell_population``, ``max_across_m`` — a number or a mapping per area type); those not
        given keep the library's defaults (:mod:`coverage.settings`), the one set every entry point
        uses. Cached on :func:`cache_key` of the options.
        """
        def build() -> GapResult:
            region = self.edited_region()
            zones = gaps_mod.gap_zones(region, layer_id, reach=self.model(layer_id), standards=self._standards,
                                       **options)
            towns = gaps_mod.uncovered_by_town(region, layer_id, reach=self.reach(layer_id),
                                               standards=self._standards)
            return GapResult.of(zones, towns)

        return self._cached(("gaps", layer_id, cache_key(options)), build)

    def siting(self, layer_id: str, **options: Any) -> siting_mod.SitingResult:
        """New sites for ``layer_id`` with the edits as the existing facilities
        (:func:`coverage.siting.propose_sites`; ``options`` are its keyword arguments, cached on
        :func:`cache_key`)."""
        return self._cached(("siting", layer_id, cache_key(options)), lambda: siting_mod.propose_sites(
            self.edited_region(), layer_id, standards=self._standards, **options))

    def catchment_costs(self, layer_id: str) -> access_mod.CatchmentCosts:
        """Cell × facility travel costs of ``layer_id`` within each cell's standard, on the edited region
        (:func:`coverage.access.catchment_costs`); shared by every accessibility method."""
        return self._cached(("costs", layer_id), lambda: access_mod.catchment_costs(
            self.edited_region(), layer_id, self._standards))

    def accessibility(self, layer_id: str, method: access_mod.AccessMethod | str = access_mod.AccessMethod.TWO_STEP,
                      capacity: str | None = None, **options: Any) -> access_mod.AccessResult:
        """Capacity-aware accessibility of ``layer_id`` on the edited region
        (:func:`coverage.access.accessibility`).

        Parameters
        ----------
        layer_id : str
        method : {"2sfca", "e2sfca", "gaussian"}
        capacity : str, optional
            Capacity column (default: the first of :data:`coverage.access.CAPACITY_COLUMNS` the layer
            fills; ``"facilities"`` counts facilities). Sites added by the edits have no capacity.
        **options
            Further keyword arguments of :func:`coverage.access.accessibility` (``steps``).

        Raises
        ------
        CapacityError
            The layer has no capacity column with values (or the named one is empty).
        """
        method = access_mod.AccessMethod(method)
        capacity = access_mod.resolve_capacity(self.facilities(layer_id), capacity, layer_id)
        key = ("access", layer_id, method.value, capacity, cache_key(options))
        return self._cached(key, lambda: access_mod.accessibility(
            self.edited_region(), layer_id, method, capacity, self._standards,
            costs=self.catchment_costs(layer_id), **options))

    def equity(self, layer_id: str, method: access_mod.AccessMethod | str = access_mod.AccessMethod.TWO_STEP,
               capacity: str | None = None, worst_share: float | None = None,
               progress: Callable[[], None] | None = None) -> equity_mod.EquityResult:
        """Equity of ``layer_id`` on the edited region (:func:`coverage.equity.equity`): coverage and
        accessibility by area type and district, Gini / Theil, the worst-served towns.

        The accessibility is :meth:`accessibility` (``capacity`` defaults to the layer's first filled
        column, else the facility count) and the coverage :meth:`reach`, both shared with the other
        results. ``progress`` (not part of the cache key) is called after each computing step.
        """
        method = access_mod.AccessMethod(method)
        capacity = equity_mod.equity_capacity(self.facilities(layer_id), capacity, layer_id)
        share = None if worst_share is None else float(worst_share)
        key = ("equity", layer_id, method.value, capacity, cache_key(share))
        return self._cached(key, lambda: equity_mod.equity(
            self.edited_region(), layer_id, self._standards, method=method, capacity=capacity, worst_share=share,
            progress=progress, reach=self.reach(layer_id), access=self.accessibility(layer_id, method, capacity)))

    def review(self, year: int = 2025, targets: str | os.PathLike[str] | None = None,
               yearly: bool = True) -> review_mod.ReviewResult:
        """The plan review for ``year`` (:func:`coverage.review.annual_review`) on the edited region."""
        key = ("review", int(year), None if targets is None else str(targets), bool(yearly))
        return self._cached(key, lambda: review_mod.annual_review(
            self.edited_region(), year, standards=self._standards, targets=targets, yearly=yearly))

    def service_areas(self, layer_id: str, dissolve: bool = False, buffer_m: float = 25.0) -> gpd.GeoDataFrame:
        """Service-area polygons (:func:`coverage.service_areas.service_areas`)."""
        return self._cached(("areas", layer_id, bool(dissolve), float(buffer_m)), lambda: areas_mod.service_areas(
            self.edited_region(), layer_id, self._standards, dissolve=dissolve, buffer_m=buffer_m))

    def __repr__(self) -> str:
        return (f"Analysis({len(self._region.towns)} towns, {len(self._region.population)} cells, "
                f"{self.method}, {len(self._edits)} edits)")

