"""The neutron driver: networks, ports and agents."""

from healapi.engine.datasources import openstack as os_driver


class NeutronDriver(os_driver.OpenStackDriver):

    name = 'neutron'
    description = ('Networking (neutron): networks, ports and agents, '
                   'polled through its API.')
    TABLES = {
        'networks': os_driver.Table(
            lambda connection: connection.network.networks(),
            [('id', 'id'), ('name', 'name'), ('status', 'status'),
             ('project_id', 'project_id'),
             ('admin_state_up', 'is_admin_state_up'),
             ('shared', 'is_shared'), ('external', 'is_router_external')]),
        'ports': os_driver.Table(
            lambda connection: connection.network.ports(),
            [('id', 'id'), ('name', 'name'), ('network_id', 'network_id'),
             ('device_id', 'device_id'), ('device_owner', 'device_owner'),
             ('status', 'status'), ('mac_address', 'mac_address'),
             ('project_id', 'project_id'),
             ('binding_host', 'binding_host_id'),
             ('admin_state_up', 'is_admin_state_up')]),
        'agents': os_driver.Table(
            lambda connection: connection.network.agents(),
            [('id', 'id'), ('agent_type', 'agent_type'),
             ('binary', 'binary'), ('host', 'host'), ('alive', 'is_alive'),
             ('admin_state_up', 'is_admin_state_up'),
             ('availability_zone', 'availability_zone')]),
    }
