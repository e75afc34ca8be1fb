"""The outbox dispatcher against the real database, RabbitMQ and a real
HTTP receiver: what arrives, in which order, and what an outage does."""

import itertools
import json
import logging
from unittest import mock

import pytest
from oslo_utils import timeutils

from healapi.common import events
from healapi.common import messaging
from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.engine import dispatcher as dispatcher_mod
from tests import tcpproxy
from tests.functional.engine.helpers import wait_for

PROJECT = 'project-a'
#: The engine these tests record findings as.
ENGINE_ID = 'engine-under-test'


@pytest.fixture(autouse=True)
def quick_retries():
    CONF.set_override('dispatch_interval', 0.05, group='outbox')
    CONF.set_override('retry_initial_delay', 0.05, group='outbox')
    CONF.set_override('retry_max_delay', 0.4, group='outbox')


@pytest.fixture
def dbapi(database):
    return db_api.get_instance()


@pytest.fixture
def dispatcher(dbapi):
    """A dispatcher; a test starts its thread or calls run_once()."""
    dispatcher = dispatcher_mod.Dispatcher()
    yield dispatcher
    dispatcher.stop()
    messaging.cleanup()


@pytest.fixture
def broker(broker):
    """The test's topic, configured as healapi's notification topic and
    transport (directly; tests of outages put a proxy in between)."""
    CONF.set_override('transport_url', broker.transport_url())
    CONF.set_override('topics', [broker.topic],
                      group='oslo_messaging_notifications')
    return broker


def _policy(dbapi, webhooks=()):
    """A policy, owned by ENGINE_ID."""
    policy = dbapi.create_policy(
        {'name': 'vm_health', 'project_id': PROJECT, 'severity': 'high',
         'violation_table': 'error',
         'actions': [{'type': 'webhook', 'url': url} for url in webhooks]},
        [{'rule': 'error(vm) :- nova:servers(vm, "ERROR")'}])
    dbapi.claim_policies(ENGINE_ID, [policy.id])
    return policy


def _outbox(dbapi, **filters):
    return dbapi.list_outbox_events(filters=filters)


def _all_done(dbapi):
    """The outbox once nothing is pending, or None."""
    found = _outbox(dbapi)
    return None if any(e.status == 'pending' for e in found) else found


def _record_flapping(dbapi, policy, wake):
    """vm-1 and vm-2 go wrong, vm-1 recovers: 3 events per target."""
    dbapi.record_violations(policy, ENGINE_ID, appeared=[(['vm-1'], None),
                                              (['vm-2'], None)])
    wake()
    dbapi.record_violations(policy, ENGINE_ID, disappeared=[['vm-1']])
    wake()


def _in_order(bodies):
    """{violation id: its event types in the order they arrived}."""
    order = {}
    for body in bodies:
        order.setdefault(body['violation']['id'], []).append(
            body['event_type'])
    return order


#: Sorted: vm-2's events, then vm-1's.
EXPECTED_ORDER = [[events.VIOLATION_ACTIVE],
                  [events.VIOLATION_ACTIVE, events.VIOLATION_RESOLVED]]


def test_notifications_arrive_on_the_bus_once_each(dbapi, dispatcher,
                                                   broker):
    policy = _policy(dbapi)
    dispatcher.start()
    _record_flapping(dbapi, policy, dispatcher.wake)

    outbox = wait_for(lambda: _all_done(dbapi), 'delivery')
    assert [e.status for e in outbox] == ['delivered'] * 3
    published = broker.drain()
    by_id = {e.event_id: e for e in outbox}
    assert sorted(m['payload']['event_id'] for m in published) == sorted(
        by_id)
    for message in published:
        event = by_id[message['payload']['event_id']]
        assert message['event_type'] == event.event_type
        assert message['payload'] == event.payload
        assert message['priority'] == 'INFO'
        assert message['publisher_id'] == (
            'healapi-engine.%s' % CONF.engine.host)
        assert event.attempt_log[0].detail == (
            'published to %s.info' % broker.topic)
    assert sorted(_in_order(m['payload'] for m in published).values()) == (
        EXPECTED_ORDER)


