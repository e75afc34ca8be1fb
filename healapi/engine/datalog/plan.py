"""Solving a rule's body: join plans over relations.

A *binding* is a tuple of values, one per variable, in the order the plan
binds them (their *slots*). A plan starts from bindings of some variables
(those of a changed row, of a head row, or none) and takes the body's other
literals one step at a time, best first: builtins and negations as soon as
their inputs are bound, then the table literal with bound columns and the
fewest rows. Each step turns the list of bindings so far into the next,
through the relations' indexes.
"""

import operator

from healapi.engine.datalog import analysis
from healapi.engine.datalog import ast
from healapi.engine.datalog import builtins


def is_builtin(atom):
    """Whether ``atom`` is computed, not read from a relation (the clock,
    ``now``, is a relation the evaluator keeps)."""
    return analysis.is_builtin(atom) and atom.table != builtins.CLOCK


def _source(term, slots):
    """(True, value) for a constant, (False, slot) for a bound variable."""
    if isinstance(term, ast.Constant):
        return True, term.value
    return False, slots[term]


def _values_function(sources, bare_single=False):
    """The function giving a binding's values for ``sources``: a tuple, or
    with ``bare_single`` a bare value when there is one source (the form
    of an index key)."""
    if bare_single and len(sources) == 1:
        ((constant, value),) = sources
        return (lambda binding: value) if constant else (
            operator.itemgetter(value))
    if all(not constant for constant, _ in sources) and len(sources) > 1:
        return operator.itemgetter(*(slot for _, slot in sources))
    return lambda binding: tuple(value if constant else binding[value]
                                 for constant, value in sources)


def _row_values_function(positions):
    """The function giving a row's values at ``positions`` as a tuple."""
    if not positions:
        return lambda row: ()
    if len(positions) == 1:
        (position,) = positions
        return lambda row: (row[position],)
    return operator.itemgetter(*positions)


class Pattern:
    """An atom's arguments as a pattern rows are matched against.

    ``variables`` are the atom's distinct variables, in order of first
    appearance: matching a row gives their values, as a binding.
    """

    def __init__(self, atom):
        self.constants = []
        self.repeats = []
        first = {}
        for position, term in enumerate(atom.args):
            if isinstance(term, ast.Constant):
                self.constants.append((position, term.value))
            elif term in first:
                self.repeats.append((position, first[term]))
            else:
                first[term] = position
        self.variables = tuple(first)
        self._values = _row_values_function(tuple(first.values()))

    def bind(self, rows):
        """The bindings of the rows that match."""
        bindings = []
        for row in rows:
            if any(row[position] != value
                   for position, value in self.constants):
                continue
            if any(row[a] != row[b] for a, b in self.repeats):
                continue
            bindings.append(self._values(row))
        return bindings


class Plan:
    """How to solve ``rule``'s body from bindings of ``start`` variables.

    The literal at index ``skip`` (the one the start bindings came from)
    is left out. ``size_of(index)`` gives the number of rows of a body
    literal's table, to take small tables first.
    """

    def __init__(self, rule, start, skip, size_of):
        self.slots = {variable: slot for slot, variable in enumerate(start)}
        self.steps = []
        #: (body literal index, positions): the lookups the plan makes.
        self.lookups = []
        pending = [index for index in range(len(rule.body)) if index != skip]
        while pending:
            index = self._next(rule, pending, size_of)
            pending.remove(index)
            self.steps.append((index, self._step(index, rule.body[index])))

    def _bound(self, term):
        return isinstance(term, ast.Constant) or term in self.slots

    def _next(self, rule, pending, size_of):
        """The literal to solve next."""
        tables = []
        for index in pending:
            literal = rule.body[index]
            atom = literal.atom
            if is_builtin(atom) and not literal.negated:
                inputs = atom.args[:builtins.BUILTINS[atom.table].inputs]
                if all(self._bound(term) for term in inputs):
                    return index
            elif literal.negated:
                if all(self._bound(term) for term in atom.args):
                    return index
            else:
                unbound = sum(not self._bound(term) for term in atom.args)
                if unbound == 0:
                    return index
                some_bound = unbound < len(atom.args)
                tables.append((not some_bound, size_of(index), index))
        # Analysis proved the body safe: some table literal is always left.
        return min(tables)[2]

    def _step(self, index, literal):
        atom = literal.atom
        if is_builtin(atom) and literal.negated:
            holds = self._builtin_step(atom)
            return lambda bindings, relation: [
                binding for binding in bindings
                if not holds([binding], relation)]
        if is_builtin(atom):
            return self._builtin_step(atom)
        if literal.negated:
            return self._absent_step(atom)
        return self._table_step(index, atom)

    def _bind(self, terms):
        """Split ``terms`` by offset: ``(offset, source)`` of those bound,
        ``(offset, offset of its first)`` of a new variable's repeats, and
        the offsets of new variables, which take the next slots."""
        bound, repeats, new, first = [], [], [], {}
        for offset, term in enumerate(terms):
            if self._bound(term):
                bound.append((offset, _source(term, self.slots)))
            elif term in first:
                repeats.append((offset, first[term]))
            else:
                first[term] = offset
                new.append(offset)
        for variable in first:
            self.slots[variable] = len(self.slots)
        return bound, repeats, new

    def _table_step(self, index, atom):
        bound, repeats, new = self._bind(atom.args)
        if not new:
            row_of = _values_function([source for _, source in bound])

            def present(bindings, relation):
                return [binding for binding in bindings
                        if row_of(binding) in relation]
            return present

        positions = tuple(position for position, _ in bound)
        if positions:
            self.lookups.append((index, positions))
        key_of = _values_function([source for _, source in bound],
                                  bare_single=True) if bound else None
        values_of = _row_values_function(tuple(new))

        def join(bindings, relation):
            joined = []
            for binding in bindings:
                rows = relation.matching(
                    positions, key_of(binding) if key_of else None)
                for row in rows:
                    if repeats and any(row[a] != row[b] for a, b in repeats):
                        continue
                    joined.append(binding + values_of(row))
            return joined
        return join

    def _absent_step(self, atom):
        row_of = _values_function([_source(term, self.slots)
                                   for term in atom.args])

        def absent(bindings, relation):
            return [binding for binding in bindings
                    if row_of(binding) not in relation]
        return absent

    def _builtin_step(self, atom):
        builtin = builtins.BUILTINS[atom.table]
        inputs_of = _values_function(
            [_source(term, self.slots)
             for term in atom.args[:builtin.inputs]])
        checks, repeats, new = self._bind(atom.args[builtin.inputs:])

        def call(bindings, relation):
            results = []
            for binding in bindings:
                outputs = builtins.evaluate(builtin, inputs_of(binding))
                if outputs is None:
                    continue
                if any(outputs[offset] != (value if constant
                                           else binding[value])
                       for offset, (constant, value) in checks):
                    continue
                if any(outputs[a] != outputs[b] for a, b in repeats):
                    continue
                results.append(binding + tuple(outputs[offset]
                                               for offset in new))
            return results
        return call

    def values_function(self, terms):
        """The function giving a binding's values of ``terms`` (a row)."""
        return _values_function([_source(term, self.slots)
                                 for term in terms])

    def solve(self, bindings, relation_of):
        """Every binding extending ``bindings`` that satisfies the body;
        ``relation_of(index)`` is the relation a body literal reads."""
        for index, step in self.steps:
            if not bindings:
                break
            bindings = step(bindings, relation_of(index))
        return bindings
