"""/v1/datasources: where the rows policies reason about come from."""

import pecan
from wsme import types as wtypes
from wsmeext import pecan as wsme_pecan

from healapi.api import rbac
from healapi.api import table_schema
from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import collection
from healapi.api.controllers.v1 import datasource_tables
from healapi.api.controllers.v1 import types
from healapi.api.controllers.v1 import webhooks
from healapi.common import drivers
from healapi.common import exception
from healapi.common import secrets
from healapi.api import database as db_api

DEFAULTS = {'description': '', 'config': {}, 'enabled': True,
            'poll_interval': None}
SORT_KEYS = ('name', 'driver', 'created_at', 'updated_at')


class PollStatus(wtypes.Base):
    """How the polls of a pull datasource went."""

    last_polled_at = wtypes.datetime.datetime
    last_success_at = wtypes.datetime.datetime
    last_error = wtypes.text
    last_error_at = wtypes.datetime.datetime
    #: Polls failed since the last that succeeded.
    consecutive_failures = int
    #: The tables the last successful poll fetched: those policies read.
    tables = [wtypes.text]

    @classmethod
    def from_db(cls, poll):
        return cls(last_polled_at=types.utc(poll.last_polled_at),
                   last_success_at=types.utc(poll.last_success_at),
                   last_error=poll.last_error,
                   last_error_at=types.utc(poll.last_error_at),
                   consecutive_failures=poll.consecutive_failures,
                   tables=poll.tables)


class Datasource(types.Resource):
    """A datasource; secret config values are never returned."""

    _readonly = ('id', 'project_id', 'created_at', 'updated_at', 'links',
                 'poll')
    _nullable = ('poll_interval',)

    id = wtypes.text
    name = types.Name
    description = wtypes.StringType(max_length=65535)
    driver = types.Name
    config = {wtypes.text: types.jsontype}
    enabled = bool
    poll_interval = wtypes.IntegerType(minimum=1, maximum=86400)
    #: Pull datasources polled at least once: how the polls went.
    poll = PollStatus
    project_id = wtypes.text
    created_at = wtypes.datetime.datetime
    updated_at = wtypes.datetime.datetime
    links = [types.Link]

    @classmethod
    def from_db(cls, datasource):
        return cls(
            id=datasource.id, name=datasource.name,
            description=datasource.description, driver=datasource.driver,
            config=secrets.masked(datasource.config),
            enabled=datasource.enabled,
            poll_interval=datasource.poll_interval,
            poll=datasource.poll and PollStatus.from_db(datasource.poll),
            project_id=datasource.project_id,
            created_at=types.utc(datasource.created_at),
            updated_at=types.utc(datasource.updated_at),
            links=types.self_links('v1', 'datasources', datasource.id))


class DatasourceCollection(wtypes.Base):
    datasources = [Datasource]
    links = [types.Link]


def _config_with_secrets(config, stored_config):
    try:
        return secrets.merged(config, stored_config)
    except KeyError as missing:
        raise exception.Invalid(
            'Config key %s is sent as %r but no value is stored for it.'
            % (missing, secrets.HIDDEN))


def _checked_config(driver, config):
    """``config`` checked against ``driver``, with its secrets sealed as
    the database stores them."""
    driver.check_config(config)
    table_schema.check_declarations(driver.declared_tables(config))
    return secrets.sealed(config)


def _check_tables(datasource, values, table_counts):
    """Refuse a change to a push datasource's tables that no longer fits
    the rows it holds (checked in the update's transaction, so that no
    push slips in between). Other drivers' rows are their own to replace.
    """
    if ('config' in values
            and drivers.kind_of(datasource.driver) == drivers.PUSH):
        driver = drivers.get(datasource.driver)
        table_schema.check_emptied(
            driver.declared_tables(datasource.config),
            driver.declared_tables(values['config']), datasource.id,
            table_counts)


class DatasourcesController(base.CollectionController):
    """/v1/datasources"""

    tables = datasource_tables.TablesController()


    webhook = webhooks.WebhookController()

    @wsme_pecan.wsexpose(DatasourceCollection, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, int, wtypes.text,
                         wtypes.text)
    def get_all(self, name=None, driver=None, enabled=None,
                project_id=None, limit=None, marker=None, sort=None):
        scope = rbac.authorize('healapi:datasource:get_all')
        query = {'name': name, 'driver': driver, 'enabled': enabled,
                 'project_id': project_id, 'sort': sort}
        filters = {'name': name, 'driver': driver, 'project_id': project_id}
        if enabled is not None:
            filters['enabled'] = collection.parse_bool('enabled', enabled)
        items, limit = collection.page(
            db_api.get_instance().list_datasources, scope, filters,
            limit, marker, sort, SORT_KEYS, 'name:asc')
        return DatasourceCollection(
            datasources=[Datasource.from_db(item) for item in items],
            links=collection.next_links(
                ('v1', 'datasources'), items, limit,
                query))

    @wsme_pecan.wsexpose(Datasource, wtypes.text)
    def get_one(self, datasource_id):
        project_id = rbac.authorize('healapi:datasource:get')
        return Datasource.from_db(db_api.get_instance().get_datasource(
            datasource_id, project_id=project_id))

    @wsme_pecan.wsexpose(Datasource, body=Datasource, status_code=201)
    def post(self, body):
        project_id = rbac.authorize_in_own_project(
            'healapi:datasource:create')
        body.require('name', 'driver')
        values = body.changes()
        for key, default in DEFAULTS.items():
            values.setdefault(key, default)
        values['config'] = _checked_config(
            drivers.get(values['driver']),
            _config_with_secrets(values['config'], {}))
        values['project_id'] = project_id
        datasource = db_api.get_instance().create_datasource(values)
        result = Datasource.from_db(datasource)
        pecan.response.location = result.links[0].href
        return result

    @wsme_pecan.wsexpose(Datasource, wtypes.text, body=Datasource)
    def patch(self, datasource_id, body):
        project_id = rbac.authorize('healapi:datasource:update')
        dbapi = db_api.get_instance()
        values = body.changes()
        stored = dbapi.get_datasource(datasource_id, project_id=project_id)
        if values.get('driver', stored.driver) != stored.driver:
            raise exception.InvalidParameter(
                name='driver', value=values['driver'],
                reason='a datasource keeps the driver it was created with; '
                       'create another datasource for another driver')
        if 'config' in values:
            values['config'] = _checked_config(
                drivers.get(stored.driver),
                _config_with_secrets(values['config'], stored.config))
        return Datasource.from_db(dbapi.update_datasource(
            datasource_id, values, project_id=project_id,
            check=_check_tables))

    @wsme_pecan.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, datasource_id):
        project_id = rbac.authorize('healapi:datasource:delete')
        db_api.get_instance().delete_datasource(
            datasource_id, project_id=project_id)
