"""What a policy derives now, and what it would derive after changes:
``/v1/policies/{id}/tables/{table}/rows`` and ``/v1/policies/{id}/simulate``.

The API evaluates the policy itself, on request, from the rows stored now,
so the answer is what the engine reaches once it has applied every change
committed so far; nothing is stored.
"""

from wsme import types as wtypes
from wsmeext import pecan as wsme_pecan

from healapi.api import rbac
from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import collection
from healapi.api.controllers.v1 import datasource_tables
from healapi.api.controllers.v1 import types
from healapi.common import exception
from healapi.common import policy_program
from healapi.api import database as db_api
from healapi.engine.datalog import evaluation

#: What the compiler adds to the names of tables of its own making.
_HIDDEN_MARK = '#'


class DerivedRows(wtypes.Base):
    rows = [types.jsontype]
    #: With ``trace=true``: the proof of each row, in the order of rows.
    proofs = [types.jsontype]


class TableChange(datasource_tables.RowChanges):
    """Hypothetical changes to one base table of the policy."""

    table = wtypes.wsattr(wtypes.text, mandatory=True)


class Simulation(types.Resource):
    changes = [TableChange]
    tables = [wtypes.text]
    trace = bool


class TableDiff(wtypes.Base):
    name = wtypes.text
    added = [types.jsontype]
    removed = [types.jsontype]
    #: With ``trace``: the proof of each added row, in the order of added.
    proofs = [types.jsontype]


class SimulationResult(wtypes.Base):
    tables = [TableDiff]


def _value_key(value):
    # JSON scalars of different types don't compare: order by type first.
    if value is None:
        return 0, 0
    if isinstance(value, bool):
        return 1, value
    if isinstance(value, (int, float)):
        return 2, value
    return 3, value


def sorted_rows(rows):
    """``rows`` (tuples of JSON scalars) as lists, in a stable order."""
    return [list(row) for row in sorted(
        rows, key=lambda row: tuple(_value_key(value) for value in row))]


class _Evaluation:
    """A policy evaluated over its project's datasources as they are now."""

    def __init__(self, policy):
        self.policy = policy
        self.compiled = policy_program.compile_policy(policy)
        dbapi = db_api.get_instance()
        self.datasources = {
            datasource.name: datasource
            for datasource in dbapi.list_datasources(
                project_id=policy.project_id)}
        self.evaluator = evaluation.Evaluator(
            self.compiled,
            policy_program.input_rows(dbapi, self.compiled, self.datasources))

    def derived_tables(self):
        """The tables the policy derives (action names included), and its
        violation table, even if no rule derives it."""
        return {table for table in self.compiled.derived_tables
                if _HIDDEN_MARK not in table} | {self.policy.violation_table}

    def tables(self):
        """The tables of the policy a client may read: those it derives
        and those its rules read."""
        return self.derived_tables() | set(self.compiled.base_tables)

    def rows(self, table):
        if (table not in self.compiled.base_tables
                and table not in self.compiled.derived_tables):
            return []  # The violation table of a policy that derives none.
        return sorted_rows(self.evaluator.rows(table))

    def proofs(self, table, rows):
        return [policy_program.proof_document(
                    self.evaluator.explain(table, row))
                for row in rows]

    def changes(self, requested):
        """``{table: (inserts, deletes)}`` of the requested changes,
        checked against the base tables the policy reads."""
        changes = {}
        for number, change in enumerate(requested, 1):
            arity = self.compiled.base_tables.get(change.table)
            if arity is None:
                raise exception.InvalidRows(
                    where='change %d' % number,
                    reason='the policy reads no table %s; it reads %s' % (
                        change.table,
                        ', '.join(sorted(self.compiled.base_tables))
                        or 'none'))
            inserts, deletes = change.rows(change.table, arity,
                                           self._columns(change.table, arity))
            table_inserts, table_deletes = changes.setdefault(
                change.table, ([], []))
            table_inserts.extend(inserts)
            table_deletes.extend(deletes)
        return changes

    def _columns(self, table, arity):
        """The declared column names of datasource table ``table``, if it
        has as many as the policy reads."""
        parts = policy_program.datasource_table(table)
        datasource = parts and self.datasources.get(parts[0])
        columns = datasource and policy_program.declared_columns(
            datasource, parts[1])
        return columns if columns and len(columns) == arity else None


def _evaluation(policy_id, rule):
    project_id = rbac.authorize(rule)
    return _Evaluation(db_api.get_instance().get_policy(
        policy_id, project_id=project_id))


class RowsController(base.CollectionController):
    """/v1/policies/{policy_id}/tables/{table}/rows"""

    @wsme_pecan.wsexpose(DerivedRows, wtypes.text, wtypes.text, wtypes.text)
    def get_all(self, policy_id, table, trace=None):
        trace = trace is not None and collection.parse_bool('trace', trace)
        found = _evaluation(policy_id, 'healapi:policy:get_rows')
        if table not in found.tables():
            raise exception.PolicyTableNotFound(policy=policy_id, table=table)
        rows = found.rows(table)
        result = DerivedRows(rows=rows)
        if trace:
            result.proofs = found.proofs(table, rows)
        return result


class TablesController(base.CollectionController):
    """/v1/policies/{policy_id}/tables: only their rows are resources."""

    rows = RowsController()

    def get_one(self, policy_id, table):
        """Not exposed: its arguments tell pecan that a table name comes
        before ``/rows``."""


def simulate(policy_id, body):
    """The changes to the requested tables of the policy if the base
    tables changed as ``body`` says; nothing is stored."""
    found = _evaluation(policy_id, 'healapi:policy:simulate')
    changes = found.changes(body.changes or [])
    names = body.tables or [found.policy.violation_table]
    unknown = sorted(set(names) - found.derived_tables())
    if unknown:
        raise exception.Invalid(
            'The policy derives no table %s; it derives %s.' % (
                ', '.join(unknown), ', '.join(sorted(found.derived_tables()))))
    # The evaluator is this request's own: applying the changes to it
    # stores nothing, and lets the rows added be explained.
    derived = found.evaluator.apply(changes)
    result = []
    for name in dict.fromkeys(names):
        change = derived.get(name)
        added = sorted_rows(change.added) if change else []
        diff = TableDiff(
            name=name, added=added,
            removed=sorted_rows(change.removed) if change else [])
        if body.trace:
            diff.proofs = found.proofs(name, added)
        result.append(diff)
    return SimulationResult(tables=result)
