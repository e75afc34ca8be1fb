"""Schema migrations with alembic, on the database healapi is configured for.

Migrations only go forward, as in other OpenStack services: restore a backup
to go back.
"""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

from healapi.db.sqlalchemy import api as sqla_api

_SCRIPT_LOCATION = os.path.join(os.path.dirname(__file__), 'migrations')


def _config(connection=None):
    config = alembic_config.Config()
    config.set_main_option('script_location', _SCRIPT_LOCATION)
    config.attributes['connection'] = connection
    return config


def _run(engine, fn, *args, **kwargs):
    with engine.begin() as connection:
        fn(_config(connection), *args, **kwargs)


def upgrade(revision='head', engine=None):
    """Migrate the database schema up to ``revision``."""
    _run(engine or sqla_api.get_engine(), command.upgrade, revision)


def version(engine=None):
    """The schema revision the database is at, or None if it has none."""
    with (engine or sqla_api.get_engine()).connect() as connection:
        return alembic_migration.MigrationContext.configure(
            connection).get_current_revision()


def _scripts():
    return alembic_script.ScriptDirectory.from_config(_config())


def head():
    """The newest revision the migrations of this code know."""
    return _scripts().get_current_head()


def revisions():
    """Every revision the migrations of this code know, oldest first."""
    return [script.revision for script in reversed(
        list(_scripts().walk_revisions()))]


def revision(message, autogenerate=False, engine=None):
    """Write a new migration script, optionally diffed from the models."""
    _run(engine or sqla_api.get_engine(), command.revision,
         message=message, autogenerate=autogenerate)
