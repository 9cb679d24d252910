"""read_population: GeoTIFF and vector grids → the population table."""

from __future__ import annotations

import gzip

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from coverage import paths
from coverage.io import POPULATION_COLUMNS, DataImportError, read_population
from coverage.io.population import round_preserving_sum
from test_import_support import write_csv, jm, towns_frame  # noqa: F401

NODATA = -9999.0
# 4 × 4 cells of 0.01°, north-west corner (113.08 E, 22.58 N). Columns 0-1 (centres 113.085,
# 113.095) lie in town A (113.00-113.10 E); columns 2-3 lie in no town.
VALUES = np.array(
    [
        [10.4, 20.6, 5.0, 7.0],
        [NODATA, 0.0, 3.0, 3.0],
        [30.5, 1.5, 2.0, 2.0],
        [100.0, NODATA, 1.0, 1.0],
    ],
    dtype="float32",
)


@pytest.fixture
def tiff(tmp_path):
    import rasterio
    from affine import Affine

    path = tmp_path / "worldpop.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32", crs="EPSG:4326",
        transform=Affine(0.01, 0.0, 113.08, 0.0, -0.01, 22.58), nodata=NODATA,
    ) as dst:
        dst.write(VALUES, 1)
    return path


def _not_whole(city: str, n: str, districts: str) -> str:
    """The warning of a file covering no whole district, in the two-town fixture (no embedded grid:
    the share of the city's area it covers)."""
    return (
        "the file covers no whole district, yet it replaces the whole population grid: the rest of the city "
        f"now has no people. It covers {city} of the city's area (not of its people: without the embedded "
        f"population grid, where people live inside a district is not known) and part of {n} (in brackets, "
        f"the share of each district's area): {districts}. Its total is not compared with the census"
    )


def test_round_preserving_sum():
    assert round_preserving_sum(np.array([10.4, 20.6, 30.5, 1.5, 100.0])).tolist() == [10, 21, 31, 1, 100]
    assert round_preserving_sum(np.array([0.3, 0.3, 0.4])).tolist() == [0, 0, 1]
    assert round_preserving_sum(np.array([])).tolist() == []


