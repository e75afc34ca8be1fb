"""The engine service in-process, against each real database, driven
through the API: rows pushed, violations recorded, policies and
datasources changed, restarts and gaps in the change feed."""

import datetime
import logging
import threading
import urllib.parse
from unittest import mock

import oslo_messaging
import pytest
from oslo_utils import timeutils

from healapi.common import messaging
from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.engine import service
from tests import backends
from tests.fake_openstack import server as fake_openstack
from tests import tcpproxy
from tests.functional.engine import helpers
from tests.functional.engine.helpers import wait_for


@pytest.fixture(autouse=True)
def quick():
    CONF.set_override('poll_interval', 0.05, group='engine')
    CONF.set_override('heartbeat_interval', 0.1, group='engine')
    CONF.set_override('dispatch_interval', 0.05, group='outbox')


@pytest.fixture
def engines(database):
    """Make engine services; a test calls their run_once() or start().
    Every one is stopped after the test."""
    made = []

    def make():
        made.append(service.EngineService())
        return made[-1]

    yield make
    for engine in made:
        engine.stop()
    messaging.cleanup()
    assert [thread.name for thread in threading.enumerate()
            if thread.name.startswith('healapi-')] == []


@pytest.fixture
def engine(engines):
    return engines()


@pytest.fixture
def dbapi(database):
    return db_api.get_instance()


def _outbox(dbapi, **filters):
    return dbapi.list_outbox_events(filters=filters)


def test_pushed_rows_make_violations_that_resolve_and_come_back(
        api, engines):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api, severity='high')
    engine = engines()
    engine.start()

    helpers.put_rows(api, datasource, 'vm_status',
                     [['vm1', 'ERROR'], ['vm2', 'ACTIVE']])
    (first,) = wait_for(lambda: helpers.violations(api, policy),
                        'a violation')
    assert first['status'] == 'active'
    assert first['values'] == ['vm1'] and first['table'] == 'error'
    assert first['severity'] == 'high'
    assert first['policy_id'] == policy['id']
    assert first['previous_id'] is None and first['resolved_at'] is None
    assert first['first_seen_at'] == first['last_seen_at']

    # Another violation appears; the first keeps its id and its times.
    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm3', 'ERROR'], ['vm4', 'ACTIVE']])
    wait_for(lambda: len(helpers.violations(api, policy)) == 2,
             'a second violation')
    assert helpers.violations(api, policy)[0] == first

    helpers.patch_rows(api, datasource, 'vm_status',
                       delete=[['vm1', 'ERROR']])
    (resolved,) = wait_for(
        lambda: helpers.violations(api, policy, status='resolved'),
        'the violation resolved')
    assert resolved['id'] == first['id']
    assert resolved['resolved_at'] == resolved['last_seen_at']
    assert resolved['resolved_at'] > first['first_seen_at']
    assert resolved['first_seen_at'] == first['first_seen_at']

    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm1', 'ERROR']])
    again = wait_for(
        lambda: [v for v in helpers.violations(api, policy, status='active')
                 if v['values'] == ['vm1']], 'the violation back')[0]
    assert again['id'] != first['id']
    assert again['previous_id'] == first['id']
    assert again['first_seen_at'] > resolved['resolved_at']
    assert api.get('/v1/violations/%s' % first['id']).json[
        'status'] == 'resolved'
    # The dispatcher announced each change.
    events = [(e.event_type, e.violation_id) for e in _outbox(
        db_api.get_instance(), target='notification')]
    assert events.count(('healapi.violation.active', first['id'])) == 1
    assert events.count(('healapi.violation.resolved', first['id'])) == 1
    assert events.count(('healapi.violation.active', again['id'])) == 1


def test_a_running_engine_beats_and_its_stop_removes_the_heartbeat(
        dbapi, engine):
    def alive():
        return [e.id for e in dbapi.list_engines(
            timeutils.utcnow() - datetime.timedelta(seconds=10))]

    engine.start()
    assert wait_for(alive, 'a heartbeat') == [engine.id]
    (stored,) = dbapi.list_engines(timeutils.utcnow()
                                   - datetime.timedelta(seconds=10))
    assert (stored.host, stored.pid, stored.version) == (
        engine.host, engine.pid, engine.version)

    engine.stop()
    assert alive() == []


