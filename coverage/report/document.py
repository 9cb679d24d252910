"""The annual review as a Word document (python-docx), with maps and charts drawn offline.

Contents: a cover (title, review year, date; a "demonstration data" mark when any figure used
modelled or illustrative inputs), a one-page summary (status counts and the largest gaps), the
indicator table of each level with coloured statuses (the same cells as the XLSX review, from
:func:`coverage.review.review_table`), a choropleth map per measured indicator (the 15-minute
circle included), each indicator's year-by-year path against its 2023 and 2025 milestones, and
the methods and data notice (:func:`coverage.review.review_notes`).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Callable, Iterable

import geopandas as gpd
import pandas as pd
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from matplotlib.figure import Figure

from coverage import settings
from coverage.community import CommunityIndicator, community_indicators
from coverage.describe import district_names, place_name, target_percent, town_names
from coverage.equity import EquityResult, equity
from coverage.errors import CoverageError, ExportError
from coverage.export import atomic_path
from coverage.i18n import indicator_name, layer_name, served_name, source_name, status_name, t
from coverage.layers import get_layer
from coverage.region import Region
from coverage.standards import StandardTable
from coverage.report.charts import trajectory_chart
from coverage.report.maps import indicator_map, map_frame
from coverage.review import (
    CAVEAT_MARK,
    STATUS_COLOURS,
    ReviewResult,
    Status,
    format_value,
    input_label,
    load_targets,
    place_names,
    provenance_items,
    review_notes,
    review_table,
)

__all__ = ["build_report", "write_report", "report_steps", "mapped_indicators", "charted_indicators", "town_matrix",
           "BODY_FONT", "EAST_ASIAN_FONT", "FIGURE_DPI"]  # fmt: skip

#: Fonts named in the document (Word / LibreOffice substitute the nearest installed font).
BODY_FONT = "Calibri"
EAST_ASIAN_FONT = "SimSun"
#: Column widths (cm) of the indicator tables, in :func:`review_table`'s column order.
TABLE_WIDTHS_CM = (1.9, 3.9, 1.4, 1.8, 1.9, 2.5, 2.6, 1.4)
#: Columns (``review.col.*`` keys) and widths of the per-indicator district tables.
DISTRICT_COLUMNS = ("status", "place", "value", "target", "gap", "note")
DISTRICT_WIDTHS_CM = (2.4, 3.2, 2.2, 2.8, 3.6, 3.2)
#: Widths of the town matrix's name columns (town, district: English names are long).
TOWN_NAME_WIDTHS_CM = (2.8, 2.6)
FIGURE_WIDTH_CM = 16.0
#: Resolution of the maps and charts (:data:`coverage.settings.REPORT_FIGURE_DPI`).
FIGURE_DPI = settings.REPORT_FIGURE_DPI
TABLE_STYLE = "Table Text"

Progress = Callable[[str], None]


def mapped_indicators(result: ReviewResult) -> list[str]:
    """Indicators that get a map: those with a value at their map level (town or district)."""
    out = []
    for ind in dict.fromkeys(result.rows["indicator_id"]):
        frame = map_frame(result, ind)
        if pd.to_numeric(frame["value"], errors="coerce").notna().any():
            out.append(ind)
    return out


def charted_indicators(result: ReviewResult) -> list[str]:
    """Indicators that get a year-by-year chart (a value in at least one year)."""
    traj = result.trajectory
    if traj is None or traj.empty:
        return []
    ok = traj[pd.to_numeric(traj["value"], errors="coerce").notna()]
    return list(dict.fromkeys(ok["indicator_id"]))


def report_steps(result: ReviewResult) -> int:
    """How many times :func:`build_report` calls ``progress`` (for a progress bar's total)."""
    return len(mapped_indicators(result)) + len(charted_indicators(result)) + 3


# --------------------------------------------------------------------------- docx helpers


def _set_fonts(doc: DocumentType) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
        style = doc.styles[name]
        style.font.name = BODY_FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    table_text = doc.styles.add_style(TABLE_STYLE, 1)  # 1: paragraph style
    table_text.base_style = doc.styles["Normal"]
    table_text.font.size = Pt(7.5)
    table_text.paragraph_format.space_after = Pt(0)


def _shade(cell, colour: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour)
    props.append(shd)


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _page_number_footer(doc: DocumentType) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _table(doc: DocumentType, frame: pd.DataFrame, fills: list[list[str | None]] | None = None,
           widths: tuple[float, ...] | None = None) -> None:  # fmt: skip
    """A table of ``frame`` (text cells); ``fills[i][j]`` shades data cell (i, j) (hex RGB or None)."""
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    head = table.rows[0]
    _repeat_header(head)
    style_id = doc.styles[TABLE_STYLE].style_id  # set as an id: assigning by name is slow in python-docx
    for cell, name in zip(head.cells, frame.columns):
        cell.text = str(name)
        cell.paragraphs[0]._p.style = style_id
        cell.paragraphs[0].runs[0].bold = True
        _shade(cell, "E9ECEF")
    for i, values in enumerate(frame.itertuples(index=False)):
        cells = table.add_row().cells
        for j, (cell, value) in enumerate(zip(cells, values)):
            cell.text = str(value)
            cell.paragraphs[0]._p.style = style_id
            if fills is not None and fills[i][j]:
                _shade(cell, fills[i][j])
    if widths:
        for column, w in zip(table.columns, widths):
            column.width = Cm(w)
        for row in table.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = Cm(w)


def _status_fills(statuses: Iterable[Status], n_cols: int) -> list[list[str | None]]:
    """Shade the first (status) column of each row with its status colour."""
    return [[STATUS_COLOURS[Status(s)]] + [None] * (n_cols - 1) for s in statuses]


def _figure(doc: DocumentType, fig: Figure, caption: str, dpi: int) -> None:
    """The figure (``FIGURE_WIDTH_CM`` wide at any ``dpi``) and its caption, kept on one page: the
    picture's paragraph keeps with the next (the caption), the caption's lines together."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    doc.add_picture(buf, width=Cm(FIGURE_WIDTH_CM))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    cap = doc.add_paragraph(caption, style="Caption")
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cap.paragraph_format.keep_together = True
    cap.paragraph_format.keep_with_next = False


def _note(doc: DocumentType, text: str) -> None:
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0x6C, 0x75, 0x7D)


# --------------------------------------------------------------------------- sections


def _cover(doc: DocumentType, result: ReviewResult, lang: str, today: dt.date) -> None:
    for _ in range(6):
        doc.add_paragraph()
    for line in t("report.title", lang).split("\n"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(line)
        run.bold = True
        run.font.size = Pt(22)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(t("report.subtitle", lang, year=result.year)).font.size = Pt(16)
    for _ in range(8):
        doc.add_paragraph()
    for text in (t("report.date", lang, date=today.isoformat()), t("report.generated_by", lang)):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if result.caveat:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(t("report.draft_mark", lang))
        run.bold = True
        run.font.color.rgb = RGBColor(0xC9, 0x2A, 0x2A)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _shortfall(row: pd.Series) -> float:
    target, value = float(row["target_value"]), float(row["value"])
    return (target - value) / target if target > 0 else 0.0


def _summary(doc: DocumentType, result: ReviewResult, lang: str) -> None:
    doc.add_heading(t("report.summary", lang), level=1)
    city = result.city
    counts = {s.value: int((city["status"] == s).sum()) for s in Status}
    doc.add_paragraph(t("report.summary_counts", lang, n=len(city), **counts))
    behind = city[city["status"].isin([Status.NOT_MET, Status.NOT_YET_DUE])].copy()
    doc.add_heading(t("report.worst_gaps", lang), level=2)
    if behind.empty:
        doc.add_paragraph(t("report.no_gaps", lang))
    else:
        behind["_s"] = behind.apply(_shortfall, axis=1)
        order = behind.sort_values("_s", ascending=False).index[:5]
        table = review_table(result, lang, "city").loc[order]
        cols = [t(f"review.col.{c}", lang) for c in ("status", "indicator", "value", "target", "gap")]
        _table(doc, table[cols], _status_fills(city.loc[order, "status"], len(cols)), (2.2, 7.0, 2.2, 2.6, 3.4))
    districts = result.district
    names = place_names(result.rows, lang)[1]
    worst = []
    for ind in dict.fromkeys(behind["indicator_id"]):
        rows = districts[(districts["indicator_id"] == ind) & pd.to_numeric(districts["value"]).notna()]
        if rows.empty:
            continue
        low = rows.loc[pd.to_numeric(rows["value"]).idxmin()]
        name = place_name(names, low.district_code, low.district_zh)
        mark = CAVEAT_MARK if low.caveat else ""
        worst.append(f"{indicator_name(low.indicator_zh, low.indicator_en, lang)}: {name} "
                     f"{format_value(low.value, low.unit, lang)}{mark}")  # fmt: skip
    if worst:
        doc.add_heading(t("report.worst_districts", lang), level=2)
        for line in worst:
            doc.add_paragraph(line, style="List Bullet")
    if result.caveat:
        _note(doc, t("review.notes.caveat", lang))
        _note(doc, t("review.notes.sources", lang, items=provenance_items(result.provenance, lang)))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _tables(doc: DocumentType, result: ReviewResult, lang: str) -> None:
    """City: every indicator in one table; districts: one table per indicator; towns: one row per
    town with each town indicator's value in a cell coloured by its status."""
    doc.add_heading(t("report.tables", lang), level=1)
    city = result.city
    if not city.empty:
        doc.add_heading(t("review.sheet.city", lang), level=2)
        table = review_table(result, lang, "city")
        _table(doc, table, _status_fills(city["status"], len(table.columns)), TABLE_WIDTHS_CM)
    districts = result.district
    if not districts.empty:
        doc.add_heading(t("review.sheet.district", lang), level=2)
        table = review_table(result, lang, "district")
        cols = [t(f"review.col.{c}", lang) for c in DISTRICT_COLUMNS]
        for ind in dict.fromkeys(districts["indicator_id"]):
            sel = (districts["indicator_id"] == ind).to_numpy()
            first = districts[sel].iloc[0]
            doc.add_heading(indicator_name(first.indicator_zh, first.indicator_en, lang), level=3)
            _table(doc, table[sel][cols], _status_fills(districts[sel]["status"], len(cols)), DISTRICT_WIDTHS_CM)
    towns = result.town
    if not towns.empty:
        doc.add_heading(t("review.sheet.town", lang), level=2)
        frame, fills = town_matrix(result, lang)
        n = len(frame.columns) - 2
        rest = 17.4 - sum(TOWN_NAME_WIDTHS_CM)
        _table(doc, frame, fills, TOWN_NAME_WIDTHS_CM + (rest / max(n, 1),) * n)
    if result.caveat:
        _note(doc, t("review.notes.caveat", lang))


def town_matrix(result: ReviewResult, lang: str = "zh") -> tuple[pd.DataFrame, list[list[str | None]]]:
    """The town level as one row per town (镇街, 区县, then each town indicator's measured value,
    the cells of :func:`review_table`) and the status colour of every cell."""
    towns = result.town
    values = review_table(result, lang, "town")[t("review.col.value", lang)]
    ids = list(dict.fromkeys(towns["indicator_id"]))
    order = list(dict.fromkeys(towns["town_code"]))
    cell: dict[tuple[str, str], tuple[str, Status]] = {}
    town_name, district_name = place_names(towns, lang)
    names: dict[str, tuple[str, str]] = {}
    for i, r in enumerate(towns.itertuples(index=False)):
        cell[(r.town_code, r.indicator_id)] = (values.iloc[i], Status(r.status))
        names[r.town_code] = (place_name(town_name, r.town_code, r.town_zh),
                              place_name(district_name, r.district_code, r.district_zh))
    heads = {}
    for r in towns.drop_duplicates("indicator_id").itertuples(index=False):
        heads[r.indicator_id] = indicator_name(r.indicator_zh, r.indicator_en, lang)
    records, fills = [], []
    for code in order:
        row = [*names[code]]
        fill: list[str | None] = [None, None]
        for ind in ids:
            text, status = cell.get((code, ind), ("—", Status.CANNOT_COMPUTE))
            row.append(text)
            fill.append(STATUS_COLOURS[status])
        records.append(row)
        fills.append(fill)
    columns = [t("review.level.town", lang), t("review.level.district", lang), *(heads[i] for i in ids)]
    return pd.DataFrame(records, columns=columns), fills


def _community(doc: DocumentType, result: ReviewResult, items: list[CommunityIndicator], lang: str) -> None:
    """The plan's community indicators: measured on an uploaded 村/社区 layer, else saying they need one."""
    if not items:
        return
    doc.add_heading(t("report.community", lang), level=2)
    names = load_targets().set_index("indicator_id")
    records, fills = [], []
    for item in items:
        if item.met is None:
            status = Status.CANNOT_COMPUTE
        else:
            status = Status.MET if item.met else Status.NOT_MET
        row = names.loc[item.indicator_id] if item.indicator_id in names.index else None
        name = item.indicator_id if row is None else indicator_name(row["indicator_zh"], row["indicator_en"], lang)
        target = "—" if pd.isna(item.target) else f"{'≥' if item.comparator == '>=' else '>'}{target_percent(item.target)}"
        note = "" if status != Status.CANNOT_COMPUTE else t(f"community.status.{item.status.value}", lang)
        records.append([status_name(status, lang), name, format_value(item.value, "rate", lang), target, note])
        fills.append([STATUS_COLOURS[status], None, None, None, None])
    cols = [t(f"review.col.{c}", lang) for c in ("status", "indicator", "value", "target", "note")]
    _table(doc, pd.DataFrame(records, columns=cols), fills, (2.2, 6.6, 2.2, 2.4, 4.0))


def _maps(doc: DocumentType, result: ReviewResult, region: Region, lang: str, dpi: int, step: Progress,
          counter: list[int]) -> None:  # fmt: skip
    ids = mapped_indicators(result)
    if not ids:
        return
    doc.add_heading(t("report.maps", lang), level=1)
    for ind in ids:
        frame = map_frame(result, ind)
        first = frame.iloc[0]
        counter[0] += 1
        caption = t("report.map_caption", lang, n=counter[0], name=indicator_name(first.indicator_zh,
                    first.indicator_en, lang), level=t(f"review.level.{first.level}", lang), year=result.year)  # fmt: skip
        _figure(doc, indicator_map(result, region, ind, lang), caption, dpi)
        step(t("report.progress.maps", lang))


def _trajectories(doc: DocumentType, result: ReviewResult, lang: str, dpi: int, step: Progress,
                  counter: list[int]) -> None:  # fmt: skip
    ids = charted_indicators(result)
    if not ids:
        return
    doc.add_heading(t("report.trajectory", lang), level=1)
    traj = result.trajectory
    first_year = int(traj["year"].min())
    for ind in ids:
        first = traj[traj["indicator_id"] == ind].iloc[0]
        counter[0] += 1
        caption = t("report.trajectory_caption", lang, n=counter[0], first=first_year, year=result.year,
                    name=indicator_name(first.indicator_zh, first.indicator_en, lang))  # fmt: skip
        _figure(doc, trajectory_chart(traj, ind, lang), caption, dpi)
        step(t("report.progress.charts", lang))


def _equity(doc: DocumentType, results: list[EquityResult], region: Region, lang: str) -> None:
    """Coverage and accessibility by area type and district, the Gini / Theil indices, the worst towns."""
    if not results:
        return
    doc.add_heading(t("report.equity", lang), level=1)
    cols = [t(f"report.col.{c}", lang) for c in ("group", "coverage", "beyond", "beyond_2x", "access", "gini")]
    towns, districts = town_names(region.towns, lang), district_names(region.districts, lang)
    for res in results:
        group = served_name(get_layer(res.layer).served_column, lang)
        doc.add_heading(t("report.equity_layer", lang, layer=layer_name(res.layer, lang), group=group), level=2)
        records = []
        for r in res.groups.itertuples(index=False):
            if r.group_kind == "area_type":
                name = t(f"core_area_{r.group}", lang)
            elif r.group_kind == "city":
                name = t("review.city_name", lang)
            else:
                name = place_name(districts, r.group)
            records.append([name, format_value(r.coverage_rate, "rate", lang),
                            format_value(r.share_beyond_standard, "rate", lang),
                            format_value(r.share_beyond_2x_standard, "rate", lang),
                            format_value(getattr(r, res.value_column), "per_1000", lang, 2),
                            format_value(r.gini_access, "per_1000", lang, 3)])  # fmt: skip
        _table(doc, pd.DataFrame(records, columns=cols), None, (3.6, 2.6, 2.6, 3.0, 2.8, 2.8))
        doc.add_paragraph(t("report.equity_summary", lang, gini=res.gini, theil=res.theil, factor=res.far_factor))
        worst = res.worst_towns
        if len(worst):
            names = [f"{place_name(towns, r.town_code)} "
                     f"{format_value(r.coverage_rate, 'rate', lang)}" for r in worst.itertuples(index=False)]
            doc.add_paragraph(f"{t('report.equity_worst', lang)}: " + t("review.note.list_sep", lang).join(names))
        if res.provenance and any(v in ("modelled", "illustrative") for v in res.provenance.values()):
            _note(doc, t("review.notes.caveat", lang))


def _equity_results(result: ReviewResult, region: Region, standards: StandardTable | None) -> list[EquityResult]:
    """Equity of the layers the review measured by population coverage (the 15-minute circle)."""
    out = []
    for layer in result.standards:
        try:
            out.append(equity(region, layer, standards, region.network))
        except CoverageError:  # e.g. no facilities in the layer: the review already says so
            continue
    return out


def _methods(doc: DocumentType, result: ReviewResult, lang: str) -> None:
    doc.add_heading(t("report.methods", lang), level=1)
    for note in review_notes(result, lang):
        doc.add_paragraph(note, style="List Bullet")
    doc.add_heading(t("report.data_notice", lang), level=2)
    frame = pd.DataFrame([(input_label(name, lang), source_name(src, lang)) for name, src in result.provenance.items()],
                         columns=[t("report.col.input", lang), t("report.col.source", lang)])  # fmt: skip
    _table(doc, frame, None, (8.0, 4.0))


# --------------------------------------------------------------------------- public


def build_report(result: ReviewResult, region: Region, lang: str = "zh", progress: Progress | None = None,
                 dpi: int = FIGURE_DPI, today: dt.date | None = None,
                 communities: gpd.GeoDataFrame | None = None) -> bytes:  # fmt: skip
    """The review as a .docx document (bytes), e.g. for the app's download button.

    Parameters
    ----------
    result : ReviewResult
        The review to report (:func:`coverage.review.annual_review`; with its trajectory for the
        year-by-year charts).
    region : Region
        The region the review was computed on (town and district polygons for the maps).
    lang : {"zh", "en"}
    progress : callable, optional
        Called with a short label after each map, chart and section (:func:`report_steps` times).
    dpi : int, default :data:`FIGURE_DPI` (200)
        Resolution of the maps and charts (their size on the page does not change).
    today : datetime.date, optional
        Date printed on the cover (today by default).
    communities : GeoDataFrame, optional
        An uploaded 村/社区 layer (:func:`coverage.io.communities.read_communities`) for the plan's
        community indicators; without one the report says they need it.
    """
    step = progress or (lambda _label: None)
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin = section.bottom_margin = Cm(2.0)
    _set_fonts(doc)
    _page_number_footer(doc)
    doc.core_properties.title = t("report.title", lang).replace("\n", " ")
    _cover(doc, result, lang, today or dt.date.today())
    _summary(doc, result, lang)
    _tables(doc, result, lang)
    by_pair = {(layer, area): std for layer, by in result.standards.items() for area, std in by.items()}
    table = StandardTable(by_pair) if by_pair else None  # the review's own standards
    _community(doc, result, community_indicators(region, communities, result.year, table, region.network), lang)
    step(t("report.progress.tables", lang))
    counter = [0]
    _maps(doc, result, region, lang, dpi, step, counter)
    _trajectories(doc, result, lang, dpi, step, counter)
    _equity(doc, _equity_results(result, region, table), region, lang)
    step(t("report.progress.equity", lang))
    _methods(doc, result, lang)
    buf = io.BytesIO()
    doc.save(buf)
    step(t("report.progress.write", lang))
    return buf.getvalue()


def write_report(path: str | os.PathLike[str], result: ReviewResult, region: Region, lang: str = "zh",
                 progress: Progress | None = None, dpi: int = FIGURE_DPI,
                 communities: gpd.GeoDataFrame | None = None) -> Path:  # fmt: skip
    """Write :func:`build_report` to ``path`` (a ``.docx``; written atomically)."""
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise ExportError(f"cannot write {path}: the report is a .docx file")
    data = build_report(result, region, lang, progress, dpi, communities=communities)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path
