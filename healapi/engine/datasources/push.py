"""The push driver: rows arrive through the API (``PUT``/``PATCH`` of a
table's rows), and actions can add or remove rows too, e.g.
``execute[ops:insert("quarantined", vm)] :- error(vm)``."""

from healapi.common import policy_program
from healapi.engine.datasources import base


class PushDriver(base.Driver):

    name = 'push'

    def __init__(self, dbapi):
        super().__init__(dbapi)
        self.actions = {'insert': self.insert, 'delete': self.delete}

    def insert(self, datasource, args):
        """``insert(table, *values)``: add the row, if it isn't there."""
        table, row = self._row(datasource, 'insert', args)
        added, _ = self.dbapi.change_rows(datasource.id, table, [row], [],
                                          datasource.project_id)
        return ('inserted %s into %s' if added else
                '%s was already in %s') % (row, table)

    def delete(self, datasource, args):
        """``delete(table, *values)``: remove the row, if it is there."""
        table, row = self._row(datasource, 'delete', args)
        _, removed = self.dbapi.change_rows(datasource.id, table, [], [row],
                                            datasource.project_id)
        return ('deleted %s from %s' if removed else
                '%s was not in %s') % (row, table)

    @staticmethod
    def _row(datasource, action, args):
        """(table, values) of the action, checked against the table the
        datasource declares (config.tables)."""
        if not args or not isinstance(args[0], str):
            raise base.ActionFailed(
                '%s takes a table name, then the row\'s values' % action)
        table, values = args[0], args[1:]
        columns = policy_program.declared_columns(datasource, table)
        if columns is None:
            raise base.ActionFailed(
                'datasource %s declares no table %r; its tables: %s' % (
                    datasource.name, table,
                    ', '.join(sorted(datasource.config.get('tables') or {}))
                    or 'none'))
        if len(values) != len(columns):
            raise base.ActionFailed(
                'table %s has %d columns (%s), not %d values' % (
                    table, len(columns), ', '.join(columns), len(values)))
        return table, values
