"""A real Prometheus Alertmanager sending its webhooks to healapi."""

import time

import pytest
import requests

from tests import backends
from tests.functional.datasources import alertmanager

TOKEN = 'alertmanager-webhook-token-0123'


@pytest.fixture
def datasource(served_api):
    if not alertmanager.available():
        backends.unavailable('prometheus-alertmanager is not installed '
                             '(tools/install-alertmanager.sh)')
    response = requests.post(served_api + '/v1/datasources', json={
        'name': 'prometheus', 'driver': 'alertmanager',
        'config': {'webhook_token': TOKEN}}, timeout=10)
    response.raise_for_status()
    return response.json()


def _alerts(served_api, datasource, timeout=10, until=None):
    """The rows of the alerts table once ``until(rows)`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        rows = requests.get('%s/v1/datasources/%s/tables/alerts/rows' % (
            served_api, datasource['id']), timeout=10).json()['rows']
        if until(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_alerts_fire_and_resolve(tmp_path, served_api, datasource):
    url = '%s/v1/datasources/%s/webhook' % (served_api, datasource['id'])
    disk = alertmanager.alert({'alertname': 'DiskFull', 'instance': 'h0',
                               'severity': 'critical'},
                              {'summary': 'disk full'})
    cpu = alertmanager.alert({'alertname': 'CpuHigh', 'instance': 'h1'})

    with alertmanager.Alertmanager(tmp_path, url,
                                   bearer_token=TOKEN) as manager:
        manager.post_alerts([disk, cpu])
        rows = _alerts(served_api, datasource, until=lambda r: len(r) == 2)
        assert sorted((row[1], row[2], row[3], row[4]) for row in rows) == [
            ('CpuHigh', 'firing', None, 'h1'),
            ('DiskFull', 'firing', 'critical', 'h0')]
        # startsAt as posted; endsAt null while firing.
        assert all(row[5] and row[6] is None for row in rows)

        manager.resolve(disk)
        rows = _alerts(served_api, datasource, until=lambda r: len(r) == 1)
        assert [row[1] for row in rows] == ['CpuHigh']


def test_alertmanager_with_a_wrong_token_changes_nothing(tmp_path,
                                                         served_api,
                                                         datasource):
    url = '%s/v1/datasources/%s/webhook' % (served_api, datasource['id'])
    with alertmanager.Alertmanager(tmp_path, url,
                                   bearer_token='not-the-token-0123') as am:
        am.post_alerts(alertmanager.alert({'alertname': 'DiskFull'}))
        time.sleep(1.5)
        assert '401' in am.log_file.read_text()
    assert _alerts(served_api, datasource, timeout=0,
                   until=lambda r: True) == []
