"""Coordinate reference systems: the one projected CRS and Chinese datum shifts."""

from __future__ import annotations

WGS84 = "EPSG:4326"
PROJECTED = "EPSG:32649"  # UTM zone 49N: every metric computation
