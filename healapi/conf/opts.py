"""Entry points for oslo-config-generator (``oslo.config.opts``)."""

from oslo_config import cfg
from oslo_middleware import cors
from oslo_middleware.healthcheck import opts as healthcheck_opts

from healapi.conf import api
from healapi.conf import coordination
from healapi.conf import database
from healapi.conf import datasources
from healapi.conf import default
from healapi.conf import engine
from healapi.conf import healthcheck
from healapi.conf import outbox

_MODULES = (default, api, database, datasources, engine, outbox,
            coordination, healthcheck)


def list_opts():
    """Return (group, options) pairs of every option healapi defines."""
    grouped = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            grouped.setdefault(group, []).extend(opts)
    return [(group, opts) for group, opts in grouped.items()]


def set_config_defaults():
    """Defaults of other libraries' options, as healapi needs them."""
    # The API's readiness checks: its database, and its message broker
    # when one is configured (see healapi.healthcheck).
    cfg.set_defaults(healthcheck_opts.HEALTHCHECK_OPTS,
                     backends=['healapi_db', 'healapi_rabbitmq'])
    cors.set_defaults(
        allow_headers=['X-Auth-Token', 'X-OpenStack-Request-Id',
                       'OpenStack-API-Version', 'If-None-Match',
                       'Content-Type'],
        expose_headers=['X-OpenStack-Request-Id', 'OpenStack-API-Version',
                        'ETag', 'Location'],
        allow_methods=['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD'])
