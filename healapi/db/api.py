"""The database facade: callers get a Connection and never touch SQL."""

from healapi.db.sqlalchemy import api as sqla_api

_INSTANCE = None


def get_instance():
    """The process-wide database connection object."""
    global _INSTANCE
    if _INSTANCE is None:
        _INSTANCE = sqla_api.Connection()
    return _INSTANCE


#: ``not_found(model, object_id)``: the error the database API raises for
#: an object that doesn't exist or that the caller's project can't see.
not_found = sqla_api.not_found
