"""The browser benchmark's breakdown (benchmarks/bench_app.py ``main_thread_parts``) on a hand-made trace.

The README's "which part of the page costs what" comes from it: each event is counted once, in the
outermost part it belongs to, scripts by frame (the map's iframe or the page: a frame is the map's when
its own document is the component's, not when it requests the component's files), other threads ignored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from bench_app import main_thread_parts  # noqa: E402


def span(name, ts_ms, dur_ms, tid=1, **data):
    return {"ph": "X", "name": name, "pid": 7, "tid": tid, "ts": ts_ms * 1000, "dur": dur_ms * 1000,
            "args": {"data": data} if data else {}}


def trace():
    return json.dumps({"traceEvents": [
        {"ph": "M", "name": "thread_name", "pid": 7, "tid": 1, "args": {"name": "CrRendererMain"}},
        {"ph": "M", "name": "thread_name", "pid": 7, "tid": 2, "args": {"name": "Compositor"}},
        {"ph": "I", "name": "TracingStartedInBrowser", "pid": 1, "tid": 1, "ts": 0,
         "args": {"data": {"frames": [{"frame": "PAGE", "url": "http://127.0.0.1:8501/"},
                                      {"frame": "MAP", "url": "http://127.0.0.1:8501/component/coverage_map/index.html"}]}}},
        {"ph": "I", "name": "ResourceSendRequest", "pid": 7, "tid": 1, "ts": 0,  # the page loads the map's
         "args": {"data": {"frame": "PAGE", "url": "http://127.0.0.1:8501/component/coverage_map/main.js"}}},
        span("RunTask", 0, 10),
        span("FunctionCall", 1, 4, frame="PAGE"),
        span("Layout", 2, 1),                      # forced by the script: the script's time
        span("FunctionCall", 5, 2, frame="MAP"),
        span("Paint", 8, 1),
        span("RunTask", 20, 5),
        span("MinorGC", 21, 1),
        span("UpdateLayoutTree", 22, 2),
        span("RunTask", 0, 50, tid=2),             # another thread: not the page's main thread
        span("FunctionCall", 30, 3, frame="PAGE"),  # outside any task: not counted
    ]}).encode()


def test_each_event_counted_once_in_its_outermost_part_and_scripts_by_frame():
    parts = main_thread_parts(trace())
    assert parts["tasks"] == 2
    assert parts["busy"] == pytest.approx(0.015)
    assert parts["page_js"] == pytest.approx(0.004)   # the nested layout is inside the script
    assert parts["map_js"] == pytest.approx(0.002)
    assert parts["paint"] == pytest.approx(0.001)
    assert parts["gc"] == pytest.approx(0.001)
    assert parts["style_layout"] == pytest.approx(0.002)
    assert parts["other_task"] == pytest.approx(0.015 - 0.010)
