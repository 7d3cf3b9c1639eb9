"""Authentication over WebSocket against a real Keystone (api-v2.md 9.2):
tokens run through keystonemiddleware, every request pinned to the token's
project (403 otherwise: upstream bug 2161402 must not exist here), expiry
closing the connection with 4003, and pre-signed URLs for message actions."""

import datetime
import uuid

import pytest
from websockets.exceptions import ConnectionClosedError

from tests.websocket.client import Caller, answer
from tests.websocket.conftest import SIGNING_KEY as KEY
from zaqar.api import signed_urls

NOT_AUTHENTIFIED = (403, {'error': 'Not authentified.'})
WRONG_PROJECT = (403, {'error': 'Not authenticated.'})
AUTH_FAILED = {'error': 'Authentication failed.'}


@pytest.fixture
def caller(secured):
    """``caller(project=None)``: a connection sending that X-Project-ID
    (a made-up one by default)."""
    made = []

    def make(project=None):
        made.append(Caller(secured.url, project=project))
        return made[-1]

    yield make
    for c in made:
        c.close()


def authenticate(ws, token):
    return ws.call('authenticate', headers={'X-Auth-Token': token})


def test_nothing_passes_before_authenticating(caller):
    ws = caller()
    for action in ('queue_list', 'ping'):
        assert answer(ws.call(action, {})) == NOT_AUTHENTIFIED


def test_a_valid_token_authenticates_the_connection(keystone, caller):
    ws = caller(keystone.project_id('zaqar-a'))
    response = authenticate(ws, keystone.token('member_a'))
    assert response == {'request': {'action': 'authenticate', 'body': {}, 'headers': {},
                                    'api': 'v2'},
                        'body': {'message': 'Authentified.'}, 'headers': {'status': 200}}
    queue = f'auth-{uuid.uuid4().hex[:8]}'
    assert answer(ws.call('queue_create', {'queue_name': queue}))[0] == 201
    assert answer(ws.call('message_post', {'queue_name': queue, 'messages': [
        {'body': 'in a'}]}))[0] == 201
    assert answer(ws.call('ping'))[0] == 204


@pytest.mark.parametrize('token', ['made-up-token', ''])
def test_a_bad_token_fails_and_may_be_retried(keystone, caller, token):
    ws = caller(keystone.project_id('zaqar-a'))
    response = authenticate(ws, token)
    assert answer(response) == (401, AUTH_FAILED)
    assert answer(ws.call('queue_list', {})) == NOT_AUTHENTIFIED
    assert answer(authenticate(ws, keystone.token('member_a')))[0] == 200
    assert answer(ws.call('queue_list', {}))[0] == 200


def test_an_expired_token_fails(keystone, caller):
    ws = caller(keystone.project_id('zaqar-a'))
    assert answer(authenticate(ws, keystone.expired_token('member_a'))) == (401, AUTH_FAILED)


def test_every_request_must_name_the_tokens_project(keystone, caller):
    """Upstream bug 2161402: a token of project B with X-Project-ID of A."""
    project_a, project_b = keystone.project_id('zaqar-a'), keystone.project_id('zaqar-b')
    queue = f'mine-{uuid.uuid4().hex[:8]}'
    owner = caller(project_a)
    authenticate(owner, keystone.token('member_a'))
    assert answer(owner.call('message_post', {'queue_name': queue, 'messages': [
        {'body': 'secret of a'}]}))[0] == 201

    intruder = caller(project_a)  # sends A's project with B's token
    assert answer(authenticate(intruder, keystone.token('member_b')))[0] == 200
    for action, body in [('message_list', {'queue_name': queue, 'echo': True}),
                         ('queue_list', {}), ('queue_delete', {'queue_name': queue}),
                         ('message_post', {'queue_name': queue, 'messages': [{'body': 1}]}),
                         ('ping', None)]:
        assert answer(intruder.call(action, body)) == WRONG_PROJECT, action
    assert answer(intruder.call('queue_list', {}, headers={'X-Project-ID': 'other'})) == \
        WRONG_PROJECT
    # With its own project it sees only its own queues.
    listed = intruder.call('message_list', {'queue_name': queue, 'echo': True},
                           headers={'X-Project-ID': project_b})
    assert answer(listed) == (200, {'messages': []})
    assert [m['body'] for m in owner.call('message_list', {'queue_name': queue, 'echo': True})
            ['body']['messages']] == ['secret of a']


def test_roles_come_from_the_token(keystone, caller):
    member = caller(keystone.project_id('zaqar-a'))
    authenticate(member, keystone.token('member_a'))
    assert answer(member.call('health', headers={'X-Roles': 'admin'}))[0] == 403
    admin = caller(keystone.project_id('admin'))
    authenticate(admin, keystone.token('admin'))
    status, body = answer(admin.call('health'))
    assert (status, body['storage_reachable']) == (200, True)


