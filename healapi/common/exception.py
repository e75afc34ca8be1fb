"""Errors healapi reports to its users.

Each error has an HTTP ``status``, a stable machine-readable ``code`` and a
human ``title``; the API turns them into the API-SIG error format
(see :mod:`healapi.api.middleware.errors`). The message is the ``detail``.
"""

from http import HTTPStatus


class HealapiException(Exception):
    """Base class of every error healapi reports; 500 unless overridden."""

    status = HTTPStatus.INTERNAL_SERVER_ERROR
    code = 'healapi.internal_error'
    message = 'An unexpected error occurred.'

    def __init__(self, message=None, **kwargs):
        super().__init__(message or self.message % kwargs)

    @property
    def detail(self):
        return str(self)


class Invalid(HealapiException):
    status = HTTPStatus.BAD_REQUEST
    code = 'healapi.invalid'
    message = 'The request is invalid.'


class InvalidParameter(Invalid):
    code = 'healapi.invalid_parameter'
    message = 'Invalid value %(value)r for %(name)s: %(reason)s'


class NotFound(HealapiException):
    status = HTTPStatus.NOT_FOUND
    code = 'healapi.not_found'
    message = 'The resource could not be found.'


class PolicyNotFound(NotFound):
    code = 'healapi.policy.not_found'
    message = 'Policy %(policy)s could not be found.'


class RuleNotFound(NotFound):
    code = 'healapi.rule.not_found'
    message = 'Rule %(rule)s could not be found in policy %(policy)s.'


class DatasourceNotFound(NotFound):
    code = 'healapi.datasource.not_found'
    message = 'Datasource %(datasource)s could not be found.'


class ViolationNotFound(NotFound):
    code = 'healapi.violation.not_found'
    message = 'Violation %(violation)s could not be found.'


class MarkerNotFound(NotFound):
    status = HTTPStatus.BAD_REQUEST
    code = 'healapi.marker.not_found'
    message = 'Marker %(marker)s does not name an item of this list.'


class Conflict(HealapiException):
    status = HTTPStatus.CONFLICT
    code = 'healapi.conflict'
    message = 'The request conflicts with the current state.'


class DuplicateName(Conflict):
    code = 'healapi.duplicate_name'
    message = 'A %(resource)s named %(name)r already exists in this project.'
