"""A fake OpenStack cloud over HTTP, for tests of openstacksdk clients.

README
======

:class:`FakeCloud` serves Keystone v3, Nova, Neutron and Cinder v3 on one
loopback port (standard library only: ``http.server``), enough for
openstacksdk and keystoneauth1 to authenticate, discover versions,
negotiate microversions and list resources page by page::

    with FakeCloud(page_size=2) as cloud:
        auth = v3.Password(auth_url=cloud.auth_url, username='healapi',
                           password='secret', project_name='admin',
                           user_domain_name='Default',
                           project_domain_name='Default')
        conn = openstack.connection.Connection(
            session=ks_session.Session(auth=auth, timeout=5),
            region_name='RegionOne', interface='public')
        cloud.update_record('compute', 'servers', SERVER_ID,
                            {'status': 'ERROR'})
        cloud.fail('/compute/v2.1/os-hypervisors', status=500)
        list(conn.compute.servers(details=True, all_projects=True))

Paths (``cloud.base_url`` is ``http://127.0.0.1:PORT``)::

    /identity             Keystone; auth_url is /identity/v3
    /compute/v2.1         Nova (catalog URL)
    /networking           Neutron (the SDK appends /v2.0)
    /volume/v3/<project>  Cinder, as service types block-storage and
                          volumev3

Recorded responses (``responses/``), shaped after nova's
doc/api_samples, cinder's api-ref samples, neutron's and keystone's
api-ref, with ``http://openstack.example.com`` standing for the real
origin (replaced by ``base_url`` when loaded). Each resource file holds
the shape of the *newest* microversion given below; a request at a lower
microversion gets the record transformed as the real service would
(see ``_DOWNGRADES``), so what openstacksdk 4.22 negotiates against the
default maxima (compute 2.96, volume 3.71) is:

=========================  ===========  ==========  =====================
file                       recorded at  SDK asks    changes below
=========================  ===========  ==========  =====================
compute-servers.json       2.96         2.96        2.96 pinned AZ, 2.73
                                                    locked_reason, 2.63,
                                                    2.47 flavor becomes
                                                    {id, links}, 2.26
                                                    tags, 2.19, 2.16
                                                    host_status, 2.9, 2.3
compute-hypervisors.json   2.88         2.88        2.88 stats back,
                                                    uptime gone; 2.53
                                                    integer ids; 2.28
                                                    cpu_info string
compute-services.json      2.69         2.69        2.53 integer ids,
                                                    2.11 forced_down
compute-flavors.json       2.75         2.61        2.75 swap "" not 0,
                                                    2.61 extra_specs,
                                                    2.55 description
volume-volumes.json        3.71 (3.69)  3.71        3.65, 3.63, 3.61,
                                                    3.48, 3.21, 3.13
volume-services.json       3.49         3.32        3.49 backend_state,
                                                    3.7 cluster
network-*.json             (none)       -           neutron: no
                                                    microversions
identity-*.json            (none)       -           keystone v3.14
identity-token.json        token body; catalog URLs use
                           ``$(project_id)s`` like a templated catalog
discovery.json             version documents: path -> status, body
=========================  ===========  ==========  =====================

Behaviour, as the real services:

* ``POST /identity/v3/auth/tokens`` (password method; name or id, domain
  name or id) answers 201, ``X-Subject-Token`` and the token body; wrong
  credentials or scope: 401 in Keystone's error shape. ``GET`` of it
  validates ``X-Subject-Token``.
* Every resource request needs a valid ``X-Auth-Token``, else 401 with
  keystonemiddleware's body (``{"error": {"code": 401, ...}}``, the same
  for every service, as keystonemiddleware answers it) and
  ``WWW-Authenticate``. Version documents need none, except Neutron's
  ``/v2.0/``, which sits behind keystonemiddleware.
* Microversions: ``OpenStack-API-Version: compute 2.x`` (or
  ``X-OpenStack-Nova-API-Version``), ``volume 3.x``; none means the
  minimum, ``latest`` the maximum. Echoed with ``Vary``; above the
  maximum (or below the minimum): 406, bad format: 400.
* Paging: Nova and Cinder clamp ``limit`` to ``page_size`` (their
  ``osapi_max_limit``), also when no limit is given, and add a ``next``
  link in ``<key>_links`` when a page is full. Neutron pages only when
  ``limit`` is given (clamped too), with ``next`` and ``previous``
  links. Keystone doesn't page (``links`` with ``next: null``). Nova's
  and Cinder's os-services don't page.
* Filters: ``all_tenants`` (servers, volumes: else only the token's
  project), flavors' ``is_public`` (absent: public only, ``None``: all),
  Neutron's ``fields``; any other query parameter naming a field of the
  records filters on equality (a few aliases: servers ``host``,
  ``node``, ``project_id``; volumes ``host``, ``project_id``); unknown
  ones are ignored.
* Errors use each service's format: Nova and Cinder
  ``{"computeFault"|"itemNotFound"|...: {"code", "message"}}``, Neutron
  ``{"NeutronError": {"type", "message", "detail"}}``, Keystone
  ``{"error": {"code", "message", "title"}}``.

Test hooks: see :class:`FakeCloud`.
"""