def test_a_policy_recording_traces_keeps_each_violations_proof(api, engine):
    datasource = helpers.datasource(api)
    policy = helpers.policy(
        api, 'error(vm) :- mon:vm_status(vm, "ERROR"), not held(vm)',
        'held(vm) :- mon:quarantined(vm)', record_trace=True)
    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])

    engine.run_once()

    (violation,) = helpers.violations(api, policy)
    trace = api.get('/v1/violations/%s' % violation['id']).json['trace']
    assert trace == {
        'table': 'error', 'row': ['vm1'], 'kind': 'derived',
        'rule': 'error(vm) :- mon:vm_status(vm, "ERROR"), not held(vm)',
        'premises': [
            {'table': 'mon:vm_status', 'row': ['vm1', 'ERROR'],
             'kind': 'base', 'rule': None, 'premises': []},
            {'table': 'held', 'row': ['vm1'], 'kind': 'absent',
             'rule': None, 'premises': []}]}


def test_without_record_trace_no_proof_is_kept(api, engine):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])

    engine.run_once()

    (violation,) = helpers.violations(api, policy)
    assert api.get('/v1/violations/%s' % violation['id']).json.get(
        'trace') is None


def test_changed_rules_reconcile_the_violations(api, engine):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    helpers.put_rows(api, datasource, 'vm_status',
                     [['vm1', 'ERROR'], ['vm2', 'DOWN']])
    engine.run_once()
    assert helpers.active_values(api, policy) == [['vm1']]

    api.patch_json('/v1/policies/%s' % policy['id'], {'rules': [
        {'rule': 'error(vm) :- mon:vm_status(vm, "DOWN")'}]})
    engine.run_once()

    assert helpers.active_values(api, policy) == [['vm2']]
    assert [v['values'] for v in helpers.violations(
        api, policy, status='resolved')] == [['vm1']]
    # Later rows reach the rebuilt policy.
    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm3', 'DOWN']])
    engine.run_once()
    assert helpers.active_values(api, policy) == [['vm2'], ['vm3']]


def test_a_disabled_policy_keeps_its_violations_until_enabled(api, engine):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    helpers.put_rows(api, datasource, 'vm_status',
                     [['vm1', 'ERROR'], ['vm2', 'ERROR']])
    engine.run_once()
    before = helpers.violations(api, policy)

    api.patch_json('/v1/policies/%s' % policy['id'], {'enabled': False})
    helpers.patch_rows(api, datasource, 'vm_status',
                       delete=[['vm1', 'ERROR']])
    engine.run_once()
    assert helpers.violations(api, policy) == before

    api.patch_json('/v1/policies/%s' % policy['id'], {'enabled': True})
    engine.run_once()
    assert helpers.active_values(api, policy) == [['vm2']]
    (resolved,) = helpers.violations(api, policy, status='resolved')
    assert resolved['values'] == ['vm1']


def test_a_disabled_datasource_reads_as_empty(api, engine):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])
    engine.run_once()
    (first,) = helpers.violations(api, policy)

    api.patch_json('/v1/datasources/%s' % datasource['id'],
                   {'enabled': False})
    engine.run_once()
    assert helpers.violations(api, policy, status='active') == []

    api.patch_json('/v1/datasources/%s' % datasource['id'],
                   {'enabled': True})
    engine.run_once()
    (again,) = helpers.violations(api, policy, status='active')
    assert again['previous_id'] == first['id']


def test_a_deleted_policy_is_no_longer_evaluated(api, engine, dbapi):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    other = helpers.policy(api, name='other')
    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])
    engine.run_once()

    api.delete('/v1/policies/%s' % policy['id'])
    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm2', 'ERROR']])
    engine.run_once()

    assert helpers.active_values(api, other) == [['vm1'], ['vm2']]
    assert {v.policy_id for v in dbapi.list_violations()} == {other['id']}


def test_a_restarted_engine_neither_duplicates_nor_flaps(api, engines,
                                                         dbapi):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    helpers.put_rows(api, datasource, 'vm_status',
                     [['vm1', 'ERROR'], ['vm2', 'ERROR']])
    first = engines()
    first.run_once()
    before = helpers.violations(api, policy)
    events = len(_outbox(dbapi))
    first.stop()

    # A change while no engine runs, then a new engine.
    helpers.patch_rows(api, datasource, 'vm_status',
                       delete=[['vm2', 'ERROR']])
    second = engines()
    second.run_once()
    second.run_once()

    before = {v['values'][0]: v for v in before}
    after = {v['values'][0]: v for v in helpers.violations(api, policy)}
    assert after['vm1'] == before['vm1']  # untouched
    assert after['vm2']['id'] == before['vm2']['id']
    assert after['vm2']['status'] == 'resolved'
    assert len(after) == 2
    assert len(_outbox(dbapi)) == events + 1  # vm2's resolution


