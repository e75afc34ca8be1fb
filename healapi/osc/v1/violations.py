"""``openstack healing violation ...``: violations and their status."""

from osc_lib.cli import pagination
from osc_lib.command import command

from healapi.osc.v1 import base

LIST_COLUMNS = ('id', 'policy_id', 'table', 'values', 'severity', 'status',
                'first_seen_at', 'resolved_at', 'acknowledged_at')
SHOW_COLUMNS = ('id', 'policy_id', 'project_id', 'table', 'values',
                'severity', 'status', 'first_seen_at', 'last_seen_at',
                'resolved_at', 'acknowledged_at', 'acknowledged_by',
                'previous_id', 'trace', 'created_at', 'updated_at')
STATUS_COLUMNS = ('id', 'status', 'updated_at')


class _ViolationCommand:

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('violation', metavar='<violation-id>')
        return parser


class ListViolation(command.Lister):
    """List violations."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--policy', metavar='<policy>',
                            help='Only those of this policy (name or id).')
        parser.add_argument('--status', choices=('active', 'resolved'))
        parser.add_argument('--severity',
                            choices=('low', 'medium', 'high', 'critical'))
        acknowledged = parser.add_mutually_exclusive_group()
        acknowledged.add_argument('--acknowledged', dest='acknowledged',
                                  action='store_const', const='true')
        acknowledged.add_argument('--unacknowledged', dest='acknowledged',
                                  action='store_const', const='false')
        parser.add_argument('--sort', metavar='<key>[:<dir>]')
        pagination.add_marker_pagination_option_to_parser(parser)
        return parser

    def take_action(self, args):
        api = base.client(self)
        policy_id = (args.policy and
                     base.find(api, 'policies', args.policy)['id'])
        return base.listed(api.list(
            '/violations', 'violations', limit=args.limit,
            marker=args.marker, policy_id=policy_id, status=args.status,
            severity=args.severity, acknowledged=args.acknowledged,
            sort=args.sort), LIST_COLUMNS)


class ShowViolation(_ViolationCommand, command.ShowOne):
    """Show a violation."""

    def take_action(self, args):
        return base.shown(base.client(self).get(
            '/violations/%s' % args.violation), SHOW_COLUMNS)


class AcknowledgeViolation(_ViolationCommand, command.ShowOne):
    """Acknowledge a violation: someone is on it."""

    def take_action(self, args):
        return base.shown(base.client(self).post(
            '/violations/%s/acknowledge' % args.violation), SHOW_COLUMNS)


class ShowViolationStatus(_ViolationCommand, command.ShowOne):
    """Show a violation's status, as other services poll it."""

    def take_action(self, args):
        return base.shown(base.client(self).get(
            '/violations/%s/status' % args.violation), STATUS_COLUMNS)
