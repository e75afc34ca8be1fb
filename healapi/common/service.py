"""What every healapi process does first: read configuration, set up logs."""

import os

from oslo_log import log
import sqlalchemy as sa

from healapi.conf import CONF
from healapi import version

LOG = log.getLogger(__name__)


def prepare_service(argv, default_config_files=None):
    """Parse ``argv`` and the configuration files, then set up logging.

    ``argv`` excludes the program name. ``default_config_files=None`` looks
    in the usual places (``/etc/healapi/healapi.conf``, ``~/.healapi/``...).
    """
    CONF(argv, project='healapi', version=version.version_string,
         default_config_files=default_config_files)
    log.setup(CONF, 'healapi')
    _ensure_sqlite_directory()


def _ensure_sqlite_directory():
    # The embedded default keeps its SQLite file under state_path, which a
    # fresh machine doesn't have yet; any other database is the operator's.
    url = sa.engine.make_url(CONF.database.connection)
    if url.get_backend_name() == 'sqlite' and url.database not in (
            None, '', ':memory:'):
        os.makedirs(os.path.dirname(os.path.abspath(url.database)),
                    exist_ok=True)
