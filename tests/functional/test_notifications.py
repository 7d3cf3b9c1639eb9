"""Posting to a queue notifies its subscribers, through a real zaqar-server
on each store, to a real HTTP receiver; and the confirmation flow with
pre-signed URLs (api-v2.md section 13)."""

import time
import uuid

import pytest
import requests

from tests.functional.conftest import _serve
from tests.notification.receivers import WebhookReceiver
from zaqar.api import notifications


def call(url, method, path, project, body=None, **headers):
    sent = {'Client-ID': uuid.uuid4().hex, 'X-Project-ID': project, **headers}
    return requests.request(method, url + path, headers=sent, json=body, timeout=30)


@pytest.fixture
def receiver():
    hook = WebhookReceiver()
    yield hook
    hook.close()


def test_a_post_reaches_every_subscriber(server_url, receiver):
    project, queue = uuid.uuid4().hex, f'q-{uuid.uuid4().hex[:8]}'
    other = WebhookReceiver()
    try:
        for hook in (receiver.url, other.url):
            response = call(server_url, 'POST', f'/v2/queues/{queue}/subscriptions', project,
                            {'subscriber': hook, 'options': {'post_headers': {'X-Mark': 'm'}}})
            assert response.status_code == 201, response.text
        response = call(server_url, 'POST', f'/v2/queues/{queue}/messages', project,
                        {'messages': [{'body': {'event': 'BackupStarted'}, 'ttl': 300}]})
        assert response.status_code == 201
        for hook in (receiver, other):
            (request,) = hook.wait_for(1)
            assert request.json() == {'body': {'event': 'BackupStarted'}, 'ttl': 300,
                                      'queue_name': queue, 'Message_Type': 'Notification'}
            assert request.headers['X-Mark'] == 'm'
    finally:
        other.close()


def test_another_queue_or_project_is_not_notified(server_url, receiver):
    project, queue = uuid.uuid4().hex, f'q-{uuid.uuid4().hex[:8]}'
    call(server_url, 'POST', f'/v2/queues/{queue}/subscriptions', project,
         {'subscriber': receiver.url})
    call(server_url, 'POST', f'/v2/queues/{queue}/messages', uuid.uuid4().hex,
         {'messages': [{'body': 'other project'}]})
    call(server_url, 'POST', '/v2/queues/elsewhere/messages', project,
         {'messages': [{'body': 'other queue'}]})
    call(server_url, 'POST', f'/v2/queues/{queue}/messages', project,
         {'messages': [{'body': 'mine'}]})
    receiver.wait_for(1)
    assert [r.json()['body'] for r in receiver.requests] == ['mine']


@pytest.fixture(scope='module')
def confirming_server(tmp_path_factory):
    """A server that notifies confirmed subscriptions only."""
    yield from _serve(tmp_path_factory, '[signed_url]\nsecret_key = confirm-secret\n'
                                        '[notification]\nrequire_confirmation = true\n')


def test_confirmation_flow(confirming_server, receiver):
    url, project, queue = confirming_server, uuid.uuid4().hex, f'q-{uuid.uuid4().hex[:8]}'
    response = call(url, 'POST', f'/v2/queues/{queue}/subscriptions', project,
                    {'subscriber': receiver.url})
    assert response.status_code == 201
    sid = response.json()['subscription_id']
    (request,) = receiver.wait_for(1)
    confirmation = request.json()
    assert confirmation['Message_Type'] == 'SubscriptionConfirmation'
    assert confirmation['URL-Paths'] == f'/v2/queues/{queue}/subscriptions/{sid}/confirm'
    assert confirmation['URL-Methods'] == 'PUT'
    # Unconfirmed: nothing is delivered.
    call(url, 'POST', f'/v2/queues/{queue}/messages', project,
         {'messages': [{'body': 'too early'}]})
    # The subscriber confirms with the signed headers alone.
    signed = {name: confirmation[name] for name in
              ('URL-Signature', 'URL-Expires', 'URL-Methods', 'URL-Paths')}
    response = requests.put(url + confirmation['URL-Paths'], json=confirmation['SubscribeBody'],
                            headers={'Client-ID': uuid.uuid4().hex,
                                     'X-Project-ID': confirmation['X-Project-ID'], **signed},
                            timeout=30)
    assert response.status_code == 204, response.text
    # The other server worker may have read the (unconfirmed) subscriptions
    # for "too early": it trusts that read for SUBSCRIBERS_TTL.
    time.sleep(notifications.SUBSCRIBERS_TTL + 0.2)
    call(url, 'POST', f'/v2/queues/{queue}/messages', project,
         {'messages': [{'body': 'after confirming'}]})
    receiver.wait_for(2)
    assert [r.json().get('body') for r in receiver.requests[1:]] == ['after confirming']
    # The signature allows only that PUT.
    response = requests.get(url + f'/v2/queues/{queue}/subscriptions/{sid}',
                            headers={'Client-ID': uuid.uuid4().hex,
                                     'X-Project-ID': project, **signed}, timeout=30)
    assert response.status_code == 404


def test_a_stopping_server_finishes_its_deliveries(tmp_path_factory):
    """SIGTERM right after a post: the delivery under way (both messages of
    the post) still reaches the subscriber before the worker exits."""
    receiver = WebhookReceiver(sleep=1.0)
    server = _serve(tmp_path_factory, '')
    try:
        url = next(server)
        project, queue = uuid.uuid4().hex, 'leaving'
        call(url, 'POST', f'/v2/queues/{queue}/subscriptions', project,
             {'subscriber': receiver.url})
        response = call(url, 'POST', f'/v2/queues/{queue}/messages', project,
                        {'messages': [{'body': 'first'}, {'body': 'second'}]})
        assert response.status_code == 201
        time.sleep(0.2)  # the first delivery is under way
        server.close()  # SIGTERM, and wait for the server to exit
        assert [r.json()['body'] for r in receiver.requests] == ['first', 'second']
    finally:
        server.close()
        receiver.close()
