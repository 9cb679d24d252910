"""Reference data the importers check user files against.

Every function prefers the embedded default data (``coverage.paths``) and falls back to
tables carried here, so imports work before (or without) the default data files:

* the official list of Jiangmen's 73 towns/streets (National Bureau of Statistics 2023
  统计用区划代码, towns and streets only — development zones, a prison and a forest farm
  that have statistical codes but are not 镇/街道 are excluded);
* district age shares from the 2020 (7th) census county tabulation: 60+ = the sum of
  the 60-64 … 85+ bands; 0-17 = the 0-14 bands plus 3/5 of the 15-19 band.
"""

from __future__ import annotations

import gzip
from functools import lru_cache

import geopandas as gpd
import pandas as pd
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from coverage import paths
from coverage.crs import JIANGMEN_BBOX, WGS84
from coverage.i18n import t

__all__ = [
    "OFFICIAL_TOWNS",
    "CENSUS_AGE_SHARES",
    "CENSUS_2020_TOTALS",
    "district_boundaries",
    "official_towns",
    "default_towns",
    "city_area",
    "city_area_source",
    "district_age_shares",
    "district_age_shares_source",
]

#: (town_code, town_zh, town_type, district_code, district_zh) — NBS 2023, 73 rows.
OFFICIAL_TOWNS: tuple[tuple[str, str, str, str, str], ...] = (
    ("440703002", "白沙街道", "街道", "440703", "蓬江区"),
    ("440703005", "潮连街道", "街道", "440703", "蓬江区"),
    ("440703006", "环市街道", "街道", "440703", "蓬江区"),
    ("440703101", "棠下镇", "镇", "440703", "蓬江区"),
    ("440703102", "荷塘镇", "镇", "440703", "蓬江区"),
    ("440703103", "杜阮镇", "镇", "440703", "蓬江区"),
    ("440704001", "江南街道", "街道", "440704", "江海区"),
    ("440704004", "外海街道", "街道", "440704", "江海区"),
    ("440704005", "礼乐街道", "街道", "440704", "江海区"),
    ("440705001", "会城街道", "街道", "440705", "新会区"),
    ("440705101", "大泽镇", "镇", "440705", "新会区"),
    ("440705102", "司前镇", "镇", "440705", "新会区"),
    ("440705103", "罗坑镇", "镇", "440705", "新会区"),
    ("440705104", "双水镇", "镇", "440705", "新会区"),
    ("440705105", "崖门镇", "镇", "440705", "新会区"),
    ("440705106", "沙堆镇", "镇", "440705", "新会区"),
    ("440705107", "古井镇", "镇", "440705", "新会区"),
    ("440705108", "三江镇", "镇", "440705", "新会区"),
    ("440705109", "睦洲镇", "镇", "440705", "新会区"),
    ("440705110", "大鳌镇", "镇", "440705", "新会区"),
    ("440781001", "台城街道", "街道", "440781", "台山市"),
    ("440781100", "大江镇", "镇", "440781", "台山市"),
    ("440781101", "水步镇", "镇", "440781", "台山市"),
    ("440781102", "四九镇", "镇", "440781", "台山市"),
    ("440781103", "白沙镇", "镇", "440781", "台山市"),
    ("440781104", "三合镇", "镇", "440781", "台山市"),
    ("440781105", "冲蒌镇", "镇", "440781", "台山市"),
    ("440781106", "斗山镇", "镇", "440781", "台山市"),
    ("440781107", "都斛镇", "镇", "440781", "台山市"),
    ("440781108", "赤溪镇", "镇", "440781", "台山市"),
    ("440781109", "端芬镇", "镇", "440781", "台山市"),
    ("440781110", "广海镇", "镇", "440781", "台山市"),
    ("440781111", "海宴镇", "镇", "440781", "台山市"),
    ("440781112", "汶村镇", "镇", "440781", "台山市"),
    ("440781113", "深井镇", "镇", "440781", "台山市"),
    ("440781114", "北陡镇", "镇", "440781", "台山市"),
    ("440781115", "川岛镇", "镇", "440781", "台山市"),
    ("440783001", "三埠街道", "街道", "440783", "开平市"),
    ("440783002", "长沙街道", "街道", "440783", "开平市"),
    ("440783103", "沙塘镇", "镇", "440783", "开平市"),
    ("440783104", "苍城镇", "镇", "440783", "开平市"),
    ("440783105", "龙胜镇", "镇", "440783", "开平市"),
    ("440783106", "大沙镇", "镇", "440783", "开平市"),
    ("440783107", "马冈镇", "镇", "440783", "开平市"),
    ("440783108", "塘口镇", "镇", "440783", "开平市"),
    ("440783109", "赤坎镇", "镇", "440783", "开平市"),
    ("440783110", "百合镇", "镇", "440783", "开平市"),
    ("440783111", "蚬冈镇", "镇", "440783", "开平市"),
    ("440783112", "金鸡镇", "镇", "440783", "开平市"),
    ("440783115", "月山镇", "镇", "440783", "开平市"),
    ("440783116", "赤水镇", "镇", "440783", "开平市"),
    ("440783117", "水口镇", "镇", "440783", "开平市"),
    ("440784001", "沙坪街道", "街道", "440784", "鹤山市"),
    ("440784101", "龙口镇", "镇", "440784", "鹤山市"),
    ("440784102", "雅瑶镇", "镇", "440784", "鹤山市"),
    ("440784103", "古劳镇", "镇", "440784", "鹤山市"),
    ("440784104", "桃源镇", "镇", "440784", "鹤山市"),
    ("440784105", "鹤城镇", "镇", "440784", "鹤山市"),
    ("440784106", "共和镇", "镇", "440784", "鹤山市"),
    ("440784107", "址山镇", "镇", "440784", "鹤山市"),
    ("440784108", "宅梧镇", "镇", "440784", "鹤山市"),
    ("440784112", "双合镇", "镇", "440784", "鹤山市"),
    ("440785001", "恩城街道", "街道", "440785", "恩平市"),
    ("440785100", "横陂镇", "镇", "440785", "恩平市"),
    ("440785101", "圣堂镇", "镇", "440785", "恩平市"),
    ("440785102", "良西镇", "镇", "440785", "恩平市"),
    ("440785103", "沙湖镇", "镇", "440785", "恩平市"),
    ("440785104", "牛江镇", "镇", "440785", "恩平市"),
    ("440785105", "君堂镇", "镇", "440785", "恩平市"),
    ("440785106", "大田镇", "镇", "440785", "恩平市"),
    ("440785107", "那吉镇", "镇", "440785", "恩平市"),
    ("440785108", "大槐镇", "镇", "440785", "恩平市"),
    ("440785109", "东成镇", "镇", "440785", "恩平市"),
)

