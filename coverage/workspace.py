"""The persisted workspace: imported layers, overrides and what-if scenarios.

A workspace is **one SQLite file** (``workspace.sqlite``) inside a workspace
directory. The directory is, in order of precedence, the ``path`` argument of
:meth:`Workspace.open`, the environment variable ``COVERAGE_WORKSPACE``, or
``./workspace/``.

What is stored
--------------
* facility layers imported by the user (one GeoDataFrame per layer id), with
  their import report and the name of the file they came from;
* town-boundary and population overrides (a GeoDataFrame / DataFrame each);
* service-standard overrides (a plain ``dict``);
* what-if scenarios: ``name -> list of changes`` such as
  ``{"op": "add", "layer": "elder_canteen", "lon": 113.08, "lat": 22.58}`` or
  ``{"op": "remove", "layer": "elder_canteen", "facility_id": "EC-001"}``.

How it is stored
----------------
Nothing is pickled and nothing read back is evaluated: tables are stored as
strict JSON text (column by column, with their dtypes) and geometries as
hexadecimal WKB inside that JSON; dicts and scenarios as JSON text.

Every save is one SQLite transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) in
WAL mode with ``synchronous=FULL`` and a busy timeout, so

* a crash or kill in the middle of a save leaves the previous state intact;
* a workspace reopened after a restart is exactly as it was left;
* several processes (e.g. two browser sessions of the app and a CLI run) can
  write at once: writers queue on SQLite's lock, nothing is corrupted.

Names (layer ids, scenario names, source file names) are validated by
:func:`check_name`: they can always be used as a file name inside a directory
and can never escape it. Each stored value has a size limit
(``max_blob_bytes``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from coverage.errors import WorkspaceError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Workspace",
    "WorkspaceError",
    "StoredFrame",
    "Entry",
    "HistoryEvent",
    "check_name",
    "check_changes",
    "changes_from_edits",
    "replay_changes",
    "frame_to_dict",
    "frame_from_dict",
    "resolve_workspace_dir",
    "ENV_VAR",
    "DEFAULT_DIR",
    "DB_NAME",
    "DEFAULT_MAX_BLOB_BYTES",
    "SCENARIO_OPS",
]

#: Environment variable naming the workspace directory.
ENV_VAR = "COVERAGE_WORKSPACE"
#: Workspace directory used when neither a path nor ``COVERAGE_WORKSPACE`` is given (relative to the cwd).
DEFAULT_DIR = "workspace"
#: File name of the SQLite database inside the workspace directory.
DB_NAME = "workspace.sqlite"
#: Default size limit of one stored value (serialised JSON, bytes).
DEFAULT_MAX_BLOB_BYTES = 128 * 1024 * 1024
#: Operations a what-if scenario change may carry.
SCENARIO_OPS = ("add", "remove")
#: Longest accepted name, in characters.
MAX_NAME_LENGTH = 120
#: Versions of each scenario / standards document kept in the history.
HISTORY_KEEP = 50

SCHEMA_VERSION = 1
# PRAGMA application_id marking a coverage workspace ("COVW").
APPLICATION_ID = 0x434F5657
FRAME_FORMAT = 1

# Kinds of stored objects.
_LAYER = "layer"
_TOWNS = "towns"
_POPULATION = "population"
_SCENARIO = "scenario"
_STANDARDS = "standards"
# Kinds whose previous versions are kept in full in the history (small JSON documents).
_VERSIONED = (_SCENARIO, _STANDARDS)

# Test hook: called as ``_BEFORE_COMMIT(kind, name)`` inside the write transaction,
# after the new value is written and before COMMIT. Lets tests kill a process at
# a deterministic point of a save. Never set in production code.
_BEFORE_COMMIT: Callable[[str, str], None] | None = None

_FORBIDDEN_CHARS = set('/\\:*?"<>|')

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    version   INTEGER NOT NULL,
    saved_at  TEXT NOT NULL,
    size      INTEGER NOT NULL,
    meta      TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);
CREATE TABLE IF NOT EXISTS history (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    version   INTEGER NOT NULL,
    action    TEXT NOT NULL,
    saved_at  TEXT NOT NULL,
    size      INTEGER NOT NULL,
    body      TEXT
);
CREATE INDEX IF NOT EXISTS history_by_name ON history (kind, name, version);
"""


# ---------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------


