"""Which datasource config values are secrets, how they are shown and how
they are stored.

Secrets are write-only: the API shows ``HIDDEN`` in their place, at any
depth of the config, and a ``HIDDEN`` sent back on update keeps the stored
value, so a client can round-trip a datasource it read.

At rest they are encrypted (:func:`sealed`) with the Fernet keys of
``[datasources]/credential_key_file``; only a driver about to use them
decrypts them (:func:`opened`).
"""

import json
import os
import re
import threading

from cryptography import fernet

from healapi.conf import CONF

HIDDEN = '<hidden>'
#: What starts a sealed (encrypted) value as the database stores it.
SEALED_PREFIX = 'fernet:'

_SECRET_KEY = re.compile(r'password|secret|token|credential|api_key|'
                         r'private_key|authorization', re.IGNORECASE)


def is_secret(key):
    return bool(_SECRET_KEY.search(key))


def masked(config):
    """A datasource ``config`` as the API shows it: the value of every
    secret key, at any depth, replaced by ``HIDDEN``."""
    return _outside_tables(config, lambda value: HIDDEN)


def merged(new, stored):
    """``new`` with each ``HIDDEN`` secret taken from ``stored``.

    Objects are matched by key and lists by position, at any depth. Raises
    KeyError naming a secret sent as ``HIDDEN`` that isn't stored.
    """
    if isinstance(new, dict):
        stored = stored if isinstance(stored, dict) else {}
        result = {}
        for key, item in new.items():
            if item == HIDDEN and is_secret(key):
                if key not in stored or stored[key] == HIDDEN:
                    raise KeyError(key)
                result[key] = stored[key]
            else:
                result[key] = merged(item, stored.get(key))
        return result
    if isinstance(new, list):
        stored = stored if isinstance(stored, list) else []
        return [merged(item, stored[index] if index < len(stored) else None)
                for index, item in enumerate(new)]
    return new


class Unreadable(Exception):
    """A sealed value that none of the configured keys decrypts."""


_keys_lock = threading.Lock()
_keys = {}


def _cipher():
    """The MultiFernet of the key file, created with a new key when it does
    not exist yet (read again when the file changes)."""
    path = CONF.datasources.credential_key_file
    with _keys_lock:
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                                 0o600)
            with os.fdopen(descriptor, 'w') as key_file:
                key_file.write(fernet.Fernet.generate_key().decode() + '\n')
        stamp = (path, os.stat(path).st_mtime_ns)
        if stamp not in _keys:
            with open(path) as key_file:
                keys = [line.strip() for line in key_file if line.strip()]
            if not keys:
                raise Unreadable('the credential key file %s holds no key'
                                 % path)
            _keys.clear()
            _keys[stamp] = fernet.MultiFernet(
                [fernet.Fernet(key) for key in keys])
        return _keys[stamp]


def _transform(value, change):
    """``value`` with ``change`` applied to every value of a secret key."""
    if isinstance(value, dict):
        return {key: change(item) if is_secret(key) and item != HIDDEN
                else _transform(item, change)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_transform(item, change) for item in value]
    return value


def _seal(value):
    if isinstance(value, str) and value.startswith(SEALED_PREFIX):
        return value
    token = _cipher().encrypt(json.dumps(value).encode())
    return SEALED_PREFIX + token.decode()


def _open(value):
    if not (isinstance(value, str) and value.startswith(SEALED_PREFIX)):
        return value
    try:
        plain = _cipher().decrypt(value[len(SEALED_PREFIX):].encode())
    except fernet.InvalidToken:
        raise Unreadable('a secret value of this datasource was encrypted '
                         'with a key that [datasources]/credential_key_file '
                         'no longer holds')
    return json.loads(plain)


def _outside_tables(config, change):
    """:func:`_transform` of a datasource config but for its table
    declarations, which are never secrets (a table may be named like one:
    ``api_tokens``)."""
    result = _transform(config, change)
    if isinstance(config, dict) and 'tables' in config:
        result['tables'] = config['tables']
    return result


def sealed(config):
    """``config`` with every secret value encrypted, as it is stored."""
    return _outside_tables(config, _seal)


def opened(config):
    """A stored ``config`` with its secret values decrypted, for a driver
    to use; raises :class:`Unreadable` if a key is missing. (A value stored
    before encryption existed reads as it is.)"""
    return _outside_tables(config, _open)
