"""Push datasource tables: config.tables, and rows pushed with PUT/PATCH."""

import json

from oslo_utils import uuidutils
import pytest

from healapi.conf import CONF
from tests.functional.api import helpers

TABLES = {'servers': ['id', 'status'], 'api_tokens': ['owner']}


@pytest.fixture
def nova(api):
    return helpers.create_datasource(api, config={'tables': TABLES})


def _put(api, datasource, rows, table='servers', **kwargs):
    return api.put_json(helpers.rows_url(datasource, table), {'rows': rows},
                        **kwargs)


def _patch(api, datasource, body, table='servers', **kwargs):
    return api.patch_json(helpers.rows_url(datasource, table), body,
                          **kwargs)


def test_declared_tables_are_listed_with_their_row_counts(api, nova):
    _put(api, nova, [['vm-1', 'ACTIVE'], ['vm-2', 'ERROR']])
    url = '/v1/datasources/%s/tables' % nova['id']

    assert api.get(url).json == {'tables': [
        {'name': 'api_tokens', 'columns': ['owner'], 'row_count': 0},
        {'name': 'servers', 'columns': ['id', 'status'], 'row_count': 2}]}
    assert api.get(url + '/servers').json == {
        'name': 'servers', 'columns': ['id', 'status'], 'row_count': 2}
    error = helpers.assert_error(api.get(url + '/volumes',
                                         expect_errors=True),
                                 404, 'healapi.datasource.table_not_found')
    assert 'volumes' in error['detail']
    assert 'config.tables' in error['detail']


def test_table_named_like_a_secret_is_shown(api, nova):
    assert nova['config']['tables'] == TABLES
    shown = api.get('/v1/datasources/%s' % nova['id']).json
    assert shown['config']['tables']['api_tokens'] == ['owner']


def test_put_replaces_the_table(api, nova):
    first = _put(api, nova, [['vm-1', 'ACTIVE'], ['vm-2', 'ERROR']])
    second = _put(api, nova, [['vm-2', 'ERROR'], ['vm-3', 'ACTIVE']])

    assert first.status_int == 200
    assert first.json == {'added': 2, 'removed': 0}
    assert second.json == {'added': 1, 'removed': 1}
    assert helpers.all_rows(api, nova, 'servers') == [
        ['vm-2', 'ERROR'], ['vm-3', 'ACTIVE']]
    # The same rows again, or listed twice, change nothing.
    assert _put(api, nova, [['vm-3', 'ACTIVE'], ['vm-2', 'ERROR'],
                            ['vm-2', 'ERROR']]).json == {
        'added': 0, 'removed': 0}
    assert _put(api, nova, []).json == {'added': 0, 'removed': 2}
    assert helpers.all_rows(api, nova, 'servers') == []


def test_tables_are_separate(api, nova):
    other = helpers.create_datasource(api, name='other',
                                      config={'tables': TABLES})
    _put(api, nova, [['vm-1', 'ACTIVE']])
    _put(api, other, [['vm-9', 'ERROR']])
    _put(api, nova, [['alice']], table='api_tokens')

    assert helpers.all_rows(api, nova, 'servers') == [['vm-1', 'ACTIVE']]
    assert helpers.all_rows(api, other, 'servers') == [['vm-9', 'ERROR']]
    assert helpers.all_rows(api, nova, 'api_tokens') == [['alice']]


def test_patch_deletes_then_inserts(api, nova):
    _put(api, nova, [['vm-1', 'ACTIVE'], ['vm-2', 'ERROR']])

    response = _patch(api, nova, {'delete': [['vm-1', 'ACTIVE']],
                                  'insert': [['vm-1', 'ERROR'],
                                             ['vm-3', 'ACTIVE']]})

    assert response.json == {'added': 2, 'removed': 1}
    assert helpers.all_rows(api, nova, 'servers') == [
        ['vm-1', 'ERROR'], ['vm-2', 'ERROR'], ['vm-3', 'ACTIVE']]


