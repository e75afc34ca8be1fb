"""A WSGI application served over real HTTP on a loopback port, in a
thread of the test process (for clients that need a URL)."""

import contextlib
import threading
from wsgiref import simple_server


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class _ThreadingServer(simple_server.WSGIServer):
    """One thread per request, like the threads of a gunicorn worker."""

    def process_request(self, request, client_address):
        threading.Thread(target=self._handle, daemon=True,
                         args=(request, client_address)).start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


@contextlib.contextmanager
def serving(application, port=0):
    """Serve ``application`` (on ``port``; 0: a free one); yields its base
    URL."""
    server = simple_server.make_server(
        '127.0.0.1', port, application, server_class=_ThreadingServer,
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
