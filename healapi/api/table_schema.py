"""The tables of push datasources as ``config.tables`` declares them, and
the rows clients send to them.

A push datasource declares each table it takes rows for with its column
names: ``{"tables": {"vm_status": ["vm", "status"]}}``; rules read it as
``datasource:vm_status``. A row is sent as a JSON array of scalars in column
order, or as an object with exactly the declared column names. Everything is
checked before anything is stored, so a refused request changes nothing.
"""

import json
import math
import re

from healapi.api.controllers.v1 import types
from healapi.common import exception

MAX_COLUMNS = 64
MAX_NAME_LENGTH = 255
#: The longest a row may be as the database stores it: JSON, with every
#: non-ASCII character escaped (``\u00e9``); what a MySQL TEXT holds.
MAX_ROW_LENGTH = 65535
_IDENTIFIER = re.compile(types.NAME_PATTERN)
_IDENTIFIER_RULE = ('letters, digits, _ and -, not starting with a digit or '
                    '-, at most %d characters' % MAX_NAME_LENGTH)


def _is_identifier(name):
    return (isinstance(name, str) and len(name) <= MAX_NAME_LENGTH
            and _IDENTIFIER.match(name) is not None)


def check_declarations(tables):
    """Refuse the ``tables`` a datasource's config declares unless they
    map identifiers to lists of distinct identifiers."""
    if not isinstance(tables, dict):
        raise exception.InvalidTables(
            reason='expected an object mapping table names to lists of '
                   'column names')
    for table, columns in tables.items():
        if not _is_identifier(table):
            raise exception.InvalidTables(
                reason='table name %r is not an identifier (%s)'
                % (table, _IDENTIFIER_RULE))
        if not isinstance(columns, list) or not columns:
            raise exception.InvalidTables(
                reason='the columns of table %s must be a non-empty list of '
                       'names' % table)
        if len(columns) > MAX_COLUMNS:
            raise exception.InvalidTables(
                reason='table %s has %d columns, more than %d'
                % (table, len(columns), MAX_COLUMNS))
        for column in columns:
            if not _is_identifier(column):
                raise exception.InvalidTables(
                    reason='column name %r of table %s is not an identifier '
                           '(%s)' % (column, table, _IDENTIFIER_RULE))
        if len(set(columns)) != len(columns):
            raise exception.InvalidTables(
                reason='table %s names a column twice' % table)


def check_emptied(stored, declared, datasource_id, table_counts):
    """Refuse to change the tables a datasource declares from ``stored``
    to ``declared`` if that removes a table that holds rows or changes
    its columns: the rows would no longer fit."""
    for table, count in sorted(table_counts.items()):
        if declared.get(table) != stored.get(table):
            raise exception.TableNotEmpty(table=table,
                                          datasource=datasource_id,
                                          count=count)


def _json_type(value):
    for kind, name in ((bool, 'a boolean'), (dict, 'an object'),
                       (list, 'an array')):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _check_value(value, where, position):
    if value is None or isinstance(value, (bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise exception.InvalidRows(
                where=where, reason='value %d is not a finite number'
                % position)
        return
    if isinstance(value, str):
        return
    raise exception.InvalidRows(
        where=where, reason='value %d is %s; values are strings, numbers, '
                            'booleans or null' % (position, _json_type(value)))


def row_values(rows, table, arity, columns=None, field='rows'):
    """``rows`` (as sent in body field ``field``) as lists of values in
    column order, for ``table`` of ``arity`` columns named ``columns``
    (None: unnamed, rows must be arrays)."""
    result = []
    for number, row in enumerate(rows, 1):
        where = 'row %d of "%s"' % (number, field)
        if isinstance(row, dict):
            if columns is None:
                raise exception.InvalidRows(
                    where=where, reason='table %s has no column names: send '
                                        'its rows as arrays' % table)
            if set(row) != set(columns):
                raise exception.InvalidRows(
                    where=where, reason='table %s has the columns %s; the '
                                        'row names %s' % (
                                            table, ', '.join(columns),
                                            ', '.join(sorted(row)) or 'none'))
            row = [row[column] for column in columns]
        elif not isinstance(row, list):
            raise exception.InvalidRows(
                where=where, reason='a row is an array of values or an '
                                    'object of column names, not %s'
                                    % _json_type(row))
        if len(row) != arity:
            raise exception.InvalidRows(
                where=where, reason='it has %d value(s); table %s has %d '
                                    'columns%s' % (
                                        len(row), table, arity,
                                        ' (%s)' % ', '.join(columns)
                                        if columns else ''))
        for position, value in enumerate(row, 1):
            _check_value(value, where, position)
        length = len(json.dumps(row))
        if length > MAX_ROW_LENGTH:
            raise exception.InvalidRows(
                where=where, reason='it takes %d characters as JSON (with '
                                    'non-ASCII characters as \\u escapes); '
                                    'a row takes at most %d'
                                    % (length, MAX_ROW_LENGTH))
        result.append(row)
    return result
