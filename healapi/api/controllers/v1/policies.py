"""/v1/policies: policies, their rules and their status."""

import pecan
from wsme import types as wtypes
from wsmeext import pecan as wsme_pecan

from healapi.api import policy_text
from healapi.api import rbac
from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import collection
from healapi.api.controllers.v1 import deliveries
from healapi.api.controllers.v1 import evaluation
from healapi.api.controllers.v1 import rules
from healapi.api.controllers.v1 import types
from healapi.api import database as db_api

SEVERITIES = ('low', 'medium', 'high', 'critical')
DEFAULTS = {'description': '', 'enabled': True, 'severity': 'medium',
            'violation_table': 'error', 'actions': [], 'record_trace': False}
SORT_KEYS = ('name', 'severity', 'created_at', 'updated_at')


class Action(types.Resource):
    """What to do when a violation changes state: for now, a webhook."""

    type = wtypes.wsattr(wtypes.Enum(str, 'webhook'), mandatory=True)
    url = wtypes.wsattr(wtypes.StringType(max_length=2048,
                                          pattern='^https?://[^\\s]+$'),
                        mandatory=True)


class Policy(types.Resource):
    """A policy: rules in the policy language and what to do about them."""

    _readonly = ('id', 'revision', 'project_id', 'created_at', 'updated_at',
                 'links')

    id = wtypes.text
    name = types.Name
    description = wtypes.StringType(max_length=65535)
    rules = [rules.Rule]
    enabled = bool
    severity = wtypes.Enum(str, *SEVERITIES)
    violation_table = types.Name
    actions = [Action]
    #: Whether the engine keeps the proof of each new violation.
    record_trace = bool
    revision = int
    project_id = wtypes.text
    created_at = wtypes.datetime.datetime
    updated_at = wtypes.datetime.datetime
    links = [types.Link]

    @classmethod
    def from_db(cls, policy):
        return cls(
            id=policy.id, name=policy.name, description=policy.description,
            rules=[rules.Rule.from_db(rule, policy.id)
                   for rule in policy.rules],
            enabled=policy.enabled, severity=policy.severity,
            violation_table=policy.violation_table,
            actions=[Action(**action) for action in policy.actions],
            record_trace=policy.record_trace, revision=policy.revision,
            project_id=policy.project_id,
            created_at=types.utc(policy.created_at),
            updated_at=types.utc(policy.updated_at),
            links=types.self_links('v1', 'policies', policy.id))

    def to_db(self):
        """(policy values, rule values or None) for the changes requested."""
        values = self.changes()
        rule_values = values.pop('rules', None)
        if rule_values is not None:
            rule_values = [rule.to_db() for rule in rule_values]
        if 'actions' in values:
            values['actions'] = [action.changes()
                                 for action in values['actions']]
        return values, rule_values


class PolicyCollection(wtypes.Base):
    policies = [Policy]
    links = [types.Link]


class PoliciesController(base.CollectionController):
    """/v1/policies"""

    _custom_actions = {'simulate': ['POST']}

    rules = rules.RulesController()
    tables = evaluation.TablesController()
    executions = deliveries.ExecutionsController()

    @wsme_pecan.wsexpose(PolicyCollection, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, int, wtypes.text,
                         wtypes.text)
    def get_all(self, name=None, enabled=None, severity=None,
                project_id=None, limit=None, marker=None, sort=None):
        scope = rbac.authorize('healapi:policy:get_all')
        filters = {'name': name, 'project_id': project_id}
        if enabled is not None:
            filters['enabled'] = collection.parse_bool('enabled', enabled)
        if severity is not None:
            filters['severity'] = collection.choice('severity', severity,
                                                    SEVERITIES)
        items, limit = collection.page(
            db_api.get_instance().list_policies, scope, filters, limit,
            marker, sort, SORT_KEYS, 'name:asc')
        return PolicyCollection(
            policies=[Policy.from_db(item) for item in items],
            links=collection.next_links(
                ('v1', 'policies'), items, limit,
                {'name': name, 'enabled': enabled, 'severity': severity,
                 'project_id': project_id, 'sort': sort}))

    @wsme_pecan.wsexpose(Policy, wtypes.text)
    def get_one(self, policy_id):
        project_id = rbac.authorize('healapi:policy:get')
        return Policy.from_db(db_api.get_instance().get_policy(
            policy_id, project_id=project_id))

    @wsme_pecan.wsexpose(Policy, body=Policy, status_code=201)
    def post(self, body):
        project_id = rbac.authorize_in_own_project('healapi:policy:create')
        body.require('name')
        values, rule_values = body.to_db()
        policy_text.check([rule['rule'] for rule in rule_values or []])
        for key, default in DEFAULTS.items():
            values.setdefault(key, default)
        values['project_id'] = project_id
        policy = db_api.get_instance().create_policy(values,
                                                     rule_values or [])
        result = Policy.from_db(policy)
        pecan.response.location = result.links[0].href
        return result

    @wsme_pecan.wsexpose(Policy, wtypes.text, body=Policy)
    def patch(self, policy_id, body):
        project_id = rbac.authorize('healapi:policy:update')
        values, rule_values = body.to_db()
        if rule_values is not None:
            policy_text.check([rule['rule'] for rule in rule_values])
        policy = db_api.get_instance().update_policy(
            policy_id, values, rules=rule_values,
            project_id=project_id)
        return Policy.from_db(policy)

    @wsme_pecan.wsexpose(evaluation.SimulationResult, wtypes.text,
                         body=evaluation.Simulation)
    def simulate(self, policy_id, body):
        return evaluation.simulate(policy_id, body)

    @wsme_pecan.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, policy_id):
        project_id = rbac.authorize('healapi:policy:delete')
        db_api.get_instance().delete_policy(policy_id,
                                            project_id=project_id)