def test_geotiff_cells_towns_and_modelled_ages(tiff, jm):
    df, report = read_population(tiff)
    assert list(df.columns) == POPULATION_COLUMNS
    # the 0.01° pixels (~1 km) are split and summed onto the 500 m grid: the people of the
    # pixels in town A (columns 0-1: 10.4 + 20.6 + 30.5 + 1.5 + 100 = 163) are kept exactly
    assert df["pop_total"].sum() == 163
    assert set(df["town_code"]) == {"440703002"} and set(df["district_code"]) == {"440703"}
    # census shares for 蓬江区: 60+ 0.1460, 0-17 0.1942 of 163, rounded by largest remainder
    assert df["pop_60plus"].sum() == round(163 * 0.1460) and df["pop_0_17"].sum() == round(163 * 0.1942)
    # every cell sits on the region's lattice: centres at 250 m mod 500, id = row * 100000 + col
    assert ((df["x"] % 500) == 250).all() and ((df["y"] % 500) == 250).all()
    assert (df["cell_id"] == (df["y"] // 500) * 100000 + df["x"] // 500).all()
    assert df["cell_id"].is_unique
    # the cell centres lie within half a cell (0.003°) of the pixels' extent (113.08-113.10 E, 22.54-22.58 N)
    tr = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(df["x"].to_numpy(), df["y"].to_numpy())
    assert (lon > 113.077).all() and (lon < 113.103).all() and (lat > 22.537).all() and (lat < 22.583).all()
    assert df[["pop_total", "pop_60plus", "pop_0_17"]].dtypes.tolist() == [np.int64] * 3
    warnings = [str(w) for w in report.warnings]
    assert warnings == [
        "worldpop.tif: 8 cells outside every town dropped (24.0 people)",
        "worldpop.tif: " + _not_whole("0.2%", "2 district(s)", "440703 Pengjiang District (0.2%), 440704 Jianghai District (13.7%)"),
        "worldpop.tif: pop_60plus and pop_0_17 not in the file: modelled from the 2020 census district shares",
    ]
    assert report.rows_read == 13 and report.rows_imported == len(df)


def test_age_shares_from_the_default_grid(tiff, jm, tmp_path, monkeypatch):
    grid = tmp_path / "grid.csv.gz"
    with gzip.open(grid, "wt", encoding="utf-8") as fh:
        pd.DataFrame(
            {"cell_id": [1, 2], "x": [0, 0], "y": [0, 0], "town_code": ["440703002"] * 2,
             "district_code": ["440703"] * 2, "pop_total": [60, 40], "pop_60plus": [20, 5], "pop_0_17": [6, 4]}
        ).to_csv(fh, index=False)
    monkeypatch.setattr(paths, "POPULATION_FILE", grid)
    df, report = read_population(tiff)
    # shares 0.25 and 0.10 of the 163 people
    assert df["pop_60plus"].sum() == round(163 * 0.25)
    assert df["pop_0_17"].sum() == round(163 * 0.10)
    assert "modelled from the default population grid's district shares" in str(report)


def test_vector_points_with_age_columns(tmp_path, jm):
    gdf = gpd.GeoDataFrame(
        {"编号": [11, 12, 13], "常住人口": [500.0, 300.0, 40.0], "60岁及以上": [100, 60, 10], "0-17岁": [90, 50, 5]},
        geometry=[Point(113.05, 22.55), Point(112.78, 22.25), Point(111.0, 20.0)],
        crs="EPSG:4326",
    )
    path = tmp_path / "grid.geojson"
    gdf.to_file(path, driver="GeoJSON")
    df, report = read_population(path)
    # off the region's lattice: each point goes into the 500 m cell holding it (ordered by cell id)
    assert df["cell_id"].tolist() == [_grid_id(112.78, 22.25), _grid_id(113.05, 22.55)]
    assert df["town_code"].tolist() == ["440781001", "440703002"]
    assert df["district_code"].tolist() == ["440781", "440703"]
    assert df["pop_total"].tolist() == [300, 500]
    assert df["pop_60plus"].tolist() == [60, 100]
    assert df["pop_0_17"].tolist() == [50, 90]
    assert [str(w) for w in report.warnings] == [
        "grid.geojson: 1 cells outside every town dropped (40.0 people)",
        "grid.geojson: " + _not_whole(
            "<0.1%", "3 district(s)", "440703 Pengjiang District (<0.1%), 440705 Xinhui District (0.1%), 440781 Taishan City (<0.1%)"),
    ]
    assert "grid.geojson: 2 cells summed onto the region's 500 m grid: 2 cells" in str(report)


def _grid_id(lon: float, lat: float) -> int:
    """Id of the region's 500 m cell holding (lon, lat): row * 100000 + col, from the EPSG:32649 metres."""
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True).transform(lon, lat)
    return int(y // 500) * 100000 + int(x // 500)


def test_cells_already_on_the_grid_keep_their_ids_and_centres(tmp_path, jm):
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True).transform(113.05, 22.55)
    cx, cy = (x // 500 + 0.5) * 500, (y // 500 + 0.5) * 500
    grid = write_csv(tmp_path / "g.csv", [["cell_id", "x", "y", "pop_total"], [7, cx, cy, 9], [8, cx + 500, cy, 4]])
    df, report = read_population(grid)
    assert df["cell_id"].tolist() == [7, 8] and df["x"].tolist() == [cx, cx + 500] and df["pop_total"].tolist() == [9, 4]
    assert "summed onto" not in str(report)


def test_cells_of_a_finer_grid_are_summed_into_the_cell_holding_them(tmp_path, jm):
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True).transform(113.05, 22.55)
    x0, y0 = (x // 500) * 500, (y // 500) * 500
    rows = [["x", "y", "pop_total"]] + [[x0 + 50 + 100 * i, y0 + 50 + 100 * j, 1] for i in range(5) for j in range(5)]
    df, report = read_population(write_csv(tmp_path / "fine.csv", rows))  # a 100 m grid: 25 cells of 1 person
    assert df["pop_total"].tolist() == [25] and df["x"].tolist() == [x0 + 250] and df["y"].tolist() == [y0 + 250]
    assert "fine.csv: 25 cells summed onto the region's 500 m grid: 1 cells" in str(report)


def test_vector_polygons_use_centroids(tmp_path, jm):
    cells = [box(113.045, 22.545, 113.055, 22.555), box(113.11, 22.61, 113.12, 22.62)]  # 1 km cells; 2nd outside town A
    gdf = gpd.GeoDataFrame({"pop": [7, 9]}, geometry=cells, crs="EPSG:4326").to_crs(32649)
    path = tmp_path / "cells.gpkg"
    gdf.to_file(path, driver="GPKG")
    df, _ = read_population(path)
    c = gdf.geometry.centroid  # the polygon's centroid decides its 500 m cell
    assert df["pop_total"].tolist() == [7]
    assert df["x"].iloc[0] == (c.x.iloc[0] // 500 + 0.5) * 500 and df["y"].iloc[0] == (c.y.iloc[0] // 500 + 0.5) * 500


def test_vector_errors_name_rows(tmp_path, jm):
    gdf = gpd.GeoDataFrame(
        {"population": ["12", "abc", "5", "-3"], "pop_60plus": [1, 1, 9, 0]},
        geometry=[Point(113.05, 22.55), Point(113.05, 22.56), Point(113.05, 22.57), None],
        crs="EPSG:4326",
    )
    path = tmp_path / "bad.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.raises(DataImportError) as exc:
        read_population(path)
    assert str(exc.value).splitlines() == [
        "cannot import bad.geojson: 4 errors",
        "  bad.geojson, row 2, column population: 'abc' is not a number",
        "  bad.geojson, row 3, column pop_60plus: 9 exceeds the total 5",
        "  bad.geojson, row 4, column geometry: missing geometry",
        "  bad.geojson, row 4, column population: negative count -3",
    ]


def test_missing_population_column_and_towns(tmp_path, jm, monkeypatch):
    path = tmp_path / "x.geojson"
    gpd.GeoDataFrame({"foo": [1]}, geometry=[Point(113.05, 22.55)], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(DataImportError, match="x.geojson: no population column"):
        read_population(path)
    monkeypatch.setattr(paths, "TOWNS_FILE", tmp_path / "none.geojson")
    with pytest.raises(DataImportError, match="no town boundaries to assign cells to"):
        read_population(path)
    # explicit towns work without the default file
    gpd.GeoDataFrame({"pop_total": [5]}, geometry=[Point(113.05, 22.55)], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    df, _ = read_population(path, towns_frame())
    assert df["pop_total"].tolist() == [5]


def test_csv_grid_lonlat_and_metres(tmp_path, jm):
    tr = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)
    xa, ya = tr.transform(113.05, 22.55)
    ll = write_csv(tmp_path / "ll.csv", [["经度", "纬度", "人口", "60岁及以上", "0-17岁"], [113.05, 22.55, 100, 30, 20],
                                         [112.78, 22.25, 0, 0, 0]])
    df, report = read_population(ll)
    assert df["pop_total"].tolist() == [100] and df["pop_60plus"].tolist() == [30] and df["pop_0_17"].tolist() == [20]
    assert df["x"].iloc[0] == (xa // 500 + 0.5) * 500 and df["y"].iloc[0] == (ya // 500 + 0.5) * 500
    assert "ll.csv: 1 cells with no people skipped" in str(report)

    gz = tmp_path / "grid.csv.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(f"cell_id,x,y,pop_total\n7,{xa},{ya},9\n")
    df, report = read_population(gz)
    assert df["cell_id"].tolist() == [_grid_id(113.05, 22.55)] and df["town_code"].tolist() == ["440703002"]
    assert "grid.csv.gz: cell centres read as EPSG:32649 metres" in str(report)

    bad = write_csv(tmp_path / "bad.csv", [["x", "y", "pop_total"], [xa, ya, "n/a"], ["", ya, 3]])
    with pytest.raises(DataImportError) as exc:
        read_population(bad)
    assert str(exc.value).splitlines()[1:] == [
        "  bad.csv, row 2, column pop_total: 'n/a' is not a number",
        "  bad.csv, row 3, column x: empty cell",
    ]


# ----------------------------------------------------------------------------- any grid → the region's grid


def _raster(path, crs, step, lon0=113.04, lat0=22.56, lon1=113.12, lat1=22.64, value=1.0):
    """A raster in ``crs`` with square pixels of ``step`` whose extent lies inside the given box."""
    import rasterio
    from affine import Affine

    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    xs, ys = tr.transform([lon0, lon1, lon0, lon1], [lat0, lat0, lat1, lat1])
    x0, x1 = max(xs[0], xs[2]), min(xs[1], xs[3])
    y0, y1 = max(ys[0], ys[1]), min(ys[2], ys[3])
    w, h = int((x1 - x0) // step), int((y1 - y0) // step)
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1, dtype="float32", crs=crs,
                       transform=Affine(step, 0, x0, 0, -step, y0 + h * step)) as dst:
        dst.write(np.full((h, w), value, dtype="float32"), 1)
    return w * h * value


@pytest.mark.parametrize(
    "crs,step",
    [("EPSG:4326", 1 / 1200), ("ESRI:54009", 100.0), ("ESRI:54009", 1000.0), ("EPSG:32649", 100.0)],
    ids=["worldpop-3arcsec", "ghs-pop-100m", "ghs-pop-1km", "utm-100m"],
)
def test_raster_on_any_grid_feeds_gap_zones(tmp_path, crs, step):
    """WorldPop / GHS-POP / metre rasters land on the region's 500 m lattice, the total kept,
    and gap zones run on the result (they refused anything off the lattice before)."""
    from coverage.gaps import gap_zones
    from coverage.metrics import covered_mask
    from coverage.reach import compute_reach
    from coverage.region import load_default

    region = load_default()
    path = tmp_path / "pop.tif"
    total = _raster(path, crs, step)  # inside 蓬江区 (113.04-113.12 E, 22.56-22.64 N), no district whole
    df, report = read_population(path, region.towns)
    people_in_towns = df["pop_total"].sum()
    dropped = sum(float(w.message.split("(")[1].split(" people")[0].replace(",", ""))
                  for w in report.warnings if "outside every town" in w.message)
    assert people_in_towns + dropped == pytest.approx(total, abs=1)
    assert ((df["x"] % 500) == 250).all() and ((df["y"] % 500) == 250).all() and df["cell_id"].is_unique
    grid = region.with_population(df, report=report)
    zones = gap_zones(grid, "elder_care_station", min_population=0, min_cell_population=0).zones
    uncovered = ~covered_mask(compute_reach(grid, "elder_care_station"), len(grid.population))
    served = grid.population["pop_60plus"].to_numpy()
    assert zones["served"].sum() == served[uncovered & (served > 0)].sum()


def test_the_embedded_grid_reimports_unchanged_and_matches_the_census():
    """The default 500 m grid (sums equal the 2020 census) goes through the importer unchanged:
    on the lattice, so ids and centres are kept; its total is the census to the person."""
    df, report = read_population(paths.POPULATION_FILE)
    with gzip.open(paths.POPULATION_FILE, "rt", encoding="utf-8") as fh:
        orig = pd.read_csv(fh, dtype={"town_code": str, "district_code": str})
    a = df.sort_values("cell_id").reset_index(drop=True)
    b = orig.sort_values("cell_id").reset_index(drop=True)
    for col in ("cell_id", "town_code", "district_code", "pop_total", "pop_60plus", "pop_0_17"):
        assert a[col].tolist() == b[col].tolist(), col
    assert np.array_equal(a["x"].to_numpy(), b["x"].to_numpy(dtype=float))
    assert report.errors == [] and report.warnings == []
    assert str(report.notes[-1]).endswith("the 2020 census counts 4,798,090 (+0.0%)")


# ----------------------------------------------------------------------------- a file over part of the city


def _embedded_grid() -> pd.DataFrame:
    with gzip.open(paths.POPULATION_FILE, "rt", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"town_code": str, "district_code": str})


def _cells_raster(path, cells: pd.DataFrame) -> None:
    """A 500 m EPSG:32649 raster on the region's lattice holding ``cells``' people, nodata elsewhere."""
    import rasterio
    from affine import Affine

    col = (cells["x"] // 500).astype(int).to_numpy()
    row = (cells["y"] // 500).astype(int).to_numpy()
    c0, r1 = col.min(), row.max()
    values = np.full((r1 - row.min() + 1, col.max() - c0 + 1), -1.0, dtype="float32")
    values[r1 - row, col - c0] = cells["pop_total"].to_numpy()
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
                       dtype="float32", crs="EPSG:32649", transform=Affine(500, 0, c0 * 500, 0, -500, (r1 + 1) * 500),
                       nodata=-1) as dst:
        dst.write(values, 1)


def test_a_one_town_raster_warns_that_the_rest_of_the_city_has_no_people(tmp_path):
    """Issue 11: a raster of one town replaces the whole grid; the warning gives the share of the city's
    2020 census population it covers — the town's people on the embedded grid over the city's census."""
    from coverage.io.reference import CENSUS_2020_TOTALS

    town = _embedded_grid().query("town_code == '440705001'")  # 会城街道, 新会区
    people, city = int(town["pop_total"].sum()), sum(CENSUS_2020_TOTALS.values())
    path = tmp_path / "huicheng.tif"
    _cells_raster(path, town)
    df, report = read_population(path)
    assert df["pop_total"].sum() == people
    # the raster is on the grid: each pixel whole in its own cell and town (split 2 x 2 before,
    # 8 of these 381 cells on the town's edge went to a neighbouring town)
    got = df.set_index("cell_id")[["town_code", "pop_total"]].sort_index()
    assert got.to_dict("index") == town.set_index("cell_id")[["town_code", "pop_total"]].sort_index().to_dict("index")
    [warning] = [w for w in report.warnings if "partial_city" in w.code]
    assert warning.code == "import.population.partial_city.population" and warning.row is None
    assert warning.values["people"] == people and warning.values["census"] == city == 4_798_090
    assert warning.values["fraction"] == pytest.approx(people / city)
    assert "440705" in [p["code"] for p in warning.values["districts"]]
    assert "440705 新会区（" in warning.text("zh") and "440705 Xinhui District (" in warning.message
    share = f"{people / city:.1%}"  # 9.8%
    assert (f"It covers {share} of the city's 2020 census population ({people:,} of {city:,} people, placed as "
            "the embedded 500 m grid spreads each district's census total)") in warning.message
    assert warning.message.startswith("the file covers no whole district, yet it replaces the whole population "
                                      "grid: the rest of the city now has no people.")
    assert f"全市 2020 年人口普查人口的 {share}（4,798,090 人中的 {people:,} 人" in warning.text("zh")


def test_a_one_district_grid_names_the_districts_left_without_people(tmp_path):
    """A grid of 蓬江区 alone covers that district wholly (its total is checked against the census) and
    warns that the six others are left without people, with its share of the city's census population."""
    from coverage.io.reference import CENSUS_2020_TOTALS

    cells = _embedded_grid().query("district_code == '440703'")
    path = tmp_path / "pengjiang.csv"
    cells[["cell_id", "x", "y", "pop_total"]].to_csv(path, index=False)
    df, report = read_population(path)
    assert df["pop_total"].sum() == cells["pop_total"].sum() == CENSUS_2020_TOTALS["440703"]
    [warning] = [w for w in report.warnings if "districts_left_out" in w.code]
    assert warning.code == "import.population.districts_left_out.population"
    assert (warning.values["n_covered"], warning.values["n_left"]) == (1, 6)
    assert [p["code"] for p in warning.values["covered"]] == ["440703"]
    assert [p["code"] for p in warning.values["left"]] == ["440704", "440705", "440781", "440783", "440784", "440785"]
    assert "（440703 蓬江区）" in warning.text("zh") and "(440703 Pengjiang District)" in warning.message
    assert warning.values["people"] == CENSUS_2020_TOTALS["440703"]
    assert warning.values["fraction"] == pytest.approx(853_007 / 4_798_090)
    assert "It covers 17.8% of the city's 2020 census population (853,007 of 4,798,090 people" in warning.message
    assert str(report.notes[-1]).endswith("853,007 people in the 1 district(s) it covers (440703 Pengjiang District); the 2020 "
                                          "census counts 853,007 (+0.0%)")
