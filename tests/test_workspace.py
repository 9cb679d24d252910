"""Tests for the persisted workspace (coverage.workspace) and its CLI."""

from __future__ import annotations

import json
import multiprocessing
import os
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
from coverage.errors import WorkspaceConflictError
from coverage.workspace import (
    DB_NAME,
    StoredFrame,
    Workspace,
    check_changes,
    check_name,
    frame_from_dict,
    frame_to_dict,
)
from test_workspace_kill import tripwire_connect

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
    assert ws.save_scenario("s", SCENARIO[:1], base_version=1) == 2
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
        ws.save_scenario("s", [{"op": "remove", "layer": "x", "facility_id": str(i)}], base_version=i or None)
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
    ws.save_standards({"elder_canteen": {"rural": {"minutes": 20}}}, base_version=1)
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

    def boom():
        raise RuntimeError("disk on fire")

    # the failure comes inside the write transaction, after the new rows are written, before COMMIT
    monkeypatch.setattr(sqlite3, "connect", tripwire_connect(lambda sql: sql.startswith("COMMIT"), boom))
    with pytest.raises(RuntimeError, match="disk on fire"):
        ws.save_scenario("s", SCENARIO[:1], base_version=1)
    with pytest.raises(RuntimeError):
        ws.save_layer("elder_canteen", sample_layer())
    monkeypatch.undo()
    assert ws.load_scenario("s") == SCENARIO
    assert ws.scenario_versions("s") == [1]
    assert ws.layers() == []


# a process killed in the middle of a save, and a writer killed holding the lock:
# tests/test_workspace_kill.py


def _save_many(directory: str, worker: int, n: int, barrier) -> None:
    ws = Workspace.open(directory, busy_timeout=60)
    barrier.wait()
    for j in range(n):
        ws.save_scenario(f"w{worker}-{j:03d}", [{"op": "remove", "layer": "x", "facility_id": f"{worker}-{j}"}])
        ws.update_scenario("shared", lambda _: [{"op": "remove", "layer": "x", "facility_id": f"{worker}-{j}"}])


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
    assert ws.check().ok
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
        ws.load_scenario(name)
    # (a source file name is only what the file was called: stored made valid, see
    # test_a_source_name_that_is_not_a_valid_name_is_stored_made_valid)
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
    ws.save_scenario("s", [], base_version=1)  # later changes do not reach the backup

    restored = tmp_path / "restored"
    restored.mkdir()
    copy.rename(restored / DB_NAME)
    back = Workspace.open(restored)
    assert back.check().ok
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
    base = ["workspace", "--workspace", str(tmp_path / "ws"), "--lang", "en"]

    assert cli_main(base + ["list"]) == 0
    out = capsys.readouterr().out
    assert "elder_canteen" in out and "3 rows" in out and "饭堂.xlsx" in out and "方案A" in out
    assert cli_main(base[:-2] + ["list"]) == 0  # Chinese by default
    out = capsys.readouterr().out
    assert out.startswith("工作区: ") and "3 行" in out and "来自 饭堂.xlsx" in out and "3 rows" not in out
    assert cli_main(base[:-2] + ["list", "--lang", "en"]) == 0  # --lang also after the action
    assert "3 rows" in capsys.readouterr().out

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


