"""Annual review: the plan's indicators measured from the data, against their targets.

:func:`annual_review` measures every indicator of ``data/targets/plan_indicators.csv`` whose
``measurable_by`` column names a measure the data supports, for the city, each district and
(where the indicator is counted over towns or people) each town:

==============================  ==========================================================
``measurable_by``               measure (``unit``)
==============================  ==========================================================
``LAYER:unit_town``             share of towns with ≥1 facility (``rate``, 0-1)
``LAYER:unit_county``           share of counties with ≥1 facility (``rate``)
``LAYER:nursing_bed_share``     Σ nursing_beds / Σ beds (``rate``)
``LAYER:beds_per_1000_60plus``  1000 × Σ beds / residents 60+ (``per_1000``)
``LAYER:pop_coverage``          share of the served group within the standard (``rate``)
==============================  ==========================================================

Results are language-neutral: ``status`` is a :class:`Status` (with ``due_year`` for
:attr:`Status.NOT_YET_DUE`, a :class:`Reason` for :attr:`Status.CANNOT_COMPUTE`, and
:attr:`Status.MEASURED` where the plan sets no number, e.g. the 15-minute circle), rates are
0-1, targets are stored in the value's unit (``target_op``, ``target_value``, ``target_year``)
and the gap is a number with its unit code (``gap_unit``). The metadata (year, standards, method,
provenance) are fields of :class:`ReviewResult`. Text is made at the edges from the
:mod:`coverage.i18n` catalogue: :func:`review_table` (the display table of the app, the XLSX and
the Word report), :func:`review_notes`, and the writers (CSV, XLSX, Markdown), which show rates as
percentages as the plan writes them.

Comparators: every target is judged with the one ``comparator`` of its row in the targets table.
The plan's "50%以上" (">50" in its table) is read as inclusive (≥50 %); see
:func:`review_notes` for the reasoning.

:func:`trajectory` gives each indicator's value year by year (from the facilities' opening
years) against the 2023 and 2025 milestones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill

from coverage.describe import (
    NO_VALUE,
    district_names,
    percent,
    percent_points,
    place_name,
    standard_text,
    target_percent,
    town_names,
)
from coverage.errors import CoverageError, ExportError, InputError
from coverage.export import atomic_path, spreadsheet_safe, write_csv
from coverage.i18n import STRINGS, indicator_name, layer_name, source_name, status_name, t
from coverage.layers import get_layer
from coverage.metrics import (
    RatioStatus,
    beds_per_1000_elderly,
    nursing_bed_share,
    population_coverage,
    unit_coverage,
)
from coverage.paths import TARGETS_FILE
from coverage.reach import compute_reach
from coverage.region import Region
from coverage.standards import Standard, StandardTable, load_standards

__all__ = [
    "Status",
    "Reason",
    "Milestone",
    "Indicator",
    "ReviewResult",
    "annual_review",
    "trajectory",
    "review_table",
    "review_notes",
    "load_targets",
    "indicators",
    "coverage_layers",
    "parse_target",
    "meets",
    "units_needed",
    "target_for",
    "format_value",
    "place_names",
    "input_label",
    "provenance_items",
    "csv_table",
    "trajectory_table",
    "write_excel",
    "COLUMNS",
    "LEVELS",
    "STATUS_COLOURS",
    "CAVEAT_MARK",
    "PRESENCE",
    "presence_milestone",
    "is_presence",
    "number_table",
    "rounding_gaps",
    "overview_lines",
    "trajectory_numbers",
]


class Status(str, Enum):
    """Outcome of one indicator in one place (``str`` values are stable codes)."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_YET_DUE = "not_yet_due"  # below a milestone whose year is after the review year (see ``due_year``)
    MEASURED = "measured"  # measured; the plan sets no numeric target (“基本建成”)
    CANNOT_COMPUTE = "cannot_compute"  # an input is missing (see ``reason``)


class Reason(str, Enum):
    """Why an indicator cannot be computed (``reason_detail`` names the layer, column or count)."""

    LAYER_MISSING = "layer_missing"
    LAYER_EMPTY = "layer_empty"
    COLUMN_MISSING = "column_missing"
    COLUMN_EMPTY = "column_empty"
    NURSING_BEDS_EXCEED_BEDS = "nursing_beds_exceed_beds"
    NO_BASE = "no_base"
    REACH_FAILED = "reach_failed"
    UNKNOWN_MEASURE = "unknown_measure"


#: Fill colours (hex RGB) of the statuses, shared by the XLSX, the Word report and the charts.
STATUS_COLOURS: dict[Status, str] = {
    Status.MET: "C6EFCE",
    Status.NOT_MET: "FFC7CE",
    Status.NOT_YET_DUE: "FFEB9C",
    Status.MEASURED: "DDEBF7",
    Status.CANNOT_COMPUTE: "D9D9D9",
}

#: ``target_text`` of a town's presence milestone (:func:`presence_milestone`), a code.
PRESENCE = "presence"

#: The mark next to a figure computed from modelled or illustrative inputs (explained in the notes).
CAVEAT_MARK = "†"

LEVELS = ("city", "district", "town")
MEASURES = ("unit_town", "unit_county", "nursing_bed_share", "beds_per_1000_60plus", "pop_coverage")
_UNIT = {"unit_town": "rate", "unit_county": "rate", "nursing_bed_share": "rate",
         "beds_per_1000_60plus": "per_1000", "pop_coverage": "rate"}  # fmt: skip
_GAP_UNIT = {"unit_town": "towns", "unit_county": "counties", "nursing_bed_share": "nursing_beds",
             "beds_per_1000_60plus": "beds", "pop_coverage": "people"}  # fmt: skip
_SCALE = {"rate": 1.0, "per_1000": 1000.0}
_OPS = {"≥": ">=", ">=": ">=", "＞": ">", ">": ">", "≤": "<=", "<=": "<=", "＜": "<", "<": "<", "=": ">="}
_OP_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}

#: Columns of :attr:`ReviewResult.rows` (codes, numbers and enums; names are data).
COLUMNS = [
    "year", "level", "district_code", "district_zh", "district_en", "town_code", "town_zh", "town_en",
    "indicator_id", "indicator_zh", "indicator_en", "layer", "measure", "unit", "value", "numerator",
    "denominator", "target_op", "target_value", "target_year", "target_text", "actual_2020", "status",
    "due_year", "reason", "reason_detail", "gap", "gap_unit", "lacking", "skipped", "caveat",
]  # fmt: skip


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Milestone:
    """A numeric target: ``value op target`` by ``year`` (``target`` in the indicator's unit)."""

    year: int
    op: str
    target: float
    text: str


@dataclass(frozen=True)
class Indicator:
    """A measurable plan indicator (one row of the targets table with ``measurable_by``)."""

    indicator_id: str
    name_zh: str
    name_en: str
    table: str
    layer: str
    measure: str
    unit: str
    milestones: tuple[Milestone, ...]
    actual_2020: float | None
    text_target: str = ""


