"""The [database] group: oslo.db's options, with healapi's defaults.

The default connection is an embedded SQLite file under ``state_path`` so
that healapi runs on one machine with nothing else installed. For
PostgreSQL use ``postgresql+psycopg2://`` (a bare ``postgresql://`` means the
psycopg 3 driver to SQLAlchemy 2.1, which healapi does not install); for
MySQL/MariaDB use ``mysql+pymysql://``.
"""

from oslo_db import options as db_options

DEFAULT_CONNECTION = 'sqlite:///$state_path/healapi.sqlite'


def register_opts(conf):
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)


def list_opts():
    return {'database': db_options.database_opts}
