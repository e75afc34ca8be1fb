"""Who may do what: every endpoint for every persona.

Project A owns a policy (with a rule), a datasource (with a secret) and a
violation; project B owns a policy too. Each persona then calls each
endpoint on project A's objects, and the test asserts the status code and,
where access is refused, that nothing changed in the database and nothing
of project A's appears in the answer.

Here tokens are stand-ins: a token of the table below gets the identity
headers keystonemiddleware sets after validating a real one, and any other
request goes to keystonemiddleware itself, so "no token" meets the real
401. ``test_keystone_tokens.py`` runs the same matrix with tokens of a real
Keystone.
"""

import collections
import json
import types

from keystonemiddleware import auth_token
import pytest
import sqlalchemy as sa
import webob.dec
import webtest

from healapi.api import app
from healapi.api import rbac
from healapi.api.middleware import auth
from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.db.sqlalchemy import models
from healapi import policies
from tests.functional.api import helpers

#: persona: the name of the project its token is scoped to.
PERSONA_PROJECTS = {'admin': 'admin', 'member': 'project-a',
                    'reader': 'project-a', 'service': 'service',
                    'other_project': 'project-b'}

#: The stand-in tokens' project ids, by project name.
STAND_IN_PROJECT_IDS = {name: name + '-id'
                        for name in set(PERSONA_PROJECTS.values())}

#: The stand-in tokens' roles, with those Keystone implies (admin implies
#: member, which implies reader).
STAND_IN_ROLES = {'admin': 'admin,member,reader', 'member': 'member,reader',
                  'reader': 'reader', 'service': 'service',
                  'other_project': 'member,reader'}

PERSONAS = ('admin', 'member', 'reader', 'service', 'other_project',
            'no_token')

_P = '/v1/policies/{policy}'
_D = '/v1/datasources/{datasource}'
_V = '/v1/violations/{violation}'
LISTS = ('/v1/policies', '/v1/datasources', '/v1/violations')

#: (method, path): the status each persona of PERSONAS gets.
MATRIX = {
    ('GET', '/v1/'): (200, 200, 200, 200, 200, 401),
    ('GET', '/v1/policies'): (200, 200, 200, 403, 200, 401),
    ('POST', '/v1/policies'): (201, 201, 403, 403, 201, 401),
    ('GET', _P): (200, 200, 200, 403, 404, 401),
    ('PATCH', _P): (200, 200, 403, 403, 404, 401),
    ('DELETE', _P): (204, 204, 403, 403, 404, 401),
    ('GET', _P + '/status'): (200, 200, 200, 403, 404, 401),
    ('GET', _P + '/rules'): (200, 200, 200, 403, 404, 401),
    ('POST', _P + '/rules'): (201, 201, 403, 403, 404, 401),
    ('GET', _P + '/rules/{rule}'): (200, 200, 200, 403, 404, 401),
    ('DELETE', _P + '/rules/{rule}'): (204, 204, 403, 403, 404, 401),
    ('GET', '/v1/datasources'): (200, 200, 200, 403, 200, 401),
    ('POST', '/v1/datasources'): (201, 201, 403, 403, 201, 401),
    ('GET', _D): (200, 200, 200, 403, 404, 401),
    ('PATCH', _D): (200, 200, 403, 403, 404, 401),
    ('DELETE', _D): (204, 204, 403, 403, 404, 401),
    ('GET', _D + '/status'): (200, 200, 200, 403, 404, 401),
    ('GET', '/v1/violations'): (200, 200, 200, 403, 200, 401),
    ('GET', _V): (200, 200, 200, 403, 404, 401),
    ('GET', _V + '/status'): (200, 200, 200, 200, 404, 401),
    ('POST', _V + '/acknowledge'): (200, 200, 403, 403, 404, 401),
}

BODIES = {
    ('POST', '/v1/policies'): {'name': 'new_policy'},
    ('PATCH', _P): {'description': 'changed'},
    ('POST', _P + '/rules'): {'rule': 'error(x) :- b(x)'},
    ('POST', '/v1/datasources'): {'name': 'new_source', 'driver': 'push'},
    ('PATCH', _D): {'description': 'changed'},
}

#: Values of project A's objects that only those allowed may see.
SECRET = 's3cr3t-password'
RULE_TEXT = 'error(vm) :- nova:servers(id=vm, status="ERROR")'

World = collections.namedtuple(
    'World', 'policy rule datasource violation other_policy')


def build_world(projects):
    """Project A's objects, and one of project B's."""
    dbapi = db_api.get_instance()
    policy_values = {'description': 'A', 'enabled': True,
                     'severity': 'high', 'violation_table': 'error',
                     'actions': []}
    policy = dbapi.create_policy(
        dict(policy_values, name='a_policy', project_id=projects['project-a']),
        [{'rule': RULE_TEXT, 'comment': ''}])
    other_policy = dbapi.create_policy(
        dict(policy_values, name='b_policy', project_id=projects['project-b']),
        [])
    datasource = dbapi.create_datasource({
        'name': 'a_source', 'description': '', 'driver': 'push',
        'config': {'password': SECRET}, 'enabled': True,
        'poll_interval': None, 'project_id': projects['project-a']})
    violation = helpers.insert_violation(
        {'id': policy.id, 'project_id': policy.project_id,
         'severity': policy.severity}, ['vm-a'])
    return World(policy.id, policy.rules[0].id, datasource.id, violation,
                 other_policy.id)