def check_name(value: object, what: str = "name") -> str:
    """Validate a user-supplied name and return it unchanged.

    A valid name is a non-empty ``str`` of at most :data:`MAX_NAME_LENGTH`
    characters that is usable as a plain file name on every platform and
    cannot address anything outside a directory: no path separator (``/``,
    ``\\``), no ``: * ? " < > |``, no control character (NUL included), no
    leading ``.`` (so neither ``.`` nor ``..``) and no leading or trailing
    whitespace. Chinese and other non-ASCII text is allowed.

    Parameters
    ----------
    value : object
        The name to check.
    what : str, default "name"
        What the name is, for the error message ("scenario name", "layer id", ...).

    Returns
    -------
    str
        ``value``.

    Raises
    ------
    ValueError
        Naming ``what``, the offending value and the rule it breaks.
    """
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string, got {type(value).__name__} {value!r}")

    def bad(why: str) -> ValueError:
        return ValueError(f"invalid {what} {value!r}: {why}")

    if not value:
        raise bad("it is empty")
    if len(value) > MAX_NAME_LENGTH:
        raise bad(f"longer than {MAX_NAME_LENGTH} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise bad("it contains a control character (e.g. NUL or a newline)")
    forbidden = sorted({c for c in value if c in _FORBIDDEN_CHARS})
    if forbidden:
        raise bad(
            "it contains " + " ".join(repr(c) for c in forbidden)
            + "; path separators and : * ? \" < > | are not allowed"
        )
    if value.startswith("."):
        raise bad("it starts with '.'")
    if value != value.strip():
        raise bad("it has leading or trailing whitespace")
    return value


def _finite_number(value: object, where: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} must be a number, got {value!r}")
    f = float(value)
    if not math.isfinite(f) or not lo <= f <= hi:
        raise ValueError(f"{where} must be a finite number in [{lo}, {hi}], got {value!r}")
    return f


def _check_json_value(value: object, where: str) -> Any:
    """Return ``value`` as plain JSON data (dict/list/str/int/float/bool/None) or raise."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a finite number")
        return value
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{where}: keys must be strings, got {k!r}")
            out[k] = _check_json_value(v, f"{where}[{k!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [_check_json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    # numpy scalars and the like
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return _check_json_value(value.item(), where)
    except ImportError:  # pragma: no cover
        pass
    raise ValueError(f"{where}: {type(value).__name__} values cannot be stored (plain JSON data only)")


def check_changes(changes: object) -> list[dict[str, Any]]:
    """Validate the changes of a what-if scenario and return a normalised copy.

    Parameters
    ----------
    changes : sequence of mapping
        Each change is a mapping with ``op`` in :data:`SCENARIO_OPS` and ``layer``
        (a valid name). ``add`` needs ``lon`` (-180…180) and ``lat`` (-90…90);
        ``remove`` needs ``facility_id`` (str). Other keys (``name``, ``beds``,
        ``facility_id`` of an added site …) are kept if they are plain JSON data.

    Returns
    -------
    list of dict
        Copies with ``lon`` / ``lat`` as floats.

    Raises
    ------
    ValueError
        Naming the index of the first invalid change and what is wrong with it.
    """
    if isinstance(changes, (str, bytes, Mapping)) or not isinstance(changes, Sequence):
        raise ValueError(f"scenario changes must be a list of dicts, got {type(changes).__name__}")
    out: list[dict[str, Any]] = []
    for i, change in enumerate(changes):
        where = f"scenario change {i}"
        if not isinstance(change, Mapping):
            raise ValueError(f"{where} must be a dict, got {type(change).__name__} {change!r}")
        c = _check_json_value(change, where)
        op = c.get("op")
        if op not in SCENARIO_OPS:
            raise ValueError(f"{where}: 'op' must be one of {', '.join(SCENARIO_OPS)}, got {op!r}")
        if "layer" not in c:
            raise ValueError(f"{where}: missing 'layer'")
        check_name(c["layer"], f"layer id in {where}")
        if op == "add":
            for key, lo, hi in (("lon", -180.0, 180.0), ("lat", -90.0, 90.0)):
                if key not in c:
                    raise ValueError(f"{where}: an 'add' needs {key!r}")
                c[key] = _finite_number(c[key], f"{where}: {key!r}", lo, hi)
        else:
            fid = c.get("facility_id")
            if not isinstance(fid, str) or not fid:
                raise ValueError(f"{where}: a 'remove' needs a non-empty string 'facility_id', got {fid!r}")
        out.append(c)
    return out


def changes_from_edits(edits: Iterable[Any], layer_id: str) -> list[dict[str, Any]]:
    """Scenario changes from what-if edits, ready for :meth:`Workspace.save_scenario`.

    Parameters
    ----------
    edits : iterable
        Objects with ``kind`` ("add" / "remove"), ``lon``, ``lat``, ``facility_id`` and
        optionally ``name``, e.g. ``coverage.ui.scenario.Scenario.changes``.
    layer_id : str
        The layer the edits apply to.

    Returns
    -------
    list of dict
        ``{"op", "layer", "lon", "lat", "facility_id"[, "name"]}``, validated.
    """
    out = []
    for i, e in enumerate(edits):
        try:
            d = {"op": e.kind, "layer": layer_id, "lon": e.lon, "lat": e.lat, "facility_id": str(e.facility_id)}
        except AttributeError as exc:
            raise ValueError(f"edit {i} is not a what-if change ({exc})") from None
        if getattr(e, "name", ""):
            d["name"] = str(e.name)
        out.append(d)
    return check_changes(out)


def replay_changes(editor: Any, changes: Sequence[Mapping[str, Any]], layer_id: str) -> int:
    """Apply saved scenario changes to a what-if editor, in order.

    Parameters
    ----------
    editor : object
        Has ``add_site(lon, lat)`` and ``remove_facility(facility_id)``, e.g.
        ``coverage.ui.scenario.Scenario``. Added sites get the same ids
        (``new-1``, ``new-2`` …) as when the scenario was recorded, so removals of
        added sites replay too.
    changes : list of dict
        As returned by :meth:`Workspace.load_scenario`.
    layer_id : str
        Only changes of this layer are applied.

    Returns
    -------
    int
        Number of changes applied.

    Raises
    ------
    ValueError
        Naming the change that cannot be applied (e.g. a removed facility that is no
        longer in the layer); the changes before it stay applied.
    """
    applied = 0
    for i, c in enumerate(check_changes(changes)):
        if c["layer"] != layer_id:
            continue
        try:
            if c["op"] == "add":
                editor.add_site(c["lon"], c["lat"])
            else:
                editor.remove_facility(c["facility_id"])
        except (ValueError, KeyError, IndexError) as exc:
            what = c.get("facility_id") if c["op"] == "remove" else f"({c['lon']}, {c['lat']})"
            raise ValueError(f"scenario change {i} ({c['op']} {what}) cannot be applied: {exc}") from None
        applied += 1
    return applied


# ---------------------------------------------------------------------------
# DataFrame <-> JSON (no pickle; geometry as WKB hex)
# ---------------------------------------------------------------------------

_TAG_NAN = {"$": "nan"}
_TAG_POS_INF = {"$": "inf"}
_TAG_NEG_INF = {"$": "-inf"}
_TAG_NA = {"$": "na"}
_TAG_NAT = {"$": "nat"}


def _encode_object_value(v: Any, column: str) -> Any:
    import pandas as pd

    if v is None or isinstance(v, (bool, str)):
        return v
    if v is pd.NA:
        return _TAG_NA
    if v is pd.NaT:
        return _TAG_NAT
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return _TAG_NAN
        if math.isinf(v):
            return _TAG_POS_INF if v > 0 else _TAG_NEG_INF
        return v
    import numpy as np

    if isinstance(v, np.generic) and isinstance(v.item(), (bool, int, float, str)):
        return _encode_object_value(v.item(), column)
    raise ValueError(
        f"column {column!r} holds a {type(v).__name__} value ({v!r}); the workspace stores "
        "only text, numbers, booleans, dates and geometries"
    )


def _decode_object_value(v: Any) -> Any:
    if isinstance(v, dict):
        import pandas as pd

        tag = v.get("$")
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "na": pd.NA, "nat": pd.NaT}[tag]
    return v


def _encode_column(s: "pd.Series", name: str) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    from geopandas.array import GeometryDtype

    dtype = s.dtype
    spec: dict[str, Any] = {"name": name, "dtype": str(dtype)}
    if isinstance(dtype, GeometryDtype):
        import shapely

        crs = getattr(s, "crs", None)
        spec["enc"] = "geometry"
        spec["crs"] = _crs_to_text(crs)
        spec["values"] = shapely.to_wkb(np.asarray(s.array, dtype=object), hex=True).tolist()
    elif isinstance(dtype, pd.CategoricalDtype):
        spec["enc"] = "category"
        spec["ordered"] = bool(dtype.ordered)
        spec["categories"] = _encode_column(pd.Series(dtype.categories), f"{name} (categories)")
        spec["values"] = [int(c) for c in s.cat.codes]
    elif isinstance(dtype, pd.DatetimeTZDtype) or (
        isinstance(dtype, np.dtype) and dtype.kind in "mM"
    ):
        spec["enc"] = "datetime"
        if isinstance(dtype, pd.DatetimeTZDtype):
            spec["tz"] = str(dtype.tz)
            spec["unit"] = dtype.unit
            naive = s.dt.tz_convert("UTC").dt.tz_localize(None)
            raw = naive.to_numpy()
        else:
            raw = s.to_numpy()
        ints = raw.view("int64")
        nat = np.isnat(raw)
        spec["values"] = [None if n else int(i) for i, n in zip(ints.tolist(), nat.tolist())]
    elif isinstance(dtype, np.dtype) and dtype.kind == "f":
        spec["enc"] = "float"
        spec["values"] = [
            None if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else v)
            for v in s.to_numpy().tolist()
        ]
    elif isinstance(dtype, np.dtype) and dtype.kind in "biu":
        spec["enc"] = "plain"
        spec["values"] = s.to_numpy().tolist()
    elif isinstance(
        dtype,
        (pd.StringDtype, pd.BooleanDtype, pd.core.dtypes.dtypes.BaseMaskedDtype),
    ):
        spec["enc"] = "nullable"
        values = []
        for v in s.tolist():
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                values.append(None)
            elif isinstance(v, float) and math.isinf(v):
                values.append("inf" if v > 0 else "-inf")
            elif isinstance(v, np.generic):
                values.append(v.item())
            else:
                values.append(v)
        spec["values"] = values
    elif isinstance(dtype, np.dtype) and dtype.kind == "O":
        spec["enc"] = "object"
        spec["values"] = [_encode_object_value(v, name) for v in s.tolist()]
    else:
        raise ValueError(f"column {name!r} has dtype {dtype}, which the workspace cannot store")
    return spec


def _decode_column(spec: Mapping[str, Any], index: "pd.Index") -> "pd.Series":
    import numpy as np
    import pandas as pd

    enc = spec["enc"]
    values = spec["values"]
    name = spec["name"]
    dtype = spec["dtype"]
    if enc == "geometry":
        import geopandas as gpd
        import shapely

        geoms = shapely.from_wkb(np.array(values, dtype=object))
        return gpd.GeoSeries(geoms, index=index, crs=spec.get("crs"), name=name)
    if enc == "category":
        cats = _decode_column(spec["categories"], pd.RangeIndex(len(spec["categories"]["values"])))
        cat = pd.Categorical.from_codes(
            np.asarray(values, dtype=np.int64), categories=pd.Index(cats.array), ordered=spec["ordered"]
        )
        return pd.Series(cat, index=index, name=name)
    if enc == "datetime":
        ints = np.array(
            [np.iinfo(np.int64).min if v is None else v for v in values], dtype=np.int64
        )
        if "tz" in spec:
            raw = ints.view(f"datetime64[{spec['unit']}]")
            s = pd.Series(raw, index=index, name=name).dt.tz_localize("UTC").dt.tz_convert(spec["tz"])
            return s.astype(dtype)
        return pd.Series(ints.view(np.dtype(dtype)), index=index, name=name)
    if enc == "float":
        arr = np.array([math.nan if v is None else float(v) for v in values], dtype=np.dtype(dtype))
        return pd.Series(arr, index=index, name=name)
    if enc == "plain":
        return pd.Series(np.array(values, dtype=np.dtype(dtype)), index=index, name=name)
    if enc == "nullable":
        pd_dtype = pd.api.types.pandas_dtype(dtype)
        if isinstance(pd_dtype, pd.core.dtypes.dtypes.BaseMaskedDtype) and pd_dtype.kind == "f":
            values = [None if v is None else float(v) for v in values]
        return pd.Series(pd.array(values, dtype=pd_dtype), index=index, name=name)
    if enc == "object":
        arr = np.empty(len(values), dtype=object)
        arr[:] = [_decode_object_value(v) for v in values]
        return pd.Series(arr, index=index, name=name, dtype=object)
    raise ValueError(f"column {name!r}: unknown stored encoding {enc!r}")


def _crs_to_text(crs: Any) -> str | None:
    if crs is None:
        return None
    epsg = crs.to_epsg(min_confidence=100)
    return f"EPSG:{epsg}" if epsg is not None else crs.to_wkt()


def frame_to_dict(df: "pd.DataFrame") -> dict[str, Any]:
    """Encode a (Geo)DataFrame as plain JSON data, losslessly.

    Column order, names, dtypes (``int64``, ``float64``, ``bool``, ``str`` /
    ``string``, nullable ``Int64`` / ``boolean`` / ``Float64``, ``category``,
    ``datetime64`` with or without time zone, ``object`` columns of text and
    numbers), missing values, the index and the CRS are kept; geometries are
    stored as hexadecimal WKB (exact coordinates).

    Raises
    ------
    ValueError
        For a MultiIndex, non-string or duplicate column names, or a column
        whose dtype or values cannot be represented (naming the column).
    """
    import geopandas as gpd
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected a DataFrame or GeoDataFrame, got {type(df).__name__}")
    if isinstance(df.columns, pd.MultiIndex):
        raise ValueError("cannot store a DataFrame with MultiIndex columns")
    if isinstance(df.index, pd.MultiIndex):
        raise ValueError("cannot store a DataFrame with a MultiIndex; reset_index() first")
    names = list(df.columns)
    bad = [c for c in names if not isinstance(c, str)]
    if bad:
        raise ValueError(f"column names must be strings, got {bad!r}")
    dupes = sorted({c for c in names if names.count(c) > 1})
    if dupes:
        raise ValueError(f"duplicate column names {dupes!r}")
    out: dict[str, Any] = {"format": FRAME_FORMAT, "n_rows": len(df)}
    if isinstance(df, gpd.GeoDataFrame) and df._geometry_column_name in df.columns:
        out["type"] = "GeoDataFrame"
        out["geometry"] = df.geometry.name
        out["crs"] = _crs_to_text(df.crs)
    else:
        out["type"] = "DataFrame"
    idx = df.index
    if isinstance(idx, pd.RangeIndex):
        out["index"] = {"range": [idx.start, idx.stop, idx.step], "name": idx.name}
    else:
        if idx.name is not None and not isinstance(idx.name, str):
            raise ValueError(f"index name must be a string or None, got {idx.name!r}")
        out["index"] = {"column": _encode_column(pd.Series(idx), "(index)"), "name": idx.name}
    out["columns"] = [_encode_column(df[c], c) for c in names]
    return out


def frame_from_dict(data: Mapping[str, Any]) -> "pd.DataFrame":
    """Decode the output of :func:`frame_to_dict` back into an equal (Geo)DataFrame."""
    import geopandas as gpd
    import pandas as pd

    if data.get("format") != FRAME_FORMAT:
        raise ValueError(f"unsupported stored table format {data.get('format')!r}")
    ix = data["index"]
    if "range" in ix:
        index = pd.RangeIndex(*ix["range"], name=ix["name"])
    else:
        col = ix["column"]
        index = pd.Index(_decode_column(col, pd.RangeIndex(len(col["values"]))).array, name=ix["name"])
    cols = {spec["name"]: _decode_column(spec, index) for spec in data["columns"]}
    df = pd.DataFrame(cols, index=index, columns=[spec["name"] for spec in data["columns"]])
    if data["type"] == "GeoDataFrame":
        return gpd.GeoDataFrame(df, geometry=data["geometry"], crs=data["crs"])
    return df


def _report_to_dict(report: object) -> dict[str, Any] | None:
    """An import report as plain JSON data (dict, dataclass, or an object with ``to_dict()``)."""
    if report is None:
        return None
    if hasattr(report, "to_dict") and callable(report.to_dict):
        report = report.to_dict()
    elif dataclasses.is_dataclass(report) and not isinstance(report, type):
        report = dataclasses.asdict(report)
    if not isinstance(report, Mapping):
        raise ValueError(
            f"import report must be a dict, a dataclass or have to_dict(), got {type(report).__name__}"
        )
    return _check_json_value(_jsonable(report), "import report")


def _jsonable(value: Any) -> Any:
    """Best-effort conversion of report contents (numpy scalars, NaN, paths, tuples) to JSON data."""
    from coverage.export import json_value

    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return json_value(value)


# ---------------------------------------------------------------------------
# the workspace
# ---------------------------------------------------------------------------



@dataclass(frozen=True)
class StoredFrame:
    """A table read back from the workspace.

    Attributes
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        The table, equal to the one saved (columns, dtypes, index, CRS, geometry).
    report : dict or None
        The import report saved with it, as plain JSON data.
    source_name : str or None
        File name the table was imported from.
    version : int
        1 for the first save of this name, +1 on every later save.
    saved_at : str
        UTC time of the save, ISO 8601.
    """

    data: Any
    report: dict[str, Any] | None
    source_name: str | None
    version: int
    saved_at: str

    def import_report(self) -> Any:
        """The report as a :class:`coverage.io.ImportReport` again (None if none was saved).

        Raises
        ------
        ValueError
            If the saved report does not have the ``ImportReport`` fields.
        """
        if self.report is None:
            return None
        from coverage.io.report import ImportReport, Issue

        r = self.report
        try:
            return ImportReport(
                file=str(r["file"]),
                layer=str(r["layer"]),
                rows_read=int(r.get("rows_read", 0)),
                rows_imported=int(r.get("rows_imported", 0)),
                issues=[
                    Issue(i["file"], i.get("row"), i.get("column"), i["message"], i.get("severity", "error"))
                    for i in r.get("issues", [])
                ],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"the saved report is not an import report ({exc!r} missing or invalid)") from None


@dataclass(frozen=True)
class Entry:
    """One stored object, as listed by :meth:`Workspace.entries`."""

    kind: str
    name: str
    version: int
    saved_at: str
    size: int
    n_rows: int | None
    source_name: str | None


@dataclass(frozen=True)
class HistoryEvent:
    """One save or delete, as listed by :meth:`Workspace.history`."""

    seq: int
    kind: str
    name: str
    version: int
    action: str
    saved_at: str
    size: int


def resolve_workspace_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The workspace directory: ``path``, else ``$COVERAGE_WORKSPACE``, else ``./workspace``."""
    if path is None or (isinstance(path, str) and not path.strip()):
        env = os.environ.get(ENV_VAR, "").strip()
        path = env if env else DEFAULT_DIR
    if isinstance(path, str) and "\x00" in path:
        raise ValueError(f"invalid workspace directory {path!r}: it contains NUL")
    return Path(os.path.abspath(Path(path).expanduser()))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class Workspace:
    """A persisted workspace (one SQLite file); see the module docstring.

    Use :meth:`open`. A ``Workspace`` holds only its path and settings: each
    method opens its own short-lived SQLite connection, so one object can be
    shared between threads (e.g. Streamlit sessions) and several processes can
    use the same workspace at once.

    Parameters
    ----------
    directory : path
        Workspace directory (created if missing).
    max_blob_bytes : int
        Largest serialised value a save accepts, in bytes.
    busy_timeout : float
        Seconds a writer waits for another writer before failing.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        max_blob_bytes: int = DEFAULT_MAX_BLOB_BYTES,
        busy_timeout: float = 30.0,
    ) -> None:
        if isinstance(max_blob_bytes, bool) or not isinstance(max_blob_bytes, int) or max_blob_bytes <= 0:
            raise ValueError(f"max_blob_bytes must be a positive integer, got {max_blob_bytes!r}")
        if not isinstance(busy_timeout, (int, float)) or not busy_timeout > 0:
            raise ValueError(f"busy_timeout must be a positive number of seconds, got {busy_timeout!r}")
        self.directory = resolve_workspace_dir(directory)
        self.max_blob_bytes = max_blob_bytes
        self.busy_timeout = float(busy_timeout)
        if self.directory.exists() and not self.directory.is_dir():
            raise ValueError(f"workspace directory {self.directory} exists and is not a directory")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.file = self.directory / DB_NAME
        self._initialise()

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        max_blob_bytes: int = DEFAULT_MAX_BLOB_BYTES,
        busy_timeout: float = 30.0,
    ) -> "Workspace":
        """Open (creating if needed) the workspace in ``path``.

        Parameters
        ----------
        path : path, optional
            Workspace directory. Default: ``$COVERAGE_WORKSPACE``, else ``./workspace``.
        max_blob_bytes : int, default 128 MiB
            Size limit of one stored value (serialised).
        busy_timeout : float, default 30
            Seconds to wait for a concurrent writer.

        Raises
        ------
        ValueError
            If ``path`` is a file, or the database is not a coverage workspace
            or was written by a newer version.
        """
        return cls(resolve_workspace_dir(path), max_blob_bytes=max_blob_bytes, busy_timeout=busy_timeout)

    def __repr__(self) -> str:
        return f"Workspace({str(self.directory)!r})"

    # -- connections -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.file, timeout=self.busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise ValueError(f"cannot open workspace database {self.file}: {exc}") from exc
        try:
            con.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            con.execute("PRAGMA synchronous = FULL")
            con.execute("PRAGMA trusted_schema = OFF")
        except sqlite3.DatabaseError as exc:
            con.close()
            raise ValueError(f"{self.file} is not a coverage workspace database: {exc}") from exc
        return con

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            with self._sqlite_errors():
                yield con
        finally:
            con.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on any error)."""
        con = self._connect()
        try:
            with self._sqlite_errors():
                con.execute("BEGIN IMMEDIATE")
                try:
                    yield con
                    con.execute("COMMIT")
                except BaseException:
                    if con.in_transaction:
                        try:
                            con.execute("ROLLBACK")
                        except sqlite3.Error:  # pragma: no cover - the connection is closed next anyway
                            pass
                    raise
        finally:
            con.close()

    @contextmanager
    def _sqlite_errors(self) -> Iterator[None]:
        """Turn SQLite errors into :class:`WorkspaceError` naming the file."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise WorkspaceError(
                    f"workspace {self.file} is busy: another process held its write lock for more "
                    f"than {self.busy_timeout:g} s ({exc})"
                ) from exc
            raise WorkspaceError(f"workspace {self.file}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(
                f"workspace {self.file} is damaged ({exc}); restore it from a backup "
                "(see docs/DATA_SAFETY.md)"
            ) from exc

    def _initialise(self) -> None:
        con = self._connect()
        try:
            try:
                mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise ValueError(f"{self.file} is not a coverage workspace database: {exc}") from exc
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a file system without shared memory
                raise ValueError(f"cannot put workspace database {self.file} in WAL mode (got {mode!r})")
            con.execute("BEGIN IMMEDIATE")
            try:
                app_id = con.execute("PRAGMA application_id").fetchone()[0]
                user_version = con.execute("PRAGMA user_version").fetchone()[0]
                n_tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if app_id == 0 and n_tables == 0:
                    # one statement at a time: executescript() would COMMIT mid-transaction
                    for stmt in _SCHEMA.split(";"):
                        if stmt.strip():
                            con.execute(stmt)
                    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                elif app_id != APPLICATION_ID:
                    raise ValueError(
                        f"{self.file} is an SQLite database but not a coverage workspace "
                        f"(application_id {app_id:#x}); refusing to use it"
                    )
                elif user_version > SCHEMA_VERSION:
                    raise ValueError(
                        f"workspace {self.file} has schema version {user_version}, newer than this "
                        f"version of coverage understands ({SCHEMA_VERSION}); upgrade coverage"
                    )
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        finally:
            con.close()

    # -- generic storage ---------------------------------------------------

    def _encode(self, payload: Any, what: str) -> str:
        try:
            text = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except ValueError as exc:
            raise ValueError(f"{what} cannot be stored: {exc}") from exc
        size = len(text.encode("utf-8"))
        if size > self.max_blob_bytes:
            raise ValueError(
                f"{what} is {size:,} bytes once serialised, over the workspace limit of "
                f"{self.max_blob_bytes:,} bytes (max_blob_bytes)"
            )
        return text

    def _put(self, kind: str, name: str, body: str, meta: Mapping[str, Any]) -> int:
        meta_text = json.dumps(dict(meta), ensure_ascii=False, allow_nan=False)
        size = len(body.encode("utf-8"))
        with self._writing() as con:
            (last,) = con.execute(
                "SELECT COALESCE(MAX(version), 0) FROM history WHERE kind = ? AND name = ?",
                (kind, name),
            ).fetchone()
            version = int(last) + 1
            now = _now()
            con.execute(
                "INSERT INTO objects (kind, name, version, saved_at, size, meta, body) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, name) DO UPDATE SET version = excluded.version, "
                "saved_at = excluded.saved_at, size = excluded.size, meta = excluded.meta, "
                "body = excluded.body",
                (kind, name, version, now, size, meta_text, body),
            )
            con.execute(
                "INSERT INTO history (kind, name, version, action, saved_at, size, body) "
                "VALUES (?, ?, ?, 'save', ?, ?, ?)",
                (kind, name, version, now, size, body if kind in _VERSIONED else None),
            )
            # keep the full text of the last HISTORY_KEEP versions; older events stay listed
            con.execute(
                "UPDATE history SET body = NULL "
                "WHERE kind = ? AND name = ? AND version <= ? AND body IS NOT NULL",
                (kind, name, version - HISTORY_KEEP),
            )
            if _BEFORE_COMMIT is not None:
                _BEFORE_COMMIT(kind, name)
        return version

    def _get(self, kind: str, name: str) -> tuple[str, dict[str, Any], int, str] | None:
        with self._reading() as con:
            row = con.execute(
                "SELECT body, meta, version, saved_at FROM objects WHERE kind = ? AND name = ?",
                (kind, name),
            ).fetchone()
        if row is None:
            return None
        body, meta, version, saved_at = row
        return body, json.loads(meta), int(version), saved_at

    def _names(self, kind: str) -> list[str]:
        with self._reading() as con:
            rows = con.execute("SELECT name FROM objects WHERE kind = ? ORDER BY name", (kind,)).fetchall()
        return [r[0] for r in rows]

    def _delete(self, kind: str, name: str, what: str) -> None:
        with self._writing() as con:
            row = con.execute(
                "SELECT version FROM objects WHERE kind = ? AND name = ?", (kind, name)
            ).fetchone()
            if row is None:
                raise KeyError(f"no {what} {name!r} in workspace {self.directory}")
            con.execute("DELETE FROM objects WHERE kind = ? AND name = ?", (kind, name))
            con.execute(
                "INSERT INTO history (kind, name, version, action, saved_at, size, body) "
                "VALUES (?, ?, ?, 'delete', ?, 0, NULL)",
                (kind, name, int(row[0]), _now()),
            )

    def _save_frame(
        self,
        kind: str,
        name: str,
        df: "pd.DataFrame",
        report: object,
        source_name: str | None,
        what: str,
    ) -> int:
        if source_name is not None:
            check_name(source_name, "source file name")
        payload = frame_to_dict(df)
        body = self._encode(payload, what)
        meta = {
            "report": _report_to_dict(report),
            "source_name": source_name,
            "n_rows": len(df),
        }
        return self._put(kind, name, body, meta)

    def _load_frame(self, kind: str, name: str, what: str) -> StoredFrame:
        got = self._get(kind, name)
        if got is None:
            raise KeyError(f"no {what} in workspace {self.directory}")
        body, meta, version, saved_at = got
        data = frame_from_dict(json.loads(body))
        return StoredFrame(data, meta.get("report"), meta.get("source_name"), version, saved_at)

    # -- facility layers ---------------------------------------------------

    def save_layer(
        self,
        layer_id: str,
        gdf: "pd.DataFrame",
        report: object = None,
        source_name: str | None = None,
    ) -> int:
        """Save an imported facility layer (replacing any earlier import of it).

        Parameters
        ----------
        layer_id : str
            Layer id (validated by :func:`check_name`).
        gdf : geopandas.GeoDataFrame
            The facilities, as returned by the importer.
        report : dict, dataclass or object with ``to_dict()``, optional
            The import report; stored as plain JSON data.
        source_name : str, optional
            Name of the uploaded file (a plain file name, no directories).

        Returns
        -------
        int
            The new version number of the layer.
        """
        check_name(layer_id, "layer id")
        return self._save_frame(_LAYER, layer_id, gdf, report, source_name, f"layer {layer_id!r}")

    def load_layer(self, layer_id: str) -> StoredFrame:
        """The saved layer ``layer_id``; ``KeyError`` if none is saved."""
        check_name(layer_id, "layer id")
        return self._load_frame(_LAYER, layer_id, f"layer {layer_id!r}")

    def layers(self) -> list[str]:
        """Ids of the saved layers, sorted."""
        return self._names(_LAYER)

    def apply_to(self, region: Any) -> Any:
        """``region`` with every saved facility layer in place of its own.

        Layers whose id is not in :data:`coverage.layers.LAYERS` are skipped. The
        replaced layers get provenance ``uploaded`` and their import reports go to
        ``region.reports["facilities:<layer>"]``. Town and population overrides are
        not applied here (they re-assign cells to towns: load them with
        :meth:`load_towns` / :meth:`load_population` and rebuild the region).

        Returns
        -------
        Region
            A new region; ``region`` is not modified.
        """
        import dataclasses as _dc

        from coverage.layers import LAYERS

        reports = dict(getattr(region, "reports", {}) or {})
        for layer_id in self.layers():
            if layer_id not in LAYERS:
                continue
            stored = self.load_layer(layer_id)
            region = region.with_facilities(layer_id, stored.data, provenance="uploaded")
            if stored.report is not None:
                try:
                    reports[f"facilities:{layer_id}"] = stored.import_report()
                except ValueError:
                    pass  # a report in another shape: keep the layer, skip its report
        if _dc.is_dataclass(region) and hasattr(region, "reports"):
            region = _dc.replace(region, reports=reports)
        return region

    def delete_layer(self, layer_id: str) -> None:
        """Forget the saved layer ``layer_id``; ``KeyError`` if none is saved."""
        check_name(layer_id, "layer id")
        self._delete(_LAYER, layer_id, "layer")

    # -- towns / population overrides ----------------------------------------

    def save_towns(self, gdf: "pd.DataFrame", report: object = None, source_name: str | None = None) -> int:
        """Save an uploaded town-boundary override. Returns its version."""
        return self._save_frame(_TOWNS, _TOWNS, gdf, report, source_name, "towns override")

    def load_towns(self) -> StoredFrame:
        """The saved town-boundary override; ``KeyError`` if none."""
        return self._load_frame(_TOWNS, _TOWNS, "towns override")

    def save_population(
        self, df: "pd.DataFrame", report: object = None, source_name: str | None = None
    ) -> int:
        """Save an uploaded population override (grid or table). Returns its version."""
        return self._save_frame(_POPULATION, _POPULATION, df, report, source_name, "population override")

    def load_population(self) -> StoredFrame:
        """The saved population override; ``KeyError`` if none."""
        return self._load_frame(_POPULATION, _POPULATION, "population override")

    def overrides(self) -> list[str]:
        """Which region overrides are saved: a subset of ``["population", "towns"]``."""
        with self._reading() as con:
            rows = con.execute(
                "SELECT kind FROM objects WHERE kind IN (?, ?) ORDER BY kind", (_POPULATION, _TOWNS)
            ).fetchall()
        return [r[0] for r in rows]

    def delete_override(self, which: str) -> None:
        """Forget the ``"towns"`` or ``"population"`` override; ``KeyError`` if none."""
        if which not in (_TOWNS, _POPULATION):
            raise ValueError(f"override must be 'towns' or 'population', got {which!r}")
        self._delete(which, which, "override")

    # -- standards -----------------------------------------------------------

    def save_standards(self, standards: Mapping[str, Any]) -> int:
        """Save service-standard overrides (a plain dict of JSON data). Returns the version."""
        if not isinstance(standards, Mapping):
            raise ValueError(f"standards overrides must be a dict, got {type(standards).__name__}")
        data = _check_json_value(standards, "standards overrides")
        body = self._encode(data, "standards overrides")
        return self._put(_STANDARDS, _STANDARDS, body, {})

    def load_standards(self, version: int | None = None) -> dict[str, Any]:
        """The saved standards overrides (``{}`` if none), or an earlier ``version`` of them."""
        if version is not None:
            return json.loads(self._old_body(_STANDARDS, _STANDARDS, version, "standards overrides"))
        got = self._get(_STANDARDS, _STANDARDS)
        return {} if got is None else json.loads(got[0])

    # -- scenarios -----------------------------------------------------------

    def save_scenario(self, name: str, changes: Sequence[Mapping[str, Any]]) -> int:
        """Save the what-if scenario ``name`` (replacing it if it exists).

        Parameters
        ----------
        name : str
            Scenario name (validated by :func:`check_name`; Chinese allowed).
        changes : list of dict
            See :func:`check_changes`.

        Returns
        -------
        int
            The new version number; earlier versions stay loadable
            (``load_scenario(name, version=...)``, the last 50 are kept).
        """
        check_name(name, "scenario name")
        body = self._encode(check_changes(changes), f"scenario {name!r}")
        return self._put(_SCENARIO, name, body, {"n_changes": len(changes)})

    def load_scenario(self, name: str, version: int | None = None) -> list[dict[str, Any]]:
        """The changes of scenario ``name`` (latest, or ``version``); ``KeyError`` if absent."""
        check_name(name, "scenario name")
        if version is not None:
            return json.loads(self._old_body(_SCENARIO, name, version, f"scenario {name!r}"))
        got = self._get(_SCENARIO, name)
        if got is None:
            raise KeyError(f"no scenario {name!r} in workspace {self.directory}")
        return json.loads(got[0])

    def scenarios(self) -> list[str]:
        """Names of the saved scenarios, sorted."""
        return self._names(_SCENARIO)

    def delete_scenario(self, name: str) -> None:
        """Delete scenario ``name`` (its history stays); ``KeyError`` if absent."""
        check_name(name, "scenario name")
        self._delete(_SCENARIO, name, "scenario")

    def scenario_versions(self, name: str) -> list[int]:
        """Versions of scenario ``name`` that can still be loaded, oldest first (the last 50)."""
        check_name(name, "scenario name")
        with self._reading() as con:
            rows = con.execute(
                "SELECT version FROM history WHERE kind = ? AND name = ? AND action = 'save' "
                "AND body IS NOT NULL ORDER BY version",
                (_SCENARIO, name),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def _old_body(self, kind: str, name: str, version: int, what: str) -> str:
        if isinstance(version, bool) or not isinstance(version, int):
            raise ValueError(f"version must be an integer, got {version!r}")
        with self._reading() as con:
            row = con.execute(
                "SELECT body FROM history WHERE kind = ? AND name = ? AND version = ? AND action = 'save'",
                (kind, name, version),
            ).fetchone()
        if row is None or row[0] is None:
            raise KeyError(f"no version {version} of {what} in workspace {self.directory}")
        return row[0]

    # -- listing, history, maintenance --------------------------------------

    def entries(self) -> list[Entry]:
        """Every stored object (layers, overrides, standards, scenarios) with its metadata."""
        with self._reading() as con:
            rows = con.execute(
                "SELECT kind, name, version, saved_at, size, meta FROM objects ORDER BY kind, name"
            ).fetchall()
        out = []
        for kind, name, version, saved_at, size, meta in rows:
            m = json.loads(meta)
            out.append(Entry(kind, name, int(version), saved_at, int(size), m.get("n_rows"), m.get("source_name")))
        return out

    def history(self, limit: int = 100) -> list[HistoryEvent]:
        """The last ``limit`` saves and deletes, newest first."""
        with self._reading() as con:
            rows = con.execute(
                "SELECT seq, kind, name, version, action, saved_at, size FROM history "
                "ORDER BY seq DESC LIMIT ?",
                (int(limit),),
            ).fetchall()
        return [HistoryEvent(*r) for r in rows]

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"`` for a healthy file, else the problems found."""
        try:
            with self._reading() as con:
                rows = con.execute("PRAGMA integrity_check").fetchall()
        except WorkspaceError as exc:
            return str(exc)
        return "\n".join(str(r[0]) for r in rows)

    def backup(self, dest: str | os.PathLike[str]) -> Path:
        """Write a consistent copy of the workspace database to ``dest``.

        Uses SQLite's online backup API, so it is safe while the app is running
        and other processes are writing. The copy is written to a temporary
        file next to ``dest`` and renamed into place (atomic).

        Parameters
        ----------
        dest : path
            Destination file, or an existing directory (the copy is then named
            ``workspace-<UTC timestamp>.sqlite``).

        Returns
        -------
        pathlib.Path
            The file written. Open it with ``Workspace.open(<its directory>)``
            after renaming it ``workspace.sqlite``, or copy it over the live file
            while no app is running.
        """
        dest = Path(os.path.abspath(Path(dest).expanduser()))
        if dest.is_dir():
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            dest = dest / f"workspace-{stamp}.sqlite"
        if not dest.parent.is_dir():
            raise ValueError(f"backup destination directory {dest.parent} does not exist")
        live = {self.file.resolve(), Path(f"{self.file}-wal").resolve(), Path(f"{self.file}-shm").resolve()}
        if dest.resolve() in live:
            raise ValueError(f"backup destination {dest} is the live workspace file")
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        os.close(fd)
        try:
            src = self._connect()
            try:
                dst = sqlite3.connect(tmp)
                try:
                    src.backup(dst)
                    ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
                    if ok != "ok":  # pragma: no cover - would need a failing disk
                        raise ValueError(f"backup copy failed its integrity check: {ok}")
                finally:
                    dst.close()
            finally:
                src.close()
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return dest
