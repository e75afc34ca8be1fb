"""/v1/violations: what policies found wrong, from first seen to resolved."""

import datetime

import pecan
from wsme import api as wsme_api
from wsme import types as wtypes
from wsmeext import pecan as wsme_pecan

from healapi.api.controllers import link
from healapi.api import rbac
from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import collection
from healapi.api.controllers.v1 import deliveries
from healapi.api.controllers.v1 import policies
from healapi.api.controllers.v1 import types
from healapi.api import database as db_api

STATUSES = ('active', 'resolved')
SORT_KEYS = ('first_seen_at', 'last_seen_at', 'resolved_at', 'severity',
             'status', 'created_at', 'updated_at')
TIME_FILTERS = ('first_seen_at', 'last_seen_at', 'resolved_at')


class Violation(wtypes.Base):
    """One violation; read-only but for acknowledging it."""

    id = wtypes.text
    policy_id = wtypes.text
    project_id = wtypes.text
    table = wtypes.text
    values = [types.jsontype]
    severity = wtypes.text
    status = wtypes.text
    first_seen_at = wtypes.datetime.datetime
    last_seen_at = wtypes.datetime.datetime
    resolved_at = wtypes.datetime.datetime
    acknowledged_at = wtypes.datetime.datetime
    acknowledged_by = wtypes.text
    previous_id = wtypes.text
    trace = {wtypes.text: types.jsontype}
    created_at = wtypes.datetime.datetime
    updated_at = wtypes.datetime.datetime
    links = [types.Link]

    @classmethod
    def from_db(cls, violation, with_trace=False):
        result = cls(links=types.self_links('v1', 'violations', violation.id),
                     **_fields(violation))
        if with_trace:
            result.trace = violation.trace or None
        return result


def _fields(violation):
    """A stored violation's fields as the API names them, but its links
    and trace."""
    return {
        'id': violation.id, 'policy_id': violation.policy_id,
        'project_id': violation.project_id, 'table': violation.table_name,
        'values': violation.values, 'severity': violation.severity,
        'status': violation.status,
        'first_seen_at': types.utc(violation.first_seen_at),
        'last_seen_at': types.utc(violation.last_seen_at),
        'resolved_at': types.utc(violation.resolved_at),
        'acknowledged_at': types.utc(violation.acknowledged_at),
        'acknowledged_by': violation.acknowledged_by,
        'previous_id': violation.previous_id,
        'created_at': types.utc(violation.created_at),
        'updated_at': types.utc(violation.updated_at)}


def _list_item(violation, base_url):
    """A violation as lists show it: the :class:`Violation` without its
    trace, as JSON-ready values. Built without WSME, whose objects and
    rendering cost far more than the query of a page."""
    item = {name: value.isoformat() if isinstance(value, datetime.datetime)
            else value for name, value in _fields(violation).items()}
    item['links'] = [{'rel': 'self', 'href': link.url(
        'v1', 'violations', violation.id, base=base_url)}]
    return item


class ViolationCollection(wtypes.Base):
    violations = [Violation]
    links = [types.Link]


class ViolationsController(base.CollectionController):
    """/v1/violations"""

    _custom_actions = {'acknowledge': ['POST']}

    deliveries = deliveries.DeliveriesController()

    @wsme_pecan.wsexpose(ViolationCollection, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, int, wtypes.text,
                         wtypes.text)
    def get_all(self, policy_id=None, status=None, severity=None,
                acknowledged=None, first_seen_at=None, last_seen_at=None,
                resolved_at=None, project_id=None, limit=None, marker=None,
                sort=None):
        scope = rbac.authorize('healapi:violation:get_all')
        query = {'policy_id': policy_id, 'status': status,
                 'severity': severity, 'acknowledged': acknowledged,
                 'first_seen_at': first_seen_at,
                 'last_seen_at': last_seen_at, 'resolved_at': resolved_at,
                 'project_id': project_id, 'sort': sort}
        items, limit = collection.page(
            db_api.get_instance().list_violations, scope,
            _filters(query), limit, marker, sort, SORT_KEYS,
            'first_seen_at:desc')
        base_url = link.base_url()
        page = {
            'violations': [_list_item(item, base_url) for item in items],
            'links': [{'rel': next_link.rel, 'href': next_link.href}
                      for next_link in collection.next_links(
                          ('v1', 'violations'), items, limit, query)]}
        # Rendered as it is: the signature's ViolationCollection documents it.
        return wsme_api.Response(page, status_code=200,
                                 return_type=types.jsontype)

    @wsme_pecan.wsexpose(Violation, wtypes.text)
    def get_one(self, violation_id):
        project_id = rbac.authorize('healapi:violation:get')
        return Violation.from_db(
            db_api.get_instance().get_violation(
                violation_id, project_id=project_id),
            with_trace=True)

    @wsme_pecan.wsexpose(Violation, wtypes.text)
    def acknowledge(self, violation_id):
        """Record that an operator has seen the violation (idempotent)."""
        project_id = rbac.authorize('healapi:violation:acknowledge')
        context = pecan.request.context
        violation = db_api.get_instance().acknowledge_violation(
            violation_id, acknowledged_by=context.user_id,
            project_id=project_id)
        return Violation.from_db(violation, with_trace=True)


def _filters(query):
    """Database filters for the list's query parameters."""
    filters = {'project_id': query['project_id']}
    if query['policy_id'] is not None:
        filters['policy_id'] = collection.check_id('policy_id',
                                                  query['policy_id'])
    if query['status'] is not None:
        filters['status'] = collection.choice('status', query['status'],
                                              STATUSES)
    if query['severity'] is not None:
        filters['severity'] = collection.choice(
            'severity', query['severity'], policies.SEVERITIES)
    if query['acknowledged'] is not None:
        acknowledged = collection.parse_bool('acknowledged',
                                             query['acknowledged'])
        filters['acknowledged_at'] = ('isnot' if acknowledged else 'is_',
                                      None)
    for name in TIME_FILTERS:
        if query[name] is not None:
            filters[name] = collection.parse_time_filter(name, query[name])
    return filters
