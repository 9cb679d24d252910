"""One source of truth: the app, the CLI and the library give the same figures on one workspace.

A workspace holds the planner's uploads (a home-care station register and a child-protection
post register, both different from the embedded layers). For several standards — walking
10 / 15 / 20 minutes, e-bike, drive — and two layers, the per-town figures, the gap zones and
the review statuses shown by the app (Streamlit AppTest on ``app.py``), written by the CLI
(``python -m coverage``, in-process) and returned by :class:`coverage.analysis.Analysis` must be
identical.
"""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage.analysis import Analysis
from coverage.cli import main
from coverage.paths import ROOT
from coverage.region import load_default
from coverage.standards import load_standards
from coverage.ui import persist
from coverage.workspace import ENV_VAR, Workspace

pytestmark = pytest.mark.slow

STATIONS = "elder_care_station"
POSTS = "child_protection_post"
#: (layer, the app's (mode, minutes) choice, the same standard as CLI options)
CASES = [
    (STATIONS, ("walk", 15), []),
    (STATIONS, ("walk", 10), ["--minutes", "10"]),
    (STATIONS, ("walk", 20), ["--minutes", "20"]),
    (STATIONS, ("bike", 15), ["--mode", "bike"]),
    (STATIONS, ("drive", 10), ["--mode", "drive", "--minutes", "10"]),
    (POSTS, ("drive", 15), []),
]


def _register(layer: str, step: int) -> pd.DataFrame:
    """Every ``step``-th facility of the embedded layer, as a planner's CSV would list them."""
    gdf = load_default().facilities[layer].iloc[::step]
    return pd.DataFrame({"名称": [f"上传{i}" for i in range(len(gdf))], "经度": gdf.geometry.x.round(6),
                         "纬度": gdf.geometry.y.round(6)})


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    directory = tmp_path_factory.mktemp("parity-ws")
    files = {}
    for layer, step in ((STATIONS, 3), (POSTS, 2)):
        path = directory / f"{layer}.csv"
        _register(layer, step).to_csv(path, index=False, encoding="utf-8")
        files[layer] = str(path)
    ws = Workspace.open(directory)
    imported = persist.import_files(load_default(), facilities=files)
    persist.save_imports(ws, imported, files)
    old = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(directory)
    yield ws
    if old is None:
        os.environ.pop(ENV_VAR, None)
    else:
        os.environ[ENV_VAR] = old


@pytest.fixture(scope="module")
def library(workspace):
    region = persist.region_from_workspace(workspace, load_default())
    assert region.provenance[f"facilities:{STATIONS}"] == "uploaded"
    return Analysis(region)


def _lib(library: Analysis, layer: str, choice: tuple[str, int]) -> Analysis:
    return library.with_standards(load_standards().chosen(layer, *choice))


def _town_figures(table: pd.DataFrame) -> dict[str, tuple[int, int]]:
    towns = table[table["level"] == "town"]
    return {str(c): (int(s), int(v)) for c, s, v in zip(towns["town_code"], towns["served"], towns["covered"])}


def _zones(zones: pd.DataFrame) -> list[tuple]:
    return [(str(z.town_code), int(z.served), int(z.n_cells)) for z in zones.itertuples(index=False)]


# --------------------------------------------------------------------------- CLI == library


@pytest.mark.parametrize("layer, choice, options", CASES)
def test_cli_reproduces_the_library_from_the_workspace(workspace, library, tmp_path, layer, choice, options,
                                                       capsys):
    ours = _lib(library, layer, choice)
    out = tmp_path / "coverage.csv"
    assert main(["coverage", "--layer", layer, "--out", str(out), *options]) == 0
    cli = pd.read_csv(out, encoding="utf-8-sig", dtype={"town_code": str, "district_code": str})
    assert _town_figures(cli) == _town_figures(ours.coverage(layer).table)
    gaps = tmp_path / "gaps.geojson"
    assert main(["gaps", "--layer", layer, "--out", str(gaps), *options]) == 0
    features = json.loads(gaps.read_text(encoding="utf-8"))["features"]
    cli_zones = [(f["properties"]["town_code"], f["properties"]["served"], f["properties"]["n_cells"])
                 for f in features]
    assert cli_zones == _zones(ours.gaps(layer).zones)
    assert "[workspace]" in capsys.readouterr().err


def test_no_workspace_ignores_the_uploads(workspace, library, tmp_path):
    out = tmp_path / "coverage.csv"
    assert main(["coverage", "--layer", STATIONS, "--no-workspace", "--out", str(out)]) == 0
    plain = pd.read_csv(out, encoding="utf-8-sig", dtype={"town_code": str})
    assert _town_figures(plain) == _town_figures(Analysis(load_default()).coverage(STATIONS).table)
    assert _town_figures(plain) != _town_figures(library.coverage(STATIONS).table)


@pytest.mark.parametrize("choice, options", [(("walk", 15), []), (("walk", 10), ["--minutes", "10"])])
def test_cli_review_equals_the_library(workspace, library, tmp_path, choice, options):
    out = tmp_path / "review.csv"
    assert main(["review", "--year", "2025", "--no-yearly", "--out", str(out), *options]) == 0
    ours = _lib(library, STATIONS, choice).review(2025, yearly=False)
    assert out.read_bytes() == ours.to_csv(tmp_path / "ours.csv").read_bytes()
    assert {s.value for s in ours.level("city")["status"]} >= {"met", "not_met"}


# --------------------------------------------------------------------------- app == library


def _show(at: AppTest, layer: str, choice: tuple[str, int]) -> None:
    """Pick ``layer`` and the standard ``choice`` in the app's sidebar (one rerun per change)."""
    if at.selectbox(key="layer").value != layer:
        at.selectbox(key="layer").set_value(layer).run()
    if (at.selectbox(key=f"mode_{layer}").value, at.number_input(key=f"minutes_{layer}").value) != choice:
        at.selectbox(key=f"mode_{layer}").set_value(choice[0])
        at.number_input(key=f"minutes_{layer}").set_value(choice[1]).run()
    assert not at.exception, [e.message for e in at.exception]


def test_the_app_shows_the_librarys_figures_gaps_and_statuses(workspace, library):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    for layer, choice, _ in CASES:
        _show(at, layer, choice)
        ours = _lib(library, layer, choice)
        cov = ours.coverage(layer)
        shown = at.session_state["coverage_cache"][1]
        assert _town_figures(shown) == _town_figures(cov.table), (layer, choice)
        zones = at.session_state["gaps_cache"][1]
        assert _zones(zones) == _zones(ours.gaps(layer).zones), (layer, choice)
    for layer, choice in ((POSTS, ("drive", 15)), (STATIONS, ("walk", 10))):
        _show(at, layer, choice)
        at.button(key="run_review").click().run()
        assert not at.exception, [e.message for e in at.exception]
        shown = at.session_state["review_cache"][1]["result"].level("city")
        ours = _lib(library, layer, choice).review(2025).level("city")
        assert list(shown["status"]) == list(ours["status"]), (layer, choice)
        assert list(shown["value"].round(9)) == list(ours["value"].round(9)), (layer, choice)