def test_reauthenticating_moves_the_connection_to_the_new_project(keystone, caller):
    ws = caller(keystone.project_id('zaqar-a'))
    authenticate(ws, keystone.token('member_a'))
    assert answer(authenticate(ws, keystone.token('member_b')))[0] == 200
    assert answer(ws.call('queue_list', {})) == WRONG_PROJECT
    project_b = {'X-Project-ID': keystone.project_id('zaqar-b')}
    assert answer(ws.call('queue_list', {}, headers=project_b))[0] == 200
    assert answer(authenticate(ws, 'made-up'))[0] == 401  # a failure forgets the old one
    assert answer(ws.call('queue_list', {}, headers=project_b)) == NOT_AUTHENTIFIED


def test_the_connection_closes_with_4003_when_its_token_expires(keystone, caller):
    # The harness's second Keystone issues tokens that live 2 s; calling
    # expired_token starts it. Its tokens are valid on the main one.
    keystone.expired_token('member_a')
    persona = 'member_a'
    token, body = keystone._issue(keystone._expiring.url, persona, 'zaqar-a')
    ws = caller(keystone.project_id('zaqar-a'))
    assert answer(authenticate(ws, token))[0] == 200
    expires = datetime.datetime.fromisoformat(body['expires_at'].replace('Z', '+00:00'))
    left = (expires - datetime.datetime.now(datetime.UTC)).total_seconds()
    with pytest.raises(ConnectionClosedError) as closed:
        ws.recv(timeout=left + 5)
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        4003, 'Authentication expired.')


# -- pre-signed URLs -------------------------------------------------------------

def signed_headers(project, paths, methods, key=KEY):
    document = signed_urls.sign(key, paths, methods, project)
    return {'URL-Signature': document['signature'], 'URL-Expires': document['expires'],
            'URL-Methods': document['methods'], 'URL-Paths': document['paths']}


@pytest.fixture
def shared(keystone, caller):
    """(project, queue, message id) posted by member_a."""
    project = keystone.project_id('zaqar-a')
    owner = caller(project)
    authenticate(owner, keystone.token('member_a'))
    queue = f'shared-{uuid.uuid4().hex[:8]}'
    ids = owner.call('message_post', {'queue_name': queue, 'messages': [
        {'body': 'for your eyes'}]})['body']['message_ids']
    return project, queue, ids[0]


def test_a_signed_request_needs_no_token(caller, shared):
    project, queue, mid = shared
    ws = caller(project)
    headers = signed_headers(project, [f'/v2/queues/{queue}/messages'], ['GET'])
    listed = ws.call('message_list', {'queue_name': queue, 'echo': True}, headers=headers)
    assert [m['body'] for m in listed['body']['messages']] == ['for your eyes']
    got = ws.call('message_get', {'queue_name': queue, 'message_id': mid}, headers=headers)
    assert answer(got)[0] == 200
    # The comma-joined form of HTTP headers is taken too.
    joined = {**headers, 'URL-Methods': 'GET', 'URL-Paths': f'/v2/queues/{queue}/messages'}
    assert answer(ws.call('message_list', {'queue_name': queue}, headers=joined))[0] == 200


def test_a_signed_request_cannot_leave_its_grant(caller, shared):
    project, queue, mid = shared
    ws = caller(project)
    headers = signed_headers(project, [f'/v2/queues/{queue}/messages'], ['GET'])
    for action, body in [
            ('message_post', {'queue_name': queue, 'messages': [{'body': 1}]}),
            ('message_delete', {'queue_name': queue, 'message_id': mid}),
            ('message_list', {'queue_name': 'another-queue'}),
            ('queue_list', {}), ('queue_delete', {'queue_name': queue}),
            ('claim_create', {'queue_name': queue})]:
        assert answer(ws.call(action, body, headers=headers)) == NOT_AUTHENTIFIED, action
    for forged in [{'X-Project-ID': 'another-project'}, {'URL-Signature': 'f' * 64},
                   {'URL-Signature': ''}, {'URL-Methods': ['GET', 'POST']},
                   {'URL-Expires': '2001-01-01T00:00:00'}, {'URL-Signature': 7}]:
        assert answer(ws.call('message_list', {'queue_name': queue},
                              headers={**headers, **forged})) == NOT_AUTHENTIFIED, forged
    other_key = signed_headers(project, [f'/v2/queues/{queue}/messages'], ['GET'], 'x')
    assert answer(ws.call('message_list', {'queue_name': queue},
                          headers=other_key)) == NOT_AUTHENTIFIED
