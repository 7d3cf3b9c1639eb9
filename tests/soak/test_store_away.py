"""Requests to a store that is away fail side by side, not one after another.

A server process that has never reached its store (a worker started while
the store was down) gets several requests at once: each must fail after
its own attempts to connect, as fast as one request alone. The MongoDB
driver connected under a lock, so each request waited for all the others'
attempts first (the soak test saw a 503 take 28 s).
"""

import threading
import time
import uuid

import pytest

from tests.backends import BACKENDS
from tests.soak.cluster import FAIL_FAST, Network
from tests.soak.test_lost_replies import NETWORK_STORES
from tests.storage.helpers import CLIENT, build_driver
from zaqar.storage import errors

THREADS = 6


def _failing_post(backend):
    """Seconds a post takes to fail, on a driver that never connected."""
    driver = build_driver(backend)
    try:
        started = time.monotonic()
        with pytest.raises(errors.ConnectionError):
            driver.message_controller.post('q', [{'ttl': 60, 'body': 1, 'delay': 0}],
                                           CLIENT, f'away-{uuid.uuid4().hex[:8]}')
        return time.monotonic() - started
    finally:
        driver.close()


@pytest.mark.parametrize('name', NETWORK_STORES)
def test_requests_fail_side_by_side(name, request):
    network = Network(BACKENDS[name](request))
    backend = network.backend
    fast = type(backend)(backend.entry_point, tuple(
        (group, key, value) for group, options in FAIL_FAST.items()
        for key, value in options.items()) + backend.options)
    try:
        for proxy in network.proxies:
            proxy.refuse()
        alone = _failing_post(fast)

        driver = build_driver(fast)
        took, barrier = [], threading.Barrier(THREADS)

        def post():
            barrier.wait()
            started = time.monotonic()
            try:
                driver.message_controller.post(
                    'q', [{'ttl': 60, 'body': 1, 'delay': 0}], CLIENT, 'away')
            except errors.ConnectionError:
                took.append(time.monotonic() - started)

        threads = [threading.Thread(target=post) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        driver.close()
        assert len(took) == THREADS
        assert max(took) < 2 * alone + 1.0, (alone, sorted(took))
    finally:
        network.close()
