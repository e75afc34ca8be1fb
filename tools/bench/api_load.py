"""Benchmark the API under load, as deployed: gunicorn, Keystone tokens.

    python tools/bench/api_load.py [--violations N] [--duration S]
        [--rounds N] [--connections N] [--postgresql-url URL]
        [--endpoints NAME...]

It starts, on this machine: a real Keystone (tests/keystone.py, in
.keystone-venv), a scratch PostgreSQL database with ``--violations``
violations (half of them active) of one policy, and the API under
gunicorn with the documented settings (etc/healapi/gunicorn.conf.py)
behind keystonemiddleware, which caches validated tokens in process
(``token_cache_time`` 300 s). Beside it, the same gunicorn settings serve
a bare pecan application answering ``GET /`` (tools/bench/hello_app.py):
the ceiling of what any pecan endpoint can do here.

wrk (installed with apt-get when missing) then drives each endpoint for
``--duration`` seconds over ``--connections`` kept-alive connections on
loopback, with an admin's token, in ``--rounds`` rounds of every endpoint
(a machine whose CPU slows down under sustained load then slows every
endpoint alike, the ceiling included):

* ``hello``: the ceiling's ``GET /``
* ``status``: ``GET /v1/violations/{id}/status`` of one violation
* ``status-304``: the same with ``If-None-Match`` of its ETag
* ``list``: ``GET /v1/violations?status=active&limit=50``
* ``push``: ``PATCH /v1/datasources/{id}/tables/vm_status/rows``
  inserting one new row per request

and the script prints each one's requests per second and latency
percentiles (wrk's; the median of the rounds), the status
views' share of the ceiling, and the issue's targets beside them. Nothing
is asserted about time; a request that fails is an error (exit 1).
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid

import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

from healapi.db.sqlalchemy import models  # noqa: E402
from tests import keystone as keystone_server  # noqa: E402
from tools.bench import harness  # noqa: E402

POSTGRESQL = 'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'
TARGETS = {'status': 'at least 70% of hello, p99 under 10 ms',
           'status-304': 'at least 70% of hello, p99 under 10 ms',
           'list': 'p99 under 50 ms'}

ENDPOINTS = ('hello', 'status', 'status-304', 'list', 'push')

_PUSH_SCRIPT = '''
counter = 0
request = function()
    counter = counter + 1
    return wrk.format(nil, nil, nil,
        '{"insert": [["vm-' .. counter .. '-' .. math.random(1e9) ..
        '", "down"]]}')
end
'''

_LATENCY = re.compile(r'^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$', re.M)
_UNITS = {'us': 0.001, 'ms': 1.0, 's': 1000.0}


def ensure_wrk():
    """The path of wrk, installed from the distribution if missing."""
    if shutil.which('wrk') is None:
        sudo = [] if os.geteuid() == 0 else ['sudo', '-n']
        print('==> Installing wrk')
        subprocess.run(  # noqa: S603 (a fixed command)
            sudo + ['apt-get', 'install', '-y', '-q', 'wrk'],
            check=True, stdout=subprocess.DEVNULL,
            env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))
    return shutil.which('wrk')


def populate(database_url, client, violations):
    """A push datasource, a policy and ``violations`` violations of it;
    returns (datasource id, a violation id)."""
    datasource = client.call('POST', '/v1/datasources', {
        'name': 'monitoring', 'driver': 'push',
        'config': {'tables': {'vm_status': ['vm', 'status']}}})
    policy = client.call('POST', '/v1/policies', {
        'name': 'vm_health',
        'rules': [{'rule': 'error(vm) :- monitoring:vm_status(vm, "down")'}]})
    engine = sa.create_engine(database_url)
    start = datetime.datetime(2026, 1, 1)
    rows = []
    for number in range(violations):
        seen = start + datetime.timedelta(seconds=number)
        active = number % 2 == 0
        values = ['vm-%d' % number]
        tuple_hash = hashlib.sha256(json.dumps(values).encode()).hexdigest()
        rows.append({
            'id': str(uuid.uuid4()), 'policy_id': policy['id'],
            'project_id': policy['project_id'], 'table_name': 'error',
            'tuple_hash': tuple_hash,
            'active_key': tuple_hash if active else None,
            'values': values, 'severity': 'medium',
            'status': 'active' if active else 'resolved',
            'first_seen_at': seen, 'last_seen_at': seen,
            'resolved_at': None if active else seen,
            'created_at': seen, 'updated_at': seen})
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 5000):
            connection.execute(sa.insert(models.Violation.__table__),
                               rows[chunk:chunk + 5000])
        connection.execute(sa.text('ANALYZE violations'))
    engine.dispose()
    return datasource['id'], rows[0]['id']


def run_wrk(wrk, url, token, args, headers=(), script=None, method=None,
            workdir=None):
    """(requests per second, {percentile: ms}, non-2xx/3xx count)."""
    argv = [wrk, '--latency', '-t', str(args.threads), '-c',
            str(args.connections), '-d', '%ds' % args.duration,
            '-H', 'X-Auth-Token: ' + token]
    for header in headers:
        argv += ['-H', header]
    if script:
        path = os.path.join(workdir, 'push.lua')
        with open(path, 'w') as lua:
            lua.write('wrk.method = "%s"\n' % method)
            lua.write('wrk.headers["Content-Type"] = "application/json"\n')
            lua.write(script)
        argv += ['-s', path]
    output = subprocess.run(  # noqa: S603 (wrk, with our arguments)
        argv + [url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r'Requests/sec:\s+([\d.]+)', output).group(1))
    latencies = {int(p): float(value) * _UNITS[unit]
                 for p, value, unit in _LATENCY.findall(output)}
    failed = re.search(r'Non-2xx or 3xx responses:\s+(\d+)', output)
    errors = re.search(r'Socket errors:.*', output)
    return rate, latencies, int(failed.group(1)) if failed else 0, (
        errors.group(0) if errors else '')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--violations', type=int, default=100000)
    parser.add_argument('--duration', type=int, default=5)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--connections', type=int, default=16)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--postgresql-url', default=POSTGRESQL)
    parser.add_argument('--endpoints', nargs='+', metavar='NAME',
                        choices=ENDPOINTS, default=ENDPOINTS,
                        help='measure only these (hello always runs)')
    args = parser.parse_args()
    wrk = ensure_wrk()

    keystone = keystone_server.KeystoneServer()
    keystone.start()
    workdir = tempfile.mkdtemp(prefix='healapi-api-load-')
    deployment = None
    try:
        with harness.scratch_database(args.postgresql_url) as url:
            database_url = url.render_as_string(hide_password=False)
            deployment = harness.Deployment(
                workdir, database_url,
                authtoken=keystone.authtoken_options(token_cache_time=300))
            deployment.migrate()
            token = keystone.token('admin')
            client = deployment.start_api()
            client.headers['X-Auth-Token'] = token
            print('==> %d violations' % args.violations)
            datasource_id, violation_id = populate(database_url, client,
                                                   args.violations)
            hello_port = harness.free_port()
            deployment.start_api(port=hello_port,
                                 application='tools.bench.hello_app:'
                                             'application')
            status_path = '/v1/violations/%s/status' % violation_id
            etag = client.etag(status_path)
            api = 'http://127.0.0.1:%d' % deployment.port
            runs = [
                ('hello', 'http://127.0.0.1:%d/' % hello_port, {}),
                ('status', api + status_path, {}),
                ('status-304', api + status_path,
                 {'headers': ['If-None-Match: ' + etag]}),
                ('list', api + '/v1/violations?status=active&limit=50', {}),
                ('push', '%s/v1/datasources/%s/tables/vm_status/rows'
                 % (api, datasource_id),
                 {'script': _PUSH_SCRIPT, 'method': 'PATCH'}),
            ]
            runs = [run for run in runs
                    if run[0] == 'hello' or run[0] in args.endpoints]
            print('==> wrk: %d connections, %d threads, %d s per run, %d '
                  'rounds of every endpoint' % (
                      args.connections, args.threads, args.duration,
                      args.rounds))
            measured = {name: [] for name, _, _ in runs}
            failures = []
            for _ in range(args.rounds):
                for name, target, options in runs:
                    rate, latencies, failed, errors = run_wrk(
                        wrk, target, token, args, workdir=workdir,
                        **options)
                    measured[name].append((rate, latencies))
                    if failed or errors:
                        failures.append('%s: %d failed responses %s'
                                        % (name, failed, errors))
            print('%-11s %9s %8s %8s %8s %8s  %s' % (
                'endpoint', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms',
                'of hello', 'target'))
            ceiling = statistics.median(rate for rate, _ in measured['hello'])
            for name, results in measured.items():
                rate = statistics.median(rate for rate, _ in results)
                percentiles = {q: statistics.median(
                    latencies.get(q, 0) for _, latencies in results)
                    for q in (50, 90, 99)}
                share = ('%7.0f%%' % (100 * rate / ceiling)
                         if name != 'hello' else '')
                print('%-11s %9.0f %8.2f %8.2f %8.2f %8s  %s' % (
                    name, rate, percentiles[50], percentiles[90],
                    percentiles[99], share, TARGETS.get(name, '')))
            if failures:
                sys.exit('\n'.join(failures))
    finally:
        if deployment is not None:
            deployment.stop()
        keystone.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()
