"""Describing errors in one log line."""


def brief(error):
    """The first line of an error's text (a database error's runs on with
    the statement and a link), or its class name when it has none."""
    return (str(error).splitlines() or [type(error).__name__])[0]
