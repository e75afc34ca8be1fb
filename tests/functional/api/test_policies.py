"""/v1/policies and the rules sub-resource."""

import pytest

from tests.functional.api import helpers


def test_create_returns_201_location_and_defaults(api):
    response = api.post_json('/v1/policies', {
        'name': 'vm_health',
        'rules': [{'rule': 'error(vm) :- nova:servers(vm, "ERROR")',
                   'name': 'errored', 'comment': 'VMs in ERROR'}]})

    assert response.status_int == 201
    policy = response.json
    assert response.headers['Location'] == policy['links'][0]['href']
    assert response.headers['Location'].endswith('/v1/policies/%s'
                                                  % policy['id'])
    assert policy['name'] == 'vm_health'
    assert policy['enabled'] is True
    assert policy['severity'] == 'medium'
    assert policy['violation_table'] == 'error'
    assert policy['actions'] == []
    assert policy['record_trace'] is False
    assert policy['revision'] == 1
    assert policy['description'] == ''
    assert policy['created_at'].endswith('+00:00')
    (rule,) = policy['rules']
    assert rule['rule'] == 'error(vm) :- nova:servers(vm, "ERROR")'
    assert rule['name'] == 'errored'
    assert rule['comment'] == 'VMs in ERROR'
    assert api.get(response.headers['Location']).json == policy


def test_create_with_every_field(api):
    policy = helpers.create_policy(
        api, description='VMs in error', enabled=False, severity='critical',
        violation_table='broken', record_trace=True,
        actions=[{'type': 'webhook', 'url': 'https://example.com/hook'}])

    shown = api.get('/v1/policies/%s' % policy['id']).json
    assert shown['description'] == 'VMs in error'
    assert shown['enabled'] is False
    assert shown['severity'] == 'critical'
    assert shown['violation_table'] == 'broken'
    assert shown['record_trace'] is True
    assert shown['actions'] == [{'type': 'webhook',
                                 'url': 'https://example.com/hook'}]


@pytest.mark.parametrize('body, detail_part', [
    ({}, 'name'),
    ({'name': None}, 'name'),
    ({'name': 'has space'}, 'name'),
    ({'name': 'x' * 256}, 'name'),
    ({'name': 'ok', 'severity': 'huge'}, 'severity'),
    ({'name': 'ok', 'enabled': 'maybe'}, 'enabled'),
    ({'name': 'ok', 'record_trace': None}, 'record_trace'),
    ({'name': 'ok', 'unknown': 1}, 'unknown'),
    ({'name': 'ok', 'rules': [{'rule': 'a(x)', 'extra': 1}]}, 'extra'),
    ({'name': 'ok', 'rules': [{'comment': 'no rule'}]}, 'rule'),
    ({'name': 'ok', 'rules': 'error(x) :- a(x)'}, 'rules'),
    ({'name': 'ok', 'actions': [{'type': 'email', 'url': 'http://x'}]},
     'type'),
    ({'name': 'ok', 'actions': [{'type': 'webhook', 'url': 'ftp://x'}]},
     'url'),
    ({'name': 'ok', 'id': '6e1ad0a8-7d2a-4f43-9c39-2a2d2b0b6f8a'}, 'id'),
    ({'name': 'ok', 'revision': 7}, 'revision'),
])
def test_invalid_create_is_refused_and_stores_nothing(api, body,
                                                      detail_part):
    response = api.post_json('/v1/policies', body, expect_errors=True)

    error = helpers.assert_error(response, 400)
    assert detail_part in error['detail']
    assert api.get('/v1/policies').json['policies'] == []


def test_malformed_json_is_refused(api):
    response = api.post('/v1/policies', '{"name": ',
                        content_type='application/json', expect_errors=True)
    helpers.assert_error(response, 400, 'healapi.invalid_input')
    assert api.get('/v1/policies').json['policies'] == []


def test_duplicate_name_is_409_and_changes_nothing(api):
    first = helpers.create_policy(api, name='dup')

    response = api.post_json('/v1/policies', {'name': 'dup'},
                             expect_errors=True)

    error = helpers.assert_error(response, 409, 'healapi.duplicate_name')
    assert 'dup' in error['detail']
    assert [p['id'] for p in api.get('/v1/policies').json['policies']] == [
        first['id']]


