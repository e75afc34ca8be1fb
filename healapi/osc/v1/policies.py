"""``openstack healing policy ...``: policies, their rules, simulation."""

from osc_lib.cli import pagination
from osc_lib.command import command

from healapi.osc.v1 import base

SEVERITIES = ('low', 'medium', 'high', 'critical')
LIST_COLUMNS = ('id', 'name', 'enabled', 'severity', 'violation_table',
                'revision')
SHOW_COLUMNS = ('id', 'name', 'description', 'enabled', 'severity',
                'violation_table', 'rules', 'actions', 'record_trace',
                'revision', 'project_id', 'created_at', 'updated_at')
RULE_COLUMNS = ('id', 'rule', 'comment')


def _shown(policy):
    policy = dict(policy, rules=[rule['rule'] for rule in policy['rules']])
    return base.shown(policy, SHOW_COLUMNS)


def _add_fields(parser):
    """The options of the fields both create and set change."""
    parser.add_argument('--description', metavar='<text>')
    parser.add_argument('--severity', choices=SEVERITIES,
                        help='Severity of its violations.')
    parser.add_argument('--violation-table', metavar='<table>',
                        help='The derived table whose rows are violations '
                             '(default: error).')
    parser.add_argument('--webhook', metavar='<url>', action='append',
                        dest='webhooks',
                        help='Notify this URL of each violation change '
                             '(repeat for several; with set, replaces '
                             'them).')
    trace = parser.add_mutually_exclusive_group()
    trace.add_argument('--record-trace', dest='record_trace',
                       action='store_true', default=None,
                       help='Record why each violation was found.')
    trace.add_argument('--no-record-trace', dest='record_trace',
                       action='store_false')
    base.add_enabled_options(parser, 'policy')


def _fields(args):
    body = {'description': args.description, 'severity': args.severity,
            'violation_table': args.violation_table,
            'record_trace': args.record_trace, 'enabled': args.enabled}
    if args.webhooks is not None:
        body['actions'] = [{'type': 'webhook', 'url': url}
                           for url in args.webhooks]
    return {key: value for key, value in body.items() if value is not None}


class CreatePolicy(command.ShowOne):
    """Create a policy."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>')
        parser.add_argument('--rule', metavar='<rule>', action='append',
                            dest='rules', default=[],
                            help='A rule of the policy language (repeat for '
                                 'several).')
        _add_fields(parser)
        return parser

    def take_action(self, args):
        body = dict(_fields(args), name=args.name,
                    rules=[{'rule': rule} for rule in args.rules])
        return _shown(base.client(self).post('/policies', body))


class ListPolicy(command.Lister):
    """List policies."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', metavar='<name>')
        parser.add_argument('--sort', metavar='<key>[:<dir>]')
        pagination.add_marker_pagination_option_to_parser(parser)
        return parser

    def take_action(self, args):
        return base.listed(base.client(self).list(
            '/policies', 'policies', limit=args.limit, marker=args.marker,
            name=args.name, sort=args.sort), LIST_COLUMNS)


class ShowPolicy(command.ShowOne):
    """Show a policy."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('policy', metavar='<policy>',
                            help='Name or id.')
        return parser

    def take_action(self, args):
        return _shown(base.find(base.client(self), 'policies', args.policy))


class SetPolicy(base.SetResource):
    """Change a policy."""

    collection = 'policies'

    def add_fields(self, parser):
        _add_fields(parser)

    def fields(self, args):
        return _fields(args)

    def show(self, policy):
        return _shown(policy)


class DeletePolicy(base.DeleteResources):
    """Delete policies, with their violations."""

    collection = 'policies'


class _PolicyCommand:
    """A command about one policy, given first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('policy', metavar='<policy>',
                            help='Name or id.')
        return parser

    def policy_path(self, args):
        policy = base.find(base.client(self), 'policies', args.policy)
        return '/policies/%s' % policy['id']


class AddRule(_PolicyCommand, command.ShowOne):
    """Add a rule to a policy."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('rule', metavar='<rule>')
        parser.add_argument('--comment', metavar='<text>')
        return parser

    def take_action(self, args):
        body = {'rule': args.rule}
        if args.comment is not None:
            body['comment'] = args.comment
        return base.shown(base.client(self).post(
            self.policy_path(args) + '/rules', body), RULE_COLUMNS)


class ListRule(_PolicyCommand, command.Lister):
    """List a policy's rules."""

    def take_action(self, args):
        return base.listed(base.client(self).get(
            self.policy_path(args) + '/rules')['rules'], RULE_COLUMNS)


class DeleteRule(_PolicyCommand, command.Command):
    """Delete a rule of a policy."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('rule_id', metavar='<rule-id>')
        return parser

    def take_action(self, args):
        base.client(self).delete('%s/rules/%s' % (self.policy_path(args),
                                                  args.rule_id))


class SimulatePolicy(_PolicyCommand, command.Lister):
    """What a policy would derive if rows changed (nothing is stored)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--insert', metavar='<ds:table>=<row>', action='append',
            default=[], help='Insert a row (a JSON array or object) into a '
                             'table (repeat for several).')
        parser.add_argument(
            '--delete', metavar='<ds:table>=<row>', action='append',
            default=[], help='Delete a row from a table.')
        parser.add_argument(
            '--table', metavar='<table>', action='append', dest='tables',
            help='A derived table to report on (default: the violation '
                 'table).')
        return parser

    def take_action(self, args):
        changes = {}
        for field in ('insert', 'delete'):
            for change in getattr(args, field):
                table, _, row = change.partition('=')
                changes.setdefault(table, {'table': table, 'insert': [],
                                           'delete': []})
                changes[table][field].append(base.json_argument(row))
        body = {'changes': list(changes.values())}
        if args.tables:
            body['tables'] = args.tables
        result = base.client(self).post(self.policy_path(args) + '/simulate',
                                        body)
        return base.listed(
            [{'table': table['name'], 'change': change, 'row': row}
             for table in result['tables']
             for change in ('added', 'removed') for row in table[change]],
            ('table', 'change', 'row'))
