"""Fixtures of the datasource tests: the API served over real HTTP."""

import pytest

from healapi.api import app
from healapi.conf import CONF
from tests import wsgi_server


@pytest.fixture
def served_api(database):
    """The base URL of the full API pipeline (noauth) on a loopback port."""
    CONF.set_override('auth_strategy', 'noauth', group='api')
    with wsgi_server.serving(app.build_wsgi_app()) as url:
        yield url
