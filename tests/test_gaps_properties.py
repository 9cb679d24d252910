"""Property tests of gap zones on random uncovered patterns over the hand-made four-town region.

Whatever cells are uncovered and populated: every gap person is in exactly one zone or counted as
left out, every zone lies in one town, is connected, fits the size rule (or is one cell), and its
suggested site is one of its own cells.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import ndimage

from conftest import TOWNS, build_small_region, cell_centre
from coverage.gaps import gap_zones

REGION = build_small_region()  # read-only here: every example replaces the population


@st.composite
def patterns(draw):
    cells = draw(st.sets(st.tuples(st.integers(0, 7), st.integers(0, 7)), min_size=1, max_size=40))
    rows = []
    for i, (col, row) in enumerate(sorted(cells)):
        x, y = cell_centre(col, row)
        town = next(t for t in TOWNS if t[6] <= col < t[6] + 4 and t[7] <= row < t[7] + 4)
        old = draw(st.integers(0, 300))
        rows.append(dict(cell_id=i, x=x, y=y, town_code=town[0], district_code=town[4],
                         pop_total=old + 100, pop_60plus=old, pop_0_17=draw(st.integers(0, 50))))  # fmt: skip
    covered = np.array(draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows))))
    max_across = draw(st.one_of(st.none(), st.floats(400, 6000)))
    min_cell = draw(st.sampled_from([0, 10, 100]))
    return pd.DataFrame(rows), covered, max_across, min_cell


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns(), st.sampled_from([4, 8]))
def test_zones_partition_the_gap_within_towns_and_size(case, connectivity):
    pop, covered, max_across, min_cell = case
    region = dataclasses.replace(REGION, population=pop)
    result = gap_zones(region, "elder_care_station", reach=covered, connectivity=connectivity,
                       min_cell_population=min_cell, max_across_m=max_across)  # fmt: skip
    z = result.zones
    served = pop["pop_60plus"].to_numpy(float)
    gap = ~covered & (served > 0)
    assert z["served"].sum() + result.left_out == served[gap].sum()
    assert result.left_out == served[gap & (served < min_cell)].sum()
    assert z["served"].is_monotonic_decreasing and z["rank"].tolist() == list(range(1, len(z) + 1))
    centres = np.column_stack([pop["x"], pop["y"]])
    in_zones = 0
    for zone in z.itertuples():
        inside = shapely.contains_xy(zone.geometry, centres[:, 0], centres[:, 1])
        members = np.flatnonzero(gap & (served >= min_cell) & inside)
        in_zones += len(members)
        assert len(members) == zone.n_cells
        assert set(pop["town_code"].iloc[members]) == {zone.town_code}  # one town
        assert zone.across_m <= zone.max_across_m + 1e-9 or zone.n_cells == 1
        # connected under the chosen connectivity
        col = ((pop["x"].iloc[members] - pop["x"].min()) // 500).astype(int).to_numpy()
        row = ((pop["y"].iloc[members] - pop["y"].min()) // 500).astype(int).to_numpy()
        grid = np.zeros((row.max() + 1, col.max() + 1), bool)
        grid[row, col] = True
        _, k = ndimage.label(grid, structure=ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2))
        assert k == 1
        # the suggested site is one of the zone's own cells
        assert any(np.allclose((zone.site_x, zone.site_y), centres[m]) for m in members)
    assert in_zones == int((gap & (served >= min_cell)).sum())