import collections
import copy
import datetime
import http
import http.server
import json
import logging
import os
import re
import socket
import threading
import urllib.parse
import uuid

LOG = logging.getLogger(__name__)

RESPONSES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             'responses')
#: The origin the recorded files use, replaced by the server's own.
RECORDED_ORIGIN = 'http://openstack.example.com'
REGION = 'RegionOne'

#: One request the server saw: ``path`` includes the query string,
#: ``headers`` holds those of :data:`RECORDED_HEADERS` that were sent.
SeenRequest = collections.namedtuple('SeenRequest', 'method path headers')

#: One microversion negotiation: the service type, the request path, the
#: header value asked (None: no header) and the version served.
Microversion = collections.namedtuple(
    'Microversion', 'service path asked served')

RECORDED_HEADERS = ('X-Auth-Token', 'OpenStack-API-Version',
                    'X-OpenStack-Nova-API-Version', 'Accept',
                    'Content-Type', 'User-Agent')

_KEYSTONE_401 = 'The request you have made requires authentication.'

# Messages of webob's exceptions, which the services' fault wrappers use
# when they have nothing better.
_WEBOB_MESSAGES = {
    400: 'The server could not comply with the request since it is either '
         'malformed or otherwise incorrect.',
    403: 'Access was denied to this resource.',
    404: 'The resource could not be found.',
    405: 'The server could not comply with the request since it is either '
         'malformed or otherwise incorrect.',
    409: 'There was a conflict when trying to complete your request.',
    429: 'Too Many Requests',
    502: 'Bad gateway.',
    503: 'The server is currently unavailable. Please try again at a later '
         'time.',
    504: 'The gateway has timed out.',
}
_SERVICE_500 = {
    'compute': 'Unexpected API Error. Please report this at '
               'http://bugs.launchpad.net/nova/ and attach the Nova API log '
               "if possible.\n<class 'Exception'>",
    'block-storage': 'The server has either erred or is incapable of '
                     'performing the requested operation.',
    'network': 'Request Failed: internal server error while processing '
               'your request.',
    'identity': 'An unexpected error prevented the server from fulfilling '
                'your request.',
}
# nova/api/openstack/wsgi.py Fault._fault_names; cinder has the same.
_FAULT_NAMES = {400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
                404: 'itemNotFound', 405: 'badMethod',
                409: 'conflictingRequest', 413: 'overLimit',
                415: 'badMediaType', 429: 'overLimit',
                501: 'notImplemented', 503: 'serviceUnavailable'}
_NEUTRON_TYPES = {400: 'HTTPBadRequest', 401: 'HTTPUnauthorized',
                  403: 'HTTPForbidden', 404: 'HTTPNotFound',
                  405: 'HTTPMethodNotAllowed', 409: 'HTTPConflict',
                  500: 'HTTPInternalServerError',
                  503: 'HTTPServiceUnavailable'}

#: service type -> (microversion header name, minimum, default maximum)
_MICROVERSIONS = {'compute': ('compute', (2, 1), '2.96'),
                  'block-storage': ('volume', (3, 0), '3.71')}


class _Collection:
    """How one collection is stored, served and paged."""

    def __init__(self, service, name, file, key, singular, paging,
                 summary=None, project_key=None, aliases=None,
                 label=None):
        self.service = service
        self.name = name
        self.file = file
        self.key = key
        self.singular = singular
        # 'nova' (Nova and Cinder), 'neutron', or None (Keystone and the
        # os-services, which don't page).
        self.paging = paging
        # Fields of the list without details; None: no such list.
        self.summary = summary
        # The field holding the owner, for all_tenants.
        self.project_key = project_key
        self.aliases = aliases or {}
        self.label = label or singular.capitalize()


_COLLECTIONS = [
    _Collection('identity', 'projects', 'identity-projects.json',
                'projects', 'project', None),
    _Collection('identity', 'users', 'identity-users.json', 'users',
                'user', None),
    _Collection('compute', 'servers', 'compute-servers.json', 'servers',
                'server', 'nova', summary=('id', 'links', 'name'),
                project_key='tenant_id',
                aliases={'host': 'OS-EXT-SRV-ATTR:host',
                         'node': 'OS-EXT-SRV-ATTR:hypervisor_hostname',
                         'project_id': 'tenant_id',
                         'availability_zone':
                             'OS-EXT-AZ:availability_zone'},
                label='Instance'),
    _Collection('compute', 'os-hypervisors', 'compute-hypervisors.json',
                'hypervisors', 'hypervisor', 'nova',
                summary=('id', 'hypervisor_hostname', 'state', 'status')),
    _Collection('compute', 'os-services', 'compute-services.json',
                'services', 'service', None),
    _Collection('compute', 'flavors', 'compute-flavors.json', 'flavors',
                'flavor', 'nova',
                summary=('id', 'links', 'name', 'description')),
    _Collection('network', 'networks', 'network-networks.json',
                'networks', 'network', 'neutron'),
    _Collection('network', 'ports', 'network-ports.json', 'ports', 'port',
                'neutron'),
    _Collection('network', 'agents', 'network-agents.json', 'agents',
                'agent', 'neutron'),
    _Collection('block-storage', 'volumes', 'volume-volumes.json',
                'volumes', 'volume', 'nova', summary=('id', 'links', 'name'),
                project_key='os-vol-tenant-attr:tenant_id',
                aliases={'host': 'os-vol-host-attr:host',
                         'project_id': 'os-vol-tenant-attr:tenant_id'}),
    _Collection('block-storage', 'os-services', 'volume-services.json',
                'services', 'service', None),
]
_BY_KEY = {(c.service, c.name): c for c in _COLLECTIONS}