def load_targets(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the plan-indicator table (default ``data/targets/plan_indicators.csv``).

    Required columns: ``indicator_id, indicator_zh, measurable_by``; optional ``indicator_en,
    sub_item, unit, table, comparator, actual_2020_value, target_20XX, target_20XX_value``.

    Raises
    ------
    InputError
        If the file is absent, a column is missing or a ``measurable_by`` is malformed (naming
        the file and row).
    """
    path = Path(TARGETS_FILE if path is None else path)
    if not path.exists():
        raise InputError(f"plan-indicator table not found: {path}")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in ("indicator_id", "indicator_zh", "measurable_by") if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    for c in ("indicator_en", "sub_item", "unit", "table", "comparator", "actual_2020_value",
              "target_2020", "target_2023", "target_2025",
              "target_2020_value", "target_2023_value", "target_2025_value"):  # fmt: skip
        if c not in df.columns:
            df[c] = ""
    for i, mb in enumerate(df["measurable_by"], start=2):
        mb = mb.strip()
        if not mb:
            continue
        layer, sep, measure = mb.partition(":")
        if not sep or measure not in MEASURES:
            raise InputError(
                f"{path}, row {i}, column 'measurable_by': expected LAYER:MEASURE with MEASURE one of "
                f"{', '.join(MEASURES)}, got {mb!r}"
            )
        try:
            get_layer(layer)
        except ValueError as exc:
            raise InputError(f"{path}, row {i}, column 'measurable_by': {exc}") from None
    return df


def parse_target(text: Any, value: Any = None, comparator: Any = None) -> tuple[str, float] | None:
    """A target cell as ``(operator, number)`` (in the table's unit, e.g. percent), or None.

    The operator is the row's ``comparator`` when given (the one comparator of the targets
    table), else the one written in ``text`` (``≥40``, ``>50``), else ``>=`` (a plain number is
    a level to reach). The number is ``value`` when given, else the number in ``text``. Text
    targets (“不低于…”, “基本建成”) give None.
    """
    raw = str(text or "").strip().replace(" ", "").rstrip("%")
    op_text = ""
    for sign in sorted(_OPS, key=len, reverse=True):
        if raw.startswith(sign):
            op_text, raw = sign, raw[len(sign):]
            break
    number: float | None = None
    try:
        number = float(raw) if raw else None
    except ValueError:
        return None
    v = str(value or "").strip()
    if v not in ("", "nan", "None"):
        try:
            number = float(v)
        except ValueError:
            raise InputError(f"target value {value!r} is not a number") from None
    if number is None or not math.isfinite(number):
        return None
    c = str(comparator or "").strip()
    op = _OPS.get(c) or _OPS.get(op_text) or ">="
    return op, number


def meets(value: float, op: str, target: float) -> bool:
    """Whether ``value op target`` holds (a 1e-9 relative tolerance on equality)."""
    tol = 1e-9 * max(1.0, abs(target))
    if op == ">=":
        return value >= target - tol
    if op == ">":
        return value > target + tol
    if op == "<=":
        return value <= target + tol
    if op == "<":
        return value < target - tol
    raise InputError(f"unknown comparator {op!r}")


def units_needed(total: int, op: str, rate: float) -> int:
    """Fewest of ``total`` units that must qualify for a share ``op rate`` (rate 0-1)."""
    if total <= 0:
        return 0
    for n in range(total + 1):
        if meets(n / total, op, rate):
            return n
    return total + 1  # unreachable (e.g. > 100 %)


def _cell(r: Any, name: str) -> str:
    v = getattr(r, name, "")
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()


def indicators(targets: pd.DataFrame, year: int) -> list[Indicator]:
    """The measurable indicators a review of ``year`` reports.

    The 十三五 completion rows count only up to 2020 (and then with their 2020 target); the
    other rows carry their 2023 and 2025 milestones. Percent targets become rates (0-1).
    """
    out = []
    for r in targets.itertuples(index=False):
        mb = _cell(r, "measurable_by")
        if not mb:
            continue
        layer, _, measure = mb.partition(":")
        unit = _UNIT[measure]
        pct = _cell(r, "unit") == "%" and unit == "rate"
        thirteenth = "十三五" in _cell(r, "table")
        if thirteenth and year > 2020:
            continue
        milestones = []
        for y in ((2020,) if thirteenth else (2023, 2025)):
            text = _cell(r, f"target_{y}")
            parsed = parse_target(text, _cell(r, f"target_{y}_value"), _cell(r, "comparator"))
            if parsed is not None:
                op, number = parsed
                milestones.append(Milestone(y, op, number / 100.0 if pct else number, text))
        text_target = "" if milestones else _cell(r, "target_2025")
        actual = _cell(r, "actual_2020_value")
        try:
            actual_2020 = (float(actual) / 100.0 if pct else float(actual)) if actual else None
        except ValueError:
            actual_2020 = None
        name_zh = _cell(r, "indicator_zh") + (f"({_cell(r, 'sub_item')})" if _cell(r, "sub_item") else "")
        out.append(
            Indicator(
                indicator_id=_cell(r, "indicator_id"), name_zh=name_zh, name_en=_cell(r, "indicator_en"),
                table=_cell(r, "table"), layer=layer.strip(), measure=measure.strip(), unit=unit,
                milestones=tuple(milestones), actual_2020=actual_2020, text_target=text_target,
            )  # fmt: skip
        )
    return out


def coverage_layers(targets: pd.DataFrame | str | os.PathLike[str] | None = None) -> list[str]:
    """Layers whose indicators are measured by population coverage (they need service standards)."""
    table = _targets(targets)
    return sorted({mb.partition(":")[0] for mb in table["measurable_by"] if mb.endswith(":pop_coverage")})


def target_for(milestones: Sequence[Milestone], year: int) -> Milestone | None:
    """The milestone a review of ``year`` is judged against: the first due in or after ``year``,
    else the last one (None without milestones)."""
    if not milestones:
        return None
    ordered = sorted(milestones, key=lambda m: m.year)
    due = [m for m in ordered if m.year >= year]
    return due[0] if due else ordered[-1]


# --------------------------------------------------------------------------- result


@dataclass(eq=False)
class ReviewResult:
    """The measured plan indicators for one review year.

    Attributes
    ----------
    year : int
        Review year (facilities opened after it are left out).
    rows : pandas.DataFrame
        One row per indicator × place with the columns of :data:`COLUMNS`; ``level`` is
        ``city`` / ``district`` / ``town``; rates 0-1; ``status`` a :class:`Status`.
    trajectory : pandas.DataFrame or None
        City values year by year (see :func:`trajectory`); None when not computed.
    provenance : dict of str to str
        Provenance of every input the review used (``Region.provenance_for``).
    standards : dict of str to dict of str to Standard
        For population-coverage layers: ``{layer: {"urban": Standard, "rural": Standard}}``.
    method : str
        ``"network"`` (road network) or ``"distance"`` (straight-line fallback).
    undated : int
        Facilities without an opening year (counted as open).
    notes : list of str
        Extra notes given by the caller (shown after the generated ones).
    """

    year: int
    rows: pd.DataFrame
    trajectory: pd.DataFrame | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    standards: dict[str, dict[str, Standard]] = field(default_factory=dict)
    method: str = "distance"
    undated: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def yearly(self) -> pd.DataFrame | None:
        """Alias of :attr:`trajectory`."""
        return self.trajectory

    @property
    def caveat(self) -> bool:
        """Whether any row was computed from modelled or illustrative inputs."""
        return bool(self.rows["caveat"].astype(bool).any()) if len(self.rows) else False

    def level(self, level: str) -> pd.DataFrame:
        """Rows of one level (``city`` / ``district`` / ``town``)."""
        if level not in LEVELS:
            raise InputError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
        return self.rows[self.rows["level"] == level].reset_index(drop=True)

    @property
    def city(self) -> pd.DataFrame:
        return self.level("city")

    @property
    def district(self) -> pd.DataFrame:
        return self.level("district")

    @property
    def town(self) -> pd.DataFrame:
        return self.level("town")

    # -- writers ----------------------------------------------------------------

    def to_csv(self, path: str | os.PathLike[str], lang: str = "zh") -> Path:
        """Every row in one CSV (UTF-8 with BOM): the display columns with rounded numbers
        (percent as the plan writes it), then the codes (indicator, place, status, reason)."""
        return write_csv(csv_table(self, lang), path)

    def to_excel(self, path: str | os.PathLike[str], lang: str = "zh") -> Path:
        """An .xlsx with an overview, one sheet per level, the year-by-year sheet and a notes sheet.

        The level sheets are :func:`number_table` (values, targets and gaps as numbers with percent
        or number formats), frozen header, filters, column widths and statuses coloured with
        :data:`STATUS_COLOURS`.
        """
        return write_excel(self, path, lang)

    def to_markdown(self, path: str | os.PathLike[str] | None = None, lang: str = "zh") -> str:
        """A Markdown report (title, generation date, the demonstration mark when any input is modelled,
        the notes, then one table per level); written to ``path`` if given."""
        head = overview_lines(self, lang)
        lines = [f"# {head[0]} ({head[1]})", "", head[2]]
        if self.caveat:
            lines += ["", f"**{t('report.draft_mark', lang)}**"]
        lines += ["", f"## {t('review.sheet.notes', lang)}", ""]
        lines += [f"- {n}" for n in review_notes(self, lang)]
        for lvl in LEVELS:
            table = review_table(self, lang, lvl)
            if table.empty:
                continue
            lines += ["", f"## {t('review.sheet.' + lvl, lang)}", ""]
            lines += _md_table(table)
        text = "\n".join(lines) + "\n"
        if path is not None:
            with atomic_path(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        return text

    def write(self, path: str | os.PathLike[str], lang: str = "zh") -> Path:
        """Write in the format given by the extension (.xlsx, .csv, .md); the Word report is
        :func:`coverage.report.write_report`."""
        path = Path(path)
        ext = path.suffix.lower()
        if ext == ".xlsx":
            return self.to_excel(path, lang)
        if ext == ".csv":
            return self.to_csv(path, lang)
        if ext in (".md", ".markdown"):
            self.to_markdown(path, lang)
            return path
        raise ExportError(f"cannot write {path}: extension must be .xlsx, .csv or .md")


def _md_table(df: pd.DataFrame) -> list[str]:
    out = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    for row in df.itertuples(index=False):
        out.append("| " + " | ".join(str(v).replace("|", "\\|").replace("\n", " ") for v in row) + " |")
    return out


# --------------------------------------------------------------------------- measuring


def _as_of(region: Region, year: int) -> tuple[Region, int]:
    """``region`` without the facilities opened after ``year``; also how many have no opening year."""
    undated = 0
    facilities = {}
    for layer_id, gdf in region.facilities.items():
        oy = pd.to_numeric(gdf["opening_year"], errors="coerce").astype(float).to_numpy()
        undated += int(np.isnan(oy).sum())
        facilities[layer_id] = gdf[~(oy > year)]
    return dataclasses.replace(region, facilities=facilities), undated


def _places(region: Region) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """``{code: (zh, en)}`` of the towns and of the districts (English = Chinese where absent)."""

    def table(df: pd.DataFrame, key: str) -> dict[str, tuple[str, str]]:
        zh = df[f"{key}_zh"].astype(str).tolist()
        en = df[f"{key}_en"].astype(str).tolist() if f"{key}_en" in df.columns else zh
        return {str(c): (z, e if e and e != "nan" else z) for c, z, e in zip(df[f"{key}_code"], zh, en)}

    return table(region.towns, "town"), table(region.districts, "district")


def _na(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _base_row(level: str, district: Any, town: Any) -> dict[str, Any]:
    return dict(level=level, district_code=None if _na(district) else str(district),
                town_code=None if _na(town) else str(town), value=np.nan, numerator=np.nan,
                denominator=np.nan, reason=None, reason_detail=None, gap=np.nan, lacking=(), skipped=0)  # fmt: skip


def _failed(reason: Reason, detail: Any) -> list[dict[str, Any]]:
    row = _base_row("city", None, None)
    row.update(reason=reason, reason_detail=str(detail))
    return [row]


def _need_numerator(den: float, scale: float, op: str, target: float) -> float:
    """Smallest whole numerator with ``scale * n / den op target`` (den fixed); NaN if none."""
    need = max(0, math.ceil(target * den / scale - 1e-9))
    for _ in range(3):
        if meets(scale * need / den, op, target):
            return float(need)
        need += 1
    return np.nan


def _memo(cache: dict[Any, Any], key: tuple, compute: Any) -> Any:
    """``cache[key]``, computed once. Keys carry the number of facilities open: opening years nest
    (a later year's set contains an earlier one's), so the count identifies the set."""
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _unit_rows(region: Region, ind: Indicator, ms: Milestone | None, cache: dict[Any, Any]) -> list[dict[str, Any]]:
    gdf = region.facilities.get(ind.layer)
    if gdf is None:
        return _failed(Reason.LAYER_MISSING, ind.layer)
    by_town = ind.measure == "unit_town"
    level = "town" if by_town else "county"
    uc = _memo(cache, ("units", ind.layer, level, len(gdf)), lambda: unit_coverage(region, ind.layer, level=level))
    unit_level, key = ("town", "town_code") if by_town else ("county", "district_code")
    units = uc[uc["level"] == unit_level]
    lacking_all = units.loc[units["units_with"] == 0, list(dict.fromkeys([key, "district_code"]))].astype(str)
    lacking_in: dict[str, list[str]] = {}
    for code, district in zip(lacking_all[key], lacking_all["district_code"]):
        lacking_in.setdefault(district, []).append(code)
    rows = []
    for r in uc.itertuples(index=False):
        if r.level == unit_level:
            code = str(getattr(r, key))
            row = _base_row("town" if by_town else "district", r.district_code, code if by_town else None)
            lacking = () if r.units_with else (code,)
        else:
            row = _base_row(r.level, r.district_code, None)
            lacking = tuple(lacking_all[key]) if r.level == "city" else tuple(lacking_in.get(str(r.district_code), ()))
        row.update(numerator=float(r.units_with), denominator=float(r.units), lacking=lacking)
        if r.units:
            row["value"] = r.units_with / r.units
            if ms is not None:  # a single town needs one facility, a city or district its share of towns
                need = 1 if row["level"] == "town" else units_needed(int(r.units), ms.op, ms.target)
                row["gap"] = float(max(0, need - int(r.units_with)))
        else:
            row.update(reason=Reason.NO_BASE, reason_detail="")
        rows.append(row)
    return rows


#: Why a ratio of :mod:`coverage.metrics` could not be computed, as the review's reason.
_RATIO_REASON = {
    RatioStatus.NO_LAYER: Reason.LAYER_MISSING,
    RatioStatus.EMPTY_LAYER: Reason.LAYER_EMPTY,
    RatioStatus.MISSING_COLUMN: Reason.COLUMN_MISSING,
    RatioStatus.EMPTY_COLUMN: Reason.COLUMN_EMPTY,
    RatioStatus.INCONSISTENT: Reason.NURSING_BEDS_EXCEED_BEDS,
    RatioStatus.NO_POPULATION: Reason.COLUMN_MISSING,
    RatioStatus.ZERO_DENOMINATOR: Reason.NO_BASE,
}


def _ratio_detail(region: Region, layer: str, cols: Sequence[str], reason: Reason) -> str:
    """What the message names for ``reason``: the layer, the column, or how many rows disagree."""
    gdf = region.facilities.get(layer)
    if reason in (Reason.LAYER_MISSING, Reason.LAYER_EMPTY) or gdf is None:
        return layer
    if reason == Reason.COLUMN_MISSING:
        return next((c for c in cols if c not in gdf.columns), "pop_60plus")
    if reason == Reason.COLUMN_EMPTY:
        return next(c for c in cols if pd.to_numeric(gdf[c], errors="coerce").notna().sum() == 0)
    if reason == Reason.NURSING_BEDS_EXCEED_BEDS:
        beds, nursing = (pd.to_numeric(gdf[c], errors="coerce") for c in cols)
        return str(int((nursing > beds).sum()))
    return ""


def _ratio_rows(region: Region, ind: Indicator, ms: Milestone | None, cache: dict[Any, Any]) -> list[dict[str, Any]]:
    nursing = ind.measure == "nursing_bed_share"
    cols = ("beds", "nursing_beds") if nursing else ("beds",)
    gdf = region.facilities.get(ind.layer)
    measure = nursing_bed_share if nursing else beds_per_1000_elderly
    key = ("ratio", ind.layer, ind.measure, -1 if gdf is None else len(gdf))
    frame = _memo(cache, key, lambda: measure(region, ind.layer))
    if (frame["status"] != RatioStatus.OK).all() and frame["status"].iloc[-1] != RatioStatus.ZERO_DENOMINATOR:
        reason = _RATIO_REASON[RatioStatus(frame["status"].iloc[-1])]
        return _failed(reason, _ratio_detail(region, ind.layer, cols, reason))
    scale = _SCALE[ind.unit]
    rows = []
    for r in frame.itertuples(index=False):
        row = _base_row(r.level, r.district_code, None)
        num, den = float(r.numerator), float(r.denominator)
        row.update(numerator=num, denominator=den, skipped=int(r.skipped))
        if r.status == RatioStatus.OK:
            row["value"] = scale * num / den
            if ms is not None:
                row["gap"] = max(0.0, _need_numerator(den, scale, ms.op, ms.target) - num)
        else:
            row.update(reason=_RATIO_REASON[RatioStatus(r.status)], reason_detail="")
        rows.append(row)
    return rows


def _coverage_rows(region: Region, ind: Indicator, ms: Milestone | None, standards: Any,
                   cache: dict[Any, Any]) -> list[dict[str, Any]]:  # fmt: skip
    gdf = region.facilities.get(ind.layer)
    if gdf is None:
        return _failed(Reason.LAYER_MISSING, ind.layer)
    key = ("coverage", ind.layer, len(gdf))
    if key not in cache:
        try:
            reach = compute_reach(region, ind.layer, standards=standards)
        except CoverageError as exc:
            return _failed(Reason.REACH_FAILED, type(exc).__name__)
        cache["method"] = reach.mode.value if isinstance(reach.mode, Enum) else str(reach.mode)
        cache[key] = population_coverage(region, ind.layer, reach=reach, standards=standards)
    cov = cache[key]
    rows = []
    for r in cov.itertuples(index=False):
        row = _base_row(r.level, r.district_code, r.town_code)
        served, covered = float(r.served), float(r.covered)
        row.update(numerator=covered, denominator=served)
        if served > 0:
            row["value"] = covered / served
            row["gap"] = (max(0.0, _need_numerator(served, 1.0, ms.op, ms.target) - covered)
                          if ms is not None else served - covered)  # fmt: skip
        else:
            row.update(reason=Reason.NO_BASE, reason_detail="")
        rows.append(row)
    return rows


def presence_milestone(ms: Milestone | None) -> Milestone | None:
    """What one town is judged against for a share-of-towns target: to have a facility (应配置).

    A share target (≥60 % of towns) applies to the city and the districts; a single town either has
    a facility or needs one, by the same year (None without a milestone).
    """
    return None if ms is None else Milestone(ms.year, ">=", 1.0, PRESENCE)


def _presence(measure: object, level: object) -> bool:
    """A share-of-towns indicator (``unit_town``) read at town level: one town's has-it-or-not."""
    return level == "town" and measure == "unit_town"


def is_presence(row: Any) -> bool:
    """Whether a review row is one town's has-it-or-not (a share-of-towns indicator at town level)."""
    return _presence(getattr(row, "measure", None), getattr(row, "level", None))


def _gap_unit(measure: str, level: str, ms: Milestone | None) -> str:
    if _presence(measure, level):
        return "facilities"
    if ms is None and measure == "pop_coverage":
        return "uncovered_people"
    return _GAP_UNIT[measure]


def _judge(value: float, ms: Milestone | None, year: int, reason: Reason | None) -> tuple[Status, int | None]:
    if reason is not None or _na(value):
        return Status.CANNOT_COMPUTE, None
    if ms is None:
        return Status.MEASURED, None
    if meets(value, ms.op, ms.target):
        return Status.MET, None
    if ms.year > year:
        return Status.NOT_YET_DUE, ms.year
    return Status.NOT_MET, None


def _measure_year(region: Region, year: int, specs: Sequence[Indicator], standards: Any,
                  cache: dict[Any, Any]) -> pd.DataFrame:  # fmt: skip
    towns, districts = _places(region)
    out: list[dict[str, Any]] = []
    for ind in specs:
        ms = target_for(ind.milestones, year)
        if ind.measure in ("unit_town", "unit_county"):
            rows = _unit_rows(region, ind, ms, cache)
        elif ind.measure in ("nursing_bed_share", "beds_per_1000_60plus"):
            rows = _ratio_rows(region, ind, ms, cache)
        elif ind.measure == "pop_coverage":
            rows = _coverage_rows(region, ind, ms, standards, cache)
        else:  # pragma: no cover - load_targets rejects unknown measures
            rows = _failed(Reason.UNKNOWN_MEASURE, ind.measure)
        caveat = bool(region.modelled_inputs([ind.layer]))
        for row in rows:
            row_ms = presence_milestone(ms) if _presence(ind.measure, row["level"]) else ms
            status, due = _judge(row["value"], row_ms, year, row["reason"])
            d = districts.get(row["district_code"] or "", ("", ""))
            tn = towns.get(row["town_code"] or "", ("", ""))
            row.update(
                year=year, district_zh=d[0], district_en=d[1], town_zh=tn[0], town_en=tn[1],
                indicator_id=ind.indicator_id, indicator_zh=ind.name_zh, indicator_en=ind.name_en,
                layer=ind.layer, measure=ind.measure, unit=ind.unit,
                target_op=row_ms.op if row_ms else None, target_value=row_ms.target if row_ms else np.nan,
                target_year=row_ms.year if row_ms else None, target_text=row_ms.text if row_ms else ind.text_target,
                actual_2020=np.nan if ind.actual_2020 is None else ind.actual_2020,
                status=status, due_year=due,
                gap_unit=_gap_unit(ind.measure, row["level"], ms),
                caveat=caveat,
            )  # fmt: skip
            if status == Status.MET:
                row["gap"] = 0.0
        out.extend(rows)
    df = pd.DataFrame(out, columns=COLUMNS)
    df["_o"] = df["level"].map({lvl: i for i, lvl in enumerate(LEVELS)})
    df = df.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    for c in ("gap", "due_year", "target_year", "skipped"):
        df[c] = pd.to_numeric(df[c], errors="coerce").round().astype("Int64")
    df["year"] = df["year"].astype(int)
    df["caveat"] = df["caveat"].astype(bool)
    # Keep the enums themselves (pandas would store str-based enums as plain strings).
    df["status"] = pd.Series([Status(v) for v in df["status"]], index=df.index, dtype=object)
    df["reason"] = pd.Series([None if _na(v) else Reason(v) for v in df["reason"]], index=df.index, dtype=object)
    return df


def _standards_used(standards: Any, specs: Sequence[Indicator]) -> dict[str, dict[str, Standard]]:
    layers = sorted({s.layer for s in specs if s.measure == "pop_coverage"})
    if isinstance(standards, Standard):
        return {lay: {"urban": standards, "rural": standards} for lay in layers}
    table = standards if isinstance(standards, StandardTable) else load_standards()
    return {lay: {area: table.get(lay, area) for area in ("urban", "rural")} for lay in layers}


def _trajectory_frame(parts: Iterable[pd.DataFrame], specs: Sequence[Indicator]) -> pd.DataFrame:
    df = pd.concat(list(parts), ignore_index=True)
    df = df[df["level"] == "city"]
    milestones = {s.indicator_id: {m.year: m.target for m in s.milestones} for s in specs}
    df = df.assign(
        target_2023=[milestones.get(i, {}).get(2023, np.nan) for i in df["indicator_id"]],
        target_2025=[milestones.get(i, {}).get(2025, np.nan) for i in df["indicator_id"]],
    )
    cols = ["indicator_id", "indicator_zh", "indicator_en", "layer", "measure", "unit", "year", "value",
            "status", "due_year", "target_2023", "target_2025", "actual_2020", "caveat"]  # fmt: skip
    return df[cols].reset_index(drop=True)


def _check_year(year: Any) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InputError(f"year must be an integer, got {year!r}") from None
    if not 2000 <= year <= 2100:
        raise InputError(f"year must be between 2000 and 2100, got {year}")
    return year


def _targets(targets: pd.DataFrame | str | os.PathLike[str] | None) -> pd.DataFrame:
    return targets if isinstance(targets, pd.DataFrame) else load_targets(targets)


def trajectory(
    region: Region,
    year: int = 2025,
    standards: StandardTable | Standard | None = None,
    targets: pd.DataFrame | str | os.PathLike[str] | None = None,
    first_year: int = 2020,
) -> pd.DataFrame:
    """Each measurable indicator's city value year by year, ``first_year`` → ``year``.

    A year's value counts the facilities whose ``opening_year`` is ≤ that year (facilities
    without one count every year). Returns a tidy frame, one row per indicator × year:
    ``indicator_id, indicator_zh, indicator_en, layer, measure, unit, year, value, status,
    due_year, target_2023, target_2025, actual_2020, caveat`` (rates 0-1; the targets are the
    plan's milestones in the value's unit, NaN where the plan sets none).
    """
    year, first_year = _check_year(year), _check_year(first_year)
    table = _targets(targets)
    specs = indicators(table, year)
    parts, cache = [], {}
    for y in range(first_year, year + 1):
        as_of, _ = _as_of(region, y)
        parts.append(_measure_year(as_of, y, specs, standards, cache))
    return _trajectory_frame(parts, specs)


def annual_review(
    region: Region,
    year: int = 2025,
    standards: StandardTable | Standard | None = None,
    targets: pd.DataFrame | str | os.PathLike[str] | None = None,
    yearly: bool = True,
    first_year: int = 2020,
) -> ReviewResult:
    """Measure the plan's indicators on ``region`` for ``year``.

    Parameters
    ----------
    region : Region
        Towns, districts, population and facilities.
    year : int, default 2025
        Review year. Facilities whose ``opening_year`` is after it are left out (those without
        one are counted; :attr:`ReviewResult.undated` says how many). Each indicator is judged
        against its next milestone due (2023 up to 2023, then 2025).
    standards : StandardTable or Standard, optional
        Service standards of the population-coverage measures (the embedded table when None).
    targets : DataFrame or path, optional
        The plan-indicator table (:func:`load_targets` format); the embedded file by default.
    yearly : bool, default True
        Also compute :attr:`ReviewResult.trajectory` (``first_year`` → ``year``).
    first_year : int, default 2020

    Returns
    -------
    ReviewResult

    Examples
    --------
    >>> from coverage.region import load_default  # doctest: +SKIP
    >>> result = annual_review(load_default(), 2025)  # doctest: +SKIP
    >>> review_table(result, "en", "city")  # doctest: +SKIP
    """
    year = _check_year(year)
    table = _targets(targets)
    specs = indicators(table, year)
    as_of, undated = _as_of(region, year)
    cache: dict[Any, Any] = {}
    rows = _measure_year(as_of, year, specs, standards, cache)
    traj = None
    if yearly and _check_year(first_year) <= year:
        parts = [_measure_year(_as_of(region, y)[0], y, specs, standards, cache) for y in range(first_year, year)]
        traj = _trajectory_frame([*parts, rows], specs)
    layers = sorted({s.layer for s in specs})
    return ReviewResult(
        year=year, rows=rows, trajectory=traj, provenance=region.provenance_for(layers),
        standards=_standards_used(standards, specs),
        method=str(cache.get("method", "network" if region.network is not None else "distance")),
        undated=undated,
    )  # fmt: skip


# --------------------------------------------------------------------------- text at the edges


def format_value(value: Any, unit: str, lang: str = "zh", digits: int = 1) -> str:
    """A value as people read it: a rate as :func:`coverage.describe.percent` (``47.0%``; ``digits``
    only for axis ticks), else the number with ``digits`` decimals and thousands separators."""
    if _na(value):
        return NO_VALUE
    if unit == "rate":
        return percent(value) if digits == 1 else percent(value, digits)
    return f"{float(value):,.{digits}f}"


def _milestone_text(value: Any, unit: str, lang: str) -> str:
    """A target number as the plan writes it (``55%``; a ratio with its own decimals)."""
    if _na(value):
        return NO_VALUE
    return target_percent(value) if unit == "rate" else f"{float(value):,g}"


def _value_text(row: Any, lang: str) -> str:
    """The measured value as shown: a town's own unit coverage reads 有 / 无 (yes / no)."""
    if _na(row.value):
        return NO_VALUE
    if is_presence(row):
        return t("review.value.has" if row.value > 0 else "review.value.lacks", lang)
    unit = "" if row.unit == "rate" else f" {t('review.unit.per_1000', lang)}"
    return format_value(row.value, row.unit, lang) + unit


def _target_text(row: Any, lang: str) -> str:
    if row.target_text == PRESENCE:
        return t("review.target.presence", lang)
    op = row.target_op
    if _na(op) or op is None:
        text = str(row.target_text or "")
        if not text:
            return NO_VALUE
        key = f"review.target.{text}"
        return t(key, lang) if key in STRINGS else text
    number = _milestone_text(row.target_value, row.unit, lang)
    target = f"{_OP_SIGN[op]}{number}"
    return t("review.target.by_year", lang, year=int(row.target_year), target=target)


def _gap_text(row: Any, lang: str) -> str:
    if row.status in (Status.MET, Status.CANNOT_COMPUTE) or _na(row.gap):
        return NO_VALUE
    key = f"review.gap.{row.gap_unit}"
    if int(row.gap) == 1 and f"{key}.one" in STRINGS:
        key += ".one"
    return t(key, lang, n=f"{int(row.gap):,}")


def place_names(rows: pd.DataFrame, lang: str = "zh") -> tuple[dict[str, str], dict[str, str]]:
    """``(town_code → name, district_code → name)`` in ``lang`` of the places in review ``rows``
    (:func:`coverage.describe.town_names` / :func:`~coverage.describe.district_names` of the names
    the rows carry: pinyin in English, the Chinese name where a place has no English one)."""
    out = []
    for kind in ("town", "district"):
        frame = rows.dropna(subset=[f"{kind}_code"]).drop_duplicates(f"{kind}_code")
        out.append((town_names if kind == "town" else district_names)(frame, lang))
    return out[0], out[1]


def _place(row: Any, lang: str, names: tuple[dict[str, str], dict[str, str]]) -> str:
    if row.level == "city":
        return t("review.city_name", lang)
    if row.level == "district":
        return place_name(names[1], row.district_code, row.district_zh)
    return place_name(names[0], row.town_code, row.town_zh)


def _note_text(row: Any, lang: str, districts: Mapping[str, str]) -> str:
    parts = []
    if row.status == Status.CANNOT_COMPUTE and not _na(row.reason):
        detail = str(row.reason_detail or "")
        if row.reason in (Reason.LAYER_MISSING, Reason.LAYER_EMPTY):
            detail = layer_name(detail, lang)
        parts.append(t(f"review.reason.{Reason(row.reason).value}", lang, detail=detail))
    if row.measure == "unit_county" and row.level == "city" and len(row.lacking):
        names = [place_name(districts, c) for c in row.lacking]
        parts.append(t("review.note.lacking", lang, names=t("review.note.list_sep", lang).join(names)))
    if not _na(row.skipped) and row.skipped:
        parts.append(t("review.note.skipped", lang, n=int(row.skipped)))
    return "; ".join(parts)


def review_table(result: ReviewResult, lang: str = "zh", level: str | None = None) -> pd.DataFrame:
    """The review as people read it: status, indicator, level, place, measured, target, gap, note.

    Every cell is text in ``lang`` (from the catalogue): statuses rendered from :class:`Status`,
    rates as percentages with one decimal, the target with its milestone year, the gap in units,
    beds or people, no internal ids and no empty "None". A figure computed from modelled or
    illustrative inputs carries :data:`CAVEAT_MARK` (explained by :func:`review_notes`). The same
    table is shown by the app, written to the XLSX and printed in the Word report.

    Parameters
    ----------
    result : ReviewResult
    lang : {"zh", "en"}
    level : {"city", "district", "town"}, optional
        One level only (all levels, city first, when None).
    """
    rows = result.rows if level is None else result.level(level)
    names = place_names(result.rows, lang)
    cols = [t(f"review.col.{c}", lang) for c in ("status", "indicator", "level", "place", "value", "target",
                                                  "gap", "note")]  # fmt: skip
    records = []
    for r in rows.itertuples(index=False):
        mark = CAVEAT_MARK if r.caveat and not _na(r.value) else ""
        records.append([
            status_name(r.status, lang, due_year=None if _na(r.due_year) else int(r.due_year)),
            indicator_name(r.indicator_zh, r.indicator_en, lang),
            t(f"review.level.{r.level}", lang),
            _place(r, lang, names),
            _value_text(r, lang) + mark,
            _target_text(r, lang),
            _gap_text(r, lang),
            _note_text(r, lang, names[1]),
        ])  # fmt: skip
    return pd.DataFrame(records, columns=cols)


#: Columns (``review.col.*`` keys) of :func:`number_table`, in order.
NUMBER_COLUMNS = ("status", "indicator", "level", "place", "value", "unit", "caveat", "target", "target_value",
                  "gap", "gap_unit", "note")  # fmt: skip


def number_table(result: ReviewResult, lang: str = "zh", level: str | None = None) -> pd.DataFrame:
    """:func:`review_table` with numbers a spreadsheet can sort and sum (the XLSX sheets, the CSV).

    Columns (in ``lang``): status, indicator, level, place, the value as a number (a rate 0-1, beds
    per 1,000, or for one town's has-it-or-not 1 / 0), its unit, the caveat text (empty for real
    inputs), the target as the plan writes it, the target as a number in the value's unit, the gap
    as a whole number, the gap's unit, the note. Numbers are not rounded (formats do that).
    """
    display = review_table(result, lang, level)
    rows = result.rows if level is None else result.level(level)
    col = {c: t(f"review.col.{c}", lang) for c in NUMBER_COLUMNS}
    presence = [is_presence(r) for r in rows.itertuples(index=False)]
    value = pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype=float)
    target = pd.to_numeric(rows["target_value"], errors="coerce").to_numpy(dtype=float)
    gap = rows["gap"].astype("Int64").reset_index(drop=True)
    has_gap = [not (s == Status.CANNOT_COMPUTE or pd.isna(g)) for s, g in zip(rows["status"], gap)]
    out = pd.DataFrame({
        col["status"]: display[col["status"]], col["indicator"]: display[col["indicator"]],
        col["level"]: display[col["level"]], col["place"]: display[col["place"]],
        col["value"]: value,
        col["unit"]: [_unit_text(u, p, lang) for u, p in zip(rows["unit"], presence)],
        col["caveat"]: [t("review.caveat.short", lang) if c else "" for c in rows["caveat"]],
        col["target"]: display[col["target"]], col["target_value"]: target,
        col["gap"]: gap.where(pd.Series(has_gap, dtype=bool), pd.NA),
        col["gap_unit"]: [t(f"review.gap_unit.{u}", lang) if ok else "" for u, ok in zip(rows["gap_unit"], has_gap)],
        col["note"]: display[col["note"]],
    })  # fmt: skip
    return out


