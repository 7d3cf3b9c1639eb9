"""Servers for the docs' tests: real processes on free loopback ports."""

import contextlib
import dataclasses
import os
import pathlib
import signal
import subprocess
import sys

import pytest
import requests

from tests.servers import free_port, stop, wait_until

BIN = os.path.dirname(sys.executable)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sqlite_config(state, extra=''):
    """A zaqar.conf keeping messages in a SQLite file under ``state``."""
    path = state / 'zaqar.conf'
    path.write_text(f'[DEFAULT]\nstate_path = {state}\n{extra}')
    return path


def _answers(url, proc, log_path):
    if proc.poll() is not None:
        raise RuntimeError(f'{proc.args[0]} exited:\n{log_path.read_text()}')
    try:
        # The first request builds the app: allow it some time.
        return requests.get(url + '/', timeout=10).status_code == 300
    except (requests.ConnectionError, requests.Timeout):
        return False


@contextlib.contextmanager
def running(command, state, url, env=None):
    """Run ``command`` (logging to state/server.log) until ``url`` answers."""
    log_path = state / 'server.log'
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})}, cwd=state)
        try:
            wait_until(lambda: _answers(url, proc, log_path), 60, 0.2,
                       f'{command[0]} to answer at {url}')
            yield proc
        finally:
            stop(proc, signal.SIGTERM)


@dataclasses.dataclass
class Server:
    url: str
    conf: pathlib.Path


def _zaqar_server(tmp_path_factory, defaults=''):
    state = tmp_path_factory.mktemp('zaqar-server')
    port = free_port()
    config = sqlite_config(state, f'admin_mode = true\n{defaults}'
                                  f'[drivers:transport:wsgi]\nport = {port}\n'
                                  '[signed_url]\nsecret_key = docs-examples\n')
    url = f'http://127.0.0.1:{port}'
    with running([os.path.join(BIN, 'zaqar-server'), '--config-file', str(config)],
                 state, url):
        yield Server(url, config)


@pytest.fixture(scope='module')
def zaqar_server(tmp_path_factory):
    """zaqar-server on a tmp SQLite store, with the admin API and pre-signed
    URLs on, as the docs' examples expect."""
    yield from _zaqar_server(tmp_path_factory)


@pytest.fixture(scope='module')
def pooled_server(tmp_path_factory):
    """The same with pooling on, and no pool registered yet."""
    yield from _zaqar_server(tmp_path_factory, 'pooling = true\n')
