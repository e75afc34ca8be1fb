"""The database API's side of the engine: the change feed, pushed rows,
violations with their outbox events, delivery bookkeeping, heartbeats.

These are the guarantees the engine builds on, checked on every backend
with concurrent writers where order matters.
"""

import datetime
import threading

from oslo_db import exception as db_exc
from oslo_utils import timeutils
import pytest
import sqlalchemy as sa

from healapi.common import events
from healapi.common import exception
from healapi.db import api as db_api
from healapi.db import exception as db_exception
from healapi.db.sqlalchemy import api as sqla_api
from healapi.db.sqlalchemy import models

PROJECT = 'project-a'
#: The engine these tests record findings as.
ENGINE_ID = 'engine-under-test'


@pytest.fixture
def dbapi(database):
    return db_api.get_instance()


def _datasource(dbapi, name='monitoring'):
    return dbapi.create_datasource({
        'name': name, 'project_id': PROJECT, 'driver': 'push',
        'description': '', 'enabled': True, 'poll_interval': None,
        'config': {'tables': {'vm_status': ['vm', 'status']}}})


def _policy(dbapi, actions=(), name='vm_health'):
    """A policy, owned by ENGINE_ID."""
    policy = dbapi.create_policy(
        {'name': name, 'project_id': PROJECT, 'severity': 'high',
         'violation_table': 'error', 'actions': list(actions)},
        [{'rule': 'error(vm) :- monitoring:vm_status(vm, "down")'}])
    dbapi.claim_policies(ENGINE_ID, [policy.id])
    return policy


def _changes(dbapi, after=0):
    return [(change.seq, change.kind, change.object_id, change.table_name,
             change.payload) for change in dbapi.list_changes(after)]


# -- the change feed ---------------------------------------------------------

def test_every_engine_input_write_is_numbered_in_order(dbapi):
    datasource = _datasource(dbapi)
    policy = _policy(dbapi)
    rule = dbapi.add_rule(policy.id, {'rule': 'error(vm) :- '
                                      'monitoring:vm_status(vm, "lost")'})
    dbapi.change_rows(datasource.id, 'vm_status', [['vm1', 'down']], [])
    dbapi.delete_rule(policy.id, rule.id)
    dbapi.update_datasource(datasource.id, {'enabled': False})
    dbapi.delete_policy(policy.id)
    dbapi.delete_datasource(datasource.id)

    assert [change[:3] for change in _changes(dbapi)] == [
        (1, 'datasource', datasource.id), (2, 'policy', policy.id),
        (3, 'policy', policy.id), (4, 'rows', datasource.id),
        (5, 'policy', policy.id), (6, 'datasource', datasource.id),
        (7, 'policy', policy.id), (8, 'datasource', datasource.id)]
    assert dbapi.change_counter() == 8
    assert [change[0] for change in _changes(dbapi, after=6)] == [7, 8]


def test_concurrent_pushes_get_gapless_numbers_in_commit_order(dbapi):
    datasource = _datasource(dbapi)
    start = threading.Barrier(8)
    errors = []

    def push(index):
        start.wait()
        try:
            for step in range(5):
                dbapi.change_rows(datasource.id, 'vm_status',
                                  [['vm%d-%d' % (index, step), 'up']], [])
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=push, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    changes = _changes(dbapi, after=1)
    assert [change[0] for change in changes] == list(range(2, 42))
    # Each change holds exactly its own row: nothing lost or merged.
    pushed = sorted(tuple(change[4]['added'][0]) for change in changes)
    assert pushed == sorted(('vm%d-%d' % (i, s), 'up')
                            for i in range(8) for s in range(5))


def test_changes_older_than_the_retention_are_pruned(dbapi):
    _datasource(dbapi)
    _policy(dbapi)
    assert dbapi.prune_changes(timeutils.utcnow()
                               - datetime.timedelta(hours=1)) == 0
    assert dbapi.prune_changes(timeutils.utcnow()
                               + datetime.timedelta(seconds=1)) == 2
    assert _changes(dbapi) == []
    assert dbapi.change_counter() == 2


# -- pushed rows -------------------------------------------------------------

def _rows(dbapi, datasource):
    return sorted(tuple(row) for row in dbapi.rows_of(datasource.id,
                                                     'vm_status'))


