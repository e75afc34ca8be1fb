"""The database servers the tests run against, and scratch databases on them.

SQLite always works. PostgreSQL and MariaDB/MySQL are the real servers at
``HEALAPI_TEST_POSTGRESQL_URL`` and ``HEALAPI_TEST_MYSQL_URL`` (by default the
ones the development machines run on loopback). Where one is absent the tests
needing it are skipped, unless ``HEALAPI_TEST_REQUIRE_BACKENDS=1`` (as CI sets
it), which turns that skip into a failure.

Creating and dropping the scratch databases is oslo.db's provisioning.
"""

import os
import socket
import tempfile
import urllib.parse
import uuid

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import provision
from oslo_db.sqlalchemy import utils as db_utils
import pytest

REQUIRE_ENV = 'HEALAPI_TEST_REQUIRE_BACKENDS'

NAMES = ('sqlite', 'postgresql', 'mysql')

_SERVER_URLS = {
    'sqlite': 'sqlite:///' + os.path.join(tempfile.gettempdir(),
                                          'healapi-test.db'),
    'postgresql': os.environ.get(
        'HEALAPI_TEST_POSTGRESQL_URL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'),
    'mysql': os.environ.get(
        'HEALAPI_TEST_MYSQL_URL', 'mysql+pymysql://root@127.0.0.1:3306/'),
}


def unavailable(reason):
    """Skip the current test, or fail it where backends are required."""
    if os.environ.get(REQUIRE_ENV) == '1':
        pytest.fail('%s (%s=1 requires every backend)' % (reason, REQUIRE_ENV),
                    pytrace=False)
    pytest.skip(reason)


def server(name):
    """oslo.db's provisioning ``Backend`` for ``name``, or skip/fail."""
    backends = provision.Backend.backends_by_database_type
    if name not in backends or str(backends[name].url) != _SERVER_URLS[name]:
        backends[name] = provision.Backend(
            name, db_utils.make_url(_SERVER_URLS[name]))
    try:
        return provision.Backend.backend_for_database_type(name)
    except db_exc.BackendNotAvailable as error:
        unavailable('%s server at %s: %s' % (name, _SERVER_URLS[name], error))


class ScratchDatabase:
    """An empty database of its own on one backend; drop() removes it."""

    def __init__(self, name):
        self.backend = server(name)
        self.ident = 'healapi_test_' + uuid.uuid4().hex[:12]
        self.backend.create_named_database(self.ident)
        self.url = self.backend.provisioned_database_url(self.ident)

    def drop(self):
        self.backend.drop_named_database(self.ident, conditional=True)


#: The RabbitMQ the messaging tests use (its default vhost).
TRANSPORT_URL = os.environ.get('HEALAPI_TEST_TRANSPORT_URL',
                               'rabbit://guest:guest@127.0.0.1:5672/')


#: The Redis the coordination tests use as tooz backend.
REDIS_URL = os.environ.get('HEALAPI_TEST_REDIS_URL',
                           'redis://127.0.0.1:6379')


def _reachable(name, url, default_port):
    """``url`` once its server answers on its port, or skip/fail.

    Only a TCP connection is tried here; the tests then use the server for
    real.
    """
    parts = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or default_port),
                                 timeout=2).close()
    except OSError as error:
        unavailable('%s at %s:%s: %s' % (name, parts.hostname,
                                         parts.port or default_port, error))
    return url


def rabbitmq_url():
    """``TRANSPORT_URL``, once its broker answers, or skip/fail."""
    return _reachable('RabbitMQ', TRANSPORT_URL, 5672)


def redis_url():
    """``REDIS_URL``, once its server answers, or skip/fail."""
    return _reachable('Redis', REDIS_URL, 6379)
