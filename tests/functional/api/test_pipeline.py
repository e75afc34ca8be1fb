"""What the middleware pipeline gives every response."""

import pytest
import webtest

from healapi.api import app
from healapi.conf import CONF
from tests.functional.api import helpers


def test_version_discovery(api):
    body = api.get('/').json
    (version,) = body['versions']
    assert version['id'] == 'v1'
    assert version['status'] == 'CURRENT'
    assert version['min_version'] == '1.0'
    assert version['max_version'] == '1.0'
    assert version['links'] == [{'rel': 'self',
                                 'href': 'http://localhost/v1/'}]
    assert api.get('/v1/').json == {'version': version}


@pytest.mark.parametrize('path', ['/', '/v1/'])
def test_version_documents_are_read_only(api, path):
    assert api.head(path).status_int == 200
    for method in (api.post, api.put, api.delete):
        helpers.assert_error(method(path, expect_errors=True), 405)


def test_every_response_has_a_request_id(api):
    for response in (api.get('/'), api.get('/v1/policies'),
                     api.get('/nowhere', expect_errors=True),
                     api.delete('/v1/policies', expect_errors=True)):
        assert response.headers['X-OpenStack-Request-Id'].startswith('req-')


@pytest.mark.parametrize('path', ['/nowhere', '/v1/nowhere',
                                  '/v1/policies/x/y/z'])
def test_unknown_route_is_404(api, path):
    helpers.assert_error(api.get(path, expect_errors=True), 404)


@pytest.mark.parametrize('method, path', [
    ('put', '/v1/policies'), ('delete', '/v1/policies'),
    ('post', '/'), ('delete', '/v1/violations'),
    ('post', '/v1/violations')])
def test_wrong_method_is_405(api, method, path):
    response = getattr(api, method)(path, expect_errors=True)
    error = helpers.assert_error(response, 405)
    assert method.upper() in error['detail']
    assert response.headers['Allow']


def test_oversize_body_is_413_and_stores_nothing(api):
    limit = CONF.oslo_middleware.max_request_body_size
    response = api.post_json('/v1/policies', {'name': 'big',
                                              'description': 'x' * limit},
                             expect_errors=True)
    helpers.assert_error(response, 413, 'healapi.request_too_large')
    assert api.get('/v1/policies').json['policies'] == []


def test_oversize_chunked_body_is_413(api):
    limit = CONF.oslo_middleware.max_request_body_size
    body = b'{"name": "big", "description": "' + b'x' * limit + b'"}'
    response = api.request(
        '/v1/policies', method='POST', body=body,
        headers={'Content-Type': 'application/json',
                 'Transfer-Encoding': 'chunked'},
        expect_errors=True)
    helpers.assert_error(response, 413, 'healapi.request_too_large')
    assert api.get('/v1/policies').json['policies'] == []


def test_cors_preflight(api):
    CONF.set_override('allowed_origin', ['https://horizon.example.com'],
                      group='cors')
    cors_api = webtest.TestApp(app.build_wsgi_app())
    response = cors_api.options('/v1/policies', headers={
        'Origin': 'https://horizon.example.com',
        'Access-Control-Request-Method': 'POST'})
    assert response.headers['Access-Control-Allow-Origin'] == (
        'https://horizon.example.com')
    response = cors_api.get('/v1/policies', headers={
        'Origin': 'https://horizon.example.com'})
    assert 'X-OpenStack-Request-Id' in response.headers[
        'Access-Control-Expose-Headers']


def test_proxy_headers_shape_links(api):
    CONF.set_override('enable_proxy_headers_parsing', True,
                      group='oslo_middleware')
    proxied = webtest.TestApp(app.build_wsgi_app())
    response = proxied.post_json(
        '/v1/policies', {'name': 'p'},
        headers={'X-Forwarded-Proto': 'https',
                 'X-Forwarded-Host': 'healing.example.com'})
    assert response.headers['Location'].startswith(
        'https://healing.example.com/v1/policies/')


def test_public_endpoint_shapes_links(api):
    CONF.set_override('public_endpoint', 'https://api.example.com/healing',
                      group='api')
    policy = helpers.create_policy(api)
    assert policy['links'][0]['href'] == (
        'https://api.example.com/healing/v1/policies/%s' % policy['id'])


class TestKeystoneStrategy:
    """With keystone auth, only version discovery is public."""

    @pytest.fixture
    def keystone_api(self, database):
        CONF.set_override('auth_strategy', 'keystone', group='api')
        CONF.set_override('www_authenticate_uri', 'http://127.0.0.1:5000',
                          group='keystone_authtoken')
        return webtest.TestApp(app.build_wsgi_app())

    def test_version_discovery_needs_no_token(self, keystone_api):
        assert keystone_api.get('/').status_int == 200

    @pytest.mark.parametrize('path', ['/v1/', '/v1/policies',
                                      '/v1/violations'])
    def test_no_token_is_401(self, keystone_api, path):
        response = keystone_api.get(path, expect_errors=True)
        helpers.assert_error(response, 401)
        assert 'WWW-Authenticate' in response.headers
        assert response.headers['OpenStack-API-Version'] == 'healing 1.0'

    def test_spoofed_identity_headers_are_not_trusted(self, keystone_api):
        response = keystone_api.post_json(
            '/v1/policies', {'name': 'p'},
            headers={'X-Identity-Status': 'Confirmed', 'X-Roles': 'admin',
                     'X-Project-Id': 'p1', 'X-User-Id': 'u1'},
            expect_errors=True)
        helpers.assert_error(response, 401)


class TestNoauth:

    def test_noauth_ignores_identity_headers_sent_by_clients(self, api):
        policy = api.post_json('/v1/policies', {'name': 'p'},
                               headers={'X-Project-Id': 'other'}).json
        assert policy['project_id'] == CONF.api.noauth_project_id


@pytest.mark.parametrize('path', ['/v1/policies', '/v1/policies/{id}',
                                  '/v1/policies/{id}/rules',
                                  '/v1/policies/{id}/status'])
def test_head_answers_like_get_without_a_body(api, path):
    policy = helpers.create_policy(api)
    url = path.format(id=policy['id'])

    get = api.get(url)
    head = api.head(url)

    assert head.status_int == 200
    assert head.body == b''
    assert head.headers['Content-Length'] == get.headers['Content-Length']
    assert head.content_type == get.content_type


def test_head_of_unknown_item_is_404_without_a_body(api):
    response = api.head('/v1/policies/0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11',
                        expect_errors=True)
    assert response.status_int == 404
    assert response.body == b''
