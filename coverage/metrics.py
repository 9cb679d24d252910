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
  with a :class:`RatioStatus` code saying why, never as a number.

Every function takes a :class:`coverage.region.Region` and returns a
:class:`pandas.DataFrame` with a ``level`` column (``town`` / ``county`` /
``district`` / ``city``) and the keys of :mod:`coverage.schema`. Results hold
codes, names and numbers only (rates 0-1, no prose, nothing in ``attrs``); the
standard, method and provenance travel in :mod:`coverage.analysis`'s result
objects and are put into words by :mod:`coverage.describe`.
"""

from __future__ import annotations

import math
import threading
from enum import Enum
from typing import Any, Literal, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.errors import InputError
from coverage.layers import get_layer
from coverage.reach import CellReach, compute_reach
from coverage.region import Region
from coverage.schema import COVERAGE_COLUMNS, RATIO_COLUMNS, UNIT_COVERAGE_COLUMNS
from coverage.standards import Standard, StandardTable

__all__ = [
    "RatioStatus",
    "population_coverage",
    "coverage_summary",
    "unit_coverage",
    "nursing_bed_share",
    "facilities_per_10k",
    "beds_per_1000_elderly",
    "covered_mask",
    "facility_units",
]


class RatioStatus(str, Enum):
    """Whether a ratio could be computed (words: ``core_ratio_<value>`` in :mod:`coverage.i18n`)."""

    OK = "ok"
    NO_LAYER = "no_layer"
    EMPTY_LAYER = "empty_layer"
    MISSING_COLUMN = "missing_column"
    EMPTY_COLUMN = "empty_column"
    ZERO_DENOMINATOR = "zero_denominator"
    INCONSISTENT = "inconsistent"
    NO_POPULATION = "no_population"

# --------------------------------------------------------------------------- helpers


def covered_mask(reach: CellReach | np.ndarray, n_cells: int) -> np.ndarray:
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
    InputError
        If the mask's length differs from ``n_cells``.
    """
    mask = reach.covered if isinstance(reach, CellReach) else reach
    mask = np.asarray(mask, dtype=bool).ravel()
    if mask.shape[0] != n_cells:
        raise InputError(
            f"coverage mask has {mask.shape[0]} values but the population grid has {n_cells} cells"
        )
    return mask


def _town_columns(region: Region) -> dict[str, list[str]]:
    """``town_code``, ``town_zh``, ``district_code``, ``district_zh`` of every town, as text."""
    return {c: [str(v) for v in region.towns[c].tolist()]
            for c in ("town_code", "town_zh", "district_code", "district_zh")}


def _district_columns(region: Region) -> tuple[list[str], list[str]]:
    """``district_code`` and ``district_zh`` of every district (first row of a repeated code), as text."""
    d = region.districts
    names: dict[str, str] = {}
    for code, name in zip(d["district_code"].tolist(), d["district_zh"].tolist()):
        names.setdefault(str(code), str(name))
    return list(names), list(names.values())


def _town_table(region: Region) -> pd.DataFrame:
    return pd.DataFrame(_town_columns(region), dtype=object)


def _district_table(region: Region) -> pd.DataFrame:
    codes, names = _district_columns(region)
    return pd.DataFrame({"district_code": codes, "district_zh": names}, dtype=object)


# --------------------------------------------------------------------------- population coverage