def test_cli_export_refuses_an_earlier_export_and_skips_damaged_items(tmp_path, capsys):
    ws = Workspace.open(tmp_path / "ws")
    ws.save_layer("elder_canteen", sample_layer())
    ws.save_layer("ossuary", sample_layer())
    ws.save_scenario("好", SCENARIO)
    ws.save_scenario("坏", SCENARIO)
    base = ["workspace", "--workspace", str(tmp_path / "ws"), "--lang", "en", "export"]
    out_dir = tmp_path / "out"
    assert cli_main(base + [str(out_dir)]) == 0
    capsys.readouterr()
    first = (out_dir / "scenarios" / "好.json").read_text(encoding="utf-8")

    # a second export into the same folder is refused, nothing is overwritten
    ws.save_scenario("好", SCENARIO[:1], base_version=1)
    assert cli_main(base + [str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "--force" in err
    assert (out_dir / "scenarios" / "好.json").read_text(encoding="utf-8") == first
    assert cli_main(["workspace", "--workspace", str(tmp_path / "ws"), "export", str(out_dir)]) == 2
    assert "已存在且不为空" in capsys.readouterr().err  # in Chinese by default
    assert cli_main(base + [str(out_dir), "--force"]) == 0
    capsys.readouterr()
    doc = json.loads((out_dir / "scenarios" / "好.json").read_text(encoding="utf-8"))
    assert doc["changes"] == SCENARIO[:1]

    # damaged items are named and skipped; every other item is exported; exit status 2
    _damage_body(tmp_path / "ws", "layer", "elder_canteen", '{"format": 1, "columns": [')
    _damage_body(tmp_path / "ws", "scenario", "坏", '[{"op": "teleport"}]')
    assert cli_main(base + [str(tmp_path / "out2")]) == 2
    out = capsys.readouterr().out
    assert "damaged: layer 'elder_canteen'" in out and "damaged: scenario '坏'" in out
    assert "2 damaged item(s) not exported" in out
    out2 = tmp_path / "out2"
    written = sorted(str(p.relative_to(out2)) for p in out2.rglob("*") if p.is_file())
    assert written == ["layers/ossuary.geojson", "scenarios/好.json"]
    assert cli_main(["workspace", "--workspace", str(tmp_path / "ws"), "export", str(tmp_path / "out3")]) == 2
    assert "损坏: 设施图层 (layer) “elder_canteen”" in capsys.readouterr().out


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


def test_what_if_edits_save_and_reload(tmp_path, small_region):
    from coverage.ui import persist
    from coverage.ui.scenario import Scenario
    from coverage.workspace import changes_from_edits

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
    assert persist.replay(again, saved, layer) == []
    assert again.changes == live.changes
    np.testing.assert_array_equal(again.reach.covered, live.reach.covered)
    assert again.removed_ids == {"ECS1"}
    with pytest.raises(ValueError, match="edit 0 is not a what-if change"):
        changes_from_edits([object()], layer)


# ---------------------------------------------------------------------------
# versions: a save based on an outdated version is refused, a merge keeps both
# ---------------------------------------------------------------------------


def test_outdated_saves_are_refused_for_scenarios_standards_and_drafts(tmp_path):
    from coverage.errors import WorkspaceConflictError

    ws = Workspace.open(tmp_path)
    other = Workspace.open(tmp_path)  # a second session
    v1 = ws.save_scenario("方案", SCENARIO[:1])
    assert other.scenario_doc("方案").version == v1
    assert other.save_scenario("方案", SCENARIO, base_version=v1) == 2
    # the first session still believes it holds version 1: refused, nothing overwritten
    with pytest.raises(WorkspaceConflictError, match=r"saved by someone else after version 1 .*now version 2"):
        ws.save_scenario("方案", [], base_version=v1)
    with pytest.raises(WorkspaceConflictError, match="exists already"):
        ws.save_scenario("方案", [])  # "new" but it exists
    assert ws.load_scenario("方案") == SCENARIO
    other.delete_scenario("方案", base_version=2)
    with pytest.raises(WorkspaceConflictError, match="was deleted"):
        ws.save_scenario("方案", [], base_version=2)
    with pytest.raises(WorkspaceConflictError):
        ws.delete_scenario("x", base_version=1) if "x" in ws.scenarios() else ws.save_scenario(
            "y", [], base_version=7)

    assert ws.save_standards({"a": {"mode": "walk", "minutes": 10}}) == 1
    other.save_standards({"a": {"mode": "bike", "minutes": 10}}, base_version=1)
    with pytest.raises(WorkspaceConflictError):
        ws.save_standards({"a": {"mode": "drive", "minutes": 5}}, base_version=1)
    assert ws.load_standards() == {"a": {"mode": "bike", "minutes": 10}}
    merged = ws.update_standards(lambda saved: {**saved, "b": {"mode": "walk", "minutes": 5}})
    assert merged.version == 3 and set(ws.load_standards()) == {"a", "b"}

    draft = {"layer": "elder_canteen", "changes": SCENARIO, "standards": {}}
    assert ws.save_draft("d1", draft) == 1
    assert other.save_draft("d1", {**draft, "changes": []}, base_version=1) == 2
    with pytest.raises(WorkspaceConflictError):
        ws.save_draft("d1", draft, base_version=1)
    assert ws.draft_doc("d1").data["changes"] == []
    assert ws.drafts() == ["d1"] and ws.scenarios() == []  # drafts are not scenarios
    with pytest.raises(ValueError, match="only 'layer', 'changes' and 'standards'"):
        ws.save_draft("d2", {"edits": []})


def _merge_many(directory: str, worker: int, n: int, barrier) -> None:
    ws = Workspace.open(directory, busy_timeout=60)
    barrier.wait()
    for j in range(n):
        edit = {"op": "remove", "layer": "elder_canteen", "facility_id": f"{worker}-{j}"}
        # the app's pattern: read the stored edits, merge one more in, save: one transaction
        ws.update_scenario("shared", lambda saved: saved + [edit])
        while True:  # the optimistic pattern: read with its version, save based on it, retry if refused
            doc = ws.standards_doc()
            data = {} if doc is None else dict(doc.data)
            data[f"w{worker}"] = data.get(f"w{worker}", []) + [j]
            try:
                ws.save_standards(data, base_version=None if doc is None else doc.version)
                break
            except WorkspaceConflictError:
                continue


@pytest.mark.slow
def test_two_processes_merging_100_edits_each_lose_none(tmp_path):
    n = 100
    Workspace.open(tmp_path)  # create the file before the race
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_merge_many, args=(str(tmp_path), w, n, barrier)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0, 0]
    ws = Workspace.open(tmp_path)
    edits = ws.load_scenario("shared")
    assert sorted(c["facility_id"] for c in edits) == sorted(f"{w}-{j}" for w in (1, 2) for j in range(n))
    for w in (1, 2):  # each worker's edits in its own order
        mine = [c["facility_id"] for c in edits if c["facility_id"].startswith(f"{w}-")]
        assert mine == [f"{w}-{j}" for j in range(n)]
    assert ws.scenario_doc("shared").version == 2 * n
    assert ws.load_standards() == {"w1": list(range(n)), "w2": list(range(n))}  # no save lost
    assert ws.standards_doc().version == 2 * n  # and none written twice


# ---------------------------------------------------------------------------
# integrity: damaged bodies, empty / truncated files, read-only, full disks
# ---------------------------------------------------------------------------


def _damage_body(path: Path, kind: str, name: str, body: str) -> None:
    con = sqlite3.connect(path / DB_NAME)
    con.execute("UPDATE objects SET body = ? WHERE kind = ? AND name = ?", (body, kind, name))
    con.commit()
    con.close()


def test_check_names_damaged_bodies_and_they_can_be_dropped(tmp_path, capsys):
    from coverage.errors import WorkspaceDamagedError

    ws = Workspace.open(tmp_path)
    ws.save_layer("elder_canteen", sample_layer())
    ws.save_layer("ossuary", sample_layer())
    ws.save_scenario("好", SCENARIO)
    ws.save_scenario("坏", SCENARIO)
    ws.save_draft("d", {"changes": SCENARIO})
    assert ws.check().ok and ws.check().n_objects == 5
    good = ws.load_layer("ossuary").data
    _damage_body(tmp_path, "layer", "elder_canteen", '{"format": 1, "columns": [')  # cut short
    _damage_body(tmp_path, "scenario", "坏", '[{"op": "teleport"}]')  # valid JSON, not changes
    _damage_body(tmp_path, "draft", "d", "\x00\x01garbage")

    report = ws.check()
    assert report.sqlite == "ok" and not report.ok
    assert [(d.kind, d.name) for d in report.damaged] == [("draft", "d"), ("layer", "elder_canteen"),
                                                          ("scenario", "坏")]
    with pytest.raises(WorkspaceDamagedError, match="layer 'elder_canteen' .* is damaged") as err:
        ws.load_layer("elder_canteen")
    assert (err.value.kind, err.value.name) == ("layer", "elder_canteen")
    with pytest.raises(WorkspaceDamagedError, match="scenario '坏'"):
        ws.load_scenario("坏")
    # the rest reads as before
    assert_geodataframe_equal(ws.load_layer("ossuary").data, good)
    assert ws.load_scenario("好") == SCENARIO
    assert [e.name for e in ws.entries()] == ["d", "elder_canteen", "ossuary", "坏", "好"]

    assert cli_main(["workspace", "--workspace", str(tmp_path), "--lang", "en", "check"]) == 2
    out = capsys.readouterr().out
    assert "damaged: layer 'elder_canteen'" in out and "damaged: scenario '坏'" in out
    assert "damaged: draft 'd'" in out and "5 stored items, 3 damaged" in out
    assert cli_main(["workspace", "--workspace", str(tmp_path), "drop", "layer", "elder_canteen"]) == 2
    assert "请加 --yes" in capsys.readouterr().err
    assert "elder_canteen" in ws.layers()  # nothing dropped without the confirmation
    assert cli_main(["workspace", "--workspace", str(tmp_path), "drop", "layer", "elder_canteen", "--yes"]) == 0
    ws.drop("scenario", "坏")
    ws.drop("draft", "d")
    assert ws.check().ok and ws.layers() == ["ossuary"]
    assert [h.action for h in ws.history(3)] == ["drop", "drop", "drop"]


def test_empty_and_truncated_files_are_refused_not_recreated(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / DB_NAME).write_bytes(b"")
    with pytest.raises(wsmod.WorkspaceError, match=r"empty \(0 bytes\).*left as it is") as err:
        Workspace.open(empty)
    # the advice is a command that works on this file (``workspace check`` refuses it too)
    assert "workspace --workspace " + str(empty) + " restore FILE" in str(err.value)
    assert "--yes" in str(err.value) and "workspace check" not in str(err.value)
    assert (empty / DB_NAME).read_bytes() == b""

    full = tmp_path / "full"
    ws = Workspace.open(full)
    ws.save_layer("elder_canteen", pd.concat([sample_layer()] * 200, ignore_index=True))
    del ws
    data = (full / DB_NAME).read_bytes()
    assert len(data) > 8 * 4096
    for cut in (len(data) // 2, len(data) - 4096, 1000):
        part = tmp_path / f"cut{cut}"
        part.mkdir()
        (part / DB_NAME).write_bytes(data[:cut])
        with pytest.raises(wsmod.WorkspaceError, match="truncated"):
            Workspace.open(part)
        assert (part / DB_NAME).read_bytes() == data[:cut]  # left as it was


def test_read_only_workspace_opens_for_viewing(tmp_path):
    from coverage.errors import WorkspaceReadOnlyError

    ws = Workspace.open(tmp_path / "ws")
    ws.save_layer("elder_canteen", sample_layer())
    ws.save_scenario("s", SCENARIO)
    ro = Workspace.open(tmp_path / "ws", read_only=True)
    assert ro.read_only and "read_only=True" in repr(ro)
    assert ro.layers() == ["elder_canteen"] and ro.load_scenario("s") == SCENARIO
    assert ro.check().ok
    copy = ro.backup(tmp_path / "copy.sqlite")
    assert copy.exists()
    for save in (lambda: ro.save_scenario("t", []), lambda: ro.save_layer("x", sample_layer()),
                 lambda: ro.delete_scenario("s"), lambda: ro.save_draft("d", {})):
        with pytest.raises(WorkspaceReadOnlyError, match="read-only"):
            save()
    with pytest.raises(wsmod.WorkspaceError, match="no workspace"):
        Workspace.open(tmp_path / "nothing", read_only=True)
    assert not (tmp_path / "nothing").exists()


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def mount_point(tmp_path):
    point = tmp_path / "mnt"
    point.mkdir()
    yield point
    while subprocess.run(["umount", str(point)], capture_output=True).returncode == 0:
        pass  # until nothing is mounted there any more
    subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_workspace_on_a_read_only_file_system(tmp_path, mount_point):
    """A workspace nobody may write (here: a read-only bind mount) opens read-only by itself."""
    ws = Workspace.open(tmp_path / "ws")
    ws.save_scenario("s", SCENARIO)
    if not _mount("--bind", "-o", "ro", str(tmp_path / "ws"), str(mount_point)):
        pytest.skip("cannot bind-mount here (needs CAP_SYS_ADMIN)")
    if not _mount("-o", "remount,bind,ro", str(mount_point)):
        pytest.skip("cannot remount read-only here")
    ro = Workspace.open(mount_point)
    assert ro.read_only
    assert ro.scenarios() == ["s"] and ro.entries()[0].name == "s"
    assert ro.backup(tmp_path / "b.sqlite").exists()
    with pytest.raises(wsmod.WorkspaceReadOnlyError):
        ro.save_scenario("t", [])
    assert cli_main(["workspace", "--workspace", str(mount_point), "list"]) == 0


def _read_only_view(source: Path, mount_point: Path) -> None:
    """Show ``source`` read-only at ``mount_point`` (as to a user who may not write it)."""
    if not _mount("--bind", "-o", "ro", str(source), str(mount_point)):
        pytest.skip("cannot bind-mount here (needs CAP_SYS_ADMIN)")
    if not _mount("-o", "remount,bind,ro", str(mount_point)):
        pytest.skip("cannot remount read-only here")


def test_read_only_view_sees_saves_still_in_the_write_ahead_log(tmp_path, mount_point):
    """The app (another user) keeps the file open: its last save is only in the -wal; a viewer sees it."""
    ws = Workspace.open(tmp_path / "ws")
    ws.save_scenario("older", SCENARIO)
    app = sqlite3.connect(ws.file)  # another connection stays open: no checkpoint on close
    try:
        app.execute("SELECT count(*) FROM objects").fetchone()
        ws.save_scenario("newest", SCENARIO[:1])
        assert Path(f"{ws.file}-wal").stat().st_size > 0
        _read_only_view(tmp_path / "ws", mount_point)
        ro = Workspace.open(mount_point)
        assert ro.read_only
        assert ro.scenarios() == ["newest", "older"] and ro.load_scenario("newest") == SCENARIO[:1]
    finally:
        app.close()


def test_unreadable_write_ahead_log_is_an_error_not_stale_data(tmp_path, mount_point):
    """A -wal holding a save that SQLite cannot use read-only (no -shm can be made) is refused, named."""
    ws = Workspace.open(tmp_path / "ws")
    ws.save_scenario("older", SCENARIO)
    app = sqlite3.connect(ws.file)
    try:
        app.execute("SELECT count(*) FROM objects").fetchone()
        ws.save_scenario("newest", SCENARIO)
        copy = tmp_path / "copy"  # the files as they are on disk while the app runs, without its -shm
        copy.mkdir()
        for suffix in ("", "-wal"):
            (copy / f"{DB_NAME}{suffix}").write_bytes(Path(f"{ws.file}{suffix}").read_bytes())
    finally:
        app.close()
    _read_only_view(copy, mount_point)
    with pytest.raises(wsmod.WorkspaceReadOnlyError, match=r"write-ahead log .*-wal.* cannot be read") as err:
        Workspace.open(mount_point).scenarios()
    assert str(mount_point / DB_NAME) in str(err.value)


def test_read_only_view_without_a_log_reads_the_file(tmp_path, mount_point):
    ws = Workspace.open(tmp_path / "ws")
    ws.save_scenario("s", SCENARIO)
    del ws  # every connection closed: the log is checkpointed into the file and removed
    assert not Path(f"{tmp_path / 'ws' / DB_NAME}-wal").exists()
    _read_only_view(tmp_path / "ws", mount_point)
    assert Workspace.open(mount_point).load_scenario("s") == SCENARIO


def test_backup_onto_a_full_disk_is_a_workspace_error(tmp_path, mount_point):
    ws = Workspace.open(tmp_path / "ws")
    ws.save_layer("elder_canteen", pd.concat([sample_layer()] * 400, ignore_index=True))
    if not _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)):
        pytest.skip("cannot mount a tmpfs here (needs CAP_SYS_ADMIN)")
    with pytest.raises(wsmod.WorkspaceError, match="backup to .* failed: .*full"):
        ws.backup(mount_point / "b.sqlite")
    assert list(mount_point.iterdir()) == []  # the partial copy is removed


