"""Shared fixtures.

``small_region`` — a hand-made :class:`coverage.region.Region` whose answers can
be worked out on paper (other test files may reuse it; keep it stable):

* an 8 × 8 lattice of 500 m cells (4 km × 4 km) whose south-west corner is
  ``ORIGIN`` in EPSG:32649; cell (col, row) has its centre at
  ``ORIGIN + (250 + 500 col, 250 + 500 row)``;
* two districts, 440703 测试甲区 (rows 0-3) and 440704 测试乙区 (rows 4-7);
* four 2 km square towns: T1 440703001 甲一街道 (cols 0-3, rows 0-3, 街道/urban),
  T2 440703101 甲二镇 (cols 4-7, rows 0-3, 镇/rural), T3 440704001 乙一街道
  (cols 0-3, rows 4-7, 街道/urban), T4 440704101 乙二镇 (cols 4-7, rows 4-7, 镇/rural);
* 12 populated cells (``POPULATED``: (col, row) -> (pop_total, pop_60plus, pop_0_17));
* facilities (see ``FACILITIES``): two elder-care stations at cell corners,
  child-protection posts (one without a town code, to be placed by location),
  one social-work station, two elder-care centres, one ossuary and three
  elder-care institutions with beds / nursing beds.
"""

from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

ORIGIN = (700_000.0, 2_490_000.0)  # EPSG:32649, near Jiangmen
CELL = 500.0

# town_code, town_zh, town_type, area_type, district_code, district_zh, col0, row0
TOWNS = [
    ("440703001", "甲一街道", "街道", "urban", "440703", "测试甲区", 0, 0),
    ("440703101", "甲二镇", "镇", "rural", "440703", "测试甲区", 4, 0),
    ("440704001", "乙一街道", "街道", "urban", "440704", "测试乙区", 0, 4),
    ("440704101", "乙二镇", "镇", "rural", "440704", "测试乙区", 4, 4),
]

# (col, row) -> (pop_total, pop_60plus, pop_0_17)
POPULATED = {
    (0, 0): (1000, 200, 150),
    (1, 0): (800, 100, 200),
    (0, 1): (600, 150, 90),
    (3, 3): (400, 80, 60),
    (4, 0): (300, 90, 30),
    (7, 3): (500, 120, 80),
    (4, 3): (350, 70, 40),
    (0, 4): (700, 140, 100),
    (1, 5): (200, 50, 20),
    (2, 7): (100, 30, 10),
    (6, 6): (900, 300, 100),
    (7, 7): (250, 60, 40),
}

# layer -> list of (facility_id, x offset, y offset from ORIGIN in m, town_code or None, extra fields)
FACILITIES = {
    "elder_care_station": [
        ("ECS1", 500.0, 500.0, "440703001", {"opening_year": 2018}),
        ("ECS2", 3500.0, 3500.0, "440704101", {"opening_year": 2022}),
    ],
    "child_protection_post": [
        ("CPP1", 1000.0, 1000.0, "440703001", {"opening_year": 2019}),
        ("CPP2", 3000.0, 3000.0, "440704101", {"opening_year": 2021}),
        ("CPP3", 3600.0, 3600.0, "440704101", {"opening_year": 2024}),
        ("CPP4", 1000.0, 3000.0, None, {"opening_year": 2022}),  # in T3, no town code
    ],
    "social_work_station": [("SWS1", 3000.0, 1000.0, "440703101", {"opening_year": 2017})],
    "elder_care_centre": [
        ("ECC1", 3000.0, 1200.0, "440703101", {"opening_year": 2021}),
        ("ECC2", 1200.0, 3000.0, "440704001", {"opening_year": 2023}),
    ],
    "ossuary": [("OSS1", 2500.0, 500.0, "440703101", {})],
    "elder_care_institution": [
        ("ECI1", 1500.0, 1500.0, "440703001", {"beds": 100, "nursing_beds": 40, "opening_year": 2015}),
        ("ECI2", 1500.0, 3500.0, "440704001", {"beds": 50, "nursing_beds": 35, "opening_year": 2020}),
        ("ECI3", 3500.0, 2500.0, "440704101", {"beds": 30, "nursing_beds": None, "opening_year": 2020}),
    ],
}


def cell_centre(col: int, row: int) -> tuple[float, float]:
    """Centre of lattice cell (col, row) in EPSG:32649."""
    return ORIGIN[0] + CELL / 2 + CELL * col, ORIGIN[1] + CELL / 2 + CELL * row


def _square(col0: int, row0: int, size: int) -> object:
    x, y = ORIGIN[0] + CELL * col0, ORIGIN[1] + CELL * row0
    return box(x, y, x + CELL * size, y + CELL * size)