def test_patch_updates_fields_and_raises_revision(api):
    policy = helpers.create_policy(api)

    response = api.patch_json('/v1/policies/%s' % policy['id'],
                              {'description': 'new', 'enabled': False})

    patched = response.json
    assert response.status_int == 200
    assert patched['description'] == 'new'
    assert patched['enabled'] is False
    assert patched['name'] == policy['name']
    assert patched['rules'] == policy['rules']
    assert patched['revision'] == 2
    assert patched['updated_at'] > policy['updated_at']


def test_patch_rules_replaces_them(api):
    policy = helpers.create_policy(api)

    patched = api.patch_json('/v1/policies/%s' % policy['id'], {
        'rules': [{'rule': 'error(x) :- a(x)'},
                  {'rule': 'error(x) :- b(x)'}]}).json

    assert [r['rule'] for r in patched['rules']] == ['error(x) :- a(x)',
                                                     'error(x) :- b(x)']
    assert api.get('/v1/policies/%s/rules' % policy['id']).json[
        'rules'] == patched['rules']


def test_failed_patch_changes_nothing(api):
    helpers.create_policy(api, name='taken')
    policy = helpers.create_policy(api, name='mine')

    response = api.patch_json('/v1/policies/%s' % policy['id'], {
        'name': 'taken', 'rules': [{'rule': 'error(x) :- other(x)'}]},
        expect_errors=True)

    helpers.assert_error(response, 409, 'healapi.duplicate_name')
    assert api.get('/v1/policies/%s' % policy['id']).json == policy


@pytest.mark.parametrize('body', [
    {'name': None}, {'revision': 3}, {'bogus': True},
    {'severity': 'none'}])
def test_invalid_patch_is_refused(api, body):
    policy = helpers.create_policy(api)

    response = api.patch_json('/v1/policies/%s' % policy['id'], body,
                              expect_errors=True)

    helpers.assert_error(response, 400)
    assert api.get('/v1/policies/%s' % policy['id']).json == policy


def test_delete_returns_204_and_removes_policy(api):
    policy = helpers.create_policy(api)

    response = api.delete('/v1/policies/%s' % policy['id'])

    assert response.status_int == 204
    assert response.body == b''
    helpers.assert_error(
        api.get('/v1/policies/%s' % policy['id'], expect_errors=True), 404,
        'healapi.policy.not_found')


@pytest.mark.parametrize('method', ['get', 'patch_json', 'delete'])
def test_unknown_policy_is_404(api, method):
    args = ({},) if method == 'patch_json' else ()
    response = getattr(api, method)(
        '/v1/policies/0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11', *args,
        expect_errors=True)
    error = helpers.assert_error(response, 404, 'healapi.policy.not_found')
    assert '0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11' in error['detail']


def test_list_filters(api):
    helpers.create_policy(api, name='a', severity='high')
    helpers.create_policy(api, name='b', severity='low', enabled=False)
    helpers.create_policy(api, name='c', severity='high', enabled=False)

    def names(query):
        return [p['name'] for p in
                api.get('/v1/policies?' + query).json['policies']]

    assert names('severity=high') == ['a', 'c']
    assert names('enabled=false') == ['b', 'c']
    assert names('enabled=false&severity=high') == ['c']
    assert names('name=b') == ['b']
    helpers.assert_error(api.get('/v1/policies?severity=huge',
                                 expect_errors=True), 400)
    helpers.assert_error(api.get('/v1/policies?owner=me',
                                 expect_errors=True), 400)


