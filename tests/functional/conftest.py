"""Fixtures the functional tests of several components share."""

import pytest
import webtest

from healapi.api import app
from healapi.conf import CONF
from healapi.db.sqlalchemy import api as sqla_api
from tests import backends
from tests import wsgi_server


@pytest.fixture
def api(database):
    """A webtest client of the full API pipeline in noauth mode, on each
    database backend."""
    CONF.set_override('auth_strategy', 'noauth', group='api')
    return webtest.TestApp(app.build_wsgi_app())


@pytest.fixture
def served_api(database):
    """The base URL of the full API pipeline (noauth) served over HTTP on a
    loopback port, on each database backend."""
    CONF.set_override('auth_strategy', 'noauth', group='api')
    with wsgi_server.serving(app.build_wsgi_app()) as url:
        yield url


@pytest.fixture
def postgresql():
    """The URL of a new PostgreSQL database, which this process's database
    API uses too; dropped after. Engine processes migrate it
    (``helpers.migrate``)."""
    scratch = backends.ScratchDatabase('postgresql')
    url = scratch.url.render_as_string(hide_password=False)
    CONF.set_override('connection', url, group='database')
    engine = sqla_api.create_engine(url)
    undo = sqla_api.patch_engine(engine)
    try:
        yield url
    finally:
        undo()
        engine.dispose()
        scratch.drop()
