"""python-zaqarclient's own WebSocket transport against the server: the
wire format upstream's client speaks (authenticate first, then actions
with Client-ID and X-Project-ID, bodies as JSON text frames)."""

import json
import uuid

import pytest
from zaqarclient.transport import errors as client_errors
from zaqarclient.transport import request, ws


def transport(token, project):
    return ws.WebsocketTransport({'auth_opts': {'backend': 'keystone', 'options': {
        'os_auth_token': token, 'os_project_id': project}}})


def send(client, url, operation, content=None):
    body = json.dumps(content) if content is not None else None
    response = client.send(request.Request(url, operation, content=body))
    return response.status_code, json.loads(response.content)


def test_the_client_without_auth(running):
    client = transport('unused', str(uuid.uuid4()))
    try:
        assert send(client, running.url, 'queue_create', {'queue_name': 'zc'}) == (
            201, 'Queue zc created.')
        assert send(client, running.url, 'message_post', {
            'queue_name': 'zc', 'messages': [{'body': {'from': 'zaqarclient'}}]})[0] == 201
        status, body = send(client, running.url, 'message_list',
                            {'queue_name': 'zc', 'echo': True})
        assert (status, [m['body'] for m in body['messages']]) == (
            200, [{'from': 'zaqarclient'}])
        assert send(client, running.url, 'ping') == (204, {})
    finally:
        client.cleanup()


def test_the_client_with_a_keystone_token(keystone, secured):
    project = keystone.project_id('zaqar-a')
    client = transport(keystone.token('member_a'), project)
    try:
        assert send(client, secured.url, 'queue_list', {})[0] == 200
    finally:
        client.cleanup()
    # A token for another project than the one it names is refused.
    client = transport(keystone.token('member_b'), project)
    try:
        with pytest.raises(client_errors.ForbiddenError):
            send(client, secured.url, 'queue_list', {})
    finally:
        client.cleanup()
