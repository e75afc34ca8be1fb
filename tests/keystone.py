"""A real Keystone on loopback, so tests can send healapi real tokens.

Keystone is installed once into a venv of its own (its requirements are not
healapi's): ``HEALAPI_TEST_KEYSTONE_VENV``, by default ``.keystone-venv`` at
the top of the repository. Where it can't be installed (no network) the
tests needing it are skipped, unless backends are required (see
:mod:`tests.backends`).

Each test session bootstraps a new Keystone (SQLite, fernet tokens) in a
temporary directory, serves it with gunicorn on a free loopback port and
creates the users of :data:`PERSONAS`.
"""

import datetime
import grp
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

from keystoneauth1 import loading
from keystonemiddleware import auth_token
from oslo_utils import timeutils
import requests

from tests import backends

KEYSTONE_VERSION = '30.0.0'
REQUIREMENTS = ['keystone==' + KEYSTONE_VERSION, 'gunicorn==27.0.1']
VENV_ENV = 'HEALAPI_TEST_KEYSTONE_VENV'
DEFAULT_VENV = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    '.keystone-venv')

#: Each persona is a user of that name with one role on one project. Roles
#: imply others as Keystone's bootstrap defines them (admin -> manager ->
#: member -> reader), and tokens carry the implied roles too.
PERSONAS = {
    'admin': ('admin', 'admin'),
    'member': ('project-a', 'member'),
    'reader': ('project-a', 'reader'),
    'other_project': ('project-b', 'member'),
    # A consumer service, reading violation status.
    'service': ('service', 'service'),
    # healapi's own service user: keystonemiddleware validates tokens as it
    # (Keystone's identity:validate_token allows role:service).
    'healapi': ('service', 'service'),
}

#: How long keystonemiddleware trusts a token it validated, in seconds:
#: short, so that tests see a revocation soon.
TOKEN_CACHE_TIME = 1

_AUTHTOKEN = 'keystone_authtoken'

#: token() issues a new token when the cached one has less time left.
_REISSUE_BEFORE = datetime.timedelta(minutes=5)

_KEYSTONE_CONF = """\
[database]
connection = sqlite:///{dir}/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = {dir}/fernet-keys
[fernet_receipts]
key_repository = {dir}/fernet-keys
[credential]
key_repository = {dir}/credential-keys
[identity]
# The fewest bcrypt allows: each password check is then ~1 ms, not ~250.
password_hash_rounds = 4
"""


def _plugin_opts():
    """The options of the auth plugin keystonemiddleware authenticates with."""
    return loading.get_auth_plugin_conf_options('password')


def _tail(text, lines=40):
    return '\n'.join(text.splitlines()[-lines:])


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


