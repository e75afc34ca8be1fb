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
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
