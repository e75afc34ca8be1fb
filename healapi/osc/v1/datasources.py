"""``openstack healing datasource ...``: datasources and their rows."""

from osc_lib.cli import pagination
from osc_lib.command import command

from healapi.osc.v1 import base

LIST_COLUMNS = ('id', 'name', 'driver', 'enabled', 'poll_interval')
SHOW_COLUMNS = ('id', 'name', 'description', 'driver', 'config', 'enabled',
                'poll_interval', 'poll', 'project_id', 'created_at',
                'updated_at')


def _add_fields(parser):
    parser.add_argument('--description', metavar='<text>')
    parser.add_argument('--config', metavar='<json>',
                        type=base.json_argument,
                        help='The driver\'s config, a JSON object (see '
                             '"openstack healing driver show"). Secrets are '
                             'never shown again; "<hidden>" keeps one.')
    parser.add_argument('--poll-interval', metavar='<seconds>', type=int,
                        help='Seconds between polls (pull drivers).')
    base.add_enabled_options(parser, 'datasource')


def _fields(args):
    body = {'description': args.description, 'config': args.config,
            'poll_interval': args.poll_interval, 'enabled': args.enabled}
    return {key: value for key, value in body.items() if value is not None}


class CreateDatasource(command.ShowOne):
    """Create a datasource."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>',
                            help='The namespace rules read its tables in.')
        parser.add_argument('--driver', metavar='<driver>', required=True)
        _add_fields(parser)
        return parser

    def take_action(self, args):
        body = dict(_fields(args), name=args.name, driver=args.driver)
        return base.shown(base.client(self).post('/datasources', body),
                          SHOW_COLUMNS)


class ListDatasource(command.Lister):
    """List datasources."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', metavar='<name>')
        parser.add_argument('--driver', metavar='<driver>')
        parser.add_argument('--sort', metavar='<key>[:<dir>]')
        pagination.add_marker_pagination_option_to_parser(parser)
        return parser

    def take_action(self, args):
        return base.listed(base.client(self).list(
            '/datasources', 'datasources', limit=args.limit,
            marker=args.marker, name=args.name, driver=args.driver,
            sort=args.sort), LIST_COLUMNS)


class ShowDatasource(command.ShowOne):
    """Show a datasource (secrets hidden) and how its polls went."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('datasource', metavar='<datasource>',
                            help='Name or id.')
        return parser

    def take_action(self, args):
        return base.shown(base.find(base.client(self), 'datasources',
                                    args.datasource), SHOW_COLUMNS)


class SetDatasource(base.SetResource):
    """Change a datasource."""

    collection = 'datasources'

    def add_fields(self, parser):
        _add_fields(parser)

    def fields(self, args):
        return _fields(args)

    def show(self, datasource):
        return base.shown(datasource, SHOW_COLUMNS)


class DeleteDatasource(base.DeleteResources):
    """Delete datasources, with their rows."""

    collection = 'datasources'


class _TableCommand:
    """A command about one table of a datasource."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('datasource', metavar='<datasource>',
                            help='Name or id.')
        parser.add_argument('table', metavar='<table>')
        return parser

    def table_path(self, args):
        datasource = base.find(base.client(self), 'datasources',
                               args.datasource)
        return '/datasources/%s/tables/%s' % (datasource['id'], args.table)


class ListRow(_TableCommand, command.Lister):
    """List the rows of a datasource's table."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        pagination.add_marker_pagination_option_to_parser(parser)
        return parser

    def take_action(self, args):
        api = base.client(self)
        table = self.table_path(args)
        columns = api.get(table)['columns']
        rows = api.list(table + '/rows', 'rows', limit=args.limit,
                        marker=args.marker)
        return columns, [tuple(row) for row in rows]


class PushRow(_TableCommand, command.Command):
    """Push rows into a table of a push datasource."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--row', metavar='<json>', action='append',
                            type=base.json_argument, dest='rows',
                            default=[],
                            help='A row to insert: a JSON array in column '
                                 'order or an object (repeat for several).')
        parser.add_argument('--delete', metavar='<json>', action='append',
                            type=base.json_argument, default=[],
                            help='A row to delete (repeat for several).')
        parser.add_argument('--replace', action='store_true',
                            help='Make the --row rows the whole table.')
        return parser

    def take_action(self, args):
        api = base.client(self)
        path = self.table_path(args) + '/rows'
        if args.replace:
            written = api.put(path, {'rows': args.rows})
        else:
            written = api.patch(path, {'insert': args.rows,
                                       'delete': args.delete})
        self.app.stdout.write('%(added)d added, %(removed)d removed\n'
                              % written)
