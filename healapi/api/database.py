"""The database facade as API requests use it: a database that cannot be
reached answers 503, not 500.

Controllers take the facade from here rather than from
:mod:`healapi.db.api`. Every call is the facade's own, except that a lost
or refused connection (oslo.db's ``DBConnectionError``, and what
SQLAlchemy raises for a connection that fails, times out or drops) becomes
:class:`~healapi.common.exception.DatabaseUnavailable`. A write the
database never received is not stored; one cut off during its commit may
have been, as with any database client. oslo.db drops
the pool's dead connections, so requests succeed again as soon as the
database is back, without a restart.
"""

import functools

from oslo_db import exception as db_exc
from sqlalchemy import exc as sa_exc

from healapi.common import exception
from healapi.db import api as db_api

#: What a database that can't be reached raises.
CONNECTION_ERRORS = (db_exc.DBConnectionError, sa_exc.OperationalError,
                     sa_exc.InterfaceError, sa_exc.TimeoutError,
                     sa_exc.DisconnectionError)

not_found = db_api.not_found


class _Facade:
    """The facade, with connection errors translated."""

    def __init__(self, facade):
        self._facade = facade

    def __getattr__(self, name):
        attribute = getattr(self._facade, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except CONNECTION_ERRORS as error:
                raise exception.DatabaseUnavailable() from error
        # Made once: the next lookup finds it without __getattr__.
        setattr(self, name, call)
        return call


@functools.cache
def _facade(facade):
    return _Facade(facade)


def get_instance():
    """The process's database facade, for API requests."""
    return _facade(db_api.get_instance())


def live_engines():
    return db_api.live_engines(get_instance())
