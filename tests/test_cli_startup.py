"""The command line starts without the analysis stack: building the parser, ``--help`` and argparse's
refusals import none of pandas, geopandas, numpy, … (each command imports them when it runs)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: The analysis stack: what ``python -m coverage --help`` must not import.
HEAVY = ("geopandas", "shapely", "pandas", "numpy", "scipy", "sklearn", "pyproj", "pyogrio", "osmnx", "networkx")

#: Every command (their choices come from coverage.choices, which imports nothing heavy).
LIGHT_COMMANDS = ("access", "community", "coverage", "equity", "gaps", "import", "service-areas", "report", "review",
                  "site", "workspace", "workspace drop")

PROBE = """
import json, sys
from coverage.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = None
print(json.dumps({"code": code, "heavy": sorted(m for m in %r if m in sys.modules)}), file=sys.stderr)
""" % (HEAVY,)


def imported_by(argv: list[str]) -> tuple[int | None, list[str], str]:
    """Run the CLI on ``argv`` in a fresh interpreter; return its exit code, the heavy modules it
    imported and its stdout."""
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True)
    found = json.loads(done.stderr.strip().splitlines()[-1])
    return found["code"], found["heavy"], done.stdout


def test_the_probe_sees_the_stack_a_command_imports(tmp_path):
    # the check itself can fail: running a command that opens a workspace imports the stack
    from coverage.workspace import Workspace

    Workspace.open(tmp_path)  # the command lists a workspace that exists (a missing one is refused)
    code, heavy, out = imported_by(["workspace", "--workspace", str(tmp_path), "list"])
    assert code is None and {"geopandas", "pandas", "numpy"} <= set(heavy)
    assert str(tmp_path) in out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_top_level_help_imports_no_analysis_module(lang):
    code, heavy, out = imported_by(["--help", "--lang", lang])
    assert code == 0 and heavy == []
    assert out.startswith("用法：python -m coverage" if lang == "zh" else "usage: python -m coverage")
    assert "service-areas" in out and "workspace" in out


@pytest.mark.parametrize("command", LIGHT_COMMANDS)
def test_a_command_help_imports_no_analysis_module(command):
    code, heavy, out = imported_by([*command.split(), "--help"])
    assert code == 0 and heavy == []
    assert out.startswith(f"用法：python -m coverage {command} ")


def test_an_argparse_refusal_imports_no_analysis_module():
    code, heavy, _ = imported_by(["coverage", "--no-workspace", "--layer", "canteen"])
    assert code == 2 and heavy == []
    code, heavy, _ = imported_by(["nope"])
    assert code == 2 and heavy == []


def test_building_the_parser_imports_no_analysis_module():
    script = ("import sys; from coverage.cli import build_parser\n"
              "for lang in ('zh', 'en'):\n"
              "    parser = build_parser(lang); parser.format_help()\n"
              f"    for name in {LIGHT_COMMANDS[:-1]!r}: parser.command(name).format_help()\n"
              f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
