"""The engine: every enabled policy kept evaluated, its violations recorded.

An :class:`EngineService` runs a few threads: the loop, the heartbeat, the
outbox dispatcher and, with a message broker configured, an RPC server
through which the API wakes the loop after a write.

The loop holds a :class:`~.policy_evaluation.PolicyEvaluation` of every
enabled policy. It starts by loading them all from the database and
reconciling each with its stored violations; after that it follows the
database's change feed: it looks at the change counter every
``poll_interval`` (or at once when woken) and applies the changes made
since the last one it applied, a batch at a time:

* ``rows``: to each policy reading that datasource table, incrementally;
* ``policy``: that policy is rebuilt from the database and reconciled, or
  dropped when it is deleted or disabled (its violations stay as they are);
* ``datasource``: every policy of its project is rebuilt and reconciled
  (a datasource's name, tables or ``enabled`` decide what policies read).

After each batch, each policy's violation changes and ``execute[...]``
tuples go to the database in one transaction per policy. Changes missing
from the feed (pruned while the engine lagged) make it reload everything.

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

from healapi.common import messaging
from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.engine import dispatcher as outbox_dispatcher
from healapi.engine import policy_evaluation
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
        #: policy id -> PolicyEvaluation of every enabled policy loaded.
        self._policies = {}
        #: policy id -> project id of the enabled policies that can't be
        #: evaluated; tried again every confirm_interval and when changed.
        self._broken = {}
        #: The last change applied; None until everything is loaded.
        self._last_seq = None
        #: When to confirm violations and prune the feed next.
        self._next_periodic = None
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._threads = []
        self._rpc_server = None
        self._rpc_thread = None
        self._listening = threading.Event()

    # -- the process ------------------------------------------------------

    def start(self):
        self._stopping.clear()
        self.dispatcher.start()
        self._spawn('loop', self._run)
        self._spawn('heartbeat', self._beat)
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
        LOG.info('Engine %s started on %s (pid %d)', self.id, self.host,
                 self.pid)

    def _spawn(self, name, target):
        thread = threading.Thread(target=target, daemon=True,
                                  name='healapi-engine-' + name)
        thread.start()
        self._threads.append(thread)

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
        self._stopping.set()
        self._wakeup.set()
        self._stop_listening()
        for thread in self._threads:
            thread.join()
        self._threads = []
        self.dispatcher.stop()
        try:
            self._dbapi.delete_engine(self.id)
        except DATABASE_ERRORS as error:
            LOG.warning('Could not delete the heartbeat of engine %s (%s); '
                        'it expires by itself.', self.id, _brief(error))
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

    @property
    def listening(self):
        """Whether the engine receives wake-ups from the message bus."""
        return self._listening.is_set()

    @property
    def last_change(self):
        """The number of the last change applied; None until the engine
        has loaded every policy."""
        return self._last_seq

    def _beat(self):
        while True:
            try:
                self._dbapi.record_heartbeat(self.id, self.host, self.pid,
                                             self.version)
            except Exception as error:  # noqa: BLE001 (tried again)
                LOG.warning('Could not record the heartbeat of engine %s '
                            '(%s)', self.id, _brief(error))
            if self._stopping.wait(CONF.engine.heartbeat_interval):
                return

    def _run(self):
        while not self._stopping.is_set():
            # Cleared before the turn: a wake-up during it means another.
            self._wakeup.clear()
            try:
                self.run_once()
            except DATABASE_ERRORS as error:
                LOG.warning('Engine %s: database error (%s); trying again '
                            'shortly.', self.id, _brief(error))
            except Exception:
                LOG.exception('Engine %s: evaluation failed; trying again '
                              'shortly.', self.id)
            self._wakeup.wait(CONF.engine.poll_interval)

    # -- the loop ---------------------------------------------------------

    def run_once(self):
        """One turn of the loop: catch up with the change feed (or load
        everything, the first time), move the clock of the policies that
        read it, record what changed; confirm violations and prune the
        feed when it is time. Raises what the database raises."""
        if self._last_seq is None:
            self._reload(act=False)
        else:
            self._follow_changes()
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
                           in self._projects().items()
                           if project_id in projects)
        if rebuild:
            self._rebuild(rebuild)

    def _projects(self):
        """policy id -> project id of every enabled policy known."""
        projects = dict(self._broken)
        projects.update((evaluation.id, evaluation.policy.project_id)
                        for evaluation in self._policies.values())
        return projects

    def _reload(self, act):
        """Load every enabled policy afresh and reconcile its violations;
        ``act``: see :meth:`.PolicyEvaluation.reconcile`."""
        # Read first: what changes while loading is applied again after.
        counter = self._dbapi.change_counter()
        policies = self._dbapi.list_enabled_policies()
        datasources = collections.defaultdict(dict)
        for datasource in self._dbapi.list_all_datasources():
            datasources[datasource.project_id][datasource.name] = datasource
        for policy_id in set(self._projects()) - {p.id for p in policies}:
            self._drop(policy_id)
        tables = policy_evaluation.TableRows(self._dbapi)
        for policy in policies:
            self._load(policy, datasources[policy.project_id], tables, act)
        self._last_seq = counter
        LOG.info('Engine %s loaded %d enabled policies (%d not evaluable) '
                 'as of change %d', self.id, len(self._policies),
                 len(self._broken), counter)

    def _rebuild(self, policy_ids):
        """Load these policies afresh, or drop those no longer enabled."""
        policies = self._dbapi.list_enabled_policies(sorted(policy_ids))
        for policy_id in set(policy_ids) - {p.id for p in policies}:
            self._drop(policy_id)
        datasources = {}
        tables = policy_evaluation.TableRows(self._dbapi)
        for policy in policies:
            if policy.project_id not in datasources:
                datasources[policy.project_id] = {
                    datasource.name: datasource for datasource in
                    self._dbapi.list_datasources(policy.project_id)}
            self._load(policy, datasources[policy.project_id], tables,
                       act=True)

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
        """Stop evaluating a deleted or disabled policy."""
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
                if findings is not None:
                    self._dbapi.record_violations(evaluation.policy,
                                                  **findings)
                    evaluation.recorded()
                    recorded = True
        finally:
            if recorded:
                self.dispatcher.wake()

    def _periodic(self):
        if self._broken:
            self._rebuild(set(self._broken))
            self._record()
        self._dbapi.confirm_violations(sorted(self._policies))
        self._dbapi.prune_changes(timeutils.utcnow() - datetime.timedelta(
            seconds=CONF.engine.change_retention))
        self._next_periodic = time.monotonic() + CONF.engine.confirm_interval


def _brief(error):
    """The first line of an error's text (a database error's runs on with
    the statement and a link)."""
    return (str(error).splitlines() or [type(error).__name__])[0]
