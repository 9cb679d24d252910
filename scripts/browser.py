"""The app served by ``streamlit run`` and a guarded headless Chromium, for tests, benchmarks, scripts.

One place for what the browser tests (``tests/test_browser*.py``), ``benchmarks/bench_app.py`` and
``scripts/screenshots.py`` all need:

* :class:`AppServer` — ``streamlit run app.py`` on a free local port (headless, no usage stats, no
  file watcher) with ``PYTHONPATH`` set to the repository and the given workspace / environment, its
  output written to a log file; :meth:`AppServer.start` waits for ``/_stcore/health``;
  :meth:`AppServer.stop` terminates it (killed after 5 s);
* :func:`launch_chromium` — Debian's ``/usr/bin/chromium`` through Playwright (no browser
  download), with the flags that keep it from phoning home;
* :func:`guarded_context` — a browser context in which every request to a host other than
  127.0.0.1 / localhost fails (sent to a dead local proxy) and is recorded (the offline guarantee: the page must make none);
* :func:`wait_idle` — until Streamlit has no run in progress (its status widget gone);
* :func:`map_frame` — the streamlit-folium iframe once its 73 towns are drawn.

Import it as ``from scripts.browser import ...`` with the repository root on ``sys.path``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlparse

__all__ = [
    "CHROMIUM",
    "missing_browser",
    "DEAD_PROXY",
    "LOCAL_HOSTS",
    "ROOT",
    "AppServer",
    "ServerError",
    "free_port",
    "guarded_context",
    "launch_chromium",
    "map_frame",
    "wait_idle",
]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


def missing_browser() -> str | None:
    """Why the browser tests and benchmarks cannot run here (None when Playwright and Chromium are both present)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not CHROMIUM.exists():
        return "/usr/bin/chromium is missing (apt-get install chromium)"
    return None

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")


class ServerError(RuntimeError):
    """``streamlit run`` exited or did not answer its health check in time (the log is in the message)."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """``streamlit run app.py`` on a free port of 127.0.0.1.

    Parameters
    ----------
    workspace : path
        ``COVERAGE_WORKSPACE`` of the app (never the developer's ``./workspace``).
    log_path : path
        Where the server's output goes (``[timing]`` lines included with ``timing=True``).
    timing : bool
        Set ``COVERAGE_APP_TIMING=1`` (one ``[timing] …`` line per step and per run).
    env : mapping, optional
        More environment variables for the app.
    script : path, optional
        The Streamlit script to serve (default: the repository's ``app.py``; the benchmark's
        bare reference page is another).
    """

    def __init__(self, workspace: str | Path, log_path: str | Path, timing: bool = False,
                 env: Mapping[str, str] | None = None, script: str | Path | None = None) -> None:
        self.script = Path(script) if script is not None else ROOT / "app.py"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workspace = Path(workspace)
        self.log_path = Path(log_path)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "COVERAGE_WORKSPACE": str(self.workspace),
                    **({"COVERAGE_APP_TIMING": "1"} if timing else {}), **(env or {})}
        self.proc: subprocess.Popen | None = None
        self._log: Any = None

    def start(self, timeout_s: float = 90.0) -> "AppServer":
        """Start the server and wait until it answers ``/_stcore/health``.

        Raises
        ------
        ServerError
            The process exited, or gave no healthy answer within ``timeout_s`` (it is stopped).
        """
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, text=True,
        )
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"streamlit did not start:\n{self.log_text()}")
            time.sleep(0.2)

    def log_size(self) -> int:
        """The log's size now (flushed): a mark to read what is printed after it (:meth:`log_text`)."""
        if self._log is not None and not self._log.closed:
            self._log.flush()
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_text(self, since: int = 0) -> str:
        """The server's output from byte ``since`` on."""
        if not self.log_path.exists():
            return ""
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            f.seek(since)
            return f.read()

    def stop(self) -> None:
        """Terminate the server (killed when it does not exit within 5 s) and close its log."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()

    def __enter__(self) -> "AppServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def launch_chromium(pw: Any) -> Any:
    """Headless Debian Chromium (``/usr/bin/chromium``) through Playwright ``pw``."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))


#: Where a guarded context sends every request to a host other than :data:`LOCAL_HOSTS`: a proxy
#: on a closed local port, so such a request fails at once (it never leaves the machine).
DEAD_PROXY = "http://127.0.0.1:9"


def guarded_context(browser: Any, attempted: list[str], **options: Any) -> Any:
    """A new browser context (a new Streamlit session) where every non-local request fails and is recorded.

    Each URL (HTTP(S) request or websocket) to a host other than :data:`LOCAL_HOSTS` is appended to
    ``attempted``; the request goes to :data:`DEAD_PROXY` and fails. The guard only listens: no
    request is routed through Playwright (routing would turn the browser's cache off and add a round
    trip through this process to each of the ~160 requests of a page load, ~1-2 s of a first load
    under load). ``options`` go to ``browser.new_context`` (default viewport 1400 × 1000, downloads
    accepted).
    """
    def record(url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
            attempted.append(url)

    context = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, "accept_downloads": True,
                                     "proxy": {"server": DEAD_PROXY, "bypass": ",".join(sorted(LOCAL_HOSTS))},
                                     **options})
    context.on("request", lambda request: record(request.url))
    context.on("page", lambda page: page.on("websocket", lambda ws: record(ws.url)))
    return context


def wait_idle(page: Any, timeout_ms: float = 60_000, settle_ms: float = 30) -> None:
    """Until Streamlit has no run in progress (its status widget gone or empty).

    ``settle_ms`` first: the widget appears a few ms after a message is sent.
    """
    page.wait_for_timeout(settle_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.trim()",
        timeout=timeout_ms,
    )


def map_frame(page: Any, towns: int = 73, timeout_ms: float = 60_000) -> Any:
    """The map's iframe (streamlit-folium) once Leaflet has drawn at least ``towns`` town polygons."""
    frame_el = page.locator('[data-testid="stCustomComponentV1"]').first
    frame_el.wait_for(timeout=timeout_ms)
    frame = frame_el.element_handle().content_frame()
    frame.locator(".leaflet-container").wait_for(timeout=timeout_ms)
    frame.wait_for_function(f"document.querySelectorAll('path.leaflet-interactive').length >= {int(towns)}",
                            timeout=timeout_ms)
    return frame
