"""Keeping a policy's derived tables up to date as its base rows change.

An :class:`Evaluator` holds a compiled program (:mod:`.analysis`) and the
rows of every table. Created, it evaluates every stratum in full; after
that, :meth:`Evaluator.apply` takes inserted and deleted base rows and
updates each derived table with work proportional to what changed, stratum
by stratum, by *delete and rederive* (DRed):

1. every derived row with a derivation that used a row now gone (or, under
   ``not``, a row now present) is deleted;
2. those of them that still have another derivation are put back;
3. the derivations that use a row now present (or, under ``not``, a row now
   gone) are added.

Recursive strata carry steps 1 and 3 through their own tables until nothing
changes. An aggregate rule recomputes only the groups whose solutions
changed. Results are sets, so the order of rules and rows never matters.
"""

import collections
import dataclasses

from healapi.engine.datalog import ast
from healapi.engine.datalog import builtins
from healapi.engine.datalog import plan as plans
from healapi.engine.datalog import relation as relations


@dataclasses.dataclass(frozen=True)
class Change:
    """The rows a table gained and lost."""

    added: frozenset
    removed: frozenset


@dataclasses.dataclass(frozen=True)
class Proof:
    """Why ``row`` is in ``table`` (or, when ``kind`` is ``absent``, why it
    is not there, as a negated literal requires).

    ``kind`` is ``derived`` (by ``rule`` from ``premises``), ``base`` (a
    row of a base table), ``absent`` or ``builtin`` (a builtin's arguments
    that satisfy it).
    """

    table: str
    row: tuple
    kind: str
    rule: ast.Rule = None
    premises: tuple = ()


def _aggregate(function, values):
    """``function`` over ``values``, or None where it can't be computed
    (such as the sum of strings)."""
    try:
        if function == 'count':
            return len(values)
        if function == 'sum':
            return sum(values)
        return {'min': min, 'max': max}[function](values)
    except TypeError:
        return None


class _Rule:
    """A rule of the program with what evaluating it needs."""

    def __init__(self, rule):
        self.rule = rule
        self.head = rule.head.table
        self.aggregates = [(position, arg)
                           for position, arg in enumerate(rule.head.args)
                           if isinstance(arg, ast.Aggregate)]
        #: The variables grouping an aggregate rule's solutions.
        self.group = tuple(dict.fromkeys(
            arg for arg in rule.head.args if isinstance(arg, ast.Variable)))
        self.patterns = [plans.Pattern(literal.atom)
                         for literal in rule.body]
        self.plans = {}


