"""Incremental evaluation gives what evaluating from scratch gives.

For a few programs (and random ones), from random base rows and random
batches of insertions and deletions over small domains, so that rows often
collide, join and come back:

* after every apply, every derived table is what a new evaluator computes
  from the same base rows;
* apply returns exactly the rows each table gained and lost;
* simulate returns what apply would, and leaves every table as it was;
* the order of the rules does not matter;
* every derived row has a sound proof.
"""

import hypothesis
from hypothesis import strategies

import pytest

from healapi.engine.datalog import analysis
from healapi.engine.datalog import errors
from healapi.engine.datalog import evaluation
from tests.unit.engine.datalog import checks

#: name -> (program, {base table: arity}, values of their columns)
PROGRAMS = {
    'host_down': ('''
        error(v) :- vm(v, h), host_down(h), not exempt(v)
    ''', {'vm': 2, 'host_down': 1, 'exempt': 1}, (0, 1, 2, 3)),

    'closure': ('''
        tc(x, y) :- e(x, y)
        tc(x, y) :- e(x, z), tc(z, y)
    ''', {'e': 2}, (0, 1, 2, 3)),

    # Each path has many derivations, through rules of both kinds.
    'closure_doubly': ('''
        path(x, y) :- e(x, y)
        path(x, y) :- path(x, z), path(z, y)
        path(x, y) :- e(x, z), path(z, y)
        ring(x) :- path(x, x), not e(x, x)
    ''', {'e': 2}, (0, 1, 2, 3)),

    'negated_derived': ('''
        node(x) :- e(x, _)
        node(y) :- e(_, y)
        reach(x) :- start(x)
        reach(y) :- reach(x), e(x, y)
        unreached(x) :- node(x), not reach(x)
        leaf(x) :- node(x), not e(x, _)
        stranded(x) :- unreached(x), not leaf(x), not equal(x, 0)
    ''', {'e': 2, 'start': 1}, (0, 1, 2, 3)),

    'several_rules': ('''
        bad(x) :- a(x, "down")
        bad(x) :- a(x, y), b(y)
        bad(x) :- b(x), not c(x)
        bad(x) :- c(x), a(x, x)
        worse(x, y) :- bad(x), bad(y), lt(x, y)
        worse(x, x) :- bad(x), c(x)
    ''', {'a': 2, 'b': 1, 'c': 1}, (0, 1, 2, 'down')),

    'aggregate': ('''
        n(g, count(v)) :- t(g, v)
        total(g, sum(v)) :- t(g, v)
        spread(g, min(v), max(v)) :- t(g, v)
        all(sum(v), count(g)) :- t(g, v), not skip(g)
        bigger(g) :- total(g, s), all(a, _), lt(s, a)
        empty(g) :- groups(g), not n(g, _)
    ''', {'t': 2, 'skip': 1, 'groups': 1}, (0, 1, 2, 'x')),
}


def rows_of(arity, values, max_size=6):
    return strategies.frozensets(
        strategies.tuples(*[strategies.sampled_from(values)] * arity),
        max_size=max_size)


def base_rows(arities, values):
    return strategies.fixed_dictionaries(
        {table: rows_of(arity, values) for table, arity in arities.items()})


@strategies.composite
def batches(draw, arities, values, rows):
    """A change to ``rows``: some of their rows deleted (and some that
    aren't there), new ones inserted."""
    changes = {}
    if not arities:
        return changes
    for table in draw(strategies.sets(strategies.sampled_from(
            sorted(arities)), min_size=1)):
        present = sorted(rows[table], key=repr)
        deletes = set(draw(rows_of(arities[table], values, 2)))
        if present:
            deletes |= draw(strategies.sets(strategies.sampled_from(present),
                                            max_size=3))
        inserts = draw(rows_of(arities[table], values, 3))
        changes[table] = (sorted(inserts, key=repr),
                          sorted(deletes, key=repr))
    return changes


def applied(rows, changes):
    """``rows`` after ``changes``, deletes first."""
    rows = dict(rows)
    for table, (inserts, deletes) in changes.items():
        rows[table] = (set(rows[table]) - set(deletes)) | set(inserts)
    return rows


def derived(ev):
    return {table: set(ev.rows(table))
            for table in ev.compiled.derived_tables}


def difference(before, after):
    """What apply should return from ``before`` and ``after``."""
    changes = {}
    for table in after:
        added = after[table] - before[table]
        removed = before[table] - after[table]
        if added or removed:
            changes[table] = evaluation.Change(frozenset(added),
                                               frozenset(removed))
    return changes


def run(compiled, rows, sequence):
    """Apply ``sequence`` (drawn one batch at a time by ``sequence(rows)``)
    to an evaluator of ``rows``, checking it against evaluation from
    scratch each time; the evaluator and the base rows at the end."""
    ev = evaluation.Evaluator(compiled, rows)
    for changes in sequence(rows):
        before = derived(ev)
        result = ev.apply(changes)
        rows = applied(rows, changes)
        fresh = evaluation.Evaluator(compiled, rows)
        assert derived(ev) == derived(fresh), changes
        assert result == difference(before, derived(ev)), changes
    return ev, rows


def drawing(data, arities, values, steps=4):
    """A ``sequence`` for :func:`run` drawing ``steps`` batches."""
    def sequence(rows):
        for _ in range(steps):
            changes = data.draw(batches(arities, values, rows))
            yield changes
            rows = applied(rows, changes)
    return sequence


SETTINGS = hypothesis.settings(deadline=None, max_examples=35)


@pytest.mark.parametrize('name', sorted(PROGRAMS))
@hypothesis.given(data=strategies.data())
@SETTINGS
def test_apply_gives_what_evaluating_from_scratch_gives(name, data):
    text, arities, values = PROGRAMS[name]
    rows = data.draw(base_rows(arities, values))

    run(analysis.load(text), rows, drawing(data, arities, values))


