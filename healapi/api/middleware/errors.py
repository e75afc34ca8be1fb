"""Render every error response in the API-SIG error format.

Whatever produced the error (a healapi exception, WSME's validation, pecan's
routing, oslo.middleware's size limit, keystonemiddleware), the client gets::

    {"errors": [{"request_id": ..., "code": ..., "status": ..., "title": ...,
                 "detail": ..., "links": []}]}

Server errors never expose internals: their detail is generic and the
traceback goes to the log under the request id.
"""

import http
import json

from oslo_log import log
from oslo_middleware import request_id as request_id_mw
import webob
import webob.exc

from healapi.common import exception

LOG = log.getLogger(__name__)

_GENERIC_SERVER_DETAIL = ('The server could not complete the request. The '
                          'error is logged under the request id.')


def _title(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return 'Error'


#: Codes of errors that carry none of their own. Spelled out rather than
#: derived from reason phrases, which change between Python versions.
_DEFAULT_CODES = {
    400: 'healapi.bad_request',
    401: 'healapi.unauthorized',
    403: 'healapi.forbidden',
    404: 'healapi.not_found',
    405: 'healapi.method_not_allowed',
    406: 'healapi.not_acceptable',
    409: 'healapi.conflict',
    413: 'healapi.request_too_large',
    415: 'healapi.unsupported_media_type',
    500: exception.HealapiException.faultcode,
    503: 'healapi.service_unavailable',
}


def _default_code(status):
    return _DEFAULT_CODES.get(status, 'healapi.http_%d' % status)


def _default_detail(status, method):
    if status >= 500:
        return _GENERIC_SERVER_DETAIL
    if status == 405:
        return 'Method %s is not allowed for this resource.' % method
    error_class = webob.exc.status_map.get(status)
    explanation = getattr(error_class, 'explanation', None)
    return explanation or _title(status)


def error_body(request_id, status, code, detail):
    """The API-SIG error document for one error."""
    return {'errors': [{
        'request_id': request_id,
        'code': code,
        'status': status,
        'title': _title(status),
        'detail': detail,
        'links': [],
    }]}


class ErrorFormatter:
    """WSGI middleware rewriting error responses into the API-SIG format."""

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, request):
        try:
            response = request.get_response(self.application)
        except exception.HealapiException as error:
            return self._render(request, error.code, error.faultcode,
                                str(error) if error.code < 500 else None,
                                headers=error.headers)
        except Exception:
            LOG.exception('Unexpected error serving %s %s',
                          request.method, request.path)
            return self._render(request, 500, None, None)
        if response.status_code < 400:
            return response
        code, detail = self._parse_fault(response)
        # Headers the error has, which WSME's fault dropped.
        response.headers.update(exception.headers_for(code))
        return self._render(request, response.status_code, code, detail,
                            headers=response.headers)

    @staticmethod
    def _parse_fault(response):
        """(code, detail) from a WSME fault body, else (None, None)."""
        if response.content_type != 'application/json':
            return None, None
        try:
            fault = json.loads(response.body)
        except ValueError:
            return None, None
        if not isinstance(fault, dict) or 'faultstring' not in fault:
            return None, None
        faultcode = fault.get('faultcode') or ''
        if faultcode.startswith('healapi.'):
            return faultcode, fault['faultstring']
        if response.status_code == 400:
            return 'healapi.invalid_input', fault['faultstring']
        # WSME's text for other statuses may describe server internals.
        return None, None

    @staticmethod
    def _render(request, status, code, detail, headers=None):
        body = error_body(
            request.environ.get(request_id_mw.ENV_REQUEST_ID),
            status,
            code or _default_code(status),
            detail or _default_detail(status, request.method))
        response = webob.Response(status=status, json_body=body,
                                  content_type='application/json',
                                  charset=None)
        for name in ('Allow', 'WWW-Authenticate', 'Retry-After',
                     'OpenStack-API-Version', 'Vary'):
            if headers is not None and name in headers:
                response.headers[name] = headers[name]
        return response
