"""Tests of coverage.crs: GCJ-02 / BD-09 transforms against published values and round trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from coverage import crs

GEOD = Geod(ellps="WGS84")

# Published example (Tiananmen, 116.404 E 39.915 N) from the README/test of the widely used
# ``coordtransform`` JavaScript package; the forward formulas are deterministic so these match
# to the last printed digit.
BEIJING = (116.404, 39.915)
PUBLISHED_WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
PUBLISHED_BD_TO_GCJ = (116.39762729119315, 39.90865673957631)
PUBLISHED_GCJ_TO_BD = (116.41036949371029, 39.92133699351021)

JIANGMEN = (113.0815, 22.5787)  # 蓬江区 centre, WGS-84


def _metres(lon1, lat1, lon2, lat2):
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def test_constants_unchanged():
    assert crs.WGS84 == "EPSG:4326"
    assert crs.PROJECTED == "EPSG:32649"


def test_wgs84_to_gcj02_published_value():
    lon, lat = crs.wgs84_to_gcj02(*BEIJING)
    assert float(lon) == pytest.approx(PUBLISHED_WGS_TO_GCJ[0], abs=1e-12)
    assert float(lat) == pytest.approx(PUBLISHED_WGS_TO_GCJ[1], abs=1e-12)


def test_bd09_gcj02_published_values():
    lon, lat = crs.bd09_to_gcj02(*BEIJING)
    assert (float(lon), float(lat)) == pytest.approx(PUBLISHED_BD_TO_GCJ, abs=1e-12)
    lon, lat = crs.gcj02_to_bd09(*BEIJING)
    assert (float(lon), float(lat)) == pytest.approx(PUBLISHED_GCJ_TO_BD, abs=1e-12)


def test_gcj02_inverse_is_exact_where_the_one_step_formula_is_not():
    # The published one-step inverse gives (116.39775550083061, 39.91359571849836), a few cm off;
    # the iterative inverse must map back onto the GCJ-02 point to < 1 mm.
    w_lon, w_lat = crs.gcj02_to_wgs84(*BEIJING)
    g_lon, g_lat = crs.wgs84_to_gcj02(w_lon, w_lat)
    assert _metres(g_lon, g_lat, *BEIJING) < 1e-3
    one_step = (116.39775550083061, 39.91359571849836)
    assert 0.01 < _metres(w_lon, w_lat, *one_step) < 1.0
    assert _metres(*crs.wgs84_to_gcj02(*one_step), *BEIJING) > 0.01


def test_jiangmen_offset_size_and_direction():
    g_lon, g_lat = crs.wgs84_to_gcj02(*JIANGMEN)
    d = _metres(*JIANGMEN, g_lon, g_lat)
    assert 300.0 < d < 700.0
    # In southern Guangdong GCJ-02 shifts points east-southeast.
    assert g_lon > JIANGMEN[0]
    assert g_lat < JIANGMEN[1]


def test_round_trip_jiangmen_grid_below_1cm():
    lon, lat = np.meshgrid(np.linspace(111.9, 113.3, 15), np.linspace(21.4, 22.9, 16))
    g = crs.wgs84_to_gcj02(lon, lat)
    back = crs.gcj02_to_wgs84(*g)
    assert back[0].shape == lon.shape
    assert _metres(lon.ravel(), lat.ravel(), back[0].ravel(), back[1].ravel()).max() < 0.01
    # BD-09's published inverse is closed-form and approximate (a few cm), not iterative.
    b = crs.wgs84_to_bd09(lon, lat)
    back = crs.bd09_to_wgs84(*b)
    assert _metres(lon.ravel(), lat.ravel(), back[0].ravel(), back[1].ravel()).max() < 0.1


@settings(max_examples=200, deadline=None)
@given(st.floats(74.0, 135.0), st.floats(4.0, 53.0))
def test_round_trip_anywhere_in_china(lon, lat):
    w = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert float(_metres(lon, lat, float(w[0]), float(w[1]))) < 0.01


def test_bd09_is_gcj02_plus_shift():
    g = crs.wgs84_to_gcj02(*JIANGMEN)
    b = crs.gcj02_to_bd09(*g)
    assert np.allclose(crs.bd09_to_wgs84(*b), JIANGMEN, atol=1e-6)
    # BD-09 adds roughly another 0.0065° E / 0.006° N on top of GCJ-02.
    assert 0.005 < float(b[0] - g[0]) < 0.008
    assert 0.004 < float(b[1] - g[1]) < 0.008


def test_outside_china_unchanged():
    lon, lat = crs.wgs84_to_gcj02([2.35, -74.0], [48.85, 40.7])
    assert np.array_equal(lon, [2.35, -74.0]) and np.array_equal(lat, [48.85, 40.7])
    assert crs.in_china([113.0, 2.35], [22.5, 48.85]).tolist() == [True, False]


def test_vectorised_matches_scalar():
    lons = np.array([112.1, 112.6, 113.2])
    lats = np.array([21.6, 22.2, 22.8])
    vec = crs.gcj02_to_wgs84(lons, lats)
    for i in range(3):
        s = crs.gcj02_to_wgs84(lons[i], lats[i])
        assert float(s[0]) == pytest.approx(vec[0][i], abs=1e-12)
        assert float(s[1]) == pytest.approx(vec[1][i], abs=1e-12)


def test_nan_passes_through():
    lon, lat = crs.gcj02_to_wgs84([113.0, np.nan], [22.5, np.nan])
    assert np.isfinite(lon[0]) and np.isnan(lon[1]) and np.isnan(lat[1])


def test_to_wgs84_dispatch():
    g = crs.wgs84_to_gcj02(*JIANGMEN)
    assert np.allclose(crs.to_wgs84(*g, "gcj02"), JIANGMEN, atol=1e-9)
    assert np.allclose(crs.to_wgs84(*g, "GCJ-02"), JIANGMEN, atol=1e-9)
    b = crs.wgs84_to_bd09(*JIANGMEN)
    assert np.allclose(crs.to_wgs84(*b, "bd09"), JIANGMEN, atol=1e-6)
    assert np.allclose(crs.to_wgs84(*JIANGMEN, "cgcs2000"), JIANGMEN)
    assert np.allclose(crs.to_wgs84(*JIANGMEN, "wgs84"), JIANGMEN)
    with pytest.raises(ValueError, match="unknown coordinate system 'utm'; valid: wgs84, cgcs2000, gcj02, bd09"):
        crs.to_wgs84(1, 2, "utm")


def test_swapped_mask():
    lon = np.array([113.0, 22.5, 116.4])
    lat = np.array([22.5, 113.0, 39.9])
    assert crs.swapped_mask(lon, lat).tolist() == [False, True, False]
