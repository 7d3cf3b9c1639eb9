"""MongoDB goes away and comes back, through the real WSGI app.

While the server is down every request answers 503 with a description
(never 500) and fails within seconds, bounded by the server selection
timeout and max_reconnect_attempts x reconnect_sleep (doubling); once a
server listens on the port again the same app serves requests again,
without being rebuilt.

The server is mongoeco with an in-memory engine: restarted, it is empty,
as a restarted redis-server without persistence is in tests/redis. A real
mongod would come back with its data; the driver assumes nothing either
way (the queue is created again by the post, as any first post does).
"""

import signal
import time
import uuid

import pytest
import webtest

from tests import outage
from tests.api.helpers import Api
from tests.mongodb.servers import Mongoeco, url
from tests.servers import free_port
from zaqar import conf as zconf
from zaqar.conf import mongodb as mongodb_conf
from zaqar.storage import errors
from zaqar.storage.mongodb import driver as mongodb_driver
from zaqar.transport.wsgi import app as wsgi_app

ATTEMPTS, SLEEP, SELECTION_MS = 2, 0.2, 200
# Each attempt waits for a server for SELECTION_MS, but at least until
# pymongo has checked the server again (it does so at most every 500 ms,
# its minHeartbeatFrequencyMS); between attempts it sleeps SLEEP, 2 x
# SLEEP, ...: about 2.1 s in all. Allow generous slack on a loaded machine.
SLEEPS = SLEEP * (2 ** ATTEMPTS - 1)
LEAST = (ATTEMPTS + 1) * SELECTION_MS / 1000 + SLEEPS
BOUND = (ATTEMPTS + 1) * max(SELECTION_MS / 1000, 0.5) + SLEEPS
FAST = BOUND + 2.0


@pytest.fixture
def server(tmp_path):
    processes = Mongoeco(tmp_path)
    try:
        yield processes, processes.start()
    finally:
        processes.stop_all()


def _conf(uri):
    conf = zconf.new(args=[])
    conf.set_override('unreliable', True)
    conf.set_override('message_store', 'mongodb', group='drivers')
    group = mongodb_conf.MESSAGE_GROUP
    conf.set_override('uri', uri, group=group)
    conf.set_override('database', f't_{uuid.uuid4().hex}', group=group)
    conf.set_override('max_reconnect_attempts', ATTEMPTS, group=group)
    conf.set_override('reconnect_sleep', SLEEP, group=group)
    return conf


def _uri(port):
    return f'{url(port)}&serverSelectionTimeoutMS={SELECTION_MS}'


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGKILL], ids=['stopped', 'killed'])
def test_mongodb_going_away_and_coming_back(server, sig):
    processes, port = server
    api = Api(webtest.TestApp(wsgi_app.build(_conf(_uri(port)))))
    api.create_queue('q')
    assert outage.serving(api) == ['x']

    processes.stop(port, sig)
    outage.unavailable(api, FAST)
    assert api.get('/v2/ping').status_int == 503

    processes.start(port)  # empty: the in-memory engine kept nothing
    assert api.get('/v2/ping').status_int == 204
    outage.back(api)


def test_nothing_listening_fails_fast():
    """Bounded by the selection timeout and the retries (doubling sleeps)."""
    driver = mongodb_driver.DataDriver(_conf(_uri(free_port())))
    started = time.monotonic()
    with pytest.raises(errors.ConnectionError):
        driver.message_controller.post('q', [{'ttl': 60, 'body': 1, 'delay': 0}],
                                       None, 'p')
    took = time.monotonic() - started
    assert LEAST < took < BOUND + 1.0, took
    assert not driver.is_alive()
    driver.close()
