"""Town/street boundaries uploaded by the user → the towns layer.

Every feature must match one of the 73 official towns/streets, by 9-digit code (the
12-digit NBS form is accepted) or by Chinese name (full, or without 镇/街道, with the
district to tell apart names two districts share); a name naming another town than the
code is a **warning** (the code is kept). Unmatched or doubly-matched features
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

Each town's area type (``urban`` / ``rural``, which picks its service standard) is the official
list's ``area_type``, else its ``town_type`` through the one mapping
:data:`coverage.standards.TOWN_TYPE_AREA` (街道 → urban, 镇 → rural; spaces, width variants and
traditional characters ignored). 乡, 民族乡, 苏木 and 民族苏木 are township-level units like 镇 and
count as 镇 (a **note**); any other type (开发区, 管委会, 社区, blank …) or area type is an **error**
naming the town's row: a guessed area type would silently change the town's standard.

Messages are catalogue codes (:mod:`coverage.i18n.imports_towns`, ``import.towns.*``) with values.
"""

from __future__ import annotations

import os
import re
import unicodedata

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
from coverage.io.polygon_limits import edge_crossings, shapefile_vertex_room, vertex_counts
from coverage.io.reference import city_area_source, official_towns
from coverage.io.report import DataImportError, ImportReport, file_error
from coverage.io.tables import DEFAULT_MAX_MB, check_file, file_kind, read_vector
from coverage.schema import DISTRICT_CODE, TOWN_CODE, TOWN_COLUMNS
from coverage.settings import (
    MAX_TOWN_REPAIR_CROSSINGS, MAX_TOWN_REPAIR_CROSSINGS_CAP, MAX_TOWN_VERTICES, MAX_TOWNS_VERTICES, SEAT_TOLERANCE_M,
    TOWN_MAX_CITY_SHARE, TOWN_MIN_AREA_M2, TOWN_OVERLAP_SHARE,
)
from coverage.standards import AREA_TYPES, TOWN_TYPE_AREA

__all__ = ["read_towns", "TOWN_COLUMNS", "TOWNSHIP_TYPES", "match_failure", "city_outline"]

#: Township-level (乡级) units that are not in :data:`coverage.standards.TOWN_TYPE_AREA` but are
#: unambiguously 镇-level (GB/T 2260, 民政部 乡级行政区划: 镇, 乡, 民族乡, 街道, 苏木, 民族苏木): they
#: take the area type of a 镇 (rural), with a note. Any other type (开发区, 管委会, 社区, blank …) is an error.
TOWNSHIP_TYPES: dict[str, str] = {"乡": "镇", "民族乡": "镇", "苏木": "镇", "民族苏木": "镇"}
#: Traditional spellings of the town types (a Big5 / 繁體 list): the same words.
_TRADITIONAL = str.maketrans({"鎮": "镇", "鄉": "乡", "蘇": "苏"})
#: Names of a town type's office that official lists give instead of the type: the same unit.
_OFFICE_NAMES = {"街道办事处": "街道", "街道办": "街道", "镇人民政府": "镇", "镇政府": "镇"}

_CRS_LABEL = {"gcj02": "GCJ-02", "bd09": "BD-09"}

#: :func:`coverage.io.reference.city_area_source`'s key → the outline's short name (:func:`city_outline`).
_OUTLINES = {
    "import.tables.area.city_boundary": "city",
    "import.tables.area.town_boundaries": "towns",
    "import.tables.area.bbox": "bbox",
}

#: :attr:`coverage.io.matching.TownMatch.reason` → the reason's name in ``coverage.i18n.imports_towns``
#: (``import.<area>.<outcome>.<reason>``), and the renaming of its values (``code`` is the report's own
#: argument: it cannot be a value's name).
_REASONS = {
    "import.tables.town_code_unknown": "unknown_code",
    "import.tables.town_unknown": "unknown_name",
    "import.tables.town_ambiguous": "ambiguous",
}
_REASON_VALUES = {"code": "town_code", "candidates": "names"}


