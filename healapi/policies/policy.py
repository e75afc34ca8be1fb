"""Access to healing policies and their rules."""

from healapi.policies import base

_ITEM = '/v1/policies/{policy_id}'
_RULES = _ITEM + '/rules'

rules = [
    base.rule('healapi:policy:get_all', base.ADMIN_OR_PROJECT_READER,
              'List policies.', ('GET', '/v1/policies')),
    base.rule('healapi:policy:get', base.ADMIN_OR_PROJECT_READER,
              'Show a policy and its rules.', ('GET', _ITEM),
              ('GET', _RULES), ('GET', _RULES + '/{rule_id}')),
    base.rule('healapi:policy:get_status', base.ADMIN_OR_PROJECT_READER,
              'Show the status of a policy.', ('GET', _ITEM + '/status')),
    base.rule('healapi:policy:get_rows', base.ADMIN_OR_PROJECT_READER,
              'Show the rows a policy derives now, with their proofs on '
              'request.', ('GET', _ITEM + '/tables/{table}/rows')),
    base.rule('healapi:policy:simulate', base.ADMIN_OR_PROJECT_READER,
              'Show what a policy would derive after hypothetical row '
              'changes; stores nothing.', ('POST', _ITEM + '/simulate')),
    base.rule('healapi:policy:get_executions', base.ADMIN_OR_PROJECT_READER,
              'List the actions a policy\'s execute[...] rules ran, with '
              'their outcome.', ('GET', _ITEM + '/executions')),
    base.rule('healapi:policy:create', base.ADMIN_OR_PROJECT_MEMBER,
              'Create a policy.', ('POST', '/v1/policies')),
    base.rule('healapi:policy:update', base.ADMIN_OR_PROJECT_MEMBER,
              'Update a policy, including adding and deleting its rules.',
              ('PATCH', _ITEM), ('POST', _RULES),
              ('DELETE', _RULES + '/{rule_id}')),
    base.rule('healapi:policy:delete', base.ADMIN_OR_PROJECT_MEMBER,
              'Delete a policy with its rules and violations.',
              ('DELETE', _ITEM)),
]
