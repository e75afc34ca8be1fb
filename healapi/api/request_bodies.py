"""Refuse a request body that does not match its operation's schema in the
OpenAPI document (:mod:`healapi.api.openapi`), before WSME reads it.

WSME coerces what it can (``"true"`` and ``1`` become ``True``, ``"12"``
becomes ``12``) and fails with a 500 on bodies of another shape (a JSON
string where an object belongs, an array for an integer). Checking the
parsed body against the document's JSON Schema first gives every such
body a 400 that names the field, and holds the API to the document
clients read. Bodies that are not JSON are left to WSME, which refuses
them as before; webhook payloads, whose shape is the driver's, are left
to their driver.
"""

import json
import re

import jsonschema
import webob

from healapi.api import openapi
from healapi.common import exception

_METHODS = ('POST', 'PATCH', 'PUT')


def _json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable`` as a null
    alternative, components under ``$defs``."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items()
                 if key != 'nullable'}
    if '$ref' in converted:
        converted['$ref'] = converted['$ref'].replace(
            '#/components/schemas/', '#/$defs/')
    if node.get('nullable'):
        return {'anyOf': [converted, {'type': 'null'}]}
    return converted


def _routes():
    """[(method, path pattern, validator)] of the operations with a body
    schema."""
    document = openapi.document()
    definitions = _json_schema(document['components']['schemas'])
    routes = []
    for path, operations in document['paths'].items():
        pattern = re.compile('^%s/?$' % re.sub(
            r'\\\{[^}]*\\\}', '[^/]+', re.escape(path.rstrip('/'))))
        for method, operation in operations.items():
            schema = operation.get('requestBody', {}).get('content', {}).get(
                'application/json', {}).get('schema')
            if not schema:
                continue
            routes.append((method.upper(), pattern,
                           jsonschema.Draft202012Validator(dict(
                               _json_schema(schema), **{
                                   '$defs': definitions}))))
    return routes


class RequestBodies:
    """WSGI middleware checking JSON bodies against the document."""

    def __init__(self, application):
        self.application = application
        self._routes = None

    def _validator(self, method, path):
        if self._routes is None:
            self._routes = _routes()
        for route_method, pattern, validator in self._routes:
            if route_method == method and pattern.match(path):
                return validator
        return None

    def __call__(self, environ, start_response):
        method = environ.get('REQUEST_METHOD')
        validator = method in _METHODS and self._validator(
            method, environ.get('PATH_INFO', ''))
        if validator:
            self._check(webob.Request(environ), validator)
        return self.application(environ, start_response)

    @staticmethod
    def _check(request, validator):
        if request.content_type != 'application/json' or not request.body:
            return
        try:
            body = json.loads(request.body)
        except ValueError:
            return  # WSME refuses it, as it always has.
        error = jsonschema.exceptions.best_match(validator.iter_errors(body))
        if error is not None:
            where = '.'.join(str(part) for part in error.absolute_path)
            raise exception.InvalidBody(
                reason='%s%s' % ('%s: ' % where if where else '',
                                 error.message))
