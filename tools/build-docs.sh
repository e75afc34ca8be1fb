#!/usr/bin/env bash
# Build the documentation, the API reference and the release notes with
# warnings as errors (what tox -e docs,api-ref,releasenotes do), in a venv
# of their own ($HEALAPI_DOCS_VENV, default .docs-venv).
set -euo pipefail
cd "$(dirname "$0")/.."

HEALAPI_VENV=${HEALAPI_DOCS_VENV:-$PWD/.docs-venv} \
    . tools/venv.sh requirements.txt doc/requirements.txt

for target in doc/source:doc/build/html api-ref/source:api-ref/build/html \
              releasenotes/source:releasenotes/build/html; do
    echo "==> sphinx-build ${target%%:*}"
    rm -rf "${target#*:}"
    "$VENV/bin/sphinx-build" -a -E -W -q -b html "${target%%:*}" \
        "${target#*:}"
done
