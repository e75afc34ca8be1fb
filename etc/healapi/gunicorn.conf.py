"""A starting point for serving healapi's API with gunicorn.

    HEALAPI_CONFIG_FILE=/etc/healapi/healapi.conf \
        gunicorn -c /etc/healapi/gunicorn.conf.py

Settings here, not gunicorn's command line, keep a deployment reproducible.
healapi reads its own configuration from HEALAPI_CONFIG_FILE (default
/etc/healapi/healapi.conf), never from gunicorn's arguments.
"""

wsgi_app = 'healapi.wsgi.api:application'

# Behind a TLS-terminating proxy, keep the API on loopback or a private
# network, and enable [oslo_middleware]/enable_proxy_headers_parsing.
bind = ['127.0.0.1:8779']

# Requests spend most of their time waiting on the database: a few threads
# per worker, and about one worker per core.
workers = 2
worker_class = 'gthread'
threads = 4
timeout = 60
graceful_timeout = 30
keepalive = 5

# Load the application in each worker, after the fork, so no database
# connection is shared between processes.
preload_app = False

accesslog = '-'
errorlog = '-'
access_log_format = ('%(h)s "%(r)s" %(s)s %(b)s %(D)sus '
                     'req=%({x-openstack-request-id}o)s')

# gunicorn 27 puts every server's control socket at one path under $HOME
# (or $XDG_RUNTIME_DIR); several servers on one host would fight over it.
control_socket_disable = True
