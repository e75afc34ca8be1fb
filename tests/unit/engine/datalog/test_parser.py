"""The parser reads Congress's policy syntax into the syntax tree, and says
where and why text is not a policy."""

import string

import hypothesis
from hypothesis import strategies
import pytest

from healapi.engine.datalog import ast
from healapi.engine.datalog import errors
from healapi.engine.datalog import parser

V = ast.Variable
C = ast.Constant


def atom(table, *args, named=()):
    return ast.Atom(table, tuple(args), tuple(named))


def rule(head, *body, action=False):
    return ast.Rule(head, tuple(body), action=action)


def lit(table, *args, named=(), negated=False):
    return ast.Literal(atom(table, *args, named=named), negated)


def only_rule(text):
    (parsed,) = parser.parse(text).rules
    return parsed


def anonymous(number):
    return V(ast.ANONYMOUS_PREFIX + str(number))


# Policies from Congress's documentation and policy library, verbatim.
CONGRESS_POLICIES = [
    'error(vm) :- nova:servers(id=vm, host=h, status="ACTIVE"), '
    'nova:host_down(host=h), not exempt(vm)',
    'error(port_id, ip1, ip2) :-\n'
    '    port(port_id, ip1),\n'
    '    port(port_id, ip2),\n'
    '    not equal(ip1, ip2);\n',
    'execute[neutron:disconnectNetwork(vm, network)] :-\n'
    '    error(vm, network)',
    'neutron:port_ip("66dafde0-a49c-11e3-be40-425861b86ab6", "10.0.0.1")\n'
    'neutron:port_ip("73e31d4c-e89b-12d3-a456-426655440000", "10.0.0.3")',
    'plenty_of_memory(vm) :- nova:virtual_machine.memory(vm, mem), '
    'gt(mem, 100)',
    'port(x) :- neutron:ports(id=x)',
    'execute[nova:servers.pause(x)] :- nova:servers(id=x, status="ACTIVE")',
    '# Not permitted because of recursion\n'
    'error(x) :- compute:insecure(x), network:connected_to_internet(x)',
    "security_zone_tags('demo_zone')",
    'execute[neutronv2:create_security_group(json)] :-\n'
    '  zone_missing_sg(zone),\n'
    '  admin_project_id(project_id),\n'
    '  builtin:concat(\'{"security_group": {"name": "\', zone, j1),\n'
    '  builtin:concat(j1, \'", "project_id": "\', j2)',
    'server_has_no_expected_group(server_id) :-\n'
    '  server_security_zone(server_id, _),\n'
    '  NOT server_has_group(server_id)',
    "unsafe_traffic('ingress', 'tcp', 22)",
    'groups_allows_unsafe_traffic(sg_id, rule_id) :-\n'
    '  neutronv2:security_group_rules(security_group_id=sg_id, id=rule_id,\n'
    '      direction=direction, protocol=\'None\', port_range_min=port_min,\n'
    '      port_range_max=port_max),\n'
    '  unsafe_traffic(direction, _, unsafe_port),\n'
    '  builtin:lteq(port_min, unsafe_port),\n'
    '  builtin:lteq(unsafe_port, port_max)',
]


@pytest.mark.parametrize('text', CONGRESS_POLICIES)
def test_congress_policies_parse_and_print_back(text):
    program = parser.parse(text)

    assert program.rules
    assert parser.parse(str(program)) == program


def test_the_example_rule_in_full():
    parsed = only_rule(CONGRESS_POLICIES[0])

    assert parsed == rule(
        atom('error', V('vm')),
        lit('nova:servers', named=(('id', V('vm')), ('host', V('h')),
                                   ('status', C('ACTIVE')))),
        lit('nova:host_down', named=(('host', V('h')),)),
        lit('exempt', V('vm'), negated=True))
    assert not parsed.action


def test_facts_have_no_body():
    parsed = only_rule('p(1, "a", -2.5)')

    assert parsed == rule(atom('p', C(1), C('a'), C(-2.5)))
    assert parsed.is_fact


@pytest.mark.parametrize('text', ['p', 'p()'])
def test_a_table_without_arguments(text):
    assert only_rule(text) == rule(atom('p'))


@pytest.mark.parametrize('text, table', [
    ('p(x)', 'p'),
    ('nova:servers(x)', 'nova:servers'),
    ('nova:servers.pause(x)', 'nova:servers.pause'),
    ('nova:virtual_machine.memory(x)', 'nova:virtual_machine.memory'),
    ('_private2(x)', '_private2'),
    ('a:b:c(x)', 'a:b:c'),
    ('execute(x)', 'execute'),
])
def test_table_names(text, table):
    assert only_rule(text).head.table == table


