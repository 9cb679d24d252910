"""The codes the analysis takes as options, in a module that imports nothing heavy.

The command line offers them as argparse choices, and building its parser (``python -m coverage
--help``) must not import numpy, pandas or geopandas; the modules that use the codes import them
from here and keep them under their own names (:mod:`coverage.access`, :mod:`coverage.siting`,
:mod:`coverage.crs`).
"""

from __future__ import annotations

from enum import Enum

__all__ = ["AccessMethod", "CAPACITY_COLUMNS", "COUNT_CAPACITY", "OBJECTIVES", "SOLVER_CHOICES", "SUPPORTED_CRS"]

#: Capacity columns a layer may carry, in order of preference when none is named (:mod:`coverage.access`).
CAPACITY_COLUMNS: tuple[str, ...] = ("beds", "nursing_beds", "seats", "staff")
#: Pseudo-capacity: every facility counts 1 (facilities within reach per person).
COUNT_CAPACITY = "facilities"


class AccessMethod(str, Enum):
    """The floating-catchment variant (:mod:`coverage.access`)."""

    TWO_STEP = "2sfca"
    ENHANCED = "e2sfca"
    GAUSSIAN = "gaussian"


#: Siting objectives (codes), see :mod:`coverage.siting.propose`.
OBJECTIVES: tuple[str, ...] = ("mclp", "lscp", "pmedian", "one_per_town", "one_per_county")
#: The siting solvers a caller may ask for (:mod:`coverage.siting.dispatch`).
SOLVER_CHOICES: tuple[str, ...] = ("auto", "ilp", "greedy")
#: The coordinate systems an input file may be in (:mod:`coverage.crs`).
SUPPORTED_CRS: tuple[str, ...] = ("wgs84", "cgcs2000", "gcj02", "bd09")
