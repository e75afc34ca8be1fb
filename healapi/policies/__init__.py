"""oslo.policy defaults of healapi, one module per resource."""

import itertools

from healapi.policies import base
from healapi.policies import datasource
from healapi.policies import driver
from healapi.policies import engine
from healapi.policies import policy
from healapi.policies import violation


def list_rules():
    """Every default rule (the ``oslo.policy.policies`` entry point)."""
    return list(itertools.chain(base.rules, policy.rules, datasource.rules,
                                driver.rules, violation.rules,
                                engine.rules))
