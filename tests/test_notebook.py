"""Execute notebooks/walkthrough.ipynb in a fresh kernel and check what it exported."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"


def test_walkthrough_runs_and_exports(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors

    out = tmp_path / "walkthrough_output"
    assert sorted(p.name for p in out.iterdir()) == [
        "coverage.csv", "gaps.geojson", "map.html", "sites.csv", "sites.geojson"]
    sites = json.loads((out / "sites.geojson").read_text(encoding="utf-8"))
    assert sites["type"] == "FeatureCollection" and len(sites["features"]) == 5
    assert [f["properties"]["rank"] for f in sites["features"]] == [1, 2, 3, 4, 5]
    gaps = json.loads((out / "gaps.geojson").read_text(encoding="utf-8"))
    assert gaps["features"] and all(f["properties"]["served"] > 0 for f in gaps["features"])

    # The coverage the notebook printed is the one it exported.
    table = pd.read_csv(out / "coverage.csv", encoding="utf-8-sig", dtype={"town_code": str})
    city = table[table["level"] == "city"].iloc[0]
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                      if o.output_type == "stream")
    assert f"city coverage: {city['covered']:,.0f} of {city['served']:,.0f} = {city['rate']:.1%}" in printed
    from coverage.ui.map import remote_urls

    page = (out / "map.html").read_text(encoding="utf-8")
    assert remote_urls(page) == [] and page.count("L.geoJson(") >= 4  # towns, gaps, stations, sites
    # The notebook shows the same map inline (folium's iframe of the page, loading nothing either).
    shown = [o for o in nb.cells[-1].get("outputs", []) if o.output_type in ("display_data", "execute_result")]
    inline = shown[0]["data"]["text/html"]
    (framed,) = re.findall(r'<iframe srcdoc="(.*?)"', inline, flags=re.S)
    framed = html.unescape(framed)
    assert remote_urls(framed) == [] and framed.count("L.geoJson(") == page.count("L.geoJson(")
