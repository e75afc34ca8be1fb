"""Create tools/quickstart.sh's demo objects and print what to try.

Run by quickstart.sh once the API has started; safe to run again (existing
demo objects are reused).
"""

import json
import sys
import time
import urllib.error
import urllib.request

DATASOURCE = {'name': 'monitoring', 'driver': 'push',
              'description': 'Rows pushed by a monitoring system',
              'config': {'api_token': 'not-a-real-secret'}}
POLICY = {
    'name': 'vm_health',
    'description': 'Servers a monitoring system reports down',
    'severity': 'high',
    'rules': [{'name': 'down_servers',
               'rule': 'error(vm) :- monitoring:vm_status(id=vm, '
                       'status="down"), not exempt(vm)'}],
}


def call(method, url, body=None):
    request = urllib.request.Request(
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
    print("""
healapi is running at {base} (noauth: every request is an admin).
Demo datasource "monitoring" {ds} and policy "vm_health" {p}.

Try:
  curl -s {base}/ | python3 -m json.tool                 # versions
  curl -s -X POST {base}/v1/datasources -H 'Content-Type: application/json' \\
       -d '{{"name": "nova", "driver": "push", "config": {{"password": "x"}}}}'
  curl -s -X POST {base}/v1/policies -H 'Content-Type: application/json' \\
       -d '{{"name": "zombies", "rules": [{{"rule": "error(vm) :- nova:servers(id=vm, status=\\"ERROR\\")"}}]}}'
  curl -s '{base}/v1/policies?limit=1&sort=name:desc'  # follow links[rel=next]
  curl -s {base}/v1/datasources/{ds}               # config password: <hidden>
  curl -si {base}/v1/policies/{p}/status           # note the ETag
  curl -si {base}/v1/policies/{p}/status -H 'If-None-Match: <that ETag>'  # 304
  curl -s -X POST {base}/v1/policies/{p}/rules -H 'Content-Type: application/json' \\
       -d '{{"rule": "exempt(vm) :- monitoring:maintenance(id=vm)"}}'

Errors, all in the API-SIG format:
  curl -s {base}/v1/nowhere                                      # 404
  curl -s -X DELETE {base}/v1/policies                           # 405
  curl -s -X POST {base}/v1/policies -H 'Content-Type: application/json' \\
       -d '{{"name": "vm_health", "rules": []}}'                   # 409
  curl -s -X POST {base}/v1/policies -H 'Content-Type: application/json' \\
       -d '{{"name": "x", "colour": "red"}}'                        # 400
  curl -s '{base}/v1/policies?sort=colour:asc'                   # 400
  head -c 200000 /dev/zero | tr '\\0' a | curl -s -X POST \\
       {base}/v1/policies -H 'Content-Type: application/json' --data-binary @-  # 413

Ctrl-C stops the API.
""".format(base=base, ds=datasource['id'], p=policy['id']))


if __name__ == '__main__':
    main()