def city_outline() -> tuple[BaseGeometry, str, dict[str, float]]:
    """The city's outline, which outline it is, and that outline's corners (for the facility reader).

    Returns
    -------
    (geometry, str, dict)
        :func:`coverage.io.reference.city_area_source`'s geometry (WGS-84); ``"city"`` (the city
        boundary), ``"towns"`` (the union of the default towns) or ``"bbox"``
        (:data:`coverage.crs.JIANGMEN_BBOX`, with its corners ``x0, x1, y0, y1`` as values). The town
        and community readers name the outline with the source's own key (``area_key``).
    """
    geom, key, _ = city_area_source()
    outline = _OUTLINES.get(key, "bbox")
    if outline != "bbox":
        return geom, outline, {}
    x0, y0, x1, y1 = JIANGMEN_BBOX
    return geom, "bbox", {"x0": x0, "x1": x1, "y0": y0, "y1": y1}


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
        and optionally ``area_type``, ``town_en``, ``seat_lon``, ``seat_lat``, ``seat_source``);
        default: :func:`coverage.io.reference.official_towns`.
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
        covering most of the city, seats mostly outside their towns, or a town whose area
        type cannot be told from the official list.
    """
    crs_key = normalise_crs_name(crs)
    p = check_file(path, max_mb)
    report = ImportReport(file=p.name, layer="towns")
    if file_kind(p) != "vector":
        raise file_error(p, "import.towns.not_vector", layer="towns")
    room = shapefile_vertex_room(p, layer_name)  # the layer chosen, not every .shp of a project's zip
    if room > MAX_TOWNS_VERTICES:  # refused before GDAL reads every vertex
        raise file_error(p, "import.towns.shapefile_too_many_vertices", layer="towns", n=room,
                         limit=MAX_TOWNS_VERTICES)
    gdf = read_vector(p, report, layer_name)
    report.rows_read = len(gdf)
    if len(gdf) == 0:
        report.error("import.towns.no_features")
        raise DataImportError(report)
    cols = match_columns([c for c in gdf.columns if c != gdf.geometry.name], TOWN_ALIASES)
    if "code" not in cols and "name" not in cols:
        report.error("import.towns.no_code_or_name_column",
                     accepted=", ".join(TOWN_ALIASES["code"] + TOWN_ALIASES["name"]))
        raise DataImportError(report)
    official = official_towns() if official is None else official
    official = official.copy()
    official[TOWN_CODE] = official[TOWN_CODE].astype(str)
    official[DISTRICT_CODE] = official[DISTRICT_CODE].astype(str)
    matcher = TownMatcher(official)

    _check_vertices(gdf.geometry.to_numpy(), report)
    geoms = _to_lonlat(gdf, crs_key, report)
    _check_extent(geoms, gdf.crs, report)
    has_z = int(geoms.has_z.sum())
    if has_z:
        geoms = gpd.GeoSeries(shapely.force_2d(geoms.to_numpy()), index=geoms.index, crs=geoms.crs)
        report.warn("import.towns.z_dropped", column="geometry", n=has_z)
    matched: dict[str, int] = {}
    codes: list[str | None] = []
    out_geoms: list[BaseGeometry | None] = []
    for i in range(len(gdf)):
        row = i + 1
        code = _match_row(gdf, i, cols, matcher, report)
        if code is not None:
            if code in matched:
                report.error(
                    "import.towns.duplicate_town",
                    row=row,
                    column=cols.get("code", cols.get("name")),
                    town_code=code,
                    name=str(official.set_index(TOWN_CODE).at[code, "town_zh"]),
                    first_row=matched[code],
                )
                code = None
            else:
                matched[code] = row
        codes.append(code)
        out_geoms.append(_polygonal(geoms.iloc[i], row, report))
    report.raise_if_errors()

    _check_geometry(codes, out_geoms, official, report)
    report.raise_if_errors()

    missing = official[~official[TOWN_CODE].isin(matched)]
    if len(missing):
        report.warn(
            "import.towns.missing_official",
            n=len(missing),
            total=len(official),
            towns=", ".join(f"{c} {n}" for c, n in zip(missing[TOWN_CODE], missing["town_zh"])),
        )
    result = gpd.GeoDataFrame({TOWN_CODE: codes}, geometry=out_geoms, crs=WGS84)
    attrs = official.drop(columns=[c for c in official.columns if c in ("geometry",)])
    result = result.merge(attrs, on=TOWN_CODE, how="left")
    result = gpd.GeoDataFrame(result, geometry="geometry", crs=WGS84)
    _area_types(result, matched, report)
    report.raise_if_errors()
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
    result = result.sort_values(TOWN_CODE).reset_index(drop=True)
    report.rows_imported = len(result)
    return result[TOWN_COLUMNS + ["geometry"]], report


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def _town_type(value: object) -> str:
    """A town type as written, without spaces, width variants or traditional characters (街道办事处
    is 街道: the office's name for the unit)."""
    plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).translate(_TRADITIONAL)
    return _OFFICE_NAMES.get(plain, plain)


