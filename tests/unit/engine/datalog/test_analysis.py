"""Loading a policy checks it as Congress did (and a little more), and
compiles it to the resolved, stratified form the evaluator runs."""

import pytest

from healapi.engine.datalog import analysis
from healapi.engine.datalog import ast
from healapi.engine.datalog import errors
from healapi.engine.datalog import parser

V = ast.Variable
C = ast.Constant

SCHEMAS = {
    'nova:servers': ('id', 'name', 'host', 'status'),
    'nova:host_down': ('host',),
    'neutron:ports': ('id', 'device_id', 'network_id'),
}


def rules_of(compiled):
    """Every compiled rule, as text, stratum by stratum."""
    return [str(rule) for stratum in compiled.strata
            for rule in stratum.rules]


def only_rule(compiled, table):
    (rule,) = [rule for stratum in compiled.strata for rule in stratum.rules
               if rule.head.table == table]
    return rule


def test_load_is_parse_then_compile():
    text = 'error(vm) :- nova:servers(id=vm, status="ERROR")'

    assert analysis.load(text, SCHEMAS) == analysis.compile_program(
        parser.parse(text), SCHEMAS)


def test_the_compiled_program_keeps_the_program_as_parsed():
    text = 'p(x) :- nova:servers(id=x)'

    compiled = analysis.load(text, SCHEMAS)

    assert compiled.program == parser.parse(text)
    assert compiled.program.rules[0].body[0].atom.named


def test_column_names_become_positions_and_the_rest_anonymous():
    compiled = analysis.load(
        'error(vm) :- nova:servers(id=vm, host=h, status="ACTIVE"), '
        'nova:host_down(host=h)', SCHEMAS)
    rule = only_rule(compiled, 'error')
    servers = rule.body[0].atom

    assert servers.named == ()
    assert servers.args[0] == V('vm')
    assert servers.args[2:] == (V('h'), C('ACTIVE'))
    assert servers.args[1].anonymous
    assert rule.body[1].atom.args == (V('h'),)
    assert str(rule) == ('error(vm) :- nova:servers(vm, _, h, "ACTIVE"), '
                         'nova:host_down(h)')


def test_positions_and_column_numbers_mix_with_names():
    compiled = analysis.load(
        'p(a, b, c) :- nova:servers(a, status=c, 1=b)', SCHEMAS)

    assert only_rule(compiled, 'p').body[0].atom.args[:2] == (V('a'), V('b'))
    assert only_rule(compiled, 'p').body[0].atom.args[3] == V('c')


def test_left_out_columns_are_distinct_variables_unused_elsewhere():
    compiled = analysis.load(
        'p(x) :- nova:servers(id=x), q(_, _)\n'
        'r(y) :- nova:servers(id=y)', SCHEMAS)
    variables = [term for stratum in compiled.strata for rule in stratum.rules
                 for literal in rule.body for term in literal.atom.args
                 if term.anonymous]

    assert len(variables) == len(set(variables)) == 2 + 3 + 3


def test_atoms_keep_their_positions_once_resolved():
    compiled = analysis.load('p(x) :-\n  nova:servers(id=x)', SCHEMAS)
    atom = only_rule(compiled, 'p').body[0].atom

    assert (atom.line, atom.column) == (2, 3)


def test_builtins_are_named_bare_with_or_without_the_prefix():
    compiled = analysis.load(
        'p(x) :- q(x, y), builtin:lt(x, y), gt(y, 1), '
        'not builtin:equal(x, 3)')
    body = only_rule(compiled, 'p').body

    assert [literal.atom.table for literal in body] == [
        'q', 'lt', 'gt', 'equal']
    assert body[3].negated
    assert compiled.base_tables == {'q': 2}


