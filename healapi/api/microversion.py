"""Microversions: ``OpenStack-API-Version: healing X.Y`` on every request.

A request without the header gets the oldest microversion, ``latest`` the
newest. The negotiated version is in the WSGI environ under
:data:`ENVIRON_KEY` for controllers to branch on, and every response says
which version answered it. Parsing is OpenStack's microversion-parse.
"""

import microversion_parse
import webob.dec

from healapi.common import exception

SERVICE_TYPE = 'healing'
HEADER = 'OpenStack-API-Version'
ENVIRON_KEY = SERVICE_TYPE + '.microversion'

#: Every microversion this server speaks, oldest first. Add one for each
#: change to the API, with a release note and the api-ref's history.
VERSIONS = ('1.0',)
MIN_VERSION = VERSIONS[0]
MAX_VERSION = VERSIONS[-1]


class Negotiation:
    """WSGI middleware choosing the microversion of each request."""

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, request):
        try:
            version = microversion_parse.extract_version(
                request.headers, SERVICE_TYPE, VERSIONS)
        except TypeError:
            raise exception.InvalidMicroversion(
                header=request.headers.get(HEADER))
        except ValueError:
            raise exception.MicroversionNotAcceptable(
                version=microversion_parse.get_version(
                    request.headers, SERVICE_TYPE),
                min=MIN_VERSION, max=MAX_VERSION)
        request.environ[ENVIRON_KEY] = version
        response = request.get_response(self.application)
        response.headers[HEADER] = '%s %s' % (SERVICE_TYPE, version)
        response.vary = tuple(response.vary or ()) + (HEADER,)
        return response
