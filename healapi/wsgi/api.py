"""The API as a WSGI ``application``, for gunicorn, uWSGI or mod_wsgi.

    gunicorn healapi.wsgi.api:application

The configuration file is ``$HEALAPI_CONFIG_FILE`` when set, otherwise the
usual ``/etc/healapi/healapi.conf``. The server's own command line is never
parsed as healapi's (gunicorn's ``--bind`` would be refused by oslo.config).
"""

import os

from healapi.api import app
from healapi.common import service

CONFIG_FILE_ENV = 'HEALAPI_CONFIG_FILE'


def init_application():
    """Configure healapi and build the API's WSGI application."""
    config_file = os.environ.get(CONFIG_FILE_ENV)
    service.prepare_service(
        [], default_config_files=[config_file] if config_file else None)
    return app.build_wsgi_app()


application = init_application()