_FULL_DISK_CHILD = """
import resource, signal, sys
import pandas as pd
from coverage.errors import WorkspaceError
from coverage.workspace import Workspace
from test_workspace import sample_layer

ws = Workspace.open(sys.argv[1])
big = pd.concat([sample_layer()] * 400, ignore_index=True)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
for what, call in (("save", lambda: ws.save_layer("elder_canteen", big)),
                   ("backup", lambda: ws.backup(sys.argv[2]))):
    try:
        call()
    except WorkspaceError as exc:
        print(what, "WorkspaceError", " ".join(str(exc).split())[:300])
    else:
        print(what, "no error")
"""


@pytest.mark.slow
def test_writes_past_the_disk_limit_are_workspace_errors(tmp_path):
    """A file-size limit (RLIMIT_FSIZE) stands in for a full disk: every write fails with an OS error."""
    ws = Workspace.open(tmp_path / "ws")
    ws.save_layer("elder_canteen", pd.concat([sample_layer()] * 400, ignore_index=True))
    size = (tmp_path / "ws" / DB_NAME).stat().st_size
    result = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_CHILD, str(tmp_path / "ws"), str(tmp_path / "b.sqlite"),
         str(64 * 1024)],
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(TESTS)])),
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["save"].startswith("WorkspaceError"), lines
    assert lines["backup"].startswith("WorkspaceError backup to"), lines
    assert size > 64 * 1024
    assert not (tmp_path / "b.sqlite").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".b.sqlite")] == []
    after = Workspace.open(tmp_path / "ws")  # the failed save left the previous state intact
    assert after.check().ok and len(after.load_layer("elder_canteen").data) == 1200


