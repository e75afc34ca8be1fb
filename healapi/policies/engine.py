"""Access to the list of engines: operators' business, not projects'."""

from healapi.policies import base

rules = [
    base.rule('healapi:engine:get_all', 'rule:admin',
              'List the engines alive now, with their heartbeats.',
              ('GET', '/v1/engines')),
]
