"""Coverage metrics: population coverage, unit coverage and ratio indicators.

Three kinds of figures the plan asks for:

* **population coverage** — the share of a layer's served group (60+, 0-17 or
  all residents) living in grid cells within the layer's service standard of a
  facility, per town, district and city (:func:`population_coverage`);
* **unit coverage** — the share of towns (乡镇/街道) or counties (县级行政区)
  with at least one facility (:func:`unit_coverage`);
* **ratios** — e.g. 养老机构护理型床位占比 from ``beds`` / ``nursing_beds``,
  facilities per 10,000 residents, beds per 1,000 older residents
  (:func:`nursing_bed_share`, :func:`facilities_per_10k`,
  :func:`beds_per_1000_elderly`). A ratio whose inputs are missing is returned
  with a status saying so (``"无法计算: 缺少 nursing_beds 列"``), never as a number.

Every function takes a :class:`coverage.region.Region` (only its documented
attributes are used) and returns a :class:`pandas.DataFrame` with a ``level``
column (``town`` / ``county`` / ``district`` / ``city``). ``DataFrame.attrs``
carries ``layer``, ``standard`` (a sentence naming the travel standard) and
``provenance`` (which inputs were modelled or illustrative).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal, Sequence

import numpy as np
import pandas as pd

from coverage.layers import SERVED_GROUPS, get_layer

if TYPE_CHECKING:  # pragma: no cover
    from coverage.region import Region

__all__ = [
    "STATUS_OK",
    "population_coverage",
    "coverage_summary",
    "unit_coverage",
    "nursing_bed_share",
    "facilities_per_10k",
    "beds_per_1000_elderly",
    "covered_mask",
    "describe_standard",
    "provenance_text",
    "facility_units",
]

STATUS_OK = "已计算"
"""Status of a ratio computed from complete inputs."""

POPULATION_COLUMNS = ("pop_total", "pop_60plus", "pop_0_17")

_PROVENANCE_ZH = {
    "real": "真实数据",
    "modelled": "模型推算",
    "illustrative": "示意数据",
    "uploaded": "用户上传",
    "none": "缺失",
}
_INPUT_ZH = {
    "districts": "区县边界",
    "towns": "镇街边界",
    "population": "人口网格",
    "roads": "路网",
}


# --------------------------------------------------------------------------- helpers


def covered_mask(reach: Any, n_cells: int) -> np.ndarray:
    """Return the boolean per-cell coverage mask held by ``reach``.

    Parameters
    ----------
    reach : CellReach or array-like of bool
        A :class:`coverage.reach.CellReach` (its ``covered`` field is used) or
        the mask itself, one value per population-grid row.
    n_cells : int
        Number of population-grid rows the mask must have.

    Raises
    ------
    ValueError
        If the mask's length differs from ``n_cells``.
    """
    mask = getattr(reach, "covered", reach)
    mask = np.asarray(mask, dtype=bool).ravel()
    if mask.shape[0] != n_cells:
        raise ValueError(
            f"coverage mask has {mask.shape[0]} values but the population grid has {n_cells} cells"
        )
    return mask


def _fmt_number(v: float) -> str:
    return f"{v:g}"


def _standard_labels(standards: Any, layer_id: str) -> str | None:
    """``街道: <label>; 镇: <label>`` from a StandardTable (or None when unavailable)."""
    if standards is None:
        try:
            from coverage.standards import load_standards

            standards = load_standards()
        except Exception:  # noqa: BLE001 - no standards file: describe from reach only
            return None
    if hasattr(standards, "label") and not hasattr(standards, "get"):
        return str(standards.label("zh"))  # one Standard for every area type
    if not hasattr(standards, "get"):
        return None
    labels = {}
    for area, name in (("urban", "街道"), ("rural", "镇")):
        try:
            std = standards.get(layer_id, area)
        except (ValueError, KeyError):
            continue
        labels[name] = std.label("zh") if hasattr(std, "label") else str(std)
    if not labels:
        return None
    if len(set(labels.values())) == 1:
        return next(iter(labels.values()))
    return "; ".join(f"{k}: {v}" for k, v in labels.items())


def _limit_text(reach: Any) -> str:
    unit = getattr(reach, "unit", "") or ""
    limit = np.atleast_1d(np.asarray(getattr(reach, "limit", np.nan), dtype=float))
    limit = limit[np.isfinite(limit)]
    unit_zh = {"m": "米", "s": "秒", "min": "分钟", "minutes": "分钟", "seconds": "秒"}.get(unit, unit)
    if unit in ("s", "seconds") and limit.size:
        limit = limit / 60.0
        unit_zh = "分钟"
    if limit.size == 0:
        return "未设上限"
    lo, hi = float(limit.min()), float(limit.max())
    if np.isclose(lo, hi):
        return f"≤{_fmt_number(round(lo, 2))}{unit_zh}"
    return f"≤{_fmt_number(round(lo, 2))}–{_fmt_number(round(hi, 2))}{unit_zh}(按区域类型)"


def describe_standard(reach: Any = None, standards: Any = None, layer_id: str | None = None) -> str:
    """A one-line Chinese description of the service standard of ``layer_id``.

    Combines the labels of the layer's :class:`~coverage.standards.Standard`
    per area type (from ``standards``, or the embedded table when ``None``)
    with how ``reach`` was computed (``reach.mode``: ``"network"`` → 路网通行
    时间, ``"distance"`` → 直线距离, with ``reach.limit`` / ``reach.unit``).
    Returns ``"未指定"`` when nothing is known.
    """
    parts = []
    if layer_id is not None:
        labels = _standard_labels(standards, layer_id)
        if labels:
            parts.append(labels)
    if reach is not None and hasattr(reach, "mode"):
        mode = str(getattr(reach, "mode", ""))
        how = {"network": "按路网通行时间计算", "distance": "无路网, 按直线距离计算"}.get(mode, mode)
        parts.append(f"{how} {_limit_text(reach)}")
    return "; ".join(parts) if parts else "未指定"


def provenance_text(region: "Region", layers: Sequence[str] | None = None) -> str:
    """A one-line Chinese statement of where each input of ``region`` comes from.

    Parameters
    ----------
    region : Region
        Its ``provenance`` mapping is read.
    layers : sequence of str, optional
        Facility layers to mention; all layers in the provenance when omitted.
    """
    prov: dict[str, str] = dict(getattr(region, "provenance", {}) or {})
    parts = []
    for key in ("districts", "towns", "population", "roads"):
        if key in prov:
            parts.append(f"{_INPUT_ZH[key]}: {_PROVENANCE_ZH.get(prov[key], prov[key])}")
    for key, val in prov.items():
        if not key.startswith("facilities:"):
            continue
        layer_id = key.split(":", 1)[1]
        if layers is not None and layer_id not in layers:
            continue
        try:
            name = get_layer(layer_id).zh
        except ValueError:
            name = layer_id
        parts.append(f"{name}: {_PROVENANCE_ZH.get(val, val)}")
    modelled = [k for k, v in prov.items() if v in ("modelled", "illustrative")]
    text = "; ".join(parts) if parts else "数据来源未标注"
    if modelled:
        text += "。注意: 含模型推算/示意数据, 结果仅供方法演示, 不代表实际情况"
    return text


def _town_table(region: "Region") -> pd.DataFrame:
    towns = region.towns
    cols = ["town_code", "town_zh", "district_code", "district_zh"]
    missing = [c for c in cols if c not in towns.columns]
    if missing:
        raise ValueError(f"region.towns lacks column(s) {', '.join(missing)}")
    return pd.DataFrame({c: [str(v) for v in towns[c].tolist()] for c in cols}, dtype=object)


def _district_table(region: "Region") -> pd.DataFrame:
    d = getattr(region, "districts", None)
    if d is not None and "district_code" in d.columns and "district_zh" in d.columns:
        out = pd.DataFrame(
            {c: [str(v) for v in d[c].tolist()] for c in ("district_code", "district_zh")}, dtype=object
        )
    else:
        out = _town_table(region)[["district_code", "district_zh"]]
    return out.drop_duplicates("district_code").reset_index(drop=True)


def _layer_frame(region: "Region", layer_id: str) -> pd.DataFrame | None:
    facilities = getattr(region, "facilities", {}) or {}
    return facilities.get(layer_id)


# --------------------------------------------------------------------------- population coverage


def population_coverage(
    region: "Region",
    layer_id: str,
    reach: Any = None,
    standards: Any = None,
    network: Any = None,
) -> pd.DataFrame:
    """Share of the layer's served group living within its service standard.

    Parameters
    ----------
    region : Region
        Towns, districts and the population grid (one row per populated cell).
    layer_id : str
        A layer of :data:`coverage.layers.LAYERS`; its ``served_column`` picks
        the population group.
    reach : CellReach or array-like of bool, optional
        Which cells are covered. Computed with
        :func:`coverage.reach.compute_reach` (under ``standards``) when omitted.
    standards : StandardTable or Standard, optional
        Service standards used when ``reach`` is computed here (the embedded
        ``data/standards.csv`` when ``None``; one ``Standard`` applies to every
        area type). Also named in ``attrs["standard"]``.
    network : RoadNetwork, optional
        Passed to :func:`coverage.reach.compute_reach`.

    Returns
    -------
    pandas.DataFrame
        One row per town (``level="town"``, every town of ``region.towns``,
        zero rows where no one lives), then one per district
        (``level="district"``) and one for the city (``level="city"``), with
        columns ``level, town_code, town_zh, district_code, district_zh, layer,
        served_group, served, covered, uncovered, off_network, rate``. ``rate`` is
        ``covered / served`` (NaN where ``served`` is 0). ``off_network`` counts the
        uncovered people in cells with no road within the snap distance (network mode;
        always 0 in distance mode): they are unreachable, never silently covered. District and city rows
        sum every cell, including cells whose town is not in ``region.towns``.
        ``attrs`` holds ``layer``, ``standard`` and ``provenance``.
    """
    layer = get_layer(layer_id)
    pop = region.population
    col = layer.served_column
    if col not in pop.columns:
        raise ValueError(f"population grid lacks the served-group column {col!r} of layer {layer_id!r}")
    if reach is None:
        from coverage.reach import compute_reach

        reach = compute_reach(region, layer_id, standards=standards, network=network)
    mask = covered_mask(reach, len(pop))

    served = pd.to_numeric(pop[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(served) | (served < 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"population grid column {col!r}: {int(bad.sum())} missing, non-numeric or negative value(s) "
            f"(first at row {first})"
        )
    covered = np.where(mask, served, 0.0)
    # People in cells with no road within the snap distance (network mode): unreachable, not covered.
    off = getattr(reach, "off_network", None)
    off_network = np.where(np.asarray(off, dtype=bool), served, 0.0) if off is not None else np.zeros_like(served)
    group_zh = SERVED_GROUPS[col][0]
    measures = {"served": served, "covered": covered, "off_network": off_network}

    def sums(codes: Any) -> dict[str, dict[str, float]]:
        keys, inverse = pd.factorize(pd.Series(codes).astype(str), sort=False)
        totals = {n: np.bincount(keys, weights=w, minlength=len(inverse)) for n, w in measures.items()}
        return {str(k): {n: t[i] for n, t in totals.items()} for i, k in enumerate(inverse)}

    def fill(rows: pd.DataFrame, by: dict[str, dict[str, float]], key: str) -> None:
        for n in measures:
            rows[n] = [by.get(c, {}).get(n, 0.0) for c in rows[key]]

    towns = _town_table(region)
    town_rows = towns.copy()
    fill(town_rows, sums(pop["town_code"].to_numpy()), "town_code")
    town_rows.insert(0, "level", "town")

    districts = _district_table(region)
    by_district = sums(pop["district_code"].to_numpy())
    extra = sorted(set(by_district) - set(districts["district_code"]))
    if extra:
        districts = pd.concat(
            [districts, pd.DataFrame({"district_code": extra, "district_zh": extra})], ignore_index=True
        )
    district_rows = districts.copy()
    fill(district_rows, by_district, "district_code")
    district_rows.insert(0, "level", "district")
    district_rows["town_code"] = pd.NA
    district_rows["town_zh"] = pd.NA

    city_rows = pd.DataFrame(
        {
            "level": ["city"],
            "town_code": [pd.NA],
            "town_zh": [pd.NA],
            "district_code": [pd.NA],
            "district_zh": ["全市"],
            **{n: [float(w.sum())] for n, w in measures.items()},
        }
    )
    out = pd.concat([town_rows, district_rows, city_rows], ignore_index=True)
    out["layer"] = layer_id
    out["served_group"] = group_zh
    out["uncovered"] = out["served"] - out["covered"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(out["served"] > 0, out["covered"] / out["served"], np.nan)
    if np.all(np.mod(served, 1) == 0):
        for c in ("served", "covered", "uncovered", "off_network"):
            out[c] = out[c].round().astype("int64")
    out = out[
        [
            "level",
            "town_code",
            "town_zh",
            "district_code",
            "district_zh",
            "layer",
            "served_group",
            "served",
            "covered",
            "uncovered",
            "off_network",
            "rate",
        ]
    ]
    out.attrs.update(
        layer=layer_id,
        standard=describe_standard(reach, standards, layer_id),
        provenance=provenance_text(region, [layer_id]),
    )
    return out


def coverage_summary(
    region: "Region",
    layers: Sequence[str] | None = None,
    standards: Any = None,
    level: Literal["city", "district"] = "city",
) -> pd.DataFrame:
    """Population coverage of several layers side by side.

    Parameters
    ----------
    region : Region
    layers : sequence of str, optional
        Layers to report (default: every layer of ``region.facilities`` with at
        least one facility).
    standards : StandardTable or Standard, optional
        Passed to :func:`population_coverage`.
    level : {"city", "district"}
        Rows kept from each layer's table.

    Returns
    -------
    pandas.DataFrame
        The ``level`` rows of :func:`population_coverage` for each layer, with
        the layer's Chinese name (``layer_zh``) and its ``standard``.
    """
    if level not in ("city", "district"):
        raise ValueError(f"level must be 'city' or 'district', got {level!r}")
    if layers is None:
        layers = [k for k, g in (getattr(region, "facilities", {}) or {}).items() if len(g)]
    parts = []
    for layer_id in layers:
        cov = population_coverage(region, layer_id, standards=standards)
        rows = cov[cov["level"] == level].copy()
        rows.insert(0, "layer_zh", get_layer(layer_id).zh)
        rows["standard"] = cov.attrs["standard"]
        parts.append(rows)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    out.attrs["provenance"] = provenance_text(region, list(layers))
    return out


# --------------------------------------------------------------------------- unit coverage


def facility_units(region: "Region", layer_id: str, year: int | None = None) -> pd.DataFrame:
    """Town and district code of every facility of ``layer_id``.

    Uses the facilities' ``town_code`` / ``district_code`` columns where they
    are filled and matches the remaining points to ``region.towns`` /
    ``region.districts`` polygons. When ``year`` is given, facilities with an
    ``opening_year`` after it are left out (facilities without one are kept).

    Returns
    -------
    pandas.DataFrame
        ``facility_id, town_code, district_code`` (codes as str, missing as NA).
    """
    gdf = _layer_frame(region, layer_id)
    if gdf is None or len(gdf) == 0:
        return pd.DataFrame({"facility_id": [], "town_code": [], "district_code": []}, dtype=object)
    gdf = _open_by(gdf, year)
    n = len(gdf)
    towns = _town_table(region)
    town_to_district = dict(zip(towns["town_code"], towns["district_code"]))
    town = [c if c in town_to_district else None for c in _codes(gdf, "town_code", n)]
    need = [i for i, c in enumerate(town) if c is None]
    if need and hasattr(gdf, "geometry") and hasattr(region.towns, "geometry"):
        for i, c in zip(need, _point_in_polygons(gdf.iloc[need], region.towns, "town_code")):
            town[i] = c if c in town_to_district else None
    # District: from the town when known, else the facility's own code, else by location.
    own = _codes(gdf, "district_code", n)
    district = [town_to_district[t] if t is not None else o for t, o in zip(town, own)]
    need = [i for i, c in enumerate(district) if c is None]
    if need and hasattr(gdf, "geometry") and getattr(region, "districts", None) is not None:
        for i, c in zip(need, _point_in_polygons(gdf.iloc[need], region.districts, "district_code")):
            district[i] = c
    ids = gdf["facility_id"].astype(str).tolist() if "facility_id" in gdf.columns else [str(i) for i in range(n)]
    na = pd.NA
    return pd.DataFrame(
        {
            "facility_id": ids,
            "town_code": [na if t is None else t for t in town],
            "district_code": [na if d is None else d for d in district],
        },
        dtype=object,
    )


def _codes(gdf: pd.DataFrame, col: str, n: int) -> list[str | None]:
    """Codes of ``col`` as stripped str, None where missing."""
    if col not in gdf.columns:
        return [None] * n
    out: list[str | None] = []
    for v in gdf[col].tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        else:
            t = str(v).strip()
            out.append(t or None)
    return out


def _open_by(gdf: pd.DataFrame, year: int | None) -> pd.DataFrame:
    if year is None or "opening_year" not in gdf.columns:
        return gdf
    oy = pd.to_numeric(gdf["opening_year"], errors="coerce").astype(float).to_numpy()
    return gdf[~(oy > year)]  # NaN (no opening year) compares False: kept


def _point_in_polygons(points: Any, polygons: Any, code_col: str) -> list:
    import geopandas as gpd

    pts = gpd.GeoDataFrame(geometry=gpd.GeoSeries(points.geometry.values, crs=points.crs)).reset_index(drop=True)
    polys = polygons[[code_col, polygons.geometry.name]]
    if pts.crs is not None and polys.crs is not None and not pts.crs.equals(polys.crs):
        pts = pts.to_crs(polys.crs)
    joined = gpd.sjoin(pts, polys, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return [None if pd.isna(v) else str(v) for v in joined[code_col].reindex(range(len(pts)))]


def unit_coverage(
    region: "Region",
    layer_id: str,
    level: Literal["town", "county"] = "town",
    year: int | None = None,
) -> pd.DataFrame:
    """Share of towns (or counties) with at least one facility of ``layer_id``.

    Parameters
    ----------
    region : Region
        Its towns, districts and facilities.
    layer_id : str
        Facility layer.
    level : {"town", "county"}
        ``town``: every town of ``region.towns`` is a unit; ``county``: every
        district (县级行政区) of ``region.districts`` is a unit.
    year : int, optional
        Count only facilities opened by ``year`` (``opening_year`` ≤ year;
        facilities without an opening year are counted).

    Returns
    -------
    pandas.DataFrame
        One row per unit (``level`` = ``"town"`` / ``"county"``), then (for
        towns) one per district and one for the city, with columns ``level,
        code, name_zh, district_code, district_zh, layer, facilities, units,
        units_with, units_without, share, lacking``. ``lacking`` lists (顿号
        separated) the units without a facility. Facilities that fall in no
        unit are counted in ``attrs["unassigned"]``.
    """
    get_layer(layer_id)
    if level not in ("town", "county"):
        raise ValueError(f"level must be 'town' or 'county', got {level!r}")
    fac = facility_units(region, layer_id, year)
    if level == "town":
        t = _town_table(region)
        codes = t["town_code"].tolist()
        names = t["town_zh"].tolist()
        dcodes = t["district_code"].tolist()
        dnames = t["district_zh"].tolist()
        assigned = fac["town_code"]
    else:
        d = _district_table(region)
        codes = d["district_code"].tolist()
        names = d["district_zh"].tolist()
        dcodes, dnames = codes, names
        assigned = fac["district_code"]
    unassigned = int(assigned.isna().sum())
    counts: dict[str, int] = {}
    for c in assigned.dropna().tolist():
        counts[c] = counts.get(c, 0) + 1
    n_fac = [counts.get(c, 0) for c in codes]
    has = [int(n > 0) for n in n_fac]
    cols: dict[str, list] = {
        "level": [level] * len(codes),
        "code": list(codes),
        "name_zh": list(names),
        "district_code": list(dcodes),
        "district_zh": list(dnames),
        "facilities": n_fac,
        "units": [1] * len(codes),
        "units_with": has,
        "units_without": [1 - h for h in has],
        "lacking": ["" if h else n for h, n in zip(has, names)],
    }

    def _add(lvl: str, code: Any, name: str, dcode: Any, dname: Any, idx: list[int]) -> None:
        for key, val in (
            ("level", lvl), ("code", code), ("name_zh", name), ("district_code", dcode), ("district_zh", dname),
            ("facilities", sum(n_fac[i] for i in idx)), ("units", len(idx)),
            ("units_with", sum(has[i] for i in idx)), ("units_without", sum(1 - has[i] for i in idx)),
            ("lacking", "、".join(names[i] for i in idx if not has[i])),
        ):  # fmt: skip
            cols[key].append(val)

    if level == "town":
        for d in _district_table(region).itertuples(index=False):
            idx = [i for i, c in enumerate(dcodes) if c == d.district_code]
            _add("district", d.district_code, d.district_zh, d.district_code, d.district_zh, idx)
    _add("city", pd.NA, "全市", pd.NA, "全市", list(range(len(codes))))
    out = pd.DataFrame(cols)
    out["layer"] = layer_id
    units_arr = out["units"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(units_arr > 0, out["units_with"].to_numpy(dtype=float) / units_arr, np.nan)
    out = out[
        [
            "level",
            "code",
            "name_zh",
            "district_code",
            "district_zh",
            "layer",
            "facilities",
            "units",
            "units_with",
            "units_without",
            "share",
            "lacking",
        ]
    ]
    out.attrs.update(
        layer=layer_id,
        standard="每个乡镇(街道)至少 1 处" if level == "town" else "每个县级行政区至少 1 处",
        provenance=provenance_text(region, [layer_id]),
        unassigned=unassigned,
    )
    return out


# --------------------------------------------------------------------------- ratios


def _ratio_frame(
    region: "Region",
    indicator: str,
    unit: str,
    num: pd.Series | None,
    den: pd.Series | None,
    scale: float,
    status_all: str | None,
    notes: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Assemble district + city rows of a ratio ``scale * num / den``.

    ``num`` / ``den`` are indexed by district code. ``status_all`` (when not
    None) is the status of every row and the values are NaN.
    """
    districts = _district_table(region)
    rows = []
    items = [(d.district_code, d.district_zh) for d in districts.itertuples(index=False)] + [(None, "全市")]
    for code, name in items:
        if status_all is not None:
            n = d_ = value = np.nan
            status = status_all
        else:
            n = float(num.sum()) if code is None else float(num.get(code, 0.0))
            d_ = float(den.sum()) if code is None else float(den.get(code, 0.0))
            if d_ > 0:
                value = scale * n / d_
                status = STATUS_OK
            else:
                value = np.nan
                status = "无法计算: 分母为 0"
        rows.append(
            {
                "level": "city" if code is None else "district",
                "district_code": pd.NA if code is None else code,
                "district_zh": name,
                "indicator": indicator,
                "numerator": n,
                "denominator": d_,
                "value": value,
                "unit": unit,
                "status": status,
                "note": (notes or {}).get("all", ""),
            }
        )
    return pd.DataFrame(rows)


