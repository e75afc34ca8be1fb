"""What the webhook drivers make of their payloads."""

import json
import pathlib

import pytest

from healapi.common import drivers
from healapi.common import exception
from healapi.engine.datasources import base

SAMPLES = (pathlib.Path(__file__).parents[2] / 'functional' / 'datasources'
           / 'samples')


def _sample(name):
    return json.loads((SAMPLES / name).read_text())


def test_alertmanager_firing_alerts_are_keyed_by_fingerprint():
    changes = drivers.get('alertmanager').changes(
        _sample('alertmanager-firing.json'))

    by_table = {change.table: change for change in changes}
    assert all(change.key_position == 0 for change in changes)
    assert by_table['alerts'].rows_by_key == {'1b9dadc480ddce58': [[
        '1b9dadc480ddce58', 'DiskFull', 'firing', None, None,
        '2026-12-02T18:49:49.841191Z', None, 'http://127.0.0.1/graph']]}


def test_alertmanager_resolved_alerts_lose_every_row():
    changes = drivers.get('alertmanager').changes(
        _sample('alertmanager-resolved.json'))
    assert [change.rows_by_key for change in changes] == [
        {'1b9dadc480ddce58': []}] * 3


def test_an_alert_that_ended_keeps_its_end():
    payload = _sample('alertmanager-firing.json')
    payload['alerts'][0]['endsAt'] = '2026-12-02T19:00:00Z'
    (alerts, _, _) = drivers.get('alertmanager').changes(payload)
    assert alerts.rows_by_key['1b9dadc480ddce58'][0][6] == (
        '2026-12-02T19:00:00Z')


def test_the_doctor_payload_replaces_the_table():
    (change,) = drivers.get('doctor').changes([])
    assert change == base.TableChange('events', None, {None: []})


@pytest.mark.parametrize('driver, payload', [
    ('aodh', {'alarm_id': 'a', 'current': 'firing'}),
    ('aodh', {'current': 'alarm'}),
    ('doctor', {'id': 'x'}),
    ('doctor', [{'id': 'x', 'time': 't', 'type': 'y', 'details': []}]),
    ('alertmanager', []),
])
def test_payloads_of_another_shape_are_refused(driver, payload):
    with pytest.raises(exception.InvalidWebhook):
        drivers.get(driver).changes(payload)


@pytest.mark.parametrize('name', drivers.names())
def test_every_driver_declares_what_it_is(name):
    driver = drivers.get(name)
    assert driver.name == name
    assert driver.kind in (drivers.PUSH, drivers.PULL, drivers.WEBHOOK)
    assert driver.description
    assert driver.tables or driver.declares_tables_in_config
    assert all(callable(getattr(driver, action)) for action in
               driver.actions)
