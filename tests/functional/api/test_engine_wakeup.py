"""After every write that succeeds, the API wakes the engines through the
message broker; a broker that is down never fails or slows the write."""

import json
import logging
import socket
import threading
import time

from oslo_utils import uuidutils
import oslo_messaging
import pytest

from healapi.common import messaging
from healapi.conf import CONF
from tests import backends
from tests.functional.api import helpers

TABLES = {'tables': {'servers': ['id', 'status']}}


class CountingWaker:
    def __init__(self):
        self.calls = 0

    def wake(self):
        self.calls += 1


def test_every_successful_write_wakes_the_engines_once(api, monkeypatch):
    waker = CountingWaker()
    monkeypatch.setattr(messaging, 'engine_waker', waker)

    def wakes(method, url, body=None):
        before = waker.calls
        api.request(url, method=method, expect_errors=True,
                    body=b'' if body is None else json.dumps(body).encode(),
                    headers={'Content-Type': 'application/json'})
        return waker.calls - before

    datasource = helpers.create_datasource(api, config=TABLES)
    policy = helpers.create_policy(api)
    assert waker.calls == 2
    ds_url = '/v1/datasources/%s' % datasource['id']
    policy_url = '/v1/policies/%s' % policy['id']
    rows_url = helpers.rows_url(datasource, 'servers')
    violation = helpers.insert_violation(policy, ['vm-1'])

    assert wakes('PUT', rows_url, {'rows': [['vm-1', 'ERROR']]}) == 1
    assert wakes('PATCH', rows_url, {'insert': [['vm-2', 'ERROR']]}) == 1
    assert wakes('PATCH', ds_url, {'description': 'x'}) == 1
    assert wakes('PATCH', policy_url, {'severity': 'high'}) == 1
    assert wakes('POST', policy_url + '/rules',
                 {'rule': 'error(vm) :- nova:servers(vm, "PAUSED")'}) == 1
    rule_id = api.get(policy_url).json['rules'][-1]['id']
    assert wakes('DELETE', policy_url + '/rules/' + rule_id) == 1
    # Reads, writes that store nothing the engines read, and refusals.
    for method, url, body in [
            ('GET', rows_url, None), ('HEAD', ds_url, None),
            ('GET', policy_url + '/tables/error/rows', None),
            ('POST', policy_url + '/simulate', {}),
            ('POST', '/v1/violations/%s/acknowledge' % violation, None),
            ('PUT', rows_url, {'rows': [['too', 'many', 'values']]}),
            ('PATCH', helpers.rows_url(datasource, 'volumes'),
             {'insert': [['vm-1']]}),
            ('POST', '/v1/datasources', {'name': 'nova', 'driver': 'push'}),
            ('DELETE', '/v1/policies/%s' % uuidutils.generate_uuid(), None)]:
        assert wakes(method, url, body) == 0, (method, url)
    assert wakes('DELETE', ds_url) == 1
    assert wakes('DELETE', policy_url) == 1


@pytest.fixture
def own_waker(monkeypatch):
    """A waker and transports of this test's own, closed after it."""
    monkeypatch.setattr(messaging, '_TRANSPORTS', {})
    monkeypatch.setattr(messaging, 'engine_waker', messaging.EngineWaker())
    yield
    messaging.cleanup()


class WakeUpCounter:
    """An engine's RPC endpoint, counting the wake-ups it gets."""

    def __init__(self):
        self.calls = 0
        self.woken = threading.Event()

    def wake_up(self, context):
        self.calls += 1
        self.woken.set()


@pytest.fixture
def engine_endpoint(monkeypatch):
    """A WakeUpCounter served on the engines' topic of the broker (a topic
    of this test's own, out of reach of other tests' engines)."""
    CONF.set_override('transport_url', backends.rabbitmq_url())
    monkeypatch.setattr(messaging, 'ENGINE_TOPIC',
                        'healapi-engine-test-' + uuidutils.generate_uuid())
    transport = oslo_messaging.get_rpc_transport(CONF)
    counter = WakeUpCounter()
    server = oslo_messaging.get_rpc_server(
        transport, messaging.engine_target(
            server='test-' + uuidutils.generate_uuid()),
        [counter])
    server.start()
    try:
        # Until the server's queue is bound, a fanout cast is lost.
        client = oslo_messaging.get_rpc_client(
            transport, messaging.engine_target()).prepare(fanout=True)
        deadline = time.monotonic() + 20
        while not counter.woken.wait(0.2):
            assert time.monotonic() < deadline, 'the test server never woke'
            client.cast({}, 'wake_up')
        time.sleep(0.5)  # The casts sent while waiting arrive too.
        counter.woken.clear()
        yield counter
    finally:
        server.stop()
        server.wait()
        transport.cleanup()


def test_a_patch_of_rows_wakes_the_engines(api, own_waker, engine_endpoint):
    datasource = helpers.create_datasource(api, config=TABLES)
    assert engine_endpoint.woken.wait(10), 'no wake-up after the POST'
    engine_endpoint.woken.clear()
    before = engine_endpoint.calls

    api.patch_json(helpers.rows_url(datasource, 'servers'),
                   {'insert': [['vm-1', 'ERROR']]})

    assert engine_endpoint.woken.wait(10), 'no wake-up after the PATCH'
    assert engine_endpoint.calls == before + 1


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_a_write_succeeds_at_once_with_the_broker_down(api, own_waker,
                                                       caplog):
    CONF.set_override('transport_url',
                      'rabbit://guest:guest@127.0.0.1:%d/' % _closed_port())
    datasource = helpers.create_datasource(api, config=TABLES)

    started = time.monotonic()
    response = api.patch_json(helpers.rows_url(datasource, 'servers'),
                              {'insert': [['vm-1', 'ERROR']]})
    elapsed = time.monotonic() - started

    assert response.json == {'added': 1, 'removed': 0}
    assert elapsed < 1.0
    assert helpers.all_rows(api, datasource, 'servers') == [['vm-1',
                                                             'ERROR']]
    # The failed wake-up is logged, and left to the engines' polling.
    deadline = time.monotonic() + 20
    while not any('Could not wake the engines' in record.getMessage()
                  for record in caplog.records):
        assert time.monotonic() < deadline, 'the failed wake-up was not logged'
        time.sleep(0.1)
    assert all(record.levelno <= logging.WARNING
               for record in caplog.records
               if record.name.startswith('healapi'))
