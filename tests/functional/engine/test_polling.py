"""An engine's poller with the real database and a fake cloud: what it
fetches, what it stores, and how failures are recorded."""

import pytest

from healapi.db import api as db_api
from healapi.engine import polling
from tests.fake_openstack import server
from tests.functional.api import helpers

DOWN_HOSTS = ('down(h) :- nova:hypervisors(id, h, host, "down", status, '
              'ip, type)')
ERROR_VMS = ('error(vm) :- nova:servers(vm, name, "ERROR", host, project, '
             'user, flavor, image, zone, task, state, updated)')


@pytest.fixture
def cloud():
    with server.FakeCloud(page_size=2) as fake:
        yield fake


class Poller:
    """A :class:`polling.Poller` owning every datasource, polled by hand."""

    def __init__(self):
        self.changes = 0
        self.poller = polling.Poller(db_api.get_instance(), lambda _: True,
                                     self._changed)

    def _changed(self):
        self.changes += 1

    def poll(self, now=0.0):
        """Start the polls due at ``now``; wait for them; their number."""
        started = self.poller.poll_due(now)
        for future in started:
            future.result(timeout=30)
        return len(started)


@pytest.fixture
def poller():
    wrapper = Poller()
    yield wrapper
    wrapper.poller.close()


def _nova(api, cloud, name='nova', **fields):
    fields.setdefault('config', {
        'auth_url': cloud.auth_url, 'username': 'healapi',
        'password': 'secret', 'project_name': 'admin'})
    return helpers.create_datasource(api, name=name, driver='nova', **fields)


def _shown(api, datasource):
    return api.get('/v1/datasources/%s' % datasource['id']).json


def _tables(api, datasource):
    return {table['name']: table['row_count'] for table in api.get(
        '/v1/datasources/%s/tables' % datasource['id']).json['tables']}


def test_only_tables_enabled_policies_read_are_fetched(api, cloud, poller):
    nova = _nova(api, cloud)
    helpers.create_policy(api, rules=[{'rule': DOWN_HOSTS}])
    helpers.create_policy(api, name='off', enabled=False,
                          rules=[{'rule': ERROR_VMS}])

    assert poller.poll() == 1

    assert _tables(api, nova)['hypervisors'] == 3
    assert _tables(api, nova)['servers'] == 0
    assert cloud.requests_to('/compute/v2.1/servers') == []
    assert _shown(api, nova)['poll']['tables'] == ['hypervisors']
    assert poller.changes == 1


def test_a_poll_changes_only_the_rows_that_changed(api, cloud, poller):
    nova = _nova(api, cloud)
    helpers.create_policy(api, rules=[{'rule': DOWN_HOSTS}])
    poller.poll()
    before = {row[0]: row for row in helpers.all_rows(api, nova,
                                                      'hypervisors')}
    changes_before = db_api.get_instance().change_counter()

    host = next(iter(before))
    cloud.update_record('compute', 'os-hypervisors', host, {'state': 'down'})
    poller.poll(now=3600)

    after = {row[0]: row for row in helpers.all_rows(api, nova,
                                                     'hypervisors')}
    assert after.keys() == before.keys()
    assert after[host] != before[host]
    assert {key: row for key, row in after.items() if key != host} == {
        key: row for key, row in before.items() if key != host}
    # One change: the table's, with one row added and one removed.
    assert db_api.get_instance().change_counter() == changes_before + 1
    (change,) = db_api.get_instance().list_changes(changes_before)
    assert len(change.payload['added']) == len(change.payload['removed']) == 1


def test_an_unchanged_poll_records_no_change(api, cloud, poller):
    _nova(api, cloud)
    helpers.create_policy(api, rules=[{'rule': DOWN_HOSTS}])
    poller.poll()
    counter = db_api.get_instance().change_counter()

    assert poller.poll(now=3600) == 1
    assert db_api.get_instance().change_counter() == counter
    assert poller.changes == 1


def test_a_datasource_is_polled_every_poll_interval(api, cloud, poller):
    _nova(api, cloud, poll_interval=30)
    helpers.create_policy(api, rules=[{'rule': DOWN_HOSTS}])

    assert poller.poll(now=0) == 1
    assert poller.poll(now=29) == 0
    assert poller.poll(now=30) == 1


