"""Access to the list of datasource drivers: what any project may use."""

from healapi.policies import base

rules = [
    base.rule('healapi:driver:get_all', base.ADMIN_OR_PROJECT_READER,
              'List the datasource drivers installed.',
              ('GET', '/v1/drivers')),
    base.rule('healapi:driver:get', base.ADMIN_OR_PROJECT_READER,
              'Show a datasource driver: its tables, config schema and '
              'actions.', ('GET', '/v1/drivers/{driver_name}')),
]
