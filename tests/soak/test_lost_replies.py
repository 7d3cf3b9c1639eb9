"""A post whose reply the network loses is stored once at most, and fails.

The store carries the post out, but its reply never arrives: the proxy
swallows it, then resets the connection. The driver must answer
ConnectionError (the API's 503: the client does not know whether the
message was stored, which at-least-once allows) and must not send the
post again by itself, which would store the message twice under one
acknowledgement. The Redis driver did that until its retries were limited
to failed connects (the soak test found it).
"""

import threading
import uuid

import pytest

from tests.backends import BACKENDS
from tests.servers import wait_until
from tests.soak.cluster import Network
from tests.storage.helpers import CLIENT, build_driver
from zaqar.storage import errors

NETWORK_STORES = ('mongodb', 'mysql', 'postgresql', 'redis')


def _post(driver, project, body):
    return driver.message_controller.post('q', [{'ttl': 60, 'body': body, 'delay': 0}],
                                          CLIENT, project)


@pytest.mark.parametrize('name', NETWORK_STORES)
def test_post_with_lost_reply_is_not_sent_twice(name, request):
    network = Network(BACKENDS[name](request))
    driver = build_driver(network.backend)
    project = f'lost-{uuid.uuid4().hex[:8]}'
    try:
        outcome, ready, go = {}, threading.Event(), threading.Event()

        def post():
            # The first post opens the connections (of this thread, where a
            # driver keeps one per thread), tables and scripts in place.
            _post(driver, project, 'before')
            ready.set()
            go.wait(30)
            try:
                outcome['ids'] = _post(driver, project, 'lost')
            except errors.ConnectionError as exc:
                outcome['error'] = exc

        poster = threading.Thread(target=post)
        poster.start()
        assert ready.wait(30), 'the first post did not return'
        for proxy in network.proxies:
            proxy.mute()
        go.set()
        wait_until(lambda: any(p.muted for p in network.proxies), 10,
                   what='the store to answer the post')
        for proxy in network.proxies:
            proxy.cut()
            proxy.restore()
        poster.join(30)
        assert not poster.is_alive(), 'the post hangs after its connection was reset'

        stored = [m['body'] for m in driver.message_controller.list(
            'q', project, limit=20, echo=True, include_claimed=True).items]
        assert stored.count('before') == 1
        assert stored.count('lost') <= 1, stored
        assert isinstance(outcome.get('error'), errors.ConnectionError), outcome
    finally:
        driver.close()
        network.close()