def _area_types(result: gpd.GeoDataFrame, rows: dict[str, int], report: ImportReport) -> None:
    """Fill ``area_type`` where the official list gives none, from ``town_type``, in place.

    The one mapping is :data:`coverage.standards.TOWN_TYPE_AREA` (街道 → urban, 镇 → rural), after
    removing spaces and width variants (``"街 道"`` is 街道) and reading traditional characters as
    simplified (鎮 is 镇); 乡-level units (:data:`TOWNSHIP_TYPES`)
    count as 镇, with a note. Any other town type, or an ``area_type`` that is not ``urban`` /
    ``rural``, is an error naming the town and the file's row (``rows``: town code → row).
    """
    n = len(result)
    areas = result["area_type"].tolist() if "area_type" in result else [None] * n
    types = result["town_type"].tolist() if "town_type" in result else [None] * n
    out_area: list[str | None] = []
    out_type: list[object] = []
    as_town: dict[str, list[str]] = {}
    for code, name, area, kind in zip(result[TOWN_CODE], result["town_zh"], areas, types):
        label = f"{code} {'' if _blank(name) else name}".strip()
        row = rows.get(code)
        norm = "" if _blank(kind) else _town_type(kind)
        out_type.append(norm if norm in TOWN_TYPE_AREA or norm in TOWNSHIP_TYPES else kind)
        if not _blank(area):
            value = str(area).strip()
            if value not in AREA_TYPES:
                report.error("import.towns.unknown_area_type", row=row, column="area_type", town=label,
                             area_type=str(area))
            out_area.append(value)
        elif norm in TOWN_TYPE_AREA:
            out_area.append(TOWN_TYPE_AREA[norm])
        elif norm in TOWNSHIP_TYPES:
            out_area.append(TOWN_TYPE_AREA[TOWNSHIP_TYPES[norm]])
            as_town.setdefault(norm, []).append(label)
        else:
            report.error("import.towns.unknown_town_type", row=row, column="town_type", town=label,
                         town_type="" if _blank(kind) else str(kind))
            out_area.append(None)
    for kind, labels in as_town.items():
        report.note("import.towns.township_as_town", column="town_type", town_type=kind, towns=", ".join(labels))
    result["area_type"] = pd.Series(out_area, index=result.index, dtype=object)
    result["town_type"] = pd.Series(out_type, index=result.index, dtype=object)


def _to_lonlat(gdf: gpd.GeoDataFrame, crs_key: str, report: ImportReport) -> gpd.GeoSeries:
    geoms = gdf.geometry
    if gdf.crs is None:
        report.note("import.towns.no_crs")
        geoms = geoms.set_crs(WGS84)
    elif ProjCRS.from_user_input(gdf.crs).is_projected:
        report.note("import.towns.reprojected", crs=gdf.crs.to_string())
        geoms = geoms.to_crs(WGS84)
    else:
        geoms = geoms.set_crs(WGS84, allow_override=True)
    if crs_key in ("gcj02", "bd09"):

        def convert(xy: np.ndarray) -> np.ndarray:
            lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs_key)
            return np.column_stack([lon, lat])

        geoms = gpd.GeoSeries(shapely.transform(geoms.to_numpy(), convert), index=geoms.index, crs=WGS84)
        report.note("import.towns.datum_converted", datum=_CRS_LABEL[crs_key])
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
    # bounds as text: a non-finite bound could not be saved with the report (JSON)
    span = {k: format(v, ".10g") for k, v in (("x0", x0), ("x1", x1), ("y0", y0), ("y1", y1))}
    bbox = {"bx0": bx0, "bx1": bx1, "by0": by0, "by1": by1}
    if declared is None:
        report.error("import.towns.far_from_jiangmen_no_crs", column="geometry", **span, **bbox)
    else:
        report.error("import.towns.far_from_jiangmen", column="geometry", crs=declared.to_string(), **span, **bbox)
    raise DataImportError(report)


