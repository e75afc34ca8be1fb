"""Several engines: who owns each policy, which engines coordinate, and at
most one announcement of each violation state change per target.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

from healapi.db.sqlalchemy import types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('engines', sa.Column(
        'coordinated', sa.Boolean, nullable=False,
        server_default=sa.false()))

    op.create_table(
        'policy_owners',
        sa.Column('policy_id', sa.String(36),
                  sa.ForeignKey('policies.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('engine_id', sa.String(36), nullable=False),
        sa.Column('claimed_at', types.DateTime, nullable=False),
        sa.Column('recorded_at', types.DateTime, nullable=True),
    )
    op.create_index('ix_policy_owners_engine_id', 'policy_owners',
                    ['engine_id'])

    op.add_column('outbox', sa.Column('delivery_key', sa.String(64),
                                      nullable=True))
    # An index rather than a constraint: SQLite can't add a constraint to
    # an existing table, and NULLs (actions) never collide in either.
    op.create_index('ix_outbox_delivery_key', 'outbox', ['delivery_key'],
                    unique=True)
