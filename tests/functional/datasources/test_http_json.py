"""The http_json driver against a local HTTP server."""

import http.server
import json
import threading

import pytest

from healapi.common import drivers
from healapi.common import exception
from healapi.conf import CONF
from healapi.engine.datasources import base

HOSTS = {'items': [
    {'name': 'compute1', 'status': {'state': 'up', 'load': 0.5},
     'tags': ['ssd']},
    {'name': 'compute2', 'status': {'state': 'down'}},
], 'total': 2}

CONFIG = {'tables': {
    'hosts': {'path': '$.items[*]',
              'columns': {'host': 'name', 'state': 'status.state',
                          'load': 'status.load', 'tags': 'tags'}},
    'summary': {'path': '$', 'columns': {'total': 'total'}},
}}


class _Handler(http.server.BaseHTTPRequestHandler):

    def do_GET(self):
        site = self.server.site
        site.requests.append(dict(self.headers))
        status, body = site.answer
        if site.delay:
            site.released.wait(site.delay)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


class Site:
    """A loopback HTTP server answering every GET with ``answer``."""

    def __init__(self):
        self.answer = (200, HOSTS)
        self.requests = []
        self.delay = 0
        self.released = threading.Event()
        self._server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                       _Handler)
        self._server.site = self
        self.url = 'http://127.0.0.1:%d/api/hosts' % self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        daemon=True)
        self._thread.start()

    def stop(self):
        self.released.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def site():
    server = Site()
    yield server
    server.stop()


def _fetch(site, tables=('hosts', 'summary'), **config):
    return drivers.get('http_json')().fetch(
        dict(CONFIG, url=site.url, **config), list(tables))


def test_rows_are_picked_out_of_the_answer(site):
    rows = _fetch(site)

    assert rows == {
        'hosts': [['compute1', 'up', 0.5, '["ssd"]'],
                  ['compute2', 'down', None, None]],
        'summary': [[2]]}


def test_the_datasource_declares_the_tables(site):
    assert drivers.get('http_json').declared_tables(CONFIG) == {
        'hosts': ['host', 'state', 'load', 'tags'], 'summary': ['total']}


def test_the_authorization_header_is_sent(site):
    _fetch(site, authorization='Bearer s3cret', headers={'X-Tenant': 'a'})

    (headers,) = site.requests
    assert headers['Authorization'] == 'Bearer s3cret'
    assert headers['X-Tenant'] == 'a'
    assert headers['Accept'] == 'application/json'


@pytest.mark.parametrize('answer, reason', [
    ((503, {'error': 'busy'}), '503'),
    ((200, b'<html>'), 'did not answer JSON'),
])
def test_a_bad_answer_fails_the_poll(site, answer, reason):
    site.answer = answer
    with pytest.raises(base.PollFailed) as failed:
        _fetch(site)
    assert reason in str(failed.value)


def test_a_hung_server_fails_the_poll(site):
    CONF.set_override('request_timeout', 0.3, group='datasources')
    site.delay = 10
    with pytest.raises(base.PollFailed) as failed:
        _fetch(site)
    assert 'timed out' in str(failed.value).lower()


def test_credentials_in_the_url_are_not_shown(site):
    url = site.url.replace('http://', 'http://user:pa55@').replace(
        site.url.split(':')[2].split('/')[0], '9')
    with pytest.raises(base.PollFailed) as failed:
        drivers.get('http_json')().fetch(dict(CONFIG, url=url), ['hosts'])
    assert 'pa55' not in str(failed.value)


@pytest.mark.parametrize('config, reason', [
    ({'tables': {}}, "'url' is a required property"),
    (dict(CONFIG, url='http://x/', tables={'hosts': {'path': '$'}}),
     "'columns' is a required property"),
    (dict(CONFIG, url='http://x/', tables={'1bad': {
        'path': '$', 'columns': {'a': 'a'}}}), '1bad'),
    (dict(CONFIG, url='http://x/', tables={'t': {
        'path': '$', 'columns': {'a': '@@'}}}), 'column a JSONPath'),
])
def test_unusable_configs_are_refused(config, reason):
    with pytest.raises(exception.InvalidConfig) as refused:
        drivers.get('http_json').check_config(config)
    assert reason in str(refused.value)
