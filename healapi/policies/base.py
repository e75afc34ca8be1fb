"""Check strings shared by every resource's policy defaults.

They follow OpenStack's secure RBAC personas: an admin may do anything; a
project member reads and changes its project's objects; a project reader
only reads them.
"""

from oslo_policy import policy

ADMIN_OR_PROJECT_MEMBER = 'rule:admin or rule:project_member'
ADMIN_OR_PROJECT_READER = 'rule:admin or rule:project_reader'

rules = [
    policy.RuleDefault('admin', 'role:admin',
                       description='An administrator of the cloud.'),
    policy.RuleDefault('project_member',
                       'role:member and project_id:%(project_id)s',
                       description='A member of the project that owns the '
                                   'object.'),
    policy.RuleDefault('project_reader',
                       'role:reader and project_id:%(project_id)s',
                       description='A reader of the project that owns the '
                                   'object.'),
]


def rule(name, check_str, description, *operations):
    """A documented project-scoped rule for API ``(method, path)`` pairs."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': method, 'path': path}
                    for method, path in operations],
        scope_types=['project'])
