"""Measure what one API request costs in Python, in one process.

    python tools/bench/request_cost.py [--requests N] [--profile SORT]

No server, no network, no load generator: the full API pipeline (noauth)
on an embedded SQLite file, called through webtest. It times, per
request, the violations list (``GET /v1/violations?status=active&limit=50``
over 200 active violations) and the status view of one violation, so a
change to what a request does can be measured without the noise of a
loaded machine (tools/bench/api_load.py measures the deployment).
``--profile cumulative`` (or ``tottime``) then prints cProfile's top
functions for the list.
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

from healapi.conf import CONF  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--requests', type=int, default=500)
    parser.add_argument('--profile', metavar='SORT',
                        choices=('cumulative', 'tottime'))
    args = parser.parse_args()

    CONF([], project='healapi')
    workdir = tempfile.mkdtemp(prefix='healapi-request-cost-')
    CONF.set_override('connection', 'sqlite:///%s/healapi.sqlite' % workdir,
                      group='database')
    CONF.set_override('auth_strategy', 'noauth', group='api')
    # After the configuration: these read it.
    import webtest

    from healapi.api import app
    from healapi.db import migration
    from healapi.db.sqlalchemy import api as sqla_api
    from tests.functional.api import helpers

    migration.upgrade(engine=sqla_api.get_engine())
    api = webtest.TestApp(app.build_wsgi_app())
    policy = helpers.create_policy(api)
    violation_ids = [helpers.insert_violation(policy, ['vm-%d' % number])
                     for number in range(200)]
    paths = {'list': '/v1/violations?status=active&limit=50',
             'status': '/v1/violations/%s/status' % violation_ids[0]}
    if len(api.get(paths['list']).json['violations']) != 50:
        sys.exit('the list page does not hold 50 violations')
    for name, path in paths.items():
        for _ in range(20):
            api.get(path)
        start = time.perf_counter()
        for _ in range(args.requests):
            api.get(path)
        elapsed = time.perf_counter() - start
        print('%-7s %8.3f ms per request (%d requests)'
              % (name, 1000 * elapsed / args.requests, args.requests))
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [api.get(paths['list']) for _ in range(100)])
        pstats.Stats(profile).sort_stats(args.profile).print_stats(40)


if __name__ == '__main__':
    main()
