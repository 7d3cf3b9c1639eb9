"""Bind the storage contract suite to every backend.

The backends and their servers are registered in tests/backends.py; every
test in tests/storage runs against each of them.

Tests share a backend's database, so each test works in its own project
(a fresh uuid) and nothing ever wipes shared state.
"""

import uuid

import pytest

from tests.backends import BACKENDS
from tests.storage.helpers import CLIENT, build_driver


@pytest.fixture(params=sorted(BACKENDS))
def backend(request):
    return BACKENDS[request.param](request)


@pytest.fixture
def driver(backend):
    driver = build_driver(backend)
    yield driver
    driver.close()


# -- per-test names and shortcuts -------------------------------------------

@pytest.fixture
def project():
    return uuid.uuid4().hex


@pytest.fixture
def other_project():
    return uuid.uuid4().hex


@pytest.fixture
def queues(driver):
    return driver.queue_controller


@pytest.fixture
def messages(driver):
    return driver.message_controller


@pytest.fixture
def claims(driver):
    return driver.claim_controller


@pytest.fixture
def post(messages, project):
    """post(n, queue='q', ttl=60, ...) -> ids: post n messages {'n': i}."""

    def post(n, queue='q', ttl=60, delay=0, client=CLIENT, project=project,
             start=0):
        batch = [{'ttl': ttl, 'body': {'n': start + i}, 'delay': delay}
                 for i in range(n)]
        return messages.post(queue, batch, client, project)

    return post



@pytest.fixture
def subscriptions(driver):
    return driver.subscription_controller
