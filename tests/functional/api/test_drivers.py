"""/v1/drivers, and datasources checked against their driver."""

import pytest

from tests.functional.api import helpers

NOVA_CONFIG = {'auth_url': 'https://keystone.example.com/v3',
               'username': 'healapi', 'password': 's3cret',
               'project_name': 'service'}


def test_every_driver_is_listed(api):
    listed = {driver['name']: driver
              for driver in api.get('/v1/drivers').json['drivers']}

    assert {name: driver['kind'] for name, driver in listed.items()} == {
        'push': 'push', 'http_json': 'pull', 'nova': 'pull',
        'neutron': 'pull', 'cinder': 'pull', 'keystone': 'pull',
        'alertmanager': 'webhook', 'aodh': 'webhook', 'doctor': 'webhook'}
    assert all(driver['description'] for driver in listed.values())


def test_a_driver_shows_its_tables_and_config_schema(api):
    nova = api.get('/v1/drivers/nova').json

    tables = {table['name']: table['columns'] for table in nova['tables']}
    assert set(tables) == {'servers', 'hypervisors', 'services', 'flavors'}
    assert tables['servers'][:3] == ['id', 'name', 'status']
    assert nova['tables_in_config'] is False
    assert nova['config_schema']['required'] == ['auth_url']
    assert 'password' in nova['config_schema']['properties']
    assert nova['default_poll_interval'] == 60
    assert nova['links'][0]['href'].endswith('/v1/drivers/nova')


def test_push_drivers_take_tables_from_config(api):
    push = api.get('/v1/drivers/push').json
    assert push['tables'] == [] and push['tables_in_config'] is True
    assert push['actions'] == ['delete', 'insert']
    assert push['default_poll_interval'] is None


def test_an_unknown_driver_is_not_found(api):
    response = api.get('/v1/drivers/libvirt', expect_errors=True)
    helpers.assert_error(response, 404, 'healapi.driver.not_found')


def test_a_datasource_of_an_unknown_driver_is_refused(api):
    response = api.post_json('/v1/datasources', {
        'name': 'x', 'driver': 'libvirt'}, expect_errors=True)
    error = helpers.assert_error(response, 400,
                                 'healapi.datasource.unknown_driver')
    assert 'nova' in error['detail']


@pytest.mark.parametrize('driver, config, detail', [
    ('nova', {}, "'auth_url' is a required property"),
    ('nova', dict(NOVA_CONFIG, verify='yes'), 'verify'),
    ('nova', dict(NOVA_CONFIG, extra=1), 'Additional properties'),
    ('alertmanager', {'webhook_token': 'short'}, 'webhook_token'),
    ('http_json', {'url': 'ftp://x/', 'tables': {
        't': {'path': '$[*]', 'columns': {'a': 'a'}}}}, 'url'),
    ('http_json', {'url': 'http://x/', 'tables': {
        't': {'path': '$[', 'columns': {'a': 'a'}}}}, 'JSONPath'),
])
def test_a_config_the_driver_cannot_use_is_refused(api, driver, config,
                                                   detail):
    response = api.post_json('/v1/datasources', {
        'name': 'x', 'driver': driver, 'config': config},
        expect_errors=True)
    error = helpers.assert_error(response, 400,
                                 'healapi.datasource.invalid_config')
    assert detail in error['detail']
    assert api.get('/v1/datasources').json['datasources'] == []


def test_a_config_change_is_checked_too(api):
    nova = helpers.create_datasource(api, driver='nova', config=NOVA_CONFIG)
    response = api.patch_json('/v1/datasources/%s' % nova['id'], {
        'config': {'auth_url': 'https://k/v3'}}, expect_errors=True)
    helpers.assert_error(response, 400, 'healapi.datasource.invalid_config')
    assert helpers.stored_config(nova['id']) == NOVA_CONFIG


def test_a_config_round_trips_with_its_secrets_hidden(api):
    nova = helpers.create_datasource(api, driver='nova', config=NOVA_CONFIG)
    assert nova['config']['password'] == '<hidden>'

    api.patch_json('/v1/datasources/%s' % nova['id'], {
        'config': dict(nova['config'], project_name='admin')})

    assert helpers.stored_config(nova['id']) == dict(NOVA_CONFIG,
                                                     project_name='admin')


def test_a_datasource_keeps_its_driver(api):
    nova = helpers.create_datasource(api, driver='nova', config=NOVA_CONFIG)
    response = api.patch_json('/v1/datasources/%s' % nova['id'],
                              {'driver': 'push'}, expect_errors=True)
    helpers.assert_error(response, 400)
    assert helpers.stored_datasource(nova['id']).driver == 'nova'


def test_pull_datasource_tables_take_no_pushed_rows(api):
    nova = helpers.create_datasource(api, driver='nova', config=NOVA_CONFIG)
    for response in (
            api.put_json(helpers.rows_url(nova, 'servers'), {'rows': []},
                         expect_errors=True),
            api.patch_json(helpers.rows_url(nova, 'servers'),
                           {'insert': [['vm']]}, expect_errors=True)):
        error = helpers.assert_error(response, 409,
                                     'healapi.datasource.not_push')
        assert "'nova' driver" in error['detail']


def test_a_pull_datasource_lists_its_drivers_tables(api):
    nova = helpers.create_datasource(api, driver='nova', config=NOVA_CONFIG)
    tables = api.get('/v1/datasources/%s/tables' % nova['id']).json
    assert sorted(table['name'] for table in tables['tables']) == [
        'flavors', 'hypervisors', 'servers', 'services']
    assert nova['poll'] is None
