"""Options healapi adds to oslo.middleware's [healthcheck] group: how long
each of healapi's healthcheck plugins may take, and how long it keeps its
result.

The group's own options (``backends``, ``detailed``, the
``disable_by_file`` path...) are oslo.middleware's; healapi sets the
default of ``backends`` (see :mod:`healapi.conf.opts`).
"""

from oslo_config import cfg
from oslo_middleware.healthcheck import opts as healthcheck_opts

GROUP = 'healthcheck'

OPTS = [
    cfg.FloatOpt('check_timeout',
                 default=2.0,
                 min=0.1,
                 help='Seconds each of healapi\'s checks (healapi_db, '
                      'healapi_rabbitmq, ...) may take: a backend that '
                      'hasn\'t answered by then is reported unavailable, '
                      'so a hung backend never hangs a probe.'),
    cfg.FloatOpt('cache_time',
                 default=5.0,
                 min=0.0,
                 help='Seconds a check\'s result is reused before the '
                      'backend is checked again, so that frequent probes '
                      'cannot stampede a backend. A backend that fails is '
                      'reported within about cache_time + check_timeout.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
    # oslo.middleware's own, which it would register only once a
    # healthcheck app (or its disable_by_file plugin) exists: healapi
    # reads backends to build one.
    conf.register_opts(healthcheck_opts.HEALTHCHECK_OPTS, group=GROUP)
    conf.register_opts(healthcheck_opts.DISABLE_BY_FILE_OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
