"""The engine: every enabled policy kept evaluated, its violations recorded.

An :class:`EngineService` runs a few threads: the loop, the heartbeat, the
outbox dispatcher, the poller of pull datasources (see :mod:`.polling`),
with a coordination backend the group membership (see
:mod:`.coordination`) and, with a message broker configured, an RPC server
through which the API wakes the loop after a write.

The loop holds a :class:`~.policy_evaluation.PolicyEvaluation` of every
enabled policy this engine owns: all of them without coordination, its
share of the hash ring with it. It claims a policy in the database before
loading it, and only the owner's findings are recorded, so an engine that
lost a policy without knowing yet (a stale view of the members) writes
nothing; it drops the policy when the database says so. The loop starts
by loading every policy it owns and reconciling each with its stored
violations; after that it follows the database's change feed: it looks at
the change counter every ``poll_interval`` (or at once when woken) and
applies the changes made since the last one it applied, a batch at a time:

* ``rows``: to each policy reading that datasource table, incrementally;
* ``policy``: that policy is rebuilt from the database and reconciled, or
  dropped when it is deleted or disabled (its violations stay as they are);
* ``datasource``: every policy of its project is rebuilt and reconciled
  (a datasource's name, tables or ``enabled`` decide what policies read).

After each batch, each policy's violation changes and ``execute[...]``
tuples go to the database in one transaction per policy. Changes missing
from the feed (pruned while the engine lagged) make it reload everything.
When the group's members change, the engine drops the policies it no
longer owns and claims and loads those it now does.

The database is the only state shared with other processes: whatever the
loop fails at (a database outage) it tries again on its next turn, and a
new engine rebuilds everything from the database.
"""

import collections
import datetime
import os
import threading
import time

from oslo_db import exception as db_exc
from oslo_log import log
import oslo_messaging
from oslo_utils import timeutils
from oslo_utils import uuidutils
from sqlalchemy import exc as sa_exc

from healapi.common import errors
from healapi.common import messaging
from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.db import exception as db_exception
from healapi.engine import coordination
from healapi.engine import dispatcher as outbox_dispatcher
from healapi.engine import health
from healapi.engine import policy_evaluation
from healapi.engine import polling
from healapi.engine import rivals
from healapi import version

LOG = log.getLogger(__name__)

#: Changes read from the feed at a time.
CHANGE_BATCH = 1000
#: What the database raises when it is out of reach (oslo.db leaves a
#: connection refused by the pool as SQLAlchemy raised it).
DATABASE_ERRORS = (db_exc.DBError, sa_exc.SQLAlchemyError)


class _WakeUpEndpoint:
    """The engines' RPC interface (see ``messaging.ENGINE_TOPIC``)."""

    target = oslo_messaging.Target(version=messaging.ENGINE_API_VERSION)

    def __init__(self, wake):
        self._wake = wake

    def wake_up(self, ctxt):
        """Cast (fanout) by the API after a write the engines must see."""
        self._wake()


