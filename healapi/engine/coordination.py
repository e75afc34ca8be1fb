"""Which engine evaluates which policy: tooz group membership and a hash
ring over the live members, as Aodh's evaluators partition alarms.

Without ``[coordination] backend_url`` an engine works alone and owns
everything. With one, every engine joins one tooz group; a thread of its
own sends the group heartbeats and reads its members every
``heartbeat_interval``, and :meth:`Membership.owns` answers from a hash
ring of the members it last read. The members' views agree within a
heartbeat or so; while they don't, two engines may both think they own a
policy, which the database's ownership fence (see
``Connection.claim_policies``) makes harmless.

An engine that has not reached the backend for longer than
``member_timeout`` owns nothing: by then the others have seen it leave and
taken its share. That is judged from the time of its last successful
heartbeat whenever ownership is asked, so it holds even while a call to
the backend hangs.
"""

import math
import threading
import time
import urllib.parse

from oslo_log import log
import tooz
from tooz import coordination as tooz_coordination
from tooz import hashring

from healapi.common import errors
from healapi.conf import CONF

LOG = log.getLogger(__name__)

#: The tooz group every engine of a deployment joins (a Redis namespace
#: or a file driver's directory sets deployments apart).
GROUP = b'healapi-engines'
def _timeouts(scheme, member_timeout):
    """The tooz URL options that make a driver's members expire after
    ``member_timeout`` seconds without a heartbeat."""
    if scheme in ('redis', 'rediss'):
        # And a call that hangs for half of that fails instead, so that an
        # engine cut off from Redis knows it soon.
        return {'membership_timeout': str(member_timeout),
                'socket_timeout': str(member_timeout / 2)}
    # The other drivers call it timeout; some (file) take whole seconds.
    return {'timeout': str(math.ceil(member_timeout))}


def backend_url(url, member_timeout):
    """``url`` with the driver's membership timeout (see
    :func:`_timeouts`) added, where it doesn't set one itself."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    given = {name for name, _ in query}
    query.extend((name, value) for name, value
                 in _timeouts(parts.scheme, member_timeout).items()
                 if name not in given)
    return parts._replace(query=urllib.parse.urlencode(query)).geturl()


def redact(url):
    """``url`` without its password, to log."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition('@')[2]
    user = parts.username or ''
    return parts._replace(netloc='%s:***@%s' % (user, netloc)).geturl()


class Membership:
    """This engine's place among the engines (``engine_id`` is its tooz
    member id too); ``on_change()`` is called, from the membership's
    thread, whenever the members change."""

    def __init__(self, engine_id, on_change=None):
        self.member_id = engine_id.encode()
        self._on_change = on_change
        self.url = CONF.coordination.backend_url
        self._coordinator = None
        self._joined = False
        #: The hash ring of the live members; None until they are read.
        self._ring = None
        self._members = frozenset()
        #: Raised at every change of the members, for :meth:`version`.
        self._version = 0
        self._last_contact = None
        #: Whether the last try to reach the backend failed (to log an
        #: outage once, not at every heartbeat).
        self._failing = False
        self._stopping = threading.Event()
        self._thread = None

    @property
    def coordinated(self):
        """Whether engines share the work (a backend is configured)."""
        return bool(self.url)

    @property
    def in_contact(self):
        """Whether the backend answered within member_timeout (always,
        when not coordinated)."""
        if not self.coordinated:
            return True
        return (self._last_contact is not None
                and time.monotonic() - self._last_contact
                <= CONF.coordination.member_timeout)

    @property
    def version(self):
        """A value that changes whenever what this engine owns may have:
        the members changed, or contact with the backend was lost or
        regained."""
        return self._version, self.in_contact

    @property
    def members(self):
        """The member ids (engine ids) of the live engines, as last read;
        just this one's when not coordinated."""
        if not self.coordinated:
            return frozenset([self.member_id.decode()])
        return frozenset(member.decode() for member in self._members)

    def owns(self, object_id):
        """Whether this engine is the one to evaluate ``object_id``."""
        if not self.coordinated:
            return True
        ring = self._ring
        return (ring is not None and self.in_contact
                and self.member_id in ring.get_nodes(object_id.encode()))

    def start(self):
        if not self.coordinated:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='healapi-engine-coordination')
        self._thread.start()

    def stop(self):
        """Leave the group (the others take this engine's share at once)
        and disconnect."""
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join()
        self._thread = None
        if self._coordinator is not None:
            try:
                if self._joined:
                    self._coordinator.leave_group(GROUP).get()
                self._coordinator.stop()
            except Exception as error:  # noqa: BLE001 (it expires anyway)
                LOG.warning('Could not leave the engine group cleanly (%s); '
                            'the others will see this engine expire.',
                            errors.brief(error))
        self._coordinator = None
        self._joined = False
        self._set_members(frozenset())

    def _run(self):
        while not self._stopping.is_set():
            self._refresh()
            self._stopping.wait(CONF.coordination.heartbeat_interval)

    def _refresh(self):
        """Heartbeat and read the group's members, once."""
        try:
            if self._coordinator is None:
                self._connect()
            self._coordinator.heartbeat()
            if not self._joined:
                self._join()
            members = self._coordinator.get_members(GROUP).get()
            if self.member_id not in members:
                # Expired while cut off, and removed by another member.
                LOG.warning('This engine had left the engine group; '
                            'joining again.')
                self._joined = False
                self._join()
                members = set(members) | {self.member_id}
        except Exception as error:  # noqa: BLE001 (a backend outage)
            self._lost_contact(error)
            return
        if self._failing:
            LOG.info('Engine %s reached the coordination backend again.',
                     self.member_id.decode())
            self._failing = False
        self._last_contact = time.monotonic()
        self._set_members(frozenset(members))

    def _connect(self):
        url = backend_url(self.url, CONF.coordination.member_timeout)
        coordinator = tooz_coordination.get_coordinator(url, self.member_id)
        coordinator.start(start_heart=False)
        self._coordinator = coordinator
        LOG.info('Engine %s connected to the coordination backend %s',
                 self.member_id.decode(), redact(self.url))

    def _join(self):
        try:
            self._coordinator.join_group_create(GROUP)
        except tooz_coordination.MemberAlreadyExist:
            pass
        self._joined = True

    def _lost_contact(self, error):
        if not self._failing:
            LOG.warning('Engine %s cannot reach the coordination backend '
                        '(%s); trying again every heartbeat_interval.',
                        self.member_id.decode(), errors.brief(error))
            self._failing = True
        if (self._coordinator is not None
                and isinstance(error, tooz.ToozConnectionError)):
            # Connect afresh next time: the driver may not recover.
            try:
                self._coordinator.stop()
            except Exception:  # noqa: BLE001, S110 (already broken)
                pass
            self._coordinator = None
            self._joined = False

    def _set_members(self, members):
        if members == self._members:
            return
        self._members = members
        self._ring = hashring.HashRing(members) if members else None
        self._version += 1
        LOG.info('Engine group members: %s',
                 ', '.join(sorted(m.decode() for m in members)) or 'none')
        if self._on_change is not None:
            self._on_change()
