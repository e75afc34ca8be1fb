"""healapi end to end, as deployed: the API (its whole WSGI pipeline, in
this process) and ``healapi-engine`` (a process of its own) on the real
PostgreSQL and RabbitMQ, announcing violations on a real queue and to a
real webhook receiver, through an outage of both."""

import pytest
import webtest

from healapi.api import app
from healapi.common import events
from healapi.common import messaging
from healapi.conf import CONF
from tests import tcpproxy
from tests.functional.engine import helpers
from tests.functional.engine.helpers import wait_for


@pytest.fixture
def rabbitmq(broker):
    """A proxy in front of the real RabbitMQ, which the test cuts; the
    API and the engine reach the broker only through it."""
    proxy = tcpproxy.TCPProxy(broker.address).start()
    yield proxy
    proxy.stop()


def _deliveries(api, violation):
    return api.get('/v1/violations/%s/deliveries'
                   % violation['id']).json['deliveries']


def _delivered(api, *violations):
    """Whether every event announcing ``violations`` was delivered."""
    found = [d for v in violations for d in _deliveries(api, v)]
    return found and all(d['status'] == 'delivered' for d in found)


def _announced(bodies):
    """(violation id, event type) of each event body, in arrival order."""
    return [(b['violation']['id'], b['event_type']) for b in bodies]


def test_violations_are_announced_once_each_through_an_outage(
        tmp_path, postgresql, broker, rabbitmq, receiver, engine_process):
    transport_url = broker.transport_url(rabbitmq.port)
    conf = tmp_path / 'healapi.conf'
    conf.write_text(
        '[DEFAULT]\nstate_path = %s\ntransport_url = %s\n'
        '[database]\nconnection = %s\n'
        '[engine]\npoll_interval = 0.5\nheartbeat_interval = 0.5\n'
        '[outbox]\ndispatch_interval = 0.1\nretry_initial_delay = 0.1\n'
        'retry_max_delay = 1\n'
        '[oslo_messaging_notifications]\ntopics = %s\n'
        % (tmp_path / 'state', transport_url, postgresql, broker.topic))
    helpers.migrate(conf)
    # The API wakes the engine through the same (cut) broker.
    CONF.set_override('transport_url', transport_url)
    CONF.set_override('auth_strategy', 'noauth', group='api')
    api = webtest.TestApp(app.build_wsgi_app())
    try:
        _run_through_an_outage(api, rabbitmq, broker, receiver,
                               engine_process(conf))
    finally:
        messaging.cleanup()


def _run_through_an_outage(api, rabbitmq, broker, receiver, engine):
    process, log = engine
    datasource = helpers.datasource(api)
    policy = helpers.policy(api, actions=[{'type': 'webhook',
                                           'url': receiver.url()}])
    wait_for(lambda: api.get('/v1/engines').json['engines'], 'the engine')

    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm1', 'ERROR'], ['vm2', 'ACTIVE']])
    (first,) = wait_for(lambda: helpers.violations(api, policy),
                        'the first violation')
    wait_for(lambda: _delivered(api, first), 'its announcement')
    before = broker.drain()
    assert _announced(m['payload'] for m in before) == [
        (first['id'], events.VIOLATION_ACTIVE)]
    assert _announced(receiver.bodies()) == [
        (first['id'], events.VIOLATION_ACTIVE)]

    # The broker and the receiver go away. Writes still succeed, the
    # engine still evaluates (polling), and the announcements wait.
    rabbitmq.stop()
    receiver.stop()
    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm3', 'ERROR']], delete=[['vm1', 'ERROR']])
    wait_for(lambda: helpers.active_values(api, policy) == [['vm3']],
             'vm1 resolved and vm3 active, by polling')
    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm1', 'ERROR']])
    wait_for(lambda: helpers.active_values(api, policy) == [['vm1'], ['vm3']],
             'vm1 derived again')
    first, third, again = helpers.violations(api, policy)
    assert (first['status'], third['values'], again['values']) == (
        'resolved', ['vm3'], ['vm1'])
    assert again['previous_id'] == first['id']

    def failed_on_both_targets():
        pending = [d for v in (first, third) for d in _deliveries(api, v)
                   if d['status'] == 'pending']
        return {d['target'] for d in pending if d['attempts'] >= 2} == {
            'notification', 'webhook'}
    wait_for(failed_on_both_targets, 'failed attempts on both targets')
    failures = [a for d in _deliveries(api, third) for a in d['attempt_log']]
    assert failures and not any(a['succeeded'] for a in failures)
    assert 'connection refused' in {a['detail'] for a in failures}
    assert broker.drain() == []
    assert len(receiver.bodies()) == 1

    rabbitmq.start()
    receiver.start()
    wait_for(lambda: _delivered(api, first, third, again),
             'every announcement after the outage', timeout=60)

    # Every state change announced exactly once on each target, each
    # violation's in the order they happened.
    expected = [(first['id'], events.VIOLATION_ACTIVE),
                (first['id'], events.VIOLATION_RESOLVED),
                (third['id'], events.VIOLATION_ACTIVE),
                (again['id'], events.VIOLATION_ACTIVE)]
    published = before + broker.drain()
    for bodies in ([m['payload'] for m in published], receiver.bodies()):
        announced = _announced(bodies)
        assert sorted(announced) == sorted(expected)
        assert announced.index(expected[0]) < announced.index(expected[1])
        assert len({b['event_id'] for b in bodies}) == len(expected)
        for body in bodies:
            assert body['violation']['status'] == (
                'resolved' if body['event_type'] == events.VIOLATION_RESOLVED
                else 'active')
    assert process.poll() is None, log.read_text()
