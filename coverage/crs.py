"""Coordinate reference systems: the one projected CRS and Chinese datum shifts.

Chinese web maps publish coordinates in two obfuscated systems:

* **GCJ-02** ("Mars coordinates", 高德 / 腾讯 / Google China): WGS-84 plus a
  deterministic, non-linear offset of a few hundred metres inside China.
* **BD-09** (百度): GCJ-02 plus a second polar shift.

The forward transforms are public closed formulas. The inverse of GCJ-02 has no
closed form: :func:`gcj02_to_wgs84` solves ``wgs84_to_gcj02(w) = g`` by fixed-point
iteration, which converges to well under a millimetre in a few steps (the
offset field is smooth), so the round trip is exact for planning purposes.

CGCS2000 (the national datum, EPSG:4490) is treated as WGS-84: the two differ by
less than a metre, far below the accuracy of any facility register.

All functions accept scalars or numpy arrays (broadcast together) and return
``(lon, lat)`` as float arrays (0-d for scalar input). Points outside China's
bounding box are returned unchanged, as every published implementation does.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from coverage.choices import SUPPORTED_CRS

WGS84 = "EPSG:4326"
PROJECTED = "EPSG:32649"  # UTM zone 49N: every metric computation

__all__ = [
    "WGS84",
    "PROJECTED",
    "SUPPORTED_CRS",
    "JIANGMEN_BBOX",
    "in_china",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "wgs84_to_bd09",
    "to_wgs84",
    "swapped_mask",
]

CRSName = Literal["wgs84", "cgcs2000", "gcj02", "bd09"]

#: Jiangmen city bounding box (min lon, min lat, max lon, max lat), WGS-84, with a margin.
JIANGMEN_BBOX: tuple[float, float, float, float] = (111.9, 21.4, 113.3, 22.9)

# Krasovsky 1940 ellipsoid, the one the GCJ-02 formulas are written against.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

# Bounding box used by every published GCJ-02 implementation to decide "inside China".
_CHINA_BBOX = (72.004, 0.8293, 137.8347, 55.8271)


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return lon_a.astype(float, copy=True), lat_a.astype(float, copy=True)


def in_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """True where ``(lon, lat)`` lies in the bounding box GCJ-02 applies to.

    Parameters
    ----------
    lon, lat : float or array_like
        Degrees.

    Returns
    -------
    numpy.ndarray of bool
        Same shape as the broadcast inputs; NaN coordinates give False.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    x0, y0, x1, y1 = _CHINA_BBOX
    return (lon_a > x0) & (lon_a < x1) & (lat_a > y0) & (lat_a < y1)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (degrees) to add to a WGS-84 point."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    t_lat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    t_lon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (t_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    d_lon = (t_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 to GCJ-02 (points outside China unchanged).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS-84 degrees.

    Returns
    -------
    (lon, lat) : tuple of numpy.ndarray
        GCJ-02 degrees.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    inside = in_china(lon_a, lat_a)
    d_lon, d_lat = _gcj_offset(lon_a, lat_a)
    return np.where(inside, lon_a + d_lon, lon_a), np.where(inside, lat_a + d_lat, lat_a)


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol: float = 1e-10, max_iter: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 to WGS-84 by fixed-point iteration (exact inverse).

    Starting from ``w = g``, repeat ``w += g - wgs84_to_gcj02(w)`` until the
    residual is below ``tol`` degrees (1e-10° ≈ 0.01 mm).

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 degrees.
    tol : float, default 1e-10
        Convergence threshold in degrees.
    max_iter : int, default 30
        Iteration cap (convergence takes 3–6 steps in practice).

    Returns
    -------
    (lon, lat) : tuple of numpy.ndarray
        WGS-84 degrees.
    """
    g_lon, g_lat = _as_arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        r_lon, r_lat = g_lon - f_lon, g_lat - f_lat
        w_lon += r_lon
        w_lat += r_lat
        resid = np.nanmax(np.abs(np.concatenate([r_lon.ravel(), r_lat.ravel()])), initial=0.0)
        if resid < tol:
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 to BD-09 (Baidu)."""
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 (Baidu) to GCJ-02 (the published closed-form inverse)."""
    b_lon, b_lat = _as_arrays(lon, lat)
    x = b_lon - 0.0065
    y = b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 (Baidu) to WGS-84 (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 to BD-09 (Baidu) (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str = "wgs84") -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates declared in ``crs`` to WGS-84.

    Parameters
    ----------
    lon, lat : float or array_like
        Degrees in ``crs``.
    crs : {"wgs84", "cgcs2000", "gcj02", "bd09"}
        Declared system (case-insensitive; ``-`` and ``_`` ignored, so ``"GCJ-02"`` works).
        ``cgcs2000`` is returned unchanged (< 1 m from WGS-84).

    Returns
    -------
    (lon, lat) : tuple of numpy.ndarray

    Raises
    ------
    ValueError
        If ``crs`` is not one of the supported names.
    """
    key = normalise_crs_name(crs)
    if key in ("wgs84", "cgcs2000"):
        return _as_arrays(lon, lat)
    if key == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    return bd09_to_wgs84(lon, lat)


def normalise_crs_name(crs: str) -> str:
    """Return the canonical name (``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09``) of ``crs``.

    Raises ``ValueError`` listing the valid names for anything else.
    """
    key = str(crs).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {"epsg4326": "wgs84", "epsg:4326": "wgs84", "epsg4490": "cgcs2000", "bd09ll": "bd09"}
    key = aliases.get(key, key)
    if key not in SUPPORTED_CRS:
        raise ValueError(f"unknown coordinate system {crs!r}; valid: {', '.join(SUPPORTED_CRS)}")
    return key


def swapped_mask(
    lon: ArrayLike,
    lat: ArrayLike,
    bbox: tuple[float, float, float, float] = JIANGMEN_BBOX,
    margin: float = 1.0,
) -> np.ndarray:
    """True where ``(lon, lat)`` looks like a latitude/longitude swap for ``bbox``.

    A point is flagged when it is *not* inside ``bbox`` (grown by ``margin``
    degrees) as given, but ``(lat, lon)`` is.

    Parameters
    ----------
    lon, lat : array_like
        Values as read from the longitude and latitude columns.
    bbox : (min lon, min lat, max lon, max lat)
        Expected extent of the data.
    margin : float, default 1.0
        Degrees added on every side of ``bbox``.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    x0, y0, x1, y1 = bbox
    x0, y0, x1, y1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)

    return ~inside(lon_a, lat_a) & inside(lat_a, lon_a)
