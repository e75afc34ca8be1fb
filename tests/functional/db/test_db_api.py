"""healapi's database API: what the API and the engine rely on of it.

The HTTP behaviour is tested under tests/functional/api; these cover what a
request can't reach: concurrent writers and what a failure leaves behind.
"""

import threading

import pytest

from healapi.common import exception
from healapi.db import api as db_api
from healapi.db.sqlalchemy import models

PROJECT = 'project-a'


def _policy(dbapi, name='vm_health', rules=()):
    return dbapi.create_policy(
        {'name': name, 'project_id': PROJECT, 'severity': 'medium',
         'violation_table': 'error', 'actions': []},
        [{'rule': rule} for rule in rules])


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
