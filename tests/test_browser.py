"""End to end in headless Chromium: the app served by ``streamlit run``, with the network cut.

Every request to a host other than 127.0.0.1/localhost is blocked (and recorded: the default page
must attempt none). The test loads the page, sees the map and the town layer inside the
streamlit-folium iframe, clicks the map where the largest uncovered group lives, sees the covered
population rise, runs the siting tab and downloads a GeoJSON that parses. A second test opens the
app on a workspace holding a facility register with HTML in its names and checks they are shown
as text, nothing of them runs and no ``<img>`` element is created. Screenshots go to
``tests/artifacts/`` (with the server's log, ``streamlit.log``, timings included); with ``COVERAGE_UPDATE_SCREENSHOT=1`` (or when it is missing) one is copied
to ``docs/screenshot.png``.

Needs Debian's ``/usr/bin/chromium`` and the ``playwright`` pip package (its driver; no browser
download); skipped with that reason when either is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts.browser import (  # noqa: E402
    AppServer, ServerError, guarded_context, launch_chromium, map_frame, missing_browser)

ARTIFACTS = ROOT / "tests" / "artifacts"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [pytest.mark.browser, pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))]


#: Facility names that would run script if they reached innerHTML unescaped.
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_REMOVED = "<img src=x onerror=alert(2)>"
#: Where the hostile facility stands (Pengjiang, central Jiangmen).
HOSTILE_AT = (113.0812, 22.5791)
HOSTILE_LAYER = "social_work_station"
#: A name that Markdown would turn into two links (a URL and an e-mail address).
LINKY = "社工站 http://evil.example.com/x 联系 admin@evil.example.com www.evil.example.com"


def _seed_workspace(path: Path) -> None:
    """A workspace whose social-work-station register has HTML in two names (as if uploaded)."""
    import geopandas as gpd
    from shapely.geometry import Point

    from coverage.workspace import Workspace

    gdf = gpd.GeoDataFrame(
        {"facility_id": ["X-1", "X-2", "X-3", "X-4"], "name": [HOSTILE, HOSTILE_REMOVED, "普通社工站", LINKY],
         "source": ["uploaded"] * 4},
        geometry=[Point(*HOSTILE_AT), Point(112.79, 22.25), Point(112.30, 22.20), Point(112.95, 22.40)],
        crs="EPSG:4326",
    )
    Workspace.open(path).save_layer(HOSTILE_LAYER, gdf, source_name="register.csv")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("workspace")  # never the developer's ./workspace
    app = AppServer(workspace, ARTIFACTS / "streamlit.log", timing=True)
    target = _largest_uncovered_cell()
    try:
        app.start(timeout_s=60)  # generous: the machine may be busy with other test runs
    except ServerError as exc:
        pytest.fail(str(exc))
    yield app.url, target, workspace
    app.stop()


def _largest_uncovered_cell() -> tuple[float, float, float]:
    """lon, lat and 60+ population of the most populous uncovered cell under the default standard."""
    from pyproj import Transformer

    from coverage.reach import compute_reach
    from coverage.region import load_default

    region = load_default()
    reach = compute_reach(region, "elder_care_station")
    served = region.population["pop_60plus"].to_numpy(dtype=float)
    served = np.where(np.asarray(reach.covered), 0.0, served)
    i = int(np.argmax(served))
    x, y = region.population["x"].iloc[i], region.population["y"].iloc[i]
    lon, lat = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True).transform(x, y)
    return lon, lat, served[i]


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").strip())


def _guarded_browser(pw, attempted: list[str]):
    """Headless Debian chromium and a context in which every non-local request is blocked (and recorded)."""
    browser = launch_chromium(pw)
    return browser, guarded_context(browser, attempted)


def test_the_guard_records_and_stops_every_request_off_the_machine():
    """The offline checks rely on the guard: a page's requests to other hosts (images, fetch, a
    websocket, an IP address) are all recorded and none succeeds; local addresses are not recorded."""
    attempted: list[str] = []
    with sync_playwright() as pw:
        browser, context = _guarded_browser(pw, attempted)
        try:
            page = context.new_page()
            page.set_content("<img src='https://tile.openstreetmap.org/1/1/1.png'>"
                             "<img src='http://93.184.216.34/x.png'>")
            fetched = page.evaluate("fetch('https://example.com/').then(() => 'reached', () => 'failed')")
            page.evaluate("fetch('http://127.0.0.1:9/').catch(() => null)")
            page.evaluate("new WebSocket('wss://example.com/ws')")
            page.wait_for_timeout(300)
        finally:
            browser.close()
    assert fetched == "failed"
    assert sorted(attempted) == sorted(["https://tile.openstreetmap.org/1/1/1.png", "http://93.184.216.34/x.png",
                                        "https://example.com/", "wss://example.com/ws"])


def test_offline_map_what_if_and_siting(server):
    url, (lon, lat, gain), _ = server
    assert gain > 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    attempted: list[str] = []
    with sync_playwright() as pw:
        browser, context = _guarded_browser(pw, attempted)
        try:
            page = context.new_page()
            page.goto(url)

            # Figures, then the map and the 73 town polygons inside the component iframe.
            values = page.get_by_test_id("coverageFigureValue")
            values.nth(2).wait_for(timeout=30_000)
            frame_el = page.locator('[data-testid="stCustomComponentV1"]').first
            frame_el.wait_for(timeout=30_000)
            frame = frame_el.element_handle().content_frame()
            frame.locator(".leaflet-container").wait_for(timeout=30_000)
            frame.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 73",
                                    timeout=30_000)
            assert frame.locator(".coverage-legend").count() == 1
            assert attempted == [], f"the default page tried to reach the network: {attempted}"
            page.screenshot(path=str(ARTIFACTS / "app.png"))

            # What-if: click where the largest uncovered group lives; the covered population rises.
            covered_before = _number(values.nth(1).inner_text())
            # Zoom in on the spot first (1 px ≈ 10 m at zoom 14) so the click lands in that cell.
            x, y = frame.evaluate(
                "([lat, lng]) => { window.map.setView([lat, lng], 14, {animate: false});"
                " const p = window.map.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
                [lat, lon],
            )
            started = time.monotonic()
            frame.locator(".leaflet-container").click(position={"x": x, "y": y})
            page.wait_for_function(
                "([before]) => { const v = document.querySelectorAll('[data-testid=\"coverageFigureValue\"]')[1];"
                " return v && Number(v.innerText.replace(/,/g, '')) > before; }",
                arg=[covered_before], timeout=20_000,
            )
            elapsed = time.monotonic() - started
            covered_after = _number(values.nth(1).inner_text())
            assert covered_after >= covered_before + gain - 0.5
            page.get_by_text("新增站点 ", exact=False).first.wait_for(timeout=10_000)
            print(f"click → figures updated in {elapsed:.2f} s (incl. debounce and websocket)")

            # Siting: run it and download the proposals as GeoJSON.
            page.get_by_role("tab", name="选址").click()  # only the open tab runs: it is drawn after a run
            run = page.get_by_role("button", name="运行选址")
            run.wait_for(timeout=30_000)
            run.click()
            download_button = page.get_by_role("button", name="下载 GeoJSON")
            download_button.wait_for(timeout=90_000)  # the siting run itself takes a few seconds
            with page.expect_download(timeout=20_000) as info:
                download_button.click()
            path = info.value.path()
            fc = json.loads(Path(path).read_text(encoding="utf-8"))
            assert fc["type"] == "FeatureCollection"
            assert len(fc["features"]) == 5
            for feature in fc["features"]:
                lon_, lat_ = feature["geometry"]["coordinates"]
                assert 111.8 < lon_ < 113.4 and 21.4 < lat_ < 22.9
            page.screenshot(path=str(ARTIFACTS / "app_siting.png"), full_page=False)
            assert attempted == [], f"the page tried to reach the network: {attempted}"
        finally:
            browser.close()

    target = ROOT / "docs" / "screenshot.png"
    if os.environ.get("COVERAGE_UPDATE_SCREENSHOT") == "1" or not target.exists():
        shutil.copyfile(ARTIFACTS / "app.png", target)


def test_hostile_facility_names_are_shown_as_text(server):
    """HTML in uploaded names: rendered as text in the page and in the map's tooltip, never run."""
    url, _, workspace = server
    from coverage.ui.persist import DRAFT_PARAM, new_draft_id
    from coverage.workspace import Workspace

    # Saved while the server runs: the tab opened on this draft's URL reads it. It reopens where it
    # was left: on the social-work layer, with X-2 and X-4 (a name with a URL and an e-mail) removed.
    _seed_workspace(workspace)
    draft_id = new_draft_id()
    Workspace.open(workspace).save_draft(draft_id, {"layer": HOSTILE_LAYER, "changes": [
        {"op": "remove", "layer": HOSTILE_LAYER, "facility_id": "X-2", "name": HOSTILE_REMOVED},
        {"op": "remove", "layer": HOSTILE_LAYER, "facility_id": "X-4", "name": LINKY}]})
    attempted: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser, context = _guarded_browser(pw, attempted)
        try:
            page = context.new_page()

            def on_dialog(dialog):
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(f"{url}?{DRAFT_PARAM}={draft_id}")
            values = page.get_by_test_id("coverageFigureValue")
            values.nth(3).wait_for(timeout=30_000)
            assert values.nth(3).inner_text() == "2"  # X-1 and X-3 (X-2, X-4 removed by the restored edits)
            # The removed facilities' names are listed among the edits, as text: no link is made of
            # the URL or the e-mail address in one of them.
            page.get_by_text(HOSTILE_REMOVED, exact=False).first.wait_for(timeout=10_000)
            shown = page.get_by_text("evil.example.com", exact=False).first
            shown.wait_for(timeout=10_000)
            assert "http:" in shown.inner_text() and "admin" in shown.inner_text()
            main = page.locator('[data-testid="stMain"]')
            assert main.locator('a[href*="evil"]').count() == 0
            assert main.locator('a[href^="mailto:"]').count() == 0

            frame_el = page.locator('[data-testid="stCustomComponentV1"]').first
            frame_el.wait_for(timeout=30_000)
            frame = frame_el.element_handle().content_frame()
            frame.locator(".leaflet-container").wait_for(timeout=30_000)
            frame.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 73",
                                    timeout=30_000)
            # Hover the hostile facility: its tooltip shows the name literally.
            lon, lat = HOSTILE_AT
            x, y = frame.evaluate(
                "([lat, lng]) => { window.map.setView([lat, lng], 16, {animate: false});"
                " const p = window.map.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
                [lat, lon],
            )
            frame.locator(".leaflet-container").hover(position={"x": x, "y": y})
            tooltip = frame.locator(".leaflet-tooltip", has_text="onerror")
            tooltip.first.wait_for(timeout=10_000)
            assert HOSTILE in tooltip.first.inner_text()
            page.screenshot(path=str(ARTIFACTS / "app_hostile_names.png"))

            assert frame.locator('img[src="x"]').count() == 0
            assert page.locator('img[src="x"]').count() == 0
            page.wait_for_timeout(300)  # an onerror handler would have fired by now
            assert dialogs == []
            assert attempted == [], f"the page tried to reach the network: {attempted}"
        finally:
            browser.close()