DISTRICT_EN = {
    "440703": "Pengjiang", "440704": "Jianghai", "440705": "Xinhui", "440781": "Taishan",
    "440783": "Kaiping", "440784": "Heshan", "440785": "Enping",
}

#: district_code -> (share of residents aged 60+, share aged 0-17), 2020 census.
CENSUS_AGE_SHARES: dict[str, tuple[float, float]] = {
    "440703": (0.1460, 0.1942),  # 蓬江区
    "440704": (0.1194, 0.1985),  # 江海区
    "440705": (0.1874, 0.1863),  # 新会区
    "440781": (0.2307, 0.1686),  # 台山市
    "440783": (0.2012, 0.1915),  # 开平市
    "440784": (0.1564, 0.1947),  # 鹤山市
    "440785": (0.1958, 0.1892),  # 恩平市
}
CITY_AGE_SHARES = (0.1826, 0.1873)  # 江门市 as a whole

#: district_code -> residents, 2020 (7th) census county tabulation (the default grid's totals).
CENSUS_2020_TOTALS: dict[str, int] = {
    "440703": 853007,  # 蓬江区
    "440704": 364694,  # 江海区
    "440705": 909277,  # 新会区
    "440781": 907744,  # 台山市
    "440783": 748777,  # 开平市
    "440784": 530684,  # 鹤山市
    "440785": 483907,  # 恩平市
}


def official_towns() -> pd.DataFrame:
    """The 73 official towns: ``town_code, town_zh, town_type, district_code, district_zh``.

    Taken from the default towns file's attributes when it exists (with every other
    attribute it carries, e.g. ``town_en`` and the seat), else from :data:`OFFICIAL_TOWNS`.
    Codes are strings.
    """
    towns = default_towns()
    if towns is not None:
        return pd.DataFrame(towns.drop(columns=towns.geometry.name))
    return pd.DataFrame(
        OFFICIAL_TOWNS, columns=["town_code", "town_zh", "town_type", "district_code", "district_zh"]
    )