class TestRules:

    def test_add_show_delete_rule(self, api):
        policy = helpers.create_policy(api)
        url = '/v1/policies/%s/rules' % policy['id']

        response = api.post_json(url, {'rule': 'error(x) :- b(x)',
                                       'comment': 'second'})

        assert response.status_int == 201
        rule = response.json
        assert response.headers['Location'] == rule['links'][0]['href']
        assert api.get(response.headers['Location']).json == rule
        assert [r['id'] for r in api.get(url).json['rules']] == [
            policy['rules'][0]['id'], rule['id']]
        assert api.get('/v1/policies/%s' % policy['id']).json[
            'revision'] == 2

        assert api.delete('%s/%s' % (url, rule['id'])).status_int == 204
        assert [r['id'] for r in api.get(url).json['rules']] == [
            policy['rules'][0]['id']]
        assert api.get('/v1/policies/%s' % policy['id']).json[
            'revision'] == 3

    def test_rule_of_unknown_policy_is_404(self, api):
        response = api.post_json(
            '/v1/policies/0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11/rules',
            {'rule': 'error(x) :- a(x)'}, expect_errors=True)
        helpers.assert_error(response, 404, 'healapi.policy.not_found')

    def test_unknown_rule_is_404(self, api):
        policy = helpers.create_policy(api)
        url = '/v1/policies/%s/rules/0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11' % (
            policy['id'])
        helpers.assert_error(api.get(url, expect_errors=True), 404,
                             'healapi.rule.not_found')
        helpers.assert_error(api.delete(url, expect_errors=True), 404,
                             'healapi.rule.not_found')
        assert api.get('/v1/policies/%s' % policy['id']).json == policy

    def test_rule_of_another_policy_is_404(self, api):
        first = helpers.create_policy(api, name='first')
        second = helpers.create_policy(api, name='second')
        url = '/v1/policies/%s/rules/%s' % (second['id'],
                                            first['rules'][0]['id'])
        helpers.assert_error(api.get(url, expect_errors=True), 404)

    @pytest.mark.parametrize('body', [
        {}, {'rule': ''}, {'rule': 'a(x)', 'id': 'x'}, {'rule': 5},
        {'rule': 'a(x)', 'unknown': 1}])
    def test_invalid_rule_is_refused(self, api, body):
        policy = helpers.create_policy(api)
        response = api.post_json('/v1/policies/%s/rules' % policy['id'],
                                 body, expect_errors=True)
        helpers.assert_error(response, 400)
        assert api.get('/v1/policies/%s' % policy['id']).json == policy


class TestPolicyLanguage:
    """Rules are checked with the policy language before anything is
    stored; a refusal names the rule and where in it the problem is."""

    CYCLE = ['p(x) :- q(x), not r(x)', 'r(x) :- q(x), not p(x)']

    @pytest.mark.parametrize('rules, detail', [
        (['error(x) :- a(x', 'error(x) :- b(x)'],
         'Rule 1 is not valid: line 1, column 16: expected ")"'),
        (['error(x) :- a(x)', 'error(x, y) :- b(x)'], 'Rule 2 is not valid'),
        (['error(x) :- a(x)', 'error(y) :- not b(y)'],
         'Rule 2 is not valid: line 1, column'),
        (['error(x) :- a(x) error(y) :- b(y)'],
         'Rule 1 is not valid: a rule holds exactly one rule or fact, '
         'not 2'),
        (['error(x) :- builtin:nosuch(x)'], 'Rule 1 is not valid'),
        (CYCLE, 'Rule 1 is not valid: line 1, column 1: p and r depend on '
                'each other through "not"'),
    ])
    def test_invalid_rules_are_refused_and_store_nothing(self, api, rules,
                                                         detail):
        response = api.post_json('/v1/policies', {
            'name': 'bad', 'rules': [{'rule': rule} for rule in rules]},
            expect_errors=True)

        error = helpers.assert_error(response, 400,
                                     'healapi.policy.invalid_rule')
        assert error['detail'].startswith(detail), error['detail']
        assert api.get('/v1/policies').json['policies'] == []

    def test_patch_with_invalid_rules_changes_nothing(self, api):
        policy = helpers.create_policy(api)
        response = api.patch_json(
            '/v1/policies/%s' % policy['id'],
            {'description': 'x',
             'rules': [{'rule': rule} for rule in self.CYCLE]},
            expect_errors=True)

        helpers.assert_error(response, 400, 'healapi.policy.invalid_rule')
        assert api.get('/v1/policies/%s' % policy['id']).json == policy

    def test_rule_is_checked_with_the_policys_other_rules(self, api):
        policy = helpers.create_policy(
            api, rules=[{'rule': self.CYCLE[0]}])
        url = '/v1/policies/%s/rules' % policy['id']

        response = api.post_json(url, {'rule': self.CYCLE[1]},
                                 expect_errors=True)

        error = helpers.assert_error(response, 400,
                                     'healapi.policy.invalid_rule')
        assert 'depend on each other through "not"' in error['detail']
        assert api.get('/v1/policies/%s' % policy['id']).json == policy
        assert api.post_json(url, {'rule': 'r(x) :- q(x)'}).status_int == 201
