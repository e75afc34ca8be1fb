"""``healapi-manage``: administrative commands.

    healapi-manage db upgrade [--revision REV]
    healapi-manage db version
    healapi-manage db revision -m MESSAGE [--autogenerate]
"""

import sys

from oslo_config import cfg
from oslo_log import log

from healapi.common import service
from healapi.conf import CONF
from healapi.db import migration


def db_upgrade():
    before = migration.version()
    migration.upgrade(CONF.command.revision)
    print('Database schema upgraded from %s to %s.'
          % (before, migration.version()))


def db_version():
    print(migration.version() or 'None (no schema; run "healapi-manage db '
          'upgrade")')


def db_revision():
    migration.revision(CONF.command.message,
                       autogenerate=CONF.command.autogenerate)


def _add_db_commands(subparsers):
    db = subparsers.add_parser('db', help='Database schema migrations.')
    commands = db.add_subparsers(title='db commands', dest='db_command')
    commands.required = True

    upgrade = commands.add_parser(
        'upgrade', help='Migrate the schema forward (to the newest by '
                        'default).')
    upgrade.add_argument('--revision', default='head',
                         help='Revision to migrate to (default: head).')
    upgrade.set_defaults(func=db_upgrade)

    version = commands.add_parser(
        'version', help='Print the schema revision of the database.')
    version.set_defaults(func=db_version)

    revision = commands.add_parser(
        'revision', help='Write a new migration script (for developers).')
    revision.add_argument('-m', '--message', required=True,
                          help='What the migration changes.')
    revision.add_argument('--autogenerate', action='store_true',
                          help='Fill the script with the differences '
                               'between the models and the database.')
    revision.set_defaults(func=db_revision)


def main(argv=None):
    CONF.register_cli_opt(cfg.SubCommandOpt(
        'command', title='Commands', handler=_add_db_commands))
    # Keep the output to what the command reports, for scripts to read.
    log.set_defaults(default_log_levels=log.get_default_log_levels() + [
        'alembic.runtime.migration=WARN'])
    service.prepare_service(sys.argv[1:] if argv is None else argv)
    CONF.command.func()
