"""The OpenAPI 3.0 document of the API, generated from its controllers.

Served at ``GET /v1/openapi.json``. Paths, methods, parameters and status
codes come from walking the pecan controller tree the way pecan routes it;
request and response schemas from the WSME types each method is exposed
with, so the document follows the code. What answers without WSME is
described here: webhooks in :data:`_SPECIAL`, version documents, and the
status views, answered before pecan (:mod:`healapi.api.status_views`),
from their own table.

Conventions of :class:`~healapi.api.controllers.v1.base.CollectionController`
this relies on: ``get_all``/``post`` on the collection, ``get_one``/
``patch``/``delete`` on ``{id}`` (``patch``/``put`` on the collection when
``patch_collection``), custom actions as ``POST {id}/{action}``, and child
controllers under ``{id}/{name}``; methods take the ids of their parents
first.
"""

import datetime
import functools
import inspect

from pecan import rest
from wsme import types as wtypes

from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import types
from healapi.api.controllers.v1 import webhooks
from healapi.api import microversion
from healapi.api import status_views
from healapi import policies
from healapi import version

_ERROR = {
    'type': 'object',
    'required': ['errors'],
    'properties': {'errors': {'type': 'array', 'items': {
        'type': 'object',
        'required': ['request_id', 'code', 'status', 'title', 'detail',
                     'links'],
        'properties': {
            'request_id': {'type': 'string'},
            'code': {'type': 'string'},
            'status': {'type': 'integer'},
            'title': {'type': 'string'},
            'detail': {'type': 'string'},
            'links': {'type': 'array'},
        }}}},
}
_ERRORS = {'4XX': {'$ref': '#/components/responses/Error'},
           '5XX': {'$ref': '#/components/responses/Error'}}
_STATUS = {'type': 'object', 'required': ['id', 'status', 'updated_at'],
           'properties': {'id': {'type': 'string'},
                          'status': {'type': 'string'},
                          'updated_at': {'type': 'string',
                                         'format': 'date-time'}}}
_ANY_OBJECT = {'type': 'object'}

_SCALARS = {
    str: {'type': 'string'}, bytes: {'type': 'string'},
    int: {'type': 'integer'}, float: {'type': 'number'},
    bool: {'type': 'boolean'},
    datetime.datetime: {'type': 'string', 'format': 'date-time'},
}


class _Schemas:
    """The JSON Schemas of WSME types, named types as components."""

    def __init__(self):
        self.components = {}

    def of(self, datatype, request=False):
        if isinstance(datatype, wtypes.ArrayType):
            return {'type': 'array', 'items': self.of(datatype.item_type,
                                                      request)}
        if isinstance(datatype, wtypes.DictType):
            return {'type': 'object',
                    'additionalProperties': self.of(datatype.value_type,
                                                    request)}
        if isinstance(datatype, types.JsonType):
            return {}
        if isinstance(datatype, wtypes.Enum):
            return {'type': 'string', 'enum': sorted(datatype.values)}
        if isinstance(datatype, (wtypes.StringType, wtypes.IntegerType)):
            return _constrained(datatype)
        if datatype in _SCALARS:
            return dict(_SCALARS[datatype])
        if wtypes.iscomplex(datatype):
            return self._complex(datatype, request)
        raise TypeError('no JSON Schema for %r' % (datatype,))

    def _complex(self, datatype, request):
        name = datatype.__name__ + ('Request' if request else '')
        if name not in self.components:
            self.components[name] = {}  # a recursive type refers to it
            readonly = getattr(datatype, '_readonly', ())
            nullable = getattr(datatype, '_nullable', ())
            properties = {}
            for attribute in wtypes.list_attributes(datatype):
                schema = self.of(attribute.datatype, request)
                if request and attribute.key in readonly:
                    # Refused by the API with its own message.
                    schema['readOnly'] = True
                # WSME answers null for a field without a value; a
                # request may send null for the few that take it.
                if schema and (not request or attribute.key in nullable):
                    schema['nullable'] = True
                properties[attribute.name] = schema
            schema = {'type': 'object', 'properties': properties}
            if request:
                # Unknown fields are refused.
                schema['additionalProperties'] = False
            self.components[name] = schema
        return {'$ref': '#/components/schemas/%s' % name}