def _unit_text(unit: str, presence: bool, lang: str) -> str:
    if presence:
        return t("review.unit.presence", lang)
    return t("review.unit.rate", lang) if unit == "rate" else t("review.unit.per_1000", lang)


def csv_table(result: ReviewResult, lang: str = "zh") -> pd.DataFrame:
    """The machine-readable table: :func:`number_table` with rates as percentages with one decimal
    (as the plan writes them; a town's has-it-or-not stays 1 / 0), then the codes."""
    table = number_table(result, lang)
    rows = result.rows
    pct = (rows["unit"].eq("rate") & ~pd.Series([is_presence(r) for r in rows.itertuples(index=False)],
                                                index=rows.index, dtype=bool)).to_numpy()  # fmt: skip
    for key in ("value", "target_value"):
        c = t(f"review.col.{key}", lang)
        v = table[c].to_numpy(dtype=float)
        table[c] = np.where(pct, percent_points(v), np.round(v, 1))
    for c in ("indicator_id", "layer", "district_code", "town_code", "year", "status", "due_year", "reason"):
        v = rows[c]
        table[c] = [x.value if isinstance(x, Enum) else x for x in v] if v.dtype == object else v.to_numpy()
    return table


def rounding_gaps(result: ReviewResult) -> list[tuple[str, int, int]]:
    """Indicators whose district gaps add up to more than the city's: ``(indicator_id, city, districts)``.

    Each district's gap is rounded up on its own (what that district needs to reach the share or the
    ratio alone), so the sum can exceed the city's gap, which the plan's city-wide target sets.
    """
    out = []
    city, districts = result.city, result.district
    for r in city.itertuples(index=False):
        if r.status in (Status.MET, Status.CANNOT_COMPUTE) or _na(r.gap) or r.target_op is None:
            continue
        d = districts[(districts["indicator_id"] == r.indicator_id) & districts["gap"].notna()]
        total = int(d["gap"].sum()) if len(d) else 0
        if total > int(r.gap):
            out.append((str(r.indicator_id), int(r.gap), total))
    return out


