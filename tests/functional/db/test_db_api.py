"""healapi's database API: what the API and the engine rely on of it.

The HTTP behaviour is tested under tests/functional/api; these cover what a
request can't reach: concurrent writers, what a failure or a delete leaves
behind in the tables, and the exact queries and scoping of the reads.
"""

import datetime
import threading

import pytest
import sqlalchemy as sa

from healapi.common import exception
from healapi.db import api as db_api
from healapi.db.sqlalchemy import models
from tests.functional.api import helpers

PROJECT = 'project-a'


def _policy(dbapi, name='vm_health', rules=()):
    return dbapi.create_policy(
        {'name': name, 'project_id': PROJECT, 'severity': 'medium',
         'violation_table': 'error', 'actions': []},
        [{'rule': rule} for rule in rules])


def _violation(policy, values, **fields):
    """Store a violation of ``policy`` as the engine would."""
    return helpers.insert_violation(
        {'id': policy.id, 'project_id': policy.project_id,
         'severity': policy.severity}, values, **fields)


def _count(engine, table, **where):
    """How many rows of ``table`` have the column values ``where``."""
    query = sa.select(sa.func.count()).select_from(table).filter_by(**where)
    with engine.connect() as connection:
        return connection.execute(query).scalar()


def _concurrently(count, function):
    """Run ``function(index)`` in ``count`` threads at once; its errors."""
    start = threading.Barrier(count)
    errors = []

    def run(index):
        start.wait()
        try:
            function(index)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,))
               for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_rule_additions_all_land(database):
    dbapi = db_api.get_instance()
    policy = _policy(dbapi, rules=['a(x) :- b(x)'])

    errors = _concurrently(8, lambda index: dbapi.add_rule(
        policy.id, {'rule': 'r%d(x) :- b(x)' % index}))

    assert errors == []
    stored = dbapi.get_policy(policy.id)
    assert [rule.position for rule in stored.rules] == list(range(9))
    assert sorted(rule.rule for rule in stored.rules[1:]) == [
        'r%d(x) :- b(x)' % index for index in range(8)]
    assert stored.revision == 1 + 8


def test_concurrent_updates_each_raise_the_revision(database):
    dbapi = db_api.get_instance()
    policy = _policy(dbapi)

    errors = _concurrently(6, lambda index: dbapi.update_policy(
        policy.id, {'description': 'change %d' % index}))

    assert errors == []
    assert dbapi.get_policy(policy.id).revision == 1 + 6


def test_failed_create_leaves_no_rules_behind(database):
    dbapi = db_api.get_instance()
    _policy(dbapi, rules=['a(x) :- b(x)'])

    with pytest.raises(exception.DuplicateName):
        _policy(dbapi, rules=['c(x) :- d(x)', 'e(x) :- f(x)'])

    with database.connect() as connection:
        stored = connection.execute(
            models.Rule.__table__.select()).all()
    assert [row.rule for row in stored] == ['a(x) :- b(x)']


def test_failed_rename_changes_nothing(database):
    dbapi = db_api.get_instance()
    _policy(dbapi, name='taken')
    policy = _policy(dbapi, name='mine', rules=['a(x) :- b(x)'])

    with pytest.raises(exception.DuplicateName):
        dbapi.update_policy(policy.id, {'name': 'taken'},
                            rules=[{'rule': 'c(x) :- d(x)'}])

    stored = dbapi.get_policy(policy.id)
    assert (stored.name, stored.revision) == ('mine', 1)
    assert [rule.rule for rule in stored.rules] == ['a(x) :- b(x)']


def test_writes_to_another_projects_policy_are_not_found(database):
    dbapi = db_api.get_instance()
    policy = _policy(dbapi, rules=['a(x) :- b(x)'])
    rule_id = policy.rules[0].id

    for write in (
            lambda: dbapi.update_policy(policy.id, {'description': 'x'},
                                        project_id='project-b'),
            lambda: dbapi.add_rule(policy.id, {'rule': 'c(x) :- d(x)'},
                                   project_id='project-b'),
            lambda: dbapi.delete_rule(policy.id, rule_id,
                                      project_id='project-b'),
            lambda: dbapi.delete_policy(policy.id, project_id='project-b')):
        with pytest.raises(exception.PolicyNotFound):
            write()

    stored = dbapi.get_policy(policy.id)
    assert (stored.description, stored.revision) == ('', 1)
    assert [rule.id for rule in stored.rules] == [rule_id]


def test_deleting_a_rule_keeps_the_others_in_order(database):
    dbapi = db_api.get_instance()
    policy = _policy(dbapi, rules=['a(x) :- b(x)', 'c(x) :- d(x)',
                                   'e(x) :- f(x)'])

    dbapi.delete_rule(policy.id, policy.rules[1].id)
    added = dbapi.add_rule(policy.id, {'rule': 'g(x) :- h(x)'})

    stored = dbapi.get_policy(policy.id)
    assert [rule.rule for rule in stored.rules] == [
        'a(x) :- b(x)', 'e(x) :- f(x)', 'g(x) :- h(x)']
    assert added.position == 3
    assert stored.revision == 3


