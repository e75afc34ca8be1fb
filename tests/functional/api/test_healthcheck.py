"""The API's /healthcheck, as an orchestrator's probes see it, against the
real PostgreSQL and RabbitMQ behind proxies the tests cut, or in front of
a server that accepts connections and never answers."""

import json
import time

import pytest
import sqlalchemy as sa
import webtest

from healapi.api import app
from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.db import migration
from healapi.db.sqlalchemy import api as sqla_api
from healapi.healthcheck import endpoints
from tests import backends
from tests import tcpproxy
from tests.functional.engine.helpers import wait_for

#: A password in the database URL (PostgreSQL trusts loopback, so any will
#: do) that must never appear in any answer.
DB_PASSWORD = 'db-s3cret-never-shown'
BACKENDS = ['healapi_db', 'healapi_rabbitmq', 'healapi_engines']


@pytest.fixture(autouse=True)
def quick():
    CONF.set_override('check_timeout', 1.0, group='healthcheck')
    CONF.set_override('cache_time', 0.5, group='healthcheck')


@pytest.fixture
def proxied_database():
    """The API's database: a new PostgreSQL database, migrated, reached
    through a proxy (and with a password in its URL); yields the proxy."""
    scratch = backends.ScratchDatabase('postgresql')
    direct = sqla_api.create_engine(
        scratch.url.render_as_string(hide_password=False))
    migration.upgrade(engine=direct)
    direct.dispose()
    proxy = tcpproxy.TCPProxy((scratch.url.host,
                               scratch.url.port or 5432)).start()
    proxied = scratch.url.set(host='127.0.0.1', port=proxy.port,
                              password=DB_PASSWORD).render_as_string(
        hide_password=False)
    CONF.set_override('connection', proxied, group='database')
    engine = sqla_api.create_engine(proxied)
    undo = sqla_api.patch_engine(engine)
    yield proxy
    undo()
    engine.dispose()
    proxy.stop()
    scratch.drop()


@pytest.fixture
def broker():
    """The API's message broker, RabbitMQ reached through a proxy; yields
    the proxy."""
    upstream = sa.engine.make_url(
        backends.rabbitmq_url().replace('rabbit://', 'amqp://'))
    proxy = tcpproxy.TCPProxy((upstream.host, upstream.port or 5672)).start()
    CONF.set_override('transport_url', 'rabbit://guest:guest@127.0.0.1:%d/'
                      % proxy.port)
    yield proxy
    proxy.stop()


@pytest.fixture
def client(proxied_database, broker):
    """The API, checking the database, the broker and the engines, with
    Keystone authentication (which the healthcheck must not need)."""
    CONF.set_override('backends', BACKENDS, group='healthcheck')
    CONF.set_override('auth_strategy', 'keystone', group='api')
    CONF.set_override('www_authenticate_uri', 'http://127.0.0.1:5000',
                      group='keystone_authtoken')
    db_api.get_instance().record_heartbeat('engine-1', 'host-a', 1, '1.0')
    return webtest.TestApp(app.build_wsgi_app())


def _get(client, path=endpoints.READINESS, accept='text/plain'):
    return client.get(path, headers={'Accept': accept}, expect_errors=True)


def _reasons(client):
    response = _get(client, accept='application/json')
    return response.status_int, response.json['reasons']


def test_healthy_backends_answer_200_in_every_form(client, broker):
    text = _get(client)
    assert text.status_int == 200 and text.content_type == 'text/plain'
    assert text.text.splitlines() == [
        'database: OK',
        'message broker: logged into 127.0.0.1:%d' % broker.port,
        'engines: 1 alive']
    status, reasons = _reasons(client)
    assert status == 200 and reasons == text.text.splitlines()
    head = client.head(endpoints.READINESS)
    assert head.status_int == 204 and head.body == b''
    # No token: the healthcheck is outside authentication; the API isn't.
    assert client.get('/v1/policies', expect_errors=True).status_int == 401


@pytest.mark.parametrize('backend', ['database', 'message broker'])
def test_a_backend_cut_off_is_named_then_recovers(client, proxied_database,
                                                  broker, backend):
    proxy = {'database': proxied_database, 'message broker': broker}[backend]
    assert _get(client).status_int == 200
    proxy.stop()

    def failing():
        status, reasons = _reasons(client)
        return status == 503 and [r for r in reasons
                                  if r.startswith(backend + ': ')
                                  and not r.endswith(': OK')]
    (reason,) = wait_for(failing, '503 naming the %s' % backend, timeout=10)
    assert 'refused' in reason or 'unreachable' in reason
    others = [r for r in _reasons(client)[1] if not r.startswith(backend)]
    assert others and not any('unreachable' in r for r in others)
    assert client.head(endpoints.READINESS,
                       expect_errors=True).status_int == 503
    # The process itself is fine: alive, just not ready.
    assert _get(client, endpoints.LIVENESS).status_int == 200

    proxy.start()
    wait_for(lambda: _get(client).status_int == 200, 'recovery', timeout=15)


