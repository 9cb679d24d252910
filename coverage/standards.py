"""Service standards: the one resolver every entry point (app, CLI, Python API) uses.

A :class:`Standard` says "15 minutes on foot at 3.6 km/h; 770 m straight line when there is no
road network". Standards are set per facility layer and per area type (``urban`` for 街道,
``rural`` for 镇). Every number comes from data, never from code:

* ``data/standards.csv`` — per layer × area type: ``mode``, ``minutes`` (and optionally
  ``speed_kmh`` / ``distance_m`` to pin a value);
* ``data/standards/life_circles.csv`` — GB 50180-2018: 5 / 10 / 15 walking minutes →
  300 / 500 / 1,000 m walking distance;
* ``data/standards/speeds.csv`` — speed per mode × area type, with its source (walking at
  3.6 km/h = 1.0 m/s, a pace older residents keep; see the file);
* ``data/standards/rules.csv`` — the detour factor (1.3) and the rounding of radii (10 m).

**The rule** (:meth:`References.radius_m`), the same for every standard: the travel distance is
the GB 50180 walking distance for a walk (read piecewise-linearly through the table, past 15
minutes at the walking speed) or speed × time for a ride or drive; the straight-line fallback
radius is that distance ÷ the detour factor, rounded to 10 m.

**Overrides** (:class:`Override`, applied by :meth:`StandardTable.resolved`): changing only the
minutes keeps each area type's own mode and speed and re-applies the rule; a mode uses that mode's
speed in each area type; a speed makes a walk speed × time too; a distance is the radius as given.

Example
-------
>>> from coverage.standards import Override, load_standards
>>> table = load_standards()
>>> table.get("elder_care_station", "urban").distance_m
770.0
>>> ten = table.resolved(["elder_care_station"], Override(minutes=10))
>>> ten.get("elder_care_station", "urban").distance_m, ten.get("elder_care_station", "rural").mode
(380.0, 'bike')
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from coverage import paths
from coverage.errors import InputError, StandardsError
from coverage.i18n import t
from coverage.layers import LAYERS

__all__ = [
    "MODES",
    "AREA_TYPES",
    "Basis",
    "Standard",
    "Override",
    "References",
    "StandardTable",
    "load_references",
    "load_standards",
    "resolve",
    "TOWN_TYPE_AREA",
    "area_type_of",
    "standards_by_area",
]

MODES: tuple[str, ...] = ("walk", "bike", "drive")
AREA_TYPES: tuple[str, ...] = ("urban", "rural")
#: The area type of each town type: a 街道 (sub-district) is urban, a 镇 (town) rural.
TOWN_TYPE_AREA: dict[str, str] = {"街道": "urban", "镇": "rural"}

_REQUIRED_COLUMNS = ("layer", "area_type", "mode", "minutes")


class Basis(str, Enum):
    """Where a standard's straight-line radius comes from."""

    LIFE_CIRCLE = "life_circle"  #: GB 50180-2018 walking distance ÷ detour factor
    TRAVEL = "travel"  #: speed × time ÷ detour factor
    USER = "user"  #: a radius given as such (option, file or override)


def _positive(name: str, value: object) -> float:
    try:
        fvalue = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StandardsError(f"{name} must be a number; got {value!r}") from None
    if not math.isfinite(fvalue) or fvalue <= 0:
        raise StandardsError(f"{name} must be a positive finite number; got {value!r}")
    return fvalue


def _check_mode(mode: object) -> str:
    if mode not in MODES:
        raise StandardsError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    return str(mode)


def _check_area_type(area_type: object) -> str:
    if area_type not in AREA_TYPES:
        raise StandardsError(f"area_type must be one of {', '.join(AREA_TYPES)}; got {area_type!r}")
    return str(area_type)


