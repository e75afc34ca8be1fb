"""``openstack healing engine list``: the engines alive now."""

from osc_lib.command import command

from healapi.osc.v1 import base

COLUMNS = ('id', 'host', 'pid', 'version', 'coordinated', 'started_at',
           'heartbeat_at', 'policies')


class ListEngine(command.Lister):
    """List the engines alive now, and the policies each evaluates."""

    def take_action(self, args):
        return base.listed(base.client(self).get('/engines')['engines'],
                           COLUMNS)