def review_notes(result: ReviewResult, lang: str = "zh") -> list[str]:
    """The review's notes in ``lang``: year, targets, the comparator rule, standards and method,
    statuses, data sources and (when any figure used modelled/illustrative inputs) the caveat."""
    notes = [t("review.notes.year", lang, year=result.year)]
    if result.undated:
        notes.append(t("review.notes.undated", lang, n=result.undated))
    notes += [t("review.notes.targets", lang), t("review.notes.comparator", lang),
              t("review.notes.unit_standard", lang)]  # fmt: skip
    method = t(f"review.notes.method.{result.method}", lang)
    for layer, by_area in result.standards.items():
        text = standard_text(by_area, lang)
        notes.append(t("review.notes.standard", lang, layer=layer_name(layer, lang), standard=f"{text}; {method}"))
    notes.append(t("review.notes.statuses", lang))
    uneven = rounding_gaps(result)
    if uneven:
        city = result.city.drop_duplicates("indicator_id").set_index("indicator_id")
        items = [t("review.notes.rounding_item", lang, city=f"{c:,}", districts=f"{d:,}",
                   indicator=indicator_name(city.at[i, "indicator_zh"], city.at[i, "indicator_en"], lang))
                 for i, c, d in uneven]  # fmt: skip
        notes.append(t("review.notes.rounding", lang, items="; ".join(items)))
    notes.append(t("review.notes.sources", lang, items=provenance_items(result.provenance, lang)))
    if result.caveat:
        notes.append(t("review.notes.caveat", lang))
    return notes + list(result.notes)


