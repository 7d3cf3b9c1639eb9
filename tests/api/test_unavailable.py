"""A store that cannot be reached: 503 with a message, never a 500."""

import pytest
import webtest

from tests.api.helpers import NO_BODY, Api, error, expect
from zaqar import conf as zconf
from zaqar.transport.wsgi import app as wsgi_app

UNAVAILABLE = error('Service temporarily unavailable',
                    'The storage backend could not be reached. Please try again in a '
                    'few seconds.')


@pytest.fixture(scope='module')
def down_api():
    # Port 1 on loopback: nothing listens there, so connecting fails at once.
    conf = zconf.new(args=[])
    conf.set_override('uri', 'postgresql://postgres@127.0.0.1:1/zaqar',
                      group='drivers:message_store:sqlalchemy')
    return webtest.TestApp(wsgi_app.build(conf))


@pytest.fixture
def api(down_api):
    return Api(down_api)


def test_ping_answers_503(api):
    expect(api.get('/v2/ping'), 503, None)


def test_head_ping_does_not_touch_the_store(api):
    expect(api.call('HEAD', '/v2/ping'), 204, None)


@pytest.mark.parametrize('method,path,body', [
    ('POST', '/v2/queues/q/messages', {'messages': [{'body': 1}]}),
    ('GET', '/v2/queues/q/messages', NO_BODY),
    ('POST', '/v2/queues/q/claims', {}),
    ('PUT', '/v2/queues/q', NO_BODY),
    ('GET', '/v2/queues', NO_BODY),
    ('GET', '/v2/queues/q/stats', NO_BODY),
    ('DELETE', '/v2/queues/q/messages/1', NO_BODY),
], ids=['post', 'list', 'claim', 'create-queue', 'list-queues', 'stats', 'delete'])
def test_requests_answer_503_with_a_description(api, method, path, body):
    expect(api.call(method, path, body), 503, UNAVAILABLE)
