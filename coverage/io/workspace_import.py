"""Import a user file into a workspace: read and validate first, save only on success.

This is the one path the app and scripts should use to put uploaded data into a
:class:`coverage.workspace.Workspace`: the file is read completely and validated by
:mod:`coverage.io`; only when that succeeds is the result saved (one atomic write). A
failed import raises :class:`~coverage.io.report.DataImportError` and leaves everything
already saved in the workspace exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coverage.crs import WGS84
from coverage.io.facilities import read_facilities
from coverage.io.population import read_population
from coverage.io.report import ImportReport
from coverage.io.towns import read_towns
from coverage.layers import get_layer

if TYPE_CHECKING:
    import geopandas as gpd

    from coverage.workspace import Workspace

__all__ = ["IMPORT_KINDS", "import_into_workspace", "read_imports", "save_imports"]

IMPORT_KINDS = ("facilities", "towns", "population")


def read_imports(
    towns_frame: "gpd.GeoDataFrame",
    *,
    towns: str | os.PathLike[str] | None = None,
    population: str | os.PathLike[str] | None = None,
    facilities: Mapping[str, str | os.PathLike[str]] | None = None,
    crs: str = "wgs84",
    max_mb: float | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Read and validate user files together, saving nothing.

    ``options`` maps ``"towns"``, ``"population"`` or a layer id to extra reader keywords:
    ``sheet`` / ``layer_name`` (the choice for a workbook or GeoPackage holding several, see
    :func:`coverage.io.list_sheets` / :func:`coverage.io.list_layers`), ``encoding``, and for the
    population ``census_check``.

    New town boundaries are read first; the population grid and facility registers are then
    assigned to them (else to ``towns_frame``, the towns in use). Every file is read before
    anything is saved, so one bad file leaves the workspace as it was.

    Returns
    -------
    dict
        ``{"towns": (gdf, report), "population": (df, report), "facilities": {layer: (gdf,
        report)}}`` with only the inputs given.

    Raises
    ------
    DataImportError
        A file with row-level errors (its report lists them).
    ValueError, OSError
        An unknown layer id, an unreadable file.
    """
    facilities = dict(facilities or {})
    for layer_id in facilities:
        get_layer(layer_id)
    limit = {} if max_mb is None else {"max_mb": max_mb}
    opts = {k: dict(v) for k, v in (options or {}).items()}
    out: dict[str, Any] = {}
    frame = towns_frame
    if towns is not None:
        gdf, rep = read_towns(towns, crs=crs, **limit, **opts.get("towns", {}))
        frame = (gdf.to_crs(WGS84) if gdf.crs is not None else gdf.set_crs(WGS84)).reset_index(drop=True)
        out["towns"] = (frame, rep)
    if population is not None:
        grid, rep = read_population(population, frame, **limit, **opts.get("population", {}))
        out["population"] = (grid.reset_index(drop=True), rep)
    if facilities:
        out["facilities"] = {
            layer_id: read_facilities(path, layer_id, crs=crs, towns=frame, **limit, **opts.get(layer_id, {}))
            for layer_id, path in facilities.items()
        }
    return out


def save_imports(
    ws: "Workspace", imported: Mapping[str, Any], source_names: Mapping[str, str]
) -> dict[str, int]:
    """Save what :func:`read_imports` read (towns, population, then facility layers).

    ``source_names`` maps ``"towns"``, ``"population"`` and layer ids to the uploaded file's
    name (only its base name is kept). Returns the new version number of each saved input.
    """
    def name(key: str) -> str | None:
        value = source_names.get(key)
        return None if value is None else os.path.basename(str(value)) or None

    versions: dict[str, int] = {}
    if "towns" in imported:
        gdf, rep = imported["towns"]
        versions["towns"] = ws.save_towns(gdf, report=rep, source_name=name("towns"))
    if "population" in imported:
        df, rep = imported["population"]
        versions["population"] = ws.save_population(df, report=rep, source_name=name("population"))
    for layer_id, (gdf, rep) in imported.get("facilities", {}).items():
        versions[layer_id] = ws.save_layer(layer_id, gdf, report=rep, source_name=name(layer_id))
    return versions


def import_into_workspace(
    ws: "Workspace",
    path: str | os.PathLike[str],
    kind: str = "facilities",
    *,
    layer_id: str | None = None,
    crs: str = "wgs84",
    towns: "gpd.GeoDataFrame | None" = None,
    max_mb: float | None = None,
    options: Mapping[str, Any] | None = None,
) -> tuple[Any, ImportReport, int]:
    """Read one file with :func:`read_imports` and save it in ``ws`` with :func:`save_imports`.

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
    options : mapping, optional
        Extra reader keywords for this file (``sheet``, ``layer_name``, ``encoding``,
        ``census_check``), see :func:`read_imports`.

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
    key = layer_id if kind == "facilities" else kind
    files = {"facilities": {layer_id: path}} if kind == "facilities" else {kind: path}
    imported = read_imports(towns, crs=crs, max_mb=max_mb, options={key: dict(options or {})}, **files)
    data, report = imported["facilities"][layer_id] if kind == "facilities" else imported[kind]
    versions = save_imports(ws, imported, {key: Path(path).name})
    return data, report, versions[key]
