"""Running healapi's installed commands as an operator would."""

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

BIN_DIR = os.path.dirname(sys.executable)


def command(name):
    """Path of an installed console script of this environment."""
    return os.path.join(BIN_DIR, name)


def run(*args, **kwargs):
    """Run a command to completion; its CompletedProcess, output as text."""
    return subprocess.run(args, capture_output=True, text=True, timeout=120,
                          **kwargs)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def config_file(tmp_path):
    """Write a healapi.conf with the given ``{group: {option: value}}``."""
    def write(sections):
        path = tmp_path / 'healapi.conf'
        path.write_text(''.join(
            '[%s]\n%s' % (group, ''.join('%s = %s\n' % item
                                         for item in options.items()))
            for group, options in sections.items()))
        return str(path)
    return write


@pytest.fixture
def server(tmp_path):
    """Start a long-running server command; wait until it answers on port."""
    started = []

    def start(args, port, env=None):
        log = open(tmp_path / ('server-%d.log' % len(started)), 'w+')
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, **(env or {})))
        started.append((process, log))
        url = 'http://127.0.0.1:%d' % port
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                requests.get(url, timeout=1)
                return url
            except (requests.ConnectionError, requests.Timeout):
                # Refused until it listens; a worker still loading the
                # application may accept and not answer yet.
                time.sleep(0.1)
        log.seek(0)
        pytest.fail('%s did not start serving:\n%s' % (args[0], log.read()))

    yield start
    for process, log in started:
        process.terminate()
        process.wait(timeout=30)
        log.close()
