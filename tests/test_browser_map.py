"""The map in headless Chromium as a planner uses it: a press adds the site where the pointer was.

At 1440 × 900 the first load leaves the map's bottom below the fold. Leaflet focuses the map on a
press; in the page's iframe a plain focus scrolled the parent page to show the whole map, so the
map moved under the pointer between press and release and the site was added ~140 px away (in
another town), or the press became a drag. The test presses inside a town there and checks that
the page did not move and that the site the what-if panel lists is where the pointer was, in that
town; that a pressed town gets no focus rectangle; that the "+" zoom button does not scroll the page
either. A standalone map (no app) checks the basemap-failure message is the one its update gave.

Needs Debian's ``/usr/bin/chromium`` and the ``playwright`` pip package; skipped otherwise.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts.browser import (  # noqa: E402
    AppServer, ServerError, guarded_context, launch_chromium, map_frame, missing_browser, wait_idle)

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [pytest.mark.browser, pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))]

ARTIFACTS = ROOT / "tests" / "artifacts"
#: The planner's window (the review's): the map's bottom is below the fold on the first load.
WINDOW = {"width": 1440, "height": 900}
#: Pixels kept clear around the pressed point: town borders, station markers, the map's edges.
CLEAR_PX = 9.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = AppServer(tmp_path_factory.mktemp("workspace"), ARTIFACTS / "streamlit_map.log")
    try:
        app.start(timeout_s=90)
    except ServerError as exc:
        pytest.fail(str(exc))
    yield app.url
    app.stop()


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def _press_point(frame, towns, top: float, bottom: float) -> tuple[float, float, str]:
    """A container point inside a town, in rows ``top``..``bottom`` of the map, clear of borders and
    stations by :data:`CLEAR_PX` (in the map's own pixels); returns ``(x, y, town_code)``."""
    import geopandas as gpd

    width = frame.evaluate("window.map.getSize().x")
    xs, ys = np.meshgrid(np.arange(60.0, width - 60.0, 6.0), np.arange(top, bottom, 6.0))
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    lonlat = np.asarray(frame.evaluate(
        "(pts) => pts.map(p => { const ll = window.map.containerPointToLatLng(p); return [ll.lng, ll.lat]; })",
        grid.tolist()))
    stations = np.asarray(frame.evaluate(
        "() => window.coverageLayers.facilities.getLayers().map(l => {"
        " const p = window.map.latLngToContainerPoint(l.getLatLng()); return [p.x, p.y]; })"))
    points = gpd.GeoSeries(gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]), crs="EPSG:4326")
    # The map's pixels are Web-Mercator metres over the zoom's resolution.
    zoom = frame.evaluate("window.map.getZoom()")
    metres_per_px = 2 * math.pi * 6_378_137 / 256 / 2 ** zoom
    borders = towns.to_crs("EPSG:3857").boundary.union_all()
    to_border = points.to_crs("EPSG:3857").distance(borders).to_numpy() / metres_per_px
    to_station = np.min(np.hypot(*(grid[:, None, :] - stations[None, :, :]).transpose(2, 0, 1)), axis=1)
    inside = points.within(towns.union_all()).to_numpy()
    clear = np.where(inside, np.minimum(to_border, to_station), -1.0)
    best = int(np.argmax(clear))
    assert clear[best] >= CLEAR_PX, "no point of the visible map is clear of borders and stations"
    (town,) = towns.loc[towns.contains(points.iloc[best]), "town_code"]
    return float(grid[best, 0]), float(grid[best, 1]), str(town)