def input_label(name: str, lang: str = "zh") -> str:
    """Name of an input of the provenance mapping (``towns``, ``facilities:<layer>`` …) in ``lang``."""
    if name.startswith("facilities:"):
        return layer_name(name.split(":", 1)[1], lang)
    key = f"review.input.{name}"
    return t(key, lang) if key in STRINGS else name


def provenance_items(provenance: Mapping[str, str], lang: str = "zh") -> str:
    """``区县边界: 真实; 镇街边界: 推算; …`` — every input with its provenance label."""
    return "; ".join(f"{input_label(name, lang)}: {source_name(src, lang)}" for name, src in provenance.items())


# --------------------------------------------------------------------------- XLSX


def _fill(status: Status) -> PatternFill:
    colour = STATUS_COLOURS[status]
    return PatternFill(start_color=colour, end_color=colour, fill_type="solid")


def _width(text: Any) -> float:
    s = str(text or "")
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in s)


#: Number formats of the XLSX value cells: rates as percentages, ratios with one decimal, whole gaps.
PERCENT_FORMAT = "0.0%"
RATIO_FORMAT = "#,##0.0"
GAP_FORMAT = "#,##0"


def _presence_format(lang: str) -> str:
    """A town's 1 / 0 shown as 有 / 无 (the cell stays a number: the towns with one add up)."""
    has, lacks = t("review.value.has", lang), t("review.value.lacks", lang)
    return f'"{has}";"{has}";"{lacks}"'


