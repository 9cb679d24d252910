"""Community / village units (村/社区): CSV / XLSX / GeoJSON / GeoPackage / zipped Shapefile → community layer.

Each unit is a point (tables: 经度/纬度 columns; vector files: Point features) or a polygon (vector
files), with a name (名称), an optional 12-digit statistical code (代码, 统计用区划代码) and the town it
belongs to (所属镇街). Units are matched to the official towns:

1. by **code**: the first 9 digits of a 12-digit community code are its town's code;
2. else by the **town** cell (code or name, as :class:`coverage.io.matching.TownMatcher` reads it);
3. else by **location** (the town polygon containing the point / the polygon's representative point),
   with a warning.

A code and a town cell that disagree, or a town cell that matches no town, keep the code's town (warning). Every data row ends up in the
layer or in the report (file, row, column), as for facility registers.

**Errors**: no name column / no coordinates (tables) / no geometry (vector); an empty name; a code that
is not 12 digits, or whose first 9 digits are no Jiangmen town; the same code on two rows; empty or
non-numeric coordinates; a unit outside Jiangmen; a row no rule can place in a town; a line geometry.

Messages are catalogue codes (:mod:`coverage.i18n.imports_towns`, ``import.communities.*``) with values.
"""

from __future__ import annotations

import math
import os
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.crs import WGS84, normalise_crs_name, to_wgs84
from coverage.io.columns import FACILITY_ALIASES, match_columns
from coverage.io.matching import TownMatcher
from coverage.io.reference import city_area_source, default_towns, official_towns
from coverage.io.report import DataImportError, ImportReport
from coverage.io.tables import DEFAULT_MAX_MB, check_file, file_kind, read_table, read_vector
from coverage.io.towns import match_failure
from coverage.schema import COMMUNITY_COLUMNS, DISTRICT_CODE, TOWN_CODE

__all__ = ["COMMUNITY_ALIASES", "COMMUNITY_COLUMNS", "read_communities"]

COMMUNITY_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("名称", "社区名称", "村居名称", "村(社区)", "村(社区)名称", "村社区", "村(居)委会", "社区", "村居",
             "name", "community", "communityname", "village"),
    "code": ("代码", "区划代码", "统计用区划代码", "村居代码", "社区代码", "编码", "code", "community_code",
             "communitycode"),
    "town": ("所属镇街", "镇街", "所属镇(街道)", "所属镇街道", "镇(街道)", "乡镇街道", "乡镇", "街道", "town",
             "township", "town_code", "towncode"),
    "lon": FACILITY_ALIASES["lon"],
    "lat": FACILITY_ALIASES["lat"],
}  # fmt: skip

#: Output columns before ``geometry``.
_CRS_LABEL = {"gcj02": "GCJ-02", "bd09": "BD-09"}


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v.strip() == "")


def _text(v: object) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v == int(v):
        v = int(v)
    return unicodedata.normalize("NFKC", str(v)).strip()


def _number(v: object) -> float:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    try:
        return float(_text(v).rstrip("°"))
    except ValueError:
        return float("nan")