# Query parameters that aren't filters on a field.
_CONTROL_PARAMS = frozenset([
    'limit', 'marker', 'all_tenants', 'all_projects', 'sort_key',
    'sort_dir', 'sort', 'fields', 'page_reverse', 'is_public',
    'with_servers', 'detailed', 'changes-since', 'changes-before',
    'deleted'])

_ROUTES = [
    ('identity', re.compile(r'^/identity/v3/(projects|users)(?:/([^/]+))?$'),
     None),
    ('compute', re.compile(
        r'^/compute/v2\.1(?:/[0-9a-f]{32})?/(servers|os-hypervisors|'
        r'os-services|flavors)(?:/([^/]+))?$'), None),
    ('network', re.compile(
        r'^/networking/v2\.0/(networks|ports|agents)(?:/([^/]+))?$'), None),
    ('block-storage', re.compile(
        r'^/volume/v3(?:/([0-9a-f]{32}))?/(volumes|os-services)'
        r'(?:/([^/]+))?$'), 'project'),
]
_SERVICE_PREFIXES = [('/identity', 'identity'), ('/compute', 'compute'),
                     ('/networking', 'network'), ('/volume', 'block-storage')]


def _parse_version(text):
    """``'2.96'`` -> ``(2, 96)``, None if malformed."""
    match = re.match(r'^([1-9]\d*)\.(0|[1-9]\d*)$', text or '')
    return (int(match.group(1)), int(match.group(2))) if match else None


def _version_string(version):
    return '%d.%d' % version


