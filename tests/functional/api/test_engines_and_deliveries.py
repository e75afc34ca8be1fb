"""/v1/engines, and how the events about violations and actions went out:
/v1/violations/{id}/deliveries and /v1/policies/{id}/executions."""

import datetime

from oslo_utils import timeutils
from oslo_utils import uuidutils
import pytest
import sqlalchemy as sa

from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.db.sqlalchemy import api as sqla_api
from healapi.db.sqlalchemy import models
from tests.functional.api import helpers

WEBHOOK = 'http://127.0.0.1:9/hook'
#: The engine these tests record findings as.
ENGINE_ID = 'engine-under-test'


def _age_heartbeat(engine_id, seconds):
    with sqla_api.get_engine().begin() as connection:
        connection.execute(sa.update(models.Engine).where(
            models.Engine.id == engine_id).values(
            heartbeat_at=timeutils.utcnow()
            - datetime.timedelta(seconds=seconds)))


def test_engines_lists_only_fresh_heartbeats(api):
    CONF.set_override('heartbeat_timeout', 10, group='engine')
    dbapi = db_api.get_instance()
    live, gone = uuidutils.generate_uuid(), uuidutils.generate_uuid()
    dbapi.record_heartbeat(live, 'host-a', 4242, '1.0.0', coordinated=True)
    dbapi.record_heartbeat(gone, 'host-b', 4343, '1.0.0')
    _age_heartbeat(gone, 11)
    _age_heartbeat(live, 9)
    owned = sorted(helpers.create_policy(api, name=name)['id']
                   for name in ('one', 'two'))
    dbapi.claim_policies(live, owned)
    dbapi.claim_policies(gone, [helpers.create_policy(api)['id']])

    (engine,) = api.get('/v1/engines').json['engines']

    assert set(engine) == {'id', 'host', 'pid', 'version', 'started_at',
                           'heartbeat_at', 'coordinated', 'policies'}
    assert (engine['id'], engine['host'], engine['pid'],
            engine['version'], engine['coordinated'],
            engine['policies']) == (live, 'host-a', 4242, '1.0.0', True,
                                    owned)
    heartbeat = datetime.datetime.fromisoformat(engine['heartbeat_at'])
    assert heartbeat.utcoffset() == datetime.timedelta(0)
    assert timeutils.utcnow(with_timezone=True) - heartbeat < (
        datetime.timedelta(seconds=10))

    dbapi.record_heartbeat(gone, 'host-b', 4343, '1.0.0')
    assert {engine['id'] for engine in
            api.get('/v1/engines').json['engines']} == {live, gone}


@pytest.fixture
def policy(api):
    created = helpers.create_policy(
        api, actions=[{'type': 'webhook', 'url': WEBHOOK}])
    dbapi = db_api.get_instance()
    dbapi.claim_policies(ENGINE_ID, [created['id']])
    return dbapi.get_policy(created['id'])


def _outbox(dbapi, **filters):
    return dbapi.list_outbox_events(filters=filters)


def test_deliveries_of_a_violation(api, policy):
    dbapi = db_api.get_instance()
    (violation,) = dbapi.record_violations(policy, ENGINE_ID,
                                           appeared=[(['vm-1'], None)])
    dbapi.record_violations(policy, ENGINE_ID, appeared=[(['vm-2'], None)])
    notification, webhook = _outbox(dbapi, violation_id=violation.id)
    dbapi.record_attempt(webhook.id, False, 'HTTP 503', 12,
                         retry_at=timeutils.utcnow())
    dbapi.record_attempt(webhook.id, True, 'HTTP 204', 8)
    dbapi.record_violations(policy, ENGINE_ID, disappeared=[['vm-1']])

    deliveries = api.get('/v1/violations/%s/deliveries'
                         % violation.id).json['deliveries']

    assert [(d['event_type'], d['target'], d['url'], d['status'])
            for d in deliveries] == [
        ('healapi.violation.active', 'notification', None, 'pending'),
        ('healapi.violation.active', 'webhook', WEBHOOK, 'delivered'),
        ('healapi.violation.resolved', 'notification', None, 'pending'),
        ('healapi.violation.resolved', 'webhook', WEBHOOK, 'pending')]
    first, delivered = deliveries[:2]
    assert set(first) == {'id', 'event_id', 'event_type', 'target', 'url',
                          'status', 'attempts', 'next_attempt_at',
                          'delivered_at', 'last_error', 'attempt_log'}
    assert first['event_id'] == delivered['event_id'] == notification.event_id
    assert first['attempts'] == 0
    assert first['attempt_log'] == []
    assert first['next_attempt_at'] is not None
    assert first['delivered_at'] is None
    assert delivered['id'] == webhook.id
    assert delivered['attempts'] == 2
    assert delivered['next_attempt_at'] is None
    assert delivered['delivered_at'].endswith('+00:00')
    assert delivered['last_error'] is None
    assert [(a['succeeded'], a['detail'], a['duration_ms'])
            for a in delivered['attempt_log']] == [
        (False, 'HTTP 503', 12), (True, 'HTTP 204', 8)]
    assert all(a['attempted_at'].endswith('+00:00')
               for a in delivered['attempt_log'])


