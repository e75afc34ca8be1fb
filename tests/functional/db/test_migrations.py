"""The migrations build, on every backend, the schema the models describe."""

import datetime

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import test_migrations
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from healapi.db import migration
from healapi.db.sqlalchemy import models

POLICIES = models.Policy.__table__
RULES = models.Rule.__table__
DATASOURCES = models.Datasource.__table__
ROWS = models.DatasourceRow.__table__
VIOLATIONS = models.Violation.__table__
NOW = datetime.datetime(2026, 11, 25, 12, 0, 0, 123456)


def test_upgrade_walks_every_revision_in_order(empty_database):
    assert migration.version(engine=empty_database) is None
    for revision in migration.revisions():
        migration.upgrade(revision, engine=empty_database)
        assert migration.version(engine=empty_database) == revision
    assert migration.version(engine=empty_database) == migration.head()


def test_upgrade_at_head_changes_nothing(empty_database):
    migration.upgrade('head', engine=empty_database)
    assert migration.version(engine=empty_database) == migration.head()
    tables = set(sa.inspect(empty_database).get_table_names())

    migration.upgrade('head', engine=empty_database)

    assert migration.version(engine=empty_database) == migration.head()
    assert set(sa.inspect(empty_database).get_table_names()) == tables
    assert tables >= {table.name for table in
                      models.Base.metadata.sorted_tables}


class _ModelsMigrationsSync(test_migrations.ModelsMigrationsSync):
    """oslo.db's models-versus-migrations comparison, outside unittest.

    Alembic doesn't compare foreign keys' ON DELETE:
    test_foreign_keys_delete_as_the_models_say and the cascade tests below
    check it on every backend.
    """

    def __init__(self, engine):
        self.engine = engine

    def get_engine(self):
        return self.engine

    def db_sync(self, engine):
        migration.upgrade(engine=engine)

    def get_metadata(self):
        return models.Base.metadata

    def compare_type(self, ctxt, insp_col, meta_col, insp_type, meta_type):
        # Alembic ignores MySQL's DATETIME precision, where a migration
        # writing a plain DateTime would drop the microseconds.
        if isinstance(insp_type, mysql.DATETIME):
            meta_impl = meta_col.type.dialect_impl(ctxt.dialect)
            if insp_type.fsp != getattr(meta_impl, 'fsp', None):
                return True
        return super().compare_type(ctxt, insp_col, meta_col, insp_type,
                                    meta_type)

    def addCleanup(self, function, *args, **kwargs):
        # empty_database drops the whole database afterwards.
        pass

    def fail(self, message):
        pytest.fail(message, pytrace=False)


def test_models_and_migrations_agree(empty_database):
    _ModelsMigrationsSync(empty_database).test_models_sync()


# -- constraints the database API relies on, as the migrations create them --

def _policy(connection, name='p', project_id='project-a'):
    policy_id = name + '-id'
    connection.execute(POLICIES.insert().values(
        id=policy_id, project_id=project_id, name=name, description='',
        enabled=True, severity='medium', violation_table='error', actions=[],
        revision=1, created_at=NOW, updated_at=NOW))
    return policy_id


def _violation(connection, policy_id, violation_id, active_key,
               previous_id=None):
    connection.execute(VIOLATIONS.insert().values(
        id=violation_id, policy_id=policy_id, project_id='project-a',
        table_name='error', tuple_hash='h', active_key=active_key,
        values=['vm-1'], severity='medium',
        status='active' if active_key else 'resolved', first_seen_at=NOW,
        last_seen_at=NOW, previous_id=previous_id, created_at=NOW,
        updated_at=NOW))


def _datasource(connection, name='nova'):
    connection.execute(DATASOURCES.insert().values(
        id=name + '-id', project_id='project-a', name=name, description='',
        driver='push', config={}, enabled=True, created_at=NOW,
        updated_at=NOW))
    return name + '-id'


def _count(connection, table):
    return connection.execute(
        sa.select(sa.func.count()).select_from(table)).scalar()


