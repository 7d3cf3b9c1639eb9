"""Confirmation requests and unsubscription notices (api-v2.md 13.5)."""

import datetime
import functools
import logging

from tests.notification.conftest import SECRET
from tests.notification.receivers import subscription
from zaqar.api import signed_urls
from zaqar.notification import messages

NOW = datetime.datetime(2030, 1, 2, 3, 4, 5, 678)


def sign(paths, methods, project, expires):
    return signed_urls.sign(SECRET, paths, methods, project, expires)


def test_confirmation_message_shape():
    sub = subscription('http://127.0.0.1:1/hook', sid='5f1c', ttl=600)
    message = messages.confirmation('fruits', 'project-a', sub, sign, now=NOW)
    path = '/v2/queues/fruits/subscriptions/5f1c/confirm'
    assert message == {
        'Message_Type': 'SubscriptionConfirmation',
        'Message': 'You have chosen to subscribe to the queue: fruits',
        'URL-Signature': signed_urls.signature(SECRET, [path], ['PUT'], 'project-a',
                                               datetime.datetime(2030, 1, 2, 3, 14, 5)),
        'URL-Methods': 'PUT',
        'URL-Paths': path,
        'X-Project-ID': 'project-a',
        'URL-Expires': '2030-01-02T03:14:05',
        'SubscribeBody': {'confirmed': True},
        'UnsubscribeBody': {'confirmed': False},
    }


def test_unsubscribe_message_and_public_urls():
    sub = subscription('http://127.0.0.1:1/hook', sid='5f1c')
    message = messages.confirmation('fruits', 'p', sub, sign, unsubscribed=True, now=NOW,
                                    base_url='https://zaqar.example.com:8888/',
                                    websocket_url='wss://zaqar.example.com:9000')
    assert message['Message_Type'] == 'UnsubscribeConfirmation'
    assert message['Message'] == ('You have unsubscribed successfully to the queue: fruits, '
                                  'you can resubscribe it by using confirmed=True.')
    assert message['WSGISubscribeURL'] == ('https://zaqar.example.com:8888'
                                           '/v2/queues/fruits/subscriptions/5f1c/confirm')
    assert message['WebSocketSubscribeURL'] == ('wss://zaqar.example.com:9000'
                                                '/v2/queues/fruits/subscriptions/5f1c/confirm')
    assert message['URL-Expires'] == '2030-01-02T04:04:05'  # the subscription's hour


def test_webhook_gets_a_confirmation_it_can_use(make_notifier, receiver):
    hook = receiver()
    notifier = make_notifier()
    notifier.send_confirmation('fruits', 'project-a', subscription(hook.url, sid='abc'),
                               base_url='http://zaqar.test:8888')
    [request] = hook.wait_for(1)
    body = request.json()
    assert sorted(body) == sorted([
        'Message_Type', 'Message', 'URL-Signature', 'URL-Methods', 'URL-Paths',
        'X-Project-ID', 'URL-Expires', 'SubscribeBody', 'UnsubscribeBody',
        'WSGISubscribeURL', 'queue_name'])
    assert body['Message_Type'] == 'SubscriptionConfirmation'
    assert body['queue_name'] == 'fruits'
    assert body['WSGISubscribeURL'] == ('http://zaqar.test:8888/v2/queues/fruits/'
                                        'subscriptions/abc/confirm')
    # The headers it carries let exactly that PUT through the signed-URL gate.
    assert signed_urls.verify(SECRET, 'PUT', body['URL-Paths'], body['X-Project-ID'],
                              body['URL-Signature'], body['URL-Methods'],
                              body['URL-Paths'], body['URL-Expires'])
    assert not signed_urls.verify(SECRET, 'DELETE', body['URL-Paths'],
                                  body['X-Project-ID'], body['URL-Signature'],
                                  body['URL-Methods'], body['URL-Paths'],
                                  body['URL-Expires'])


def test_webhook_gets_the_unsubscribe_notice(make_notifier, receiver):
    hook = receiver()
    notifier = make_notifier()
    notifier.send_unsubscribed('fruits', 'project-a', subscription(hook.url))
    notifier.send_unsubscribed('fruits', 'project-a', subscription(hook.url),
                               websocket_url='ws://zaqar.test:9000')
    hook.wait_for(2)  # two deliveries, in either order
    plain, with_url = sorted(hook.bodies(), key=lambda b: 'WebSocketSubscribeURL' in b)
    assert plain['Message_Type'] == with_url['Message_Type'] == 'UnsubscribeConfirmation'
    assert 'WSGISubscribeURL' not in plain and 'WebSocketSubscribeURL' not in plain
    assert with_url['WebSocketSubscribeURL'] == ('ws://zaqar.test:9000/v2/queues/fruits/'
                                                 'subscriptions/sub-1/confirm')


def test_confirmations_are_retried_like_notifications(make_notifier, receiver):
    hook = receiver(fail_first=2, fail_status=503)
    notifier = make_notifier()
    notifier.send_confirmation('fruits', 'p', subscription(hook.url))
    hook.wait_for(3)
    assert {r.json()['Message_Type'] for r in hook.requests} == {'SubscriptionConfirmation'}


def test_no_secret_key_no_confirmation(make_notifier, receiver, caplog):
    hook = receiver()
    notifier = make_notifier(signer=None)
    notifier.send_confirmation('fruits', 'p', subscription(hook.url))
    assert notifier.wait_idle(1)
    assert hook.requests == []
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert 'not sent: [signed_url] secret_key is not set' in error


def test_require_confirmation_is_exposed(make_notifier):
    assert make_notifier().require_confirmation is False
    assert make_notifier(require_confirmation=True).require_confirmation is True


def test_signer_of_the_service_is_accepted(make_notifier, receiver):
    # What bootstrap passes: signed_urls.sign with the configured key bound.
    hook = receiver()
    notifier = make_notifier(signer=functools.partial(signed_urls.sign, 'other-key'))
    notifier.send_confirmation('q', 'p', subscription(hook.url))
    [request] = hook.wait_for(1)
    assert len(request.json()['URL-Signature']) == 64
