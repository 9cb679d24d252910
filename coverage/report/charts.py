"""Charts of the review, drawn offline with matplotlib (also shown by the app).

* :func:`trajectory_chart` — one indicator's city value year by year (from the facilities'
  opening years) against its 2023 and 2025 milestones and the plan's 2020 figure;
* :func:`district_chart` — one indicator by district against its target (a legend names the status
  colours and the dashed target line).

Both y axes run from 0 to above the largest value or target (room for the labels above the points
and bars), with ticks up to the values (never past 100 % for a rate).

Figures are :class:`matplotlib.figure.Figure` objects not attached to pyplot (safe in a web
server); text comes from :mod:`coverage.i18n`, Chinese in the Noto CJK font of :mod:`mplfonts`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from coverage.describe import place_name
from coverage.i18n import indicator_name, status_name, t
from coverage.report.fonts import caveat_footnote, cjk_rc
from coverage.review import CAVEAT_MARK, STATUS_COLOURS, ReviewResult, Status, format_value, place_names

__all__ = ["trajectory_chart", "district_chart", "MILESTONE_COLOURS"]

VALUE_COLOUR = "#1d3557"
MILESTONE_COLOURS = {2023: "#f4a261", 2025: "#d62828"}
_BAR_EDGE = {Status.MET: "#2b8a3e", Status.NOT_MET: "#c92a2a", Status.NOT_YET_DUE: "#e67700",
             Status.MEASURED: "#1c7ed6", Status.CANNOT_COMPUTE: "#868e96"}  # fmt: skip


def _percent_axis(ax, unit: str, lang: str) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v, unit, lang, 0)))


#: Room above the highest bar, point or target line for its label (a fraction of the axis).
HEADROOM = 0.15


def _headroom(ax, top: float, unit: str) -> None:
    """The y axis from 0 to above ``top`` (the largest value or target) with room for the value labels
    above it, ticks at most at 100 % for rates, at least up to the top value."""
    top = top if math.isfinite(top) and top > 0 else (0.1 if unit == "rate" else 1.0)
    ax.set_ylim(0, top * (1 + HEADROOM))
    ticks = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(0, top)
    limit = min(top * (1 + HEADROOM), 1.0) if unit == "rate" else top * (1 + HEADROOM)
    ax.set_yticks([v for v in ticks if -1e-12 <= v <= limit + 1e-12])


def trajectory_chart(trajectory: pd.DataFrame, indicator_id: str, lang: str = "zh",
                     size: tuple[float, float] = (6.4, 3.2)) -> Figure:  # fmt: skip
    """One indicator's path from :func:`coverage.review.trajectory` against its milestones.

    Parameters
    ----------
    trajectory : pandas.DataFrame
        The tidy frame of :func:`coverage.review.trajectory` (or ``ReviewResult.trajectory``).
    indicator_id : str
    lang : {"zh", "en"}
    size : (width, height) in inches
    """
    with cjk_rc():
        return _trajectory(trajectory, indicator_id, lang, size)


def _trajectory(trajectory: pd.DataFrame, indicator_id: str, lang: str, size: tuple[float, float]) -> Figure:
    df = trajectory[trajectory["indicator_id"] == indicator_id].sort_values("year")
    if df.empty:
        raise KeyError(f"indicator {indicator_id!r} is not in the trajectory")
    first = df.iloc[0]
    fig = Figure(figsize=size)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.24, top=0.9)
    ax = fig.add_subplot()
    years = df["year"].astype(int).to_numpy()
    values = pd.to_numeric(df["value"], errors="coerce").to_numpy(dtype=float)
    ax.plot(years, values, marker="o", color=VALUE_COLOUR, lw=1.8, label=t("report.chart.value", lang))
    for k, (y, v) in enumerate(zip(years, values)):
        changed = k in (0, len(values) - 1) or not np.isclose(v, values[k - 1])
        if np.isfinite(v) and changed:
            ax.annotate(format_value(v, first.unit, lang), (y, v), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=6, color=VALUE_COLOUR)  # fmt: skip
    top = np.nanmax(values) if np.isfinite(values).any() else 0.0
    for year, col in ((2023, "target_2023"), (2025, "target_2025")):
        target = float(first[col]) if not pd.isna(first[col]) else math.nan
        if math.isnan(target):
            continue
        top = max(top, target)
        colour = MILESTONE_COLOURS[year]
        ax.axhline(target, color=colour, ls="--", lw=1.0)
        ax.plot([year], [target], marker="D", color=colour, ms=6, ls="none",
                label=f"{t('report.chart.target', lang, year=year)} {format_value(target, first.unit, lang, 0)}")
    actual = first["actual_2020"]
    if not pd.isna(actual):
        top = max(top, float(actual))
        ax.plot([2020], [float(actual)], marker="s", mfc="none", mec="#6c757d", ms=7, ls="none",
                label=t("report.chart.plan_2020", lang))  # fmt: skip
    ax.set_xlim(min(years.min(), 2020) - 0.5, max(years.max(), 2025) + 0.5)
    _headroom(ax, float(top), first.unit)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _percent_axis(ax, first.unit, lang)
    ax.tick_params(labelsize=7)
    ax.grid(axis="y", color="#dee2e6", lw=0.5)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=4, frameon=False)
    mark = CAVEAT_MARK if bool(df["caveat"].any()) else ""
    if mark:
        caveat_footnote(fig, lang)
    ax.set_title(indicator_name(first.indicator_zh, first.indicator_en, lang) + mark, fontsize=9)
    return fig


def district_chart(result: ReviewResult, indicator_id: str, lang: str = "zh",
                   size: tuple[float, float] = (6.4, 3.0)) -> Figure:  # fmt: skip
    """One indicator by district (bars edged by status colour) against its target line."""
    with cjk_rc():
        return _districts(result, indicator_id, lang, size)


def _districts(result: ReviewResult, indicator_id: str, lang: str, size: tuple[float, float]) -> Figure:
    rows = result.rows[(result.rows["indicator_id"] == indicator_id) & (result.rows["level"] == "district")]
    if rows.empty:
        raise KeyError(f"indicator {indicator_id!r} has no district rows")
    first = rows.iloc[0]
    districts = place_names(rows, lang)[1]
    names = [place_name(districts, r.district_code, r.district_zh) for r in rows.itertuples()]
    values = pd.to_numeric(rows["value"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    fig = Figure(figsize=size)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.24, top=0.9)
    ax = fig.add_subplot()
    colours = ["#" + STATUS_COLOURS[Status(s)] for s in rows["status"]]
    edges = [_BAR_EDGE[Status(s)] for s in rows["status"]]
    ax.bar(names, values, color=colours, edgecolor=edges, lw=1.2)
    for i, v in enumerate(rows["value"]):
        ax.text(i, (0 if pd.isna(v) else v), format_value(v, first.unit, lang), ha="center", va="bottom",
                fontsize=7)  # fmt: skip
    handles = [Patch(facecolor="#" + STATUS_COLOURS[s], edgecolor=_BAR_EDGE[s], label=status_name(s, lang))
               for s in dict.fromkeys(Status(v) for v in rows["status"])]  # fmt: skip
    if not pd.isna(first.target_value):
        handles.append(ax.axhline(
            first.target_value, color=MILESTONE_COLOURS.get(int(first.target_year), "#d62828"), ls="--",
            label=f"{t('report.chart.target', lang, year=int(first.target_year))} "
                  f"{format_value(first.target_value, first.unit, lang, 0)}"))  # fmt: skip
    top = max(float(np.nanmax(values)) if len(values) else 0.0,
              0.0 if pd.isna(first.target_value) else float(first.target_value))  # fmt: skip
    _headroom(ax, top, first.unit)
    ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=len(handles),
              frameon=False)  # fmt: skip
    _percent_axis(ax, first.unit, lang)
    ax.tick_params(labelsize=7)
    mark = CAVEAT_MARK if bool(rows["caveat"].any()) else ""
    if mark:
        caveat_footnote(fig, lang)
    ax.set_title(t("report.chart.by_district", lang, name=indicator_name(first.indicator_zh, first.indicator_en,
                                                                         lang)) + mark, fontsize=9)  # fmt: skip
    return fig
