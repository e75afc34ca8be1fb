"""The database facade: callers get a Connection and never touch SQL."""

import datetime

from oslo_utils import timeutils

from healapi.conf import CONF
from healapi.db.sqlalchemy import api as sqla_api

_INSTANCE = None


def get_instance():
    """The process-wide database connection object."""
    global _INSTANCE
    if _INSTANCE is None:
        _INSTANCE = sqla_api.Connection()
    return _INSTANCE


def live_engines(dbapi=None):
    """The engines taken to be alive: those with a heartbeat fresher than
    ``[engine] heartbeat_timeout`` (through ``dbapi``, by default the
    process's)."""
    return (dbapi or get_instance()).list_engines(
        timeutils.utcnow() - datetime.timedelta(
            seconds=CONF.engine.heartbeat_timeout))


#: ``not_found(model, object_id)``: the error the database API raises for
#: an object that doesn't exist or that the caller's project can't see.
not_found = sqla_api.not_found
