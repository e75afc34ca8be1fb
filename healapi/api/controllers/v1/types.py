"""WSME types shared by the v1 resources."""

import datetime

from wsme import types as wtypes

from healapi.api.controllers import link
from healapi.common import exception

#: Names of policies and datasources: they appear in rules
#: (``datasource:table``), so they are identifiers.
NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$'
Name = wtypes.StringType(min_length=1, max_length=255, pattern=NAME_PATTERN)


class JsonType(wtypes.UserType):
    """Any JSON value (for driver-specific configuration)."""

    basetype = wtypes.text
    name = 'json'

    def validate(self, value):
        return value

    @staticmethod
    def frombasetype(value):
        return value


jsontype = JsonType()


class Link(wtypes.Base):
    """A link to a related resource (API-SIG ``links``)."""

    rel = wtypes.text
    href = wtypes.text


def self_links(*parts):
    """The ``links`` of a resource at ``parts`` under the API root."""
    return [Link(rel='self', href=link.url(*parts))]


def utc(value):
    """A naive UTC datetime from the DB as an aware one, for ISO 8601."""
    if value is None:
        return None
    return value.replace(tzinfo=datetime.timezone.utc)


class Resource(wtypes.Base):
    """A resource's representation; ``_readonly`` fields are output only."""

    _readonly = ()
    _nullable = ()

    def changes(self):
        """The fields a request sets, refusing those clients can't set."""
        result = {}
        for attr in wtypes.list_attributes(type(self)):
            value = getattr(self, attr.key)
            if value is wtypes.Unset:
                continue
            if attr.key in self._readonly:
                raise exception.Invalid('Field %r is read-only.' % attr.key)
            if value is None and attr.key not in self._nullable:
                raise exception.Invalid('Field %r may not be null.'
                                        % attr.key)
            result[attr.key] = value
        return result

    def require(self, *fields):
        """Refuse a create request that lacks one of ``fields``."""
        for field in fields:
            if getattr(self, field) in (wtypes.Unset, None):
                raise exception.Invalid(
                    'Mandatory field %r is missing.' % field)
