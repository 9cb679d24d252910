"""The page-language widgets of ``coverage.ui.widgets``: the file uploader's words, its caption,
the number columns of the data grids.

The style sheet is checked as text here, and once in headless Chromium against Streamlit's own
uploader (both languages; skipped without ``/usr/bin/chromium`` and playwright): the browse button
reads the page's words, the English lines are hidden, an uploaded file's remove button keeps its ×.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coverage.i18n import t
from coverage.ui import widgets

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts.browser import free_port, guarded_context, launch_chromium, missing_browser  # noqa: E402


def rules(css: str) -> dict[str, str]:
    """``selector -> declarations`` of a flat style sheet."""
    out = {}
    for rule in css.strip().splitlines():
        selector, body = rule.split("{", 1)
        out[selector.strip()] = body.rstrip("} ").strip()
    return out


@pytest.mark.parametrize("lang, words", [("zh", "上传文件"), ("en", "Upload a file")])
def test_the_browse_button_reads_the_page_language(lang, words):
    css = rules(widgets.uploader_css(lang))
    assert css[f"{widgets.BROWSE_LABEL}::after"] == f'content: "{words}";'
    assert css[f"{widgets.BROWSE_LABEL} > *"] == "display: none !important;"  # Streamlit's "Upload"
    assert css[widgets.INSTRUCTIONS] == "display: none !important;"  # "50MB per file • CSV…"
    assert t("upload.drop", lang) in css[f"{widgets.DRAG_OVERLAY}::after"]


def test_the_style_leaves_the_file_chips_alone():
    """Every rule is the browse button's, the instructions' or the drag overlay's: none reaches a
    chip's remove button (the old rule hid every button of the drop zone behind an emoji)."""
    for lang in ("zh", "en"):
        css = widgets.uploader_css(lang)
        for selector in rules(css):
            assert selector.startswith((widgets.BROWSE_LABEL, widgets.INSTRUCTIONS, widgets.DRAG_OVERLAY)), selector
        assert "stFileChip" not in css and "\\1F" not in css  # no emoji (a box without an emoji font)


def test_css_string_cannot_end_the_string_or_the_style_element():
    assert widgets.css_string("上传文件") == '"上传文件"'
    assert widgets.css_string('a"b') == '"a\\"b"'
    assert widgets.css_string("a\\b") == '"a\\\\b"'
    assert "<" not in widgets.css_string("</style><script>")
    assert widgets.css_string("x\ny") == '"x\\A y"'


def test_number_columns_keep_numbers_and_set_their_format():
    config = widgets.number_columns({"人口": "localized", "经度": "%.5f"})
    assert list(config) == ["人口", "经度"]
    assert config["人口"]["type_config"]["type"] == "number" and config["人口"]["type_config"]["format"] == "localized"
    assert config["经度"]["type_config"]["format"] == "%.5f" and config["经度"]["label"] == "经度"


def uploader_page(lang: str) -> None:
    """A page with one uploader drawn by ``widgets.file_input`` (run by AppTest)."""
    import streamlit as st

    from coverage.ui.widgets import file_input

    file_input(st, "设施台账" if lang == "zh" else "Facilities", "up", ["csv", "xlsx"], lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_file_input_has_the_page_caption(lang):
    at = AppTest.from_function(uploader_page, args=(lang,), default_timeout=30).run()
    assert not at.exception
    assert at.caption[0].value == t("upload_hint", lang, mb=50) + " · CSV / XLSX"  # .streamlit/config.toml: 50


# --------------------------------------------------------------------------- in Chromium

PAGE = """
import sys
sys.path.insert(0, {root!r})
import streamlit as st
from coverage.ui.widgets import file_input
lang = st.query_params.get("lang", "zh")
file_input(st, "label", "up", ["csv"], lang)
"""


@pytest.fixture(scope="module")
def uploader_server(tmp_path_factory):
    """``streamlit run`` of a one-uploader page on a free port: its address."""
    script = tmp_path_factory.mktemp("page") / "page.py"
    script.write_text(PAGE.format(root=str(ROOT)), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.browser
@pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))
def test_in_chromium_the_button_has_words_and_the_chip_its_cross(uploader_server):
    from playwright.sync_api import sync_playwright

    attempted: list[str] = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            context = guarded_context(browser, attempted)
            for lang in ("zh", "en"):
                page = context.new_page()
                page.goto(f"{uploader_server}/?lang={lang}")
                zone = page.locator('[data-testid="stFileUploaderDropzone"]')
                zone.wait_for(timeout=60_000)
                label = zone.locator('[data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"]')
                label.wait_for(timeout=30_000)
                assert label.evaluate("e => getComputedStyle(e, '::after').content") == f'"{t("upload.browse", lang)}"'
                assert label.locator("p").evaluate("e => getComputedStyle(e).display") == "none"  # "Upload"
                assert not page.locator('[data-testid="stFileUploaderDropzoneInstructions"]').is_visible()
                page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                    files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": b"x,y\n1,2\n"}])
                remove = page.locator('[data-testid="stFileChipDeleteBtn"] button')
                remove.wait_for(timeout=30_000)
                assert remove.is_visible() and remove.locator("svg").count() == 1  # its own × icon
                assert remove.evaluate("b => getComputedStyle(b, '::after').content") == "none"
                page.close()
        finally:
            browser.close()
    assert attempted == []
