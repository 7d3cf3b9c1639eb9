"""zaqar-server processes on loopback for the fuzzer and the limit tests."""

import os

import pytest

from tests.backends import BACKENDS
from tests.docs.conftest import BIN, running
from tests.functional.conftest import _store_sections as store_sections
from tests.servers import free_port

CLIENT_ID = '3381af92-2b9e-11e3-b191-71861300734c'


def serve(tmp_path_factory, backend, defaults='', wsgi=''):
    """Run zaqar-server on ``backend``; yield its URL."""
    state = tmp_path_factory.mktemp('server')
    port = free_port()
    config = state / 'zaqar.conf'
    config.write_text(
        f'[DEFAULT]\nstate_path = {state}\n{defaults}'
        f'[drivers:transport:wsgi]\nport = {port}\n{wsgi}' + store_sections(backend))
    url = f'http://127.0.0.1:{port}'
    with running([os.path.join(BIN, 'zaqar-server'), '--config-file', str(config)],
                 state, url):
        yield url


@pytest.fixture(scope='module')
def limits_server(request, tmp_path_factory):
    """One worker of two threads on SQLite, giving up on a stalled client
    after 1.5 s."""
    backend = BACKENDS['sqlite'](request)
    yield from serve(tmp_path_factory, backend,
                     wsgi='workers = 1\nthreads = 2\nclient_timeout = 1.5\n')
