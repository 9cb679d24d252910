"""Screenshots of every tab of the app in both languages, for the README (``docs/screenshots/``).

Starts ``streamlit run app.py`` on a free local port with an empty temporary workspace, opens it in
Debian's Chromium (Playwright; every request to a host other than 127.0.0.1 is blocked), and saves
``<tab>_<lang>.png`` for each tab, plus the gap zones shown on the map. Usage:
``.venv/bin/python scripts/screenshots.py [--out docs/screenshots]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts.browser import AppServer, guarded_context, launch_chromium, wait_idle  # noqa: E402

TABS = ("coverage", "gaps", "siting", "review", "data", "analyses")


def _idle(page) -> None:
    wait_idle(page, timeout_ms=120_000, settle_ms=400)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="shots-"))
    server = AppServer(tmp / "workspace", tmp / "streamlit.log").start(timeout_s=120)
    url = server.url
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            context = guarded_context(browser, [], viewport={"width": 1400, "height": 2000})
            page = context.new_page()
            page.goto(url)
            page.get_by_test_id("coverageFigureValue").nth(3).wait_for(timeout=120_000)
            for lang in ("zh", "en"):
                if lang == "en":
                    page.get_by_text("English", exact=True).first.click()
                    page.get_by_role("tab", name="Coverage").first.wait_for(timeout=60_000)
                _idle(page)
                tabs = page.get_by_role("tab")
                for i in range(min(tabs.count(), len(TABS))):
                    tabs.nth(i).click()
                    _idle(page)
                    if TABS[i] == "siting":
                        run = page.get_by_role("button", name="运行选址" if lang == "zh" else "Run siting")
                        if run.count():
                            run.first.click()
                            page.get_by_role("button", name="下载 GeoJSON" if lang == "zh" else "Download GeoJSON"
                                             ).first.wait_for(timeout=180_000)
                            _idle(page)
                    if TABS[i] == "review":
                        run = page.get_by_role("button", name="生成年度评估" if lang == "zh" else "Run the annual review")
                        if run.count() and run.first.is_enabled():
                            run.first.click()
                        page.get_by_role("button", name="下载 Excel" if lang == "zh" else "Download Excel"
                                         ).first.wait_for(timeout=180_000)
                        _idle(page)
                        page.wait_for_timeout(1500)  # the charts
                    page.screenshot(path=str(out / f"{TABS[i]}_{lang}.png"))
                    print(out / f"{TABS[i]}_{lang}.png")
            page.get_by_text("Show gap zones", exact=True).click()
            _idle(page)
            page.wait_for_timeout(2000)
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.screenshot(path=str(out / "map_gaps_en.png"))
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
