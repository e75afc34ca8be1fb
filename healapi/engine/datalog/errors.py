"""Errors in policy text, each with where in the text it was found."""


class PolicyError(Exception):
    """A problem with policy text: ``message`` at ``line``, ``column``.

    Lines and columns count from 1. The parser and the checks always give
    them: a problem of several rules (a cycle through ``not``) is placed at
    one of the rules.
    """

    def __init__(self, message, line, column):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self):
        return 'line %d, column %d: %s' % (self.line, self.column,
                                          self.message)


class PolicySyntaxError(PolicyError):
    """Text that is not in the policy language's grammar."""
