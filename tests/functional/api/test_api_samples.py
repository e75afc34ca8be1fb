"""The API reference's samples are what the API answers.

One scenario makes the requests the API reference shows, through the full
pipeline with a real engine, and compares each body with its file under
``api-ref/source/samples``, once ids, times and hosts are made stable
(:class:`Stable`). Every sample file must come from here, so none can
drift from the API. After a deliberate change, rewrite them with::

    HEALAPI_UPDATE_SAMPLES=1 tools/run-tests.sh \
        tests/functional/api/test_api_samples.py
"""

import itertools
import json
import os
import pathlib
import re
import uuid

import pytest
import webob

from healapi.conf import CONF
from healapi.engine import service
from tests import wsgi_server

SAMPLES = pathlib.Path(__file__).parents[3] / 'api-ref' / 'source' / 'samples'
UPDATE_ENV = 'HEALAPI_UPDATE_SAMPLES'
ORIGIN = 'http://healapi.example.com:8779'
WEBHOOK_ORIGIN = 'https://ops.example.com'

pytestmark = pytest.mark.parametrize('migrated_database', ['sqlite'],
                                     indirect=True)

_UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                   r'[0-9a-f]{12}')
_HEX_ID = re.compile(r'\b[0-9a-f]{32}\b')
_TIME = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?')
_LOCAL = re.compile(r'http://127\.0\.0\.1:\d+')
#: Values that differ from one run or machine to the next, by key.
_BY_KEY = {'duration_ms': 9, 'host': 'engine-1.example.com', 'pid': 4242,
           'version': '1.0.0'}


