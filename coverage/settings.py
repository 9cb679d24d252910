"""Tunables in one place: limits on inputs, engine and solver settings.

Domain facts (service standards, GB 50180 life-circle distances, speeds, the detour factor, plan
targets) are data files under ``data/``, read by :mod:`coverage.standards` and :mod:`coverage.review`;
this module holds the engineering settings that are not domain facts. Each section is owned by the
module named in its heading; change a value here, never a copy elsewhere.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- inputs (coverage.io)

# --------------------------------------------------------------------------- engine (network, reach)
#: Largest straight-line distance (m) from a point to its road node; beyond it the point is off the network.
MAX_SNAP_M = 500.0

# --------------------------------------------------------------------------- siting

# --------------------------------------------------------------------------- workspace

# --------------------------------------------------------------------------- app

# --------------------------------------------------------------------------- access (access, equity, community)

#: Enhanced 2SFCA (Luo & Qi 2009) steps: (upper bound of travel cost / the cell's standard limit, weight).
#: Three equal sub-zones with the weights of the original paper (Gaussian-derived 1.00 / 0.68 / 0.22).
ACCESS_E2SFCA_STEPS: tuple[tuple[float, float], ...] = ((1 / 3, 1.0), (2 / 3, 0.68), (1.0, 0.22))
#: Equity: the worst-served share of towns listed (0.10 = the worst 10 %, at least one town).
EQUITY_WORST_SHARE = 0.10
#: Equity: "beyond twice the standard" is measured with the standard's limits times this factor.
EQUITY_FAR_FACTOR = 2.0
#: CLI: a progress bar appears only when a command runs longer than this many seconds.
PROGRESS_DELAY_S = 1.0