def _match_row(gdf, i: int, cols: dict[str, str], matcher: TownMatcher, report: ImportReport) -> str | None:
    """The town of feature ``i``: by its code, else its name (warning naming the code cell that failed);
    a name naming another town than the code is warned (the code is kept)."""
    row = i + 1
    district = gdf[cols["district"]].iloc[i] if "district" in cols else None
    reasons = []
    for fld in ("code", "name"):
        if fld not in cols:
            continue
        value = gdf[cols[fld]].iloc[i]
        code, why = matcher.match(value, district)
        if code is not None:
            for column, earlier_value, earlier in reasons:
                if earlier != "empty":
                    reason, values = match_failure(matcher, earlier_value, district=district)
                    report.warn(f"import.towns.matched_by_other.{reason}", row=row, column=column,
                                other=cols[fld], **values)
            if fld == "code" and "name" in cols:
                named = matcher.lookup(gdf[cols["name"]].iloc[i], district).town_code
                if named is not None and named != code:
                    report.warn("import.towns.name_differs_from_code", row=row, column=cols["name"],
                                named=_label(named, matcher.official), kept=_label(code, matcher.official))
            return code
        reasons.append((cols[fld], value, why))
    column, value, why = reasons[-1] if len(reasons) == 1 or reasons[-1][2] != "empty" else reasons[0]
    if why == "empty":
        report.error("import.towns.no_name_or_code", row=row, column=column)
    else:
        reason, values = match_failure(matcher, value, district=district)
        report.error(f"import.towns.unmatched.{reason}", row=row, column=column, **values)
    return None


def match_failure(
    matcher: TownMatcher, value: object, why: str | None = None, district: object = None
) -> tuple[str, dict[str, str | int]]:
    """Why ``value`` matched no official town, as a catalogue reason and its values.

    Parameters
    ----------
    matcher : TownMatcher
        The matcher that refused ``value``.
    value : object
        The cell as read from the file (not empty).
    why : str, optional
        Ignored: the matcher's English reason, as :meth:`TownMatcher.match` gives it (the reason is
        taken from :meth:`TownMatcher.lookup`).
    district : object, optional
        The row's district cell, as given to the matcher.

    Returns
    -------
    (str, dict)
        ``"unknown_code"`` (values ``town_code``, ``n``), ``"ambiguous"`` (``value``, ``names``) or
        ``"unknown_name"`` (``value``, ``n``): the last part of the keys
        ``import.<area>.<outcome>.<reason>`` of :mod:`coverage.i18n.imports_towns`.
    """
    found = matcher.lookup(value, district)
    reason = _REASONS.get(found.reason)
    if reason is None:
        raise ValueError(f"{value!r} matches an official town or is empty: no reason to give")
    return reason, {_REASON_VALUES.get(k, k): v for k, v in found.values.items()}


def _check_vertices(geoms: np.ndarray, report: ImportReport) -> None:
    """Refuse, before any geometry test, a town past ``MAX_TOWN_VERTICES`` or a file past ``MAX_TOWNS_VERTICES``."""
    counts = vertex_counts(geoms)
    for i in np.flatnonzero(counts > MAX_TOWN_VERTICES):
        report.error("import.towns.too_many_vertices", row=int(i) + 1, column="geometry", n=int(counts[i]),
                     limit=MAX_TOWN_VERTICES)
    if int(counts.sum()) > MAX_TOWNS_VERTICES:
        report.error("import.towns.too_many_vertices_in_all", n=int(counts.sum()), limit=MAX_TOWNS_VERTICES)
    report.raise_if_errors()


