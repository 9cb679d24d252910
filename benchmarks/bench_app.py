"""What a planner feels: the app's interactions timed in a real browser, on the default data.

Starts ``streamlit run app.py`` on a free local port with an empty temporary workspace and
``COVERAGE_APP_TIMING=1``, drives Debian's Chromium with Playwright (every request to a host other
than 127.0.0.1 is blocked and counted: the page must make none), and times, over ``--runs`` fresh
browser sessions (median, min and max):

- ``first_load``: navigation until the figures are shown and the 73 towns are drawn in the map
  (``first_sidebar`` / ``first_figures`` / ``first_map``: when the sidebar, the four figures, then the
  73 towns appeared on the way; ``first_tables``: the coverage tab's tables, drawn by the second run
  that the map asks for once drawn; ``first_load`` itself ends when that run has finished;
  ``page_figures`` / ``page_map`` / ``page_tables``: the same milestones on the page's own clock, from
  the navigation start, without Playwright's round trips — :data:`PAGE_CLOCK`);
- ``layer``: the layer switch (home-care stations → canteens) until the facility count and map change;
- ``add``: a what-if click on the map until the covered population changes;
- ``undo``: the undo button (of that added site) until the covered population is back;
- ``remove``: removing a facility until the facility count drops by one (then undone, untimed);
- ``add_figures`` / ``undo_figures`` / ``remove_figures``: the same clicks until the headline figure
  has changed; ``add_shown`` / ``undo_shown`` / ``remove_shown``: until then the map's legend lists
  (or no longer lists) the added / removed sites too — the figures and the map updated (milestones:
  the rest of the run, the coverage tab, may still be drawing);
- ``siting``: siting with k = 10 from the click until the proposals are listed (download shown);
- ``review``: the annual review from the click until its table is shown;
- ``lang``: the switch to English until the tabs read in English.

Beside them, the **floor**: ``benchmarks/floor_app.py`` (a sidebar radio, a title, four metrics, a
button — no work) served and timed the same way in the same process (``floor_first_load``: until its
four metrics are shown and the run is over; ``floor_click``: a button click until a metric changes
and the run is over), with each action's ratio to it (``first_load_vs_floor``, ``add_vs_floor`` …).
It says how much of a figure is Streamlit and this browser on this machine, not the app.

Each figure ends when Streamlit has finished the run the action started (its status widget gone)
*and* the page shows the change, so a page that updates early but keeps running is not flattered.
Beside each figure, ``srv_<action>`` is the page's own server-side time for the same action: the
sum of the ``[timing] …`` lines the app printed while the action ran (the main step, ``total`` if
the app prints one, else all steps), so a regression shows whether it comes from the server or the
browser. ``vs_target`` ratios compare each median with the target of issue 14 (≤ 1 is met).

With ``--breakdown N``, N more sessions (and N floor clicks) are traced with Chrome's timeline and a
second ``RESULT breakdown`` line says where each action's time went (medians): ``wall``, the
server's run, and the renderer's main thread — ``busy`` in all, of it ``page_js`` (Streamlit's front
end and React), ``map_js`` (the map's iframe), ``style_layout``, ``paint``, ``gc``, ``other_task``
(:func:`main_thread_parts`); ``busy_vs_floor`` is each action's main-thread time over the floor
click's. Traced sessions run a little slower and are not among the timed ones.

The server and the guarded browser are :mod:`scripts.browser`'s (shared with the browser tests).

Run: ``.venv/bin/python benchmarks/bench_app.py [--runs 5] [--breakdown 3]`` (needs /usr/bin/chromium and
playwright; the README's test command installs both). Prints one ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coverage.ui.figures import VALUE_ID  # noqa: E402
from scripts.browser import (  # noqa: E402 - the repository root is put on the path first
    CHROMIUM, AppServer, ServerError, guarded_context, launch_chromium, map_frame, wait_idle)

#: Issue 14's targets on the default data (seconds, medians on 2 cores).
TARGETS = {"first_load": 2.0, "page_map": 2.0, "layer": 0.5, "add": 0.3, "remove": 0.3, "undo": 0.3,
           "siting": 1.5, "review": 1.0, "lang": 0.5}

#: Where a what-if click lands: an uncovered spot in 台山 (rural, many elderly, no station nearby).
#: Found at start-up from the data (the most populous uncovered 60+ cell); this is only the fallback.
FALLBACK_CLICK = (112.79, 22.25)

NUMBER = re.compile(r"-?[\d,]+(?:\.\d+)?")


def _number(text: str) -> float:
    match = NUMBER.search(text)
    if match is None:
        raise ValueError(f"no number in {text!r}")
    return float(match.group(0).replace(",", ""))


def _click_target() -> tuple[float, float]:
    """lon, lat of the most populous uncovered 60+ cell under the default standard."""
    try:
        import numpy as np
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
        return float(lon), float(lat)
    except Exception as exc:  # noqa: BLE001 - the benchmark still runs, with the fallback spot
        print(f"note: using the fallback click spot ({exc})", file=sys.stderr)
        return FALLBACK_CLICK


FLOOR_APP = ROOT / "benchmarks" / "floor_app.py"


class Server:
    """The app (:class:`scripts.browser.AppServer`, timing on) with its log read back for ``[timing]`` lines.

    ``script`` serves another page instead (the floor, :data:`FLOOR_APP`).
    """

    def __init__(self, script: Path | None = None) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="bench_app_")
        self.app = AppServer(Path(self.tmp.name) / "workspace", Path(self.tmp.name) / "streamlit.log",
                             timing=True, script=script)
        try:
            self.app.start()
        except ServerError as exc:
            raise SystemExit(str(exc)) from exc
        self.url = self.app.url

    def mark(self) -> int:
        return self.app.log_size()

    def server_time(self, since: int) -> float:
        """The app's own time since ``since``: ``total`` lines if it prints them, else the sum of all steps."""
        time.sleep(0.05)  # let the last lines reach the file
        steps = re.findall(r"\[timing\] ([^:\n]+): ([\d.]+)s", self.app.log_text(since))
        totals = [float(v) for k, v in steps if k.strip() in ("total", "page", "run")]
        return sum(totals) if totals else sum(float(v) for _, v in steps)

    def stop(self) -> None:
        self.app.stop()
        self.tmp.cleanup()


