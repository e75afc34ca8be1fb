"""Publishing healapi's notifications so that a lost one is noticed.

oslo.messaging's ``Notifier`` cannot tell its caller that a notification
did not go out: the ``messaging``/``messagingv2`` drivers log a send error
and return, and ``Notifier`` itself catches and logs whatever a driver
raises. A driver of healapi's own registered under
``oslo.messaging.notify.drivers`` would be swallowed the same way. The
outbox must know, to try again later, so with a transport healapi publishes
through it directly, the way ``messagingv2`` does (the same message in the
same 2.0 envelope to ``<topic>.info`` of each configured topic, so every
notification consumer reads it unchanged), but lets the error out.

It publishes with ``retry=0``: the outbox is the retry loop, with backoff
and a record of every attempt. Retrying inside the publish would hold the
dispatcher for kombu's reconnect intervals (seconds per event) all through
an outage; a connection the broker dropped is reopened by the next attempt.
A publish that returns was confirmed by the broker (oslo.messaging's rabbit
driver turns publisher confirms on). With several topics, a failure after
some of them got the message sends it to those again on the retry:
delivery is at least once, and receivers recognise a repeat by its
``event_id``.

Without a transport, notifications go to oslo.messaging's ``log`` driver.
"""

import uuid

import oslo_messaging
from oslo_messaging import opts as messaging_opts
from oslo_utils import timeutils

from healapi.common import messaging
from healapi.conf import CONF

PRIORITY = 'INFO'

# [oslo_messaging_notifications]: oslo.messaging registers these only once
# a notification transport or Notifier exists; healapi reads them first.
for _group, _opts in messaging_opts.list_opts():
    if _group == 'oslo_messaging_notifications':
        CONF.register_opts(_opts, group=_group)


def bus_configured():
    """Whether notifications go to a message bus rather than the log."""
    return bool(CONF.oslo_messaging_notifications.transport_url
                or messaging.configured())


class Publisher:
    """Publishes notifications as ``healapi-engine.<host>``."""

    def __init__(self):
        self.publisher_id = 'healapi-engine.%s' % CONF.engine.host
        self.topics = CONF.oslo_messaging_notifications.topics
        self._transport = None
        self._log = None
        if bus_configured():
            self._transport = messaging.notification_transport()
        else:
            # The log driver never uses its transport, but a Notifier
            # needs one: an in-process fake, which touches no broker.
            self._log = oslo_messaging.Notifier(
                oslo_messaging.get_notification_transport(CONF,
                                                          url='fake://'),
                self.publisher_id, driver='log', topics=self.topics)

    def publish(self, event_type, payload):
        """Publish one notification; returns a short text saying where.

        Raises whatever kept the broker from confirming it.
        """
        if self._log is not None:
            self._log.info({}, event_type, payload)
            return 'logged (no transport_url)'
        message = {'message_id': str(uuid.uuid4()),
                   'publisher_id': self.publisher_id,
                   'event_type': event_type, 'priority': PRIORITY,
                   'payload': payload,
                   'timestamp': str(timeutils.utcnow())}
        targets = ['%s.%s' % (topic, PRIORITY.lower())
                   for topic in self.topics]
        for topic in targets:
            # Notifier's own drivers publish through this same method.
            self._transport._send_notification(
                oslo_messaging.Target(topic=topic), {}, dict(message),
                version=2.0, retry=0)
        return 'published to %s' % ', '.join(targets)
