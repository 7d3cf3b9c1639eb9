"""auth_strategy = keystone without a token: 401 on every /v2 route.

The real Keystone is exercised in tests/functional/test_keystone.py; here
keystonemiddleware refuses before it would ask Keystone anything.
"""

import pytest

from tests.api.helpers import Api, expect

# Port 9 (discard) on loopback: nothing answers there.
KEYSTONE_CONF = """
[DEFAULT]
auth_strategy = keystone
[keystone_authtoken]
www_authenticate_uri = http://keystone.test/v3
auth_type = password
auth_url = http://127.0.0.1:9/v3
username = zaqar
password = secret
project_name = service
[signed_url]
secret_key = k
[cors]
allowed_origin = http://app.example
allow_headers = Client-ID,X-Project-ID,X-Auth-Token
"""

ROUTES = [
    ('GET', '/v2/'), ('GET', '/v2/ping'), ('HEAD', '/v2/ping'), ('GET', '/v2/health'),
    ('GET', '/v2/queues'), ('PUT', '/v2/queues/q'), ('GET', '/v2/queues/q'),
    ('PATCH', '/v2/queues/q'), ('DELETE', '/v2/queues/q'), ('GET', '/v2/queues/q/stats'),
    ('POST', '/v2/queues/q/purge'), ('POST', '/v2/queues/q/share'),
    ('POST', '/v2/queues/q/messages'), ('GET', '/v2/queues/q/messages'),
    ('DELETE', '/v2/queues/q/messages?pop=1'), ('GET', '/v2/queues/q/messages/m'),
    ('DELETE', '/v2/queues/q/messages/m'), ('POST', '/v2/queues/q/claims'),
    ('GET', '/v2/queues/q/claims/c'), ('PATCH', '/v2/queues/q/claims/c'),
    ('DELETE', '/v2/queues/q/claims/c'), ('GET', '/v2/nonesuch'),
]


@pytest.fixture
def api(make_app):
    return Api(make_app(KEYSTONE_CONF, admin_mode=True))


@pytest.mark.parametrize('method, path', ROUTES)
def test_no_token_is_401(api, method, path):
    response = api.call(method, path, headers={'X-Roles': 'admin'})
    expect(response, 401)
    assert response.headers['WWW-Authenticate'] == 'Keystone uri="http://keystone.test/v3"'


def test_a_token_keystone_cannot_confirm_is_refused(api):
    # Keystone is unreachable (port 9): the middleware cannot confirm it.
    response = api.get('/v2/queues', headers={'X-Auth-Token': 'made-up'})
    assert response.status_int == 503, response.status


def test_versions_stay_public(api):
    expect(api.call('GET', '/', headers={'Client-ID': None, 'X-Project-ID': None}), 300)


def test_an_empty_signature_header_does_not_bypass_keystone(api):
    response = api.get('/v2/queues/q/messages', headers={'URL-Signature': ''})
    expect(response, 404)


def test_a_cors_preflight_needs_no_token(api):
    headers = {'Origin': 'http://app.example', 'Access-Control-Request-Method': 'POST',
               'Access-Control-Request-Headers': 'Client-ID,X-Auth-Token'}
    response = api.call('OPTIONS', '/v2/queues/q/messages', headers=headers)
    expect(response, 200)
    assert response.headers['Access-Control-Allow-Origin'] == 'http://app.example'
    assert response.headers['Access-Control-Allow-Methods'] == 'POST'


def test_cors_does_not_open_other_origins(api):
    headers = {'Origin': 'http://evil.example', 'Access-Control-Request-Method': 'GET'}
    response = api.call('OPTIONS', '/v2/queues', headers=headers)
    assert 'Access-Control-Allow-Origin' not in response.headers
