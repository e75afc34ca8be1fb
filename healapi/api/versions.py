"""The API versions this server speaks, for version discovery."""

from healapi.api.controllers import link
from healapi.api import microversion

#: The only major version; microversions are negotiated within it.
V1 = 'v1'


def version_document():
    """What GET / and GET /v1/ say about API v1."""
    return {
        'id': V1,
        'status': 'CURRENT',
        'min_version': microversion.MIN_VERSION,
        'max_version': microversion.MAX_VERSION,
        'links': [{'rel': 'self', 'href': link.url(V1) + '/'}],
    }
