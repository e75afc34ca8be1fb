"""Microversion negotiation with ``OpenStack-API-Version: healing X.Y``."""

import pytest

from tests.functional.api import helpers

HEADER = 'OpenStack-API-Version'


def _version_of(response):
    assert HEADER in response.headers.getall('Vary')[-1]
    return response.headers[HEADER]


@pytest.mark.parametrize('requested', [None, 'healing 1.0',
                                       'healing latest', 'HEALING 1.0',
                                       'compute 2.90'])
def test_negotiated_version_is_announced(api, requested):
    headers = {HEADER: requested} if requested else {}

    response = api.get('/v1/policies', headers=headers)

    assert _version_of(response) == 'healing 1.0'


def test_version_discovery_gives_the_range(api):
    (version,) = api.get('/').json['versions']
    assert (version['min_version'], version['max_version']) == ('1.0', '1.0')


@pytest.mark.parametrize('path, status', [('/', 200), ('/v1/nowhere', 404)])
def test_every_response_carries_the_version(api, path, status):
    response = api.get(path, expect_errors=True)
    assert response.status_int == status
    assert _version_of(response) == 'healing 1.0'


@pytest.mark.parametrize('requested', ['healing 1.1', 'healing 2.0',
                                       'healing 0.9'])
def test_unavailable_version_is_406_and_stores_nothing(api, requested):
    response = api.post_json('/v1/policies', {'name': 'p'},
                             headers={HEADER: requested}, expect_errors=True)

    error = helpers.assert_error(response, 406,
                                 'healapi.microversion.not_acceptable')
    assert requested.split()[1] in error['detail']
    assert '1.0 to 1.0' in error['detail']
    assert response.headers['Vary'] == HEADER
    assert api.get('/v1/policies').json['policies'] == []


@pytest.mark.parametrize('requested', ['healing one', 'healing 1',
                                       'healing 1.x'])
def test_malformed_version_is_400(api, requested):
    response = api.get('/v1/policies', headers={HEADER: requested},
                       expect_errors=True)
    helpers.assert_error(response, 400, 'healapi.microversion.invalid')
    assert response.headers['Vary'] == HEADER
