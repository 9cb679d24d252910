"""What-if scenario: candidate sites added on the map, existing facilities removed, undo.

A :class:`Scenario` wraps :class:`coverage.reach.ReachModel` (incremental: adding or removing
one facility updates the per-cell reach without recomputing the others) and keeps the list of
changes so the last one can be undone. The app keeps one Scenario per session and layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from coverage.crs import WGS84
from coverage.errors import InputError
from coverage.reach import CellReach, ReachModel
from coverage.region import Region
from coverage.standards import Standard, StandardTable

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
    """

    def __init__(self, region: Region, layer_id: str, standards: StandardTable | Standard | None = None,
                 model_factory: Callable[..., ReachModel] | None = None) -> None:
        if model_factory is None:
            model_factory = ReachModel
        self.region = region
        self.layer_id = layer_id
        self.standards = standards
        self.model = model_factory(region, layer_id, standards)
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
        self._added = 0

    # ------------------------------------------------------------------ edits

    @property
    def reach(self) -> CellReach:
        """Current :class:`coverage.reach.CellReach`."""
        return self.model.reach

    def add_site(self, lon: float, lat: float) -> Change:
        """Add a candidate site at WGS-84 ``lon``, ``lat``."""
        lon, lat = float(lon), float(lat)
        if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"site position must be WGS-84 lon/lat; got {lon!r}, {lat!r}")
        idx = self.model.add_facility(lon, lat)
        self._added += 1
        change = Change("add", lon, lat, f"new-{self._added}")
        self._index[change.facility_id] = int(idx)
        self.changes.append(change)
        return change

    def remove_facility(self, facility_id: str) -> Change:
        """Remove an existing facility (or an added site) by its ``facility_id``."""
        facility_id = str(facility_id)
        if facility_id not in self._index:
            raise InputError(f"no active facility {facility_id!r} in layer {self.layer_id!r}")
        lon, lat, name = self._position(facility_id)
        self.model.remove_facility(self._index.pop(facility_id))
        change = Change("remove", lon, lat, facility_id, name)
        self.changes.append(change)
        return change

    def undo(self) -> Change | None:
        """Revert the last change; returns it (None when there is nothing to undo)."""
        if not self.changes:
            return None
        change = self.changes.pop()
        if change.kind == "add":
            self.model.remove_facility(self._index.pop(change.facility_id))
        else:
            self._index[change.facility_id] = int(self.model.add_facility(change.lon, change.lat))
        return change

    def reset(self) -> None:
        """Undo every change."""
        while self.changes:
            self.undo()

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
        return {fid for fid in self._ids if fid not in self._index}

    def active_facilities(self) -> gpd.GeoDataFrame:
        """Existing facilities not removed (WGS-84)."""
        removed = self.removed_ids
        if not removed:
            return self.base
        keep = [fid not in removed for fid in self._ids]
        return self.base[np.array(keep, dtype=bool)]

    def added_sites(self) -> gpd.GeoDataFrame:
        """Sites added and still active, with ``facility_id`` and ``order`` (1-based)."""
        rows = [c for c in self.changes if c.kind == "add" and c.facility_id in self._index]
        return gpd.GeoDataFrame(
            {"facility_id": [c.facility_id for c in rows],
             "order": list(range(1, len(rows) + 1))},
            geometry=[Point(c.lon, c.lat) for c in rows],
            crs=WGS84,
        )

    @property
    def n_active(self) -> int:
        """Number of facilities in the scenario."""
        return len(self._index)
