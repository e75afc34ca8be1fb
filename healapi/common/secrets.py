"""Which datasource config values are secrets, and how they are shown.

Secrets are write-only: the API shows ``HIDDEN`` in their place, and a
``HIDDEN`` sent back on update keeps the stored value, so a client can
round-trip a datasource it read.
"""

import re

HIDDEN = '<hidden>'

_SECRET_KEY = re.compile(r'password|secret|token|credential|api_key|'
                         r'private_key', re.IGNORECASE)


def is_secret(key):
    return bool(_SECRET_KEY.search(key))


def masked(config):
    """``config`` with every secret value replaced by ``HIDDEN``."""
    return {key: HIDDEN if is_secret(key) else value
            for key, value in config.items()}


def merged(new_config, stored_config):
    """``new_config`` with ``HIDDEN`` secrets taken from ``stored_config``.

    Raises KeyError naming a secret sent as ``HIDDEN`` that isn't stored.
    """
    result = dict(new_config)
    for key, value in new_config.items():
        if value == HIDDEN and is_secret(key):
            result[key] = stored_config[key]
    return result