def test_patch_is_idempotent(api, nova):
    _put(api, nova, [['vm-1', 'ACTIVE']])
    change = {'insert': [['vm-2', 'ERROR']], 'delete': [['vm-9', 'GONE']]}

    assert _patch(api, nova, change).json == {'added': 1, 'removed': 0}
    assert _patch(api, nova, change).json == {'added': 0, 'removed': 0}
    # A row deleted and inserted by one request stays.
    assert _patch(api, nova, {'delete': [['vm-1', 'ACTIVE']],
                              'insert': [['vm-1', 'ACTIVE']]}).json == {
        'added': 0, 'removed': 0}
    assert _patch(api, nova, {}).json == {'added': 0, 'removed': 0}
    assert helpers.all_rows(api, nova, 'servers') == [
        ['vm-1', 'ACTIVE'], ['vm-2', 'ERROR']]


def test_object_rows_are_stored_in_column_order(api, nova):
    _put(api, nova, [{'status': 'ERROR', 'id': 'vm-1'}, ['vm-2', 'ACTIVE']])
    _patch(api, nova, {'delete': [{'id': 'vm-2', 'status': 'ACTIVE'}],
                       'insert': [{'status': 'ACTIVE', 'id': 'vm-3'}]})

    assert helpers.all_rows(api, nova, 'servers') == [
        ['vm-1', 'ERROR'], ['vm-3', 'ACTIVE']]


def test_every_kind_of_scalar_round_trips(api, nova):
    # The longest row: 65535 characters as JSON.
    longest = ['vm-5', 'x' * (65535 - len('["vm-5", ""]'))]
    rows = [['vm-1', None], ['vm-2', 3], ['vm-3', 2.5], ['vm-4', True],
            longest, ['vm-6', -7], ['vm-7', 'é']]

    assert _put(api, nova, rows).json == {'added': 7, 'removed': 0}

    assert helpers.all_rows(api, nova, 'servers') == sorted(rows,
                                                            key=json.dumps)


@pytest.mark.parametrize('body, detail_part', [
    ({'rows': [['vm-1']]}, 'has 1 value(s); table servers has 2 columns'),
    ({'rows': [['vm-1', 'A', 'B']]}, 'row 1 of "rows"'),
    ({'rows': [['vm-1', 'A'], ['vm-2', ['nested']]]},
     'row 2 of "rows": value 2 is an array'),
    ({'rows': [['vm-1', {'a': 1}]]}, 'value 2 is an object'),
    ({'rows': [['vm-1', 'x' * (65536 - len('["vm-1", ""]'))]]},
     'it takes 65536 characters as JSON'),
    # Non-ASCII characters count as their escapes (\u00e9).
    ({'rows': [['vm-1', 'é' * 10921]]}, 'it takes 65538 characters'),
    ({'rows': [{'id': 'vm-1'}]}, 'the row names id'),
    ({'rows': [{'id': 'vm-1', 'status': 'A', 'host': 'h'}]}, 'host'),
    ({'rows': ['vm-1']}, 'a row is an array of values or an object'),
    ({'rows': [['vm-1', 'A']], 'more': 1}, 'more'),
    ({'row': [['vm-1', 'A']]}, 'row'),
    ({}, "'rows' is missing"),
    ({'rows': {'id': 'vm-1'}}, 'rows'),
])
def test_invalid_put_changes_nothing(api, nova, body, detail_part):
    _put(api, nova, [['vm-0', 'ACTIVE']])

    response = api.put_json(helpers.rows_url(nova, 'servers'), body,
                            expect_errors=True)

    error = helpers.assert_error(response, 400)
    assert detail_part in error['detail']
    assert helpers.all_rows(api, nova, 'servers') == [['vm-0', 'ACTIVE']]


