"""The [database] group: oslo.db's options, with healapi's defaults.

The default connection is an embedded SQLite file under ``state_path`` so
that healapi runs on one machine with nothing else installed. For
PostgreSQL use ``postgresql+psycopg2://`` (a bare ``postgresql://`` means the
psycopg 3 driver to SQLAlchemy 2.1); for MySQL/MariaDB use
``mysql+pymysql://``. The ``postgresql`` and ``mysql`` extras install those
drivers.
"""

from oslo_config import cfg
from oslo_db import options as db_options

DEFAULT_CONNECTION = 'sqlite:///$state_path/healapi.sqlite'

GROUP = cfg.OptGroup(
    'database', title='Database',
    help='The SQL database that holds everything healapi stores. The '
         'default is an embedded SQLite file, for one machine. In '
         'production use PostgreSQL with '
         'postgresql+psycopg2://USER:PASSWORD@HOST/healapi (install '
         'healapi[postgresql]; a bare postgresql:// would select the '
         'psycopg 3 driver instead) or MariaDB/MySQL with '
         'mysql+pymysql://USER:PASSWORD@HOST/healapi (install '
         'healapi[mysql]).')


#: healapi's own options of the group, beside oslo.db's.
HEALAPI_OPTS = [
    cfg.IntOpt(
        'network_timeout', default=30, min=2,
        help='Seconds a database client waits on the network before it '
             'gives up, so that a database that cannot be reached fails '
             'API requests with 503 instead of holding them: to open a '
             'connection (both drivers); on MySQL/MariaDB, for each answer '
             'and each write (so a statement that runs longer fails); on '
             'PostgreSQL, for the server to acknowledge '
             'what was sent (TCP_USER_TIMEOUT, with TCP keepalives), which '
             'catches a server or network that went silent. A value given '
             'in the connection URL or connection_parameters wins.'),
]


def register_opts(conf):
    # On the options themselves (not conf.set_default, as oslo.db's helper
    # does) so the sample config and the docs show healapi's default.
    cfg.set_defaults(db_options.database_opts, connection=DEFAULT_CONNECTION)
    conf.register_group(GROUP)
    conf.register_opts(db_options.database_opts, group=GROUP)
    conf.register_opts(HEALAPI_OPTS, group=GROUP)


def list_opts():
    return {GROUP: db_options.database_opts + HEALAPI_OPTS}
