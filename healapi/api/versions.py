"""The API versions this server speaks, for version discovery."""

from healapi.api.controllers import link

#: The only major version; microversions are negotiated within it.
V1 = 'v1'
MIN_MICROVERSION = '1.0'
MAX_MICROVERSION = '1.0'


def version_document():
    """What GET / and GET /v1/ say about API v1."""
    return {
        'id': V1,
        'status': 'CURRENT',
        'min_version': MIN_MICROVERSION,
        'max_version': MAX_MICROVERSION,
        'links': [{'rel': 'self', 'href': link.url(V1) + '/'}],
    }