class Stable:
    """Rewrites answers so that reruns give the same text: each id and
    time becomes the next of a fixed series, in order of appearance."""

    def __init__(self):
        self._ids = {}
        self._times = {}
        self._uuids = (str(uuid.uuid5(uuid.NAMESPACE_URL, 'healapi-%d' % n))
                       for n in itertools.count())
        self._hex_ids = (uuid.uuid5(uuid.NAMESPACE_DNS, 'p-%d' % n).hex
                         for n in itertools.count())
        self._seconds = itertools.count()

    def __call__(self, value, key=None):
        if key in _BY_KEY and not isinstance(value, (dict, list)):
            return _BY_KEY[key]
        if isinstance(value, dict):
            return {name: self(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, str):
            value = _UUID.sub(lambda m: self._id(m.group(), self._uuids),
                              value)
            value = _HEX_ID.sub(lambda m: self._id(m.group(), self._hex_ids),
                                value)
            value = _TIME.sub(self._time, value)
            value = _LOCAL.sub(WEBHOOK_ORIGIN, value.replace(
                'http://localhost', ORIGIN))
        return value

    def _id(self, value, series):
        if value not in self._ids:
            self._ids[value] = next(series)
        return self._ids[value]

    def _time(self, match):
        if match.group() not in self._times:
            seconds = next(self._seconds)
            self._times[match.group()] = '2026-11-25T07:%02d:%02d%s%s' % (
                seconds // 60, seconds % 60,
                '.%06d' % (123456 + seconds) if match.group(1) else '',
                match.group(2) or '')
        return self._times[match.group()]


@pytest.fixture
def samples(api):
    """{file name: body} of the scenario's requests and answers."""
    recorded = {}
    stable = Stable()

    def record(name, body):
        if isinstance(body, webob.Response):
            body = body.json
        recorded[name] = stable(body)
        return body

    return recorded, record


@pytest.fixture
def webhook_receiver():
    """A URL that accepts the policy's webhook calls."""
    def application(environ, start_response):
        start_response('204 No Content', [])
        return []

    with wsgi_server.serving(application) as url:
        yield url + '/hooks/healapi'


def _scenario(api, record, webhook_url):
    """The requests of the API reference, in an order that builds what
    each one shows."""
    record('versions-resp.json', api.get('/'))
    record('version-v1-resp.json', api.get('/v1/'))

    datasource_body = record('datasource-create-req.json', {
        'name': 'monitoring', 'driver': 'push',
        'description': 'Rows pushed by the monitoring system',
        'config': {'source': 'zabbix', 'api_key': 's3cr3t',
                   'tables': {'vm_status': ['vm', 'status'],
                              'quarantined': ['vm']}}})
    datasource = record('datasource-create-resp.json', api.post_json(
        '/v1/datasources', datasource_body))
    ds_url = '/v1/datasources/%s' % datasource['id']
    record('datasource-show-resp.json', api.get(ds_url))
    update = record('datasource-update-req.json',
                    {'description': 'Rows pushed by Zabbix'})
    record('datasource-update-resp.json', api.patch_json(ds_url, update))
    record('datasources-list-resp.json', api.get('/v1/datasources'))
    record('datasource-status-resp.json', api.get(ds_url + '/status'))

    policy_body = record('policy-create-req.json', {
        'name': 'vm_health', 'description': 'Servers that are down',
        'severity': 'high',
        'rules': [{'rule': 'error(vm) :- monitoring:vm_status(vm, "down")',
                   'comment': 'a server reported down'}],
        'actions': [{'type': 'webhook', 'url': webhook_url}]})
    policy = record('policy-create-resp.json',
                    api.post_json('/v1/policies', policy_body))
    policy_url = '/v1/policies/%s' % policy['id']
    rule_body = record('rule-create-req.json', {
        'rule': 'execute[monitoring:insert("quarantined", vm)] :- '
                'error(vm)', 'comment': 'quarantine it'})
    rule = record('rule-create-resp.json',
                  api.post_json(policy_url + '/rules', rule_body))
    record('rules-list-resp.json', api.get(policy_url + '/rules'))
    record('rule-show-resp.json',
           api.get('%s/rules/%s' % (policy_url, rule['id'])))
    update = record('policy-update-req.json', {'severity': 'critical'})
    record('policy-update-resp.json', api.patch_json(policy_url, update))
    record('policy-show-resp.json', api.get(policy_url))
    record('policies-list-resp.json', api.get('/v1/policies'))
    record('policy-status-resp.json', api.get(policy_url + '/status'))

    # The engine acts on changes it sees, not on what it first loads.
    engine = service.EngineService()
    engine.beat()
    engine.run_once()

    rows_url = ds_url + '/tables/vm_status/rows'
    rows = record('datasource-rows-replace-req.json', {'rows': [
        ['6f1b5d0c-3c56-4bc8-a0b9-1c1e38a4b7d2', 'down'],
        {'vm': 'b3c1a2f0-5e0d-4a8e-9f53-2f6d1c0e7a41', 'status': 'up'}]})
    record('datasource-rows-write-resp.json', api.put_json(rows_url, rows))
    change = record('datasource-rows-change-req.json', {
        'delete': [['b3c1a2f0-5e0d-4a8e-9f53-2f6d1c0e7a41', 'up']],
        'insert': [['b3c1a2f0-5e0d-4a8e-9f53-2f6d1c0e7a41', 'unknown']]})
    api.patch_json(rows_url, change)
    record('datasource-rows-list-resp.json', api.get(rows_url))
    record('datasource-tables-list-resp.json', api.get(ds_url + '/tables'))
    record('datasource-table-show-resp.json',
           api.get(ds_url + '/tables/vm_status'))

    engine.run_once()
    engine.dispatcher.run_once()
    record('engines-list-resp.json', api.get('/v1/engines'))
    (violation,) = api.get('/v1/violations').json['violations']
    violation_url = '/v1/violations/%s' % violation['id']
    record('violations-list-resp.json',
           api.get('/v1/violations?status=active'))
    record('violation-show-resp.json', api.get(violation_url))
    record('violation-status-resp.json', api.get(violation_url + '/status'))
    record('violation-deliveries-resp.json',
           api.get(violation_url + '/deliveries'))
    record('violation-acknowledge-resp.json',
           api.post(violation_url + '/acknowledge'))
    record('policy-executions-resp.json', api.get(policy_url + '/executions'))
    record('policy-rows-resp.json',
           api.get(policy_url + '/tables/error/rows'))
    simulation = record('policy-simulate-req.json', {
        'changes': [{'table': 'monitoring:vm_status',
                     'delete': [['6f1b5d0c-3c56-4bc8-a0b9-1c1e38a4b7d2',
                                 'down']],
                     'insert': [{'vm': 'b3c1a2f0-5e0d-4a8e-9f53-2f6d1c0e7a41',
                                 'status': 'down'}]}],
        'tables': ['error'], 'trace': False})
    record('policy-simulate-resp.json',
           api.post_json(policy_url + '/simulate', simulation))

    alertmanager = api.post_json('/v1/datasources', {
        'name': 'prometheus', 'driver': 'alertmanager',
        'config': {'webhook_token': 'a-webhook-token-of-32-characters'}}).json
    alert = record('datasource-webhook-req.json', json.loads(
        (pathlib.Path(__file__).parents[1] / 'datasources' / 'samples'
         / 'alertmanager-firing.json').read_text()))
    record('datasource-webhook-resp.json', api.post_json(
        '/v1/datasources/%s/webhook' % alertmanager['id'], alert))
    record('driver-show-resp.json', api.get('/v1/drivers/nova'))

    record('error-invalid-resp.json', api.post_json(
        '/v1/policies', {'name': 'vm health'}, expect_errors=True))
    record('error-not-found-resp.json', api.get(
        '/v1/policies/0b7a3c44-3e0e-4b8a-9d55-0d5e7f0b8a61',
        expect_errors=True))
    record('error-table-not-declared-resp.json', api.get(
        ds_url + '/tables/hypervisors/rows', expect_errors=True))


def _text(body):
    return json.dumps(body, indent=4, ensure_ascii=False) + '\n'


def test_the_api_reference_samples_are_what_the_api_answers(
        samples, api, webhook_receiver):
    CONF.set_override('poll_interval', 0.05, group='engine')
    recorded, record = samples
    _scenario(api, record, webhook_receiver)

    if os.environ.get(UPDATE_ENV) == '1':
        for name, body in recorded.items():
            (SAMPLES / name).write_text(_text(body))
    stale = sorted(name for name, body in recorded.items()
                   if not (SAMPLES / name).exists()
                   or (SAMPLES / name).read_text() != _text(body))
    assert not stale, ('samples that differ from what the API answers: %s; '
                       'rewrite them with %s=1' % (', '.join(stale),
                                                   UPDATE_ENV))
    unmade = sorted(path.name for path in SAMPLES.glob('*.json')
                    if path.name not in recorded)
    assert not unmade, 'samples no request makes: %s' % ', '.join(unmade)