def _isotime(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _load(name, origin):
    with open(os.path.join(RESPONSES_DIR, name)) as f:
        return json.loads(f.read().replace(RECORDED_ORIGIN, origin))


class _Reply(Exception):
    """A response, raised from anywhere in the handling of a request."""

    def __init__(self, status, body=None, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


class _Request:
    """What the handlers need of one request."""

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        split = urllib.parse.urlsplit(target)
        self.path = split.path.rstrip('/') or '/'
        self.query_string = split.query
        self.query = urllib.parse.parse_qsl(split.query,
                                            keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.service = next((service for prefix, service in _SERVICE_PREFIXES
                             if self.path == prefix
                             or self.path.startswith(prefix + '/')), None)
        self.version = None
        self.token = None

    def param(self, name):
        """The last value of query parameter ``name``, or None."""
        values = self.params(name)
        return values[-1] if values else None

    def params(self, name):
        return [value for key, value in self.query if key == name]


# ---------------------------------------------------------------- errors
def error_body(service, status, message=None):
    """The body ``service`` answers ``status`` with."""
    if message is None:
        message = (_SERVICE_500.get(service) if status == 500 else None) \
            or _WEBOB_MESSAGES.get(status) \
            or http.HTTPStatus(status).phrase
    if service == 'network':
        return {'NeutronError': {
            'type': _NEUTRON_TYPES.get(status, 'HTTPError'),
            'message': message, 'detail': ''}}
    if service in ('compute', 'block-storage'):
        return {_FAULT_NAMES.get(status, 'computeFault'): {
            'code': status, 'message': message}}
    return {'error': {'code': status, 'message': message,
                      'title': http.HTTPStatus(status).phrase}}


def _error(service, status, message=None, headers=None):
    return _Reply(status, error_body(service, status, message), headers)


# ----------------------------------------------------------- downgrades
def _drop(*keys):
    def drop(record, index, cloud):
        for key in keys:
            record.pop(key, None)
    return drop


def _flavor_reference(record, index, cloud):
    """Before 2.47 a server's flavor is a reference, not a copy."""
    name = record['flavor'].get('original_name')
    flavor_id = next((f['id'] for f in cloud.resources['compute', 'flavors']
                      if f['name'] == name), name)
    record['flavor'] = {'id': flavor_id, 'links': [
        {'href': '%s/compute/flavors/%s' % (cloud.base_url, flavor_id),
         'rel': 'bookmark'}]}


def _hypervisor_stats(record, index, cloud):
    """Before 2.88 hypervisors carry resource statistics, not uptime."""
    host = record['service']['host']
    flavors = [s['flavor'] for s in cloud.resources['compute', 'servers']
               if s.get('OS-EXT-SRV-ATTR:host') == host]
    vcpus, memory, disk = 16, 65536, 500
    vcpus_used = sum(f.get('vcpus', 0) for f in flavors)
    memory_used = 512 + sum(f.get('ram', 0) for f in flavors)
    disk_used = sum(f.get('disk', 0) for f in flavors)
    record.pop('uptime', None)
    record.update({
        'cpu_info': {'arch': 'x86_64', 'model': 'Cascadelake-Server-noTSX',
                     'vendor': 'Intel', 'features': ['pge', 'avx', 'vmx'],
                     'topology': {'cells': 1, 'sockets': 1, 'cores': 8,
                                  'threads': 2}},
        'current_workload': 0,
        'disk_available_least': disk - disk_used,
        'free_disk_gb': disk - disk_used,
        'free_ram_mb': memory - memory_used,
        'local_gb': disk, 'local_gb_used': disk_used,
        'memory_mb': memory, 'memory_mb_used': memory_used,
        'running_vms': len(flavors),
        'vcpus': vcpus, 'vcpus_used': vcpus_used,
    })


def _compute_service_number(cloud, service_id):
    for number, service in enumerate(cloud.resources['compute',
                                                     'os-services'], 1):
        if service['id'] == service_id:
            return number
    return None


def _integer_id(record, index, cloud):
    """Before 2.53 hypervisors and compute services have integer ids."""
    record['id'] = index + 1
    if isinstance(record.get('service'), dict):
        record['service']['id'] = _compute_service_number(
            cloud, record['service']['id'])


def _cpu_info_string(record, index, cloud):
    if 'cpu_info' in record:
        record['cpu_info'] = json.dumps(record['cpu_info'])


def _empty_swap(record, index, cloud):
    """Before 2.75 a flavor without swap says "" rather than 0."""
    if not record.get('swap'):
        record['swap'] = ''


_SERVER_2_3 = ('OS-EXT-SRV-ATTR:reservation_id',
               'OS-EXT-SRV-ATTR:launch_index', 'OS-EXT-SRV-ATTR:hostname',
               'OS-EXT-SRV-ATTR:kernel_id', 'OS-EXT-SRV-ATTR:ramdisk_id',
               'OS-EXT-SRV-ATTR:root_device_name',
               'OS-EXT-SRV-ATTR:user_data')

#: (service, collection) -> [(version, transform)]: below ``version`` the
#: record is passed to ``transform(record, index, cloud)``, newest first.
_DOWNGRADES = {
    ('compute', 'servers'): [
        ((2, 96), _drop('pinned_availability_zone')),
        ((2, 73), _drop('locked_reason')),
        ((2, 63), _drop('trusted_image_certificates')),
        ((2, 47), _flavor_reference),
        ((2, 26), _drop('tags')),
        ((2, 19), _drop('description')),
        ((2, 16), _drop('host_status')),
        ((2, 9), _drop('locked')),
        ((2, 3), _drop(*_SERVER_2_3)),
    ],
    ('compute', 'os-hypervisors'): [
        ((2, 88), _hypervisor_stats),
        ((2, 53), _integer_id),
        ((2, 28), _cpu_info_string),
    ],
    ('compute', 'os-services'): [
        ((2, 53), _integer_id),
        ((2, 11), _drop('forced_down')),
    ],
    ('compute', 'flavors'): [
        ((2, 75), _empty_swap),
        ((2, 61), _drop('extra_specs')),
        ((2, 55), _drop('description')),
    ],
    ('block-storage', 'volumes'): [
        ((3, 65), _drop('consumes_quota')),
        ((3, 63), _drop('volume_type_id')),
        ((3, 61), _drop('cluster_name')),
        ((3, 48), _drop('shared_targets', 'service_uuid')),
        ((3, 21), _drop('provider_id')),
        ((3, 13), _drop('group_id')),
    ],
    ('block-storage', 'os-services'): [
        ((3, 49), _drop('backend_state')),
        ((3, 7), _drop('cluster')),
    ],
}


def _matches(value, wanted):
    if isinstance(value, bool):
        return str(value).lower() in [w.lower() for w in wanted]
    if value is None:
        return any(w.lower() in ('', 'none', 'null') for w in wanted)
    return str(value) in wanted


# ---------------------------------------------------------------- server
class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'FakeOpenStack/1.0'

    def setup(self):
        super().setup()
        self.server.cloud._connections.add(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.cloud._connections.discard(self.connection)

    def _serve(self):
        self.server.cloud._serve(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format, *args):
        LOG.debug('fake cloud: ' + format, *args)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        LOG.debug('fake cloud: error serving %s', client_address,
                  exc_info=True)


class FakeCloud:
    """Keystone, Nova, Neutron and Cinder, on ``127.0.0.1:<free port>``.

    The port is taken when constructed; :meth:`start` (or ``with``)
    serves it, :meth:`stop` ends it. See the module's README.

    Constructor arguments (all optional):

    ``page_size``
        Nova's and Cinder's ``osapi_max_limit`` and the clamp on any
        ``limit`` (Neutron's too); mutable as ``cloud.page_size``.
    ``username``, ``password``, ``project_name``, ``domain_name``
        The only credentials and scope accepted.
    ``compute_max_microversion``, ``volume_max_microversion``
        The maxima advertised and enforced (``'2.96'``, ``'3.71'``).
    ``token_ttl``
        Seconds a token lasts. keystoneauth renews a token with less than
        two minutes left before each request.

    Attributes:

    ``base_url``, ``auth_url``, ``endpoints`` (service type -> catalog URL),
    ``project_id``, ``user_id``.

    ``resources``
        ``{(service, collection): [record, ...]}``, the records served in
        the shape of the recorded microversion, in the order served; keys
        ``('identity', 'projects'|'users')``, ``('compute', 'servers'|
        'os-hypervisors'|'os-services'|'flavors')``, ``('network',
        'networks'|'ports'|'agents')``, ``('block-storage', 'volumes'|
        'os-services')``. Change, replace or append freely (under
        ``cloud.lock`` if requests may be in flight).
    ``requests``
        :class:`SeenRequest` (method, path with query, headers) of each
        request, in order.
    ``microversions``
        :class:`Microversion` of each request to Nova or Cinder.
    ``tokens_issued``, ``auth_attempts``
        Tokens issued; POSTs to auth/tokens (issued or refused).
    """

    def __init__(self, page_size=2, username='healapi', password='secret',
                 project_name='admin', domain_name='Default',
                 compute_max_microversion='2.96',
                 volume_max_microversion='3.71', token_ttl=3600):
        self.page_size = page_size
        self.username = username
        self.password = password
        self.project_name = project_name
        self.domain_name = domain_name
        self.token_ttl = token_ttl
        self.max_microversions = {
            'compute': _parse_version(compute_max_microversion),
            'block-storage': _parse_version(volume_max_microversion)}
        self.lock = threading.RLock()
        self._connections = set()
        self._thread = None
        self._httpd = _Server(('127.0.0.1', 0), _Handler)
        self._httpd.cloud = self
        self.port = self._httpd.server_address[1]
        self.base_url = 'http://127.0.0.1:%d' % self.port
        self.auth_url = self.base_url + '/identity/v3'
        self.reset()

    # ------------------------------------------------------- lifecycle
    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={
                    'poll_interval': 0.05},
                name='fake-openstack-%d' % self.port, daemon=True)
            self._thread.start()
        return self

    def stop(self):
        """Stop serving, end open connections and wait for the threads."""
        if self._thread is not None:
            self._httpd.shutdown()
        with self.lock:
            self._release_hangs()
        # Idle keep-alive connections would keep their threads reading.
        for connection in list(self._connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # ----------------------------------------------------------- hooks
    def reset(self):
        """Back to the recorded records; forget tokens, hooks, requests."""
        with self.lock:
            if getattr(self, '_hangs', None):
                self._release_hangs()
            self.resources = {
                key: _load(c.file, self.base_url)[c.key]
                for key, c in _BY_KEY.items()}
            self._discovery = _load('discovery.json', self.base_url)
            self._set_discovered_maxima()
            self._token_template = _load('identity-token.json',
                                         self.base_url)['token']
            self.requests = []
            self.microversions = []
            self.tokens_issued = 0
            self.auth_attempts = 0
            self._tokens = {}
            self._failures = []
            self._hangs = []
        self.project_id = self._project()['id']
        self.user_id = self._user()['id']
        self.endpoints = {
            entry['type']: self._catalog_url(entry)
            for entry in self._token_template['catalog']}

    def expire_tokens(self):
        """Make every token issued so far invalid (401 on its next use)."""
        with self.lock:
            for token in self._tokens.values():
                token['revoked'] = True

    def fail(self, path_prefix, status=500, times=1, message=None,
             body=None, headers=None, method=None):
        """Answer the next ``times`` requests under ``path_prefix`` with
        ``status`` (``times=None``: until :meth:`reset`).

        The body is the service's error format with ``message`` (or its
        usual one); ``body`` replaces it (a dict is sent as JSON, a str as
        text/html, as from a load balancer). Resource requests still need
        a valid token first, as the real fault comes after
        keystonemiddleware.
        """
        with self.lock:
            self._failures.append({
                'prefix': path_prefix, 'status': status, 'left': times,
                'message': message, 'body': body,
                'headers': dict(headers or {}), 'method': method})

    def hang(self, path_prefix, seconds, times=None):
        """Delay the answer to requests under ``path_prefix`` by
        ``seconds`` (the next ``times`` ones; None: all). :meth:`reset`
        and :meth:`stop` end the delays early."""
        with self.lock:
            self._hangs.append({'prefix': path_prefix, 'seconds': seconds,
                                'left': times, 'event': threading.Event()})

    def get_record(self, service, collection, record_id):
        """The stored record (mutable) of ``collection`` with that id."""
        with self.lock:
            for record in self.resources[service, collection]:
                if str(record.get('id')) == str(record_id):
                    return record
        raise KeyError((service, collection, record_id))

    def update_record(self, service, collection, record_id, changes):
        """Update the record with that id with the ``changes`` dict."""
        with self.lock:
            self.get_record(service, collection, record_id).update(changes)

    def requests_to(self, path_prefix, method='GET'):
        """The :attr:`requests` of ``method`` under ``path_prefix``."""
        with self.lock:
            return [r for r in self.requests
                    if r.method == method and r.path.startswith(path_prefix)]

    # --------------------------------------------------------- serving
    def _serve(self, handler):
        length = int(handler.headers.get('Content-Length') or 0)
        request = _Request(handler.command, handler.path, handler.headers,
                           handler.rfile.read(length) if length else b'')
        with self.lock:
            self.requests.append(SeenRequest(
                request.method, request.target,
                {name: handler.headers[name] for name in RECORDED_HEADERS
                 if name in handler.headers}))
        self._maybe_hang(request)
        try:
            reply = self._dispatch(request)
        except _Reply as raised:
            reply = raised
        except Exception:
            LOG.exception('fake cloud: failed on %s %s', request.method,
                          request.target)
            reply = _error(request.service, 500)
        self._add_version_headers(request, reply)
        self._write(handler, request, reply)

    def _write(self, handler, request, reply):
        if reply.body is None:
            payload = b''
        elif isinstance(reply.body, str):
            payload = reply.body.encode()
            reply.headers.setdefault('Content-Type',
                                     'text/html; charset=UTF-8')
        else:
            payload = json.dumps(reply.body).encode()
            reply.headers.setdefault('Content-Type', 'application/json')
        reply.headers.setdefault('x-openstack-request-id',
                                 'req-%s' % uuid.uuid4())
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header('Content-Length', str(len(payload)))
            handler.end_headers()
            if request.method != 'HEAD':
                handler.wfile.write(payload)
        except OSError:
            # The client gave up (a timeout) or the cloud is stopping.
            handler.close_connection = True

    def _dispatch(self, request):
        path = request.path
        if path == '/identity/v3/auth/tokens':
            self._check_failure(request)
            if request.method == 'POST':
                return self._issue_token(request)
            if request.method in ('GET', 'HEAD'):
                return self._validate_token(request)
            raise _error('identity', 405)
        document = self._discovery.get(path)
        if document is not None and request.method in ('GET', 'HEAD'):
            if path == '/networking/v2.0':
                self._authenticate(request)
            self._check_failure(request)
            return _Reply(document['status'], copy.deepcopy(document['body']))
        for service, pattern, kind in _ROUTES:
            match = pattern.match(path)
            if match:
                return self._resource(request, service, match, kind)
        self._check_failure(request)
        raise _error(request.service, 404)

    def _resource(self, request, service, match, kind):
        groups = match.groups()
        if kind == 'project':
            groups = groups[1:]
        collection, item = groups
        spec = _BY_KEY[service, collection]
        # keystonemiddleware comes before the service's own checks.
        self._authenticate(request)
        self._negotiate(request)
        self._check_failure(request)
        if request.method not in ('GET', 'HEAD'):
            raise _error(service, 405)
        if item is None or item == 'detail':
            return self._list(request, spec, detail=item == 'detail'
                              or spec.summary is None)
        return self._show(request, spec, item)

    # ----------------------------------------------------------- hooks
    def _maybe_hang(self, request):
        with self.lock:
            rule = self._take(self._hangs, request)
        if rule is not None:
            rule['event'].wait(rule['seconds'])

    def _check_failure(self, request):
        with self.lock:
            rule = self._take(self._failures, request)
        if rule is None:
            return
        body = rule['body']
        if body is None:
            body = error_body(request.service, rule['status'],
                              rule['message'])
        raise _Reply(rule['status'], copy.deepcopy(body), rule['headers'])

    @staticmethod
    def _take(rules, request):
        """The first rule for ``request`` with uses left, used once."""
        for rule in rules:
            if rule['left'] == 0:
                continue
            if rule.get('method') and rule['method'] != request.method:
                continue
            if request.path.startswith(rule['prefix']) or \
                    request.target.startswith(rule['prefix']):
                if rule['left'] is not None:
                    rule['left'] -= 1
                return rule
        return None

    def _release_hangs(self):
        for rule in self._hangs:
            rule['event'].set()

    # ------------------------------------------------------- discovery
    def _set_discovered_maxima(self):
        maxima = {'/compute': ('v2.1', 'compute'),
                  '/volume': ('v3.0', 'block-storage')}
        for path, document in self._discovery.items():
            for prefix, (version_id, service) in maxima.items():
                if not path.startswith(prefix):
                    continue
                body = document['body']
                versions = body.get('versions') or [body.get('version')]
                for version in versions:
                    if version and version.get('id') == version_id:
                        version['version'] = _version_string(
                            self.max_microversions[service])

    def _negotiate(self, request):
        if request.service not in _MICROVERSIONS:
            return
        name, minimum, _ = _MICROVERSIONS[request.service]
        maximum = self.max_microversions[request.service]
        asked = None
        for value in request.headers.get_all('OpenStack-API-Version') or ():
            for entry in value.split(','):
                words = entry.split()
                if len(words) == 2 and words[0].lower() == name:
                    asked = words[1]
        if asked is None and request.service == 'compute':
            asked = request.headers.get('X-OpenStack-Nova-API-Version')
        if asked is None:
            version = minimum
        elif asked.lower() == 'latest':
            version = maximum
        else:
            version = _parse_version(asked)
            if version is None:
                raise _error(request.service, 400, (
                    'API Version String %s is of invalid format. Must be of '
                    'format MajorNum.MinorNum.') % asked)
            if not minimum <= version <= maximum:
                raise _error(request.service, 406, (
                    'Version %s is not supported by the API. Minimum is %s '
                    'and maximum is %s.') % (
                        asked, _version_string(minimum),
                        _version_string(maximum)))
        request.version = version
        with self.lock:
            self.microversions.append(Microversion(
                request.service, request.target, asked,
                _version_string(version)))

    @staticmethod
    def _add_version_headers(request, reply):
        if request.version is None:
            return
        served = _version_string(request.version)
        if request.service == 'compute':
            reply.headers.update({
                'OpenStack-API-Version': 'compute ' + served,
                'X-OpenStack-Nova-API-Version': served,
                'Vary': 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
            })
        else:
            reply.headers.update({'OpenStack-API-Version': 'volume ' + served,
                                  'Vary': 'OpenStack-API-Version'})

    # ------------------------------------------------------------ auth
    def _project(self):
        return next((p for p in self.resources['identity', 'projects']
                     if p['name'] == self.project_name),
                    {'id': uuid.uuid5(uuid.NAMESPACE_URL,
                                      self.project_name).hex,
                     'name': self.project_name})

    def _user(self):
        return next((u for u in self.resources['identity', 'users']
                     if u['name'] == self.username),
                    {'id': uuid.uuid5(uuid.NAMESPACE_URL, self.username).hex,
                     'name': self.username})

    def _catalog_url(self, entry):
        url = next(e['url'] for e in entry['endpoints']
                   if e['interface'] == 'public')
        return url.replace('$(project_id)s', self.project_id)

    def _names_match(self, spec, name_key, expected_name, expected_id):
        if not isinstance(spec, dict):
            return False
        domain = spec.get('domain') or {}
        if 'id' in spec:
            return spec['id'] == expected_id
        domain_ok = (domain.get('name') == self.domain_name
                     or domain.get('id') == self.domain_name.lower())
        return spec.get(name_key) == expected_name and domain_ok

    def _credentials_valid(self, identity):
        if 'password' not in (identity.get('methods') or []):
            return False
        user = (identity.get('password') or {}).get('user') or {}
        return (self._names_match(user, 'name', self.username,
                                  self.user_id)
                and user.get('password') == self.password)

    def _issue_token(self, request):
        with self.lock:
            self.auth_attempts += 1
        try:
            auth = json.loads(request.body)['auth']
            identity = auth['identity']
        except (ValueError, KeyError, TypeError):
            raise _error('identity', 400, 'Expecting to find auth in '
                         'request body. The server could not comply with '
                         'the request since it is either malformed or '
                         'otherwise incorrect.')
        scope = auth.get('scope')
        scoped = scope is not None
        if not self._credentials_valid(identity) or (scoped and not (
                self._names_match(scope.get('project'), 'name',
                                  self.project_name, self.project_id))):
            raise _error('identity', 401, _KEYSTONE_401, {
                'WWW-Authenticate': 'Keystone uri="%s/identity"'
                                    % self.base_url})
        token_id = 'gAAAAAB' + uuid.uuid4().hex + uuid.uuid4().hex
        body = self._token_body(scoped)
        with self.lock:
            self.tokens_issued += 1
            self._tokens[token_id] = {
                'expires': _now() + datetime.timedelta(
                    seconds=self.token_ttl),
                'revoked': False, 'body': body}
        return _Reply(201, {'token': body}, {'X-Subject-Token': token_id})

    def _token_body(self, scoped):
        issued = _now()
        body = copy.deepcopy(self._token_template)
        body.update({
            'issued_at': _isotime(issued),
            'expires_at': _isotime(
                issued + datetime.timedelta(seconds=self.token_ttl)),
            'audit_ids': [uuid.uuid4().hex[:22]],
            'user': {'domain': {'id': 'default', 'name': self.domain_name},
                     'id': self.user_id, 'name': self.username,
                     'password_expires_at': None}})
        if not scoped:
            for key in ('catalog', 'project', 'roles', 'is_domain'):
                body.pop(key, None)
            return body
        body['project'] = {'domain': {'id': 'default',
                                      'name': self.domain_name},
                           'id': self.project_id, 'name': self.project_name}
        for entry in body['catalog']:
            for endpoint in entry['endpoints']:
                endpoint['url'] = endpoint['url'].replace(
                    '$(project_id)s', self.project_id)
        return body

    def _token_info(self, token_id):
        with self.lock:
            token = self._tokens.get(token_id) if token_id else None
        if token is None or token['revoked'] or token['expires'] <= _now():
            return None
        return token

    def _authenticate(self, request):
        token = self._token_info(request.headers.get('X-Auth-Token'))
        if token is None:
            # keystonemiddleware's answer, whichever the service.
            raise _Reply(401, {'error': {
                'code': 401, 'title': 'Unauthorized',
                'message': _KEYSTONE_401}}, {
                'WWW-Authenticate': 'Keystone uri="%s/identity"'
                                    % self.base_url})
        request.token = token

    def _validate_token(self, request):
        self._authenticate(request)
        subject = request.headers.get('X-Subject-Token')
        token = self._token_info(subject)
        if token is None:
            raise _error('identity', 404,
                         'Could not find token: %s.' % subject)
        return _Reply(200, {'token': copy.deepcopy(token['body'])},
                      {'X-Subject-Token': subject})

    # ------------------------------------------------------- resources
    def _records(self, request, spec):
        """Copies of the records the request may see, as served at its
        microversion."""
        with self.lock:
            records = copy.deepcopy(self.resources[spec.service, spec.name])
            for index, record in enumerate(records):
                for version, transform in _DOWNGRADES.get(
                        (spec.service, spec.name), ()):
                    if request.version is not None and \
                            request.version < version:
                        transform(record, index, self)
        return records

    def _visible(self, request, spec, records):
        if spec.project_key and request.param('all_tenants') is None:
            records = [r for r in records
                       if r.get(spec.project_key) == self.project_id]
        if spec.name == 'flavors':
            wanted = (request.param('is_public') or 'true').lower()
            if wanted not in ('none', 'all'):
                public = wanted in ('1', 'true', 'yes', 'on')
                records = [r for r in records
                           if r.get('os-flavor-access:is_public') == public]
        for name in dict(request.query):
            if name in _CONTROL_PARAMS:
                continue
            field = spec.aliases.get(name, name)
            if not any(field in r for r in records):
                continue
            wanted = request.params(name)
            if field == 'status':
                wanted = [w.upper() for w in wanted]
            records = [r for r in records if _matches(r.get(field), wanted)]
        return records

    def _list(self, request, spec, detail):
        records = self._visible(request, spec, self._records(request, spec))
        page, links = self._paginate(request, spec, records)
        if not detail:
            page = [{k: r[k] for k in spec.summary if k in r} for r in page]
        page = [self._project_fields(request, spec, r) for r in page]
        body = {spec.key: page}
        if spec.service == 'identity':
            self_link = self.base_url + request.path
            if request.query_string:
                self_link += '?' + request.query_string
            body['links'] = {'self': self_link, 'previous': None,
                             'next': None}
        elif links:
            body[spec.key + '_links'] = links
        return _Reply(200, body)

    def _show(self, request, spec, item):
        for record in self._records(request, spec):
            if str(record.get('id')) == item:
                return _Reply(200, {spec.singular: self._project_fields(
                    request, spec, record)})
        raise self._not_found(spec, item)

    @staticmethod
    def _project_fields(request, spec, record):
        fields = request.params('fields')
        if spec.service != 'network' or not fields:
            return record
        return {k: v for k, v in record.items() if k in fields}

    def _not_found(self, spec, item):
        if spec.service == 'identity':
            message = 'Could not find %s: %s.' % (spec.singular, item)
        elif spec.name == 'os-services' and spec.service == 'compute':
            message = None
        else:
            message = '%s %s could not be found.' % (spec.label, item)
        return _error(spec.service, 404, message)

    def _limit(self, request, spec):
        raw = request.param('limit')
        if raw is None:
            return None
        try:
            limit = int(raw)
            if limit < 0:
                raise ValueError(raw)
        except ValueError:
            raise _error(spec.service, 400, (
                "Invalid input for query parameters limit. Value: %s. '%s' "
                "does not match '^[0-9]*$'") % (raw, raw))
        return limit

    def _paginate(self, request, spec, records):
        """One page of ``records`` and its links, as the service pages."""
        if spec.paging is None:
            return records, None
        limit = self._limit(request, spec)
        if spec.paging == 'neutron' and not limit:
            return records, None
        limit = min(limit or self.page_size, self.page_size)
        marker = request.param('marker')
        start = 0
        if marker is not None:
            ids = [str(r.get('id')) for r in records]
            if marker not in ids:
                raise self._marker_not_found(spec, marker)
            start = ids.index(marker) + 1
        page = records[start:start + limit]
        links = []
        if page and len(page) == limit:
            links.append({'href': self._page_link(request, spec,
                                                  page[-1]['id']),
                          'rel': 'next'})
        if spec.paging == 'neutron':
            links.append({'href': self._page_link(
                request, spec, page[0]['id'] if page else None,
                page_reverse=True), 'rel': 'previous'})
        return page, links

    def _marker_not_found(self, spec, marker):
        if spec.service == 'compute':
            return _error('compute', 400, 'marker [%s] not found' % marker)
        if spec.service == 'block-storage':
            return _error(spec.service, 404,
                          'Marker %s could not be found.' % marker)
        return self._not_found(spec, marker)

    def _page_link(self, request, spec, marker, page_reverse=False):
        params = [(k, v) for k, v in request.query if k != 'marker']
        if spec.service == 'compute':
            # nova sorts the parameters of its next links.
            params = sorted(params)
        if page_reverse:
            params = [(k, v) for k, v in params if k != 'page_reverse']
            params.append(('page_reverse', 'True'))
        if marker is not None:
            params.append(('marker', marker))
        path = request.path
        if spec.service == 'block-storage':
            # cinder's links name the project, in the URL asked or not.
            path = '/volume/v3/%s%s' % (self.project_id, re.sub(
                r'^/volume/v3(?:/[0-9a-f]{32})?', '', path))
        return '%s%s?%s' % (self.base_url, path,
                            urllib.parse.urlencode(params))
