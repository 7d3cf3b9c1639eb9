"""Tokens issued by a real Keystone, checked by a real zaqar-server.

The token cases: valid, missing, made up, expired, revoked; a client-sent
project against the token's; pre-signed requests that need no token; and
python-zaqarclient authenticating with its Keystone backend.
"""

import uuid

import pytest
import requests


def call(url, method, path, token=None, project='ignored', body=None, **headers):
    sent = {'Client-ID': uuid.uuid4().hex, 'X-Project-ID': project, **headers}
    if token:
        sent['X-Auth-Token'] = token
    return requests.request(method, url + path, headers=sent, json=body, timeout=30)


def test_valid_token_is_accepted(keystone, uncached_server_url):
    response = call(uncached_server_url, 'GET', '/v2/queues', keystone.token('member_a'))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize('token', [None, 'made-up-token', ''])
def test_missing_or_made_up_token_is_401(uncached_server_url, token):
    response = call(uncached_server_url, 'GET', '/v2/queues', token)
    assert response.status_code == 401, response.text
    assert response.headers['WWW-Authenticate'].startswith('Keystone uri=')


def test_expired_token_is_401(keystone, uncached_server_url):
    response = call(uncached_server_url, 'GET', '/v2/queues',
                    keystone.expired_token('member_a'))
    assert response.status_code == 401, response.text


def test_revoked_token_is_401_at_once(keystone, uncached_server_url):
    token = keystone.token('member_a')
    assert call(uncached_server_url, 'GET', '/v2/queues', token).status_code == 200
    keystone.revoke(token)
    response = call(uncached_server_url, 'GET', '/v2/queues', token)
    assert response.status_code == 401, response.text


def test_versions_need_no_token(uncached_server_url):
    assert requests.get(uncached_server_url + '/', timeout=30).status_code == 300


def test_the_token_decides_the_project(keystone, uncached_server_url):
    url = uncached_server_url
    a_token, b_token = keystone.token('member_a'), keystone.token('member_b')
    project_a = keystone.project_id('zaqar-a')
    name = f'forged-{uuid.uuid4().hex[:8]}'
    response = call(url, 'PUT', f'/v2/queues/{name}', b_token, project=project_a,
                    **{'X-Tenant-Id': project_a, 'X-Roles': 'admin'})
    assert response.status_code == 201
    listed = call(url, 'GET', f'/v2/queues?name={name}', a_token).json()['queues']
    assert listed == []
    listed = call(url, 'GET', f'/v2/queues?name={name}', b_token).json()['queues']
    assert [q['name'] for q in listed] == [name]


def test_roles_come_from_the_token(keystone, uncached_server_url):
    url = uncached_server_url
    assert call(url, 'GET', '/v2/health', keystone.token('member_a'),
                **{'X-Roles': 'admin'}).status_code == 403
    response = call(url, 'GET', '/v2/health', keystone.token('admin'))
    assert response.status_code == 200
    assert response.json()['storage_reachable'] is True


# -- pre-signed requests bypass Keystone, and only they do ------------------

@pytest.fixture
def signed(keystone, uncached_server_url):
    token = keystone.token('member_a')
    queue = f'shared-{uuid.uuid4().hex[:8]}'
    url = uncached_server_url
    response = call(url, 'POST', f'/v2/queues/{queue}/messages', token,
                    body={'messages': [{'body': 'for your eyes'}]})
    assert response.status_code == 201
    response = call(url, 'POST', f'/v2/queues/{queue}/share', token,
                    body={'methods': ['GET']})
    assert response.status_code == 200, response.text
    document = response.json()
    headers = {'URL-Signature': document['signature'], 'URL-Expires': document['expires'],
               'URL-Methods': ','.join(document['methods']),
               'URL-Paths': ','.join(document['paths'])}
    return url, queue, document['project'], headers


def test_signed_request_needs_no_token(signed, keystone):
    url, queue, project, headers = signed
    assert project == keystone.project_id('zaqar-a')
    response = call(url, 'GET', f'/v2/queues/{queue}/messages?echo=true',
                    project=project, **headers)
    assert response.status_code == 200, response.text
    assert [m['body'] for m in response.json()['messages']] == ['for your eyes']


def test_signed_request_cannot_leave_its_grant(signed):
    url, queue, project, headers = signed
    for method, path in [('GET', '/v2/health'), ('GET', '/v2/queues'),
                         ('DELETE', f'/v2/queues/{queue}'),
                         ('POST', f'/v2/queues/{queue}/messages')]:
        response = call(url, method, path, project=project, body=None,
                        **{**headers, 'X-Roles': 'admin'})
        assert response.status_code == 404, (method, path, response.text)


def test_empty_signature_header_is_no_bypass(signed):
    url, queue, project, headers = signed
    response = call(url, 'GET', f'/v2/queues/{queue}/messages', project=project,
                    **{**headers, 'URL-Signature': ''})
    assert response.status_code == 404
    response = call(url, 'GET', f'/v2/queues/{queue}/messages', project=project,
                    **{'URL-Signature': ''})
    assert response.status_code == 404


def test_extra_spec_header_is_no_bypass(uncached_server_url):
    response = call(uncached_server_url, 'GET', '/v2/queues',
                    **{'EXTRA-SPEC': 'messagecode:1'})
    assert response.status_code == 401


# -- python-zaqarclient, authenticating through Keystone ----------------------

def test_zaqarclient_with_keystone_auth(keystone, uncached_server_url):
    from zaqarclient.queues.v2 import client

    credentials = keystone.credentials('member_a')
    options = {f'os_{name}': value for name, value in credentials.items()}
    zaqar = client.Client(uncached_server_url, version=2,
                          conf={'auth_opts': {'backend': 'keystone', 'options': options}})
    queue = zaqar.queue(f'client-{uuid.uuid4().hex[:8]}')
    queue.post([{'body': {'hello': 'keystone'}, 'ttl': 300}])
    assert [m.body for m in queue.messages(echo=True)] == [{'hello': 'keystone'}]
    listed = call(uncached_server_url, 'GET', f'/v2/queues?name={queue.name}',
                  keystone.token('member_a')).json()['queues']
    assert [q['name'] for q in listed] == [queue.name]
