"""Fixtures of the datasource tests: the API served over real HTTP."""

import threading
from wsgiref import simple_server

import pytest

from healapi.api import app
from healapi.conf import CONF


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class _ThreadingServer(simple_server.WSGIServer):
    """One thread per request, like the threads of a gunicorn worker."""

    daemon_threads = True

    def process_request(self, request, client_address):
        threading.Thread(target=self._handle, daemon=True,
                         args=(request, client_address)).start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


@pytest.fixture
def served_api(database):
    """The base URL of the full API pipeline (noauth) on a loopback port."""
    CONF.set_override('auth_strategy', 'noauth', group='api')
    server = simple_server.make_server(
        '127.0.0.1', 0, app.build_wsgi_app(), server_class=_ThreadingServer,
        handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
