"""The OpenStackClient plugin: ``openstack healing ...`` commands.

:mod:`.plugin` is what OSC loads (the ``openstack.cli.extension`` entry
point), :mod:`.client` the REST client the commands share, :mod:`.v1` the
commands (the ``openstack.healing.v1`` entry points).
"""
