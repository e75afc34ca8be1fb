"""Errors healapi reports to its users.

Each error has an HTTP status (``code``, the attribute name WSME reads) and a
stable machine-readable ``faultcode``; the API turns them into the API-SIG
error format (see :mod:`healapi.api.middleware.errors`), with the message as
the ``detail``. Messages are written for users: they never carry internals.
"""

import functools


class HealapiException(Exception):
    """Base class of every error healapi reports; 500 unless overridden."""

    code = 500
    faultcode = 'healapi.internal_error'
    message = 'An unexpected error occurred.'
    #: HTTP headers of the error response.
    headers = {}

    def __init__(self, message=None, **kwargs):
        super().__init__(message or self.message % kwargs)


class Invalid(HealapiException):
    code = 400
    faultcode = 'healapi.invalid'
    message = 'The request is invalid.'


class InvalidParameter(Invalid):
    faultcode = 'healapi.invalid_parameter'
    message = 'Invalid value %(value)r for %(name)s: %(reason)s'


class InvalidRule(Invalid):
    faultcode = 'healapi.policy.invalid_rule'
    message = 'Rule %(number)d is not valid: %(error)s'


class NotFound(HealapiException):
    code = 404
    faultcode = 'healapi.not_found'
    message = 'The resource could not be found.'


class PolicyNotFound(NotFound):
    faultcode = 'healapi.policy.not_found'
    message = 'Policy %(policy)s could not be found.'


class RuleNotFound(NotFound):
    faultcode = 'healapi.rule.not_found'
    message = 'Rule %(rule)s could not be found in policy %(policy)s.'


class DatasourceNotFound(NotFound):
    faultcode = 'healapi.datasource.not_found'
    message = 'Datasource %(datasource)s could not be found.'


class ViolationNotFound(NotFound):
    faultcode = 'healapi.violation.not_found'
    message = 'Violation %(violation)s could not be found.'


class InvalidTables(Invalid):
    faultcode = 'healapi.datasource.invalid_tables'
    message = 'Invalid config.tables: %(reason)s'


class InvalidRows(Invalid):
    faultcode = 'healapi.invalid_rows'
    message = 'Invalid %(where)s: %(reason)s'


class InvalidBody(Invalid):
    faultcode = 'healapi.invalid_input'
    message = 'The request body is not valid: %(reason)s'


class InvalidConfig(Invalid):
    faultcode = 'healapi.datasource.invalid_config'
    message = 'The config does not suit driver %(driver)s: %(reason)s'


class UnknownDriver(Invalid):
    faultcode = 'healapi.datasource.unknown_driver'
    message = ('There is no datasource driver %(driver)r; the drivers are: '
               '%(drivers)s.')


class InvalidWebhook(Invalid):
    faultcode = 'healapi.datasource.invalid_webhook'
    message = 'The %(driver)s webhook payload is not valid: %(reason)s'


class DriverNotFound(NotFound):
    faultcode = 'healapi.driver.not_found'
    message = 'Driver %(driver)s could not be found.'


class TableNotDeclared(NotFound):
    faultcode = 'healapi.datasource.table_not_found'
    message = ('Datasource %(datasource)s has no table %(table)r: declare it '
               'with its column names in the datasource\'s config.tables.')


class PolicyTableNotFound(NotFound):
    faultcode = 'healapi.policy.table_not_found'
    message = 'Policy %(policy)s has no table %(table)r.'


class MarkerNotFound(Invalid):
    faultcode = 'healapi.marker.not_found'
    message = 'Invalid marker %(marker)s: it names no item of this list.'


class Conflict(HealapiException):
    code = 409
    faultcode = 'healapi.conflict'
    message = 'The request conflicts with the current state.'


class DuplicateName(Conflict):
    faultcode = 'healapi.duplicate_name'
    message = 'A %(resource)s named %(name)r already exists in this project.'


class TableNotEmpty(Conflict):
    faultcode = 'healapi.datasource.table_not_empty'
    message = ('Table %(table)r of datasource %(datasource)s holds %(count)d '
               'rows: empty it first (PUT {"rows": []} to its rows) before '
               'changing its columns or removing it.')


class RowsNotPushed(Conflict):
    faultcode = 'healapi.datasource.not_push'
    message = ('Datasource %(datasource)s gets its rows from its %(driver)r '
               'driver: only a push datasource takes rows through the API.')


class NoWebhook(Conflict):
    faultcode = 'healapi.datasource.no_webhook'
    message = ('Datasource %(datasource)s has the %(driver)r driver, which '
               'takes no webhooks.')


class Unauthorized(HealapiException):
    code = 401
    faultcode = 'healapi.unauthorized'
    message = 'The request could not be authenticated.'


class WebhookUnauthorized(Unauthorized):
    headers = {'WWW-Authenticate': 'Bearer realm="healapi webhook"'}
    message = ('The webhook must carry a Keystone token, or the '
               'datasource\'s webhook_token as a bearer token or basic-auth '
               'password.')


class Forbidden(HealapiException):
    code = 403
    faultcode = 'healapi.forbidden'
    message = 'Policy does not allow %(rule)s to be performed.'


#: Refusals of a microversion depend on the request's version header;
#: having chosen no version, they name none.
_VARY_BY_MICROVERSION = {'Vary': 'OpenStack-API-Version'}


class InvalidMicroversion(Invalid):
    faultcode = 'healapi.microversion.invalid'
    headers = _VARY_BY_MICROVERSION
    message = ('Invalid OpenStack-API-Version header %(header)r: expected '
               '"healing X.Y" or "healing latest".')


class MicroversionNotAcceptable(HealapiException):
    code = 406
    faultcode = 'healapi.microversion.not_acceptable'
    headers = _VARY_BY_MICROVERSION
    message = ('Microversion %(version)s is not available: this server '
               'speaks %(min)s to %(max)s.')


class DatabaseUnavailable(HealapiException):
    code = 503
    faultcode = 'healapi.database_unavailable'
    headers = {'Retry-After': '5'}
    message = 'The database cannot be reached now; try again shortly.'


@functools.cache
def headers_for(faultcode):
    """The HTTP headers of the error whose ``faultcode`` this is (WSME
    keeps an error's code and message, not its headers)."""
    pending = [HealapiException]
    while pending:
        error = pending.pop()
        if error.faultcode == faultcode:
            return error.headers
        pending.extend(error.__subclasses__())
    return {}