def test_an_update_without_changes_keeps_the_revision(database):
    dbapi = db_api.get_instance()
    policy = _policy(dbapi)

    unchanged = dbapi.update_policy(policy.id, {})

    assert unchanged.revision == 1
    assert unchanged.updated_at == policy.updated_at


def test_replacing_rules_deletes_the_old_ones(database):
    dbapi = db_api.get_instance()
    policy = _policy(dbapi, rules=['a(x) :- b(x)', 'c(x) :- d(x)'])

    updated = dbapi.update_policy(policy.id, {}, rules=[
        {'rule': 'e(x) :- f(x)'}, {'rule': 'g(x) :- h(x)'},
        {'rule': 'i(x) :- j(x)'}])

    assert [(rule.position, rule.rule) for rule in updated.rules] == [
        (0, 'e(x) :- f(x)'), (1, 'g(x) :- h(x)'), (2, 'i(x) :- j(x)')]
    assert updated.revision == 2
    assert updated.updated_at > policy.updated_at
    assert _count(database, models.Rule.__table__) == 3
    assert [rule.id for rule in dbapi.get_policy(policy.id).rules] == [
        rule.id for rule in updated.rules]


def test_another_projects_objects_are_not_found(database):
    dbapi = db_api.get_instance()
    policy = _policy(dbapi, rules=['a(x) :- b(x)'])
    violation_id = _violation(policy, ['vm-1'])
    datasource = dbapi.create_datasource(
        {'name': 'nova', 'project_id': PROJECT, 'driver': 'push',
         'config': {}})
    other = 'project-b'

    for call, error in (
            (lambda: dbapi.get_policy(policy.id, other),
             exception.PolicyNotFound),
            (lambda: dbapi.get_rule(policy.id, policy.rules[0].id, other),
             exception.PolicyNotFound),
            (lambda: dbapi.get_datasource(datasource.id, other),
             exception.DatasourceNotFound),
            (lambda: dbapi.update_datasource(datasource.id, {'name': 'x'},
                                             other),
             exception.DatasourceNotFound),
            (lambda: dbapi.delete_datasource(datasource.id, other),
             exception.DatasourceNotFound),
            (lambda: dbapi.get_violation(violation_id, other),
             exception.ViolationNotFound),
            (lambda: dbapi.acknowledge_violation(violation_id, 'eve', other),
             exception.ViolationNotFound)):
        with pytest.raises(error):
            call()
    for model, object_id in ((models.Policy, policy.id),
                             (models.Datasource, datasource.id),
                             (models.Violation, violation_id)):
        assert dbapi.get_status(model, object_id, other) is None
        assert dbapi.get_status(model, object_id, PROJECT) is not None

    assert dbapi.get_datasource(datasource.id).name == 'nova'
    assert dbapi.get_violation(violation_id).acknowledged_at is None


def test_a_marker_must_name_an_item_of_the_projects_list(database):
    dbapi = db_api.get_instance()
    mine = _policy(dbapi, name='mine')
    theirs = dbapi.create_policy(
        {'name': 'theirs', 'project_id': 'project-b', 'severity': 'low',
         'violation_table': 'error', 'actions': []}, [])

    assert dbapi.list_policies(PROJECT, marker=mine.id) == []
    for marker in (theirs.id, '0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11'):
        with pytest.raises(exception.MarkerNotFound):
            dbapi.list_policies(PROJECT, marker=marker)
    # Unscoped (the engine's view), every project's items are markers.
    assert [policy.id for policy in dbapi.list_policies(
        marker=mine.id, sort_keys=['name'], sort_dirs=['asc'])] == [
        theirs.id]


@pytest.mark.parametrize('direction', ['asc', 'desc'])
def test_pages_walk_every_item_once_despite_equal_sort_keys(database,
                                                              direction):
    dbapi = db_api.get_instance()
    policies = [_policy(dbapi, name='p%d' % index) for index in range(7)]
    dbapi.update_policy(policies[3].id, {'severity': 'high'})

    pages, marker = [], None
    while True:
        page = dbapi.list_policies(
            PROJECT, limit=2, marker=marker, sort_keys=['severity'],
            sort_dirs=[direction])
        if not page:
            break
        pages.append(page)
        marker = page[-1].id

    walked = [policy for page in pages for policy in page]
    expected = sorted(walked, key=lambda p: (p.severity, p.id),
                      reverse=direction == 'desc')
    assert [p.id for p in walked] == [p.id for p in expected]
    assert len({p.id for p in walked}) == 7


