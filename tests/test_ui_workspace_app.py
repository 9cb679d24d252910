"""The app keeps the planner's work: uploads, standards and what-if edits survive a restart.

Each test gets an empty workspace of its own (``COVERAGE_WORKSPACE`` pointed at a temporary
directory); a "restart" is a new ``AppTest`` run of ``app.py`` on the same workspace.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from conftest import headline, open_tab

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
    return [(m.label, m.value) for m in headline(at)]


def _upload(app: AppTest, content: bytes) -> None:
    open_tab(app, "tab_data")
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
    open_tab(at, "tab_data")
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
    open_tab(at, "tab_data")
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
    at = open_tab(start(), "tab_data")
    assert any("无法打开工作区" in e.value for e in at.error)
    assert metrics(at)[3][1] == f"{len(load_default().facilities['elder_care_station']):,}"
    assert (fresh_workspace / "workspace.sqlite").read_bytes() == b"not an SQLite file at all" * 100


def test_town_boundaries_upload_survives_a_restart(fresh_workspace):
    """The default boundaries uploaded as a file: same figures, provenance 'uploaded', after a restart too."""
    towns = load_default().towns
    at = start()
    default = metrics(at)
    open_tab(at, "tab_data")
    at.file_uploader(key="up_towns").set_value(("towns.geojson", towns.to_json().encode("utf-8"),
                                                "application/geo+json"))
    next(b for b in at.button if b.label == "使用上传数据").click().run()
    assert not at.exception and not at.error
    assert Workspace.open(fresh_workspace).overrides() == ["towns"]
    for session in (at, open_tab(start(), "tab_data")):
        provenance = next(d.value for d in session.dataframe if list(d.value.columns) == ["输入", "来源"])
        assert provenance.set_index("输入").loc["镇街边界", "来源"] == "用户上传"
        assert metrics(session) == default


# --------------------------------------------------------------------------- integrity in the page


def _register_layer(n: int = 2):
    import geopandas as gpd
    from shapely.geometry import Point

    return gpd.GeoDataFrame({"facility_id": [f"U{i}" for i in range(n)], "name": [f"站{i}" for i in range(n)]},
                            geometry=[Point(113.08 - 0.2 * i, 22.58 - 0.1 * i) for i in range(n)],
                            crs="EPSG:4326")


def test_an_empty_workspace_file_is_refused_and_restored_from_a_backup(fresh_workspace):
    ws = Workspace.open(fresh_workspace)
    ws.save_layer("elder_care_station", _register_layer(2), source_name="good.csv")
    (fresh_workspace / "backups").mkdir()
    ws.backup(fresh_workspace / "backups")
    for suffix in ("", "-wal", "-shm"):
        (fresh_workspace / f"workspace.sqlite{suffix}").unlink(missing_ok=True)
    (fresh_workspace / "workspace.sqlite").write_bytes(b"")  # e.g. a copy cut short
    at = start()
    assert any("已损坏或无法读取" in e.value and "0 bytes" in e.value for e in at.error)
    assert metrics(at)[3][1] == f"{len(load_default().facilities['elder_care_station']):,}"
    assert (fresh_workspace / "workspace.sqlite").read_bytes() == b""  # refused, not recreated
    assert at.button(key="ws_restore").disabled  # only after the confirmation
    at.checkbox(key="ws_restore_ok").check().run()
    at.button(key="ws_restore").click().run()
    assert not at.exception and not at.error
    assert any("已从" in s.value for s in at.success)
    assert metrics(at)[3][1] == "2"  # the backup's upload is in use again
    moved = [p for p in fresh_workspace.iterdir() if p.name.startswith("workspace.sqlite.replaced-")]
    assert len(moved) == 1 and moved[0].read_bytes() == b""  # kept aside, not deleted


def test_a_damaged_saved_item_is_named_skipped_and_dropped_only_when_confirmed(fresh_workspace):
    import sqlite3

    ws = Workspace.open(fresh_workspace)
    ws.save_layer("elder_care_station", _register_layer(2))
    ws.save_layer("social_work_station", _register_layer(3))
    ws.save_scenario("坏方案", [])
    con = sqlite3.connect(fresh_workspace / "workspace.sqlite")
    con.execute("UPDATE objects SET body = '{\"format\": 1, \"columns\": [' WHERE name = 'elder_care_station'")
    con.execute("UPDATE objects SET body = 'not json' WHERE name = '坏方案'")
    con.commit()
    con.close()
    at = start()
    assert any("2 项" in e.value and "设施图层 “elder\\_care\\_station”" in e.value and "方案 “坏方案”" in e.value
               for e in at.error), [e.value for e in at.error]
    # the damaged layer falls back to the default, the readable upload is in use
    assert metrics(at)[3][1] == f"{len(load_default().facilities['elder_care_station']):,}"
    at.sidebar.selectbox(key="layer").set_value("social_work_station").run()
    assert metrics(at)[3][1] == "3"
    assert at.button(key="ws_drop_0").disabled
    assert ws.layers() == ["elder_care_station", "social_work_station"]
    at.checkbox(key="ws_drop_ok_1").check().run()
    at.button(key="ws_drop_1").click().run()
    at.checkbox(key="ws_drop_ok_0").check().run()
    at.button(key="ws_drop_0").click().run()
    assert not at.exception
    assert ws.layers() == ["social_work_station"] and ws.scenarios() == [] and ws.check().ok
    assert not any("损坏" in e.value for e in at.error)
    assert metrics(at)[3][1] == "3"


def test_a_read_only_workspace_opens_for_viewing(fresh_workspace, tmp_path_factory, monkeypatch):
    import subprocess

    ws = Workspace.open(fresh_workspace)
    ws.save_scenario("s", [])
    point = tmp_path_factory.mktemp("ro")
    if subprocess.run(["mount", "--bind", "-o", "ro", str(fresh_workspace), str(point)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here (needs CAP_SYS_ADMIN)")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(point)], capture_output=True).returncode:
            pytest.skip("cannot remount read-only here")
        monkeypatch.setenv(ENV_VAR, str(point))
        at = start()
        assert any("只读" in i.value for i in at.info)
        at.button(key="remove_open_button").click().run()
        at.selectbox(key="remove_choice").set_value(
            str(load_default().facilities["elder_care_station"]["facility_id"].iloc[0])).run()
        at.button(key="remove").click().run()  # an edit works in the page, nothing is written
        assert not at.exception and not at.error
        assert at.button(key="save_scenario").disabled
    finally:
        while subprocess.run(["umount", str(point)], capture_output=True).returncode == 0:
            pass
        subprocess.run(["umount", "-l", str(point)], capture_output=True)  # if still busy
    assert Workspace.open(fresh_workspace).drafts() == []
