"""Every per-request bound of the API, in one table, through the real app.

Work per request is bounded by: page sizes (1..20 on every listing), ids
and claim ids per request (20), claim and pop sizes (20), and the body
size: the route limits (256 KiB of messages, 64 KiB of metadata: upstream's
400) and, before any of it is read, 4 times the larger of the two (413).
The same limits against a real zaqar-server, with slow clients:
tests/fuzz/test_limits_server.py. Limits do not depend on the store: SQLite.
"""

import io

import pytest
import webob
import webtest

from tests.api import helpers
from tests.api.helpers import Api, bad_request, error, expect

LIMIT = 'Limit must be at least 1 and {} 20.'
MAY_NOT = LIMIT.format('may not be greater than')
NO_GREATER = LIMIT.format('no greater than')
IDS = ','.join(f'm{i}' for i in range(21))
BODY_LIMIT = 4 * 256 * 1024
TOO_LARGE = error('Request body too large',
                  f'The request body may not be larger than {BODY_LIMIT} bytes.')

BOUNDS = {
    'queues-page': ('GET', '/v2/queues?limit=21', NO_GREATER),
    'topics-page': ('GET', '/v2/topics?limit=21', NO_GREATER),
    'messages-page': ('GET', '/v2/queues/q/messages?limit=21', MAY_NOT),
    'subscriptions-page': ('GET', '/v2/queues/q/subscriptions?limit=21', MAY_NOT),
    'pools-page': ('GET', '/v2/pools?limit=21', NO_GREATER),
    'flavors-page': ('GET', '/v2/flavors?limit=21', NO_GREATER),
    'claim-size': ('POST', '/v2/queues/q/claims?limit=21', MAY_NOT),
    'pop-size': ('DELETE', '/v2/queues/q/messages?pop=21',
                 'Pop value must be at least 1 and may not be greater than 20.'),
    'get-ids': ('GET', f'/v2/queues/q/messages?ids={IDS}',
                'ids parameter should have at least 1 and not greater than 20 values.'),
    'delete-ids': ('DELETE', f'/v2/queues/q/messages?ids={IDS}',
                   'ids parameter should have at least 1 and not greater than 20 values.'),
    'delete-claim-ids': ('DELETE', f'/v2/queues/q/messages?ids=m1&claim_ids={IDS}',
                         'claim_ids parameter should have not greater than 20 values.'),
    'repeated-ids': ('GET', '/v2/queues/q/messages?' + '&'.join(['ids=m'] * 21),
                     'ids parameter should have at least 1 and not greater than 20 values.'),
}


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    wsgi, _, state = helpers.embedded_app(tmp_path_factory, 'limits',
                                          'admin_mode = true\npooling = true\n')
    app = webtest.TestApp(wsgi)
    uri = f'sqlite:///{state}/pool.sqlite'
    response = Api(app).put('/v2/pools/base', {'weight': 1, 'uri': uri},
                            headers={'X-Roles': 'admin'})
    assert response.status_int == 201, response.body
    return app


@pytest.fixture
def api(app):
    return Api(app)


@pytest.mark.parametrize('method, path, description', list(BOUNDS.values()), ids=list(BOUNDS))
def test_each_bound_is_enforced(api, method, path, description):
    body = {} if method == 'POST' else None
    kwargs = {'body': body} if body is not None else {}
    expect(api.call(method, path, headers={'X-Roles': 'admin'}, **kwargs), 400,
           bad_request(description))


def _raw(api, body, headers):
    request = webob.Request.blank('/v2/queues/q/messages', method='POST',
                                  headers={**api.headers, 'Content-Type': 'application/json',
                                           **headers})
    request.body_file_raw = io.BytesIO(body)
    return request.get_response(api.app.app)


def test_a_body_past_the_limit_is_refused_before_it_is_read(api):
    class Unreadable(io.RawIOBase):
        def read(self, size=-1):
            raise AssertionError('the body was read')

    request = webob.Request.blank('/v2/queues/q/messages', method='POST',
                                  headers={**api.headers, 'Content-Type': 'application/json'})
    request.environ['wsgi.input'] = Unreadable()
    request.environ['CONTENT_LENGTH'] = str(BODY_LIMIT + 1)
    response = request.get_response(api.app.app)
    assert (response.status_int, response.json) == (413, TOO_LARGE)


def test_between_the_route_limit_and_the_body_limit_upstream_400_stays(api):
    body = b'{"messages": [{"body": "' + b'x' * 300000 + b'"}]}'
    response = api.post('/v2/queues/q/messages', raw=body)
    expect(response, 400, bad_request('Message collection size is too large. Max size 262144'))


def test_a_chunked_body_is_bounded_while_it_is_read(api):
    response = _raw(api, b'x' * (BODY_LIMIT + 10), {'Transfer-Encoding': 'chunked'})
    assert (response.status_int, response.json) == (413, TOO_LARGE)
    response = _raw(api, b'{"messages": [{"body": 1}]}', {'Transfer-Encoding': 'chunked'})
    assert response.status_int == 201, response.body


@pytest.mark.parametrize('length', ['abc', '-1', '1e3', ' '])
def test_a_malformed_content_length_is_400(api, length):
    request = webob.Request.blank('/v2/queues/q/messages', method='POST',
                                  headers=api.headers)
    request.environ['CONTENT_LENGTH'] = length
    response = request.get_response(api.app.app)
    assert (response.status_int, response.json) == (400, error(
        'Invalid Content-Length', 'Content-Length must be a non-negative integer.'))


def test_a_body_shorter_than_its_content_length_is_400(api):
    response = _raw(api, b'{"messages": []}', {'Content-Length': '100'})
    assert (response.status_int, response.json) == (400, error(
        'Invalid request body', 'The request body is shorter than its Content-Length.'))