@pytest.mark.parametrize('backend', ['database', 'message broker'])
def test_a_hung_backend_does_not_hang_the_probe(backend):
    silent = tcpproxy.SilentServer()
    try:
        if backend == 'database':
            url = 'postgresql+psycopg2://postgres@127.0.0.1:%d/x' % (
                silent.port)
            CONF.set_override('connection', url, group='database')
            # SQLAlchemy's own engine: oslo.db's would connect at once.
            undo = sqla_api.patch_engine(sa.create_engine(url))
            CONF.set_override('backends', ['healapi_db'], group='healthcheck')
        else:
            CONF.set_override('transport_url', 'rabbit://guest:guest@'
                              '127.0.0.1:%d/' % silent.port)
            CONF.set_override('backends', ['healapi_rabbitmq'],
                              group='healthcheck')
            undo = None
        client = webtest.TestApp(app.build_wsgi_app())
        for _ in range(3):  # and again, while the first probe still hangs
            started = time.monotonic()
            status, reasons = _reasons(client)
            waited = time.monotonic() - started
            assert status == 503
            (reason,) = reasons
            # Either the check's own timeout or, sooner, the broker
            # client's socket timeout (set to the same) gives up.
            assert reason == '%s: no answer within 1.0 s' % backend or (
                backend == 'message broker' and reason.endswith(
                    'unavailable (TimeoutError: timed out)')), reason
            assert waited < 1.0 + 1.0, waited
            time.sleep(0.6)  # past cache_time
    finally:
        silent.stop()
        if undo is not None:
            undo()


def test_probes_within_the_cache_time_reach_the_backend_once(client,
                                                             monkeypatch):
    dbapi = db_api.get_instance()
    pings = []
    real_ping = dbapi.ping
    monkeypatch.setattr(dbapi, 'ping', lambda: pings.append(1) or real_ping())
    CONF.set_override('cache_time', 30, group='healthcheck')
    for _ in range(20):
        assert _get(client).status_int == 200
    assert len(pings) == 1


def test_no_credential_in_any_output(client, broker):
    """Not the database's password, not the broker's, not their URLs:
    in plain text, JSON or HTML, detailed or not, healthy or failing."""
    CONF.set_override('transport_url', 'rabbit://guest:wr0ng-passw0rd@'
                      '127.0.0.1:%d/' % broker.port)
    secrets = [DB_PASSWORD, 'wr0ng-passw0rd', CONF.transport_url,
               CONF.database.connection]
    for detailed in (False, True):
        CONF.set_override('detailed', detailed, group='healthcheck')
        client = webtest.TestApp(app.build_wsgi_app())
        for accept in ('text/plain', 'application/json', 'text/html'):
            response = _get(client, accept=accept)
            assert response.status_int == 503  # the login is refused
            assert 'message broker: ' in response.text
            assert not [s for s in secrets if s in response.text]
    CONF.set_override('detailed', False, group='healthcheck')
    client = webtest.TestApp(app.build_wsgi_app())
    (reason,) = [r for r in _reasons(client)[1]
                 if r.startswith('message broker')]
    assert reason.startswith('message broker: 127.0.0.1:%d unavailable '
                             '(AccessRefused: ' % broker.port), reason


def test_detailed_output_shows_each_check_and_its_time(client):
    CONF.set_override('detailed', True, group='healthcheck')
    client = webtest.TestApp(app.build_wsgi_app())
    body = json.loads(_get(client, accept='application/json').text)
    assert body['detailed'] is True
    checks = {r['reason'].split(':')[0]: r['details'] for r in body['reasons']}
    assert sorted(checks) == ['database', 'engines', 'message broker']
    assert all(d.startswith('took ') and ' ms, ' in d and d.endswith(' ago')
               for d in checks.values())


def test_without_a_broker_the_broker_check_passes(client):
    CONF.clear_override('transport_url')
    client = webtest.TestApp(app.build_wsgi_app())
    assert 'message broker: none configured (not needed)' in _reasons(
        client)[1]


def test_without_a_live_engine_the_engines_check_fails(client):
    db_api.get_instance().delete_engine('engine-1')
    status, reasons = _reasons(client)
    assert status == 503
    assert 'engines: none alive (no heartbeat within 10 s)' in reasons


def test_a_file_drains_the_api(client, tmp_path):
    flag = tmp_path / 'drain'
    CONF.set_override('backends', ['disable_by_file', 'healapi_db'],
                      group='healthcheck')
    CONF.set_override('disable_by_file_path', str(flag),
                      group='healthcheck')
    client = webtest.TestApp(app.build_wsgi_app())
    assert _get(client).status_int == 200
    flag.write_text('')
    assert _get(client).status_int == 503
    assert _get(client, endpoints.LIVENESS).status_int == 200


def test_only_the_healthcheck_paths_and_methods_reach_it(client):
    assert _get(client, '/healthcheck/').status_int == 200
    # Anything else is the API's, behind authentication.
    for path in ('/healthcheck/other', '/healthcheckx'):
        assert _get(client, path).status_int == 401
    assert client.post('/healthcheck', expect_errors=True).status_int == 401


def test_requests_it_ignores_are_not_forwarded(client):
    CONF.set_override('allowed_source_ranges', ['10.0.0.0/8'],
                      group='healthcheck')
    client = webtest.TestApp(app.build_wsgi_app())
    response = client.get(endpoints.READINESS, expect_errors=True,
                          extra_environ={'REMOTE_ADDR': '127.0.0.1'},
                          headers={'Host': '127.0.0.1:9'})
    assert response.status_int == 404


def test_an_unknown_backend_is_refused_at_start(client):
    CONF.set_override('backends', ['healapi_db', 'healapi_nosuch'],
                      group='healthcheck')
    with pytest.raises(endpoints.UnknownBackends) as refused:
        app.build_wsgi_app()
    assert 'Unknown healthcheck backends: healapi_nosuch.' in str(
        refused.value)
    assert 'healapi_db' in str(refused.value)
