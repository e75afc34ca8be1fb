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
    base.rule('healapi:datasource:get_rows', base.ADMIN_OR_PROJECT_READER,
              'List the tables a datasource declares, and their rows.',
              ('GET', _ITEM + '/tables'), ('GET', _ITEM + '/tables/{table}'),
              ('GET', _ITEM + '/tables/{table}/rows')),
    base.rule('healapi:datasource:create', base.ADMIN_OR_PROJECT_MEMBER,
              'Create a datasource.', ('POST', '/v1/datasources')),
    base.rule('healapi:datasource:update', base.ADMIN_OR_PROJECT_MEMBER,
              'Update a datasource.', ('PATCH', _ITEM)),
    base.rule('healapi:datasource:delete', base.ADMIN_OR_PROJECT_MEMBER,
              'Delete a datasource and its rows.', ('DELETE', _ITEM)),
    # A rule of its own so that a monitoring system can be given this
    # right and nothing else (see the policy guide).
    base.rule('healapi:datasource:push_rows', base.ADMIN_OR_PROJECT_MEMBER,
              'Push rows into a datasource: replace or change the rows of '
              'one of its tables, or send it a webhook.',
              ('PUT', _ITEM + '/tables/{table}/rows'),
              ('PATCH', _ITEM + '/tables/{table}/rows'),
              ('POST', _ITEM + '/webhook')),
]
