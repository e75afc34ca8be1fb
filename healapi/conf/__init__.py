"""healapi's configuration: ``CONF`` with every option group registered.

Each option group lives in its own module with a ``register_opts(conf)`` and
``list_opts()``; :mod:`healapi.conf.opts` collects them for
oslo-config-generator.
"""

from oslo_config import cfg
from oslo_log import log
import oslo_messaging
from oslo_messaging import opts as messaging_opts

from healapi.conf import api
from healapi.conf import coordination
from healapi.conf import database
from healapi.conf import datasources
from healapi.conf import default
from healapi.conf import engine
from healapi.conf import healthcheck
from healapi.conf import opts
from healapi.conf import outbox

CONF = cfg.CONF

default.register_opts(CONF)
api.register_opts(CONF)
coordination.register_opts(CONF)
database.register_opts(CONF)
datasources.register_opts(CONF)
engine.register_opts(CONF)
healthcheck.register_opts(CONF)
outbox.register_opts(CONF)
# transport_url and its kin, which oslo.messaging would otherwise register
# only once a transport is made: healapi reads it to know whether there is
# a message broker at all. list_opts() copies the options, and registering
# the originals later (making a transport) must find equal ones, so their
# defaults are set first, on the options themselves (which the sample
# config then shows too).
oslo_messaging.set_transport_defaults('healapi')
# No message broker unless one is configured (oslo.messaging would assume
# RabbitMQ on localhost): the embedded default needs none. oslo.messaging
# has no setter for this one; set_transport_defaults() sets its neighbour
# the same way.
cfg.set_defaults(oslo_messaging.transport._transport_opts,
                 transport_url=None)
for _group, _opts in messaging_opts.list_opts():
    if _group is None:
        CONF.register_opts(_opts)
# Before any parsing: oslo.log's options include command-line ones.
log.register_options(CONF)
opts.set_config_defaults()