def test_the_engine_confirms_violations_and_prunes_old_changes(
        api, engine, dbapi):
    CONF.set_override('confirm_interval', 1, group='engine')
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])
    engine.run_once()
    (before,) = helpers.violations(api, policy)
    later = timeutils.utcnow() + datetime.timedelta(hours=2)

    def done():
        engine.run_once()
        return dbapi.list_changes(0) == []

    # Two hours on: past the change retention (one hour).
    with mock.patch.object(timeutils, 'utcnow', return_value=later):
        wait_for(done, 'the periodic work')

    (after,) = helpers.violations(api, policy)
    assert after['id'] == before['id'] and after['status'] == 'active'
    assert after['last_seen_at'] > before['last_seen_at']
    assert after['updated_at'] == before['updated_at']  # same ETag


def test_changes_pruned_before_the_engine_read_them_make_it_reload(
        api, engine, dbapi, caplog):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    helpers.put_rows(api, datasource, 'vm_status',
                     [['vm1', 'ERROR'], ['vm2', 'ERROR']])
    engine.run_once()
    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm3', 'ERROR']], delete=[['vm1', 'ERROR']])
    dbapi.prune_changes(timeutils.utcnow() + datetime.timedelta(seconds=1))

    with caplog.at_level(logging.WARNING):
        engine.run_once()

    assert 'were pruned before engine' in caplog.text
    assert helpers.active_values(api, policy) == [['vm2'], ['vm3']]
    assert engine.last_change == dbapi.change_counter()
    # And it follows the feed again from there.
    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm4', 'ERROR']])
    engine.run_once()
    assert helpers.active_values(api, policy) == [['vm2'], ['vm3'],
                                                  ['vm4']]


def test_rewriting_the_same_rows_leaves_no_hole_in_the_change_feed(
        api, engine, dbapi, caplog):
    datasource = helpers.datasource(api)
    helpers.policy(api)
    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])
    engine.run_once()
    counter = dbapi.change_counter()

    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])
    assert dbapi.change_counter() == counter
    helpers.patch_rows(api, datasource, 'vm_status', insert=[['vm2', 'UP']])
    with caplog.at_level(logging.WARNING):
        engine.run_once()

    assert 'pruned' not in caplog.text
    assert engine.last_change == dbapi.change_counter()


def test_execute_rules_write_actions_once_and_their_effect_heals(
        api, engines, dbapi):
    datasource = helpers.datasource(api)
    policy = helpers.policy(
        api, 'execute[mon:insert("quarantined", vm)] :- '
             'mon:vm_status(vm, "ERROR")',
        'error(vm) :- mon:vm_status(vm, "ERROR"), not mon:quarantined(vm)')
    engine = engines()
    engine.run_once()
    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])
    engine.run_once()

    (action,) = _outbox(dbapi, target='action')
    assert action.policy_id == policy['id']
    assert (action.payload['action'], action.payload['args']) == (
        'mon:insert', ['quarantined', 'vm1'])
    assert helpers.active_values(api, policy) == [['vm1']]

    # The dispatcher runs it; the engine sees its effect in the feed.
    assert engine.dispatcher.run_once() == 2  # the action, the notice
    engine.run_once()
    assert helpers.active_values(api, policy) == []
    # Neither a new turn nor an engine replacing this one runs it again.
    engine.run_once()
    engine = engines()
    engine.run_once()
    assert len(_outbox(dbapi, target='action')) == 1
    # It runs again when derived anew.
    helpers.patch_rows(api, datasource, 'vm_status',
                       delete=[['vm1', 'ERROR']])
    engine.run_once()
    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm1', 'ERROR']])
    engine.run_once()
    assert len(_outbox(dbapi, target='action')) == 2


def test_a_new_policy_runs_the_actions_it_derives(api, engine, dbapi):
    datasource = helpers.datasource(api)
    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])
    engine.run_once()

    helpers.policy(api, 'execute[mon:insert("quarantined", vm)] :- '
                        'mon:vm_status(vm, "ERROR")')
    engine.run_once()

    assert [e.payload['args'] for e in _outbox(dbapi, target='action')] == [
        ['quarantined', 'vm1']]


