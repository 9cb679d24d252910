"""coverage — 15-minute service-coverage planner for Jiangmen civil affairs (江门民政).

The package joins facility layers with town boundaries and a population grid,
computes service areas (network or GB 50180-2018 distance mode), coverage rates
and gaps, proposes new sites and reports against the 14th Five-Year Plan.

Start with :class:`coverage.Analysis` (:mod:`coverage.analysis`)::

    from coverage import Analysis
    from coverage.region import load_default

    analysis = Analysis(load_default())
    analysis.coverage("elder_care_station").city["rate"]

``coverage.Analysis`` is resolved on first use, so that importing a leaf module such as
:mod:`coverage.errors` does not load the whole library.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Analysis", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Analysis":
        from coverage.analysis import Analysis

        return Analysis
    raise AttributeError(f"module 'coverage' has no attribute {name!r}")
