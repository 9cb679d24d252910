"""The persisted workspace: imported layers, overrides, standards, what-if scenarios and drafts.

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
* named what-if scenarios: ``name -> list of changes`` such as
  ``{"op": "add", "layer": "elder_canteen", "lon": 113.08, "lat": 22.58}`` or
  ``{"op": "remove", "layer": "elder_canteen", "facility_id": "EC-001"}``;
* drafts: each app session's own unsaved what-if edits and standard choices
  (:func:`check_draft`), keyed by the session's draft id.

How it is stored
----------------
Nothing is pickled and nothing read back is evaluated: tables are stored as
strict JSON text (column by column, with their dtypes) and geometries as
hexadecimal WKB inside that JSON; dicts and scenarios as JSON text.

Every save is one SQLite transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) in
WAL mode with ``synchronous=FULL`` and a busy timeout, so

* a crash or kill in the middle of a save leaves the previous state intact, and a
  kill after its COMMIT keeps it (``tests/test_workspace_kill.py`` kills savers at
  chosen statements, inside the COMMIT and inside the checkpoint of a close);
* a workspace reopened after a restart is exactly as it was left;
* several processes (e.g. two browser sessions of the app and a CLI run) can
  write at once: writers queue on SQLite's lock, nothing is corrupted.

Versions: no save is lost
-------------------------
Scenarios, standards and drafts are *versioned documents*. Each save names the
version it is based on (``base_version``: ``None`` for "this is new"); when the
stored version differs — another session saved or deleted it in between — the
save is refused with :class:`~coverage.errors.WorkspaceConflictError` and
nothing is overwritten. An explicit merge is :meth:`Workspace.update_scenario`
/ :meth:`Workspace.update_standards` / :meth:`Workspace.update_draft`: the read,
the caller's merge function and the write happen inside one ``BEGIN IMMEDIATE``
transaction, so two writers merging at once both keep their edits.

Integrity
---------
A file that is empty (0 bytes), truncated (shorter than its header declares),
not SQLite, or another application's database is refused and left untouched,
never recreated; so is a missing file whose write-ahead log still holds saves (it
was deleted or moved by hand: an empty file made next to that log would read its
pages). :meth:`Workspace.check` decodes every stored body and names
the damaged ones; loading a damaged one raises
:class:`~coverage.errors.WorkspaceDamagedError` naming it, and
:meth:`Workspace.drop` removes it (its raw text stays in the history).
:func:`restore_backup` puts a checked backup in place, moving the current file
aside (never deleting it); killed half-way, it leaves the old workspace (with every
committed save) or the restored one, never neither. A workspace whose file or
folder is not writable opens read-only (``Workspace.read_only``): listing, loading and backing up
work, a save raises :class:`~coverage.errors.WorkspaceReadOnlyError`. Disk-full
and other OS errors become :class:`~coverage.errors.WorkspaceError`.

Names (layer ids, scenario names, draft ids) are validated by :func:`check_name`:
they can always be used as a file name inside a directory and can never escape
it. A source file name (what an upload was called) is only text: it is stored
made valid by :func:`storable_name`, never refused. Each stored value has a
size limit (``max_blob_bytes``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import sqlite3
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from geopandas.array import GeometryDtype

from coverage import settings
from coverage.errors import (
    InputError,
    InputLimitError,
    WorkspaceConflictError,
    WorkspaceDamagedError,
    WorkspaceError,
    WorkspaceReadOnlyError,
)
from coverage.export import json_value
from coverage.io.report import ImportReport, Issue

__all__ = [
    "Workspace",
    "WorkspaceError",
    "WorkspaceConflictError",
    "WorkspaceDamagedError",
    "WorkspaceReadOnlyError",
    "StoredFrame",
    "StoredDoc",
    "Entry",
    "HistoryEvent",
    "Damage",
    "CheckReport",
    "check_name",
    "storable_name",
    "check_changes",
    "check_draft",
    "changes_from_edits",
    "frame_to_dict",
    "frame_from_dict",
    "resolve_workspace_dir",
    "list_backups",
    "restore_backup",
    "ENV_VAR",
    "DEFAULT_DIR",
    "DB_NAME",
    "BACKUP_DIR",
    "SCENARIO_OPS",
]

#: Environment variable naming the workspace directory.
ENV_VAR = "COVERAGE_WORKSPACE"
#: Workspace directory used when neither a path nor ``COVERAGE_WORKSPACE`` is given (relative to the cwd).
DEFAULT_DIR = "workspace"
#: File name of the SQLite database inside the workspace directory.
DB_NAME = "workspace.sqlite"
#: Sub-folder of the workspace directory where :func:`list_backups` also looks for backups.
BACKUP_DIR = "backups"
#: Operations a what-if scenario change may carry.
SCENARIO_OPS = ("add", "remove")
#: Longest accepted name, in characters.
MAX_NAME_LENGTH = 120
#: Versions of each scenario / standards / draft document kept in the history (see settings).
HISTORY_KEEP = settings.WORKSPACE_HISTORY_KEEP

SCHEMA_VERSION = 1
# PRAGMA application_id marking a coverage workspace ("COVW").
APPLICATION_ID = 0x434F5657
FRAME_FORMAT = 1
SQLITE_MAGIC = b"SQLite format 3\x00"

# Kinds of stored objects.
LAYER = "layer"
TOWNS = "towns"
POPULATION = "population"
SCENARIO = "scenario"
STANDARDS = "standards"
DRAFT = "draft"
# Kinds stored as versioned JSON documents (previous versions kept in full in the history).
_VERSIONED = (SCENARIO, STANDARDS, DRAFT)
_FRAMES = (LAYER, TOWNS, POPULATION)

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
# names and documents
# ---------------------------------------------------------------------------


def check_name(value: object, what: str = "name") -> str:
    """Validate a user-supplied name and return it unchanged.

    A valid name is a non-empty ``str`` of at most :data:`MAX_NAME_LENGTH`
    characters that is usable as a plain file name on every platform and
    cannot address anything outside a directory: no path separator (``/``,
    ``\\``), no ``: * ? " < > |``, no control character (NUL included), no invisible
    formatting character (zero-width space, a right-to-left override that makes ``gpj.exe`` read
    ``exe.jpg``), no
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
    InputError
        Naming ``what``, the offending value and the rule it breaks.
    """
    if not isinstance(value, str):
        raise InputError(f"{what} must be a string, got {type(value).__name__} {value!r}",
                         code="ws_name.not_string")

    def bad(why: str, rule: str, **values: Any) -> InputError:
        # code + values: the app and the CLI word it in their language (coverage.i18n.workspace)
        return InputError(f"invalid {what} {value!r}: {why}", code=f"ws_name.{rule}", values=values)

    if not value:
        raise bad("it is empty", "empty")
    if len(value) > MAX_NAME_LENGTH:
        raise bad(f"longer than {MAX_NAME_LENGTH} characters", "too_long", limit=MAX_NAME_LENGTH)
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise bad("it contains a control character (e.g. NUL or a newline)", "control_character")
    if any(unicodedata.category(c) == "Cf" for c in value):  # zero-width, right-to-left override …
        raise bad("it contains an invisible formatting character (e.g. a zero-width space or a "
                  "right-to-left mark)", "invisible_character")
    forbidden = sorted({c for c in value if c in _FORBIDDEN_CHARS})
    if forbidden:
        chars = " ".join(repr(c) for c in forbidden)
        raise bad(f"it contains {chars}; path separators and : * ? \" < > | are not allowed",
                  "forbidden_character", chars=chars)
    if value.startswith("."):
        raise bad("it starts with '.'", "leading_dot")
    if value != value.strip():
        raise bad("it has leading or trailing whitespace", "surrounding_space")
    return value


#: The most UTF-8 bytes of a name written as a file name (file systems allow 255 per name).
MAX_NAME_BYTES = 200


def storable_name(name: object, fallback: str = "file") -> str:
    """``name`` (a user's file name) made a name :func:`check_name` accepts that every file system can
    store: its directory part dropped, forbidden and control characters replaced by ``_``, leading
    dots and surrounding spaces removed, shortened — keeping its extension — to
    :data:`MAX_NAME_LENGTH` characters and :data:`MAX_NAME_BYTES` UTF-8 bytes.

    Parameters
    ----------
    name : object
        The name as given (an upload's file name; ``str()`` of anything else).
    fallback : str
        The name when nothing is left.

    Returns
    -------
    str
        A valid name; ``name`` itself when it already is one within the limits.
    """
    text = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join("_" if (c in _FORBIDDEN_CHARS or ord(c) < 32 or ord(c) == 127) else c for c in text
                   if unicodedata.category(c) != "Cf")  # invisible formatting characters dropped
    text = text.strip().lstrip(".").strip() or fallback
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = text, ""
    ext = f".{ext}" if ext else ""
    while stem and (len(stem) + len(ext) > MAX_NAME_LENGTH
                    or len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES):
        stem = stem[:-1]
    out = (stem.rstrip() or fallback) + ext
    return check_name(out, "file name")


def _finite_number(value: object, where: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where} must be a number, got {value!r}")
    f = float(value)
    if not math.isfinite(f) or not lo <= f <= hi:
        raise InputError(f"{where} must be a finite number in [{lo}, {hi}], got {value!r}")
    return f


def _check_json_value(value: object, where: str) -> Any:
    """Return ``value`` as plain JSON data (dict/list/str/int/float/bool/None) or raise."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{where}: {value!r} is not a finite number")
        return value
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise InputError(f"{where}: keys must be strings, got {k!r}")
            out[k] = _check_json_value(v, f"{where}[{k!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [_check_json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, np.generic):
        return _check_json_value(value.item(), where)
    raise InputError(f"{where}: {type(value).__name__} values cannot be stored (plain JSON data only)")


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
    InputError
        Naming the index of the first invalid change and what is wrong with it.
    """
    if isinstance(changes, (str, bytes, Mapping)) or not isinstance(changes, Sequence):
        raise InputError(f"scenario changes must be a list of dicts, got {type(changes).__name__}")
    out: list[dict[str, Any]] = []
    for i, change in enumerate(changes):
        where = f"scenario change {i}"
        if not isinstance(change, Mapping):
            raise InputError(f"{where} must be a dict, got {type(change).__name__} {change!r}")
        c = _check_json_value(change, where)
        op = c.get("op")
        if op not in SCENARIO_OPS:
            raise InputError(f"{where}: 'op' must be one of {', '.join(SCENARIO_OPS)}, got {op!r}")
        if "layer" not in c:
            raise InputError(f"{where}: missing 'layer'")
        check_name(c["layer"], f"layer id in {where}")
        if op == "add":
            for key, lo, hi in (("lon", -180.0, 180.0), ("lat", -90.0, 90.0)):
                if key not in c:
                    raise InputError(f"{where}: an 'add' needs {key!r}")
                c[key] = _finite_number(c[key], f"{where}: {key!r}", lo, hi)
        else:
            fid = c.get("facility_id")
            if not isinstance(fid, str) or not fid:
                raise InputError(f"{where}: a 'remove' needs a non-empty string 'facility_id', got {fid!r}")
        out.append(c)
    return out


def _check_standards(standards: object) -> dict[str, Any]:
    if not isinstance(standards, Mapping):
        raise InputError(f"standards overrides must be a dict, got {type(standards).__name__}")
    return _check_json_value(standards, "standards overrides")


def check_draft(draft: object) -> dict[str, Any]:
    """Validate a session's draft and return a normalised copy.

    Parameters
    ----------
    draft : mapping
        ``{"layer": str or None, "changes": [...], "standards": {...}}``: the layer last
        edited, the what-if changes of every layer (:func:`check_changes`) and the standard
        chosen per layer (plain JSON data). Missing keys default to ``None`` / ``[]`` / ``{}``.

    Raises
    ------
    InputError
        Naming what is invalid.
    """
    if not isinstance(draft, Mapping):
        raise InputError(f"a draft must be a dict, got {type(draft).__name__}")
    unknown = sorted(set(draft) - {"layer", "changes", "standards"})
    if unknown:
        raise InputError(f"a draft has only 'layer', 'changes' and 'standards'; got {unknown!r}")
    layer = draft.get("layer")
    if layer is not None:
        check_name(layer, "draft layer id")
    return {
        "layer": layer,
        "changes": check_changes(draft.get("changes", [])),
        "standards": _check_standards(draft.get("standards", {})),
    }


def changes_from_edits(edits: Iterable[Any], layer_id: str) -> list[dict[str, Any]]:
    """Scenario changes from what-if edits, ready for :meth:`Workspace.save_scenario`.

    Parameters
    ----------
    edits : iterable of coverage.ui.scenario.Change
        Objects with ``kind`` ("add" / "remove"), ``lon``, ``lat``, ``facility_id`` and ``name``.
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
            name = e.name
        except AttributeError as exc:
            raise InputError(f"edit {i} is not a what-if change ({exc})") from None
        if name:
            d["name"] = str(name)
        out.append(d)
    return check_changes(out)


# ---------------------------------------------------------------------------
# DataFrame <-> JSON (no pickle; geometry as WKB hex)
# ---------------------------------------------------------------------------
# ---------------------------------------------------------------------------
# DataFrame <-> JSON (no pickle; geometry as WKB hex)
# ---------------------------------------------------------------------------

_TAG_NAN = {"$": "nan"}
_TAG_POS_INF = {"$": "inf"}
_TAG_NEG_INF = {"$": "-inf"}
_TAG_NA = {"$": "na"}
_TAG_NAT = {"$": "nat"}


def _encode_object_value(v: Any, column: str) -> Any:

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

    if isinstance(v, np.generic) and isinstance(v.item(), (bool, int, float, str)):
        return _encode_object_value(v.item(), column)
    raise InputError(
        f"column {column!r} holds a {type(v).__name__} value ({v!r}); the workspace stores "
        "only text, numbers, booleans, dates and geometries"
    )


def _decode_object_value(v: Any) -> Any:
    if isinstance(v, dict):

        tag = v.get("$")
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "na": pd.NA, "nat": pd.NaT}[tag]
    return v


def _encode_column(s: pd.Series, name: str) -> dict[str, Any]:

    dtype = s.dtype
    spec: dict[str, Any] = {"name": name, "dtype": str(dtype)}
    if isinstance(dtype, GeometryDtype):

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
        raise InputError(f"column {name!r} has dtype {dtype}, which the workspace cannot store")
    return spec


def _decode_column(spec: Mapping[str, Any], index: pd.Index) -> pd.Series:

    enc = spec["enc"]
    values = spec["values"]
    name = spec["name"]
    dtype = spec["dtype"]
    if enc == "geometry":

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
    raise InputError(f"column {name!r}: unknown stored encoding {enc!r}")


def _crs_to_text(crs: Any) -> str | None:
    if crs is None:
        return None
    epsg = crs.to_epsg(min_confidence=100)
    return f"EPSG:{epsg}" if epsg is not None else crs.to_wkt()


def frame_to_dict(df: pd.DataFrame) -> dict[str, Any]:
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

    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a DataFrame or GeoDataFrame, got {type(df).__name__}")
    if isinstance(df.columns, pd.MultiIndex):
        raise InputError("cannot store a DataFrame with MultiIndex columns")
    if isinstance(df.index, pd.MultiIndex):
        raise InputError("cannot store a DataFrame with a MultiIndex; reset_index() first")
    names = list(df.columns)
    bad = [c for c in names if not isinstance(c, str)]
    if bad:
        raise InputError(f"column names must be strings, got {bad!r}")
    dupes = sorted({c for c in names if names.count(c) > 1})
    if dupes:
        raise InputError(f"duplicate column names {dupes!r}")
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
            raise InputError(f"index name must be a string or None, got {idx.name!r}")
        out["index"] = {"column": _encode_column(pd.Series(idx), "(index)"), "name": idx.name}
    out["columns"] = [_encode_column(df[c], c) for c in names]
    return out


def frame_from_dict(data: Mapping[str, Any]) -> pd.DataFrame:
    """Decode the output of :func:`frame_to_dict` back into an equal (Geo)DataFrame."""

    if data.get("format") != FRAME_FORMAT:
        raise InputError(f"unsupported stored table format {data.get('format')!r}")
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
        raise InputError(
            f"import report must be a dict, a dataclass or have to_dict(), got {type(report).__name__}"
        )
    return _check_json_value(_jsonable(report), "import report")


def _jsonable(value: Any) -> Any:
    """Best-effort conversion of report contents (numpy scalars, NaN, paths, tuples) to JSON data."""

    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return json_value(value)


# ---------------------------------------------------------------------------
# stored values, listings, checks
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

    data: pd.DataFrame
    report: dict[str, Any] | None
    source_name: str | None
    version: int
    saved_at: str

    def import_report(self) -> ImportReport | None:
        """The report as a :class:`coverage.io.ImportReport` again (None if none was saved).

        Raises
        ------
        InputError
            If the saved report does not have the ``ImportReport`` fields.
        """
        if self.report is None:
            return None
        r = self.report
        try:
            return ImportReport(
                file=str(r["file"]),
                layer=str(r["layer"]),
                rows_read=int(r.get("rows_read", 0)),
                rows_imported=int(r.get("rows_imported", 0)),
                issues=[Issue.from_dict(i) for i in r.get("issues", [])],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"the saved report is not an import report ({exc!r} missing or invalid)") from None


@dataclass(frozen=True)
class StoredDoc:
    """A versioned document (scenario changes, standards, draft) read back from the workspace.

    Attributes
    ----------
    data : list or dict
        The document (validated again on reading).
    version : int
        Its version: pass it as ``base_version`` to save a change based on it.
    saved_at : str
        UTC time of the save, ISO 8601.
    """

    data: Any
    version: int
    saved_at: str


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
    """One save, delete or drop, as listed by :meth:`Workspace.history`."""

    seq: int
    kind: str
    name: str
    version: int
    action: str
    saved_at: str
    size: int


@dataclass(frozen=True)
class Damage:
    """A stored object that cannot be read back: its ``kind``, ``name`` and why (``reason``)."""

    kind: str
    name: str
    reason: str


@dataclass(frozen=True)
class CheckReport:
    """What :meth:`Workspace.check` found.

    Attributes
    ----------
    sqlite : str
        SQLite's ``PRAGMA integrity_check``: ``"ok"``, or the problems it lists.
    damaged : tuple of Damage
        Every stored object whose body does not decode (empty when all do).
    n_objects : int
        Stored objects examined.
    """

    sqlite: str
    damaged: tuple[Damage, ...]
    n_objects: int

    @property
    def ok(self) -> bool:
        """True when SQLite finds no problem (or was not run) and every body examined decodes."""
        return self.sqlite in ("ok", "not run") and not self.damaged


def resolve_workspace_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The workspace directory: ``path``, else ``$COVERAGE_WORKSPACE``, else ``./workspace``."""
    if path is None or (isinstance(path, str) and not path.strip()):
        env = os.environ.get(ENV_VAR, "").strip()
        path = env if env else DEFAULT_DIR
    if isinstance(path, str) and "\x00" in path:
        raise InputError(f"invalid workspace directory {path!r}: it contains NUL")
    return Path(os.path.abspath(Path(path).expanduser()))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def _restore_hint(path: Path, what: str) -> str:
    """What to do about a damaged ``path``: the restore command, with the newest backup found."""
    if what != "workspace":
        return "it is left as it is; choose another backup (docs/DATA_SAFETY.md)"
    try:
        found = list_backups(path.parent)
    except (OSError, InputError):
        found = []
    backup = str(found[0]) if found else f"FILE (a backup, e.g. in {path.parent / BACKUP_DIR})"
    return (
        f"it is left as it is; put a backup in its place with "
        f"python -m coverage workspace --workspace {path.parent} restore {backup} --yes "
        "(the damaged file is moved aside, not deleted; docs/DATA_SAFETY.md)"
    )


def _check_file(path: Path, what: str = "workspace") -> None:
    """Refuse a file that is empty, truncated or not SQLite (it is read, never changed)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise WorkspaceError(f"cannot read {what} file {path}: {exc.strerror or exc}") from exc
    restore = _restore_hint(path, what)
    wal = Path(f"{path}-wal")
    if wal.is_file() and wal.stat().st_size > 0 and (size == 0 or header.startswith(SQLITE_MAGIC)):
        return  # committed pages still in the write-ahead log: SQLite reads them (and checks them)
    if size == 0:
        raise WorkspaceError(f"{what} file {path} is empty (0 bytes): damaged or truncated; {restore}")
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise WorkspaceError(f"{path} is not a coverage workspace database (not an SQLite file); {restore}")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    n_pages = int.from_bytes(header[28:32], "big")
    counts_valid = header[24:28] == header[92:96] and n_pages > 0
    if page_size < 512 or (counts_valid and size < n_pages * page_size) or size % page_size:
        declared = f"{n_pages * page_size:,} bytes" if counts_valid else f"whole pages of {page_size:,} bytes"
        raise WorkspaceError(
            f"{what} file {path} is truncated: its header declares {declared}, the file holds "
            f"{size:,} bytes; {restore}"
        )


def _refuse_orphan_log(path: Path) -> None:
    """Refuse to make a new, empty ``path`` next to the write-ahead log of one that is gone.

    SQLite would read that log into the new file (another database's pages); and a missing file
    whose log holds saves was deleted or moved by hand: it is not silently replaced by an empty one.
    """
    wal = Path(f"{path}-wal")
    try:
        size = wal.stat().st_size
    except OSError:
        return
    if size == 0 or path.exists():  # an empty log says nothing; a file that appeared meanwhile is used
        return
    raise WorkspaceError(
        f"workspace file {path} is missing but its write-ahead log {wal} ({size:,} bytes of saves) is "
        "still there: the file was deleted or moved, and no new empty workspace is made next to its log. "
        f"Put the file back; or the log: {_restore_hint(path, 'workspace')}"
    )


def _writable(directory: Path, file: Path) -> bool:
    """Whether SQLite can write the database and create its -wal / -shm files next to it."""
    paths = [directory, file] + [p for p in (Path(f"{file}-wal"), Path(f"{file}-shm")) if p.exists()]
    return all(os.access(p, os.W_OK) for p in paths)


class Workspace:
    """A persisted workspace (one SQLite file); see the module docstring.

    Use :meth:`open`. A ``Workspace`` holds only its path and settings: each
    method opens its own short-lived SQLite connection, so one object can be
    shared between threads (e.g. Streamlit sessions) and several processes can
    use the same workspace at once.

    Parameters
    ----------
    directory : path
        Workspace directory (created, with an empty workspace, if missing).
    max_blob_bytes : int
        Largest serialised value a save accepts, in bytes.
    busy_timeout : float
        Seconds a writer waits for another writer before failing.
    read_only : bool
        Open for viewing only. A workspace whose file or folder is not writable
        opens read-only whatever this says.

    Attributes
    ----------
    read_only : bool
        True when saves are refused (:class:`WorkspaceReadOnlyError`).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        max_blob_bytes: int = settings.WORKSPACE_MAX_BLOB_BYTES,
        busy_timeout: float = settings.WORKSPACE_BUSY_TIMEOUT_S,
        read_only: bool = False,
    ) -> None:
        if isinstance(max_blob_bytes, bool) or not isinstance(max_blob_bytes, int) or max_blob_bytes <= 0:
            raise InputError(f"max_blob_bytes must be a positive integer, got {max_blob_bytes!r}")
        if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, (int, float)) \
                or not math.isfinite(busy_timeout) or not busy_timeout > 0:
            raise InputError(f"busy_timeout must be a positive number of seconds, got {busy_timeout!r}")
        self.directory = resolve_workspace_dir(directory)
        self.max_blob_bytes = max_blob_bytes
        self.busy_timeout = float(busy_timeout)
        self.file = self.directory / DB_NAME
        if self.directory.exists() and not self.directory.is_dir():
            raise WorkspaceError(f"workspace directory {self.directory} exists and is not a directory")
        if not self.file.exists():
            if read_only:
                raise WorkspaceError(f"there is no workspace in {self.directory} (no {DB_NAME})")
            _refuse_orphan_log(self.file)
            self._create()
        elif not self.file.is_file():
            raise WorkspaceError(f"{self.file} is not a file")
        _check_file(self.file)
        self.read_only = bool(read_only) or not _writable(self.directory, self.file)
        self._validate()

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        max_blob_bytes: int = settings.WORKSPACE_MAX_BLOB_BYTES,
        busy_timeout: float = settings.WORKSPACE_BUSY_TIMEOUT_S,
        read_only: bool = False,
    ) -> "Workspace":
        """Open the workspace in ``path`` (creating an empty one if the folder has none).

        Parameters
        ----------
        path : path, optional
            Workspace directory. Default: ``$COVERAGE_WORKSPACE``, else ``./workspace``.
        max_blob_bytes : int, default ``settings.WORKSPACE_MAX_BLOB_BYTES``
            Size limit of one stored value (serialised).
        busy_timeout : float, default ``settings.WORKSPACE_BUSY_TIMEOUT_S``
            Seconds to wait for a concurrent writer.
        read_only : bool, default False
            Open for viewing only (automatic when the file or folder is not writable).

        Raises
        ------
        WorkspaceError
            If ``path`` is a file; the database is empty, truncated, not a coverage
            workspace or written by a newer version (the file is left untouched); the
            folder cannot be created.
        """
        return cls(resolve_workspace_dir(path), max_blob_bytes=max_blob_bytes, busy_timeout=busy_timeout,
                   read_only=read_only)

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"Workspace({str(self.directory)!r}{mode})"

    # -- connections -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        uri = self.file.as_uri() + ("?mode=ro" if self.read_only else "?mode=rw")
        try:
            con = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout, isolation_level=None)
            con.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            if not self.read_only:
                con.execute("PRAGMA synchronous = FULL")
            con.execute("PRAGMA trusted_schema = OFF")
            if self.read_only:
                con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            if not self.read_only:
                raise self._error(exc) from exc
            con = self._connect_unlogged(exc)
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(f"{self.file} is not a coverage workspace database: {exc}") from exc
        except OSError as exc:
            raise self._error(exc) from exc
        return con

    def _connect_unlogged(self, cause: sqlite3.OperationalError) -> sqlite3.Connection:
        """Read-only fallback when ``mode=ro`` fails (no ``-shm`` can be created or read).

        Only safe while no write-ahead log holds pages: then the database file holds every
        committed save and is read as it is (``immutable``). A non-empty ``-wal`` next to it
        may hold committed saves not yet copied into the file; reading without it would show
        stale data, so that is refused.

        Raises
        ------
        WorkspaceReadOnlyError
            The write-ahead log exists but cannot be read by this user (names both files).
        """
        wal = Path(f"{self.file}-wal")
        try:
            wal_bytes = wal.stat().st_size if wal.exists() else 0
        except OSError:
            wal_bytes = 1
        if wal_bytes > 0:
            raise WorkspaceReadOnlyError(
                f"workspace {self.file} is read-only here and its write-ahead log {wal} (recent "
                f"saves not yet in the file) cannot be read ({cause}): nothing is shown rather than "
                "stale data; open it as the user who runs the app (or with write access to its folder), "
                "or read a backup made by that user (python -m coverage workspace backup)"
            ) from cause
        try:
            con = sqlite3.connect(self.file.as_uri() + "?immutable=1", uri=True, isolation_level=None)
            con.execute("PRAGMA trusted_schema = OFF")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        return con

    def _error(self, exc: BaseException) -> WorkspaceError:
        """A :class:`WorkspaceError` (or subclass) for an SQLite or OS error, naming the file."""
        text = str(exc)
        if isinstance(exc, OSError):
            return WorkspaceError(f"workspace {self.file}: {exc.strerror or text}")
        if "readonly" in text or "read-only" in text:
            return WorkspaceReadOnlyError(
                f"workspace {self.file} is read-only ({text}); viewing works, saving does not"
            )
        if "full" in text:
            return WorkspaceError(f"workspace {self.file}: the disk is full ({text}); nothing was saved")
        if "locked" in text or "busy" in text:
            return WorkspaceError(
                f"workspace {self.file} is busy: another process held its write lock for more "
                f"than {self.busy_timeout:g} s ({text})"
            )
        if isinstance(exc, sqlite3.OperationalError):
            return WorkspaceError(f"workspace {self.file}: {text}")
        return WorkspaceError(
            f"workspace {self.file} is damaged ({text}); restore it from a backup (see docs/DATA_SAFETY.md)"
        )

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
        if self.read_only:
            raise WorkspaceReadOnlyError(
                f"workspace {self.file} is open read-only (its file or folder is not writable): "
                "viewing, listing and backing up work, saving does not"
            )
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
        """Turn SQLite and OS errors into :class:`WorkspaceError` naming the file."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise self._error(exc) from exc

    def _create(self) -> None:
        """Create an empty workspace: built in a temporary file, then linked into place.

        So no other process ever sees a half-made (e.g. 0-byte) file, and a file that
        appears meanwhile is kept, not replaced.
        """
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{DB_NAME}.", suffix=".new", dir=self.directory)
            os.close(fd)
        except OSError as exc:
            raise WorkspaceError(f"cannot create workspace in {self.directory}: {exc.strerror or exc}") from exc
        try:
            con = sqlite3.connect(tmp, isolation_level=None)
            try:
                con.execute("PRAGMA journal_mode = WAL")
                con.execute("BEGIN IMMEDIATE")
                for stmt in _SCHEMA.split(";"):  # one at a time: executescript() would COMMIT
                    if stmt.strip():
                        con.execute(stmt)
                con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                con.execute("COMMIT")
            finally:
                con.close()
            try:
                os.link(tmp, self.file)
            except FileExistsError:
                pass  # another process created it first: use theirs
        except (sqlite3.Error, OSError) as exc:
            raise self._error(exc) from exc
        finally:
            for p in (tmp, f"{tmp}-wal", f"{tmp}-shm"):
                Path(p).unlink(missing_ok=True)

    def _validate(self) -> None:
        """Refuse another application's database or a newer schema; put the file in WAL mode."""
        with self._reading() as con:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            user_version = con.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise WorkspaceError(
                    f"{self.file} is an SQLite database but not a coverage workspace "
                    f"(application_id {app_id:#x}); refusing to use it"
                )
            if user_version > SCHEMA_VERSION:
                raise WorkspaceError(
                    f"workspace {self.file} has schema version {user_version}, newer than this "
                    f"version of coverage understands ({SCHEMA_VERSION}); upgrade coverage"
                )
            if not self.read_only:
                mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":  # pragma: no cover - e.g. no shared memory
                    raise WorkspaceError(f"cannot put workspace database {self.file} in WAL mode (got {mode!r})")

    # -- generic storage ---------------------------------------------------

    def _encode(self, payload: Any, what: str) -> str:
        try:
            text = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except ValueError as exc:
            raise InputError(f"{what} cannot be stored: {exc}") from exc
        size = len(text.encode("utf-8"))
        if size > self.max_blob_bytes:
            raise InputLimitError(
                f"{what} is {size:,} bytes once serialised, over the workspace limit of "
                f"{self.max_blob_bytes:,} bytes (max_blob_bytes)"
            )
        return text

    @staticmethod
    def _current(con: sqlite3.Connection, kind: str, name: str) -> tuple[int, str, str] | None:
        row = con.execute(
            "SELECT version, saved_at, body FROM objects WHERE kind = ? AND name = ?", (kind, name)
        ).fetchone()
        return None if row is None else (int(row[0]), row[1], row[2])

    def _write(self, con: sqlite3.Connection, kind: str, name: str, body: str, meta: Mapping[str, Any]) -> int:
        """Write ``body`` as the next version of ``kind``/``name`` inside the open transaction."""
        meta_text = json.dumps(dict(meta), ensure_ascii=False, allow_nan=False)
        size = len(body.encode("utf-8"))
        (last,) = con.execute(
            "SELECT COALESCE(MAX(version), 0) FROM history WHERE kind = ? AND name = ?", (kind, name)
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
        return version

    def _put(self, kind: str, name: str, body: str, meta: Mapping[str, Any]) -> int:
        """Save an unversioned object (a table): it replaces what is stored."""
        with self._writing() as con:
            return self._write(con, kind, name, body, meta)

    def _put_doc(self, kind: str, name: str, body: str, meta: Mapping[str, Any],
                 base_version: int | None, what: str) -> int:
        """Save a versioned document only if the stored version is ``base_version`` (None: absent)."""
        if base_version is not None and (isinstance(base_version, bool) or not isinstance(base_version, int)):
            raise InputError(f"base_version must be an integer or None, got {base_version!r}")
        with self._writing() as con:
            current = self._current(con, kind, name)
            found = None if current is None else current[0]
            if found != base_version:
                raise self._conflict(what, base_version, current)
            return self._write(con, kind, name, body, meta)

    def _conflict(self, what: str, expected: int | None, current: tuple[int, str, str] | None
                  ) -> WorkspaceConflictError:
        if current is None:
            text = (f"{what} was deleted after version {expected} was read; nothing was saved. "
                    "Save it again as new (base_version=None) or under another name")
        elif expected is None:
            text = (f"{what} exists already (version {current[0]}, saved {current[1]}); nothing was "
                    "overwritten. Load it first (then save with its version) or save under another name")
        else:
            text = (f"{what} was saved by someone else after version {expected} was read (now version "
                    f"{current[0]}, saved {current[1]}); nothing was overwritten. Load the new version and "
                    "redo the change, or save under another name")
        err = WorkspaceConflictError(text)
        err.expected = expected
        err.found = None if current is None else current[0]
        return err

    def _update(self, kind: str, name: str, what: str, decode: Callable[[Any], Any],
                fn: Callable[[Any], Any], empty: Any, meta: Callable[[Any], Mapping[str, Any]]) -> StoredDoc:
        """Read, merge (``fn``) and write ``kind``/``name`` inside one ``BEGIN IMMEDIATE`` transaction."""
        with self._writing() as con:
            current = self._current(con, kind, name)
            if current is None:
                old = empty
            else:
                old = self._decode_doc(kind, name, current[2], decode)
            new = decode(fn(old))
            body = self._encode(new, what)
            version = self._write(con, kind, name, body, meta(new))
            (saved_at,) = con.execute(
                "SELECT saved_at FROM objects WHERE kind = ? AND name = ?", (kind, name)).fetchone()
            return StoredDoc(new, version, saved_at)

    def _decode_doc(self, kind: str, name: str, body: str, decode: Callable[[Any], Any]) -> Any:
        try:
            return decode(json.loads(body))
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            raise self._damaged(kind, name, exc) from exc

    def _damaged(self, kind: str, name: str, exc: BaseException) -> WorkspaceDamagedError:
        err = WorkspaceDamagedError(
            f"{kind} {name!r} in workspace {self.file} is damaged and cannot be read "
            f"({type(exc).__name__}: {exc}); drop it or restore the workspace from a backup "
            "(python -m coverage workspace check)"
        )
        err.kind, err.name = kind, name
        return err

    def _get(self, kind: str, name: str) -> tuple[str, dict[str, Any], int, str] | None:
        try:
            with self._reading() as con:
                row = con.execute(
                    "SELECT body, meta, version, saved_at FROM objects WHERE kind = ? AND name = ?",
                    (kind, name),
                ).fetchone()
        except WorkspaceError as exc:  # an unreadable page under this item: the item is damaged
            cause = exc.__cause__
            if isinstance(cause, sqlite3.DatabaseError) and not isinstance(cause, sqlite3.OperationalError):
                raise self._damaged(kind, name, cause) from cause
            raise
        if row is None:
            return None
        body, meta, version, saved_at = row
        try:
            meta_data = json.loads(meta)
            if not isinstance(meta_data, dict):
                raise ValueError("the metadata is not a JSON object")
        except (ValueError, TypeError) as exc:
            raise self._damaged(kind, name, exc) from exc
        return body, meta_data, int(version), saved_at

    def _get_doc(self, kind: str, name: str, decode: Callable[[Any], Any]) -> StoredDoc | None:
        got = self._get(kind, name)
        if got is None:
            return None
        body, _, version, saved_at = got
        return StoredDoc(self._decode_doc(kind, name, body, decode), version, saved_at)

    def _names(self, kind: str) -> list[str]:
        with self._reading() as con:
            rows = con.execute("SELECT name FROM objects WHERE kind = ? ORDER BY name", (kind,)).fetchall()
        return [r[0] for r in rows]

    def _delete(self, kind: str, name: str, what: str, base_version: int | None = None) -> None:
        with self._writing() as con:
            current = self._current(con, kind, name)
            if current is None:
                raise KeyError(f"no {what} {name!r} in workspace {self.directory}")
            if base_version is not None and current[0] != base_version:
                raise self._conflict(f"{what} {name!r}", base_version, current)
            con.execute("DELETE FROM objects WHERE kind = ? AND name = ?", (kind, name))
            con.execute(
                "INSERT INTO history (kind, name, version, action, saved_at, size, body) "
                "VALUES (?, ?, ?, 'delete', ?, 0, NULL)",
                (kind, name, current[0], _now()),
            )

    def _save_frame(self, kind: str, name: str, df: pd.DataFrame, report: object,
                    source_name: str | None, what: str) -> int:
        if source_name is not None:  # what the file was called: kept as text, made storable (not refused)
            source_name = storable_name(source_name)
        payload = frame_to_dict(df)
        body = self._encode(payload, what)
        meta = {"report": _report_to_dict(report), "source_name": source_name, "n_rows": len(df)}
        return self._put(kind, name, body, meta)

    def _load_frame(self, kind: str, name: str, what: str) -> StoredFrame:
        got = self._get(kind, name)
        if got is None:
            raise KeyError(f"no {what} in workspace {self.directory}")
        body, meta, version, saved_at = got
        try:
            data = frame_from_dict(json.loads(body))
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError,
                shapely.errors.ShapelyError) as exc:
            raise self._damaged(kind, name, exc) from exc
        return StoredFrame(data, meta.get("report"), meta.get("source_name"), version, saved_at)

    # -- facility layers ---------------------------------------------------

    def save_layer(self, layer_id: str, gdf: pd.DataFrame, report: object = None,
                   source_name: str | None = None) -> int:
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
        return self._save_frame(LAYER, layer_id, gdf, report, source_name, f"layer {layer_id!r}")

    def load_layer(self, layer_id: str) -> StoredFrame:
        """The saved layer ``layer_id``; ``KeyError`` if none is saved, :class:`WorkspaceDamagedError` if damaged."""
        check_name(layer_id, "layer id")
        return self._load_frame(LAYER, layer_id, f"layer {layer_id!r}")

    def layers(self) -> list[str]:
        """Ids of the saved layers, sorted."""
        return self._names(LAYER)

    def delete_layer(self, layer_id: str) -> None:
        """Forget the saved layer ``layer_id``; ``KeyError`` if none is saved."""
        check_name(layer_id, "layer id")
        self._delete(LAYER, layer_id, "layer")

    # -- towns / population overrides ----------------------------------------

    def save_towns(self, gdf: pd.DataFrame, report: object = None, source_name: str | None = None) -> int:
        """Save an uploaded town-boundary override. Returns its version."""
        return self._save_frame(TOWNS, TOWNS, gdf, report, source_name, "towns override")

    def load_towns(self) -> StoredFrame:
        """The saved town-boundary override; ``KeyError`` if none."""
        return self._load_frame(TOWNS, TOWNS, "towns override")

    def save_population(self, df: pd.DataFrame, report: object = None, source_name: str | None = None) -> int:
        """Save an uploaded population override (grid or table). Returns its version."""
        return self._save_frame(POPULATION, POPULATION, df, report, source_name, "population override")

    def load_population(self) -> StoredFrame:
        """The saved population override; ``KeyError`` if none."""
        return self._load_frame(POPULATION, POPULATION, "population override")

    def overrides(self) -> list[str]:
        """Which region overrides are saved: a subset of ``["population", "towns"]``."""
        with self._reading() as con:
            rows = con.execute(
                "SELECT kind FROM objects WHERE kind IN (?, ?) ORDER BY kind", (POPULATION, TOWNS)
            ).fetchall()
        return [r[0] for r in rows]

    def delete_override(self, which: str) -> None:
        """Forget the ``"towns"`` or ``"population"`` override; ``KeyError`` if none."""
        if which not in (TOWNS, POPULATION):
            raise InputError(f"override must be 'towns' or 'population', got {which!r}")
        self._delete(which, which, "override")

    # -- standards -----------------------------------------------------------

    def save_standards(self, standards: Mapping[str, Any], *, base_version: int | None = None) -> int:
        """Save service-standard overrides (a plain dict of JSON data), based on ``base_version``.

        Parameters
        ----------
        standards : dict
            The overrides.
        base_version : int or None
            The version read before changing them (:meth:`standards_doc`); ``None`` when
            none were saved.

        Returns
        -------
        int
            The new version.

        Raises
        ------
        WorkspaceConflictError
            When the stored version is not ``base_version`` (nothing is overwritten).
        """
        body = self._encode(_check_standards(standards), "standards overrides")
        return self._put_doc(STANDARDS, STANDARDS, body, {}, base_version, "the standards overrides")

    def update_standards(self, merge: Callable[[dict[str, Any]], Mapping[str, Any]]) -> StoredDoc:
        """Merge into the saved standards in one transaction: ``merge(saved) -> new``. Returns the new doc."""
        return self._update(STANDARDS, STANDARDS, "standards overrides", _check_standards, merge, {},
                            lambda _: {})

    def standards_doc(self) -> StoredDoc | None:
        """The saved standards overrides with their version (None if none are saved)."""
        return self._get_doc(STANDARDS, STANDARDS, _check_standards)

    def load_standards(self, version: int | None = None) -> dict[str, Any]:
        """The saved standards overrides (``{}`` if none), or an earlier ``version`` of them."""
        if version is not None:
            return self._old_doc(STANDARDS, STANDARDS, version, "standards overrides", _check_standards)
        doc = self.standards_doc()
        return {} if doc is None else doc.data

    # -- scenarios -----------------------------------------------------------

    def save_scenario(self, name: str, changes: Sequence[Mapping[str, Any]], *,
                      base_version: int | None = None) -> int:
        """Save the what-if scenario ``name``, based on ``base_version``.

        Parameters
        ----------
        name : str
            Scenario name (validated by :func:`check_name`; Chinese allowed).
        changes : list of dict
            See :func:`check_changes`.
        base_version : int or None
            The version this save replaces (from :meth:`scenario_doc`); ``None`` for a new
            scenario.

        Returns
        -------
        int
            The new version number; earlier versions stay loadable
            (``load_scenario(name, version=...)``, the last ``HISTORY_KEEP`` are kept).

        Raises
        ------
        WorkspaceConflictError
            When the stored version is not ``base_version``: the scenario exists already,
            was saved again or was deleted by someone else. Nothing is overwritten.
        """
        check_name(name, "scenario name")
        checked = check_changes(changes)
        body = self._encode(checked, f"scenario {name!r}")
        return self._put_doc(SCENARIO, name, body, {"n_changes": len(checked)}, base_version,
                             f"scenario {name!r}")

    def update_scenario(self, name: str,
                        merge: Callable[[list[dict[str, Any]]], Sequence[Mapping[str, Any]]]) -> StoredDoc:
        """Merge into scenario ``name`` in one transaction: ``merge(saved_changes) -> changes``.

        ``saved_changes`` is ``[]`` when the scenario does not exist yet. Two processes merging
        at once both keep their changes (the second waits for the first to commit).
        """
        check_name(name, "scenario name")
        return self._update(SCENARIO, name, f"scenario {name!r}", check_changes, merge, [],
                            lambda c: {"n_changes": len(c)})

    def scenario_doc(self, name: str) -> StoredDoc | None:
        """Scenario ``name``'s changes with their version (None if absent)."""
        check_name(name, "scenario name")
        return self._get_doc(SCENARIO, name, check_changes)

    def load_scenario(self, name: str, version: int | None = None) -> list[dict[str, Any]]:
        """The changes of scenario ``name`` (latest, or ``version``); ``KeyError`` if absent."""
        check_name(name, "scenario name")
        if version is not None:
            return self._old_doc(SCENARIO, name, version, f"scenario {name!r}", check_changes)
        doc = self.scenario_doc(name)
        if doc is None:
            raise KeyError(f"no scenario {name!r} in workspace {self.directory}")
        return doc.data

    def scenarios(self) -> list[str]:
        """Names of the saved scenarios, sorted."""
        return self._names(SCENARIO)

    def delete_scenario(self, name: str, *, base_version: int | None = None) -> None:
        """Delete scenario ``name`` (its history stays); ``KeyError`` if absent.

        With ``base_version``, refused (:class:`WorkspaceConflictError`) when the stored
        version differs.
        """
        check_name(name, "scenario name")
        self._delete(SCENARIO, name, "scenario", base_version)

    def scenario_versions(self, name: str) -> list[int]:
        """Versions of scenario ``name`` that can still be loaded, oldest first."""
        check_name(name, "scenario name")
        with self._reading() as con:
            rows = con.execute(
                "SELECT version FROM history WHERE kind = ? AND name = ? AND action = 'save' "
                "AND body IS NOT NULL ORDER BY version",
                (SCENARIO, name),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def _old_doc(self, kind: str, name: str, version: int, what: str, decode: Callable[[Any], Any]) -> Any:
        if isinstance(version, bool) or not isinstance(version, int):
            raise InputError(f"version must be an integer, got {version!r}")
        with self._reading() as con:
            row = con.execute(
                "SELECT body FROM history WHERE kind = ? AND name = ? AND version = ? AND action = 'save'",
                (kind, name, version),
            ).fetchone()
        if row is None or row[0] is None:
            raise KeyError(f"no version {version} of {what} in workspace {self.directory}")
        return self._decode_doc(kind, name, row[0], decode)

    # -- drafts (one per app session) -----------------------------------------

    def save_draft(self, draft_id: str, draft: Mapping[str, Any], *, base_version: int | None = None) -> int:
        """Save a session's draft (:func:`check_draft`), based on ``base_version``.

        Raises
        ------
        WorkspaceConflictError
            When the stored version is not ``base_version`` (e.g. the same draft is open in
            two browser tabs and the other saved first). Nothing is overwritten.
        """
        check_name(draft_id, "draft id")
        checked = check_draft(draft)
        body = self._encode(checked, f"draft {draft_id!r}")
        return self._put_doc(DRAFT, draft_id, body, {"n_changes": len(checked["changes"])}, base_version,
                             f"draft {draft_id!r}")

    def update_draft(self, draft_id: str, merge: Callable[[dict[str, Any]], Mapping[str, Any]]) -> StoredDoc:
        """Merge into draft ``draft_id`` in one transaction: ``merge(saved_draft) -> draft``."""
        check_name(draft_id, "draft id")
        return self._update(DRAFT, draft_id, f"draft {draft_id!r}", check_draft, merge, check_draft({}),
                            lambda d: {"n_changes": len(d["changes"])})

    def draft_doc(self, draft_id: str) -> StoredDoc | None:
        """Draft ``draft_id`` with its version (None if it was never saved)."""
        check_name(draft_id, "draft id")
        return self._get_doc(DRAFT, draft_id, check_draft)

    def drafts(self) -> list[str]:
        """Ids of the saved drafts, sorted."""
        return self._names(DRAFT)

    def delete_draft(self, draft_id: str) -> None:
        """Forget draft ``draft_id``; ``KeyError`` if absent."""
        check_name(draft_id, "draft id")
        self._delete(DRAFT, draft_id, "draft")

    def stale_drafts(self, older_than_days: float) -> list[str]:
        """Ids of the drafts last saved more than ``older_than_days`` days ago (oldest first)."""
        days = _finite_number(older_than_days, "older_than_days", 0.0, 1e6)
        cutoff = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="microseconds")
        with self._reading() as con:
            rows = con.execute(
                "SELECT name FROM objects WHERE kind = ? AND saved_at < ? ORDER BY saved_at", (DRAFT, cutoff)
            ).fetchall()
        return [r[0] for r in rows]

    # -- listing, history, integrity ----------------------------------------

    def entries(self) -> list[Entry]:
        """Every stored object with its metadata (unreadable metadata is listed as unknown)."""
        with self._reading() as con:
            rows = con.execute(
                "SELECT kind, name, version, saved_at, size, meta FROM objects ORDER BY kind, name"
            ).fetchall()
        out = []
        for kind, name, version, saved_at, size, meta in rows:
            try:
                m = json.loads(meta)
                m = m if isinstance(m, dict) else {}
            except (ValueError, TypeError):
                m = {}
            n_rows = m.get("n_rows") if isinstance(m.get("n_rows"), int) else None
            source = m.get("source_name") if isinstance(m.get("source_name"), str) else None
            out.append(Entry(kind, name, int(version), saved_at, int(size), n_rows, source))
        return out

    def history(self, limit: int = 100) -> list[HistoryEvent]:
        """The last ``limit`` saves, deletes and drops, newest first."""
        with self._reading() as con:
            rows = con.execute(
                "SELECT seq, kind, name, version, action, saved_at, size FROM history "
                "ORDER BY seq DESC LIMIT ?",
                (int(limit),),
            ).fetchall()
        return [HistoryEvent(*r) for r in rows]

    def check(self, kinds: Iterable[str] | None = None) -> CheckReport:
        """SQLite's integrity check, then decode every stored body; name the damaged ones.

        Never raises for damage: a body that cannot be read (bad JSON, a table that does
        not decode, invalid scenario changes, an unreadable database page) is listed in
        :attr:`CheckReport.damaged`.

        Parameters
        ----------
        kinds : iterable of str, optional
            Decode only these kinds (e.g. ``("scenario", "standards", "draft")``, the small
            documents) and skip SQLite's whole-file check (``sqlite`` is then ``"not run"``).
        """
        only = None if kinds is None else set(kinds)
        sqlite_report = "not run"
        if only is None:
            try:
                with self._reading() as con:
                    sqlite_report = "\n".join(str(r[0]) for r in con.execute("PRAGMA integrity_check").fetchall())
            except WorkspaceError as exc:
                sqlite_report = str(exc)
        damaged: list[Damage] = []
        try:
            with self._reading() as con:
                keys = con.execute("SELECT kind, name FROM objects ORDER BY kind, name").fetchall()
        except WorkspaceError as exc:
            return CheckReport(sqlite_report, (Damage("objects", "*", str(exc)),), 0)
        keys = [k for k in keys if only is None or k[0] in only]
        for kind, name in keys:
            try:
                self._read_any(kind, name)
            except WorkspaceDamagedError as exc:
                damaged.append(Damage(kind, name, str(exc.__cause__ or exc)))
            except WorkspaceError as exc:
                damaged.append(Damage(kind, name, str(exc)))
            except KeyError:
                pass  # deleted by another process meanwhile
        return CheckReport(sqlite_report, tuple(damaged), len(keys))

    def _read_any(self, kind: str, name: str) -> Any:
        """Load ``kind``/``name`` fully (for :meth:`check`)."""
        if kind in _FRAMES:
            return self._load_frame(kind, name, f"{kind} {name!r}")
        decode = {SCENARIO: check_changes, STANDARDS: _check_standards, DRAFT: check_draft}.get(kind)
        if decode is None:
            raise self._damaged(kind, name, ValueError(f"unknown kind {kind!r}"))
        got = self._get_doc(kind, name, decode)
        if got is None:
            raise KeyError(name)
        return got

    def drop(self, kind: str, name: str) -> None:
        """Remove stored object ``kind``/``name`` whatever its state (e.g. a damaged one).

        Its raw text is kept in the history (action ``drop``) when it can still be read, so
        nothing is lost for good. ``KeyError`` if absent.
        """
        with self._writing() as con:
            row = con.execute("SELECT version FROM objects WHERE kind = ? AND name = ?", (kind, name)).fetchone()
            if row is None:
                raise KeyError(f"no {kind} {name!r} in workspace {self.directory}")
            try:
                (raw,) = con.execute(
                    "SELECT body FROM objects WHERE kind = ? AND name = ?", (kind, name)).fetchone()
            except sqlite3.DatabaseError:
                raw = None
            con.execute("DELETE FROM objects WHERE kind = ? AND name = ?", (kind, name))
            con.execute(
                "INSERT INTO history (kind, name, version, action, saved_at, size, body) "
                "VALUES (?, ?, ?, 'drop', ?, ?, ?)",
                (kind, name, int(row[0]), _now(), len(raw or ""), raw),
            )

    # -- backup --------------------------------------------------------------

    def backup(self, dest: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write a consistent copy of the workspace database to ``dest``.

        Uses SQLite's online backup API, so it is safe while the app is running
        and other processes are writing (and works on a read-only workspace). The
        copy is written to a temporary file next to ``dest``, checked, and renamed
        into place (atomic).

        Parameters
        ----------
        dest : path
            Destination ``.sqlite`` file, or an existing directory (the copy is then
            named ``workspace-<UTC timestamp>.sqlite``).
        force : bool, default False
            Replace an existing ``dest``, which must itself be a coverage workspace
            (a backup); any other file is never replaced.

        Returns
        -------
        pathlib.Path
            The file written. Restore it with :func:`restore_backup`.

        Raises
        ------
        WorkspaceError
            ``dest`` exists (without ``force``), is not a coverage workspace, does not end
            in ``.sqlite``, is the live file or its folder is missing; the disk is full or
            another OS error happened (the partial copy is removed).
        """
        dest = Path(os.path.abspath(Path(dest).expanduser()))
        if dest.is_dir():
            dest = dest / f"workspace-{_stamp()}.sqlite"
        if dest.suffix.lower() != ".sqlite":
            raise WorkspaceError(f"backup destination {dest} must end in .sqlite")
        if not dest.parent.is_dir():
            raise WorkspaceError(f"backup destination directory {dest.parent} does not exist")
        live = {self.file.resolve(), Path(f"{self.file}-wal").resolve(), Path(f"{self.file}-shm").resolve()}
        if dest.resolve() in live:
            raise WorkspaceError(f"backup destination {dest} is the live workspace file")
        if dest.exists() or dest.is_symlink():
            if not force:
                raise WorkspaceError(f"backup destination {dest} exists; pass --force (force=True) to replace it")
            if not dest.is_file() or not is_workspace_file(dest):
                raise WorkspaceError(
                    f"backup destination {dest} exists and is not a coverage workspace; refusing to replace it"
                )
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
            os.close(fd)
        except OSError as exc:
            raise WorkspaceError(f"cannot write backup in {dest.parent}: {exc.strerror or exc}") from exc
        try:
            src = self._connect()
            try:
                dst = sqlite3.connect(tmp)
                try:
                    src.backup(dst)
                    ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
                    if ok != "ok":  # pragma: no cover - would need a failing disk
                        raise WorkspaceError(f"backup copy failed its integrity check: {ok}")
                finally:
                    dst.close()
            finally:
                src.close()
            os.replace(tmp, dest)
        except (sqlite3.Error, OSError) as exc:
            Path(tmp).unlink(missing_ok=True)
            raise WorkspaceError(f"backup to {dest} failed: {_reason(exc)}; nothing was written") from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return dest


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    text = str(exc)
    return f"the disk is full ({text})" if "full" in text else text


def is_workspace_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a coverage workspace database (SQLite header and application id)."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError:
        return False
    return len(header) == 100 and header.startswith(SQLITE_MAGIC) and \
        int.from_bytes(header[68:72], "big") == APPLICATION_ID


def list_backups(directory: str | os.PathLike[str] | None = None) -> list[Path]:
    """Backups next to a workspace: coverage ``*.sqlite`` files in its folder and its ``backups/``.

    Newest first (by modification time); the live file is not listed.
    """
    base = resolve_workspace_dir(directory)
    found = []
    for folder in (base, base / BACKUP_DIR):
        if folder.is_dir():
            found += [p for p in folder.glob("*.sqlite") if p.name != DB_NAME and p.is_file()
                      and is_workspace_file(p)]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _fold_log(path: str | os.PathLike[str]) -> None:
    """Copy the saves held in the write-ahead log of database ``path`` into the file itself.

    A process killed after a save's COMMIT and before its connection closed leaves committed
    saves in ``<path>-wal`` only; a file moved or copied without that log loses them. Best effort:
    a file that is not SQLite, is damaged, or whose log another connection is still using is left
    as it is (its log then moves with it).
    """
    wal = Path(f"{os.fspath(path)}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return
    try:
        with open(path, "rb") as fh:
            if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=rw", uri=True, timeout=5,
                              isolation_level=None)
        try:
            busy, log, done = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return  # left as it is: its log moves aside with it
    if busy or done < log:
        raise WorkspaceError(
            f"workspace {path} is in use by another process (its write-ahead log could not be folded "
            "into the file): close the app's other sessions and running commands, then restore again; "
            "nothing was replaced")


def restore_backup(directory: str | os.PathLike[str] | None, backup: str | os.PathLike[str]) -> Path | None:
    """Put ``backup`` in place as the workspace of ``directory``; the current file is moved aside.

    The backup is copied and checked first (:meth:`Workspace.check`: SQLite's check and every
    body decodes); only then is the current ``workspace.sqlite`` (damaged or not, with its -wal /
    -shm files) kept as ``workspace.sqlite.replaced-<UTC stamp>`` — never deleted — and the
    copy renamed into place. Stop the app's other sessions' saves first if you can: a save
    racing with the restore lands in the file moved aside.

    A restore killed at any point leaves the old workspace or the restored one in place, never
    neither and never the old one without its latest saves: the saves still in the old file's
    write-ahead log are first folded into it (a ``TRUNCATE`` checkpoint), the old file gets its second
    name by a hard link (it stays in place meanwhile), and the copy replaces it in one rename.
    When another process holds the file open in a way that keeps the log from being folded in (a
    reader's snapshot from before the last saves), nothing is replaced and the restore is refused.

    Parameters
    ----------
    directory : path or None
        The workspace's directory (:func:`resolve_workspace_dir`: None for the default).
    backup : path
        The backup file (``Workspace.backup``'s ``.sqlite``).

    Returns
    -------
    pathlib.Path or None
        Where the previous file was moved (None when there was none).

    Raises
    ------
    WorkspaceError
        The backup is not a healthy coverage workspace, the workspace is in use by another
        process (its log could not be folded in), or a file operation failed (nothing was
        replaced).
    """
    base = resolve_workspace_dir(directory)
    source = Path(backup)
    _check_file(source, "backup")
    if not is_workspace_file(source):
        raise WorkspaceError(f"{source} is not a coverage workspace backup")
    try:
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=base))
    except OSError as exc:
        raise WorkspaceError(f"cannot restore into {base}: {exc.strerror or exc}") from exc
    try:
        copy = staging / DB_NAME
        try:
            src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
            try:
                dst = sqlite3.connect(copy)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            finally:
                src.close()
        except (sqlite3.Error, OSError) as exc:
            raise WorkspaceError(f"cannot read backup {source}: {_reason(exc)}") from exc
        report = Workspace(staging).check()
        if not report.ok:
            names = ", ".join(f"{d.kind} {d.name!r}" for d in report.damaged) or report.sqlite
            raise WorkspaceError(f"backup {source} is damaged too ({names}); nothing was replaced")
        live = base / DB_NAME
        aside = base / f"{DB_NAME}.replaced-{_stamp()}"
        moved = None
        try:
            if live.exists():
                _fold_log(live)
                try:
                    os.link(live, aside)  # kept aside, and still in place until the copy replaces it
                except OSError:  # no hard links here: moved aside (a kill before the next rename leaves none)
                    os.replace(live, aside)
                moved = aside
            for suffix in ("-shm", "-wal"):  # the old file's (or a lost file's): never read with the copy
                side = Path(f"{live}{suffix}")
                if side.exists():
                    os.replace(side, Path(f"{aside}{suffix}"))
            os.replace(copy, live)
        except OSError as exc:
            raise WorkspaceError(f"restoring {source} into {base} failed: {exc.strerror or exc}") from exc
        return moved
    finally:
        shutil.rmtree(staging, ignore_errors=True)
