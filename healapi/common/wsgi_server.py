"""A small threaded WSGI server from the standard library: the development
API (``healapi-api``) and the engine's healthcheck endpoint serve on it.

Production deployments serve the API with gunicorn, uWSGI or mod_wsgi.
"""

import socketserver
from wsgiref import simple_server

from oslo_log import log

LOG = log.getLogger(__name__)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn,
                           simple_server.WSGIServer):
    daemon_threads = True


class _LoggingHandler(simple_server.WSGIRequestHandler):
    """Requests go to oslo.log at ``level``, not to stderr."""

    level = log.INFO

    def log_message(self, format, *args):
        LOG.log(self.level, '%s %s', self.address_string(), format % args)


class _DebugHandler(_LoggingHandler):
    level = log.DEBUG


def make_server(host, port, application, quiet=False):
    """A server of ``application`` on ``host``:``port`` (0: any free
    port), a thread per request; ``quiet`` logs requests at DEBUG only
    (probes come every few seconds)."""
    return simple_server.make_server(
        host, port, application, server_class=_ThreadingWSGIServer,
        handler_class=_DebugHandler if quiet else _LoggingHandler)
