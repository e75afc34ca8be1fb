#!/usr/bin/env bash
# Set up everything the tests need, then run the linter and the whole suite.
#
#   tools/run-tests.sh [PYTEST ARGS...]
#
# Tests that need PostgreSQL or MariaDB/MySQL use the servers at
# HEALAPI_TEST_POSTGRESQL_URL and HEALAPI_TEST_MYSQL_URL (default: the local
# ones on 127.0.0.1); authentication tests install and run a real Keystone
# (in HEALAPI_TEST_KEYSTONE_VENV, default .keystone-venv); webhook tests run
# a real Prometheus Alertmanager, which tools/install-alertmanager.sh
# installs when HEALAPI_TEST_REQUIRE_BACKENDS=1. Each skips where its server
# is absent, unless HEALAPI_TEST_REQUIRE_BACKENDS=1 (as .ci/run sets), which
# fails them.
set -euo pipefail
cd "$(dirname "$0")/.."

. tools/venv.sh requirements.txt test-requirements.txt
if [ "${HEALAPI_TEST_REQUIRE_BACKENDS:-}" = 1 ]; then
    tools/install-alertmanager.sh || echo "==> prometheus-alertmanager could not be installed: its tests will fail"
fi

echo "==> ruff check"
"$VENV/bin/ruff" check .

echo "==> pytest"
exec "$VENV/bin/python" -m pytest "$@"