def test_a_press_adds_the_site_where_the_pointer_is_without_scrolling_the_page(server):
    import geopandas as gpd

    towns = gpd.read_file(ROOT / "data" / "boundaries" / "towns.geojson")
    attempted: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = guarded_context(browser, attempted, viewport=WINDOW).new_page()
            page.goto(server)
            page.get_by_test_id("coverageFigureValue").nth(3).wait_for(timeout=60_000)
            frame = map_frame(page)
            wait_idle(page)
            page.wait_for_timeout(500)
            wait_idle(page)
            holder = page.locator('[data-testid="stCustomComponentV1"]').first
            box = holder.bounding_box()
            assert box["y"] + box["height"] > WINDOW["height"] + 50, box  # the map's bottom below the fold
            # A point shown in the window, in a town, clear of its borders and of the stations.
            x, y, town = _press_point(frame, towns, top=max(20.0, -box["y"] + 20),
                                      bottom=WINDOW["height"] - box["y"] - 20)
            vx, vy = round(box["x"] + x), round(box["y"] + y)
            lon, lat = frame.evaluate(
                "([x, y]) => { const r = window.map.getContainer().getBoundingClientRect();"
                " const ll = window.map.containerPointToLatLng([x - r.left, y - r.top]); return [ll.lng, ll.lat]; }",
                [vx - box["x"], vy - box["y"]])
            metres_per_px = frame.evaluate(
                "([x, y]) => window.map.distance(window.map.containerPointToLatLng([x, y]),"
                " window.map.containerPointToLatLng([x + 1, y]))", [x, y])

            page.mouse.move(vx, vy)
            page.mouse.down()
            page.wait_for_timeout(150)  # a planner's press
            moved = holder.bounding_box()["y"] - box["y"]
            outline = frame.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            page.mouse.up()
            assert abs(moved) < 2, f"the press scrolled the page by {-moved:.0f} px"  # was 143 px
            assert outline == "none"  # no focus rectangle around the pressed town

            caption = page.get_by_text(re.compile(r"新增站点 \d+\.\d+, \d+\.\d+")).first
            caption.wait_for(timeout=30_000)
            found = re.search(r"新增站点 (\d+\.\d+), (\d+\.\d+)", caption.inner_text())
            site = float(found.group(1)), float(found.group(2))
            # Where the pointer was, to the caption's 4 decimals (≤ 8 m) and a pixel's rounding.
            assert _metres(*site, lon, lat) <= 8 + metres_per_px / 2, (site, (lon, lat), metres_per_px)
            point = gpd.points_from_xy([site[0]], [site[1]], crs="EPSG:4326")[0]
            assert towns.loc[towns.contains(point), "town_code"].tolist() == [town]
            assert frame.evaluate("window.map.scrollWheelZoom.enabled()") is True  # the click enables it

            # The "+" button (Leaflet focuses the map after a control's click) does not scroll either.
            wait_idle(page)
            box = holder.bounding_box()
            zoom = frame.evaluate("window.map.getZoom()")
            plus = frame.locator(".leaflet-control-zoom-in").bounding_box()  # in the window's pixels
            page.mouse.click(plus["x"] + plus["width"] / 2, plus["y"] + plus["height"] / 2)
            frame.wait_for_function(f"window.map.getZoom() > {zoom}", timeout=10_000)
            assert abs(holder.bounding_box()["y"] - box["y"]) < 2  # was 144 px
            page.screenshot(path=str(ARTIFACTS / "app_map_press.png"))
        finally:
            browser.close()
    assert attempted == [], f"the page tried to reach the network: {attempted}"


def test_the_basemap_message_is_the_one_the_update_gave():
    """A basemap whose tiles cannot load (every request off the machine fails here) shows the
    message in the language of the map's last update, not the base map's bilingual text, and a
    later update rewords the message already shown."""
    from coverage.ui import map as cmap

    page_html = cmap.map_html(cmap.offline_map(bounds=(112.9, 22.4, 113.2, 22.7), basemap="osm",
                                               tile_error="底图无法加载 / The basemap cannot load"))
    attempted: list[str] = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = guarded_context(browser, attempted).new_page()
            # The update runs after the map's script, as the app's front end runs it.
            update = f"<script>{cmap.tile_error_js('The basemap <b>cannot</b> load')}</script>"
            end = page_html.rindex("</script>") + len("</script>")
            page.set_content(page_html[:end] + update + page_html[end:])
            banner = page.locator(".coverage-tile-error")
            banner.wait_for(timeout=20_000)
            assert banner.inner_text() == "The basemap <b>cannot</b> load"  # as text, not HTML
            page.evaluate(cmap.tile_error_js("底图无法加载"))
            assert banner.inner_text() == "底图无法加载"
            assert page.locator(".coverage-tile-error").count() == 1
        finally:
            browser.close()
    assert attempted and all("tile.openstreetmap.org" in u for u in attempted)
