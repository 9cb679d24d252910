"""Uploads through the page in headless Chromium (issues 11 and 12), the network cut.

A sample of the hostile corpus (``tests/data/hostile``) is uploaded through the 数据 tab's file
uploaders: each shows the outcome ``tests/test_hostile_inputs.py`` pins, a refused file saves
nothing, and afterwards a second browser session on the same server loads normally. The gap zones
downloaded from the 缺口 tab each lie inside one town. The caveat mark stands next to the headline
figures on the default data and is gone once every input they use is uploaded.

Needs Debian's ``/usr/bin/chromium`` and the ``playwright`` pip package; skipped without them.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts.browser import AppServer, ServerError, guarded_context, launch_chromium, missing_browser  # noqa: E402

HOSTILE = ROOT / "tests" / "data" / "hostile"
ARTIFACTS = ROOT / "tests" / "artifacts"
#: The layer the page opens on (the sidebar's first) and the uploader's default target.
LAYER = "elder_care_station"
CAVEAT = "ᵃ"
#: A population grid cell's diagonal (500 m cells), plus a metre of rounding.
CELL_DIAGONAL_M = 500 * 2**0.5 + 1

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [pytest.mark.browser, pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` on a fresh temporary workspace: (url, workspace path)."""
    workspace = tmp_path_factory.mktemp("workspace")
    app = AppServer(workspace, ARTIFACTS / "streamlit_uploads.log")
    try:
        app.start(timeout_s=60)
    except ServerError as exc:
        pytest.fail(str(exc))
    yield app.url, workspace
    app.stop()


@pytest.fixture(scope="module")
def chromium():
    """One headless browser for the module; each test opens its own guarded context(s)."""
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


def guarded_page(browser, attempted: list[str]):
    """A page in a fresh context (a new Streamlit session) with every non-local request blocked."""
    return guarded_context(browser, attempted).new_page()


def wait_idle(page) -> None:
    """Until Streamlit has finished the run (its status widget gone)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def open_app(page, url: str) -> None:
    """Load the page: the four headline figures and the 73 towns drawn in the map iframe."""
    page.goto(url)
    page.get_by_test_id("coverageFigureValue").nth(3).wait_for(timeout=60_000)
    frame_el = page.locator('[data-testid="stCustomComponentV1"]').first
    frame_el.wait_for(timeout=30_000)
    frame = frame_el.element_handle().content_frame()
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    frame.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 73", timeout=30_000)
    wait_idle(page)


def metric_labels(page) -> list[str]:
    labels = page.get_by_test_id("coverageFigureLabel")
    return [labels.nth(i).inner_text() for i in range(labels.count())]


def upload(page, files: dict[str, Path]) -> str:
    """Put ``files`` (``facilities`` / ``towns`` / ``population``) in the 数据 tab's uploaders, press
    the apply button and return the tab's text once the run is over (tables included)."""
    tab = page.get_by_role("tab", name="数据", exact=True)
    if tab.get_attribute("aria-selected") != "true":
        tab.click()  # the open tab runs on the server: its uploaders come with that run
    inputs = page.locator('[data-testid="stFileUploader"] input[type=file]')
    inputs.nth(2).wait_for(state="attached", timeout=30_000)
    for i, key in enumerate(("facilities", "towns", "population")):
        if key in files:
            inputs.nth(i).set_input_files(str(files[key]))
    # Streamlit uploads each file to the server before the form can be submitted.
    page.wait_for_function(
        "([n]) => document.querySelectorAll('[data-testid=\"stFileChip\"]').length >= n",
        arg=[len(files)], timeout=30_000)
    page.get_by_role("button", name="使用上传数据").click()
    # The outcome: the success note (upload_ok, upload_replaced), or the refusal (upload_failed_n / upload_failed).
    page.wait_for_function(
        "() => /已读取 \\d+ 行[。,]|无法导入 |读取失败: /.test(document.querySelector('[data-testid=\"stMain\"]').textContent)",
        timeout=60_000)
    wait_idle(page)
    # The rerun after an import stays on the 数据 tab: the report is in view without a click.
    assert page.get_by_role("tab", name="数据", exact=True).get_attribute("aria-selected") == "true"
    return tab_text(page)


def tab_text(page) -> str:
    """The visible tab panel's text plus every data frame's cells (the grid draws on a canvas;
    its cells are read from the grid's accessible table)."""
    panel = page.locator('[role="tabpanel"]:visible').first
    text = panel.inner_text()
    cells = panel.evaluate(
        "p => Array.from(p.querySelectorAll('[data-testid=\"stDataFrame\"] table td, "
        "[data-testid=\"stDataFrame\"] table th')).map(c => c.textContent).join('\\n')")
    return text + "\n" + cells


