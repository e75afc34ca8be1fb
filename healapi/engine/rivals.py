"""Refusing to start beside an engine that would evaluate the same
policies.

An engine without a coordination backend evaluates every policy, so it
must be alone; an engine with one shares the work with the others of its
group, so none may run without. At start an engine records its
heartbeat, then looks at the other engines' heartbeats: a rival whose
heartbeat is fresh may be a dead predecessor's (killed, its heartbeat not
yet expired), so the engine waits to see whether it beats again, for up
to ``[engine] heartbeat_timeout``. Recording before looking means that of
two engines started at once, at least one sees the other.

This is the operator-facing check; the database's ownership fence keeps
violations right even when it is bypassed.
"""

import time

from healapi.conf import CONF
from healapi.db import api as db_api


class EngineConflict(Exception):
    """Another engine runs that this one must not run beside; the message
    says which, and what to do."""


def _rivals(dbapi, engine, coordinated):
    return [other for other in db_api.live_engines(dbapi)
            if other.id != engine.id
            and (not coordinated or not other.coordinated)]


def _conflict(rival, coordinated):
    who = 'engine %s on %s (pid %d)' % (rival.id, rival.host, rival.pid)
    if coordinated:
        return EngineConflict(
            'Refusing to start: %s runs without a coordination backend, so '
            'it evaluates every policy itself. Stop it, or set '
            '[coordination] backend_url on it too.' % who)
    return EngineConflict(
        'Refusing to start: %s is running. Without [coordination] '
        'backend_url only one engine may run; stop it, or set '
        'backend_url on every engine so that they share the work.' % who)


def check_alone(dbapi, engine, coordinated, stopping):
    """Record ``engine``'s heartbeat, then raise :class:`EngineConflict`
    if a rival engine is alive; returns once there is none (waiting out
    dead ones' heartbeats). ``stopping``: an Event that ends the wait."""
    engine.beat()
    seen = {rival.id: rival.heartbeat_at
            for rival in _rivals(dbapi, engine, coordinated)}
    deadline = time.monotonic() + CONF.engine.heartbeat_timeout
    while seen and time.monotonic() < deadline:
        if stopping.wait(min(CONF.engine.heartbeat_interval,
                             max(0, deadline - time.monotonic()))):
            return
        engine.beat()
        rivals = _rivals(dbapi, engine, coordinated)
        for rival in rivals:
            if rival.id not in seen or rival.heartbeat_at > seen[rival.id]:
                raise _conflict(rival, coordinated)
        seen = {rival.id: rival.heartbeat_at for rival in rivals}
