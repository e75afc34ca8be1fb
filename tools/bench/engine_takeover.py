"""Benchmark how long a killed engine's policies go without an engine.

    python tools/bench/engine_takeover.py [--engines N] [--policies N]
        [--kills N] [--backend redis|file] [--postgresql-url URL]
        [--redis-url URL]

It runs the API under gunicorn and ``--engines`` ``healapi-engine``
processes on a scratch PostgreSQL database, coordinating through tooz with
the default ``[coordination]`` options: Redis at ``--redis-url`` (in a
namespace of its own, deleted after) or the file backend in a scratch
directory. Through the API it creates a push datasource and ``--policies``
policies. Then, ``--kills`` times:

* it SIGKILLs the engine that owns the most policies, and measures the
  *takeover*: the time from the kill until a live engine owns every policy
  the dead one owned, as the database's ``policy_owners`` records it (an
  engine claims a policy there before it evaluates it);
* it starts a new engine, and measures the *rebalance*: the time from its
  start until it owns its share and every policy is owned by a live engine.

Figures: median and max of each. The issue that asked for it bounds the
takeover at 10 s with the defaults.
"""

import argparse
import datetime
import os
import shutil
import signal
import statistics
import tempfile
import time
import urllib.parse
import uuid

import redis
import sqlalchemy as sa

import harness  # tools/bench/harness.py


def _owners(database):
    """{policy id: engine id} of every owned policy."""
    with database.connect() as connection:
        return dict(connection.execute(sa.text(
            'SELECT policy_id, engine_id FROM policy_owners')).all())


def _engine_of(database, pid):
    """The id of the live engine of process ``pid``, or None."""
    alive_since = (datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None) - datetime.timedelta(seconds=10))
    with database.connect() as connection:
        return connection.execute(sa.text(
            'SELECT id FROM engines WHERE pid = :pid AND heartbeat_at > '
            ':since'), {'pid': pid, 'since': alive_since}).scalar()


def _shared(database, policies, engine_ids):
    """Whether every policy is owned by one of ``engine_ids``, and each of
    them owns one at least."""
    owners = _owners(database)
    return (all(owners.get(policy) in engine_ids for policy in policies)
            and set(engine_ids) <= set(owners.values()))


def run(args, workdir, database_url, coordination_url):
    deployment = harness.Deployment(workdir, database_url,
                                    coordination_url=coordination_url)
    database = sa.create_engine(database_url)
    try:
        deployment.migrate()
        client = deployment.start_api()
        datasource = client.call('POST', '/v1/datasources', {
            'name': 'monitoring', 'driver': 'push',
            'config': {'tables': {'vm_status': ['vm', 'status', 'shard']}}})
        policies = [client.call('POST', '/v1/policies', {
            'name': 'policy_%d' % j, 'rules': [{
                'rule': 'error(vm) :- monitoring:vm_status(vm, "down", %d)'
                        % j}]})['id'] for j in range(args.policies)]
        client.call('PUT', '/v1/datasources/%s/tables/vm_status/rows'
                    % datasource['id'], {'rows': [
                        ['vm-%d' % j, 'up', j] for j in range(args.policies)]})
        engines = {}
        for _ in range(args.engines):
            process = deployment.start_engine()
            engines[process.pid] = process
        ids = harness.wait_for(lambda: all(
            _engine_of(database, pid) for pid in engines) and {
            pid: _engine_of(database, pid) for pid in engines},
            timeout=60, interval=0.05)
        harness.wait_for(lambda: _shared(database, policies, ids.values()),
                         timeout=60, interval=0.05)
        takeovers, rebalances = [], []
        for kill in range(args.kills):
            owners = _owners(database)
            victim_pid = max(ids, key=lambda pid: sum(
                1 for owner in owners.values() if owner == ids[pid]))
            victim = ids.pop(victim_pid)
            owned = [p for p, owner in owners.items() if owner == victim]
            started = time.monotonic()
            os.kill(victim_pid, signal.SIGKILL)
            engines.pop(victim_pid).wait()
            harness.wait_for(lambda owned=owned: all(
                _owners(database).get(p) in ids.values() for p in owned),
                timeout=60, interval=0.02)
            takeovers.append(time.monotonic() - started)

            started = time.monotonic()
            process = deployment.start_engine()
            engines[process.pid] = process
            ids[process.pid] = harness.wait_for(
                lambda pid=process.pid: _engine_of(database, pid),
                timeout=60, interval=0.02)
            harness.wait_for(lambda: _shared(database, policies,
                                             ids.values()),
                             timeout=60, interval=0.02)
            rebalances.append(time.monotonic() - started)
            print('kill %d: %d policies taken over in %.2f s; rebalanced '
                  'onto a new engine %.2f s after its start'
                  % (kill + 1, len(owned), takeovers[-1], rebalances[-1]))
        for name, values in (('takeover', takeovers),
                             ('rebalance', rebalances)):
            print('%-9s n=%d  median %.2f s  max %.2f s' % (
                name, len(values), statistics.median(values), max(values)))
    finally:
        deployment.stop()
        database.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--engines', type=int, default=3)
    parser.add_argument('--policies', type=int, default=60)
    parser.add_argument('--kills', type=int, default=10)
    parser.add_argument('--backend', choices=('redis', 'file'),
                        default='redis')
    parser.add_argument('--postgresql-url', default=os.environ.get(
        'HEALAPI_TEST_POSTGRESQL_URL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'))
    parser.add_argument('--redis-url', default=os.environ.get(
        'HEALAPI_TEST_REDIS_URL', 'redis://127.0.0.1:6379'))
    args = parser.parse_args()
    print('load average at start: %.2f %.2f %.2f' % os.getloadavg())
    workdir = tempfile.mkdtemp(prefix='healapi-bench-')
    namespace = 'healapi-bench-%s' % uuid.uuid4().hex[:8]
    if args.backend == 'redis':
        coordination_url = '%s?%s' % (args.redis_url, urllib.parse.urlencode(
            {'namespace': namespace}))
    else:
        coordination_url = 'file://' + os.path.join(workdir, 'coordination')
    try:
        with harness.scratch_database(args.postgresql_url) as url:
            run(args, workdir, url.render_as_string(hide_password=False),
                coordination_url)
    finally:
        if args.backend == 'redis':
            client = redis.Redis.from_url(args.redis_url)
            for key in client.scan_iter(match=namespace + '*'):
                client.delete(key)
            client.close()
    # Kept when something failed: the processes' logs are there.
    shutil.rmtree(workdir)
    print('load average at end: %.2f %.2f %.2f' % os.getloadavg())


if __name__ == '__main__':
    main()
