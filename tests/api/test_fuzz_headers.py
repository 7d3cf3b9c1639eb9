"""Odd header values (content types, Accept, Client-ID, project, signed-URL
headers, roles) on every kind of route and body: a clean answer every time,
never a 5xx, and every 4xx with a title and a description."""

import itertools

import pytest
import webob

from tests.api import helpers

HEADERS = {'Client-ID': '3381af92-2b9e-11e3-b191-71861300734c', 'X-Project-ID': 'p'}
ODD = {
    'Content-Type': ['', ';', 'application/json; charset=latin-1', 'text/plain',
                     'application/x-www-form-urlencoded', 'APPLICATION/X-WWW-FORM-URLENCODED;',
                     'multipart/form-data; boundary=', 'text/plain; charset="',
                     'application/openstack-messaging-v2.0-json-patch; x', 'a' * 5000],
    'Accept': ['', ',', ';', 'application/json;q=abc', 'application/json;q=2', '*/*;q=0',
               'text/html', 'application/*', '\x7f', 'a' * 10000, ';q=1',
               'application/json, text/html;level=1;q=0.5'],
    'Client-ID': ['', ' ', '{', 'urn:uuid:', '3381af92-2b9e-11e3-b191-71861300734c ',
                  '0' * 1000, '\x00'],
    'X-Project-ID': [' ', 'a' * 300, 'caf\xc3\xa9', '../x', '%00'],
    'URL-Signature': ['x', ' '], 'URL-Expires': ['2999-01-01'], 'EXTRA-SPEC': ['a:b'],
    'X-Roles': [',,,', 'admin' * 1000],
}
ROUTES = [('GET', '/v2/queues'), ('PUT', '/v2/queues/q'), ('PATCH', '/v2/queues/q'),
          ('POST', '/v2/queues/q/messages'), ('GET', '/v2/queues/q/messages'),
          ('POST', '/v2/queues/q/claims'), ('POST', '/v2/queues/q/share'),
          ('POST', '/v2/queues/q/subscriptions'), ('GET', '/v2/health'), ('GET', '/v2/'),
          ('HEAD', '/v2/ping'), ('POST', '/v2/queues/q/purge'),
          ('PUT', '/v2/queues/q/subscriptions/x/confirm')]
BODIES = [None, b'{}', b'{"messages": [{"body": 1}]}']
BARE = ('404 Not Found', '405 Method Not Allowed')


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    app, _, _ = helpers.embedded_app(tmp_path_factory, 'headers',
                                     'admin_mode = true\n[signed_url]\nsecret_key = k\n')
    return app


@pytest.mark.parametrize('name', sorted(ODD))
def test_odd_header_values_get_clean_answers(app, name):
    for (method, path), value, body in itertools.product(ROUTES, ODD[name], BODIES):
        request = webob.Request.blank(path, method=method, headers={**HEADERS, name: value})
        if body is not None:
            request.body = body
            if name != 'Content-Type':
                request.content_type = 'application/json'
        response = request.get_response(app)
        case = (method, path, name, value[:40], body)
        assert response.status_int < 500, (case, response.body)
        if response.status_int >= 400 and method != 'HEAD':
            error = response.json
            assert 'description' in error or error['title'] in BARE, (case, error)
