"""Safety checks: no code execution on user data, and user strings survive export unharmed.

1. A static scan (``ast``) of every module under ``coverage/`` and of ``app.py``
   for constructs that execute or unpickle data: ``eval`` / ``exec`` /
   ``compile``, pickle-family modules, ``pandas.read_pickle``,
   ``numpy.load(allow_pickle=True)``, ``yaml.load`` without a safe loader,
   ``os.system`` / ``os.popen``, ``subprocess`` with ``shell=True``, and
   Streamlit's ``unsafe_allow_html=True`` with computed (non-literal) text.
   The scanner is itself tested on snippets with known answers.
2. Hostile strings (HTML / script injection) written by
   :func:`coverage.export.write_geojson` are valid JSON that round-trips them
   unchanged: escaping is the renderer's job.
3. The map renderer (:mod:`coverage.ui.map`) HTML-escapes them in tooltips.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from coverage.export import to_feature_collection, write_geojson

REPO = Path(__file__).resolve().parent.parent

#: modules whose whole purpose is deserialising arbitrary objects
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "shelve", "marshal", "joblib"}
#: attribute calls that unpickle (``x.read_pickle(...)`` etc.)
UNSAFE_ATTRS = {"read_pickle", "unsafe_load", "full_load", "full_load_all", "unsafe_load_all"}
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
EXEC_BUILTINS = {"eval", "exec", "compile"}


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain, else ''."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def scan_source(source: str, filename: str = "<src>") -> list[str]:
    """Findings (``file:line: what``) for unsafe constructs in ``source``."""
    tree = ast.parse(source, filename=filename)
    found: list[str] = []

    def flag(node: ast.AST, what: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in UNSAFE_MODULES:
                    flag(node, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if node.module and node.module.split(".")[0] in UNSAFE_MODULES:
                flag(node, f"from {node.module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            dotted = _dotted(func)
            last = dotted.rsplit(".", 1)[-1] if dotted else ""
            if isinstance(func, ast.Name) and func.id in EXEC_BUILTINS:
                flag(node, f"call to {func.id}()")
            elif isinstance(func, ast.Name) and func.id in {"__import__", "import_module"} and not (
                node.args and isinstance(node.args[0], ast.Constant)
            ):
                flag(node, f"{func.id}() of a computed module name")
            elif dotted in {"builtins.eval", "builtins.exec", "builtins.compile"}:
                flag(node, f"call to {dotted}()")
            elif isinstance(func, ast.Attribute) and func.attr in UNSAFE_ATTRS:
                flag(node, f"call to {dotted or func.attr}()")
            elif dotted.split(".")[0] in UNSAFE_MODULES and last in {"load", "loads", "Unpickler", "open"}:
                flag(node, f"call to {dotted}()")
            elif last in {"load", "load_all"} and dotted.split(".")[0] in {"yaml", "ruamel"}:
                loader = _kw(node, "Loader")
                if loader is None and len(node.args) > 1:
                    loader = node.args[1]
                if loader is None or _dotted(loader).rsplit(".", 1)[-1] not in SAFE_YAML_LOADERS:
                    flag(node, f"{dotted}() without a safe Loader")
            elif last == "load" and dotted.split(".")[0] in {"np", "numpy"} and _is_true(_kw(node, "allow_pickle")):
                flag(node, f"{dotted}(allow_pickle=True)")
            elif dotted in {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"}:
                flag(node, f"call to {dotted}() (shell)")
            elif dotted.startswith("subprocess.") and _is_true(_kw(node, "shell")):
                flag(node, f"{dotted}(shell=True)")
            if _is_true(_kw(node, "unsafe_allow_html")) and not (
                node.args and isinstance(node.args[0], ast.Constant)
            ):
                flag(node, f"{dotted or 'call'}(<computed text>, unsafe_allow_html=True)")
    return found


def project_sources() -> list[Path]:
    files = sorted((REPO / "coverage").rglob("*.py"))
    app = REPO / "app.py"
    if app.exists():
        files.append(app)
    return files


# --------------------------------------------------------------------------- the scanner


@pytest.mark.parametrize(
    "snippet",
    [
        "eval(user_text)",
        "exec(code)",
        "compile(src, 'x', 'exec')",
        "import builtins\nbuiltins.eval(s)",
        "import pickle\npickle.loads(blob)",
        "from pickle import loads",
        "import pickle as p",
        "import dill",
        "import marshal",
        "import shelve",
        "__import__(name)",
        "df = pd.read_pickle(path)",
        "import yaml\nyaml.load(fh)",
        "import yaml\nyaml.load(fh, Loader=yaml.Loader)",
        "import yaml\nyaml.load(fh, yaml.FullLoader)",
        "import yaml\nyaml.unsafe_load(fh)",
        "import yaml\nyaml.full_load(fh)",
        "import numpy as np\nnp.load(path, allow_pickle=True)",
        "import os\nos.system('rm ' + name)",
        "import subprocess\nsubprocess.run(cmd, shell=True)",
        "st.markdown(f'<b>{name}</b>', unsafe_allow_html=True)",
        "st.write(user_text, unsafe_allow_html=True)",
    ],
)
def test_scanner_flags_unsafe_constructs(snippet):
    assert len(scan_source(snippet)) >= 1


@pytest.mark.parametrize(
    "snippet",
    [
        "import ast\nast.literal_eval(s)",
        "import re\nre.compile(pattern)",
        "import json\njson.loads(text)",
        "import yaml\nyaml.safe_load(fh)",
        "import yaml\nyaml.load(fh, Loader=yaml.SafeLoader)",
        "import yaml\nyaml.load(fh, yaml.CSafeLoader)",
        "import numpy as np\nnp.load(path)",
        "import numpy as np\nnp.load(path, allow_pickle=False)",
        "import subprocess\nsubprocess.run([sys.executable, '-c', 'pass'])",
        "model.evaluate(x)",
        "df.eval_rate = 1",
        "shapely.from_wkb(hex_values)",
        "__import__('copy').copy(x)",
        "st.markdown('<hr>', unsafe_allow_html=True)",
        "st.markdown(f'**{name}**')",
    ],
)
def test_scanner_passes_safe_constructs(snippet):
    assert scan_source(snippet) == []


def test_scanner_reports_file_and_line():
    assert scan_source("x = 1\n\ny = eval(s)\n", "mod.py") == ["mod.py:3: call to eval()"]


def test_no_code_execution_or_unpickling_in_the_project():
    files = project_sources()
    # the scan really covers the package (fails loudly if the layout moves)
    names = {p.relative_to(REPO).as_posix() for p in files}
    assert {"coverage/cli.py", "coverage/export.py", "coverage/workspace.py"} <= names
    findings = []
    for path in files:
        findings += scan_source(path.read_text(encoding="utf-8"), path.relative_to(REPO).as_posix())
    assert findings == [], "unsafe constructs:\n" + "\n".join(findings)


# --------------------------------------------------------------------------- export keeps strings

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(document.cookie)</script>",
    "\"quoted\" & 'single' \\ backslash",
    "line\u2028separator\u2029and\ttab\nnewline",
    "javascript:alert(1)",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "江门 <b>长者饭堂</b> ☃ \U0001f600",
]


def _hostile_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"facility_id": [f"F{i:03d}" for i in range(len(HOSTILE))], "name": HOSTILE},
        geometry=[Point(113.0 + i / 100, 22.5) for i in range(len(HOSTILE))],
        crs="EPSG:4326",
    )


def test_write_geojson_round_trips_hostile_strings_unchanged(tmp_path):
    path = write_geojson(_hostile_layer(), tmp_path / "x.geojson", properties={"scenario": HOSTILE[0]})
    text = path.read_text(encoding="utf-8")

    def no_constants(name):
        raise AssertionError(f"invalid JSON constant {name}")

    fc = json.loads(text, parse_constant=no_constants)  # strict, valid JSON
    assert [f["properties"]["name"] for f in fc["features"]] == HOSTILE
    assert [f["properties"]["facility_id"] for f in fc["features"]] == [f"F{i:03d}" for i in range(len(HOSTILE))]
    assert fc["properties"]["scenario"] == HOSTILE[0]
    # the writer does not HTML-escape (that would corrupt the data): the raw string is in the file
    assert "<img src=x onerror=alert(1)>" in text
    assert "&lt;" not in text
    # and reading it back with geopandas gives the same strings
    back = gpd.read_file(path)
    assert back["name"].tolist() == HOSTILE


def test_feature_collection_keeps_hostile_strings():
    fc = to_feature_collection(_hostile_layer())
    assert [f["properties"]["name"] for f in fc["features"]] == HOSTILE


def test_workspace_round_trips_hostile_strings(tmp_path):
    from coverage.workspace import Workspace

    ws = Workspace.open(tmp_path)
    ws.save_layer("elder_canteen", _hostile_layer())
    assert ws.load_layer("elder_canteen").data["name"].tolist() == HOSTILE
    ws.save_scenario("s", [{"op": "add", "layer": "elder_canteen", "lon": 113, "lat": 22, "name": HOSTILE[1]}])
    assert ws.load_scenario("s")[0]["name"] == HOSTILE[1]


# --------------------------------------------------------------------------- the map escapes


def test_map_tooltips_escape_user_strings():
    from coverage.ui import map as cmap

    layer = _hostile_layer().iloc[:2]
    overlay = cmap.point_overlay(cmap.features(layer, [cmap.Field("name", "名称")]), "设施")
    page = cmap.map_html(cmap.build_map(overlays=[overlay], bounds=layer.total_bounds))
    # the layers travel as base64 GeoJSON: decode every tooltip string the page binds
    tips = [f["properties"]["_tip"] for fc in cmap.embedded_features(page) for f in fc["features"]]
    assert tips == [
        "<b>名称</b> &lt;img src=x onerror=alert(1)&gt;",
        "<b>名称</b> &lt;/script&gt;&lt;script&gt;alert(document.cookie)&lt;/script&gt;",
    ]
    # the raw tags are nowhere in the page, in any encoding
    for raw in ("<img src=x", "\\u003cimg src=x", "<script>alert(document.cookie)",
                "\\u003cscript\\u003ealert(document.cookie)"):
        assert raw not in page
