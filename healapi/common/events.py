"""The events healapi announces, and the documented body each one has.

The same body goes out as the payload of an oslo.messaging notification and
as the JSON body of a webhook call, so receivers of either see one format.
"""

VIOLATION_ACTIVE = 'healapi.violation.active'
VIOLATION_RESOLVED = 'healapi.violation.resolved'
ACTION_EXECUTE = 'healapi.action.execute'


def _time(value):
    return None if value is None else value.isoformat() + 'Z'


def violation_event(event_type, event_id, violation, policy_name):
    """The body announcing that ``violation`` went into its status."""
    return {
        'event_id': event_id,
        'event_type': event_type,
        'occurred_at': _time(violation.updated_at),
        'violation': {
            'id': violation.id,
            'status': violation.status,
            'policy_id': violation.policy_id,
            'policy_name': policy_name,
            'project_id': violation.project_id,
            'table': violation.table_name,
            'values': list(violation.values),
            'severity': violation.severity,
            'first_seen_at': _time(violation.first_seen_at),
            'last_seen_at': _time(violation.last_seen_at),
            'resolved_at': _time(violation.resolved_at),
            'previous_id': violation.previous_id,
        },
    }


def action_event(event_id, policy_id, policy_name, project_id, action, args):
    """The body of an ``execute[...]`` action to run."""
    return {
        'event_id': event_id,
        'event_type': ACTION_EXECUTE,
        'policy_id': policy_id,
        'policy_name': policy_name,
        'project_id': project_id,
        'action': action,
        'args': list(args),
    }
