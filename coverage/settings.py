"""Tunables in one place: limits on inputs, engine and solver settings.

Domain facts (service standards, GB 50180 life-circle distances, speeds, the detour factor, plan
targets) are data files under ``data/``, read by :mod:`coverage.standards` and :mod:`coverage.review`;
this module holds the engineering settings that are not domain facts. Each section is owned by the
module named in its heading; change a value here, never a copy elsewhere.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- inputs (coverage.io)

# --------------------------------------------------------------------------- engine (network, reach)

# --------------------------------------------------------------------------- siting

# --------------------------------------------------------------------------- workspace

# --------------------------------------------------------------------------- app
