"""``GET /v1/{resources}/{id}/status``: the lightweight status-by-UUID view.

Other services poll these all day, so they skip WSME and answer from one
narrow query: ``{"id", "status", "updated_at"}`` with a strong ETag, and 304
to a matching ``If-None-Match``.
"""

import hashlib

import pecan
import webob

from healapi.api import rbac
from healapi.api.controllers.v1 import types
from healapi.api import database as db_api
from healapi.db.sqlalchemy import models


def _status_name(model, value):
    """The status column's value as the API names it."""
    if model is models.Violation:
        return value
    return 'enabled' if value else 'disabled'


class StatusController:
    """``{id}/status`` under a resource controller; ``model`` names it."""

    def __init__(self, model, rule):
        self.model = model
        self.rule = rule

    @pecan.expose(generic=True)
    def index(self, object_id):
        pecan.abort(405)

    @index.when(method='HEAD')
    @index.when(method='GET')
    def index_get(self, object_id):
        # pecan would also route /{resources}/status/{id} here.
        if pecan.request.path_info.rstrip('/').rsplit('/', 1)[-1] != 'status':
            pecan.abort(404)
        project_id = rbac.authorize(self.rule)
        found = db_api.get_instance().get_status(
            self.model, object_id, project_id=project_id)
        if found is None:
            raise db_api.not_found(self.model, object_id)
        value, updated_at = found
        body = {'id': object_id,
                'status': _status_name(self.model, value),
                'updated_at': types.utc(updated_at).isoformat()}
        etag = hashlib.sha256(
            ('%(id)s %(status)s %(updated_at)s' % body).encode()).hexdigest()
        if etag in pecan.request.if_none_match:
            return webob.Response(status=304, etag=etag, charset=None,
                                  content_type=None)
        return webob.Response(json_body=body, etag=etag,
                              cache_control='no-cache')
