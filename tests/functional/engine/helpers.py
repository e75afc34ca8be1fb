"""What the engine tests share: waiting for something to happen, and a
push datasource with a policy over it, driven through the API."""

import time

import pytest

from tests.functional.api import helpers as api_helpers
from tests.functional.commands.conftest import command
from tests.functional.commands.conftest import run

TABLES = {'vm_status': ['vm', 'status'], 'quarantined': ['vm'],
          'deadline': ['vm', 'at']}
RULE = 'error(vm) :- mon:vm_status(vm, "ERROR")'


def wait_for(predicate, what, timeout=30):
    """``predicate()``'s first true value, polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail('timed out waiting for %s' % what)
        time.sleep(0.02)


def datasource(api, name='mon', **fields):
    fields.setdefault('config', {'tables': TABLES})
    return api_helpers.create_datasource(api, name, **fields)


def policy(api, *rules, **fields):
    """A policy of ``rules`` (by default :data:`RULE`)."""
    return api_helpers.create_policy(
        api, fields.pop('name', 'vm_health'),
        rules=[{'rule': rule} for rule in rules or [RULE]], **fields)


def put_rows(api, datasource, table, rows):
    return api.put_json(api_helpers.rows_url(datasource, table),
                        {'rows': rows}).json


def patch_rows(api, datasource, table, insert=(), delete=()):
    return api.patch_json(api_helpers.rows_url(datasource, table),
                          {'insert': list(insert),
                           'delete': list(delete)}).json


def violations(api, policy, **filters):
    """The policy's violations, oldest first."""
    filters.update(policy_id=policy['id'], sort='first_seen_at:asc')
    return api.get('/v1/violations', params=filters).json['violations']


def active_values(api, policy):
    return sorted(v['values'] for v in violations(api, policy,
                                                  status='active'))


def migrate(conf):
    """Bring the database of config file ``conf`` to the latest schema,
    as an operator would."""
    upgrade = run(command('healapi-manage'), '--config-file', str(conf),
                  'db', 'upgrade')
    assert upgrade.returncode == 0, upgrade.stderr
