"""Several ``healapi-engine`` processes sharing the policies through tooz,
on the real PostgreSQL: Redis as the backend of engines on several hosts,
the file backend for engines on one host.

Under a steady stream of row pushes through the API, one engine is killed
(SIGKILL); later a new one joins. From the database: every violation state
change happened exactly once (none lost, none duplicated, no flap), each
announced exactly once, and the killed engine's policies were evaluated
again within the takeover bound of the default ``[coordination]``
options.
"""

import collections
import itertools
import os
import signal
import time
import urllib.parse

from oslo_utils import timeutils
import sqlalchemy as sa
import webtest

from healapi.api import app
from healapi.common import events
from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.db.sqlalchemy import api as sqla_api
from healapi.db.sqlalchemy import models
from tests import tcpproxy
from tests.functional.engine import helpers
from tests.functional.engine.helpers import wait_for

POLICIES = 24
#: The takeover bound the issue sets for the default options: a dead
#: engine's policies are evaluated again within it.
TAKEOVER_BOUND = 10.0


class Pusher:
    """Toggles the VM of each policy between ERROR and OK through the API,
    one push at a time, each waited for until the engines have recorded
    it; remembers every push and when it was recorded."""

    def __init__(self, api, datasource, policies):
        self.api = api
        self.datasource = datasource
        self.policies = policies
        self.dbapi = db_api.get_instance()
        #: Policy number -> whether its VM is in ERROR now.
        self.error = dict.fromkeys(range(len(policies)), False)
        #: (policy number, ERROR?, seconds from push to recorded, the
        #: monotonic time it was recorded) of every push.
        self.pushes = []
        helpers.put_rows(api, datasource, 'vm_status',
                         [self._row(j, False) for j in self.error])

    @staticmethod
    def _row(j, error):
        return ['vm-%d' % j, 'ERROR' if error else 'OK', j]

    def _violations(self, j):
        return self.dbapi.list_violations(
            filters={'policy_id': self.policies[j]},
            sort_keys=['first_seen_at'], sort_dirs=['asc'])

    def push(self, j, timeout=30):
        error = not self.error[j]
        started = time.monotonic()
        helpers.patch_rows(self.api, self.datasource, 'vm_status',
                           insert=[self._row(j, error)],
                           delete=[self._row(j, not error)])
        errors_pushed = sum(e for (k, e, _, _) in self.pushes if k == j)

        def recorded():
            found = self._violations(j)
            active = [v for v in found if v.status == 'active']
            if error:
                return active and len(found) > errors_pushed
            return not active

        wait_for(recorded, 'push %d of policy %d recorded'
                 % (len(self.pushes), j), timeout=timeout)
        now = time.monotonic()
        self.error[j] = error
        self.pushes.append((j, error, now - started, now))

    def round(self):
        for j in range(len(self.policies)):
            self.push(j)

    def assert_exactly_once(self):
        """Each ERROR push made one violation, each OK push resolved it,
        and each of those state changes was announced once."""
        for j, policy_id in enumerate(self.policies):
            found = self._violations(j)
            errors_pushed = sum(e for (k, e, _, _) in self.pushes if k == j)
            assert len(found) == errors_pushed, (j, found)
            for before, after in itertools.pairwise(found):
                assert before.status == 'resolved'
                assert after.previous_id == before.id
                assert after.first_seen_at >= before.resolved_at
            assert (found[-1].status == 'active') == self.error[j]
            expected = collections.Counter()
            for violation in found:
                expected[(violation.id, events.VIOLATION_ACTIVE)] += 1
                if violation.status == 'resolved':
                    expected[(violation.id, events.VIOLATION_RESOLVED)] += 1
            announced = self.dbapi.list_outbox_events(
                filters={'policy_id': policy_id, 'target': 'notification'})
            assert collections.Counter(
                (e.violation_id, e.event_type) for e in announced) == expected

    def assert_delivered_once(self):
        def delivered():
            found = self.dbapi.list_outbox_events()
            return all(e.status == 'delivered' for e in found) and found
        for event in wait_for(delivered, 'every announcement delivered',
                              timeout=90):
            assert [a.succeeded for a in event.attempt_log].count(True) == 1


def _alive(dbapi):
    """{pid: engine id} of the engines alive now."""
    return {engine.pid: engine.id for engine in db_api.live_engines(dbapi)}


def _shared_by(dbapi, policies, pids):
    """{engine id: its policies} once every policy is owned by one of the
    live engines of ``pids`` and each of them owns one at least."""
    alive = _alive(dbapi)
    if not set(pids) <= set(alive):
        return None
    ids = [alive[pid] for pid in pids]
    owned = dbapi.list_owned_policies(ids)
    covered = sorted(itertools.chain.from_iterable(owned.values()))
    if covered == sorted(policies) and all(owned.values()):
        return owned
    return None


def _owners(policy_ids):
    """{policy id: (engine id, claimed_at)}, from the database."""
    owners = models.PolicyOwner
    with sqla_api.get_engine().connect() as connection:
        return {policy_id: (engine_id, claimed_at)
                for policy_id, engine_id, claimed_at in connection.execute(
                    sa.select(owners.policy_id, owners.engine_id,
                              owners.claimed_at).where(
                        owners.policy_id.in_(policy_ids)))}


def _write_conf(path, tmp_path, postgresql, backend_url):
    path.write_text(
        '[DEFAULT]\nstate_path = %s\n'
        '[database]\nconnection = %s\n'
        '[engine]\npoll_interval = 0.1\nheartbeat_interval = 0.5\n'
        '[outbox]\ndispatch_interval = 0.1\n'
        '[coordination]\nbackend_url = %s\n'
        % (tmp_path / 'state', postgresql, backend_url))
    return path


