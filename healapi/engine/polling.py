"""Polling the pull datasources an engine owns.

A :class:`Poller` thread looks every second at the enabled datasources of
pull drivers that this engine owns (the same hash ring as policies, so
each is polled by one engine of the group) and polls each one that is due
(every ``poll_interval``) in a worker thread of its own, so that a slow or
hung service delays no other datasource.

A poll fetches only the tables that some enabled policy of the
datasource's project reads (``ds:table`` in a rule), and empties those no
policy reads any more; when a policy starts reading another table, the
datasource is polled at once. A successful poll replaces the rows of each
table it fetched, changing only the rows that changed, and records its
status, in one transaction; a failed one records its error and leaves the
rows as they were, so that policies keep the last good data.
"""

from concurrent import futures
import time

from oslo_log import log

from healapi.common import drivers
from healapi.common import errors
from healapi.common import policy_program
from healapi.common import secrets
from healapi.conf import CONF
from healapi.engine.datasources import base

LOG = log.getLogger(__name__)

#: Seconds between two looks at which datasources are due.
TICK = 1.0


class ReadTables:
    """{(project id, datasource name): tables read} of the enabled
    policies, each policy parsed once per revision."""

    def __init__(self):
        self._parsed = {}

    def of(self, policies):
        read = {}
        parsed = {}
        for policy in policies:
            key = (policy.id, policy.revision)
            tables = self._parsed.get(key)
            if tables is None:
                tables = self._tables_of(policy)
            parsed[key] = tables
            for datasource, table in tables:
                read.setdefault((policy.project_id, datasource),
                                set()).add(table)
        self._parsed = parsed
        return read

    @staticmethod
    def _tables_of(policy):
        try:
            compiled = policy_program.compile_policy(policy)
        except Exception:  # noqa: BLE001 (the engine reports it)
            return ()
        return tuple(filter(None, map(policy_program.datasource_table,
                                      compiled.base_tables)))


class Poller:
    """Polls the pull datasources :attr:`owns` says are this engine's;
    ``on_change()`` is called after a poll that changed rows."""

    def __init__(self, dbapi, owns, on_change):
        self._dbapi = dbapi
        self._owns = owns
        self._on_change = on_change
        self._read_tables = ReadTables()
        self._executor = futures.ThreadPoolExecutor(
            CONF.datasources.poll_workers,
            thread_name_prefix='healapi-engine-poll')
        #: datasource id -> when it is due (time.monotonic()).
        self._due = {}
        #: datasource id -> (updated_at, tables) it was last polled with.
        self._polled_with = {}
        #: datasource id -> the Future of its poll under way.
        self._running = {}
        #: datasource id -> (updated_at, driver instance): drivers keep
        #: what they may reuse between polls (a Keystone token).
        self._drivers = {}

    def run(self, stopping):
        """Poll until ``stopping`` (a threading.Event) is set."""
        try:
            while not stopping.is_set():
                try:
                    self.poll_due()
                except Exception as error:  # noqa: BLE001 (tried again)
                    LOG.warning('Could not look for datasources to poll '
                                '(%s); trying again shortly.',
                                errors.brief(error))
                stopping.wait(TICK)
        finally:
            self.close()

    def close(self):
        """Start no more polls. One under way ends within
        ``[datasources]/request_timeout``."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def poll_due(self, now=None):
        """Start a poll of each owned pull datasource that is due, or whose
        tables or config changed since its last poll. Returns the Futures
        of the polls started."""
        now = time.monotonic() if now is None else now
        pulled = [datasource for datasource
                  in self._dbapi.list_all_datasources()
                  if datasource.enabled
                  and drivers.kind_of(datasource.driver) == drivers.PULL
                  and self._owns(datasource.id)]
        read = self._read_tables.of(self._dbapi.list_enabled_policies())
        started = []
        for datasource in pulled:
            running = self._running.get(datasource.id)
            if running is not None and not running.done():
                continue
            driver = drivers.find(datasource.driver)
            tables = sorted(set(driver.declared_tables(datasource.config))
                            & read.get((datasource.project_id,
                                        datasource.name), set()))
            polled_with = (datasource.updated_at, tables)
            if (now < self._due.get(datasource.id, now)
                    and polled_with == self._polled_with.get(datasource.id)):
                continue
            self._due[datasource.id] = now + driver.poll_interval(
                datasource.poll_interval)
            self._polled_with[datasource.id] = polled_with
            future = self._executor.submit(
                self.poll, datasource, self._driver(datasource, driver),
                tables)
            self._running[datasource.id] = future
            started.append(future)
        self._forget(set(self._due) - {datasource.id for datasource in pulled})
        return started

    def _driver(self, datasource, driver):
        updated_at, instance = self._drivers.get(datasource.id, (None, None))
        if instance is None or updated_at != datasource.updated_at:
            instance = driver(self._dbapi)
            self._drivers[datasource.id] = (datasource.updated_at, instance)
        return instance

    def _forget(self, datasource_ids):
        """Forget datasources deleted, disabled or no longer owned: the
        next engine to own one polls it at once."""
        for datasource_id in datasource_ids:
            for state in (self._due, self._polled_with, self._running,
                          self._drivers):
                state.pop(datasource_id, None)

    def poll(self, datasource, driver, tables):
        """Poll ``datasource`` for ``tables`` with ``driver`` (an instance)
        and record the outcome."""
        try:
            self._poll(datasource, driver, tables)
        except Exception as error:  # noqa: BLE001 (polled again when due)
            LOG.warning('Could not record the poll of datasource %s (%s): '
                        '%s', datasource.id, datasource.name,
                        errors.brief(error))

    def _poll(self, datasource, driver, tables):
        try:
            rows = (driver.fetch(secrets.opened(datasource.config), tables)
                    if tables else {})
        except (base.PollFailed, secrets.Unreadable) as error:
            self._failed(datasource, str(error))
            return
        except Exception as error:  # noqa: BLE001 (a driver's bug)
            LOG.exception('The %s driver failed to poll datasource %s',
                          datasource.driver, datasource.id)
            self._failed(datasource, 'unexpected error in the %s driver: %s'
                         % (datasource.driver, errors.brief(error)))
            return
        written = self._dbapi.record_poll(datasource.id, rows)
        changed = {table: counts for table, counts in written.items()
                   if any(counts)}
        LOG.debug('Polled datasource %s (%s): %s', datasource.id,
                  datasource.name, changed or 'no change')
        if changed:
            self._on_change()

    def _failed(self, datasource, error):
        LOG.warning('Poll of datasource %s (%s) failed: %s', datasource.id,
                    datasource.name, error)
        self._dbapi.record_poll_failure(datasource.id, error)
