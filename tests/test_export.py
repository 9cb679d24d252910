"""RFC 7946 GeoJSON writer: WGS-84 lon/lat, JSON-native properties, atomic write."""

import json
import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from coverage.cli import main
from coverage.errors import ExportError, InputError
from coverage.export import safe_output_path, to_feature_collection, write_csv, write_geojson
from coverage.io import read_facilities


def _utm_points() -> gpd.GeoDataFrame:
    # Two points in UTM 49N near Jiangmen's city centre (about 113.08 E, 22.58 N).
    return gpd.GeoDataFrame(
        {"name": ["甲站", "<b>乙</b>"], "people": pd.array([12, None], dtype="Int64"), "rate": [np.float32(0.5), 1.0]},
        geometry=[Point(713_000, 2_498_000), Point(714_000, 2_499_000)],
        crs="EPSG:32649",
    )


def test_reprojects_to_wgs84_lon_lat_order():
    fc = to_feature_collection(_utm_points())
    assert fc["type"] == "FeatureCollection"
    lon, lat = fc["features"][0]["geometry"]["coordinates"]
    assert 112.9 < lon < 113.3 and 22.4 < lat < 22.8


def test_properties_are_json_native_and_nan_is_null():
    fc = to_feature_collection(_utm_points(), properties={"k": np.int64(5), "mode": "distance"})
    p0, p1 = (f["properties"] for f in fc["features"])
    assert p0["people"] == 12 and isinstance(p0["people"], int)
    assert p1["people"] is None
    assert fc["properties"] == {"k": 5, "mode": "distance"}
    assert p1["name"] == "<b>乙</b>"  # data is kept verbatim; escaping is the renderer's job


def test_write_is_valid_json_and_refuses_missing_crs(tmp_path):
    out = write_geojson(_utm_points(), tmp_path / "sub" / "a.geojson")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["features"]) == 2
    with pytest.raises(ValueError, match="no CRS"):
        to_feature_collection(gpd.GeoDataFrame(geometry=[Point(0, 0)]))
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["a.geojson"]  # no temp file left


def test_polygon_rings_follow_the_right_hand_rule(tmp_path):
    from shapely.geometry import Polygon

    # A clockwise exterior with a counter-clockwise hole (the opposite of RFC 7946 §3.1.6).
    outer = [(713_000, 2_498_000), (713_000, 2_499_000), (714_000, 2_499_000), (714_000, 2_498_000)]
    hole = [(713_400, 2_498_400), (713_600, 2_498_400), (713_600, 2_498_600), (713_400, 2_498_600)]
    gdf = gpd.GeoDataFrame({"id": [1]}, geometry=[Polygon(outer, [hole])], crs="EPSG:32649")
    ring, inner = to_feature_collection(gdf)["features"][0]["geometry"]["coordinates"]

    def signed_area(coords):  # > 0 for counter-clockwise
        return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(coords, coords[1:])) / 2

    assert signed_area(ring) > 0 and signed_area(inner) < 0


def test_a_failed_export_leaves_the_previous_file_intact(tmp_path):
    from coverage.export import atomic_path, write_csv

    target = tmp_path / "review.csv"
    write_csv(pd.DataFrame({"名称": ["=HYPERLINK(1)", "甲"]}), target)
    before = target.read_bytes()
    assert before.decode("utf-8-sig").splitlines() == ["名称", "'=HYPERLINK(1)", "甲"]
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half a file", encoding="utf-8")
            raise RuntimeError("disk full")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["review.csv"]


# ----------------------------------------------------------------------------- safe output paths


