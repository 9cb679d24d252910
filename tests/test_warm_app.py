"""scripts/warm_app.py: a fresh server runs the page once in its own process before the first planner."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts import warm_app  # noqa: E402
from scripts.browser import AppServer  # noqa: E402

#: What scripts/run_app.sh passes as --server.scriptHealthCheckEnabled true.
CHECK_ON = {"STREAMLIT_SERVER_SCRIPT_HEALTH_CHECK_ENABLED": "true"}


def _runs(app: AppServer) -> int:
    time.sleep(0.2)  # let the last lines reach the log
    return app.log_text().count("[timing] total")


def test_a_fresh_server_runs_the_page_once_when_warmed(tmp_path):
    app = AppServer(tmp_path / "ws", tmp_path / "log", timing=True, env=CHECK_ON).start()
    try:
        assert _runs(app) == 0  # streamlit run alone runs nothing before a browser connects
        assert warm_app.warm(app.url)
        assert _runs(app) == 1
        # The region step of that run loaded the data; it is cached in the process for the planners.
        assert "[timing] region:" in app.log_text()
    finally:
        app.stop()


def test_without_the_check_nothing_runs_and_warm_says_so(tmp_path):
    app = AppServer(tmp_path / "ws", tmp_path / "log", timing=True).start()
    try:
        assert not warm_app.warm(app.url)  # the path answers the page's HTML: no run
        assert _runs(app) == 0
    finally:
        app.stop()


def test_no_server_gives_up_quietly(monkeypatch):
    monkeypatch.setattr(warm_app, "START_TIMEOUT_S", 0.5)
    assert not warm_app.warm("http://127.0.0.1:9")
