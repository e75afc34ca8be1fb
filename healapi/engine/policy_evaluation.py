"""One enabled policy kept evaluated in the engine, and what it found that
the database doesn't know yet.

A :class:`PolicyEvaluation` holds the policy's compiled program, its
:class:`~healapi.engine.datalog.evaluation.Evaluator` over the datasource
rows it reads, and its :class:`Findings`: the violation-table tuples that
appeared and disappeared and the ``execute[...]`` tuples newly derived
since its findings were last recorded. Findings accumulate as net changes
(a tuple that appears and disappears again before they are recorded is no
finding), so a recording that fails (a database outage) is simply made
again later with everything found since.
"""

from healapi.common import policy_program
from healapi.engine.datalog import builtins
from healapi.engine.datalog import evaluation


class Findings:
    """Violation-table changes and executions not yet recorded."""

    def __init__(self):
        self.appeared = set()
        self.disappeared = set()
        #: (action, args) of each ``execute[...]`` tuple to run, in order.
        self.executions = []

    def __bool__(self):
        return bool(self.appeared or self.disappeared or self.executions)

    def violation_change(self, added, removed):
        """Note an evaluator's change of the violation table."""
        for row in removed:
            if row in self.appeared:
                self.appeared.discard(row)
            else:
                self.disappeared.add(row)
        for row in added:
            if row in self.disappeared:
                self.disappeared.discard(row)
            else:
                self.appeared.add(row)


class TableRows:
    """Reads each datasource table from the database once, however many
    policies built meanwhile read it; they share its row tuples, too."""

    def __init__(self, dbapi):
        self._dbapi = dbapi
        self._rows = {}

    def rows_of(self, datasource_id, table_name):
        key = (datasource_id, table_name)
        if key not in self._rows:
            self._rows[key] = [tuple(values) for values in
                               self._dbapi.rows_of(datasource_id, table_name)]
        return self._rows[key]


class PolicyEvaluation:
    """A policy (a db Policy with its rules) evaluated over the rows of
    ``datasources`` (name -> db Datasource of its project), read through
    ``tables`` (a :class:`TableRows`).

    Building it reads the rows; everything after is in memory. An
    exception from any method means the policy can't be evaluated (a
    stored rule the language refuses, a row it can't take): the evaluation
    must then be dropped, its state is undefined.
    """

    def __init__(self, policy, datasources, tables):
        self.policy = policy
        compiled = policy_program.compile_policy(policy)
        #: (datasource id, table name) -> the ``ds:table`` it is read as.
        self._tables = {
            (datasource.id, name): table for table, (datasource, name)
            in policy_program.input_tables(compiled, datasources).items()}
        self.evaluator = evaluation.Evaluator(
            compiled, policy_program.input_rows(tables, compiled, datasources))
        #: Whether a rule reads ``now``: its time must move on.
        self.reads_clock = any(
            literal.atom.table == builtins.CLOCK
            for stratum in compiled.strata for rule in stratum.rules
            for literal in rule.body)
        self.findings = Findings()

    @property
    def id(self):
        return self.policy.id

    def reads(self, datasource_id, table_name):
        """Whether the policy reads that datasource table."""
        return (datasource_id, table_name) in self._tables

    def apply_rows(self, datasource_id, table_name, added, removed):
        """Apply a change of a datasource table (rows as lists of values)
        to the policy, if it reads that table."""
        table = self._tables.get((datasource_id, table_name))
        if table is not None:
            arity = self.evaluator.compiled.base_tables[table]
            self._note(self.evaluator.apply({table: (
                policy_program.fitting_rows(added, arity),
                policy_program.fitting_rows(removed, arity))}))

    def advance_clock(self):
        """Move ``now`` on, deriving what the passing time changes."""
        self._note(self.evaluator.advance_clock())

    def _note(self, derived):
        change = derived.get(self.policy.violation_table)
        if change is not None:
            self.findings.violation_change(change.added, change.removed)
        for action in sorted(self.evaluator.compiled.actions):
            if action in derived:
                self.findings.executions.extend(
                    (action, list(row)) for row in derived[action].added)

    def rows(self, table):
        """The rows the policy derives into ``table`` now."""
        if table not in self.evaluator.compiled.derived_tables:
            return set()
        return self.evaluator.rows(table)

    def reconcile(self, active_values, previous=None, act=True):
        """Make the findings bring the policy's stored active violations
        (``active_values``, lists of values) to what it derives now.

        With ``act``, the ``execute[...]`` tuples derived now and not by
        ``previous`` (the evaluation of the policy this one replaces, if
        any) are executions to run, after those ``previous`` has not
        recorded yet. Without it (an engine starting), what is derived is
        assumed acted on already: a restart must never run remediation
        twice.
        """
        derived = self.rows(self.policy.violation_table)
        active = {tuple(values) for values in active_values}
        self.findings = Findings()
        self.findings.appeared = derived - active
        self.findings.disappeared = active - derived
        if previous is not None:
            self.findings.executions = list(previous.findings.executions)
        if act:
            for action in sorted(self.evaluator.compiled.actions):
                earlier = set() if previous is None else previous.rows(action)
                self.findings.executions.extend(
                    (action, list(row))
                    for row in self.rows(action) - earlier)

    def findings_to_record(self):
        """``record_violations`` arguments of the findings, with proofs
        when the policy records traces; the findings start again empty
        once the caller has recorded them (:meth:`recorded`)."""
        findings = self.findings
        return {
            'appeared': [(list(row), self._trace(row))
                         for row in findings.appeared],
            'disappeared': [list(row) for row in findings.disappeared],
            'executions': list(findings.executions),
        }

    def recorded(self):
        """The findings :meth:`findings_to_record` gave are stored."""
        self.findings = Findings()

    def _trace(self, row):
        if not self.policy.record_trace:
            return None
        proof = self.evaluator.explain(self.policy.violation_table, row)
        return None if proof is None else policy_program.proof_document(proof)
