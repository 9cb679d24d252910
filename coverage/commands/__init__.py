"""Sub-commands of ``python -m coverage``; one module per verb (see :mod:`coverage.cli`)."""
