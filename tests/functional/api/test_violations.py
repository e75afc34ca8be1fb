"""/v1/violations: list, show, acknowledge."""

import datetime

import pytest

from tests.functional.api import helpers


@pytest.fixture
def policy(api):
    return helpers.create_policy(api, severity='high')


def test_show_violation(api, policy):
    violation_id = helpers.insert_violation(policy, ['vm-1'])

    violation = api.get('/v1/violations/%s' % violation_id).json

    assert violation['id'] == violation_id
    assert violation['policy_id'] == policy['id']
    assert violation['table'] == 'error'
    assert violation['values'] == ['vm-1']
    assert violation['status'] == 'active'
    assert violation['severity'] == 'high'
    assert violation['resolved_at'] is None
    assert violation['acknowledged_at'] is None
    assert violation['previous_id'] is None
    assert violation['trace'] is None
    assert violation['links'][0]['href'].endswith(
        '/v1/violations/%s' % violation_id)


def test_list_shows_each_violation_as_shown_alone_but_its_trace(api,
                                                                 policy):
    """The list renders its items apart from the show, for speed: they
    must not drift apart."""
    resolved_id = helpers.insert_violation(
        policy, ['vm-1', {'flavor': 'm1.small'}], status='resolved',
        trace={'rule': 'error(vm) :- nova:servers(vm)'})
    acknowledged_id = helpers.insert_violation(
        policy, ['vm-2', 3, None], acknowledged_by='operator',
        acknowledged_at=datetime.datetime(2026, 5, 1, 12, 30, 15, 123456))
    api.post('/v1/violations/%s/acknowledge' % acknowledged_id)

    listed = api.get('/v1/violations').json['violations']

    assert len(listed) == 2
    for item in listed:
        shown = api.get('/v1/violations/%s' % item['id']).json
        assert shown.pop('trace') == (
            {'rule': 'error(vm) :- nova:servers(vm)'}
            if item['id'] == resolved_id else None)
        assert item == shown


def test_unknown_violation_is_404(api):
    response = api.get('/v1/violations/0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11',
                       expect_errors=True)
    helpers.assert_error(response, 404, 'healapi.violation.not_found')


def test_acknowledge_is_recorded_once(api, policy):
    violation_id = helpers.insert_violation(policy, ['vm-1'])
    url = '/v1/violations/%s/acknowledge' % violation_id

    first = api.post(url).json
    second = api.post(url).json

    assert first['acknowledged_at'] is not None
    assert first['acknowledged_by'] == 'noauth'
    assert first['status'] == 'active'
    assert second['acknowledged_at'] == first['acknowledged_at']
    assert api.get('/v1/violations/%s' % violation_id).json[
        'acknowledged_at'] == first['acknowledged_at']


def test_acknowledge_unknown_violation_is_404(api):
    response = api.post(
        '/v1/violations/0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11/acknowledge',
        expect_errors=True)
    helpers.assert_error(response, 404, 'healapi.violation.not_found')


def test_list_filters(api, policy):
    other = helpers.create_policy(api, name='other', severity='low')
    active = helpers.insert_violation(policy, ['vm-1'])
    resolved = helpers.insert_violation(policy, ['vm-2'], status='resolved')
    low = helpers.insert_violation(other, ['vm-3'], severity='low')
    api.post('/v1/violations/%s/acknowledge' % low)

    def ids(query):
        return sorted(v['id'] for v in
                      api.get('/v1/violations?' + query).json['violations'])

    assert ids('status=active') == sorted([active, low])
    assert ids('status=resolved') == [resolved]
    assert ids('policy_id=%s' % policy['id']) == sorted([active, resolved])
    assert ids('severity=low') == [low]
    assert ids('acknowledged=true') == [low]
    assert ids('acknowledged=false') == sorted([active, resolved])
    assert ids('status=active&severity=high') == [active]


def test_list_time_filters(api, policy):
    old = helpers.insert_violation(
        policy, ['vm-1'],
        first_seen_at=datetime.datetime(2026, 1, 1, 12, 0, 0))
    new = helpers.insert_violation(
        policy, ['vm-2'],
        first_seen_at=datetime.datetime(2026, 6, 1, 12, 0, 0))

    def ids(query):
        return [v['id'] for v in
                api.get('/v1/violations?' + query).json['violations']]

    assert ids('first_seen_at=gte:2026-03-01T00:00:00Z') == [new]
    assert ids('first_seen_at=lt:2026-03-01T00:00:00Z') == [old]
    assert ids('first_seen_at=gt:2026-06-01T12:00:00Z') == []
    assert ids('first_seen_at=lte:2026-06-01T14:00:00%2B02:00') == [new, old]


@pytest.mark.parametrize('query', [
    'status=open', 'severity=huge', 'acknowledged=perhaps',
    'first_seen_at=2026-01-01', 'first_seen_at=gte:yesterday',
    'first_seen_at=eq:2026-01-01T00:00:00Z', 'policy_id=not-a-uuid',
    'sort=values:asc', 'limit=0', 'limit=-1', 'limit=ten',
    'marker=nope'])
def test_invalid_list_parameters_are_400(api, query):
    helpers.assert_error(api.get('/v1/violations?' + query,
                                 expect_errors=True), 400)


def test_default_order_is_newest_first(api, policy):
    ids = [helpers.insert_violation(
        policy, ['vm-%d' % day],
        first_seen_at=datetime.datetime(2026, 1, day)) for day in (3, 1, 2)]
    listed = [v['id'] for v in api.get('/v1/violations').json['violations']]
    assert listed == [ids[0], ids[2], ids[1]]


def test_deleting_policy_deletes_its_violations(api, policy):
    violation_id = helpers.insert_violation(policy, ['vm-1'])
    api.delete('/v1/policies/%s' % policy['id'])
    helpers.assert_error(api.get('/v1/violations/%s' % violation_id,
                                 expect_errors=True), 404)


def test_policy_id_filter_must_be_a_uuid(api):
    response = api.get('/v1/violations?policy_id=bad', expect_errors=True)
    error = helpers.assert_error(response, 400, 'healapi.invalid_parameter')
    assert 'policy_id' in error['detail']