@pytest.mark.parametrize('name', sorted(PROGRAMS))
@hypothesis.given(data=strategies.data())
@SETTINGS
def test_simulate_predicts_apply_and_changes_nothing(name, data):
    text, arities, values = PROGRAMS[name]
    rows = data.draw(base_rows(arities, values))
    ev = evaluation.Evaluator(analysis.load(text), rows)

    for _ in range(3):
        changes = data.draw(batches(arities, values, rows))
        before = checks.snapshot(ev)
        simulated = ev.simulate(changes)
        assert checks.snapshot(ev) == before
        assert ev.apply(changes) == simulated
        rows = applied(rows, changes)


@pytest.mark.parametrize('name', sorted(PROGRAMS))
@hypothesis.given(data=strategies.data())
@SETTINGS
def test_the_order_of_rules_does_not_matter(name, data):
    text, arities, values = PROGRAMS[name]
    lines = [line for line in text.splitlines() if line.strip()]
    shuffled = data.draw(strategies.permutations(lines))
    rows = data.draw(base_rows(arities, values))
    ev = evaluation.Evaluator(analysis.load('\n'.join(lines)), rows)
    other = evaluation.Evaluator(analysis.load('\n'.join(shuffled)), rows)
    assert derived(ev) == derived(other)

    for _ in range(3):
        changes = data.draw(batches(arities, values, rows))
        assert ev.apply(changes) == other.apply(changes)
        assert derived(ev) == derived(other)
        rows = applied(rows, changes)


@pytest.mark.parametrize('name', sorted(PROGRAMS))
@hypothesis.given(data=strategies.data())
@hypothesis.settings(deadline=None, max_examples=15)
def test_every_derived_row_has_a_sound_proof(name, data):
    text, arities, values = PROGRAMS[name]
    rows = data.draw(base_rows(arities, values))
    ev = evaluation.Evaluator(analysis.load(text), rows)
    checks.assert_explained(ev)

    for _ in range(2):
        changes = data.draw(batches(arities, values, rows))
        ev.apply(changes)
        rows = applied(rows, changes)
        checks.assert_explained(ev)


# Random programs -------------------------------------------------------------

#: Tables random programs read and define, with their arities.
BASE = {'a': 2, 'b': 1, 'c': 2}
DERIVED = {'p': 1, 'q': 2, 'r': 1}
VALUES = (1, 2, 3)
VARIABLES = ('x', 'y', 'z')


@strategies.composite
def random_rules(draw):
    """A rule over :data:`BASE` and :data:`DERIVED`, safe by construction
    (it may still recurse through not, and be refused)."""
    tables = {**BASE, **DERIVED}
    term = strategies.sampled_from(VARIABLES + ('_', '1', '2'))
    body, bound = [], set()
    for _ in range(draw(strategies.integers(1, 3))):
        table = draw(strategies.sampled_from(sorted(tables)))
        args = [draw(term) for _ in range(tables[table])]
        bound |= set(args) & set(VARIABLES)
        body.append('%s(%s)' % (table, ', '.join(args)))
    if not bound:
        table = draw(strategies.sampled_from(sorted(BASE)))
        body.append('%s(%s)' % (table, ', '.join(['x'] * BASE[table])))
        bound.add('x')
    usable = strategies.sampled_from(sorted(bound) + ['1', '_'])
    if draw(strategies.booleans()):
        table = draw(strategies.sampled_from(sorted(tables)))
        body.append('not %s(%s)' % (table, ', '.join(
            draw(usable) for _ in range(tables[table]))))
    values = strategies.sampled_from(sorted(bound) + ['2'])
    builtin = draw(strategies.sampled_from(['', 'lt', 'not equal', 'plus']))
    if builtin == 'plus':
        body.append('plus(%s, 1, w)' % draw(values))
        bound.add('w')
    elif builtin:
        body.append('%s(%s, %s)' % (builtin, draw(values), draw(values)))
    head = draw(strategies.sampled_from(sorted(DERIVED)))
    head_values = strategies.sampled_from(sorted(bound) + ['3'])
    args = [draw(head_values) for _ in range(DERIVED[head])]
    if len(args) == 2 and draw(strategies.integers(0, 4)) == 0:
        function = draw(strategies.sampled_from(['count', 'sum', 'min',
                                                 'max']))
        args[1] = '%s(%s)' % (function, draw(strategies.sampled_from(
            sorted(bound))))
    return '%s(%s) :- %s' % (head, ', '.join(args), ', '.join(body))


@strategies.composite
def random_programs(draw):
    text = '\n'.join(draw(strategies.lists(random_rules(), min_size=1,
                                           max_size=5)))
    try:
        compiled = analysis.load(text)
    except errors.PolicyError:
        hypothesis.reject()
    return text, compiled


@hypothesis.given(program=random_programs(), data=strategies.data())
@hypothesis.settings(deadline=None, max_examples=120,
                     suppress_health_check=[
                         hypothesis.HealthCheck.filter_too_much,
                         hypothesis.HealthCheck.too_slow])
def test_random_programs(program, data):
    text, compiled = program
    # Tables no rule defines are base tables too (and empty).
    arities = {table: arity for table, arity in compiled.base_tables.items()}
    rows = data.draw(base_rows(arities, VALUES))

    ev, rows = run(compiled, rows, drawing(data, arities, VALUES, steps=3))
    before = checks.snapshot(ev)
    changes = data.draw(batches(arities, VALUES, rows))
    simulated = ev.simulate(changes)
    assert checks.snapshot(ev) == before
    checks.assert_explained(ev)
    assert ev.apply(changes) == simulated
