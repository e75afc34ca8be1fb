"""``healapi_engines``: at least one engine has a fresh heartbeat, so that
violations are being recorded (for a probe of the whole service, not of
one API process)."""

from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.healthcheck import base


class EnginesCheck(base.Check):

    backend = 'engines'

    def probe(self):
        alive = db_api.live_engines()
        if not alive:
            raise base.Unavailable('none alive (no heartbeat within %g s)'
                                   % CONF.engine.heartbeat_timeout)
        return '%d alive' % len(alive)
