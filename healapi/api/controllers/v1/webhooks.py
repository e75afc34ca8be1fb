"""``POST /v1/datasources/{id}/webhook``: a monitoring system's own payload
(an Alertmanager or Aodh notification, Doctor events), which the
datasource's driver turns into rows.

The caller is either a Keystone user allowed ``push_rows`` on the
datasource, or a monitoring system presenting the datasource's
``webhook_token`` as a bearer token or basic-auth password (see
:mod:`healapi.api.middleware.auth`). Rows are checked as pushed rows are,
and every table changes in one transaction.
"""

import base64
import binascii
import hmac
import json

import pecan
import webob

from healapi.api import rbac
from healapi.api import table_schema
from healapi.api.middleware import auth
from healapi.common import drivers
from healapi.common import exception
from healapi.common import secrets
from healapi.api import database as db_api


def _presented_token(request):
    """The secret of the request's Authorization header: a bearer token,
    or a basic-auth password."""
    if request.authorization is None:
        return None
    scheme, credentials = request.authorization
    if not isinstance(credentials, str):
        return None
    if scheme.lower() == 'bearer':
        return credentials
    if scheme.lower() == 'basic':
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(':')[2]
    return None


def _token_authenticated(dbapi, datasource_id):
    """The datasource whose webhook_token the request presents; the same
    401 for a wrong token and for a datasource that doesn't exist, so that
    ids can't be probed."""
    presented = _presented_token(pecan.request)
    try:
        datasource = dbapi.get_datasource(datasource_id)
        expected = secrets.opened(datasource.config).get('webhook_token')
    except (exception.NotFound, secrets.Unreadable):
        expected = None
    if (presented is None or not isinstance(expected, str)
            or not hmac.compare_digest(presented.encode(),
                                       expected.encode())):
        raise exception.WebhookUnauthorized()
    return datasource


def _payload(request):
    try:
        return json.loads(request.body)
    except ValueError as error:
        raise exception.Invalid('The body is not valid JSON: %s' % error)


class WebhookController:
    """``{datasource_id}/webhook`` under the datasources controller."""

    @pecan.expose(generic=True)
    def index(self, datasource_id):
        pecan.abort(405, headers={'Allow': 'POST'})

    @index.when(method='POST')
    def index_post(self, datasource_id):
        # pecan would also route /datasources/webhook/{id} here.
        if pecan.request.path_info.rstrip('/').rsplit('/', 1)[-1] != (
                'webhook'):
            pecan.abort(404)
        dbapi = db_api.get_instance()
        if pecan.request.environ.get(auth.WEBHOOK_TOKEN):
            datasource = _token_authenticated(dbapi, datasource_id)
        else:
            project_id = rbac.authorize('healapi:datasource:push_rows')
            datasource = dbapi.get_datasource(datasource_id,
                                              project_id=project_id)
        if drivers.kind_of(datasource.driver) != drivers.WEBHOOK:
            raise exception.NoWebhook(datasource=datasource.id,
                                      driver=datasource.driver)
        driver = drivers.get(datasource.driver)
        changes = driver.changes(_payload(pecan.request))
        for change in changes:
            columns = driver.tables[change.table]
            for rows in change.rows_by_key.values():
                table_schema.row_values(rows, change.table, len(columns),
                                        columns, field='webhook')
        written = dbapi.change_keyed_rows(datasource.id, [
            (change.table, change.key_position, change.rows_by_key)
            for change in changes])
        return webob.Response(json_body={'tables': {
            table: {'added': added, 'removed': removed}
            for table, (added, removed) in sorted(written.items())}})
