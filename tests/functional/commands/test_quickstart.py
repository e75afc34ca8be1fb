"""The README's first command, tools/quickstart.sh, as a new user runs it."""

import os
import signal
import subprocess
import sys
import time

import requests

from tests.functional.commands.conftest import free_port

QUICKSTART = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                          'tools', 'quickstart.sh')


def _wait_for_output(process, text, timeout=180):
    """Output lines until one containing ``text``; fails on exit/timeout."""
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if text in line:
            return ''.join(lines)
    raise AssertionError('quickstart.sh never printed %r:\n%s'
                         % (text, ''.join(lines)))


def test_quickstart_serves_the_demo_and_stops_cleanly(tmp_path):
    port = free_port()
    env = dict(os.environ, HEALAPI_PORT=str(port),
               HEALAPI_QUICKSTART_DIR=str(tmp_path / 'quickstart'),
               HEALAPI_VENV=sys.prefix)
    process = subprocess.Popen(['bash', QUICKSTART], env=env, text=True,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        output = _wait_for_output(process, 'Ctrl-C stops the API.')
        base = 'http://127.0.0.1:%d' % port
        policies = requests.get(base + '/v1/policies').json()['policies']
        datasources = requests.get(
            base + '/v1/datasources').json()['datasources']
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)

    assert [p['name'] for p in policies] == ['vm_health']
    assert [d['name'] for d in datasources] == ['monitoring']
    assert datasources[0]['config'] == {'api_token': '<hidden>'}
    assert "curl -si %s/v1/policies/%s/status" % (base, policies[0]['id']) \
        in output
    assert (tmp_path / 'quickstart' / 'healapi.sqlite').exists()
    # The API went down with the script.
    try:
        requests.get(base + '/', timeout=2)
        still_serving = True
    except requests.ConnectionError:
        still_serving = False
    assert not still_serving
