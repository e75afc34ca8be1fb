"""Errors in policy text, each with where in the text it was found."""


class PolicyError(Exception):
    """A problem with policy text: ``message`` at ``line``, ``column``.

    Lines and columns count from 1; they are None for a problem of the
    program as a whole (such as a cycle through negation spanning rules,
    which names the rules in its message instead).
    """

    def __init__(self, message, line=None, column=None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self):
        if self.line is None:
            return self.message
        return 'line %d, column %d: %s' % (self.line, self.column,
                                          self.message)


class PolicySyntaxError(PolicyError):
    """Text that is not in the policy language's grammar."""
