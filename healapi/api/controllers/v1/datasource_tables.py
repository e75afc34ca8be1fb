"""/v1/datasources/{id}/tables: a datasource's tables and their rows.

``PUT`` of a table's rows replaces them all, as in Congress; ``PATCH``
deletes then inserts some. Either answers what actually changed.
"""

from wsme import types as wtypes
from wsmeext import pecan as wsme_pecan

from healapi.api import rbac
from healapi.api import table_schema
from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import collection
from healapi.api.controllers.v1 import types
from healapi.common import drivers
from healapi.common import exception
from healapi.common import policy_program
from healapi.api import database as db_api


class Table(wtypes.Base):
    """A table the datasource declares, and how many rows it holds."""

    name = wtypes.text
    columns = [wtypes.text]
    row_count = int


class TableCollection(wtypes.Base):
    tables = [Table]


class RowPage(wtypes.Base):
    rows = [types.jsontype]
    links = [types.Link]


class Rows(types.Resource):
    """A table's rows, all of them."""

    rows = [types.jsontype]


class RowChanges(types.Resource):
    """Rows to delete from a table, then rows to insert into it."""

    insert = [types.jsontype]
    delete = [types.jsontype]

    def rows(self, table, arity, columns=None):
        """(inserts, deletes) as lists of values, checked."""
        return tuple(
            table_schema.row_values(getattr(self, field) or [], table, arity,
                              columns, field)
            for field in ('insert', 'delete'))


class RowsWritten(wtypes.Base):
    added = int
    removed = int


def _declared_columns(datasource, table):
    columns = policy_program.declared_columns(datasource, table)
    if columns is None:
        raise exception.TableNotDeclared(datasource=datasource.id,
                                         table=table)
    return columns


def _pushed_columns(datasource_id, table, project_id):
    """The columns of a table that takes pushed rows."""
    datasource = db_api.get_instance().get_datasource(
        datasource_id, project_id=project_id)
    if drivers.kind_of(datasource.driver) != drivers.PUSH:
        raise exception.RowsNotPushed(datasource=datasource.id,
                                      driver=datasource.driver)
    return _declared_columns(datasource, table)


class RowsController(base.CollectionController):
    """/v1/datasources/{datasource_id}/tables/{table}/rows"""

    patch_collection = True

    @wsme_pecan.wsexpose(RowPage, wtypes.text, wtypes.text, int,
                         wtypes.text)
    def get_all(self, datasource_id, table, limit=None, marker=None):
        datasource = _readable(datasource_id)
        _declared_columns(datasource, table)
        limit = collection.page_limit(limit)
        rows = db_api.get_instance().list_rows(
            datasource.id, table, limit=limit,
            marker=collection.check_serial('marker', marker))
        return RowPage(rows=[row.values for row in rows],
                       links=collection.next_links(
                           ('v1', 'datasources', datasource_id, 'tables',
                            table, 'rows'), rows, limit, {}))

    @wsme_pecan.wsexpose(RowsWritten, wtypes.text, wtypes.text, body=Rows)
    def put(self, datasource_id, table, body):
        project_id = rbac.authorize('healapi:datasource:push_rows')
        body.require('rows')
        columns = _pushed_columns(datasource_id, table, project_id)
        rows = table_schema.row_values(body.rows, table, len(columns), columns)
        added, removed = db_api.get_instance().replace_rows(
            datasource_id, table, rows, project_id=project_id)
        return RowsWritten(added=added, removed=removed)

    @wsme_pecan.wsexpose(RowsWritten, wtypes.text, wtypes.text,
                         body=RowChanges)
    def patch(self, datasource_id, table, body):
        project_id = rbac.authorize('healapi:datasource:push_rows')
        columns = _pushed_columns(datasource_id, table, project_id)
        inserts, deletes = body.rows(table, len(columns), columns)
        added, removed = db_api.get_instance().change_rows(
            datasource_id, table, inserts, deletes, project_id=project_id)
        return RowsWritten(added=added, removed=removed)


class TablesController(base.CollectionController):
    """/v1/datasources/{datasource_id}/tables"""

    rows = RowsController()

    @wsme_pecan.wsexpose(TableCollection, wtypes.text)
    def get_all(self, datasource_id):
        datasource = _readable(datasource_id)
        counts = db_api.get_instance().table_counts(datasource.id)
        return TableCollection(tables=[
            _table(datasource, name, counts)
            for name in sorted(policy_program.declared_tables(datasource))])

    @wsme_pecan.wsexpose(Table, wtypes.text, wtypes.text)
    def get_one(self, datasource_id, table):
        datasource = _readable(datasource_id)
        _declared_columns(datasource, table)
        return _table(datasource, table,
                      db_api.get_instance().table_counts(datasource.id))


def _readable(datasource_id):
    """The datasource whose tables the caller may read."""
    project_id = rbac.authorize('healapi:datasource:get_rows')
    return db_api.get_instance().get_datasource(datasource_id,
                                                project_id=project_id)


def _table(datasource, name, counts):
    return Table(name=name,
                 columns=policy_program.declared_columns(datasource, name),
                 row_count=counts.get(name, 0))
