"""``healapi-engine`` as deployed: a process of its own on PostgreSQL."""

import datetime
import signal

import pytest
from oslo_utils import timeutils

from healapi.db import api as db_api
from tests.functional.engine import helpers
from tests.functional.engine.helpers import wait_for

PROJECT = 'project-a'


def _watched_datasource(dbapi):
    """(a push datasource, a policy over it) made through the database
    API (helpers.RULE over helpers.TABLES)."""
    datasource = dbapi.create_datasource(
        {'name': 'mon', 'project_id': PROJECT, 'driver': 'push',
         'config': {'tables': helpers.TABLES}})
    policy = dbapi.create_policy(
        {'name': 'vm_health', 'project_id': PROJECT, 'severity': 'high',
         'violation_table': 'error', 'actions': []},
        [{'rule': helpers.RULE}])
    return datasource, policy


def _alive_engines(dbapi):
    return dbapi.list_engines(timeutils.utcnow()
                              - datetime.timedelta(minutes=10))


def test_the_engine_finds_violations_outlives_an_outage_and_stops_cleanly(
        proxied_postgresql, engine_process, tmp_path):
    proxy, url = proxied_postgresql
    conf = tmp_path / 'healapi.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n'
                    '[database]\nconnection = %s\n'
                    '[engine]\npoll_interval = 0.1\n'
                    'heartbeat_interval = 0.2\n'
                    % (tmp_path / 'state', url))
    helpers.migrate(conf)
    dbapi = db_api.get_instance()
    datasource, policy = _watched_datasource(dbapi)

    def active():
        return sorted(v.values for v in dbapi.list_violations(
            filters={'policy_id': policy.id, 'status': 'active'}))

    process, log = engine_process(conf)
    (engine,) = wait_for(lambda: _alive_engines(dbapi), 'a heartbeat')
    assert engine.pid == process.pid

    dbapi.change_rows(datasource.id, 'vm_status', [['vm1', 'ERROR']], [])
    wait_for(lambda: active() == [['vm1']], 'the first violation')

    # The engine's database goes away; it keeps trying, and catches up.
    proxy.stop()
    dbapi.change_rows(datasource.id, 'vm_status', [['vm2', 'ERROR']], [])
    wait_for(lambda: 'database error' in log.read_text(),
             'the engine to meet the outage')
    proxy.start()
    wait_for(lambda: active() == [['vm1'], ['vm2']],
             'the violation found after the outage')
    assert process.poll() is None

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert _alive_engines(dbapi) == []
    assert 'Engine %s stopped' % engine.id in log.read_text()


def _conf(tmp_path, url, name='healapi.conf', backend_url=None):
    """A config file with quick heartbeats (they expire after 2 s)."""
    conf = tmp_path / name
    conf.write_text(
        '[DEFAULT]\nstate_path = %s\n'
        '[database]\nconnection = %s\n'
        '[engine]\npoll_interval = 0.1\nheartbeat_interval = 0.2\n'
        'heartbeat_timeout = 2\n%s'
        % (tmp_path / 'state', url, '[coordination]\nbackend_url = %s\n'
           % backend_url if backend_url else ''))
    return conf


def _started(dbapi, process):
    """The engine of ``process`` once its heartbeat is recorded."""
    return wait_for(lambda: [e for e in _alive_engines(dbapi)
                             if e.pid == process.pid], 'a heartbeat')[0]


@pytest.mark.parametrize('first, second', [
    ('alone', 'alone'), ('alone', 'coordinated'), ('coordinated', 'alone')])
def test_an_engine_beside_an_incompatible_one_refuses_to_start(
        postgresql, engine_process, tmp_path, first, second):
    backend = 'file://%s' % (tmp_path / 'coordination')
    confs = {'alone': _conf(tmp_path, postgresql),
             'coordinated': _conf(tmp_path, postgresql, 'coordinated.conf',
                                  backend)}
    helpers.migrate(confs['alone'])
    dbapi = db_api.get_instance()
    running, _ = engine_process(confs[first])
    engine = _started(dbapi, running)

    refused, log = engine_process(confs[second])
    assert refused.wait(timeout=30) == 1
    text = log.read_text()
    assert 'Refusing to start: engine %s on %s (pid %d)' % (
        engine.id, engine.host, engine.pid) in text
    assert ('runs without a coordination backend' in text) == (
        second == 'coordinated')
    assert running.poll() is None
    assert [e.id for e in _alive_engines(dbapi)] == [engine.id]


def test_an_engine_replacing_a_killed_one_waits_out_its_heartbeat(
        postgresql, engine_process, tmp_path):
    conf = _conf(tmp_path, postgresql)
    helpers.migrate(conf)
    dbapi = db_api.get_instance()
    killed, _ = engine_process(conf)
    killed_id = _started(dbapi, killed).id
    killed.kill()
    killed.wait()
    (gone,) = [e for e in _alive_engines(dbapi) if e.id == killed_id]

    replacement, _ = engine_process(conf)
    engine = _started(dbapi, replacement)
    # Its predecessor's heartbeat, still fresh when it started, stopped.
    wait_for(lambda: [e.id for e in _alive_engines(dbapi)
                      if e.heartbeat_at > gone.heartbeat_at] == [engine.id],
             'the replacement alone beating')
    datasource, policy = _watched_datasource(dbapi)
    dbapi.change_rows(datasource.id, 'vm_status', [['vm1', 'ERROR']], [])
    wait_for(lambda: dbapi.list_violations(
        filters={'policy_id': policy.id}), 'the replacement to evaluate')
    assert replacement.poll() is None
