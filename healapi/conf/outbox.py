"""Options of the [outbox] group: delivering notifications, webhook calls
and actions."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'outbox', title='Event delivery options',
    help='Every violation state change is written to an outbox in the '
         'transaction that makes it; the engine\'s dispatcher delivers each '
         'event to the message bus (or the log, with no transport_url) and '
         'to the policy\'s webhooks, retrying until it succeeds.')

OPTS = [
    cfg.FloatOpt('dispatch_interval',
                 default=0.5,
                 min=0.05,
                 help='Seconds between two looks for events due for '
                      'delivery, when no new event wakes the dispatcher.'),
    cfg.IntOpt('batch_size',
               default=100,
               min=1,
               help='Events the dispatcher takes at a time.'),
    cfg.FloatOpt('retry_initial_delay',
                 default=1.0,
                 min=0.01,
                 help='Seconds before the first retry of a failed '
                      'delivery; each further retry waits twice as long.'),
    cfg.FloatOpt('retry_max_delay',
                 default=300.0,
                 min=0.01,
                 help='The longest wait between two retries of a delivery.'),
    cfg.FloatOpt('webhook_timeout',
                 default=10.0,
                 min=0.1,
                 help='Seconds a webhook receiver has to answer before the '
                      'attempt counts as failed.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
