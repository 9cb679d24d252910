"""Killed processes and concurrent sessions against one workspace (coverage.workspace).

A separate Python process saves into a workspace — a draft, a scenario, a large imported
layer replacing the previous import, a merge into a shared scenario, a draft's second
version — and is killed with SIGKILL at chosen points of a save (a statement about to run,
a few milliseconds into the COMMIT or into the checkpoint of the connection's close) and at
wall-clock fractions of its run. After every kill the test process opens the workspace and
checks that it opens, :meth:`Workspace.check` finds nothing damaged, every save reported done
reads back exactly, the interrupted save is wholly there or wholly absent, and the next
process carries on from there.

The child is a forked copy of the test process (it starts at once, with everything
imported); its kill points come from its own code (:func:`tripwire_connect` wraps
``sqlite3.connect`` in the child only): the library has no test hook.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import select
import shutil
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal

from coverage.errors import WorkspaceConflictError, WorkspaceError
from coverage.workspace import DB_NAME, Workspace, restore_backup

#: Rows of the imported layer each round saves (~3.5 MB once serialised: past SQLite's
#: 2 MB page cache, so the save spills into the write-ahead log before COMMIT).
BIG_ROWS = 12_000
#: The steps of one round, in order.
STEPS = ("draft", "scenario", "layer", "shared", "draft v2")


# ---------------------------------------------------------------------------
# what each round saves (the same in the child and in the test process)
# ---------------------------------------------------------------------------


def changes(round_no: int, n: int, tag: str) -> list[dict[str, Any]]:
    """``n`` what-if changes that name their round (adds and removes alternating)."""
    out = []
    for i in range(n):
        if i % 2:
            out.append({"op": "remove", "layer": "elder_canteen", "facility_id": f"{tag}{round_no}-{i}"})
        else:
            out.append({"op": "add", "layer": "elder_canteen", "lon": 113.0 + round_no / 100 + i / 1000,
                        "lat": 22.5 + i / 1000, "name": f"新站 {tag}{round_no}-{i}"})
    return out


def draft(round_no: int, version: int) -> dict[str, Any]:
    """Round ``round_no``'s draft, first or second version."""
    return {"layer": "elder_canteen", "changes": changes(round_no, 2 + version, "d"),
            "standards": {"elder_canteen": {"mode": "walk", "minutes": 10 + version}}}


def big_layer(round_no: int) -> gpd.GeoDataFrame:
    """The imported layer of round ``round_no``: every row tells its round."""
    i = np.arange(BIG_ROWS)
    return gpd.GeoDataFrame(
        {"facility_id": [f"R{round_no}-{k:06d}" for k in range(BIG_ROWS)],
         "name": [f"长者饭堂 {round_no} " + "x" * 200] * BIG_ROWS,
         "beds": (i + round_no) % 97},
        geometry=gpd.points_from_xy(113 + i * 1e-6 + round_no * 1e-3, np.full(BIG_ROWS, 22.5)),
        crs="EPSG:4326",
    )


def layer_report(round_no: int) -> dict[str, Any]:
    return {"rows_read": BIG_ROWS + 1, "rows_imported": BIG_ROWS, "round": round_no}


def run_step(ws: Workspace, round_no: int, step: str) -> None:
    """Do one step of a round (the child's work)."""
    if step == "draft":
        ws.save_draft(f"d{round_no}", draft(round_no, 1))
    elif step == "scenario":
        ws.save_scenario(f"方案{round_no}", changes(round_no, 5, "s"))
    elif step == "layer":
        ws.save_layer("imported", big_layer(round_no), report=layer_report(round_no),
                      source_name=f"round{round_no}.csv")
    elif step == "shared":
        ws.update_scenario("shared", lambda saved: saved + changes(round_no, 1, "m"))
    elif step == "draft v2":
        ws.save_draft(f"d{round_no}", draft(round_no, 2), base_version=1)
    else:  # pragma: no cover - a typo in the test
        raise AssertionError(step)


