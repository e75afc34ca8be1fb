"""``openstack healing ...`` against the running API, with real Keystone
tokens: OSC authenticates from clouds.yaml and finds the API in the
Keystone catalog, as an operator's would."""

import json
import os
import socket
import subprocess
import sys

import pytest
import yaml

from healapi.api import app
from healapi.conf import CONF
from tests import keystone as keystone_server
from tests import wsgi_server

# The client doesn't depend on the database: SQLite is enough.
pytestmark = pytest.mark.parametrize('migrated_database', ['sqlite'],
                                     indirect=True)

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')
RULE = 'error(vm) :- mon:vm_status(vm, "ERROR")'


@pytest.fixture(scope='session')
def api_port(keystone):
    """The port of the API in the catalog: the same for every test, as
    Keystone caches its catalog."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    keystone.register_endpoint('healing', 'http://127.0.0.1:%d' % port)
    return port


@pytest.fixture
def clouds(database, keystone, api_port, tmp_path, monkeypatch):
    """The API behind keystonemiddleware, served and in the catalog, and a
    clouds.yaml with a cloud per persona."""
    keystone.configure(CONF)
    with wsgi_server.serving(app.build_wsgi_app(), api_port) as url:
        clouds_yaml = tmp_path / 'clouds.yaml'
        clouds_yaml.write_text(yaml.safe_dump({'clouds': {
            persona: {'auth': {
                'auth_url': keystone.url, 'username': persona,
                'password': keystone.password(persona),
                'project_name': keystone_server.PERSONAS[persona][0],
                'user_domain_name': 'Default',
                'project_domain_name': 'Default'},
                'region_name': 'RegionOne'}
            for persona in ('admin', 'member', 'reader')}}))
        monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(clouds_yaml))
        for name in ('OS_AUTH_URL', 'OS_CLOUD', 'OS_TOKEN'):
            monkeypatch.delenv(name, raising=False)
        yield url
    keystone.unconfigure(CONF)


def openstack(cloud, *argv, expect_error=False):
    """Run ``openstack --os-cloud CLOUD ARGV`` (a process of its own, as
    OSC caches its clients for the life of its process): its JSON output
    for ``-f json`` commands, its text otherwise."""
    done = subprocess.run(
        [OPENSTACK, '--os-cloud', cloud, *argv], capture_output=True,
        text=True, timeout=60, check=False)
    if expect_error:
        assert done.returncode != 0, done.stdout
        return done.stderr
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if argv[-2:] == ('-f', 'json') else (
        done.stdout)


def test_a_policy_is_created_listed_changed_and_deleted(clouds):
    created = openstack('member', 'healing', 'policy', 'create', 'vm_health',
                        '--rule', RULE, '--severity', 'high', '-f', 'json')
    assert created['name'] == 'vm_health'
    assert created['rules'] == [RULE]
    assert created['severity'] == 'high'

    listed = openstack('reader', 'healing', 'policy', 'list', '-f', 'json')
    assert [policy['id'] for policy in listed] == [created['id']]

    changed = openstack('member', 'healing', 'policy', 'set', 'vm_health',
                        '--disable', '--description', 'VMs in error', '-f',
                        'json')
    assert changed['enabled'] is False
    assert changed['description'] == 'VMs in error'
    shown = openstack('member', 'healing', 'policy', 'show', created['id'],
                      '-f', 'json')
    assert shown['revision'] == changed['revision']

    openstack('member', 'healing', 'policy', 'delete', 'vm_health')
    assert openstack('member', 'healing', 'policy', 'list', '-f',
                     'json') == []


def test_rules_are_added_listed_and_deleted(clouds):
    openstack('member', 'healing', 'policy', 'create', 'p')
    added = openstack('member', 'healing', 'policy', 'rule', 'add', 'p',
                      RULE, '--comment', 'in error', '-f', 'json')
    assert added['comment'] == 'in error'
    assert [rule['id'] for rule in openstack(
        'member', 'healing', 'policy', 'rule', 'list', 'p', '-f',
        'json')] == [added['id']]

    openstack('member', 'healing', 'policy', 'rule', 'delete', 'p',
              added['id'])
    assert openstack('member', 'healing', 'policy', 'rule', 'list', 'p',
                     '-f', 'json') == []


def test_rows_are_pushed_listed_and_simulated(clouds):
    openstack('member', 'healing', 'datasource', 'create', 'mon',
              '--driver', 'push', '--config',
              '{"tables": {"vm_status": ["vm", "status"]}}')
    openstack('member', 'healing', 'policy', 'create', 'p', '--rule', RULE)
    pushed = openstack('member', 'healing', 'datasource', 'row', 'push',
                       'mon', 'vm_status', '--row', '["vm1", "ERROR"]',
                       '--row', '{"vm": "vm2", "status": "ACTIVE"}')
    assert pushed == '2 added, 0 removed\n'

    rows = openstack('reader', 'healing', 'datasource', 'row', 'list', 'mon',
                     'vm_status', '-f', 'json')
    assert rows == [{'vm': 'vm1', 'status': 'ERROR'},
                    {'vm': 'vm2', 'status': 'ACTIVE'}]
    first_page = openstack('reader', 'healing', 'datasource', 'row', 'list',
                           'mon', 'vm_status', '--limit', '1', '-f', 'json')
    assert first_page == rows[:1]

    simulated = openstack(
        'reader', 'healing', 'policy', 'simulate', 'p',
        '--insert', 'mon:vm_status=["vm3", "ERROR"]',
        '--delete', 'mon:vm_status=["vm1", "ERROR"]', '-f', 'json')
    assert sorted((row['change'], row['row']) for row in simulated) == [
        ('added', ['vm3']), ('removed', ['vm1'])]


def test_a_datasource_shows_its_config_with_secrets_hidden(clouds):
    created = openstack(
        'member', 'healing', 'datasource', 'create', 'nova', '--driver',
        'nova', '--poll-interval', '30', '--config', json.dumps({
            'auth_url': 'https://keystone.example.com/v3',
            'username': 'healapi', 'password': 's3cret',
            'project_name': 'service'}), '-f', 'json')
    assert created['config']['password'] == '<hidden>'
    assert created['poll_interval'] == 30

    changed = openstack('member', 'healing', 'datasource', 'set', 'nova',
                        '--poll-interval', '60', '-f', 'json')
    assert changed['poll_interval'] == 60
    listed = openstack('member', 'healing', 'datasource', 'list',
                       '--driver', 'nova', '-f', 'value', '-c', 'name')
    assert listed == 'nova\n'
    openstack('member', 'healing', 'datasource', 'delete', 'nova')


def test_drivers_are_listed_and_shown(clouds):
    names = openstack('reader', 'healing', 'driver', 'list', '-f', 'value',
                      '-c', 'name').split()
    assert {'push', 'nova', 'alertmanager', 'http_json'} <= set(names)
    nova = openstack('reader', 'healing', 'driver', 'show', 'nova', '-f',
                     'json')
    assert nova['kind'] == 'pull'
    assert 'servers' in nova['tables']


def test_violations_are_listed_shown_acknowledged(clouds):
    from tests.functional.api import helpers
    openstack('member', 'healing', 'policy', 'create', 'p', '--rule', RULE)
    policy = openstack('member', 'healing', 'policy', 'show', 'p', '-f',
                       'json')
    violation = helpers.insert_violation(
        {'id': policy['id'], 'project_id': policy['project_id'],
         'severity': 'high'}, ['vm1'])

    listed = openstack('reader', 'healing', 'violation', 'list', '--policy',
                       'p', '--status', 'active', '-f', 'json')
    assert [item['id'] for item in listed] == [violation]
    status = openstack('reader', 'healing', 'violation', 'status',
                       violation, '-f', 'json')
    assert status['status'] == 'active'

    acknowledged = openstack('member', 'healing', 'violation', 'ack',
                             violation, '-f', 'json')
    assert acknowledged['acknowledged_by']
    assert openstack('reader', 'healing', 'violation', 'list',
                     '--unacknowledged', '-f', 'json') == []


def test_api_errors_are_shown_with_their_detail(clouds):
    error = openstack('reader', 'healing', 'policy', 'create', 'p',
                      expect_error=True)
    assert 'healapi.forbidden' in error and '403' in error

    error = openstack('member', 'healing', 'policy', 'create', 'p',
                      '--rule', 'error(x) :- ', expect_error=True)
    assert 'healapi.policy.invalid_rule' in error

    error = openstack('member', 'healing', 'policy', 'show', 'nope',
                      expect_error=True)
    assert "No policy named 'nope'" in error


def test_engines_are_listed_for_admins_only(clouds):
    assert openstack('admin', 'healing', 'engine', 'list', '-f',
                     'json') == []
    error = openstack('member', 'healing', 'engine', 'list',
                      expect_error=True)
    assert '403' in error