@dataclass(frozen=True)
class Standard:
    """One service standard: a travel mode, a time limit and a straight-line fallback.

    Build standards with :func:`resolve` / :meth:`StandardTable.resolved` (which apply the one
    rule); the constructor only validates.

    Parameters
    ----------
    mode : {"walk", "bike", "drive"}
        Travel mode. Walking and cycling ignore one-way streets; driving respects them.
    minutes : float
        Time limit in minutes (> 0).
    speed_kmh : float
        Travel speed in km/h (> 0): walking/cycling on the network, the access leg between a
        point and its road node (driving on the network uses the road data's speeds).
    distance_m : float
        Straight-line radius in metres used when there is no road network.
    basis : Basis or str
        Where ``distance_m`` comes from (a string that is not a :class:`Basis` value, e.g. a
        source named in words, means :attr:`Basis.USER`).
    walk_distance_m : float or None
        The GB 50180-2018 walking distance behind a ``LIFE_CIRCLE`` radius (for labels).
    notes : str
        Free-text justification from the data file (not compared, not computed with).
    """

    mode: str
    minutes: float
    speed_kmh: float
    distance_m: float
    basis: Basis = Basis.TRAVEL
    walk_distance_m: float | None = None
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _check_mode(self.mode)
        for name in ("minutes", "speed_kmh", "distance_m"):
            object.__setattr__(self, name, _positive(name, getattr(self, name)))
        if not isinstance(self.basis, Basis):
            # A hand-made standard naming its source in words holds a radius given as such.
            values = {b.value: b for b in Basis}
            object.__setattr__(self, "basis", values.get(str(self.basis), Basis.USER))
        if self.walk_distance_m is not None:
            object.__setattr__(self, "walk_distance_m", _positive("walk_distance_m", self.walk_distance_m))

    @property
    def seconds(self) -> float:
        """Time limit in seconds."""
        return self.minutes * 60.0

    @property
    def speed_ms(self) -> float:
        """Speed in metres per second."""
        return self.speed_kmh / 3.6

    def label(self, lang: str = "zh") -> str:
        """Human-readable label from the catalogue, e.g. ``步行15分钟（GB 50180-2018 步行1000米÷1.3，直线770米）``."""
        detour = load_references().detour_factor
        if self.basis is Basis.LIFE_CIRCLE and self.walk_distance_m is not None:
            basis = t("core_basis_life_circle", lang, walk=self.walk_distance_m, detour=detour)
        elif self.basis is Basis.USER:
            basis = t("core_basis_user", lang)
        else:
            basis = t("core_basis_travel", lang, speed=self.speed_kmh, minutes=self.minutes, detour=detour)
        return t("core_standard", lang, mode=t(f"core_mode_{self.mode}", lang), minutes=self.minutes,
                 basis=basis, distance=self.distance_m)

    def replace(self, **changes: object) -> "Standard":
        """A copy with ``changes`` applied (validated; no rule re-applied: use :func:`resolve`)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Override:
    """A planner's change to a layer's standard; every field optional.

    Parameters
    ----------
    mode : {"walk", "bike", "drive"}, optional
        Travel mode in every area type (each area type's own mode when None).
    minutes : float, optional
        Time limit (each area type's own when None).
    speed_kmh : float, optional
        Speed (the mode's speed from ``speeds.csv`` when None).
    distance_m : float, optional
        Straight-line radius used as given (the rule when None).
    """

    mode: str | None = None
    minutes: float | None = None
    speed_kmh: float | None = None
    distance_m: float | None = None

    def __post_init__(self) -> None:
        if self.mode is not None:
            _check_mode(self.mode)
        for name in ("minutes", "speed_kmh", "distance_m"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _positive(name, value))

    @property
    def empty(self) -> bool:
        """True when the override changes nothing."""
        return self.mode is None and self.minutes is None and self.speed_kmh is None and self.distance_m is None


@dataclass(frozen=True)
class References:
    """The reference data behind every standard: GB 50180 life circles, speeds, detour factor.

    Attributes
    ----------
    life_circle : tuple of (minutes, metres)
        GB 50180-2018 walking minutes → walking distance, ascending.
    speeds : dict of (mode, area_type) to km/h
    detour_factor : float
        Route distance ÷ straight-line distance.
    rounding_m : float
        Radii are rounded to a multiple of this.
    sources : dict of str to str
        Where each value comes from (``"walk/urban"``, ``"detour_factor"``, ``"life_circle:15"`` …).
    """

    life_circle: tuple[tuple[float, float], ...]
    speeds: dict[tuple[str, str], float]
    detour_factor: float
    rounding_m: float
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def speed_kmh(self, mode: str, area_type: str) -> float:
        """The reference speed of ``mode`` in ``area_type``."""
        try:
            return self.speeds[(_check_mode(mode), _check_area_type(area_type))]
        except KeyError:
            raise StandardsError(f"no reference speed for {mode} in {area_type} areas") from None

    def walk_distance_m(self, minutes: float, speed_kmh: float) -> float:
        """GB 50180-2018 walking distance for ``minutes``: piecewise-linear through (0, 0) and the
        table's rows, extended past the last row at ``speed_kmh``."""
        points = ((0.0, 0.0),) + self.life_circle
        last_min, last_m = points[-1]
        if minutes >= last_min:
            return last_m + speed_kmh / 3.6 * (minutes - last_min) * 60.0
        for (m0, d0), (m1, d1) in zip(points, points[1:]):
            if m0 <= minutes <= m1:
                return d0 + (d1 - d0) * (minutes - m0) / (m1 - m0)
        raise AssertionError("unreachable: minutes below the table's first point")  # pragma: no cover

    def radius_m(self, distance_m: float) -> float:
        """Straight-line fallback radius of a walking / travel distance: ÷ detour, rounded."""
        r = distance_m / self.detour_factor
        return max(self.rounding_m, round(r / self.rounding_m) * self.rounding_m)

    def standard(self, mode: str, minutes: float, area_type: str, speed_kmh: float | None = None,
                 notes: str = "") -> Standard:
        """The standard for ``mode`` / ``minutes`` in ``area_type`` under the rule.

        ``speed_kmh`` None: the reference speed (and, walking, the GB 50180 walking distance);
        given: speed × time for every mode.
        """
        minutes = _positive("minutes", minutes)
        if speed_kmh is None:
            speed = self.speed_kmh(mode, area_type)
            if mode == "walk":
                walk = self.walk_distance_m(minutes, speed)
                return Standard(mode, minutes, speed, self.radius_m(walk), Basis.LIFE_CIRCLE, walk, notes)
        else:
            speed = _positive("speed_kmh", speed_kmh)
        travel = speed / 3.6 * minutes * 60.0
        return Standard(mode, minutes, speed, self.radius_m(travel), Basis.TRAVEL, None, notes)


def _read_csv(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    if not path.exists():
        raise StandardsError(f"standards file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise StandardsError(f"{path}: missing column(s) {', '.join(missing)}")
        reader.fieldnames = header
        return [{k: (v or "").strip() for k, v in row.items() if isinstance(k, str)} for row in reader
                if any((v or "").strip() for v in row.values() if isinstance(v, str))]


@lru_cache(maxsize=4)
def _references_cached(directory: str, stamp: tuple) -> References:
    d = Path(directory)
    circle = []
    sources: dict[str, str] = {}
    for rowno, row in enumerate(_read_csv(d / "life_circles.csv", ("minutes", "walk_distance_m")), start=2):
        try:
            m, dist = _positive("minutes", row["minutes"]), _positive("walk_distance_m", row["walk_distance_m"])
        except StandardsError as exc:
            raise StandardsError(f"{d / 'life_circles.csv'}, row {rowno}: {exc}") from None
        circle.append((m, dist))
        sources[f"life_circle:{m:g}"] = row.get("source", "")
    circle.sort()
    if not circle or any(b[1] < a[1] for a, b in zip(circle, circle[1:])):
        raise StandardsError(f"{d / 'life_circles.csv'}: walking distances must grow with the minutes")
    speeds = {}
    for rowno, row in enumerate(_read_csv(d / "speeds.csv", ("mode", "area_type", "speed_kmh")), start=2):
        try:
            key = (_check_mode(row["mode"]), _check_area_type(row["area_type"]))
            speeds[key] = _positive("speed_kmh", row["speed_kmh"])
        except StandardsError as exc:
            raise StandardsError(f"{d / 'speeds.csv'}, row {rowno}: {exc}") from None
        sources[f"{key[0]}/{key[1]}"] = row.get("source", "")
    rules = {row["parameter"]: row for row in _read_csv(d / "rules.csv", ("parameter", "value"))}
    for name in ("detour_factor", "radius_rounding_m"):
        if name not in rules:
            raise StandardsError(f"{d / 'rules.csv'}: no {name!r} row")
        sources[name] = rules[name].get("source", "")
    detour = _positive("detour_factor", rules["detour_factor"]["value"])
    if detour < 1:
        raise StandardsError(f"{d / 'rules.csv'}: detour_factor must be >= 1; got {detour:g}")
    return References(tuple(circle), speeds, detour, _positive("radius_rounding_m", rules["radius_rounding_m"]["value"]),
                      sources)


def load_references(directory: str | os.PathLike[str] | None = None) -> References:
    """The reference data in ``directory`` (default ``data/standards/``), read once per change."""
    d = Path(directory) if directory is not None else paths.STANDARDS_DIR
    stamp = tuple((d / f).stat().st_mtime_ns if (d / f).exists() else None
                  for f in ("life_circles.csv", "speeds.csv", "rules.csv"))
    return _references_cached(str(d), stamp)


@dataclass(frozen=True)
class _Row:
    """One row of a standards file: what the planner asked for, before the rule."""

    mode: str
    minutes: float
    speed_kmh: float | None
    distance_m: float | None
    notes: str


def _apply(row: _Row, area_type: str, override: Override | None, refs: References) -> Standard:
    o = override or Override()
    mode = o.mode or row.mode
    minutes = o.minutes if o.minutes is not None else row.minutes
    if o.speed_kmh is not None:
        speed: float | None = o.speed_kmh
    elif mode == row.mode:
        speed = row.speed_kmh
    else:
        speed = None
    std = refs.standard(mode, minutes, area_type, speed, row.notes if o.empty else "")
    if o.distance_m is not None:
        return std.replace(distance_m=o.distance_m, basis=Basis.USER, walk_distance_m=None)
    if row.distance_m is not None and mode == row.mode and speed == row.speed_kmh:
        # A radius pinned in the file scales with the time like the rule would.
        return std.replace(distance_m=row.distance_m * minutes / row.minutes, basis=Basis.USER, walk_distance_m=None)
    return std


class StandardTable:
    """Service standards per facility layer × area type (rows as read, resolved by the rule).

    Parameters
    ----------
    standards : mapping
        ``{(layer_id, area_type): Standard}`` (used as given).
    source : str, optional
        Where the table was read from (for error messages).
    """

    def __init__(self, standards: Mapping[tuple[str, str], Standard], source: str = "") -> None:
        table: dict[tuple[str, str], Standard] = {}
        for key, std in standards.items():
            layer_id, area_type = key
            _check_area_type(area_type)
            if not isinstance(std, Standard):
                raise StandardsError(f"standard for {key} must be a Standard; got {type(std).__name__}")
            table[(str(layer_id), str(area_type))] = std
        self._table = table
        self._rows: dict[tuple[str, str], _Row] = {}
        self.source = source

    @classmethod
    def _from_rows(cls, rows: Mapping[tuple[str, str], _Row], refs: References, source: str) -> "StandardTable":
        table = cls({k: _apply(r, k[1], None, refs) for k, r in rows.items()}, source)
        table._rows = dict(rows)
        return table

    def get(self, layer_id: str, area_type: str) -> Standard:
        """The standard for ``layer_id`` in an ``area_type`` ("urban" | "rural") area.

        Raises
        ------
        StandardsError
            If the area type is unknown or the table has no row for the pair.
        """
        _check_area_type(area_type)
        try:
            return self._table[(layer_id, area_type)]
        except KeyError:
            where = f" in {self.source}" if self.source else ""
            raise StandardsError(
                f"no service standard for layer {layer_id!r}, area type {area_type!r}{where}"
            ) from None

    def resolved(self, layer_ids: Iterable[str], override: Override | None,
                 references: References | None = None) -> "StandardTable":
        """A copy with ``override`` applied to every layer of ``layer_ids`` in both area types.

        This is the one place a planner's choice (mode, minutes, speed, distance) becomes a
        standard; an empty override returns ``self``.
        """
        if override is None or override.empty:
            return self
        refs = references or load_references()
        table = dict(self._table)
        for layer_id in layer_ids:
            if layer_id not in LAYERS:
                raise StandardsError(f"unknown layer {layer_id!r}; valid layers: {', '.join(LAYERS)}")
            for area in AREA_TYPES:
                row = self._rows.get((layer_id, area)) or _row_of(self.get(layer_id, area))
                table[(layer_id, area)] = _apply(row, area, override, refs)
        out = StandardTable(table, source=self.source)
        out._rows = dict(self._rows)
        return out

    def chosen(self, layer_id: str, mode: str, minutes: float) -> "StandardTable":
        """The table under a planner's ``(mode, minutes)`` choice for ``layer_id`` (the app's sidebar,
        a saved standard in the workspace).

        The mode offered is the layer's urban one: choosing it changes no area type's mode (only the
        minutes, if they differ); choosing another mode applies it in both area types. Returns
        ``self`` when the choice equals the layer's urban standard.
        """
        mode, minutes = _check_mode(mode), _positive("minutes", minutes)
        base = self.get(layer_id, "urban")
        return self.resolved([layer_id], Override(mode=None if mode == base.mode else mode,
                                                  minutes=None if minutes == base.minutes else minutes))

    def with_override(self, layer_id: str, standard: Standard, area_type: str | None = None) -> "StandardTable":
        """A copy in which ``layer_id`` uses ``standard`` as given (in ``area_type`` only, or in both)."""
        if layer_id not in LAYERS:
            raise StandardsError(f"unknown layer {layer_id!r}; valid layers: {', '.join(LAYERS)}")
        if not isinstance(standard, Standard):
            raise StandardsError(f"standard must be a Standard; got {type(standard).__name__}")
        areas = AREA_TYPES if area_type is None else (_check_area_type(area_type),)
        table = dict(self._table)
        rows = dict(self._rows)
        for a in areas:
            table[(layer_id, a)] = standard
            rows.pop((layer_id, a), None)
        out = StandardTable(table, source=self.source)
        out._rows = rows
        return out

    @property
    def layers(self) -> list[str]:
        """Layer ids present in the table, in file order."""
        return list(dict.fromkeys(k[0] for k in self._table))

    def items(self) -> Iterator[tuple[tuple[str, str], Standard]]:
        """Iterate over ``((layer_id, area_type), Standard)`` pairs."""
        return iter(self._table.items())

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, key: object) -> bool:
        return key in self._table

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StandardTable) and self._table == other._table

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._table.items(), key=lambda kv: kv[0])))

    def __repr__(self) -> str:
        return f"StandardTable({len(self)} standards, source={self.source!r})"