def test_violation_filters_combine_operators_and_equality(database):
    dbapi = db_api.get_instance()
    policy = _policy(dbapi)
    early, late = datetime.datetime(2026, 1, 1), datetime.datetime(2026, 6, 1)
    old = _violation(policy, ['vm-1'], first_seen_at=early)
    new = _violation(policy, ['vm-2'], first_seen_at=late)
    _violation(policy, ['vm-3'], first_seen_at=late, status='resolved')
    _violation(policy, ['vm-4'], first_seen_at=late,
               acknowledged_at=late, acknowledged_by='ops')

    def ids(**filters):
        return sorted(violation.id for violation in dbapi.list_violations(
            PROJECT, filters=filters))

    assert ids(status='active',
               first_seen_at=('__ge__', datetime.datetime(2026, 3, 1)),
               acknowledged_at=('is_', None)) == [new]
    assert ids(status='active',
               first_seen_at=('__lt__', datetime.datetime(2026, 3, 1))) == [
        old]


def test_the_first_acknowledgement_wins(database):
    dbapi = db_api.get_instance()
    violation_id = _violation(_policy(dbapi), ['vm-1'])

    first = dbapi.acknowledge_violation(violation_id, 'alice')
    second = dbapi.acknowledge_violation(violation_id, 'bob')

    assert (second.acknowledged_by, second.acknowledged_at,
            second.updated_at) == (
        'alice', first.acknowledged_at, first.acknowledged_at)


def test_concurrent_acknowledgements_agree_on_the_first(database):
    dbapi = db_api.get_instance()
    violation_id = _violation(_policy(dbapi), ['vm-1'])
    answers = []

    errors = _concurrently(8, lambda index: answers.append(
        dbapi.acknowledge_violation(violation_id, 'user-%d' % index)))

    assert errors == []
    stored = dbapi.get_violation(violation_id)
    assert {(answer.acknowledged_by, answer.acknowledged_at)
            for answer in answers} == {
        (stored.acknowledged_by, stored.acknowledged_at)}


def test_status_is_one_query_of_two_columns(database):
    dbapi = db_api.get_instance()
    policy = _policy(dbapi)
    violation_id = _violation(policy, ['vm-1'])
    violation = dbapi.get_violation(violation_id)
    statements = []

    def record(connection, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(database, 'before_cursor_execute', record)
    try:
        found = dbapi.get_status(models.Violation, violation_id, PROJECT)
    finally:
        sa.event.remove(database, 'before_cursor_execute', record)

    assert tuple(found) == ('active', violation.updated_at)
    (select,) = [s for s in statements if 'violations' in s]
    columns = select.split(' FROM ')[0]
    assert columns.count(',') == 1
    assert dbapi.get_status(models.Policy, policy.id) == (
        True, policy.updated_at)
    assert dbapi.get_status(models.Violation, policy.id) is None


def _drop_other_connections(engine):
    """End, on the server, every connection to the database but one's own
    (as a database restart would)."""
    if engine.dialect.name == 'postgresql':
        kill = sa.text(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
            'WHERE datname = current_database() AND pid <> pg_backend_pid()')
    else:
        kill = None
    with engine.connect() as connection:
        if kill is not None:
            connection.execute(kill)
            return
        ids = connection.execute(sa.text(
            'SELECT id FROM information_schema.processlist '
            'WHERE db = DATABASE() AND id <> CONNECTION_ID()')).scalars()
        for connection_id in list(ids):
            connection.execute(sa.text('KILL %d' % connection_id))


# An embedded database has no connections a server could drop.
@pytest.mark.parametrize('migrated_database', ['postgresql', 'mysql'],
                         indirect=True)
def test_status_reads_survive_their_connection_dropped(database):
    """A status view keeps its connection between reads; a kept connection
    that the server closed costs the poller nothing."""
    dbapi = db_api.get_instance()
    policy = _policy(dbapi)
    violation_id = _violation(policy, ['vm-1'])
    assert dbapi.get_status(models.Violation, violation_id)[0] == 'active'

    _drop_other_connections(database)

    assert dbapi.get_status(models.Violation, violation_id)[0] == 'active'
    assert dbapi.get_status(models.Violation, violation_id)[0] == 'active'


def test_deleting_removes_what_belongs_to_the_deleted_only(database):
    dbapi = db_api.get_instance()
    doomed = _policy(dbapi, name='doomed', rules=['a(x) :- b(x)'])
    kept = _policy(dbapi, name='kept', rules=['c(x) :- d(x)'])
    for policy in (doomed, kept):
        _violation(policy, ['vm-1'])
    sources = [dbapi.create_datasource(
        {'name': name, 'project_id': PROJECT, 'driver': 'push',
         'config': {}}) for name in ('nova', 'neutron')]
    with database.begin() as connection:
        for source in sources:
            connection.execute(models.DatasourceRow.__table__.insert().values(
                datasource_id=source.id, table_name='servers',
                row_hash='h', values=['vm-1'], created_at=kept.created_at))

    dbapi.delete_policy(doomed.id)
    dbapi.delete_datasource(sources[0].id)

    for table, column, gone, stays in (
            (models.Rule.__table__, 'policy_id', doomed.id, kept.id),
            (models.Violation.__table__, 'policy_id', doomed.id, kept.id),
            (models.DatasourceRow.__table__, 'datasource_id', sources[0].id,
             sources[1].id)):
        assert _count(database, table, **{column: gone}) == 0
        assert _count(database, table, **{column: stays}) == 1
