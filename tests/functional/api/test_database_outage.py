"""The API when its database goes away and comes back: 503 in the API-SIG
format, nothing half-stored, and recovery without a restart."""

import itertools
import threading
import time

import pytest
import requests
import webtest

from healapi.api import app
from healapi.conf import CONF
from healapi.db import migration
from healapi.db.sqlalchemy import api as sqla_api
from tests import backends
from tests import tcpproxy
from tests import wsgi_server
from tests.functional.api import helpers


@pytest.fixture(params=['postgresql', 'mysql'])
def outage(request):
    """(webtest client, proxy): the API on a database reached through a
    TCP proxy the test can cut."""
    scratch = backends.ScratchDatabase(request.param)
    proxy = tcpproxy.TCPProxy((scratch.url.host or '127.0.0.1',
                               scratch.url.port)).start()
    url = scratch.url.set(host='127.0.0.1', port=proxy.port)
    url = url.render_as_string(hide_password=False)
    CONF.set_override('connection', url, group='database')
    engine = sqla_api.create_engine(url)
    migration.upgrade(engine=engine)
    undo = sqla_api.patch_engine(engine)
    CONF.set_override('auth_strategy', 'noauth', group='api')
    try:
        yield webtest.TestApp(app.build_wsgi_app()), proxy
    finally:
        undo()
        engine.dispose()
        proxy.stop()
        scratch.drop()


def _unavailable(response):
    error = helpers.assert_error(response, 503,
                                 'healapi.database_unavailable')
    assert response.headers['Retry-After'] == '5'
    assert 'Traceback' not in response.text
    return error


def test_requests_fail_with_503_and_recover(outage):
    api, proxy = outage
    policy = helpers.create_policy(api)

    proxy.stop()
    for response in (
            api.get('/v1/policies', expect_errors=True),
            api.get('/v1/policies/%s' % policy['id'], expect_errors=True),
            api.get('/v1/policies/%s/status' % policy['id'],
                    expect_errors=True),
            api.post_json('/v1/policies', {'name': 'lost'},
                          expect_errors=True),
            api.patch_json('/v1/policies/%s' % policy['id'],
                           {'severity': 'high'}, expect_errors=True)):
        _unavailable(response)

    proxy.start()
    listed = api.get('/v1/policies').json['policies']
    assert [item['name'] for item in listed] == ['vm_health']
    assert listed[0]['severity'] == policy['severity']
    assert api.post_json('/v1/policies', {'name': 'after'}).status_int == 201


def test_a_write_cut_off_stores_nothing(outage):
    api, proxy = outage
    datasource = helpers.create_datasource(
        api, config={'tables': {'vm_status': ['vm', 'status']}})
    rows_url = helpers.rows_url(datasource, 'vm_status')
    api.put_json(rows_url, {'rows': [['vm1', 'ERROR']]})

    proxy.stop()
    _unavailable(api.put_json(rows_url, {'rows': [['vm2', 'ERROR']]},
                              expect_errors=True))
    proxy.start()

    assert helpers.all_rows(api, datasource, 'vm_status') == [
        ['vm1', 'ERROR']]


def test_under_load_every_answer_is_served_or_503_and_no_write_is_lost(
        outage):
    """Clients keep writing and reading over HTTP while the database goes
    away and comes back: each answer is a success or a 503, and every
    policy whose creation was answered 201 is there afterwards."""
    api, proxy = outage
    answers = []
    stop = threading.Event()

    def client(number):
        session = requests.Session()
        for attempt in itertools.count():
            if stop.is_set():
                return
            name = 'p%d_%d' % (number, attempt)
            created = session.post(url + '/v1/policies',
                                   json={'name': name}, timeout=30)
            listed = session.get(url + '/v1/policies?limit=5', timeout=30)
            answers.append((name, created.status_code, created.json()))
            answers.append((None, listed.status_code, listed.json()))

    with wsgi_server.serving(app.build_wsgi_app()) as url:
        threads = [threading.Thread(target=client, args=(number,))
                   for number in range(4)]
        for thread in threads:
            thread.start()
        _wait_for_answers(answers, 20)
        proxy.stop()
        _wait_for_answers(answers, len(answers) + 20)
        proxy.start()
        _wait_for_answers(answers, len(answers) + 20)
        stop.set()
        for thread in threads:
            thread.join()

    statuses = {status for _, status, _ in answers}
    assert statuses <= {200, 201, 503}, statuses
    assert 503 in statuses
    for _, status, body in answers:
        if status == 503:
            assert body['errors'][0]['code'] == 'healapi.database_unavailable'
    stored = {policy['name'] for policy in api.get(
        '/v1/policies?limit=1000').json['policies']}
    accepted = {name for name, status, _ in answers if status == 201}
    assert accepted and accepted <= stored


def _wait_for_answers(answers, count):
    deadline = time.monotonic() + 60
    while len(answers) < count:
        assert time.monotonic() < deadline, 'the clients stopped answering'
        time.sleep(0.01)
