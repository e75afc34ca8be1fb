"""The API reference documents every endpoint, parameter and field the
API has, as the OpenAPI document generated from the code lists them."""

import pathlib
import re

import pytest

from healapi.api import openapi

API_REF = pathlib.Path(__file__).parents[2] / 'api-ref' / 'source'
_TITLE = re.compile(r'^(\S.*)\n=+\n', re.M)
_METHOD = re.compile(r'^\.\. rest_method:: (\w+) (\S+)', re.M)
_PARAMETER = re.compile(r'^   - ([\w.-]+):', re.M)
_FIELDS_OF = re.compile(r'fields of[^`]*`([^`]+)`_')


def _template(path):
    return re.sub(r'\{[^}]*\}', '{}', path.rstrip('/') or '/')


def _sections():
    """{(method, path template): (request names, response names)}."""
    titled = {}
    for inc in sorted(API_REF.glob('*.inc')):
        text = inc.read_text()
        titles = list(_TITLE.finditer(text))
        for title, following in zip(titles, titles[1:] + [None],
                                    strict=True):
            body = text[title.end():following.start() if following
                        else len(text)]
            titled[title.group(1)] = body
    sections = {}
    for body in titled.values():
        method = _METHOD.search(body)
        if method is None:
            continue
        request, _, response = body.partition('\nResponse\n--------')
        names = set(_PARAMETER.findall(response))
        for title in _FIELDS_OF.findall(body):
            names |= set(_PARAMETER.findall(
                titled[title].partition('\nResponse\n--------')[2]))
        sections[(method.group(1).lower(), _template(method.group(2)))] = (
            set(_PARAMETER.findall(request)), names)
    return sections


SECTIONS = _sections()
DOCUMENT = openapi.document()
OPERATIONS = [(method, path, operation)
              for path, operations in DOCUMENT['paths'].items()
              for method, operation in operations.items()]


def _resolved(schema):
    if '$ref' in schema:
        return DOCUMENT['components']['schemas'][
            schema['$ref'].rsplit('/', 1)[1]]
    return schema


def _fields(schema):
    """The field names of a body schema, each with the names it may be
    documented under: those of the objects its arrays hold (a
    collection's items, a policy's rules) as ``name`` or
    ``array.name``. Links are documented once, as ``links``; read-only
    fields are a response's, not a request's."""
    schema = _resolved(schema)
    properties = {name: field for name, field
                  in schema.get('properties', {}).items()
                  if not field.get('readOnly')}
    fields = {name: {name} for name in properties}
    for array, field in properties.items():
        items = field.get('items', {})
        if field.get('type') == 'array' and '$ref' in items and not (
                items['$ref'].endswith('/Link')):
            for name, item in _resolved(items).get('properties',
                                                   {}).items():
                if item.get('readOnly'):
                    continue
                fields.setdefault(name, set()).update(
                    (name, '%s.%s' % (array, name)))
    return fields


def _undocumented(fields, documented):
    return sorted(name for name, names in fields.items()
                  if not names & documented)


@pytest.mark.parametrize('method, path, operation', OPERATIONS,
                         ids=['%s %s' % (m, p) for m, p, _ in OPERATIONS])
def test_the_api_reference_documents_the_operation(method, path, operation):
    section = SECTIONS.get((method, _template(path)))
    assert section is not None, 'no section documents %s %s' % (
        method.upper(), path)
    request, response = section

    wanted = {parameter['name']: {parameter['name']} for parameter
              in operation.get('parameters', ())
              if parameter['in'] != 'header'}
    body = operation.get('requestBody', {}).get('content', {}).get(
        'application/json', {}).get('schema')
    wanted.update(_fields(body) if body else {})
    assert not _undocumented(wanted, request), (
        'undocumented request parameters: %s'
        % _undocumented(wanted, request))

    for code, answer in operation['responses'].items():
        schema = answer.get('content', {}).get('application/json', {}).get(
            'schema')
        if code.startswith('2') and schema:
            missing = _undocumented(_fields(schema), response)
            assert not missing, 'undocumented response fields: %s' % missing
