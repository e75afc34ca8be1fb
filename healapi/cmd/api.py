"""``healapi-api``: the API on a simple threaded server, for development.

Production deployments serve :mod:`healapi.wsgi.api` with gunicorn, uWSGI or
mod_wsgi instead.
"""

import ipaddress
import socketserver
import sys
from wsgiref import simple_server

from oslo_log import log

from healapi.api import app
from healapi.common import service
from healapi.conf import CONF

LOG = log.getLogger(__name__)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn,
                           simple_server.WSGIServer):
    daemon_threads = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        LOG.info('%s %s', self.address_string(), format % args)


def _is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv=None):
    service.prepare_service(sys.argv[1:] if argv is None else argv)
    host, port = CONF.api.host, CONF.api.port
    if CONF.api.auth_strategy == 'noauth' and not _is_loopback(host):
        sys.exit('healapi-api: refusing to serve auth_strategy=noauth on %s; '
                 'noauth is only for a loopback address such as 127.0.0.1'
                 % host)
    server = simple_server.make_server(
        host, port, app.build_wsgi_app(), server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler)
    LOG.info('healapi API serving on http://%s:%s/ (development server)',
             host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
