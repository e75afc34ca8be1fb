"""The engine's own healthcheck endpoint: readiness that names a failing
backend, liveness that a backend outage doesn't fail but a stalled loop
does, on the real PostgreSQL."""

import json
import socket
import threading
import urllib.parse

import pytest
import requests

from healapi.conf import CONF
from healapi.engine import service
from tests import tcpproxy
from tests.functional.commands.conftest import free_port
from tests.functional.engine import helpers
from tests.functional.engine.helpers import wait_for


def _probe(port, path='/healthcheck', method='GET'):
    """(status, reasons) of one probe, asking for JSON."""
    response = requests.request(
        method, 'http://127.0.0.1:%d%s' % (port, path), timeout=10,
        headers={'Accept': 'application/json'})
    if method == 'HEAD':
        return response.status_code, None
    return response.status_code, json.loads(response.text)['reasons']


def _conf(tmp_path, url, port):
    conf = tmp_path / 'healapi.conf'
    conf.write_text(
        '[DEFAULT]\nstate_path = %s\n'
        '[database]\nconnection = %s\n'
        '[engine]\npoll_interval = 0.1\nhealthcheck_port = %d\n'
        '[coordination]\nbackend_url = file://%s\n'
        '[healthcheck]\ncache_time = 0.2\ncheck_timeout = 1\n'
        % (tmp_path / 'state', url, port, tmp_path / 'coordination'))
    return conf


def test_readiness_names_a_failing_backend_and_liveness_holds(
        proxied_postgresql, engine_process, tmp_path):
    proxy, url = proxied_postgresql
    port = free_port()
    conf = _conf(tmp_path, url, port)
    helpers.migrate(conf)
    process, log = engine_process(conf)

    def ready():
        try:
            found = _probe(port)
        except requests.ConnectionError:
            return None  # Not listening yet.
        return found[0] == 200 and found
    status, reasons = wait_for(ready, 'the engine ready', timeout=30)
    assert reasons[0] == 'database: OK'
    assert reasons[1] == 'message broker: none configured (not needed)'
    assert reasons[2] == 'coordination: in a group of 1 engines'
    assert reasons[3].startswith('evaluation: as of change ')
    assert _probe(port, method='HEAD')[0] == 204
    assert _probe(port, '/healthcheck/live') == (
        200, ['evaluation loop: running'])
    text = requests.get('http://127.0.0.1:%d/healthcheck' % port, timeout=10)
    assert text.headers['Content-Type'].startswith('text/plain')
    assert requests.get('http://127.0.0.1:%d/other' % port,
                        timeout=10).status_code == 404

    # The database goes away: unready, naming it, but alive.
    proxy.stop()
    status, reasons = wait_for(
        lambda: _probe(port)[0] == 503 and _probe(port),
        'readiness to fail', timeout=15)
    assert [r for r in reasons if r.startswith('database: ')
            and r != 'database: OK'], reasons
    assert _probe(port, '/healthcheck/live')[0] == 200
    proxy.start()
    wait_for(lambda: _probe(port)[0] == 200, 'readiness back', timeout=30)
    assert process.poll() is None


def test_an_engine_whose_healthcheck_port_is_taken_refuses_to_start(
        postgresql, engine_process, tmp_path):
    with socket.create_server(('127.0.0.1', 0)) as taken:
        port = taken.getsockname()[1]
        conf = _conf(tmp_path, postgresql, port)
        helpers.migrate(conf)
        process, log = engine_process(conf)
        assert process.wait(timeout=60) == 1
    assert ("Cannot serve the engine's healthcheck on 127.0.0.1:%d" % port
            in log.read_text())


@pytest.fixture
def stuck_engine(database, monkeypatch):
    """A running engine (in this process) with its healthcheck, whose
    loop's turns block until the returned Event is set."""
    release = threading.Event()
    CONF.set_override('healthcheck_port', free_port(), group='engine')
    CONF.set_override('stall_timeout', 1, group='engine')
    CONF.set_override('cache_time', 0, group='healthcheck')
    CONF.set_override('backends', [], group='healthcheck')
    engine = service.EngineService()
    real_turn = engine.run_once

    def stuck_turn():
        release.wait()
        real_turn()
    monkeypatch.setattr(engine, 'run_once', stuck_turn)
    engine.start()
    yield engine, release
    release.set()
    engine.stop()


def test_a_stalled_loop_fails_liveness(stuck_engine):
    engine, release = stuck_engine
    port = engine.health.port
    status, reasons = wait_for(
        lambda: _probe(port, '/healthcheck/live')[0] == 503
        and _probe(port, '/healthcheck/live'), 'liveness to fail')
    assert reasons[0].startswith(
        'evaluation loop: stalled: its turn has run for ')
    assert reasons[0].endswith(' s (stall_timeout 1 s)')
    release.set()
    wait_for(lambda: _probe(port, '/healthcheck/live')[0] == 200,
             'liveness back')


def test_an_engine_cut_off_from_its_group_is_unready(database,
                                                     redis_backend):
    redis_url = urllib.parse.urlsplit(redis_backend)
    proxy = tcpproxy.TCPProxy((redis_url.hostname,
                               redis_url.port or 6379)).start()
    CONF.set_override('backend_url', redis_url._replace(
        netloc='127.0.0.1:%d' % proxy.port).geturl(), group='coordination')
    CONF.set_override('member_timeout', 1, group='coordination')
    CONF.set_override('heartbeat_interval', 0.2, group='coordination')
    CONF.set_override('healthcheck_port', free_port(), group='engine')
    CONF.set_override('healthcheck_backends', ['healapi_coordination'],
                      group='engine')
    CONF.set_override('cache_time', 0, group='healthcheck')
    engine = service.EngineService()
    engine.start()
    try:
        port = engine.health.port
        wait_for(lambda: _probe(port) == (
            200, ['coordination: in a group of 1 engines']), 'ready')
        proxy.stop()
        wait_for(lambda: _probe(port) == (
            503, ['coordination: no contact with the backend within '
                  'member_timeout (1 s)']), 'unready', timeout=15)
        assert _probe(port, '/healthcheck/live')[0] == 200
        proxy.start()
        wait_for(lambda: _probe(port)[0] == 200, 'ready again', timeout=15)
    finally:
        engine.stop()
        proxy.stop()
