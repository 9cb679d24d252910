"""Annual review: plan indicators measured from the data, against their targets.

:func:`annual_review` measures every indicator of the plan's tables
(``data/targets/plan_indicators.csv``) whose ``measurable_by`` column names a
measure the data supports, for the city, each district and (where the
indicator is counted over towns) each town:

==========================  ================================================
``measurable_by``           measure
==========================  ================================================
``LAYER:unit_town``         share of towns with ≥1 facility (%)
``LAYER:unit_county``       share of counties with ≥1 facility (%)
``LAYER:nursing_bed_share`` 100 × Σ nursing_beds / Σ beds (%)
``LAYER:beds_per_1000_60plus``  1000 × Σ beds / residents 60+ (张/千人)
``LAYER:pop_coverage``      share of the served group within the standard (%)
==========================  ================================================

Each row carries the value, the 2020 actual and 2023 / 2025 targets, a status
(``达标`` / ``未达标`` / ``无法计算: …``) against the review year's target and
the gap in units, beds or people ("还需 12 个乡镇(街道)"). The 15-minute
elder-care circle (居家养老服务站点 population coverage), for which the plan
sets no number ("基本建成"), is reported as a rate with a textual status.
When facilities carry ``opening_year`` a year-by-year view is added
(facilities with ``opening_year`` ≤ Y count for year Y).

:class:`ReviewResult` writes CSV (UTF-8 with BOM, for Excel), Excel (one
sheet per level plus a 说明 sheet) and Markdown; every output states the
provenance of the inputs and the standards used.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np
import pandas as pd

from coverage.export import atomic_path, spreadsheet_safe, write_csv
from coverage.layers import SERVED_GROUPS, get_layer
from coverage.metrics import (
    STATUS_OK,
    beds_per_1000_elderly,
    nursing_bed_share,
    population_coverage,
    provenance_text,
    unit_coverage,
)

if TYPE_CHECKING:  # pragma: no cover
    from coverage.region import Region

__all__ = [
    "ReviewResult",
    "annual_review",
    "load_targets",
    "parse_target",
    "meets",
    "units_needed",
    "STATUS_MET",
    "STATUS_UNMET",
    "STATUS_NA",
    "COLUMNS_ZH",
]

STATUS_MET = "达标"
STATUS_UNMET = "未达标"
STATUS_NA = "无法计算"
CIRCLE_TARGET = "基本建成"
CIRCLE_LAYERS: tuple[str, ...] = ("elder_care_station",)

LEVEL_ZH = {"city": "城市", "district": "区县", "town": "镇街"}
SHEET_ORDER = ("city", "district", "town")

COLUMNS_ZH: dict[str, str] = {
    "year": "年份",
    "level": "层级",
    "district_code": "区县代码",
    "district_zh": "区县",
    "town_code": "镇街代码",
    "town_zh": "镇街",
    "indicator_id": "指标编号",
    "indicator_zh": "指标名称",
    "layer": "设施图层",
    "unit": "单位",
    "value": "测算值",
    "numerator": "分子",
    "denominator": "分母",
    "actual_2020": "2020年实际值",
    "target_2023": "2023年目标值",
    "target_2025": "2025年目标值",
    "target": "考核目标",
    "status": "完成情况",
    "gap": "差距",
    "gap_text": "差距说明",
    "standard": "服务标准/口径",
    "provenance": "数据来源",
    "note": "备注",
}
COLUMNS = list(COLUMNS_ZH)

_OPS = {"≥": ">=", ">=": ">=", "＞": ">", ">": ">", "≤": "<=", "<=": "<=", "＜": "<", "<": "<", "=": "=", "==": "="}
_OP_RE = re.compile(r"^\s*(≥|>=|＞|>|≤|<=|＜|<|==|=)?\s*([-+]?\d+(?:\.\d+)?)\s*%?\s*$")


# --------------------------------------------------------------------------- targets


def load_targets(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the plan-indicator table (default ``data/targets/plan_indicators.csv``).

    Required columns: ``indicator_id, indicator_zh, unit, measurable_by``;
    optional ``sub_item, actual_2020, target_2023, target_2025, comparator,
    target_2023_value, target_2025_value, table, category``.

    Raises
    ------
    FileNotFoundError
        If the file is absent.
    ValueError
        On a missing column or a malformed ``measurable_by`` (``LAYER:MEASURE``),
        naming the file and row.
    """
    if path is None:
        from coverage.paths import TARGETS_FILE

        path = TARGETS_FILE
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"plan-indicator table not found: {path}")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in ("indicator_id", "indicator_zh", "measurable_by") if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    for c in ("sub_item", "unit", "actual_2020", "target_2023", "target_2025", "comparator",
              "target_2023_value", "target_2025_value"):  # fmt: skip
        if c not in df.columns:
            df[c] = ""
    for i, mb in enumerate(df["measurable_by"], start=2):
        mb = mb.strip()
        if not mb:
            continue
        layer, sep, measure = mb.partition(":")
        if not sep or not measure:
            raise ValueError(f"{path}, row {i}, column 'measurable_by': expected LAYER:MEASURE, got {mb!r}")
        try:
            get_layer(layer)
        except ValueError as exc:
            raise ValueError(f"{path}, row {i}, column 'measurable_by': {exc}") from None
    return df