def population_coverage(
    region: Region,
    layer_id: str,
    reach: CellReach | np.ndarray | None = None,
    standards: StandardTable | Standard | None = None,
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
        ``data/standards.csv`` when ``None``).

    Returns
    -------
    pandas.DataFrame
        :data:`coverage.schema.COVERAGE_COLUMNS`: one row per town (``level="town"``, every
        town of ``region.towns``, zero rows where no one lives), then one per district and one
        for the city (codes and names NA). ``served_group`` is the population column
        (``pop_60plus`` …). ``rate`` is ``covered / served``, a fraction 0-1 (NaN where
        ``served`` is 0). ``off_network`` counts the uncovered people in cells with no road
        within the snap distance (network mode; 0 in distance mode). District and city rows sum
        every cell, including cells whose town is not in ``region.towns`` (unassigned cells).

    Notes
    -----
    Sums are ``numpy.bincount`` over the cells' groups; the groups of a code column are found
    once and kept while the column holds the same values (:class:`ColumnMemo`), so recounting
    the same grid after a what-if edit costs the sums and the table only (~3 ms for the 38,779
    cells of the default data).
    """
    layer = get_layer(layer_id)
    pop = region.population
    col = layer.served_column
    if col not in pop.columns:
        raise InputError(f"population grid lacks the served-group column {col!r} of layer {layer_id!r}")
    if reach is None:
        reach = compute_reach(region, layer_id, standards=standards)
    mask = covered_mask(reach, len(pop))

    served = pd.to_numeric(pop[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(served) | (served < 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"population grid column {col!r}: {int(bad.sum())} missing, non-numeric or negative value(s) "
            f"(first at row {first})"
        )
    covered = np.where(mask, served, 0.0)
    # People in cells with no road within the snap distance (network mode): unreachable, not covered.
    off = reach.off_network if isinstance(reach, CellReach) else None
    off_network = np.where(np.asarray(off, dtype=bool), served, 0.0) if off is not None else np.zeros_like(served)
    measures = (served, covered, off_network)

    towns = _town_columns(region)
    town_sums = _unit_sums(pop["town_code"], measures, towns["town_code"])
    known_codes, known_names = _district_columns(region)
    by_district = _code_groups(pop["district_code"])
    extra = sorted(set(by_district[1]) - set(known_codes) - {""})
    district_codes, district_names = known_codes + extra, known_names + extra
    district_sums = _unit_sums(pop["district_code"], measures, district_codes, by_district)
    city_sums = np.array([[float(w.sum()) for w in measures]])
    values = np.vstack([town_sums, district_sums, city_sums])  # rows x (served, covered, off_network)

    n_town, n_district = len(towns["town_code"]), len(district_codes)
    n_rows = n_town + n_district + 1
    na = [pd.NA] * (n_district + 1)
    total, hit, off_sum = values[:, 0], values[:, 1], values[:, 2]
    numbers = {"served": total, "covered": hit, "uncovered": total - hit, "off_network": off_sum}
    whole = pop[col].dtype.kind in "iub" or bool(np.all(np.mod(served, 1) == 0))  # whole people: integers
    if whole:
        numbers = {k: v.round().astype("int64") for k, v in numbers.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(total > 0, hit / total, np.nan)
    columns = {
        "level": ["town"] * n_town + ["district"] * n_district + ["city"],
        "town_code": pd.Series(towns["town_code"] + na, dtype=object),
        "town_zh": pd.Series(towns["town_zh"] + na, dtype=object),
        "district_code": pd.Series(towns["district_code"] + district_codes + [pd.NA], dtype=object),
        "district_zh": pd.Series(towns["district_zh"] + district_names + [pd.NA], dtype=object),
        "layer": [layer_id] * n_rows,
        "served_group": [col] * n_rows,
        **numbers,
        "rate": rate,
    }
    return pd.DataFrame({c: columns[c] for c in COVERAGE_COLUMNS})


def _code_groups(codes: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Group of every cell by its code written as text (a missing code is the group ``""``).

    Found once per code column and kept (:data:`_GROUPS`): a what-if click recounts the same
    population grid, whose codes did not change.

    Returns
    -------
    group : (m,) int array
        Index into ``labels`` of each cell (read-only).
    labels : list of str
        The distinct codes as text, in order of first appearance.
    """
    held = _GROUPS.get(codes)
    if held is not None:
        return held[0], list(held[1])
    keys, uniques = pd.factorize(codes, use_na_sentinel=True)
    labels: list[str] = []
    position: dict[str, int] = {}
    remap = np.empty(len(uniques) + 1, dtype=np.int64)  # the last slot: missing codes (key -1)
    for i, text in enumerate([str(u) for u in uniques] + [""]):
        if text not in position:  # e.g. 1 and "1": one group, as their text is one code
            position[text] = len(labels)
            labels.append(text)
        remap[i] = position[text]
    group = remap[keys]
    group.setflags(write=False)
    _GROUPS.put(codes, (group, tuple(labels)))
    return group, labels


