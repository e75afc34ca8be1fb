"""SQLAlchemy implementation of healapi's database API.

Every public method runs in one transaction (oslo.db enginefacade), so a
failure leaves nothing half-written.
"""

import threading

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import engines
from oslo_db.sqlalchemy import utils as db_utils
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from healapi.common import exception
from healapi.db.sqlalchemy import models

_CONTEXT = threading.local()
_TRANSACTION = enginefacade.transaction_context()
_TRANSACTION.configure(sqlite_fk=True)


def _sqlite_pragmas(dbapi_connection, connection_record):
    # WAL lets the API read while the engine writes the same SQLite file.
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.close()


def _on_engine_create(engine):
    if engine.dialect.name == 'sqlite' and engine.url.database not in (
            None, '', ':memory:'):
        sa.event.listen(engine, 'connect', _sqlite_pragmas)


_TRANSACTION.append_on_engine_create(_on_engine_create)


def create_engine(url):
    """A new engine on ``url``, set up as healapi's own (for tests)."""
    engine = engines.create_engine(url, sqlite_fk=True)
    _on_engine_create(engine)
    return engine


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
        except db_exc.DBDuplicateEntry:
            raise exception.DuplicateName(resource='policy',
                                          name=values.get('name'))
        return policy

    def delete_policy(self, policy_id, project_id=None):
        with _writer() as session:
            session.delete(_get(session, models.Policy, policy_id,
                                project_id))

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

    # -- datasources -------------------------------------------------------

    def create_datasource(self, values):
        datasource = models.Datasource(id=uuidutils.generate_uuid(),
                                       **values)
        try:
            with _writer() as session:
                session.add(datasource)
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

    def update_datasource(self, datasource_id, values, project_id=None):
        try:
            with _writer() as session:
                datasource = _get(session, models.Datasource,
                                  datasource_id, project_id)
                for key, value in values.items():
                    setattr(datasource, key, value)
                datasource.updated_at = timeutils.utcnow()
        except db_exc.DBDuplicateEntry:
            raise exception.DuplicateName(resource='datasource',
                                          name=values.get('name'))
        return datasource

    def delete_datasource(self, datasource_id, project_id=None):
        with _writer() as session:
            session.delete(_get(session, models.Datasource, datasource_id,
                                project_id))

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

    # -- the status-by-UUID view -------------------------------------------

    _STATUS_COLUMNS = {
        models.Policy: models.Policy.enabled,
        models.Datasource: models.Datasource.enabled,
        models.Violation: models.Violation.status,
    }

    def get_status(self, model, object_id, project_id=None):
        """(status column value, updated_at) of one object, or None.

        One narrow query, for callers that poll status all day.
        """
        query = sa.select(self._STATUS_COLUMNS[model], model.updated_at).where(
            model.id == object_id)
        if project_id is not None:
            query = query.where(model.project_id == project_id)
        with _reader() as session:
            return session.execute(query).first()
