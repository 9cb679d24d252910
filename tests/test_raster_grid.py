"""A population raster whose pixels lie on the region's 500 m grid keeps each pixel whole.

Before, a 500 m pixel was split 2 × 2 (pixels coarser than half a cell are split) and each
quarter was given to the town holding its own centre; a cell cut by a town boundary could end
2 : 2 and go to the neighbouring town. Here two towns meet at a vertical line 200 m into
the third column of cells, so that column's pixel centres (250 m in) lie in the east town
while half of each pixel's quarters lie in the west one. Every figure below is worked out by
hand from the pixel values.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from shapely.geometry import box

from coverage.crs import PROJECTED
from coverage.io import read_population
from coverage.io.raster import GRID_ROW_FACTOR, grid_split, read_raster_cells
from coverage.io.report import ImportReport

CELL = 500.0
X0, Y_TOP = 700_000.0, 2_491_500.0  # a grid corner (multiples of 500 m), near Jiangmen
COLS, ROWS = 4, 3
BOUNDARY = X0 + 2 * CELL + 200.0  # west town up to here, east town beyond
# people per 500 m pixel, north row first (all different, so a misplaced pixel shows)
PEOPLE = np.array(
    [
        [100.0, 200.0, 300.0, 400.0],
        [110.0, 220.0, 330.0, 440.0],
        [120.0, 240.0, 360.0, 480.0],
    ]
)


def towns() -> gpd.GeoDataFrame:
    """West and east towns over the raster, meeting at ``BOUNDARY`` (west first: the old tie's winner)."""
    south, north = Y_TOP - ROWS * CELL - 1000, Y_TOP + 1000
    return gpd.GeoDataFrame(
        {"town_code": ["440703001", "440703002"], "district_code": ["440703", "440703"]},
        geometry=[box(X0 - 1000, south, BOUNDARY, north), box(BOUNDARY, south, X0 + COLS * CELL + 1000, north)],
        crs=PROJECTED,
    )


def write_tif(path, values: np.ndarray, pixel: float, x0: float = X0, y_top: float = Y_TOP,
              crs: str = PROJECTED) -> None:
    import rasterio

    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
                       dtype="float64", crs=crs, transform=Affine(pixel, 0, x0, 0, -pixel, y_top)) as dst:
        dst.write(values, 1)


