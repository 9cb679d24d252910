"""Town/street boundaries uploaded by the user → the towns layer.

Every feature must match one of the 73 official towns/streets, by 9-digit code (the
12-digit NBS form is accepted) or by Chinese name (full, or without 镇/街道, with the
district to tell apart names two districts share). Unmatched or doubly-matched features
and missing or non-polygon geometries are **errors** naming the feature's row (1 = first
feature). A file with no features, or whose polygons lie nowhere near Jiangmen (a wrong
or missing CRS), is an **error**. Invalid (e.g. self-intersecting) polygons are repaired
with ``make_valid`` (**warning** naming the row), 3D coordinates lose their height
(**warning**), and official towns the file does not contain are listed in a **warning**.

The polygons are then checked as a whole (``settings`` holds the thresholds): a polygon
smaller than ``TOWN_MIN_AREA_M2`` or one town covering more than ``TOWN_MAX_CITY_SHARE``
of the city is an **error**; two towns overlapping by more than ``TOWN_OVERLAP_SHARE`` of
the smaller is a **warning** naming both; an official seat farther than
``SEAT_TOLERANCE_M`` outside its own town's polygon is a **warning** naming the town and
the polygon it lies in — an **error** when most seats are outside (names shifted).
"""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS as ProjCRS
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from coverage.crs import JIANGMEN_BBOX, PROJECTED, WGS84, normalise_crs_name, to_wgs84
from coverage.io.columns import TOWN_ALIASES, match_columns
from coverage.io.matching import TownMatcher
from coverage.io.reference import city_area, official_towns
from coverage.io.report import DataImportError, ImportReport, file_error
from coverage.io.tables import DEFAULT_MAX_MB, check_file, file_kind, read_vector
from coverage.settings import SEAT_TOLERANCE_M, TOWN_MAX_CITY_SHARE, TOWN_MIN_AREA_M2, TOWN_OVERLAP_SHARE

__all__ = ["read_towns", "TOWN_COLUMNS"]

TOWN_COLUMNS = [
    "town_code", "town_zh", "town_en", "town_type", "area_type", "district_code", "district_zh",
    "seat_lon", "seat_lat", "seat_source", "geometry_source",
]


