"""Delivering the outbox: notifications, webhook calls and actions.

Every violation state change and every ``execute[...]`` tuple is written to
the outbox in the transaction that causes it; the dispatcher, a thread of
the engine, takes the events that are due, delivers each to its target and
records the attempt. A failed notification or webhook call is tried again
with exponential backoff for as long as it takes, so an outage of the
broker or of a receiver delays delivery and loses nothing. An action is
attempted once: remediation must never run twice.

Several engines may dispatch at once: an event is claimed (leased) before
it is delivered, so only one of them delivers it; an engine that dies
mid-delivery leaves the event to be delivered again once the lease ends,
except an action, which is claimed for good.
"""

import datetime
import threading
import time

from oslo_db import exception as db_exc
from oslo_log import log
from oslo_serialization import jsonutils
from oslo_utils import timeutils
import requests

from healapi.common import errors
from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.engine import datasources
from healapi.engine import notifier
from healapi.engine.datasources import base
from healapi import version

LOG = log.getLogger(__name__)

#: Seconds a claim outlasts the longest delivery (webhook_timeout), for
#: connecting and for recording the attempt.
LEASE_MARGIN = 30
#: The most of a detail (error text, receiver's answer) an attempt keeps.
DETAIL_LENGTH = 200


class DeliveryFailed(Exception):
    """A delivery attempt failed; the message says why."""


def retry_delay(attempts):
    """Seconds to wait after the failure of an event tried ``attempts``
    times before (so the first retry waits retry_initial_delay)."""
    return min(CONF.outbox.retry_initial_delay * 2.0 ** min(attempts, 64),
               CONF.outbox.retry_max_delay)


def clean_detail(text):
    """``text`` made fit to store and show: no URL userinfo (credentials),
    on one line, at most DETAIL_LENGTH characters."""
    text = ' '.join(errors.without_credentials(text).split())
    if len(text) > DETAIL_LENGTH:
        text = text[:DETAIL_LENGTH - 3] + '...'
    return text


class Dispatcher:
    """Delivers due outbox events from a thread of its own."""

    def __init__(self, dbapi=None):
        self._dbapi = dbapi or db_api.get_instance()
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread = None
        self._publisher = None
        self._http = requests.Session()
        self._deliver = {'notification': self._notify,
                         'webhook': self._post,
                         'action': self._act}

    def start(self):
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run,
                                        name='healapi-dispatcher',
                                        daemon=True)
        self._thread.start()

    def stop(self):
        """Stop once the delivery under way (if any) ends."""
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._publisher = None  # Its transport may be cleaned up next.

    def wake(self):
        """Look for due events now (new ones were just written)."""
        self._wakeup.set()

    def _run(self):
        while not self._stopping.is_set():
            # Cleared before the pass: a wake() during it means another.
            self._wakeup.clear()
            try:
                if self.run_once() >= CONF.outbox.batch_size:
                    continue  # Probably more due already.
            except db_exc.DBError as error:
                LOG.warning('Could not dispatch outbox events (%s); trying '
                            'again shortly.', type(error).__name__)
            except Exception:
                LOG.exception('Could not dispatch outbox events; trying '
                              'again shortly.')
            self._wakeup.wait(CONF.outbox.dispatch_interval)

    def run_once(self):
        """Deliver the events due now; returns how many it handled."""
        handled = 0
        for event in self._dbapi.due_outbox_events(CONF.outbox.batch_size):
            if self._stopping.is_set():
                break
            if event.target == 'action':
                lease_until = None  # Claimed for good: never run twice.
            else:
                lease_until = timeutils.utcnow() + datetime.timedelta(
                    seconds=CONF.outbox.webhook_timeout + LEASE_MARGIN)
            if self._dbapi.claim_outbox_event(event, lease_until):
                self._attempt(event)
                handled += 1
        return handled

    def _attempt(self, event):
        started = time.monotonic()
        try:
            detail = self._deliver[event.target](event)
            succeeded = True
        except (DeliveryFailed, base.ActionFailed) as error:
            detail = str(error)
            succeeded = False
        except Exception as error:
            LOG.exception('Delivery of outbox event %s failed', event.id)
            detail = '%s: %s' % (type(error).__name__, error)
            succeeded = False
        duration_ms = int((time.monotonic() - started) * 1000)
        retry_at = None
        if not succeeded and event.target != 'action':
            retry_at = timeutils.utcnow() + datetime.timedelta(
                seconds=retry_delay(event.attempts))
        detail = clean_detail(detail)
        if not succeeded:
            LOG.info('Delivery of %s event %s (%s) failed: %s; %s',
                     event.target, event.event_id, event.event_type, detail,
                     'retrying at %s' % retry_at if retry_at else 'giving up')
        self._dbapi.record_attempt(event.id, succeeded, detail, duration_ms,
                                   retry_at)

    def _notify(self, event):
        try:
            if self._publisher is None:
                self._publisher = notifier.Publisher()
            return self._publisher.publish(event.event_type, event.payload)
        except Exception as error:  # noqa: BLE001 (the broker's, not ours)
            raise DeliveryFailed('%s: %s' % (type(error).__name__,
                                             error)) from error

    def _post(self, event):
        timeout = CONF.outbox.webhook_timeout
        try:
            # Streamed, so that a huge answer is never read, only its start.
            with self._http.post(
                    event.url, data=jsonutils.dump_as_bytes(event.payload),
                    headers={'Content-Type': 'application/json',
                             'X-Healapi-Event': event.event_type,
                             'X-Healapi-Event-Id': event.event_id,
                             'User-Agent': 'healapi/%s' %
                                           version.version_string},
                    timeout=timeout, allow_redirects=False,
                    stream=True) as response:
                status = 'HTTP %d' % response.status_code
                if 200 <= response.status_code < 300:
                    return status
                excerpt = response.raw.read(DETAIL_LENGTH,
                                            decode_content=True)
        except requests.Timeout:
            raise DeliveryFailed('timed out after %.1f s' % timeout) from None
        except requests.RequestException as error:
            raise DeliveryFailed(errors.cause(error)) from error
        excerpt = excerpt.decode('utf-8', 'replace').strip()
        raise DeliveryFailed('%s: %s' % (status, excerpt) if excerpt
                             else status)

    def _act(self, event):
        payload = event.payload
        return datasources.execute(self._dbapi, payload['project_id'],
                                   payload['action'], payload['args'])