def test_replace_keeps_rows_that_stay_and_records_only_the_difference(
        dbapi):
    datasource = _datasource(dbapi)
    assert dbapi.replace_rows(datasource.id, 'vm_status',
                              [['vm1', 'up'], ['vm2', 'up']]) == (2, 0)
    first_ids = {row.values[0]: row.id for row in
                 dbapi.list_rows(datasource.id, 'vm_status')}

    assert dbapi.replace_rows(datasource.id, 'vm_status',
                              [['vm2', 'up'], ['vm3', 'down'],
                               ['vm3', 'down']]) == (1, 1)

    assert _rows(dbapi, datasource) == [('vm2', 'up'), ('vm3', 'down')]
    assert {row.values[0]: row.id for row in dbapi.list_rows(
        datasource.id, 'vm_status')}['vm2'] == first_ids['vm2']
    last = _changes(dbapi)[-1]
    assert last[1:4] == ('rows', datasource.id, 'vm_status')
    assert last[4] == {'added': [['vm3', 'down']],
                       'removed': [['vm1', 'up']]}


def test_change_deletes_before_inserting_and_ignores_no_ops(dbapi):
    datasource = _datasource(dbapi)
    dbapi.change_rows(datasource.id, 'vm_status', [['vm1', 'up']], [])
    counter = dbapi.change_counter()

    # Deleting what isn't there and inserting what is: nothing to record.
    assert dbapi.change_rows(datasource.id, 'vm_status', [['vm1', 'up']],
                             [['vm9', 'up']]) == (0, 0)
    assert _changes(dbapi, after=counter) == []
    # Deleted and inserted in one request: the row stays.
    assert dbapi.change_rows(datasource.id, 'vm_status', [['vm1', 'up']],
                             [['vm1', 'up']]) == (0, 0)
    assert _rows(dbapi, datasource) == [('vm1', 'up')]
    assert dbapi.change_rows(datasource.id, 'vm_status',
                             [['vm1', 'down']], [['vm1', 'up']]) == (1, 1)
    assert _rows(dbapi, datasource) == [('vm1', 'down')]


def test_rows_of_another_project_are_out_of_reach(dbapi):
    datasource = _datasource(dbapi)
    with pytest.raises(exception.DatasourceNotFound):
        dbapi.change_rows(datasource.id, 'vm_status', [['vm1', 'up']], [],
                          project_id='project-b')
    assert _rows(dbapi, datasource) == []


# -- violations and their outbox events --------------------------------------

WEBHOOK = {'type': 'webhook', 'url': 'http://receiver.example/hook'}


def _outbox(dbapi, **filters):
    return [(event.event_type, event.target, event.url, event.violation_id)
            for event in dbapi.list_outbox_events(filters=filters)]


def test_a_violation_lives_from_appearing_to_resolved_and_is_announced(
        dbapi):
    policy = _policy(dbapi, actions=[WEBHOOK])
    (active,) = dbapi.record_violations(policy, ENGINE_ID,
                                        appeared=[(['vm1'], None)])
    assert (active.status, active.values, active.severity,
            active.previous_id) == ('active', ['vm1'], 'high', None)

    # Derived again while active: the same violation, nothing announced.
    assert dbapi.record_violations(policy, ENGINE_ID,
                                   appeared=[(['vm1'], None)]) == []

    (resolved,) = dbapi.record_violations(policy, ENGINE_ID,
                                          disappeared=[['vm1']])
    assert resolved.id == active.id
    stored = dbapi.get_violation(active.id)
    assert stored.status == 'resolved'
    assert stored.resolved_at >= stored.first_seen_at

    (again,) = dbapi.record_violations(policy, ENGINE_ID,
                                       appeared=[(['vm1'], None)])
    assert again.id != active.id and again.previous_id == active.id

    assert _outbox(dbapi) == [
        (events.VIOLATION_ACTIVE, 'notification', None, active.id),
        (events.VIOLATION_ACTIVE, 'webhook', WEBHOOK['url'], active.id),
        (events.VIOLATION_RESOLVED, 'notification', None, active.id),
        (events.VIOLATION_RESOLVED, 'webhook', WEBHOOK['url'], active.id),
        (events.VIOLATION_ACTIVE, 'notification', None, again.id),
        (events.VIOLATION_ACTIVE, 'webhook', WEBHOOK['url'], again.id)]
    first = dbapi.list_outbox_events()[0]
    assert first.payload['violation']['id'] == active.id
    assert first.payload['violation']['policy_name'] == 'vm_health'
    assert first.payload['event_type'] == events.VIOLATION_ACTIVE


