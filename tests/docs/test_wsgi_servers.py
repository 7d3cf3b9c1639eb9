"""etc/gunicorn.conf.py and etc/uwsgi.ini serve the API as they are shipped
(only the listening address is changed, to a free port)."""

import configparser
import os
import re

import pytest
import requests

from tests.conftest import require_service
from tests.docs.conftest import BIN, ROOT, running, sqlite_config
from tests.servers import free_port

GUNICORN_CONF = os.path.join(ROOT, 'etc', 'gunicorn.conf.py')
UWSGI_INI = os.path.join(ROOT, 'etc', 'uwsgi.ini')
APP = 'zaqar.transport.wsgi.app:application'
HEADERS = {'Client-ID': '3381af92-2b9e-11e3-b191-71861300734c', 'X-Project-ID': 'ops'}


def _gunicorn(state, port):
    return [os.path.join(BIN, 'gunicorn'), '-c', GUNICORN_CONF,
            '--bind', f'127.0.0.1:{port}', '--workers', '2']


def _uwsgi(state, port):
    binary = os.path.join(BIN, 'uwsgi')
    if not os.path.exists(binary):
        require_service('uwsgi', f'{binary} is not installed (pip install uWSGI)')
    with open(UWSGI_INI) as stream:
        ini, count = re.subn(r'(?m)^http-socket = .*$', f'http-socket = 127.0.0.1:{port}',
                             stream.read())
    assert count == 1
    path = state / 'uwsgi.ini'
    path.write_text(ini.replace('processes = 4', 'processes = 2'))
    return [binary, '--ini', str(path)]


@pytest.mark.parametrize('command', [_gunicorn, _uwsgi], ids=['gunicorn', 'uwsgi'])
def test_serves_the_api_from_zaqar_config_file(tmp_path, command):
    port = free_port()
    url = f'http://127.0.0.1:{port}'
    env = {'ZAQAR_CONFIG_FILE': str(sqlite_config(tmp_path))}
    with running(command(tmp_path, port), tmp_path, url, env):
        versions = requests.get(url + '/', timeout=10)
        assert versions.status_code == 300
        assert versions.json()['versions'][0]['links'] == [{'href': '/v2/', 'rel': 'self'}]
        created = requests.put(url + '/v2/queues/q', headers=HEADERS, timeout=10)
        assert created.status_code == 201
        assert created.content == b''
        again = requests.put(url + '/v2/queues/q', headers=HEADERS, timeout=10)
        assert again.status_code == 204
    # The store named by ZAQAR_CONFIG_FILE is the one written.
    assert (tmp_path / 'zaqar.sqlite').exists()


def test_uwsgi_ini_names_the_app_once():
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.read(UWSGI_INI)
    assert parser['uwsgi']['module'] == APP
    assert parser['uwsgi']['http-socket'] == '127.0.0.1:8888'


def test_gunicorn_conf_names_the_app():
    settings = {}
    with open(GUNICORN_CONF) as stream:
        exec(compile(stream.read(), GUNICORN_CONF, 'exec'), settings)  # noqa: S102
    assert settings['wsgi_app'] == APP
    assert settings['worker_class'] == 'zaqar.transport.wsgi.server.Worker'
