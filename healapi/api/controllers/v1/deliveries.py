"""How healapi's events went out: ``/v1/violations/{id}/deliveries`` (the
notifications and webhook calls announcing a violation) and
``/v1/policies/{id}/executions`` (the actions its ``execute[...]`` rules
ran), each with every attempt and its outcome.
"""

from wsme import types as wtypes
from wsmeext import pecan as wsme_pecan

from healapi.api import rbac
from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import collection
from healapi.api.controllers.v1 import types
from healapi.api import database as db_api


class Attempt(wtypes.Base):
    attempted_at = wtypes.datetime.datetime
    succeeded = bool
    detail = wtypes.text
    duration_ms = int


class Delivery(wtypes.Base):
    """One event to deliver to one target, and how it went."""

    id = int
    event_id = wtypes.text
    event_type = wtypes.text
    target = wtypes.text
    url = wtypes.text
    status = wtypes.text
    attempts = int
    next_attempt_at = wtypes.datetime.datetime
    delivered_at = wtypes.datetime.datetime
    last_error = wtypes.text
    attempt_log = [Attempt]

    @classmethod
    def from_db(cls, event):
        return cls(
            id=event.id, event_id=event.event_id,
            event_type=event.event_type, target=event.target, url=event.url,
            status=event.status, attempts=event.attempts,
            # Only a pending event waits for an attempt; only a delivered
            # one was delivered (a failed one was given up).
            next_attempt_at=types.utc(event.next_attempt_at)
            if event.status == 'pending' else None,
            delivered_at=types.utc(event.dispatched_at)
            if event.status == 'delivered' else None,
            last_error=event.last_error,
            attempt_log=[Attempt(attempted_at=types.utc(attempt.attempted_at),
                                 succeeded=attempt.succeeded,
                                 detail=attempt.detail,
                                 duration_ms=attempt.duration_ms)
                         for attempt in event.attempt_log])


class Execution(Delivery):
    """One run of an ``execute[...]`` action: what was called, how it
    went."""

    action = wtypes.text
    args = [types.jsontype]

    @classmethod
    def from_db(cls, event):
        result = super().from_db(event)
        result.action = event.payload.get('action')
        result.args = event.payload.get('args')
        return result


class DeliveryCollection(wtypes.Base):
    deliveries = [Delivery]
    links = [types.Link]


class ExecutionCollection(wtypes.Base):
    executions = [Execution]
    links = [types.Link]


def _events(rule, owner, filters, path, limit, marker):
    """A page of the outbox events of ``owner`` (the database API's getter
    of the object they are about and its id), oldest first, and the
    page's links."""
    project_id = rbac.authorize(rule)
    get_owner, owner_id = owner
    get_owner(owner_id, project_id=project_id)
    limit = collection.page_limit(limit)
    events = db_api.get_instance().list_outbox_events(
        project_id=project_id, filters=filters, limit=limit,
        marker=collection.check_serial('marker', marker))
    return events, collection.next_links(path, events, limit, {})


class DeliveriesController(base.CollectionController):
    """/v1/violations/{violation_id}/deliveries"""

    @wsme_pecan.wsexpose(DeliveryCollection, wtypes.text, int, wtypes.text)
    def get_all(self, violation_id, limit=None, marker=None):
        events, links = _events(
            'healapi:violation:get_deliveries',
            (db_api.get_instance().get_violation, violation_id),
            {'violation_id': violation_id},
            ('v1', 'violations', violation_id, 'deliveries'), limit, marker)
        return DeliveryCollection(
            deliveries=[Delivery.from_db(event) for event in events],
            links=links)


class ExecutionsController(base.CollectionController):
    """/v1/policies/{policy_id}/executions"""

    @wsme_pecan.wsexpose(ExecutionCollection, wtypes.text, int, wtypes.text)
    def get_all(self, policy_id, limit=None, marker=None):
        events, links = _events(
            'healapi:policy:get_executions',
            (db_api.get_instance().get_policy, policy_id),
            {'policy_id': policy_id, 'target': 'action'},
            ('v1', 'policies', policy_id, 'executions'), limit, marker)
        return ExecutionCollection(
            executions=[Execution.from_db(event) for event in events],
            links=links)
