"""One source of truth: the app, the CLI and the library give the same figures on one workspace.

A workspace holds the planner's uploads (a home-care station register and a child-protection
post register, both different from the embedded layers). For several standards — walking
10 / 15 / 20 minutes, e-bike, drive — and two layers, the per-town figures, the gap zones and
the review statuses shown by the app (Streamlit AppTest on ``app.py``), written by the CLI
(``python -m coverage``, in-process) and returned by :class:`coverage.analysis.Analysis` must be
identical; so must the accessibility and equity figures (one layer, walking 15 minutes).
"""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage.analysis import Analysis
from coverage.cli import main
from coverage.describe import percent_points
from coverage.i18n import t
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
    at.session_state["main_tab"] = t("tab_gaps", "zh")  # only the open tab runs: the gaps tab computes the zones
    at.run()
    for layer, choice, _ in CASES:
        _show(at, layer, choice)
        ours = _lib(library, layer, choice)
        cov = ours.coverage(layer)
        shown = at.session_state["coverage_cache"][1]
        assert _town_figures(shown) == _town_figures(cov.table), (layer, choice)
        zones = at.session_state["gaps_cache"][1]
        assert _zones(zones) == _zones(ours.gaps(layer).zones), (layer, choice)
    at.session_state["main_tab"] = t("tab_review", "zh")
    at.run()
    for layer, choice in ((POSTS, ("drive", 15)), (STATIONS, ("walk", 10))):
        _show(at, layer, choice)
        at.button(key="run_review").click().run()
        assert not at.exception, [e.message for e in at.exception]
        shown = at.session_state["review_cache"][1].level("city")
        ours = _lib(library, layer, choice).review(2025).level("city")
        assert list(shown["status"]) == list(ours["status"]), (layer, choice)
        assert list(shown["value"].round(9)) == list(ours["value"].round(9)), (layer, choice)


# --------------------------------------------------------------------------- accessibility and equity


def _access_rows(table: pd.DataFrame, column: str) -> dict[str, float]:
    """District and city rows: ``<code>:served`` and ``<code>:<column>`` (the mean accessibility)."""
    rows = table[table["level"].isin(["district", "city"])]
    keys = ["city" if lvl == "city" else str(c) for lvl, c in zip(rows["level"], rows["district_code"])]
    out = {f"{k}:served": float(s) for k, s in zip(keys, rows["served"])}
    return out | {f"{k}:{column}": float(v) for k, v in zip(keys, rows[column])}


def test_app_cli_and_library_give_the_same_accessibility_and_equity(workspace, library, tmp_path):
    """Stations of the workspace (no capacity column: facilities counted), walking 15 minutes."""
    ours = _lib(library, STATIONS, ("walk", 15))
    access = ours.accessibility(STATIONS, capacity="facilities")
    eq = ours.equity(STATIONS)
    assert access.capacity == eq.access.capacity == "facilities"
    assert access.provenance[f"facilities:{STATIONS}"] == "uploaded"  # the workspace's register, not the default
    v = access.value_column

    # CLI
    out = tmp_path / "access.csv"
    assert main(["access", "--layer", STATIONS, "--capacity", "facilities", "--out", str(out)]) == 0
    cli = pd.read_csv(out, encoding="utf-8-sig", dtype={"town_code": str, "district_code": str})
    assert _access_rows(cli, v) == pytest.approx(_access_rows(access.table, v), rel=1e-12)
    towns = cli[cli["level"] == "town"]
    lib_towns = access.table[access.table["level"] == "town"]
    assert towns["town_code"].tolist() == lib_towns["town_code"].tolist()
    assert towns[v].to_numpy() == pytest.approx(lib_towns[v].to_numpy(), rel=1e-12, nan_ok=True)
    out = tmp_path / "equity.csv"
    assert main(["equity", "--layer", STATIONS, "--out", str(out)]) == 0
    cli = pd.read_csv(out, encoding="utf-8-sig", dtype={"group": str, "town_code": str})
    groups = cli[cli["section"] == "group"]
    assert groups["group"].tolist() == eq.groups["group"].tolist()
    for col in ("coverage_rate", "share_beyond_standard", "share_beyond_2x_standard", v, "gini_access"):
        assert groups[col].to_numpy() == pytest.approx(eq.groups[col].to_numpy(), rel=1e-12), col
    assert cli["gini"].iloc[0] == pytest.approx(eq.gini, rel=1e-12)
    assert cli["theil"].iloc[0] == pytest.approx(eq.theil, rel=1e-12)
    assert cli.loc[cli["section"] == "worst_town", "town_code"].tolist() == eq.worst_towns["town_code"].tolist()

    # app: the analyses tab, its accessibility then its equity section
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["main_tab"] = t("ana.tab", "zh")  # open the analyses tab (stateful tabs)
    at.run()
    _show(at, STATIONS, ("walk", 15))
    at.button(key="ana_access_compute").click().run()
    assert not at.exception, [e.message for e in at.exception]
    shown = next(d.value for d in at.dataframe if t("ana.col.level", "zh") in d.value.columns)
    lib_rows = access.table[access.table["level"].isin(["district", "city"])]
    assert shown[t("ana.col.served", "zh")].tolist() == lib_rows["served"].tolist()
    assert shown[t("ana.col.mean", "zh")].tolist() == lib_rows[v].tolist()
    at.radio(key="ana_section").set_value("equity").run()
    at.button(key="ana_equity_compute").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert next(m.value for m in at.metric if m.label.startswith(t("ana.equity.gini", "zh"))) == f"{eq.gini:,.3f}"
    assert next(m.value for m in at.metric if m.label.startswith(t("ana.equity.theil", "zh"))) == f"{eq.theil:,.3f}"
    shown = next(d.value for d in at.dataframe if t("ana.col.group", "zh") in d.value.columns)
    assert shown[t("ana.col.coverage", "zh")].tolist() == percent_points(eq.groups["coverage_rate"]).tolist()
    assert shown[t("ana.col.gini", "zh")].tolist() == eq.groups["gini_access"].tolist()
    worst = next(d.value for d in at.dataframe if t("ana.col.rank", "zh") in d.value.columns)
    assert worst[t("ana.col.coverage", "zh")].tolist() == percent_points(eq.worst_towns["coverage_rate"]).tolist()
