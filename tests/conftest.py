"""Fixtures every test can use: clean configuration, real servers.

The databases are :mod:`tests.backends`, Keystone is :mod:`tests.keystone`.
"""

import pytest

from healapi.conf import CONF
from healapi.db import migration
from healapi.db.sqlalchemy import api as sqla_api
from healapi.db.sqlalchemy import models
from tests import backends
from tests import keystone


@pytest.fixture(scope='session')
def state_path(tmp_path_factory):
    """The ``state_path`` of every test: the credential keys live there."""
    return tmp_path_factory.mktemp('state')


@pytest.fixture(autouse=True)
def conf(state_path):
    """healapi's CONF, parsed from no file, with every override undone after.

    ``[database]/connection`` points nowhere usable, so a test that reaches
    the database without the ``database`` fixture fails instead of touching
    the developer's own state; ``state_path`` is a directory of the test
    session's.
    """
    CONF([], project='healapi', default_config_files=[])
    CONF.set_override('state_path', str(state_path))
    CONF.set_override('connection', 'sqlite:///nonexistent/dir/x.db',
                      group='database')
    yield CONF
    CONF.reset()


@pytest.fixture(scope='session', params=backends.NAMES)
def migrated_database(request):
    """(backend name, engine) of a database migrated to head, per backend."""
    scratch = backends.ScratchDatabase(request.param)
    engine = sqla_api.create_engine(
        scratch.url.render_as_string(hide_password=False))
    migration.upgrade(engine=engine)
    yield request.param, engine
    engine.dispose()
    scratch.drop()


@pytest.fixture
def database(migrated_database):
    """The engine healapi's database API uses in this test; emptied after.

    Parametrized over SQLite, PostgreSQL and MariaDB/MySQL.
    """
    name, engine = migrated_database
    CONF.set_override('connection', str(engine.url), group='database')
    undo = sqla_api.patch_engine(engine)
    yield engine
    undo()
    counter = models.ChangeCounter.__table__
    with engine.begin() as connection:
        for table in reversed(models.Base.metadata.sorted_tables):
            if table is not counter:
                connection.execute(table.delete())
        # The migration's one row; the counter never goes back in use.
        connection.execute(counter.update().values(value=0))


@pytest.fixture(params=backends.NAMES)
def empty_database(request):
    """An engine on a new, empty database of each backend, dropped after."""
    scratch = backends.ScratchDatabase(request.param)
    engine = sqla_api.create_engine(
        scratch.url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    scratch.drop()


@pytest.fixture(scope='session', name='keystone')
def keystone_server():
    """A real Keystone on loopback with the users of ``keystone.PERSONAS``.

    Started by the first test that asks for it: the others don't pay for it.
    """
    server = keystone.KeystoneServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
