"""``healapi-engine``: evaluates the policies, records their violations and
delivers the events they cause, until SIGTERM or SIGINT."""

import logging
import signal
import sys
import threading

from oslo_log import log

from healapi.common import messaging
from healapi.common import service
from healapi.conf import CONF
from healapi.engine import health
from healapi.engine import rivals
from healapi.engine import service as engine_service
from healapi.healthcheck import endpoints

LOG = log.getLogger(__name__)


def main(argv=None):
    service.prepare_service(sys.argv[1:] if argv is None else argv)
    CONF.log_opt_values(LOG, logging.DEBUG)
    stopping = threading.Event()
    engine = engine_service.EngineService()

    def stop(signum, frame):
        LOG.info('%s received: stopping', signal.Signals(signum).name)
        stopping.set()
        engine.interrupt()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        engine.start()
    except (rivals.EngineConflict, health.CannotServe,
            endpoints.UnknownBackends) as refusal:
        LOG.error('%s', refusal)
        engine.stop()
        return 1
    try:
        # A signal interrupts the wait; the handler sets the event.
        while not stopping.wait(3600):
            pass
    finally:
        engine.stop()
        messaging.cleanup()