def test_a_name_does_not_end_with_a_dot_so_that_a_dot_ends_a_statement():
    program = parser.parse('p :- q. r :- s.')

    assert program == ast.Program((rule(atom('p'), lit('q')),
                                   rule(atom('r'), lit('s'))))


@pytest.mark.parametrize('separator', ['\n', ' ', ';', '.', ';\n', '.\n'])
def test_statements_are_separated_by_anything_or_nothing(separator):
    text = separator.join(['p(x) :- q(x)', 'q(1)', 'r(x) :- p(x)'])

    assert len(parser.parse(text).rules) == 3


@pytest.mark.parametrize('negation', ['not ', 'NOT ', '!', '! '])
def test_negation(negation):
    parsed = only_rule('p(x) :- q(x), %sr(x)' % negation)

    assert parsed.body == (lit('q', V('x')), lit('r', V('x'), negated=True))


def test_not_is_a_keyword_but_may_begin_a_name():
    parsed = only_rule('p(x) :- notable(x), not nothing(x)')

    assert parsed.body == (lit('notable', V('x')),
                           lit('nothing', V('x'), negated=True))


def test_execute_makes_an_action_rule():
    parsed = only_rule('execute[nova:servers.pause(vm)] :- error(vm)')

    assert parsed == rule(atom('nova:servers.pause', V('vm')),
                          lit('error', V('vm')), action=True)
    assert parsed.action
    assert str(parsed) == 'execute[nova:servers.pause(vm)] :- error(vm)'


@pytest.mark.parametrize('text, args, named', [
    ('p(x, y)', (V('x'), V('y')), ()),
    ('p(id=x, host=y)', (), (('id', V('x')), ('host', V('y')))),
    ('p(x, host=y)', (V('x'),), (('host', V('y')),)),
    ('p(0=x, 2="a")', (), ((0, V('x')), (2, C('a')))),
    ('p(x, status="ACTIVE")', (V('x'),), (('status', C('ACTIVE')),)),
])
def test_arguments_by_position_name_or_column_number(text, args, named):
    head = only_rule(text).head

    assert (head.args, head.named) == (args, named)


def test_named_arguments_keep_the_order_written():
    head = only_rule('p(b=1, a=2)').head

    assert head.named == (('b', C(1)), ('a', C(2)))
    assert str(head) == 'p(b=1, a=2)'


def test_each_underscore_is_a_variable_of_its_own_in_the_program():
    program = parser.parse('p(x) :- q(x, _, _)\nr(y) :- s(_, y)')

    assert program.rules[0].body[0].atom.args[1:] == (anonymous(1),
                                                      anonymous(2))
    assert program.rules[1].body[0].atom.args[0] == anonymous(3)
    assert all(variable.anonymous for variable in
               [anonymous(1), anonymous(2), anonymous(3)])
    assert str(program) == 'p(x) :- q(x, _, _)\nr(y) :- s(_, y)'


def test_a_name_starting_with_underscore_is_an_ordinary_variable():
    (variable,) = only_rule('p(_x) :- q(_x)').head.args

    assert variable == V('_x')
    assert not variable.anonymous


@pytest.mark.parametrize('text, value', [
    ('"abc"', 'abc'),
    ("'abc'", 'abc'),
    ('""', ''),
    ('"it\'s"', "it's"),
    ("'say \"hi\"'", 'say "hi"'),
    (r'"a\"b"', 'a"b'),
    (r"'a\'b'", "a'b"),
    (r'"back\\slash"', 'back\\slash'),
    (r'"tab\tnew\nline"', 'tab\tnew\nline'),
    (r'"\u00e9t\u00e9"', 'été'),
    (r'"\ud83d\ude00"', '\U0001f600'),
    ('"été // not a comment # nor this"', 'été // not a comment # nor this'),
    (r'"\d+"', '\\d+'),
])
def test_strings(text, value):
    assert only_rule('p(%s)' % text).head.args == (C(value),)


