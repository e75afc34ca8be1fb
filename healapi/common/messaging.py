"""oslo.messaging for healapi: the transports, the engines' wake-up topic
and the notifier.

The message bus makes healapi faster, never correct (see the design): with
no ``transport_url`` configured nothing here touches a broker, engines find
changes by polling and notifications go to the log.
"""

import queue
import threading

from oslo_log import log
import oslo_messaging

from healapi.conf import CONF

LOG = log.getLogger(__name__)

#: The topic engines listen on for wake-ups (fanout: every engine wakes).
ENGINE_TOPIC = 'healapi-engine'
#: The version of the engines' RPC interface.
ENGINE_API_VERSION = '1.0'

oslo_messaging.set_transport_defaults('healapi')

_TRANSPORTS = {}


def configured():
    """Whether a message broker is configured (``[DEFAULT]
    transport_url``)."""
    return bool(CONF.transport_url)


def rpc_transport():
    """The RPC transport (one per process)."""
    if 'rpc' not in _TRANSPORTS:
        _TRANSPORTS['rpc'] = oslo_messaging.get_rpc_transport(CONF)
    return _TRANSPORTS['rpc']


def notification_transport():
    """The notification transport (one per process)."""
    if 'notification' not in _TRANSPORTS:
        _TRANSPORTS['notification'] = (
            oslo_messaging.get_notification_transport(CONF))
    return _TRANSPORTS['notification']


def cleanup():
    """Close the transports this process opened (and stop waking engines
    through them)."""
    engine_waker.stop()
    for transport in _TRANSPORTS.values():
        transport.cleanup()
    _TRANSPORTS.clear()


def engine_target(server=None):
    return oslo_messaging.Target(topic=ENGINE_TOPIC, server=server,
                                 version=ENGINE_API_VERSION)


class EngineWaker:
    """Wakes the engines after a write, without ever making the write wait.

    Casts go out from a thread of their own: a request only sets a flag,
    so a slow or absent broker costs it nothing, and wake-ups that pile up
    while one is being sent go out as one. A cast that fails is logged and
    dropped: the engines' polling finds the change anyway.
    """

    def __init__(self):
        self._pending = queue.Queue(maxsize=1)
        self._thread = None
        self._lock = threading.Lock()

    def wake(self):
        if not configured():
            return
        with self._lock:
            if self._thread is None:
                self._pending = queue.Queue(maxsize=1)
                self._thread = threading.Thread(
                    target=self._run, args=(self._pending,),
                    name='healapi-engine-waker', daemon=True)
                self._thread.start()
            pending = self._pending
        try:
            pending.put_nowait(True)
        except queue.Full:
            pass  # A wake-up not yet sent covers this write too.

    def stop(self, timeout=10):
        """End the thread sending wake-ups, if any; a later wake() starts
        another, on the transport configured then."""
        with self._lock:
            thread, pending, self._thread = self._thread, self._pending, None
        if thread is None:
            return
        try:
            pending.put(None, timeout=timeout)
        except queue.Full:
            return  # Stuck sending (or dead): a daemon, it won't block exit.
        thread.join(timeout)

    def _run(self, pending):
        client = oslo_messaging.get_rpc_client(
            rpc_transport(), engine_target()).prepare(fanout=True, retry=0)
        while pending.get():
            try:
                client.cast({}, 'wake_up')
            except Exception as error:  # noqa: BLE001 (polling covers it)
                LOG.warning('Could not wake the engines (%s); they will '
                            'find the change by polling.',
                            type(error).__name__)


#: The process's waker (the API wakes engines through it).
engine_waker = EngineWaker()