def test_names_are_unique_per_project(database):
    with database.begin() as connection:
        _policy(connection, 'p')
        _policy(connection, 'p2', project_id='project-b')
        connection.execute(POLICIES.update().where(
            POLICIES.c.id == 'p2-id').values(name='p'))
    with pytest.raises(db_exc.DBDuplicateEntry):
        with database.begin() as connection:
            _policy(connection, 'p')
    with database.begin() as connection:
        _datasource(connection)
    with pytest.raises(db_exc.DBDuplicateEntry):
        with database.begin() as connection:
            connection.execute(DATASOURCES.insert().values(
                id='other', project_id='project-a', name='nova',
                description='', driver='push', config={}, enabled=True,
                created_at=NOW, updated_at=NOW))


def test_one_active_violation_per_policy_and_tuple(database):
    with database.begin() as connection:
        policy_id = _policy(connection)
        _violation(connection, policy_id, 'v1', active_key='h')
        # Resolved violations (NULL key) of the same tuple may pile up.
        _violation(connection, policy_id, 'v2', active_key=None)
        _violation(connection, policy_id, 'v3', active_key=None)
    with pytest.raises(db_exc.DBDuplicateEntry):
        with database.begin() as connection:
            _violation(connection, policy_id, 'v4', active_key='h')


def test_rules_need_an_existing_policy(database):
    with pytest.raises(db_exc.DBReferenceError):
        with database.begin() as connection:
            connection.execute(RULES.insert().values(
                id='r1', policy_id='missing', position=0, rule='a(x) :- b(x)',
                comment='', created_at=NOW))


def test_deleting_a_policy_cascades_to_rules_and_violations(database):
    with database.begin() as connection:
        policy_id = _policy(connection)
        other_id = _policy(connection, 'other')
        connection.execute(RULES.insert().values(
            id='r1', policy_id=policy_id, position=0, rule='a(x) :- b(x)',
            comment='', created_at=NOW))
        _violation(connection, policy_id, 'v1', active_key='h')
        _violation(connection, other_id, 'v2', active_key='h')

    with database.begin() as connection:
        connection.execute(POLICIES.delete().where(
            POLICIES.c.id == policy_id))

    with database.connect() as connection:
        assert _count(connection, RULES) == 0
        assert connection.execute(sa.select(VIOLATIONS.c.id)).scalars(
            ).all() == ['v2']


def test_deleting_a_datasource_cascades_to_its_rows(database):
    with database.begin() as connection:
        datasource_id = _datasource(connection)
        connection.execute(ROWS.insert().values(
            datasource_id=datasource_id, table_name='servers', row_hash='h',
            values=['vm-1'], created_at=NOW))

    with database.begin() as connection:
        connection.execute(DATASOURCES.delete())

    with database.connect() as connection:
        assert _count(connection, ROWS) == 0


def test_deleting_a_previous_violation_unlinks_its_successor(database):
    with database.begin() as connection:
        policy_id = _policy(connection)
        _violation(connection, policy_id, 'old', active_key=None)
        _violation(connection, policy_id, 'new', active_key='h',
                   previous_id='old')

    with database.begin() as connection:
        connection.execute(VIOLATIONS.delete().where(
            VIOLATIONS.c.id == 'old'))

    with database.connect() as connection:
        assert connection.execute(sa.select(VIOLATIONS.c.previous_id)).all(
            ) == [(None,)]


def test_timestamps_keep_microseconds(database):
    with database.begin() as connection:
        _policy(connection)
    with database.connect() as connection:
        stored = connection.execute(sa.select(POLICIES.c.created_at)).scalar()
    assert stored.replace(tzinfo=None) == NOW


def test_foreign_keys_delete_as_the_models_say(migrated_database):
    """ON DELETE, which alembic's comparison above leaves out."""
    inspector = sa.inspect(migrated_database[1])
    for table in models.Base.metadata.sorted_tables:
        reflected = {
            (tuple(fk['constrained_columns']), fk['referred_table']):
                fk['options'].get('ondelete')
            for fk in inspector.get_foreign_keys(table.name)}
        declared = {
            (tuple(fk.column_keys), fk.referred_table.name): fk.ondelete
            for fk in table.foreign_key_constraints}
        assert reflected == declared, table.name