class EngineService:
    """One healapi-engine: :meth:`start` it, :meth:`stop` it; or, in
    tests, call :meth:`run_once` for one turn of the loop."""

    def __init__(self, dbapi=None, dispatcher=None):
        self.id = uuidutils.generate_uuid()
        self.host = CONF.engine.host
        self.pid = os.getpid()
        self.version = version.version_string
        self._dbapi = dbapi or db_api.get_instance()
        self.dispatcher = dispatcher or outbox_dispatcher.Dispatcher(
            self._dbapi)
        self.membership = coordination.Membership(self.id,
                                                  on_change=self.wake)
        self.poller = polling.Poller(self._dbapi, self.membership.owns,
                                     on_change=self.wake)
        #: policy id -> project id of every enabled policy, owned or not.
        self._enabled = {}
        #: policy id -> PolicyEvaluation of every owned policy loaded.
        self._policies = {}
        #: policy id -> project id of the owned enabled policies that can't
        #: be evaluated; tried again every confirm_interval and when changed.
        self._broken = {}
        #: The membership version the owned policies were last sorted by.
        self._members_version = None
        #: Policies lost to another engine's claim, and when to see whether
        #: they are this engine's after all (the other's view was stale).
        self._lost = set()
        self._retake_at = 0
        #: The last change applied; None until everything is loaded.
        self._last_seq = None
        #: When to confirm violations and prune the feed next.
        self._next_periodic = None
        #: When the turn of the loop under way started (time.monotonic()),
        #: None between turns; and the loop's thread.
        self._turn_started = None
        self._loop = None
        self.health = health.HealthServer(self)
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._threads = []
        self._rpc_server = None
        self._rpc_thread = None
        self._listening = threading.Event()

    # -- the process ------------------------------------------------------

    def start(self):
        """Start the engine's threads, once no rival engine runs (see
        :mod:`.rivals`: raises :class:`.rivals.EngineConflict`), and its
        healthcheck endpoint if configured (raises
        :class:`.health.CannotServe` if it can't listen)."""
        self._stopping.clear()
        rivals.check_alone(self._dbapi, self, self.membership.coordinated,
                           self._stopping)
        self.membership.start()
        self.dispatcher.start()
        self._loop = self._spawn('loop', self._run)
        self._spawn('heartbeat', self._beat)
        self._spawn('poller', lambda: self.poller.run(self._stopping))
        if messaging.configured():
            self._rpc_server = oslo_messaging.get_rpc_server(
                messaging.rpc_transport(),
                messaging.engine_target(server=self.id),
                [_WakeUpEndpoint(self.wake)],
                access_policy=oslo_messaging.DefaultRPCAccessPolicy)
            # Starting connects to the broker, retrying until it answers:
            # in a thread of its own, so that the engine works meanwhile.
            self._rpc_thread = threading.Thread(
                target=self._listen, name='healapi-engine-rpc', daemon=True)
            self._rpc_thread.start()
        self.health.start()
        LOG.info('Engine %s started on %s (pid %d), %s', self.id, self.host,
                 self.pid, 'sharing the policies with its group'
                 if self.membership.coordinated else
                 'evaluating every policy (no coordination backend)')

    def _spawn(self, name, target):
        thread = threading.Thread(target=target, daemon=True,
                                  name='healapi-engine-' + name)
        thread.start()
        self._threads.append(thread)
        return thread

    def _listen(self):
        try:
            self._rpc_server.start()
            self._listening.set()
        except Exception:
            LOG.exception('Engine %s cannot listen for wake-ups; it finds '
                          'changes by polling only.', self.id)

    def stop(self):
        """Stop every thread (the loop after its turn under way), then
        delete the engine's heartbeat."""
        self.interrupt()
        self._stop_listening()
        for thread in self._threads:
            thread.join()
        self._threads = []
        # Leaving the group hands this engine's policies over at once.
        self.membership.stop()
        self.dispatcher.stop()
        self.health.stop()
        try:
            self._dbapi.delete_engine(self.id)
        except DATABASE_ERRORS as error:
            LOG.warning('Could not delete the heartbeat of engine %s (%s); '
                        'it expires by itself.', self.id, errors.brief(error))
        LOG.info('Engine %s stopped', self.id)

    def _stop_listening(self):
        if self._rpc_server is None:
            return
        if self._rpc_thread.is_alive():
            # Still connecting to a broker that never answered: stopping
            # would wait for that; the daemon thread ends with the process.
            LOG.warning('Engine %s never reached the message broker.',
                        self.id)
        else:
            self._rpc_server.stop()
            self._rpc_server.wait()
        self._rpc_server = self._rpc_thread = None
        self._listening.clear()

    def wake(self):
        """Make the loop look for changes now."""
        self._wakeup.set()

    def interrupt(self):
        """Make a :meth:`start` still waiting out a rival return, and the
        threads end soon; :meth:`stop` remains to be called (safe from a
        signal handler)."""
        self._stopping.set()
        self._wakeup.set()

    @property
    def listening(self):
        """Whether the engine receives wake-ups from the message bus."""
        return self._listening.is_set()

    def loop_state(self):
        """(whether the evaluation loop's thread runs, seconds the turn
        under way has run or None between turns)."""
        started = self._turn_started
        return (self._loop is not None and self._loop.is_alive(),
                None if started is None else time.monotonic() - started)

    @property
    def last_change(self):
        """The number of the last change applied; None until the engine
        has loaded every policy."""
        return self._last_seq

    def beat(self):
        """Record the engine's heartbeat in the database."""
        self._dbapi.record_heartbeat(self.id, self.host, self.pid,
                                     self.version,
                                     self.membership.coordinated)

    def _beat(self):
        while True:
            try:
                self.beat()
            except Exception as error:  # noqa: BLE001 (tried again)
                LOG.warning('Could not record the heartbeat of engine %s '
                            '(%s)', self.id, errors.brief(error))
            if self._stopping.wait(CONF.engine.heartbeat_interval):
                return

    def _run(self):
        while not self._stopping.is_set():
            # Cleared before the turn: a wake-up during it means another.
            self._wakeup.clear()
            self._turn_started = time.monotonic()
            try:
                self.run_once()
            except DATABASE_ERRORS as error:
                LOG.warning('Engine %s: database error (%s); trying again '
                            'shortly.', self.id, errors.brief(error))
            except Exception:
                LOG.exception('Engine %s: evaluation failed; trying again '
                              'shortly.', self.id)
            finally:
                self._turn_started = None
            self._wakeup.wait(CONF.engine.poll_interval)

    # -- the loop ---------------------------------------------------------

    def run_once(self):
        """One turn of the loop: catch up with the change feed (or load
        everything, the first time), follow changes of the engine group's
        members, move the clock of the policies that read it, record what
        changed; confirm violations and prune the feed when it is time.
        Raises what the database raises."""
        if self._last_seq is None:
            self._reload(act=False)
        else:
            self._follow_changes()
            self._share()
        for evaluation in list(self._policies.values()):
            if evaluation.reads_clock:
                self._evaluate(evaluation, evaluation.advance_clock)
        self._record()
        if self._next_periodic is None:
            self._next_periodic = (time.monotonic()
                                   + CONF.engine.confirm_interval)
        elif time.monotonic() >= self._next_periodic:
            self._periodic()

    def _follow_changes(self):
        counter = self._dbapi.change_counter()
        if counter < self._last_seq:
            LOG.warning('The change counter went back from %d to %d (a '
                        'restored database?): reloading every policy.',
                        self._last_seq, counter)
            self._reload(act=True)
            return
        while self._last_seq < counter:
            changes = self._dbapi.list_changes(self._last_seq, CHANGE_BATCH)
            # The feed has no holes (see the database API) unless changes
            # were pruned before this engine read them.
            if not changes or changes[0].seq != self._last_seq + 1 or (
                    changes[-1].seq - changes[0].seq != len(changes) - 1):
                LOG.warning('Changes after %d were pruned before engine %s '
                            'read them: reloading every policy.',
                            self._last_seq, self.id)
                self._reload(act=True)
                return
            self._apply(changes)
            self._last_seq = changes[-1].seq
            self._record()

    def _apply(self, changes):
        """Apply a batch of changes, oldest first.

        The policies a change makes rebuild are rebuilt last, from the
        database as it is by then: the row changes in between are in it.
        (Applying a change again is harmless: rows are sets, and every
        ``rows`` change carries the whole rows it adds or removes.)
        """
        rebuild = set()
        projects = set()
        for change in changes:
            if change.kind == 'policy':
                rebuild.add(change.object_id)
            elif change.kind == 'datasource':
                projects.add(change.project_id)
            elif change.kind == 'rows':
                payload = change.payload or {}
                for evaluation in list(self._policies.values()):
                    if (evaluation.id not in rebuild
                            and evaluation.policy.project_id not in projects
                            and evaluation.reads(change.object_id,
                                                 change.table_name)):
                        self._evaluate(
                            evaluation, evaluation.apply_rows,
                            change.object_id, change.table_name,
                            payload.get('added', ()),
                            payload.get('removed', ()))
        if projects:
            rebuild.update(policy_id for policy_id, project_id
                           in self._enabled.items()
                           if project_id in projects
                           and self.membership.owns(policy_id))
        if rebuild:
            self._rebuild(rebuild, act=True)

    def _held(self):
        """The ids of the policies this engine evaluates (or would, but
        can't)."""
        return set(self._policies) | set(self._broken)

    def _share(self):
        """Follow the engine group: when its members change, drop the
        policies this engine no longer owns and take those it now does;
        every heartbeat_interval, take back those it lost to an engine
        whose view of the members was stale, if they are still its own.
        (A database error leaves it to be done again next turn.)"""
        version = self.membership.version
        if version != self._members_version:
            wanted = {policy_id for policy_id in self._enabled
                      if self.membership.owns(policy_id)}
            held = self._held()
            for policy_id in held - wanted:
                self._drop(policy_id)
            if not self.membership.in_contact:
                LOG.warning('Engine %s has not reached the coordination '
                            'backend for longer than member_timeout: the '
                            'other engines have taken over its %d policies, '
                            'so it stops evaluating them until it is back.',
                            self.id, len(held))
            elif held - wanted or wanted - held:
                LOG.info('Engine %s: the engine group changed (%d '
                         'members); it hands over %d policies and takes %d.',
                         self.id, len(self.membership.members),
                         len(held - wanted), len(wanted - held))
            taken = wanted - held
        elif self._lost and time.monotonic() >= self._retake_at:
            taken = {policy_id for policy_id in self._lost
                     if policy_id in self._enabled
                     and self.membership.owns(policy_id)}
        else:
            return
        if taken:
            self._rebuild(taken, act=False)
        self._members_version = version
        self._lost.clear()

    def _reload(self, act):
        """Load every enabled policy this engine owns afresh and reconcile
        its violations; ``act``: see :meth:`_load_owned`."""
        # Read first: what changes while loading is applied again after.
        counter = self._dbapi.change_counter()
        self._members_version = self.membership.version
        policies = self._dbapi.list_enabled_policies()
        self._enabled = {policy.id: policy.project_id for policy in policies}
        mine = [policy for policy in policies
                if self.membership.owns(policy.id)]
        for policy_id in self._held() - {policy.id for policy in mine}:
            self._drop(policy_id)
        datasources = collections.defaultdict(dict)
        for datasource in self._dbapi.list_all_datasources():
            datasources[datasource.project_id][datasource.name] = datasource
        self._load_owned(mine, datasources.__getitem__, act)
        self._last_seq = counter
        LOG.info('Engine %s owns %d of %d enabled policies (%d not '
                 'evaluable) as of change %d', self.id, len(self._held()),
                 len(self._enabled), len(self._broken), counter)

    def _rebuild(self, policy_ids, act):
        """Load these policies afresh if enabled and owned; drop the
        others. ``act``: see :meth:`_load_owned`."""
        policies = self._dbapi.list_enabled_policies(sorted(policy_ids))
        for policy_id in set(policy_ids) - {policy.id for policy in policies}:
            self._drop(policy_id)
            self._enabled.pop(policy_id, None)
        mine = []
        for policy in policies:
            self._enabled[policy.id] = policy.project_id
            if self.membership.owns(policy.id):
                mine.append(policy)
            else:
                self._drop(policy.id)
        datasources = {}

        def datasources_of(project_id):
            if project_id not in datasources:
                datasources[project_id] = {
                    datasource.name: datasource for datasource in
                    self._dbapi.list_datasources(project_id)}
            return datasources[project_id]

        self._load_owned(mine, datasources_of, act)

    def _load_owned(self, policies, datasources_of, act):
        """Load these policies, which this engine owns, and reconcile
        their violations; ``datasources_of(project_id)`` gives the
        datasources by name.

        Those this engine doesn't evaluate yet are claimed first, so that
        from then on only its findings are recorded and the violations it
        reconciles with are final. ``act`` (see
        :meth:`.PolicyEvaluation.reconcile`) holds for the policies it
        held, and for new ones that no engine owned; a policy taken over
        from another engine is loaded as at a restart, what it derives
        taken as acted on already, so that no remediation runs twice.
        """
        held = self._held()
        claim = [policy.id for policy in policies if policy.id not in held]
        new = self._dbapi.claim_policies(self.id, claim) if claim else set()
        tables = policy_evaluation.TableRows(self._dbapi)
        for policy in policies:
            self._load(policy, datasources_of(policy.project_id), tables,
                       act and (policy.id in held or policy.id in new))

    def _load(self, policy, datasources, tables, act):
        previous = self._policies.get(policy.id)
        try:
            evaluation = policy_evaluation.PolicyEvaluation(
                policy, datasources, tables)
        except DATABASE_ERRORS:
            raise
        except Exception:
            self._skip(policy.id, policy.project_id)
            return
        evaluation.reconcile(self._dbapi.active_violation_values(policy.id),
                             previous, act)
        self._policies[policy.id] = evaluation
        self._broken.pop(policy.id, None)

    def _drop(self, policy_id):
        """Stop evaluating a policy (deleted, disabled, or another
        engine's now)."""
        self._policies.pop(policy_id, None)
        self._broken.pop(policy_id, None)

    def _skip(self, policy_id, project_id):
        LOG.exception('Policy %s cannot be evaluated; it is skipped until '
                      'it changes or is tried again.', policy_id)
        self._policies.pop(policy_id, None)
        self._broken[policy_id] = project_id

    def _evaluate(self, evaluation, step, *args):
        """``step(*args)`` of ``evaluation``, or None, the policy skipped,
        when it raises."""
        try:
            return step(*args)
        except Exception:
            self._skip(evaluation.id, evaluation.policy.project_id)

    def _record(self):
        """Store each policy's findings (a transaction per policy), then
        wake the dispatcher for the outbox events they wrote."""
        recorded = False
        try:
            for evaluation in list(self._policies.values()):
                if not evaluation.findings:
                    continue
                findings = self._evaluate(evaluation,
                                          evaluation.findings_to_record)
                if findings is None:
                    continue
                try:
                    self._dbapi.record_violations(evaluation.policy,
                                                  self.id, **findings)
                except db_exception.PolicyNotOwned:
                    self._lose(evaluation.id)
                    continue
                evaluation.recorded()
                recorded = True
        finally:
            if recorded:
                self.dispatcher.wake()

    def _lose(self, policy_id):
        """Another engine claimed the policy: stop evaluating it, and see
        again after a heartbeat whether it is this engine's after all."""
        LOG.info('Engine %s: policy %s is evaluated by another engine now.',
                 self.id, policy_id)
        self._drop(policy_id)
        self._lost.add(policy_id)
        self._retake_at = (time.monotonic()
                           + CONF.coordination.heartbeat_interval)

    def _periodic(self):
        if self._broken:
            self._rebuild(set(self._broken), act=True)
            self._record()
        self._dbapi.confirm_violations(sorted(self._policies))
        self._dbapi.prune_changes(timeutils.utcnow() - datetime.timedelta(
            seconds=CONF.engine.change_retention))
        self._next_periodic = time.monotonic() + CONF.engine.confirm_interval
