"""Access to datasources."""

from healapi.policies import base

_ITEM = '/v1/datasources/{datasource_id}'

rules = [
    base.rule('healapi:datasource:get_all', base.ADMIN_OR_PROJECT_READER,
              'List datasources.', ('GET', '/v1/datasources')),
    base.rule('healapi:datasource:get', base.ADMIN_OR_PROJECT_READER,
              'Show a datasource (secret config values hidden).',
              ('GET', _ITEM)),
    base.rule('healapi:datasource:get_status', base.ADMIN_OR_PROJECT_READER,
              'Show the status of a datasource.', ('GET', _ITEM + '/status')),
    base.rule('healapi:datasource:create', base.ADMIN_OR_PROJECT_MEMBER,
              'Create a datasource.', ('POST', '/v1/datasources')),
    base.rule('healapi:datasource:update', base.ADMIN_OR_PROJECT_MEMBER,
              'Update a datasource.', ('PATCH', _ITEM)),
    base.rule('healapi:datasource:delete', base.ADMIN_OR_PROJECT_MEMBER,
              'Delete a datasource and its rows.', ('DELETE', _ITEM)),
]
