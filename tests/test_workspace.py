"""Tests for the persisted workspace (coverage.workspace) and its CLI."""

from __future__ import annotations

import json
import multiprocessing
import os
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, Polygon

from coverage import workspace as wsmod
from coverage.cli import main as cli_main
from coverage.workspace import (
    DB_NAME,
    StoredFrame,
    Workspace,
    check_changes,
    check_name,
    frame_from_dict,
    frame_to_dict,
)

REPO = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


def sample_layer() -> gpd.GeoDataFrame:
    """A facility layer exercising every dtype an importer produces."""
    return gpd.GeoDataFrame(
        {
            "facility_id": ["0070", "0101", "A-3"],  # leading zeros: codes must stay strings
            "name": ["江海区长者饭堂", "<b>蓬江</b> 站", None],
            "layer": ["elder_canteen"] * 3,
            "town_code": ["440703001", "440704002", "440705003"],
            "district_code": ["440703", "440704", "440705"],
            "address": ["江门市 1号", "", None],
            "beds": pd.array([12, None, 0], dtype="Int64"),
            "nursing_beds": pd.array([None, None, 3], dtype="Int64"),
            "opening_year": pd.array([2019, 2021, None], dtype="Int64"),
            "source": ["uploaded"] * 3,
            "rating": [4.5, np.nan, -np.inf],
            "active": [True, False, True],
            "surveyed": pd.to_datetime(["2024-03-01 08:30", None, "2025-01-02 00:00"]),
            "type": pd.Series(["社区", None, "农村"], dtype=object),  # object, as the importer makes
        },
        geometry=[
            Point(113.08123456789012, 22.578901234567891),
            Point(112.9876543210987, 22.3456789012345),
            None,
        ],
        crs="EPSG:4326",
    )


def sample_report() -> dict:
    return {"rows_read": 4, "rows_imported": 3, "errors": [{"row": 5, "column": "经度", "message": "empty"}]}


SCENARIO = [
    {"op": "add", "layer": "elder_canteen", "lon": 113.1, "lat": 22.6, "name": "新站"},
    {"op": "remove", "layer": "elder_canteen", "facility_id": "0070"},
]


def run_child(code: str, **kwargs) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with the repo and tests dir importable."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(TESTS)]))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


# ---------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------


def test_layer_round_trip_after_reopen(tmp_path):
    gdf = sample_layer()
    ws = Workspace.open(tmp_path)
    assert ws.save_layer("elder_canteen", gdf, report=sample_report(), source_name="长者饭堂.xlsx") == 1

    stored = Workspace.open(tmp_path).load_layer("elder_canteen")  # a "restart": new object
    assert_geodataframe_equal(stored.data, gdf, check_dtype=True)
    # dtypes that matter, spelled out
    assert stored.data["facility_id"].tolist() == ["0070", "0101", "A-3"]
    assert stored.data["town_code"].dtype == gdf["town_code"].dtype
    assert not pd.api.types.is_numeric_dtype(stored.data["town_code"])
    assert str(stored.data["beds"].dtype) == "Int64"
    assert stored.data.crs == gdf.crs and stored.data.geometry.name == "geometry"
    # coordinates are bit-for-bit identical (WKB, not rounded text)
    assert stored.data.geometry.iloc[0].x == 113.08123456789012
    assert stored.data.geometry.iloc[0].y == 22.578901234567891
    assert stored.data.geometry.iloc[2] is None
    assert stored.report == sample_report()
    assert stored.source_name == "长者饭堂.xlsx"
    assert stored.version == 1
    assert Workspace.open(tmp_path).layers() == ["elder_canteen"]


