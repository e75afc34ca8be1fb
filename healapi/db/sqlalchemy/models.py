"""SQLAlchemy models of healapi's tables.

The schema itself is created by the alembic migrations in
:mod:`healapi.db.migrations`; a test checks that both agree on every backend.
"""

from oslo_db.sqlalchemy import types as db_types
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm

from healapi.db.sqlalchemy import types


def _utcnow():
    return timeutils.utcnow()


class Base(orm.DeclarativeBase):
    pass


class TimestampMixin:
    created_at = sa.Column(types.DateTime, nullable=False, default=_utcnow)
    updated_at = sa.Column(types.DateTime, nullable=False, default=_utcnow,
                           onupdate=_utcnow)


class Policy(TimestampMixin, Base):
    """A named set of rules whose violation table is watched."""

    __tablename__ = 'policies'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'name',
                            name='uq_policies_project_id_name'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False, index=True)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.Text, nullable=False, default='')
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    severity = sa.Column(sa.String(16), nullable=False)
    violation_table = sa.Column(sa.String(255), nullable=False)
    actions = sa.Column(db_types.JsonEncodedList, nullable=False)
    revision = sa.Column(sa.Integer, nullable=False, default=1)
    #: Whether the engine stores the proof of each new violation.
    record_trace = sa.Column(sa.Boolean, nullable=False, default=False,
                             server_default=sa.false())

    rules = orm.relationship(
        'Rule', order_by='Rule.position', lazy='selectin',
        cascade='all, delete-orphan', passive_deletes=True)


class Rule(Base):
    """One rule of a policy, in policy-language text."""

    __tablename__ = 'policy_rules'
    __table_args__ = (
        sa.UniqueConstraint('policy_id', 'position',
                            name='uq_policy_rules_policy_id_position'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    policy_id = sa.Column(sa.String(36),
                          sa.ForeignKey('policies.id', ondelete='CASCADE'),
                          nullable=False)
    position = sa.Column(sa.Integer, nullable=False)
    name = sa.Column(sa.String(255), nullable=True)
    rule = sa.Column(sa.Text, nullable=False)
    comment = sa.Column(sa.Text, nullable=False, default='')
    created_at = sa.Column(types.DateTime, nullable=False, default=_utcnow)


class Datasource(TimestampMixin, Base):
    """A source of rows; its name is the namespace rules use for its tables."""

    __tablename__ = 'datasources'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'name',
                            name='uq_datasources_project_id_name'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False, index=True)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.Text, nullable=False, default='')
    driver = sa.Column(sa.String(255), nullable=False)
    config = sa.Column(db_types.JsonEncodedDict, nullable=False)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    poll_interval = sa.Column(sa.Integer, nullable=True)

    poll = orm.relationship('DatasourcePoll', uselist=False, lazy='selectin',
                            passive_deletes=True)


class DatasourcePoll(Base):
    """How the polls of a pull datasource went. Written by the engine
    polling it; not a change engines follow, so it leaves the datasource's
    ``updated_at`` alone."""

    __tablename__ = 'datasource_polls'

    datasource_id = sa.Column(
        sa.String(36), sa.ForeignKey('datasources.id', ondelete='CASCADE'),
        primary_key=True)
    last_polled_at = sa.Column(types.DateTime, nullable=False)
    last_success_at = sa.Column(types.DateTime, nullable=True)
    last_error = sa.Column(sa.Text, nullable=True)
    last_error_at = sa.Column(types.DateTime, nullable=True)
    consecutive_failures = sa.Column(sa.Integer, nullable=False, default=0)
    #: The tables the last successful poll fetched.
    tables = sa.Column(db_types.JsonEncodedList, nullable=False)


class DatasourceRow(Base):
    """One row of one table of a datasource (pushed or polled)."""

    __tablename__ = 'datasource_rows'
    __table_args__ = (
        sa.UniqueConstraint('datasource_id', 'table_name', 'row_hash',
                            name='uq_datasource_rows_table_row'),
    )

    id = sa.Column(types.BigIntegerKey, primary_key=True, autoincrement=True)
    datasource_id = sa.Column(
        sa.String(36), sa.ForeignKey('datasources.id', ondelete='CASCADE'),
        nullable=False)
    table_name = sa.Column(sa.String(255), nullable=False)
    #: SHA-256 of the row's canonical JSON: rows are sets, so one per value.
    row_hash = sa.Column(sa.String(64), nullable=False)
    values = sa.Column(db_types.JsonEncodedList, nullable=False)
    created_at = sa.Column(types.DateTime, nullable=False, default=_utcnow)


