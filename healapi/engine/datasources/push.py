"""The push driver: rows arrive through the API (``PUT``/``PATCH`` of a
table's rows), and actions can add or remove rows too, e.g.
``execute[ops:insert("quarantined", vm)] :- error(vm)``."""

from healapi.engine.datasources import base


class PushDriver(base.Driver):

    name = 'push'
    kind = base.PUSH
    description = ('Rows pushed through the API into the tables the '
                   'datasource declares in config.tables.')
    config_schema = {
        'type': 'object',
        'properties': {
            'tables': {
                'description': 'Each table the datasource takes rows for, '
                               'with its column names: {"vm_status": '
                               '["vm", "status"]}.'},
        },
    }
    declares_tables_in_config = True
    actions = ('insert', 'delete')

    @classmethod
    def declared_tables(cls, config):
        return config.get('tables') or {}

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

    def _row(self, datasource, action, args):
        """(table, values) of the action, checked against the table the
        datasource declares (config.tables)."""
        if not args or not isinstance(args[0], str):
            raise base.ActionFailed(
                '%s takes a table name, then the row\'s values' % action)
        table, values = args[0], args[1:]
        tables = self.declared_tables(datasource.config)
        columns = tables.get(table)
        if columns is None:
            raise base.ActionFailed(
                'datasource %s declares no table %r; its tables: %s' % (
                    datasource.name, table, ', '.join(sorted(tables))
                    or 'none'))
        if len(values) != len(columns):
            raise base.ActionFailed(
                'table %s has %d columns (%s), not %d values' % (
                    table, len(columns), ', '.join(columns), len(values)))
        return table, values
