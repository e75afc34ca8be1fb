"""POST /v1/datasources/{id}/webhook: monitoring systems' own payloads."""

import base64
import copy
import json
import pathlib

import pytest

from healapi.api.middleware import auth
from tests.functional.api import helpers

SAMPLES = pathlib.Path(__file__).parent.parent / 'datasources' / 'samples'
TOKEN = 'a-webhook-token-of-32-characters'


def _sample(name):
    return json.loads((SAMPLES / name).read_text())


def _webhook_url(datasource):
    return '/v1/datasources/%s/webhook' % datasource['id']


@pytest.fixture
def alertmanager(api):
    return helpers.create_datasource(api, name='prometheus',
                                     driver='alertmanager',
                                     config={'webhook_token': TOKEN})


def _bearer(token=TOKEN):
    return {'Authorization': 'Bearer ' + token}


def _basic(password=TOKEN):
    credentials = base64.b64encode(('alertmanager:%s' % password).encode())
    return {'Authorization': 'Basic ' + credentials.decode()}


def test_a_firing_alert_becomes_rows(api, alertmanager):
    response = api.post_json(_webhook_url(alertmanager),
                             _sample('alertmanager-firing.json'),
                             headers=_bearer())

    assert response.json == {'tables': {
        'alerts': {'added': 1, 'removed': 0},
        'alert_labels': {'added': 2, 'removed': 0},
        'alert_annotations': {'added': 1, 'removed': 0}}}
    assert helpers.all_rows(api, alertmanager, 'alerts') == [[
        '1b9dadc480ddce58', 'DiskFull', 'firing', None, None,
        '2026-12-02T18:49:49.841191Z', None, 'http://127.0.0.1/graph']]
    assert sorted(helpers.all_rows(api, alertmanager, 'alert_labels')) == [
        ['1b9dadc480ddce58', 'alertname', 'DiskFull'],
        ['1b9dadc480ddce58', 'host', 'h0']]
    assert helpers.all_rows(api, alertmanager, 'alert_annotations') == [
        ['1b9dadc480ddce58', 'summary', 'disk full']]


def test_a_resolved_alert_loses_its_rows(api, alertmanager):
    other = _sample('alertmanager-firing.json')
    other['alerts'][0].update(fingerprint='ffff', labels={'alertname': 'X'})
    for payload in (_sample('alertmanager-firing.json'), other,
                    _sample('alertmanager-resolved.json')):
        api.post_json(_webhook_url(alertmanager), payload,
                      headers=_bearer())

    assert [row[0] for row in helpers.all_rows(api, alertmanager,
                                               'alerts')] == ['ffff']
    assert helpers.all_rows(api, alertmanager, 'alert_labels') == [
        ['ffff', 'alertname', 'X']]


def test_a_firing_alert_sent_again_changes_nothing(api, alertmanager):
    for _ in range(2):
        response = api.post_json(_webhook_url(alertmanager),
                                 _sample('alertmanager-firing.json'),
                                 headers=_bearer())
    assert all(counts == {'added': 0, 'removed': 0}
               for counts in response.json['tables'].values())


def test_the_token_may_be_a_basic_auth_password(api, alertmanager):
    api.post_json(_webhook_url(alertmanager),
                  _sample('alertmanager-firing.json'), headers=_basic())
    assert len(helpers.all_rows(api, alertmanager, 'alerts')) == 1


def test_a_keystone_user_may_send_it_too(api, alertmanager):
    """Without an Authorization header the request goes through auth
    (noauth here: an admin)."""
    api.post_json(_webhook_url(alertmanager),
                  _sample('alertmanager-firing.json'))
    assert len(helpers.all_rows(api, alertmanager, 'alerts')) == 1


@pytest.mark.parametrize('headers', [
    _bearer('not-the-token-at-all-no-no'), _basic('wrong'),
    {'Authorization': 'Bearer'}, {'Authorization': 'Basic %%%'},
    {'Authorization': 'Digest username="x"'},
])
def test_a_wrong_token_is_refused(api, alertmanager, headers):
    response = api.post_json(_webhook_url(alertmanager),
                             _sample('alertmanager-firing.json'),
                             headers=headers, expect_errors=True)
    helpers.assert_error(response, 401, 'healapi.unauthorized')
    assert response.headers['WWW-Authenticate'].startswith('Bearer')
    assert helpers.all_rows(api, alertmanager, 'alerts') == []


def test_the_token_does_not_reveal_which_datasources_exist(api,
                                                           alertmanager):
    unknown = {'id': '6a0c2c5e-0bd9-4b6e-9bd4-5b4d8a3d4e9f'}
    without_token = helpers.create_datasource(api, name='am2',
                                              driver='alertmanager')
    for datasource in (unknown, without_token):
        response = api.post_json(_webhook_url(datasource), {},
                                 headers=_bearer(), expect_errors=True)
        helpers.assert_error(response, 401, 'healapi.unauthorized')


