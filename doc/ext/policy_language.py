"""Sphinx directives that take the policy-language guide from the library
itself, so that it can't drift from what the language does.

``.. policy-builtins::``
    A section per category of builtin, each with a table of its builtins
    (call, computed arguments, meaning), from
    :data:`healapi.engine.datalog.builtins.BUILTINS`. Put it at the end of
    the section that should hold those sections.

``.. policy-schemas::``
    Datasource table schemas, one a line (``nova:servers(id, name)``), for
    the ``policy`` examples after it in the same document; shown as a
    literal block.

``.. policy::``
    An example policy, shown as a literal block and loaded with
    :func:`healapi.engine.datalog.analysis.load` (with the schemas of the
    document, unless ``:no-schemas:``). It must load; with ``:error:``, it
    must be refused instead, and the message the library gives is shown
    after it. Either way, an example that does otherwise is a warning, so
    ``sphinx-build -W`` fails.
"""

import re

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from healapi.engine.datalog import analysis
from healapi.engine.datalog import builtins
from healapi.engine.datalog import errors

LOG = logging.getLogger(__name__)

#: Section titles of the categories; others are capitalized.
CATEGORY_TITLES = {
    'comparison': 'Comparison',
    'arithmetic': 'Arithmetic',
    'string': 'Strings',
    'datetime': 'Date and time',
    'network': 'Network addresses',
}

_SCHEMA = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_.:]*)\s*\(([^()]*)\)\s*')
_SCHEMAS_KEY = 'healapi_policy_schemas'


def _literal(text):
    block = nodes.literal_block(text, text)
    block['language'] = 'none'
    return block


def _table(headers, rows, widths):
    table = nodes.table()
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)

    def row_of(cells):
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell
            row += entry
        return row

    head = nodes.thead()
    head += row_of(nodes.paragraph(text=header) for header in headers)
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += row_of(cells)
    group += body
    return table


def _builtin_row(builtin, location):
    call, _, meaning = builtin.description.partition(': ')
    names = call[call.index('(') + 1:-1].split(', ') if '(' in call else []
    if len(names) != builtin.arity:
        LOG.warning('the description of builtin %s does not show its %d '
                    'arguments: %s', builtin.name, builtin.arity, call,
                    location=location)
    outputs = names[builtin.inputs:]
    computed = (nodes.paragraph(text=', '.join(outputs)) if outputs
                else nodes.paragraph(text='(a test)'))
    name = nodes.paragraph()
    name += nodes.literal(text=call)
    return [name, computed, nodes.paragraph(text=meaning)]


class PolicyBuiltins(SphinxDirective):
    """A section and a table per category of builtin."""

    def run(self):
        categories = {}
        for builtin in builtins.BUILTINS.values():
            categories.setdefault(builtin.category, []).append(builtin)
        sections = []
        for category, members in categories.items():
            title = CATEGORY_TITLES.get(category, category.capitalize())
            section = nodes.section()
            section['ids'].append(nodes.make_id('builtins-' + category))
            section['names'].append(nodes.fully_normalize_name(
                'builtins: ' + title))
            section += nodes.title(text=title)
            section += _table(
                ['Builtin', 'Computes', 'Meaning'],
                [_builtin_row(builtin, self.get_location())
                 for builtin in members],
                [30, 15, 55])
            self.state.document.note_implicit_target(section)
            sections.append(section)
        return sections


class PolicySchemas(SphinxDirective):
    """Schemas for the examples after it in the document."""

    has_content = True

    def run(self):
        schemas = {}
        for line in self.content:
            if not line.strip():
                continue
            match = _SCHEMA.fullmatch(line)
            if not match:
                raise self.error('not a table schema, such as '
                                 'nova:servers(id, name): %s' % line)
            schemas[match[1]] = tuple(
                column.strip() for column in match[2].split(','))
        self.env.temp_data[_SCHEMAS_KEY] = schemas
        return [_literal('\n'.join(line.strip() for line in self.content
                                   if line.strip()))]


class Policy(SphinxDirective):
    """An example policy, checked with the library."""

    has_content = True
    option_spec = {
        'error': directives.flag,
        'no-schemas': directives.flag,
    }

    def run(self):
        text = '\n'.join(self.content)
        schemas = None
        if 'no-schemas' not in self.options:
            schemas = self.env.temp_data.get(_SCHEMAS_KEY)
        result = [_literal(text)]
        try:
            analysis.load(text, schemas)
        except errors.PolicyError as error:
            if 'error' not in self.options:
                LOG.warning('this example policy does not load: %s', error,
                            location=self.get_location())
            result.append(_literal(str(error)))
        else:
            if 'error' in self.options:
                LOG.warning('this example policy should be refused, but it '
                            'loads', location=self.get_location())
        return result


def setup(app):
    app.add_directive('policy-builtins', PolicyBuiltins)
    app.add_directive('policy-schemas', PolicySchemas)
    app.add_directive('policy', Policy)
    return {'version': '1.0', 'parallel_read_safe': True,
            'parallel_write_safe': True}
