"""The cinder driver: volumes and block storage services."""

from healapi.engine.datasources import openstack as os_driver


class CinderDriver(os_driver.OpenStackDriver):

    name = 'cinder'
    description = ('Block storage (cinder): volumes of every project and '
                   'its services, polled through its API.')
    TABLES = {
        'volumes': os_driver.Table(
            lambda connection: connection.block_storage.volumes(
                details=True, all_projects=True),
            [('id', 'id'), ('name', 'name'), ('status', 'status'),
             ('size', 'size'), ('project_id', 'project_id'),
             ('host', 'host'), ('availability_zone', 'availability_zone'),
             ('volume_type', 'volume_type'), ('bootable', 'is_bootable'),
             ('updated_at', 'updated_at')]),
        'services': os_driver.Table(
            lambda connection: connection.block_storage.services(),
            [('binary', 'binary'), ('host', 'host'),
             ('zone', 'availability_zone'), ('status', 'status'),
             ('state', 'state'), ('disabled_reason', 'disabled_reason'),
             ('updated_at', 'updated_at')]),
    }
