"""Rules of a policy, one at a time (the Congress-style sub-resource)."""

import pecan
from wsme import types as wtypes
from wsmeext import pecan as wsme_pecan

from healapi.api import policy_text
from healapi.api import rbac
from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import types
from healapi.api import database as db_api

_RuleText = wtypes.StringType(min_length=1, max_length=65535)


class Rule(types.Resource):
    """One rule in the policy language."""

    _readonly = ('id', 'created_at', 'links')
    _nullable = ('name',)

    id = wtypes.text
    name = wtypes.StringType(max_length=255)
    rule = _RuleText
    comment = wtypes.StringType(max_length=65535)
    created_at = wtypes.wsattr(wtypes.datetime.datetime, readonly=True)
    links = [types.Link]

    @classmethod
    def from_db(cls, rule, policy_id):
        return cls(id=rule.id, name=rule.name, rule=rule.rule,
                   comment=rule.comment, created_at=types.utc(rule.created_at),
                   links=types.self_links('v1', 'policies', policy_id,
                                         'rules', rule.id))

    def to_db(self):
        """The values to store for a new rule from this request body."""
        self.require('rule')
        values = self.changes()
        values.setdefault('comment', '')
        return values


class RuleCollection(wtypes.Base):
    rules = [Rule]


class RulesController(base.CollectionController):
    """/v1/policies/{policy_id}/rules"""

    @wsme_pecan.wsexpose(RuleCollection, wtypes.text)
    def get_all(self, policy_id):
        project_id = rbac.authorize('healapi:policy:get')
        policy = db_api.get_instance().get_policy(
            policy_id, project_id=project_id)
        return RuleCollection(rules=[Rule.from_db(rule, policy.id)
                                     for rule in policy.rules])

    @wsme_pecan.wsexpose(Rule, wtypes.text, wtypes.text)
    def get_one(self, policy_id, rule_id):
        project_id = rbac.authorize('healapi:policy:get')
        rule = db_api.get_instance().get_rule(
            policy_id, rule_id, project_id=project_id)
        return Rule.from_db(rule, policy_id)

    @wsme_pecan.wsexpose(Rule, wtypes.text, body=Rule, status_code=201)
    def post(self, policy_id, body):
        project_id = rbac.authorize('healapi:policy:update')
        rule = db_api.get_instance().add_rule(
            policy_id, body.to_db(), project_id=project_id,
            check=policy_text.check)
        result = Rule.from_db(rule, policy_id)
        pecan.response.location = result.links[0].href
        return result

    @wsme_pecan.wsexpose(None, wtypes.text, wtypes.text, status_code=204)
    def delete(self, policy_id, rule_id):
        project_id = rbac.authorize('healapi:policy:update')
        db_api.get_instance().delete_rule(policy_id, rule_id,
                                          project_id=project_id)
