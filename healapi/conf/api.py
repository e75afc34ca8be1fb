"""Options of the [api] group: how the REST API is served."""

from oslo_config import cfg

GROUP = cfg.OptGroup('api', title='REST API options')

OPTS = [
    cfg.HostAddressOpt('host',
                       default='127.0.0.1',
                       help='Address the development server '
                            '(healapi-api) listens on. With '
                            'auth_strategy=noauth only a loopback address '
                            'is accepted.'),
    cfg.PortOpt('port',
                default=8779,
                help='Port the development server (healapi-api) listens '
                     'on.'),
    cfg.StrOpt('auth_strategy',
               default='keystone',
               choices=[('keystone', 'Authenticate every request except '
                                     'version discovery with a Keystone '
                                     'token (keystonemiddleware).'),
                        ('noauth', 'No authentication: every request acts '
                                   'as an admin of noauth_project_id. Only '
                                   'for trying healapi on one machine; the '
                                   'API must then listen on loopback.')],
               help='How API requests are authenticated.'),
    cfg.StrOpt('noauth_project_id',
               default='00000000000000000000000000000000',
               help='With auth_strategy=noauth, the project that every '
                    'request acts in, and so the owner of everything '
                    'created.'),
    cfg.IntOpt('max_limit',
               default=1000,
               min=1,
               help='The largest number of items one list request returns, '
                    'whatever its limit parameter asks for.'),
    cfg.IntOpt('default_limit',
               default=100,
               min=1,
               help='Items per page when a list request gives no limit. '
                    'Capped at max_limit.'),
    cfg.URIOpt('public_endpoint',
               help='Base URL clients use to reach the API, used in '
                    'Location headers and pagination links, for example '
                    'https://healing.example.com:8779. When unset, it is '
                    'taken from the request (with X-Forwarded-* headers '
                    'honoured by http_proxy_to_wsgi when enabled).'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
