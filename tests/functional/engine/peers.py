"""The outside parties the engine delivers events to, for real: a webhook
receiver on loopback and a notification queue on the real RabbitMQ."""

import http.server
import json
import threading
import urllib.parse
import uuid

import kombu

from tests import backends


class Receiver:
    """A webhook receiver on loopback: it records every POST and answers
    with ``statuses`` first, then 204 (accepted)."""

    def __init__(self):
        self.requests = []
        self.statuses = []
        self.port = 0
        self._server = None

    def url(self, path='/hook'):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                status = (receiver.statuses.pop(0) if receiver.statuses
                          else 204)
                receiver.requests.append(
                    (self.path, dict(self.headers), json.loads(body), status))
                answer = b'' if status == 204 else b'go away'
                self.send_response(status)
                self.send_header('Content-Length', str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever,
                         daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def bodies(self, path='/hook'):
        """The bodies it accepted at ``path``, in order."""
        return [body for (at, _, body, status) in self.requests
                if at == path and status == 204]


class Broker:
    """A notification topic of its own on the real RabbitMQ, and its
    ``<topic>.info`` queue to read what was published."""

    def __init__(self):
        self.url = urllib.parse.urlsplit(backends.rabbitmq_url())
        self.topic = 'healapi-test-%s' % uuid.uuid4().hex[:12]
        self.connection = kombu.Connection(
            self.url._replace(scheme='amqp').geturl())
        # Declared as oslo.messaging declares a notification queue.
        exchange = kombu.Exchange('healapi', type='topic', durable=False)
        self.queue = kombu.Queue(
            self.topic + '.info', exchange, routing_key=self.topic + '.info',
            durable=False)(self.connection.default_channel)
        self.queue.declare()

    @property
    def address(self):
        return self.url.hostname, self.url.port or 5672

    def transport_url(self, port=None):
        """The broker's transport URL, or that of a proxy on ``port``."""
        if port is None:
            return self.url.geturl()
        userinfo, at, _ = self.url.netloc.rpartition('@')
        return self.url._replace(
            netloc='%s%s127.0.0.1:%d' % (userinfo, at, port)).geturl()

    def drain(self):
        """The notifications in the queue, taken from it."""
        found = []
        while (message := self.queue.get(no_ack=True)) is not None:
            found.append(json.loads(message.payload['oslo.message']))
        return found

    def close(self):
        self.queue.delete()
        self.connection.release()