def parse_target(text: Any, value: Any = None, comparator: Any = None) -> tuple[str, float] | None:
    """Turn a target cell into ``(operator, number)`` or ``None`` when it is not numeric.

    The operator is the one written in ``text`` (``≥40``, ``>50``). A plain
    number (``30``, ``100``) is a level to reach: ``>=``. ``comparator`` is used
    only when ``text`` is empty and ``value`` is given. The number is ``value``
    when given, else the number in ``text``. Text targets ("不低于…") give ``None``.
    """
    raw = str(text or "").strip()
    number: float | None = None
    op: str | None = None
    m = _OP_RE.match(raw.replace(" ", ""))
    if m:
        op = _OPS.get(m.group(1) or "", ">=")
        number = float(m.group(2))
    elif raw:
        return None
    if value is not None and str(value).strip() not in ("", "nan", "None"):
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(f"target value {value!r} is not a number") from None
    if number is None or not math.isfinite(number):
        return None
    if op is None:
        c = str(comparator or "").strip()
        op = _OPS.get(c, ">=") if c else ">="
        if op == "=":
            op = ">="
    return op, number


def meets(value: float, op: str, target: float) -> bool:
    """Whether ``value`` satisfies ``op target`` (a 1e-9 tolerance on equality)."""
    tol = 1e-9 * max(1.0, abs(target))
    if op == ">=":
        return value >= target - tol
    if op == ">":
        return value > target + tol
    if op == "<=":
        return value <= target + tol
    if op == "<":
        return value < target - tol
    if op == "=":
        return abs(value - target) <= tol
    raise ValueError(f"unknown comparator {op!r}")


def units_needed(total: int, op: str, percent: float) -> int:
    """Fewest of ``total`` units that must qualify for a share ``op percent`` (%)."""
    if total <= 0:
        return 0
    for n in range(total + 1):
        if meets(100.0 * n / total, op, percent):
            return n
    return total + 1  # unreachable target (e.g. > 100 %)


# --------------------------------------------------------------------------- result


