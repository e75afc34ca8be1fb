"""Check strings shared by every resource's policy defaults.

They follow OpenStack's secure RBAC personas: an admin may do anything to
the objects of every project; a project member reads and changes its
project's objects; a project reader only reads them; a service (another
OpenStack service, with the ``service`` role) reads what it is granted in
every project, here the status of violations.
"""

from oslo_policy import policy

ADMIN_OR_PROJECT_MEMBER = 'rule:admin or rule:project_member'
ADMIN_OR_PROJECT_READER = 'rule:admin or rule:project_reader'
ADMIN_OR_PROJECT_READER_OR_SERVICE = (
    'rule:admin or rule:project_reader or rule:service')

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
    policy.RuleDefault('service', 'role:service',
                       description='Another service of the cloud, acting '
                                   'for any project.'),
]


def rule(name, check_str, description, *operations):
    """A documented project-scoped rule for API ``(method, path)`` pairs."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': method, 'path': path}
                    for method, path in operations],
        scope_types=['project'])