def read_towns(
    path: str | os.PathLike[str],
    crs: str = "wgs84",
    *,
    official: pd.DataFrame | None = None,
    max_mb: float | None = DEFAULT_MAX_MB,
    layer_name: str | None = None,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read town/street polygons and match them to the official list.

    Parameters
    ----------
    path : path-like
        GeoJSON, GeoPackage or zipped Shapefile of polygons with a town code and/or
        name column (``town_code``/代码/区划代码/编码, ``town_zh``/镇街/乡镇/名称/name …).
    crs : {"wgs84", "cgcs2000", "gcj02", "bd09"}, default "wgs84"
        Datum of longitude/latitude coordinates; projected files are reprojected first.
    official : DataFrame, optional
        The official list (``town_code, town_zh, town_type, district_code, district_zh``
        and optionally ``town_en``, ``seat_lon``, ``seat_lat``, ``seat_source``); default:
        :func:`coverage.io.reference.official_towns`.
    max_mb : float or None, default 50
        Refuse larger files.
    layer_name : str, optional
        Layer of a GeoPackage / zip of Shapefiles (required when several hold features).

    Returns
    -------
    (GeoDataFrame, ImportReport)
        EPSG:4326 polygons with the towns schema (``geometry_source="uploaded"``), in
        official code order. Attributes come from the official list; where it has no seat
        point, the seat is a point inside the polygon (``seat_source="modelled"``).

    Raises
    ------
    DataImportError
        Listing every unmatched / duplicate / non-polygon / degenerate feature, a town
        covering most of the city, or seats mostly outside their towns.
    """
    crs_key = normalise_crs_name(crs)
    p = check_file(path, max_mb)
    report = ImportReport(file=p.name, layer="towns")
    if file_kind(p) != "vector":
        raise file_error(p, "town boundaries must be GeoJSON, GeoPackage or a zipped Shapefile", layer="towns")
    gdf = read_vector(p, report, layer_name)
    report.rows_read = len(gdf)
    if len(gdf) == 0:
        report.error("the file holds no features")
        raise DataImportError(report)
    cols = match_columns([c for c in gdf.columns if c != gdf.geometry.name], TOWN_ALIASES)
    if "code" not in cols and "name" not in cols:
        report.error(
            "no town code or name column (accepted: "
            + ", ".join(TOWN_ALIASES["code"] + TOWN_ALIASES["name"]) + ")"
        )
        raise DataImportError(report)
    official = official_towns() if official is None else official
    official = official.copy()
    official["town_code"] = official["town_code"].astype(str)
    official["district_code"] = official["district_code"].astype(str)
    matcher = TownMatcher(official)

    geoms = _to_lonlat(gdf, crs_key, report)
    _check_extent(geoms, gdf.crs, report)
    has_z = int(geoms.has_z.sum())
    if has_z:
        geoms = gpd.GeoSeries(shapely.force_2d(geoms.to_numpy()), index=geoms.index, crs=geoms.crs)
        report.warn(f"{has_z} features have 3D coordinates: the height (Z) is dropped", column="geometry")
    matched: dict[str, int] = {}
    codes: list[str | None] = []
    out_geoms: list[BaseGeometry | None] = []
    for i in range(len(gdf)):
        row = i + 1
        code = _match_row(gdf, i, cols, matcher, report)
        if code is not None:
            if code in matched:
                report.error(
                    f"town {code} ({official.set_index('town_code').at[code, 'town_zh']}) "
                    f"already given by row {matched[code]}",
                    row=row,
                    column=cols.get("code", cols.get("name")),
                )
                code = None
            else:
                matched[code] = row
        codes.append(code)
        out_geoms.append(_polygonal(geoms.iloc[i], row, report))
    report.raise_if_errors()

    _check_geometry(codes, out_geoms, official, report)
    report.raise_if_errors()

    missing = official[~official["town_code"].isin(matched)]
    if len(missing):
        report.warn(
            f"{len(missing)} of the {len(official)} official towns are not in the file: "
            + ", ".join(f"{c} {n}" for c, n in zip(missing["town_code"], missing["town_zh"]))
        )
    result = gpd.GeoDataFrame({"town_code": codes}, geometry=out_geoms, crs=WGS84)
    attrs = official.drop(columns=[c for c in official.columns if c in ("geometry",)])
    result = result.merge(attrs, on="town_code", how="left")
    result = gpd.GeoDataFrame(result, geometry="geometry", crs=WGS84)
    if "area_type" not in result or result["area_type"].isna().any():
        result["area_type"] = np.where(result["town_type"] == "街道", "urban", "rural")
    if "town_en" not in result:
        result["town_en"] = None
    if "seat_lon" not in result or "seat_lat" not in result:
        result["seat_lon"] = np.nan
        result["seat_lat"] = np.nan
    if "seat_source" not in result:
        result["seat_source"] = None
    no_seat = result["seat_lon"].isna() | result["seat_lat"].isna()
    if no_seat.any():
        pts = result.geometry[no_seat].representative_point()
        result.loc[no_seat, "seat_lon"] = pts.x.to_numpy()
        result.loc[no_seat, "seat_lat"] = pts.y.to_numpy()
        result.loc[no_seat, "seat_source"] = "modelled"
    result["geometry_source"] = "uploaded"
    result = result.sort_values("town_code").reset_index(drop=True)
    report.rows_imported = len(result)
    return result[TOWN_COLUMNS + ["geometry"]], report


def _to_lonlat(gdf: gpd.GeoDataFrame, crs_key: str, report: ImportReport) -> gpd.GeoSeries:
    geoms = gdf.geometry
    if gdf.crs is None:
        report.note("the file declares no CRS; longitude/latitude assumed")
        geoms = geoms.set_crs(WGS84)
    elif ProjCRS.from_user_input(gdf.crs).is_projected:
        report.note(f"reprojected from {gdf.crs.to_string()} to WGS-84")
        geoms = geoms.to_crs(WGS84)
    else:
        geoms = geoms.set_crs(WGS84, allow_override=True)
    if crs_key in ("gcj02", "bd09"):

        def convert(xy: np.ndarray) -> np.ndarray:
            lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs_key)
            return np.column_stack([lon, lat])

        geoms = gpd.GeoSeries(shapely.transform(geoms.to_numpy(), convert), index=geoms.index, crs=WGS84)
        report.note(f"converted from {'GCJ-02' if crs_key == 'gcj02' else 'BD-09'} to WGS-84")
    return geoms


def _check_extent(geoms: gpd.GeoSeries, declared, report: ImportReport) -> None:
    """Error when no polygon comes near Jiangmen (a wrong or missing CRS, usually)."""
    ok = geoms[geoms.notna() & ~geoms.is_empty]
    if len(ok) == 0:
        return
    x0, y0, x1, y1 = (float(v) for v in ok.total_bounds)
    bx0, by0, bx1, by1 = JIANGMEN_BBOX
    if np.isfinite([x0, y0, x1, y1]).all() and x0 <= bx1 and x1 >= bx0 and y0 <= by1 and y1 >= by0:
        return
    crs_text = "no CRS (longitude/latitude assumed)" if declared is None else f"CRS {declared.to_string()}"
    report.error(
        f"the polygons span {x0:.10g} to {x1:.10g} E, {y0:.10g} to {y1:.10g} N as longitude/latitude, "
        f"nowhere near Jiangmen ({bx0}-{bx1} E, {by0}-{by1} N): the file declares {crs_text}; "
        "is that its real coordinate system?",
        column="geometry",
    )
    raise DataImportError(report)


def _match_row(gdf, i: int, cols: dict[str, str], matcher: TownMatcher, report: ImportReport) -> str | None:
    row = i + 1
    district = gdf[cols["district"]].iloc[i] if "district" in cols else None
    reasons = []
    for fld in ("code", "name"):
        if fld not in cols:
            continue
        value = gdf[cols[fld]].iloc[i]
        code, why = matcher.match(value, district)
        if code is not None:
            for column, earlier in reasons:
                if earlier != "empty":
                    report.warn(f"{earlier}; matched by {cols[fld]} instead", row=row, column=column)
            return code
        reasons.append((cols[fld], why))
    column, why = reasons[-1] if len(reasons) == 1 or reasons[-1][1] != "empty" else reasons[0]
    report.error(
        "no town/street name or code" if why == "empty" else f"{why}; row not matched to an official town",
        row=row,
        column=column,
    )
    return None


def _polygonal(geom: BaseGeometry | None, row: int, report: ImportReport) -> BaseGeometry | None:
    if geom is None or geom.is_empty:
        report.error("missing geometry", row=row, column="geometry")
        return None
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        geom = shapely.make_valid(geom)
        report.warn(f"invalid polygon ({reason}) repaired", row=row, column="geometry")
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in geom.geoms if isinstance(g, (Polygon, MultiPolygon))]
        geom = shapely.union_all(polys) if polys else geom
    if not isinstance(geom, (Polygon, MultiPolygon)) or geom.is_empty:
        report.error(f"geometry is a {geom.geom_type}, not a polygon", row=row, column="geometry")
        return None
    return geom


def _label(code: str, official: pd.DataFrame) -> str:
    names = dict(zip(official["town_code"].astype(str), official["town_zh"]))
    return f"{code} {names.get(code, '')}".strip()


def _check_geometry(
    codes: list[str | None], geoms: list[BaseGeometry | None], official: pd.DataFrame, report: ImportReport
) -> None:
    """Plausibility of the polygons as a whole (see the module docstring), naming the towns.

    * a polygon smaller than ``settings.TOWN_MIN_AREA_M2`` — error (it can hold nothing);
    * one town covering more than ``settings.TOWN_MAX_CITY_SHARE`` of the city — error (every
      cell and facility would go to it);
    * two towns overlapping by more than ``settings.TOWN_OVERLAP_SHARE`` of the smaller —
      warning (cells in the overlap go to one of them);
    * an official seat outside its own town's polygon — warning per town; when most seats are
      outside (names shifted by a row?), an error.
    """
    rows = [i for i, (c, g) in enumerate(zip(codes, geoms)) if c is not None and g is not None]
    if not rows:
        return
    gs = gpd.GeoSeries([geoms[i] for i in rows], crs=WGS84).to_crs(PROJECTED)
    area = gs.area.to_numpy()
    for k, i in enumerate(rows):
        if area[k] < TOWN_MIN_AREA_M2:
            report.error(
                f"town {_label(codes[i], official)}: the polygon's area is {area[k]:,.0f} m², below "
                f"{TOWN_MIN_AREA_M2:,.0f} m² (settings.TOWN_MIN_AREA_M2): a degenerate polygon",
                row=i + 1,
                column="geometry",
            )
    city, city_label = city_area()
    city_m2 = float(gpd.GeoSeries([city], crs=WGS84).to_crs(PROJECTED).area.iloc[0])
    if city_m2 > 0:
        inter = gs.intersection(gpd.GeoSeries([city], crs=WGS84).to_crs(PROJECTED).iloc[0]).area.to_numpy()
        for k, i in enumerate(rows):
            share = inter[k] / city_m2
            if share > TOWN_MAX_CITY_SHARE and len(official) > 1:
                report.error(
                    f"town {_label(codes[i], official)} covers {share:.0%} of the city ({city_label}): "
                    "one polygon for most of Jiangmen would take every cell and facility in it",
                    row=i + 1,
                    column="geometry",
                )
    tree = shapely.STRtree(gs.to_numpy())
    left, right = tree.query(gs.to_numpy(), predicate="intersects")
    for a, b in zip(left, right):
        if a >= b:
            continue
        overlap = gs.iloc[a].intersection(gs.iloc[b]).area
        smaller = min(area[a], area[b])
        if smaller > 0 and overlap / smaller > TOWN_OVERLAP_SHARE:
            report.warn(
                f"towns {_label(codes[rows[a]], official)} (row {rows[a] + 1}) and "
                f"{_label(codes[rows[b]], official)} (row {rows[b] + 1}) overlap by {overlap / 1e6:,.2f} km² "
                f"({overlap / smaller:.0%} of the smaller): cells in the overlap are given to one of them",
                row=rows[b] + 1,
                column="geometry",
            )
    _check_seats(codes, rows, gs, official, report)


def _check_seats(
    codes: list[str | None], rows: list[int], gs: gpd.GeoSeries, official: pd.DataFrame, report: ImportReport
) -> None:
    if "seat_lon" not in official or "seat_lat" not in official:
        return
    seats = official.set_index(official["town_code"].astype(str))[["seat_lon", "seat_lat"]]
    checked, outside = 0, []
    for k, i in enumerate(rows):
        code = codes[i]
        if code not in seats.index or seats.loc[code].isna().any():
            continue
        checked += 1
        lon, lat = float(seats.at[code, "seat_lon"]), float(seats.at[code, "seat_lat"])
        pt = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=WGS84).to_crs(PROJECTED).iloc[0]
        if gs.iloc[k].distance(pt) > SEAT_TOLERANCE_M:
            holder = [codes[rows[j]] for j in np.flatnonzero(gs.contains(pt).to_numpy())]
            outside.append((i, code, holder))
    if not outside:
        return
    shifted = checked >= 3 and len(outside) > checked / 2
    for i, code, holder in outside:
        where = f"it lies in the polygon given for {_label(holder[0], official)}" if holder else "it lies in no polygon"
        message = f"the official seat of {_label(code, official)} is outside its polygon ({where})"
        if shifted:
            report.error(message, row=i + 1, column="geometry")
        else:
            report.warn(message, row=i + 1, column="geometry")
    if shifted:
        report.error(
            f"{len(outside)} of the {checked} towns' official seats lie outside their own polygon: "
            "are the names or codes shifted against the polygons (e.g. by one row)?"
        )