def default_towns() -> gpd.GeoDataFrame | None:
    """The embedded towns layer (``paths.TOWNS_FILE``), or None when it does not exist yet."""
    if not paths.TOWNS_FILE.exists():
        return None
    return _read_towns_cached(str(paths.TOWNS_FILE), paths.TOWNS_FILE.stat().st_mtime_ns).copy()


@lru_cache(maxsize=4)
def _read_towns_cached(path: str, mtime: int) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path)
    for col in ("town_code", "district_code"):
        if col in gdf.columns:
            gdf[col] = gdf[col].astype(str)
    return gdf.to_crs(WGS84) if gdf.crs is not None else gdf.set_crs(WGS84)


def city_area_source() -> tuple[BaseGeometry, str, dict[str, float]]:
    """The area imported points must fall in, the catalogue key describing it and the key's values.

    The city outline (``paths.CITY_FILE``) when it exists (``import.tables.area.city_boundary``),
    else the union of the default towns (``…area.town_boundaries``), else the bounding box
    :data:`coverage.crs.JIANGMEN_BBOX` (``…area.bbox`` with ``west, east, south, north``). A report
    names it with ``area_key=key, **values`` (see :meth:`coverage.io.report.Issue.text`).
    """
    if paths.CITY_FILE.exists():
        gdf = gpd.read_file(paths.CITY_FILE)
        gdf = gdf.to_crs(WGS84) if gdf.crs is not None else gdf
        return gdf.geometry.union_all(), "import.tables.area.city_boundary", {}
    towns = default_towns()
    if towns is not None:
        return towns.geometry.union_all(), "import.tables.area.town_boundaries", {}
    x0, y0, x1, y1 = JIANGMEN_BBOX
    return box(x0, y0, x1, y1), "import.tables.area.bbox", {"west": x0, "east": x1, "south": y0, "north": y1}


def city_area() -> tuple[BaseGeometry, str]:
    """The area imported points must fall in, and its description in English
    (:func:`city_area_source` gives the description as a catalogue key)."""
    geom, key, values = city_area_source()
    return geom, t(key, "en", **values)


def district_age_shares() -> tuple[pd.DataFrame, str]:
    """Per-district shares of residents aged 60+ and 0-17, and where they come from in English
    (:func:`district_age_shares_source` gives the source as a catalogue key)."""
    shares, key = district_age_shares_source()
    return shares, t(key, "en")


def district_age_shares_source() -> tuple[pd.DataFrame, str]:
    """Per-district shares of residents aged 60+ and 0-17, and the catalogue key naming their source.

    From the default population grid (``paths.POPULATION_FILE``) when it exists
    (``import.tables.shares.grid``), else from :data:`CENSUS_AGE_SHARES`
    (``import.tables.shares.census``). Columns: ``district_code`` (index), ``share_60plus``,
    ``share_0_17``.
    """
    if paths.POPULATION_FILE.exists():
        with gzip.open(paths.POPULATION_FILE, "rt", encoding="utf-8") as fh:
            grid = pd.read_csv(fh, dtype={"town_code": str, "district_code": str})
        sums = grid.groupby("district_code")[["pop_total", "pop_60plus", "pop_0_17"]].sum()
        sums = sums[sums["pop_total"] > 0]
        shares = pd.DataFrame(
            {
                "share_60plus": sums["pop_60plus"] / sums["pop_total"],
                "share_0_17": sums["pop_0_17"] / sums["pop_total"],
            }
        )
        return shares, "import.tables.shares.grid"
    shares = pd.DataFrame.from_dict(
        CENSUS_AGE_SHARES, orient="index", columns=["share_60plus", "share_0_17"]
    )
    shares.index.name = "district_code"
    return shares, "import.tables.shares.census"


def district_boundaries() -> gpd.GeoDataFrame | None:
    """The real district polygons (``paths.DISTRICTS_FILE``, WGS-84) with ``district_code``, or None."""
    if not paths.DISTRICTS_FILE.exists():
        return None
    gdf = gpd.read_file(paths.DISTRICTS_FILE)
    gdf["district_code"] = gdf["district_code"].astype(str)
    return gdf.to_crs(WGS84) if gdf.crs is not None else gdf.set_crs(WGS84)
