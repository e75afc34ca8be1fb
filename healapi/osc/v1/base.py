"""What the commands share: the client, finding a resource by name or id,
JSON arguments, and turning resources into OSC columns."""

import json

from osc_lib.cli import format_columns
from osc_lib.command import command
from osc_lib import exceptions
from osc_lib import utils


_SINGULAR = {'policies': 'policy', 'datasources': 'datasource'}


def client(command):
    """The healing API client of a command."""
    return command.app.client_manager.healing


def find(api, collection, name_or_id):
    """The resource of ``/v1/{collection}`` with this id or, failing
    that, the one resource with this name."""
    if utils.is_uuid_like(name_or_id):
        return api.get('/%s/%s' % (collection, name_or_id))
    found = api.list('/' + collection, collection, name=name_or_id)
    resource = _SINGULAR[collection]
    if not found:
        raise exceptions.CommandError('No %s named %r'
                                      % (resource, name_or_id))
    if len(found) > 1:
        raise exceptions.CommandError(
            'More than one %s is named %r (an administrator sees every '
            'project\'s): give its id' % (resource, name_or_id))
    return found[0]


def json_argument(text):
    """An argparse ``type``: a JSON value."""
    try:
        return json.loads(text)
    except ValueError as error:
        raise exceptions.CommandError('Not valid JSON: %s (%s)'
                                      % (text, error))


def _formatted(value):
    if isinstance(value, dict):
        return format_columns.DictColumn(value)
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            return format_columns.ListDictColumn(value)
        return format_columns.ListColumn(value)
    return value


def shown(resource, columns):
    """(columns, values) of one resource, for a ShowOne."""
    return columns, tuple(_formatted(resource.get(column))
                          for column in columns)


def listed(resources, columns):
    """(columns, rows) of resources, for a Lister."""
    return columns, [tuple(_formatted(resource.get(column))
                           for column in columns)
                     for resource in resources]


def add_enabled_options(parser, resource):
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--enable', dest='enabled', action='store_true',
                       default=None, help='Enable the %s.' % resource)
    group.add_argument('--disable', dest='enabled', action='store_false',
                       help='Disable the %s.' % resource)


class SetResource(command.ShowOne):
    """``set``: change the fields of a policy or datasource. Subclasses
    name the ``collection`` and give ``add_fields(parser)``,
    ``fields(args)`` (the body) and ``show(resource)``."""

    collection = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        resource = _SINGULAR[self.collection]
        parser.add_argument(resource, metavar='<%s>' % resource,
                            help='Name or id.')
        parser.add_argument('--name', metavar='<name>', help='A new name.')
        self.add_fields(parser)
        return parser

    def take_action(self, args):
        api = client(self)
        found = find(api, self.collection,
                     getattr(args, _SINGULAR[self.collection]))
        body = self.fields(args)
        if args.name is not None:
            body['name'] = args.name
        return self.show(api.patch('/%s/%s' % (self.collection, found['id']),
                                   body))


class DeleteResources(command.Command):
    """``delete``: delete policies or datasources (``collection``), by
    name or id."""

    collection = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('names_or_ids', nargs='+',
                            metavar='<%s>' % _SINGULAR[self.collection],
                            help='Name or id.')
        return parser

    def take_action(self, args):
        api = client(self)
        for name_or_id in args.names_or_ids:
            found = find(api, self.collection, name_or_id)
            api.delete('/%s/%s' % (self.collection, found['id']))