def read_communities(
    path: str | os.PathLike[str],
    crs: str = "wgs84",
    *,
    towns: gpd.GeoDataFrame | None = None,
    max_mb: float | None = DEFAULT_MAX_MB,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read a community / village file and validate it row by row.

    Parameters
    ----------
    path : path-like
        CSV / XLSX (points from longitude/latitude columns), GeoJSON / GeoPackage / zipped Shapefile
        (points or polygons).
    crs : {"wgs84", "cgcs2000", "gcj02", "bd09"}
        Coordinate system of the longitude/latitude values (converted to WGS-84).
    towns : GeoDataFrame, optional
        Town polygons (``town_code``, ``district_code``) for matching; default the embedded towns.
    max_mb : float or None

    Returns
    -------
    (GeoDataFrame, ImportReport)
        EPSG:4326, columns :data:`COMMUNITY_COLUMNS` + geometry (``geometry_kind`` ``point`` | ``polygon``,
        ``source`` ``uploaded``), in file order.

    Raises
    ------
    FileNotFoundError
    DataImportError
        Listing every error with file, row and column.
    """
    crs_key = normalise_crs_name(crs)
    p = check_file(path, max_mb)
    report = ImportReport(file=p.name, layer="communities")
    kind = file_kind(p)
    if kind == "raster":
        report.error("import.communities.raster")
        report.raise_if_errors()
    if kind == "table":
        frame, rows, cols, geoms = _from_table(p, report, max_mb)
    else:
        frame, rows, cols, geoms = _from_vector(p, report)
    report.rows_read = len(rows)
    if not rows:
        report.error("import.communities.no_rows")
        report.raise_if_errors()
    geoms = _convert_datum(geoms, crs_key, report)
    _check_polygons(geoms, rows, report)
    _check_inside(geoms, rows, report)
    names = _names(frame, rows, cols, report)
    codes = _codes(frame, rows, cols, report)
    town_codes, district_codes = _towns(frame, rows, cols, codes, geoms, towns, report)
    report.raise_if_errors()
    kinds = ["polygon" if g is not None and g.geom_type in ("Polygon", "MultiPolygon") else "point" for g in geoms]
    gdf = gpd.GeoDataFrame(
        {
            "community_code": pd.Series(codes, dtype=object),
            "community_zh": pd.Series(names, dtype=object),
            "town_code": pd.Series(town_codes, dtype=object),
            "district_code": pd.Series(district_codes, dtype=object),
            "geometry_kind": kinds,
            "source": "uploaded",
        },
        geometry=gpd.GeoSeries(geoms, crs=WGS84),
    )
    report.rows_imported = len(gdf)
    return gdf[COMMUNITY_COLUMNS + ["geometry"]], report


# --------------------------------------------------------------------------- reading


def _from_table(
    p: Path, report: ImportReport, max_mb: float | None
) -> tuple[pd.DataFrame, list[int], dict[str, str], list]:
    table = read_table(p, COMMUNITY_ALIASES, report, min_fields=2, max_mb=max_mb)
    cols = table.columns
    for need in ("lon", "lat"):
        if need not in cols:
            key = "import.communities.no_lon_column" if need == "lon" else "import.communities.no_lat_column"
            report.error(key, accepted=", ".join(COMMUNITY_ALIASES[need][:5]))
    if "name" not in cols:
        report.error("import.communities.no_name_column", accepted=", ".join(COMMUNITY_ALIASES["name"][:6]))
    report.raise_if_errors()
    geoms = []
    for i, row in enumerate(table.rows):
        lon = _number(table.frame.at[i, cols["lon"]])
        lat = _number(table.frame.at[i, cols["lat"]])
        bad = [(cols[k], v) for k, v in (("lon", lon), ("lat", lat)) if not math.isfinite(v)]
        for col, _ in bad:
            report.error("import.communities.bad_coordinate", row=row, column=col)
        geoms.append(None if bad else shapely.Point(lon, lat))
    return table.frame, list(table.rows), cols, geoms


def _from_vector(p: Path, report: ImportReport) -> tuple[pd.DataFrame, list[int], dict[str, str], list]:
    gdf = read_vector(p, report)
    if gdf.crs is not None and not gdf.crs.is_geographic:
        gdf = gdf.to_crs(WGS84)
        report.note("import.communities.projected")
    cols = match_columns([c for c in gdf.columns if c != gdf.geometry.name], COMMUNITY_ALIASES)
    if "name" not in cols:
        report.error("import.communities.no_name_attribute", accepted=", ".join(COMMUNITY_ALIASES["name"][:6]))
    rows = list(range(1, len(gdf) + 1))
    geoms = []
    for row, g in zip(rows, gdf.geometry):
        if g is None or g.is_empty:
            report.error("import.communities.no_geometry", row=row)
            geoms.append(None)
            continue
        if g.has_z:
            g = shapely.force_2d(g)
        if g.geom_type == "MultiPoint" and len(g.geoms) == 1:
            g = g.geoms[0]
        if g.geom_type not in ("Point", "Polygon", "MultiPolygon"):
            report.error("import.communities.not_point_or_polygon", row=row, geom_type=g.geom_type)
            geoms.append(None)
            continue
        geoms.append(g)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True).astype(object)
    return frame, rows, cols, geoms


def _convert_datum(geoms: list, crs_key: str, report: ImportReport) -> list:
    if crs_key not in ("gcj02", "bd09"):
        if crs_key == "cgcs2000":
            report.note("import.communities.cgcs2000_as_wgs84")
        return geoms

    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs_key)
        return np.column_stack([lon, lat])

    out = [None if g is None else shapely.transform(g, convert) for g in geoms]
    report.note("import.communities.datum_converted", n=sum(g is not None for g in out), datum=_CRS_LABEL[crs_key])
    return out


def _check_polygons(geoms: list, rows: list[int], report: ImportReport) -> None:
    """An invalid community polygon (a bow-tie, a ring crossing itself, one of no area) is an error
    naming its row: its "inside" would count facilities and people wrongly, and a community's
    boundary is the planner's to fix (a town's is repaired, with a warning, by the town reader)."""
    for row, g in zip(rows, geoms):
        if g is None or g.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        if not g.is_valid:  # a bow-tie (its lobes cancel: area 0), a ring of collinear points …
            report.error("import.communities.polygon_invalid", row=row, column="geometry",
                         detail=shapely.is_valid_reason(g))


def _check_inside(geoms: list, rows: list[int], report: ImportReport) -> None:
    area, area_key, values = city_area_source()
    area = area.buffer(0.005)  # ~500 m: coastline simplification
    for row, g in zip(rows, geoms):
        if g is not None and not area.intersects(g):
            report.error("import.communities.outside", row=row, area_key=area_key, **values)


def _names(frame: pd.DataFrame, rows: list[int], cols: dict[str, str], report: ImportReport) -> list[str]:
    if "name" not in cols:
        return [""] * len(rows)
    out = []
    for i, row in enumerate(rows):
        name = _text(frame.at[i, cols["name"]])
        if not name:
            report.error("import.communities.empty_name", row=row, column=cols["name"])
        out.append(name)
    return out


def _codes(frame: pd.DataFrame, rows: list[int], cols: dict[str, str], report: ImportReport) -> list[str | None]:
    if "code" not in cols:
        return [None] * len(rows)
    col = cols["code"]
    seen: dict[str, int] = {}
    out: list[str | None] = []
    for i, row in enumerate(rows):
        code = _text(frame.at[i, col]).replace(" ", "")
        if not code:
            out.append(None)
            continue
        if not (code.isdigit() and len(code) == 12):
            report.error("import.communities.bad_code", row=row, column=col, unit_code=code)
            out.append(None)
            continue
        if code in seen:
            report.error("import.communities.duplicate_code", row=row, column=col, unit_code=code, first_row=seen[code])
        seen.setdefault(code, row)
        out.append(code)
    return out


def _towns(
    frame: pd.DataFrame,
    rows: list[int],
    cols: dict[str, str],
    codes: list[str | None],
    geoms: list,
    towns: gpd.GeoDataFrame | None,
    report: ImportReport,
) -> tuple[list[str | None], list[str | None]]:
    official = official_towns()
    polygons = towns if towns is not None else default_towns()
    if polygons is not None:
        official = pd.concat([official, pd.DataFrame(polygons.drop(columns=polygons.geometry.name))])
        official = official.drop_duplicates(TOWN_CODE, keep="last")
    official = official.assign(**{TOWN_CODE: official[TOWN_CODE].astype(str),
                                  DISTRICT_CODE: official[DISTRICT_CODE].astype(str)})
    matcher = TownMatcher(official)
    district_of = dict(zip(official[TOWN_CODE], official[DISTRICT_CODE]))
    located = _locate(geoms, polygons)
    out_town: list[str | None] = []
    for i, row in enumerate(rows):
        by_code = None
        if codes[i] is not None:
            by_code = codes[i][:9]
            if by_code not in district_of:
                report.error("import.communities.code_town_unknown", row=row, column=cols["code"],
                             unit_code=codes[i], prefix=by_code, n=len(district_of))
                out_town.append(None)
                continue
        by_name, why = (None, "")
        if "town" in cols and not _blank(frame.at[i, cols["town"]]):
            by_name, why = matcher.match(frame.at[i, cols["town"]])
        reason, values = match_failure(matcher, frame.at[i, cols["town"]], why) if why else ("", {})
        if by_code is not None:
            if by_name is not None and by_name != by_code:
                report.warn("import.communities.town_differs_from_code", row=row, column=cols["town"],
                            named=by_name, by_code=by_code)
            elif reason:
                report.warn(f"import.communities.code_town_kept.{reason}", row=row, column=cols["town"],
                            by_code=by_code, **values)
            out_town.append(by_code)
            continue
        if by_name is not None:
            out_town.append(by_name)
            continue
        if located[i] is not None:
            key = "import.communities.town_from_location" + (f".{reason}" if reason else "")
            report.warn(key, row=row, column=cols.get("town"), town=located[i], **values)
            out_town.append(located[i])
            continue
        if geoms[i] is not None:
            key = "import.communities.no_town" + (f".{reason}" if reason else "")
            report.error(key, row=row, column=cols.get("town"), **values)
        out_town.append(None)
    return out_town, [district_of.get(c) if c else None for c in out_town]


def _locate(geoms: list, towns: gpd.GeoDataFrame | None) -> list[str | None]:
    if towns is None or not len(geoms):
        return [None] * len(geoms)
    pts = [None if g is None else (g if g.geom_type == "Point" else g.representative_point()) for g in geoms]
    idx = [i for i, g in enumerate(pts) if g is not None]
    out: list[str | None] = [None] * len(geoms)
    if not idx:
        return out
    frame = gpd.GeoDataFrame({"i": idx}, geometry=[pts[i] for i in idx], crs=WGS84)
    polys = towns[[TOWN_CODE, towns.geometry.name]].to_crs(WGS84)
    joined = gpd.sjoin(frame, polys, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    for i, code in zip(joined["i"], joined[TOWN_CODE]):
        out[int(i)] = None if pd.isna(code) else str(code)
    return out
