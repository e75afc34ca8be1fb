"""Bad input to every endpoint that takes a body or an id: a 4xx in the
API-SIG format, and nothing stored.

The operations and their body schemas come from the OpenAPI document, so
an endpoint added later is covered without a change here. Each case is
sent to project A's objects of the access matrix's world, on every
database backend, and the database is compared before and after.
"""

import json

import pytest

from healapi.api import openapi
from tests.functional.api import access_matrix as matrix
from tests.functional.api import helpers

DOCUMENT = openapi.document()
#: Path parameters, filled from the world (or fixed names).
_FIXED = {'table': 'servers', 'driver_name': 'push'}
_WORLD = {'policy_id': 'policy', 'datasource_id': 'datasource',
          'violation_id': 'violation', 'rule_id': 'rule'}
_INJECTIONS = ["x'; DROP TABLE policies; --", '" OR 1=1 --', '${jndi:x}',
               '../../etc/passwd', '<script>alert(1)</script>', 'a\x00b']
_WRONG_TYPES = {'string': [123, True, ['x'], {'a': 1}],
                'integer': ['12', 1.5, True, [1]],
                'boolean': ['true', 1, 'yes'],
                'array': ['x', 1, {'a': 1}],
                'object': ['x', 1, ['x']]}


def _schema(reference):
    return DOCUMENT['components']['schemas'][reference['$ref'].rsplit(
        '/', 1)[1]] if '$ref' in reference else reference


def _operations_with_bodies():
    for path, operations in DOCUMENT['paths'].items():
        for method, operation in operations.items():
            body = operation.get('requestBody', {}).get('content', {}).get(
                'application/json', {}).get('schema')
            if body is not None:
                yield method, path, _schema(body)


def _bad_bodies(schema):
    """(label, raw body bytes) of bodies the API must refuse."""
    yield 'malformed', b'{"name": '
    yield 'not utf-8', b'{"name": "\xff\xfe"}'
    yield 'nested deeply', b'[' * 100000 + b']' * 100000
    if schema.get('type') == 'object':
        yield 'not an object', b'"text"'
        yield 'unknown field', json.dumps({'no_such_field': 1}).encode()
    for name, field in _schema(schema).get('properties', {}).items():
        field = _schema(field)
        for value in _WRONG_TYPES.get(field.get('type'), ()):
            yield 'wrong type %s=%r' % (name, value), json.dumps(
                {name: value}).encode()
        if field.get('maxLength'):
            yield 'too long %s' % name, json.dumps(
                {name: 'x' * (field['maxLength'] + 1)}).encode()
        if field.get('pattern'):
            for value in _INJECTIONS:
                yield 'injection %s=%r' % (name, value), json.dumps(
                    {name: value}).encode()


CASES = [(method, path, label, body)
         for method, path, schema in _operations_with_bodies()
         for label, body in _bad_bodies(schema)]


def _url(path, world):
    values = dict(_FIXED, **{name: getattr(world, attribute)
                             for name, attribute in _WORLD.items()})
    return path.format(**values)


@pytest.fixture
def world(api, database):
    """Project A's objects, which the noauth admin may change."""
    return matrix.build_world({'project-a': 'project-a',
                               'project-b': 'project-b'})


def _assert_refused(api, database, method, url, body, content_type):
    before = matrix.snapshot(database)
    response = api.request(url, method=method.upper(), body=body,
                           headers={'Content-Type': content_type},
                           expect_errors=True)
    assert 400 <= response.status_int < 500, (response.status,
                                              response.text[:300])
    helpers.assert_error(response, response.status_int)
    assert matrix.snapshot(database) == before
    return response


@pytest.mark.parametrize('method, path, label, body', CASES,
                         ids=['%s %s %s' % case[:3] for case in CASES])
def test_a_bad_body_is_refused_and_changes_nothing(api, database, world,
                                                   method, path, label,
                                                   body):
    _assert_refused(api, database, method, _url(path, world), body,
                    'application/json')


@pytest.mark.parametrize('method, path', sorted(
    (method, path) for method, path, _ in _operations_with_bodies()))
def test_a_body_that_is_not_json_is_refused(api, database, world, method,
                                            path):
    response = _assert_refused(api, database, method, _url(path, world),
                               b'name=x', 'application/x-www-form-urlencoded')
    assert response.status_int in (400, 409, 415)


_ID_PATHS = sorted({(method, path)
                    for path, operations in DOCUMENT['paths'].items()
                    for method in operations
                    if '_id}' in path})


@pytest.mark.parametrize('method, path', _ID_PATHS)
@pytest.mark.parametrize('bad_id', ["1' OR '1'='1", 'not-a-uuid',
                                    '00000000-0000-0000-0000-00000000000g',
                                    'a' * 300])
def test_an_id_that_is_not_a_uuid_is_not_found(api, database, world, method,
                                               path, bad_id):
    url = path
    for name in _WORLD:
        url = url.replace('{%s}' % name, bad_id)
    url = url.format(**_FIXED)
    body = b'{}' if method in ('post', 'patch', 'put') else None
    _assert_refused(api, database, method, url, body, 'application/json')