def _snapshot(database):
    with database.connect() as connection:
        return {table.name: sorted(map(tuple, connection.execute(
            sa.select(table))), key=repr)
            for table in models.Base.metadata.sorted_tables}


def test_only_the_owner_of_a_policy_records_its_findings(dbapi, database):
    policy = _policy(dbapi)
    deleted = _policy(dbapi, name='gone')
    dbapi.delete_policy(deleted.id)
    # Claiming takes the policy over; a deleted one is no one's.
    assert dbapi.claim_policies('engine-b', [policy.id, deleted.id]) == set()
    assert dbapi.list_owned_policies(['engine-b', ENGINE_ID]) == {
        'engine-b': [policy.id], ENGINE_ID: []}

    before = _snapshot(database)
    with pytest.raises(db_exception.PolicyNotOwned):
        dbapi.record_violations(policy, ENGINE_ID,
                                appeared=[(['vm1'], None)],
                                executions=[('monitoring:insert', ['x'])])
    assert _snapshot(database) == before

    (violation,) = dbapi.record_violations(policy, 'engine-b',
                                           appeared=[(['vm1'], None)])
    assert violation.values == ['vm1']


def test_a_new_policy_is_claimed_as_new_once(dbapi):
    policy = dbapi.create_policy(
        {'name': 'fresh', 'project_id': PROJECT, 'severity': 'low',
         'violation_table': 'error', 'actions': []}, [])
    assert dbapi.claim_policies('engine-a', [policy.id]) == {policy.id}
    assert dbapi.claim_policies('engine-b', [policy.id]) == set()
    assert dbapi.claim_policies('engine-a', [policy.id]) == set()


def test_concurrent_recordings_of_one_policy_take_turns(dbapi):
    """Two writers of one policy (an owner and an engine that just claimed
    it) never interleave: of the same finding, the second writer sees the
    first's violation, and nothing is announced twice."""
    policy = _policy(dbapi, actions=[WEBHOOK])
    start = threading.Barrier(2)
    results, errors = [], []

    def record():
        start.wait()
        try:
            results.append(dbapi.record_violations(
                policy, ENGINE_ID, appeared=[(['vm1'], None)]))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(len(created) for created in results) == [0, 1]
    assert len(dbapi.list_violations()) == 1
    assert len(_outbox(dbapi)) == 2  # the notification, the webhook


def test_a_state_change_is_announced_at_most_once_per_target(dbapi):
    """The database itself refuses a second announcement of one state
    change to one target, whatever an engine does."""
    policy = _policy(dbapi, actions=[WEBHOOK])
    (violation,) = dbapi.record_violations(policy, ENGINE_ID,
                                           appeared=[(['vm1'], None)])
    outbox = sqla_api._Outbox(policy, timeutils.utcnow())
    payload = events.violation_event(events.VIOLATION_ACTIVE, 'event-2',
                                     violation, policy.name)
    for target, url in (('notification', None), ('webhook', WEBHOOK['url'])):
        with pytest.raises(db_exc.DBDuplicateEntry):
            with sqla_api._writer() as session:
                outbox._add(session, events.VIOLATION_ACTIVE, target,
                            payload, url=url, violation_id=violation.id)
    assert len(_outbox(dbapi)) == 2


def test_a_failed_write_of_violations_leaves_no_outbox_event(dbapi):
    policy = _policy(dbapi)
    with pytest.raises(TypeError):
        # A value the database can't store as JSON fails the transaction.
        dbapi.record_violations(policy, ENGINE_ID, appeared=[(['vm1'], None),
                                                  ([object()], None)])
    assert dbapi.list_violations() == []
    assert dbapi.list_outbox_events() == []