def test_tables_strata_and_actions():
    compiled = analysis.load(
        'error(vm) :- nova:servers(id=vm, host=h), nova:host_down(h), '
        'not exempt(vm)\n'
        'execute[nova:servers.pause(vm)] :- error(vm)\n'
        'exempt("a3f1")\n'
        'ok(vm) :- nova:servers(id=vm), not error(vm), not unknown(vm)\n',
        SCHEMAS)

    assert compiled.base_tables == {
        'nova:servers': 4, 'nova:host_down': 1, 'unknown': 1}
    assert compiled.derived_tables == {
        'error': 1, 'nova:servers.pause': 1, 'exempt': 1, 'ok': 1}
    assert compiled.actions == {'nova:servers.pause'}
    assert [set(stratum.tables) for stratum in compiled.strata] == [
        {'exempt'}, {'error'}, {'nova:servers.pause'}, {'ok'}]
    assert not any(stratum.recursive for stratum in compiled.strata)
    assert only_rule(compiled, 'nova:servers.pause').action


def test_each_stratum_comes_after_the_strata_it_reads():
    compiled = analysis.load(
        'e(x) :- d(x), not c(x)\n'
        'd(x) :- c(x), b(x)\n'
        'c(x) :- b(x), not a(x)\n'
        'b(x) :- base(x)\n'
        'a(x) :- base(x), not b(x)\n'
        'f(x, count(y)) :- e(x), d(y)\n')
    position = {table: number
                for number, stratum in enumerate(compiled.strata)
                for table in stratum.tables}

    for number, stratum in enumerate(compiled.strata):
        for rule in stratum.rules:
            assert rule.head.table in stratum.tables
            for literal in rule.body:
                if literal.atom.table in position:
                    assert position[literal.atom.table] <= number
    assert [next(iter(stratum.tables)) for stratum in compiled.strata] == [
        'b', 'a', 'c', 'd', 'e', 'f']


def test_recursion_without_negation_is_one_recursive_stratum():
    compiled = analysis.load(
        'path(x, y) :- link(x, y)\n'
        'path(x, z) :- path(x, y), hop(y, z)\n'
        'hop(y, z) :- link(y, z), path(y, _)\n'
        'far(x) :- path(x, _), not link(x, _)\n')
    recursive, far = [stratum for stratum in compiled.strata
                      if stratum.tables & {'path', 'far'}]

    assert recursive.tables == {'path', 'hop'}
    assert recursive.recursive
    assert [str(rule) for rule in recursive.rules] == [
        'path(x, y) :- link(x, y)',
        'path(x, z) :- path(x, y), hop(y, z)',
        'hop(y, z) :- link(y, z), path(y, _)']
    assert not far.recursive


def test_facts_are_rules_of_their_stratum():
    compiled = analysis.load('p(1)\np(2)\nq(x) :- p(x)')

    assert rules_of(compiled) == ['p(1)', 'p(2)', 'q(x) :- p(x)']
    assert compiled.strata[0].tables == {'p'}


def test_an_underscore_under_not_is_any_value():
    compiled = analysis.load(
        'lonely(vm) :- nova:servers(id=vm), not neutron:ports(device_id=vm)'
        '\nidle(h) :- nova:host_down(h), not q(h, _, 1), '
        'not neutron:ports(_, h, _)', SCHEMAS)

    assert rules_of(compiled) == [
        'neutron:ports#1(c1) :- neutron:ports(_, c1, _)',
        'lonely(vm) :- nova:servers(vm, _, _, _), not neutron:ports#1(vm)',
        'q#0,2(c0, c2) :- q(c0, _, c2)',
        'idle(h) :- nova:host_down(h), not q#0,2(h, 1), '
        'not neutron:ports#1(h)']
    assert compiled.derived_tables['neutron:ports#1'] == 1
    assert compiled.base_tables == {'nova:servers': 4, 'neutron:ports': 3,
                                    'nova:host_down': 1, 'q': 3}


