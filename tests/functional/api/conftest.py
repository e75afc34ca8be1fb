"""The API under test: the real WSGI pipeline, on each database backend."""

import pytest
import webtest

from healapi.api import app
from healapi.conf import CONF


@pytest.fixture
def api(database):
    """A webtest client of the full API pipeline in noauth mode."""
    CONF.set_override('auth_strategy', 'noauth', group='api')
    return webtest.TestApp(app.build_wsgi_app())