class KeystoneServer:
    """Keystone bootstrapped with :data:`PERSONAS`: start(), then stop().

    ``url`` is its identity endpoint (``http://127.0.0.1:PORT/v3``).
    """

    def __init__(self, venv=None):
        self.venv = venv or os.environ.get(VENV_ENV) or DEFAULT_VENV
        self.url = None
        self._dir = None
        self._server = None
        self._passwords = {name: uuid.uuid4().hex for name in PERSONAS}
        self._project_ids = {}
        self._user_ids = {}
        self._tokens = {}

    def start(self):
        self._install()
        self._dir = tempfile.mkdtemp(prefix='healapi-keystone-')
        # gunicorn serves this socket (bind = fd://N): no other process can
        # take the port between choosing it and listening on it.
        listener = socket.create_server(('127.0.0.1', 0))
        with listener:
            self.url = 'http://127.0.0.1:%d/v3' % listener.getsockname()[1]
            self._bootstrap(listener.fileno())
        self._wait_until_up()
        self._create_personas()

    def stop(self):
        if self._server is not None:
            self._server.terminate()
            try:
                self._server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def project_id(self, name):
        return self._project_ids[name]

    def password(self, persona):
        return self._passwords[persona]

    def register_endpoint(self, service_type, url):
        """Make ``url`` the one public endpoint of ``service_type`` in
        region RegionOne of the catalog."""
        token = self.token('admin')
        services = self._call('GET', '/services?type=%s' % service_type,
                              token)['services']
        if services:
            service_id = services[0]['id']
        else:
            service_id = self._call('POST', '/services', token, {
                'service': {'type': service_type,
                            'name': service_type}})['service']['id']
        for endpoint in self._call('GET', '/endpoints?service_id=%s'
                                   % service_id, token)['endpoints']:
            self._call('DELETE', '/endpoints/%s' % endpoint['id'], token)
        self._call('POST', '/endpoints', token, {'endpoint': {
            'service_id': service_id, 'interface': 'public',
            'region_id': 'RegionOne', 'url': url}})

    def token(self, persona):
        """A project-scoped token of ``persona``, reused while it lasts."""
        token_id, expires_at = self._tokens.get(persona, (None, None))
        if token_id is None or expires_at - _utcnow() < _REISSUE_BEFORE:
            token_id, expires_at = self._tokens[persona] = self._issue(persona)
        return token_id

    def issue_token(self, persona):
        """A new project-scoped token of ``persona``."""
        return self._issue(persona)[0]

    def expiring_token(self, persona, seconds):
        """A new token of ``persona`` and its expiry, ``seconds`` from now.

        Keystone's token lifetime is global (``[token] expiration``), but it
        ends a token issued for an application credential when the
        credential expires: so one is created for the purpose.
        """
        expires_at = _utcnow() + datetime.timedelta(seconds=seconds)
        credential = self._call(
            'POST', '/users/%s/application_credentials' % self._user_ids[
                persona], self.issue_token(persona),
            {'application_credential': {
                'name': uuid.uuid4().hex,
                'expires_at': expires_at.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
            }})['application_credential']
        return self._authenticate({
            'identity': {'methods': ['application_credential'],
                         'application_credential': {
                             'id': credential['id'],
                             'secret': credential['secret']}}})

    def revoke(self, token):
        self._request('DELETE', '/auth/tokens', self.token('admin'),
                      headers={'X-Subject-Token': token})
        self._tokens = {persona: cached
                        for persona, cached in self._tokens.items()
                        if cached[0] != token}

    def configure(self, conf):
        """Make healapi's ``conf`` validate tokens against this Keystone."""
        # keystonemiddleware registers these when the pipeline is built;
        # overriding them before needs them registered now.
        for group, opts in auth_token.list_opts():
            conf.register_opts(opts, group=group)
        conf.register_opts(_plugin_opts(), group=_AUTHTOKEN)
        conf.set_override('auth_strategy', 'keystone', group='api')
        for name, value in self.authtoken_options().items():
            conf.set_override(name, value, group=_AUTHTOKEN)

    def authtoken_options(self, token_cache_time=TOKEN_CACHE_TIME):
        """The ``[keystone_authtoken]`` options of healapi's service user
        on this Keystone."""
        return {'www_authenticate_uri': self.url,
                'auth_url': self.url,
                'auth_type': 'password',
                'username': 'healapi',
                'password': self._passwords['healapi'],
                'user_domain_name': 'Default',
                'project_name': PERSONAS['healapi'][0],
                'project_domain_name': 'Default',
                'token_cache_time': token_cache_time}

    def unconfigure(self, conf):
        """Undo configure(), and every other override in ``conf``.

        The password plugin's options would stay registered, ``auth_url`` a
        required one: parsing ``conf`` again, as the next test does, would
        fail.
        """
        conf.reset()
        conf.unregister_opts(_plugin_opts(), group=_AUTHTOKEN)

    def _bin(self, name):
        return os.path.join(self.venv, 'bin', name)

    def _install(self):
        """Install Keystone into its venv, unless a working one is there."""
        # pip installs keystone after its requirements: if keystone is
        # there, they are.
        check = ('import gunicorn, keystone\n'
                 'from importlib import metadata\n'
                 'raise SystemExit(metadata.version("keystone") != %r)'
                 % KEYSTONE_VERSION)
        if (os.path.exists(self._bin('python')) and subprocess.run(
                [self._bin('python'), '-c', check],
                capture_output=True).returncode == 0):
            return
        for command in ([sys.executable, '-m', 'venv', '--clear', self.venv],
                        [self._bin('pip'), 'install'] + REQUIREMENTS):
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode:
                backends.unavailable('Keystone could not be installed into '
                                     '%s:\n%s' % (self.venv, _tail(
                                         done.stdout + done.stderr)))

    def _bootstrap(self, fd):
        """Set up Keystone's database and keys, and start serving it."""
        conf_file = os.path.join(self._dir, 'keystone.conf')
        with open(conf_file, 'w') as f:
            f.write(_KEYSTONE_CONF.format(dir=self._dir))
        owner = ['--keystone-user', pwd.getpwuid(os.getuid()).pw_name,
                 '--keystone-group', grp.getgrgid(os.getgid()).gr_name]
        # Each keystone-manage spends ~2.5 s importing: run side by side what
        # can be.
        self._manage(conf_file, ['db_sync'], ['fernet_setup'] + owner,
                     ['credential_setup'] + owner)
        # gunicorn's worker imports Keystone while its admin is created.
        self._serve(fd)
        self._manage(conf_file, [
            'bootstrap', '--bootstrap-password', self._passwords['admin'],
            '--bootstrap-public-url', self.url + '/',
            '--bootstrap-internal-url', self.url + '/',
            '--bootstrap-admin-url', self.url + '/',
            '--bootstrap-region-id', 'RegionOne'])

    def _manage(self, conf_file, *commands):
        """Run keystone-manage ``commands`` concurrently."""
        running = [(command, subprocess.Popen(
            [self._bin('keystone-manage'), '--config-file', conf_file]
            + command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)) for command in commands]
        for command, process in running:
            output = process.communicate()[0]
            if process.returncode:
                raise RuntimeError('keystone-manage %s failed:\n%s'
                                   % (command[0], _tail(output)))

    def _serve(self, fd):
        # Keystone parses gunicorn's command line as its own: gunicorn takes
        # its settings from gunicorn.conf.py in its working directory.
        settings = {
            'wsgi_app': 'keystone.wsgi.api:application',
            'bind': ['fd://%d' % fd],
            'workers': 1,
            'threads': 2,
            # stop() waits this long for the worker.
            'graceful_timeout': 1,
            # Else every gunicorn of the user shares one socket path.
            'control_socket_disable': True,
        }
        with open(os.path.join(self._dir, 'gunicorn.conf.py'), 'w') as f:
            f.writelines('%s = %r\n' % item for item in settings.items())
        with open(self._log_file(), 'w') as log:
            self._server = subprocess.Popen(
                [self._bin('gunicorn')], cwd=self._dir, pass_fds=[fd],
                env=dict(os.environ, OS_KEYSTONE_CONFIG_DIR=self._dir),
                stdout=log, stderr=subprocess.STDOUT)

    def _log_file(self):
        return os.path.join(self._dir, 'keystone.log')

    def _log_tail(self):
        with open(self._log_file()) as log:
            return _tail(log.read())

    def _wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self._server.poll() is None and time.monotonic() < deadline:
            try:
                if requests.get(self.url, timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError('Keystone at %s did not start:\n%s'
                           % (self.url, self._log_tail()))

    def _create_personas(self):
        token = self.token('admin')
        roles = {role['name']: role['id']
                 for role in self._call('GET', '/roles', token)['roles']}
        (admin,) = self._call('GET', '/users?name=admin', token)['users']
        self._user_ids['admin'] = admin['id']
        (admin_project,) = self._call('GET', '/projects?name=admin',
                                      token)['projects']
        self._project_ids['admin'] = admin_project['id']
        for name, (project, role) in PERSONAS.items():
            if project not in self._project_ids:
                self._project_ids[project] = self._call(
                    'POST', '/projects', token,
                    {'project': {'name': project, 'domain_id': 'default'}},
                )['project']['id']
            if name not in self._user_ids:
                self._user_ids[name] = self._call('POST', '/users', token, {
                    'user': {'name': name, 'domain_id': 'default',
                             'password': self._passwords[name]},
                })['user']['id']
                self._call('PUT', '/projects/%s/users/%s/roles/%s' % (
                    self._project_ids[project], self._user_ids[name],
                    roles[role]), token)

    def _issue(self, persona):
        """(id, expiry) of a new project-scoped token of ``persona``."""
        return self._authenticate({
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': persona, 'domain': {'id': 'default'},
                'password': self._passwords[persona]}}},
            'scope': {'project': {'name': PERSONAS[persona][0],
                                  'domain': {'id': 'default'}}},
        })

    def _authenticate(self, auth):
        """(token id, expiry) of a token issued for ``auth``."""
        response = self._request('POST', '/auth/tokens', None,
                                 {'auth': auth})
        return (response.headers['X-Subject-Token'],
                timeutils.parse_isotime(response.json()['token']['expires_at']))

    def _call(self, method, path, token, body=None):
        response = self._request(method, path, token, body)
        return response.json() if response.content else None

    def _request(self, method, path, token, body=None, headers=()):
        headers = dict(headers)
        if token:
            headers['X-Auth-Token'] = token
        response = requests.request(method, self.url + path, json=body,
                                    headers=headers, timeout=30)
        if not response.ok:
            raise RuntimeError('Keystone: %s %s: %s %s%s' % (
                method, path, response.status_code, response.text,
                '\n' + self._log_tail() if response.status_code >= 500
                else ''))
        return response