def text_showing(page, *patterns: str, timeout_s: float = 30.0) -> str:
    """The tab's text (``tab_text``) once every regex in ``patterns`` is found in it (tables are
    drawn a moment after the run ends), else the last text seen."""
    deadline = time.monotonic() + timeout_s
    while True:
        text = tab_text(page)
        if all(re.search(p, text) for p in patterns) or time.monotonic() > deadline:
            return text
        page.wait_for_timeout(250)


def test_caveat_on_default_data(server, chromium):
    url, _ = server
    attempted: list[str] = []
    page = guarded_page(chromium, attempted)
    try:
        open_app(page, url)
        labels = metric_labels(page)
        assert len(labels) == 4 and all(CAVEAT in x for x in labels), labels
        # Each label is shown whole, mark included (wrapped if need be, never cut to "…").
        cut = page.evaluate(
            "() => Array.from(document.querySelectorAll('[data-testid=\"coverageFigureLabel\"], [data-testid=\"coverageFigureLabel\"] *, [data-testid=\"coverageFigureValue\"]'))"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)")
        assert cut == [], cut
        assert attempted == []
    finally:
        page.context.close()


def test_gap_zones_lie_inside_one_town_each(server, chromium):
    """The gap zones downloaded from the 缺口 tab: each names one town and lies inside its polygon."""
    import geopandas as gpd

    url, _ = server
    attempted: list[str] = []
    page = guarded_page(chromium, attempted)
    try:
        open_app(page, url)
        page.get_by_role("tab", name="缺口", exact=True).click()
        button = page.locator('[role="tabpanel"]:visible').get_by_role("button", name="下载 GeoJSON")
        button.wait_for(timeout=60_000)
        with page.expect_download(timeout=20_000) as info:
            button.click()
        fc = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
        assert attempted == []
    finally:
        page.context.close()
    zones = gpd.GeoDataFrame.from_features(fc["features"], crs="EPSG:4326")
    assert len(zones) > 0
    towns = gpd.read_file(ROOT / "data" / "boundaries" / "towns.geojson").to_crs("EPSG:32649").set_index("town_code")
    zones = zones.to_crs("EPSG:32649")
    codes = zones["town_code"].astype(str)
    assert codes.str.fullmatch(r"\d{9}").all(), sorted(set(codes))
    assert set(codes) <= set(towns.index)
    for code, zone in zip(codes, zones.geometry):
        # Zones are unions of 500 m grid cells, each given to the town holding most of it (a town may get
        # a cell it holds less than half of, when three towns share it): a cell on
        # the town's edge may stick out, by less than one cell diagonal (708 m).
        own = towns.geometry[code]
        assert zone.difference(own.buffer(CELL_DIAGONAL_M)).area < 1.0, code
        inside = zone.intersection(own).area
        assert inside > 0, code
        # No other town holds more of it (1 % allowed for the cell edges' rounding).
        assert (towns.drop(index=code).geometry.intersection(zone).area <= 1.01 * inside).all(), code


#: Refused files (nothing saved): name, uploader, the code of the library's message the page must show.
REFUSED = [
    ("csv_unterminated_quote.csv", "facilities", "import.tables.csv_unclosed_quote"),
    ("xlsx_xfd_cell.xlsx", "facilities", "import.tables.xlsx_span_too_large"),
    ("towns_whole_city.geojson", "towns", "import.towns.covers_city"),
]
#: Files imported with a warning (saved): name, uploader, what the page's summary line says, the code of
#: the warning.
IMPORTED = [
    ("csv_big5.csv", "facilities", "csv_big5.csv: 读取 2 行, 导入 2 行, 0 个错误, 1 个警告",
     "import.tables.legacy_traditional_others"),
    ("pop_uint16_fill.tif", "population", "pop_uint16_fill.tif: 读取 80 行",
     "import.population.fill.value_max.no_nodata"),
    ("csv_control_chars.csv", "facilities", "csv_control_chars.csv: 读取 1 行, 导入 1 行, 0 个错误, 1 个警告",
     "import.tables.control_chars_removed.one"),
]


def library_message(name: str, key: str, code: str) -> str:
    """The message (in Chinese) the library gives for ``code`` when file ``name`` is imported as ``key``
    against the default towns (what the page must show: it only presents the library's report)."""
    from coverage.io import DataImportError
    from coverage.io.workspace_import import read_imports
    from coverage.region import load_default

    path = str(HOSTILE / name)
    kwargs = ({"towns": path} if key == "towns" else {"population": path} if key == "population"
              else {"facilities": {LAYER: path}})
    try:
        out = read_imports(load_default().towns, **kwargs)
        item = out.get("towns") or out.get("population") or out["facilities"][LAYER]
        report = item[1] if isinstance(item, tuple) else item
    except DataImportError as exc:
        report = exc.report
    frame = report.to_frame("zh")
    messages = frame.loc[frame["code"] == code, "message"].tolist()
    assert messages, (name, code, frame["code"].tolist())
    return str(messages[0])


