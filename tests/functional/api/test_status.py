"""The status-by-UUID views: small body, ETag, If-None-Match."""

import pytest

from tests.functional.api import helpers


def _create(api, resource):
    if resource == 'policies':
        return helpers.create_policy(api)['id']
    if resource == 'datasources':
        return helpers.create_datasource(api)['id']
    policy = helpers.create_policy(api)
    return helpers.insert_violation(policy, ['vm-1'])


@pytest.mark.parametrize('resource, status', [
    ('policies', 'enabled'), ('datasources', 'enabled'),
    ('violations', 'active')])
def test_status_body_and_conditional_get(api, resource, status):
    object_id = _create(api, resource)
    url = '/v1/%s/%s/status' % (resource, object_id)

    response = api.get(url)

    assert response.json == {'id': object_id, 'status': status,
                             'updated_at': response.json['updated_at']}
    etag = response.headers['ETag']
    assert etag.startswith('"') and len(etag) > 2
    not_modified = api.get(url, headers={'If-None-Match': etag})
    assert not_modified.status_int == 304
    assert not_modified.body == b''
    assert not_modified.headers['ETag'] == etag
    changed = api.get(url, headers={'If-None-Match': '"other"'})
    assert changed.status_int == 200
    assert changed.json == response.json
    head = api.head(url)
    assert head.status_int == 200 and head.headers['ETag'] == etag


@pytest.mark.parametrize('resource', ['policies', 'datasources'])
def test_etag_changes_with_status(api, resource):
    object_id = _create(api, resource)
    url = '/v1/%s/%s/status' % (resource, object_id)
    before = api.get(url)

    api.patch_json('/v1/%s/%s' % (resource, object_id), {'enabled': False})

    after = api.get(url, headers={'If-None-Match': before.headers['ETag']})
    assert after.status_int == 200
    assert after.json['status'] == 'disabled'
    assert after.headers['ETag'] != before.headers['ETag']


def test_violation_etag_changes_when_acknowledged(api):
    object_id = _create(api, 'violations')
    url = '/v1/violations/%s/status' % object_id
    before = api.get(url)

    api.post('/v1/violations/%s/acknowledge' % object_id)

    after = api.get(url, headers={'If-None-Match': before.headers['ETag']})
    assert after.status_int == 200
    assert after.headers['ETag'] != before.headers['ETag']


@pytest.mark.parametrize('resource, code', [
    ('policies', 'healapi.policy.not_found'),
    ('datasources', 'healapi.datasource.not_found'),
    ('violations', 'healapi.violation.not_found')])
def test_status_of_unknown_id_is_404(api, resource, code):
    response = api.get(
        '/v1/%s/0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11/status' % resource,
        expect_errors=True)
    helpers.assert_error(response, 404, code)


def test_status_refuses_other_methods(api):
    object_id = _create(api, 'policies')
    response = api.post('/v1/policies/%s/status' % object_id,
                        expect_errors=True)
    helpers.assert_error(response, 405)


@pytest.mark.parametrize('resource', ['policies', 'datasources',
                                      'violations'])
def test_status_only_lives_under_the_id(api, resource):
    object_id = _create(api, resource)
    response = api.get('/v1/%s/status/%s' % (resource, object_id),
                       expect_errors=True)
    helpers.assert_error(response, 404, 'healapi.not_found')