class ColumnMemo:
    """Results derived from a table column, kept while the column holds the same values.

    Under pandas' Copy-on-Write (always on from pandas 3) a Series taken from a frame never
    changes afterwards: writing into the frame copies the data first. So an entry holds the
    column as it was (a Series) with what was derived from it, and a column answers from the
    entry only when it views the very same buffer (same array object, or same memory, dtype,
    length and strides): the same values, since the entry's own Series cannot have changed and
    keeps that memory from being reused. A replaced grid (an upload), a column assigned anew or
    a value written in place through pandas (``loc``, ``iloc``, ``at``, ``iat``, ``replace``,
    ``update``, ``mask``, ``fillna``…) is a new buffer, hence computed afresh; a region copied with
    ``with_facilities`` shares its grid and its entries. A write into the memory behind pandas'
    back (``column.array[i] = …``, or ``column.values[i] = …`` on a text column) is not seen:
    the library never writes that way, and a caller must not either. The oldest entry goes first
    past ``size``. Without Copy-on-Write (pandas < 3) nothing is kept.

    Parameters
    ----------
    size : int
        Entries kept.
    """

    def __init__(self, size: int) -> None:
        self.size = int(size)
        self._entries: list[tuple[pd.Series, Any]] = []
        self._lock = threading.Lock()
        self.enabled = int(pd.__version__.split(".")[0]) >= 3

    @staticmethod
    def same_buffer(a: pd.Series, b: pd.Series) -> bool:
        """True when ``a`` and ``b`` hold their values in the same memory (same dtype and length)."""
        if len(a) != len(b) or a.dtype != b.dtype:
            return False
        if a.array is b.array:
            return True
        if not isinstance(a.dtype, np.dtype):  # an extension array other than the same object
            return False
        x, y = a.to_numpy(copy=False), b.to_numpy(copy=False)
        return (x.__array_interface__["data"][0] == y.__array_interface__["data"][0]
                and x.strides == y.strides)

    def get(self, column: pd.Series) -> Any | None:
        """What was kept for ``column``'s values, or None."""
        if not self.enabled:
            return None
        with self._lock:
            for held, value in self._entries:
                if self.same_buffer(held, column):
                    return value
        return None

    def put(self, column: pd.Series, value: Any) -> None:
        """Keep ``value`` for ``column``'s values (the column itself is kept with it)."""
        if not self.enabled:
            return
        with self._lock:
            self._entries = [(h, v) for h, v in self._entries if not self.same_buffer(h, column)]
            self._entries.append((column, value))
            del self._entries[: max(0, len(self._entries) - self.size)]


#: Cell groups of the population grids' code columns (a town and a district column per grid).
_GROUPS = ColumnMemo(size=8)


def _unit_sums(codes: pd.Series, measures: Sequence[np.ndarray], unit_codes: Sequence[str],
               groups: tuple[np.ndarray, list[str]] | None = None) -> np.ndarray:
    """Sum of each measure over the cells of each unit code (0 for a code no cell has).

    Returns
    -------
    (len(unit_codes), len(measures)) float array
    """
    group, labels = _code_groups(codes) if groups is None else groups
    totals = np.column_stack([np.bincount(group, weights=w, minlength=len(labels)) for w in measures])
    totals = np.vstack([totals, np.zeros((1, totals.shape[1]))])  # the last row: codes no cell has
    where = {text: i for i, text in enumerate(labels)}
    rows = np.array([where.get(c, len(labels)) for c in unit_codes], dtype=np.int64)
    return totals[rows]