def snapshot(engine):
    """Every row of every table, to compare before and after a request."""
    with engine.connect() as connection:
        return {table.name: sorted(
                    (tuple(row) for row in connection.execute(
                        sa.select(table))), key=repr)
                for table in models.Base.metadata.sorted_tables}


def project_a_values(world, path):
    """What of project A's a refused caller must not see in the answer
    (the ids it sent itself aside)."""
    values = {SECRET, RULE_TEXT, 'a_policy', 'a_source', 'vm-a'}
    values.update(value for value in world._asdict().values()
                  if value not in path)
    return values


def check_cell(client, tokens, world, engine, endpoint, persona,
               expected=None):
    """Call ``endpoint`` as ``persona`` and assert what MATRIX says (or
    ``expected``)."""
    method, template = endpoint
    if expected is None:
        expected = MATRIX[endpoint][PERSONAS.index(persona)]
    path = template.format(**world._asdict())
    headers = {}
    if tokens.get(persona):
        headers['X-Auth-Token'] = tokens[persona]
    before = snapshot(engine)

    body = BODIES.get(endpoint)
    if body is not None:
        headers['Content-Type'] = 'application/json'
        body = json.dumps(body).encode()
    response = client.request(path, method=method, headers=headers,
                              body=body, expect_errors=True)

    assert response.status_int == expected, response.text
    if expected >= 400:
        helpers.assert_error(response, expected)
        assert snapshot(engine) == before
        leaked = [value for value in project_a_values(world, path)
                  if value in response.text]
        assert not leaked
    return response


def check_answer(response, world, endpoint, persona, projects):
    """What an allowed caller gets: lists show every project's objects to
    the admin and only the caller's own project's to anyone else; new
    objects belong to the caller's project; changed ones stay in theirs."""
    method, template = endpoint
    if method == 'GET' and template in LISTS:
        key = template.rsplit('/', 1)[-1]
        project_a = {'policies': {world.policy},
                     'datasources': {world.datasource},
                     'violations': {world.violation}}[key]
        project_b = {world.other_policy} if key == 'policies' else set()
        visible = {'admin': project_a | project_b,
                   'other_project': project_b}.get(persona, project_a)
        assert {item['id'] for item in response.json[key]} == visible
    elif method == 'POST' and template in LISTS:
        assert response.json['project_id'] == projects[
            PERSONA_PROJECTS[persona]]
    elif method == 'PATCH':
        assert response.json['project_id'] == projects['project-a']


#: Tokens beyond the matrix's personas: (project id, roles).
EXTRA_TOKENS = {
    'no_role': (STAND_IN_PROJECT_IDS['project-a'], ''),
    'domain_admin': (None, 'admin,member,reader'),
    'monitoring': (STAND_IN_PROJECT_IDS['project-a'], 'monitoring'),
}


def stand_in_identity(token):
    """(project id, roles) of a stand-in token, or None."""
    if token in STAND_IN_ROLES:
        return (STAND_IN_PROJECT_IDS[PERSONA_PROJECTS[token]],
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


@pytest.mark.parametrize('persona', PERSONAS)
@pytest.mark.parametrize('endpoint', list(MATRIX), ids=' '.join)
def test_access(stand_in_client, database, endpoint, persona):
    world = build_world(STAND_IN_PROJECT_IDS)
    tokens = {persona: persona for persona in STAND_IN_ROLES}
    response = check_cell(stand_in_client, tokens, world, database,
                          endpoint, persona)
    if response.status_int < 300:
        check_answer(response, world, endpoint, persona,
                     STAND_IN_PROJECT_IDS)


def _ids(response):
    (key,) = set(response.json) - {'links'}
    return {item['id'] for item in response.json[key]}


def test_admin_narrows_lists_to_one_project(stand_in_client):
    world = build_world(STAND_IN_PROJECT_IDS)
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
    world = build_world(STAND_IN_PROJECT_IDS)
    for endpoint in MATRIX:
        if endpoint != ('GET', '/v1/'):
            check_cell(stand_in_client, {'no_token': 'no_role'}, world,
                       database, endpoint, 'no_token', expected=403)


def test_token_without_a_project_creates_nothing(stand_in_client, database):
    build_world(STAND_IN_PROJECT_IDS)
    domain_admin = {'X-Auth-Token': 'domain_admin'}
    before = snapshot(database)

    for collection, body in (('policies', {'name': 'p'}),
                             ('datasources', {'name': 'd',
                                              'driver': 'push'})):
        response = stand_in_client.post_json(
            '/v1/' + collection, body, headers=domain_admin,
            expect_errors=True)
        helpers.assert_error(response, 403, 'healapi.forbidden')
    assert snapshot(database) == before
    response = stand_in_client.get('/v1/policies', headers=domain_admin)
    assert len(response.json['policies']) == 2


class TestOperatorPolicyFile:
    """``[oslo_policy]/policy_file`` overrides the defaults."""

    @pytest.fixture
    def policy_file(self, tmp_path, monkeypatch):
        monkeypatch.setattr(rbac, '_ENFORCER', None)
        path = tmp_path / 'policy.yaml'
        CONF.set_override('policy_file', str(path), group='oslo_policy')
        return path

    def test_overrides_apply(self, policy_file, stand_in_client, database):
        policy_file.write_text('"healapi:policy:delete": "rule:admin"\n')
        world = build_world(STAND_IN_PROJECT_IDS)
        endpoint = ('DELETE', _P)

        check_cell(stand_in_client, {'member': 'member'}, world, database,
                   endpoint, 'member', expected=403)
        check_cell(stand_in_client, {'admin': 'admin'}, world, database,
                   endpoint, 'admin')

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