def _value_format(unit: str, presence: bool, lang: str) -> str:
    if presence:
        return _presence_format(lang)
    return PERCENT_FORMAT if unit == "rate" else RATIO_FORMAT


def overview_lines(result: ReviewResult, lang: str = "zh", today: dt.date | None = None) -> list[str]:
    """The title block of the XLSX's first sheet: title, year, generation date, targets, standards,
    which inputs are modelled or illustrative and (then) the Word cover's caveat."""
    lines = [t("report.title", lang).replace("\n", " "), t("report.subtitle", lang, year=result.year),
             t("review.overview.generated", lang, date=(today or dt.date.today()).isoformat()),
             t("review.notes.year", lang, year=result.year), t("review.notes.targets", lang)]  # fmt: skip
    method = t(f"review.notes.method.{result.method}", lang)
    for layer, by_area in result.standards.items():
        text = standard_text(by_area, lang)
        lines.append(t("review.notes.standard", lang, layer=layer_name(layer, lang), standard=f"{text}; {method}"))
    lines.append(t("review.notes.sources", lang, items=provenance_items(result.provenance, lang)))
    modelled = {k: v for k, v in result.provenance.items() if v in ("modelled", "illustrative")}
    if modelled:
        lines.append(t("review.overview.modelled", lang, items=provenance_items(modelled, lang)))
    else:
        lines.append(t("review.overview.all_real", lang))
    if result.caveat:
        lines += [t("report.draft_mark", lang), t("review.notes.caveat", lang)]
    return lines


