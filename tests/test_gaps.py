"""Gap zones and uncovered population on the hand-made ``small_region``.

With elder-care stations reaching 1000 m, the populated cells left uncovered
(60+ in brackets) are (3,3) [80, T1], (4,3) [70, T2], (4,0) [90, T2],
(7,3) [120, T2], (0,4) [140, T3], (1,5) [50, T3] and (2,7) [30, T3].
(3,3)-(4,3) share an edge; (0,4)-(1,5) share only a corner.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from shapely.geometry import shape

from conftest import ORIGIN, covered_within
from coverage.paths import POPULATION_FILE
from coverage.gaps import gap_zones, grid_cell_size, uncovered_by_town, write_gap_zones


@pytest.fixture
def mask(small_region):
    return covered_within(small_region, "elder_care_station", 1000.0)


def test_grid_cell_size_is_inferred(small_region):
    assert grid_cell_size(small_region) == 500.0


def test_gap_zones_8_connected(small_region, mask):
    z = gap_zones(small_region, "elder_care_station", reach=mask, connectivity=8)
    assert z.crs.to_epsg() == 32649
    assert z["rank"].tolist() == [1, 2, 3, 4, 5]
    assert z["served"].tolist() == [190, 150, 120, 90, 30]
    assert z["pop_total"].tolist() == [900, 750, 500, 300, 100]
    assert z["pop_0_17"].tolist() == [120, 100, 80, 30, 10]
    assert z["pop_60plus"].tolist() == [190, 150, 120, 90, 30]
    assert z["n_cells"].tolist() == [2, 2, 1, 1, 1]
    assert z["area_km2"].tolist() == pytest.approx([0.5, 0.5, 0.25, 0.25, 0.25])
    assert z.geometry.area.round().tolist() == [500_000, 500_000, 250_000, 250_000, 250_000]
    # The zone spanning two towns is named after the one with more older residents.
    second = z.iloc[1]
    assert second.town_code == "440703001" and second.town_zh == "甲一街道"
    assert second.towns == "甲一街道、甲二镇"
    assert second.district_zh == "测试甲区"
    minx, miny, maxx, maxy = second.geometry.bounds
    assert (minx - ORIGIN[0], miny - ORIGIN[1], maxx - ORIGIN[0], maxy - ORIGIN[1]) == (1500, 1500, 2500, 2000)
    assert second.geometry.geom_type == "Polygon"


def test_gap_zones_4_connected_splits_corner_neighbours(small_region, mask):
    z = gap_zones(small_region, "elder_care_station", reach=mask, connectivity=4)
    assert z["served"].tolist() == [150, 140, 120, 90, 50, 30]


def test_gap_zones_min_population_and_child_group(small_region, mask):
    z = gap_zones(small_region, "elder_care_station", reach=mask, min_population=100)
    assert z["served"].tolist() == [190, 150, 120]
    # Child layer: served group 0-17, same cells uncovered.
    zc = gap_zones(small_region, "child_protection_post", reach=mask)
    assert zc["served"].tolist() == [120, 100, 80, 30, 10]
    assert set(zc["served_group"]) == {"0-17岁"}


def test_no_gap_when_everything_is_covered(small_region):
    z = gap_zones(small_region, "elder_care_station", reach=np.ones(12, dtype=bool))
    assert len(z) == 0 and z.crs.to_epsg() == 32649


def test_everyone_uncovered_without_facilities(small_region):
    z = gap_zones(small_region, "elder_care_station", reach=np.zeros(12, dtype=bool))
    assert int(z["served"].sum()) == 1390
    assert int(z["n_cells"].sum()) == 12


def test_gap_zones_validate_parameters(small_region, mask):
    with pytest.raises(ValueError, match="connectivity"):
        gap_zones(small_region, "elder_care_station", reach=mask, connectivity=6)
    region = small_region
    region.population.loc[3, "x"] += 120.0  # off the lattice
    with pytest.raises(ValueError, match="not on the 500 m lattice"):
        gap_zones(region, "elder_care_station", reach=np.zeros(12, dtype=bool))


def test_uncovered_by_town_ranked(small_region, mask):
    t = uncovered_by_town(small_region, "elder_care_station", reach=mask)
    assert t["town_zh"].tolist() == ["甲二镇", "乙一街道", "甲一街道", "乙二镇"]
    assert t["uncovered"].tolist() == [280, 220, 80, 0]
    assert t["rank"].tolist() == [1, 2, 3, 4]
    assert t["share_of_gap"].iloc[0] == pytest.approx(280 / 580)


def test_gap_zones_geojson_export(small_region, mask, tmp_path):
    z = gap_zones(small_region, "elder_care_station", reach=mask)
    path = write_gap_zones(z, tmp_path / "gaps.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 5
    first = fc["features"][0]
    assert first["properties"]["served"] == 190 and first["properties"]["rank"] == 1
    minlon, minlat, maxlon, maxlat = shape(first["geometry"]).bounds
    assert 112 < minlon < maxlon < 115 and 21 < minlat < maxlat < 24  # WGS-84 lon/lat, not metres
    assert "示意数据" in fc["properties"]["provenance"]
    assert fc["properties"]["connectivity"] == 8


def test_gaps_command(small_region, tmp_path, monkeypatch, capsys):
    import pandas as pd

    import coverage.commands.gaps as cmd
    from coverage.cli import main

    monkeypatch.setattr(cmd, "region_from_args", lambda args: small_region)
    out, towns_out = tmp_path / "gaps.geojson", tmp_path / "towns.csv"
    argv = ["gaps", "--layer", "elder_care_station", "--mode", "walk", "--distance", "1000",
            "--out", str(out), "--towns-out", str(towns_out)]  # fmt: skip
    assert main(argv) == 0
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["served"] for f in fc["features"]] == [190, 150, 120, 90, 30]
    towns = pd.read_csv(towns_out, encoding="utf-8-sig")
    assert towns["uncovered"].tolist() == [280, 220, 80, 0]
    assert "5 个服务空白区" in capsys.readouterr().out


# --------------------------------------------------------------------------- default data


@pytest.mark.skipif(not POPULATION_FILE.exists(), reason="data/population/grid_500m.csv.gz not built")
def test_default_data_covered_plus_uncovered_equals_census():
    import json

    from coverage.layers import LAYERS
    from coverage.metrics import population_coverage
    from coverage.paths import POPULATION_META
    from coverage.region import load_default

    region = load_default()
    census = json.loads(POPULATION_META.read_text(encoding="utf-8"))["census_2020"]
    for layer_id, layer in LAYERS.items():
        cov = population_coverage(region, layer_id)
        col = layer.served_column
        city = cov[cov["level"] == "city"].iloc[0]
        assert city.covered + city.uncovered == sum(d[col] for d in census.values()), layer_id
        for code, d in census.items():
            row = cov[(cov["level"] == "district") & (cov["district_code"] == code)].iloc[0]
            assert row.covered + row.uncovered == d[col], (layer_id, code)
        towns = cov[cov["level"] == "town"]
        assert towns["served"].sum() == city.served  # every cell lies in a known town
        if layer_id == "elder_care_station":
            zones = gap_zones(region, layer_id)
            assert zones["served"].sum() == city.uncovered  # every uncovered resident is in one zone
            assert zones["served"].is_monotonic_decreasing
            sparse = gap_zones(region, layer_id, min_cell_population=10, split_by_town=True)
            assert sparse["served"].sum() + sparse.attrs["left_out"] == city.uncovered
            assert (sparse["towns"] == sparse["town_zh"]).all()


def test_gap_zones_min_cell_population_and_split_by_town(small_region, mask):
    z = gap_zones(small_region, "elder_care_station", reach=mask, min_cell_population=60)
    # (1,5) [50] and (2,7) [30] are too sparse: (0,4) stands alone.
    assert z["served"].tolist() == [150, 140, 120, 90]
    assert z.attrs["left_out"] == 80
    s = gap_zones(small_region, "elder_care_station", reach=mask, split_by_town=True)
    # The zone across the T1/T2 border splits into (3,3) [80, T1] and (4,3) [70, T2].
    assert s["served"].tolist() == [190, 120, 90, 80, 70, 30]
    assert (s["towns"] == s["town_zh"]).all()
    with pytest.raises(ValueError, match="min_cell_population"):
        gap_zones(small_region, "elder_care_station", reach=mask, min_cell_population=-1)
