"""The OpenAPI document: complete, served, and true of the live API."""

import hypothesis
import pytest
import schemathesis
from schemathesis import checks

from healapi.api import app
from healapi.api import openapi
from healapi.conf import CONF
from healapi import policies
from tests import wsgi_server

#: Requests generated per operation.
EXAMPLES = 25
#: The document gives each parameter's and field's type, not every rule
#: the API checks (a limit of at least 1, a sort key it knows): a request
#: of the right types may still get a documented 4xx.
NOT_DOCUMENTED = [checks.positive_data_acceptance]


def _documented():
    return {(method, path)
            for path, operations in openapi.document()['paths'].items()
            for method in operations}


def test_every_operation_the_access_policy_guards_is_documented():
    guarded = {(operation['method'].lower(), operation['path'])
               for rule in policies.list_rules()
               for operation in getattr(rule, 'operations', ())}
    assert _documented() == guarded | {('get', '/v1/'),
                                       ('get', '/v1/openapi.json')}


def test_every_operation_has_a_summary_and_its_errors():
    for path, operations in openapi.document()['paths'].items():
        for method, operation in operations.items():
            assert operation['summary'], (method, path)
            assert '4XX' in operation['responses'], (method, path)


@pytest.mark.parametrize('migrated_database', ['sqlite'], indirect=True)
def test_the_document_is_served(api):
    assert api.get('/v1/openapi.json').json == openapi.document()


@pytest.fixture
def keystone_api(database, keystone):
    """The URL of the API served behind keystonemiddleware, and an admin's
    token."""
    keystone.configure(CONF)
    try:
        with wsgi_server.serving(app.build_wsgi_app()) as url:
            yield url, keystone.token('admin')
    finally:
        keystone.unconfigure(CONF)


@pytest.mark.parametrize('migrated_database', ['sqlite'], indirect=True)
def test_no_request_makes_a_5xx_or_contradicts_the_document(keystone_api):
    """Schemathesis generates requests from the served document, valid
    and not, for every operation, and checks each answer: never a 5xx,
    always what the document says (status, content type, schema), and
    never an answer to a request without a valid token."""
    url, token = keystone_api
    auth = {'X-Auth-Token': token}
    live = schemathesis.openapi.from_url(url + '/v1/openapi.json',
                                         headers=auth)
    failures = {}
    for result in live.get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=EXAMPLES, deadline=None,
                             database=None,
                             suppress_health_check=list(
                                 hypothesis.HealthCheck))
        def check(case):
            case.call_and_validate(headers=auth,
                                   excluded_checks=NOT_DOCUMENTED)

        try:
            check()
        except Exception as error:  # noqa: BLE001 (reported below)
            failures[operation.label] = error
    assert not failures, '\n\n'.join(
        '%s: %s' % (label, error) for label, error in failures.items())
