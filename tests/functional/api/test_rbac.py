"""Policy defaults as the API enforces them, per persona.

The identity headers stand in for what keystonemiddleware sets after
validating a token; Keystone itself is exercised by the integration tests.
"""

from oslo_middleware import request_id
import pytest
import webob.dec
import webtest

from healapi.api import app
from healapi.api.middleware import errors
from tests.functional.api import helpers

PROJECT = 'project-a'


class _Identity:
    """Set the identity headers keystonemiddleware would set."""

    def __init__(self, application, project_id, roles):
        self.application = application
        self.headers = {'HTTP_X_IDENTITY_STATUS': 'Confirmed',
                        'HTTP_X_USER_ID': 'user',
                        'HTTP_X_PROJECT_ID': project_id,
                        'HTTP_X_ROLES': roles}

    @webob.dec.wsgify
    def __call__(self, request):
        request.environ.update(self.headers)
        return request.get_response(self.application)


def _client(project_id, roles):
    return webtest.TestApp(request_id.RequestId(errors.ErrorFormatter(
        _Identity(app.setup_pecan_app(), project_id, roles))))


@pytest.fixture
def member(database):
    return _client(PROJECT, 'member,reader')


@pytest.fixture
def reader(database):
    return _client(PROJECT, 'reader')


def test_member_manages_its_project(member):
    policy = helpers.create_policy(member)
    assert policy['project_id'] == PROJECT
    member.patch_json('/v1/policies/%s' % policy['id'], {'enabled': False})
    assert member.delete('/v1/policies/%s' % policy['id']).status_int == 204


def test_reader_reads_but_cannot_write(member, reader):
    policy = helpers.create_policy(member)
    assert reader.get('/v1/policies/%s' % policy['id']).json == policy
    assert reader.get('/v1/policies/%s/status' % policy['id']).status_int \
        == 200

    for response in (
            reader.post_json('/v1/policies', {'name': 'x'},
                             expect_errors=True),
            reader.patch_json('/v1/policies/%s' % policy['id'],
                              {'enabled': False}, expect_errors=True),
            reader.delete('/v1/policies/%s' % policy['id'],
                          expect_errors=True),
            reader.post_json('/v1/policies/%s/rules' % policy['id'],
                             {'rule': 'a(x)'}, expect_errors=True),
            reader.post_json('/v1/datasources',
                             {'name': 'd', 'driver': 'push'},
                             expect_errors=True)):
        helpers.assert_error(response, 403, 'healapi.forbidden')
    assert reader.get('/v1/policies/%s' % policy['id']).json == policy
    assert reader.get('/v1/datasources').json['datasources'] == []


def test_other_project_sees_nothing(member):
    policy = helpers.create_policy(member)
    stranger = _client('project-b', 'member,reader')

    assert stranger.get('/v1/policies').json['policies'] == []
    for response in (
            stranger.get('/v1/policies/%s' % policy['id'],
                         expect_errors=True),
            stranger.get('/v1/policies/%s/status' % policy['id'],
                         expect_errors=True),
            stranger.delete('/v1/policies/%s' % policy['id'],
                            expect_errors=True)):
        helpers.assert_error(response, 404)
    assert member.get('/v1/policies/%s' % policy['id']).json == policy


def test_no_role_is_forbidden(database):
    nobody = _client(PROJECT, '')
    helpers.assert_error(nobody.get('/v1/policies', expect_errors=True),
                         403)
