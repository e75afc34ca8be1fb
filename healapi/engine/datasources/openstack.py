"""What the drivers of OpenStack services share: a Keystone session built
from the datasource's config, and tables listed through openstacksdk.

A driver lists :class:`Table` objects; each says how to list its
resources with an openstacksdk :class:`~openstack.connection.Connection`
and which attribute of a resource each column holds. openstacksdk follows
the services' pagination and negotiates their microversions; the session
re-authenticates when the token expires.
"""

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import openstack.connection
from openstack import exceptions as sdk_exceptions

from healapi.common import errors
from healapi.common import exception
from healapi.conf import CONF
from healapi.engine.datasources import base

_TEXT = {'type': 'string', 'minLength': 1, 'maxLength': 255}

AUTH_SCHEMA = {
    'type': 'object',
    'properties': {
        'auth_url': {'type': 'string', 'format': 'uri', 'maxLength': 2048,
                     'description': 'Keystone\'s v3 endpoint.'},
        'username': dict(_TEXT, description='User to authenticate as.'),
        'password': {'type': 'string', 'maxLength': 4096,
                     'description': 'The user\'s password (write-only).'},
        'user_domain_name': dict(_TEXT, default='Default'),
        'project_name': dict(_TEXT, description='Project to scope to.'),
        'project_id': _TEXT,
        'project_domain_name': dict(_TEXT, default='Default'),
        'application_credential_id': dict(
            _TEXT, description='Instead of a user and password: an '
                               'application credential.'),
        'application_credential_secret': {
            'type': 'string', 'maxLength': 4096,
            'description': 'Its secret (write-only).'},
        'region_name': _TEXT,
        'interface': {'enum': ['public', 'internal', 'admin'],
                      'default': 'public'},
        'verify': {'type': 'boolean', 'default': True,
                   'description': 'Whether to verify TLS certificates.'},
        'cafile': {'type': 'string', 'maxLength': 4096,
                   'description': 'CA bundle to verify them with.'},
    },
    'required': ['auth_url'],
    'dependentRequired': {
        'username': ['password'],
        'password': ['username'],
        'application_credential_id': ['application_credential_secret'],
        'application_credential_secret': ['application_credential_id'],
    },
    'additionalProperties': False,
}


class Table:
    """A table of resources: ``list(connection)`` gives them, ``columns``
    pairs each column's name with the resource attribute it holds (or a
    callable of the resource)."""

    def __init__(self, list_resources, columns):
        self.list = list_resources
        self.columns = columns

    def row(self, resource):
        return [_scalar(source(resource) if callable(source)
                        else getattr(resource, source, None))
                for _, source in self.columns]


def _scalar(value):
    """A resource attribute as a row value (a JSON scalar)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _session(config):
    if 'application_credential_id' in config:
        auth = v3.ApplicationCredential(
            auth_url=config['auth_url'],
            application_credential_id=config['application_credential_id'],
            application_credential_secret=config[
                'application_credential_secret'])
    else:
        auth = v3.Password(
            auth_url=config['auth_url'], username=config['username'],
            password=config['password'],
            user_domain_name=config.get('user_domain_name', 'Default'),
            project_name=config.get('project_name'),
            project_id=config.get('project_id'),
            project_domain_name=config.get('project_domain_name',
                                           'Default'))
    verify = config.get('cafile') or config.get('verify', True)
    return ks_session.Session(auth=auth, verify=verify,
                              timeout=CONF.datasources.request_timeout,
                              app_name='healapi')


class OpenStackDriver(base.Driver):
    """A pull driver of an OpenStack service. Subclasses set
    ``TABLES``: {table name: :class:`Table`}."""

    kind = base.PULL
    config_schema = AUTH_SCHEMA
    TABLES = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.tables = {name: [column for column, _ in table.columns]
                      for name, table in cls.TABLES.items()}

    def __init__(self, dbapi=None):
        super().__init__(dbapi)
        self._connection = None
        self._connected_with = None

    @classmethod
    def check_config(cls, config):
        super().check_config(config)
        if not ('username' in config
                or 'application_credential_id' in config):
            raise exception.InvalidConfig(
                driver=cls.name,
                reason='give username and password, or '
                       'application_credential_id and '
                       'application_credential_secret')

    def _connect(self, config):
        """The connection of ``config``, kept between polls so that its
        token is reused until it expires."""
        if self._connection is None or self._connected_with != config:
            self._connection = openstack.connection.Connection(
                session=_session(config),
                region_name=config.get('region_name'),
                interface=config.get('interface', 'public'))
            self._connected_with = config
        return self._connection

    def fetch(self, config, tables):
        connection = self._connect(config)
        rows = {}
        for name in tables:
            table = self.TABLES[name]
            try:
                rows[name] = [table.row(resource)
                              for resource in table.list(connection)]
            except (sdk_exceptions.SDKException,
                    ks_exceptions.ClientException) as error:
                raise base.PollFailed('listing %s from %s failed: %s' % (
                    name, self.name, errors.without_credentials(
                        errors.brief(error))))
        return rows
