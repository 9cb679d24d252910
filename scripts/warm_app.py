"""Warm a freshly started app server: run the page once in it, before the first planner opens it.

``scripts/run_app.sh`` starts this beside ``streamlit run app.py --server.scriptHealthCheckEnabled
true``. It waits until the server answers ``/_stcore/health``, then asks for
``/_stcore/script-health-check``: the server runs ``app.py`` once in its own process (Streamlit's
script health check), so the imports (pandas, geopandas, folium, the ``coverage`` package) and the
data cached per process (the region, the standards, the analysis and the map of the default view)
are ready when the first browser connects (~2.5 s on 2 idle cores, more when busy). It makes no
request off 127.0.0.1 and gives up quietly when the server does not answer.

Run: ``python scripts/warm_app.py [http://127.0.0.1:8501]``.
"""

from __future__ import annotations

import sys
import time
import urllib.request

#: How long to wait for the server to come up, then for the page's run (seconds).
START_TIMEOUT_S = 120.0
RUN_TIMEOUT_S = 120.0


def warm(url: str = "http://127.0.0.1:8501") -> bool:
    """Wait for the server at ``url`` and have it run the page once; True when the run succeeded."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.3)
    try:
        with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=RUN_TIMEOUT_S) as answer:
            # "ok" when the page ran; without the option the path is the page's own HTML (200, no run).
            return answer.status == 200 and answer.read().strip() == b"ok"
    except OSError:  # an error page (503) or no answer: the first planner pays the start, as before
        return False


if __name__ == "__main__":
    sys.exit(0 if warm(*sys.argv[1:2]) else 1)