def cell_id(col: int, row_from_top: int) -> int:
    """The grid id of the cell ``col`` columns east of ``X0`` and ``row_from_top`` rows south of ``Y_TOP``."""
    col0, row0 = int(X0 // CELL), int(Y_TOP // CELL) - 1
    return (row0 - row_from_top) * GRID_ROW_FACTOR + col0 + col


def expected_cells(values: np.ndarray, cells_per_pixel: int = 1) -> dict[int, tuple[float, str]]:
    """Cell id → (people, town) when each pixel goes whole to its cell(s), each cell to its centre's town."""
    out = {}
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            for dr in range(cells_per_pixel):
                for dc in range(cells_per_pixel):
                    col, row = c * cells_per_pixel + dc, r * cells_per_pixel + dr
                    centre = X0 + (col + 0.5) * CELL
                    town = "440703001" if centre < BOUNDARY else "440703002"
                    out[cell_id(col, row)] = (values[r, c] / cells_per_pixel ** 2, town)
    return out


def read_cells(path) -> dict[int, tuple[float, str]]:
    cells = read_raster_cells(path, towns(), ImportReport(file=path.name, layer="population")).cells
    assert cells["cell_id"].is_unique
    return {int(i): (float(p), t) for i, p, t in zip(cells["cell_id"], cells["pop_total"], cells["town_code"])}


def test_a_500m_raster_on_the_grid_puts_each_pixel_whole_in_its_cell_and_town(tmp_path):
    path = tmp_path / "on_grid.tif"
    write_tif(path, PEOPLE, CELL)
    got = read_cells(path)
    assert got == expected_cells(PEOPLE)  # exact: no pixel split, no cell handed to the neighbour
    # the third column (centres 250 m in, east of the boundary at 200 m) is the east town's
    assert [got[cell_id(2, r)][1] for r in range(ROWS)] == ["440703002"] * 3

    df, report = read_population(path, towns(), census_check=False)
    by_town = df.groupby("town_code")["pop_total"].sum().to_dict()
    west = PEOPLE[:, :2].sum()  # 990
    assert by_town == {"440703001": west, "440703002": PEOPLE.sum() - west}  # 990 and 2,890
    assert dict(zip(df["cell_id"], df["pop_total"])) == {i: p for i, (p, _) in expected_cells(PEOPLE).items()}
    assert not [n for n in report.notes if n.code == "import.population.raster_straddle"]
    assert [n.code for n in report.notes if n.code.startswith("import.population.raster_read")] == [
        "import.population.raster_read"]  # read as it is: not split


def test_a_1km_raster_on_the_grid_splits_into_exactly_its_four_cells(tmp_path):
    """A 1 km pixel covers 2 × 2 cells: a quarter of its people to each, each cell to its centre's town."""
    coarse = np.array([[400.0, 800.0], [1200.0, 1600.0]])
    path = tmp_path / "on_grid_1km.tif"
    write_tif(path, coarse, 2 * CELL)
    got = read_cells(path)
    assert got == expected_cells(coarse, cells_per_pixel=2)
    assert got[cell_id(2, 0)] == (200.0, "440703002")  # 800 / 4, centre 250 m past the boundary's cell edge
    df, _ = read_population(path, towns(), census_check=False)
    assert df.groupby("town_code")["pop_total"].sum().to_dict() == {
        "440703001": 400 + 1200, "440703002": 800 + 1600}


def test_edges_within_the_tolerance_count_as_on_the_grid(tmp_path):
    path = tmp_path / "nearly.tif"
    write_tif(path, PEOPLE, CELL, x0=X0 + 0.001, y_top=Y_TOP - 0.001)  # 1 mm off: a rounding of the writer
    assert read_cells(path) == expected_cells(PEOPLE)


@pytest.mark.parametrize(
    "pixel,x0,crs,k",
    [
        (500.0, X0, PROJECTED, 1),
        (100.0, X0 + 300.0, PROJECTED, 1),  # five per cell, edges on the cell lines
        (1000.0, X0, PROJECTED, 2),
        (1500.0, X0 + 500.0, PROJECTED, 3),
        (500.0, X0 + 100.0, PROJECTED, None),  # shifted 100 m: off the grid
        (500.0, X0 + 0.5, PROJECTED, None),  # 50 cm off: past the tolerance
        (300.0, X0, PROJECTED, None),  # does not divide the cell
        (750.0, X0, PROJECTED, None),  # not a whole multiple
        (500.0, X0, "EPSG:32650", None),  # another zone: its metres are not the grid's
    ],
)
def test_which_rasters_count_as_on_the_grid(pixel, x0, crs, k):
    from pyproj import CRS

    assert grid_split(Affine(pixel, 0, x0, 0, -pixel, Y_TOP), CRS.from_user_input(crs), (6, 8), CELL) == k


def test_a_raster_off_the_grid_is_still_split_and_keeps_its_people(tmp_path):
    """Shifted 200 m, a 500 m pixel straddles two cells: it is split as before, the people kept."""
    path = tmp_path / "off_grid.tif"
    write_tif(path, PEOPLE, CELL, x0=X0 + 200.0)
    report = ImportReport(file=path.name, layer="population")
    cells = read_raster_cells(path, towns(), report).cells
    assert cells["pop_total"].sum() == pytest.approx(PEOPLE.sum())
    assert len(cells) == ROWS * (COLS + 1)  # each pixel's halves in the two cells it straddles
    [read] = [n for n in report.notes if n.code.startswith("import.population.raster_read")]
    assert read.code == "import.population.raster_read.split" and read.values["k"] == 2
