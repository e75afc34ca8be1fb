"""Options of the [coordination] group: how several engines share the work."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'coordination', title='Engine coordination options',
    help='Engines that share a coordination backend (tooz) split the '
         'policies among themselves: each policy is evaluated by exactly '
         'one live engine, and the share of an engine that dies or is cut '
         'off moves to the others.')

OPTS = [
    cfg.StrOpt('backend_url',
               secret=True,
               help='The tooz coordination backend the engines join, for '
                    'example redis://:PASSWORD@HOST:6379 (add '
                    '?namespace=NAME to share one Redis between '
                    'deployments), zookeeper://HOST:2181, '
                    'etcd3+http://HOST:2379, or file:///var/lib/healapi/'
                    'coordination for several engines on one host. Unset, '
                    'one engine evaluates every policy, and an engine '
                    'started beside another one refuses to run.'),
    cfg.FloatOpt('heartbeat_interval',
                 default=1.0,
                 min=0.1,
                 help='Seconds between two heartbeats an engine sends the '
                      'coordination backend, and between two looks at the '
                      'group\'s members.'),
    cfg.FloatOpt('member_timeout',
                 default=5.0,
                 min=1.0,
                 help='Seconds without a heartbeat after which an engine is '
                      'gone from the group and its policies move to the '
                      'others; an engine cut off from the backend this long '
                      'stops evaluating. A dead engine\'s policies are '
                      'taken over within about member_timeout + '
                      'heartbeat_interval, plus the time to load them. It '
                      'is given to tooz as the driver\'s membership timeout '
                      '(for Redis membership_timeout, and socket_timeout at '
                      'half of it; timeout for the other drivers), unless '
                      'backend_url sets those already.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
