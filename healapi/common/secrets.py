"""Which datasource config values are secrets, and how they are shown.

Secrets are write-only: the API shows ``HIDDEN`` in their place, at any
depth of the config, and a ``HIDDEN`` sent back on update keeps the stored
value, so a client can round-trip a datasource it read.
"""

import re

HIDDEN = '<hidden>'

_SECRET_KEY = re.compile(r'password|secret|token|credential|api_key|'
                         r'private_key', re.IGNORECASE)


def is_secret(key):
    return bool(_SECRET_KEY.search(key))


def masked(value):
    """``value`` with the value of every secret key replaced by ``HIDDEN``.

    Nested objects and lists are masked too.
    """
    if isinstance(value, dict):
        return {key: HIDDEN if is_secret(key) else masked(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


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
