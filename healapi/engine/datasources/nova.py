"""The nova driver: servers, hypervisors, compute services and flavors."""

from healapi.engine.datasources import openstack as os_driver


def _flavor(server):
    """The flavor's name (microversion 2.47 and later embed the flavor
    without its id) or, from an older nova, its id."""
    flavor = server.flavor or {}
    return flavor.get('original_name') or flavor.get('name') or flavor.get(
        'id')


def _image(server):
    # A server booted from a volume has no image ('' in nova's answer).
    return (server.image or {}).get('id') or None


def _service_host(hypervisor):
    return (hypervisor.service_details or {}).get('host')


class NovaDriver(os_driver.OpenStackDriver):

    name = 'nova'
    description = ('Compute (nova): servers of every project, hypervisors, '
                   'compute services and flavors, polled through its API.')
    TABLES = {
        'servers': os_driver.Table(
            lambda connection: connection.compute.servers(
                details=True, all_projects=True),
            [('id', 'id'), ('name', 'name'), ('status', 'status'),
             ('host', 'compute_host'), ('project_id', 'project_id'),
             ('user_id', 'user_id'), ('flavor', _flavor),
             ('image_id', _image),
             ('availability_zone', 'availability_zone'),
             ('task_state', 'task_state'), ('vm_state', 'vm_state'),
             ('updated_at', 'updated_at')]),
        'hypervisors': os_driver.Table(
            lambda connection: connection.compute.hypervisors(details=True),
            [('id', 'id'), ('hostname', 'name'), ('host', _service_host),
             ('state', 'state'), ('status', 'status'),
             ('host_ip', 'host_ip'), ('type', 'hypervisor_type')]),
        'services': os_driver.Table(
            lambda connection: connection.compute.services(),
            [('id', 'id'), ('binary', 'binary'), ('host', 'host'),
             ('zone', 'availability_zone'), ('status', 'status'),
             ('state', 'state'), ('forced_down', 'is_forced_down'),
             ('disabled_reason', 'disabled_reason'),
             ('updated_at', 'updated_at')]),
        'flavors': os_driver.Table(
            lambda connection: connection.compute.flavors(details=True),
            [('id', 'id'), ('name', 'name'), ('vcpus', 'vcpus'),
             ('ram', 'ram'), ('disk', 'disk'), ('is_public', 'is_public')]),
    }
