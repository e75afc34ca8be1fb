"""The API served by healapi-api and by gunicorn, as deployed."""

import os

import requests

from healapi.db import migration
from tests.functional.commands.conftest import command
from tests.functional.commands.conftest import free_port
from tests.functional.commands.conftest import run

ETC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'etc',
                   'healapi')


def _noauth_conf(config_file, tmp_path, **api):
    return config_file({
        'DEFAULT': {'state_path': str(tmp_path / 'state')},
        'api': dict(auth_strategy='noauth', **api)})


def test_development_server_serves_the_api(config_file, server, tmp_path):
    port = free_port()
    conf = _noauth_conf(config_file, tmp_path, port=port)
    run(command('healapi-manage'), '--config-file', conf, 'db', 'upgrade')

    url = server([command('healapi-api'), '--config-file', conf], port)
    created = requests.post(url + '/v1/datasources',
                            json={'name': 'monitoring', 'driver': 'push'})
    listed = requests.get(url + '/v1/datasources')

    assert created.status_code == 201
    assert listed.json()['datasources'][0]['name'] == 'monitoring'
    assert 'X-OpenStack-Request-Id' in listed.headers


def test_development_server_refuses_noauth_off_loopback(config_file,
                                                        tmp_path):
    conf = _noauth_conf(config_file, tmp_path, host='0.0.0.0')

    result = run(command('healapi-api'), '--config-file', conf)

    assert result.returncode != 0
    assert 'refusing to serve auth_strategy=noauth on 0.0.0.0' in \
        result.stderr


def test_gunicorn_serves_the_wsgi_application(config_file, server, tmp_path):
    # gunicorn's own --bind must not reach oslo.config (see PITFALLS).
    port = free_port()
    conf = _noauth_conf(config_file, tmp_path)
    run(command('healapi-manage'), '--config-file', conf, 'db', 'upgrade')

    url = server([command('gunicorn'), '-c',
                  os.path.join(ETC, 'gunicorn.conf.py'),
                  '--bind', '127.0.0.1:%d' % port, '--workers', '2'],
                 port, env={'HEALAPI_CONFIG_FILE': conf})
    created = requests.post(url + '/v1/policies', json={
        'name': 'vm_health',
        'rules': [{'rule': 'error(vm) :- nova:servers(vm, "ERROR")'}]})
    shown = [requests.get(created.headers['Location']) for _ in range(4)]

    assert created.status_code == 201
    assert all(r.json()['name'] == 'vm_health' for r in shown)
    assert requests.get(url + '/v1/nothing').json()['errors'][0][
        'status'] == 404


def test_upgraded_state_path_holds_the_embedded_database(config_file,
                                                         tmp_path):
    conf = _noauth_conf(config_file, tmp_path)

    result = run(command('healapi-manage'), '--config-file', conf,
                 'db', 'upgrade')

    assert result.returncode == 0, result.stderr
    assert (tmp_path / 'state' / 'healapi.sqlite').exists()
    assert migration.head() in result.stdout
