"""``GET /v1/{resources}/{id}/status``: the status-by-UUID views.

Other services poll these all day, so they are answered before pecan, by
WSGI middleware between authentication and the pecan application: no
routing, no WSME, no ORM session, one narrow query. The answer is
``{"id", "status", "updated_at"}`` with a strong ETag, and 304 to a
matching ``If-None-Match``. Errors (403, 404, 503) are raised for the
API-SIG middleware to render, as everywhere else.
"""

import hashlib
import re

from oslo_context import context as oslo_context
import webob
import webob.exc

from healapi.api.controllers.v1 import types
from healapi.api import database
from healapi.api import rbac
from healapi.db.sqlalchemy import models

#: resources -> (model, the rule allowing its status to be shown).
VIEWS = {
    'policies': (models.Policy, 'healapi:policy:get_status'),
    'datasources': (models.Datasource, 'healapi:datasource:get_status'),
    'violations': (models.Violation, 'healapi:violation:get_status'),
}
#: The path parameter naming the object, per resources (as documented).
ID_PARAMETERS = {'policies': 'policy_id', 'datasources': 'datasource_id',
                 'violations': 'violation_id'}
_PATH = re.compile(r'^/v1/(%s)/([^/]+)/status/?$' % '|'.join(VIEWS))
_METHODS = ('GET', 'HEAD')


def _status_name(model, value):
    """The status column's value as the API names it."""
    if model is models.Violation:
        return value
    return 'enabled' if value else 'disabled'


def status_response(request, resources, object_id):
    """The status view of one object, for ``request`` (a webob Request
    authenticated by the middleware before)."""
    model, rule = VIEWS[resources]
    context = oslo_context.RequestContext.from_environ(request.environ)
    project_id = rbac.authorize(rule, context)
    found = database.get_instance().get_status(model, object_id,
                                               project_id=project_id)
    if found is None:
        raise database.not_found(model, object_id)
    value, updated_at = found
    body = {'id': object_id, 'status': _status_name(model, value),
            'updated_at': types.utc(updated_at).isoformat()}
    etag = hashlib.sha256(
        ('%(id)s %(status)s %(updated_at)s' % body).encode()).hexdigest()
    if etag in request.if_none_match:
        return webob.Response(status=304, etag=etag, charset=None,
                              content_type=None)
    return webob.Response(json_body=body, etag=etag, cache_control='no-cache')


class StatusViews:
    """Answers the status views; passes every other request on."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        match = _PATH.match(environ.get('PATH_INFO', ''))
        if match is None:
            return self.application(environ, start_response)
        request = webob.Request(environ)
        if request.method not in _METHODS:
            response = webob.exc.HTTPMethodNotAllowed(
                headers={'Allow': ', '.join(_METHODS)})
        else:
            response = status_response(request, *match.groups())
        return response(environ, start_response)
