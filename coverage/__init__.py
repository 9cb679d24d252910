"""coverage — 15-minute service-coverage planner for Jiangmen civil affairs (江门民政).

The package joins facility layers with town boundaries and a population grid,
computes service areas (network or GB 50180-2018 distance mode), coverage rates
and gaps, proposes new sites and reports against the 14th Five-Year Plan.
"""

__version__ = "0.1.0"
