"""healapi's configuration: ``CONF`` with every option group registered.

Each option group lives in its own module with a ``register_opts(conf)`` and
``list_opts()``; :mod:`healapi.conf.opts` collects them for
oslo-config-generator.
"""

from oslo_config import cfg
from oslo_log import log

from healapi.conf import api
from healapi.conf import database
from healapi.conf import default
from healapi.conf import opts

CONF = cfg.CONF

default.register_opts(CONF)
api.register_opts(CONF)
database.register_opts(CONF)
# Before any parsing: oslo.log's options include command-line ones.
log.register_options(CONF)
opts.set_config_defaults()
