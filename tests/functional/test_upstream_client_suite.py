"""python-zaqarclient's own functional test classes, aimed at our server.

The client package ships them (zaqarclient.tests.queues); api-v2.md 15.6
calls them the simplest black-box check of an independent server. They are
imported and pointed at a real zaqar-server process, not copied.
"""

import pytest
from zaqarclient.tests import base as client_base
from zaqarclient.tests.queues import claims, queues, subscriptions
from zaqarclient.transport import http


@pytest.fixture(autouse=True, scope='class')
def _aim_at_server(request, default_server_url):
    enabled = client_base._RUN_FUNCTIONAL
    client_base._RUN_FUNCTIONAL = True
    request.cls.url = default_server_url
    yield
    client_base._RUN_FUNCTIONAL = enabled


class TestUpstreamQueues(queues.QueuesV2QueueFunctionalTest):
    transport_cls = http.HttpTransport
    is_functional = True

    # Left out, each for a stated reason (None removes an inherited test):
    # stale against every current server: they expect the reserved
    # metadata without _enable_encrypt_messages (api-v2.md 15.6), and an
    # InvalidOperation that client 4.x no longer raises for HEAD;
    test_queue_metadata_functional = None
    test_queue_metadata_reload_functional = None
    test_queue_exists_functional = None


class TestUpstreamClaims(claims.QueuesV2ClaimFunctionalTest):
    transport_cls = http.HttpTransport
    is_functional = True


class TestUpstreamSubscriptions(subscriptions.QueuesV2SubscriptionFunctionalTest):
    transport_cls = http.HttpTransport
    is_functional = True
