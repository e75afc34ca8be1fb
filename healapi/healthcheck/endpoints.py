"""The healthcheck endpoints of healapi's processes.

oslo.middleware's healthcheck app serves each endpoint, mounted beside the
process's own application rather than around it: only ``GET`` and
``HEAD`` of exactly these paths reach it (it would answer any path), and
none of the process's middleware, authentication above all, stands in
front of it.

``/healthcheck`` (readiness)
   The process's backends work. A 503 tells an orchestrator to send the
   process no work until it passes again.
``/healthcheck/live`` (liveness)
   The process itself works. A 503 tells an orchestrator to restart it.
   It checks no backend, so that a database outage makes every replica
   unready without getting them all restarted.
"""

from oslo_middleware import healthcheck
from stevedore import extension
import webob.exc

from healapi.conf import CONF

READINESS = '/healthcheck'
LIVENESS = '/healthcheck/live'


class UnknownBackends(Exception):
    """A healthcheck names plugins that aren't installed."""


#: A WSGI application answering 404 to everything.
NOT_FOUND = webob.exc.HTTPNotFound()


class _Healthcheck(healthcheck.Healthcheck):
    """oslo.middleware's healthcheck app running the plugins ``backends``;
    the other ``[healthcheck]`` options apply as configured.

    A request it is configured to ignore (``allowed_source_ranges``,
    ``ignore_proxied_requests``) gets a 404: oslo.middleware would pass it
    to the next application, and with none it sends the request over HTTP
    to the request's own Host header.
    """

    def __init__(self, backends):
        self._backend_names = list(backends)
        super().__init__(NOT_FOUND, CONF)
        unknown = sorted(set(self._backend_names)
                         - set(self._backends.names()))
        if unknown:
            # oslo.middleware would ignore them, and report healthy.
            raise UnknownBackends(
                'Unknown healthcheck backends: %s. Installed: %s.' % (
                    ', '.join(unknown), ', '.join(sorted(_installed()))))

    def _conf_get(self, key, group='healthcheck'):
        if key == 'backends' and group == 'healthcheck':
            return self._backend_names
        return super()._conf_get(key, group)


def _installed():
    """The names of the installed healthcheck plugins."""
    return extension.ExtensionManager(
        healthcheck.Healthcheck.NAMESPACE).names()


def mount(application, readiness, liveness):
    """``application`` with the healthcheck endpoints beside it;
    ``readiness`` and ``liveness`` are the plugins each one runs. Raises
    :class:`UnknownBackends` for a plugin that isn't installed."""
    endpoints = {READINESS: _Healthcheck(readiness),
                 LIVENESS: _Healthcheck(liveness)}

    def route(environ, start_response):
        path = environ.get('PATH_INFO', '').rstrip('/')
        endpoint = endpoints.get(path)
        if endpoint is not None and environ['REQUEST_METHOD'] in (
                'GET', 'HEAD'):
            return endpoint(environ, start_response)
        return application(environ, start_response)

    return route
