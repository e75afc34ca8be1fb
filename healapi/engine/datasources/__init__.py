"""Datasource drivers, and running the actions of ``execute[...]`` rules."""

from healapi.engine.datasources import base
from healapi.engine.datasources import push

#: Driver name -> class. A fixed table for now: loading drivers from
#: stevedore entry points comes with the pull drivers (a later issue).
DRIVERS = {driver.name: driver for driver in (push.PushDriver,)}


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
    driver = DRIVERS.get(datasource.driver)
    if driver is None:
        raise base.ActionFailed('datasource %s has driver %s, which has no '
                                'actions' % (name, datasource.driver))
    return driver(dbapi).execute(datasource, action_name, args)
