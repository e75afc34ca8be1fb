"""Who may do what, with stand-in tokens (see :mod:`access_matrix`).

A stand-in token gets the identity headers keystonemiddleware sets after
validating a real one, and any other request goes to keystonemiddleware
itself, so "no token" meets the real 401. ``test_keystone_tokens.py`` runs
the same matrix with tokens of a real Keystone.
"""

import time
import types

from keystonemiddleware import auth_token
from oslo_policy import opts as policy_opts
import pytest
import webob.dec
import webtest

from healapi.api import app
from healapi.api import rbac
from healapi.api.middleware import auth
from healapi.conf import CONF
from healapi import policies
from tests.functional.api import access_matrix as matrix
from tests.functional.api import helpers

#: The stand-in tokens' project ids, by project name.
STAND_IN_PROJECT_IDS = {name: name + '-id'
                        for name in set(matrix.PERSONA_PROJECTS.values())}

#: The stand-in tokens' roles, with those Keystone implies (admin implies
#: member, which implies reader).
STAND_IN_ROLES = {'admin': 'admin,member,reader', 'member': 'member,reader',
                  'reader': 'reader', 'service': 'service',
                  'other_project': 'member,reader'}

#: Tokens beyond the matrix's personas: (project id, roles).
EXTRA_TOKENS = {
    'no_role': (STAND_IN_PROJECT_IDS['project-a'], ''),
    'domain_admin': (None, 'admin,member,reader'),
    'monitoring': (STAND_IN_PROJECT_IDS['project-a'], 'monitoring'),
}


def stand_in_identity(token):
    """(project id, roles) of a stand-in token, or None."""
    if token in STAND_IN_ROLES:
        return (STAND_IN_PROJECT_IDS[matrix.PERSONA_PROJECTS[token]],
                STAND_IN_ROLES[token])
    return EXTRA_TOKENS.get(token)


class StandInAuthProtocol:
    """keystonemiddleware, but with the stand-in tokens known in advance.

    The identity headers are those keystonemiddleware sets; requests
    carrying any other token, or none, are handled by the real one.
    """

    def __init__(self, application, conf):
        self.application = application
        self.real = auth_token.AuthProtocol(application, conf)

    @webob.dec.wsgify
    def __call__(self, request):
        token = request.headers.get('X-Auth-Token')
        identity = stand_in_identity(token)
        if identity is None:
            return request.get_response(self.real)
        project_id, roles = identity
        request.environ.update({'HTTP_X_IDENTITY_STATUS': 'Confirmed',
                                'HTTP_X_USER_ID': token + '-user-id',
                                'HTTP_X_ROLES': roles})
        if project_id is not None:
            request.environ['HTTP_X_PROJECT_ID'] = project_id
        return request.get_response(self.application)


@pytest.fixture
def stand_in_client(database, monkeypatch):
    CONF.set_override('auth_strategy', 'keystone', group='api')
    CONF.set_override('www_authenticate_uri', 'http://127.0.0.1:5000',
                      group='keystone_authtoken')
    monkeypatch.setattr(auth, 'auth_token', types.SimpleNamespace(
        AuthProtocol=StandInAuthProtocol))
    return webtest.TestApp(app.build_wsgi_app())


@pytest.mark.parametrize('persona', matrix.PERSONAS)
@pytest.mark.parametrize('endpoint', list(matrix.MATRIX), ids=' '.join)
def test_access(stand_in_client, database, endpoint, persona):
    world = matrix.build_world(STAND_IN_PROJECT_IDS)
    token = persona if persona in STAND_IN_ROLES else None
    response = matrix.check_cell(stand_in_client, token, world, database,
                                 endpoint,
                                 matrix.expected_status(endpoint, persona))
    if response.status_int < 300:
        matrix.check_answer(response, world, endpoint, persona,
                            STAND_IN_PROJECT_IDS)


def _ids(response):
    (key,) = set(response.json) - {'links'}
    return {item['id'] for item in response.json[key]}


def test_admin_narrows_lists_to_one_project(stand_in_client):
    world = matrix.build_world(STAND_IN_PROJECT_IDS)
    project_b = STAND_IN_PROJECT_IDS['project-b']
    admin = {'X-Auth-Token': 'admin'}
    member = {'X-Auth-Token': 'member'}

    response = stand_in_client.get('/v1/policies', {'project_id': project_b},
                                   headers=admin)
    assert _ids(response) == {world.other_policy}
    response = stand_in_client.get('/v1/policies', {'project_id': project_b},
                                   headers=member)
    assert _ids(response) == set()
    response = stand_in_client.get(
        '/v1/violations', {'project_id': STAND_IN_PROJECT_IDS['project-a']},
        headers=admin)
    assert _ids(response) == {world.violation}


