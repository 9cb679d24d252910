#!/usr/bin/env bash
# The README's app command: install the pinned stack into ./.venv and open the planner
# on the embedded Jiangmen data at http://localhost:8501 .
# The server runs the page once as soon as it is up (scripts/warm_app.py, through Streamlit's
# script health check), so the first planner after a start does not pay the imports and loads.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
port=${STREAMLIT_SERVER_PORT:-8501}
args=("$@")
for i in "${!args[@]}"; do
  case "${args[$i]}" in
    --server.port=*) port=${args[$i]#*=} ;;
    --server.port) port=${args[$((i + 1))]:-$port} ;;
  esac
done
.venv/bin/python scripts/warm_app.py "http://127.0.0.1:$port" >/dev/null 2>&1 &
exec .venv/bin/python -m streamlit run app.py --server.headless true --browser.gatherUsageStats false \
  --server.scriptHealthCheckEnabled true "$@"