@pytest.mark.parametrize('body', [
    {'insert': [['vm-2', 'ERROR']], 'delete': [['vm-0']]},
    {'insert': [['vm-2', 'ERROR'], ['vm-3']], 'delete': [['vm-0', 'A']]},
    {'insert': [['vm-2', 'ERROR']], 'upsert': []},
    {'delete': [{'id': 'vm-0', 'state': 'ACTIVE'}]},
])
def test_invalid_patch_changes_nothing(api, nova, body):
    _put(api, nova, [['vm-0', 'ACTIVE']])

    response = _patch(api, nova, body, expect_errors=True)

    helpers.assert_error(response, 400)
    assert helpers.all_rows(api, nova, 'servers') == [['vm-0', 'ACTIVE']]


@pytest.mark.parametrize('raw', ['NaN', 'Infinity', '-Infinity', '1e999'])
def test_non_finite_numbers_are_refused(api, nova, raw):
    response = api.put(helpers.rows_url(nova, 'servers'),
                       '{"rows": [["vm-1", %s]]}' % raw,
                       content_type='application/json', expect_errors=True)

    error = helpers.assert_error(response, 400, 'healapi.invalid_rows')
    assert 'not a finite number' in error['detail']
    assert helpers.all_rows(api, nova, 'servers') == []


def test_malformed_json_is_refused(api, nova):
    response = api.put(helpers.rows_url(nova, 'servers'), '{"rows": [',
                       content_type='application/json', expect_errors=True)
    helpers.assert_error(response, 400)
    assert helpers.all_rows(api, nova, 'servers') == []


def test_too_large_a_body_is_refused(api, nova):
    CONF.set_override('max_request_body_size', 1000, group='oslo_middleware')
    rows = [['vm-%d' % number, 'ACTIVE'] for number in range(100)]

    response = _put(api, nova, rows, expect_errors=True)

    helpers.assert_error(response, 413, 'healapi.request_too_large')
    assert helpers.all_rows(api, nova, 'servers') == []


@pytest.mark.parametrize('method', ['GET', 'PUT', 'PATCH'])
def test_undeclared_table_is_404(api, nova, method):
    body = {'PUT': {'rows': [['x']]}, 'PATCH': {'insert': [['x']]}}.get(
        method)
    response = api.request(
        helpers.rows_url(nova, 'volumes'), method=method,
        body=json.dumps(body).encode() if body else b'',
        headers={'Content-Type': 'application/json'}, expect_errors=True)

    error = helpers.assert_error(response, 404,
                                 'healapi.datasource.table_not_found')
    assert "'volumes'" in error['detail']
    assert 'declare it' in error['detail']
    assert api.get('/v1/datasources/%s/tables' % nova['id']).json[
        'tables'][1]['row_count'] == 0


def test_unknown_datasource_is_404(api):
    datasource = {'id': uuidutils.generate_uuid()}
    for response in (_put(api, datasource, [], expect_errors=True),
                     api.get(helpers.rows_url(datasource, 'servers'),
                             expect_errors=True)):
        helpers.assert_error(response, 404, 'healapi.datasource.not_found')


def test_rows_page_by_page(api, nova):
    rows = [['vm-%d' % number, 'ACTIVE'] for number in range(7)]
    _put(api, nova, rows)

    pages = []
    url = helpers.rows_url(nova, 'servers') + '?limit=3'
    while url:
        body = api.get(url).json
        pages.append(body['rows'])
        url = body['links'][0]['href'] if body['links'] else None
        assert all(link['rel'] == 'next' for link in body['links'])

    assert [len(page) for page in pages] == [3, 3, 1]
    assert sorted(row for page in pages for row in page) == sorted(rows)


@pytest.mark.parametrize('query', ['limit=0', 'marker=abc', 'marker=-1',
                                   'marker=99999999999999999999',
                                   'sort=id:asc'])
def test_invalid_page_parameters(api, nova, query):
    response = api.get(helpers.rows_url(nova, 'servers') + '?' + query,
                       expect_errors=True)
    helpers.assert_error(response, 400)


