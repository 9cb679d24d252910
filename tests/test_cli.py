"""The CLI shell: help lists the commands; bad shared options fail with a clear message."""

import subprocess
import sys

import pytest

from coverage.cli import CLIError, build_parser, parse_layer_files


def test_help_lists_every_registered_command():
    out = subprocess.run(
        [sys.executable, "-m", "coverage", "--help"], capture_output=True, text=True, check=True
    ).stdout
    names = [a.dest for a in build_parser()._subparsers._group_actions[0]._choices_actions]
    for name in names:
        assert name in out


def test_facilities_option_parsing():
    assert parse_layer_files(["elder_canteen=a.csv"]) == {"elder_canteen": "a.csv"}
    with pytest.raises(CLIError, match="LAYER=FILE"):
        parse_layer_files(["a.csv"])
    with pytest.raises(CLIError, match="unknown layer 'canteen'"):
        parse_layer_files(["canteen=a.csv"])


def test_analysis_commands_print_the_import_report_of_user_files(tmp_path):
    # Row 3 has its coordinates swapped: the importer fixes it, and the coverage command says so.
    register = tmp_path / "canteens.csv"
    register.write_text("名称,经度,纬度\n白沙长者饭堂,113.0726,22.5760\n潮连长者饭堂,22.6329,113.1102\n",
                        encoding="utf-8")
    out = tmp_path / "cov.csv"
    run = subprocess.run(
        [sys.executable, "-m", "coverage", "coverage", "--layer", "elder_canteen",
         "--facilities", f"elder_canteen={register}", "--out", str(out)],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "[facilities:elder_canteen] canteens.csv" in run.stderr
    assert "2 rows read, 2 imported" in run.stderr
    assert "WARNING: canteens.csv, row 3" in run.stderr and "swapped" in run.stderr
    assert out.exists()