def test_layer_and_scenario_survive_a_new_process(tmp_path):
    # this process saves; a fresh interpreter reads it back and saves in turn; we read that
    ws = Workspace.open(tmp_path)
    ws.save_layer("elder_canteen", sample_layer(), report=sample_report(), source_name="a.csv")
    ws.save_scenario("first", SCENARIO[:1])
    result = run_child(
        f"""
        from geopandas.testing import assert_geodataframe_equal
        from coverage.workspace import Workspace
        from test_workspace import sample_layer, sample_report, SCENARIO
        ws = Workspace.open({str(tmp_path)!r})
        stored = ws.load_layer("elder_canteen")
        assert_geodataframe_equal(stored.data, sample_layer(), check_dtype=True)
        assert stored.report == sample_report() and stored.source_name == "a.csv"
        assert ws.load_scenario("first") == SCENARIO[:1]
        ws.save_scenario("方案 2025", SCENARIO)
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    ws = Workspace.open(tmp_path)
    assert ws.scenarios() == ["first", "方案 2025"]
    assert ws.load_scenario("方案 2025") == SCENARIO
    assert_geodataframe_equal(ws.load_layer("elder_canteen").data, sample_layer(), check_dtype=True)


def test_frame_codec_handles_index_category_tz_and_polygons():
    df = gpd.GeoDataFrame(
        {
            "code": pd.Series(["440703", "440704"], dtype="string"),
            "kind": pd.Categorical(["街道", "镇"], categories=["镇", "街道"], ordered=True),
            "when": pd.to_datetime(["2020-01-01 00:00", None]).tz_localize("Asia/Shanghai"),
            "mixed": pd.Series(["x", 3], dtype=object),
            "f32": np.array([0.1, np.nan], dtype="float32"),
            "u8": np.array([0, 255], dtype="uint8"),
            "seat": gpd.GeoSeries([Point(0, 0), Point(1, 1)], crs="EPSG:4326"),
        },
        geometry=[Polygon([(0, 0), (1, 0), (1, 1)]), Polygon([(0, 0), (2, 0), (2, 2)])],
        crs="EPSG:32649",
        index=pd.Index(["a", "b"], name="town"),
    )
    back = frame_from_dict(json.loads(json.dumps(frame_to_dict(df))))
    assert_geodataframe_equal(back, df, check_dtype=True)
    assert back["seat"].crs == "EPSG:4326"
    assert back.crs == "EPSG:32649"
    assert list(back["kind"].cat.categories) == ["镇", "街道"] and back["kind"].cat.ordered

    plain = pd.DataFrame({"cell_id": [1, 2], "pop_total": [10, 0]})
    pd.testing.assert_frame_equal(frame_from_dict(frame_to_dict(plain)), plain)
    empty = sample_layer().iloc[:0]
    assert_geodataframe_equal(frame_from_dict(frame_to_dict(empty)), empty, check_dtype=True)


def test_stored_data_is_strict_json_without_pickle(tmp_path):
    ws = Workspace.open(tmp_path)
    ws.save_layer("elder_canteen", sample_layer(), report=sample_report())
    ws.save_scenario("s", SCENARIO)
    con = sqlite3.connect(tmp_path / DB_NAME)
    try:
        rows = con.execute("SELECT kind, body, meta FROM objects").fetchall()
    finally:
        con.close()
    assert len(rows) == 2

    def no_constants(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    for kind, body, meta in rows:
        assert isinstance(body, str) and isinstance(meta, str)
        json.loads(body, parse_constant=no_constants)
        json.loads(meta, parse_constant=no_constants)
        if kind == "layer":
            geom = next(c for c in json.loads(body)["columns"] if c["name"] == "geometry")
            assert geom["values"][0] == Point(113.08123456789012, 22.578901234567891).wkb_hex


@pytest.mark.parametrize(
    "column, value",
    [("note", {"a": 1}), ("note", [1, 2]), ("note", b"bytes"), ("note", object())],
)
def test_unstorable_values_are_refused_naming_the_column(tmp_path, column, value):
    gdf = sample_layer()
    gdf[column] = pd.Series([value, None, None], dtype=object)
    ws = Workspace.open(tmp_path)
    with pytest.raises(ValueError, match="column 'note'"):
        ws.save_layer("elder_canteen", gdf)
    assert ws.layers() == []


def test_reports_as_dataclass_or_to_dict_are_stored_as_dicts(tmp_path):
    from dataclasses import dataclass, field

    @dataclass
    class Report:
        rows_read: int
        issues: list = field(default_factory=list)

    class WithToDict:
        def to_dict(self):
            return {"rows_read": np.int64(7), "share": np.float64(0.5)}

    ws = Workspace.open(tmp_path)
    ws.save_layer("a", sample_layer(), report=Report(3, [("row", 2)]))
    ws.save_layer("b", sample_layer(), report=WithToDict())
    assert ws.load_layer("a").report == {"rows_read": 3, "issues": [["row", 2]]}
    assert ws.load_layer("b").report == {"rows_read": 7, "share": 0.5}
    with pytest.raises(ValueError, match="import report"):
        ws.save_layer("c", sample_layer(), report="not a report")


def test_versions_history_and_delete(tmp_path):
    ws = Workspace.open(tmp_path)
    assert ws.save_scenario("s", SCENARIO) == 1
    assert ws.save_scenario("s", SCENARIO[:1]) == 2
    assert ws.load_scenario("s") == SCENARIO[:1]
    assert ws.load_scenario("s", version=1) == SCENARIO
    assert ws.scenario_versions("s") == [1, 2]
    ws.delete_scenario("s")
    assert ws.scenarios() == []
    with pytest.raises(KeyError, match="no scenario 's'"):
        ws.load_scenario("s")
    with pytest.raises(KeyError):
        ws.delete_scenario("s")
    # numbering continues after a delete, so an old version is never shadowed
    assert ws.save_scenario("s", SCENARIO) == 3
    events = [(h.action, h.version) for h in ws.history() if h.name == "s"]
    assert events == [("save", 3), ("delete", 2), ("save", 2), ("save", 1)]
    with pytest.raises(KeyError, match="no version 9"):
        ws.load_scenario("s", version=9)


def test_history_keeps_the_last_versions_only(tmp_path, monkeypatch):
    monkeypatch.setattr(wsmod, "HISTORY_KEEP", 3)
    ws = Workspace.open(tmp_path)
    for i in range(6):
        ws.save_scenario("s", [{"op": "remove", "layer": "x", "facility_id": str(i)}])
    assert ws.scenario_versions("s") == [4, 5, 6]
    assert ws.load_scenario("s", version=4)[0]["facility_id"] == "3"
    with pytest.raises(KeyError, match="no version 3"):
        ws.load_scenario("s", version=3)
    # the events themselves stay in the log
    assert [h.version for h in ws.history()] == [6, 5, 4, 3, 2, 1]


def test_standards_and_overrides_round_trip(tmp_path):
    ws = Workspace.open(tmp_path)
    assert ws.load_standards() == {}
    std = {"elder_canteen": {"urban": {"mode": "walk", "minutes": 10, "distance_m": 500}}}
    ws.save_standards(std)
    ws.save_standards({"elder_canteen": {"rural": {"minutes": 20}}})
    ws2 = Workspace.open(tmp_path)
    assert ws2.load_standards() == {"elder_canteen": {"rural": {"minutes": 20}}}
    assert ws2.load_standards(version=1) == std
    with pytest.raises(ValueError, match="finite"):
        ws.save_standards({"x": float("nan")})
    with pytest.raises(ValueError, match="must be a dict"):
        ws.save_standards([1, 2])

    towns = gpd.GeoDataFrame(
        {"town_code": ["440703001"], "town_zh": ["白沙街道"]},
        geometry=[Polygon([(113, 22), (113.1, 22), (113.1, 22.1)])],
        crs="EPSG:4326",
    )
    pop = pd.DataFrame({"town_code": ["440703001"], "pop_total": [1234], "pop_60plus": [200]})
    assert ws.overrides() == []
    ws.save_towns(towns, source_name="towns.gpkg")
    ws.save_population(pop, report={"rows_read": 1})
    assert ws2.overrides() == ["population", "towns"]
    assert_geodataframe_equal(ws2.load_towns().data, towns, check_dtype=True)
    pd.testing.assert_frame_equal(ws2.load_population().data, pop)
    assert ws2.load_population().report == {"rows_read": 1}
    ws2.delete_override("towns")
    with pytest.raises(KeyError):
        ws.load_towns()
    with pytest.raises(ValueError, match="'towns' or 'population'"):
        ws.delete_override("roads")


# ---------------------------------------------------------------------------
# crash safety and concurrency
# ---------------------------------------------------------------------------


def test_failure_inside_a_save_rolls_back(tmp_path, monkeypatch):
    ws = Workspace.open(tmp_path)
    ws.save_scenario("s", SCENARIO)

    def boom(kind, name):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(wsmod, "_BEFORE_COMMIT", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        ws.save_scenario("s", SCENARIO[:1])
    with pytest.raises(RuntimeError):
        ws.save_layer("elder_canteen", sample_layer())
    monkeypatch.setattr(wsmod, "_BEFORE_COMMIT", None)
    assert ws.load_scenario("s") == SCENARIO
    assert ws.scenario_versions("s") == [1]
    assert ws.layers() == []


_KILL_CHILD = """
import sys, time
import numpy as np, geopandas as gpd
from shapely.geometry import Point
from coverage import workspace as wsmod

def ready(kind, name):
    # inside the write transaction, after the new rows are written, before COMMIT
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    time.sleep(120)

ws = wsmod.Workspace.open(sys.argv[1])
n = 25_000  # ~7 MB serialised: more than SQLite's 2 MB page cache, so it spills into the WAL
big = gpd.GeoDataFrame(
    {"facility_id": [f"NEW-{i:06d}" for i in range(n)], "name": ["x" * 200] * n},
    geometry=gpd.points_from_xy(113 + np.arange(n) * 1e-6, np.full(n, 22.5)),
    crs="EPSG:4326",
)
wsmod._BEFORE_COMMIT = ready
ws.save_layer("elder_canteen", big, source_name="big.csv")
ws.save_scenario("s", [])
"""


def test_killed_mid_save_leaves_previous_state_intact(tmp_path):
    ws = Workspace.open(tmp_path)
    ws.save_layer("elder_canteen", sample_layer(), report=sample_report(), source_name="old.csv")
    ws.save_scenario("s", SCENARIO)
    wal = tmp_path / f"{DB_NAME}-wal"
    wal_before = wal.stat().st_size if wal.exists() else 0

    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen(
        [sys.executable, "-c", _KILL_CHILD, str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([child.stdout], [], [], 90)
        assert ready, "child never reached the commit point"
        line = child.stdout.readline()
        assert line.strip() == "ready", child.stderr.read()
        # the uncommitted save really did write to disk (the big layer spilled into the WAL)
        assert wal.stat().st_size > wal_before + 1_000_000
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    after = Workspace.open(tmp_path)
    assert after.integrity_check() == "ok"
    stored = after.load_layer("elder_canteen")
    assert_geodataframe_equal(stored.data, sample_layer(), check_dtype=True)
    assert (stored.version, stored.source_name, stored.report) == (1, "old.csv", sample_report())
    assert after.load_scenario("s") == SCENARIO
    # the workspace is still writable and numbering continues from the committed state
    assert after.save_layer("elder_canteen", sample_layer().iloc[:1]) == 2


def _save_many(directory: str, worker: int, n: int, barrier) -> None:
    ws = Workspace.open(directory, busy_timeout=60)
    barrier.wait()
    for j in range(n):
        ws.save_scenario(f"w{worker}-{j:03d}", [{"op": "remove", "layer": "x", "facility_id": f"{worker}-{j}"}])
        ws.save_scenario("shared", [{"op": "remove", "layer": "x", "facility_id": f"{worker}-{j}"}])


def test_two_processes_writing_at_once(tmp_path):
    n = 40
    Workspace.open(tmp_path)  # create the file before the race
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_save_many, args=(str(tmp_path), w, n, barrier)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]

    ws = Workspace.open(tmp_path)
    names = ws.scenarios()
    assert len(names) == 2 * n + 1
    assert set(names) == {f"w{w}-{j:03d}" for w in (1, 2) for j in range(n)} | {"shared"}
    for w in (1, 2):
        for j in (0, n - 1):
            assert ws.load_scenario(f"w{w}-{j:03d}")[0]["facility_id"] == f"{w}-{j}"
    # every one of the 2n saves of the shared scenario got its own version
    saves = [h for h in ws.history(limit=10_000) if h.name == "shared"]
    assert sorted(h.version for h in saves) == list(range(1, 2 * n + 1))
    last = ws.load_scenario("shared")[0]["facility_id"]
    assert last in {f"{w}-{n - 1}" for w in (1, 2)}
    assert ws.load_scenario("shared", version=2 * n)[0]["facility_id"] == last
    assert ws.integrity_check() == "ok"
    con = sqlite3.connect(tmp_path / DB_NAME)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


# ---------------------------------------------------------------------------
# names, sizes, inputs
# ---------------------------------------------------------------------------

BAD_NAMES = [
    "../x",
    "..",
    ".",
    "/etc/passwd",
    "a/b",
    "..\\x",
    "C:\\evil",
    "C:evil",
    "x\x00y",
    "a\nb",
    "",
    " padded",
    "padded ",
    ".hidden",
    "x" * 121,
    "what?",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_names_that_could_escape_are_refused(tmp_path, name):
    ws = Workspace.open(tmp_path)
    with pytest.raises(ValueError) as err:
        ws.save_scenario(name, SCENARIO)
    assert repr(name)[:60] in str(err.value)
    with pytest.raises(ValueError):
        ws.save_layer(name, sample_layer())
    with pytest.raises(ValueError):
        ws.save_layer("ok", sample_layer(), source_name=name)
    with pytest.raises(ValueError):
        ws.load_scenario(name)
    assert ws.scenarios() == [] and ws.layers() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f for f in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm") if (tmp_path / f).exists()
    )
    assert not (tmp_path.parent / "x").exists()


@pytest.mark.parametrize("name", ["方案A", "elder_canteen", "plan 2025 (draft)", "长者饭堂.xlsx", "a.b-c_d"])
def test_ordinary_names_are_accepted(name):
    assert check_name(name) == name


def test_non_string_names_are_refused():
    with pytest.raises(ValueError, match="scenario name must be a string"):
        check_name(3, "scenario name")
    with pytest.raises(ValueError, match="must be a string"):
        check_name(Path("x"))


def test_blob_size_limit(tmp_path):
    ws = Workspace.open(tmp_path, max_blob_bytes=2_000)
    ws.save_layer("elder_canteen", sample_layer().iloc[:1])
    big = sample_layer()
    big["name"] = "长" * 2_000
    with pytest.raises(ValueError, match=r"layer 'elder_canteen' is [\d,]+ bytes.*limit of 2,000 bytes \(max_blob_bytes\)"):
        ws.save_layer("elder_canteen", big)
    with pytest.raises(ValueError, match="max_blob_bytes"):
        ws.save_scenario("s", [{"op": "add", "layer": "x", "lon": 1, "lat": 2, "note": "x" * 3_000}])
    assert len(ws.load_layer("elder_canteen").data) == 1
    assert ws.scenarios() == []
    with pytest.raises(ValueError, match="max_blob_bytes must be a positive integer"):
        Workspace.open(tmp_path, max_blob_bytes=0)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"op": "add"}, "must be a list"),
        ("add", "must be a list"),
        ([["add"]], "scenario change 0 must be a dict"),
        ([{"op": "move", "layer": "x"}], "scenario change 0: 'op' must be one of add, remove"),
        ([{"op": "add", "lon": 1, "lat": 2}], "missing 'layer'"),
        ([{"op": "add", "layer": "../x", "lon": 1, "lat": 2}], "invalid layer id in scenario change 0"),
        ([SCENARIO[0], {"op": "add", "layer": "x", "lat": 2}], "scenario change 1: an 'add' needs 'lon'"),
        ([{"op": "add", "layer": "x", "lon": 181, "lat": 2}], "'lon' must be a finite number in"),
        ([{"op": "add", "layer": "x", "lon": float("nan"), "lat": 2}], "finite"),
        ([{"op": "add", "layer": "x", "lon": True, "lat": 2}], "'lon' must be a number"),
        ([{"op": "add", "layer": "x", "lon": "113", "lat": 2}], "'lon' must be a number"),
        ([{"op": "remove", "layer": "x"}], "needs a non-empty string 'facility_id'"),
        ([{"op": "remove", "layer": "x", "facility_id": 7}], "needs a non-empty string 'facility_id'"),
        ([{"op": "add", "layer": "x", "lon": 1, "lat": 2, "extra": object()}], "plain JSON data only"),
    ],
)
def test_invalid_scenario_changes_are_refused(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("?", r"\?")):
        check_changes(changes)


def test_changes_are_normalised():
    out = check_changes([{"op": "add", "layer": "x", "lon": 113, "lat": np.float64(22.5), "beds": np.int64(3)}])
    assert out == [{"op": "add", "layer": "x", "lon": 113.0, "lat": 22.5, "beds": 3}]
    assert isinstance(out[0]["lon"], float) and type(out[0]["beds"]) is int
    assert check_changes([]) == []


# ---------------------------------------------------------------------------
# locations, foreign files, backup
# ---------------------------------------------------------------------------


def test_directory_from_env_and_default(tmp_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_WORKSPACE", str(tmp_path / "from-env"))
    ws = Workspace.open()
    assert ws.directory == tmp_path / "from-env" and (tmp_path / "from-env" / DB_NAME).exists()
    assert Workspace.open(tmp_path / "explicit").directory == tmp_path / "explicit"
    monkeypatch.delenv("COVERAGE_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    assert Workspace.open().file == tmp_path / "workspace" / DB_NAME


def test_foreign_files_are_refused(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        Workspace.open(tmp_path / "afile")
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ValueError, match="not a coverage workspace"):
        Workspace.open(garbage)
    other = tmp_path / "other"
    other.mkdir()
    con = sqlite3.connect(other / DB_NAME)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(ValueError, match="not a coverage workspace"):
        Workspace.open(other)


def test_newer_schema_is_refused(tmp_path):
    Workspace.open(tmp_path)
    con = sqlite3.connect(tmp_path / DB_NAME)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(ValueError, match="schema version 99"):
        Workspace.open(tmp_path)


def test_backup_is_a_complete_consistent_copy(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    ws.save_layer("elder_canteen", sample_layer(), report=sample_report())
    ws.save_scenario("s", SCENARIO)
    dest_dir = tmp_path / "backups"
    dest_dir.mkdir()
    copy = ws.backup(dest_dir)
    assert copy.parent == dest_dir and copy.name.startswith("workspace-") and copy.suffix == ".sqlite"
    assert [p.name for p in dest_dir.iterdir()] == [copy.name]  # no temp file left behind
    ws.save_scenario("s", [])  # later changes do not reach the backup

    restored = tmp_path / "restored"
    restored.mkdir()
    copy.rename(restored / DB_NAME)
    back = Workspace.open(restored)
    assert back.integrity_check() == "ok"
    assert back.load_scenario("s") == SCENARIO
    assert_geodataframe_equal(back.load_layer("elder_canteen").data, sample_layer(), check_dtype=True)

    named = ws.backup(tmp_path / "named.sqlite")
    assert named == tmp_path / "named.sqlite" and named.exists()
    with pytest.raises(ValueError, match="live workspace"):
        ws.backup(ws.file)
    with pytest.raises(ValueError, match="does not exist"):
        ws.backup(tmp_path / "missing" / "x.sqlite")


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def test_cli_list_export_backup_check(tmp_path, capsys):
    ws = Workspace.open(tmp_path / "ws")
    ws.save_layer("elder_canteen", sample_layer(), source_name="饭堂.xlsx")
    ws.save_population(pd.DataFrame({"town_code": ["440703001"], "pop_total": [5]}))
    ws.save_standards({"elder_canteen": {"urban": {"minutes": 10}}})
    ws.save_scenario("方案A", SCENARIO)
    base = ["workspace", "--workspace", str(tmp_path / "ws")]

    assert cli_main(base + ["list"]) == 0
    out = capsys.readouterr().out
    assert "elder_canteen" in out and "3 rows" in out and "饭堂.xlsx" in out and "方案A" in out

    assert cli_main(base + ["export", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    fc = json.loads((tmp_path / "out" / "layers" / "elder_canteen.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["facility_id"] for f in fc["features"]] == ["0070", "0101", "A-3"]
    assert fc["properties"]["source_name"] == "饭堂.xlsx"
    doc = json.loads((tmp_path / "out" / "scenarios" / "方案A.json").read_text(encoding="utf-8"))
    assert doc == {"name": "方案A", "changes": SCENARIO}
    assert json.loads((tmp_path / "out" / "standards.json").read_text(encoding="utf-8")) == {
        "elder_canteen": {"urban": {"minutes": 10}}
    }
    pop = pd.read_csv(tmp_path / "out" / "population.csv", dtype={"town_code": str})
    assert pop["town_code"].tolist() == ["440703001"]

    assert cli_main(base + ["backup", str(tmp_path / "b.sqlite")]) == 0
    assert (tmp_path / "b.sqlite").exists()
    assert cli_main(base + ["check"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "ok"
    assert cli_main(base + ["history", "--limit", "2"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2

    (tmp_path / "afile").write_text("x")
    assert cli_main(["workspace", "--workspace", str(tmp_path / "afile"), "list"]) == 2
    assert "not a directory" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# with the real importer, the embedded data and a Region
# ---------------------------------------------------------------------------


def test_real_import_and_report_round_trip(tmp_path):
    from coverage.io import ImportReport, read_facilities

    src = tmp_path / "饭堂.csv"
    src.write_text(
        "编号,名称,经度,纬度,床位数\n007,江海长者饭堂,113.1200,22.5700,12\n010,蓬江长者饭堂,113.0500,22.6100,\n",
        encoding="utf-8",
    )
    gdf, report = read_facilities(src, "elder_canteen")
    ws = Workspace.open(tmp_path / "ws")
    ws.save_layer("elder_canteen", gdf, report=report, source_name=src.name)

    stored = Workspace.open(tmp_path / "ws").load_layer("elder_canteen")
    assert_geodataframe_equal(stored.data, gdf, check_dtype=True)
    assert stored.data["facility_id"].tolist() == ["007", "010"]
    assert stored.report["rows_read"] == 2 and stored.report["file"] == "饭堂.csv"
    back = stored.import_report()
    assert isinstance(back, ImportReport)
    assert back == report  # dataclass equality: every field and issue
    assert StoredFrame(gdf, None, None, 1, "").import_report() is None
    with pytest.raises(ValueError, match="not an import report"):
        StoredFrame(gdf, {"rows_read": 1}, None, 1, "").import_report()


def test_embedded_layers_round_trip_exactly(tmp_path):
    from coverage.paths import FACILITIES

    ws = Workspace.open(tmp_path)
    files = sorted(FACILITIES.glob("*.geojson"))
    assert files, "no embedded facility layers found"
    for path in files:
        gdf = gpd.read_file(path)
        ws.save_layer(path.stem, gdf, source_name=path.name)
        assert_geodataframe_equal(ws.load_layer(path.stem).data, gdf, check_dtype=True)
    assert ws.layers() == sorted(p.stem for p in files)


def test_apply_to_replaces_saved_layers_in_a_region(tmp_path, small_region):
    from coverage.io.report import ImportReport

    report = ImportReport(file="x.csv", layer="elder_care_station", rows_read=1, rows_imported=1)
    new = gpd.GeoDataFrame(
        {"facility_id": ["NEW1"], "name": ["新站"], "layer": ["elder_care_station"], "source": ["uploaded"]},
        geometry=[Point(113.0, 22.5)],
        crs="EPSG:4326",
    )
    ws = Workspace.open(tmp_path)
    ws.save_layer("elder_care_station", new, report=report)
    ws.save_layer("my_custom_layer", new)  # not a registry layer: ignored by apply_to
    region = ws.apply_to(small_region)
    assert region.facilities["elder_care_station"]["facility_id"].tolist() == ["NEW1"]
    assert region.provenance["facilities:elder_care_station"] == "uploaded"
    assert region.reports["facilities:elder_care_station"] == report
    # the input region is untouched, other layers are kept
    assert small_region.facilities["elder_care_station"]["facility_id"].tolist() == ["ECS1", "ECS2"]
    assert region.facilities["ossuary"]["facility_id"].tolist() == ["OSS1"]


def test_what_if_edits_save_and_replay(tmp_path, small_region):
    from coverage.ui.scenario import Scenario
    from coverage.workspace import changes_from_edits, replay_changes

    layer = "elder_care_station"
    live = Scenario(small_region, layer)
    live.add_site(113.0, 22.51)
    live.add_site(113.01, 22.52)
    live.remove_facility("ECS1")
    live.remove_facility("new-1")  # an added site removed again
    Workspace.open(tmp_path).save_scenario("试算", changes_from_edits(live.changes, layer))

    saved = Workspace.open(tmp_path).load_scenario("试算")  # after a "restart"
    assert [(c["op"], c["facility_id"]) for c in saved] == [
        ("add", "new-1"), ("add", "new-2"), ("remove", "ECS1"), ("remove", "new-1")
    ]
    assert saved[2]["name"] == "ECS1 名称" and saved[0]["layer"] == layer
    again = Scenario(small_region, layer)
    assert replay_changes(again, saved, layer) == 4
    assert again.changes == live.changes
    np.testing.assert_array_equal(again.reach.covered, live.reach.covered)
    assert again.removed_ids == {"ECS1"}

    other = Scenario(small_region, layer)
    assert replay_changes(other, saved, "ossuary") == 0  # other layers' changes are skipped
    gone = [{"op": "remove", "layer": layer, "facility_id": "NOPE"}]
    with pytest.raises(ValueError, match=r"scenario change 0 \(remove NOPE\) cannot be applied"):
        replay_changes(other, gone, layer)
    with pytest.raises(ValueError, match="edit 0 is not a what-if change"):
        changes_from_edits([object()], layer)


def test_damaged_file_is_reported_not_misread(tmp_path, capsys):
    from coverage.workspace import WorkspaceError

    ws = Workspace.open(tmp_path)
    n = 3_000  # ~100 pages, so the damage below hits the layer's pages
    big = gpd.GeoDataFrame(
        {"name": ["x" * 100] * n},
        geometry=gpd.points_from_xy(113 + np.arange(n) * 1e-6, np.full(n, 22.5)),
        crs="EPSG:4326",
    )
    ws.save_layer("a", big)
    with open(tmp_path / DB_NAME, "r+b") as fh:  # nothing is open: the WAL is checkpointed
        fh.seek(4096 * 5)
        fh.write(b"\xff" * 4096 * 20)

    damaged = Workspace.open(tmp_path)
    report = damaged.integrity_check()
    assert report != "ok" and "Page" in report
    with pytest.raises(WorkspaceError, match="is damaged .*restore it from a backup"):
        damaged.load_layer("a")
    assert cli_main(["workspace", "--workspace", str(tmp_path), "check"]) == 1
    assert capsys.readouterr().out.strip() != "ok"
