"""What every healapi healthcheck plugin does: check its backend within a
timeout, keep the result for a few seconds, report every failure as the
backend being unavailable, and never show a credential.

oslo.middleware's healthcheck has none of this: its plugins run in the
request, for as long as they take, and an exception escapes the
middleware.
"""

import abc
from concurrent import futures
import threading
import time

from oslo_middleware.healthcheck import pluginbase

from healapi.common import errors
from healapi.conf import CONF


class Unavailable(Exception):
    """The backend answered, but is not fit for work; the message says
    why, for the probe's reason."""


class Check(pluginbase.HealthcheckBaseExtension):
    """A check of one backend. Subclasses name it (:attr:`backend`) and
    implement :meth:`probe`."""

    #: What every reason starts with: the backend checked.
    backend = None

    def __init__(self, oslo_conf, conf):
        super().__init__(oslo_conf, conf)
        self._lock = threading.Lock()
        #: (available, what was found, seconds it took, time.monotonic()
        #: when it was found) of the last probe.
        self._cached = None
        #: The Future of the probe under way, if any: a hung backend keeps
        #: it, and later requests wait on it rather than start probes of
        #: their own.
        self._running = None

    @abc.abstractmethod
    def probe(self):
        """Check the backend; return a short text saying what was found,
        or raise (:class:`Unavailable` or any error) if it isn't fit."""

    def healthcheck(self, server_port):
        with self._lock:
            cached = self._cached
            if cached is not None and (time.monotonic() - cached[3]
                                       < CONF.healthcheck.cache_time):
                return self._result(*cached)
            started = self._running is None
            if started:
                self._running = futures.Future()
            running = self._running
        if started:
            # A daemon thread, so that a hung backend can't hold up the
            # process's exit.
            running.add_done_callback(self._finished)
            threading.Thread(
                target=lambda: running.set_result(self._timed_probe()),
                name='healapi-healthcheck', daemon=True).start()
        timeout = CONF.healthcheck.check_timeout
        try:
            found = running.result(timeout=timeout) + (time.monotonic(),)
        except futures.TimeoutError:
            found = (False, 'no answer within %.1f s' % timeout, timeout,
                     time.monotonic())
        with self._lock:
            self._cached = found
        return self._result(*found)

    def _result(self, available, found, took, at):
        # The details show only in oslo.middleware's detailed output.
        return pluginbase.HealthcheckResult(
            available, '%s: %s' % (self.backend, found),
            details='took %d ms, %.1f s ago' % (
                took * 1000, time.monotonic() - at))

    def _finished(self, future):
        with self._lock:
            if self._running is future:
                self._running = None

    def _timed_probe(self):
        """(available, what was found, seconds it took), never raising."""
        started = time.monotonic()
        try:
            found, available = self.probe(), True
        except Unavailable as error:
            found, available = str(error), False
        except Exception as error:  # noqa: BLE001 (any failure is one)
            found, available = describe(error), False
        return (available, errors.without_credentials(found),
                time.monotonic() - started)


def describe(error):
    """``error`` as a probe's reason: the cause the operating system gives
    (``connection refused``), or the error's class and first line."""
    cause = errors.cause(error)
    if cause != type(error).__name__:
        return 'unreachable (%s)' % cause
    return 'unavailable (%s: %s)' % (cause, errors.brief(error))
