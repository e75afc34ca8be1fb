"""The checks a policy passes when it is loaded, and its compiled form.

:func:`compile_program` refuses, with a :class:`.errors.PolicyError` at the
atom or rule at fault, what Congress refused (and a little more, so that
mistakes show when the policy is loaded rather than as missing rows):

* arguments by column name or number for a table whose columns are not
  known, unknown columns, a column given twice, too many or too few
  arguments for a datasource table; with ``schemas``, a datasource table
  they don't list;
* a table used with different numbers of arguments;
* a rule defining a datasource's table or a builtin;
* a call to an unknown builtin (``builtin:name``), a builtin with the wrong
  number of arguments, a rule reading an action;
* unsafe rules: a variable of the head, of a negated literal or of a
  builtin's inputs that no positive table literal or builtin output binds
  (in any order); a fact with variables;
* a table defined in terms of itself through ``not`` or an aggregate, and
  a recursive rule whose head takes a value only a builtin computes (it
  could add rows forever).

A body literal names a builtin as ``builtin:lt`` (Congress since Ocata) or
bare, ``lt``: no rule can define a table of that name. A negated builtin,
``not equal(x, y)``, holds when the builtin does not, all its arguments
bound. A table no rule defines, such as one a rule yet to be written will,
is empty, as in Congress.

Under ``not``, ``_`` (or a column left out) is any value: ``not p(x, _)``
holds when ``p`` has no row starting with ``x``. The literal is compiled
to read a table of only the other columns, named after them (``p#0``), that
a rule of its own defines (``p#0(c0) :- p(c0, _)``): so every literal the
evaluator negates has all its arguments bound.
"""

import collections
import dataclasses
import itertools

from healapi.engine.datalog import ast
from healapi.engine.datalog import builtins
from healapi.engine.datalog import errors
from healapi.engine.datalog import parser

#: How Congress prefixes builtins: ``builtin:lt(x, y)``.
BUILTIN_PREFIX = 'builtin:'

_BIND = ('the body must read it from a table (not under "not") or '
         'compute it with a builtin')


@dataclasses.dataclass(frozen=True)
class Stratum:
    #: The derived tables (and action names) defined here: one strongly
    #: connected component of the dependency graph.
    tables: frozenset
    #: The resolved rules whose head is in ``tables``, facts included.
    rules: tuple
    #: Whether a rule here reads a table of this stratum.
    recursive: bool


@dataclasses.dataclass(frozen=True)
class CompiledProgram:
    #: The program as parsed.
    program: ast.Program
    #: The strata, each after every stratum it reads.
    strata: tuple
    #: table -> arity: the tables read that no rule defines (datasource
    #: tables, empty local ones).
    base_tables: dict
    #: table -> arity: the tables rules define, action names included.
    derived_tables: dict
    #: The action names (heads of ``execute[...]`` rules).
    actions: frozenset


def load(text, schemas=None):
    """The compiled program of policy ``text``."""
    return compile_program(parser.parse(text), schemas)


def compile_program(program, schemas=None):
    """Check ``program`` and compile it for evaluation.

    ``schemas`` maps each datasource table (``'nova:servers'``) to its
    column names; it may also give an action's argument names. Without
    it, datasource tables are not checked, and their arguments must be
    given by position.
    """
    resolver = _Resolver(program, schemas)
    rules = []
    for rule in program.rules:
        resolved = resolver.rule(rule)
        _check_safety(resolved, rule)
        rules.append(resolved)
    _check_recursion(rules, program.rules)
    rules = _project_negations(rules, resolver.fresh)
    derived = {rule.head.table: len(rule.head.args) for rule in rules}
    base = {literal.atom.table: len(literal.atom.args)
            for rule in rules for literal in rule.body
            if literal.atom.table not in derived
            and not is_builtin(literal.atom)}
    return CompiledProgram(
        program=program, strata=_strata(rules), base_tables=base,
        derived_tables=derived,
        actions=frozenset(rule.head.table for rule in rules if rule.action))


def is_builtin(atom):
    """Whether a resolved body atom calls a builtin."""
    return atom.datasource is None and atom.table in builtins.BUILTINS


