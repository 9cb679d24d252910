"""RFC 7946 GeoJSON output shared by every exporter.

Every GeoJSON file coverage writes is a WGS-84 ``FeatureCollection`` with
longitude/latitude coordinate order, JSON-native property values (no NaN,
numpy scalars converted) and an optional collection-level ``properties``
member (an RFC 7946 "foreign member") carrying the run's parameters and the
provenance of its inputs.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from coverage.crs import WGS84
from coverage.errors import ExportError
from coverage.i18n import worded_error

__all__ = [
    "to_feature_collection",
    "write_geojson",
    "write_csv",
    "atomic_path",
    "safe_output_path",
    "json_value",
    "spreadsheet_safe",
    "FORMULA_PREFIXES",
]


def json_value(value: Any) -> Any:
    """Convert ``value`` to a JSON-native value (numpy scalars, NaN → None)."""
    if value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value if isinstance(value, (str, int)) else str(value)


def _round_coords(obj: Any, ndigits: int) -> Any:
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(c), ndigits) for c in obj[:2]]
        return [_round_coords(o, ndigits) for o in obj]
    return obj


def to_feature_collection(
    gdf: gpd.GeoDataFrame,
    properties: Mapping[str, Any] | None = None,
    precision: int = 6,
) -> dict[str, Any]:
    """Build an RFC 7946 FeatureCollection dict from ``gdf``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in any CRS; reprojected to WGS-84. A GeoDataFrame with no CRS is refused.
    properties : mapping, optional
        Collection-level properties (run parameters, provenance).
    precision : int, default 6
        Decimal places kept in coordinates (6 ≈ 0.1 m).

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...], "properties": {...}}``.
    """
    if gdf.crs is None:
        raise ValueError("cannot export GeoJSON: the GeoDataFrame has no CRS")
    g = gdf.to_crs(WGS84) if not gdf.crs.equals(WGS84) else gdf
    cols = [c for c in g.columns if c != g.geometry.name]
    features = []
    for row, geom in zip(g[cols].itertuples(index=False, name=None), g.geometry):
        geometry = None
        if geom is not None and not geom.is_empty:
            # RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
            gj = mapping(shapely.orient_polygons(geom, exterior_cw=False))
            geometry = {"type": gj["type"], "coordinates": _round_coords(gj["coordinates"], precision)}
        features.append(
            {
                "type": "Feature",
                "properties": {c: json_value(v) for c, v in zip(cols, row)},
                "geometry": geometry,
            }
        )
    fc: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if properties:
        fc["properties"] = json_value(dict(properties))
    return fc


def write_geojson(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    properties: Mapping[str, Any] | None = None,
    precision: int = 6,
) -> Path:
    """Write ``gdf`` as RFC 7946 GeoJSON to ``path`` atomically (temp file + rename).

    See :func:`to_feature_collection` for the parameters. Returns the path written.
    """
    fc = to_feature_collection(gdf, properties, precision)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(fc, fh, ensure_ascii=False, allow_nan=False)
    return Path(path)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Write a file atomically: yield a temporary path beside ``path``, then rename it over ``path``.

    If the block raises (or the process dies), ``path`` keeps its previous content and the
    temporary file is removed: an export never leaves a half-written file behind.

    Examples
    --------
    >>> with atomic_path("out/review.csv") as tmp:  # doctest: +SKIP
    ...     df.to_csv(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp creates the file 0600; give it the mode of the file it replaces, else the
        # usual mode of a new file (0666 less the umask), as open() would.
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux ``/proc``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, then restore it at once
    os.umask(mask)
    return mask


def safe_output_path(
    out: str | os.PathLike[str],
    suffixes: Sequence[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    force: bool = False,
) -> Path:
    """Check that ``out`` may be written by an export; return it as a Path.

    Every command that writes a file the user names calls this before doing any work:

    * a directory (existing, or a name ending in ``/``) is refused;
    * the extension decides the format: ``out`` must end in one of ``suffixes``
      (case-insensitive, e.g. ``(".geojson", ".json")`` or ``(".csv", ".csv.gz")``);
    * ``out`` must not be one of ``inputs`` (the files the command reads), even by another
      path or a link;
    * an existing file is never replaced unless ``force`` is true (the CLI's ``--force``):
      coverage cannot tell its own earlier output from an unrelated file of the same name;
    * a path inside a file (its nearest existing parent is not a directory) is refused.

    The file itself is then written with :func:`atomic_path` (all or nothing).

    Raises
    ------
    ExportError
        Naming the path and what to do instead.
    """
    text = os.fspath(out)
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        raise _refused("export.error.directory", path=text, suffixes=" / ".join(suffixes))
    name = path.name.lower()
    if not any(name.endswith(sfx.lower()) for sfx in suffixes):
        found = "".join(path.suffixes[-2:])
        raise _refused("export.error.extension" if found else "export.error.no_extension", path=text,
                       found=found, suffixes=", ".join(suffixes))
    for inp in inputs:
        q = Path(os.fspath(inp))
        same = False
        if path.exists() and q.exists():
            same = os.path.samefile(path, q)
        else:
            same = path.resolve() == q.resolve()
        if same:
            raise _refused("export.error.input", path=text, input=os.fspath(inp))
    if path.exists() and not force:
        raise _refused("export.error.exists", path=text)
    parent = path.parent
    while not parent.exists() and parent != parent.parent:  # the nearest folder that exists
        parent = parent.parent
    if not parent.is_dir():  # e.g. --out afile.txt/cov.csv: refused before any work, not a traceback after
        raise _refused("export.error.parent_not_directory", path=text, parent=os.fspath(parent))
    return path


def _refused(code: str, **values: Any) -> ExportError:
    """The :class:`ExportError` of catalogue key ``code`` (English message; worded again in the CLI's ``--lang``)."""
    return worded_error(ExportError, code, **values)


def write_csv(
    df: "pd.DataFrame",
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8-sig",
    safe: bool = True,
) -> Path:
    """Write ``df`` as CSV atomically; gzip-compressed when ``path`` ends in ``.gz``.

    Parameters
    ----------
    df : pandas.DataFrame
    path : path-like
    encoding : str, default "utf-8-sig"
        UTF-8 with a byte-order mark, so Excel reads the Chinese.
    safe : bool, default True
        Neutralise formula-like text cells (see :func:`spreadsheet_safe`).
    """
    compression = "gzip" if str(path).lower().endswith(".gz") else None
    with atomic_path(path) as tmp:
        (spreadsheet_safe(df) if safe else df).to_csv(tmp, index=False, encoding=encoding, compression=compression)
    return Path(path)


#: First characters that make Excel, LibreOffice or WPS read a cell as a formula (or DDE).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


def _neutralise(value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    stripped = value.strip()
    if _PLAIN_NUMBER.match(stripped) or set(stripped) <= {"-"}:
        return value  # "-12.5", "+3", "-", "--": text a spreadsheet cannot run
    return "'" + value


def spreadsheet_safe(df: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``df`` whose text cannot run as a spreadsheet formula (CSV/XLSX injection).

    Every string cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading ``'`` (the OWASP recommendation), so a facility named
    ``=HYPERLINK("http://…")`` is shown as text, not run, when the export is opened in
    Excel, LibreOffice or WPS. Plain signed numbers written as text (``"-12.5"``) and
    cells made only of dashes are left alone. Numeric columns, the index and the
    column names are not changed.

    Parameters
    ----------
    df : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        A new frame (``df`` is not modified).
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s, pd.DataFrame):  # duplicate column names
            continue
        if pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(_neutralise, na_action="ignore")
    return out
