"""``healapi-api``: the API on a simple threaded server, for development.

Production deployments serve :mod:`healapi.wsgi.api` with gunicorn, uWSGI or
mod_wsgi instead.
"""

import ipaddress
import sys

from oslo_log import log

from healapi.api import app
from healapi.common import service
from healapi.common import wsgi_server
from healapi.conf import CONF

LOG = log.getLogger(__name__)


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
    server = wsgi_server.make_server(host, port, app.build_wsgi_app())
    LOG.info('healapi API serving on http://%s:%s/ (development server)',
             host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
