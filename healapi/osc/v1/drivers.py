"""``openstack healing driver ...``: the datasource drivers installed."""

from osc_lib.command import command

from healapi.osc.v1 import base

LIST_COLUMNS = ('name', 'kind', 'description')
SHOW_COLUMNS = ('name', 'kind', 'description', 'tables', 'tables_in_config',
                'config_schema', 'default_poll_interval', 'actions')


class ListDriver(command.Lister):
    """List the datasource drivers."""

    def take_action(self, args):
        return base.listed(base.client(self).get('/drivers')['drivers'],
                           LIST_COLUMNS)


class ShowDriver(command.ShowOne):
    """Show a driver: its tables, config schema and actions."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('driver', metavar='<driver>')
        return parser

    def take_action(self, args):
        driver = base.client(self).get('/drivers/%s' % args.driver)
        driver['tables'] = {table['name']: table['columns']
                            for table in driver['tables']}
        return base.shown(driver, SHOW_COLUMNS)