class Evaluator:
    """The derived tables of ``compiled`` over base ``rows``
    (``{table: iterable of tuples}``; tables left out are empty)."""

    def __init__(self, compiled, rows=None):
        self.compiled = compiled
        self._relations = {
            table: relations.Relation()
            for table in list(compiled.base_tables)
            + list(compiled.derived_tables)}
        for table, table_rows in (rows or {}).items():
            # Rows may be any iterable: read them once, before the check.
            table_rows = [tuple(row) for row in table_rows]
            self._check_base(table, table_rows)
            self._relations[table] = relations.Relation(table_rows)
        self._relations[builtins.CLOCK] = relations.Relation(
            [(builtins.now(),)])
        self._rules = []
        self._readers = collections.defaultdict(list)
        self._rules_for = collections.defaultdict(list)
        #: Per stratum, the indexes of its rules in ``_rules``.
        self._strata = []
        for number, stratum in enumerate(compiled.strata):
            self._strata.append([])
            for rule in stratum.rules:
                index = len(self._rules)
                self._strata[number].append(index)
                self._rules.append(_Rule(rule))
                self._rules_for[rule.head.table].append(index)
                for position, literal in enumerate(rule.body):
                    if not plans.is_builtin(literal.atom):
                        self._readers[literal.atom.table].append(
                            (index, position, literal.negated))
        #: Per aggregate rule: {group values: head row}.
        self._groups = {index: {} for index, rule in enumerate(self._rules)
                        if rule.aggregates}
        self._stratum_of = {table: number
                            for number, stratum in enumerate(compiled.strata)
                            for table in stratum.tables}
        #: Per recursive stratum explained since the last change: its
        #: rows' ranks (see :meth:`_ranks`).
        self._ranks_of = {}
        for number, stratum in enumerate(compiled.strata):
            self._evaluate(number, stratum)
        self._build_indexes()

    def rows(self, table):
        """The rows of ``table`` now (a set not to be changed)."""
        return self._relations[table].rows

    def apply(self, changes):
        """Insert and delete base rows: ``{table: (inserts, deletes)}``.

        Deletions are applied before insertions. Returns the
        :class:`Change` of every derived table that changed.
        """
        derived, _ = self._apply(changes)
        return derived

    def advance_clock(self):
        """Move ``now`` to the current time; returns :meth:`apply`'s
        changes. Until called, ``now`` is the time of the last call (or of
        the evaluator's creation)."""
        (old,) = self._relations[builtins.CLOCK].rows
        return self._apply({builtins.CLOCK: ([(builtins.now(),)], [old])},
                           check=False)[0]

    def simulate(self, changes):
        """What :meth:`apply` would return, leaving every table as it is."""
        derived, base = self._apply(changes)
        self._apply({table: (change.removed, change.added)
                     for table, change in base.items()})
        return derived

    def explain(self, table, row):
        """A :class:`Proof` of ``row`` in ``table``, None if it isn't
        there."""
        return self._explain(table, tuple(row), {})

    # Evaluation in full, when the evaluator is created.

    def _evaluate(self, number, stratum):
        indexes = self._strata[number]
        for index in indexes:
            rule = self._rules[index]
            if rule.aggregates:
                solutions = self._solve(index, (), None, [()],
                                        self._relations)
                self._set_groups(index, solutions, None)
        new = collections.defaultdict(set)
        for index in indexes:
            rule = self._rules[index]
            if rule.aggregates:
                rows = self._groups[index].values()
            else:
                rows = self._heads(index, (), None, [()], self._relations)
            self._add_all(rule.head, rows, new)
        if stratum.recursive:
            self._propagate(stratum, new, self._relations,
                            collections.defaultdict(set))

    def _build_indexes(self):
        """Build now the indexes maintenance looks rows up by, rather than
        in the first change that needs each (half a second for a table of
        a million rows)."""
        for index, rule in enumerate(self._rules):
            starts = [(pattern.variables, position)
                      for position, pattern in enumerate(rule.patterns)
                      if not plans.is_builtin(rule.rule.body[position].atom)]
            # Rederiving a row, or recomputing a group.
            starts.append((rule.group if rule.aggregates else plans.Pattern(
                rule.rule.head).variables, None))
            for start, skip in starts:
                for position, positions in self._plan(
                        index, start, skip).lookups:
                    self._relations[
                        rule.rule.body[position].atom.table].index(positions)

    # Incremental maintenance.

    def _check_base(self, table, rows):
        if table not in self.compiled.base_tables:
            raise ValueError('%s is not a base table of the program' % table)
        arity = self.compiled.base_tables[table]
        for row in rows:
            if len(row) != arity:
                raise ValueError('%s has %d columns, not %d: %r'
                                 % (table, arity, len(row), row))

    def _apply(self, changes, check=True):
        changes = {table: ([tuple(row) for row in inserts],
                           [tuple(row) for row in deletes])
                   for table, (inserts, deletes) in changes.items()}
        if check:
            # Every table checked before any is changed: a refused change
            # leaves everything as it was.
            for table, (inserts, deletes) in changes.items():
                self._check_base(table, inserts + deletes)
        self._ranks_of = {}
        added = collections.defaultdict(set)
        removed = collections.defaultdict(set)
        for table, (inserts, deletes) in changes.items():
            relation = self._relations[table]
            for row in deletes:
                if relation.discard(row):
                    removed[table].add(row)
            for row in inserts:
                if relation.add(row):
                    if row in removed[table]:
                        removed[table].discard(row)
                    else:
                        added[table].add(row)
        base = self._changes(list(changes), added, removed)
        for number, stratum in enumerate(self.compiled.strata):
            if any(added.get(table) or removed.get(table)
                   for table in self._inputs(stratum)):
                self._update(number, stratum, added, removed)
        return self._changes(self.compiled.derived_tables, added,
                             removed), base

    @staticmethod
    def _changes(tables, added, removed):
        return {table: Change(frozenset(added.get(table, ())),
                              frozenset(removed.get(table, ())))
                for table in tables
                if added.get(table) or removed.get(table)}

    def _inputs(self, stratum):
        """The tables of lower strata and base tables ``stratum`` reads."""
        return {literal.atom.table
                for rule in stratum.rules for literal in rule.body
                if not plans.is_builtin(literal.atom)} - stratum.tables

    def _update(self, number, stratum, added, removed):
        """Bring ``stratum`` up to date with the changes of the tables it
        reads, and record its own changes in ``added`` and ``removed``."""
        inputs = {table for table in self._inputs(stratum)
                  if added.get(table) or removed.get(table)}
        past = dict(self._relations)
        for table in inputs:
            past[table] = relations.PastRelation(
                self._relations[table], added[table], removed[table])
        doomed = collections.defaultdict(set)
        returning = collections.defaultdict(set)
        for index in self._strata[number]:
            self._seed(index, inputs, past, added, removed, doomed,
                       returning)
        if stratum.recursive:
            self._propagate(stratum, {table: set(rows)
                                      for table, rows in doomed.items()},
                            past, doomed, deleting=True)

        for table, rows in doomed.items():
            for row in rows:
                self._relations[table].discard(row)
        for table, rows in doomed.items():
            returning[table].update(row for row in rows
                                    if self._derivable(table, row))
        # Only now that the doomed rows are gone: a recursive rule's new
        # derivations must not use them.
        for index in self._strata[number]:
            self._gain(index, inputs, added, removed, returning)

        inserted = collections.defaultdict(set)
        for table, rows in returning.items():
            self._add_all(table, rows, inserted)
        if stratum.recursive:
            self._propagate(stratum, {table: set(rows)
                                      for table, rows in inserted.items()},
                            self._relations, inserted)

        for table in stratum.tables:
            relation = self._relations[table]
            removed[table] = {row for row in doomed.get(table, ())
                              if row not in relation}
            added[table] = inserted.get(table, set()) - doomed.get(
                table, set())

    def _seed(self, index, inputs, past, added, removed, doomed,
              returning):
        """Step 1 for rule ``index`` and its changed ``inputs``: the head
        rows that may have lost their derivation into ``doomed`` (and for
        an aggregate rule, which reads no table of its own stratum, its
        changed groups' new rows into ``returning``)."""
        rule = self._rules[index]
        for position, table, negated in self._reads(index, inputs):
            lost, gained = ((added, removed) if negated
                            else (removed, added))
            if rule.aggregates:
                groups = (self._touched(index, position, lost[table], past)
                          | self._touched(index, position, gained[table],
                                          self._relations))
                self._regroup(index, groups, doomed, returning)
                continue
            for row in self._derive(index, position, lost[table], past):
                if row in self._relations[rule.head]:
                    doomed[rule.head].add(row)

    def _gain(self, index, inputs, added, removed, returning):
        """Step 3 for non-aggregate rule ``index`` and its changed
        ``inputs``: the head rows with a new derivation into
        ``returning``."""
        rule = self._rules[index]
        if rule.aggregates:
            return
        for position, table, negated in self._reads(index, inputs):
            gained = removed if negated else added
            returning[rule.head].update(self._derive(
                index, position, gained[table], self._relations))

    def _reads(self, index, tables):
        """(position, table, negated) of the literals of rule ``index``
        that read one of ``tables``."""
        literals = self._rules[index].rule.body
        return [(position, literals[position].atom.table, literal.negated)
                for position, literal in enumerate(literals)
                if literal.atom.table in tables
                and not plans.is_builtin(literal.atom)]

    def _propagate(self, stratum, frontier, tables, found, deleting=False):
        """Carry changed rows of ``stratum``'s own tables through its
        recursive rules until no new row turns up.

        Inserting, new head rows are added; deleting (over ``tables`` as
        they were), head rows still present are gathered for deletion.
        Either way they go into ``found``.
        """
        while frontier:
            following = collections.defaultdict(set)
            for table, rows in frontier.items():
                for index, position, negated in self._readers[table]:
                    rule = self._rules[index]
                    if rule.head not in stratum.tables or negated:
                        continue
                    for row in self._derive(index, position, rows, tables):
                        if deleting:
                            if (row in self._relations[rule.head]
                                    and row not in found[rule.head]):
                                found[rule.head].add(row)
                                following[rule.head].add(row)
                        elif self._relations[rule.head].add(row):
                            found[rule.head].add(row)
                            following[rule.head].add(row)
            frontier = following

    def _add_all(self, table, rows, added):
        relation = self._relations[table]
        for row in rows:
            if relation.add(row):
                added[table].add(row)

    def _derivable(self, table, row):
        """Whether ``row`` of derived ``table`` has a derivation now."""
        for index in self._rules_for[table]:
            rule = self._rules[index]
            if rule.aggregates:
                if row in self._groups[index].values():
                    return True
                continue
            if self._proofs(index, row):
                return True
        return False

    # Aggregates.

    def _touched(self, index, position, rows, tables):
        """The groups of aggregate rule ``index`` with a solution using
        ``rows`` at body literal ``position``."""
        plan, solutions = self._seeded(index, position, rows, tables)
        if not solutions:
            return set()
        group_of = plan.values_function(self._rules[index].group)
        return {group_of(solution) for solution in solutions}

    def _regroup(self, index, groups, doomed, returning):
        """Recompute ``groups`` of aggregate rule ``index``."""
        rule = self._rules[index]
        start = rule.group
        for group in groups:
            solutions = self._solve(index, start, None, [group],
                                    self._relations)
            old = self._groups[index].pop(group, None)
            self._set_groups(index, solutions, start)
            new = self._groups[index].get(group)
            if old != new:
                if old is not None:
                    doomed[rule.head].add(old)
                if new is not None:
                    returning[rule.head].add(new)

    def _set_groups(self, index, solutions, start):
        """Record the head rows of aggregate rule ``index`` for
        ``solutions`` (of the plan from ``start`` variables)."""
        rule = self._rules[index]
        plan = self._plan(index, start or (), None)
        group_of = plan.values_function(rule.group)
        by_group = collections.defaultdict(list)
        for solution in solutions:
            by_group[group_of(solution)].append(solution)
        for group, members in by_group.items():
            row = list(plan.values_function(
                [arg if not isinstance(arg, ast.Aggregate)
                 else ast.Constant(None) for arg in rule.rule.head.args])(
                     members[0]))
            complete = True
            for position, aggregate in rule.aggregates:
                slot = plan.slots[aggregate.variable]
                row[position] = _aggregate(
                    aggregate.function,
                    [solution[slot] for solution in members])
                complete = complete and row[position] is not None
            if complete:
                self._groups[index][group] = tuple(row)

    # Solving rules.

    def _plan(self, index, start, skip):
        key = (tuple(start), skip)
        rule = self._rules[index]
        plan = rule.plans.get(key)
        if plan is None:
            body = rule.rule.body

            def size_of(position):
                return len(self._relations[body[position].atom.table])
            plan = rule.plans[key] = plans.Plan(rule.rule, start, skip,
                                                size_of)
        return plan

    def _solve(self, index, start, skip, seeds, tables):
        body = self._rules[index].rule.body
        return self._plan(index, start, skip).solve(
            seeds, lambda position: tables.get(body[position].atom.table))

    def _seeded(self, index, position, rows, tables):
        """(plan, solutions) of rule ``index`` with body literal
        ``position`` matching one of ``rows``."""
        pattern = self._rules[index].patterns[position]
        seeds = pattern.bind(rows)
        plan = self._plan(index, pattern.variables, position)
        return plan, (self._solve(index, pattern.variables, position,
                                  seeds, tables) if seeds else [])

    def _heads(self, index, start, skip, seeds, tables):
        plan = self._plan(index, start, skip)
        head_of = plan.values_function(self._rules[index].rule.head.args)
        return [head_of(solution) for solution in self._solve(
            index, start, skip, seeds, tables)]

    def _derive(self, index, position, rows, tables):
        """Head rows of rule ``index`` whose derivations use one of
        ``rows`` at body literal ``position``."""
        plan, solutions = self._seeded(index, position, rows, tables)
        if not solutions:
            return []
        head_of = plan.values_function(self._rules[index].rule.head.args)
        return [head_of(solution) for solution in solutions]

    def _proofs(self, index, row):
        """The solutions of non-aggregate rule ``index`` deriving ``row``
        (from the plan starting at its head's variables)."""
        head = plans.Pattern(self._rules[index].rule.head)
        seeds = head.bind([row])
        if not seeds:
            return []
        return self._solve(index, head.variables, None, seeds,
                           self._relations)

    # Explanations.
    #
    # A row of a recursive stratum is explained from rows of its stratum of
    # lower rank only, so that no proof goes round in a circle: looking
    # instead for a proof that avoids the rows it is proving, one path at a
    # time, can take exponential time (a ring of a few nodes is enough).

    def _explain(self, table, row, proofs):
        """The proof of ``row``; ``proofs`` are those found so far."""
        if row not in self._relations[table]:
            return None
        if table not in self.compiled.derived_tables:
            return Proof(table, row, 'base')
        if (table, row) not in proofs:
            proof = None
            for index in self._rules_for[table]:
                rule = self._rules[index]
                if rule.aggregates:
                    proof = self._explain_group(index, row, proofs)
                else:
                    proof = self._explain_rule(index, row, proofs)
                if proof is not None:
                    break
            proofs[table, row] = proof
        return proofs[table, row]

    def _explain_rule(self, index, row, proofs):
        rule = self._rules[index].rule
        head = plans.Pattern(rule.head)
        plan = self._plan(index, head.variables, None)
        for solution in self._proofs(index, row):
            if not self._well_founded(rule, plan, solution, row):
                continue
            premises = self._premises(rule, plan, solution, proofs)
            if premises is not None:
                return Proof(rule.head.table, row, 'derived', rule, premises)
        return None

    def _explain_group(self, index, row, proofs):
        rule = self._rules[index]
        groups = [group for group, grouped in self._groups[index].items()
                  if grouped == row]
        if not groups:
            return None
        plan = self._plan(index, rule.group, None)
        premises = []
        for solution in self._solve(index, rule.group, None, groups,
                                    self._relations):
            found = self._premises(rule.rule, plan, solution, proofs)
            if found is None:
                return None
            premises.extend(found)
        return Proof(rule.head, row, 'derived', rule.rule,
                     tuple(dict.fromkeys(premises)))

    def _well_founded(self, rule, plan, solution, row):
        """Whether ``solution`` derives ``row`` of ``rule``'s head from
        rows of lower rank of its stratum."""
        number = self._stratum_of[rule.head.table]
        stratum = self.compiled.strata[number]
        if not stratum.recursive:
            return True
        ranks = self._ranks(number)
        rank = ranks.get((rule.head.table, row))
        for literal in rule.body:
            table = literal.atom.table
            if literal.negated or table not in stratum.tables:
                continue
            used = plan.values_function(literal.atom.args)(solution)
            if rank is None or ranks.get((table, used), rank) >= rank:
                return False
        return True

    def _ranks(self, number):
        """``{(table, row): rank}`` for the rows of recursive stratum
        ``number``: the round of its evaluation from nothing, semi-naive,
        that first derives the row, which thus has a derivation from rows
        of lower rank."""
        ranks = self._ranks_of.get(number)
        if ranks is not None:
            return ranks
        stratum = self.compiled.strata[number]
        tables = dict(self._relations)
        for table in stratum.tables:
            tables[table] = relations.Relation()
        ranks = {}
        frontier = collections.defaultdict(set)
        for index in self._strata[number]:
            rule = self._rules[index]
            frontier[rule.head].update(
                self._groups[index].values() if rule.aggregates
                else self._heads(index, (), None, [()], tables))
        rank = 0
        while frontier:
            rank += 1
            for table, rows in frontier.items():
                for row in rows:
                    ranks[table, row] = rank
                    tables[table].add(row)
            following = collections.defaultdict(set)
            for table, rows in frontier.items():
                for index, position, negated in self._readers[table]:
                    head = self._rules[index].head
                    if head not in stratum.tables or negated:
                        continue
                    following[head].update(
                        row for row in self._derive(index, position, rows,
                                                    tables)
                        if (head, row) not in ranks)
            frontier = {table: rows for table, rows in following.items()
                        if rows}
        self._ranks_of[number] = ranks
        return ranks

    def _premises(self, rule, plan, solution, proofs):
        """Proofs of each body literal of ``rule`` under ``solution``, or
        None if one can't be proved."""
        premises = []
        for literal in rule.body:
            atom = literal.atom
            row = plan.values_function(atom.args)(solution)
            if literal.negated:
                # A negated builtin too: its arguments do not satisfy it.
                premises.append(Proof(atom.table, row, 'absent'))
            elif plans.is_builtin(atom):
                premises.append(Proof(atom.table, row, 'builtin'))
            else:
                proof = self._explain(atom.table, row, proofs)
                if proof is None:
                    return None
                premises.append(proof)
        return tuple(premises)