def test_backup_refuses_to_replace_without_force_and_unrelated_files(tmp_path, capsys):
    ws = Workspace.open(tmp_path / "ws")
    ws.save_scenario("s", SCENARIO)
    first = ws.backup(tmp_path / "b.sqlite")
    ws.save_scenario("s", [], base_version=1)
    with pytest.raises(wsmod.WorkspaceError, match="exists; pass --force"):
        ws.backup(first)
    assert ws.backup(first, force=True) == first
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    with pytest.raises(wsmod.WorkspaceError, match="must end in .sqlite"):
        ws.backup(notes, force=True)
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(wsmod.WorkspaceError, match="not a coverage workspace; refusing"):
        ws.backup(other, force=True)
    assert notes.read_text() == "my notes"
    base = ["workspace", "--workspace", str(tmp_path / "ws"), "backup"]
    assert cli_main(base + [str(notes)]) == 2
    assert cli_main(base + [str(first)]) == 2
    assert "--force" in capsys.readouterr().err
    assert cli_main(base + [str(first), "--force"]) == 0


def test_restore_backup_moves_the_damaged_file_aside(tmp_path, capsys):
    ws = Workspace.open(tmp_path / "ws")
    ws.save_scenario("s", SCENARIO)
    (tmp_path / "ws" / "backups").mkdir()
    copy = ws.backup(tmp_path / "ws" / "backups")
    assert wsmod.list_backups(tmp_path / "ws") == [copy]
    (tmp_path / "ws" / DB_NAME).write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        (tmp_path / "ws" / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
    with pytest.raises(wsmod.WorkspaceError, match="empty") as err:
        Workspace.open(tmp_path / "ws")
    assert f"restore {copy} --yes" in str(err.value)  # names the newest backup found
    # a backup that is itself damaged is refused, nothing is replaced
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(copy.read_bytes()[:1000])
    with pytest.raises(wsmod.WorkspaceError, match="truncated"):
        wsmod.restore_backup(tmp_path / "ws", bad)
    assert (tmp_path / "ws" / DB_NAME).read_bytes() == b""
    assert cli_main(["workspace", "--workspace", str(tmp_path / "ws"), "restore", str(copy)]) == 2
    assert cli_main(["workspace", "--workspace", str(tmp_path / "ws"), "restore", str(copy), "--yes",
                     "--lang", "en"]) == 0
    assert "moved to" in capsys.readouterr().out
    assert Workspace.open(tmp_path / "ws").load_scenario("s") == SCENARIO
    moved = [p for p in (tmp_path / "ws").iterdir() if p.name.startswith(f"{DB_NAME}.replaced-")]
    assert len(moved) == 1 and moved[0].read_bytes() == b""  # kept, not deleted


def test_damaged_pages_are_reported_not_misread(tmp_path, capsys, small_region):
    from coverage.workspace import WorkspaceError

    ws = Workspace.open(tmp_path)
    n = 3_000  # ~100 pages, so the damage below hits the layer's pages
    big = gpd.GeoDataFrame(
        {"name": ["x" * 100] * n},
        geometry=gpd.points_from_xy(113 + np.arange(n) * 1e-6, np.full(n, 22.5)),
        crs="EPSG:4326",
    )
    ws.save_layer("elder_care_station", big)
    with open(tmp_path / DB_NAME, "r+b") as fh:  # nothing is open: the WAL is checkpointed
        fh.seek(4096 * 5)
        fh.write(b"\xff" * 4096 * 20)

    damaged = Workspace.open(tmp_path)
    report = damaged.check()
    assert not report.ok and "Page" in report.sqlite
    assert [(d.kind, d.name) for d in report.damaged] == [("layer", "elder_care_station")]
    with pytest.raises(WorkspaceError, match="is damaged .*restore the workspace from a backup"):
        damaged.load_layer("elder_care_station")
    from coverage.ui import persist

    restored = persist.restore_region(damaged, small_region)  # the app keeps going without it
    assert [(d.kind, d.name) for d in restored.damaged] == [("layer", "elder_care_station")]
    assert restored.region.facilities["elder_care_station"]["facility_id"].tolist() == \
        small_region.facilities["elder_care_station"]["facility_id"].tolist()
    assert cli_main(["workspace", "--workspace", str(tmp_path), "--lang", "en", "check"]) == 2
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("DAMAGED")



def test_old_drafts_are_listed_then_pruned_only_with_yes(tmp_path, capsys):
    ws = Workspace.open(tmp_path)
    ws.save_draft("old", {"changes": SCENARIO})
    ws.save_draft("new", {"changes": []})
    con = sqlite3.connect(tmp_path / DB_NAME)
    con.execute("UPDATE objects SET saved_at = '2020-01-01T00:00:00.000000+00:00' WHERE name = 'old'")
    con.commit()
    con.close()
    assert ws.stale_drafts(30) == ["old"] and ws.stale_drafts(0) == ["old", "new"]
    base = ["workspace", "--workspace", str(tmp_path), "--lang", "en", "prune-drafts", "--older-than", "30"]
    assert cli_main(base) == 0
    assert "would delete draft old" in capsys.readouterr().out and ws.drafts() == ["new", "old"]
    assert cli_main(base + ["--yes"]) == 0
    assert ws.drafts() == ["new"]
    with pytest.raises(ValueError, match="finite number"):
        ws.stale_drafts(float("nan"))


@pytest.mark.parametrize("given, expected", [
    ("register.csv", "register.csv"),                      # a valid name is kept as it is
    ("C:\\fakepath\\台账.xlsx", "台账.xlsx"),                # a browser's path part dropped
    ('站点?"清单".csv', '站点__清单_.csv'),                   # forbidden characters replaced
    ("..\\..\\.env", "env"),                               # no way out of the directory, no hidden file
    ("a\nb\x00.csv", "a_b_.csv"),                          # control characters replaced
    ("   ", "file"),                                       # nothing left: the fallback
    ("台账\u200b\u202egpj.csv", "台账gpj.csv"),                 # invisible formatting characters dropped
])
def test_storable_name_makes_any_file_name_valid(given, expected):
    from coverage.workspace import check_name, storable_name

    assert storable_name(given) == expected == check_name(expected)


def test_storable_name_shortens_a_long_name_keeping_its_extension():
    from coverage.workspace import MAX_NAME_BYTES, MAX_NAME_LENGTH, storable_name

    name = storable_name("江门市居家养老服务站点台账" * 10 + ".xlsx")  # 130 characters, 390 bytes
    assert name.endswith(".xlsx") and name.startswith("江门市居家养老")
    assert len(name) <= MAX_NAME_LENGTH and len(name.encode("utf-8")) <= MAX_NAME_BYTES


def test_a_source_name_that_is_not_a_valid_name_is_stored_made_valid(tmp_path):
    """What the file was called is kept as text: a name with '?' or over the length limit no longer
    refuses a layer that imported fine."""
    import geopandas as gpd
    from shapely.geometry import Point

    ws = Workspace.open(tmp_path)
    gdf = gpd.GeoDataFrame({"facility_id": ["A"], "name": ["甲"]}, geometry=[Point(113.0, 22.5)], crs="EPSG:4326")
    ws.save_layer("elder_care_station", gdf, source_name="站点?" + "很长" * 80 + ".csv")
    stored = ws.load_layer("elder_care_station")
    assert stored.source_name.startswith("站点_") and stored.source_name.endswith(".csv")
    assert list(stored.data["facility_id"]) == ["A"]


def test_cli_export_writes_every_scenario_whatever_its_name(tmp_path, capsys):
    """A 120-character Chinese name (360 bytes: over a file system's 255) and names that fold to one
    file name (Plan / plan on Windows and macOS) are all exported, each file holding its own name."""
    import json

    ws = Workspace.open(tmp_path / "ws")
    long_name = "江门" * 60
    for name in (long_name, "Plan", "plan"):
        ws.save_scenario(name, SCENARIO)
    out_dir = tmp_path / "out"
    assert cli_main(["workspace", "--workspace", str(tmp_path / "ws"), "--lang", "en", "export", str(out_dir)]) == 0
    capsys.readouterr()
    files = sorted((out_dir / "scenarios").iterdir())
    assert len(files) == 3 and all(len(f.name.encode("utf-8")) <= 255 for f in files)
    names = {json.loads(f.read_text(encoding="utf-8"))["name"] for f in files}
    assert names == {long_name, "Plan", "plan"}
    assert len({f.name.casefold() for f in files}) == 3
