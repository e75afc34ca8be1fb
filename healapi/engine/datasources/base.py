"""What every datasource driver has in common.

A driver is a plugin, registered under the ``healapi.datasource.drivers``
entry point (see :mod:`healapi.common.drivers`). Its class says what it is:

* ``kind``: how rows reach its datasources. ``push``: clients send rows
  through the API; ``pull``: an engine polls the service every
  ``poll_interval`` (:meth:`Driver.fetch`); ``webhook``: a monitoring
  system posts its own payloads to ``/v1/datasources/{id}/webhook``
  (:meth:`Driver.translate`).
* ``tables``: each table and its columns, or, for drivers whose tables a
  datasource declares in its config, :meth:`Driver.declared_tables`.
* ``config_schema``: the JSON Schema a datasource's config must satisfy;
  values of keys named like secrets (:mod:`healapi.common.secrets`) are
  write-only and stored encrypted.

The API reads only these class attributes (it lists the drivers, checks
configs and translates webhooks); an engine polls and runs actions.
"""

import jsonschema

from healapi.common import drivers
from healapi.common import exception
from healapi.conf import CONF

PUSH = drivers.PUSH
PULL = drivers.PULL
WEBHOOK = drivers.WEBHOOK


class ActionFailed(Exception):
    """An action could not run; the message says why, for the operator."""


class PollFailed(Exception):
    """A poll could not fetch the rows; the message says why, for the
    operator (it is shown in the datasource's poll status)."""


class TableChange:
    """What a webhook changes in one table: the rows each key (the value
    of the column at ``key_position``) has from now on, a key given no
    rows losing those it had; or, with ``key_position`` None, the rows
    (``rows_by_key[None]``) that replace the whole table."""

    def __init__(self, table, key_position, rows_by_key):
        self.table = table
        self.key_position = key_position
        self.rows_by_key = rows_by_key

    def __eq__(self, other):
        return (isinstance(other, TableChange)
                and vars(self) == vars(other))

    def __repr__(self):
        return 'TableChange(%r, %r, %r)' % (self.table, self.key_position,
                                             self.rows_by_key)


def first_error(schema, value):
    """The most relevant reason ``value`` does not satisfy the JSON
    Schema ``schema`` (prefixed with where in ``value``), or None."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is None:
        return None
    where = '.'.join(str(part) for part in error.absolute_path)
    return '%s%s' % ('%s: ' % where if where else '', error.message)


#: The config of webhook drivers.
WEBHOOK_CONFIG_SCHEMA = {
    'type': 'object',
    'properties': {
        'webhook_token': {
            'type': 'string', 'minLength': 16, 'maxLength': 255,
            'description': 'A secret the monitoring system sends as a '
                           'bearer token or basic-auth password instead of '
                           'a Keystone token (write-only).'},
    },
    'additionalProperties': False,
}


class Driver:
    """A datasource driver. Subclasses set the class attributes below and
    implement what their ``kind`` needs."""

    #: The name datasources use to choose this driver (the entry point's).
    name = None
    kind = PUSH
    #: One line for ``GET /v1/drivers``.
    description = ''
    #: {table: [column names]}, for drivers whose tables are fixed.
    tables = {}
    #: Whether each datasource declares its tables in its config instead
    #: (:meth:`declared_tables`).
    declares_tables_in_config = False
    #: The JSON Schema of a datasource's config.
    config_schema = {'type': 'object', 'additionalProperties': False}
    #: Seconds between polls when a datasource sets none (pull drivers;
    #: None: ``[datasources]/default_poll_interval``).
    default_poll_interval = None

    #: The actions ``execute[ds:name(args)]`` rules may run: each is the
    #: driver's method of that name, ``(datasource, args) -> text`` saying
    #: what it did, or raising :class:`ActionFailed`.
    actions = ()

    def __init__(self, dbapi=None):
        self.dbapi = dbapi

    # -- what the API reads -------------------------------------------------

    @classmethod
    def declared_tables(cls, config):
        """{table: [columns]} of a datasource with this ``config``."""
        return cls.tables

    @classmethod
    def poll_interval(cls, datasource_interval=None):
        """Seconds between polls of a datasource whose own
        ``poll_interval`` is ``datasource_interval`` (pull drivers)."""
        return (datasource_interval or cls.default_poll_interval
                or CONF.datasources.default_poll_interval)

    @classmethod
    def check_config(cls, config):
        """Refuse a datasource ``config`` this driver can't use: raises
        :class:`healapi.common.exception.InvalidConfig`."""
        reason = first_error(cls.config_schema, config)
        if reason is not None:
            raise exception.InvalidConfig(driver=cls.name, reason=reason)

    #: The JSON Schema of a webhook's payload (webhook drivers).
    payload_schema = {}

    @classmethod
    def changes(cls, payload):
        """The :class:`TableChange` list a webhook ``payload`` (parsed
        JSON) makes; raises :class:`healapi.common.exception.InvalidWebhook`
        for a payload that does not satisfy ``payload_schema``."""
        reason = first_error(cls.payload_schema, payload)
        if reason is not None:
            raise exception.InvalidWebhook(driver=cls.name, reason=reason)
        return cls.translate(payload)

    @classmethod
    def translate(cls, payload):
        """:meth:`changes` of a payload known to be valid. Webhook drivers
        only."""
        raise NotImplementedError

    # -- what an engine runs ----------------------------------------------

    def fetch(self, config, tables):
        """{table: list of rows (lists of values)} of each of ``tables``
        (the tables policies read), read from the service now; ``config``
        has its secrets decrypted. Raises :class:`PollFailed`. Pull drivers
        only."""
        raise NotImplementedError

    def execute(self, datasource, action, args):
        """Run ``action`` with ``args`` (the action tuple's values) on the
        db Datasource a rule named."""
        if action not in self.actions:
            raise ActionFailed(
                'the %s driver of datasource %s has no action %r; its '
                'actions: %s' % (self.name, datasource.name, action,
                                 ', '.join(sorted(self.actions)) or 'none'))
        return getattr(self, action)(datasource, list(args))