@dataclass
class ReviewResult:
    """The measured plan indicators for one review year.

    Attributes
    ----------
    year : int
        Review year (facilities opened after it are left out).
    rows : pandas.DataFrame
        One row per indicator × unit with the columns of :data:`COLUMNS`;
        ``level`` is ``city`` / ``district`` / ``town``.
    yearly : pandas.DataFrame or None
        City-level values per year (``year, indicator_id, indicator_zh, value,
        target, status``) when facilities carry ``opening_year``.
    notes : list of str
        Provenance, standards and method statements (written to every output).
    """

    year: int
    rows: pd.DataFrame
    yearly: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def level(self, level: str) -> pd.DataFrame:
        """Rows of one level (``city`` / ``district`` / ``town``)."""
        if level not in LEVEL_ZH:
            raise ValueError(f"level must be one of {', '.join(LEVEL_ZH)}, got {level!r}")
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

    def table_zh(self, level: str | None = None) -> pd.DataFrame:
        """Rows (all, or one level) with Chinese headers and level names."""
        df = self.rows if level is None else self.level(level)
        df = df.copy()
        df["level"] = df["level"].map(LEVEL_ZH)
        return df[COLUMNS].rename(columns=COLUMNS_ZH)

    # -- writers ----------------------------------------------------------------

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Every row in one CSV (UTF-8 with BOM so Excel reads the Chinese).

        Provenance and standards are in each row's 数据来源 / 服务标准 columns.
        """
        return write_csv(self.table_zh(), path)

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """An .xlsx with sheets 城市 / 区县 / 镇街 (when there are town rows) / 逐年 / 说明."""
        path = Path(path)
        with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for lvl in SHEET_ORDER:
                if lvl == "town" and not (self.rows["level"] == "town").any():
                    continue
                spreadsheet_safe(self.table_zh(lvl)).to_excel(xw, sheet_name=LEVEL_ZH[lvl], index=False)
            if self.yearly is not None and len(self.yearly):
                spreadsheet_safe(self.yearly.rename(columns=COLUMNS_ZH)).to_excel(xw, sheet_name="逐年", index=False)
            spreadsheet_safe(pd.DataFrame({"说明": self.notes})).to_excel(xw, sheet_name="说明", index=False)
            for ws in xw.book.worksheets:
                for cell in ws[1]:
                    if cell.value in ("测算值", "差距"):
                        for (c,) in ws.iter_rows(min_row=2, min_col=cell.column, max_col=cell.column):
                            c.number_format = "0.0" if cell.value == "测算值" else "#,##0"
                for col in ws.columns:
                    width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
                    ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width * 1.6))
        return path

    def to_markdown(self, path: str | os.PathLike[str] | None = None) -> str:
        """A Markdown report (notes, then one table per level); written to ``path`` if given."""
        lines = [f"# 江门市民政事业发展“十四五”规划 指标年度评估 ({self.year}年)", "", "## 说明", ""]
        lines += [f"- {n}" for n in self.notes]
        short = ["indicator_zh", "unit", "value", "target", "status", "gap_text"]
        for lvl in SHEET_ORDER:
            df = self.level(lvl)
            if df.empty:
                continue
            cols = (["district_zh"] if lvl == "district" else []) + (
                ["district_zh", "town_zh"] if lvl == "town" else []
            ) + short
            lines += ["", f"## {LEVEL_ZH[lvl]}", ""]
            lines += _md_table(df[cols].rename(columns=COLUMNS_ZH))
        if self.yearly is not None and len(self.yearly):
            lines += ["", "## 逐年", ""]
            lines += _md_table(self.yearly.rename(columns=COLUMNS_ZH))
        text = "\n".join(lines) + "\n"
        if path is not None:
            with atomic_path(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        return text

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write in the format given by the extension (.xlsx, .csv, .md)."""
        path = Path(path)
        ext = path.suffix.lower()
        if ext == ".xlsx":
            return self.to_excel(path)
        if ext == ".csv":
            return self.to_csv(path)
        if ext in (".md", ".markdown"):
            self.to_markdown(path)
            return path
        raise ValueError(f"cannot write {path}: extension must be .xlsx, .csv or .md")


def _md_cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, (float, np.floating)):
        return f"{float(v):,.2f}".rstrip("0").rstrip(".")
    return str(v).replace("|", "\\|").replace("\n", " ")


def _md_table(df: pd.DataFrame) -> list[str]:
    out = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    for row in df.itertuples(index=False):
        out.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    return out


# --------------------------------------------------------------------------- measuring


