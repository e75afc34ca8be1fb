"""The keystone driver: projects and users."""

from healapi.engine.datasources import openstack as os_driver


class KeystoneDriver(os_driver.OpenStackDriver):

    name = 'keystone'
    description = ('Identity (keystone): projects and users, polled '
                   'through its API.')
    TABLES = {
        'projects': os_driver.Table(
            lambda connection: connection.identity.projects(),
            [('id', 'id'), ('name', 'name'), ('domain_id', 'domain_id'),
             ('enabled', 'is_enabled'), ('parent_id', 'parent_id'),
             ('is_domain', 'is_domain')]),
        'users': os_driver.Table(
            lambda connection: connection.identity.users(),
            [('id', 'id'), ('name', 'name'), ('domain_id', 'domain_id'),
             ('enabled', 'is_enabled'),
             ('default_project_id', 'default_project_id')]),
    }
