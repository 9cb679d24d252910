"""The app keeps the planner's work: uploads, standards and what-if edits survive a restart.

Each test gets an empty workspace of its own (``COVERAGE_WORKSPACE`` pointed at a temporary
directory); a "restart" is a new ``AppTest`` run of ``app.py`` on the same workspace.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coverage.region import load_default
from coverage.ui.views import md_text
from coverage.workspace import ENV_VAR, Workspace

APP = Path(__file__).resolve().parent.parent / "app.py"
BAD_REGISTER = "名称,经度,纬度\n甲社工站,113.08,22.58\n乙社工站,,22.25\n".encode("utf-8")
GOOD_REGISTER = "名称,经度,纬度\n甲社工站,113.08,22.58\n乙社工站,112.79,22.25\n".encode("utf-8")


@pytest.fixture
def fresh_workspace(tmp_path, monkeypatch) -> Path:
    """An empty workspace of its own for one test."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    return tmp_path


def start() -> AppTest:
    """A new session of the app (a restart: only the workspace is shared with earlier sessions)."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metrics(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def _upload(app: AppTest, content: bytes) -> None:
    app.selectbox(key="upload_layer").set_value("social_work_station")
    app.file_uploader(key="up_fac").set_value(("register.csv", content, "text/csv"))
    next(b for b in app.button if b.label in ("使用上传数据", "Use the uploaded data")).click().run()
    assert not app.exception, [e.message for e in app.exception]



# --------------------------------------------------------------------------- the workspace


def _entries(ws: Workspace) -> list[tuple]:
    return [(e.kind, e.name, e.version, e.saved_at) for e in ws.entries()]


def test_upload_survives_a_restart_and_a_failed_upload_changes_nothing(fresh_workspace):
    n_default = len(load_default().facilities["social_work_station"])
    at = start()
    other = start()  # a second browser session on the same workspace
    # The data tab says where it saves (the path shown as text: Markdown escaped).
    assert any(md_text(str(fresh_workspace / "workspace.sqlite")) in c.value for c in at.caption)
    _upload(at, GOOD_REGISTER)
    assert not at.error
    ws = Workspace.open(fresh_workspace)
    assert ws.layers() == ["social_work_station"]
    assert ws.load_layer("social_work_station").source_name == "register.csv"

    other.sidebar.selectbox(key="layer").set_value("social_work_station").run()
    assert metrics(other)[3][1] == "2"  # the other session uses the upload on its next run

    at = start()  # restart
    at.sidebar.selectbox(key="layer").set_value("social_work_station").run()
    assert metrics(at)[3][1] == "2"
    provenance = next(d.value for d in at.dataframe if list(d.value.columns) == ["输入", "来源"])
    assert provenance.set_index("输入").loc["设施: 乡镇(街道)社工站", "来源"] == "用户上传"
    assert "设施: 乡镇(街道)社工站 — 用户上传" in " ".join(m.value for m in at.sidebar.markdown)
    assert any("register" in c.value and "2" in c.value for c in at.caption)  # the saved import report

    before = _entries(ws)
    _upload(at, BAD_REGISTER)
    assert at.error
    assert _entries(ws) == before
    assert metrics(at)[3][1] == "2"

    # Back to the default data: only once the checkbox confirms it.
    assert at.button(key="reset_data").disabled
    at.checkbox(key="reset_confirm").check().run()
    at.button(key="reset_data").click().run()
    assert not at.exception
    assert ws.layers() == []
    assert metrics(at)[3][1] == f"{n_default:,}"


def test_a_damaged_workspace_is_reported_and_the_app_still_works(fresh_workspace):
    (fresh_workspace / "workspace.sqlite").write_bytes(b"not an SQLite file at all" * 100)
    at = start()
    assert any("无法打开工作区" in e.value for e in at.error)
    assert metrics(at)[3][1] == f"{len(load_default().facilities['elder_care_station']):,}"
    assert (fresh_workspace / "workspace.sqlite").read_bytes() == b"not an SQLite file at all" * 100


def test_town_boundaries_upload_survives_a_restart(fresh_workspace):
    """The default boundaries uploaded as a file: same figures, provenance 'uploaded', after a restart too."""
    towns = load_default().towns
    at = start()
    default = metrics(at)
    at.file_uploader(key="up_towns").set_value(("towns.geojson", towns.to_json().encode("utf-8"),
                                                "application/geo+json"))
    next(b for b in at.button if b.label == "使用上传数据").click().run()
    assert not at.exception and not at.error
    assert Workspace.open(fresh_workspace).overrides() == ["towns"]
    for session in (at, start()):
        provenance = next(d.value for d in session.dataframe if list(d.value.columns) == ["输入", "来源"])
        assert provenance.set_index("输入").loc["镇街边界", "来源"] == "用户上传"
        assert metrics(session) == default