def test_the_token_cannot_carry_an_identity():
    """Identity headers sent along a webhook token are dropped before the
    app sees the request, so they can't make it anyone's."""
    seen = []

    def application(environ, start_response):
        seen.append(environ)
        return []

    def authenticated(environ, start_response):
        raise AssertionError('a token-authenticated webhook skips auth')

    routes = auth.PublicRoutes(application, authenticated)
    routes({'PATH_INFO': '/v1/datasources/x/webhook',
            'REQUEST_METHOD': 'POST', 'HTTP_AUTHORIZATION': 'Bearer t',
            'HTTP_X_ROLES': 'admin', 'HTTP_X_PROJECT_ID': 'p',
            'HTTP_X_USER_ID': 'u', 'HTTP_X_IDENTITY_STATUS': 'Confirmed'},
           None)

    (environ,) = seen
    assert environ[auth.WEBHOOK_TOKEN] is True
    assert not [key for key in environ if key.startswith('HTTP_X_')]


@pytest.mark.parametrize('change, detail', [
    (lambda p: p.update(version='3'), "'4' was expected"),
    (lambda p: p.pop('alerts'), "'alerts' is a required property"),
    (lambda p: p['alerts'][0].update(status='pending'), 'alerts.0.status'),
    (lambda p: p['alerts'][0]['labels'].update(host=7), 'labels.host'),
])
def test_an_invalid_payload_is_refused(api, alertmanager, change, detail):
    payload = _sample('alertmanager-firing.json')
    change(payload)
    response = api.post_json(_webhook_url(alertmanager), payload,
                             headers=_bearer(), expect_errors=True)
    error = helpers.assert_error(response, 400,
                                 'healapi.datasource.invalid_webhook')
    assert detail in error['detail']
    assert helpers.all_rows(api, alertmanager, 'alerts') == []


def test_a_body_that_is_not_json_is_refused(api, alertmanager):
    response = api.post(_webhook_url(alertmanager), b'{"version": ',
                        headers=dict(_bearer(),
                                     **{'Content-Type': 'application/json'}),
                        expect_errors=True)
    helpers.assert_error(response, 400)


def test_other_drivers_take_no_webhooks(api):
    push = helpers.create_datasource(api, config={'tables': {'t': ['a']}})
    response = api.post_json(_webhook_url(push), {}, expect_errors=True)
    error = helpers.assert_error(response, 409,
                                 'healapi.datasource.no_webhook')
    assert "'push' driver" in error['detail']


def test_only_post_is_allowed(api, alertmanager):
    response = api.get(_webhook_url(alertmanager), expect_errors=True)
    helpers.assert_error(response, 405)


def test_the_webhook_token_is_never_shown(api, alertmanager):
    shown = api.get('/v1/datasources/%s' % alertmanager['id']).json
    assert shown['config'] == {'webhook_token': '<hidden>'}
    assert TOKEN not in json.dumps(
        helpers.stored_datasource(alertmanager['id']).config)


def test_aodh_alarms_come_and_go(api):
    aodh = helpers.create_datasource(api, name='aodh', driver='aodh')
    alarm = {'alarm_id': 'b0fd', 'alarm_name': 'cpu_high',
             'severity': 'critical', 'current': 'alarm', 'previous': 'ok',
             'reason': 'Transition to alarm due to 3 samples outside '
                       'threshold', 'reason_data': {'type': 'threshold'}}
    api.post_json(_webhook_url(aodh), alarm)
    assert helpers.all_rows(api, aodh, 'alarms') == [[
        'b0fd', 'cpu_high', 'critical', 'alarm', 'ok', alarm['reason']]]

    api.post_json(_webhook_url(aodh), dict(alarm, current='ok',
                                           previous='alarm'))
    assert helpers.all_rows(api, aodh, 'alarms') == []


def test_doctor_events_replace_the_table(api):
    doctor = helpers.create_datasource(api, name='doctor', driver='doctor')
    event = {'id': '0123-4567-89ab', 'time': '2016-04-12T08:00:00',
             'type': 'compute.host.down',
             'details': {'hostname': 'compute1', 'status': 'down',
                         'monitor': 'zabbix1', 'monitor_event_id': '111'}}
    later = copy.deepcopy(event)
    later.update(id='cdef')
    later['details']['hostname'] = 'compute2'

    api.post_json(_webhook_url(doctor), [event])
    api.post_json(_webhook_url(doctor), [later])

    assert helpers.all_rows(api, doctor, 'events') == [[
        'cdef', '2016-04-12T08:00:00', 'compute.host.down', 'compute2',
        'down', 'zabbix1', '111']]


def test_rules_read_webhook_rows(api, alertmanager):
    policy = helpers.create_policy(api, rules=[{
        'rule': 'firing(name) :- prometheus:alerts(f, name, "firing", sev, '
                'instance, starts, ends, url)'}])
    api.post_json(_webhook_url(alertmanager),
                  _sample('alertmanager-firing.json'), headers=_bearer())

    rows = api.get('/v1/policies/%s/tables/firing/rows'
                   % policy['id']).json['rows']
    assert rows == [['DiskFull']]
