"""healapi's oslo.middleware healthcheck plugins and its /healthcheck
endpoints (see :mod:`.endpoints`)."""
