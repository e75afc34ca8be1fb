"""``healapi_rabbitmq``: the configured message broker can be reached and
logged into.

With no ``transport_url`` healapi uses no broker, and the check says so
and passes. Each host of the transport URL is tried in turn, as
oslo.messaging's rabbit driver does; one that takes the login is enough.
"""

import kombu
import oslo_messaging

from healapi.common import messaging
from healapi.conf import CONF
from healapi.healthcheck import base


class RabbitMQCheck(base.Check):

    backend = 'message broker'

    def probe(self):
        if not messaging.configured():
            return 'none configured (not needed)'
        url = oslo_messaging.TransportURL.parse(CONF, CONF.transport_url)
        if url.transport != 'rabbit':
            return '%s transport, not checked' % url.transport
        failures = []
        for host in url.hosts:
            address = '%s:%s' % (host.hostname, host.port or 5672)
            connection = kombu.Connection(
                hostname=host.hostname, port=host.port or 5672,
                userid=host.username, password=host.password,
                virtual_host=url.virtual_host or '/', ssl=_tls(),
                connect_timeout=CONF.healthcheck.check_timeout)
            try:
                # Once: kombu's connect() waits 2 s and tries again.
                connection.ensure_connection(max_retries=0)
                return 'logged into %s' % address
            except Exception as error:  # noqa: BLE001 (reported below)
                failures.append('%s %s' % (address, base.describe(error)))
            finally:
                connection.release()
        raise base.Unavailable(', '.join(failures))


def _tls():
    """Whether the broker is reached over TLS, as oslo.messaging's rabbit
    driver is told (``[oslo_messaging_rabbit] ssl``; the group exists once
    the process has made a transport)."""
    return ('oslo_messaging_rabbit' in CONF
            and bool(CONF.oslo_messaging_rabbit.ssl))