def coverage_summary(
    region: Region,
    layers: Sequence[str] | None = None,
    standards: StandardTable | Standard | None = None,
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
        The ``level`` rows of :func:`population_coverage` for each layer (``layer`` tells them apart).
    """
    if level not in ("city", "district"):
        raise InputError(f"level must be 'city' or 'district', got {level!r}")
    if layers is None:
        layers = [k for k, g in region.facilities.items() if len(g)]
    parts = []
    for layer_id in layers:
        cov = population_coverage(region, layer_id, standards=standards)
        parts.append(cov[cov["level"] == level])
    if not parts:
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- unit coverage


def facility_units(region: Region, layer_id: str, year: int | None = None) -> pd.DataFrame:
    """Town and district code of every facility of ``layer_id``.

    Uses the facilities' ``town_code`` / ``district_code`` columns where they
    are filled and matches the remaining points to ``region.towns`` /
    ``region.districts`` polygons. When ``year`` is given, facilities with an
    ``opening_year`` after it are left out (facilities without one are kept).
    A facility in no town polygon has no town (it is never given to a nearby one).

    Returns
    -------
    pandas.DataFrame
        ``facility_id, town_code, district_code`` (codes as str, missing as NA).
    """
    gdf = region.facilities.get(layer_id)
    if gdf is None or len(gdf) == 0:
        return pd.DataFrame({"facility_id": [], "town_code": [], "district_code": []}, dtype=object)
    gdf = _open_by(gdf, year)
    n = len(gdf)
    towns = _town_table(region)
    town_to_district = dict(zip(towns["town_code"], towns["district_code"]))
    town = [c if c in town_to_district else None for c in _codes(gdf, "town_code", n)]
    need = [i for i, c in enumerate(town) if c is None]
    if need:
        for i, c in zip(need, _point_in_polygons(gdf.iloc[need], region.towns, "town_code")):
            town[i] = c if c in town_to_district else None
    # District: from the town when known, else the facility's own code, else by location.
    own = _codes(gdf, "district_code", n)
    district = [town_to_district[t] if t is not None else o for t, o in zip(town, own)]
    need = [i for i, c in enumerate(district) if c is None]
    if need:
        for i, c in zip(need, _point_in_polygons(gdf.iloc[need], region.districts, "district_code")):
            district[i] = c
    ids = gdf["facility_id"].astype(str).tolist()
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


def _open_by(gdf: gpd.GeoDataFrame, year: int | None) -> gpd.GeoDataFrame:
    if year is None or "opening_year" not in gdf.columns:
        return gdf
    oy = pd.to_numeric(gdf["opening_year"], errors="coerce").astype(float).to_numpy()
    return gdf[~(oy > year)]  # NaN (no opening year) compares False: kept


def _point_in_polygons(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, code_col: str) -> list[str | None]:
    pts = gpd.GeoDataFrame(geometry=gpd.GeoSeries(points.geometry.values, crs=points.crs)).reset_index(drop=True)
    polys = polygons[[code_col, polygons.geometry.name]]
    if pts.crs is not None and polys.crs is not None and not pts.crs.equals(polys.crs):
        pts = pts.to_crs(polys.crs)
    joined = gpd.sjoin(pts, polys, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return [None if pd.isna(v) else str(v) for v in joined[code_col].reindex(range(len(pts)))]


def unit_coverage(
    region: Region,
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
        :data:`coverage.schema.UNIT_COVERAGE_COLUMNS`: one row per unit (``level`` =
        ``"town"`` / ``"county"``; a county's key is its ``district_code``), then (for towns)
        one per district and one for the city, with ``facilities``, ``units``, ``units_with``,
        ``units_without`` and ``rate`` = ``units_with / units`` (0-1). Facilities in no unit
        are not counted (:meth:`coverage.region.Region.unassigned` names them).
    """
    get_layer(layer_id)
    if level not in ("town", "county"):
        raise InputError(f"level must be 'town' or 'county', got {level!r}")
    fac = facility_units(region, layer_id, year)
    if level == "town":
        units = _town_table(region)
        assigned = fac["town_code"]
        key = "town_code"
    else:
        units = _district_table(region)
        units["town_code"] = pd.NA
        units["town_zh"] = pd.NA
        assigned = fac["district_code"]
        key = "district_code"
    counts = assigned.dropna().value_counts()
    n_fac = [int(counts.get(c, 0)) for c in units[key]]
    rows = units.assign(level=level, facilities=n_fac, units=1, units_with=[int(n > 0) for n in n_fac])
    parts = [rows]
    if level == "town":
        by = rows.groupby("district_code", sort=False)[["facilities", "units", "units_with"]].sum()
        d = _district_table(region).join(by, on="district_code").fillna(0)
        parts.append(d.assign(level="district", town_code=pd.NA, town_zh=pd.NA))
    total = rows[["facilities", "units", "units_with"]].sum()
    parts.append(pd.DataFrame([{"level": "city", "town_code": pd.NA, "town_zh": pd.NA, "district_code": pd.NA,
                                "district_zh": pd.NA, **total.to_dict()}]))
    out = pd.concat(parts, ignore_index=True)
    for c in ("facilities", "units", "units_with"):
        out[c] = out[c].astype("int64")
    out["units_without"] = out["units"] - out["units_with"]
    out["layer"] = layer_id
    units_arr = out["units"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(units_arr > 0, out["units_with"].to_numpy(dtype=float) / units_arr, np.nan)
    return out[UNIT_COVERAGE_COLUMNS]


# --------------------------------------------------------------------------- ratios


def _ratio_frame(
    region: Region,
    indicator: str,
    unit: str,
    num: pd.Series | None,
    den: pd.Series | None,
    scale: float,
    status_all: RatioStatus | None,
    skipped: int = 0,
) -> pd.DataFrame:
    """District + city rows of a ratio ``scale * num / den`` (``num`` / ``den`` by district code).

    ``status_all`` (when not None) is the status of every row and the values are NaN.
    """
    districts = _district_table(region)
    rows = []
    items = [(d.district_code, d.district_zh) for d in districts.itertuples(index=False)] + [(None, None)]
    for code, name in items:
        if status_all is not None or num is None or den is None:
            n = d_ = value = np.nan
            status = status_all
        else:
            n = float(num.sum()) if code is None else float(num.get(code, 0.0))
            d_ = float(den.sum()) if code is None else float(den.get(code, 0.0))
            if d_ > 0:
                value, status = scale * n / d_, RatioStatus.OK
            else:
                value, status = np.nan, RatioStatus.ZERO_DENOMINATOR
        rows.append(
            {
                "level": "city" if code is None else "district",
                "district_code": pd.NA if code is None else code,
                "district_zh": pd.NA if name is None else name,
                "indicator": indicator,
                "numerator": n,
                "denominator": d_,
                "value": value,
                "unit": unit,
                "status": status,
                "skipped": skipped,
            }
        )
    return pd.DataFrame(rows, columns=RATIO_COLUMNS)


def _missing_status(gdf: pd.DataFrame | None, cols: Sequence[str]) -> RatioStatus | None:
    if gdf is None:
        return RatioStatus.NO_LAYER
    if len(gdf) == 0:
        return RatioStatus.EMPTY_LAYER
    if any(c not in gdf.columns for c in cols):
        return RatioStatus.MISSING_COLUMN
    if any(pd.to_numeric(gdf[c], errors="coerce").notna().sum() == 0 for c in cols):
        return RatioStatus.EMPTY_COLUMN
    return None


def nursing_bed_share(
    region: Region, layer_id: str = "elder_care_institution", year: int | None = None
) -> pd.DataFrame:
    """养老机构护理型床位占比: ``Σ nursing_beds / Σ beds`` (0-1) per district and city.

    Only facilities with both ``beds`` and ``nursing_beds`` filled count; how many were left
    out is ``skipped``. When the layer or either column is absent (or empty), or a facility has
    more nursing beds than beds, every row has ``value`` NaN and a :class:`RatioStatus` saying why.

    Returns
    -------
    pandas.DataFrame
        :data:`coverage.schema.RATIO_COLUMNS` (``indicator`` ``nursing_bed_share``, ``unit`` ``rate``).
    """
    get_layer(layer_id)
    gdf = region.facilities.get(layer_id)
    indicator, unit = "nursing_bed_share", "rate"
    status = _missing_status(gdf, ["beds", "nursing_beds"])
    if status is not None or gdf is None:
        return _ratio_frame(region, indicator, unit, None, None, 1.0, status)
    gdf = _open_by(gdf, year)
    codes = facility_units(region, layer_id, year)["district_code"].to_numpy()
    beds = pd.to_numeric(gdf["beds"], errors="coerce").to_numpy(dtype=float)
    nursing = pd.to_numeric(gdf["nursing_beds"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(beds) & np.isfinite(nursing)
    if (ok & (nursing > beds)).any():
        # Inconsistent register rows make the ratio meaningless: say so instead of a number.
        return _ratio_frame(region, indicator, unit, None, None, 1.0, RatioStatus.INCONSISTENT)
    frame = pd.DataFrame({"district": codes[ok], "n": nursing[ok], "b": beds[ok]})
    num = frame.groupby("district")["n"].sum()
    den = frame.groupby("district")["b"].sum()
    return _ratio_frame(region, indicator, unit, num, den, 1.0, None, int((~ok).sum()))


def facilities_per_10k(region: Region, layer_id: str, year: int | None = None) -> pd.DataFrame:
    """Facilities of ``layer_id`` per 10,000 residents of its served group (``unit`` ``per_10k``).

    Returns the columns of :func:`nursing_bed_share`; the numerator is the facility count, the
    denominator the served population of the grid (``indicator`` ``facilities_per_10k:<layer>``).
    """
    layer = get_layer(layer_id)
    gdf = region.facilities.get(layer_id)
    indicator, unit = f"facilities_per_10k:{layer_id}", "per_10k"
    if gdf is None:
        return _ratio_frame(region, indicator, unit, None, None, 1e4, RatioStatus.NO_LAYER)
    pop = region.population
    if layer.served_column not in pop.columns:
        return _ratio_frame(region, indicator, unit, None, None, 1e4, RatioStatus.NO_POPULATION)
    codes = facility_units(region, layer_id, year)["district_code"]
    num = codes.dropna().value_counts().astype(float)
    den = pop.groupby(pop["district_code"].astype(str))[layer.served_column].sum().astype(float)
    return _ratio_frame(region, indicator, unit, num, den, 1e4, None)


def beds_per_1000_elderly(
    region: Region, layer_id: str = "elder_care_institution", year: int | None = None
) -> pd.DataFrame:
    """每千老年人口养老床位数: ``1000 * Σ beds / Σ pop_60plus`` per district and city (``unit`` ``per_1000``)."""
    gdf = region.facilities.get(layer_id)
    indicator, unit = "beds_per_1000_60plus", "per_1000"
    status = _missing_status(gdf, ["beds"])
    pop = region.population
    if status is None and "pop_60plus" not in pop.columns:
        status = RatioStatus.NO_POPULATION
    if status is not None or gdf is None:
        return _ratio_frame(region, indicator, unit, None, None, 1e3, status)
    gdf = _open_by(gdf, year)
    codes = facility_units(region, layer_id, year)["district_code"].to_numpy()
    beds = pd.to_numeric(gdf["beds"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(beds)
    num = pd.Series(beds[ok]).groupby(codes[ok]).sum()
    den = pop.groupby(pop["district_code"].astype(str))["pop_60plus"].sum().astype(float)
    return _ratio_frame(region, indicator, unit, num, den, 1e3, None, int((~ok).sum()))
