"""Lists: limit/marker pagination, sort=key:dir, filters and next links."""

from oslo_utils import strutils
from oslo_utils import timeutils
from oslo_utils import uuidutils

from healapi.api.controllers import link
from healapi.api.controllers.v1 import types
from healapi.common import exception
from healapi.conf import CONF

_SORT_DIRS = ('asc', 'desc')
#: The largest number a list's items can have (a 64-bit key).
_MAX_SERIAL = 2 ** 63 - 1
#: API-SIG comparison operators for time filters, as SQLAlchemy methods.
_TIME_OPERATORS = {'gt': '__gt__', 'gte': '__ge__',
                   'lt': '__lt__', 'lte': '__le__'}


def page_limit(limit):
    """The page size for a request's ``limit`` (None: the default)."""
    if limit is None:
        return min(CONF.api.default_limit, CONF.api.max_limit)
    if limit < 1:
        raise exception.InvalidParameter(name='limit', value=limit,
                                         reason='must be at least 1')
    return min(limit, CONF.api.max_limit)


def check_id(name, value):
    """``value`` of query parameter ``name``, which must be a UUID."""
    if value is not None and not uuidutils.is_uuid_like(value):
        raise exception.InvalidParameter(name=name, value=value,
                                         reason='must be an id (a UUID)')
    return value


def check_serial(name, value):
    """``value`` of query parameter ``name``, which must be the number of
    an item of a list ordered by number (rows, deliveries), as an int."""
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()
            and int(value) <= _MAX_SERIAL):
        raise exception.InvalidParameter(
            name=name, value=value,
            reason='must be the number of an item of this list')
    return int(value)


def parse_sort(sort, allowed_keys, default):
    """``sort=key:dir[,key:dir]`` as (keys, dirs); ``default`` if None."""
    keys, dirs = [], []
    for item in (sort or default).split(','):
        key, _, direction = item.strip().partition(':')
        direction = direction or 'asc'
        if key not in allowed_keys:
            raise exception.InvalidParameter(
                name='sort', value=sort,
                reason='sort keys are %s' % ', '.join(sorted(allowed_keys)))
        if direction not in _SORT_DIRS:
            raise exception.InvalidParameter(
                name='sort', value=sort,
                reason='sort directions are asc and desc')
        if key in keys:
            raise exception.InvalidParameter(
                name='sort', value=sort, reason='%s given twice' % key)
        keys.append(key)
        dirs.append(direction)
    return keys, dirs


def parse_bool(name, value):
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.InvalidParameter(name=name, value=value,
                                         reason='must be true or false')


def parse_time_filter(name, value):
    """``op:timestamp`` (op one of gt, gte, lt, lte) as (method, datetime)."""
    op, _, timestamp = value.partition(':')
    if op not in _TIME_OPERATORS:
        raise exception.InvalidParameter(
            name=name, value=value,
            reason='expected OP:TIMESTAMP with OP one of %s'
            % ', '.join(_TIME_OPERATORS))
    try:
        moment = timeutils.normalize_time(timeutils.parse_isotime(timestamp))
    except ValueError:
        raise exception.InvalidParameter(
            name=name, value=value, reason='the time is not ISO 8601')
    return _TIME_OPERATORS[op], moment


def choice(name, value, choices):
    if value not in choices:
        raise exception.InvalidParameter(
            name=name, value=value,
            reason='must be one of %s' % ', '.join(choices))
    return value


def page(list_items, project_id, filters, limit, marker, sort, sort_keys,
         default_sort):
    """One page of a list request, as ``(items, page size)``.

    ``list_items`` is the database API's list method; ``filters`` whose
    value is None are left out.
    """
    limit = page_limit(limit)
    keys, dirs = parse_sort(sort, sort_keys, default_sort)
    items = list_items(
        project_id=project_id,
        filters={key: value for key, value in filters.items()
                 if value is not None},
        limit=limit, marker=check_id('marker', marker),
        sort_keys=keys, sort_dirs=dirs)
    return items, limit


def next_links(collection_parts, items, limit, query):
    """A ``next`` link when the page is full, else no links."""
    if len(items) < limit:
        return []
    query = {key: value for key, value in query.items()
             if value is not None}
    query.update(limit=limit, marker=items[-1].id)
    return [types.Link(rel='next',
                       href=link.url(*collection_parts, query=query))]
