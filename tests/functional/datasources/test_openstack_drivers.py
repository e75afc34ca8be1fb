"""The OpenStack pull drivers against a fake cloud speaking the services'
real JSON: microversions, pagination, errors, timeouts, expired tokens."""

import time

import pytest

from healapi.common import drivers
from healapi.common import exception
from healapi.conf import CONF
from healapi.engine.datasources import base
from tests.fake_openstack import server

#: driver -> {table: (service, collection) of the fake cloud}
SOURCES = {
    'nova': {'servers': ('compute', 'servers'),
             'hypervisors': ('compute', 'os-hypervisors'),
             'services': ('compute', 'os-services'),
             'flavors': ('compute', 'flavors')},
    'neutron': {'networks': ('network', 'networks'),
                'ports': ('network', 'ports'),
                'agents': ('network', 'agents')},
    'cinder': {'volumes': ('block-storage', 'volumes'),
               'services': ('block-storage', 'os-services')},
    'keystone': {'projects': ('identity', 'projects'),
                 'users': ('identity', 'users')},
}


@pytest.fixture
def cloud():
    with server.FakeCloud(page_size=2) as fake:
        yield fake


def _config(cloud, **changes):
    config = {'auth_url': cloud.auth_url, 'username': 'healapi',
              'password': 'secret', 'project_name': 'admin'}
    config.update(changes)
    return config


def _fetch(cloud, name, tables=None, driver=None, **config):
    driver = driver or drivers.get(name)()
    return driver.fetch(_config(cloud, **config),
                        tables or sorted(drivers.get(name).tables))


def _column(driver, table, rows, column):
    position = drivers.get(driver).tables[table].index(column)
    return {row[position] for row in rows}


@pytest.mark.parametrize('name', sorted(SOURCES))
def test_each_table_has_a_row_per_resource(cloud, name):
    """Every resource of every project, page after page."""
    fetched = _fetch(cloud, name)

    assert set(fetched) == set(SOURCES[name])
    for table, source in SOURCES[name].items():
        records = cloud.resources[source]
        columns = drivers.get(name).tables[table]
        assert len(fetched[table]) == len(records), table
        assert all(len(row) == len(columns) for row in fetched[table])
        if 'id' in columns:
            assert _column(name, table, fetched[table], 'id') == {
                str(record['id']) for record in records}


def test_nova_rows_hold_what_policies_need(cloud):
    servers = _fetch(cloud, 'nova', ['servers'])['servers']
    columns = drivers.get('nova').tables['servers']
    by_name = {row[columns.index('name')]: dict(zip(columns, row, strict=True))
               for row in servers}

    assert by_name['web-1']['status'] == 'ACTIVE'
    assert by_name['web-1']['host'] == 'compute1'
    assert by_name['web-1']['flavor'] == 'm1.small'
    # An ERROR server never scheduled has no host.
    assert by_name['batch-1']['status'] == 'ERROR'
    assert by_name['batch-1']['host'] is None
    # Servers of other projects than the datasource's are there too.
    assert len({row['project_id'] for row in by_name.values()}) > 1


def test_servers_are_listed_page_by_page(cloud):
    servers = _fetch(cloud, 'nova', ['servers'])['servers']

    pages = cloud.requests_to('/compute/v2.1/servers/detail')
    assert len(servers) == len(cloud.resources['compute', 'servers']) == 5
    assert len(pages) == 3
    assert 'marker=' in pages[-1].path


def test_the_newest_common_microversion_is_asked(cloud):
    _fetch(cloud, 'nova', ['servers'])
    _fetch(cloud, 'cinder', ['volumes'])

    served = {(version.service, version.served)
              for version in cloud.microversions
              if '/servers' in version.path or '/volumes' in version.path}
    assert served == {('compute', '2.96'), ('block-storage', '3.71')}


def test_an_older_nova_names_flavors_by_id():
    """Before microversion 2.47 a server names its flavor by id only."""
    with server.FakeCloud(compute_max_microversion='2.46') as cloud:
        servers = _fetch(cloud, 'nova', ['servers'])['servers']

    assert {version.served for version in cloud.microversions
            if '/servers' in version.path} == {'2.46'}
    assert _column('nova', 'servers', servers, 'flavor') <= {
        '1', '2', '3', '4', '42', 'c1'}


def test_only_the_tables_asked_are_fetched(cloud):
    fetched = _fetch(cloud, 'nova', ['hypervisors'])

    assert set(fetched) == {'hypervisors'}
    assert cloud.requests_to('/compute/v2.1/servers') == []
    assert cloud.requests_to('/compute/v2.1/flavors') == []


def test_a_server_error_fails_the_poll(cloud):
    cloud.fail('/compute/v2.1/os-hypervisors', status=500)

    with pytest.raises(base.PollFailed) as failed:
        _fetch(cloud, 'nova', ['hypervisors'])
    assert 'hypervisors' in str(failed.value)
    assert '500' in str(failed.value)


def test_a_hung_service_fails_the_poll_within_the_timeout(cloud):
    CONF.set_override('request_timeout', 0.5, group='datasources')
    cloud.hang('/networking', seconds=10)

    started = time.monotonic()
    with pytest.raises(base.PollFailed) as failed:
        _fetch(cloud, 'neutron', ['networks'])
    assert time.monotonic() - started < 5
    assert 'networks' in str(failed.value)


def test_an_expired_token_is_renewed_once(cloud):
    driver = drivers.get('nova')()
    _fetch(cloud, 'nova', ['flavors'], driver=driver)
    _fetch(cloud, 'nova', ['flavors'], driver=driver)
    assert cloud.tokens_issued == 1, 'the token is reused between polls'

    cloud.expire_tokens()
    rows = _fetch(cloud, 'nova', ['flavors'], driver=driver)

    assert len(rows['flavors']) == len(cloud.resources['compute', 'flavors'])
    assert cloud.tokens_issued == 2


def test_wrong_credentials_fail_without_showing_them(cloud):
    with pytest.raises(base.PollFailed) as failed:
        _fetch(cloud, 'keystone', ['projects'], password='wrong-s3cret')
    assert 'wrong-s3cret' not in str(failed.value)
    assert '401' in str(failed.value) or 'auth' in str(failed.value).lower()


def test_an_unreachable_keystone_fails_the_poll(cloud):
    config = {'auth_url': 'http://127.0.0.1:9/v3'}
    with pytest.raises(base.PollFailed):
        _fetch(cloud, 'cinder', ['volumes'], **config)


@pytest.mark.parametrize('config, reason', [
    ({}, "'auth_url' is a required property"),
    ({'auth_url': 'http://k/v3'}, 'give username and password'),
    ({'auth_url': 'http://k/v3', 'username': 'u'}, "'password' is a "
                                                   'dependency'),
    ({'auth_url': 'http://k/v3', 'username': 'u', 'password': 'p',
      'colour': 'red'}, 'Additional properties'),
    ({'auth_url': 'http://k/v3', 'application_credential_id': 'a',
      'application_credential_secret': 's', 'interface': 'private'},
     'interface'),
])
def test_configs_that_cannot_work_are_refused(config, reason):
    with pytest.raises(exception.InvalidConfig) as refused:
        drivers.get('nova').check_config(config)
    assert reason in str(refused.value)
