"""Errors the database API raises for its callers to handle, rather than
for users to read (those are in :mod:`healapi.common.exception`)."""


class PolicyNotOwned(Exception):
    """The engine writing a policy's findings no longer owns the policy:
    another engine claimed it, and the write was refused."""

    def __init__(self, policy_id, engine_id):
        super().__init__('engine %s does not own policy %s'
                         % (engine_id, policy_id))
        self.policy_id = policy_id
        self.engine_id = engine_id