def test_safe_output_path_rules(tmp_path):
    src = tmp_path / "register.csv"
    src.write_text("名称,经度,纬度\n", encoding="utf-8")
    ok = safe_output_path(tmp_path / "out.geojson", (".geojson", ".json"), inputs=[src])
    assert ok == tmp_path / "out.geojson"
    assert safe_output_path(tmp_path / "P.CSV.GZ", (".csv", ".csv.gz")).name == "P.CSV.GZ"
    cases = [
        (tmp_path, (".geojson",), f"{tmp_path}: is a directory; give a file name ending in .geojson"),
        (f"{tmp_path}/new/", (".geojson",), f"{tmp_path}/new/: is a directory; give a file name ending in .geojson"),
        (tmp_path / "o.xlsx", (".geojson", ".json"),
         f"{tmp_path / 'o.xlsx'}: the extension decides the format and '.xlsx' is not one this output can be "
         "written as (.geojson, .json)"),
        (tmp_path / "noext", (".csv",),
         f"{tmp_path / 'noext'}: the extension decides the format and 'no extension' is not one this output "
         "can be written as (.csv)"),
    ]
    for out, suffixes, message in cases:
        with pytest.raises(ExportError) as exc:
            safe_output_path(out, suffixes, inputs=[src])
        assert str(exc.value) == message
    link = tmp_path / "link.csv"
    os.symlink(src, link)
    for out in (src, link, tmp_path / "." / "register.csv"):
        with pytest.raises(ExportError, match="is the input file .*writing there would destroy it"):
            safe_output_path(out, (".csv",), inputs=[src], force=True)
    other = tmp_path / "notes.csv"
    other.write_text("keep me", encoding="utf-8")
    with pytest.raises(ExportError, match="notes.csv: exists; choose a new name, or replace it with --force"):
        safe_output_path(other, (".csv",))
    assert safe_output_path(other, (".csv",), force=True) == other
    assert other.read_text(encoding="utf-8") == "keep me"  # checking writes nothing


def test_exports_get_the_umask_mode_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        a = write_geojson(gpd.GeoDataFrame({"n": [1]}, geometry=[Point(113, 22.5)], crs="EPSG:4326"), tmp_path / "a.geojson")
        b = write_csv(pd.DataFrame({"n": [1]}), tmp_path / "b.csv")
        assert oct(a.stat().st_mode & 0o777) == oct(0o644) and oct(b.stat().st_mode & 0o777) == oct(0o644)
        os.umask(0o027)
        c = write_csv(pd.DataFrame({"n": [1]}), tmp_path / "c.csv")
        assert oct(c.stat().st_mode & 0o777) == oct(0o640)
        os.chmod(b, 0o604)  # replacing a file keeps its mode
        write_csv(pd.DataFrame({"n": [2]}), b)
        assert oct(b.stat().st_mode & 0o777) == oct(0o604)
    finally:
        os.umask(old)


def test_import_cli_refuses_bad_outputs_and_options(tmp_path, capsys):
    src = tmp_path / "grid.csv"
    src.write_text("x,y,pop_total\n", encoding="utf-8")
    before = src.read_bytes()
    cases = [
        (["--kind", "population", "--out", str(src)], f"error: {src}: is the input file {src}; writing there would destroy it"),
        (["--kind", "population", "--out", str(tmp_path)], f"error: {tmp_path}: is a directory; give a file name ending in .csv / .csv.gz"),
        (["--kind", "towns", "--out", str(tmp_path / "o.xlsx")],
         f"error: {tmp_path / 'o.xlsx'}: the extension decides the format and '.xlsx' is not one this output can be "
         "written as (.geojson, .json)"),
    ]
    for extra, message in cases:
        assert main(["import", str(src), *extra, "--lang", "en"]) == 2
        assert capsys.readouterr().err.strip() == message
    assert src.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["grid.csv"]
    for bad in ("nan", "inf", "-1", "0", "ten"):
        with pytest.raises(SystemExit) as exc:
            main(["import", str(src), "--kind", "population", "--out", str(tmp_path / "p.csv"), "--max-mb", bad])
        assert exc.value.code == 2
        assert "--max-mb" in capsys.readouterr().err


def test_library_max_mb_is_validated(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text("名称,经度,纬度\n甲,113.05,22.55\n", encoding="utf-8")
    for bad in (float("nan"), float("inf"), -1.0, 0):
        with pytest.raises(InputError, match="max_mb must be a positive"):
            read_facilities(src, "elder_canteen", max_mb=bad)


def test_an_output_inside_a_file_is_refused_before_any_work(tmp_path):
    """``--out afile.txt/cov.csv`` (or deeper) names a file as a folder: refused up front with a
    worded error, in both languages, not a FileExistsError traceback after the computation."""
    import pytest as _pytest

    from coverage.errors import ExportError
    from coverage.i18n import error_words

    afile = tmp_path / "afile.txt"
    afile.write_text("x", encoding="utf-8")
    for out in (afile / "cov.csv", afile / "deeper" / "cov.csv"):
        with _pytest.raises(ExportError) as info:
            safe_output_path(out, (".csv",))
        assert info.value.code == "export.error.parent_not_directory"
        assert str(afile) in error_words(info.value, "zh") and "是文件" in error_words(info.value, "zh")
    assert safe_output_path(tmp_path / "new" / "cov.csv", (".csv",)).name == "cov.csv"  # a folder to make: fine
