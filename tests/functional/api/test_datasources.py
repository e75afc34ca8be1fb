"""/v1/datasources, with write-only secrets."""

import pytest

from healapi.common import secrets
from tests.functional.api import helpers


def test_create_show_list_delete(api):
    response = api.post_json('/v1/datasources', {
        'name': 'nova', 'driver': 'push', 'description': 'compute',
        'poll_interval': 60, 'config': {'region': 'RegionOne'}})

    assert response.status_int == 201
    datasource = response.json
    assert response.headers['Location'].endswith(
        '/v1/datasources/%s' % datasource['id'])
    assert datasource['name'] == 'nova'
    assert datasource['driver'] == 'push'
    assert datasource['config'] == {'region': 'RegionOne'}
    assert datasource['enabled'] is True
    assert datasource['poll_interval'] == 60
    assert api.get(response.headers['Location']).json == datasource
    assert api.get('/v1/datasources').json['datasources'] == [datasource]

    assert api.delete(response.headers['Location']).status_int == 204
    helpers.assert_error(api.get(response.headers['Location'],
                                 expect_errors=True), 404,
                         'healapi.datasource.not_found')


def test_secrets_are_never_returned(api):
    datasource = helpers.create_datasource(api, config={
        'username': 'healapi', 'password': 's3cret', 'auth_token': 'TOK1',
        'client_secret': 'CS1', 'nested': {'x': 1},
        'auth': {'user': 'u', 'password': 'deep1'},
        'endpoints': [{'url': 'https://a', 'api_key': 'deep2'}]})

    for shown in (datasource,
                  api.get('/v1/datasources/%s' % datasource['id']).json,
                  api.get('/v1/datasources').json['datasources'][0]):
        assert shown['config'] == {
            'username': 'healapi', 'password': '<hidden>',
            'auth_token': '<hidden>', 'client_secret': '<hidden>',
            'nested': {'x': 1},
            'auth': {'user': 'u', 'password': '<hidden>'},
            'endpoints': [{'url': 'https://a', 'api_key': '<hidden>'}]}
        for secret in ('s3cret', 'TOK1', 'CS1', 'deep1', 'deep2'):
            assert secret not in str(shown)


def test_secrets_are_stored_encrypted(api):
    datasource = helpers.create_datasource(api, config={
        'username': 'healapi', 'password': 's3cret',
        'auth': {'application_credential_secret': 'deep1'}})

    stored = helpers.stored_datasource(datasource['id']).config
    assert stored['username'] == 'healapi'
    for secret in ('s3cret', 'deep1'):
        assert secret not in str(stored)
    assert stored['password'].startswith(secrets.SEALED_PREFIX)
    assert helpers.stored_config(datasource['id'])['auth'] == {
        'application_credential_secret': 'deep1'}


def test_patch_config_keeps_hidden_secrets(api):
    datasource = helpers.create_datasource(
        api, config={'username': 'a', 'password': 's3cret'})

    patched = api.patch_json('/v1/datasources/%s' % datasource['id'], {
        'config': {'username': 'b', 'password': '<hidden>'}}).json

    assert patched['config'] == {'username': 'b', 'password': '<hidden>'}
    assert helpers.stored_config(datasource['id']) == {
        'username': 'b', 'password': 's3cret'}


def test_patch_keeps_nested_hidden_secrets(api):
    config = {'auth': {'user': 'u', 'password': 'p'},
              'endpoints': [{'url': 'https://a', 'api_key': 'k'}]}
    datasource = helpers.create_datasource(api, config=config)

    api.patch_json('/v1/datasources/%s' % datasource['id'],
                   {'config': datasource['config']})

    assert helpers.stored_config(datasource['id']) == config


def test_patch_can_replace_a_secret(api):
    datasource = helpers.create_datasource(api, config={'password': 'old'})

    api.patch_json('/v1/datasources/%s' % datasource['id'],
                   {'config': {'password': 'new'}})

    assert helpers.stored_config(datasource['id']) == {
        'password': 'new'}


@pytest.mark.parametrize('config', [
    {'password': '<hidden>'},
    {'auth': {'password': '<hidden>'}},
])
def test_hidden_placeholder_for_unknown_secret_is_refused(api, config):
    response = api.post_json('/v1/datasources', {
        'name': 'nova', 'driver': 'push', 'config': config},
        expect_errors=True)
    helpers.assert_error(response, 400)
    assert api.get('/v1/datasources').json['datasources'] == []


@pytest.mark.parametrize('body, detail_part', [
    ({'driver': 'push'}, 'name'),
    ({'name': 'nova'}, 'driver'),
    ({'name': 'nova', 'driver': 'nosuch'}, 'driver'),
    ({'name': 'no va', 'driver': 'push'}, 'name'),
    ({'name': 'nova', 'driver': 'push', 'config': []}, 'config'),
    ({'name': 'nova', 'driver': 'push', 'poll_interval': 0},
     'poll_interval'),
    ({'name': 'nova', 'driver': 'push', 'poll_interval': 'often'},
     'poll_interval'),
    ({'name': 'nova', 'driver': 'push', 'secret': 'x'}, 'secret'),
])
def test_invalid_create_is_refused(api, body, detail_part):
    response = api.post_json('/v1/datasources', body, expect_errors=True)
    error = helpers.assert_error(response, 400)
    assert detail_part in error['detail']
    assert api.get('/v1/datasources').json['datasources'] == []


def test_duplicate_name_is_409(api):
    helpers.create_datasource(api, name='nova')
    response = api.post_json('/v1/datasources',
                             {'name': 'nova', 'driver': 'push'},
                             expect_errors=True)
    helpers.assert_error(response, 409, 'healapi.duplicate_name')
    assert len(api.get('/v1/datasources').json['datasources']) == 1


def test_rename_to_taken_name_changes_nothing(api):
    helpers.create_datasource(api, name='nova')
    other = helpers.create_datasource(api, name='neutron',
                                      config={'a': 1})

    response = api.patch_json('/v1/datasources/%s' % other['id'],
                              {'name': 'nova', 'config': {'a': 2}},
                              expect_errors=True)

    helpers.assert_error(response, 409)
    assert api.get('/v1/datasources/%s' % other['id']).json == other


def test_patch_may_clear_poll_interval(api):
    datasource = helpers.create_datasource(api, poll_interval=30)
    patched = api.patch_json('/v1/datasources/%s' % datasource['id'],
                             {'poll_interval': None}).json
    assert patched['poll_interval'] is None


def test_list_filters(api):
    helpers.create_datasource(api, name='a')
    helpers.create_datasource(api, name='b', enabled=False)
    names = [d['name'] for d in
             api.get('/v1/datasources?enabled=false').json['datasources']]
    assert names == ['b']
    names = [d['name'] for d in
             api.get('/v1/datasources?driver=push').json['datasources']]
    assert names == ['a', 'b']