def _error(message, where):
    """A :class:`.errors.PolicyError` at an atom or rule."""
    return errors.PolicyError(message, where.line, where.column)


def _join(words):
    words = list(words)
    if len(words) == 1:
        return words[0]
    return '%s and %s' % (', '.join(words[:-1]), words[-1])


def _builtin_name(table):
    """The builtin ``table`` names (``builtin:lt`` or ``lt``), or None."""
    if table.startswith(BUILTIN_PREFIX):
        return table[len(BUILTIN_PREFIX):]
    return table if table in builtins.BUILTINS else None


def _variables(terms):
    return {term for term in terms if isinstance(term, ast.Variable)}


class _Resolver:
    """Rules with every argument by position and builtins named bare,
    checked against the schemas and each other."""

    def __init__(self, program, schemas):
        self.schemas = schemas
        self.actions = {rule.head.table for rule in program.rules
                        if rule.action}
        #: table -> (arity, the atom that first used it)
        self.arities = {}
        used = {variable.name for rule in program.rules
                for atom in [rule.head] + [lit.atom for lit in rule.body]
                for variable in atom.variables()}
        names = (ast.ANONYMOUS_PREFIX + str(n) for n in itertools.count(1))
        #: Anonymous variables no rule uses yet.
        self.fresh = (ast.Variable(name) for name in names
                      if name not in used)

    def rule(self, rule):
        head = self.head(rule)
        body = tuple(ast.Literal(self.body_atom(literal.atom),
                                 literal.negated)
                     for literal in rule.body)
        return dataclasses.replace(rule, head=head, body=body)

    def head(self, rule):
        atom = rule.head
        if _builtin_name(atom.table) is not None:
            raise _error('%s is a builtin: rules cannot define it'
                         % atom.table, atom)
        if rule.action:
            if atom.datasource is None:
                raise _error('execute[...] takes an action of a '
                             'datasource, such as nova:servers.pause, '
                             'not %s' % atom.table, atom)
            columns = (self.schemas or {}).get(atom.table)
        elif atom.datasource is not None:
            raise _error('%s is a table of datasource %s: rules cannot '
                         'define it' % (atom.table, atom.datasource), atom)
        else:
            columns = None
        return self.resolve(atom, columns)

    def body_atom(self, atom):
        name = _builtin_name(atom.table)
        if name is not None:
            return self.builtin(atom, name)
        if atom.table in self.actions:
            raise _error('%s is an action: rules cannot read it'
                         % atom.table, atom)
        columns = None
        if atom.datasource is not None and self.schemas is not None:
            columns = self.schemas.get(atom.table)
            if columns is None:
                raise self.unknown(atom)
        return self.resolve(atom, columns)

    def unknown(self, atom):
        prefix = atom.datasource + ':'
        if any(table.startswith(prefix) for table in self.schemas):
            return _error('datasource %s has no table %s'
                          % (atom.datasource, atom.table[len(prefix):]),
                          atom)
        return _error('unknown datasource %s (in %s)'
                      % (atom.datasource, atom.table), atom)

    def builtin(self, atom, name):
        builtin = builtins.BUILTINS.get(name)
        if builtin is None:
            raise _error('unknown builtin %s' % name, atom)
        if atom.named or len(atom.args) != builtin.arity:
            raise _error('builtin %s takes %d arguments, by position (%s)'
                         % (name, builtin.arity, builtin.description), atom)
        return dataclasses.replace(atom, table=name)

    def resolve(self, atom, columns):
        """``atom`` with its arguments by position, given its table's
        ``columns`` (None: unknown)."""
        if columns is not None and (
                len(atom.args) > len(columns)
                or not atom.named and len(atom.args) < len(columns)):
            raise _error('%s has %d columns (%s), not %d' % (
                atom.table, len(columns), ', '.join(columns),
                len(atom.args)), atom)
        if atom.named and columns is None:
            raise _error('the columns of %s are not known, so its '
                         'arguments must be given by position'
                         % atom.table, atom)
        given = dict(enumerate(atom.args))
        for column, term in atom.named:
            index = self.column(atom, columns, column)
            if index in given:
                how = ('already given by position'
                       if index < len(atom.args) else 'given twice')
                raise _error('column %s of %s is %s'
                             % (columns[index], atom.table, how), atom)
            given[index] = term
        width = len(given) if columns is None else len(columns)
        args = tuple(given[index] if index in given else next(self.fresh)
                     for index in range(width))
        resolved = dataclasses.replace(atom, args=args, named=())
        self.check_arity(resolved)
        return resolved

    @staticmethod
    def column(atom, columns, column):
        """The position of ``column`` (a name or a number) in ``atom``."""
        if isinstance(column, int):
            if column >= len(columns):
                raise _error('%s has no column %d: its columns are '
                             'numbered from 0 to %d'
                             % (atom.table, column, len(columns) - 1), atom)
            return column
        if column not in columns:
            raise _error('%s has no column %s: its columns are %s'
                         % (atom.table, column, ', '.join(columns)), atom)
        return columns.index(column)

    def check_arity(self, atom):
        arity, first = self.arities.setdefault(
            atom.table, (len(atom.args), atom))
        if arity != len(atom.args):
            where = ('line %d, column %d' % (first.line, first.column)
                     if first.line is not None else 'another rule')
            raise _error('%s has %d arguments here but %d at %s: a table '
                         'has one number of columns'
                         % (atom.table, len(atom.args), arity, where), atom)


