"""``healapi_engines``: at least one engine has a fresh heartbeat, so that
violations are being recorded (for a probe of the whole service, not of
one API process)."""

import datetime

from oslo_utils import timeutils

from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.healthcheck import base


class EnginesCheck(base.Check):

    backend = 'engines'

    def probe(self):
        timeout = CONF.engine.heartbeat_timeout
        alive = db_api.get_instance().list_engines(
            timeutils.utcnow() - datetime.timedelta(seconds=timeout))
        if not alive:
            raise base.Unavailable('none alive (no heartbeat within %g s)'
                                   % timeout)
        return '%d alive' % len(alive)