def apply_step(model: dict[str, Any], round_no: int, step: str) -> dict[str, Any]:
    """What the workspace holds after ``step`` of round ``round_no`` (the test's model)."""
    m = copy.deepcopy(model)
    if step == "draft":
        m["drafts"][f"d{round_no}"] = (1, draft(round_no, 1))
    elif step == "scenario":
        m["scenarios"][f"方案{round_no}"] = (1, changes(round_no, 5, "s"))
    elif step == "layer":
        version = m["layer"][0] + 1 if m["layer"] else 1
        m["layer"] = (version, f"round{round_no}.csv", BIG_ROWS, layer_report(round_no))
    elif step == "shared":
        version, saved = m["scenarios"].get("shared", (0, []))
        m["scenarios"]["shared"] = (version + 1, saved + changes(round_no, 1, "m"))
    elif step == "draft v2":
        m["drafts"][f"d{round_no}"] = (2, draft(round_no, 2))
    return m


def snapshot(ws: Workspace) -> dict[str, Any]:
    """Everything the workspace holds, read back in full (the layer checked row by row)."""
    drafts = {}
    for name in ws.drafts():
        doc = ws.draft_doc(name)
        drafts[name] = (doc.version, doc.data)
    scenarios = {}
    for name in ws.scenarios():
        doc = ws.scenario_doc(name)
        scenarios[name] = (doc.version, doc.data)
    layer = None
    if ws.layers():
        assert ws.layers() == ["imported"]
        stored = ws.load_layer("imported")
        round_no = int(stored.source_name.removeprefix("round").removesuffix(".csv"))
        # never half: the table is the whole of one round's import, row for row
        assert_geodataframe_equal(stored.data, big_layer(round_no), check_dtype=True)
        layer = (stored.version, stored.source_name, len(stored.data), stored.report)
    return {"drafts": drafts, "scenarios": scenarios, "layer": layer}


def assert_consistent(directory: Path) -> None:
    """Each stored object is the newest save of its history, and no save is listed twice."""
    con = sqlite3.connect(directory / DB_NAME)
    try:
        rows = con.execute(
            "SELECT o.kind, o.name, o.version, MAX(h.version), COUNT(h.seq) FROM objects o "
            "LEFT JOIN history h ON h.kind = o.kind AND h.name = o.name AND h.action = 'save' "
            "GROUP BY o.kind, o.name").fetchall()
        dupes = con.execute(
            "SELECT kind, name, version FROM history WHERE action = 'save' "
            "GROUP BY kind, name, version HAVING COUNT(*) > 1").fetchall()
    finally:
        con.close()
    for kind, name, version, newest, saves in rows:
        assert version == newest == saves, (kind, name, version, newest, saves)
    assert dupes == []


# ---------------------------------------------------------------------------
# the kill points: chosen in the child, by wrapping sqlite3.connect there
# ---------------------------------------------------------------------------


