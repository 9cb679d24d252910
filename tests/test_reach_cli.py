"""``python -m coverage service-areas`` on the embedded data and the toy road network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coverage.cli import main

TOY = Path(__file__).parent / "data" / "network" / "toy_jiangmen.osm"


def test_service_areas_distance_mode_one_feature_per_facility(tmp_path):
    from coverage.region import load_default

    out = tmp_path / "sa.geojson"
    assert main(["service-areas", "--layer", "elder_canteen", "--out", str(out)]) == 0
    fc = json.loads(out.read_text(encoding="utf-8"))
    n = len(load_default().facilities["elder_canteen"])
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == n
    assert fc["properties"]["method"] == "distance"
    assert fc["properties"]["standard"]["urban"] == "步行15分钟（GB 50180-2018 步行1000米÷1.3，直线770米）"
    first = fc["features"][0]
    assert first["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {"facility_id", "name", "standard", "area_type"} <= set(first["properties"])
    lon, lat = first["geometry"]["coordinates"][0][0][:2] if first["geometry"]["type"] == "Polygon" else (0, 0)
    assert 111 < lon < 114 and 21 < lat < 23.5  # RFC 7946 lon/lat order, Jiangmen


def test_service_areas_network_dissolved(tmp_path):
    out = tmp_path / "sa.geojson"
    argv = ["service-areas", "--layer", "elder_canteen", "--out", str(out), "--roads", str(TOY), "--dissolve"]
    assert main(argv) == 0
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert len(fc["features"]) == 1
    assert fc["properties"]["method"] == "network" and fc["properties"]["buffer_m"] == 25.0
    assert fc["properties"]["provenance"]["roads"] != "none"


def test_service_areas_rejects_bad_buffer(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["service-areas", "--layer", "ossuary", "--out", str(tmp_path / "x.geojson"), "--buffer", "0"])
    assert exc.value.code == 2 and "--buffer" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["service-areas", "--layer", "nope", "--out", str(tmp_path / "x.geojson")])
