"""What a policy derives now (with proofs), and what it would derive
after hypothetical changes, evaluated from the rows pushed."""

from oslo_utils import uuidutils
import pytest

from tests.functional.api import access_matrix
from tests.functional.api import helpers

RULES = [
    'error(vm) :- nova:servers(vm, "ERROR"), not nova:exempt(vm)',
    # Any status sorting after ACTIVE (gt, to have a builtin in proofs).
    'down(vm, status) :- nova:servers(vm, status), gt(status, "ACTIVE")',
    'execute[nova:insert("exempt", vm)] :- error(vm), local_list(vm)',
]


@pytest.fixture
def nova(api):
    datasource = helpers.create_datasource(api, config={'tables': {
        'servers': ['id', 'status'], 'exempt': ['vm']}})
    api.put_json(helpers.rows_url(datasource, 'servers'), {'rows': [
        ['vm-2', 'ERROR'], ['vm-1', 'ERROR'], ['vm-3', 'ACTIVE'],
        ['vm-4', 'SHUTOFF']]})
    api.put_json(helpers.rows_url(datasource, 'exempt'),
                 {'rows': [['vm-2']]})
    return datasource


@pytest.fixture
def policy(api, nova):
    return helpers.create_policy(api, rules=[{'rule': rule}
                                             for rule in RULES])


def _rows(api, policy, table, query=''):
    return api.get('/v1/policies/%s/tables/%s/rows%s'
                   % (policy['id'], table, query)).json


def _simulate(api, policy, body, **kwargs):
    return api.post_json('/v1/policies/%s/simulate' % policy['id'], body,
                         **kwargs)


def test_rows_are_what_the_policy_derives_now(api, nova, policy):
    assert _rows(api, policy, 'error') == {'rows': [['vm-1']]}
    assert _rows(api, policy, 'down') == {'rows': [
        ['vm-1', 'ERROR'], ['vm-2', 'ERROR'], ['vm-4', 'SHUTOFF']]}

    api.patch_json(helpers.rows_url(nova, 'servers'), {
        'delete': [['vm-1', 'ERROR']], 'insert': [['vm-5', 'ERROR']]})

    assert _rows(api, policy, 'error') == {'rows': [['vm-5']]}


def test_rows_read_by_the_policy_are_shown_as_it_reads_them(api, nova,
                                                            policy):
    assert _rows(api, policy, 'nova:exempt') == {'rows': [['vm-2']]}
    # A table the policy reads that no datasource fills reads as empty.
    assert _rows(api, policy, 'local_list') == {'rows': []}

    api.patch_json('/v1/datasources/%s' % nova['id'], {'enabled': False})

    assert _rows(api, policy, 'nova:servers') == {'rows': []}
    assert _rows(api, policy, 'error') == {'rows': []}


def test_rows_are_sorted_by_type_then_value(api):
    datasource = helpers.create_datasource(
        api, name='mon', config={'tables': {'values': ['v']}})
    api.put_json(helpers.rows_url(datasource, 'values'), {'rows': [
        ['b'], [2], [None], [True], [1.5], ['a'], [-3], [False]]})
    policy = helpers.create_policy(api, rules=[
        {'rule': 'seen(v) :- mon:values(v)'}])

    assert _rows(api, policy, 'seen')['rows'] == [
        [None], [False], [True], [-3], [1.5], [2], ['a'], ['b']]


def test_trace_gives_each_row_its_proof(api, nova, policy):
    body = _rows(api, policy, 'error', '?trace=true')

    assert body['rows'] == [['vm-1']]
    assert body['proofs'] == [{
        'table': 'error', 'row': ['vm-1'], 'kind': 'derived',
        'rule': 'error(vm) :- nova:servers(vm, "ERROR"), '
                'not nova:exempt(vm)',
        'premises': [
            {'table': 'nova:servers', 'row': ['vm-1', 'ERROR'],
             'kind': 'base', 'rule': None, 'premises': []},
            {'table': 'nova:exempt', 'row': ['vm-1'], 'kind': 'absent',
             'rule': None, 'premises': []}]}]
    proof = _rows(api, policy, 'down', '?trace=1')['proofs'][0]
    assert [premise['kind'] for premise in proof['premises']] == [
        'base', 'builtin']
    assert 'proofs' not in _rows(api, policy, 'error', '?trace=false')


def test_the_violation_table_of_a_policy_without_rules_is_empty(api):
    policy = helpers.create_policy(api, rules=[])
    assert _rows(api, policy, 'error') == {'rows': []}