def tripwire_connect(when: Callable[[str], bool], action: Callable[[], None]) -> Callable[..., sqlite3.Connection]:
    """A ``sqlite3.connect`` whose connections call ``action()`` when ``when(sql)`` holds.

    ``when`` sees each statement just before it runs, and ``"close"`` when a connection is
    about to close. Install it with ``sqlite3.connect = tripwire_connect(...)`` in the
    process to be interrupted (or with ``monkeypatch``).
    """
    real = sqlite3.connect

    class Wired(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            if when(sql):
                action()
            return super().execute(sql, *args)

        def close(self) -> None:
            if when("close"):
                action()
            super().close()

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs.setdefault("factory", Wired)
        return real(*args, **kwargs)

    return connect


def child_round(directory: str, round_no: int, plan: str, out_fd: int) -> None:
    """A round's saves, in a forked process: prints ``step`` / ``done`` lines to ``out_fd``.

    ``plan`` is ``"none"`` or ``"<step number>:<statement or close>[+<seconds>]"``: the
    process kills itself (SIGKILL) when that statement of that step is about to run, or that
    many seconds later from another thread while this one is inside SQLite.
    """
    out = os.fdopen(out_fd, "w", buffering=1)
    current = {"step": None, "armed": plan != "none"}
    if plan != "none":
        where, _, delay = plan.partition("+")
        step_no, _, event = where.partition(":")
        target = STEPS[int(step_no) - 1]

        def when(sql: str) -> bool:
            return current["armed"] and current["step"] == target and \
                sql.lstrip().upper().startswith(event.upper())

        def kill() -> None:
            current["armed"] = False
            out.write(f"trip {plan}\n")
            if delay:  # the GIL is released inside SQLite: the timer fires mid-statement
                threading.Timer(float(delay), os.kill, (os.getpid(), signal.SIGKILL)).start()
            else:
                os.kill(os.getpid(), signal.SIGKILL)

        sqlite3.connect = tripwire_connect(when, kill)  # this process only
    ws = Workspace.open(directory)
    for step in STEPS:
        current["step"] = step
        out.write(f"step {step} {time.monotonic()}\n")
        run_step(ws, round_no, step)
        out.write(f"done {step} {time.monotonic()}\n")
    out.write("finished\n")
    out.flush()
    os._exit(0)  # the forked copy of the test process leaves without running its cleanup


def run_round(directory: Path, round_no: int, plan: str, kill_after: float | None = None) -> list[str]:
    """Run one round in a separate (forked) process; return the lines it printed.

    With ``kill_after``, SIGKILL it that many seconds after its first step starts. It ends
    killed, or (nothing killed it) having finished.
    """
    read_fd, write_fd = os.pipe()
    child = multiprocessing.get_context("fork").Process(
        target=child_round, args=(str(directory), round_no, plan, write_fd))
    child.start()
    os.close(write_fd)
    watchdog = threading.Timer(60, child.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        with os.fdopen(read_fd) as stream:
            for line in stream:
                lines.append(line.strip())
                if kill_after is not None and line.startswith("step "):
                    time.sleep(kill_after)
                    os.kill(child.pid, signal.SIGKILL)
                    kill_after = None
        child.join(30)
    finally:
        watchdog.cancel()
        if child.is_alive():
            child.kill()
            child.join()
    finished = child.exitcode == 0 and lines[-1:] == ["finished"]
    assert child.exitcode == -signal.SIGKILL or finished, (plan, child.exitcode, lines)
    return lines


# plan -> (what it interrupts, whether the interrupted save must be absent)
PLANS = [
    ("3:INSERT INTO history", True),  # the layer's new row written, its history row not
    ("3:COMMIT", True),  # every row of the new import written (spilled into the WAL), not committed
    ("3:COMMIT+0.002", False),  # inside the COMMIT: the WAL being appended and synced
    ("3:close+0.001", False),  # inside the checkpoint the last connection does on close
    ("4:UPDATE history", True),  # the shared scenario's merge, mid-transaction
    ("5:COMMIT+0.0005", False),  # the draft's second version, inside its COMMIT
]


def check_round(directory: Path, model: dict[str, Any], round_no: int, lines: list[str],
                must_be_absent: bool) -> dict[str, Any]:
    """Assert the workspace after a (killed) round; return the new model."""
    done = [line.split(" ", 1)[1].rsplit(" ", 1)[0] for line in lines if line.startswith("done ")]
    assert done == list(STEPS[:len(done)])
    expected = model
    for step in done:
        expected = apply_step(expected, round_no, step)

    ws = Workspace.open(directory)  # it opens
    report = ws.check()
    assert report.ok, report  # nothing damaged, SQLite's own check "ok"
    assert_consistent(directory)
    actual = snapshot(ws)
    if len(done) == len(STEPS):
        assert actual == expected
        return actual
    interrupted = STEPS[len(done)]
    after = apply_step(expected, round_no, interrupted)
    # the interrupted save is wholly there or wholly absent; every earlier save intact
    if must_be_absent:
        assert actual == expected, f"round {round_no}: {interrupted!r} left a trace"
    else:
        assert actual in (expected, after), f"round {round_no}: {interrupted!r} half saved"
    return actual


def test_killed_saves_leave_every_committed_entry_intact(tmp_path):
    # round 0 runs to the end: the model, and how long a round's saves take
    lines = run_round(tmp_path, 0, "none")
    model = check_round(tmp_path, {"drafts": {}, "scenarios": {}, "layer": None}, 0, lines, False)
    times = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in lines
             if line.startswith(("step ", "done "))}
    span = times[f"done {STEPS[-1]}"] - times[f"step {STEPS[0]}"]
    assert span > 0

    round_no = 1
    for plan, must_be_absent in PLANS:
        lines = run_round(tmp_path, round_no, plan)
        assert f"trip {plan}" in lines, (plan, lines)  # it died where it was meant to
        if plan == "3:COMMIT":  # the uncommitted import really was on disk when it died
            assert (tmp_path / f"{DB_NAME}-wal").stat().st_size > 1_000_000
        model = check_round(tmp_path, model, round_no, lines, must_be_absent)
        round_no += 1
    for fraction in (0.3, 0.65, 0.95):  # and at wall-clock points the test does not choose
        lines = run_round(tmp_path, round_no, "none", kill_after=fraction * span)
        model = check_round(tmp_path, model, round_no, lines, False)
        round_no += 1

    # the workspace carries on from the committed state
    ws = Workspace.open(tmp_path)
    layer_version = model["layer"][0]
    assert ws.save_layer("imported", big_layer(0), report=layer_report(0), source_name="round0.csv") \
        == layer_version + 1
    shared = ws.scenario_doc("shared")
    assert ws.save_scenario("shared", [], base_version=shared.version) == shared.version + 1
    assert ws.check().ok


# ---------------------------------------------------------------------------
# two processes at once
# ---------------------------------------------------------------------------


def read_edits(ws: Workspace, kind: str) -> tuple[int | None, list[dict[str, Any]]]:
    """The version and the changes of the shared draft or scenario (None, [] when not saved yet)."""
    doc = ws.draft_doc("shared") if kind == "draft" else ws.scenario_doc("shared")
    if doc is None:
        return None, []
    return doc.version, doc.data["changes"] if kind == "draft" else doc.data


def save_edits(ws: Workspace, kind: str, edits: list[dict[str, Any]], base: int | None) -> int:
    """Save the shared draft or scenario's changes on version ``base``."""
    if kind == "draft":
        return ws.save_draft("shared", {"changes": edits}, base_version=base)
    return ws.save_scenario("shared", edits, base_version=base)


def race_one_document(directory: str, kind: str, worker: int, n: int, barrier, log: str) -> None:
    """Each round both sessions read the document, then both save on that version: one must lose."""
    ws = Workspace.open(directory, busy_timeout=60)
    events = []
    for j in range(n):
        base, saved = read_edits(ws, kind)
        barrier.wait()  # both have read the same version
        edit = {"op": "remove", "layer": "elder_canteen", "facility_id": f"{worker}-{j}"}
        try:
            save_edits(ws, kind, saved + [edit], base)
            events.append("won")
        except WorkspaceConflictError as exc:
            events.append(f"conflict {exc.expected} {exc.found}")
        barrier.wait()  # the winner is committed
        if events[-1] != "won":  # the loser reloads and redoes its edit, as the page does
            base, saved = read_edits(ws, kind)
            save_edits(ws, kind, saved + [edit], base)
        barrier.wait()
    Path(log).write_text(json.dumps(events))


@pytest.mark.parametrize("kind", ["draft", "scenario"])
def test_two_sessions_saving_one_document_conflict_and_lose_nothing(tmp_path, kind):
    n = 15
    Workspace.open(tmp_path)
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(2)
    logs = [tmp_path / f"w{w}.json" for w in (1, 2)]
    procs = [ctx.Process(target=race_one_document, args=(str(tmp_path), kind, w, n, barrier, str(logs[w - 1])))
             for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    events = [json.loads(log.read_text()) for log in logs]
    for j in range(n):
        round_events = sorted(e[j] for e in events)
        # exactly one of the two saves on the same version went in; the other was refused,
        # naming the version it was based on and the one it found
        base = None if j == 0 else 2 * j
        assert round_events == sorted(["won", f"conflict {base} {2 * j + 1}"]), (j, round_events)
    ws = Workspace.open(tmp_path)
    version, edits = read_edits(ws, kind)
    assert version == 2 * n  # every save got its own version, none overwritten
    ids = [c["facility_id"] for c in edits]
    assert sorted(ids) == sorted(f"{w}-{j}" for w in (1, 2) for j in range(n))
    for w in (1, 2):
        assert [i for i in ids if i.startswith(f"{w}-")] == [f"{w}-{j}" for j in range(n)]
    assert ws.check().ok


def hold_the_lock(directory: str, out_fd: int) -> None:
    """Save a draft on version 1 and stop inside the write transaction, before COMMIT (forked)."""
    out = os.fdopen(out_fd, "w", buffering=1)

    def hold() -> None:
        out.write("holding\n")
        time.sleep(60)

    sqlite3.connect = tripwire_connect(lambda sql: sql.startswith("COMMIT"), hold)  # this process only
    Workspace.open(directory).save_draft(
        "tab", {"changes": [{"op": "remove", "layer": "elder_canteen", "facility_id": "holder"}]},
        base_version=1)
    os._exit(0)


def test_a_writer_killed_holding_the_lock_does_not_block_or_win(tmp_path):
    ws = Workspace.open(tmp_path, busy_timeout=30)
    assert ws.save_draft("tab", {"changes": []}) == 1
    read_fd, write_fd = os.pipe()
    child = multiprocessing.get_context("fork").Process(target=hold_the_lock, args=(str(tmp_path), write_fd))
    child.start()
    os.close(write_fd)
    outcome: dict[str, Any] = {}

    def save_here() -> None:
        mine = {"changes": [{"op": "remove", "layer": "elder_canteen", "facility_id": "here"}]}
        try:
            outcome["version"] = ws.save_draft("tab", mine, base_version=1)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc
        outcome["at"] = time.monotonic()

    try:
        with os.fdopen(read_fd) as stream:
            ready, _, _ = select.select([stream], [], [], 60)
            assert ready and stream.readline().strip() == "holding"
            writer = threading.Thread(target=save_here)
            writer.start()
            writer.join(0.5)
            assert writer.is_alive()  # queued behind the other process's write lock
            killed_at = time.monotonic()
            os.kill(child.pid, signal.SIGKILL)
            child.join(30)
            writer.join(30)
    finally:
        if child.is_alive():
            child.kill()
            child.join()
    assert child.exitcode == -signal.SIGKILL
    assert "error" not in outcome, outcome
    # the lock went with the killed process: the queued save went in, on version 1 (the
    # killed save never committed, so there is no conflict)
    assert outcome["version"] == 2 and outcome["at"] - killed_at < 10
    assert ws.draft_doc("tab").data["changes"][0]["facility_id"] == "here"
    with pytest.raises(WorkspaceConflictError):  # and a save on the old version is refused now
        ws.save_draft("tab", {"changes": []}, base_version=1)
    assert ws.check().ok
    assert_consistent(tmp_path)


# ---------------------------------------------------------------------------
# a restore killed half-way
# ---------------------------------------------------------------------------


def stop_then_save(directory: str) -> None:
    """Save a scenario and die after its COMMIT, before the close folds the log into the file (forked)."""
    committed = []

    def after_commit(sql: str) -> bool:
        committed.extend(["yes"] if sql.startswith("COMMIT") else [])
        return sql == "close" and bool(committed)

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    sqlite3.connect = tripwire_connect(after_commit, die)  # this process only
    Workspace.open(directory).save_scenario("recent", changes(0, 2, "r"))
    os._exit(0)  # pragma: no cover - killed before


def restore_killed_at(directory: str, backup: str, n: int) -> None:
    """:func:`restore_backup`, killed (SIGKILL) just before its ``n``-th file operation (forked)."""
    count = {"ops": 0}

    def wired(real: Callable[..., Any]) -> Callable[..., Any]:
        def op(*args: Any, **kwargs: Any) -> Any:
            count["ops"] += 1
            if count["ops"] == n:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return op

    os.replace, os.link, os.rename = wired(os.replace), wired(os.link), wired(os.rename)  # this process only
    restore_backup(directory, backup)
    os._exit(3)  # it did fewer than n operations: not killed, the restore done


def test_a_restore_killed_at_any_step_leaves_the_old_or_the_restored_workspace(tmp_path):
    # the live workspace: a scenario in the file, and a committed save still only in its
    # write-ahead log (its process was killed before closing)
    template = tmp_path / "template"
    Workspace.open(template).save_scenario("live", changes(0, 3, "l"))
    fork = multiprocessing.get_context("fork")
    saver = fork.Process(target=stop_then_save, args=(str(template),))
    saver.start()
    saver.join(60)
    assert saver.exitcode == -signal.SIGKILL
    assert (template / f"{DB_NAME}-wal").stat().st_size > 0
    backup_ws = Workspace.open(tmp_path / "other")
    backup_ws.save_scenario("backup", changes(1, 1, "b"))
    backup = backup_ws.backup(tmp_path / "backup.sqlite")
    old = {"live": changes(0, 3, "l"), "recent": changes(0, 2, "r")}
    restored = {"backup": changes(1, 1, "b")}

    outcomes = []
    for n in range(1, 12):
        directory = tmp_path / f"run{n}"
        shutil.copytree(template, directory)  # the same state each time (no process has it open)
        child = fork.Process(target=restore_killed_at, args=(str(directory), str(backup), n))
        child.start()
        child.join(60)
        assert child.exitcode in (-signal.SIGKILL, 3), child.exitcode
        assert (directory / DB_NAME).exists(), f"killed before operation {n}: no workspace left"
        ws = Workspace.open(directory)
        assert ws.check().ok
        found = {name: ws.load_scenario(name) for name in ws.scenarios()}
        assert found in (old, restored), f"killed before file operation {n}: {sorted(found)}"
        outcomes.append("old" if found == old else "restored")
        if child.exitcode == 3:
            break
    assert child.exitcode == 3  # every step was tried
    assert outcomes[0] == "old" and outcomes[-1] == "restored"


def test_a_lost_file_next_to_its_log_is_refused_then_restored(tmp_path):
    """The file deleted by hand while saves sit in its log: no empty workspace is made next to the
    log (SQLite would read another database's pages into it); a restore puts a backup in place and
    keeps the log aside."""
    Workspace.open(tmp_path).save_scenario("live", changes(0, 3, "l"))
    saver = multiprocessing.get_context("fork").Process(target=stop_then_save, args=(str(tmp_path),))
    saver.start()
    saver.join(60)
    assert saver.exitcode == -signal.SIGKILL
    wal = tmp_path / f"{DB_NAME}-wal"
    log_size = wal.stat().st_size
    assert log_size > 0
    (tmp_path / DB_NAME).unlink()
    with pytest.raises(WorkspaceError, match=r"is missing but its write-ahead log .*-wal .*bytes of saves"):
        Workspace.open(tmp_path)
    assert not (tmp_path / DB_NAME).exists() and wal.stat().st_size == log_size  # nothing made, nothing moved

    other = Workspace.open(tmp_path / "other")
    other.save_scenario("backup", changes(1, 1, "b"))
    assert restore_backup(tmp_path, other.backup(tmp_path / "backup.sqlite")) is None  # no file to move aside
    ws = Workspace.open(tmp_path)
    assert ws.scenarios() == ["backup"] and ws.check().ok
    [kept] = tmp_path.glob(f"{DB_NAME}.replaced-*-wal")
    assert kept.stat().st_size == log_size


def test_a_restore_is_refused_while_another_process_reads_the_workspace(tmp_path):
    """A reader holding a snapshot from before the last save: the log cannot be folded into the file,
    so the restore refuses (naming why) and replaces nothing; both saves are there afterwards."""
    d = tmp_path / "ws"
    Workspace.open(d).save_scenario("live", changes(0, 3, "l"))
    reader = sqlite3.connect(d / DB_NAME, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a snapshot before "recent"
        Workspace.open(d).save_scenario("recent", changes(0, 2, "r"))
        other = Workspace.open(tmp_path / "other")
        other.save_scenario("backup", changes(1, 1, "b"))
        backup = other.backup(tmp_path / "backup.sqlite")
        with pytest.raises(WorkspaceError, match="in use by another process"):
            restore_backup(d, backup)
    finally:
        reader.close()
    ws = Workspace.open(d)
    assert sorted(ws.scenarios()) == ["live", "recent"] and ws.check().ok
    assert not list(d.glob(f"{DB_NAME}.replaced-*"))  # nothing moved aside
