"""``python -m coverage workspace`` words its refusals in ``--lang`` (Chinese by default), with the
English in ``str(error)``: an export into a file or where no directory can be made, a failed
export, a drop / restore without ``--yes``, a drop of an item that is not there, a path escaping
the export directory."""

from __future__ import annotations

import errno
from pathlib import Path

import pandas as pd
import pytest

from coverage.cli import main
from coverage.commands import workspace as ws_command
from coverage.errors import InputError
from coverage.workspace import Workspace


@pytest.fixture
def ws_dir(tmp_path: Path) -> Path:
    ws = Workspace.open(tmp_path / "ws")
    ws.save_population(pd.DataFrame({"town_code": ["440703001"], "pop_total": [5]}))
    return tmp_path / "ws"


def refusal(capsys, argv: list[str]) -> tuple[int, str]:
    """Exit status and the last stderr line of ``argv``."""
    code = main(argv)
    return code, capsys.readouterr().err.splitlines()[-1]


def both(capsys, argv: list[str]) -> dict[str, tuple[int, str]]:
    """``argv`` run in the default language and with ``--lang en``."""
    return {"zh": refusal(capsys, argv), "en": refusal(capsys, [*argv, "--lang", "en"])}


def test_export_into_a_file_or_under_one_is_refused_in_the_command_language(ws_dir, capsys, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    base = ["workspace", "--workspace", str(ws_dir), "export"]
    assert both(capsys, [*base, str(afile)]) == {
        "zh": (2, f"错误：导出目标 {afile} 已存在且不是目录"),
        "en": (2, f"error: export destination {afile} exists and is not a directory"),
    }
    under = afile / "sub"
    got = both(capsys, [*base, str(under)])
    assert got["zh"][0] == got["en"][0] == 2
    assert got["zh"][1].startswith(f"错误：无法创建 {under}：") and "Not a directory" in got["zh"][1]
    assert got["en"][1] == f"error: cannot create {under}: Not a directory"
    assert afile.read_text() == "x"


def test_a_failed_export_is_worded_in_the_command_language(ws_dir, capsys, tmp_path, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    out = tmp_path / "out"
    assert both(capsys, ["workspace", "--workspace", str(ws_dir), "export", str(out), "--force"]) == {
        "zh": (2, f"错误：导出到 {out} 失败：No space left on device"),
        "en": (2, f"error: export to {out} failed: No space left on device"),
    }


def test_drop_and_restore_need_yes_and_a_missing_item_is_named(ws_dir, capsys, tmp_path):
    base = ["workspace", "--workspace", str(ws_dir)]
    assert both(capsys, [*base, "drop", "layer", "elder_canteen"]) == {
        "zh": (2, "错误：drop 会从工作区移除设施图层 “elder_canteen”: 请加 --yes"),
        "en": (2, "error: drop removes facility layer 'elder_canteen' from the workspace: add --yes"),
    }
    assert both(capsys, [*base, "drop", "scenario", "方案B", "--yes"]) == {
        "zh": (2, f"错误：工作区 {ws_dir} 中没有方案 '方案B'"),
        "en": (2, f"error: no scenario '方案B' in workspace {ws_dir}"),
    }
    assert both(capsys, [*base, "restore", str(tmp_path / "b.sqlite")]) == {
        "zh": (2, "错误：恢复会替换工作区文件 (原文件移到一旁保留, 不会删除): 请加 --yes"),
        "en": (2, "error: restore replaces the workspace file (it is moved aside, not deleted): add --yes"),
    }
    assert Workspace.open(ws_dir).overrides() == ["population"]  # nothing was touched


def test_an_earlier_export_is_refused_with_the_english_in_the_error(ws_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="exists and is not empty") as exc:
        ws_command.export_workspace(Workspace.open(ws_dir), out)
    assert exc.value.code == "ws_cli_export_exists" and exc.value.values == {"path": str(out)}
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_a_path_outside_the_export_directory_is_refused(tmp_path):
    assert ws_command.inside(tmp_path, "layers/a.geojson") == (tmp_path / "layers" / "a.geojson").resolve()
    with pytest.raises(InputError, match=r"refusing to write '\.\./x' outside") as exc:
        ws_command.inside(tmp_path, "../x")
    assert exc.value.code == "cli.ws.error.outside"


def test_a_mistyped_workspace_path_is_refused_not_created(tmp_path, capsys):
    """``workspace --workspace <a folder without a workspace> list`` says there is none (in the
    command's language) instead of making a new, empty workspace there."""
    from coverage.cli import main as cli_main

    missing = tmp_path / "no-such-workspace"
    for lang, words in (("zh", "中没有工作区"), ("en", "no workspace")):
        assert cli_main(["workspace", "--workspace", str(missing), "--lang", lang, "list"]) == 2
        assert words in capsys.readouterr().err
    assert not missing.exists()
