#!/usr/bin/env bash
# The README's test command: install what the tests need into ./.venv and run them.
# Usage: bash scripts/run_tests.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# Browser end-to-end tests use Debian's chromium (no browser download): install it when we can.
# fonts-wqy-microhei renders the Chinese interface in the test screenshots.
if { [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wqy; } \
    && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
exec .venv/bin/python -m pytest "$@"
