"""Create tools/quickstart.sh's demo objects and print what to try.

Run by quickstart.sh once the API has started; safe to run again (existing
demo objects are reused).
"""

import json
import os
import string
import sys
import time
import urllib.error
import urllib.request

DATASOURCE = {'name': 'monitoring', 'driver': 'push',
              'description': 'Rows pushed by a monitoring system',
              'config': {'api_token': 'not-a-real-secret',
                         'tables': {'vm_status': ['vm', 'status'],
                                    'maintenance': ['vm']}}}
POLICY = {
    'name': 'vm_health',
    'description': 'Servers a monitoring system reports down, unless they '
                   'are in maintenance',
    'severity': 'high',
    'rules': [{'name': 'down_servers',
               'rule': 'error(vm) :- monitoring:vm_status(vm, "down"), '
                       'not monitoring:maintenance(vm)'}],
}


def call(method, url, body=None):
    request = urllib.request.Request(  # noqa: S310 (http URLs only)
        url, method=method, headers={'Content-Type': 'application/json'},
        data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


def wait_until_serving(base, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call('GET', base + '/')
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                sys.exit('healapi-api did not start; see its log')
            time.sleep(0.2)


def ensure(base, collection, body):
    """The demo object named body['name'], created if missing."""
    found = call('GET', '%s/v1/%s?name=%s' % (base, collection, body['name']))
    if found[collection]:
        return found[collection][0]
    return call('POST', '%s/v1/%s' % (base, collection), body)


def main():
    base = sys.argv[1]
    wait_until_serving(base)
    datasource = ensure(base, 'datasources', DATASOURCE)
    policy = ensure(base, 'policies', POLICY)
    with open(os.path.join(os.path.dirname(__file__),
                           'quickstart-try.txt')) as template:
        print(string.Template(template.read()).substitute(
            base=base, ds=datasource['id'], p=policy['id']))


if __name__ == '__main__':
    main()