def _bound_variables(body):
    """The variables positive literals bind: those of table literals, and
    the outputs of builtins whose inputs are bound, in any order."""
    bound = set()
    calls = []
    for literal in body:
        if literal.negated:
            continue
        if is_builtin(literal.atom):
            calls.append(literal.atom)
        else:
            bound |= literal.atom.variables()
    progress = True
    while progress:
        progress = False
        for atom in list(calls):
            inputs = builtins.BUILTINS[atom.table].inputs
            if _variables(atom.args[:inputs]) <= bound:
                bound |= _variables(atom.args[inputs:])
                calls.remove(atom)
                progress = True
    return bound


def _check_safety(rule, original):
    """Refuse a ``rule`` whose variables could take infinitely many values
    (messages quote the ``original``, as written)."""
    if rule.is_fact:
        variables = sorted(str(variable) for variable in rule.head.variables())
        if variables:
            raise _error('a fact cannot have variables, but %s has %s (is a '
                         '":-" or a "," missing before it?)'
                         % (original.head, _join(variables)), rule.head)
        return
    bound = _bound_variables(rule.body)
    for literal, written in zip(rule.body, original.body, strict=True):
        atom = literal.atom
        if is_builtin(atom) and not literal.negated:
            needed = atom.args[:builtins.BUILTINS[atom.table].inputs]
            where = 'an input of %s' % written.atom
        elif literal.negated:
            # Under "not", _ is any value (see _project_negations), but a
            # builtin's arguments are all needed.
            needed = [term for term in atom.args if is_builtin(atom)
                      or not getattr(term, 'anonymous', False)]
            where = 'in "%s"' % written
        else:
            continue
        for term in needed:
            if isinstance(term, ast.Variable) and term not in bound:
                raise _error('variable %s, %s, is not bound: %s'
                             % (term, where, _BIND), atom)
    for term in rule.head.args:
        if isinstance(term, ast.Aggregate) and term.variable not in bound:
            raise _error('variable %s of %s is not bound: %s'
                         % (term.variable, term, _BIND), rule.head)
        if isinstance(term, ast.Variable) and term not in bound:
            if term.anonymous:
                raise _error('every argument of a head needs a value: the '
                             'head cannot have _ or leave columns out',
                             rule.head)
            raise _error('variable %s of the head is not bound: %s'
                         % (term, _BIND), rule.head)


def _reads(rules):
    """{table: the tables its rules read, in order}, every table a rule
    defines a key."""
    reads = collections.defaultdict(dict)
    for rule in rules:
        tables = reads[rule.head.table]
        for literal in rule.body:
            if not is_builtin(literal.atom):
                tables[literal.atom.table] = None
    return reads


