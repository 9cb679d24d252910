"""RFC 7946 GeoJSON writer: WGS-84 lon/lat, JSON-native properties, atomic write."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from coverage.export import to_feature_collection, write_geojson


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
