"""A fake OpenStack cloud (Keystone, Nova, Neutron, Cinder) for tests.

See :mod:`tests.fake_openstack.server`.
"""

from tests.fake_openstack.server import FakeCloud
from tests.fake_openstack.server import Microversion
from tests.fake_openstack.server import SeenRequest
from tests.fake_openstack.server import error_body

__all__ = ['FakeCloud', 'Microversion', 'SeenRequest', 'error_body']
