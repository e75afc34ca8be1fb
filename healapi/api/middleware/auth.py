"""Authentication in the API pipeline: Keystone tokens, or local noauth.

Whichever strategy ``[api]/auth_strategy`` selects, requests reach pecan
with the identity headers keystonemiddleware defines (X-Project-Id,
X-User-Id, X-Roles, ...), from which :mod:`healapi.api.hooks` builds the
request context. Version discovery (``GET /``) is always public.
"""

from keystonemiddleware import auth_token
from oslo_log import log
import webob.dec

LOG = log.getLogger(__name__)

#: Paths answered without authentication.
PUBLIC_PATHS = frozenset(['/'])


class PublicRoutes:
    """Send public paths straight to the app, everything else through auth."""

    def __init__(self, application, authenticated):
        self.application = application
        self.authenticated = authenticated

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '/') in PUBLIC_PATHS:
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