def test_deliveries_page_by_page(api, policy):
    dbapi = db_api.get_instance()
    (violation,) = dbapi.record_violations(policy, ENGINE_ID,
                                           appeared=[(['vm-1'], None)])
    dbapi.record_violations(policy, ENGINE_ID, disappeared=[['vm-1']])
    url = '/v1/violations/%s/deliveries' % violation.id

    first = api.get(url + '?limit=3').json
    (link,) = first['links']
    second = api.get(link['href']).json

    assert len(first['deliveries']) == 3
    assert len(second['deliveries']) == 1
    assert second['links'] == []
    assert [d['id'] for d in first['deliveries'] + second['deliveries']] == [
        d['id'] for d in api.get(url).json['deliveries']]
    helpers.assert_error(api.get(url + '?marker=x', expect_errors=True), 400,
                         'healapi.invalid_parameter')


def test_executions_of_a_policy(api, policy):
    dbapi = db_api.get_instance()
    dbapi.record_violations(policy, ENGINE_ID, appeared=[(['vm-1'], None)],
                            executions=[('nova:servers.pause', ['vm-1']),
                                        ('nova:insert', ['exempt', 'vm-1'])])
    other = dbapi.get_policy(helpers.create_policy(api, name='other')['id'])
    dbapi.claim_policies(ENGINE_ID, [other.id])
    dbapi.record_violations(other, ENGINE_ID,
                            executions=[('nova:reboot', ['vm-9'])])
    pause, insert = _outbox(dbapi, target='action', policy_id=policy.id)
    dbapi.record_attempt(pause.id, False, 'no enabled datasource named nova',
                         3)
    dbapi.record_attempt(insert.id, True, 'inserted', 4)

    executions = api.get('/v1/policies/%s/executions'
                         % policy.id).json['executions']

    assert [(e['action'], e['args'], e['status'], e['attempts'])
            for e in executions] == [
        ('nova:servers.pause', ['vm-1'], 'failed', 1),
        ('nova:insert', ['exempt', 'vm-1'], 'delivered', 1)]
    failed, done = executions
    assert set(failed) == {'id', 'event_id', 'event_type', 'target', 'url',
                           'status', 'attempts', 'next_attempt_at',
                           'delivered_at', 'last_error', 'attempt_log',
                           'action', 'args'}
    assert failed['event_type'] == 'healapi.action.execute'
    assert failed['target'] == 'action'
    assert failed['delivered_at'] is None
    assert failed['next_attempt_at'] is None
    assert failed['last_error'] == 'no enabled datasource named nova'
    assert failed['attempt_log'][0]['succeeded'] is False
    assert done['delivered_at'] is not None
    assert done['attempt_log'][0]['detail'] == 'inserted'


def test_unknown_objects_are_404(api):
    unknown = uuidutils.generate_uuid()
    helpers.assert_error(
        api.get('/v1/violations/%s/deliveries' % unknown,
                expect_errors=True), 404, 'healapi.violation.not_found')
    helpers.assert_error(
        api.get('/v1/policies/%s/executions' % unknown,
                expect_errors=True), 404, 'healapi.policy.not_found')
