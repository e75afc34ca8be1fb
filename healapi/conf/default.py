"""Options of the [DEFAULT] group."""

import os

from oslo_config import cfg

OPTS = [
    cfg.StrOpt('state_path',
               default=os.path.join(os.path.expanduser('~'), '.local',
                                    'share', 'healapi'),
               sample_default='$HOME/.local/share/healapi',
               help='Directory where healapi keeps its local state, such as '
                    'the embedded SQLite database. Production deployments '
                    'set [database]/connection and need nothing here.'),
]


def register_opts(conf):
    conf.register_opts(OPTS)


def list_opts():
    return {'DEFAULT': OPTS}