def test_a_new_table_read_is_polled_at_once(api, cloud, poller):
    nova = _nova(api, cloud, poll_interval=3600)
    helpers.create_policy(api, rules=[{'rule': DOWN_HOSTS}])
    poller.poll(now=0)

    helpers.create_policy(api, name='vms', rules=[{'rule': ERROR_VMS}])
    assert poller.poll(now=1) == 1
    assert _tables(api, nova)['servers'] == 5


def test_a_table_no_policy_reads_any_more_is_emptied(api, cloud, poller):
    nova = _nova(api, cloud, poll_interval=3600)
    policy = helpers.create_policy(api, rules=[{'rule': DOWN_HOSTS}])
    poller.poll(now=0)

    api.patch_json('/v1/policies/%s' % policy['id'], {'enabled': False})
    assert poller.poll(now=1) == 1

    assert _tables(api, nova)['hypervisors'] == 0
    assert _shown(api, nova)['poll']['tables'] == []


def test_a_failed_poll_keeps_the_last_good_rows(api, cloud, poller):
    nova = _nova(api, cloud)
    helpers.create_policy(api, rules=[{'rule': DOWN_HOSTS}])
    poller.poll(now=0)
    succeeded = _shown(api, nova)['poll']

    cloud.fail('/compute/v2.1/os-hypervisors', status=503, times=2)
    poller.poll(now=100)
    poller.poll(now=200)

    status = _shown(api, nova)['poll']
    assert status['consecutive_failures'] == 2
    assert '503' in status['last_error']
    assert status['last_error_at'] > succeeded['last_success_at']
    assert status['last_success_at'] == succeeded['last_success_at']
    assert _tables(api, nova)['hypervisors'] == 3

    poller.poll(now=300)
    status = _shown(api, nova)['poll']
    assert status['consecutive_failures'] == 0
    assert status['last_success_at'] > status['last_error_at']
    # The error stays, for the operator to see what happened last.
    assert '503' in status['last_error']


def test_a_failing_datasource_does_not_stop_the_others(api, cloud, poller):
    broken = _nova(api, cloud, name='broken', config={
        'auth_url': cloud.auth_url, 'username': 'healapi',
        'password': 'wrong', 'project_name': 'admin'})
    nova = _nova(api, cloud)
    helpers.create_policy(api, rules=[
        {'rule': DOWN_HOSTS},
        {'rule': DOWN_HOSTS.replace('down(', 'down2(').replace(
            'nova:', 'broken:')}])

    assert poller.poll() == 2

    assert _shown(api, broken)['poll']['consecutive_failures'] == 1
    assert 'wrong' not in _shown(api, broken)['poll']['last_error']
    assert _shown(api, nova)['poll']['consecutive_failures'] == 0
    assert _tables(api, nova)['hypervisors'] == 3


def test_a_new_config_is_polled_at_once(api, cloud, poller):
    nova = _nova(api, cloud, config={
        'auth_url': cloud.auth_url, 'username': 'healapi',
        'password': 'wrong', 'project_name': 'admin'}, poll_interval=3600)
    helpers.create_policy(api, rules=[{'rule': DOWN_HOSTS}])
    poller.poll(now=0)
    assert _shown(api, nova)['poll']['consecutive_failures'] == 1

    api.patch_json('/v1/datasources/%s' % nova['id'], {'config': {
        'auth_url': cloud.auth_url, 'username': 'healapi',
        'password': 'secret', 'project_name': 'admin'}})
    assert poller.poll(now=1) == 1
    assert _shown(api, nova)['poll']['consecutive_failures'] == 0


def test_disabled_and_push_datasources_are_not_polled(api, cloud, poller):
    _nova(api, cloud, enabled=False)
    helpers.create_datasource(api, name='ops',
                              config={'tables': {'t': ['a']}})
    helpers.create_policy(api, rules=[{'rule': DOWN_HOSTS},
                                      {'rule': 'p(a) :- ops:t(a)'}])

    assert poller.poll() == 0
    assert cloud.requests == []