class Violation(TimestampMixin, Base):
    """One tuple derived into a policy's violation table, over its life."""

    __tablename__ = 'violations'
    __table_args__ = (
        # At most one active violation per policy and tuple: active_key is
        # the tuple hash while active and NULL once resolved (NULLs never
        # collide in a unique constraint on any of the supported backends).
        sa.UniqueConstraint('policy_id', 'active_key',
                            name='uq_violations_policy_id_active_key'),
        sa.Index('ix_violations_policy_id_tuple_hash',
                 'policy_id', 'tuple_hash'),
        sa.Index('ix_violations_project_id_status', 'project_id', 'status'),
        sa.Index('ix_violations_status_first_seen_at',
                 'status', 'first_seen_at'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    policy_id = sa.Column(sa.String(36),
                          sa.ForeignKey('policies.id', ondelete='CASCADE'),
                          nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    table_name = sa.Column(sa.String(255), nullable=False)
    tuple_hash = sa.Column(sa.String(64), nullable=False)
    active_key = sa.Column(sa.String(64), nullable=True)
    values = sa.Column(db_types.JsonEncodedList, nullable=False)
    severity = sa.Column(sa.String(16), nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    first_seen_at = sa.Column(types.DateTime, nullable=False)
    last_seen_at = sa.Column(types.DateTime, nullable=False)
    resolved_at = sa.Column(types.DateTime, nullable=True)
    acknowledged_at = sa.Column(types.DateTime, nullable=True)
    acknowledged_by = sa.Column(sa.String(255), nullable=True)
    previous_id = sa.Column(sa.String(36),
                            sa.ForeignKey('violations.id',
                                          ondelete='SET NULL'),
                            nullable=True)
    trace = sa.Column(db_types.JsonEncodedDict, nullable=True)


class Engine(Base):
    """A running healapi-engine process, as its heartbeat records it."""

    __tablename__ = 'engines'

    id = sa.Column(sa.String(36), primary_key=True)
    host = sa.Column(sa.String(255), nullable=False)
    pid = sa.Column(sa.Integer, nullable=False)
    version = sa.Column(sa.String(64), nullable=False)
    started_at = sa.Column(types.DateTime, nullable=False, default=_utcnow)
    heartbeat_at = sa.Column(types.DateTime, nullable=False, index=True)
    #: Whether the engine shares the work through a coordination backend
    #: (False: it evaluates everything, and must be the only engine).
    coordinated = sa.Column(sa.Boolean, nullable=False, default=False,
                            server_default=sa.false())


class PolicyOwner(Base):
    """The engine that evaluates a policy: the only one whose findings for
    it the database takes (a fence against an engine that lost the policy
    but doesn't know yet)."""

    __tablename__ = 'policy_owners'

    policy_id = sa.Column(sa.String(36),
                          sa.ForeignKey('policies.id', ondelete='CASCADE'),
                          primary_key=True)
    engine_id = sa.Column(sa.String(36), nullable=False, index=True)
    claimed_at = sa.Column(types.DateTime, nullable=False)
    #: When the owner last recorded findings (the write that checks it).
    recorded_at = sa.Column(types.DateTime, nullable=True)


class ChangeCounter(Base):
    """The number of the last change to what the engine evaluates.

    One row. Every write that the engine must see raises it and writes a
    :class:`Change` numbered with the new value in the same transaction;
    the row lock held until commit makes numbers commit in order, so an
    engine that has read change N has seen every change before it.
    """

    __tablename__ = 'change_counter'

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    value = sa.Column(sa.BigInteger, nullable=False)


class Change(Base):
    """One write the engine must apply: the engine's change feed."""

    __tablename__ = 'changes'

    seq = sa.Column(sa.BigInteger, primary_key=True, autoincrement=False)
    #: ``rows``, ``policy`` or ``datasource``.
    kind = sa.Column(sa.String(16), nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    #: The policy or datasource changed.
    object_id = sa.Column(sa.String(36), nullable=False)
    table_name = sa.Column(sa.String(255), nullable=True)
    #: For ``rows``: ``{"added": [row...], "removed": [row...]}``.
    payload = sa.Column(db_types.JsonEncodedDict(mysql_as_long=True),
                        nullable=True)
    created_at = sa.Column(types.DateTime, nullable=False, default=_utcnow,
                           index=True)


class OutboxEvent(Base):
    """Something to deliver to one target, written in the transaction that
    caused it: a notification, a webhook call or an action execution."""

    __tablename__ = 'outbox'
    __table_args__ = (
        sa.Index('ix_outbox_pending', 'dispatched_at', 'next_attempt_at'),
        sa.Index('ix_outbox_delivery_key', 'delivery_key', unique=True),
    )

    id = sa.Column(types.BigIntegerKey, primary_key=True, autoincrement=True)
    #: Shared by the deliveries of one event to its several targets, so
    #: receivers can recognise a redelivery.
    event_id = sa.Column(sa.String(36), nullable=True)
    event_type = sa.Column(sa.String(64), nullable=False)
    #: ``notification``, ``webhook`` or ``action``.
    target = sa.Column(sa.String(16), nullable=True)
    url = sa.Column(sa.String(2048), nullable=True)
    #: For a violation's events, a hash of (violation, event type, target,
    #: url): unique, so a state change is never announced twice to one
    #: target, whatever engines do. None for actions.
    delivery_key = sa.Column(sa.String(64), nullable=True)
    policy_id = sa.Column(sa.String(36), nullable=True, index=True)
    project_id = sa.Column(sa.String(255), nullable=True)
    violation_id = sa.Column(sa.String(36), nullable=True, index=True)
    payload = sa.Column(db_types.JsonEncodedDict, nullable=False)
    #: ``pending``, ``delivered`` or ``failed``.
    status = sa.Column(sa.String(16), nullable=True)
    created_at = sa.Column(types.DateTime, nullable=False, default=_utcnow)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(types.DateTime, nullable=True)
    dispatched_at = sa.Column(types.DateTime, nullable=True)
    last_error = sa.Column(sa.Text, nullable=True)

    attempt_log = orm.relationship(
        'OutboxAttempt', order_by='OutboxAttempt.id', lazy='selectin',
        cascade='all, delete-orphan', passive_deletes=True)


class OutboxAttempt(Base):
    """One try at delivering an outbox event, and how it went."""

    __tablename__ = 'outbox_attempts'

    id = sa.Column(types.BigIntegerKey, primary_key=True, autoincrement=True)
    outbox_id = sa.Column(types.BigIntegerKey,
                          sa.ForeignKey('outbox.id', ondelete='CASCADE'),
                          nullable=False, index=True)
    attempted_at = sa.Column(types.DateTime, nullable=False)
    succeeded = sa.Column(sa.Boolean, nullable=False)
    #: The HTTP status or error the attempt met, without credentials.
    detail = sa.Column(sa.Text, nullable=False)
    duration_ms = sa.Column(sa.Integer, nullable=False)