def _missing_status(gdf: pd.DataFrame | None, layer_id: str, cols: Sequence[str]) -> str | None:
    if gdf is None:
        return f"无法计算: 缺少 {layer_id} 图层"
    if len(gdf) == 0:
        return f"无法计算: {layer_id} 图层没有设施"
    absent = [c for c in cols if c not in gdf.columns]
    if absent:
        return f"无法计算: 缺少 {', '.join(absent)} 列"
    empty = [c for c in cols if pd.to_numeric(gdf[c], errors="coerce").notna().sum() == 0]
    if empty:
        return f"无法计算: {', '.join(empty)} 列全部为空"
    return None


def nursing_bed_share(
    region: "Region", layer_id: str = "elder_care_institution", year: int | None = None
) -> pd.DataFrame:
    """养老机构护理型床位占比: ``100 * Σ nursing_beds / Σ beds`` per district and city.

    Only facilities with both ``beds`` and ``nursing_beds`` filled count; how
    many were left out is stated in ``note``. When the layer or either column is
    absent (or empty) every row has ``value`` NaN and a ``status`` beginning
    with ``"无法计算"``.

    Returns
    -------
    pandas.DataFrame
        District rows and a city row: ``level, district_code, district_zh,
        indicator, numerator, denominator, value, unit, status, note``.
    """
    get_layer(layer_id)
    gdf = _layer_frame(region, layer_id)
    indicator = "养老机构护理型床位占比"
    status = _missing_status(gdf, layer_id, ["beds", "nursing_beds"])
    if status is not None:
        return _ratio_frame(region, indicator, "%", None, None, 100.0, status)
    gdf = _open_by(gdf, year)
    codes = facility_units(region, layer_id, year)["district_code"].to_numpy()
    beds = pd.to_numeric(gdf["beds"], errors="coerce").to_numpy(dtype=float)
    nursing = pd.to_numeric(gdf["nursing_beds"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(beds) & np.isfinite(nursing)
    bad = np.isfinite(beds) & np.isfinite(nursing) & (nursing > beds)
    if bad.any():
        # Inconsistent register rows make the ratio meaningless: say so instead of a number.
        ids = gdf["facility_id"].astype(str).to_numpy()[bad] if "facility_id" in gdf else np.flatnonzero(bad)
        shown = ", ".join(map(str, ids[:5])) + (" …" if bad.sum() > 5 else "")
        status = f"无法计算: {int(bad.sum())} 家机构护理型床位数大于床位数 (facility_id {shown})"
        return _ratio_frame(region, indicator, "%", None, None, 100.0, status)
    frame = pd.DataFrame({"district": codes[ok], "n": nursing[ok], "b": beds[ok]})
    num = frame.groupby("district")["n"].sum()
    den = frame.groupby("district")["b"].sum()
    skipped = int((~ok).sum())
    note = f"{skipped} 家机构缺少床位数据, 未计入" if skipped else ""
    out = _ratio_frame(region, indicator, "%", num, den, 100.0, None, {"all": note})
    out.attrs.update(layer=layer_id, provenance=provenance_text(region, [layer_id]))
    return out


def facilities_per_10k(region: "Region", layer_id: str, year: int | None = None) -> pd.DataFrame:
    """Facilities of ``layer_id`` per 10,000 residents of its served group.

    Returns the same columns as :func:`nursing_bed_share`; the numerator is the
    facility count, the denominator the served population of the grid.
    """
    layer = get_layer(layer_id)
    gdf = _layer_frame(region, layer_id)
    group = SERVED_GROUPS[layer.served_column][0]
    indicator = f"每万名{group}拥有{layer.zh}数"
    if gdf is None:
        return _ratio_frame(region, indicator, "个/万人", None, None, 1e4, f"无法计算: 缺少 {layer_id} 图层")
    pop = region.population
    if layer.served_column not in pop.columns:
        return _ratio_frame(
            region, indicator, "个/万人", None, None, 1e4, f"无法计算: 人口网格缺少 {layer.served_column} 列"
        )
    codes = facility_units(region, layer_id, year)["district_code"]
    num = codes.dropna().value_counts().astype(float)
    den = pop.groupby(pop["district_code"].astype(str))[layer.served_column].sum().astype(float)
    out = _ratio_frame(region, indicator, "个/万人", num, den, 1e4, None)
    out.attrs.update(layer=layer_id, provenance=provenance_text(region, [layer_id]))
    return out


def beds_per_1000_elderly(
    region: "Region", layer_id: str = "elder_care_institution", year: int | None = None
) -> pd.DataFrame:
    """每千老年人口养老床位数: ``1000 * Σ beds / Σ pop_60plus`` per district and city."""
    gdf = _layer_frame(region, layer_id)
    indicator = "每千老年人口养老床位数"
    status = _missing_status(gdf, layer_id, ["beds"])
    pop = region.population
    if status is None and "pop_60plus" not in pop.columns:
        status = "无法计算: 人口网格缺少 pop_60plus 列"
    if status is not None:
        return _ratio_frame(region, indicator, "张/千人", None, None, 1e3, status)
    gdf = _open_by(gdf, year)
    codes = facility_units(region, layer_id, year)["district_code"].to_numpy()
    beds = pd.to_numeric(gdf["beds"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(beds)
    num = pd.Series(beds[ok]).groupby(codes[ok]).sum()
    den = pop.groupby(pop["district_code"].astype(str))["pop_60plus"].sum().astype(float)
    skipped = int((~ok).sum())
    note = f"{skipped} 家机构缺少床位数据, 未计入" if skipped else ""
    out = _ratio_frame(region, indicator, "张/千人", num, den, 1e3, None, {"all": note})
    out.attrs.update(layer=layer_id, provenance=provenance_text(region, [layer_id]))
    return out