def test_token_without_a_role_is_refused(stand_in_client, database):
    world = matrix.build_world(STAND_IN_PROJECT_IDS)
    for endpoint in matrix.MATRIX:
        if endpoint not in matrix.DOCUMENTS:
            matrix.check_cell(stand_in_client, 'no_role', world, database,
                              endpoint, 403)


def test_token_without_a_project_creates_nothing(stand_in_client, database):
    matrix.build_world(STAND_IN_PROJECT_IDS)
    domain_admin = {'X-Auth-Token': 'domain_admin'}
    before = matrix.snapshot(database)

    for collection, body in (('policies', {'name': 'p'}),
                             ('datasources', {'name': 'd',
                                              'driver': 'push'})):
        response = stand_in_client.post_json(
            '/v1/' + collection, body, headers=domain_admin,
            expect_errors=True)
        helpers.assert_error(response, 403, 'healapi.forbidden')
    assert matrix.snapshot(database) == before
    response = stand_in_client.get('/v1/policies', headers=domain_admin)
    assert len(response.json['policies']) == 2


class TestOperatorPolicyFile:
    """``[oslo_policy]/policy_file`` overrides the defaults."""

    @pytest.fixture
    def policy_file(self, tmp_path, monkeypatch):
        monkeypatch.setattr(rbac, '_ENFORCER', None)
        # Registers [oslo_policy], which only an Enforcer made before would
        # have done, so that the test also passes on its own.
        policy_opts.set_defaults(CONF)
        path = tmp_path / 'policy.yaml'
        CONF.set_override('policy_file', str(path), group='oslo_policy')
        return path

    def test_overrides_apply(self, policy_file, stand_in_client, database):
        policy_file.write_text('"healapi:policy:delete": "rule:admin"\n')
        world = matrix.build_world(STAND_IN_PROJECT_IDS)
        endpoint = ('DELETE', matrix.P)

        matrix.check_cell(stand_in_client, 'member', world, database,
                          endpoint, 403)
        matrix.check_cell(stand_in_client, 'admin', world, database,
                          endpoint, 204)

    def test_an_edited_policy_file_applies_within_the_decision_time(
            self, policy_file, stand_in_client, database):
        world = matrix.build_world(STAND_IN_PROJECT_IDS)
        endpoint = ('GET', matrix.P)
        policy_file.write_text('"healapi:policy:get": "rule:admin"\n')
        matrix.check_cell(stand_in_client, 'reader', world, database,
                          endpoint, 403)

        policy_file.write_text('"healapi:policy:get": "@"\n')
        time.sleep(rbac.DECISION_TIME + 0.1)

        matrix.check_cell(stand_in_client, 'reader', world, database,
                          endpoint, 200)

    def test_a_role_can_be_given_push_rows_and_nothing_else(
            self, policy_file, stand_in_client):
        policy_file.write_text(
            '"healapi:datasource:push_rows": "rule:admin or '
            'rule:project_member or (role:monitoring and '
            'project_id:%(project_id)s)"\n')
        enforcer = rbac.get_enforcer()
        monitoring = {'project_id': STAND_IN_PROJECT_IDS['project-a'],
                      'roles': ['monitoring']}
        own = {'project_id': monitoring['project_id']}

        allowed = {rule.name for rule in policies.list_rules()
                   if enforcer.enforce(rule.name, own, monitoring)}
        assert allowed == {'healapi:datasource:push_rows'}
        assert not enforcer.enforce(
            'healapi:datasource:push_rows',
            {'project_id': STAND_IN_PROJECT_IDS['project-b']}, monitoring)

    def test_a_push_only_role_pushes_rows_and_reads_nothing(
            self, policy_file, stand_in_client, database):
        policy_file.write_text(
            '"healapi:datasource:push_rows": "rule:admin or '
            'rule:project_member or (role:monitoring and '
            'project_id:%(project_id)s)"\n')
        world = matrix.build_world(STAND_IN_PROJECT_IDS)
        for method in ('PUT', 'PATCH'):
            matrix.check_cell(stand_in_client, 'monitoring', world, database,
                              (method, matrix.ROWS), 200)
        rows = stand_in_client.get(
            matrix.ROWS.format(**world._asdict()),
            headers={'X-Auth-Token': 'admin'}).json['rows']
        assert rows == [['vm-b', 'ACTIVE'], ['vm-b', 'ERROR']]
        for endpoint in (('GET', matrix.ROWS), ('GET', matrix.D),
                         ('GET', matrix.D + '/tables')):
            matrix.check_cell(stand_in_client, 'monitoring', world, database,
                              endpoint, 403)