@pytest.mark.parametrize('text, value', [
    ('0', 0), ('42', 42), ('-7', -7), ('007', 7),
    ('0x1F', 31), ('0o17', 15), ('0b101', 5), ('-0x10', -16),
    ('1.5', 1.5), ('-2.25', -2.25), ('.5', 0.5), ('5.', 5.0),
    ('1e3', 1000.0), ('1.5e-3', 0.0015), ('1e+20', 1e20),
    ('12345678901234567890', 12345678901234567890),
])
def test_numbers(text, value):
    (constant,) = only_rule('p(%s)' % text).head.args

    assert constant == C(value)
    assert type(constant.value) is type(value)


@pytest.mark.parametrize('comment', [
    '// a comment\n', '# a comment\n', '/* a comment */',
    '/* a comment\n over lines */', '// at the end',
])
def test_comments(comment):
    program = parser.parse('%s\np(1) %s\nq(2) %s' % ((comment,) * 3))

    assert program == ast.Program((rule(atom('p', C(1))),
                                   rule(atom('q', C(2)))))


@pytest.mark.parametrize('text', ['', '   \n', '// nothing\n'])
def test_empty_text_is_an_empty_program(text):
    assert parser.parse(text) == ast.Program()


@pytest.mark.parametrize('function', parser.AGGREGATES)
def test_aggregates_in_heads(function):
    parsed = only_rule('t(h, %s(v)) :- nova:servers(id=v, host=h)'
                       % function)

    assert parsed.head.args == (V('h'), ast.Aggregate(function, V('v')))


def test_max_in_a_body_is_the_builtin_not_an_aggregate():
    parsed = only_rule('p(z) :- q(x, y), max(x, y, z)')

    assert parsed.body[1] == lit('max', V('x'), V('y'), V('z'))


def test_every_node_knows_where_it_was_written():
    program = parser.parse(
        '// policy\n'
        'error(vm) :-\n'
        '    nova:servers(id=vm),\n'
        '    not exempt(vm)\n'
        '  execute[nova:servers.pause(vm)] :- error(vm)\n')
    first, second = program.rules

    assert (first.line, first.column) == (2, 1)
    assert (first.head.line, first.head.column) == (2, 1)
    assert [(literal.atom.line, literal.atom.column)
            for literal in first.body] == [(3, 5), (4, 9)]
    assert (second.line, second.column) == (5, 3)
    assert (second.head.line, second.head.column) == (5, 11)
    assert (second.body[0].atom.line, second.body[0].atom.column) == (5, 38)


def test_windows_line_ends():
    program = parser.parse('p(1)\r\nq(x) :-\r\n  p(x)\r\n')

    assert [(parsed.line, parsed.column) for parsed in program.rules] == [
        (1, 1), (2, 1)]
    assert program.rules[1].body[0].atom.line == 3


@pytest.mark.parametrize('text, message, line, column', [
    ('p(x) :- q(x\n   , r(y) :- s(y)',
     'expected ")" or "," after an argument, found ":-"', 2, 11),
    ('p(x :- q(x)',
     'expected ")" or "," after an argument, found ":-"', 1, 5),
    ('p(x) :- q(x y)',
     'expected ")" or "," after an argument, found "y"', 1, 13),
    ('p(x) :- q(x, "a" "b")',
     'expected ")" or "," after an argument, found the string "b"', 1, 18),
    ('p(x) :- q(x,)',
     'expected a variable, a string or a number after ",", found ")"',
     1, 13),
    ('p(x) :- q(=x)',
     'expected ")", a variable, a string or a number after "(", found "="',
     1, 11),
    ('p(x) :- q(id=)',
     'expected a variable, a string or a number after "=", found ")"',
     1, 14),
    ('p(x) :- ',
     'expected "not" or a name after ":-", found the end of the text',
     1, 8),
    ('p(x) :- q(x),\n',
     'expected "not" or a name after ",", found the end of the text',
     1, 14),
    ('p(x) :- nova:(x)', 'expected a name after ":", found "("', 1, 14),
    ('p(x) :- not not q(x)',
     'expected a name after "not", found "not"', 1, 13),
    ('p(x) :- q(x) :- r(x)',
     'expected ",", "not" or a name after ")", found ":-"', 1, 14),
    ('execute[p(x)', 'expected "]" after ")", found the end of the text',
     1, 13),
    (':- q(x)', 'expected "not" or a name, found ":-"', 1, 1),
    ('p(x) :- q(x) & r(x)', 'unexpected character "&" after ")"', 1, 14),
    ('p(x) :- q(x)\n  @', 'unexpected character "@" after ")"', 2, 3),
    ('p(x) :- q("abc)', 'this string has no closing " on its line', 1, 11),
    ("p('abc\n')", "this string has no closing ' on its line", 1, 3),
    ('p(1) /* never closed', 'this comment has no closing "*/"', 1, 6),
])
def test_syntax_errors(text, message, line, column):
    with pytest.raises(errors.PolicySyntaxError) as caught:
        parser.parse(text)

    assert (caught.value.message, caught.value.line,
            caught.value.column) == (message, line, column)
    assert str(caught.value) == 'line %d, column %d: %s' % (
        line, column, message)


