"""How the polls of each pull datasource went.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa

from healapi.db.sqlalchemy import types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'datasource_polls',
        sa.Column('datasource_id', sa.String(36),
                  sa.ForeignKey('datasources.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('last_polled_at', types.DateTime, nullable=False),
        sa.Column('last_success_at', types.DateTime, nullable=True),
        sa.Column('last_error', sa.Text, nullable=True),
        sa.Column('last_error_at', types.DateTime, nullable=True),
        sa.Column('consecutive_failures', sa.Integer, nullable=False),
        sa.Column('tables', db_types.JsonEncodedList, nullable=False),
    )
