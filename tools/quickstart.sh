#!/usr/bin/env bash
# Try healapi on this machine: set everything up, run the API with a demo
# datasource and policy, and print what to try. Ctrl-C stops it.
#
# The embedded default: SQLite under .quickstart/, no message broker, and
# noauth on 127.0.0.1 (every request acts as an admin; never expose it).
# HEALAPI_PORT picks the port (default 8779), HEALAPI_QUICKSTART_DIR where
# the state goes (default .quickstart/), HEALAPI_VENV the venv (.venv/).
set -euo pipefail
cd "$(dirname "$0")/.."

. tools/venv.sh requirements.txt

state=${HEALAPI_QUICKSTART_DIR:-$PWD/.quickstart}
port=${HEALAPI_PORT:-8779}
conf=$state/healapi.conf
mkdir -p "$state"
cat > "$conf" <<CONF
# Written by tools/quickstart.sh.
[DEFAULT]
state_path = $state
log_file = $state/healapi-api.log

[api]
host = 127.0.0.1
port = $port
auth_strategy = noauth
CONF

echo "==> Migrating the SQLite database in $state"
"$VENV/bin/healapi-manage" --config-file "$conf" db upgrade

echo "==> Starting healapi-api on http://127.0.0.1:$port (log: $state/healapi-api.log)"
"$VENV/bin/healapi-api" --config-file "$conf" &
api_pid=$!
trap 'kill $api_pid 2>/dev/null || true' EXIT INT TERM

"$VENV/bin/python" tools/quickstart_demo.py "http://127.0.0.1:$port"

wait $api_pid
