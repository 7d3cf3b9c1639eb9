"""Redis goes away and comes back, through the real WSGI app.

While the server is down every request answers 503 with a description
(never 500) and fails within seconds, bounded by max_reconnect_attempts x
reconnect_sleep; once a server listens on the port again the same app
serves requests again, without being rebuilt.
"""

import signal
import time

import pytest

from tests import outage
from tests.redis.servers import api_on, free_port
from zaqar import conf as zconf
from zaqar.conf import redis as redis_conf

ATTEMPTS, SLEEP = 2, 0.2
# Each connect is refused at once on loopback: a request while down takes
# about ATTEMPTS * SLEEP seconds; allow generous slack on a loaded machine.
FAST = ATTEMPTS * SLEEP + 2.0


def _app(port):
    return api_on(port, max_reconnect_attempts=ATTEMPTS, reconnect_sleep=SLEEP)


def test_redis_going_away_and_coming_back(redis_server):
    processes, port = redis_server
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