def test_webhooks_get_the_documented_post_in_order(dbapi, dispatcher,
                                                   receiver):
    policy = _policy(dbapi, [receiver.url('/hook'), receiver.url('/other')])
    receiver.statuses = [503]  # The first call fails; order holds anyway.
    dispatcher.start()
    _record_flapping(dbapi, policy, dispatcher.wake)

    outbox = wait_for(lambda: _all_done(dbapi), 'delivery')
    webhooks = [e for e in outbox if e.target == 'webhook']
    assert len(webhooks) == 6 and len(receiver.requests) == 7
    failed = [a for e in webhooks for a in e.attempt_log if not a.succeeded]
    assert [a.detail for a in failed] == ['HTTP 503: go away']
    for path in ('/hook', '/other'):
        bodies = receiver.bodies(path)
        assert sorted(_in_order(bodies).values()) == EXPECTED_ORDER
        sent = {e.event_id: e.payload for e in webhooks
                if e.url == receiver.url(path)}
        assert {b['event_id']: b for b in bodies} == sent
    for _, headers, body, _ in receiver.requests:
        assert headers['Content-Type'] == 'application/json'
        assert headers['X-Healapi-Event'] == body['event_type']
        assert headers['X-Healapi-Event-Id'] == body['event_id']
        assert headers['User-Agent'].startswith('healapi/')
    assert body['violation']['policy_name'] == 'vm_health'


def test_an_outage_delays_delivery_and_loses_nothing(dbapi, dispatcher,
                                                     broker, receiver):
    proxy = tcpproxy.TCPProxy(broker.address).start()
    try:
        CONF.set_override('transport_url', broker.transport_url(proxy.port))
        policy = _policy(dbapi, [receiver.url()])
        dispatcher.start()
        # Delivered before the outage: the dispatcher holds a connection.
        dbapi.record_violations(policy, ENGINE_ID, appeared=[(['vm-0'], None)])
        dispatcher.wake()
        before = wait_for(lambda: _all_done(dbapi), 'delivery')
        assert len(broker.drain()) == 1 and len(receiver.requests) == 1

        proxy.stop()
        receiver.stop()
        _record_flapping(dbapi, policy, dispatcher.wake)

        def failed_twice():
            tried = _outbox(dbapi, status='pending', attempts=('__gt__', 0))
            return len(tried) == 4 and all(
                e.attempts >= 2 for e in tried) and tried
        pending = wait_for(failed_twice, 'failed attempts')
        for event in pending:
            attempts = event.attempt_log
            assert not any(a.succeeded for a in attempts)
            assert event.next_attempt_at > attempts[-1].attempted_at
            # Each retry waited at least as long as the backoff said.
            for n, (one, then) in enumerate(itertools.pairwise(attempts)):
                assert (then.attempted_at - one.attempted_at).total_seconds(
                ) >= dispatcher_mod.retry_delay(n) - 0.02
        details = {e.target: e.last_error for e in pending}
        assert details['webhook'] == 'connection refused'
        assert 'MessageDeliveryFailure' in details['notification']
        assert 'guest' not in details['notification']
        # vm-1's resolved events wait behind its active ones.
        assert len(_outbox(dbapi, status='pending', attempts=0)) == 2
        assert broker.drain() == [] and len(receiver.requests) == 1

        proxy.start()
        receiver.start()
        outbox = wait_for(lambda: _all_done(dbapi), 'delivery after outage')
    finally:
        proxy.stop()
    assert {e.status for e in outbox} == {'delivered'}
    recovered = [e for e in outbox if e.id not in {b.id for b in before}]
    failed = {e.id: e.attempts for e in pending}
    for event in recovered:
        # Every failure recorded (at least those seen above), then the
        # success.
        outcomes = [a.succeeded for a in event.attempt_log]
        assert outcomes[-1] and not any(outcomes[:-1])
        assert len(outcomes) > failed.get(event.id, 0)
    published = broker.drain()
    assert sorted(m['payload']['event_id'] for m in published) == sorted(
        e.event_id for e in recovered if e.target == 'notification')
    assert sorted(_in_order(m['payload'] for m in published).values()) == (
        EXPECTED_ORDER)
    assert sorted(_in_order(receiver.bodies()[1:]).values()) == (
        EXPECTED_ORDER)


