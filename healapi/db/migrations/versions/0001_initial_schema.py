"""Initial schema: policies, rules, datasources, rows, violations, engines,
outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa

from healapi.db.sqlalchemy import types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column('created_at', types.DateTime, nullable=False),
            sa.Column('updated_at', types.DateTime, nullable=False)]


def upgrade():
    op.create_table(
        'policies',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.Text, nullable=False),
        sa.Column('enabled', sa.Boolean, nullable=False),
        sa.Column('severity', sa.String(16), nullable=False),
        sa.Column('violation_table', sa.String(255), nullable=False),
        sa.Column('actions', db_types.JsonEncodedList, nullable=False),
        sa.Column('revision', sa.Integer, nullable=False),
        *_timestamps(),
        sa.UniqueConstraint('project_id', 'name',
                            name='uq_policies_project_id_name'),
    )
    op.create_index('ix_policies_project_id', 'policies', ['project_id'])

    op.create_table(
        'policy_rules',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('policy_id', sa.String(36),
                  sa.ForeignKey('policies.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('position', sa.Integer, nullable=False),
        sa.Column('name', sa.String(255), nullable=True),
        sa.Column('rule', sa.Text, nullable=False),
        sa.Column('comment', sa.Text, nullable=False),
        sa.Column('created_at', types.DateTime, nullable=False),
        sa.UniqueConstraint('policy_id', 'position',
                            name='uq_policy_rules_policy_id_position'),
    )

    op.create_table(
        'datasources',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.Text, nullable=False),
        sa.Column('driver', sa.String(255), nullable=False),
        sa.Column('config', db_types.JsonEncodedDict, nullable=False),
        sa.Column('enabled', sa.Boolean, nullable=False),
        sa.Column('poll_interval', sa.Integer, nullable=True),
        *_timestamps(),
        sa.UniqueConstraint('project_id', 'name',
                            name='uq_datasources_project_id_name'),
    )
    op.create_index('ix_datasources_project_id', 'datasources',
                    ['project_id'])

    op.create_table(
        'datasource_rows',
        sa.Column('id', types.BigIntegerKey, primary_key=True,
                  autoincrement=True),
        sa.Column('datasource_id', sa.String(36),
                  sa.ForeignKey('datasources.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('table_name', sa.String(255), nullable=False),
        sa.Column('row_hash', sa.String(64), nullable=False),
        sa.Column('values', db_types.JsonEncodedList, nullable=False),
        sa.Column('created_at', types.DateTime, nullable=False),
        sa.UniqueConstraint('datasource_id', 'table_name', 'row_hash',
                            name='uq_datasource_rows_table_row'),
    )

    op.create_table(
        'violations',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('policy_id', sa.String(36),
                  sa.ForeignKey('policies.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('table_name', sa.String(255), nullable=False),
        sa.Column('tuple_hash', sa.String(64), nullable=False),
        sa.Column('active_key', sa.String(64), nullable=True),
        sa.Column('values', db_types.JsonEncodedList, nullable=False),
        sa.Column('severity', sa.String(16), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('first_seen_at', types.DateTime, nullable=False),
        sa.Column('last_seen_at', types.DateTime, nullable=False),
        sa.Column('resolved_at', types.DateTime, nullable=True),
        sa.Column('acknowledged_at', types.DateTime, nullable=True),
        sa.Column('acknowledged_by', sa.String(255), nullable=True),
        sa.Column('previous_id', sa.String(36),
                  sa.ForeignKey('violations.id', ondelete='SET NULL'),
                  nullable=True),
        sa.Column('trace', db_types.JsonEncodedDict, nullable=True),
        *_timestamps(),
        sa.UniqueConstraint('policy_id', 'active_key',
                            name='uq_violations_policy_id_active_key'),
    )
    op.create_index('ix_violations_policy_id_tuple_hash', 'violations',
                    ['policy_id', 'tuple_hash'])
    op.create_index('ix_violations_project_id_status', 'violations',
                    ['project_id', 'status'])
    op.create_index('ix_violations_status_first_seen_at', 'violations',
                    ['status', 'first_seen_at'])

    op.create_table(
        'engines',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('pid', sa.Integer, nullable=False),
        sa.Column('version', sa.String(64), nullable=False),
        sa.Column('started_at', types.DateTime, nullable=False),
        sa.Column('heartbeat_at', types.DateTime, nullable=False),
    )
    op.create_index('ix_engines_heartbeat_at', 'engines', ['heartbeat_at'])

    op.create_table(
        'outbox',
        sa.Column('id', types.BigIntegerKey, primary_key=True,
                  autoincrement=True),
        sa.Column('event_type', sa.String(64), nullable=False),
        sa.Column('violation_id', sa.String(36), nullable=True),
        sa.Column('payload', db_types.JsonEncodedDict, nullable=False),
        sa.Column('created_at', types.DateTime, nullable=False),
        sa.Column('attempts', sa.Integer, nullable=False),
        sa.Column('next_attempt_at', types.DateTime, nullable=True),
        sa.Column('dispatched_at', types.DateTime, nullable=True),
        sa.Column('last_error', sa.Text, nullable=True),
    )
    op.create_index('ix_outbox_pending', 'outbox',
                    ['dispatched_at', 'next_attempt_at'])
    op.create_index('ix_outbox_violation_id', 'outbox', ['violation_id'])
