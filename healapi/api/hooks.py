"""Pecan hooks: per-request state the controllers rely on."""

from oslo_context import context
import pecan


class ContextHook(pecan.hooks.PecanHook):
    """Build the request context from the identity headers of auth."""

    def before(self, state):
        state.request.context = context.RequestContext.from_environ(
            state.request.environ)