def test_failed_deliveries_back_off_exponentially(dbapi, dispatcher):
    policy = _policy(dbapi, ['http://127.0.0.1:9/nobody-listens'])
    dbapi.record_violations(policy, ENGINE_ID, appeared=[(['vm-1'], None)])
    now = [timeutils.utcnow()]  # The clock of the dispatcher and the DB.
    waits = []
    with mock.patch.object(timeutils, 'utcnow', lambda *_: now[0]):
        for n in range(5):
            # The first pass also logs the notification.
            assert dispatcher.run_once() == (2 if n == 0 else 1)
            assert dispatcher.run_once() == 0  # Not due again yet.
            event, = _outbox(dbapi, target='webhook')
            waits.append((event.next_attempt_at - now[0]).total_seconds())
            now[0] = event.next_attempt_at
    assert waits == [0.05, 0.1, 0.2, 0.4, 0.4]
    assert event.attempts == 5 and event.status == 'pending'
    assert {a.detail for a in event.attempt_log} == {'connection refused'}


def test_actions_change_rows_once(dbapi, dispatcher):
    datasource = dbapi.create_datasource(
        {'name': 'ops', 'project_id': PROJECT, 'driver': 'push',
         'config': {'tables': {'quarantined': ['vm'],
                               'status': ['vm', 'state']}}})
    dbapi.change_rows(datasource.id, 'status', [['vm-1', 'ERROR']], [],
                      PROJECT)
    policy = _policy(dbapi)
    counter = dbapi.change_counter()
    dbapi.record_violations(policy, ENGINE_ID, executions=[
        ('ops:insert', ['quarantined', 'vm-1']),
        ('ops:delete', ['status', 'vm-1', 'ERROR']),
        ('ops:reboot', ['vm-1']),
        ('ops:insert', ['quarantined', 'vm-1', 'extra']),
        ('ops:insert', ['nowhere', 'vm-1']),
        ('nova:servers.pause', ['vm-1']),
    ])

    assert dispatcher.run_once() == 6
    assert dispatcher.run_once() == 0  # Nothing is retried.
    outcome = [(e.payload['action'], e.status, e.attempts, e.last_error)
               for e in _outbox(dbapi, target='action')]
    assert outcome == [
        ('ops:insert', 'delivered', 1, None),
        ('ops:delete', 'delivered', 1, None),
        ('ops:reboot', 'failed', 1, "the push driver of datasource ops has "
         "no action 'reboot'; its actions: delete, insert"),
        ('ops:insert', 'failed', 1,
         'table quarantined has 1 columns (vm), not 2 values'),
        ('ops:insert', 'failed', 1, "datasource ops declares no table "
         "'nowhere'; its tables: quarantined, status"),
        ('nova:servers.pause', 'failed', 1,
         'no enabled datasource named nova in project project-a'),
    ]
    assert dbapi.rows_of(datasource.id, 'quarantined') == [['vm-1']]
    assert dbapi.rows_of(datasource.id, 'status') == []
    # The engine sees the actions' changes in its change feed.
    assert [(c.kind, c.table_name, c.payload) for c in dbapi.list_changes(
        counter)] == [
        ('rows', 'quarantined', {'added': [['vm-1']], 'removed': []}),
        ('rows', 'status', {'added': [], 'removed': [['vm-1', 'ERROR']]})]


def test_without_a_transport_notifications_go_to_the_log(dbapi, dispatcher,
                                                         caplog):
    caplog.set_level(logging.INFO, logger='oslo.messaging.notification')
    dbapi.record_violations(_policy(dbapi), ENGINE_ID,
                            appeared=[(['vm-1'], None)])

    assert dispatcher.run_once() == 1
    event, = _outbox(dbapi)
    assert (event.status, event.attempt_log[0].detail) == (
        'delivered', 'logged (no transport_url)')
    logged, = [json.loads(r.getMessage()) for r in caplog.records
               if r.name.startswith('oslo.messaging.notification.')]
    assert logged['event_type'] == events.VIOLATION_ACTIVE
    assert logged['payload'] == event.payload
    assert logged['publisher_id'] == 'healapi-engine.%s' % CONF.engine.host


def test_details_never_show_credentials():
    detail = dispatcher_mod.clean_detail(
        'failed on rabbit://user:s3cret@host:5672/ and '
        'https://token@example.com/x ' + 'x' * 500)
    assert 's3cret' not in detail and 'token' not in detail
    assert detail.startswith('failed on rabbit://host:5672/ and '
                             'https://example.com/x')
    assert len(detail) == dispatcher_mod.DETAIL_LENGTH