def _taken_over(dbapi, pusher, engine_id, policy_ids, since):
    """Push to each of ``policy_ids``, which ``engine_id`` owned until it
    stopped at ``since``, and wait until others own them all; returns
    (seconds from then until each was claimed by another engine, seconds
    until the first push was recorded). An engine that is only cut off
    from the backend goes on evaluating until member_timeout, so its
    pushes may be recorded before the others take over."""
    for number, policy_id in enumerate(policy_ids):
        pusher.push(pusher.policies.index(policy_id), timeout=60)
        if number == 0:
            resumed = (timeutils.utcnow() - since).total_seconds()

    def claimed_by_others():
        owners = _owners(policy_ids)
        return all(owner != engine_id for owner, _ in owners.values()) and {
            policy_id: (claimed_at - since).total_seconds()
            for policy_id, (_, claimed_at) in owners.items()}
    claimed = wait_for(claimed_by_others, 'the others to take over',
                       timeout=60)
    assert max(claimed.values()) <= TAKEOVER_BOUND, claimed
    assert resumed <= TAKEOVER_BOUND
    return claimed, resumed


def _fail_over(tmp_path, postgresql, engine_process, backend_url, engines,
               cut_off=None):
    """The scenario; returns {what happened: what :func:`_taken_over`
    measured}. ``cut_off``: (a proxy in front of the backend, the backend's
    URL through it) for one more engine, which is cut off then let back."""
    conf = _write_conf(tmp_path / 'healapi.conf', tmp_path, postgresql,
                       backend_url)
    helpers.migrate(conf)
    CONF.set_override('auth_strategy', 'noauth', group='api')
    api = webtest.TestApp(app.build_wsgi_app())
    dbapi = db_api.get_instance()
    datasource = helpers.datasource(
        api, config={'tables': {'vm_status': ['vm', 'status', 'shard']}})
    policies = [helpers.policy(
        api, 'error(vm) :- mon:vm_status(vm, "ERROR", %d)' % j,
        name='p%d' % j)['id'] for j in range(POLICIES)]
    pusher = Pusher(api, datasource, policies)
    processes = {}

    def start(conf):
        process, _log = engine_process(conf)
        processes[process.pid] = process
        return process

    for _ in range(engines):
        start(conf)
    if cut_off is not None:
        proxy, proxied_url = cut_off
        proxied = start(_write_conf(tmp_path / 'proxied.conf', tmp_path,
                                    postgresql, proxied_url))
    owned = wait_for(lambda: _shared_by(dbapi, policies, processes),
                     'the engines to share the policies', timeout=60)
    pusher.round()
    pusher.round()
    measured = {}

    # The engine owning the most policies dies; pushes go on, its
    # policies' first.
    alive = _alive(dbapi)
    if cut_off is not None:
        del alive[proxied.pid]
    victim_pid = max(alive, key=lambda pid: len(owned[alive[pid]]))
    victim = alive[victim_pid]
    killed_at = timeutils.utcnow()
    os.kill(victim_pid, signal.SIGKILL)
    processes.pop(victim_pid).wait()
    measured['killed'] = _taken_over(dbapi, pusher, victim, owned[victim],
                                     killed_at)
    pusher.round()

    # An engine comes back: the work is shared again, the newcomer
    # included, and handing policies over to it loses nothing either.
    start(conf)
    owned = wait_for(lambda: _shared_by(dbapi, policies, processes),
                     'the newcomer to get its share', timeout=60)
    pusher.round()

    if cut_off is not None:
        # Cut off from the backend (not from the database), an engine
        # stops evaluating and the others take its share; back, it gets
        # a share again.
        cut = _alive(dbapi)[proxied.pid]
        cut_at = timeutils.utcnow()
        proxy.stop()
        measured['cut off'] = _taken_over(dbapi, pusher, cut, owned[cut],
                                          cut_at)
        pusher.round()
        proxy.start()
        wait_for(lambda: _shared_by(dbapi, policies, processes),
                 'the engine cut off to get a share again', timeout=60)
        pusher.round()

    pusher.round()
    pusher.assert_exactly_once()
    pusher.assert_delivered_once()
    for process in processes.values():
        assert process.poll() is None
    return measured


def _report(what, measured):
    # Shown with pytest -s: the figures the issue asks to report.
    for event, (claimed, resumed) in measured.items():
        print('%s, engine %s: its %d policies claimed again %.2f-%.2f s '
              'after; the first push after it recorded at %.2f s'
              % (what, event, len(claimed), min(claimed.values()),
                 max(claimed.values()), resumed))


def test_engines_on_redis_survive_one_killed_and_one_cut_off(
        tmp_path, postgresql, engine_process, redis_backend):
    redis_url = urllib.parse.urlsplit(redis_backend)
    proxy = tcpproxy.TCPProxy((redis_url.hostname,
                               redis_url.port or 6379)).start()
    try:
        proxied = redis_url._replace(
            netloc='127.0.0.1:%d' % proxy.port).geturl()
        _report('Redis', _fail_over(
            tmp_path, postgresql, engine_process, redis_backend, engines=2,
            cut_off=(proxy, proxied)))
    finally:
        proxy.stop()


def test_two_engines_on_one_host_survive_one_killed(
        tmp_path, postgresql, engine_process):
    backend = 'file://%s' % (tmp_path / 'coordination')
    _report('file', _fail_over(tmp_path, postgresql, engine_process,
                               backend, engines=2))
