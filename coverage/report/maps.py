"""Static choropleth maps of the review's indicators, drawn offline with matplotlib.

:func:`indicator_map` colours the towns (town-level indicators: towns with / without a facility,
or the population coverage rate) or the districts (county and ratio indicators) by the review's
values, with district boundaries and names, a legend, a metric scale bar and a north arrow. Text
comes from :mod:`coverage.i18n`; Chinese is drawn with the Noto CJK font of :mod:`mplfonts`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from coverage.crs import PROJECTED
from coverage.describe import district_names, place_name
from coverage.i18n import indicator_name, t
from coverage.region import Region
from coverage.report.fonts import caveat_footnote, cjk_rc
from coverage.review import CAVEAT_MARK, ReviewResult, format_value

__all__ = ["indicator_map", "map_level", "map_frame", "HAS_COLOUR", "LACKS_COLOUR", "NO_DATA_COLOUR"]

HAS_COLOUR = "#52b788"
LACKS_COLOUR = "#e5989b"
NO_DATA_COLOUR = "#e9ecef"
RAMP = "YlGnBu"
TARGET_COLOUR = "#d62828"
_NICE_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200)


def map_level(measure: str) -> str:
    """``town`` for indicators counted over towns or people, else ``district``."""
    return "town" if measure in ("unit_town", "pop_coverage") else "district"


def _scale_bar(ax, lang: str) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_km = (x1 - x0) / 1000.0
    km = max([k for k in _NICE_KM if k <= width_km / 4] or [_NICE_KM[0]])
    length = km * 1000.0
    height = (y1 - y0) * 0.012
    left, bottom = x0 + (x1 - x0) * 0.05, y0 + (y1 - y0) * 0.05
    for i in range(2):
        ax.add_patch(Rectangle((left + i * length / 2, bottom), length / 2, height,
                               facecolor="black" if i == 0 else "white", edgecolor="black", lw=0.6, zorder=5))  # fmt: skip
    ax.text(left + length / 2, bottom + height * 1.8, t("report.scale", lang, km=f"{km:g}"), ha="center",
            va="bottom", fontsize=7, zorder=5)  # fmt: skip


def _north_arrow(ax, lang: str) -> None:
    ax.annotate(t("report.north", lang), xy=(0.95, 0.95), xytext=(0.95, 0.85), xycoords="axes fraction",
                ha="center", va="center", fontsize=8,
                arrowprops=dict(arrowstyle="-|>", color="black", lw=0.8))  # fmt: skip


def indicator_map(result: ReviewResult, region: Region, indicator_id: str, lang: str = "zh",
                  size: tuple[float, float] = (6.4, 4.8)) -> Figure:  # fmt: skip
    """A choropleth of one indicator of ``result`` on ``region``'s towns or districts.

    Parameters
    ----------
    result : ReviewResult
        The review whose values are mapped (the map shows exactly the table's figures).
    region : Region
        Supplies the town and district polygons.
    indicator_id : str
        An indicator of ``result.rows``.
    lang : {"zh", "en"}
    size : (width, height) in inches

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot (safe in a web server); save it with ``savefig``.
    """
    with cjk_rc():
        return _draw(result, region, indicator_id, lang, size)


def _draw(result: ReviewResult, region: Region, indicator_id: str, lang: str, size: tuple[float, float]) -> Figure:
    rows = result.rows[result.rows["indicator_id"] == indicator_id]
    if rows.empty:
        raise KeyError(f"indicator {indicator_id!r} is not in the review")
    first = rows.iloc[0]
    level = map_level(first.measure)
    key = "town_code" if level == "town" else "district_code"
    values = rows[rows["level"] == level].set_index(key)["value"]
    polys = (region.towns if level == "town" else region.districts).to_crs(PROJECTED)
    polys = polys.assign(value=[values.get(str(c), np.nan) for c in polys[key]])
    districts = region.districts.to_crs(PROJECTED)

    fig = Figure(figsize=size)
    ax = fig.add_axes((0.01, 0.01, 0.84, 0.92))
    ax.set_axis_off()
    ax.set_aspect("equal")
    missing = polys["value"].isna()
    if missing.any():
        polys[missing].plot(ax=ax, color=NO_DATA_COLOUR, edgecolor="white", linewidth=0.3)
    handles = []
    categorical = first.measure in ("unit_town", "unit_county")
    shown = polys[~missing]
    if categorical and len(shown):
        cmap = ListedColormap([LACKS_COLOUR, HAS_COLOUR])
        shown.plot(ax=ax, column=(shown["value"] > 0).astype(int), cmap=cmap, vmin=0, vmax=1, edgecolor="white",
                   linewidth=0.3)  # fmt: skip
        handles = [Patch(facecolor=HAS_COLOUR, label=t("report.legend.has", lang)),
                   Patch(facecolor=LACKS_COLOUR, label=t("report.legend.lacks", lang))]  # fmt: skip
    elif len(shown):
        # Population coverage on the full 0-100 % scale; ratios up to their largest value or target.
        top = max(float(np.nanmax(shown["value"])), 0.0 if math.isnan(first.target_value) else first.target_value)
        vmax = 1.0 if first.measure == "pop_coverage" else (min(1.0, top * 1.1) if first.unit == "rate" else top * 1.1)
        vmax = vmax or 1.0
        norm = Normalize(vmin=0.0, vmax=vmax)
        shown.plot(ax=ax, column="value", cmap=RAMP, norm=norm, edgecolor="white", linewidth=0.3)
        bar = fig.colorbar(ax.collections[-1], cax=fig.add_axes((0.87, 0.15, 0.025, 0.65)))
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v, first.unit, lang, 0)))
        bar.ax.tick_params(labelsize=7)
        bar.set_label(t("report.legend.value", lang, year=result.year), fontsize=7)
        if not math.isnan(first.target_value):
            bar.ax.axhline(first.target_value, color=TARGET_COLOUR, lw=1.5)
            target = format_value(first.target_value, first.unit, lang, 0)
            handles.append(Line2D([], [], color=TARGET_COLOUR, lw=1.5,
                                  label=f"{t('report.chart.target', lang, year=int(first.target_year))} {target}"))
    if missing.any():
        handles.append(Patch(facecolor=NO_DATA_COLOUR, label=t("report.legend.no_data", lang)))
    districts.boundary.plot(ax=ax, color="#343a40", linewidth=0.9)
    names = district_names(districts, lang)
    for geom, code in zip(districts.geometry, districts["district_code"]):
        name = place_name(names, code)
        p = geom.representative_point()
        ax.text(p.x, p.y, str(name), ha="center", va="center", fontsize=7,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.7))  # fmt: skip
    x0, y0, x1, y1 = districts.total_bounds
    pad = 0.03 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    _scale_bar(ax, lang)
    _north_arrow(ax, lang)
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=True)
    title = indicator_name(first.indicator_zh, first.indicator_en, lang)
    mark = CAVEAT_MARK if bool(rows["caveat"].any()) else ""
    if mark:
        caveat_footnote(fig, lang)
    ax.set_title(title + mark, fontsize=9)
    return fig


def map_frame(result: ReviewResult, indicator_id: str) -> pd.DataFrame:
    """The values a map of ``indicator_id`` shows (one row per town or district)."""
    rows = result.rows[result.rows["indicator_id"] == indicator_id]
    level = map_level(rows.iloc[0].measure)
    return rows[rows["level"] == level].reset_index(drop=True)
