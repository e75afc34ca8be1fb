"""Authentication in the API pipeline: Keystone tokens, or local noauth.

Whichever strategy ``[api]/auth_strategy`` selects, requests reach pecan
with the identity headers keystonemiddleware defines (X-Project-Id,
X-User-Id, X-Roles, ...), from which :mod:`healapi.api.hooks` builds the
request context. Version discovery (``GET /``) is always public.

A datasource's webhook may also be sent by a monitoring system that has no
Keystone token: a ``POST`` to ``/v1/datasources/{id}/webhook`` with an
``Authorization`` header and no ``X-Auth-Token`` reaches the app without
any identity, marked :data:`WEBHOOK_TOKEN`, and the webhook controller
checks the datasource's own ``webhook_token``.
"""

import re

from keystonemiddleware import auth_token
from oslo_log import log
import webob.dec

LOG = log.getLogger(__name__)

#: Paths answered without authentication.
PUBLIC_PATHS = frozenset(['/'])
#: Set in the WSGI environ of a webhook the app must authenticate itself.
WEBHOOK_TOKEN = 'healapi.webhook_token'  # noqa: S105 (an environ key)
_WEBHOOK_PATH = re.compile(r'^/v1/datasources/[^/]+/webhook/?$')


def _without_identity(environ):
    """Drop identity headers a client sent: only auth may set them."""
    for key in [key for key in environ
                if key.startswith(('HTTP_X_IDENTITY', 'HTTP_X_USER',
                                   'HTTP_X_PROJECT', 'HTTP_X_ROLE',
                                   'HTTP_X_DOMAIN', 'HTTP_X_SERVICE',
                                   'HTTP_X_SYSTEM', 'HTTP_X_TENANT',
                                   'HTTP_X_IS_ADMIN'))]:
        del environ[key]


class PublicRoutes:
    """Send public paths straight to the app, and token-authenticated
    webhooks without an identity; everything else through auth."""

    def __init__(self, application, authenticated):
        self.application = application
        self.authenticated = authenticated

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '/')
        if path in PUBLIC_PATHS:
            return self.application(environ, start_response)
        if (environ.get('REQUEST_METHOD') == 'POST'
                and 'HTTP_AUTHORIZATION' in environ
                and 'HTTP_X_AUTH_TOKEN' not in environ
                and _WEBHOOK_PATH.match(path)):
            _without_identity(environ)
            environ[WEBHOOK_TOKEN] = True
            return self.application(environ, start_response)
        return self.authenticated(environ, start_response)


class NoAuth:
    """Act as an admin of one project, for trying healapi on one machine."""

    def __init__(self, application, project_id):
        self.application = application
        self.headers = {
            'HTTP_X_IDENTITY_STATUS': 'Confirmed',
            'HTTP_X_USER_ID': 'noauth',
            'HTTP_X_USER_NAME': 'noauth',
            'HTTP_X_PROJECT_ID': project_id,
            'HTTP_X_PROJECT_NAME': 'noauth',
            'HTTP_X_ROLES': 'admin,member,reader',
        }

    @webob.dec.wsgify
    def __call__(self, request):
        request.environ.update(self.headers)
        return request.get_response(self.application)


def wrap(application, conf):
    """``application`` behind the authentication ``conf`` selects."""
    if conf.api.auth_strategy == 'noauth':
        LOG.warning('*** healapi API is running WITHOUT AUTHENTICATION '
                    '(auth_strategy=noauth): every request acts as an admin '
                    'of project %s. Use this only on a loopback address for '
                    'trying healapi out. ***', conf.api.noauth_project_id)
        authenticated = NoAuth(application, conf.api.noauth_project_id)
    else:
        authenticated = auth_token.AuthProtocol(
            application, {'oslo_config_config': conf})
    return PublicRoutes(application, authenticated)
