"""What the benchmarks share: healapi's processes on a scratch PostgreSQL
database, and a small HTTP client."""

import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid

import sqlalchemy as sa

BIN = os.path.dirname(sys.executable)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Client:
    """Just enough HTTP for the benchmark, on one kept-alive connection
    (opened again when the server closes it), so that each poll costs a
    request, not a TCP handshake too."""

    def __init__(self, port, token=None):
        self._connection = http.client.HTTPConnection('127.0.0.1', port,
                                                      timeout=30)
        self.headers = {'Content-Type': 'application/json'}
        if token:
            self.headers['X-Auth-Token'] = token

    def _exchange(self, method, path, body=None):
        """(response, body bytes) of one request."""
        data = None if body is None else json.dumps(body).encode()
        for attempt in (1, 2):
            try:
                self._connection.request(method, path, body=data,
                                         headers=self.headers)
                response = self._connection.getresponse()
                return response, response.read()
            except (http.client.HTTPException, OSError) as error:
                self._connection.close()  # The next request opens one.
                # A kept-alive connection the server closed: once more,
                # on a new one (every request here can be repeated).
                if attempt == 2 or not isinstance(error, (
                        http.client.RemoteDisconnected, ConnectionResetError,
                        BrokenPipeError)):
                    raise

    def etag(self, path):
        """The ETag of ``GET path``."""
        return self._exchange('GET', path)[0].getheader('ETag')

    def call(self, method, path, body=None):
        response, text = self._exchange(method, path, body)
        if response.status >= 400:
            raise RuntimeError('%s %s: HTTP %d %s' % (
                method, path, response.status, text[:300]))
        return json.loads(text) if text else None


@contextlib.contextmanager
def scratch_database(server_url):
    """A new PostgreSQL database on ``server_url``, dropped after."""
    name = 'healapi_bench_' + uuid.uuid4().hex[:8]
    admin = sa.create_engine(server_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as connection:
        connection.execute(sa.text('CREATE DATABASE ' + name))
    try:
        yield sa.engine.make_url(server_url).set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(
                'DROP DATABASE IF EXISTS %s WITH (FORCE)' % name))
        admin.dispose()


class Deployment:
    """The API (gunicorn) and engines, with one configuration: noauth on
    loopback, or Keystone with the ``[keystone_authtoken]`` options
    ``authtoken``; ``transport_url`` and ``[coordination] backend_url`` if
    given."""

    def __init__(self, workdir, database_url, transport_url=None,
                 coordination_url=None, authtoken=None):
        self.workdir = workdir
        self.port = free_port()
        self.config = os.path.join(workdir, 'healapi.conf')
        lines = ['[DEFAULT]', 'state_path = ' + workdir]
        if transport_url:
            lines.append('transport_url = ' + transport_url)
        lines += ['[database]', 'connection = ' + database_url,
                  '[api]', 'auth_strategy = %s' % (
                      'keystone' if authtoken else 'noauth'),
                  '[oslo_middleware]', 'max_request_body_size = 1048576']
        if authtoken:
            lines += ['[keystone_authtoken]'] + [
                '%s = %s' % item for item in authtoken.items()]
        if coordination_url:
            lines += ['[coordination]', 'backend_url = ' + coordination_url]
        with open(self.config, 'w') as config:
            config.write('\n'.join(lines) + '\n')
        self.processes = []

    def _start(self, name, argv, env=None):
        log = open(os.path.join(self.workdir, name + '.log'), 'ab')
        process = subprocess.Popen(  # noqa: S603 (our own commands)
            argv, stdout=log, stderr=log, env=dict(os.environ, **(env or {})))
        self.processes.append(process)
        return process

    def migrate(self):
        subprocess.run([  # noqa: S603 (our own command)
            os.path.join(BIN, 'healapi-manage'), '--config-file',
            self.config, 'db', 'upgrade'], check=True,
            stdout=subprocess.DEVNULL)

    def start_api(self, port=None, application=None):
        """Serve the API (or ``application``, a gunicorn app spec) under
        the documented gunicorn settings, on ``port`` (default
        ``self.port``); returns a Client once it answers ``GET /``."""
        port = port or self.port
        self._start('api' if application is None else 'app', [
            os.path.join(BIN, 'gunicorn'), '-c',
            os.path.join(ROOT, 'etc', 'healapi', 'gunicorn.conf.py'),
            '--bind', '127.0.0.1:%d' % port,
            '--access-logfile', '/dev/null', *filter(None, [application])],
            env={'HEALAPI_CONFIG_FILE': self.config, 'PYTHONPATH': ROOT})
        client = Client(port)
        deadline = time.monotonic() + 60
        while True:
            try:
                client.call('GET', '/')
                return client
            except ConnectionError:
                if time.monotonic() > deadline:
                    sys.exit('the API did not start; see %s' % self.workdir)
                time.sleep(0.1)

    def start_engine(self):
        """Start one more engine; returns its process."""
        return self._start('engine', [os.path.join(BIN, 'healapi-engine'),
                                      '--config-file', self.config])

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = []


def wait_for(predicate, timeout=30.0, interval=0.002):
    """``predicate()``'s first true value, polled every ``interval``."""
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise RuntimeError('timed out')
        time.sleep(interval)


def summary(name, values):
    """One line: the median, p90, p99 and max of ``values`` (seconds), in
    milliseconds."""
    values = sorted(values)

    def pick(q):
        return values[min(len(values) - 1, int(q * len(values)))] * 1000
    return ('%-8s n=%d  median %.1f ms  p90 %.1f ms  p99 %.1f ms  '
            'max %.1f ms' % (name, len(values),
                             statistics.median(values) * 1000, pick(0.90),
                             pick(0.99), values[-1] * 1000))