# --------------------------------------------------------------------------- language, legend, removal

#: Words allowed in the Chinese page: proper nouns, formats, units, standards, the language switch.
ZH_ALLOWED = {
    "English", "GB", "GeoJSON", "CSV", "Excel", "Markdown", "Word", "Leaflet", "OpenStreetMap", "GPS", "WGS",
    "GCJ", "BD", "CGCS", "km", "GPKG", "SHP", "GeoTIFF", "TIF", "TIFF", "XLSX", "JSON", "ZIP", "MB", "Language",
    "ILP", "pp", "k", "m", "s", "x", "tk", "GEOJSON", "CSV", "GPKG", "SFCA", "E2SFCA",
    "Skip", "to", "main", "content",  # Streamlit's own "Skip to main content" link (shown on keyboard focus)
}
#: Chinese allowed in the English page: the language switch (its label is bilingual).
EN_ALLOWED = {"中文", "语言"}


def _page_text(page) -> str:
    """All text of the page (sidebar, main, the map's legend and controls), without <noscript>."""
    # innerText leaves out what inputs show (a select box's chosen value is an <input>'s value).
    text = page.evaluate("() => { document.querySelectorAll('noscript').forEach(n => n.remove());"
                         " return document.body.innerText + '\\n' + Array.from(document.querySelectorAll("
                         "'input:not([type=hidden]):not([type=password]):not([type=checkbox]):not([type=radio]), textarea'))"
                         ".map(i => i.value || i.placeholder || '').join('\\n'); }")
    frame_el = page.locator('[data-testid="stCustomComponentV1"]').first
    if frame_el.count():
        frame = frame_el.element_handle().content_frame()
        if frame is not None:
            text += "\n" + frame.locator("body").inner_text()
    return text