def test_hostile_uploads_through_the_page(server, chromium):
    """Issue 11: each sample file shows its outcome; a refused one saves nothing; a second session
    still loads (figures and the 73 towns), and the saved uploads can be forgotten from the page."""
    from coverage.workspace import Workspace

    url, workspace = server
    attempted: list[str] = []
    page = guarded_page(chromium, attempted)
    try:
        for name, key, code in REFUSED:
            message = library_message(name, key, code)
            open_app(page, url)
            upload(page, {key: HOSTILE / name})
            text = text_showing(page, "无法导入", re.escape(message))
            assert f"无法导入 {name}: 1 个错误 (见下表), 未保存任何数据。" in text, text
            assert message in text, text
            ws = Workspace.open(workspace)
            assert ws.layers() == [] and ws.overrides() == [], name
        for name, key, summary, code in IMPORTED:
            warning = library_message(name, key, code)
            open_app(page, url)
            upload(page, {key: HOSTILE / name})
            text = text_showing(page, re.escape(summary), re.escape(warning))
            assert summary in text, text
            assert warning in text, text
        ws = Workspace.open(workspace)
        assert ws.layers() == [LAYER] and "population" in ws.overrides()
        page.screenshot(path=str(ARTIFACTS / "app_hostile_uploads.png"))
        assert attempted == []
    finally:
        page.context.close()

    # Another user's session on the same server: the page loads with everything drawn.
    second = guarded_page(chromium, attempted)
    third = guarded_page(chromium, attempted)
    try:
        open_app(second, url)
        values = second.get_by_test_id("coverageFigureValue")
        assert float(values.nth(3).inner_text().replace(",", "")) == 1  # csv_control_chars.csv's one row
        open_app(third, url)  # a third planner, open while the second resets the data
        third_values = third.get_by_test_id("coverageFigureValue")
        assert float(third_values.nth(3).inner_text().replace(",", "")) == 1
        second.get_by_role("tab", name="数据", exact=True).click()
        second.get_by_text("确认清除已保存的上传数据", exact=True).click()
        wait_idle(second)
        second.get_by_role("button", name="恢复默认数据").click()
        wait_idle(second)
        second.get_by_text("已恢复默认数据", exact=False).first.wait_for(timeout=30_000)
        ws = Workspace.open(workspace)
        assert ws.layers() == [] and ws.overrides() == []
        # The third's next click in the page body (not the sidebar) runs on the data now in use.
        from coverage.region import load_default

        default_n = len(load_default().facilities[LAYER])
        third.get_by_text("显示服务范围", exact=True).click()
        third.wait_for_function(
            "([n]) => { const v = document.querySelectorAll('[data-testid=coverageFigureValue]')[3];"
            " return v && Number(v.innerText.replace(/,/g, '')) === n; }", arg=[default_n], timeout=60_000)
        assert attempted == []
    finally:
        second.context.close()
        third.context.close()


def real_inputs(folder: Path) -> dict[str, Path]:
    """The default towns, population grid and station layer written as files a user would upload."""
    import geopandas as gpd

    from coverage.region import load_default

    region = load_default()
    pop = region.population
    grid = gpd.GeoDataFrame(pop[["cell_id", "pop_total", "pop_60plus", "pop_0_17"]],
                            geometry=gpd.points_from_xy(pop["x"], pop["y"]), crs="EPSG:32649").to_crs("EPSG:4326")
    files = {"towns": folder / "towns.geojson", "population": folder / "population.geojson",
             "facilities": folder / "stations.geojson"}
    region.towns.to_crs("EPSG:4326").to_file(files["towns"], driver="GeoJSON")
    grid.to_file(files["population"], driver="GeoJSON")
    region.facilities[LAYER].to_crs("EPSG:4326").to_file(files["facilities"], driver="GeoJSON")
    return files


def test_caveat_gone_after_real_uploads(server, chromium, tmp_path):
    """Issue 12: once towns, population and the layer in use are uploaded, the headline figures
    carry no caveat mark (and show the same numbers as the default data they copy)."""
    url, _ = server
    files = real_inputs(tmp_path)
    attempted: list[str] = []
    page = guarded_page(chromium, attempted)
    try:
        open_app(page, url)
        values = page.get_by_test_id("coverageFigureValue")
        before = [values.nth(i).inner_text() for i in range(4)]
        assert all(CAVEAT in x for x in metric_labels(page))
        text = upload(page, files)
        assert "镇街边界: 已读取 73 行。" in text, text
        open_app(page, url)
        labels = metric_labels(page)
        assert len(labels) == 4 and not any(CAVEAT in x for x in labels), labels
        assert [values.nth(i).inner_text() for i in range(4)] == before
        assert page.get_by_text("上传全部真实数据后标记消失", exact=False).count() == 0
        assert attempted == []
    finally:
        page.screenshot(path=str(ARTIFACTS / "app_real_uploads.png"), full_page=True)
        page.context.close()
