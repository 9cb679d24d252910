"""``python -m coverage import`` end to end (in process, through coverage.cli.main)."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from coverage.cli import main
from test_import_support import BOX_A, DATA, jm, write_csv  # noqa: F401


def test_import_facilities_writes_geojson(tmp_path, jm, capsys):
    out = tmp_path / "out" / "canteens.geojson"
    status = main(["import", str(DATA / "canteens_gbk.csv"), "--layer", "elder_canteen", "--out", str(out),
                   "--lang", "en"])
    assert status == 0
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in fc["features"]] == ["白沙长者饭堂", "台城长者饭堂"]
    assert fc["features"][0]["geometry"] == {"type": "Point", "coordinates": [113.05, 22.55]}
    assert fc["features"][0]["properties"]["town_code"] == "440703002"
    assert fc["properties"]["source_file"] == "canteens_gbk.csv"
    stdout = capsys.readouterr().out
    assert "canteens_gbk.csv → elder_canteen: 2 rows read, 2 imported, 0 errors, 0 warnings" in stdout
    assert f"wrote 2 rows to {out}" in stdout


def test_import_error_exits_2_and_writes_nothing(tmp_path, jm, capsys):
    out = tmp_path / "bad.geojson"
    status = main(["import", str(DATA / "text_in_lon.csv"), "--layer", "elder_canteen", "--out", str(out),
                   "--lang", "en"])
    assert status == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "jm"]  # no temp file left either
    err = capsys.readouterr().err
    assert err.startswith("error: cannot import text_in_lon.csv: 1 error\n")
    assert "text_in_lon.csv, row 3, column 经度: '一百一十三' is not a number" in err


def test_import_error_leaves_existing_output_untouched(tmp_path, jm):
    out = tmp_path / "keep.geojson"
    out.write_text("previous", encoding="utf-8")
    status = main(["import", str(DATA / "guangzhou_point.csv"), "--layer", "elder_canteen", "--out", str(out)])
    assert status == 2
    assert out.read_text(encoding="utf-8") == "previous"


def test_import_gcj02_and_warnings_printed(tmp_path, jm, capsys):
    src = write_csv(tmp_path / "swap.csv", [["名称", "经度", "纬度"], ["甲", 22.55, 113.05]])
    out = tmp_path / "o.geojson"
    assert main(["import", str(src), "--layer", "elder_canteen", "--crs", "gcj02", "--out", str(out),
                 "--lang", "en"]) == 0
    stdout = capsys.readouterr().out
    assert "WARNING: swap.csv, column 经度: columns 经度 and 纬度 are swapped" in stdout
    assert "note: swap.csv: 1 points converted from GCJ-02 to WGS-84" in stdout
    lon, lat = json.loads(out.read_text(encoding="utf-8"))["features"][0]["geometry"]["coordinates"]
    assert lon < 113.05 and lat > 22.55  # GCJ-02 → WGS-84 moves west-north-west here


def test_import_requires_layer_and_valid_arguments(tmp_path, jm, capsys):
    out = tmp_path / "o.geojson"
    assert main(["import", str(DATA / "canteens_gbk.csv"), "--out", str(out), "--lang", "en"]) == 2
    assert "--layer is required" in capsys.readouterr().err
    assert main(["import", str(DATA / "canteens_gbk.csv"), "--out", str(out)]) == 2
    assert capsys.readouterr().err == "错误：--kind facilities 需要指定 --layer\n"
    assert main(["import", str(DATA / "canteens_gbk.csv"), "--layer", "nope", "--out", str(out)]) == 2
    assert "unknown layer 'nope'" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.csv"), "--layer", "elder_canteen", "--out", str(out)]) == 2
    assert not out.exists()
    with pytest.raises(SystemExit):
        main(["import", str(DATA / "canteens_gbk.csv"), "--layer", "elder_canteen", "--crs", "utm", "--out", str(out)])


def test_import_towns_and_population(tmp_path, jm):
    towns = tmp_path / "towns.geojson"
    gpd.GeoDataFrame({"town_code": ["440703002"]}, geometry=[box(*BOX_A)], crs="EPSG:4326").to_file(towns, driver="GeoJSON")
    out_towns = tmp_path / "towns_out.geojson"
    assert main(["import", str(towns), "--kind", "towns", "--out", str(out_towns)]) == 0
    props = json.loads(out_towns.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert props["town_code"] == "440703002" and props["geometry_source"] == "uploaded"

    grid = tmp_path / "grid.geojson"
    gpd.GeoDataFrame({"pop_total": [12.0]}, geometry=[Point(113.05, 22.55)], crs="EPSG:4326").to_file(grid, driver="GeoJSON")
    out_pop = tmp_path / "pop.csv"
    assert main(["import", str(grid), "--kind", "population", "--towns", str(towns), "--out", str(out_pop)]) == 0
    df = pd.read_csv(out_pop, dtype={"town_code": str, "district_code": str})
    assert df["town_code"].tolist() == ["440703002"] and df["pop_total"].tolist() == [12]


def test_population_csv_gz_output(tmp_path, jm):
    grid = tmp_path / "grid.geojson"
    gpd.GeoDataFrame({"人口": [30]}, geometry=[Point(113.05, 22.55)], crs="EPSG:4326").to_file(grid, driver="GeoJSON")
    out = tmp_path / "pop.csv.gz"
    assert main(["import", str(grid), "--kind", "population", "--out", str(out)]) == 0
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    df = pd.read_csv(out, dtype={"town_code": str})
    assert df["pop_total"].tolist() == [30] and df["town_code"].tolist() == ["440703002"]