@pytest.mark.parametrize('table', ['nosuch', 'nova:volumes', 'nova'])
def test_unknown_table_is_404(api, policy, table):
    response = api.get('/v1/policies/%s/tables/%s/rows'
                       % (policy['id'], table), expect_errors=True)
    error = helpers.assert_error(response, 404,
                                 'healapi.policy.table_not_found')
    assert repr(table) in error['detail']


def test_unknown_policy_is_404(api):
    policy_id = uuidutils.generate_uuid()
    for response in (
            api.get('/v1/policies/%s/tables/error/rows' % policy_id,
                    expect_errors=True),
            api.post_json('/v1/policies/%s/simulate' % policy_id, {},
                          expect_errors=True)):
        helpers.assert_error(response, 404, 'healapi.policy.not_found')


def test_invalid_trace_is_400(api, policy):
    response = api.get('/v1/policies/%s/tables/error/rows?trace=maybe'
                       % policy['id'], expect_errors=True)
    helpers.assert_error(response, 400, 'healapi.invalid_parameter')


def test_simulate_shows_changes_and_stores_nothing(api, database, nova,
                                                   policy):
    before = access_matrix.snapshot(database)

    response = _simulate(api, policy, {'changes': [
        {'table': 'nova:servers', 'insert': [['vm-7', 'ERROR']],
         'delete': [['vm-1', 'ERROR']]},
        {'table': 'nova:exempt', 'delete': [{'vm': 'vm-2'}]}]})

    assert response.status_int == 200
    assert response.json == {'tables': [
        {'name': 'error', 'added': [['vm-2'], ['vm-7']],
         'removed': [['vm-1']]}]}
    assert access_matrix.snapshot(database) == before
    assert _rows(api, policy, 'error') == {'rows': [['vm-1']]}


def test_simulate_named_tables_with_proofs(api, nova, policy):
    body = _simulate(api, policy, {
        'changes': [{'table': 'nova:servers',
                     'insert': [{'status': 'PAUSED', 'id': 'vm-8'}],
                     'delete': [['vm-4', 'SHUTOFF']]},
                    {'table': 'local_list', 'insert': [['vm-1']]}],
        'tables': ['down', 'error', 'nova:insert'],
        'trace': True}).json

    down, error, insert = body['tables']
    assert down['name'] == 'down'
    assert down['added'] == [['vm-8', 'PAUSED']]
    assert down['removed'] == [['vm-4', 'SHUTOFF']]
    assert down['proofs'][0]['row'] == ['vm-8', 'PAUSED']
    assert down['proofs'][0]['premises'][0] == {
        'table': 'nova:servers', 'row': ['vm-8', 'PAUSED'], 'kind': 'base',
        'rule': None, 'premises': []}
    assert error == {'name': 'error', 'added': [], 'removed': [],
                     'proofs': []}
    # An action the change would run.
    assert insert['added'] == [['exempt', 'vm-1']]
    assert insert['proofs'][0]['rule'].startswith('execute[nova:insert(')


def test_simulate_without_changes_changes_nothing(api, policy):
    assert _simulate(api, policy, {}).json == {'tables': [
        {'name': 'error', 'added': [], 'removed': []}]}


@pytest.mark.parametrize('body, detail_part', [
    ({'changes': [{'table': 'nova:volumes', 'insert': [['v']]}]},
     'the policy reads no table nova:volumes'),
    ({'changes': [{'table': 'nova:servers', 'insert': [['vm-9']]}]},
     'has 1 value(s); table nova:servers has 2 columns (id, status)'),
    ({'changes': [{'table': 'local_list', 'insert': [{'vm': 'x'}]}]},
     'send its rows as arrays'),
    ({'changes': [{'table': 'nova:servers',
                   'delete': [['vm-1', ['x']]]}]}, 'value 2 is an array'),
    ({'changes': [{'insert': [['vm-9', 'ERROR']]}]}, 'table'),
    ({'changes': [{'table': 'nova:servers', 'upsert': []}]}, 'upsert'),
    ({'tables': ['nosuch']}, 'derives no table nosuch'),
    ({'tables': ['nova:servers']}, 'derives no table nova:servers'),
    ({'changes': {}}, 'changes'),
    ({'trace': True, 'dry_run': True}, 'dry_run'),
])
def test_invalid_simulation_is_400(api, database, policy, body,
                                   detail_part):
    before = access_matrix.snapshot(database)

    response = _simulate(api, policy, body, expect_errors=True)

    error = helpers.assert_error(response, 400)
    assert detail_part in error['detail']
    assert access_matrix.snapshot(database) == before