@pytest.mark.parametrize('tables, detail_part', [
    (['servers'], 'expected an object'),
    ({'1servers': ['id']}, "table name '1servers' is not an identifier"),
    ({'servers': []}, 'non-empty list'),
    ({'servers': 'id'}, 'non-empty list'),
    ({'servers': ['id', 'id']}, 'names a column twice'),
    ({'servers': ['id', 'my status']}, "column name 'my status'"),
    ({'servers': ['id', 3]}, 'column name 3'),
    ({'servers': ['c%d' % number for number in range(65)]},
     'more than 64'),
    ({'s' * 256: ['id']}, 'at most 255 characters'),
])
def test_invalid_tables_are_refused(api, tables, detail_part):
    response = api.post_json('/v1/datasources', {
        'name': 'nova', 'driver': 'push', 'config': {'tables': tables}},
        expect_errors=True)
    error = helpers.assert_error(response, 400,
                                 'healapi.datasource.invalid_tables')
    assert detail_part in error['detail']
    assert api.get('/v1/datasources').json['datasources'] == []

    datasource = helpers.create_datasource(api)
    response = api.patch_json('/v1/datasources/%s' % datasource['id'],
                              {'config': {'tables': tables}},
                              expect_errors=True)
    error = helpers.assert_error(response, 400,
                                 'healapi.datasource.invalid_tables')
    assert detail_part in error['detail']
    assert api.get('/v1/datasources/%s' % datasource['id']).json == (
        datasource)


def test_sixty_four_columns_are_allowed(api):
    columns = ['c%d' % number for number in range(64)]
    datasource = helpers.create_datasource(
        api, config={'tables': {'wide': columns}})
    assert _put(api, datasource, [list(range(64))], table='wide').json == {
        'added': 1, 'removed': 0}


@pytest.mark.parametrize('tables', [
    {'servers': ['id', 'state'], 'api_tokens': ['owner']},
    {'servers': ['id'], 'api_tokens': ['owner']},
    {'servers': ['status', 'id'], 'api_tokens': ['owner']},
    {'api_tokens': ['owner']},
])
def test_a_table_with_rows_keeps_its_columns_until_emptied(api, nova,
                                                           tables):
    _put(api, nova, [['vm-1', 'ACTIVE']])
    url = '/v1/datasources/%s' % nova['id']

    response = api.patch_json(url, {'config': {'tables': tables}},
                              expect_errors=True)

    error = helpers.assert_error(response, 409,
                                 'healapi.datasource.table_not_empty')
    assert "'servers'" in error['detail']
    assert 'PUT' in error['detail']
    assert api.get(url).json == nova
    assert helpers.all_rows(api, nova, 'servers') == [['vm-1', 'ACTIVE']]

    _put(api, nova, [])
    assert api.patch_json(url, {'config': {'tables': tables}}).json[
        'config'] == {'tables': tables}


def test_tables_without_rows_change_freely(api, nova):
    _put(api, nova, [['vm-1', 'ACTIVE']])
    url = '/v1/datasources/%s' % nova['id']
    tables = {'servers': ['id', 'status'], 'api_tokens': ['owner', 'scope'],
              'hosts': ['name']}

    patched = api.patch_json(url, {'config': {'tables': tables,
                                              'region': 'One'}}).json

    assert patched['config'] == {'tables': tables, 'region': 'One'}
    assert api.patch_json(url, {'description': 'x'}).status_int == 200
    assert helpers.all_rows(api, nova, 'servers') == [['vm-1', 'ACTIVE']]


def test_rows_are_listed_in_the_order_they_were_sent(api, nova):
    first = [['vm-%02d' % number, 'ACTIVE'] for number in range(30, 0, -1)]
    _put(api, nova, first)
    more = [['vm-%02d' % number, 'ERROR'] for number in range(60, 30, -1)]
    _patch(api, nova, {'insert': more})

    listed = api.get(helpers.rows_url(nova, 'servers')).json['rows']
    assert listed == first + more
