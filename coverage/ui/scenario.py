"""What-if scenario: candidate sites added on the map, existing facilities removed, undo.

A :class:`Scenario` wraps :class:`coverage.reach.ReachModel` (incremental: adding or removing
one facility updates the per-cell reach without recomputing the others) and keeps the list of
changes so the last one can be undone. The app keeps one Scenario per session and layer; it
starts from the model its :class:`coverage.analysis.Analysis` already built
(:meth:`Scenario.from_analysis`, a copy instead of a second reach computation).

The views of the edited layer (:meth:`Scenario.active_facilities`, :meth:`Scenario.added_sites`,
:meth:`Scenario.removed_ids`, :meth:`Scenario.removed_rows`, and whatever a caller builds with
:meth:`Scenario.per_state`) are built once per state of the scenario and handed out again until
the next change: treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.crs import WGS84
from coverage.errors import InputError
from coverage.reach import CellReach, ReachModel
from coverage.region import Region
from coverage.standards import Standard, StandardTable, standards_by_area

if TYPE_CHECKING:
    from coverage.analysis import Analysis

__all__ = ["Change", "Scenario"]


@dataclass(frozen=True)
class Change:
    """One scenario edit.

    Attributes
    ----------
    kind : {"add", "remove"}
    lon, lat : float
        WGS-84 position of the added site / removed facility.
    facility_id : str
        ``facility_id`` of a removed facility, or ``"new-<n>"`` for an added site.
    name : str
        Name of a removed facility (empty for added sites).
    """

    kind: Literal["add", "remove"]
    lon: float
    lat: float
    facility_id: str
    name: str = ""


class Scenario:
    """Edits over one facility layer under one set of standards.

    Parameters
    ----------
    region : Region
        The study region (its facility layer ``layer_id`` is the starting point).
    layer_id : str
        Facility layer being edited.
    standards : StandardTable, optional
        Service standards (embedded table when None).
    model_factory : callable, optional
        ``factory(region, layer_id, standards) -> ReachModel``; defaults to
        :class:`coverage.reach.ReachModel`. For tests.
    model : ReachModel, optional
        A model of ``region`` / ``layer_id`` under ``standards`` with no edits (e.g.
        :meth:`coverage.analysis.Analysis.model`): the scenario edits a copy of it instead of
        building its own (see :meth:`from_analysis`). Not with ``model_factory``.
    """

    def __init__(self, region: Region, layer_id: str, standards: StandardTable | Standard | None = None,
                 model_factory: Callable[..., ReachModel] | None = None, *,
                 model: ReachModel | None = None) -> None:
        self.region = region
        self.layer_id = layer_id
        self.standards = standards
        if model is not None:
            if model_factory is not None:
                raise InputError("give a scenario either a model or a model_factory, not both")
            self.model = _unedited_copy(model, region, layer_id, standards)
        else:
            self.model = (ReachModel if model_factory is None else model_factory)(region, layer_id, standards)
        base = region.facilities.get(layer_id)
        if base is None:
            base = gpd.GeoDataFrame({"facility_id": [], "name": []}, geometry=[], crs=WGS84)
        self.base: gpd.GeoDataFrame = base.to_crs(WGS84) if base.crs is not None else base
        ids = self.base["facility_id"].astype(str).tolist() if "facility_id" in self.base else [
            str(i) for i in range(len(self.base))]
        # facility_id -> current index in the model (existing facilities are rows 0..n-1).
        self._index: dict[str, int] = {fid: i for i, fid in enumerate(ids)}
        self._ids = ids
        self.changes: list[Change] = []
        #: The changes the last :meth:`reset` cleared (:meth:`restore` brings them back); any new
        #: edit forgets them.
        self.cleared: list[Change] = []
        self._added = 0
        self._state = 0  # counts the changes made (undo too): the views below are built once per state
        self._views: dict[str, tuple[int, Any]] = {}
        self._site_units: dict[str, tuple[Any, Any]] = {}  # added site -> town, district (found once)

    @classmethod
    def from_analysis(cls, analysis: "Analysis", layer_id: str) -> "Scenario":
        """A scenario over ``analysis``' region and standards, starting from its reach model.

        The model :meth:`coverage.analysis.Analysis.model` built (and cached) for the layer is
        copied, not recomputed, so opening or switching to a layer costs one reach computation
        for the analysis and the scenario together.

        Parameters
        ----------
        analysis : Analysis
            With no edits of ``layer_id`` (its model is then the layer as loaded); edits of
            other layers are kept (the scenario's region is :meth:`~coverage.analysis.Analysis.edited_region`).
        layer_id : str

        Returns
        -------
        Scenario
            With no change.

        Raises
        ------
        InputError
            ``analysis`` already holds edits of ``layer_id``.
        """
        if any(e.layer == layer_id for e in analysis.edits):
            raise InputError(f"the analysis already edits layer {layer_id!r}: start the scenario from "
                             "the analysis of the data as loaded")
        # Edits of other layers are part of the region the model was built on.
        return cls(analysis.edited_region(), layer_id, analysis.standards, model=analysis.model(layer_id))

    def _changed(self) -> None:
        self._state += 1

    def per_state(self, name: str, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per state of the scenario and handed out again until the next change.

        For what is derived from the edits alone (e.g. the page's list of the layer's facilities).

        Parameters
        ----------
        name : str
            Tells the results apart.
        build : callable
            ``build() -> value``, called at most once per state.

        Returns
        -------
        any
            The value built for the current state; treat it as read-only.
        """
        held = self._views.get(name)
        if held is None or held[0] != self._state:
            held = (self._state, build())
            self._views[name] = held
        return held[1]

    # ------------------------------------------------------------------ edits

    @property
    def reach(self) -> CellReach:
        """Current :class:`coverage.reach.CellReach`."""
        return self.model.reach

    def add_site(self, lon: float, lat: float) -> Change:
        """Add a candidate site at WGS-84 ``lon``, ``lat``.

        Parameters
        ----------
        lon, lat : float
            WGS-84 degrees.

        Returns
        -------
        Change
            The ``add``, with the site's ``facility_id`` (``new-<n>``, numbered by every add made).

        Raises
        ------
        InputError
            Not a WGS-84 position.
        """
        lon, lat = float(lon), float(lat)
        if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"site position must be WGS-84 lon/lat; got {lon!r}, {lat!r}")
        idx = self.model.add_facility(lon, lat)
        self._changed()
        self.cleared = []
        self._added += 1
        change = Change("add", lon, lat, f"new-{self._added}")
        self._index[change.facility_id] = int(idx)
        self.changes.append(change)
        return change

    def remove_facility(self, facility_id: str) -> Change:
        """Remove an existing facility (or an added site) by its ``facility_id``.

        Parameters
        ----------
        facility_id : str

        Returns
        -------
        Change
            The ``remove``, with the facility's position and name.

        Raises
        ------
        InputError
            No active facility has that id.
        """
        facility_id = str(facility_id)
        if facility_id not in self._index:
            raise InputError(f"no active facility {facility_id!r} in layer {self.layer_id!r}")
        lon, lat, name = self._position(facility_id)
        self.model.remove_facility(self._index.pop(facility_id))
        self._changed()
        self.cleared = []
        change = Change("remove", lon, lat, facility_id, name)
        self.changes.append(change)
        return change

    def undo(self) -> Change | None:
        """Revert the last change.

        Returns
        -------
        Change or None
            The change undone; None when there is nothing to undo.
        """
        if not self.changes:
            return None
        change = self.changes.pop()
        if change.kind == "add":
            self.model.remove_facility(self._index.pop(change.facility_id))
        else:
            self._index[change.facility_id] = int(self.model.add_facility(change.lon, change.lat))
        self._changed()
        return change

    def reset(self) -> None:
        """Undo every change; they are kept in :attr:`cleared` until :meth:`restore` or a new edit."""
        cleared = list(self.changes)
        while self.changes:
            self.undo()
        if cleared:
            self.cleared = cleared

    def restore(self) -> list[Change]:
        """Make again the changes the last :meth:`reset` cleared (a reset can be undone).

        Added sites get new ids (``new-<n>``); a removal of one of them follows it.

        Returns
        -------
        list of Change
            The changes made again, in their order (empty when nothing was cleared).
        """
        cleared, renamed, made = self.cleared, {}, []
        for change in cleared:
            if change.kind == "add":
                new = self.add_site(change.lon, change.lat)
                renamed[change.facility_id] = new.facility_id
                made.append(new)
            else:
                made.append(self.remove_facility(renamed.get(change.facility_id, change.facility_id)))
        self.cleared = []
        return made

    # ------------------------------------------------------------------ views

    def _position(self, facility_id: str) -> tuple[float, float, str]:
        for c in self.changes:
            if c.kind == "add" and c.facility_id == facility_id:
                return c.lon, c.lat, ""
        row = self._ids.index(facility_id)
        geom = self.base.geometry.iloc[row]
        name = str(self.base["name"].iloc[row]) if "name" in self.base else ""
        return float(geom.x), float(geom.y), name

    @property
    def removed_ids(self) -> set[str]:
        """``facility_id`` of existing facilities currently removed."""
        return set(self.per_state("removed_ids", lambda: frozenset(fid for fid in self._ids if fid not in self._index)))

    def removed_rows(self) -> list[int]:
        """Row numbers in :attr:`base` of the existing facilities currently removed.

        Returns
        -------
        list of int
            Ascending (a new list each call; built once per state).
        """
        return list(self.per_state("removed_rows", lambda: tuple(
            i for i, fid in enumerate(self._ids) if fid not in self._index)))

    def active_facilities(self) -> gpd.GeoDataFrame:
        """Existing facilities not removed.

        Returns
        -------
        GeoDataFrame
            WGS-84, rows of :attr:`base` in order; the same frame until the next change (:attr:`base`
            itself when nothing is removed): treat it as read-only.
        """
        def build() -> gpd.GeoDataFrame:
            removed = self.removed_rows()
            if not removed:
                return self.base
            keep = np.ones(len(self.base), dtype=bool)
            keep[removed] = False
            return self.base.take(np.flatnonzero(keep))  # the rows base[keep] gives, in half the time

        return self.per_state("active", build)

    def added_sites(self, located: bool = False) -> gpd.GeoDataFrame:
        """Sites added and still active, with ``facility_id`` and ``order`` (1-based).

        Parameters
        ----------
        located : bool
            Also give the ``town_code`` / ``district_code`` of the town polygon of
            ``region.towns`` holding each site (None when in none; the first town when towns
            overlap), found once per site.

        Returns
        -------
        GeoDataFrame
            WGS-84 points in the order they were added; the same frame until the next change.
        """
        def build() -> gpd.GeoDataFrame:
            rows = [c for c in self.changes if c.kind == "add" and c.facility_id in self._index]
            return gpd.GeoDataFrame(
                {"facility_id": [c.facility_id for c in rows], "order": list(range(1, len(rows) + 1))},
                geometry=gpd.points_from_xy([c.lon for c in rows], [c.lat for c in rows], crs=WGS84),
            )

        sites = self.per_state("added", build)
        if not located:
            return sites
        return self.per_state("added_located", lambda: self._locate(sites))

    def _locate(self, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        todo = [i for i, fid in enumerate(sites["facility_id"]) if fid not in self._site_units]
        if todo:
            towns = self.region.towns  # EPSG:4326 like the sites (Region checks it); its spatial index is kept
            if towns.crs is not None and sites.crs is not None and not towns.crs.equals(sites.crs):
                towns = towns.to_crs(sites.crs)
            point, town = towns.sindex.query(sites.geometry.values[todo], predicate="within")
            first: dict[int, int] = {}
            for p, t in zip(point.tolist(), town.tolist()):  # a point in two towns: the first town
                first[p] = min(t, first.get(p, t))
            codes = towns["town_code"].tolist()
            districts = towns["district_code"].tolist() if "district_code" in towns.columns else [None] * len(codes)
            for k, i in enumerate(todo):
                t = first.get(k)
                self._site_units[sites["facility_id"].iloc[i]] = (None, None) if t is None else (codes[t], districts[t])
        units = [self._site_units[fid] for fid in sites["facility_id"]]
        return gpd.GeoDataFrame(
            {"facility_id": sites["facility_id"].to_numpy(), "order": sites["order"].to_numpy(),
             "town_code": pd.Series([u[0] for u in units], dtype=object),
             "district_code": pd.Series([u[1] for u in units], dtype=object)},
            geometry=sites.geometry.values, crs=sites.crs,
        )

    @property
    def n_active(self) -> int:
        """Number of facilities in the scenario."""
        return len(self._index)


def _unedited_copy(model: ReachModel, region: Region, layer_id: str,
                   standards: StandardTable | Standard | None) -> ReachModel:
    """A copy of ``model`` after checking it is the layer of ``region`` as loaded, under ``standards``."""
    n = len(region.facilities.get(layer_id, ()))
    same = (model.region is region and model.layer_id == layer_id and len(model.active) == n
            and bool(model.active.all())
            and standards_by_area(standards, layer_id, model.standards_by_area) == model.standards_by_area)
    if not same:
        raise InputError(f"the model given is not layer {layer_id!r} of this region, without edits, "
                         "under these standards")
    return model.copy()