def _components(reads):
    """The strongly connected components of the graph ``reads`` (a table
    to the tables it reads), each after every component it reads: Tarjan's
    algorithm, without recursion, for long chains of tables."""
    index, low, position = {}, {}, {}
    stack, components = [], []

    def visit(table):
        index[table] = low[table] = len(index)
        position[table] = len(stack)
        stack.append(table)
        return table, iter(reads[table])

    for root in reads:
        if root in index:
            continue
        path = [visit(root)]
        while path:
            table, successors = path[-1]
            for successor in successors:
                if successor not in reads:
                    continue  # A base table.
                if successor not in index:
                    path.append(visit(successor))
                    break
                if successor in position:  # On the stack.
                    low[table] = min(low[table], index[successor])
            else:
                path.pop()
                if path:
                    parent = path[-1][0]
                    low[parent] = min(low[parent], low[table])
                if low[table] == index[table]:
                    members = stack[position[table]:]
                    del stack[position[table]:]
                    for member in members:
                        del position[member]
                    components.append(frozenset(members))
    return components


def _check_recursion(rules, originals):
    """Refuse recursion that has no meaning or no end: a table defined in
    terms of itself through ``not`` or an aggregate (no set of rows is
    consistent with its rules), and a recursive rule whose head takes a
    value only a builtin computes (``c(n) :- c(m), plus(m, 1, n)`` would
    add rows forever)."""
    component_of = {table: component
                    for component in _components(_reads(rules))
                    for table in component}
    for rule, original in zip(rules, originals, strict=True):
        cycle = component_of[rule.head.table]
        aggregate = any(isinstance(term, ast.Aggregate)
                        for term in rule.head.args)
        recursive = [literal for literal in rule.body
                     if literal.atom.table in cycle]
        for literal in recursive:
            if literal.negated or aggregate:
                how = '"not"' if literal.negated else 'an aggregate'
                verb = ('depends on itself' if len(cycle) == 1
                        else 'depend on each other')
                raise _error('%s %s through %s, which has no meaning; this '
                             'rule is on the cycle: %s'
                             % (_join(sorted(cycle)), verb, how, original),
                             rule)
        if recursive:
            _check_finite(rule)


def _check_finite(rule):
    read = set()
    for literal in rule.body:
        if not literal.negated and not is_builtin(literal.atom):
            read |= literal.atom.variables()
    for term in rule.head.args:
        if isinstance(term, ast.Variable) and term not in read:
            raise _error('variable %s of this recursive rule\'s head is '
                         'computed by a builtin, so the rule could add rows '
                         'forever: it must come from a table' % term,
                         rule.head)


def _project_negations(rules, fresh):
    """``rules`` with ``_`` under ``not`` projected away, and the rules of
    the projections (see the module's docstring)."""
    projections = {}
    result = []
    for rule in rules:
        body = []
        for literal in rule.body:
            atom = literal.atom
            kept = [index for index, term in enumerate(atom.args)
                    if not (isinstance(term, ast.Variable)
                            and term.anonymous)]
            if (not literal.negated or is_builtin(atom)
                    or len(kept) == len(atom.args)):
                body.append(literal)
                continue
            name = '%s#%s' % (atom.table, ','.join(map(str, kept)))
            if name not in projections:
                columns = [ast.Variable('c%d' % index) if index in kept
                           else next(fresh)
                           for index in range(len(atom.args))]
                head = ast.Atom(name, tuple(columns[index] for index in kept),
                                line=atom.line, column=atom.column)
                read = dataclasses.replace(atom, args=tuple(columns))
                projections[name] = ast.Rule(
                    head, (ast.Literal(read),), line=atom.line,
                    column=atom.column)
            projected = dataclasses.replace(
                atom, table=name,
                args=tuple(atom.args[index] for index in kept))
            body.append(ast.Literal(projected, negated=True))
        result.append(dataclasses.replace(rule, body=tuple(body)))
    return result + list(projections.values())


def _strata(rules):
    by_head = collections.defaultdict(list)
    for number, rule in enumerate(rules):
        by_head[rule.head.table].append((number, rule))
    strata = []
    for tables in _components(_reads(rules)):
        members = tuple(rule for _, rule in sorted(
            (member for table in tables for member in by_head[table]),
            key=lambda member: member[0]))
        recursive = any(literal.atom.table in tables
                        for rule in members for literal in rule.body)
        strata.append(Stratum(tables, members, recursive))
    return tuple(strata)
