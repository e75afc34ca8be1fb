"""Authorization of API requests with oslo.policy.

Defaults live in :mod:`healapi.policies`; an operator's policy file
(``[oslo_policy]/policy_file``) overrides them.
"""

from oslo_policy import policy
import pecan

from healapi.common import exception
from healapi.conf import CONF
from healapi import policies

_ENFORCER = None


def get_enforcer():
    """The process-wide enforcer, with healapi's defaults registered."""
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = policy.Enforcer(CONF)
        _ENFORCER.register_defaults(policies.list_rules())
    return _ENFORCER


def authorize(rule):
    """Refuse the request unless its context may apply ``rule``.

    A request acts in its own project: it sees and changes only that
    project's objects. Returns that project's id, which scopes every
    database query of the request.
    """
    context = pecan.request.context
    try:
        get_enforcer().authorize(rule, {'project_id': context.project_id},
                                 context.to_policy_values(), do_raise=True)
    except policy.PolicyNotAuthorized:
        raise exception.Forbidden(rule=rule)
    return context.project_id
