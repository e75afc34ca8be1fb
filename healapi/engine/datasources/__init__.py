"""Datasource drivers, and running the actions of ``execute[...]`` rules.

Each driver is a module of this package, registered under the
``healapi.datasource.drivers`` entry point (see setup.cfg and
:mod:`healapi.common.drivers`).
"""

from healapi.common import drivers
from healapi.engine.datasources import base


def execute(dbapi, project_id, action, args):
    """Run ``action`` ('ds:name') with ``args`` on the datasource named
    ``ds`` in ``project_id``; returns what the driver says it did.

    Raises :class:`base.ActionFailed` when it can't.
    """
    name, _, action_name = action.partition(':')
    found = dbapi.list_datasources(project_id, filters={'name': name})
    if not found or not found[0].enabled:
        raise base.ActionFailed('no enabled datasource named %s in project '
                                '%s' % (name, project_id))
    datasource = found[0]
    driver = drivers.find(datasource.driver)
    if driver is None:
        raise base.ActionFailed('datasource %s has driver %s, which is not '
                                'installed' % (name, datasource.driver))
    return driver(dbapi).execute(datasource, action_name, args)
