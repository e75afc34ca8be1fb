"""A TCP proxy that tests put in front of a real server to simulate outages,
and a server that accepts connections and never answers (a hung backend).

``stop()`` closes the listening socket and every connection through it, so
the clients see their connections drop and new ones refused, as when the
server itself goes away; ``start()`` listens again on the same port.
"""

import socket
import threading


class TCPProxy:
    """Forwards connections to ``127.0.0.1:port`` to ``upstream``."""

    def __init__(self, upstream, host='127.0.0.1'):
        self.upstream = upstream
        self.host = host
        #: The port it listens on: chosen by the first start(), then kept.
        self.port = 0
        self._listener = None
        self._sockets = set()
        self._lock = threading.Lock()

    def start(self):
        listener = socket.create_server((self.host, self.port))
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,),
                         name='tcpproxy-accept', daemon=True).start()
        return self

    def stop(self):
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        for sock in ([listener] if listener else []) + list(sockets):
            _close(sock)

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stop() closed the listener.
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:
                    _close(client)
                    _close(server)
                    return
                self._sockets.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink),
                                 name='tcpproxy-pump', daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with self._lock:
                self._sockets.discard(sock)
            _close(sock)


def _close(sock):
    """Close ``sock`` now, waking any thread blocked on it (close() alone
    doesn't interrupt a blocked accept() or recv() on Linux)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers: a hung backend.
    ``stop()`` closes them all."""

    def __init__(self):
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.port = self._listener.getsockname()[1]
        self._accepted = []
        threading.Thread(target=self._accept, name='silent-accept',
                         daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # stop() closed the listener.
            self._accepted.append(client)

    def stop(self):
        for sock in [self._listener] + self._accepted:
            _close(sock)