def _row_of(std: Standard) -> _Row:
    """A standard given as such, seen as a file row that pins its speed and radius."""
    return _Row(std.mode, std.minutes, std.speed_kmh, std.distance_m, std.notes)


def resolve(layer_id: str, area_type: str, override: Override | None = None,
            table: StandardTable | None = None) -> Standard:
    """The one standard of ``layer_id`` in ``area_type`` under ``override``.

    Parameters
    ----------
    layer_id : str
    area_type : {"urban", "rural"}
    override : Override, optional
    table : StandardTable, optional
        Default: the embedded ``data/standards.csv``.
    """
    base = table if table is not None else load_standards()
    return base.resolved([layer_id], override).get(layer_id, area_type)


def load_standards(path: str | os.PathLike[str] | None = None,
                   references: References | None = None) -> StandardTable:
    """Read and validate a standards CSV (default: the embedded ``data/standards.csv``).

    Parameters
    ----------
    path : path-like, optional
        CSV with ``layer, area_type, mode, minutes`` and optional ``speed_kmh``, ``distance_m``
        (pin a value instead of the rule; blank cells use the rule) and ``notes``.
    references : References, optional
        Default: :func:`load_references`.

    Raises
    ------
    StandardsError
        Naming the file, the row (1-based, header is row 1) and the column of the first invalid
        value; also on a missing column or file, or a duplicated (layer, area_type) pair.
    """
    path = Path(path) if path is not None else paths.STANDARDS_FILE
    refs = references or load_references()
    rows: dict[tuple[str, str], _Row] = {}
    for rowno, row in enumerate(_read_csv(path, _REQUIRED_COLUMNS), start=2):
        key, parsed = _parse_row(path, rowno, row)
        if key in rows:
            raise StandardsError(f"{path}, row {rowno}: duplicate standard for layer {key[0]!r}, area type {key[1]!r}")
        rows[key] = parsed
    if not rows:
        raise StandardsError(f"{path}: no standards")
    return StandardTable._from_rows(rows, refs, str(path))