def write_excel(result: ReviewResult, path: str | os.PathLike[str], lang: str = "zh",
                today: dt.date | None = None) -> Path:  # fmt: skip
    """The review as .xlsx: an overview sheet (:func:`overview_lines`), a sheet per level
    (:func:`number_table`: values, targets and gaps are numbers with formats), the trajectory and the notes."""
    path = Path(path)
    overview = t("review.sheet.overview", lang)
    notes_name = t("review.sheet.notes", lang)
    tables: dict[str, str] = {}  # sheet name -> level or "trajectory"
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        pd.DataFrame({overview: overview_lines(result, lang, today)}).pipe(spreadsheet_safe).to_excel(
            xw, sheet_name=overview, index=False, header=False)
        for lvl in LEVELS:
            rows = result.level(lvl)
            if rows.empty:
                continue
            name = t(f"review.sheet.{lvl}", lang)
            spreadsheet_safe(number_table(result, lang, lvl)).to_excel(xw, sheet_name=name, index=False)
            tables[name] = lvl
            _format_level(xw.book[name], rows, lang)
        if result.trajectory is not None and len(result.trajectory):
            name = t("review.sheet.trajectory", lang)
            table = spreadsheet_safe(trajectory_numbers(result.trajectory, lang))
            table.to_excel(xw, sheet_name=name, index=False)
            tables[name] = "trajectory"
            _format_trajectory(xw.book[name], result.trajectory, lang)
        notes = pd.DataFrame({notes_name: review_notes(result, lang)})
        spreadsheet_safe(notes).to_excel(xw, sheet_name=notes_name, index=False)
        book = xw.book
        sheet = book[overview]
        sheet.column_dimensions["A"].width = 120
        for (c,) in sheet.iter_rows(min_row=1, max_col=1):
            c.alignment = Alignment(wrap_text=True, vertical="top")
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A2"].font = Font(bold=True, size=12)
        if result.caveat:
            sheet.cell(row=sheet.max_row - 1, column=1).font = Font(bold=True, color="C92A2A")
        for ws in book.worksheets:
            if ws.title == overview:
                continue
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for col in ws.columns:
                width = max(_width(c.value if isinstance(c.value, str) else "0000000") for c in col)
                ws.column_dimensions[col[0].column_letter].width = min(60.0, max(8.0, width + 2))
            if ws.title == notes_name:
                ws.column_dimensions["A"].width = 120
                for (c,) in ws.iter_rows(min_row=2, max_col=1):
                    c.alignment = Alignment(wrap_text=True, vertical="top")
                continue
            ws.auto_filter.ref = ws.dimensions
            if result.caveat:  # the caveat travels with every table: a footnote under it
                foot = ws.cell(row=ws.max_row + 2, column=1, value=t("review.notes.caveat", lang))
                foot.font = Font(italic=True, color="868E96")
    return path