def _repaired(geom: BaseGeometry, row: int, report: ImportReport) -> BaseGeometry | None:
    """An invalid polygon made valid (warning), or None (error) when its edges cross too often to repair."""
    # A town drawn as parts that share a border counts ~1.5 crossings per shared edge and repairs in
    # milliseconds: the limit grows with the edges (up to a cap), a ring run round many times does not.
    limit = max(MAX_TOWN_REPAIR_CROSSINGS, min(4 * int(shapely.get_num_coordinates(geom)), MAX_TOWN_REPAIR_CROSSINGS_CAP))
    crossings = edge_crossings(geom, limit)
    if crossings > limit:
        report.error("import.towns.polygon_tangled", row=row, column="geometry", limit=limit)
        return None
    try:
        reason = shapely.is_valid_reason(geom)
        fixed = shapely.make_valid(geom)
    except (shapely.errors.GEOSException, MemoryError) as exc:
        report.error("import.towns.polygon_unrepairable", row=row, column="geometry", detail=str(exc))
        return None
    report.warn("import.towns.polygon_repaired", row=row, column="geometry", detail=reason)
    return fixed


def _polygonal(geom: BaseGeometry | None, row: int, report: ImportReport) -> BaseGeometry | None:
    if geom is None or geom.is_empty:
        report.error("import.towns.missing_geometry", row=row, column="geometry")
        return None
    try:
        valid = geom.is_valid
    except shapely.errors.GEOSException as exc:
        report.error("import.towns.polygon_unrepairable", row=row, column="geometry", detail=str(exc))
        return None
    if not valid:
        geom = _repaired(geom, row, report)
        if geom is None:
            return None
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in geom.geoms if isinstance(g, (Polygon, MultiPolygon))]
        geom = shapely.union_all(polys) if polys else geom
    if not isinstance(geom, (Polygon, MultiPolygon)) or geom.is_empty:
        report.error("import.towns.not_polygon", row=row, column="geometry", geom_type=geom.geom_type)
        return None
    return geom


def _label(code: str, official: pd.DataFrame) -> str:
    names = dict(zip(official[TOWN_CODE].astype(str), official["town_zh"]))
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
                "import.towns.degenerate_polygon",
                row=i + 1,
                column="geometry",
                town=_label(codes[i], official),
                area=float(area[k]),
                min_area=float(TOWN_MIN_AREA_M2),
                setting="settings.TOWN_MIN_AREA_M2",
            )
    city, area_key, area_values = city_area_source()
    city_m2 = float(gpd.GeoSeries([city], crs=WGS84).to_crs(PROJECTED).area.iloc[0])
    if city_m2 > 0:
        inter = gs.intersection(gpd.GeoSeries([city], crs=WGS84).to_crs(PROJECTED).iloc[0]).area.to_numpy()
        for k, i in enumerate(rows):
            share = inter[k] / city_m2
            if share > TOWN_MAX_CITY_SHARE and len(official) > 1:
                report.error(
                    "import.towns.covers_city",
                    row=i + 1,
                    column="geometry",
                    town=_label(codes[i], official),
                    share=float(share),
                    area_key=area_key,
                    **area_values,
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
                "import.towns.overlap",
                row=rows[b] + 1,
                column="geometry",
                town_a=_label(codes[rows[a]], official),
                row_a=rows[a] + 1,
                town_b=_label(codes[rows[b]], official),
                row_b=rows[b] + 1,
                km2=float(overlap / 1e6),
                share=float(overlap / smaller),
            )
    _check_seats(codes, rows, gs, official, report)


def _check_seats(
    codes: list[str | None], rows: list[int], gs: gpd.GeoSeries, official: pd.DataFrame, report: ImportReport
) -> None:
    if "seat_lon" not in official or "seat_lat" not in official:
        return
    seats = official.set_index(official[TOWN_CODE].astype(str))[["seat_lon", "seat_lat"]]
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
    record = report.error if shifted else report.warn
    for i, code, holder in outside:
        if holder:
            record("import.towns.seat_in_other", row=i + 1, column="geometry", town=_label(code, official),
                   holder=_label(holder[0], official))
        else:
            record("import.towns.seat_in_none", row=i + 1, column="geometry", town=_label(code, official))
    if shifted:
        report.error("import.towns.seats_shifted", n=len(outside), checked=checked)
