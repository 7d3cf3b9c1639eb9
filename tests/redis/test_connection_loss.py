"""Redis goes away and comes back, through the real WSGI app.

While the server is down every request answers 503 with a description
(never 500) and fails within seconds, bounded by max_reconnect_attempts x
reconnect_sleep; once a server listens on the port again the same app
serves requests again, without being rebuilt.
"""

import signal
import time
import uuid

import pytest
import webtest

from tests import outage
from tests.api.helpers import Api
from tests.redis.servers import Processes, free_port
from zaqar import conf as zconf
from zaqar.conf import redis as redis_conf
from zaqar.transport.wsgi import app as wsgi_app

ATTEMPTS, SLEEP = 2, 0.2
# Each connect is refused at once on loopback: a request while down takes
# about ATTEMPTS * SLEEP seconds; allow generous slack on a loaded machine.
FAST = ATTEMPTS * SLEEP + 2.0


@pytest.fixture
def server(tmp_path):
    processes = Processes(tmp_path)
    port = free_port()
    try:
        processes.start(port)
        yield processes, port
    finally:
        processes.stop_all()


def _app(port):
    conf = zconf.new(args=[])
    conf.set_override('message_store', 'redis', group='drivers')
    conf.set_override('uri', f'redis://127.0.0.1:{port}?prefix=t_{uuid.uuid4().hex}',
                      group=redis_conf.MESSAGE_GROUP)
    conf.set_override('max_reconnect_attempts', ATTEMPTS, group=redis_conf.MESSAGE_GROUP)
    conf.set_override('reconnect_sleep', SLEEP, group=redis_conf.MESSAGE_GROUP)
    return Api(webtest.TestApp(wsgi_app.build(conf)))


def test_redis_going_away_and_coming_back(server):
    processes, port = server
    api = _app(port)
    api.create_queue('q')
    assert outage.serving(api) == ['x']

    processes.stop(port, signal.SIGTERM)
    outage.unavailable(api, FAST)

    processes.start(port)  # empty: the server kept nothing (--save '')
    outage.back(api)


@pytest.mark.parametrize('uri', [
    'redis://127.0.0.1:{p}',
    'redis://127.0.0.1:{p},127.0.0.1:{q}?master=m',
], ids=['server', 'sentinel'])
def test_nothing_listening_fails_fast(uri):
    """Bounded by max_reconnect_attempts x reconnect_sleep, with Sentinel too
    (there each attempt asks every sentinel for the master)."""
    from zaqar.storage import errors
    from zaqar.storage.redis import driver as redis_driver

    conf = zconf.new(args=[])
    conf.set_override('uri', uri.format(p=free_port(), q=free_port()),
                      group=redis_conf.MESSAGE_GROUP)
    conf.set_override('max_reconnect_attempts', 3, group=redis_conf.MESSAGE_GROUP)
    conf.set_override('reconnect_sleep', 0.2, group=redis_conf.MESSAGE_GROUP)
    driver = redis_driver.DataDriver(conf)
    started = time.monotonic()
    with pytest.raises(errors.ConnectionError):
        driver.message_controller.post('q', [{'ttl': 60, 'body': 1, 'delay': 0}],
                                       None, 'p')
    took = time.monotonic() - started
    assert 3 * 0.2 * 0.9 < took < 3 * 0.2 + 1.0, took
    assert not driver.is_alive()
