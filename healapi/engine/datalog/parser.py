"""Policy text to the syntax tree of :mod:`.ast`.

The syntax is Congress's (its ANTLR grammar ``congress/datalog/Congress.g``
and its policy guide), so that Congress policies load unchanged::

    // Servers on a host that is down, unless exempt.
    error(vm) :- nova:servers(id=vm, host=h, status="ACTIVE"),
                 nova:host_down(host=h), not exempt(vm)
    execute[nova:servers.pause(vm)] :- error(vm)
    exempt("a3f1")

* A statement is a rule ``head :- literal, literal, ...`` or a fact
  ``head``, optionally ended by ``;`` or ``.``; statements need nothing
  between them but white space. ``execute[action(args)]`` as a head makes
  an action rule.
* A table is a name, or ``datasource:table``; names are letters, digits,
  ``_`` and ``.`` (``nova:servers.pause``), starting with a letter or
  ``_`` and not ending with ``.``. ``p`` is ``p()``.
* Arguments are by position, by column name (``id=vm``) or column number
  from 0 (``0=vm``), positional ones first.
* A term is a variable (a name), ``_`` (a variable of its own each time;
  in Congress, an ordinary variable), a string in double or single quotes
  with backslash escapes, or a number: an integer (also ``0x``, ``0o``,
  ``0b``) or a float, either possibly negative.
* ``not``, ``NOT`` or ``!`` negates a body literal.
* Comments run from ``//`` or ``#`` to the end of the line, or from
  ``/*`` to ``*/``.

Beyond Congress, a rule's head may aggregate: an argument ``count(v)``,
``sum(v)``, ``min(v)`` or ``max(v)`` is that function of the values of
variable ``v`` over the body's solutions, for each combination of the
head's other arguments::

    vms_per_host(h, count(v)) :- nova:servers(id=v, host=h)

Only heads aggregate: ``max`` in a body is Congress's builtin of that name.
"""

import functools
import math
import re

import lark

from healapi.engine.datalog import ast
from healapi.engine.datalog import errors

# Rules that look alike (heads, body; atom, action) are apart so that each
# has parser states of its own, whose expected tokens make the messages.
_GRAMMAR = r"""
start: statement*
statement: heads [_COLONMINUS body] [_SEMICOLON | _DOT]
heads: literal (_COMMA literal)*
body: literal (_COMMA literal)*
literal: [negation] (atom | modal)
negation: NOT | NOT_UPPER | BANG
modal: NAME _LSQB action _RSQB
atom: table [_LPAR [_arguments] _RPAR]
action: table [_LPAR [_arguments] _RPAR]
_arguments: argument (_COMMA argument)*
table: NAME (_COLON NAME)*
argument: term | column _EQUAL term
column: NAME | NUMBER
term: NAME -> name
    | NUMBER -> number
    | STRING -> string
    | NAME _LPAR term _RPAR -> aggregate

NAME: /[A-Za-z_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?/
NUMBER: "-"? (_RADIX | _FLOAT | _DECIMAL)
_RADIX: /0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+/
_FLOAT: /(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/
    | /[0-9]+[eE][+-]?[0-9]+/
_DECIMAL: /[0-9]+/
STRING: /"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'/
NOT: "not"
NOT_UPPER: "NOT"
BANG: "!"
_COLONMINUS: ":-"
_COLON: ":"
_COMMA: ","
_EQUAL: "="
_LPAR: "("
_RPAR: ")"
_LSQB: "["
_RSQB: "]"
_SEMICOLON: ";"
_DOT: "."

%ignore /\s+/
%ignore /\/\/[^\n]*/
%ignore /#[^\n]*/
%ignore /\/\*(?:.|\n)*?\*\//
"""

AGGREGATES = ('count', 'sum', 'min', 'max')

#: How errors name what the grammar expected, in this order.
_EXPECTED = {
    '_RPAR': '")"', '_COMMA': '","', '_LPAR': '"("', '_COLON': '":"',
    '_EQUAL': '"="', '_COLONMINUS': '":-"', '_LSQB': '"["',
    '_RSQB': '"]"', 'NOT': '"not"', 'NOT_UPPER': '"not"', 'BANG': '"not"',
    'NAME': 'a name', 'STRING': 'a string', 'NUMBER': 'a number',
}
_ESCAPES = {'n': '\n', 't': '\t', 'r': '\r', 'b': '\b', 'f': '\f',
            '0': '\0', '\\': '\\', '"': '"', "'": "'", '/': '/'}
_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)')


@functools.cache
def _parser():
    # A lexer without context, so that "not" is a keyword everywhere.
    return lark.Lark(_GRAMMAR, parser='lalr', lexer='basic',
                     propagate_positions=True)


def parse(text):
    """The :class:`.ast.Program` of ``text``; raises
    :class:`.errors.PolicySyntaxError` where the text is not a policy."""
    try:
        tree = _parser().parse(text)
    except lark.UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    return _Builder().program(tree)


def _error(message, where):
    """A :class:`.errors.PolicySyntaxError` at a token or a tree."""
    where = getattr(where, 'meta', where)
    return errors.PolicySyntaxError(message, where.line, where.column)


def _quoted(text, limit=30):
    if len(text) > limit:
        text = text[:limit] + '...'
    return '"%s"' % text