def _facilities_as_of(region: "Region", year: int) -> tuple["Region", int]:
    """A copy of ``region`` without facilities opened after ``year``; also the count undated."""
    undated = 0
    facilities = {}
    for layer_id, gdf in (getattr(region, "facilities", {}) or {}).items():
        if "opening_year" in gdf.columns:
            oy = pd.to_numeric(gdf["opening_year"], errors="coerce").astype(float).to_numpy()
            undated += int(np.isnan(oy).sum())
            gdf = gdf[~(oy > year)]
        else:
            undated += len(gdf)
        facilities[layer_id] = gdf
    if dataclasses.is_dataclass(region):
        return dataclasses.replace(region, facilities=facilities), undated
    clone = __import__("copy").copy(region)
    clone.facilities = facilities
    return clone, undated


def _gap_text(gap: float, unit_word: str) -> str:
    if gap is None or (isinstance(gap, float) and math.isnan(gap)):
        return ""
    if gap <= 0:
        return "已达标"
    return f"还需 {int(gap):,} {unit_word}"


def _judge(value: float, target: tuple[str, float] | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return STATUS_NA
    if target is None:
        return "无量化目标"
    return STATUS_MET if meets(value, *target) else STATUS_UNMET


_MEASURE_UNIT = {
    "unit_town": "个乡镇(街道)",
    "unit_county": "个县级行政区",
    "nursing_bed_share": "张护理型床位",
    "beds_per_1000_60plus": "张床位",
    "pop_coverage": "人",
}


def _unit_rows(region: "Region", layer_id: str, measure: str, target: tuple[str, float] | None) -> list[dict]:
    level = "town" if measure == "unit_town" else "county"
    uc = unit_coverage(region, layer_id, level=level)
    rows = []
    word = _MEASURE_UNIT[measure]
    for r in uc.itertuples(index=False):
        value = 100.0 * r.share if r.units else np.nan
        if r.level == "town":
            out_level = "town"
        elif r.level == "county":
            out_level = "district"
        else:
            out_level = r.level
        gap = np.nan
        if target is not None and r.units:
            gap = max(0, units_needed(int(r.units), *target) - int(r.units_with))
        note = f"缺少: {r.lacking}" if r.lacking and r.level != "town" else ""
        rows.append(
            dict(
                level=out_level,
                district_code=r.district_code,
                district_zh=r.district_zh,
                town_code=r.code if r.level == "town" else pd.NA,
                town_zh=r.name_zh if r.level == "town" else pd.NA,
                value=value,
                numerator=float(r.units_with),
                denominator=float(r.units),
                status=_judge(value, target),
                gap=gap,
                gap_text=_gap_text(gap, word),
                note=note,
            )
        )
    return rows


def _ratio_rows(frame: pd.DataFrame, target: tuple[str, float] | None, measure: str) -> list[dict]:
    rows = []
    word = _MEASURE_UNIT[measure]
    for r in frame.itertuples(index=False):
        ok = r.status == STATUS_OK
        value = float(r.value) if ok else np.nan
        gap = np.nan
        if ok and target is not None:
            op, t = target
            den = float(r.denominator)
            scale = 100.0 if measure == "nursing_bed_share" else 1000.0
            # Smallest numerator meeting the target with the denominator held fixed.
            need = math.ceil(t * den / scale - 1e-9)
            while need >= 0 and not meets(scale * need / den, op, t):
                need += 1
                if need > 10 * den + 10:
                    need = -1
            gap = max(0.0, float(need - r.numerator)) if need >= 0 else np.nan
        rows.append(
            dict(
                level=r.level,
                district_code=r.district_code,
                district_zh=r.district_zh,
                town_code=pd.NA,
                town_zh=pd.NA,
                value=value,
                numerator=r.numerator,
                denominator=r.denominator,
                status=_judge(value, target) if ok else r.status,
                gap=gap,
                gap_text=_gap_text(gap, word) if ok else "",
                note=r.note,
            )
        )
    return rows


def _coverage_rows(
    region: "Region", layer_id: str, target: tuple[str, float] | None, standards: Any, reach: Any
) -> tuple[list[dict], str]:
    cov = population_coverage(region, layer_id, reach=reach, standards=standards)
    rows = []
    for r in cov.itertuples(index=False):
        value = 100.0 * float(r.rate) if r.served > 0 else np.nan
        if target is None:
            status = STATUS_NA if math.isnan(value) else f"覆盖{value:.1f}%的{r.served_group}人口"
            gap = float(r.uncovered)
            gap_text = f"未覆盖 {int(r.uncovered):,} 人" if not math.isnan(value) else ""
        else:
            status = _judge(value, target)
            need = math.ceil(target[1] * r.served / 100.0 - 1e-9) if r.served else 0
            gap = max(0.0, float(need - r.covered)) if not math.isnan(value) else np.nan
            gap_text = _gap_text(gap, "人")
        rows.append(
            dict(
                level=r.level,
                district_code=r.district_code,
                district_zh=r.district_zh,
                town_code=r.town_code,
                town_zh=r.town_zh,
                value=value,
                numerator=float(r.covered),
                denominator=float(r.served),
                status=status,
                gap=gap,
                gap_text=gap_text,
                note="",
            )
        )
    return rows, cov.attrs.get("standard", "")


def _failed_rows(region: "Region", status: str) -> list[dict]:
    rows = [
        dict(level="city", district_code=pd.NA, district_zh="全市", town_code=pd.NA, town_zh=pd.NA,
             value=np.nan, numerator=np.nan, denominator=np.nan, status=status, gap=np.nan,
             gap_text="", note="")  # fmt: skip
    ]
    return rows


def _measure(
    region: "Region",
    layer_id: str,
    measure: str,
    target: tuple[str, float] | None,
    standards: Any,
    reach_cache: dict,
) -> tuple[list[dict], str, str]:
    """Rows of one measure; also the unit of its value and a description of its standard."""
    gdf = (getattr(region, "facilities", {}) or {}).get(layer_id)
    if measure in ("unit_town", "unit_county"):
        if gdf is None:
            return _failed_rows(region, f"{STATUS_NA}: 缺少 {layer_id} 图层"), "%", ""
        std = "每个乡镇(街道)至少 1 处" if measure == "unit_town" else "每个县级行政区至少 1 处"
        return _unit_rows(region, layer_id, measure, target), "%", std
    if measure == "nursing_bed_share":
        return _ratio_rows(nursing_bed_share(region, layer_id), target, measure), "%", "护理型床位数 ÷ 床位总数 (差距按床位总数不变、将普通床位改为护理型床位计算)"
    if measure == "beds_per_1000_60plus":
        return (
            _ratio_rows(beds_per_1000_elderly(region, layer_id), target, measure),
            "张/千人",
            "床位数 ÷ 60岁及以上人口 × 1000",
        )
    if measure == "pop_coverage":
        if gdf is None:
            return _failed_rows(region, f"{STATUS_NA}: 缺少 {layer_id} 图层"), "%", ""
        try:
            reach = reach_cache.get(layer_id)
            if reach is None:
                from coverage.reach import compute_reach

                reach = compute_reach(region, layer_id, standards=standards)
                reach_cache[layer_id] = reach
        except (ImportError, ValueError) as exc:
            return _failed_rows(region, f"{STATUS_NA}: {exc}"), "%", ""
        rows, std = _coverage_rows(region, layer_id, target, standards, reach)
        return rows, "%", std
    return _failed_rows(region, f"{STATUS_NA}: 未知口径 {measure!r}"), "", ""


def _cell(r: Any, name: str) -> str:
    v = getattr(r, name, "")
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()


def _indicator_specs(targets: pd.DataFrame, circle_layers: Sequence[str], year: int) -> list[dict]:
    """Measurable indicators for ``year``: the 十四五 rows, and the 十三五 rows up to 2020."""
    specs = []
    for r in targets.itertuples(index=False):
        mb = _cell(r, "measurable_by")
        if not mb:
            continue
        milestones = {}
        for y in (2020, 2023, 2025):
            t = parse_target(_cell(r, f"target_{y}"), _cell(r, f"target_{y}_value"), _cell(r, "comparator"))
            if t is not None:
                milestones[y] = (t, _cell(r, f"target_{y}"))
        thirteenth = "十三五" in _cell(r, "table") or (milestones and max(milestones) <= 2020)
        if thirteenth and year > 2020:
            continue
        if not thirteenth:
            milestones.pop(2020, None)
        layer_id, _, measure = mb.partition(":")
        name = _cell(r, "indicator_zh")
        sub = _cell(r, "sub_item")
        if sub:
            name = f"{name}({sub})"
        specs.append(
            dict(
                indicator_id=_cell(r, "indicator_id"),
                indicator_zh=name,
                unit_label=_cell(r, "unit"),
                layer=layer_id.strip(),
                measure=measure.strip(),
                actual_2020=_cell(r, "actual_2020"),
                target_2023=_cell(r, "target_2023"),
                target_2025=_cell(r, "target_2025"),
                milestones=milestones,
            )
        )
    for layer_id in circle_layers:
        layer = get_layer(layer_id)
        group = SERVED_GROUPS[layer.served_column][0]
        specs.append(
            dict(
                indicator_id=f"circle:{layer_id}",
                indicator_zh=f"社区15分钟居家养老服务圈: {group}人口覆盖率({layer.zh})",
                unit_label="%",
                layer=layer_id,
                measure="pop_coverage",
                actual_2020="—",
                target_2023="—",
                target_2025=CIRCLE_TARGET,
                milestones={},
                text_target=CIRCLE_TARGET,
            )
        )
    return specs


def target_for(milestones: dict[int, tuple[tuple[str, float], str]], year: int):
    """The milestone a review of ``year`` is judged against: the first one due
    in or after ``year``, else the last one. Returns ``((op, number), text)`` or None."""
    if not milestones:
        return None
    due = [y for y in sorted(milestones) if y >= year]
    return milestones[due[0] if due else max(milestones)]


def _review_rows(
    region: "Region", year: int, specs: list[dict], standards: Any, prov_of: Callable[[str], str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    all_rows: list[dict] = []
    standards_used: dict[str, str] = {}
    cache: dict = {}
    for s in specs:
        chosen = target_for(s["milestones"], year)
        due = min((y for y in s["milestones"] if y >= year), default=None)
        target = chosen[0] if chosen else None
        target_text = chosen[1] if chosen else s.get("text_target", "")
        rows, unit, std = _measure(region, s["layer"], s["measure"], target, standards, cache)
        if std:
            standards_used[f"{get_layer(s['layer']).zh}({s['measure']})"] = std
        for row in rows:
            row.update(
                year=year,
                indicator_id=s["indicator_id"],
                indicator_zh=s["indicator_zh"],
                layer=s["layer"],
                unit=s["unit_label"] or unit,
                actual_2020=s["actual_2020"],
                target_2023=s["target_2023"],
                target_2025=s["target_2025"],
                target=target_text,
                standard=std,
                provenance=prov_of(s["layer"]),
            )
            if due is not None and due > year and row.get("status") == STATUS_UNMET:
                # Judged against a milestone that is not due yet: progress, not a missed target.
                row["status"] = f"{STATUS_UNMET}(未到期: {due}年目标)"
        all_rows.extend(rows)
    df = pd.DataFrame(all_rows)
    if df.empty:
        df = pd.DataFrame(columns=COLUMNS)
    order = {"city": 0, "district": 1, "town": 2}
    df["_o"] = df["level"].map(order)
    df = df.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    gap = pd.to_numeric(df["gap"], errors="coerce")
    df["gap"] = gap.round().astype("Int64")  # units, beds or people: whole numbers
    return df[COLUMNS], standards_used


def annual_review(
    region: "Region",
    year: int = 2025,
    standards: Any = None,
    targets: pd.DataFrame | str | os.PathLike[str] | None = None,
    circle_layers: Sequence[str] = CIRCLE_LAYERS,
    yearly: bool = True,
    first_year: int = 2020,
) -> ReviewResult:
    """Measure the plan's indicators on ``region`` for ``year``.

    Parameters
    ----------
    region : Region
        Towns, districts, population and facilities.
    year : int, default 2025
        Review year. Facilities whose ``opening_year`` is after it are left out
        (facilities without one are counted, and the notes say how many).
        Status is judged against the 2023 target up to 2023, the 2025 target after.
    standards : StandardTable, optional
        Service standards for population-coverage measures (embedded table when None).
    targets : DataFrame or path, optional
        The plan-indicator table (:func:`load_targets` format); the embedded file by default.
    circle_layers : sequence of str
        Layers reported as the 15-minute elder-care circle (rate only, target "基本建成").
    yearly : bool, default True
        Add the year-by-year view when facilities carry ``opening_year``.
    first_year : int, default 2020
        First year of the year-by-year view.

    Returns
    -------
    ReviewResult
    """
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValueError(f"year must be an integer, got {year!r}") from None
    if not 2000 <= year <= 2100:
        raise ValueError(f"year must be between 2000 and 2100, got {year}")
    if targets is None or isinstance(targets, (str, os.PathLike)):
        targets = load_targets(targets)
    specs = _indicator_specs(targets, circle_layers, year)
    layers = sorted({s["layer"] for s in specs})

    def prov_of(layer_id: str) -> str:
        return provenance_text(region, [layer_id])

    as_of, undated = _facilities_as_of(region, year)
    rows, standards_used = _review_rows(as_of, year, specs, standards, prov_of)

    dated = any(
        "opening_year" in gdf.columns and pd.to_numeric(gdf["opening_year"], errors="coerce").notna().any()
        for lid, gdf in (getattr(region, "facilities", {}) or {}).items()
        if lid in layers
    )
    yearly_df = None
    if yearly and dated and first_year <= year:
        parts = []
        for y in range(first_year, year + 1):
            if y == year:
                df_y = rows
            else:
                r_y, _ = _facilities_as_of(region, y)
                df_y, _ = _review_rows(r_y, y, _indicator_specs(targets, circle_layers, y), standards, prov_of)
            parts.append(df_y[df_y["level"] == "city"][["year", "indicator_id", "indicator_zh", "unit", "value",
                                                          "target", "status", "gap_text"]])  # fmt: skip
        yearly_df = pd.concat(parts, ignore_index=True)

    notes = [
        f"评估年份: {year}年; 开业年份(opening_year)晚于{year}年的设施不计入"
        + (f"; {undated} 处设施无开业年份, 视为已开业" if undated else ""),
        "数据来源: " + provenance_text(region, layers),
        "考核目标: 《江门市民政事业发展“十四五”规划》主要指标表、重点工程(及十三五完成情况表, 仅2020年); "
        "对照评估年份当年或之后最近一个目标年份(2023/2025)的目标",
    ]
    notes += [f"服务标准/口径 — {k}: {v}" for k, v in standards_used.items()]
    notes.append(
        "完成情况: 达标/未达标按考核目标判断, 评估年份早于目标年份时标注“未到期”; “无法计算”表示所需数据缺失; "
        "社区15分钟居家养老服务圈在规划中无量化目标(“基本建成”), 仅报告覆盖率"
    )
    if hasattr(region, "provenance_note"):
        notes.append(region.provenance_note("zh"))
    modelled = [k for k, v in (getattr(region, "provenance", {}) or {}).items() if v in ("modelled", "illustrative")]
    if modelled:
        notes.append("注意: 含模型推算或示意数据的输入只能演示方法, 评估结果不代表实际完成情况")
    return ReviewResult(year=year, rows=rows, yearly=yearly_df, notes=notes)
