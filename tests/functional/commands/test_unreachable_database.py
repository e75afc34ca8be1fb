"""The API under gunicorn and the engine when their database can't be
reached: each request answers 503 within [database]/network_timeout, from
the first one on; once the database is back both serve again by
themselves, and every write that was accepted is there."""

import itertools
import os
import subprocess
import threading
import time

import pytest
import requests
import sqlalchemy as sa

from healapi.db.sqlalchemy import models
from tests import tcpproxy
from tests.functional.commands.conftest import command
from tests.functional.commands.conftest import free_port
from tests.functional.engine.helpers import wait_for

ETC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'etc',
                   'healapi')
NETWORK_TIMEOUT = 2
#: How long the database stays away under load (the issue's 30 s).
OUTAGE = 30
#: How soon after the database is back the API must serve again.
RECOVERY = 5


# The database servers only: an embedded one can't be cut off.
pytestmark = pytest.mark.parametrize('migrated_database',
                                     ['postgresql', 'mysql'], indirect=True)


@pytest.fixture
def direct(migrated_database):
    """An engine on the test's migrated database, reached directly."""
    return migrated_database[1]


def _conf(config_file, tmp_path, url):
    return config_file({
        'DEFAULT': {'state_path': str(tmp_path / 'state')},
        'api': {'auth_strategy': 'noauth'},
        'database': {'connection': url.render_as_string(hide_password=False),
                     'network_timeout': NETWORK_TIMEOUT},
        'engine': {'poll_interval': 0.1, 'heartbeat_interval': 0.2}})


def _serve(server, config_file, tmp_path, url):
    """The API under gunicorn as documented, on the database at ``url``."""
    port = free_port()
    conf = _conf(config_file, tmp_path, url)
    return server([command('gunicorn'), '-c',
                   os.path.join(ETC, 'gunicorn.conf.py'),
                   '--bind', '127.0.0.1:%d' % port],
                  port, env={'HEALAPI_CONFIG_FILE': conf})


def _timed_get(url):
    start = time.monotonic()
    response = requests.get(url, timeout=60)
    return response, time.monotonic() - start


def _assert_unavailable(response):
    assert response.status_code == 503, response.text
    assert response.json()['errors'][0]['code'] == \
        'healapi.database_unavailable'


def test_an_api_started_while_the_database_is_down_answers_503_at_once(
        direct, server, config_file, tmp_path):
    proxy = tcpproxy.TCPProxy((direct.url.host, direct.url.port))
    proxy.start()  # Which chooses its port; stopped, it refuses.
    proxy.stop()
    try:
        api = _serve(server, config_file, tmp_path,
                     direct.url.set(host='127.0.0.1', port=proxy.port))
        for _ in range(3):
            response, elapsed = _timed_get(api + '/v1/policies')
            _assert_unavailable(response)
            # Not after oslo.db's startup retries (10 s apart by default).
            assert elapsed < 5

        proxy.start()
        response, _ = _timed_get(api + '/v1/policies')
        assert response.status_code == 200
    finally:
        proxy.stop()


def test_a_database_that_never_answers_fails_requests_in_the_timeout(
        direct, server, config_file, tmp_path):
    silent = tcpproxy.SilentServer()
    try:
        api = _serve(server, config_file, tmp_path,
                     direct.url.set(host='127.0.0.1', port=silent.port))
        response, elapsed = _timed_get(api + '/v1/violations/'
                                       '0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11'
                                       '/status')
        _assert_unavailable(response)
        assert NETWORK_TIMEOUT - 0.5 < elapsed < NETWORK_TIMEOUT + 5
    finally:
        silent.stop()


def test_a_30_s_outage_under_load_loses_no_accepted_write(
        direct, server, config_file, tmp_path):
    """Monitoring keeps pushing rows while the database is away for 30 s:
    each push is stored (200) or refused (503) within the timeout; after
    the outage the API serves within seconds, and the engine, never
    restarted, finds the violation of every row that was accepted."""
    proxy = tcpproxy.TCPProxy((direct.url.host, direct.url.port)).start()
    proxied = direct.url.set(host='127.0.0.1', port=proxy.port)
    engine_log = open(tmp_path / 'engine.log', 'w+')
    engine = subprocess.Popen(
        [command('healapi-engine'), '--config-file',
         _conf(config_file, tmp_path, proxied)],
        stdout=engine_log, stderr=subprocess.STDOUT)
    answers = []  # (vm, status, seconds taken, when answered) of pushes
    stop = threading.Event()
    try:
        api = _serve(server, config_file, tmp_path, proxied)
        datasource = requests.post(api + '/v1/datasources', json={
            'name': 'mon', 'driver': 'push',
            'config': {'tables': {'vm_status': ['vm', 'status']}}}).json()
        policy = requests.post(api + '/v1/policies', json={
            'name': 'vm_health',
            'rules': [{'rule': 'error(vm) :- mon:vm_status(vm, "ERROR")'}]})
        assert policy.status_code == 201
        rows = '%s/v1/datasources/%s/tables/vm_status/rows' % (
            api, datasource['id'])

        def monitoring(number):
            session = requests.Session()
            for count in itertools.count():
                if stop.is_set():
                    return
                vm = 'vm-%d-%d' % (number, count)
                start = time.monotonic()
                response = session.patch(
                    rows, json={'insert': [[vm, 'ERROR']]}, timeout=60)
                answered = time.monotonic()
                answers.append((vm, response.status_code,
                                answered - start, answered))
                if response.status_code == 503:
                    assert response.json()['errors'][0]['code'] == \
                        'healapi.database_unavailable'
                time.sleep(0.05)

        clients = [threading.Thread(target=monitoring, args=(number,))
                   for number in range(4)]
        for client in clients:
            client.start()
        time.sleep(2)
        proxy.stop()
        time.sleep(OUTAGE)
        proxy.start()
        back = time.monotonic()
        wait_for(lambda: any(status == 200 and answered > back
                             for _, status, _, answered in answers),
                 'a push stored after the outage', RECOVERY)
        time.sleep(2)
        stop.set()
        for client in clients:
            client.join()

        statuses = {status for _, status, _, _ in answers}
        assert statuses == {200, 503}, statuses
        assert max(seconds for _, _, seconds, _ in answers) < \
            NETWORK_TIMEOUT + 3
        accepted = {vm for vm, status, _, _ in answers if status == 200}
        wait_for(lambda: accepted <= _active_vms(direct),
                 'a violation of every accepted row', 60)
        assert engine.poll() is None
    finally:
        stop.set()
        engine.terminate()
        engine.wait(timeout=30)
        engine_log.close()
        proxy.stop()


def _active_vms(engine):
    query = sa.select(models.Violation.values).where(
        models.Violation.status == 'active')
    with engine.connect() as connection:
        return {values[0] for values in connection.execute(query).scalars()}

