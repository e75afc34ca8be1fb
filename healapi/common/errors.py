"""Describing errors in one line, and never with a credential in it."""

import re

#: The user:password@ of a URL.
_USERINFO = re.compile(r'(?<=://)[^/@\s]*@')
#: password=... in a connection string or a query.
_PASSWORD = re.compile(r'(?i)(password\s*=\s*)[^\s&;,]+')


def brief(error):
    """The first line of an error's text (a database error's runs on with
    the statement and a link), or its class name when it has none."""
    return (str(error).splitlines() or [type(error).__name__])[0]


def without_credentials(text):
    """``text`` without URL userinfo (``user:password@``) or
    ``password=...`` settings."""
    return _PASSWORD.sub(r'\1***', _USERINFO.sub('', str(text)))


def cause(error):
    """Why an operation failed, briefly: the operating system's word for it
    (``connection refused``) if a cause of ``error`` has one, else the
    error's class name. Never the error's own text, which may name a URL."""
    found = error
    for _ in range(10):
        if found is None:
            break
        if isinstance(found, OSError) and found.strerror:
            return found.strerror.lower()
        nested = [arg for arg in found.args if isinstance(arg, BaseException)]
        reason = getattr(found, 'reason', None)
        found = (reason if isinstance(reason, BaseException) else
                 nested[0] if nested else found.__cause__ or found.__context__)
    return type(error).__name__