def _parse_row(path: Path, rowno: int, row: Mapping[str, str]) -> tuple[tuple[str, str], _Row]:
    def bad(col: str, why: str) -> StandardsError:
        return StandardsError(f"{path}, row {rowno}, column {col!r}: {why}")

    layer_id = row.get("layer", "")
    if layer_id not in LAYERS:
        raise bad("layer", f"unknown layer {layer_id!r}; valid layers: {', '.join(LAYERS)}")
    area_type = row.get("area_type", "")
    if area_type not in AREA_TYPES:
        raise bad("area_type", f"must be one of {', '.join(AREA_TYPES)}; got {area_type!r}")
    mode = row.get("mode", "")
    if mode not in MODES:
        raise bad("mode", f"must be one of {', '.join(MODES)}; got {mode!r}")
    numbers: dict[str, float | None] = {}
    for col in ("minutes", "speed_kmh", "distance_m"):
        text = row.get(col, "")
        if not text and col != "minutes":
            numbers[col] = None
            continue
        try:
            value = float(text)
        except ValueError:
            raise bad(col, f"not a number: {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise bad(col, f"must be a positive number; got {text!r}")
        numbers[col] = value
    minutes = numbers["minutes"]
    assert minutes is not None
    return (layer_id, area_type), _Row(mode, minutes, numbers["speed_kmh"], numbers["distance_m"],
                                       row.get("notes", ""))


def area_type_of(town_type: object) -> str:
    """The area type (``"urban"`` / ``"rural"``) of a town type (``街道`` / ``镇``, :data:`TOWN_TYPE_AREA`).

    Raises
    ------
    InputError
        For any other town type (no silent default).
    """
    area = TOWN_TYPE_AREA.get(str(town_type).strip()) if town_type is not None else None
    if area is None:
        raise InputError(f"unknown town type {town_type!r}; expected one of {', '.join(TOWN_TYPE_AREA)}")
    return area


def standards_by_area(
    standards: StandardTable | Standard | None,
    layer_id: str | None,
    area_types: Iterable[str] = AREA_TYPES,
) -> dict[str, Standard]:
    """The standard of ``layer_id`` in each of ``area_types``.

    Parameters
    ----------
    standards : StandardTable, Standard or None
        A table (looked up per area type), one standard for every area type, or None for
        ``data/standards.csv``.
    layer_id : str or None
        The facility layer (needed with a table).
    area_types : iterable of str
        Area types to return (default both).

    Raises
    ------
    InputError
        ``standards`` is of another type, or a table is given without ``layer_id``.
    """
    areas = list(area_types)
    if isinstance(standards, Standard):
        return {a: standards for a in areas}
    table = load_standards() if standards is None else standards
    if not isinstance(table, StandardTable):
        raise InputError(f"standards must be a StandardTable, a Standard or None; got {type(table).__name__}")
    if layer_id is None:
        raise InputError("a StandardTable needs a layer_id")
    return {a: table.get(layer_id, a) for a in areas}