def test_safety_does_not_depend_on_the_order_of_the_body():
    compiled = analysis.load(
        'p(z) :- plus(y, 1, z), not r(z), lt(x, 10), plus(x, 1, y), q(x)')

    assert [literal.atom.table
            for literal in only_rule(compiled, 'p').body] == [
        'plus', 'r', 'lt', 'plus', 'q']


@pytest.mark.parametrize('text', [
    'p(x, t) :- q(x), now(t)',
    'p(x) :- q(x), not equal(x, 3)',
    'p(y) :- q(x), unpack_date("2016-01-05 10:00:00", y, m, d), lt(x, m)',
    'n(h, count(v), sum(m), min(m), max(m)) :- r(h, v, m)',
    'total(sum(size)) :- volumes(_, size)',
    'execute[nova:servers.pause("vm1")]',
    'p("a", 1) :- q(1)',
])
def test_safe_rules(text):
    analysis.load(text)


def test_undefined_local_tables_are_empty_base_tables_as_in_congress():
    compiled = analysis.load('p(x) :- q(x), not r(x)')

    assert compiled.base_tables == {'q': 1, 'r': 1}


def test_without_schemas_datasource_tables_need_one_arity():
    compiled = analysis.load('p(x) :- nova:servers(x, y), nova:flavors(y)')

    assert compiled.base_tables == {'nova:servers': 2, 'nova:flavors': 1}


def test_an_action_schema_names_its_arguments():
    schemas = dict(SCHEMAS, **{'nova:servers.pause': ('server',)})

    compiled = analysis.load(
        'execute[nova:servers.pause(server=vm)] :- nova:servers(id=vm)',
        schemas)

    assert only_rule(compiled, 'nova:servers.pause').head.args == (V('vm'),)