def test_a_policy_that_cannot_be_evaluated_is_skipped(api, engine, dbapi,
                                                      caplog):
    CONF.set_override('confirm_interval', 1, group='engine')
    datasource = helpers.datasource(api)
    good = helpers.policy(api)
    # Stored behind the API's back: the language refuses this rule.
    bad = dbapi.create_policy(
        {'name': 'bad', 'project_id': good['project_id'],
         'severity': 'low', 'violation_table': 'error', 'actions': []},
        [{'rule': 'error(vm) :- '}])
    helpers.put_rows(api, datasource, 'vm_status', [['vm1', 'ERROR']])

    with caplog.at_level(logging.ERROR):
        engine.run_once()

    assert 'Policy %s cannot be evaluated' % bad.id in caplog.text
    assert helpers.active_values(api, good) == [['vm1']]
    # A row no policy can take (stored behind the API's back) skips the
    # policies reading it; once it is gone, they are tried again.
    dbapi.change_rows(datasource['id'], 'vm_status', [[['vm2'], 'ERROR']],
                      [])
    helpers.patch_rows(api, datasource, 'vm_status',
                       insert=[['vm3', 'ERROR']])
    engine.run_once()
    assert helpers.active_values(api, good) == [['vm1']]
    dbapi.change_rows(datasource['id'], 'vm_status', [],
                      [[['vm2'], 'ERROR']])
    dbapi.update_policy(bad.id, {}, rules=[
        {'rule': 'error(vm) :- mon:vm_status(vm, "ERROR")'}])

    def evaluated():
        engine.run_once()
        return helpers.active_values(api, good) == [['vm1'], ['vm3']]

    wait_for(evaluated, 'the policy tried again')
    assert sorted(v.values[0] for v in dbapi.list_violations(
        filters={'policy_id': bad.id})) == ['vm1', 'vm3']


def test_policies_reading_the_clock_see_time_pass(api, engine):
    datasource = helpers.datasource(api)
    policy = helpers.policy(
        api, 'error(vm) :- mon:deadline(vm, at), now(t), datetime_lt(at, t)')
    soon = timeutils.utcnow() + datetime.timedelta(seconds=1)
    helpers.put_rows(api, datasource, 'deadline',
                     [['vm1', soon.isoformat() + 'Z']])
    engine.run_once()
    assert helpers.active_values(api, policy) == []

    def overdue():
        engine.run_once()
        return helpers.active_values(api, policy) == [['vm1']]

    wait_for(overdue, 'the deadline to pass')


def test_a_wake_up_cast_makes_the_engine_apply_a_change_at_once(
        api, engines, dbapi):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    # Configured after the API's writes: they would wake the engine.
    CONF.set_override('transport_url', backends.rabbitmq_url())
    CONF.set_override('poll_interval', 60, group='engine')
    engine = engines()
    engine.start()
    wait_for(lambda: engine.listening and engine.last_change is not None,
             'the engine to load and listen')

    # Through the database API: the API itself would wake the engine.
    dbapi.change_rows(datasource['id'], 'vm_status', [['vm1', 'ERROR']], [])
    oslo_messaging.get_rpc_client(
        messaging.rpc_transport(), messaging.engine_target()).prepare(
        fanout=True).cast({}, 'wake_up')

    # Polling every 60 s, only the wake-up can do it this soon.
    wait_for(lambda: helpers.active_values(api, policy) == [['vm1']],
             'the woken engine', timeout=20)


def test_without_its_broker_the_engine_polls_and_listens_once_back(
        api, engines, dbapi):
    datasource = helpers.datasource(api)
    policy = helpers.policy(api)
    broker = urllib.parse.urlsplit(backends.rabbitmq_url())
    proxy = tcpproxy.TCPProxy((broker.hostname, broker.port or 5672))
    proxy.start()
    proxy.stop()  # Its port now refuses connections.
    CONF.set_override('transport_url', 'rabbit://%s@127.0.0.1:%d/' % (
        broker.netloc.rpartition('@')[0], proxy.port))
    engine = engines()
    try:
        engine.start()
        dbapi.change_rows(datasource['id'], 'vm_status', [['vm1', 'ERROR']],
                          [])
        wait_for(lambda: helpers.active_values(api, policy) == [['vm1']],
                 'the engine to find the change by polling')
        assert not engine.listening

        proxy.start()
        wait_for(lambda: engine.listening, 'the engine to reach the broker')
        engine.stop()
    finally:
        proxy.stop()


def test_polled_data_makes_violations_that_resolve(api, engine):
    """A pull datasource end to end: the engine polls the cloud, a
    hypervisor going down makes a violation, coming back resolves it."""
    with fake_openstack.FakeCloud() as cloud:
        helpers.datasource(api, name='nova', driver='nova', poll_interval=1,
                           config={'auth_url': cloud.auth_url,
                                   'username': 'healapi',
                                   'password': 'secret',
                                   'project_name': 'admin'})
        policy = helpers.policy(
            api, 'down(h) :- nova:hypervisors(id, h, host, "down", status, '
                 'ip, type)', violation_table='down')
        engine.start()

        wait_for(lambda: helpers.active_values(api, policy) == [
            ['compute3.example.org']], 'a down hypervisor')
        (hypervisor,) = [record for record
                         in cloud.resources['compute', 'os-hypervisors']
                         if record['state'] == 'down']
        cloud.update_record('compute', 'os-hypervisors', hypervisor['id'],
                            {'state': 'up'})
        wait_for(lambda: helpers.active_values(api, policy) == [],
                 'the violation resolved')
