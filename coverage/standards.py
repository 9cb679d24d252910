"""Service standards: how far (in travel time) a facility layer is expected to reach.

A :class:`Standard` says "15 minutes on foot at 4.5 km/h; 1,000 m straight line
when there is no road network". Standards are set per facility layer and per
area type (``urban`` for 街道, ``rural`` for 镇) and live in a data file,
``data/standards.csv``, never in code; :func:`load_standards` reads and
validates it, and :meth:`StandardTable.with_override` lets a user change one
layer's standard for a scenario without touching the file.

CSV columns (UTF-8, header required)::

    layer, area_type, mode, minutes, speed_kmh, distance_m, fallback_basis, notes

``fallback_basis`` (optional) names where ``distance_m`` comes from, e.g.
``GB 50180-2018`` for the walking circle or ``speed×time÷1.3`` for a drive time
turned into a straight-line radius with a detour factor of 1.3.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Mapping

from coverage.layers import LAYERS

__all__ = [
    "MODES",
    "AREA_TYPES",
    "Standard",
    "StandardTable",
    "load_standards",
]

MODES: tuple[str, ...] = ("walk", "bike", "drive")
AREA_TYPES: tuple[str, ...] = ("urban", "rural")

_MODE_NAMES = {
    "zh": {"walk": "步行", "bike": "骑行", "drive": "驾车"},
    "en": {"walk": "walk", "bike": "ride", "drive": "drive"},
}
_REQUIRED_COLUMNS = ("layer", "area_type", "mode", "minutes", "speed_kmh", "distance_m")


@dataclass(frozen=True)
class Standard:
    """One service standard: a travel mode, a time limit and a distance fallback.

    Parameters
    ----------
    mode : {"walk", "bike", "drive"}
        Travel mode. Walking and cycling ignore one-way streets; driving respects them.
    minutes : float
        Time limit in minutes (> 0).
    speed_kmh : float
        Travel speed of the mode in km/h (> 0). Used for walking/cycling on the
        network, for the access leg between a point and its road node, and (for
        driving, whose network speeds come from the road data) only for the access leg.
    distance_m : float
        Straight-line radius in metres used when there is no road network
        (GB 50180-2018: the 15-minute walk is 800–1,000 m; 1,000 m by default).
    fallback_basis : str, optional
        Where ``distance_m`` comes from (shown in labels).
    notes : str, optional
        Free-text justification (not used in computations).
    """

    mode: str
    minutes: float
    speed_kmh: float
    distance_m: float
    fallback_basis: str = field(default="", compare=True)
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}; got {self.mode!r}")
        for name in ("minutes", "speed_kmh", "distance_m"):
            value = getattr(self, name)
            try:
                fvalue = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be a number; got {value!r}") from None
            if not math.isfinite(fvalue) or fvalue <= 0:
                raise ValueError(f"{name} must be a positive finite number; got {value!r}")
            object.__setattr__(self, name, fvalue)

    @property
    def seconds(self) -> float:
        """Time limit in seconds."""
        return self.minutes * 60.0

    @property
    def speed_ms(self) -> float:
        """Speed in metres per second."""
        return self.speed_kmh / 3.6

    def label(self, lang: str = "zh") -> str:
        """Human-readable label, e.g. ``步行15分钟（GB 50180-2018 直线1000米）``.

        Parameters
        ----------
        lang : {"zh", "en"}
        """
        if lang not in _MODE_NAMES:
            raise ValueError(f"lang must be 'zh' or 'en'; got {lang!r}")
        mode = _MODE_NAMES[lang][self.mode]
        basis = f"{self.fallback_basis} " if self.fallback_basis else ""
        if lang == "zh":
            return f"{mode}{self.minutes:g}分钟（{basis}直线{self.distance_m:g}米）"
        basis = f"{self.fallback_basis}: " if self.fallback_basis else ""
        return f"{self.minutes:g}-min {mode} ({basis}{self.distance_m:g} m straight line)"

    def replace(self, **changes: object) -> "Standard":
        """A copy with ``changes`` applied (validated)."""
        return replace(self, **changes)


class StandardTable:
    """Service standards per facility layer × area type.

    Parameters
    ----------
    standards : mapping
        ``{(layer_id, area_type): Standard}``.
    source : str, optional
        Where the table was read from (for error messages and provenance).
    """

    def __init__(self, standards: Mapping[tuple[str, str], Standard], source: str = "") -> None:
        table: dict[tuple[str, str], Standard] = {}
        for key, std in standards.items():
            layer_id, area_type = key
            _check_area_type(area_type)
            if not isinstance(std, Standard):
                raise TypeError(f"standard for {key} must be a Standard; got {type(std).__name__}")
            table[(str(layer_id), str(area_type))] = std
        self._table = table
        self.source = source

    def get(self, layer_id: str, area_type: str) -> Standard:
        """The standard for ``layer_id`` in an ``area_type`` ("urban" | "rural") area.

        Raises
        ------
        ValueError
            If the area type is unknown or the table has no row for the pair.
        """
        _check_area_type(area_type)
        try:
            return self._table[(layer_id, area_type)]
        except KeyError:
            where = f" in {self.source}" if self.source else ""
            raise ValueError(
                f"no service standard for layer {layer_id!r}, area type {area_type!r}{where}"
            ) from None

    def with_override(
        self, layer_id: str, standard: Standard, area_type: str | None = None
    ) -> "StandardTable":
        """A copy in which ``layer_id`` uses ``standard`` (in ``area_type`` only, or in both).

        The table itself is not changed.
        """
        if layer_id not in LAYERS:
            raise ValueError(f"unknown layer {layer_id!r}; valid layers: {', '.join(LAYERS)}")
        if not isinstance(standard, Standard):
            raise TypeError(f"standard must be a Standard; got {type(standard).__name__}")
        areas = AREA_TYPES if area_type is None else (_check_area_type(area_type),)
        table = dict(self._table)
        for a in areas:
            table[(layer_id, a)] = standard
        return StandardTable(table, source=f"{self.source} + override" if self.source else "override")

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

    def __repr__(self) -> str:
        return f"StandardTable({len(self)} standards, source={self.source!r})"


def _check_area_type(area_type: str) -> str:
    if area_type not in AREA_TYPES:
        raise ValueError(f"area_type must be one of {', '.join(AREA_TYPES)}; got {area_type!r}")
    return area_type


def load_standards(path: str | os.PathLike[str] | None = None) -> StandardTable:
    """Read and validate a standards CSV (default: the embedded ``data/standards.csv``).

    Parameters
    ----------
    path : path-like, optional
        CSV with the columns described in the module docstring.

    Returns
    -------
    StandardTable

    Raises
    ------
    ValueError
        Naming the file, the row (1-based, header is row 1) and the column of the
        first invalid value; also on a missing column or a duplicated
        (layer, area_type) pair.
    FileNotFoundError
        If ``path`` does not exist.
    """
    if path is None:
        from coverage.paths import STANDARDS_FILE

        path = STANDARDS_FILE
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"standards file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in _REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        reader.fieldnames = header
        table: dict[tuple[str, str], Standard] = {}
        for rowno, row in enumerate(reader, start=2):
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue  # blank line
            table_key, std = _parse_row(path, rowno, row)
            if table_key in table:
                raise ValueError(
                    f"{path}, row {rowno}: duplicate standard for layer {table_key[0]!r}, "
                    f"area type {table_key[1]!r}"
                )
            table[table_key] = std
    if not table:
        raise ValueError(f"{path}: no standards")
    return StandardTable(table, source=str(path))


def _parse_row(path: Path, rowno: int, row: Mapping[str, str]) -> tuple[tuple[str, str], Standard]:
    def cell(col: str) -> str:
        return (row.get(col) or "").strip()

    def bad(col: str, why: str) -> ValueError:
        return ValueError(f"{path}, row {rowno}, column {col!r}: {why}")

    layer_id = cell("layer")
    if layer_id not in LAYERS:
        raise bad("layer", f"unknown layer {layer_id!r}; valid layers: {', '.join(LAYERS)}")
    area_type = cell("area_type")
    if area_type not in AREA_TYPES:
        raise bad("area_type", f"must be one of {', '.join(AREA_TYPES)}; got {area_type!r}")
    mode = cell("mode")
    if mode not in MODES:
        raise bad("mode", f"must be one of {', '.join(MODES)}; got {mode!r}")
    numbers: dict[str, float] = {}
    for col in ("minutes", "speed_kmh", "distance_m"):
        text = cell(col)
        try:
            value = float(text)
        except ValueError:
            raise bad(col, f"not a number: {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise bad(col, f"must be a positive number; got {text!r}")
        numbers[col] = value
    std = Standard(
        mode=mode,
        fallback_basis=cell("fallback_basis"),
        notes=cell("notes"),
        **numbers,
    )
    return (layer_id, area_type), std