def _syntax_error(error, text):
    """Lark's error in words for people writing policies."""
    if isinstance(error, lark.UnexpectedCharacters):
        char = error.char
        if char in '"\'':
            message = 'this string has no closing %s on its line' % char
        elif text.startswith('/*', error.pos_in_stream):
            message = 'this comment has no closing "*/"'
        else:
            message = 'unexpected character %s%s' % (
                _quoted(char), _after(text, error.pos_in_stream, ()))
        return errors.PolicySyntaxError(message, error.line, error.column)
    token = error.token
    expected = error.accepts or error.expected
    if token.type == '$END':
        found, position = 'the end of the text', len(text)
        line, column = token.end_line, token.end_column
    else:
        found, position = _quoted(token.value), token.start_pos
        line, column = token.line, token.column
        if token.type == 'STRING':
            found = 'the string ' + token.value
    return errors.PolicySyntaxError('expected %s%s, found %s' % (
        _expected(expected), _after(text, position, expected), found),
        line, column)


def _expected(names):
    if '_RPAR' in names:
        # After an argument: "=" and "(" would be rarer continuations.
        names = set(names) - {'_EQUAL', '_LPAR'}
    words = list(dict.fromkeys(
        description for name, description in _EXPECTED.items()
        if name in names))
    if 'NUMBER' in names:  # A term: its names are variables.
        words[words.index('a name')] = 'a variable'
    if len(words) == 1:
        return words[0]
    return '%s or %s' % (', '.join(words[:-1]), words[-1])


def _after(text, position, expected):
    """`` after ...``: what precedes ``position`` in ``text``."""
    previous = None
    try:
        for token in _parser().lex(text[:position]):
            previous = token
    except lark.UnexpectedCharacters:
        pass  # The error is that character, at position.
    if previous is None:
        return ''
    if previous.type in ('NAME', 'NUMBER', 'STRING', '_RPAR') and (
            '_RPAR' in expected):
        return ' after an argument'
    return ' after %s' % _quoted(previous.value)


def _unescape(body, token):
    def replace(match):
        escape = match.group(1)
        if escape[0] in 'uUx':
            return chr(int(escape[1:], 16))
        return _ESCAPES.get(escape, match.group(0))
    value = _ESCAPE.sub(replace, body)
    try:
        # \ud83d\ude00 (as json.dumps writes it) is one character.
        return value.encode('utf-16', 'surrogatepass').decode('utf-16')
    except UnicodeDecodeError:
        raise _error('this string has a \\u escape that is not a '
                     'character', token)


def _number(token):
    text = token.value
    if re.fullmatch(r'-?[0-9]+', text):
        return int(text)
    if re.match(r'-?0[xXoObB]', text):
        return int(text, 0)
    value = float(text)
    if not math.isfinite(value):
        raise _error('number %s is too large' % text, token)
    return value


class _Builder:
    """The syntax tree of one text: lark's parse tree, checked, in the
    terms of :mod:`.ast`."""

    def __init__(self):
        self.anonymous = 0

    def program(self, tree):
        return ast.Program(tuple(self.statement(statement)
                                 for statement in tree.children))

    def statement(self, tree):
        heads, body = tree.children[:2]
        if len(heads.children) > 1:
            raise _error('a rule has one head: write a rule for each of '
                         'these heads', heads.children[1])
        head = heads.children[0]
        negation, target = head.children
        if negation is not None:
            raise _error('a rule\'s head cannot be negated', head)
        action = target.data == 'modal'
        if action:
            keyword, target = target.children
            if keyword != 'execute':
                raise _error('only execute[...] can wrap a rule\'s head, '
                             'not %s[...]' % keyword, keyword)
        literals = body.children if body is not None else ()
        return ast.Rule(self.atom(target, head=True),
                        tuple(self.literal(literal) for literal in literals),
                        action=action, line=tree.meta.line,
                        column=tree.meta.column)

    def literal(self, tree):
        negation, target = tree.children
        if target.data == 'modal':
            raise _error('%s[...] can only be a rule\'s head'
                         % target.children[0], target)
        return ast.Literal(self.atom(target, head=False),
                           negated=negation is not None)

    def atom(self, tree, head):
        table, *arguments = tree.children
        args, named = [], []
        for argument in arguments:
            *column, term = argument.children
            term = self.term(term, head)
            if column:
                named.append((self.column(column[0]), term))
            elif named:
                raise _error('an argument by position cannot follow one '
                             'by column name: put it first', argument)
            else:
                args.append(term)
        name = table.children[0]
        return ast.Atom(':'.join(table.children), tuple(args), tuple(named),
                        line=name.line, column=name.column)

    def column(self, tree):
        (token,) = tree.children
        if token.type == 'NAME':
            return str(token)
        if not re.fullmatch(r'[0-9]+', token):
            raise _error('a column number is a whole number from 0, not %s'
                         % token, token)
        return int(token)

    def term(self, tree, head):
        (*names, value) = tree.children
        if tree.data == 'aggregate':
            return self.aggregate(tree, names[0], value, head)
        if tree.data == 'number':
            return ast.Constant(_number(value))
        if tree.data == 'string':
            return ast.Constant(_unescape(value[1:-1], value))
        if value == '_':
            self.anonymous += 1
            return ast.Variable(ast.ANONYMOUS_PREFIX + str(self.anonymous))
        return ast.Variable(str(value))

    def aggregate(self, tree, function, argument, head):
        if not head:
            raise _error('%s(...) can only be used in a rule\'s head, '
                         'as an aggregate' % function, tree)
        if function not in AGGREGATES:
            raise _error('unknown aggregate %s: use count, sum, min or max'
                         % function, function)
        variable = self.term(argument, head)
        if not isinstance(variable, ast.Variable) or variable.anonymous:
            raise _error('%s(...) takes a variable, such as %s(vm)'
                         % (function, function), argument)
        return ast.Aggregate(str(function), variable)
