"""The app's bridge to the workspace: restore the region, import uploads, each session's draft.

Nothing here touches Streamlit. :class:`coverage.workspace.Workspace` stores the data; this
module decides how the app's state maps onto it:

* the region in use is the default region with the saved overrides applied
  (:func:`restore_region`): town boundaries (population cells and default facilities
  re-assigned to them, as :func:`coverage.region.load_region` does), the population grid, then
  every saved facility layer. A damaged stored item is skipped and named (the app offers to drop
  it or to restore a backup); :func:`region_from_workspace` is the strict form for scripts;
* an upload is read completely against the region in use (:func:`import_files`) before anything
  is saved (:func:`save_imports`), so a file that fails to import changes nothing;
* **each browser session has its own draft**: the what-if edits of every layer and the standard
  chosen per layer, saved under the session's draft id (:func:`new_draft_id`; the app keeps it in
  the page URL as ``?draft=<id>``, so a reload of the same tab keeps the draft and a new tab
  starts a fresh one). Nothing another session does reaches a draft until its planner loads a
  saved scenario. Drafts, scenarios and standards are versioned: a save based on an outdated
  version is refused (:class:`coverage.errors.WorkspaceConflictError`), never silently lost;
* :func:`replay` rebuilds a layer's edits on a new :class:`coverage.ui.scenario.Scenario` and
  :func:`merge_edits` puts a layer's edits back in the list;
* the standard chosen per layer is ``{layer_id: {"mode": ..., "minutes": ...}}``
  (:func:`standard_choice`, :func:`update_standards`).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from coverage.errors import InputError, WorkspaceDamagedError
from coverage.i18n import t
from coverage.io.workspace_import import read_imports, save_imports
from coverage.layers import LAYERS
from coverage.region import Region
from coverage.standards import MODES  # the travel modes a saved standard may use (one definition)
from coverage.ui.scenario import Change, Scenario
from coverage.workspace import Damage, StoredFrame, Workspace, changes_from_edits, check_changes, check_name

__all__ = [
    "DRAFT_PARAM",
    "Restored",
    "restore_region",
    "region_from_workspace",
    "workspace_stamp",
    "import_files",
    "save_imports",
    "clear_data",
    "new_draft_id",
    "draft_id_from",
    "empty_draft",
    "replay",
    "merge_edits",
    "changes_from_edits",
    "last_layer",
    "check_scenario_name",
    "standard_choice",
    "update_standards",
]

#: Query parameter of the page URL that carries the session's draft id.
DRAFT_PARAM = "draft"
_DRAFT_ID = re.compile(r"[0-9a-f]{32}")


# --------------------------------------------------------------------------- region


def workspace_stamp(ws: Workspace) -> tuple:
    """Identifies the saved data the region is made of (:func:`restore_region`: the facility layers and
    the town / population overrides, with their versions and save times); changes on every such save,
    also after a backup is restored (which rolls the version numbers back: a later save can repeat a
    version the sessions have seen, never its microsecond save time).

    Other saved layers (the analyses tab's community layer) are not part of the region and leave the
    stamp as it is: saving one does not drop the page's caches or run every session's page again.
    """
    return tuple((e.kind, e.name, e.version, e.saved_at) for e in ws.entries()
                 if e.kind in ("towns", "population") or (e.kind == "layer" and e.name in LAYERS))


@dataclass(frozen=True)
class Restored:
    """The region in use and the stored items that could not be applied.

    Attributes
    ----------
    region : Region
        The base region with every readable saved override applied.
    damaged : tuple of Damage
        Saved layers / overrides skipped because they are damaged (empty when none).
    """

    region: Region
    damaged: tuple[Damage, ...] = ()


def restore_region(ws: Workspace, base: Region) -> Restored:
    """``base`` with the workspace's saved overrides applied, skipping (and naming) damaged ones.

    Parameters
    ----------
    ws : Workspace
    base : Region
        The default region (not modified).

    Returns
    -------
    Restored
        ``region`` is ``base`` itself when nothing is saved; else a new region whose replaced
        inputs have provenance ``uploaded`` and whose ``reports`` hold the saved import reports.
    """
    overrides = ws.overrides()
    layers = [lid for lid in ws.layers() if lid in LAYERS]
    if not overrides and not layers:
        return Restored(base)
    region, damaged = base, []

    def load(kind: str, name: str, loader: Any) -> StoredFrame | None:
        try:
            return loader()
        except WorkspaceDamagedError as exc:
            damaged.append(Damage(kind, name, str(exc)))
        except KeyError:  # deleted by another session meanwhile
            pass
        return None

    towns = load("towns", "towns", ws.load_towns) if "towns" in overrides else None
    if towns is not None:
        region = region.with_towns(towns.data, report=_stored_report(towns))
    pop = load("population", "population", ws.load_population) if "population" in overrides else None
    if pop is not None:
        # The grid may have been read against earlier boundaries: re-assign it when towns changed.
        region = region.with_population(pop.data, report=_stored_report(pop), reassign=towns is not None)
    for layer_id in layers:
        stored = load("layer", layer_id, lambda lid=layer_id: ws.load_layer(lid))
        if stored is None:
            continue
        region = region.with_facilities(layer_id, stored.data, provenance="uploaded")
        report = _stored_report(stored)
        if report is not None:
            region = replace(region, reports={**region.reports, f"facilities:{layer_id}": report})
    return Restored(region, tuple(damaged))


def region_from_workspace(ws: Workspace, base: Region) -> Region:
    """``base`` with the workspace's saved overrides applied (strict: for scripts and the CLI).

    Raises
    ------
    WorkspaceDamagedError
        Naming the first saved item that cannot be read (nothing is skipped silently).
    """
    restored = restore_region(ws, base)
    if restored.damaged:
        first = restored.damaged[0]
        err = WorkspaceDamagedError(first.reason)
        err.kind, err.name = first.kind, first.name
        raise err
    return restored.region


def _stored_report(stored: StoredFrame) -> Any:
    """The saved import report of a stored item (None when it cannot be rebuilt)."""
    try:
        return stored.import_report()
    except ValueError:
        return None


def import_files(
    region: Any,
    *,
    towns: str | os.PathLike[str] | None = None,
    population: str | os.PathLike[str] | None = None,
    facilities: Mapping[str, str | os.PathLike[str]] | None = None,
    crs: str = "wgs84",
) -> dict[str, Any]:
    """Read uploaded files against ``region``'s towns, saving nothing (:func:`coverage.io.read_imports`)."""
    return read_imports(region.towns, towns=towns, population=population, facilities=facilities, crs=crs)


def clear_data(ws: Workspace) -> list[str]:
    """Forget every saved facility layer and town / population override; returns what was removed."""
    removed = []
    for layer_id in ws.layers():
        ws.delete_layer(layer_id)
        removed.append(f"facilities:{layer_id}")
    for which in ws.overrides():
        ws.delete_override(which)
        removed.append(which)
    return removed


# --------------------------------------------------------------------------- drafts


def new_draft_id() -> str:
    """A fresh draft id for a new browser session (32 hex digits, random)."""
    return uuid.uuid4().hex


def draft_id_from(value: object) -> str | None:
    """``value`` when it is a draft id as :func:`new_draft_id` makes them (e.g. from the URL), else None."""
    if isinstance(value, list):  # a repeated query parameter
        value = value[-1] if value else None
    if isinstance(value, str) and _DRAFT_ID.fullmatch(value):
        return value
    return None


def empty_draft() -> dict[str, Any]:
    """A draft with no edits and no standard choices."""
    return {"layer": None, "changes": [], "standards": {}}


# --------------------------------------------------------------------------- what-if edits


@dataclass(frozen=True)
class SkippedChange:
    """A saved what-if change that could not be applied (see :func:`replay`).

    Attributes
    ----------
    number : int
        Its position in the saved list, from 1.
    op : {"add", "remove"}
        What it does.
    facility_id : str
        The facility it removes (for an added site: the id it had when saved).
    reason : {"missing_facility", "bad_position"}
        Why: the facility is no longer in the layer; the site's position is not usable.
    """

    number: int
    op: str
    facility_id: str
    reason: str


def skipped_text(skipped: SkippedChange, lang: str) -> str:
    """The message for one :class:`SkippedChange` in ``lang`` (catalogue ``ws_replay_*``)."""
    return t(f"ws_replay_{skipped.reason}", lang, n=skipped.number, facility_id=skipped.facility_id)


def replay(scenario: Scenario, changes: Sequence[Mapping[str, Any]], layer_id: str) -> list[SkippedChange]:
    """Apply the saved ``changes`` of ``layer_id`` to ``scenario``, in order.

    Added sites are numbered afresh (``new-1``, ``new-2`` …); a removal of an added site is
    mapped to the id that site gets now. A change that cannot be applied (e.g. a facility no
    longer in the layer) is skipped.

    Returns
    -------
    list of SkippedChange
        One per skipped change (empty when everything replayed); :func:`skipped_text` words it.
    """
    ids: dict[str, str] = {}
    problems = []
    for i, c in enumerate(check_changes(changes)):
        if c["layer"] != layer_id:
            continue
        try:
            if c["op"] == "add":
                done = scenario.add_site(c["lon"], c["lat"])
                ids[str(c.get("facility_id", ""))] = done.facility_id
            else:
                fid = str(c["facility_id"])
                scenario.remove_facility(ids.get(fid, fid))
        except InputError:
            reason = "bad_position" if c["op"] == "add" else "missing_facility"
            problems.append(SkippedChange(i + 1, str(c["op"]), str(c.get("facility_id", "")), reason))
    return problems


def merge_edits(saved: Sequence[Mapping[str, Any]], scenario_changes: Sequence[Change],
                layer_id: str) -> list[dict[str, Any]]:
    """``saved`` with the changes of ``layer_id`` replaced by ``scenario_changes`` (put last)."""
    others = [dict(c) for c in saved if c.get("layer") != layer_id]
    return others + changes_from_edits(scenario_changes, layer_id)


def last_layer(changes: Sequence[Mapping[str, Any]]) -> str | None:
    """Layer of the last change that names a known layer (None when there is none)."""
    for c in reversed(list(changes)):
        if c.get("layer") in LAYERS:
            return str(c["layer"])
    return None


def check_scenario_name(name: object) -> str:
    """A valid scenario name (``check_name``), stripped of surrounding spaces.

    Raises
    ------
    InputError
        Why the name cannot be used.
    """
    if isinstance(name, str):
        name = name.strip()
    return check_name(name, "scenario name")


# --------------------------------------------------------------------------- standards


def standard_choice(saved: Mapping[str, Any], layer_id: str, default_mode: str,
                    default_minutes: float) -> tuple[str, int]:
    """The saved ``(mode, minutes)`` of ``layer_id``, or the defaults when none (or invalid) is saved."""
    entry = saved.get(layer_id)
    if isinstance(entry, Mapping):
        mode, minutes = entry.get("mode"), entry.get("minutes")
        if mode in MODES and isinstance(minutes, (int, float)) and not isinstance(minutes, bool) \
                and 1 <= minutes <= 120:
            return str(mode), int(minutes)
    return default_mode, int(default_minutes)


def update_standards(saved: Mapping[str, Any], layer_id: str, mode: str, minutes: float,
                     default_mode: str, default_minutes: float) -> dict[str, Any]:
    """``saved`` with ``layer_id``'s choice recorded (dropped when it equals the default)."""
    out = dict(saved)
    if mode == default_mode and float(minutes) == float(default_minutes):
        out.pop(layer_id, None)
    else:
        out[layer_id] = {"mode": mode, "minutes": int(minutes)}
    return out
