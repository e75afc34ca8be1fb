"""Pecan hooks: per-request state the controllers rely on, and what follows
a request."""

from oslo_context import context
import pecan

from healapi.common import messaging

#: Methods that never change what the engines evaluate.
_READS = frozenset(['GET', 'HEAD', 'OPTIONS'])
#: Last path segments of writes that store nothing the engines read.
_NOT_FOR_ENGINES = frozenset(['simulate', 'acknowledge'])


class ContextHook(pecan.hooks.PecanHook):
    """Build the request context from the identity headers of auth."""

    def before(self, state):
        state.request.context = context.RequestContext.from_environ(
            state.request.environ)


class WakeEnginesHook(pecan.hooks.PecanHook):
    """Wake the engines after every write that succeeded (policies, their
    rules, datasources, pushed rows), so that they apply it at once rather
    than at their next poll. Waking never delays or fails the request (see
    :class:`healapi.common.messaging.EngineWaker`)."""

    def on_error(self, state, error):
        state.request.environ['healapi.failed'] = True

    def after(self, state):
        request = state.request
        if (request.method in _READS
                or state.response.status_int >= 400
                or request.environ.get('healapi.failed')
                or request.path.rstrip('/').rsplit('/', 1)[-1]
                in _NOT_FOR_ENGINES):
            return
        messaging.engine_waker.wake()
