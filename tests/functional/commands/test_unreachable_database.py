"""The API under gunicorn when its database can't be reached: each request
answers 503 within [database]/network_timeout, from the first one on, and
the API serves again once the database is back, without a restart."""

import os
import time

import pytest
import requests

from healapi.db import migration
from healapi.db.sqlalchemy import api as sqla_api
from tests import backends
from tests import tcpproxy
from tests.functional.commands.conftest import command
from tests.functional.commands.conftest import free_port

ETC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'etc',
                   'healapi')
NETWORK_TIMEOUT = 2


@pytest.fixture(params=['postgresql', 'mysql'])
def scratch(request):
    """A migrated scratch database of each server."""
    scratch = backends.ScratchDatabase(request.param)
    engine = sqla_api.create_engine(
        scratch.url.render_as_string(hide_password=False))
    migration.upgrade(engine=engine)
    engine.dispose()
    yield scratch
    scratch.drop()


def _serve(server, config_file, tmp_path, url):
    """The API under gunicorn as documented, on the database at ``url``."""
    port = free_port()
    conf = config_file({
        'DEFAULT': {'state_path': str(tmp_path / 'state')},
        'api': {'auth_strategy': 'noauth'},
        'database': {'connection': url.render_as_string(hide_password=False),
                     'network_timeout': NETWORK_TIMEOUT}})
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
        scratch, server, config_file, tmp_path):
    proxy = tcpproxy.TCPProxy((scratch.url.host, scratch.url.port))
    proxy.start()
    proxy.stop()
    try:
        api = _serve(server, config_file, tmp_path,
                     scratch.url.set(host='127.0.0.1', port=proxy.port))
        for _ in range(3):
            response, elapsed = _timed_get(api + '/v1/policies')
            _assert_unavailable(response)
            assert elapsed < NETWORK_TIMEOUT

        proxy.start()
        response, _ = _timed_get(api + '/v1/policies')
        assert response.status_code == 200
    finally:
        proxy.stop()


def test_a_database_that_never_answers_fails_requests_in_the_timeout(
        scratch, server, config_file, tmp_path):
    silent = tcpproxy.SilentServer()
    try:
        api = _serve(server, config_file, tmp_path,
                     scratch.url.set(host='127.0.0.1', port=silent.port))
        response, elapsed = _timed_get(api + '/v1/violations/'
                                       '0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11'
                                       '/status')
        _assert_unavailable(response)
        assert NETWORK_TIMEOUT - 0.5 < elapsed < NETWORK_TIMEOUT + 5
    finally:
        silent.stop()