def _constrained(datatype):
    """The schema of a WSME string or integer type with its limits."""
    if isinstance(datatype, wtypes.StringType):
        limits = {'maxLength': datatype.max_length,
                  'pattern': datatype.pattern and datatype.pattern.pattern}
        schema = {'type': 'string'}
    else:
        limits = {'minimum': datatype.minimum, 'maximum': datatype.maximum}
        schema = {'type': 'integer'}
    schema.update((key, value) for key, value in limits.items()
                  if value is not None)
    return schema


def _parameter(name, where, datatype=str):
    schema = (_SCALARS[datatype] if datatype in _SCALARS
              else {'type': 'string'})
    return {'name': name, 'in': where, 'required': where == 'path',
            'schema': dict(schema)}


class _Walker:
    """The paths of the controller tree under ``/v1``."""

    def __init__(self, summaries):
        self.schemas = _Schemas()
        self.paths = {}
        self._summaries = summaries

    def add(self, path, method, operation):
        """Add ``operation``, summarized as the access policy describes
        the rule that guards it, if one does."""
        summary = self._summaries.get((method, path))
        if summary:
            operation['summary'] = summary
        self.paths.setdefault(path, {})[method] = operation

    def _operation(self, definition, path_params, skip, summary):
        arguments = [argument for argument in definition.arguments[skip:]
                     if not (definition.body_type is not None
                             and argument.name == 'body')]
        parameters = [_parameter(name, 'path') for name in path_params]
        parameters += [_parameter(argument.name, 'query',
                                  argument.datatype)
                       for argument in arguments]
        code = str(definition.status_code)
        responses = dict(_ERRORS)
        if definition.return_type is None:
            responses['204' if code == '200' else code] = {
                'description': 'Done; no body.'}
        else:
            responses[code] = {'description': 'OK', 'content': {
                'application/json': {'schema': self.schemas.of(
                    definition.return_type)}}}
        operation = {'summary': summary, 'parameters': parameters,
                     'responses': responses}
        if definition.body_type is not None:
            operation['requestBody'] = {'required': True, 'content': {
                'application/json': {'schema': self.schemas.of(
                    definition.body_type, request=True)}}}
        return operation

    def collection(self, controller, path, parents):
        """Add a CollectionController at ``path``, under the path
        parameters ``parents``."""
        cls = type(controller)
        skip = len(parents)
        item_param = self._item_param(controller, skip)
        item = '%s/{%s}' % (path, item_param)
        on_collection = ('get_all', 'post') + (
            ('patch', 'put') if cls.patch_collection else ())
        for method in ('get_all', 'get_one', 'post', 'patch', 'put',
                       'delete'):
            definition = _definition(cls, method)
            if definition is None:
                continue
            at_item = method not in on_collection
            verb = method.split('_')[0]
            self.add(item if at_item else path, verb, self._operation(
                definition, parents + [item_param] * at_item,
                skip + at_item, _summary(cls, method)))
        for action in getattr(cls, '_custom_actions', {}):
            definition = _definition(cls, action)
            self.add('%s/%s' % (item, action), 'post', self._operation(
                definition, parents + [item_param], skip + 1,
                _summary(cls, action)))
        for name, child in vars(cls).items():
            if name.startswith('_'):
                continue
            if isinstance(child, rest.RestController):
                self.collection(child, '%s/%s' % (item, name),
                                parents + [item_param])
            elif type(child) in _SPECIAL:
                self.add('%s/%s' % (item, name), *_SPECIAL[type(child)](
                    parents + [item_param]))

    @staticmethod
    def _item_param(controller, skip):
        """The name of the id of an item of ``controller``: its item
        methods' first own argument, else its children's; None if it has
        no items."""
        cls = type(controller)
        for method in ('get_one', 'delete', 'patch', *getattr(
                cls, '_custom_actions', {})):
            definition = _definition(cls, method)
            if definition is not None and len(definition.arguments) > skip:
                return definition.arguments[skip].name
        for child in vars(cls).values():
            if isinstance(child, rest.RestController):
                for method in ('get_all', 'get_one', 'post'):
                    definition = _definition(type(child), method)
                    if definition is not None:
                        return definition.arguments[skip].name
        return None  # a leaf collection without items


