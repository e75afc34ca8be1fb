"""A stored policy as a program of the policy language, and its inputs.

Both the engine (which keeps every enabled policy evaluated) and the API
(which evaluates one on request: derived rows, simulation) read a policy
the same way: its rules joined into one program, whose ``ds:table`` base
tables are the tables of the datasources named ``ds`` in the policy's own
project.
"""

from healapi.engine.datalog import analysis

DATASOURCE_SEPARATOR = ':'


def compile_policy(policy):
    """The compiled program of ``policy``'s rules (a db Policy)."""
    return analysis.load('\n'.join(rule.rule for rule in policy.rules))


def datasource_table(table):
    """(datasource name, table name) of a ``ds:table`` base table, or None
    for a table local to the policy."""
    if DATASOURCE_SEPARATOR not in table:
        return None
    return tuple(table.split(DATASOURCE_SEPARATOR, 1))


def declared_columns(datasource, table_name):
    """The columns a datasource declares for a table, or None."""
    return (datasource.config.get('tables') or {}).get(table_name)


def input_rows(dbapi, compiled, datasources):
    """{table: list of row tuples} of every datasource table ``compiled``
    reads. ``datasources`` maps names to the db Datasources of the policy's
    project; a disabled or missing datasource, an undeclared table or rows
    of another arity read as empty."""
    rows = {}
    for table, arity in compiled.base_tables.items():
        parts = datasource_table(table)
        if parts is None:
            continue
        datasource = datasources.get(parts[0])
        if (datasource is None or not datasource.enabled
                or declared_columns(datasource, parts[1]) is None):
            continue
        rows[table] = [tuple(values)
                       for values in dbapi.rows_of(datasource.id, parts[1])
                       if len(values) == arity]
    return rows