@pytest.mark.parametrize('text, schemas, message, line, column', [
    # Column names and numbers.
    ('p(x) :-\n  nova:servers(id=x)', None,
     'the columns of nova:servers are not known, so its arguments must be '
     'given by position', 2, 3),
    ('p(x) :- q(x)\nr(x) :- p(id=x)', SCHEMAS,
     'the columns of p are not known, so its arguments must be given by '
     'position', 2, 9),
    ('p(id=x) :- nova:servers(x, _, _, _)', SCHEMAS,
     'the columns of p are not known, so its arguments must be given by '
     'position', 1, 1),
    ('p(x) :- nova:servers(id=x, hostname=h)', SCHEMAS,
     'nova:servers has no column hostname: its columns are id, name, host, '
     'status', 1, 9),
    ('p(x) :- nova:servers(7=x)', SCHEMAS,
     'nova:servers has no column 7: its columns are numbered from 0 to 3',
     1, 9),
    ('p(x) :- nova:servers(id=x, id=y)', SCHEMAS,
     'column id of nova:servers is given twice', 1, 9),
    ('p(x) :- nova:servers(id=x, 0=y)', SCHEMAS,
     'column id of nova:servers is given twice', 1, 9),
    ('p(x) :- nova:servers(x, id=y)', SCHEMAS,
     'column id of nova:servers is already given by position', 1, 9),
    ('p(x) :- nova:servers(x, a, b, c, d)', SCHEMAS,
     'nova:servers has 4 columns (id, name, host, status), not 5', 1, 9),
    ('p(x) :- nova:servers(x, a, b, c, d, status=e)', SCHEMAS,
     'nova:servers has 4 columns (id, name, host, status), not 5', 1, 9),
    ('p(x) :- nova:servers(x)', SCHEMAS,
     'nova:servers has 4 columns (id, name, host, status), not 1', 1, 9),
    # Tables.
    ('p(x) :- nova:flavors(x)', SCHEMAS,
     'datasource nova has no table flavors', 1, 9),
    ('p(x) :- cinder:volumes(x)', SCHEMAS,
     'unknown datasource cinder (in cinder:volumes)', 1, 9),
    ('p(x) :- q(x)\np(x, y) :- q(x), q(y)', None,
     'p has 2 arguments here but 1 at line 1, column 1: a table has one '
     'number of columns', 2, 1),
    ('p(x) :- q(x), not q(x, x)', None,
     'q has 2 arguments here but 1 at line 1, column 9: a table has one '
     'number of columns', 1, 19),
    ('p(x) :- nova:servers(x, y)\nq(x) :- nova:servers(x)', None,
     'nova:servers has 1 arguments here but 2 at line 1, column 9: a table '
     'has one number of columns', 2, 9),
    ('execute[nova:pause(x)] :- q(x)\nexecute[nova:pause(x, y)] :- q(x), '
     'q(y)', None,
     'nova:pause has 2 arguments here but 1 at line 1, column 9: a table '
     'has one number of columns', 2, 9),
    ('q(1)\nnova:servers(x) :- q(x)', None,
     'nova:servers is a table of datasource nova: rules cannot define it',
     2, 1),
    ('nova:servers(1, "a", "h", "ACTIVE")', SCHEMAS,
     'nova:servers is a table of datasource nova: rules cannot define it',
     1, 1),
    ('execute[pause(x)] :- q(x)', None,
     'execute[...] takes an action of a datasource, such as '
     'nova:servers.pause, not pause', 1, 9),
    ('execute[nova:pause(x)] :- q(x)\np(x) :- nova:pause(x)', None,
     'nova:pause is an action: rules cannot read it', 2, 9),
    # Builtins.
    ('lt(x, y) :- q(x, y)', None,
     'lt is a builtin: rules cannot define it', 1, 1),
    ('builtin:lt(x, y) :- q(x, y)', None,
     'builtin:lt is a builtin: rules cannot define it', 1, 1),
    ('now("2020-01-01 00:00:00")', None,
     'now is a builtin: rules cannot define it', 1, 1),
    ('p(x) :- q(x), builtin:lte(x, 3)', None,
     'unknown builtin lte', 1, 15),
    ('p(x) :- q(x), lt(x)', None,
     'builtin lt takes 2 arguments, by position (lt(x, y): x < y)', 1, 15),
    ('p(x) :- q(x), builtin:plus(x, 1, y, z)', None,
     'builtin plus takes 3 arguments, by position (plus(x, y, z): '
     'z = x + y)', 1, 15),
    ('p(x) :- q(x), lt(x=x, y=3)', None,
     'builtin lt takes 2 arguments, by position (lt(x, y): x < y)', 1, 15),
    # Safety.
    ('p(x, y) :- q(x)', None,
     'variable y of the head is not bound: the body must read it from a '
     'table (not under "not") or compute it with a builtin', 1, 1),
    ('p(x) :- not q(x)', None,
     'variable x, in "not q(x)", is not bound: the body must read it from '
     'a table (not under "not") or compute it with a builtin', 1, 13),
    ('p(x) :- q(x),\n  not r(x, y)', None,
     'variable y, in "not r(x, y)", is not bound: the body must read it '
     'from a table (not under "not") or compute it with a builtin', 2, 7),
    ('p(x) :- q(x), builtin:lt(x, y)', None,
     'variable y, an input of builtin:lt(x, y), is not bound: the body '
     'must read it from a table (not under "not") or compute it with a '
     'builtin', 1, 15),
    ('p(x) :- q(x), plus(y, 1, x)', None,
     'variable y, an input of plus(y, 1, x), is not bound: the body must '
     'read it from a table (not under "not") or compute it with a builtin',
     1, 15),
    ('p(x) :- q(x), plus(y, 1, z), plus(z, 1, y)', None,
     'variable y, an input of plus(y, 1, z), is not bound: the body must '
     'read it from a table (not under "not") or compute it with a builtin',
     1, 15),
    ('p(x) :- q(x), not lt(x, _)', None,
     'variable _, in "not lt(x, _)", is not bound: the body must read it '
     'from a table (not under "not") or compute it with a builtin', 1, 19),
    ('p(h, count(v)) :- q(h)', None,
     'variable v of count(v) is not bound: the body must read it from a '
     'table (not under "not") or compute it with a builtin', 1, 1),
    ('p(_) :- q(x)', None,
     'every argument of a head needs a value: the head cannot have _ or '
     'leave columns out', 1, 1),
    ('p(x) :- q(x)\n  r(x)', None,
     'a fact cannot have variables, but r(x) has x (is a ":-" or a "," '
     'missing before it?)', 2, 3),
    ('p(x, 1, y)', None,
     'a fact cannot have variables, but p(x, 1, y) has x and y (is a ":-" '
     'or a "," missing before it?)', 1, 1),
    # Recursion.
    ('p(x) :- q(x), not p(x)', None,
     'p depends on itself through "not", which has no meaning; this rule '
     'is on the cycle: p(x) :- q(x), not p(x)', 1, 1),
    ('a(x) :- q(x)\nb(x) :- q(x), not c(x)\nc(x) :- a(x), b(x)', None,
     'b and c depend on each other through "not", which has no meaning; '
     'this rule is on the cycle: b(x) :- q(x), not c(x)', 2, 1),
    ('r(x) :- b(x)\nb(x) :- q(x), not neutron:ports(x, _), not r(x)', None,
     'b and r depend on each other through "not", which has no meaning; '
     'this rule is on the cycle: b(x) :- q(x), not neutron:ports(x, _), '
     'not r(x)', 2, 1),
    ('n(x, count(y)) :- e(x, y)\ne(x, y) :- n(x, y)', None,
     'e and n depend on each other through an aggregate, which has no '
     'meaning; this rule is on the cycle: n(x, count(y)) :- e(x, y)', 1, 1),
    ('c(0)\nc(n) :- c(m), plus(m, 1, n)', None,
     'variable n of this recursive rule\'s head is computed by a builtin, '
     'so the rule could add rows forever: it must come from a table', 2, 1),
])
def test_errors(text, schemas, message, line, column):
    with pytest.raises(errors.PolicyError) as caught:
        analysis.load(text, schemas)

    assert (caught.value.message, caught.value.line,
            caught.value.column) == (message, line, column)


