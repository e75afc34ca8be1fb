"""The README's first command, tools/quickstart.sh, as a new user runs it."""

import os
import signal
import subprocess
import sys
import time

import requests

from tests.functional.commands.conftest import free_port

#: Runs a command with SIGINT as a terminal's shell gives it: a job started
#: in the background (as CI may be) inherits SIGINT ignored, and bash can't
#: trap a signal ignored on entry.
AS_FROM_A_TERMINAL = [
    sys.executable, '-c',
    'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); '
    'os.execvp(sys.argv[1], sys.argv[1:])']
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


def _wait_for_violations(base, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = requests.get(base + '/v1/violations').json()['violations']
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError('no violation appeared within %d s' % timeout)


def _kill_group(pgid):
    """Kill whatever is left of the script's process group (nothing, if
    it stopped cleanly), so that a failing test leaves no server behind."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_quickstart_serves_the_demo_and_stops_cleanly(tmp_path):
    port = free_port()
    env = dict(os.environ, HEALAPI_PORT=str(port),
               HEALAPI_QUICKSTART_DIR=str(tmp_path / 'quickstart'),
               HEALAPI_VENV=sys.prefix)
    process = subprocess.Popen(AS_FROM_A_TERMINAL + ['bash', QUICKSTART],
                               env=env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        output = _wait_for_output(process,
                                  'Ctrl-C stops the API and the engine.')
        base = 'http://127.0.0.1:%d' % port
        policies = requests.get(base + '/v1/policies').json()['policies']
        datasources = requests.get(
            base + '/v1/datasources').json()['datasources']
        # The engine runs too: a pushed row becomes a violation.
        requests.patch(
            '%s/v1/datasources/%s/tables/vm_status/rows'
            % (base, datasources[0]['id']),
            json={'insert': [['vm1', 'down']]}).raise_for_status()
        violations = _wait_for_violations(base)
        engines = requests.get(base + '/v1/engines').json()['engines']
    finally:
        # Ctrl-C: SIGINT to the terminal's foreground process group.
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
            leftovers = subprocess.run(
                ['pgrep', '-g', str(process.pid)], capture_output=True,
                text=True).stdout
        finally:
            _kill_group(process.pid)

    assert [p['name'] for p in policies] == ['vm_health']
    assert [d['name'] for d in datasources] == ['monitoring']
    assert datasources[0]['config']['api_token'] == '<hidden>'
    assert [(v['values'], v['status']) for v in violations] == [
        (['vm1'], 'active')]
    assert len(engines) == 1
    # What it prints to try names the demo objects it made.
    assert ('curl -s -X PATCH %s/v1/datasources/%s/tables/vm_status/rows'
            % (base, datasources[0]['id'])) in output
    assert ("curl -s '%s/v1/policies/%s/tables/error/rows?trace=true'"
            % (base, policies[0]['id'])) in output
    assert (tmp_path / 'quickstart' / 'healapi.sqlite').exists()
    # The API and the engine went down with the script.
    try:
        requests.get(base + '/', timeout=2)
        still_serving = True
    except requests.ConnectionError:
        still_serving = False
    assert not still_serving
    assert leftovers == ''
