"""Fixtures the functional tests of several components share."""

import pytest
import webtest

from healapi.api import app
from healapi.conf import CONF


@pytest.fixture
def api(database):
    """A webtest client of the full API pipeline in noauth mode, on each
    database backend."""
    CONF.set_override('auth_strategy', 'noauth', group='api')
    return webtest.TestApp(app.build_wsgi_app())
