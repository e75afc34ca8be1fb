"""The API behind keystonemiddleware, with tokens from a real Keystone."""

import datetime
import time

import pytest
import webtest

from healapi.api import app
from healapi.conf import CONF
from tests.functional.api import access_matrix as matrix
from tests.functional.api import helpers

# Token handling doesn't depend on the database: SQLite is enough.
pytestmark = pytest.mark.parametrize('migrated_database', ['sqlite'],
                                     indirect=True)


@pytest.fixture
def api(database, keystone):
    """A webtest client of the full API pipeline, authenticating tokens."""
    keystone.configure(CONF)
    yield webtest.TestApp(app.build_wsgi_app())
    keystone.unconfigure(CONF)


def _auth(token):
    return {'X-Auth-Token': token}


def _assert_refused(response, keystone):
    helpers.assert_error(response, 401)
    assert keystone.url in response.headers['WWW-Authenticate']


def _refused_eventually(api, token, timeout):
    """GET /v1/policies with ``token`` until refused or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.get('/v1/policies', headers=_auth(token),
                           expect_errors=True)
        if response.status_int != 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_member_token_is_accepted_for_its_project(api, keystone):
    headers = _auth(keystone.token('member'))

    policy = api.post_json('/v1/policies', {'name': 'p'},
                           headers=headers).json

    assert policy['project_id'] == keystone.project_id('project-a')
    listed = api.get('/v1/policies', headers=headers).json['policies']
    assert [p['id'] for p in listed] == [policy['id']]


def test_request_without_token_is_refused(api, keystone):
    _assert_refused(api.get('/v1/policies', expect_errors=True), keystone)


def test_garbage_token_is_refused(api, keystone):
    response = api.get('/v1/policies', headers=_auth('not-a-token'),
                       expect_errors=True)
    _assert_refused(response, keystone)


def test_reader_reads_but_cannot_create(api, keystone):
    headers = _auth(keystone.token('reader'))

    assert api.get('/v1/policies', headers=headers).status_int == 200
    response = api.post_json('/v1/policies', {'name': 'p'}, headers=headers,
                             expect_errors=True)
    helpers.assert_error(response, 403)


def test_version_discovery_needs_no_token(api):
    assert api.get('/').status_int == 200


def test_revoked_token_is_refused_once_no_longer_cached(api, keystone):
    token = keystone.issue_token('member')
    assert api.get('/v1/policies', headers=_auth(token)).status_int == 200

    keystone.revoke(token)

    response = _refused_eventually(
        api, token, timeout=CONF.keystone_authtoken.token_cache_time + 30)
    _assert_refused(response, keystone)


def test_expired_token_is_refused(api, keystone):
    # Keystone drops the sub-seconds: the token lives 4 to 5 s.
    token, expires_at = keystone.expiring_token('member', seconds=5)
    assert api.get('/v1/policies', headers=_auth(token)).status_int == 200

    now = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(max(0, (expires_at - now).total_seconds()))

    _assert_refused(_refused_eventually(api, token, timeout=30), keystone)


@pytest.mark.parametrize('persona', matrix.PERSONAS)
@pytest.mark.parametrize('endpoint', list(matrix.MATRIX), ids=' '.join)
def test_access(api, keystone, database, endpoint, persona):
    """The access matrix (:mod:`access_matrix`) with Keystone's tokens."""
    projects = {name: keystone.project_id(name)
                for name in set(matrix.PERSONA_PROJECTS.values())}
    world = matrix.build_world(projects)
    token = keystone.token(persona) if persona != 'no_token' else None
    response = matrix.check_cell(api, token, world, database, endpoint,
                                 matrix.expected_status(endpoint, persona))
    if response.status_int < 300:
        matrix.check_answer(response, world, endpoint, persona, projects)
