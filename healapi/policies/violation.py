"""Access to violations."""

from healapi.policies import base

_ITEM = '/v1/violations/{violation_id}'

rules = [
    base.rule('healapi:violation:get_all', base.ADMIN_OR_PROJECT_READER,
              'List violations.', ('GET', '/v1/violations')),
    base.rule('healapi:violation:get', base.ADMIN_OR_PROJECT_READER,
              'Show a violation.', ('GET', _ITEM)),
    base.rule('healapi:violation:get_status',
              base.ADMIN_OR_PROJECT_READER_OR_SERVICE,
              'Show the status of a violation; other services poll it.',
              ('GET', _ITEM + '/status')),
    base.rule('healapi:violation:get_deliveries',
              base.ADMIN_OR_PROJECT_READER,
              'List the notifications and webhook calls announcing a '
              'violation, with every delivery attempt.',
              ('GET', _ITEM + '/deliveries')),
    base.rule('healapi:violation:acknowledge', base.ADMIN_OR_PROJECT_MEMBER,
              'Acknowledge a violation.', ('POST', _ITEM + '/acknowledge')),
]