def _foreign_words(text: str, lang: str) -> set[str]:
    if lang == "zh":
        return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ZH_ALLOWED}
    return {w for w in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+", text) if w not in EN_ALLOWED}


def _wait_idle(page) -> None:
    """Until Streamlit has finished the run (its status widget gone)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def test_every_tab_reads_in_one_language(server):
    url, _, workspace = server
    attempted: list[str] = []
    found: dict[str, dict[str, set[str]]] = {}
    with sync_playwright() as pw:
        browser, context = _guarded_browser(pw, attempted)
        try:
            page = context.new_page()
            page.goto(url)
            page.get_by_test_id("coverageFigureValue").nth(3).wait_for(timeout=60_000)
            for lang in ("zh", "en"):
                if lang == "en":
                    page.get_by_text("English", exact=True).first.click()
                    page.get_by_role("tab", name="Coverage").first.wait_for(timeout=60_000)
                _wait_idle(page)
                found[lang] = {}
                page.get_by_role("tab").first.wait_for(timeout=60_000)
                names = [page.get_by_role("tab").nth(i).inner_text() for i in range(page.get_by_role("tab").count())]
                assert len(names) >= 5, names
                for name in names:
                    page.get_by_role("tab", name=name, exact=True).first.click()
                    _wait_idle(page)
                    text = _page_text(page).replace(str(workspace), "")  # the machine's path, not a word
                    text = re.sub(r"(/[\w.\-]+)+", "", text)
                    text = text.replace("You need to enable JavaScript to run this app.", "")  # Streamlit's
                    found[lang][name] = _foreign_words(text, lang)
                page.screenshot(path=str(ARTIFACTS / f"app_{lang}.png"))
            assert attempted == [], f"the page tried to reach the network: {attempted}"
        finally:
            browser.close()
    bad = {lang: {tab: words for tab, words in by_tab.items() if words} for lang, by_tab in found.items()}
    assert bad == {"zh": {}, "en": {}}, bad


def test_legend_caveat_and_click_to_remove(server):
    """Default data: the legend explains every symbol, the headline figures carry the caveat, and a
    click on a facility marker offers its removal (the facility count drops once it is removed)."""
    url, _, _ = server
    attempted: list[str] = []
    with sync_playwright() as pw:
        browser, context = _guarded_browser(pw, attempted)
        try:
            page = context.new_page()
            page.goto(url)
            values = page.get_by_test_id("coverageFigureValue")
            values.nth(3).wait_for(timeout=60_000)
            labels = page.get_by_test_id("coverageFigureLabel")
            assert all("ᵃ示意数据" in labels.nth(i).inner_text() for i in range(4))
            frame_el = page.locator('[data-testid="stCustomComponentV1"]').first
            frame_el.wait_for(timeout=30_000)
            frame = frame_el.element_handle().content_frame()
            frame.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 73",
                                    timeout=30_000)
            legend = frame.locator(".coverage-legend")
            legend.wait_for(timeout=10_000)
            kinds = frame.evaluate(
                "Array.from(document.querySelectorAll('.coverage-legend [data-legend]')).map(e => e.dataset.legend)")
            assert "ramp" in kinds and "existing" in kinds
            assert frame.locator(".leaflet-control-scale-line").count() == 1  # metric only
            assert frame.evaluate("window.map.scrollWheelZoom.enabled()") is False

            # Click the first station's marker: it is picked in the remove box, nothing is added.
            before = _number(values.nth(3).inner_text())
            x, y = frame.evaluate(
                "() => { const l = window.coverageLayers.facilities.getLayers()[0];"
                " window.map.setView(l.getLatLng(), 16, {animate: false});"
                " const p = window.map.latLngToContainerPoint(l.getLatLng()); return [p.x, p.y]; }")
            frame.locator(".leaflet-container").click(position={"x": x, "y": y})
            remove = page.get_by_role("button", name="移除", exact=True)
            page.wait_for_function(
                "() => { const b = Array.from(document.querySelectorAll('button'))"
                ".find(b => b.innerText.trim() === '移除'); return b && !b.disabled; }", timeout=20_000)
            assert _number(values.nth(3).inner_text()) == before
            assert frame.evaluate("window.map.scrollWheelZoom.enabled()") is True  # enabled by the click
            remove.click()
            page.wait_for_function(
                "([b]) => Number(document.querySelectorAll('[data-testid=\"coverageFigureValue\"]')[3]"
                ".innerText.replace(/,/g, '')) === b - 1", arg=[before], timeout=20_000)
            frame = page.locator('[data-testid="stCustomComponentV1"]').first.element_handle().content_frame()
            frame.wait_for_function(
                "document.querySelector('.coverage-legend [data-legend=\"removed\"]') !== null", timeout=20_000)
            # Exactly the removed station is drawn as removed (the marks touch only what changed).
            assert frame.evaluate("window.coverageLayers.facilities.getLayers()"
                                  ".filter(l => l.options.dashArray === '2').length") == 1

            # The layer control's facilities box hides the stations kept on the map, and they stay
            # hidden (the box unticked) through the next update, until it is ticked again.
            stations = ("() => window.coverageLayers.facilities._map ?"
                        " window.coverageLayers.facilities.getLayers().length : 0")
            box = frame.locator(".leaflet-control-layers-overlays label", has_text="现有设施").locator("input")
            n_stations = frame.evaluate(stations)
            assert n_stations > 100
            frame.locator(".leaflet-control-layers").hover()
            box.click()
            frame.wait_for_function(f"({stations})() === 0", timeout=10_000)

            # Gap zones: drawn hatched, and listed in the legend.
            page.get_by_text("显示缺口", exact=True).click()
            frame.wait_for_function(
                "document.querySelector('.coverage-legend [data-legend=\"gaps\"]') !== null", timeout=60_000)
            assert frame.locator('path[fill="url(#coverage-hatch)"]').count() > 0
            assert frame.locator("#coverage-hatch").count() == 1
            frame.wait_for_timeout(200)
            assert frame.evaluate(stations) == 0 and not box.is_checked()  # the update kept them hidden
            frame.locator(".leaflet-control-layers").hover()
            box.click()
            frame.wait_for_function(f"({stations})() === {n_stations}", timeout=10_000)
            assert box.is_checked()
            page.screenshot(path=str(ARTIFACTS / "app_legend.png"))
            assert attempted == [], f"the page tried to reach the network: {attempted}"
        finally:
            browser.close()


def test_a_language_switch_keeps_the_stations_and_retitles_them(server):
    """English after Chinese: the station markers on the map are the same elements (not drawn
    again), their tooltips and the layer control read in English, and a click on a station still
    offers its removal (its tooltip carries the facility token in either language)."""
    from coverage.i18n import t

    url, _, _ = server
    attempted: list[str] = []
    with sync_playwright() as pw:
        browser, context = _guarded_browser(pw, attempted)
        try:
            page = context.new_page()
            page.goto(url)
            values = page.get_by_test_id("coverageFigureValue")
            values.nth(3).wait_for(timeout=60_000)
            frame = map_frame(page)
            _wait_idle(page)
            first_tip = ("() => window.coverageLayers.facilities.getLayers()[0].getTooltip().getContent()")
            n = frame.evaluate("() => { const ls = window.coverageLayers.facilities.getLayers();"
                               " ls.forEach(l => { l._path.coverageMark = 1; }); window.coverageMarkMap = 1;"
                               " return ls.length; }")
            assert n > 100
            assert t("click_to_remove", "zh") in frame.evaluate(first_tip)

            page.get_by_text("English", exact=True).first.click()
            page.get_by_role("tab", name=t("tab_coverage", "en")).first.wait_for(timeout=60_000)
            _wait_idle(page)
            frame = page.locator('[data-testid="stCustomComponentV1"]').first.element_handle().content_frame()
            frame.wait_for_function(
                f"() => window.coverageLayers.facilities.getLayers()[0].getTooltip().getContent()"
                f".indexOf({json.dumps(t('click_to_remove', 'en'))}) >= 0", timeout=20_000)
            kept = frame.evaluate("() => { const ls = window.coverageLayers.facilities.getLayers();"
                                  " return [window.coverageMarkMap, ls.length,"
                                  " ls.filter(l => l._path && l._path.coverageMark === 1).length]; }")
            assert kept == [1, n, n]  # the same map and the same marker elements, every one
            tip = frame.evaluate(first_tip)
            assert t("f_name", "en") in tip and t("f_name", "zh") not in tip
            assert frame.locator(".leaflet-control-layers-overlays").inner_text().count(
                t("lyr_facilities", "en")) == 1

            x, y = frame.evaluate(
                "() => { const l = window.coverageLayers.facilities.getLayers()[0];"
                " window.map.setView(l.getLatLng(), 16, {animate: false});"
                " const p = window.map.latLngToContainerPoint(l.getLatLng()); return [p.x, p.y]; }")
            before = _number(values.nth(3).inner_text())
            frame.locator(".leaflet-container").click(position={"x": x, "y": y})
            label = t("remove", "en")
            page.wait_for_function(
                "([label]) => { const b = Array.from(document.querySelectorAll('button'))"
                ".find(b => b.innerText.trim() === label); return b && !b.disabled; }", arg=[label], timeout=20_000)
            assert _number(values.nth(3).inner_text()) == before  # picked for removal, nothing added
            dashed = "() => window.coverageLayers.facilities.getLayers().filter(l => l.options.dashArray === '2').length"
            page.get_by_role("button", name=label, exact=True).click()
            frame.wait_for_function(f"({dashed})() === 1", timeout=20_000)  # drawn as removed
            undo = t("undo", "en")
            page.wait_for_function(
                "([label]) => { const b = Array.from(document.querySelectorAll('button'))"
                ".find(b => b.innerText.trim() === label); return b && !b.disabled; }", arg=[undo], timeout=20_000)
            page.get_by_role("button", name=undo, exact=True).click()
            frame.wait_for_function(f"({dashed})() === 0", timeout=20_000)  # and back after the undo
            assert frame.evaluate("window.coverageMarkMap") == 1  # the same map all along
            assert attempted == [], f"the page tried to reach the network: {attempted}"
        finally:
            browser.close()


#: When each element kind first appears in the page (ms since navigation), for the first-load order.
FIRST_SEEN = """
window.__firstSeen = {};
new MutationObserver(() => {
  for (const id of ["coverageFigureValue", "stCustomComponentV1", "stDataFrame", "stVegaLiteChart", "stDownloadButton"]) {
    if (!(id in window.__firstSeen) && document.querySelector(`[data-testid="${id}"]`)) {
      window.__firstSeen[id] = performance.now();
    }
  }
}).observe(document, {subtree: true, childList: true});
"""


def test_a_first_load_draws_the_map_before_the_coverage_tables(server):
    """The figures and the map come with the session's first run; the map, once drawn, makes the page
    run once more, which draws the coverage tab's tables, chart and download (their JavaScript no
    longer holds the map back). A later map rebuild in the same page (a layer switch) adds no run."""
    url, _target, _workspace = server
    log = ARTIFACTS / "streamlit.log"
    attempted: list[str] = []
    with sync_playwright() as pw:
        browser, context = _guarded_browser(pw, attempted)
        try:
            page = context.new_page()
            page.add_init_script(FIRST_SEEN)
            start = log.stat().st_size
            page.goto(url)
            map_frame(page)
            page.get_by_test_id("stDataFrame").nth(1).wait_for(timeout=60_000)
            page.get_by_test_id("stVegaLiteChart").first.wait_for(timeout=60_000)
            page.get_by_role("button", name="下载 CSV").wait_for(timeout=60_000)
            _wait_idle(page)
            seen = page.evaluate("window.__firstSeen")
            runs = log.read_text(encoding="utf-8", errors="replace")[start:].count("[timing] total")
            # A layer switch rebuilds the map's layers in the same page: one run, no second signal.
            mark = log.stat().st_size
            page.get_by_role("combobox", name="设施图层").first.click()
            page.get_by_role("option", name="长者饭堂", exact=False).first.click()
            page.wait_for_function("() => [...document.querySelectorAll('[data-testid=coverageFigureValue]')]"
                                   ".some(e => e.innerText.trim() === '60')", timeout=60_000)
            _wait_idle(page)
            page.wait_for_timeout(1000)
            _wait_idle(page)
            switch_runs = log.read_text(encoding="utf-8", errors="replace")[mark:].count("[timing] total")
        finally:
            browser.close()
    assert attempted == []
    assert seen["coverageFigureValue"] <= seen["stCustomComponentV1"] < seen["stDataFrame"], seen
    assert seen["stDataFrame"] <= seen["stVegaLiteChart"] and seen["stDataFrame"] <= seen["stDownloadButton"], seen
    assert runs == 2, runs
    assert switch_runs == 1, switch_runs
