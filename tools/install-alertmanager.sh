#!/usr/bin/env bash
# Install Prometheus Alertmanager from Debian's packages, for the tests that
# send its webhooks to healapi (tests/functional/datasources). Needs root
# or password-less sudo; the package's service is not started.
set -euo pipefail
if [ -x /usr/bin/prometheus-alertmanager ]; then
    exit 0
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
    sudo=(sudo -n)
fi
echo "==> Installing prometheus-alertmanager"
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
    --no-install-recommends prometheus-alertmanager >/dev/null \
    || { "${sudo[@]}" apt-get update -q >/dev/null &&
         DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
             --no-install-recommends prometheus-alertmanager >/dev/null; }
