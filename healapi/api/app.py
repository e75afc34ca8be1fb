"""Build the API's WSGI application: the pecan app inside its middleware.

The pipeline, outermost first::

    http_proxy_to_wsgi -> request_id -> HEAD without body -> API-SIG errors
      -> microversion negotiation -> CORS -> sizelimit -> authentication
      (keystone auth_token, or local noauth) -> status views -> request
      bodies checked against the OpenAPI document -> pecan

The status views (``/v1/{resources}/{id}/status``, polled all day) are
answered before pecan; see :mod:`healapi.api.status_views`.

Version discovery (``GET /``) is the only route of the pipeline served
without authentication. The healthcheck endpoints (``/healthcheck``,
``/healthcheck/live``; see :mod:`healapi.healthcheck.endpoints`) are
mounted beside the pipeline.
"""

from oslo_log import log
from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import pecan

from healapi.api import hooks
from healapi.api import microversion
from healapi.api.middleware import auth
from healapi.api.middleware import errors
from healapi.api.middleware import head
from healapi.api import request_bodies
from healapi.api import status_views
from healapi.conf import CONF
from healapi.healthcheck import endpoints

LOG = log.getLogger(__name__)


def setup_pecan_app():
    """The bare pecan application, without middleware."""
    return pecan.make_app(
        'healapi.api.controllers.root.RootController',
        hooks=[hooks.ContextHook(), hooks.WakeEnginesHook()],
        force_canonical=False,
        guess_content_type_from_ext=False,
        # Errors are rendered by the API-SIG middleware, not by pecan.
        debug=False,
    )


def build_wsgi_app(conf=CONF):
    """The full API application, as gunicorn and healapi-api serve it."""
    # oslo.db retries a database it can't reach when it first connects (10
    # times, 10 s apart, by default), and the request that made it connect
    # waits all along; the API answers that request 503 instead. An
    # operator's [database]/max_retries still wins.
    conf.set_default('max_retries', 0, group='database')
    app = setup_pecan_app()
    app = request_bodies.RequestBodies(app)
    app = status_views.StatusViews(app)
    app = auth.wrap(app, conf)
    app = sizelimit.RequestBodySizeLimiter(app, conf)
    app = cors.CORS(app, conf)
    app = microversion.Negotiation(app)
    app = errors.ErrorFormatter(app)
    app = head.HeadWithoutBody(app)
    app = request_id.RequestId(app)
    app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)
    # Beside the pipeline, not in it: no authentication, no middleware.
    return endpoints.mount(app, conf.healthcheck.backends, liveness=[])
