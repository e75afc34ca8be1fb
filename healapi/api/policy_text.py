"""Checking the rules of a policy before they are stored.

Each rule is parsed on its own, so that a syntax error's line and column
are those of the rule's own text; then the policy's rules are checked
together (safety, stratification, arities), since a rule can be wrong only
next to the others. A problem is refused with 400 naming the rule by its
number in the policy, from 1.
"""

from healapi.common import exception
from healapi.engine.datalog import analysis
from healapi.engine.datalog import errors
from healapi.engine.datalog import parser


def check(texts):
    """Refuse ``texts``, the rules of one policy in order, unless they
    make a valid program."""
    for number, text in enumerate(texts, 1):
        try:
            count = len(parser.parse(text).rules)
        except errors.PolicyError as error:
            raise exception.InvalidRule(number=number, error=error)
        if count != 1:
            raise exception.InvalidRule(
                number=number,
                error='a rule holds exactly one rule or fact, not %d' % count)
    # Parsed together, one rule a line range: an error's line tells whose.
    first_lines = []
    lines = []
    for text in texts:
        first_lines.append(len(lines) + 1)
        lines.extend(text.split('\n'))
    try:
        analysis.compile_program(parser.parse('\n'.join(lines)))
    except errors.PolicyError as error:
        number = max(number for number, first in enumerate(first_lines, 1)
                     if first <= error.line)
        raise exception.InvalidRule(number=number, error=errors.PolicyError(
            error.message, error.line - first_lines[number - 1] + 1,
            error.column))