def build_small_region():
    """Build the hand-made region described in the module docstring."""
    from coverage.region import Region

    towns = gpd.GeoDataFrame(
        {
            "town_code": [t[0] for t in TOWNS],
            "town_zh": [t[1] for t in TOWNS],
            "town_en": ["Jia-1", "Jia-2", "Yi-1", "Yi-2"],
            "town_type": [t[2] for t in TOWNS],
            "area_type": [t[3] for t in TOWNS],
            "district_code": [t[4] for t in TOWNS],
            "district_zh": [t[5] for t in TOWNS],
        },
        geometry=[_square(t[6], t[7], 4) for t in TOWNS],
        crs="EPSG:32649",
    )
    seats = towns.geometry.centroid.to_crs("EPSG:4326")
    towns["seat_lon"] = seats.x
    towns["seat_lat"] = seats.y
    towns["seat_source"] = "modelled"
    towns["geometry_source"] = "uploaded"
    towns = towns.to_crs("EPSG:4326")

    districts = gpd.GeoDataFrame(
        {
            "district_code": ["440703", "440704"],
            "district_zh": ["测试甲区", "测试乙区"],
            "district_en": ["Test-Jia", "Test-Yi"],
            "geometry_source": ["real", "real"],
        },
        geometry=[
            box(ORIGIN[0], ORIGIN[1], ORIGIN[0] + 4000, ORIGIN[1] + 2000),
            box(ORIGIN[0], ORIGIN[1] + 2000, ORIGIN[0] + 4000, ORIGIN[1] + 4000),
        ],
        crs="EPSG:32649",
    ).to_crs("EPSG:4326")

    rows = []
    for i, ((col, row), (tot, old, young)) in enumerate(sorted(POPULATED.items(), key=lambda kv: (kv[0][1], kv[0][0]))):
        x, y = cell_centre(col, row)
        t = next(t for t in TOWNS if t[6] <= col < t[6] + 4 and t[7] <= row < t[7] + 4)
        rows.append(
            dict(cell_id=i, x=x, y=y, town_code=t[0], district_code=t[4],
                 pop_total=tot, pop_60plus=old, pop_0_17=young)  # fmt: skip
        )
    population = pd.DataFrame(rows)

    facilities = {}
    for layer, items in FACILITIES.items():
        recs, geoms = [], []
        for fid, dx, dy, town, extra in items:
            district = None if town is None else town[:6]
            recs.append(
                dict(
                    facility_id=fid, name=f"{fid} 名称", layer=layer, town_code=town, district_code=district,
                    address="", beds=extra.get("beds"), nursing_beds=extra.get("nursing_beds"),
                    opening_year=extra.get("opening_year"), source="illustrative",
                )  # fmt: skip
            )
            geoms.append(Point(ORIGIN[0] + dx, ORIGIN[1] + dy))
        gdf = gpd.GeoDataFrame(recs, geometry=geoms, crs="EPSG:32649").to_crs("EPSG:4326")
        for c in ("beds", "nursing_beds", "opening_year"):
            gdf[c] = pd.array(gdf[c], dtype="Int64")
        facilities[layer] = gdf

    provenance = {
        "districts": "real",
        "towns": "uploaded",
        "population": "modelled",
        "roads": "none",
        **{f"facilities:{k}": "illustrative" for k in facilities},
    }
    return Region(
        districts=districts,
        towns=towns,
        population=population,
        facilities=facilities,
        provenance=provenance,
        network=None,
    )


def covered_within(region, layer: str, distance: float) -> np.ndarray:
    """Cells whose centre lies within ``distance`` m (straight line) of a facility of ``layer``."""
    pop = region.population
    pts = region.facilities[layer].to_crs("EPSG:32649")
    fx, fy = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    d = np.hypot(pop["x"].to_numpy()[:, None] - fx[None, :], pop["y"].to_numpy()[:, None] - fy[None, :])
    return (d <= distance).any(axis=1)


@pytest.fixture
def small_region():
    """The hand-made two-district, four-town region (fresh copy per test)."""
    return build_small_region()


def open_tab(at, key: str):
    """Open the app's tab ``key`` (its catalogue key, e.g. ``"tab_data"``) in a Streamlit AppTest ``at``,
    as a click on it does, and return ``at``.

    The tabs are stateful: only the open one runs, and it stays open across reruns.
    """
    from coverage.i18n import t

    lang = at.session_state["lang"] if "lang" in at.session_state else "zh"
    at.session_state["main_tab"] = t(key, lang)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


class _FigureParser(HTMLParser):
    """Reads the headline figures' block (``coverage.ui.figures.figures_html``) back into parts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[tuple[str, str, str]] = []  # (testid, code, text)
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-testid", "").startswith("coverageFigure"):
            self._open = [attrs["data-testid"], attrs.get("data-code", ""), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if tag == "div" and self._open is not None:
            self.parts.append(tuple(self._open))
            self._open = None


def headline(at) -> list[SimpleNamespace]:
    """The page's headline figures as shown (``code``, ``label``, ``value``, ``delta`` or None), left
    to right, from the AppTest run ``at``."""
    from coverage.ui.figures import DELTA_ID, LABEL_ID, VALUE_ID

    blocks = [h.proto.body for h in at.html if h.proto.body.startswith('<div class="coverage-figures"')]
    assert len(blocks) == 1, f"{len(blocks)} headline blocks"
    parser = _FigureParser()
    parser.feed(blocks[0])
    out: dict[str, SimpleNamespace] = {}
    for testid, code, text in parser.parts:
        fig = out.setdefault(code, SimpleNamespace(code=code, label=None, value=None, delta=None))
        if testid == LABEL_ID:
            fig.label = text.removesuffix("?")  # the help mark
        elif testid == VALUE_ID:
            fig.value = text
        elif testid == DELTA_ID:
            fig.delta = text or None
    return list(out.values())