def _idle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has no run in progress (its status widget is gone)."""
    wait_idle(page, timeout_ms=timeout)


def _map_frame(page):
    return map_frame(page)


def _metric(page, i: int, testid: str = VALUE_ID) -> float:
    """The ``i``-th headline figure's value (the floor's: ``testid="stMetricValue"``)."""
    return _number(page.get_by_test_id(testid).nth(i).inner_text())


def _wait_metric(page, i: int, predicate: str, value: float, timeout: float = 60_000,
                 testid: str = VALUE_ID) -> None:
    page.wait_for_function(
        "([i, v, id]) => { const el = document.querySelectorAll(`[data-testid=\"${id}\"]`)[i];"
        " if (!el) return false; const m = el.innerText.match(/-?[\\d,]+(?:\\.\\d+)?/);"
        " if (!m) return false; const x = Number(m[0].replace(/,/g, ''));"
        f" return {predicate}; }}",
        arg=[i, value, testid], timeout=timeout,
    )


def _wait_legend(frame, entry: str, present: bool, timeout: float = 60_000) -> None:
    """Wait until the map's legend lists ``entry`` (or no longer does): the map's update is drawn."""
    frame.wait_for_function(
        "([e, p]) => (document.querySelector(`.coverage-legend [data-legend=\"${e}\"]`) !== null) === p",
        arg=[entry, present], timeout=timeout)


def _select(page, label_zh: str, option_text: str) -> None:
    """Pick ``option_text`` in the selectbox labelled ``label_zh``."""
    page.get_by_role("combobox", name=label_zh).first.click()
    page.get_by_role("option", name=option_text, exact=False).first.click()


def one_run(pw, server: Server, click_at: tuple[float, float], attempted: list[str],
            parts: dict[str, dict[str, float]] | None = None) -> dict[str, float]:
    """One fresh browser session through every interaction; seconds per action and server seconds.

    With ``parts`` (a dict to fill), every action is also traced (Chrome's timeline) and
    ``parts[action]`` gets :func:`main_thread_parts` of it (the trace itself slows the page down a
    little: those sessions are not among the timed ones).
    """
    out: dict[str, float] = {}
    browser = launch_chromium(pw)
    try:
        context = guarded_context(browser, attempted)
        context.add_init_script(PAGE_CLOCK)
        page = context.new_page()

        def timed(name: str, action, done, figures=None) -> None:
            """Time ``action`` until ``figures()`` (if given: ``<name>_figures``, the headline figure
            changed), then ``done()`` (if ``figures`` is given: ``<name>_shown``, the figures and the map
            updated), then the run is over (``<name>``)."""
            mark = server.mark()
            if parts is not None:
                browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
            started = time.perf_counter()
            action()
            if figures is not None:  # when the figures show the change (the map may still be updating)
                figures()
                out[f"{name}_figures"] = time.perf_counter() - started
            done()
            if figures is not None:  # when the page shows the change (the run may still be drawing the rest)
                out[f"{name}_shown"] = time.perf_counter() - started
            _idle(page)
            out[name] = time.perf_counter() - started
            if parts is not None:
                parts[name] = {"wall": out[name], **main_thread_parts(browser.stop_tracing())}
            out[f"srv_{name}"] = server.server_time(mark)
            if parts is not None:
                parts[name]["server"] = out[f"srv_{name}"]

        # First load: figures shown and the 73 towns drawn; on the way, when the sidebar and the
        # figures appear (what the browser spends before the map is drawn at all).

        def first_load_done() -> None:
            page.get_by_test_id("stSidebar").wait_for(timeout=60_000)
            out["first_sidebar"] = time.perf_counter() - loaded
            page.get_by_test_id(VALUE_ID).nth(3).wait_for(timeout=60_000)
            out["first_figures"] = time.perf_counter() - loaded
            _map_frame(page)
            out["first_map"] = time.perf_counter() - loaded  # figures and the 73 towns: what the planner waits for
            # The coverage tab's tables, chart and download come with the run the drawn map asks for.
            page.get_by_test_id("stDataFrame").nth(1).wait_for(timeout=60_000)
            out["first_tables"] = time.perf_counter() - loaded

        loaded = time.perf_counter()
        timed("first_load", lambda: page.goto(server.url), first_load_done)
        clock = page.evaluate("window.coverageClock || {}")
        for k in ("figures", "map", "tables"):
            if k in clock:
                out[f"page_{k}"] = float(clock[k])

        # Layer switch: home-care stations (581) → canteens (60).
        before = _metric(page, 3)
        timed("layer", lambda: _select(page, "设施图层", "长者饭堂"),
              lambda: (_wait_metric(page, 3, "x !== v", before), _map_frame(page)))
        before = _metric(page, 3)  # read before the action: the page may change before the wait starts
        timed("layer_back", lambda: _select(page, "设施图层", "居家养老服务站点"),
              lambda: (_wait_metric(page, 3, "x !== v", before), _map_frame(page)))

        # What-if add: a click where the most elderly people are uncovered.
        frame = _map_frame(page)
        lon, lat = click_at
        x, y = frame.evaluate(
            "([lat, lng]) => { window.map.setView([lat, lng], 14, {animate: false});"
            " const p = window.map.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
            [lat, lon],
        )
        covered = _metric(page, 1)
        timed("add", lambda: frame.locator(".leaflet-container").click(position={"x": x, "y": y}),
              lambda: _wait_legend(frame, "added", True), figures=lambda: _wait_metric(page, 1, "x > v", covered))
        # Undo the added site: the covered population is back (and the draft is clean again).
        undo = page.get_by_role("button", name="撤销").first
        timed("undo", lambda: undo.click(), lambda: _wait_legend(frame, "added", False),
              figures=lambda: _wait_metric(page, 1, "x <= v", covered))

        # Remove one facility (the first in the removal list), then undo that too (not timed).
        n = _metric(page, 3)
        opener = page.get_by_role("button", name="选择要移除的设施…")  # the box is drawn when opened
        remove_box = page.get_by_role("combobox", name="移除设施")
        if opener.count():
            opener.first.click()
            remove_box.first.wait_for(timeout=60_000)
            _idle(page)
        if remove_box.count():
            remove_box.first.click()
            options = page.get_by_role("option")
            options.nth(min(1, options.count() - 1)).click()  # the first entry may be "(不选)"
            _idle(page)
            button = page.get_by_role("button", name="移除", exact=True)
            timed("remove", lambda: button.click() if button.count() else None,
                  lambda: _wait_legend(_map_frame(page), "removed", True),
                  figures=lambda: _wait_metric(page, 3, "x < v", n))
            undo.click()
            _wait_metric(page, 3, "x >= v", n)
            _idle(page)
        else:
            print("note: no removal list on the page; remove not timed", file=sys.stderr)

        # Siting, k = 10.
        page.get_by_role("tab", name="选址").click()  # the open tab runs on the server
        page.get_by_role("button", name="运行选址").wait_for(timeout=60_000)
        _idle(page)
        k_input = page.get_by_label("新增站点数")
        if k_input.count():
            k_input.first.fill("10")
            k_input.first.press("Enter")
            _idle(page)
        run = page.get_by_role("button", name="运行选址")
        timed("siting", lambda: run.click(),
              lambda: page.get_by_role("button", name="下载 GeoJSON").wait_for(timeout=120_000))

        # Review.
        page.get_by_role("tab", name="年度评估").click()
        page.get_by_role("button", name="生成年度评估").wait_for(timeout=60_000)
        _idle(page)
        run_review = page.get_by_role("button", name="生成年度评估")
        timed("review", lambda: run_review.click() if run_review.count() else None,
              lambda: page.get_by_role("button", name="下载 Excel").first.wait_for(timeout=120_000))

        # Language switch to English.
        timed("lang", lambda: page.get_by_text("English", exact=True).first.click(),
              lambda: page.get_by_role("tab", name="Coverage").first.wait_for(timeout=60_000))
    finally:
        browser.close()
    return out


#: Chrome's timeline categories traced for ``--breakdown``.
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"]

#: Timeline events by the part of the page's work they are (the outermost one counts; its children
#: are its own). Script events are split by frame: the map's iframe or the page (Streamlit's front end).
EVENT_PARTS = {
    **dict.fromkeys(("FunctionCall", "EvaluateScript", "TimerFire", "EventDispatch", "FireAnimationFrame",
                     "FireIdleCallback", "v8.run", "v8.compile", "V8.Execute", "ParseHTML"), "script"),
    **dict.fromkeys(("UpdateLayoutTree", "Layout", "RecalculateStyles", "ParseAuthorStyleSheet"), "style_layout"),
    **dict.fromkeys(("PrePaint", "Paint", "Layerize", "Commit", "UpdateLayer", "UpdateLayerTree",
                     "CompositeLayers", "Decode Image"), "paint"),
    **dict.fromkeys(("MinorGC", "MajorGC", "V8.GCScavenger", "V8.GCFinalizeMC"), "gc"),
}


#: The trace events that say which document a frame holds.
FRAME_RECORDS = ("TracingStartedInBrowser", "FrameCommittedInBrowser", "CommitLoad")


def main_thread_parts(trace: bytes) -> dict[str, float]:
    """Where the renderer's main thread spent an action (seconds), from a Chrome trace.

    ``busy`` is the main thread's tasks in all; of it ``page_js`` (scripts of the page: Streamlit's
    front end, React), ``map_js`` (scripts of the map's iframe: streamlit-folium, Leaflet, the
    update scripts), ``style_layout``, ``paint`` (pre-paint, paint, layers, commit), ``gc`` and
    ``other_task`` (the rest of the tasks: message passing, input, the browser's own work). The
    map's frame shares the page's main thread (same origin), so its work waits for the page's.

    Parameters
    ----------
    trace : bytes
        What ``browser.stop_tracing()`` returned (JSON, ``traceEvents``).

    Returns
    -------
    dict
        Seconds per part, and ``tasks`` (how many tasks ran).
    """
    import json

    data = json.loads(trace)
    events = data["traceEvents"] if isinstance(data, dict) else data
    threads = {(e["pid"], e["tid"]) for e in events
               if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    map_frames = set()  # the frames whose document is the map component's (from the frame records only:
    for e in events:    # other events name a frame with the URL of a request it made)
        if e.get("name") not in FRAME_RECORDS:
            continue
        d = (e.get("args") or {}).get("data") or {}
        for f in d.get("frames", []) + ([d] if "frame" in d and "url" in d else []):
            if "/component/" in str(f.get("url", "")):
                map_frames.add(f.get("frame"))
    spans = sorted((e for e in events if e.get("ph") == "X" and (e.get("pid"), e.get("tid")) in threads),
                   key=lambda e: (e["ts"], -e.get("dur", 0)))
    out = dict.fromkeys(("busy", "page_js", "map_js", "style_layout", "paint", "gc", "other_task"), 0.0)
    out["tasks"] = 0
    stack: list[tuple[float, bool]] = []  # (end, inside a counted part)
    for e in spans:
        start, dur = e["ts"], e.get("dur", 0)
        while stack and stack[-1][0] <= start:
            stack.pop()
        inside = bool(stack) and stack[-1][1]
        part = EVENT_PARTS.get(e["name"])
        if e["name"] == "RunTask" and not stack:
            out["busy"] += dur
            out["tasks"] += 1
        if part and not inside and stack:  # the outermost part inside a task
            if part == "script":
                frame = ((e.get("args") or {}).get("data") or {}).get("frame")
                part = "map_js" if frame in map_frames else "page_js"
            out[part] += dur
        stack.append((start + dur, inside or (bool(part) and bool(stack))))
    counted = sum(out[k] for k in ("page_js", "map_js", "style_layout", "paint", "gc"))
    out["other_task"] = max(out["busy"] - counted, 0.0)
    return {k: (v / 1e6 if k != "tasks" else v) for k, v in out.items()}


def floor_run(pw, server: Server, attempted: list[str], clicks: int = 3,
              parts: dict[str, dict[str, float]] | None = None) -> dict[str, float]:
    """The floor page in a fresh browser session: its first load, then the median of ``clicks`` clicks.

    With ``parts``, the last click is traced: ``parts["floor_click"]`` (:func:`main_thread_parts`).
    """
    out: dict[str, float] = {}
    browser = launch_chromium(pw)
    try:
        page = guarded_context(browser, attempted).new_page()
        started = time.perf_counter()
        page.goto(server.url)
        page.get_by_test_id("stMetricValue").nth(3).wait_for(timeout=60_000)  # the floor's own metrics
        _idle(page)
        out["floor_first_load"] = time.perf_counter() - started
        times = []
        for n in range(1, clicks + 1):
            traced = parts is not None and n == clicks
            if traced:
                browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
            started = time.perf_counter()
            page.get_by_role("button", name="next").click()
            _wait_metric(page, 0, "x === v", n * 1000, testid="stMetricValue")
            _idle(page)
            times.append(time.perf_counter() - started)
            if traced:
                parts["floor_click"] = {"wall": times[-1], "server": 0.0,
                                        **main_thread_parts(browser.stop_tracing())}
        out["floor_click"] = statistics.median(times)
    finally:
        browser.close()
    return out


#: The page's own clock for the first load: an init script polling every 10 ms (from the navigation
#: start, as the planner waits) for the figures, the map's 73 towns (inside its same-origin iframe) and
#: the coverage tab's two tables. Playwright's own waits add their round trips on top of that.
PAGE_CLOCK = """
if (window.top === window) {
  window.coverageClock = {};
  const mark = (k) => { if (!(k in window.coverageClock)) window.coverageClock[k] = performance.now() / 1000; };
  const tick = () => {
    if (document.querySelectorAll('[data-testid=%(value)s]').length >= 4) mark('figures');
    const f = document.querySelector('[data-testid=stCustomComponentV1]');
    try {
      const d = f && f.contentDocument;
      if (d && d.querySelectorAll('path.leaflet-interactive').length >= 73) mark('map');
    } catch (e) {}
    if (document.querySelectorAll('[data-testid=stDataFrame]').length >= 2) mark('tables');
    if (!('tables' in window.coverageClock) && performance.now() < 120000) setTimeout(tick, 10);
  };
  tick();
}
""" % {"value": VALUE_ID}


#: Which floor figure each action is read against.
FLOOR_OF = {"first_load": "floor_first_load", "layer": "floor_click", "add": "floor_click",
            "undo": "floor_click", "remove": "floor_click", "lang": "floor_click"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh browser sessions (default 5)")
    parser.add_argument("--breakdown", type=int, default=0, metavar="N",
                        help="also N traced sessions (and N traced floor clicks): where each action's main-thread "
                             "time goes (a second RESULT line, medians; default 0: none)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.breakdown < 0:
        parser.error("--breakdown must be 0 or more")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("bench_app: playwright is not installed (pip install -r requirements-dev.txt); nothing timed")
        return 0
    if not CHROMIUM.exists():
        print("bench_app: /usr/bin/chromium is missing (apt-get install chromium); nothing timed")
        return 0

    click_at = _click_target()
    attempted: list[str] = []
    floors: list[dict[str, float]] = []
    traced: list[dict[str, dict[str, float]]] = []  # --breakdown: floor click, then the app's actions
    floor = Server(FLOOR_APP)
    try:
        with sync_playwright() as pw:
            floor_run(pw, floor, attempted)  # warm-up
            for _ in range(args.runs):
                floors.append(floor_run(pw, floor, attempted))
            for _ in range(args.breakdown):
                traced.append({})
                floor_run(pw, floor, attempted, parts=traced[-1])
    finally:
        floor.stop()
    server = Server()
    runs: list[dict[str, float]] = []
    try:
        with sync_playwright() as pw:
            one_run(pw, server, click_at, attempted)  # warm-up: the server's first session loads the data
            for i in range(args.runs):
                runs.append(one_run(pw, server, click_at, attempted))
                print(f"run {i + 1}/{args.runs}: " + " ".join(
                    f"{k}={v:.2f}" for k, v in runs[-1].items() if not k.startswith("srv_")), file=sys.stderr)
            for i in range(args.breakdown):
                one_run(pw, server, click_at, attempted, parts=traced[i])
    finally:
        server.stop()

    keys = [k for k in runs[0] if not k.startswith("srv_")]
    parts: list[str] = []
    print(f"{'action':<12}{'median s':>10}{'min':>8}{'max':>8}{'server s':>10}{'target':>8}")
    for k in keys:
        values = [r[k] for r in runs if k in r]
        srv = [r[f"srv_{k}"] for r in runs if f"srv_{k}" in r]
        med = statistics.median(values)
        target = TARGETS.get(k)
        server_s = f"{statistics.median(srv):.2f}" if srv else ""  # none for a milestone of an action
        print(f"{k:<12}{med:>10.2f}{min(values):>8.2f}{max(values):>8.2f}{server_s:>10}"
              f"{target if target else '':>8}")
        parts.append(f"{k}_s={med:.2f}[{min(values):.2f}-{max(values):.2f}]")
        if srv:
            parts.append(f"srv_{k}_s={server_s}")
        if target:
            parts.append(f"{k}_vs_target={med / target:.2f}")
        if k in FLOOR_OF:
            parts.append(f"{k}_vs_floor={med / statistics.median(f[FLOOR_OF[k]] for f in floors):.2f}")
    for k in ("floor_first_load", "floor_click"):
        values = [f[k] for f in floors]
        print(f"{k:<12}{statistics.median(values):>10.2f}{min(values):>8.2f}{max(values):>8.2f}")
        parts.append(f"{k}_s={statistics.median(values):.2f}[{min(values):.2f}-{max(values):.2f}]")
    parts.append(f"runs={len(runs)} offline={'yes' if not attempted else 'NO:' + str(len(attempted))}")
    print("RESULT " + " ".join(parts))
    if traced:
        print_breakdown(traced)
    return 0 if not attempted else 1


#: The columns of the breakdown, in order (see :func:`main_thread_parts`).
BREAKDOWN = ("wall", "server", "busy", "page_js", "map_js", "style_layout", "paint", "gc", "other_task")


def print_breakdown(traced: list[dict[str, dict[str, float]]]) -> None:
    """The breakdown's table and its RESULT line: medians over the traced sessions, per action, with
    each action's main-thread time as a ratio to the floor's click (``busy_vs_floor``)."""
    actions = [a for a in traced[0] if all(a in t for t in traced)]
    print(f"{'traced':<12}" + "".join(f"{c:>13}" for c in BREAKDOWN) + f"{'tasks':>7}")
    medians = {a: {c: statistics.median(t[a][c] for t in traced) for c in (*BREAKDOWN, "tasks")} for a in actions}
    for a in actions:
        print(f"{a:<12}" + "".join(f"{medians[a][c]:>13.3f}" for c in BREAKDOWN) + f"{medians[a]['tasks']:>7.0f}")
    floor_busy = medians.get("floor_click", {}).get("busy")
    items = []
    for a in actions:
        items.extend(f"{a}_{c}_s={medians[a][c]:.3f}" for c in BREAKDOWN)
        if floor_busy and a != "floor_click":
            items.append(f"{a}_busy_vs_floor={medians[a]['busy'] / floor_busy:.2f}")
    print("RESULT breakdown " + " ".join(items) + f" traced={len(traced)}")


if __name__ == "__main__":
    raise SystemExit(main())
