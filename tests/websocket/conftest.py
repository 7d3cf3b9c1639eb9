"""A real WebSocket server per store, in a thread of the test process.

The server (zaqar.transport.websocket.server.Server) runs on an asyncio loop
of its own thread, bound to free loopback ports (port 0), with the same
service a zaqar-server process would build. ``http`` is the WSGI app of
another service instance on the same store: a post through it reaches
subscribed connections as a post from another process would, through the
notifier's webhook to the server's loop-back listener. Each test works in a
project of its own, so nothing is ever wiped.
"""

import asyncio
import threading

import pytest
import webtest

from tests.api.helpers import Api
from tests.backends import BACKENDS
from tests.websocket.client import Caller
from zaqar import bootstrap
from zaqar import conf as zconf
from zaqar.transport.websocket import server as ws_server
from zaqar.transport.wsgi import app as wsgi_app

# Every action on a SQL and a Redis store; the transport is the same code
# on each, and the storage contract suite covers the others.
STORES = ('sqlite', 'redis')
GROUP = 'drivers:transport:websocket'
SIGNING_KEY = 'websocket-signing-key'


class RunningServer:
    """A Server on a loop in a thread; ``url`` is where to connect."""

    def __init__(self, conf):
        conf.set_override('port', 0, group=GROUP)
        self.conf = conf
        self.bootstrap = bootstrap.Bootstrap(conf)
        self.server = ws_server.Server(conf, self.bootstrap.service)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.run(self.server.start())
        self.url = f'ws://127.0.0.1:{self.server.port}'

    def run(self, coroutine, timeout=30):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def stop(self):
        self.run(self.server.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self.bootstrap.service.notifications.stop(5)


def make_conf(backend, tmp_path_factory, config_text=''):
    """The configuration of ``backend``, with ``config_text`` as a zaqar.conf."""
    path = tmp_path_factory.mktemp('conf') / 'zaqar.conf'
    path.write_text(config_text)
    return backend.configure(zconf.new(args=[], config_files=[str(path)]))


@pytest.fixture(scope='session', params=STORES)
def store(request):
    return BACKENDS[request.param](request)


@pytest.fixture(scope='session')
def running(store, tmp_path_factory):
    server = RunningServer(make_conf(store, tmp_path_factory))
    yield server
    server.stop()


@pytest.fixture(scope='session')
def http(store, tmp_path_factory):
    """The WSGI app of another service instance on the same store."""
    return webtest.TestApp(wsgi_app.build(make_conf(store, tmp_path_factory)))


@pytest.fixture
def connect(running):
    """``connect(**kwargs)``: a Caller on the server, closed after the test."""
    made = []

    def make(**kwargs):
        made.append(Caller(running.url, **kwargs))
        return made[-1]

    yield make
    for caller in made:
        caller.close()


@pytest.fixture
def ws(connect):
    """A connected caller with a project of its own."""
    return connect()


@pytest.fixture
def http_api(http, ws):
    """The HTTP API as the same project as ``ws``."""
    return Api(http, project=ws.project)


@pytest.fixture(scope='session')
def secured(request, keystone, tmp_path_factory):
    """A server behind the real Keystone, asking it about every token."""
    authtoken = ''.join(f'{k} = {v}\n' for k, v in keystone.authtoken_options().items())
    text = (f'[DEFAULT]\nauth_strategy = keystone\n[signed_url]\nsecret_key = {SIGNING_KEY}\n'
            f'[keystone_authtoken]\n{authtoken}')
    server = RunningServer(make_conf(BACKENDS['sqlite'](request), tmp_path_factory, text))
    yield server
    server.stop()
