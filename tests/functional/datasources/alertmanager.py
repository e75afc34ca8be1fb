"""A real Prometheus Alertmanager for the functional tests.

It runs the binary of Debian's ``prometheus-alertmanager`` package (0.25)
on loopback, with a configuration whose one route sends every alert to a
webhook under test, and timings that make tests fast::

    from tests.functional.datasources import alertmanager

    pytestmark = pytest.mark.skipif(not alertmanager.available(),
                                    reason='prometheus-alertmanager missing')

    def test_webhook(tmp_path, receiver):
        with alertmanager.Alertmanager(tmp_path, receiver.url(),
                                       bearer_token='s3cret') as am:
            fired = alertmanager.alert({'alertname': 'Disk', 'host': 'a'},
                                       {'summary': 'disk full'})
            am.post_alerts([fired])      # a "firing" webhook, at once
            am.resolve(fired)            # a "resolved" webhook, ~1s later

Grouping is by ``'...'`` (every label), so each distinct alert is a group
of its own and gets its own webhook (``alerts`` holds one alert). Pass
``group_by=()`` to put every alert in one group instead.

No clustering: ``--cluster.listen-address=`` is empty, so it neither
listens on 9094 nor waits for peers to settle, and it is ready at once.

Measured with 0.25: ready ~0.1s after start; a new alert's webhook ~3ms
after the POST (``group_wait`` 0s); a resolution's at the group's next
``group_interval`` tick, so up to 1s later (1.0s right after firing). The
webhook shows a firing alert's ``endsAt`` as ``0001-01-01T00:00:00Z``
whatever was posted; a resolution by ``resolve_timeout`` has ``endsAt``
with nanoseconds (9 digits). An alert posted already resolved that never
fired sends no webhook. Samples: ``samples/alertmanager-*.json``.
"""

import copy
import datetime
import json
import os
import pathlib
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

BINARY = '/usr/bin/prometheus-alertmanager'


def available():
    """Whether the Alertmanager binary is installed."""
    return os.access(BINARY, os.X_OK)


