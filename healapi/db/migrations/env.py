"""Alembic environment: runs migrations on the connection healapi gives it."""

from alembic import context

from healapi.db.sqlalchemy import models

config = context.config


def run_migrations_online():
    """Run migrations on ``config.attributes['connection']``."""
    connection = config.attributes['connection']
    context.configure(connection=connection,
                      target_metadata=models.Base.metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit('healapi migrations run online only: '
                     'use "healapi-manage db upgrade".')
run_migrations_online()
