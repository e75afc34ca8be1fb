"""Checks of an evaluator's state and proofs that the evaluation tests
share."""

from healapi.engine.datalog import ast
from healapi.engine.datalog import builtins


def snapshot(ev):
    """Every table's rows, copied."""
    tables = (list(ev.compiled.base_tables)
              + list(ev.compiled.derived_tables) + [builtins.CLOCK])
    return {table: set(ev.rows(table)) for table in tables}


def holds(name, row):
    builtin = builtins.BUILTINS[name]
    outputs = builtins.evaluate(builtin, row[:builtin.inputs])
    return outputs is not None and tuple(outputs) == row[builtin.inputs:]


def match(args, row, binding):
    """Extend ``binding`` so that ``args`` give ``row``; False if they
    can't."""
    for term, value in zip(args, row, strict=True):
        if isinstance(term, ast.Constant):
            if term.value != value:
                return False
        elif isinstance(term, ast.Variable):
            if binding.setdefault(term, value) != value:
                return False
    return True


def assert_sound(ev, proof, ancestors=frozenset()):
    """Check ``proof`` against ``ev`` now: base rows present, absent rows
    absent, builtins hold, each derivation an instance of its rule, and no
    row proved from itself."""
    key = (proof.table, proof.row)
    assert key not in ancestors, 'circular proof of %r' % (key,)
    if proof.kind == 'base':
        assert proof.table not in ev.compiled.derived_tables
        assert proof.row in ev.rows(proof.table)
        return
    if proof.kind == 'absent':
        if (proof.table in builtins.BUILTINS
                and proof.table != builtins.CLOCK):
            assert not holds(proof.table, proof.row)
        else:
            assert proof.row not in ev.rows(proof.table)
        return
    if proof.kind == 'builtin':
        assert holds(proof.table, proof.row)
        return
    assert proof.kind == 'derived'
    assert proof.row in ev.rows(proof.table)
    assert proof.rule.head.table == proof.table
    aggregate = any(isinstance(arg, ast.Aggregate)
                    for arg in proof.rule.head.args)
    if not aggregate:
        # One solution of the body, in the order of the body, giving the
        # head's row.
        assert len(proof.premises) == len(proof.rule.body)
        binding = {}
        for literal, premise in zip(proof.rule.body, proof.premises,
                                    strict=True):
            assert premise.table == literal.atom.table
            assert (premise.kind == 'absent') == literal.negated
            assert match(literal.atom.args, premise.row, binding)
        assert match(proof.rule.head.args, proof.row, binding)
    for premise in proof.premises:
        assert_sound(ev, premise, ancestors | {key})


def assert_explained(ev):
    """Every row of every derived table has a sound proof."""
    for table in ev.compiled.derived_tables:
        for row in ev.rows(table):
            proof = ev.explain(table, row)
            assert proof is not None, (table, row)
            assert proof.table == table and proof.row == row
            assert_sound(ev, proof)
