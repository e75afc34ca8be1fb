"""The http_json driver: polls a URL that answers JSON, for systems
without a driver of their own.

Each table the datasource declares says where its rows are in the answer
(``path``, a JSONPath matching one item per row) and where each column's
value is in an item (a JSONPath relative to it)::

    {"url": "https://monitor.example.com/api/hosts",
     "authorization": "Bearer s3cr3t",
     "tables": {"hosts": {"path": "$.items[*]",
                          "columns": {"host": "name",
                                      "state": "status.state"}}}}

gives rows ``[name, status.state]`` of each item of ``items`` in table
``hosts``. A column that matches nothing is null; one that matches an
object or array holds its JSON text. The ``authorization`` value is sent
as the Authorization header and, like every secret, stored encrypted.
"""

import json

from jsonpath_ng import exceptions as jsonpath_exceptions
from jsonpath_ng import ext as jsonpath
import requests

from healapi.common import errors
from healapi.common import exception
from healapi.conf import CONF
from healapi.engine.datasources import base

_NAME = {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_-]*$',
         'maxLength': 255}
_PATH = {'type': 'string', 'minLength': 1, 'maxLength': 1024}


class HttpJsonDriver(base.Driver):

    name = 'http_json'
    kind = base.PULL
    description = ('Any HTTP API that answers JSON: rows picked out of its '
                   'answer with JSONPath, as config.tables says.')
    declares_tables_in_config = True
    config_schema = {
        'type': 'object',
        'required': ['url', 'tables'],
        'properties': {
            'url': {'type': 'string', 'format': 'uri', 'maxLength': 2048,
                    'pattern': '^https?://',
                    'description': 'The URL to GET.'},
            'authorization': {
                'type': 'string', 'maxLength': 4096,
                'description': 'The Authorization header to send, e.g. '
                               '"Bearer <token>" (write-only).'},
            'headers': {
                'type': 'object', 'maxProperties': 32,
                'additionalProperties': {'type': 'string',
                                         'maxLength': 4096},
                'description': 'Other headers to send.'},
            'verify': {'type': 'boolean', 'default': True,
                       'description': 'Whether to verify TLS certificates.'},
            'cafile': {'type': 'string', 'maxLength': 4096,
                       'description': 'CA bundle to verify them with.'},
            'tables': {
                'type': 'object', 'minProperties': 1,
                'propertyNames': _NAME,
                'additionalProperties': {
                    'type': 'object',
                    'required': ['path', 'columns'],
                    'properties': {
                        'path': dict(_PATH, description=(
                            'JSONPath of the items, one per row.')),
                        'columns': {
                            'type': 'object', 'minProperties': 1,
                            'maxProperties': 64, 'propertyNames': _NAME,
                            'additionalProperties': _PATH,
                            'description': 'Each column, in order, with '
                                           'the JSONPath of its value in '
                                           'an item.'},
                    },
                    'additionalProperties': False,
                },
                'description': 'Each table with where its rows are.'},
        },
        'additionalProperties': False,
    }

    @classmethod
    def declared_tables(cls, config):
        return {table: list(spec['columns'])
                for table, spec in (config.get('tables') or {}).items()}

    @classmethod
    def check_config(cls, config):
        super().check_config(config)
        for table, spec in config['tables'].items():
            for where, path in [('path', spec['path']),
                                *(('column ' + column, path) for column, path
                                  in spec['columns'].items())]:
                try:
                    jsonpath.parse(path)
                except jsonpath_exceptions.JSONPathError as error:
                    raise exception.InvalidConfig(
                        driver=cls.name,
                        reason='tables.%s: the %s JSONPath %r is not valid: '
                               '%s' % (table, where, path, error))

    def fetch(self, config, tables):
        document = self._get(config)
        rows = {}
        for table in tables:
            spec = config['tables'][table]
            columns = [jsonpath.parse(path)
                       for path in spec['columns'].values()]
            items = jsonpath.parse(spec['path']).find(document)
            rows[table] = [[_value(column, item.value) for column in columns]
                           for item in items]
        return rows

    @staticmethod
    def _get(config):
        headers = dict(config.get('headers') or {})
        headers.setdefault('Accept', 'application/json')
        if 'authorization' in config:
            headers['Authorization'] = config['authorization']
        try:
            response = requests.get(
                config['url'], headers=headers,
                timeout=CONF.datasources.request_timeout,
                verify=config.get('cafile') or config.get('verify', True))
            response.raise_for_status()
            return response.json()
        except requests.exceptions.JSONDecodeError as error:
            reason = 'did not answer JSON: %s' % error
        except requests.RequestException as error:
            reason = 'failed: %s' % errors.brief(error)
        raise base.PollFailed(errors.without_credentials(
            'GET %s %s' % (config['url'], reason)))

def _value(column, item):
    """The value of ``column`` (a parsed JSONPath) in ``item``."""
    matches = column.find(item)
    if not matches:
        return None
    value = matches[0].value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, sort_keys=True)
