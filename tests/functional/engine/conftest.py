"""Fixtures of the engine tests: the receivers of what it delivers, and
the engine as a process of its own."""

import subprocess

import pytest

from healapi.conf import CONF
from healapi.db.sqlalchemy import api as sqla_api
from tests import backends
from tests.functional.commands.conftest import command
from tests.functional.engine import peers


@pytest.fixture
def receiver():
    """A webhook receiver on loopback, stopped after the test."""
    receiver = peers.Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def broker():
    """A notification topic of the test's own on the real RabbitMQ."""
    broker = peers.Broker()
    yield broker
    broker.close()


@pytest.fixture
def postgresql():
    """The URL of a new PostgreSQL database, which this process's database
    API uses too; dropped after. Engine processes migrate it
    (``helpers.migrate``)."""
    scratch = backends.ScratchDatabase('postgresql')
    url = scratch.url.render_as_string(hide_password=False)
    CONF.set_override('connection', url, group='database')
    engine = sqla_api.create_engine(url)
    undo = sqla_api.patch_engine(engine)
    try:
        yield url
    finally:
        undo()
        engine.dispose()
        scratch.drop()


@pytest.fixture
def engine_process(tmp_path):
    """Start ``healapi-engine`` on a config file: returns (process, path
    of its log). Killed after the test if it still runs."""
    started = []

    def start(conf):
        log_path = tmp_path / ('engine-%d.log' % len(started))
        log = open(log_path, 'w+')
        process = subprocess.Popen(
            [command('healapi-engine'), '--config-file', str(conf)],
            stdout=log, stderr=subprocess.STDOUT)
        started.append((process, log))
        return process, log_path

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        log.close()
