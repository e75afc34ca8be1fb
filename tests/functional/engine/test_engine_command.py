"""``healapi-engine`` as deployed: a process of its own on PostgreSQL."""

import datetime
import signal

import pytest
from oslo_utils import timeutils

from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.db.sqlalchemy import api as sqla_api
from tests import backends
from tests import tcpproxy
from tests.functional.commands.conftest import command
from tests.functional.commands.conftest import run
from tests.functional.engine import helpers
from tests.functional.engine.helpers import wait_for

PROJECT = 'project-a'


@pytest.fixture
def postgresql():
    """(URL through a proxy that can fail, for the engine; the database
    API of this process on the same database, directly)."""
    scratch = backends.ScratchDatabase('postgresql')
    proxy = tcpproxy.TCPProxy(('127.0.0.1', scratch.url.port or 5432))
    proxy.start()
    url = scratch.url.render_as_string(hide_password=False)
    CONF.set_override('connection', url, group='database')
    engine = sqla_api.create_engine(url)
    undo = sqla_api.patch_engine(engine)
    try:
        yield proxy, scratch.url.set(port=proxy.port).render_as_string(
            hide_password=False)
    finally:
        undo()
        engine.dispose()
        proxy.stop()
        scratch.drop()


def _alive_engines(dbapi):
    return dbapi.list_engines(timeutils.utcnow()
                              - datetime.timedelta(minutes=10))


def test_the_engine_finds_violations_outlives_an_outage_and_stops_cleanly(
        postgresql, engine_process, tmp_path):
    proxy, url = postgresql
    conf = tmp_path / 'healapi.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n'
                    '[database]\nconnection = %s\n'
                    '[engine]\npoll_interval = 0.1\n'
                    'heartbeat_interval = 0.2\n'
                    % (tmp_path / 'state', url))
    upgrade = run(command('healapi-manage'), '--config-file', str(conf),
                  'db', 'upgrade')
    assert upgrade.returncode == 0, upgrade.stderr
    dbapi = db_api.get_instance()
    datasource = dbapi.create_datasource(
        {'name': 'mon', 'project_id': PROJECT, 'driver': 'push',
         'config': {'tables': helpers.TABLES}})
    policy = dbapi.create_policy(
        {'name': 'vm_health', 'project_id': PROJECT, 'severity': 'high',
         'violation_table': 'error', 'actions': []},
        [{'rule': helpers.RULE}])

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
