"""The access matrix: every endpoint for every persona.

Project A owns a policy (with a rule), a datasource (with a secret, and a
table holding a row) and a violation; project B owns a policy too. Each
persona then calls each endpoint on project A's objects: :func:`check_cell`
asserts the status code MATRIX gives and, where access is refused, that
nothing changed in the database and nothing of project A's appears in the
answer.

``test_access.py`` runs it with stand-in tokens, ``test_keystone_tokens.py``
with tokens of a real Keystone.
"""

import collections
import json

import sqlalchemy as sa

from healapi.db import api as db_api
from healapi.db.sqlalchemy import models
from tests.functional.api import helpers

#: persona: the name of the project its token is scoped to.
PERSONA_PROJECTS = {'admin': 'admin', 'member': 'project-a',
                    'reader': 'project-a', 'service': 'service',
                    'other_project': 'project-b'}

PERSONAS = ('admin', 'member', 'reader', 'service', 'other_project',
            'no_token')

P = '/v1/policies/{policy}'
D = '/v1/datasources/{datasource}'
V = '/v1/violations/{violation}'
LISTS = ('/v1/policies', '/v1/datasources', '/v1/violations')
ROWS = D + '/tables/servers/rows'

#: Documents any valid token may read, whatever its roles.
DOCUMENTS = (('GET', '/v1/'), ('GET', '/v1/openapi.json'))

#: (method, path): the status each persona of PERSONAS gets.
MATRIX = {
    ('GET', '/v1/'): (200, 200, 200, 200, 200, 401),
    ('GET', '/v1/openapi.json'): (200, 200, 200, 200, 200, 401),
    ('GET', '/v1/policies'): (200, 200, 200, 403, 200, 401),
    ('POST', '/v1/policies'): (201, 201, 403, 403, 201, 401),
    ('GET', P): (200, 200, 200, 403, 404, 401),
    ('PATCH', P): (200, 200, 403, 403, 404, 401),
    ('DELETE', P): (204, 204, 403, 403, 404, 401),
    ('GET', P + '/status'): (200, 200, 200, 403, 404, 401),
    ('GET', P + '/rules'): (200, 200, 200, 403, 404, 401),
    ('POST', P + '/rules'): (201, 201, 403, 403, 404, 401),
    ('GET', P + '/rules/{rule}'): (200, 200, 200, 403, 404, 401),
    ('DELETE', P + '/rules/{rule}'): (204, 204, 403, 403, 404, 401),
    ('GET', '/v1/datasources'): (200, 200, 200, 403, 200, 401),
    ('POST', '/v1/datasources'): (201, 201, 403, 403, 201, 401),
    ('GET', D): (200, 200, 200, 403, 404, 401),
    ('PATCH', D): (200, 200, 403, 403, 404, 401),
    ('DELETE', D): (204, 204, 403, 403, 404, 401),
    ('GET', D + '/status'): (200, 200, 200, 403, 404, 401),
    ('GET', '/v1/violations'): (200, 200, 200, 403, 200, 401),
    ('GET', V): (200, 200, 200, 403, 404, 401),
    ('GET', V + '/status'): (200, 200, 200, 200, 404, 401),
    ('POST', V + '/acknowledge'): (200, 200, 403, 403, 404, 401),
    ('GET', V + '/deliveries'): (200, 200, 200, 403, 404, 401),
    ('GET', D + '/tables'): (200, 200, 200, 403, 404, 401),
    ('GET', D + '/tables/servers'): (200, 200, 200, 403, 404, 401),
    ('GET', ROWS): (200, 200, 200, 403, 404, 401),
    ('PUT', ROWS): (200, 200, 403, 403, 404, 401),
    ('PATCH', ROWS): (200, 200, 403, 403, 404, 401),
    ('GET', P + '/tables/error/rows'): (200, 200, 200, 403, 404, 401),
    ('POST', P + '/simulate'): (200, 200, 200, 403, 404, 401),
    ('GET', P + '/executions'): (200, 200, 200, 403, 404, 401),
    ('GET', '/v1/engines'): (200, 403, 403, 403, 403, 401),
    ('GET', '/v1/drivers'): (200, 200, 200, 403, 200, 401),
    ('GET', '/v1/drivers/push'): (200, 200, 200, 403, 200, 401),
    # Project A's datasource is a push one, so those allowed get 409.
    ('POST', D + '/webhook'): (409, 409, 403, 403, 404, 401),
}

BODIES = {
    ('POST', '/v1/policies'): {'name': 'new_policy'},
    ('PATCH', P): {'description': 'changed'},
    ('POST', P + '/rules'): {'rule': 'error(x) :- b(x)'},
    ('POST', '/v1/datasources'): {'name': 'new_source', 'driver': 'push'},
    ('PATCH', D): {'description': 'changed'},
    ('PUT', ROWS): {'rows': [['vm-b', 'ACTIVE']]},
    ('PATCH', ROWS): {'insert': [['vm-b', 'ERROR']]},
    ('POST', D + '/webhook'): [],
    ('POST', P + '/simulate'): {'changes': [
        {'table': 'nova:servers', 'insert': [['vm-b', 'ERROR']]}]},
}

#: Values of project A's objects that only those allowed may see.
SECRET = 's3cr3t-password'
RULE_TEXT = 'error(vm) :- nova:servers(vm, "ERROR")'

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
        'config': {'password': SECRET,
                   'tables': {'servers': ['id', 'status']}},
        'enabled': True, 'poll_interval': None,
        'project_id': projects['project-a']})
    dbapi.replace_rows(datasource.id, 'servers', [['vm-a', 'ERROR']])
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


def expected_status(endpoint, persona):
    return MATRIX[endpoint][PERSONAS.index(persona)]


def check_cell(client, token, world, engine, endpoint, expected):
    """Call ``endpoint`` with ``token`` (or none) and assert it answers
    ``expected``, and that a refusal changes and shows nothing."""
    method, template = endpoint
    path = template.format(**world._asdict())
    headers = {}
    if token is not None:
        headers['X-Auth-Token'] = token
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
    elif method == 'PATCH' and template in (P, D):
        assert response.json['project_id'] == projects['project-a']
