#!/usr/bin/env bash
# Try healapi on this machine: set everything up, run the API and the engine
# with a demo datasource and policy, and print what to try. Ctrl-C stops
# them.
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

[api]
host = 127.0.0.1
port = $port
auth_strategy = noauth
CONF

echo "==> Migrating the SQLite database in $state"
"$VENV/bin/healapi-manage" --config-file "$conf" db upgrade

echo "==> Starting healapi-api on http://127.0.0.1:$port (log: $state/healapi-api.log)"
"$VENV/bin/healapi-api" --config-file "$conf" \
    --log-file "$state/healapi-api.log" &
api_pid=$!
echo "==> Starting healapi-engine (log: $state/healapi-engine.log)"
"$VENV/bin/healapi-engine" --config-file "$conf" \
    --log-file "$state/healapi-engine.log" &
engine_pid=$!
# Stop both and wait for them, so that nothing outlives the script.
stop() {
    trap - EXIT INT TERM
    kill $api_pid $engine_pid 2>/dev/null || true
    wait $api_pid $engine_pid 2>/dev/null || true
}
trap stop EXIT INT TERM

"$VENV/bin/python" tools/quickstart_demo.py "http://127.0.0.1:$port"

# Until either stops (or Ctrl-C): a quick start with half of healapi
# running would only confuse.
wait -n $api_pid $engine_pid
