"""Import a user file into a workspace: read and validate first, save only on success.

This is the one path the app and scripts should use to put uploaded data into a
:class:`coverage.workspace.Workspace`: the file is read completely and validated by
:mod:`coverage.io`; only when that succeeds is the result saved (one atomic write). A
failed import raises :class:`~coverage.io.report.DataImportError` and leaves everything
already saved in the workspace exactly as it was.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coverage.io.facilities import read_facilities
from coverage.io.population import read_population
from coverage.io.report import ImportReport
from coverage.io.towns import read_towns

if TYPE_CHECKING:
    import geopandas as gpd

    from coverage.workspace import Workspace

__all__ = ["IMPORT_KINDS", "import_into_workspace"]

IMPORT_KINDS = ("facilities", "towns", "population")


def import_into_workspace(
    ws: "Workspace",
    path: str | os.PathLike[str],
    kind: str = "facilities",
    *,
    layer_id: str | None = None,
    crs: str = "wgs84",
    towns: "gpd.GeoDataFrame | None" = None,
    max_mb: float | None = None,
) -> tuple[Any, ImportReport, int]:
    """Read ``path`` with :mod:`coverage.io` and save the result in ``ws``.

    Parameters
    ----------
    ws : Workspace
        Where to save.
    path : path-like
        The user's file.
    kind : {"facilities", "towns", "population"}
        What the file holds.
    layer_id : str, optional
        Facility layer id (required for ``kind="facilities"``).
    crs : str, default "wgs84"
        Declared coordinate system (facilities and towns).
    towns : GeoDataFrame, optional
        Town polygons used to assign towns (facilities, population).
    max_mb : float, optional
        Size limit; default: the reader's own.

    Returns
    -------
    (data, ImportReport, int)
        The imported table, its report and the new version number in the workspace.

    Raises
    ------
    ValueError
        Unknown ``kind`` / missing ``layer_id`` (nothing read or saved).
    DataImportError
        The file has errors; nothing is saved.
    """
    if kind not in IMPORT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(IMPORT_KINDS)}; got {kind!r}")
    if kind == "facilities" and not layer_id:
        raise ValueError("layer_id is required to import facilities")
    limit = {} if max_mb is None else {"max_mb": max_mb}
    source = Path(path).name
    if kind == "facilities":
        data, report = read_facilities(path, layer_id, crs=crs, towns=towns, **limit)
        version = ws.save_layer(layer_id, data, report=report, source_name=source)
    elif kind == "towns":
        data, report = read_towns(path, crs=crs, **limit)
        version = ws.save_towns(data, report=report, source_name=source)
    else:
        data, report = read_population(path, towns, **limit)
        version = ws.save_population(data, report=report, source_name=source)
    return data, report, version
