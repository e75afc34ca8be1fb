"""The datasource drivers installed: plugins of the
``healapi.datasource.drivers`` entry point, loaded with stevedore.

The API (which lists drivers, checks configs, translates webhooks) and the
engine (which polls and runs actions) both find drivers here; a package
adds one by declaring the entry point (see
:mod:`healapi.engine.datasources.base` for what a driver is).
"""

import functools

from oslo_log import log
from stevedore import extension

from healapi.common import exception

LOG = log.getLogger(__name__)

NAMESPACE = 'healapi.datasource.drivers'

#: How rows reach a driver's datasources (its ``kind``): pushed by clients
#: through the API, polled by an engine, or posted as a monitoring
#: system's webhooks.
PUSH = 'push'
PULL = 'pull'
WEBHOOK = 'webhook'


def _load_failed(manager, entry_point, error):
    LOG.error('Datasource driver %s (%s) cannot be loaded and is left out: '
              '%s', entry_point.name, entry_point.value, error)


@functools.cache
def _drivers():
    manager = extension.ExtensionManager(
        NAMESPACE, on_load_failure_callback=_load_failed)
    return {plugin.name: plugin.plugin for plugin in manager}


def names():
    """The names of the installed drivers, sorted."""
    return sorted(_drivers())


def find(name):
    """The driver class named ``name``, or None."""
    return _drivers().get(name)


def kind_of(name):
    """The ``kind`` of the driver named ``name``, or None if it is not
    installed."""
    driver = find(name)
    return None if driver is None else driver.kind


def get(name):
    """The driver class named ``name``; raises
    :class:`~healapi.common.exception.UnknownDriver` (400)."""
    driver = find(name)
    if driver is None:
        raise exception.UnknownDriver(driver=name,
                                      drivers=', '.join(names()))
    return driver
