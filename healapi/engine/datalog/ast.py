"""The syntax tree of a policy program, as :mod:`.parser` builds it.

An atom names its table as written: ``nova:servers`` is table ``servers`` of
datasource ``nova``; ``error`` (no colon) is a table the policy derives, or
a builtin such as ``lt``. Its arguments are by position, by column name
(``id=vm``) or both; :mod:`.analysis` resolves names to positions against
the tables' schemas.

Every node is immutable and hashable, and ``str()`` gives it back in the
policy language.
"""

import dataclasses
import json

#: What the parser makes of each ``_``: a variable of its own, named so
#: that no two are the same and none can be written in policy text.
ANONYMOUS_PREFIX = '_#'


@dataclasses.dataclass(frozen=True)
class Variable:
    name: str

    @property
    def anonymous(self):
        return self.name.startswith(ANONYMOUS_PREFIX)

    def __str__(self):
        return '_' if self.anonymous else self.name


@dataclasses.dataclass(frozen=True)
class Constant:
    """A string or a number."""

    value: object

    def __str__(self):
        return json.dumps(self.value)


@dataclasses.dataclass(frozen=True)
class Aggregate:
    """``count(v)``, ``sum(v)``, ``min(v)`` or ``max(v)`` in a rule's head:
    the function of ``variable`` over the body's solutions, per group of
    the head's other arguments."""

    function: str
    variable: Variable

    def __str__(self):
        return '%s(%s)' % (self.function, self.variable)


@dataclasses.dataclass(frozen=True)
class Atom:
    """``table(args..., column=term...)`` at ``line``, ``column``."""

    table: str
    args: tuple = ()
    #: ``(column name, term)`` pairs, in the order written; as in Congress,
    #: a column may be given by number instead (an int, from 0: ``0=vm``).
    named: tuple = ()
    line: int = dataclasses.field(default=None, compare=False)
    column: int = dataclasses.field(default=None, compare=False)

    @property
    def datasource(self):
        """The datasource of ``ds:table``, None for a policy's own table."""
        datasource, colon, _ = self.table.partition(':')
        return datasource if colon else None

    def variables(self):
        """The variables of the atom's arguments, aggregated ones too."""
        terms = list(self.args) + [term for _, term in self.named]
        return {term.variable if isinstance(term, Aggregate) else term
                for term in terms
                if isinstance(term, (Variable, Aggregate))}

    def __str__(self):
        args = [str(arg) for arg in self.args]
        args += ['%s=%s' % (name, term) for name, term in self.named]
        return '%s(%s)' % (self.table, ', '.join(args))


@dataclasses.dataclass(frozen=True)
class Literal:
    """An atom of a rule's body, possibly negated (``not``)."""

    atom: Atom
    negated: bool = False

    def __str__(self):
        return ('not ' if self.negated else '') + str(self.atom)


@dataclasses.dataclass(frozen=True)
class Rule:
    """``head :- body``; a fact when the body is empty.

    An ``action`` rule's head is ``execute[datasource:action(args)]``: its
    rows are calls to make, not a table to keep.
    """

    head: Atom
    body: tuple = ()
    action: bool = False
    line: int = dataclasses.field(default=None, compare=False)
    column: int = dataclasses.field(default=None, compare=False)

    @property
    def is_fact(self):
        return not self.body

    def __str__(self):
        head = ('execute[%s]' % self.head) if self.action else str(self.head)
        if self.is_fact:
            return head
        return '%s :- %s' % (head, ', '.join(str(lit) for lit in self.body))


@dataclasses.dataclass(frozen=True)
class Program:
    rules: tuple = ()

    def __str__(self):
        return '\n'.join(str(rule) for rule in self.rules)
