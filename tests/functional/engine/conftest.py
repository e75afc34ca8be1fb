"""Fixtures of the engine tests: the receivers of what it delivers, and
the engine as a process of its own."""

import subprocess
import urllib.parse
import uuid

import pytest
import redis
import sqlalchemy as sa

from tests import backends
from tests import tcpproxy
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
def proxied_postgresql(postgresql):
    """(a proxy that can fail, the URL of the test's database through
    it), for the engine; this process's database API goes directly."""
    url = sa.engine.make_url(postgresql)
    proxy = tcpproxy.TCPProxy((url.host, url.port or 5432)).start()
    try:
        yield proxy, url.set(host='127.0.0.1', port=proxy.port
                             ).render_as_string(hide_password=False)
    finally:
        proxy.stop()


@pytest.fixture
def redis_backend():
    """A tooz Redis URL with a namespace of the test's own; its keys are
    deleted after."""
    namespace = 'healapi-test-%s' % uuid.uuid4().hex[:12]
    url = backends.redis_url()
    yield '%s?%s' % (url, urllib.parse.urlencode({'namespace': namespace}))
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=namespace + '*'):
        client.delete(key)
    client.close()


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
