"""Datasource secrets: hidden from the API, encrypted at rest."""

import os
import stat

from cryptography import fernet
import pytest

from healapi.common import secrets
from healapi.conf import CONF

CONFIG = {'auth_url': 'https://k/v3', 'password': 's3cret',
          'nested': {'api_key': 42}, 'tables': {'api_tokens': ['id']}}


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / 'keys' / 'credential-keys'
    CONF.set_override('credential_key_file', str(path), group='datasources')
    return path


def test_secrets_are_sealed_and_opened(key_file):
    stored = secrets.sealed(CONFIG)

    assert stored['auth_url'] == CONFIG['auth_url']
    assert stored['password'].startswith(secrets.SEALED_PREFIX)
    assert 's3cret' not in stored['password']
    assert stored['nested']['api_key'].startswith(secrets.SEALED_PREFIX)
    # Table declarations are never secrets, whatever their names.
    assert stored['tables'] == CONFIG['tables']
    assert secrets.opened(stored) == CONFIG


def test_sealing_twice_changes_nothing(key_file):
    stored = secrets.sealed(CONFIG)
    assert secrets.sealed(stored) == stored


def test_the_key_file_is_created_readable_by_its_owner_only(key_file):
    secrets.sealed(CONFIG)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_an_old_key_still_opens_what_it_sealed(key_file):
    stored = secrets.sealed(CONFIG)
    old_key = key_file.read_text()
    key_file.write_text(fernet.Fernet.generate_key().decode() + '\n'
                        + old_key)

    assert secrets.opened(stored) == CONFIG
    resealed = secrets.sealed(secrets.opened(stored))
    key_file.write_text(key_file.read_text().splitlines()[0] + '\n')
    assert secrets.opened(resealed) == CONFIG


def test_a_value_sealed_with_a_removed_key_is_unreadable(key_file):
    stored = secrets.sealed(CONFIG)
    key_file.write_text(fernet.Fernet.generate_key().decode() + '\n')

    with pytest.raises(secrets.Unreadable):
        secrets.opened(stored)


def test_secrets_are_masked_at_any_depth():
    assert secrets.masked(CONFIG) == {
        'auth_url': 'https://k/v3', 'password': secrets.HIDDEN,
        'nested': {'api_key': secrets.HIDDEN},
        'tables': {'api_tokens': ['id']}}
