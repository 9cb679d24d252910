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
