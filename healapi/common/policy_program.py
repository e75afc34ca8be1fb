"""A stored policy as a program of the policy language, and its inputs.

Both the engine (which keeps every enabled policy evaluated) and the API
(which evaluates one on request: derived rows, simulation) read a policy
the same way: its rules joined into one program, whose ``ds:table`` base
tables are the tables of the datasources named ``ds`` in the policy's own
project.
"""

from healapi.common import drivers
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


def declared_tables(datasource):
    """{table: [columns]} of a db Datasource, as its driver says (none if
    the driver is not installed)."""
    driver = drivers.find(datasource.driver)
    return {} if driver is None else driver.declared_tables(datasource.config)


def declared_columns(datasource, table_name):
    """The columns of a datasource's table, or None if it has none."""
    return declared_tables(datasource).get(table_name)


def input_tables(compiled, datasources):
    """{table: (db Datasource, table name)} of the datasource tables
    ``compiled`` reads that hold rows: ``datasources`` maps names to the db
    Datasources of the policy's project; a disabled or missing datasource
    or an undeclared table is left out (it reads as empty)."""
    tables = {}
    for table in compiled.base_tables:
        parts = datasource_table(table)
        if parts is None:
            continue
        datasource = datasources.get(parts[0])
        if (datasource is not None and datasource.enabled
                and declared_columns(datasource, parts[1]) is not None):
            tables[table] = (datasource, parts[1])
    return tables


def fitting_rows(rows, arity):
    """The rows (lists of values) of ``arity`` values, as tuples: a row of
    another arity reads as absent."""
    return [tuple(values) for values in rows if len(values) == arity]


def input_rows(dbapi, compiled, datasources):
    """{table: list of row tuples} of every table :func:`input_tables`
    gives."""
    return {table: fitting_rows(dbapi.rows_of(datasource.id, name),
                                compiled.base_tables[table])
            for table, (datasource, name)
            in input_tables(compiled, datasources).items()}


def proof_document(proof):
    """A :class:`~healapi.engine.datalog.evaluation.Proof` as JSON-able
    dicts, premises nested, as traces are stored and shown."""
    return {'table': proof.table, 'row': list(proof.row), 'kind': proof.kind,
            'rule': None if proof.rule is None else str(proof.rule),
            'premises': [proof_document(premise)
                         for premise in proof.premises]}
