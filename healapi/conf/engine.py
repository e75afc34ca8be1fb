"""Options of the [engine] group: how healapi-engine runs."""

import socket

from oslo_config import cfg

GROUP = cfg.OptGroup('engine', title='Policy engine options')

OPTS = [
    cfg.StrOpt('host',
               default=socket.gethostname(),
               sample_default='<hostname>',
               help='Name of this engine\'s host, as /v1/engines shows it.'),
    cfg.FloatOpt('poll_interval',
                 default=1.0,
                 min=0.05,
                 help='Seconds between two looks at the database\'s change '
                      'counter. Without a message broker this bounds how '
                      'long a change waits before the engine applies it; '
                      'with one, the API wakes the engine at once and '
                      'polling only catches what a lost wake-up missed.'),
    cfg.FloatOpt('heartbeat_interval',
                 default=2.0,
                 min=0.1,
                 help='Seconds between two heartbeats an engine records in '
                      'the database.'),
    cfg.FloatOpt('heartbeat_timeout',
                 default=10.0,
                 min=0.5,
                 help='An engine whose last heartbeat is older than this '
                      'many seconds is considered gone: /v1/engines stops '
                      'showing it. Keep it a few times heartbeat_interval.'),
    cfg.IntOpt('change_retention',
               default=3600,
               min=60,
               help='Seconds the change feed keeps a change for engines '
                    'that lag behind. An engine further behind than this '
                    'reloads everything from the database.'),
    cfg.IntOpt('confirm_interval',
               default=60,
               min=1,
               help='Seconds between two updates of the last_seen_at time '
                    'of the active violations an engine keeps deriving.'),
    cfg.FloatOpt('stall_timeout',
                 default=300.0,
                 min=1.0,
                 help='Seconds one turn of the evaluation loop (loading '
                      'policies included) may run before the engine\'s '
                      'healthcheck reports the loop stalled.'),
    cfg.HostAddressOpt('healthcheck_host',
                       default='127.0.0.1',
                       help='Address the engine\'s healthcheck endpoint '
                            'listens on; 0.0.0.0 (or the pod\'s address) '
                            'for probes from outside the host, as '
                            'Kubernetes\' kubelet sends them.'),
    cfg.PortOpt('healthcheck_port',
                help='Port of the engine\'s healthcheck endpoint '
                     '(/healthcheck for readiness, /healthcheck/live for '
                     'liveness); unset, the engine serves none. Engines on '
                     'one host need a port each.'),
    cfg.ListOpt('healthcheck_backends',
                default=['healapi_db', 'healapi_rabbitmq',
                         'healapi_coordination', 'healapi_evaluation'],
                help='The checks of the engine\'s readiness endpoint '
                     '(/healthcheck), oslo.middleware healthcheck plugins: '
                     'healapi_db, healapi_rabbitmq, healapi_coordination '
                     '(its engine group), healapi_evaluation (its policies '
                     'loaded and its loop not stalled), and '
                     'disable_by_file to drain it. Its liveness endpoint '
                     '(/healthcheck/live) checks only that the loop is '
                     'not stalled. The other [healthcheck] options apply '
                     'to both.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