def _definition(cls, method):
    function = getattr(cls, method, None)
    return getattr(function, '_wsme_definition', None)


def _summary(cls, method):
    doc = inspect.getdoc(getattr(cls, method)) or inspect.getdoc(cls) or ''
    return doc.split('\n')[0]


def _status_view(path_params):
    return 'get', {
        'summary': 'The status of one object, for polling.',
        'parameters': [_parameter(name, 'path') for name in path_params]
        + [{'name': 'If-None-Match', 'in': 'header', 'required': False,
            'schema': {'type': 'string'}}],
        'responses': dict(_ERRORS, **{
            '200': {'description': 'OK', 'content': {
                'application/json': {'schema': _STATUS}}},
            '304': {'description': 'Not modified since the ETag sent.'}})}


def _webhook(path_params):
    return 'post', {
        'summary': 'A monitoring system\'s notification, in the format of '
                   'the datasource\'s driver.',
        'parameters': [_parameter(name, 'path') for name in path_params],
        'requestBody': {'required': True, 'content': {
            'application/json': {'schema': {}}}},
        'responses': dict(_ERRORS, **{
            '200': {'description': 'OK', 'content': {
                'application/json': {'schema': {
                    'type': 'object', 'required': ['tables'],
                    'properties': {'tables': {
                        'type': 'object', 'additionalProperties': {
                            'type': 'object',
                            'properties': {
                                'added': {'type': 'integer'},
                                'removed': {'type': 'integer'}}}}}}}}}})}


#: Controllers that answer without WSME: (method, operation) of each.
_SPECIAL = {webhooks.WebhookController: _webhook}


@functools.cache
def document():
    """The OpenAPI document of API v1."""
    from healapi.api.controllers import v1

    walker = _Walker({
        (operation['method'].lower(), operation['path']): rule.description
        for rule in policies.list_rules()
        for operation in getattr(rule, 'operations', ())})
    for path, summary in (('/v1/', 'The v1 version document.'),
                          ('/v1/openapi.json', 'This document.')):
        walker.add(path, 'get', {
            'summary': summary,
            'responses': dict(_ERRORS, **{'200': {
                'description': 'OK', 'content': {
                    'application/json': {'schema': _ANY_OBJECT}}}})})
    for name, controller in vars(v1.V1Controller).items():
        if isinstance(controller, base.CollectionController):
            walker.collection(controller, '/v1/' + name, [])
    for resources, parameter in status_views.ID_PARAMETERS.items():
        walker.add('/v1/%s/{%s}/status' % (resources, parameter),
                   *_status_view([parameter]))
    return {
        'openapi': '3.0.3',
        'info': {'title': 'healapi', 'version': version.version_string,
                 'description': 'Policy-driven self-healing for OpenStack '
                                'clouds: API v1, microversions %s to %s.'
                                % (microversion.MIN_VERSION,
                                   microversion.MAX_VERSION)},
        'paths': dict(sorted(walker.paths.items())),
        'components': {
            'schemas': dict(sorted(walker.schemas.components.items())),
            'responses': {'Error': {
                'description': 'An error, in the API-SIG format.',
                'content': {'application/json': {'schema': _ERROR}}}},
            'securitySchemes': {'keystone': {
                'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token'}},
        },
        'security': [{'keystone': []}],
    }
