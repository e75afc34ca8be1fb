"""SQLAlchemy implementation of healapi's database API.

Every public method runs in one transaction (oslo.db enginefacade), so a
failure leaves nothing half-written.
"""

import functools
import hashlib
import json
import threading

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import engines
from oslo_db.sqlalchemy import utils as db_utils
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from healapi.common import events
from healapi.common import exception
from healapi.conf import CONF
from healapi.db import exception as db_exception
from healapi.db.sqlalchemy import held_connections
from healapi.db.sqlalchemy import models

_CONTEXT = threading.local()
_TRANSACTION = enginefacade.transaction_context()
_TRANSACTION.configure(sqlite_fk=True)
#: The status views' reads (see held_connections).
_HELD_CONNECTIONS = held_connections.HeldConnections()


def _sqlite_pragmas(dbapi_connection, connection_record):
    # WAL lets the API read while the engine writes the same SQLite file.
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.close()


def _network_timeouts(dialect, connection_record, cargs, cparams):
    """Bound each new connection's waits by [database]/network_timeout
    (see its help); what the URL sets itself is kept."""
    timeout = CONF.database.network_timeout
    if dialect.driver == 'psycopg2':
        # TCP_USER_TIMEOUT catches a silent peer while a request waits on
        # it; keepalives catch it on an idle pooled connection.
        timeouts = {'connect_timeout': timeout,
                    'tcp_user_timeout': timeout * 1000, 'keepalives': 1,
                    'keepalives_idle': max(1, timeout // 3),
                    'keepalives_interval': max(1, timeout // 9),
                    'keepalives_count': 3}
    elif dialect.driver == 'pymysql':
        timeouts = {'connect_timeout': timeout, 'read_timeout': timeout,
                    'write_timeout': timeout}
    else:
        return
    for name, value in timeouts.items():
        cparams.setdefault(name, value)


def _on_engine_create(engine):
    if engine.dialect.name == 'sqlite' and engine.url.database not in (
            None, '', ':memory:'):
        sa.event.listen(engine, 'connect', _sqlite_pragmas)
    sa.event.listen(engine, 'do_connect', _network_timeouts)


_TRANSACTION.append_on_engine_create(_on_engine_create)


def create_engine(url):
    """A new engine on ``url``, set up as healapi's own (for tests)."""
    engine = engines.create_engine(url, sqlite_fk=True)
    _on_engine_create(engine)
    return engine


_STATUS_COLUMNS = {
    models.Policy: models.Policy.enabled,
    models.Datasource: models.Datasource.enabled,
    models.Violation: models.Violation.status,
}


@functools.cache
def _status_query(model, scoped):
    """The status views' query, built once: SQLAlchemy then finds it
    compiled without building its cache key again."""
    query = sa.select(_STATUS_COLUMNS[model], model.updated_at).where(
        model.id == sa.bindparam('id'))
    if scoped:
        query = query.where(model.project_id == sa.bindparam('project_id'))
    return query


def get_engine():
    return _TRANSACTION.writer.get_engine()


def patch_engine(engine):
    """Use ``engine`` from now on (tests); returns a function undoing it."""
    return _TRANSACTION.patch_engine(engine)


def _reader():
    return _TRANSACTION.reader.using(_CONTEXT)


def _writer():
    return _TRANSACTION.writer.using(_CONTEXT)


def _paginate(scoped, model, filters, limit, marker, sort_keys, sort_dirs):
    """One page of ``scoped`` filtered, ordered by ``sort_keys`` then by id.

    ``scoped`` is the query of every item the caller may see: the marker
    must be one of them (but needn't match ``filters``, which may have
    stopped matching it since the previous page).
    """
    if marker is not None:
        marker_obj = scoped.filter(model.id == marker).first()
        if marker_obj is None:
            raise exception.MarkerNotFound(marker=marker)
        marker = marker_obj
    sort_keys = list(sort_keys or [])
    sort_dirs = list(sort_dirs or [])
    if 'id' not in sort_keys:
        sort_keys.append('id')
        sort_dirs.append(sort_dirs[-1] if sort_dirs else 'asc')
    query = db_utils.paginate_query(_filtered(scoped, model, filters), model,
                                    limit, sort_keys, marker=marker,
                                    sort_dirs=sort_dirs)
    return query.all()


def _filtered(query, model, filters):
    """Apply equality filters and (op, value) comparisons."""
    for key, value in (filters or {}).items():
        column = getattr(model, key)
        if isinstance(value, tuple):
            op, operand = value
            query = query.filter(getattr(column, op)(operand))
        else:
            query = query.filter(column == value)
    return query


def not_found(model, object_id):
    """The error for an object of ``model`` that doesn't exist (or that the
    caller's project can't see)."""
    if model is models.Policy:
        return exception.PolicyNotFound(policy=object_id)
    if model is models.Datasource:
        return exception.DatasourceNotFound(datasource=object_id)
    return exception.ViolationNotFound(violation=object_id)


def _scoped(session, model, project_id):
    """Every object of ``model`` the project sees (all, for None)."""
    query = session.query(model)
    if project_id is not None:
        query = query.filter_by(project_id=project_id)
    return query


def _get(session, model, object_id, project_id):
    found = _scoped(session, model, project_id).filter_by(
        id=object_id).first()
    if found is None:
        raise not_found(model, object_id)
    return found


def values_hash(values):
    """The SHA-256 of a row's canonical JSON: a row's identity in its
    table, and a violation's among its policy's tuples."""
    text = json.dumps(list(values), separators=(',', ':'), ensure_ascii=False)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def _claim_change(session):
    """Take the next change number; the engine reads changes in order.

    The UPDATE locks the counter until the transaction ends, so numbers
    commit in the order they are taken. Callers take it where holding the
    lock costs least, and never lock a policy after it.
    """
    session.execute(sa.update(models.ChangeCounter).where(
        models.ChangeCounter.id == 1).values(
        value=models.ChangeCounter.value + 1))
    return session.execute(sa.select(models.ChangeCounter.value).where(
        models.ChangeCounter.id == 1)).scalar_one()


def _release_change(session):
    """Give back the number :func:`_claim_change` took, for a write that
    changed nothing (the counter is still locked, so nobody saw it). The
    feed then has no holes, and an engine that meets one knows that
    changes it hadn't read were pruned."""
    session.execute(sa.update(models.ChangeCounter).where(
        models.ChangeCounter.id == 1).values(
        value=models.ChangeCounter.value - 1))


def _record_change(session, seq, kind, project_id, object_id,
                   table_name=None, payload=None):
    session.add(models.Change(seq=seq, kind=kind, project_id=project_id,
                              object_id=object_id, table_name=table_name,
                              payload=payload))


def _table_counts(session, datasource_id):
    """{table name: number of rows} of a datasource's non-empty tables."""
    query = sa.select(models.DatasourceRow.table_name, sa.func.count()).where(
        models.DatasourceRow.datasource_id == datasource_id).group_by(
        models.DatasourceRow.table_name)
    return dict(session.execute(query).all())


def _stored_rows(session, datasource_id, table_name):
    """{row hash: values} of a table's rows."""
    return dict(session.execute(sa.select(
        models.DatasourceRow.row_hash, models.DatasourceRow.values).where(
        models.DatasourceRow.datasource_id == datasource_id,
        models.DatasourceRow.table_name == table_name)).all())


def _replacement(session, datasource_id, table_name, rows):
    """(table, added, removed) that make ``rows`` the whole table; rows
    are added in the order given, so they are listed in that order."""
    wanted = {values_hash(row): list(row) for row in rows}
    stored = _stored_rows(session, datasource_id, table_name)
    return (table_name,
            {key: row for key, row in wanted.items() if key not in stored},
            {key: row for key, row in stored.items() if key not in wanted})


def _poll_of(session, datasource_id, now):
    """The poll status of a datasource, created if it has none, marked
    polled ``now``."""
    poll = session.get(models.DatasourcePoll, datasource_id)
    if poll is None:
        poll = models.DatasourcePoll(datasource_id=datasource_id,
                                     consecutive_failures=0, tables=[])
        session.add(poll)
    poll.last_polled_at = now
    return poll


def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Outbox:
    """Writes the outbox events of one evaluation of a policy: one per
    target, the log or broker notification first, then each webhook."""

    def __init__(self, policy, now):
        self.policy = policy
        self.now = now

    def _add(self, session, event_type, target, payload, url=None,
             violation_id=None):
        delivery_key = None
        if violation_id is not None:
            delivery_key = values_hash([violation_id, event_type, target,
                                        url or ''])
        session.add(models.OutboxEvent(
            event_id=payload['event_id'], event_type=event_type,
            target=target, url=url, delivery_key=delivery_key,
            policy_id=self.policy.id,
            project_id=self.policy.project_id, violation_id=violation_id,
            payload=payload, status='pending', created_at=self.now,
            attempts=0, next_attempt_at=self.now))

    def announce(self, session, event_type, violation):
        payload = events.violation_event(
            event_type, uuidutils.generate_uuid(), violation,
            self.policy.name)
        self._add(session, event_type, 'notification', payload,
                  violation_id=violation.id)
        for action in self.policy.actions:
            if action.get('type') == 'webhook':
                self._add(session, event_type, 'webhook', payload,
                          url=action['url'], violation_id=violation.id)

    def execute(self, session, action, args):
        payload = events.action_event(
            uuidutils.generate_uuid(), self.policy.id, self.policy.name,
            self.policy.project_id, action, args)
        self._add(session, events.ACTION_EXECUTE, 'action', payload)


class Connection:
    """The database operations the API and the engine use."""

    # -- policies ---------------------------------------------------------

    def create_policy(self, values, rules):
        """Create a policy and its ``rules`` (dicts) in one transaction."""
        policy = models.Policy(id=uuidutils.generate_uuid(), **values)
        policy.rules = [self._new_rule(position, rule)
                        for position, rule in enumerate(rules)]
        try:
            with _writer() as session:
                session.add(policy)
                session.flush()
                _record_change(session, _claim_change(session), 'policy',
                               policy.project_id, policy.id)
        except db_exc.DBDuplicateEntry:
            raise exception.DuplicateName(resource='policy',
                                          name=values['name'])
        return policy

    @staticmethod
    def _new_rule(position, values):
        return models.Rule(id=uuidutils.generate_uuid(), position=position,
                           **values)

    def get_policy(self, policy_id, project_id=None):
        with _reader() as session:
            return _get(session, models.Policy, policy_id, project_id)

    def list_policies(self, project_id=None, filters=None, limit=None,
                      marker=None, sort_keys=None, sort_dirs=None):
        with _reader() as session:
            return _paginate(_scoped(session, models.Policy, project_id),
                             models.Policy, filters, limit, marker,
                             sort_keys, sort_dirs)

    def _claim_policy(self, session, policy_id, project_id):
        """Raise a policy's revision as the transaction's first statement.

        The UPDATE makes every other writer of the policy wait until this
        transaction ends (on its row, or on the whole SQLite database)
        before it reads anything, so concurrent read-modify-writes of the
        policy and its rules can't interleave. Returns the policy, loaded
        after the claim.
        """
        claim = sa.update(models.Policy).where(
            models.Policy.id == policy_id).values(
            revision=models.Policy.revision + 1,
            updated_at=timeutils.utcnow())
        if project_id is not None:
            claim = claim.where(models.Policy.project_id == project_id)
        if session.execute(claim).rowcount == 0:
            raise not_found(models.Policy, policy_id)
        return _get(session, models.Policy, policy_id, project_id)

    def update_policy(self, policy_id, values, rules=None, project_id=None):
        """Update a policy; ``rules``, when given, replace all its rules."""
        if not values and rules is None:
            return self.get_policy(policy_id, project_id)
        try:
            with _writer() as session:
                policy = self._claim_policy(session, policy_id, project_id)
                for key, value in values.items():
                    setattr(policy, key, value)
                if rules is not None:
                    policy.rules = []
                    session.flush()
                    policy.rules = [self._new_rule(position, rule)
                                    for position, rule in enumerate(rules)]
                session.flush()
                _record_change(session, _claim_change(session), 'policy',
                               policy.project_id, policy.id)
        except db_exc.DBDuplicateEntry:
            raise exception.DuplicateName(resource='policy',
                                          name=values.get('name'))
        return policy

    def delete_policy(self, policy_id, project_id=None):
        with _writer() as session:
            policy = _get(session, models.Policy, policy_id, project_id)
            session.delete(policy)
            session.flush()
            _record_change(session, _claim_change(session), 'policy',
                           policy.project_id, policy.id)

    # -- rules of a policy -------------------------------------------------

    def add_rule(self, policy_id, values, project_id=None, check=None):
        """Append a rule to a policy, raising its revision.

        ``check``, given the texts of the policy's rules with the new one
        last, may raise to refuse the rule: it sees them after the policy is
        claimed, so no concurrent change slips between check and write.
        """
        with _writer() as session:
            policy = self._claim_policy(session, policy_id, project_id)
            if check is not None:
                check([rule.rule for rule in policy.rules] + [values['rule']])
            position = max((r.position for r in policy.rules), default=-1) + 1
            rule = self._new_rule(position, values)
            policy.rules.append(rule)
            session.flush()
            _record_change(session, _claim_change(session), 'policy',
                           policy.project_id, policy.id)
        return rule

    def get_rule(self, policy_id, rule_id, project_id=None):
        with _reader() as session:
            return self._find_rule(
                _get(session, models.Policy, policy_id, project_id), rule_id)

    @staticmethod
    def _find_rule(policy, rule_id):
        for rule in policy.rules:
            if rule.id == rule_id:
                return rule
        raise exception.RuleNotFound(rule=rule_id, policy=policy.id)

    def delete_rule(self, policy_id, rule_id, project_id=None):
        """Delete one rule of a policy, raising its revision."""
        with _writer() as session:
            policy = self._claim_policy(session, policy_id, project_id)
            policy.rules.remove(self._find_rule(policy, rule_id))
            session.flush()
            _record_change(session, _claim_change(session), 'policy',
                           policy.project_id, policy.id)

    # -- datasources -------------------------------------------------------

    def create_datasource(self, values):
        # A new datasource has not been polled (and poll is then loaded).
        datasource = models.Datasource(id=uuidutils.generate_uuid(),
                                       poll=None, **values)
        try:
            with _writer() as session:
                seq = _claim_change(session)
                session.add(datasource)
                session.flush()
                _record_change(session, seq, 'datasource',
                               datasource.project_id, datasource.id)
        except db_exc.DBDuplicateEntry:
            raise exception.DuplicateName(resource='datasource',
                                          name=values['name'])
        return datasource

    def get_datasource(self, datasource_id, project_id=None):
        with _reader() as session:
            return _get(session, models.Datasource, datasource_id, project_id)

    def list_datasources(self, project_id=None, filters=None, limit=None,
                         marker=None, sort_keys=None, sort_dirs=None):
        with _reader() as session:
            return _paginate(_scoped(session, models.Datasource, project_id),
                             models.Datasource, filters, limit, marker,
                             sort_keys, sort_dirs)

    def update_datasource(self, datasource_id, values, project_id=None,
                          check=None):
        """Update a datasource. ``check(stored, values)``, when given, may
        raise to refuse the change; it runs once the change is claimed, so
        no concurrent push slips between check and write."""
        try:
            with _writer() as session:
                seq = _claim_change(session)
                datasource = _get(session, models.Datasource,
                                  datasource_id, project_id)
                if check is not None:
                    check(datasource, values,
                          _table_counts(session, datasource.id))
                for key, value in values.items():
                    setattr(datasource, key, value)
                datasource.updated_at = timeutils.utcnow()
                session.flush()
                _record_change(session, seq, 'datasource',
                               datasource.project_id, datasource.id)
        except db_exc.DBDuplicateEntry:
            raise exception.DuplicateName(resource='datasource',
                                          name=values.get('name'))
        return datasource

    def delete_datasource(self, datasource_id, project_id=None):
        with _writer() as session:
            seq = _claim_change(session)
            datasource = _get(session, models.Datasource, datasource_id,
                              project_id)
            session.delete(datasource)
            session.flush()
            _record_change(session, seq, 'datasource',
                           datasource.project_id, datasource.id)

    # -- datasource rows ---------------------------------------------------

    def table_counts(self, datasource_id, project_id=None):
        """{table: number of rows} of the datasource's non-empty tables."""
        with _reader() as session:
            _get(session, models.Datasource, datasource_id, project_id)
            return _table_counts(session, datasource_id)

    def list_rows(self, datasource_id, table_name, project_id=None,
                  limit=None, marker=None):
        """A page of a table's rows, in the order they were stored.

        ``marker`` is the id of the last row of the previous page.
        """
        with _reader() as session:
            _get(session, models.Datasource, datasource_id, project_id)
            query = session.query(models.DatasourceRow).filter_by(
                datasource_id=datasource_id, table_name=table_name)
            if marker is not None:
                query = query.filter(models.DatasourceRow.id > marker)
            query = query.order_by(models.DatasourceRow.id)
            if limit is not None:
                query = query.limit(limit)
            return query.all()

    def rows_of(self, datasource_id, table_name):
        """Every row of a table, as lists of values (for evaluation)."""
        query = sa.select(models.DatasourceRow.values).where(
            models.DatasourceRow.datasource_id == datasource_id,
            models.DatasourceRow.table_name == table_name)
        with _reader() as session:
            return [values for (values,) in session.execute(query)]

    def replace_rows(self, datasource_id, table_name, rows,
                     project_id=None):
        """Make ``rows`` (lists of values) the whole table.

        Returns (rows added, rows removed); rows already there stay.
        """
        with _writer() as session:
            seq = _claim_change(session)
            datasource = _get(session, models.Datasource, datasource_id,
                              project_id)
            return self._store_diffs(session, seq, datasource, [
                _replacement(session, datasource_id, table_name, rows)])[
                table_name]

    def change_keyed_rows(self, datasource_id, changes):
        """Give keys new rows, in one transaction: ``changes`` is a list of
        (table, key position, {key: rows}), where a key's rows (lists of
        values, whose value at the key position is the key) replace the
        rows that have that key; a key given no rows loses its rows. With
        the key position None, ``{None: rows}`` replaces the whole table.

        Returns {table: (rows added, rows removed)}.
        """
        with _writer() as session:
            seq = _claim_change(session)
            datasource = _get(session, models.Datasource, datasource_id,
                              None)
            diffs = []
            for table_name, position, rows_by_key in changes:
                if position is None:
                    diffs.append(_replacement(session, datasource_id,
                                              table_name, rows_by_key[None]))
                    continue
                stored = _stored_rows(session, datasource_id, table_name)
                wanted = {values_hash(row): list(row)
                          for rows in rows_by_key.values() for row in rows}
                removed = {key: values for key, values in stored.items()
                           if len(values) > position
                           and values[position] in rows_by_key
                           and key not in wanted}
                added = {key: values for key, values in wanted.items()
                         if key not in stored}
                diffs.append((table_name, added, removed))
            return self._store_diffs(session, seq, datasource, diffs)

    def record_poll(self, datasource_id, tables):
        """Record a successful poll: each of ``tables`` ({table: rows})
        replaced by its rows, every other table emptied (no policy reads
        it any more), and the poll status, in one transaction. Returns
        {table: (added, removed)}."""
        now = timeutils.utcnow()
        with _writer() as session:
            seq = _claim_change(session)
            datasource = _get(session, models.Datasource, datasource_id,
                              None)
            emptied = set(_table_counts(session, datasource_id)) - set(tables)
            written = self._store_diffs(session, seq, datasource, [
                _replacement(session, datasource_id, table_name, rows)
                for table_name, rows in [*tables.items(),
                                         *((name, []) for name in emptied)]])
            poll = _poll_of(session, datasource_id, now)
            poll.last_success_at = now
            poll.consecutive_failures = 0
            poll.tables = sorted(tables)
            return written

    def record_poll_failure(self, datasource_id, error):
        """Record a failed poll of a datasource, which keeps its rows."""
        now = timeutils.utcnow()
        with _writer() as session:
            if session.get(models.Datasource, datasource_id) is None:
                return
            poll = _poll_of(session, datasource_id, now)
            poll.last_error = error
            poll.last_error_at = now
            poll.consecutive_failures = (poll.consecutive_failures or 0) + 1

    def change_rows(self, datasource_id, table_name, inserts, deletes,
                    project_id=None):
        """Delete then insert rows (lists of values) of one table.

        Deleting a row that isn't there or inserting one that is changes
        nothing. Returns (rows added, rows removed).
        """
        deletes = {values_hash(row): list(row) for row in deletes}
        inserts = {values_hash(row): list(row) for row in inserts}
        with _writer() as session:
            seq = _claim_change(session)
            datasource = _get(session, models.Datasource, datasource_id,
                              project_id)
            stored = set()
            for chunk in _chunks(deletes.keys() | inserts.keys()):
                stored.update(session.execute(sa.select(
                    models.DatasourceRow.row_hash).where(
                    models.DatasourceRow.datasource_id == datasource_id,
                    models.DatasourceRow.table_name == table_name,
                    models.DatasourceRow.row_hash.in_(chunk))).scalars())
            removed = {key: deletes[key] for key in deletes.keys() & stored}
            remaining = stored - removed.keys()
            added = {key: inserts[key]
                     for key in inserts if key not in remaining}
            # A row deleted and inserted in one request stays as it was.
            for key in removed.keys() & added.keys():
                del removed[key], added[key]
            return self._store_diffs(session, seq, datasource, [
                (table_name, added, removed)])[table_name]

    @staticmethod
    def _store_diffs(session, seq, datasource, diffs):
        """Store each (table, added, removed) of ``diffs`` ({row hash:
        values} each) as a change of its own: the first table that changes
        takes ``seq``, each later one a new number. ``seq`` is given back
        if nothing changes. Returns {table: (rows added, rows removed)}."""
        now = timeutils.utcnow()
        written = {}
        for table_name, added, removed in diffs:
            written[table_name] = (len(added), len(removed))
            if not (added or removed):
                continue
            if seq is None:
                seq = _claim_change(session)
            for chunk in _chunks(removed):
                session.execute(sa.delete(models.DatasourceRow).where(
                    models.DatasourceRow.datasource_id == datasource.id,
                    models.DatasourceRow.table_name == table_name,
                    models.DatasourceRow.row_hash.in_(chunk)))
            if added:
                session.execute(sa.insert(models.DatasourceRow), [
                    {'datasource_id': datasource.id,
                     'table_name': table_name, 'row_hash': key,
                     'values': values, 'created_at': now}
                    for key, values in added.items()])
            _record_change(session, seq, 'rows', datasource.project_id,
                           datasource.id, table_name,
                           {'added': list(added.values()),
                            'removed': list(removed.values())})
            seq = None
        if seq is not None:
            _release_change(session)
        return written

    # -- what the engine reads ---------------------------------------------

    def change_counter(self):
        """The number of the last change committed (cheap, for polling)."""
        with _reader() as session:
            return session.execute(sa.select(models.ChangeCounter.value).where(
                models.ChangeCounter.id == 1)).scalar_one()

    def list_changes(self, after, limit=1000):
        """The changes numbered after ``after``, oldest first."""
        with _reader() as session:
            return session.query(models.Change).filter(
                models.Change.seq > after).order_by(
                models.Change.seq).limit(limit).all()

    def prune_changes(self, before):
        """Forget changes made before ``before``; returns how many."""
        with _writer() as session:
            return session.execute(sa.delete(models.Change).where(
                models.Change.created_at < before)).rowcount

    def list_enabled_policies(self, policy_ids=None):
        """The enabled policies (of ``policy_ids`` when given), with
        their rules."""
        with _reader() as session:
            query = session.query(models.Policy).filter_by(enabled=True)
            if policy_ids is not None:
                query = query.filter(models.Policy.id.in_(policy_ids))
            return query.all()

    def list_all_datasources(self):
        """Every datasource of every project."""
        with _reader() as session:
            return session.query(models.Datasource).all()

    # -- violations --------------------------------------------------------

    def get_violation(self, violation_id, project_id=None):
        with _reader() as session:
            return _get(session, models.Violation, violation_id, project_id)

    def list_violations(self, project_id=None, filters=None, limit=None,
                        marker=None, sort_keys=None, sort_dirs=None):
        with _reader() as session:
            return _paginate(_scoped(session, models.Violation, project_id),
                             models.Violation, filters, limit, marker,
                             sort_keys, sort_dirs)

    def acknowledge_violation(self, violation_id, acknowledged_by,
                              project_id=None):
        """Record that an operator has seen a violation (idempotent).

        The first acknowledgement wins, also against concurrent ones: the
        conditional UPDATE only changes a violation nobody acknowledged yet,
        and waits for any other writer of it to finish first.
        """
        now = timeutils.utcnow()
        acknowledge = sa.update(models.Violation).where(
            models.Violation.id == violation_id,
            models.Violation.acknowledged_at.is_(None)).values(
            acknowledged_at=now, acknowledged_by=acknowledged_by,
            updated_at=now)
        if project_id is not None:
            acknowledge = acknowledge.where(
                models.Violation.project_id == project_id)
        with _writer() as session:
            session.execute(acknowledge)
            violation = _get(session, models.Violation, violation_id,
                             project_id)
        return violation

    def active_violation_values(self, policy_id):
        """The tuples (lists of values) of a policy's active violations."""
        query = sa.select(models.Violation.values).where(
            models.Violation.policy_id == policy_id,
            models.Violation.status == 'active')
        with _reader() as session:
            return [values for (values,) in session.execute(query)]

    def record_violations(self, policy, engine_id, appeared=(),
                          disappeared=(), executions=()):
        """Write what one evaluation of ``policy`` by engine ``engine_id``
        found, in one transaction, with the outbox events announcing it.

        Only the policy's owner (see :meth:`claim_policies`) may write:
        its ownership is checked, and locked, by the transaction's first
        statement, so writers of one policy never interleave and an engine
        that lost the policy writes nothing (:class:`PolicyNotOwned`).

        ``appeared``: (values, trace or None) of tuples newly derived into
        the policy's violation table; each becomes an active violation
        (linked to the tuple's previous one, if any) unless one is active
        already. ``disappeared``: values of tuples no longer derived; their
        active violations are resolved. ``executions``: (action, args) of
        ``execute[...]`` tuples newly derived. Returns the violations
        created and resolved.
        """
        now = timeutils.utcnow()
        changed = []
        outbox = _Outbox(policy, now)
        with _writer() as session:
            owned = session.execute(sa.update(models.PolicyOwner).where(
                models.PolicyOwner.policy_id == policy.id,
                models.PolicyOwner.engine_id == engine_id).values(
                recorded_at=now)).rowcount
            if not owned:
                raise db_exception.PolicyNotOwned(policy.id, engine_id)
            for values, trace in appeared:
                violation = self._open_violation(session, policy, values,
                                                 trace, now)
                if violation is not None:
                    changed.append(violation)
                    outbox.announce(session, events.VIOLATION_ACTIVE,
                                    violation)
            for chunk in _chunks(values_hash(values)
                                 for values in disappeared):
                for violation in session.query(models.Violation).filter(
                        models.Violation.policy_id == policy.id,
                        models.Violation.active_key.in_(chunk)):
                    violation.status = 'resolved'
                    violation.active_key = None
                    violation.resolved_at = violation.last_seen_at = now
                    violation.updated_at = now
                    changed.append(violation)
                    outbox.announce(session, events.VIOLATION_RESOLVED,
                                    violation)
            for action, args in executions:
                outbox.execute(session, action, args)
        return changed

    @staticmethod
    def _open_violation(session, policy, values, trace, now):
        key = values_hash(values)
        earlier = session.query(models.Violation).filter_by(
            policy_id=policy.id, tuple_hash=key).order_by(
            models.Violation.first_seen_at.desc()).first()
        if earlier is not None and earlier.status == 'active':
            return None
        violation = models.Violation(
            id=uuidutils.generate_uuid(), policy_id=policy.id,
            project_id=policy.project_id,
            table_name=policy.violation_table, tuple_hash=key,
            active_key=key, values=list(values), severity=policy.severity,
            status='active', first_seen_at=now, last_seen_at=now,
            previous_id=None if earlier is None else earlier.id,
            trace=trace, created_at=now, updated_at=now)
        session.add(violation)
        return violation

    def confirm_violations(self, policy_ids):
        """Record that the active violations of ``policy_ids`` are still
        derived (``last_seen_at``); their status and ETag don't change."""
        now = timeutils.utcnow()
        with _writer() as session:
            for chunk in _chunks(policy_ids):
                session.execute(sa.update(models.Violation).where(
                    models.Violation.policy_id.in_(chunk),
                    models.Violation.status == 'active').values(
                    last_seen_at=now,
                    updated_at=models.Violation.updated_at))

    # -- the outbox --------------------------------------------------------

    def due_outbox_events(self, limit=100):
        """Pending outbox events due now, oldest first, each the earliest
        pending one of its violation and target (so that a receiver sees a
        violation's changes in order)."""
        earlier = sa.orm.aliased(models.OutboxEvent)
        outbox = models.OutboxEvent
        blocked = sa.exists().where(
            earlier.status == 'pending', earlier.id < outbox.id,
            earlier.violation_id == outbox.violation_id,
            earlier.target == outbox.target,
            sa.or_(earlier.url == outbox.url,
                   sa.and_(earlier.url.is_(None), outbox.url.is_(None))))
        with _reader() as session:
            return session.query(outbox).filter(
                outbox.status == 'pending',
                outbox.next_attempt_at <= timeutils.utcnow(),
                sa.or_(outbox.violation_id.is_(None), ~blocked)).order_by(
                outbox.id).limit(limit).all()

    def claim_outbox_event(self, event, lease_until):
        """Take ``event`` (as :meth:`due_outbox_events` returned it) to
        deliver, unless another dispatcher took it since; until
        ``lease_until`` nobody else will."""
        with _writer() as session:
            return session.execute(sa.update(models.OutboxEvent).where(
                models.OutboxEvent.id == event.id,
                models.OutboxEvent.status == 'pending',
                models.OutboxEvent.next_attempt_at ==
                event.next_attempt_at).values(
                next_attempt_at=lease_until)).rowcount == 1

    def record_attempt(self, event_id, succeeded, detail, duration_ms,
                       retry_at=None):
        """Record one delivery attempt of an outbox event.

        Succeeded, the event is delivered; failed, it is tried again at
        ``retry_at``, or marked failed when that is None.
        """
        now = timeutils.utcnow()
        if succeeded:
            outcome = {'status': 'delivered', 'dispatched_at': now}
        elif retry_at is None:
            outcome = {'status': 'failed', 'dispatched_at': now}
        else:
            outcome = {'next_attempt_at': retry_at}
        with _writer() as session:
            session.add(models.OutboxAttempt(
                outbox_id=event_id, attempted_at=now, succeeded=succeeded,
                detail=detail, duration_ms=duration_ms))
            session.execute(sa.update(models.OutboxEvent).where(
                models.OutboxEvent.id == event_id).values(
                attempts=models.OutboxEvent.attempts + 1,
                last_error=None if succeeded else detail, **outcome))

    def list_outbox_events(self, project_id=None, filters=None, limit=None,
                           marker=None):
        """A page of outbox events with their attempts, oldest first."""
        with _reader() as session:
            query = session.query(models.OutboxEvent)
            if project_id is not None:
                query = query.filter_by(project_id=project_id)
            query = _filtered(query, models.OutboxEvent, filters)
            if marker is not None:
                query = query.filter(models.OutboxEvent.id > marker)
            query = query.order_by(models.OutboxEvent.id)
            if limit is not None:
                query = query.limit(limit)
            return query.all()

    # -- engines -----------------------------------------------------------

    def record_heartbeat(self, engine_id, host, pid, version,
                         coordinated=False):
        """Say that engine ``engine_id`` is alive now."""
        now = timeutils.utcnow()
        with _writer() as session:
            updated = session.execute(sa.update(models.Engine).where(
                models.Engine.id == engine_id).values(
                heartbeat_at=now)).rowcount
            if not updated:
                session.add(models.Engine(
                    id=engine_id, host=host, pid=pid, version=version,
                    started_at=now, heartbeat_at=now,
                    coordinated=coordinated))

    def claim_policies(self, engine_id, policy_ids):
        """Make engine ``engine_id`` the owner of these policies (those that
        still exist), whoever owned them before: from now on only its
        findings are recorded. Returns the ids of those that had no owner
        yet (new policies)."""
        now = timeutils.utcnow()
        owners = models.PolicyOwner
        unowned = set()
        with _writer() as session:
            for chunk in _chunks(sorted(policy_ids)):
                session.execute(sa.update(owners).where(
                    owners.policy_id.in_(chunk)).values(
                    engine_id=engine_id, claimed_at=now))
                owned = set(session.execute(sa.select(owners.policy_id).where(
                    owners.policy_id.in_(chunk))).scalars())
                existing = set(session.execute(sa.select(
                    models.Policy.id).where(models.Policy.id.in_(
                        set(chunk) - owned))).scalars())
                if existing:
                    session.execute(sa.insert(owners), [
                        {'policy_id': policy_id, 'engine_id': engine_id,
                         'claimed_at': now} for policy_id in existing])
                unowned |= existing
        return unowned

    def list_owned_policies(self, engine_ids):
        """{engine id: sorted ids of the policies it owns} of these
        engines."""
        owned = {engine_id: [] for engine_id in engine_ids}
        query = sa.select(models.PolicyOwner.engine_id,
                          models.PolicyOwner.policy_id).where(
            models.PolicyOwner.engine_id.in_(list(engine_ids))).order_by(
            models.PolicyOwner.policy_id)
        with _reader() as session:
            for engine_id, policy_id in session.execute(query):
                owned[engine_id].append(policy_id)
        return owned

    def delete_engine(self, engine_id):
        with _writer() as session:
            session.execute(sa.delete(models.Engine).where(
                models.Engine.id == engine_id))

    def list_engines(self, alive_since):
        """The engines with a heartbeat since ``alive_since``."""
        with _reader() as session:
            return session.query(models.Engine).filter(
                models.Engine.heartbeat_at >= alive_since).order_by(
                models.Engine.started_at, models.Engine.id).all()

    # -- health ------------------------------------------------------------

    def ping(self):
        """One round trip to the database (for healthchecks)."""
        with _reader() as session:
            session.execute(sa.text('SELECT 1'))

    # -- the status-by-UUID view -------------------------------------------

    def get_status(self, model, object_id, project_id=None):
        """(status column value, updated_at) of one object, or None.

        One narrow query, for callers that poll status all day.
        """
        parameters = {'id': object_id}
        if project_id is not None:
            parameters['project_id'] = project_id
        return _HELD_CONNECTIONS.first(
            _TRANSACTION.reader.get_engine(),
            _status_query(model, scoped=project_id is not None), parameters)
