"""Authorization of API requests with oslo.policy.

Defaults live in :mod:`healapi.policies`; an operator's policy file
(``[oslo_policy]/policy_file``) overrides them.

Every object belongs to a project. A rule is checked against a target that
names the project of the objects the request touches, so a rule such as
``role:reader and project_id:%(project_id)s`` lets a reader at its own
project's objects only, while ``role:admin`` passes for any project. The
database queries of the request are scoped accordingly: to the caller's
project, or to none when the rule lets the caller act on every project.
Objects of a project out of scope are simply not found (404), so a caller
learns nothing about what other projects hold.

Decisions are reused for up to :data:`DECISION_TIME` seconds for the same
rule, target and credentials: oslo.policy spends a few hundred
microseconds on each check (it looks for the policy file and inspects
every check's signature on every call), more than a status view's query.
An edited policy file therefore applies within that time.
"""

import time

from oslo_policy import policy
import pecan

from healapi.common import exception
from healapi.conf import CONF
from healapi import policies

#: A target project no token can belong to (Keystone project ids have no
#: spaces): a rule that passes for it passes whatever the project.
_ANY_OTHER_PROJECT = '(any other project)'

_ENFORCER = None

#: Seconds a decision is reused for (see above).
DECISION_TIME = 1.0
#: Past this many, the remembered decisions are forgotten at once.
_MAX_DECISIONS = 10000
#: (enforcer, rule, project, credentials) -> (expiry, allowed).
_decisions = {}


def get_enforcer():
    """The process-wide enforcer, with healapi's defaults registered."""
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = policy.Enforcer(CONF)
        _ENFORCER.register_defaults(policies.list_rules())
    return _ENFORCER


def _credentials_key(credentials):
    """``credentials`` (strings, lists of strings, None) made hashable."""
    return tuple(sorted(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in credentials.items()))


def _allowed(rule, project_id, context):
    enforcer = get_enforcer()
    key = (enforcer, rule, project_id,
           _credentials_key(context.to_policy_values()))
    now = time.monotonic()
    remembered = _decisions.get(key)
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    try:
        allowed = enforcer.authorize(rule, {'project_id': project_id},
                                     context)
    except policy.InvalidScope:
        allowed = False
    if len(_decisions) >= _MAX_DECISIONS:
        _decisions.clear()
    _decisions[key] = (now + DECISION_TIME, allowed)
    return allowed


def authorize(rule, context=None):
    """Refuse the request unless its caller may apply ``rule``.

    Returns the project that scopes the request's database queries: None
    when the rule allows every project, else the caller's own. ``context``
    is the request's (default: pecan's).
    """
    context = context or pecan.request.context
    if _allowed(rule, _ANY_OTHER_PROJECT, context):
        return None
    return authorize_in_own_project(rule, context)


def authorize_in_own_project(rule, context=None):
    """Refuse the request unless its caller may apply ``rule`` to objects
    of the project its token is scoped to; return that project's id.

    New objects belong to that project, whoever creates them.
    """
    context = context or pecan.request.context
    project_id = context.project_id
    if project_id is None or not _allowed(rule, project_id, context):
        raise exception.Forbidden(rule=rule)
    return project_id
