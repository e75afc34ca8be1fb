"""URLs the API hands out: Location headers, self and next links."""

from urllib import parse

import pecan

from healapi.conf import CONF


def base_url():
    """The API's root URL as clients see it, without a trailing slash."""
    return (CONF.api.public_endpoint or pecan.request.application_url).rstrip(
        '/')


def url(*parts, query=None, base=None):
    """An absolute URL under the API root, e.g. url('v1', 'policies', id).

    ``base`` is :func:`base_url`'s answer, for callers making many URLs.
    """
    result = '/'.join([base or base_url()] + [parse.quote(str(p), safe='')
                                              for p in parts])
    if query:
        result += '?' + parse.urlencode(query)
    return result
