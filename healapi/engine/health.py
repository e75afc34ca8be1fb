"""The engine's healthcheck endpoints and the checks only an engine can
make: of its engine group, and of its evaluation loop.

``[engine] healthcheck_port`` turns them on: ``/healthcheck`` runs
``[engine] healthcheck_backends`` (readiness), ``/healthcheck/live`` only
``healapi_loop`` (liveness). The plugins are oslo.middleware healthcheck
plugins like the API's, and find the engine of their process through
:func:`serving`.
"""

import abc
import threading

from oslo_log import log

from healapi.common import wsgi_server
from healapi.conf import CONF
from healapi.healthcheck import base
from healapi.healthcheck import endpoints

LOG = log.getLogger(__name__)

#: The checks of the liveness endpoint: the process itself.
LIVENESS = ['healapi_loop']

_SERVING = []


class CannotServe(Exception):
    """The healthcheck endpoint can't listen where it is configured to."""


def serving():
    """The EngineService whose endpoints this process serves, or None."""
    return _SERVING[0] if _SERVING else None


class _EngineCheck(base.Check):
    """A check of the engine in this process."""

    def probe(self):
        engine = serving()
        if engine is None:
            raise base.Unavailable('no engine in this process')
        return self.probe_engine(engine)

    @abc.abstractmethod
    def probe_engine(self, engine):
        """:meth:`.base.Check.probe` of the engine in this process."""


class LoopCheck(_EngineCheck):
    """``healapi_loop``: the evaluation loop runs, and no turn of it has
    run longer than ``[engine] stall_timeout`` (liveness: a database
    outage makes turns fail quickly, not stall)."""

    backend = 'evaluation loop'

    def probe_engine(self, engine):
        alive, running_for = engine.loop_state()
        if not alive:
            raise base.Unavailable('stopped')
        if running_for is not None and (
                running_for > CONF.engine.stall_timeout):
            raise base.Unavailable(
                'stalled: its turn has run for %d s (stall_timeout %g s)'
                % (running_for, CONF.engine.stall_timeout))
        return 'running'


class EvaluationCheck(LoopCheck):
    """``healapi_evaluation``: the loop runs, and has loaded the policies
    the engine owns (readiness)."""

    backend = 'evaluation'

    def probe_engine(self, engine):
        super().probe_engine(engine)
        if engine.last_change is None:
            raise base.Unavailable('loading the policies')
        return 'as of change %d' % engine.last_change


class CoordinationCheck(_EngineCheck):
    """``healapi_coordination``: the engine is in contact with its engine
    group (or works alone, with no backend configured)."""

    backend = 'coordination'

    def probe_engine(self, engine):
        membership = engine.membership
        if not membership.coordinated:
            return 'none configured (this engine works alone)'
        if not membership.in_contact:
            raise base.Unavailable(
                'no contact with the backend within member_timeout '
                '(%g s)' % CONF.coordination.member_timeout)
        return 'in a group of %d engines' % len(membership.members)


class HealthServer:
    """The endpoints of ``engine``, served from a thread of their own."""

    def __init__(self, engine):
        self.engine = engine
        self._server = None
        self._thread = None

    @property
    def port(self):
        """The port it listens on, once started."""
        return self._server.server_address[1]

    def start(self):
        """Listen, if ``[engine] healthcheck_port`` is set. Raises
        :class:`CannotServe`, or ``endpoints.UnknownBackends``."""
        host, port = CONF.engine.healthcheck_host, CONF.engine.healthcheck_port
        if port is None:
            return
        application = endpoints.mount(
            endpoints.NOT_FOUND, CONF.engine.healthcheck_backends, LIVENESS)
        try:
            self._server = wsgi_server.make_server(host, port, application,
                                                   quiet=True)
        except OSError as error:
            raise CannotServe('Cannot serve the engine\'s healthcheck on '
                              '%s:%s: %s' % (host, port, error)) from error
        _SERVING[:] = [self.engine]
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True,
            name='healapi-engine-healthcheck')
        self._thread.start()
        LOG.info('Engine %s serves its healthcheck on http://%s:%d%s',
                 self.engine.id, host, self.port, endpoints.READINESS)

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None
        if serving() is self.engine:
            _SERVING.clear()