def timestamp(when=None):
    """``when`` (an aware datetime, default now) in the RFC 3339 form the
    Alertmanager API takes, e.g. ``2024-05-01T12:00:00.123456Z``."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%S.%fZ')


def alert(labels, annotations=None, starts_at=None, ends_at=None,
          generator_url='http://127.0.0.1/graph'):
    """An alert as ``POST /api/v2/alerts`` takes it (``postableAlert``).

    ``startsAt`` is now unless given (datetime or string). Without
    ``ends_at`` the alert fires until ``resolve_timeout`` passes, as
    Alertmanager then sets ``endsAt`` itself; an ``ends_at`` in the past
    posts the alert resolved.
    """
    body = {
        'labels': dict(labels),
        'annotations': dict(annotations or {}),
        'startsAt': _stamp(starts_at) or timestamp(),
        'generatorURL': generator_url,
    }
    if ends_at is not None:
        body['endsAt'] = _stamp(ends_at)
    return body


def _stamp(value):
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    return value


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class AlertmanagerError(Exception):
    """Alertmanager did not start, or its API refused a request."""


class Alertmanager:
    """One Alertmanager process whose single route posts every alert to
    ``webhook_url`` (with ``send_resolved``), with an ``Authorization:
    Bearer <bearer_token>`` header when a token is given.

    A context manager: entering starts it and waits until ``/-/ready``
    answers 200; leaving stops it. ``url`` is its base URL (also its
    ``externalURL`` in the webhooks), ``directory`` holds its
    configuration, storage and ``alertmanager.log`` (its stderr).

    Timings: ``group_wait`` is 0s so a new group's first webhook leaves at
    once; ``group_interval`` is 1s, the delay of any later change to a group
    (a resolution, a new alert in it); ``repeat_interval`` is long so an
    unchanged group is not notified again during a test.
    """

    def __init__(self, tmp_path, webhook_url, bearer_token=None,
                 group_by=('...',), group_wait='0s', group_interval='1s',
                 repeat_interval='1h', resolve_timeout='1m',
                 startup_timeout=15.0):
        self.webhook_url = webhook_url
        self.bearer_token = bearer_token
        self.group_by = list(group_by)
        self.group_wait = group_wait
        self.group_interval = group_interval
        self.repeat_interval = repeat_interval
        self.resolve_timeout = resolve_timeout
        self.startup_timeout = startup_timeout
        pathlib.Path(tmp_path).mkdir(parents=True, exist_ok=True)
        self.directory = pathlib.Path(
            tempfile.mkdtemp(prefix='alertmanager-', dir=tmp_path))
        self.config_file = self.directory / 'alertmanager.yml'
        self.log_file = self.directory / 'alertmanager.log'
        self.port = None
        self.process = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def config(self):
        """The configuration, as a dict (written as JSON, which is YAML)."""
        webhook = {'url': self.webhook_url, 'send_resolved': True}
        if self.bearer_token is not None:
            webhook['http_config'] = {
                'authorization': {'type': 'Bearer',
                                  'credentials': self.bearer_token}}
        return {
            'global': {'resolve_timeout': self.resolve_timeout},
            'route': {
                'receiver': 'webhook',
                'group_by': self.group_by,
                'group_wait': self.group_wait,
                'group_interval': self.group_interval,
                'repeat_interval': self.repeat_interval,
            },
            'receivers': [{'name': 'webhook', 'webhook_configs': [webhook]}],
        }

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        """Start the process and wait until it is ready; retries on another
        port if the free port it picked was taken meanwhile."""
        self.config_file.write_text(json.dumps(self.config(), indent=2))
        for attempt in range(3):
            self.port = _free_port()
            try:
                self._spawn()
                return
            except AlertmanagerError:
                if (attempt == 2 or 'address already in use'
                        not in self._log().lower()):
                    raise

    def _spawn(self):
        with open(self.log_file, 'wb') as log:
            self.process = subprocess.Popen(
                [BINARY,
                 '--config.file=%s' % self.config_file,
                 '--storage.path=%s' % (self.directory / 'data'),
                 '--web.listen-address=127.0.0.1:%d' % self.port,
                 '--web.external-url=%s' % self.url,
                 '--cluster.listen-address='],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            code = self.process.poll()
            if code is not None:
                self.process = None
                raise AlertmanagerError(
                    'Alertmanager exited with %s before it was ready:\n%s'
                    % (code, self._log()))
            if self._ready():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise AlertmanagerError(
                    'Alertmanager not ready on %s after %ss:\n%s'
                    % (self.url, self.startup_timeout, self._log()))
            time.sleep(0.05)

    def _ready(self):
        try:
            with urllib.request.urlopen(self.url + '/-/ready',
                                        timeout=1) as answer:
                return answer.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def _log(self):
        try:
            return self.log_file.read_text(errors='replace')
        except OSError:
            return ''

    def stop(self, timeout=10):
        """Terminate the process, and kill it if it lingers."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                content = answer.read()
        except urllib.error.HTTPError as error:
            raise AlertmanagerError('%s %s: %s %s' % (
                method, path, error.code, error.read().decode(
                    errors='replace'))) from error
        return json.loads(content) if content.strip() else None

    def post_alerts(self, alerts):
        """``POST /api/v2/alerts``: ``alerts`` is one alert or a list of
        them (see ``alert``)."""
        if isinstance(alerts, dict):
            alerts = [alerts]
        self._request('POST', '/api/v2/alerts', list(alerts))

    def resolve(self, alerts, when=None):
        """Post ``alerts`` (one or a list, as posted before) again with
        ``endsAt`` at ``when`` (default now), which resolves them: the
        resolved webhook follows after ``group_interval``. Returns the
        alerts as posted."""
        if isinstance(alerts, dict):
            alerts = [alerts]
        ends_at = _stamp(when) or timestamp()
        resolved = []
        for each in alerts:
            each = copy.deepcopy(each)
            each['endsAt'] = ends_at
            resolved.append(each)
        self.post_alerts(resolved)
        return resolved

    def alerts(self):
        """``GET /api/v2/alerts``: the alerts it holds, as it sees them."""
        return self._request('GET', '/api/v2/alerts')