def _format_level(ws: Any, rows: pd.DataFrame, lang: str) -> None:
    """Status fills and number formats of one level's sheet (columns of :func:`number_table`)."""
    head = [c.value for c in ws[1]]
    value_col = head.index(t("review.col.value", lang)) + 1
    target_col = head.index(t("review.col.target_value", lang)) + 1
    gap_col = head.index(t("review.col.gap", lang)) + 1
    for i, r in enumerate(rows.itertuples(index=False), start=2):
        ws.cell(row=i, column=1).fill = _fill(Status(r.status))
        fmt = _value_format(r.unit, is_presence(r), lang)
        ws.cell(row=i, column=value_col).number_format = fmt
        ws.cell(row=i, column=target_col).number_format = fmt
        ws.cell(row=i, column=gap_col).number_format = GAP_FORMAT


def _format_trajectory(ws: Any, frame: pd.DataFrame, lang: str) -> None:
    head = [c.value for c in ws[1]]
    status_col = head.index(t("review.col.status", lang)) + 1
    cols = [head.index(t(f"review.col.{c}", lang)) + 1 for c in ("value", "target_2023", "target_2025")]
    for i, r in enumerate(frame.itertuples(index=False), start=2):
        ws.cell(row=i, column=status_col).fill = _fill(Status(r.status))
        for c in cols:
            ws.cell(row=i, column=c).number_format = _value_format(r.unit, False, lang)


def trajectory_numbers(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`trajectory_table` with numbers (value and targets in the value's unit, not rounded),
    the unit and the caveat in columns of their own (the XLSX's year-by-year sheet)."""
    cols = {c: t(f"review.col.{c}", lang) for c in ("indicator", "year", "value", "unit", "caveat", "target_2023",
                                                     "target_2025", "status")}  # fmt: skip
    return pd.DataFrame({
        cols["indicator"]: [indicator_name(a, b, lang) for a, b in zip(frame["indicator_zh"], frame["indicator_en"])],
        cols["year"]: frame["year"].astype(int).to_numpy(),
        cols["value"]: pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float),
        cols["unit"]: [_unit_text(u, False, lang) for u in frame["unit"]],
        cols["caveat"]: [t("review.caveat.short", lang) if c else "" for c in frame["caveat"]],
        cols["target_2023"]: pd.to_numeric(frame["target_2023"], errors="coerce").to_numpy(dtype=float),
        cols["target_2025"]: pd.to_numeric(frame["target_2025"], errors="coerce").to_numpy(dtype=float),
        cols["status"]: [status_name(s, lang, due_year=None if _na(d) else int(d))
                         for s, d in zip(frame["status"], frame["due_year"])],
    })  # fmt: skip


def trajectory_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The trajectory for people: indicator, year, value, the 2023 / 2025 targets, status."""
    out = []
    for r in frame.itertuples(index=False):
        mark = CAVEAT_MARK if r.caveat and not _na(r.value) else ""
        out.append([
            indicator_name(r.indicator_zh, r.indicator_en, lang), int(r.year),
            format_value(r.value, r.unit, lang) + mark,
            _milestone_text(r.target_2023, r.unit, lang), _milestone_text(r.target_2025, r.unit, lang),
            status_name(r.status, lang, due_year=None if _na(r.due_year) else int(r.due_year)),
        ])  # fmt: skip
    cols = [t(f"review.col.{c}", lang) for c in ("indicator", "year", "value", "target_2023", "target_2025",
                                                  "status")]  # fmt: skip
    return pd.DataFrame(out, columns=cols)