def test_a_recursive_rule_may_compute_values_it_only_tests():
    compiled = analysis.load(
        'reach(x, y) :- link(x, y, _)\n'
        'reach(x, z) :- reach(x, y), link(y, z, cost), plus(cost, 1, c), '
        'lt(c, 10)')

    assert compiled.strata[0].recursive


def test_congress_library_policy_loads():
    # Congress's DisallowedServerImages library policy, with its datasource
    # tables as Congress's drivers declared them (only the columns used).
    schemas = {
        'glancev2:images': ('id', 'name'),
        'glancev2:tags': ('image_id', 'tag'),
        'nova:servers': ('id', 'name', 'image_id'),
    }
    text = '''
      permitted_image_names('permitted_image')
      permitted_image_tags('permitted_tag')
      images_permitted_by_name(image_id) :-
        glancev2:images(id=image_id, name=permitted_name),
        not permitted_image_names(permitted_name)
      servers_with_image_permitted_by_name(server_id, server_name) :-
        nova:servers(id=server_id, name=server_name, image_id=image_id),
        images_permitted_by_name(image_id)
      images_with_some_non_permitted_tag(image_id) :-
        glancev2:tags(image_id=image_id, tag=tag),
        not permitted_image_tags(tag)
      servers_with_some_non_permitted_image_tag(server_id, server_name) :-
        nova:servers(id=server_id, name=server_name, image_id=image_id),
        images_with_some_non_permitted_tag(image_id)
      warning(server_id) :-
        servers_with_some_non_permitted_image_tag(server_id, _),
        not servers_with_image_permitted_by_name(server_id, _)
    '''

    compiled = analysis.load(text, schemas)

    assert set(compiled.base_tables) == set(schemas)
    assert 'warning' in compiled.derived_tables
    assert compiled.strata[-1].tables == {'warning'}
