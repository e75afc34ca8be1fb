"""A small REST client of the healing API, on a keystoneauth session.

Commands call :meth:`Client.get` and friends with paths under ``/v1``;
errors come back as :class:`osc_lib.exceptions.CommandError` carrying the
API-SIG error's detail, which is what an operator needs to read.
"""

import urllib.parse

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exceptions
from osc_lib import exceptions

SERVICE_TYPE = 'healing'
#: The microversion the commands are written against.
MICROVERSION = '1.0'


def _detail(response):
    """The API-SIG error detail of an error response, or its status."""
    try:
        (error,) = response.json()['errors']
        return '%s (HTTP %s, %s)' % (error['detail'], error['status'],
                                     error['code'])
    except (ValueError, KeyError, TypeError):
        return 'HTTP %s: %s' % (response.status_code, response.text[:200])


class Client:

    def __init__(self, session, region_name=None, interface=None,
                 endpoint_override=None):
        self._adapter = adapter.Adapter(
            session, service_type=SERVICE_TYPE, region_name=region_name,
            interface=interface, endpoint_override=endpoint_override,
            default_microversion=MICROVERSION)

    def request(self, method, path, body=None, params=None):
        """The decoded JSON answer of ``method path`` (None if empty)."""
        kwargs = {'params': {key: value for key, value
                             in (params or {}).items() if value is not None},
                  'raise_exc': False}
        if body is not None:
            kwargs['json'] = body
        try:
            response = self._adapter.request('/v1' + path, method, **kwargs)
        except ks_exceptions.ClientException as error:
            raise exceptions.CommandError(
                'Could not reach the healing API: %s' % error)
        if response.status_code >= 400:
            raise exceptions.CommandError(_detail(response))
        return response.json() if response.content else None

    def get(self, path, **params):
        return self.request('GET', path, params=params)

    def post(self, path, body=None):
        return self.request('POST', path, body=body)

    def patch(self, path, body):
        return self.request('PATCH', path, body=body)

    def put(self, path, body):
        return self.request('PUT', path, body=body)

    def delete(self, path):
        return self.request('DELETE', path)

    def list(self, path, key, limit=None, marker=None, **filters):
        """The items of collection ``path``: one page of at most ``limit``
        after ``marker``; without ``limit``, every page."""
        params = dict(filters, limit=limit, marker=marker)
        items = []
        while True:
            body = self.get(path, **params)
            items.extend(body[key])
            following = [link['href'] for link in body.get('links', [])
                         if link['rel'] == 'next']
            if limit is not None or not following:
                return items
            query = urllib.parse.parse_qs(
                urllib.parse.urlsplit(following[0]).query)
            params['marker'] = query['marker'][0]