def test_executions_are_written_as_action_events(dbapi):
    policy = _policy(dbapi)
    dbapi.record_violations(policy, ENGINE_ID, executions=[
        ('monitoring:insert', ['quarantine', 'vm1'])])
    (event,) = dbapi.list_outbox_events()
    assert (event.target, event.event_type, event.policy_id) == (
        'action', events.ACTION_EXECUTE, policy.id)
    assert (event.payload['action'], event.payload['args']) == (
        'monitoring:insert', ['quarantine', 'vm1'])


def test_confirming_refreshes_last_seen_but_not_the_etag(dbapi):
    policy = _policy(dbapi)
    (violation,) = dbapi.record_violations(policy, ENGINE_ID,
                                           appeared=[(['vm1'], None)])
    before = dbapi.get_violation(violation.id)
    dbapi.confirm_violations([policy.id])
    after = dbapi.get_violation(violation.id)
    assert after.last_seen_at > before.last_seen_at
    assert after.updated_at == before.updated_at


# -- delivering the outbox ---------------------------------------------------

def test_a_violations_events_are_due_one_at_a_time_per_target(dbapi):
    policy = _policy(dbapi, actions=[WEBHOOK])
    (violation,) = dbapi.record_violations(policy, ENGINE_ID,
                                           appeared=[(['vm1'], None)])
    dbapi.record_violations(policy, ENGINE_ID, disappeared=[['vm1']])

    due = dbapi.due_outbox_events()
    assert [(e.event_type, e.target) for e in due] == [
        (events.VIOLATION_ACTIVE, 'notification'),
        (events.VIOLATION_ACTIVE, 'webhook')]

    webhook = due[1]
    later = timeutils.utcnow() + datetime.timedelta(minutes=5)
    assert dbapi.claim_outbox_event(webhook, later)
    assert not dbapi.claim_outbox_event(webhook, later)  # taken already
    dbapi.record_attempt(webhook.id, False, 'HTTP 503', 12,
                         retry_at=later)
    dbapi.record_attempt(due[0].id, True, 'delivered', 3)

    # The resolution's notification may go; its webhook waits for the
    # activation's, which is still pending.
    assert [(e.event_type, e.target) for e in dbapi.due_outbox_events()] == [
        (events.VIOLATION_RESOLVED, 'notification')]
    (stored,) = [e for e in dbapi.list_outbox_events(
        filters={'violation_id': violation.id}) if e.id == webhook.id]
    assert (stored.status, stored.attempts, stored.last_error) == (
        'pending', 1, 'HTTP 503')
    assert [(a.succeeded, a.detail, a.duration_ms)
            for a in stored.attempt_log] == [(False, 'HTTP 503', 12)]


def test_a_final_failure_is_recorded_and_never_due_again(dbapi):
    policy = _policy(dbapi)
    dbapi.record_violations(policy, ENGINE_ID,
                            executions=[('monitoring:nope', [])])
    (event,) = dbapi.due_outbox_events()
    dbapi.record_attempt(event.id, False, 'no such action', 1)
    (stored,) = dbapi.list_outbox_events()
    assert (stored.status, stored.attempts) == ('failed', 1)
    assert stored.dispatched_at is not None
    assert dbapi.due_outbox_events() == []


# -- engines -----------------------------------------------------------------

def test_heartbeats_keep_an_engine_listed_until_it_goes_quiet(dbapi):
    dbapi.record_heartbeat('engine-1', 'host-a', 100, '1.0')
    first = dbapi.list_engines(timeutils.utcnow()
                               - datetime.timedelta(seconds=10))
    assert [(e.id, e.host, e.pid) for e in first] == [
        ('engine-1', 'host-a', 100)]
    dbapi.record_heartbeat('engine-1', 'host-a', 100, '1.0')
    (again,) = dbapi.list_engines(first[0].heartbeat_at)
    assert again.started_at == first[0].started_at
    assert dbapi.list_engines(timeutils.utcnow()
                              + datetime.timedelta(seconds=1)) == []
    dbapi.delete_engine('engine-1')
    assert dbapi.list_engines(datetime.datetime(2000, 1, 1)) == []


def test_the_counter_row_exists_after_migration(database):
    with database.connect() as connection:
        assert connection.execute(
            models.ChangeCounter.__table__.select()).all() == [(1, 0)]
