"""The CLI shell: help lists the commands; bad shared options fail with a clear message."""

import subprocess
import sys

import pytest

from coverage.cli import build_parser, parse_layer_files
from coverage.errors import OptionError


def test_help_lists_every_registered_command():
    out = subprocess.run(
        [sys.executable, "-m", "coverage", "--help"], capture_output=True, text=True, check=True
    ).stdout
    names = [a.dest for a in build_parser()._subparsers._group_actions[0]._choices_actions]
    for name in names:
        assert name in out


def test_facilities_option_parsing():
    assert parse_layer_files(["elder_canteen=a.csv"]) == {"elder_canteen": "a.csv"}
    with pytest.raises(OptionError, match="LAYER=FILE"):
        parse_layer_files(["a.csv"])
    with pytest.raises(OptionError, match="unknown layer 'canteen'"):
        parse_layer_files(["canteen=a.csv"])


def test_analysis_commands_print_the_import_report_of_user_files(tmp_path):
    # Row 3 has its coordinates swapped: the importer fixes it, and the coverage command says so.
    register = tmp_path / "canteens.csv"
    register.write_text("名称,经度,纬度\n白沙长者饭堂,113.0726,22.5760\n潮连长者饭堂,22.6329,113.1102\n",
                        encoding="utf-8")
    out = tmp_path / "cov.csv"
    run = subprocess.run(
        [sys.executable, "-m", "coverage", "coverage", "--layer", "elder_canteen",
         "--facilities", f"elder_canteen={register}", "--out", str(out), "--lang", "en"],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "[facilities:elder_canteen] canteens.csv" in run.stderr
    assert "2 rows read, 2 imported" in run.stderr
    assert "WARNING: canteens.csv, row 3" in run.stderr and "swapped" in run.stderr
    assert out.exists()
    # the default language is Chinese: the same report worded by the catalogue
    run = subprocess.run(
        [sys.executable, "-m", "coverage", "coverage", "--layer", "elder_canteen",
         "--facilities", f"elder_canteen={register}", "--out", str(out), "--force"],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "[facilities:elder_canteen] canteens.csv → elder_canteen：读取 2 行，导入 2 行" in run.stderr
    assert "警告: canteens.csv，第 3 行" in run.stderr and "2 rows read" not in run.stderr


# --------------------------------------------------------------------------- errors and the workspace


def test_only_coverage_errors_are_user_errors(monkeypatch, capsys):
    """A CoverageError prints its message (exit 2); any other exception is a bug and keeps its traceback."""
    import coverage.commands.coverage_rates as cmd
    from coverage.cli import main
    from coverage.errors import StandardsError

    def user_error(args):
        raise StandardsError("minutes must be a positive finite number; got -1")

    monkeypatch.setattr(cmd, "run", user_error)
    assert main(["coverage", "--layer", "elder_canteen", "--lang", "en"]) == 2
    assert "error: minutes must be a positive" in capsys.readouterr().err

    def bug(args):
        raise KeyError("internal")

    monkeypatch.setattr(cmd, "run", bug)
    with pytest.raises(KeyError, match="internal"):
        main(["coverage", "--layer", "elder_canteen"])


def test_a_missing_input_file_is_a_user_error(tmp_path, capsys):
    from coverage.cli import main

    absent = tmp_path / "absent.geojson"
    assert main(["coverage", "--layer", "elder_canteen", "--no-workspace", "--towns", str(absent)]) == 2
    assert capsys.readouterr().err == f"错误：--towns：文件不存在：{absent}\n"  # the command's --lang (zh)
    assert main(["coverage", "--layer", "elder_canteen", "--no-workspace", "--towns", str(absent), "--lang", "en"]) == 2
    assert capsys.readouterr().err == f"error: --towns: no such file: {absent}\n"


def test_workspace_options_are_checked(tmp_path, capsys):
    from coverage.cli import main

    assert main(["coverage", "--layer", "elder_canteen", "--workspace", str(tmp_path / "none"), "--lang", "en"]) == 2
    assert "there is no workspace in" in capsys.readouterr().err
    assert main(["coverage", "--layer", "elder_canteen", "--workspace", str(tmp_path / "none")]) == 2
    assert "中没有工作区" in capsys.readouterr().err
    assert main(["coverage", "--layer", "elder_canteen", "--no-workspace", "--workspace", str(tmp_path),
                 "--lang", "en"]) == 2
    assert "cannot be combined" in capsys.readouterr().err


def test_scenario_and_draft_edits_from_the_workspace(tmp_path, small_region, monkeypatch, capsys):
    """``--scenario`` applies a saved scenario's edits, ``--draft`` an app session's edits and standard."""
    import pandas as pd

    import coverage.commands.coverage_rates as cmd
    from coverage.cli import main
    from coverage.ui import persist
    from coverage.workspace import Workspace

    ws = Workspace.open(tmp_path)
    ws.save_scenario("没有ECS1", [{"layer": "elder_care_station", "op": "remove", "facility_id": "ECS1"}])
    draft_id = persist.new_draft_id()
    ws.save_draft(draft_id, {"layer": "elder_care_station", "standards": {"elder_care_station": {"mode": "drive",
                                                                                                    "minutes": 30}},
                             "changes": [{"layer": "elder_care_station", "op": "remove", "facility_id": "ECS2"}]})
    from coverage.cli import apply_edits

    monkeypatch.setattr(cmd, "region_from_args", lambda args: apply_edits(small_region, args))
    out = tmp_path / "cov.csv"

    def city(*options: str) -> int:
        assert main(["coverage", "--layer", "elder_care_station", "--workspace", str(tmp_path), "--out", str(out),
                     "--force", *options]) == 0
        df = pd.read_csv(out, encoding="utf-8-sig")
        return int(df.loc[df["level"] == "city", "covered"].iloc[0])

    both = city("--distance", "1000")
    assert both == 810  # ECS1 covers 450, ECS2 360 (tests/test_analysis.py)
    assert city("--distance", "1000", "--scenario", "没有ECS1") == 360
    assert city("--draft", draft_id, "--distance", "1000") == 450
    drafted = city("--draft", draft_id)  # the draft's standard: 30 minutes' drive reaches everyone but ECS2's
    assert drafted > 450
    assert main(["coverage", "--layer", "elder_care_station", "--workspace", str(tmp_path), "--scenario", "x",
                 "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "no scenario 'x'" in err and err.rstrip().endswith("saved: 没有ECS1")
    assert main(["coverage", "--layer", "elder_care_station", "--workspace", str(tmp_path), "--scenario", "x"]) == 2
    assert "中没有方案 'x'；已保存的方案：没有ECS1" in capsys.readouterr().err


def test_every_command_that_reads_a_region_gets_the_scenario_edits(tmp_path, capsys):
    """``region_from_args`` applies ``--scenario`` itself, so e.g. ``site`` and ``access`` see the edits too."""
    from coverage.cli import build_parser, region_from_args
    from coverage.region import load_default
    from coverage.workspace import Workspace

    stations = load_default().facilities["elder_care_station"]
    gone = str(stations["facility_id"].iloc[0])
    Workspace.open(tmp_path).save_scenario("s", [
        {"layer": "elder_care_station", "op": "remove", "facility_id": gone},
        {"layer": "elder_care_station", "op": "remove", "facility_id": "no-such-id"}])
    skipped = {"en": "[edits] change 2 (remove no-such-id) skipped: no such facility in elder_care_station",
               "zh": "[方案修改] 第 2 项修改（remove no-such-id）已跳过：图层 elder_care_station 中没有该设施"}
    for command, lang in ((["site", "--k", "1"], "zh"), (["coverage"], "en")):
        args = build_parser().parse_args([*command, "--layer", "elder_care_station", "--workspace", str(tmp_path),
                                          "--scenario", "s", "--out", str(tmp_path / "out.geojson"), "--lang", lang])
        region = region_from_args(args)
        ids = region.facilities["elder_care_station"]["facility_id"].astype(str)
        assert len(ids) == len(stations) - 1 and gone not in set(ids)
        assert skipped[lang] in capsys.readouterr().err.splitlines()
