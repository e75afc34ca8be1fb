"""Options of the [datasources] group: datasource drivers and polling."""

from oslo_config import cfg

GROUP = cfg.OptGroup('datasources', title='Datasource options')

OPTS = [
    cfg.StrOpt('credential_key_file',
               default='$state_path/credential-keys',
               help='File of the Fernet keys that encrypt the secret values '
                    'of datasource configs (passwords, tokens) in the '
                    'database, one key per line: the first encrypts, every '
                    'one decrypts, so a new key is put first and an old one '
                    'removed once nothing uses it. Every API and engine host '
                    'needs the same file. When it does not exist, the first '
                    'process to need it creates it with a new key (mode '
                    '0600).'),
    cfg.IntOpt('default_poll_interval',
               default=60,
               min=1,
               help='Seconds between two polls of a pull datasource that '
                    'sets no poll_interval of its own.'),
    cfg.IntOpt('poll_workers',
               default=4,
               min=1,
               help='How many pull datasources an engine polls at once. '
                    'Each poll runs in a thread of its own, so that a slow '
                    'or hung datasource delays no other.'),
    cfg.FloatOpt('request_timeout',
                 default=30.0,
                 min=0.1,
                 help='Seconds a pull driver waits for each HTTP response '
                      'of the service it polls before the poll fails.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
