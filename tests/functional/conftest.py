"""A real zaqar-server process per store, started from its console script."""

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.backends import BACKENDS


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _store_sections(backend):
    sections = {'drivers': {'message_store': backend.entry_point}}
    for group, name, value in backend.options:
        sections.setdefault(group, {})[name] = value
    return ''.join(f'[{group}]\n' + ''.join(f'{k} = {v}\n' for k, v in opts.items())
                   for group, opts in sections.items())


@pytest.fixture(scope='session', params=sorted(BACKENDS))
def server_url(request, tmp_path_factory):
    """A server on each store in turn."""
    backend = BACKENDS[request.param](request)
    yield from _serve(tmp_path_factory, _store_sections(backend))


@pytest.fixture(scope='session')
def default_server_url(tmp_path_factory):
    """A server on its embedded default store (unittest classes cannot be
    parametrised by fixtures)."""
    yield from _serve(tmp_path_factory, '[signed_url]\nsecret_key = client-suite\n')


def _serve(tmp_path_factory, sections, defaults=''):
    state = tmp_path_factory.mktemp('server')
    port = _free_port()
    config = state / 'zaqar.conf'
    config.write_text(
        f'[DEFAULT]\nstate_path = {state}\n{defaults}'
        f'[drivers:transport:wsgi]\nport = {port}\nworkers = 2\n' + sections)
    script = os.path.join(os.path.dirname(sys.executable), 'zaqar-server')
    log = open(state / 'server.log', 'w')
    proc = subprocess.Popen([script, '--config-file', str(config)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        _wait_until_up(url, proc, state / 'server.log')
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


SIGNED_URL_KEY = 'functional-secret'


def _keystone_config(keystone, extra_authtoken=None, policy_file=None):
    """([DEFAULT] lines, other sections) of a server behind ``keystone``."""
    authtoken = {**keystone.authtoken_options(), **(extra_authtoken or {})}
    sections = '[keystone_authtoken]\n' + ''.join(
        f'{name} = {value}\n' for name, value in authtoken.items())
    sections += f'[signed_url]\nsecret_key = {SIGNED_URL_KEY}\n'
    if policy_file:
        sections += f'[oslo_policy]\npolicy_file = {policy_file}\n'
    return 'auth_strategy = keystone\nadmin_mode = true\n', sections


# Keystone decides who the caller is, whatever the store; that each store
# keeps projects apart is tests/api/test_isolation.py's job, on every store.
KEYSTONE_STORES = ('sqlite', 'redis')


@pytest.fixture(scope='session', params=KEYSTONE_STORES)
def keystone_server_url(request, tmp_path_factory, keystone):
    """A server on a SQL and a Redis store in turn, behind the real Keystone."""
    backend = BACKENDS[request.param](request)
    # Validations cached (as with memcached in production): the matrix sends
    # thousands of requests; revocation is tested on uncached_server_url.
    defaults, sections = _keystone_config(keystone, {'token_cache_time': 300})
    yield from _serve(tmp_path_factory, _store_sections(backend) + sections, defaults)


@pytest.fixture(scope='session')
def readonly_server_url(tmp_path_factory, keystone):
    """Behind Keystone, with a policy file that lets readers only read."""
    policy = os.path.join(os.path.dirname(__file__), 'policy-readonly-reader.yaml')
    defaults, sections = _keystone_config(keystone, {'token_cache_time': 300},
                                          policy_file=policy)
    yield from _serve(tmp_path_factory, sections, defaults)


@pytest.fixture(scope='session')
def uncached_server_url(tmp_path_factory, keystone):
    """Behind Keystone, asking it about every token, so that revocation is
    seen at once (authtoken_options() turns keystonemiddleware's cache off)."""
    defaults, sections = _keystone_config(keystone)
    yield from _serve(tmp_path_factory, sections, defaults)


def _wait_until_up(url, proc, log_path):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f'zaqar-server exited:\n{log_path.read_text()}')
        try:
            requests.get(url + '/', timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f'zaqar-server did not start:\n{log_path.read_text()}')
