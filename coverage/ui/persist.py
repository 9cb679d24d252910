"""The app's bridge to the workspace: restore the region, import uploads, replay edits.

Nothing here touches Streamlit. :class:`coverage.workspace.Workspace` stores the data; this
module decides how the app's state maps onto it:

* the region in use is the default region with the saved overrides applied
  (:func:`region_from_workspace`): town boundaries (population cells and default facilities
  re-assigned to them, as :func:`coverage.region.load_region` does), the population grid, then
  every saved facility layer (:meth:`Workspace.apply_to`);
* an upload is read completely against the region in use (:func:`import_files`) before anything
  is saved (:func:`save_imports`), so a file that fails to import changes nothing;
* the what-if edits of every layer are autosaved as one scenario (:data:`AUTOSAVE`), a list of
  changes in the workspace's format; :func:`replay` rebuilds a layer's edits on a new
  :class:`coverage.ui.scenario.Scenario` and :func:`merge_edits` puts a layer's edits back in
  the list;
* the standard chosen per layer is saved as ``{layer_id: {"mode": ..., "minutes": ...}}``
  (:func:`standard_choice`, :func:`update_standards`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from coverage.io.workspace_import import read_imports, save_imports
from coverage.layers import LAYERS
from coverage.workspace import Workspace, changes_from_edits, check_changes, check_name

__all__ = [
    "AUTOSAVE",
    "MODES",
    "region_from_workspace",
    "workspace_stamp",
    "import_files",
    "save_imports",
    "clear_data",
    "replay",
    "merge_edits",
    "last_layer",
    "check_scenario_name",
    "standard_choice",
    "update_standards",
]

#: Name under which the current what-if edits are autosaved after every change.
AUTOSAVE = "当前-autosave"
#: Travel modes a saved standard may use.
MODES = ("walk", "bike", "drive")


# --------------------------------------------------------------------------- region


def workspace_stamp(ws: Workspace) -> tuple:
    """Identifies the saved data (layers and overrides with their versions); changes on every save."""
    return tuple((e.kind, e.name, e.version) for e in ws.entries() if e.kind in ("layer", "towns", "population"))


def region_from_workspace(ws: Workspace, base: Any) -> Any:
    """``base`` with the workspace's saved overrides applied.

    Parameters
    ----------
    ws : Workspace
    base : Region
        The default region (not modified).

    Returns
    -------
    Region
        ``base`` itself when nothing is saved; else a new region whose replaced inputs have
        provenance ``uploaded`` and whose ``reports`` hold the saved import reports.
    """
    overrides = ws.overrides()
    layers = [lid for lid in ws.layers() if lid in LAYERS]
    if not overrides and not layers:
        return base
    region = base
    if "towns" in overrides:
        stored = ws.load_towns()
        region = region.with_towns(stored.data, report=_stored_report(stored))
    if "population" in overrides:
        stored = ws.load_population()
        # The grid may have been read against earlier boundaries: re-assign it when towns changed.
        region = region.with_population(stored.data, report=_stored_report(stored),
                                        reassign="towns" in overrides)
    return ws.apply_to(region)


def _stored_report(stored: Any) -> Any:
    """The saved import report of a stored override (None when it cannot be rebuilt)."""
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


# --------------------------------------------------------------------------- what-if edits


def replay(scenario: Any, changes: Sequence[Mapping[str, Any]], layer_id: str) -> list[str]:
    """Apply the saved ``changes`` of ``layer_id`` to ``scenario``, in order.

    Added sites are numbered afresh (``new-1``, ``new-2`` …); a removal of an added site is
    mapped to the id that site gets now. A change that cannot be applied (e.g. a facility no
    longer in the layer) is skipped.

    Returns
    -------
    list of str
        One message per skipped change (empty when everything replayed).
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
        except (ValueError, KeyError, IndexError) as exc:
            problems.append(f"change {i + 1} ({c['op']} {c.get('facility_id', '')}): {exc}")
    return problems


def merge_edits(saved: Sequence[Mapping[str, Any]], scenario_changes: Sequence[Any],
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
    """A valid scenario name (``check_name``), stripped of surrounding spaces; not :data:`AUTOSAVE`.

    Raises
    ------
    ValueError
        Why the name cannot be used.
    """
    if isinstance(name, str):
        name = name.strip()
    check_name(name, "scenario name")
    if name == AUTOSAVE:
        raise ValueError(f"scenario name {AUTOSAVE!r} is reserved for the autosave")
    return str(name)


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
