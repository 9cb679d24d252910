"""``python -m coverage`` entry point."""

from coverage.cli import main

raise SystemExit(main())
