"""The page speaks one language: a scan of every text the app shows, without a browser.

The app is rendered with Streamlit's AppTest in Chinese and in English; every element of every tab
is walked (markdown, captions, metric labels and values, buttons, selectbox / radio options,
expanders, alerts, dataframe headers and the text cells of their string columns). A Chinese page
must hold no English word, an English page no Chinese character, outside a short allow-list:
proper nouns and data (facility and place names from the data files, the language switch
``语言 / Language``, ``中文`` / ``English``), units (``km``, ``m``, ``km/h``), the standard's
name ``GB 50180-2018``, CRS names (``WGS-84``, ``GCJ-02``, ``BD-09``, ``EPSG:4326``), file types
and names, method acronyms (``2SFCA``). The import report of a refused hostile upload
(``tests/data/hostile``) is scanned the same way.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage.errors import DataImportError
from coverage.i18n import STRINGS
from coverage.io.report import ImportReport
from coverage.io.workspace_import import read_imports
from coverage.region import load_default
from coverage.workspace import ENV_VAR

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).parent / "data" / "hostile"

#: Words a Chinese page may show in Latin letters: units, standards, CRS, file types, acronyms, brands.
ZH_ALLOWED = {
    "gb", "km", "m", "h", "min", "s", "ha", "mb", "kb", "wgs", "gcj", "bd", "epsg", "cgcs", "utm", "crs",
    "csv", "xlsx", "xls", "geojson", "json", "gpkg", "shp", "zip", "tif", "tiff", "docx", "md", "pdf", "sqlite",
    "gps", "geotiff", "osm", "openstreetmap", "pbf", "graphml", "leaflet", "excel", "word",
    "sfca", "e2sfca", "g2sfca", "gini", "theil", "id", "k", "p", "ilp", "mip", "cbc", "highs",
    "utf", "gbk", "big5", "english", "language",
}
#: Chinese an English page may show: the language switch.
EN_ALLOWED = ("语言 / Language", "中文")

#: Widgets: their ``value`` is the option's code, what they show is their options and label.
WIDGETS = {"selectbox", "multiselect", "radio", "number_input", "text_input", "text_area", "checkbox", "toggle",
           "slider", "select_slider", "date_input", "time_input", "color_picker", "button", "download_button",
           "file_uploader", "button_group", "chat_input"}

#: Codes in messages, not words: column ids and layer ids (``facility_id``, ``social_work_station-r<行号>``).
IDENTIFIER = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?:-r)?")

#: File names (the upload's own name is shown as given).
FILE_NAME = re.compile(r"[^\s/\\:：（(]+\.(?:csv|xlsx|xls|geojson|json|gpkg|zip|tif|tiff|docx|sqlite)\b", re.I)

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
#: Spans that are not prose: file paths, CSS, HTML tags (the headline figures' block; its help
#: text is the provenance note, scanned where the sidebar shows it), escaped markdown.
NOT_PROSE = re.compile(r"(?:/[\w.\-\\]+)+|<style>.*?</style>|<[a-z/][^>]*>|\\|:[a-z]+\[|\]", re.S)


def _data_names() -> tuple[set[str], set[str]]:
    """Names that come from the data (proper nouns shown as given: facility names, addresses, ids)
    and the place names (towns, districts: each has a name in both languages)."""
    region = load_default()
    names: set[str] = set()
    for frame in region.facilities.values():
        for col in ("name", "address", "facility_id"):
            if col in frame.columns:
                names.update(str(v) for v in frame[col].dropna())
    places: set[str] = set()
    for frame, cols in ((region.towns, ("town_zh", "town_en")), (region.districts, ("district_zh", "district_en"))):
        for col in cols:
            places.update(str(v) for v in frame[col].dropna())
    return {n for n in names if n} - places, places


DATA_NAMES, PLACES = _data_names()
#: Longest first, so a facility named after its town is removed whole.
_DATA_ORDER = sorted(DATA_NAMES, key=len, reverse=True)


def _strip_data(text: str, lang: str) -> str:
    """``text`` without the data's proper nouns of the other script; a town or district name is kept
    (it must be shown in the page's language: pinyin in English)."""
    for name in _DATA_ORDER:
        if name in text and bool(CJK.search(name)) == (lang == "en"):
            text = text.replace(name, " ")
    return text


def _texts(at: AppTest) -> Iterator[tuple[str, str]]:
    """(where, text) of every text shown by the app's elements."""
    def walk(node, path: str) -> Iterator[tuple[str, str]]:
        kind = getattr(node, "type", type(node).__name__)
        here = f"{path}/{kind}"
        if kind == "tab":
            here = f"{path}/tab[{node.label}]"
        attrs = ("label", "help", "placeholder", "options") if kind in WIDGETS else ("value", "label", "body", "help")
        seen: set[str] = set()  # ``value`` and ``body`` of a markdown are the same text
        for attr in attrs:
            try:
                v = getattr(node, attr)
            except Exception:  # an element without the attribute (or a widget with no value yet)
                continue
            for item in [v] if isinstance(v, str) else v if isinstance(v, (list, tuple)) else []:
                if isinstance(item, str) and item and item not in seen:
                    seen.add(item)
                    yield f"{here}.{attr}", item
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from walk(child, here)

    yield from walk(at._tree, "")
    for i, d in enumerate(at.dataframe):
        frame = d.value
        for col in frame.columns:
            yield f"dataframe[{i}].header", str(col)
        for col in frame.columns:
            values = frame[col]
            if values.dtype == object or pd.api.types.is_string_dtype(values):
                for v in values.dropna().astype(str).unique():
                    yield f"dataframe[{i}][{col}]", v


def offending(at: AppTest, lang: str) -> list[tuple[str, str, str]]:
    """(where, word, text) of every word of the other language on the page."""
    out = []
    for where, text in _texts(at):
        prose = _strip_data(text, lang)
        if lang == "zh":
            out += [(where, word, text[:160]) for word in _english_words(prose)]
        else:
            for allowed in EN_ALLOWED:
                prose = prose.replace(allowed, " ")
            out += [(where, word, text[:160]) for word in CJK.findall(NOT_PROSE.sub(" ", prose))]
    return out


def _report(found: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"{where}: {word!r} in {text!r}" for where, word, text in found[:40])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    old = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(tmp_path_factory.mktemp("workspace"))
    yield
    if old is None:
        os.environ.pop(ENV_VAR, None)
    else:
        os.environ[ENV_VAR] = old


#: Session key of the page's tabs (app.py ``TAB_KEY``): only the open tab runs, so each is opened in turn.
TAB_KEY = "main_tab"
#: Buttons whose results are scanned too: siting, the annual review, the accessibility analysis.
RESULT_BUTTONS = ("运行选址", "Run siting", "运行年度评估", "Run the annual review", "计算", "Compute")


def _start(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if lang == "en":
        at.sidebar.radio(key="lang").set_value("en").run()
        assert not at.exception, [e.message for e in at.exception]
    return at


def scan(lang: str) -> list[tuple[str, str, str]]:
    """Open every tab of a new session in ``lang`` (pressing its result buttons) and collect the
    words of the other language (:func:`offending`), each once."""
    at = _start(lang)
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    for label in [tab.label for tab in at.tabs]:
        at.session_state[TAB_KEY] = label
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        for f in offending(at, lang):
            found.setdefault((f[1], f[2]), f)
        for button in [b for b in at.button if b.label in RESULT_BUTTONS]:
            button.click().run()
            assert not at.exception, [e.message for e in at.exception]
            for f in offending(at, lang):
                found.setdefault((f[1], f[2]), f)
    return list(found.values())


@pytest.mark.slow  # every tab of a session, siting and the review run: 10-30 s
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_tab_speaks_the_page_language(workspace, lang):
    found = scan(lang)
    assert not found, f"{len(found)} word(s) of the other language on the {lang} page:\n{_report(found)}"


#: Hostile CSVs of ``tests/data/hostile``: two the reader refuses, two it imports with warnings.
HOSTILE_CSVS = ("csv_unterminated_quote.csv", "csv_quote_inside_cell.csv", "csv_nursing_over_beds.csv",
                "csv_year_2099.csv")
UPLOAD_LAYER = "social_work_station"


def _library_report(path: Path) -> ImportReport:
    """The import report of ``path`` as the library makes it (what the app shows)."""
    try:
        return read_imports(load_default().towns, facilities={UPLOAD_LAYER: path})["facilities"][UPLOAD_LAYER][1]
    except DataImportError as exc:
        return exc.report


def _english_words(text: str) -> list[str]:
    """Latin words of ``text`` outside the allow-list, file names and identifiers (Markdown escapes undone)."""
    plain = FILE_NAME.sub(" ", re.sub(r"\\(.)", r"\1", text))
    return [w for w in LATIN_WORD.findall(NOT_PROSE.sub(" ", IDENTIFIER.sub(" ", plain)))
            if w.lower() not in ZH_ALLOWED and not re.fullmatch(r"[A-Z]{1,3}\d*|\d\w*", w)]


def _shown_report(path: Path, monkeypatch, tmp_path) -> pd.DataFrame:
    """Upload ``path`` on the 数据 tab of a new Chinese session; the import report it shows."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    at = _start("zh")
    at.session_state[TAB_KEY] = "数据"
    at.run()
    at.selectbox(key="upload_layer").set_value(UPLOAD_LAYER)
    at.file_uploader(key="up_fac").set_value((path.name, path.read_bytes(), "text/csv"))
    next(b for b in at.button if b.label == "使用上传数据").click().run()
    assert not at.exception, [e.message for e in at.exception]
    reports = [d.value for d in at.dataframe if list(d.value.columns) == ["文件", "行", "列", "级别", "说明"]]
    assert reports, "the upload shows its import report"
    shown = pd.concat(reports, ignore_index=True)
    assert set(shown["级别"]) <= {"错误", "警告", "说明", "提示"}
    found = [f for f in offending(at, "zh") if f[0].startswith("dataframe") or "alert" in f[0] or "error" in f[0]]
    return shown, found


@pytest.mark.parametrize("name", HOSTILE_CSVS)
def test_import_report_of_a_hostile_csv_is_in_chinese(name, monkeypatch, tmp_path):
    """Every message already in the catalogue (an :class:`~coverage.io.report.Issue` code) is shown
    in Chinese on the Chinese page; the report's headers and severities are Chinese."""
    shown, _ = _shown_report(HOSTILE / name, monkeypatch, tmp_path)
    messages = set(shown["说明"].astype(str))
    converted = [i for i in _library_report(HOSTILE / name).issues if i.code in STRINGS]
    for issue in converted:
        text = issue.text("zh")
        assert text in messages, f"{issue.code}: {text!r} not shown"
        assert not _english_words(text), f"{issue.code}: English in {text!r}"


@pytest.mark.parametrize("name", HOSTILE_CSVS)
def test_import_report_holds_no_english(name, monkeypatch, tmp_path):
    """No message of the Chinese report, nor the error above it, holds English (the file's own name aside)."""
    shown, found = _shown_report(HOSTILE / name, monkeypatch, tmp_path)
    english = {m: _english_words(m) for m in shown["说明"].astype(str) if _english_words(m)}
    assert not english, f"English in the Chinese import report of {name}: {english}"
    assert not found, _report(found)


def test_the_scan_finds_the_other_language():
    """The detector itself: a Chinese place name on an English page, an English word on a Chinese
    page are found; units, the standard, CRS names and facility names from the data are not."""
    script = """
import streamlit as st
lang = st.session_state.get("scan_lang", "zh")
if lang == "en":
    st.markdown("Coverage of 白沙街道: 81.0% within 770 m (GB 50180-2018, WGS-84)")
    st.caption("白沙街道居家养老服务站1 is open")
else:
    st.markdown("白沙街道覆盖率 81.0%, 770 m 直线距离 (GB 50180-2018, EPSG:4326)")
    st.caption("覆盖率 coverage")
"""
    for lang, word in (("en", "白沙街道"), ("zh", "coverage")):
        at = AppTest.from_string(script)
        at.session_state["scan_lang"] = lang
        at.run()
        assert [f[1] for f in offending(at, lang)] == [word]