@pytest.mark.parametrize('text, message, line, column', [
    ('p(x), q(x) :- r(x)',
     'a rule has one head: write a rule for each of these heads', 1, 7),
    ('p(1), q(2)',
     'a rule has one head: write a rule for each of these heads', 1, 7),
    ('q(1)\nnot p(x) :- q(x)', 'a rule\'s head cannot be negated', 2, 1),
    ('insert[p(x)] :- q(x)',
     'only execute[...] can wrap a rule\'s head, not insert[...]', 1, 1),
    ('p(x) :- q(x), execute[r(x)]',
     'execute[...] can only be a rule\'s head', 1, 15),
    ('p(x) :- q(count(x))',
     'count(...) can only be used in a rule\'s head, as an aggregate',
     1, 11),
    ('p(avg(x)) :- q(x)',
     'unknown aggregate avg: use count, sum, min or max', 1, 3),
    ('p(count(1)) :- q(x)',
     'count(...) takes a variable, such as count(vm)', 1, 9),
    ('p(sum(_)) :- q(x)',
     'sum(...) takes a variable, such as sum(vm)', 1, 7),
    ('p(x) :- q(id=x, y)',
     'an argument by position cannot follow one by column name: put it '
     'first', 1, 17),
    ('p(x) :- q(-1=x)',
     'a column number is a whole number from 0, not -1', 1, 11),
    ('p(x) :- q(1.5=x)',
     'a column number is a whole number from 0, not 1.5', 1, 11),
    ('p(1e999)', 'number 1e999 is too large', 1, 3),
    (r'p("\ud800")',
     'this string has a \\u escape that is not a character', 1, 3),
])
def test_statements_the_grammar_takes_but_a_policy_cannot_be(
        text, message, line, column):
    with pytest.raises(errors.PolicySyntaxError) as caught:
        parser.parse(text)

    assert (caught.value.message, caught.value.line,
            caught.value.column) == (message, line, column)


# Programs as the parser could make them, without anonymous variables
# (whose names depend on their order in the text).
_KEYWORDS = {'not', 'NOT'}
names = strategies.from_regex(
    r'[A-Za-z_](?:[A-Za-z0-9_.]{0,6}[A-Za-z0-9_])?',
    fullmatch=True).filter(lambda name: name not in _KEYWORDS | {'_'})
tables = strategies.lists(names, min_size=1, max_size=3).map(':'.join)
constants = strategies.one_of(
    strategies.integers(),
    strategies.floats(allow_nan=False, allow_infinity=False),
    strategies.text(),
    strategies.text(string.printable),
).map(C)
terms = strategies.one_of(names.map(V), constants)
head_terms = strategies.one_of(
    terms, strategies.builds(ast.Aggregate,
                             strategies.sampled_from(parser.AGGREGATES),
                             names.map(V)))
columns = strategies.one_of(names, strategies.integers(0, 20))


def atoms(argument_terms):
    return strategies.builds(
        ast.Atom, tables,
        strategies.lists(argument_terms, max_size=4).map(tuple),
        strategies.lists(strategies.tuples(columns, argument_terms),
                         max_size=3).map(tuple))


rules = strategies.builds(
    ast.Rule, atoms(head_terms),
    strategies.lists(strategies.builds(ast.Literal, atoms(terms),
                                       strategies.booleans()),
                     max_size=4).map(tuple),
    strategies.booleans())


@hypothesis.given(strategies.lists(rules, max_size=5).map(tuple))
@hypothesis.settings(deadline=None)
def test_what_str_writes_parses_back_to_the_same_program(rule_list):
    program = ast.Program(rule_list)

    assert parser.parse(str(program)) == program


@hypothesis.given(strategies.text(max_size=40))
@hypothesis.settings(deadline=None)
def test_any_text_parses_or_raises_a_syntax_error_with_a_position(text):
    try:
        parser.parse(text)
    except errors.PolicySyntaxError as error:
        assert error.line >= 1 and error.column >= 1
