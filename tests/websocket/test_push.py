"""Push (api-v2.md section 9.4): a connection that subscribes without a
subscriber receives what is posted to the queue, over WebSocket or over
HTTP by another service instance, until it closes."""

import http.client
import json
import socket

import msgpack
import pytest

from tests.servers import wait_until
from tests.websocket.client import Caller, answer
from tests.websocket.conftest import RunningServer, make_conf

NOTE = {'Message_Type': 'Notification'}


def subscribe(ws, queue, binary=False):
    status, body = answer(ws.call('subscription_create', {'queue_name': queue},
                                  binary=binary))
    assert status == 201, body
    return body['subscription_id']


def test_a_post_over_websocket_reaches_the_subscribed_connection(ws, connect):
    subscribe(ws, 'pushed')
    poster = connect(project=ws.project)
    assert answer(poster.call('message_post', {'queue_name': 'pushed', 'messages': [
        {'body': {'n': 1}, 'ttl': 120}, {'body': 'two', 'ttl': 60}]}))[0] == 201
    assert [ws.recv(), ws.recv()] == [
        {'ttl': 120, 'body': {'n': 1}, **NOTE, 'queue_name': 'pushed'},
        {'ttl': 60, 'body': 'two', **NOTE, 'queue_name': 'pushed'}]


def test_a_post_over_http_reaches_the_subscribed_connection(ws, http_api):
    subscribe(ws, 'from-http')
    response = http_api.post('/v2/queues/from-http/messages',
                             body={'messages': [{'body': {'via': 'http'}, 'ttl': 300}]})
    assert response.status_int == 201, response.body
    assert ws.recv() == {'ttl': 300, 'body': {'via': 'http'}, **NOTE,
                         'queue_name': 'from-http'}


def test_a_binary_subscription_is_pushed_in_messagepack(ws, connect):
    subscribe(ws, 'packed', binary=True)
    connect(project=ws.project).call('message_post', {'queue_name': 'packed', 'messages': [
        {'body': [1, 2]}]})
    frame = ws.ws.recv(timeout=10)
    assert isinstance(frame, bytes)
    assert msgpack.unpackb(frame) == {'ttl': 3600, 'body': [1, 2], **NOTE,
                                      'queue_name': 'packed'}


def test_every_subscribed_connection_receives_and_others_do_not(ws, connect):
    second, bystander = connect(project=ws.project), connect(project=ws.project)
    subscribe(ws, 'fan')
    subscribe(second, 'fan')
    subscribe(bystander, 'elsewhere')
    ws.send('message_post', {'queue_name': 'fan', 'messages': [{'body': 'all'}]})
    frames = [ws.recv(), ws.recv()]  # the post's answer and the push, in either order
    assert {'ttl': 3600, 'body': 'all', **NOTE, 'queue_name': 'fan'} in frames
    assert second.recv()['body'] == 'all'
    with pytest.raises(TimeoutError):
        bystander.recv(timeout=0.5)


def test_the_subscription_names_the_connection_and_goes_when_it_closes(running, connect):
    ws = connect()
    sid = subscribe(ws, 'gone')
    subscriber = answer(ws.call('subscription_get', {'queue_name': 'gone',
                                                     'subscription_id': sid}))[1]['subscriber']
    assert subscriber.startswith(running.server.subscriber_base)
    watcher = connect(project=ws.project)
    assert len(watcher.call('subscription_list', {'queue_name': 'gone'})
               ['body']['subscriptions']) == 1
    ws.close()
    wait_until(lambda: watcher.call('subscription_list', {'queue_name': 'gone'})
               ['body']['subscriptions'] == [], 10, what='the subscription to be removed')


def test_a_subscription_with_a_subscriber_stays_after_close(connect):
    ws = connect()
    subscribe_hook = {'queue_name': 'kept', 'subscriber': 'http://127.0.0.1:9/hook'}
    assert answer(ws.call('subscription_create', subscribe_hook))[0] == 201
    ws.close()
    watcher = connect(project=ws.project)
    assert len(watcher.call('subscription_list', {'queue_name': 'kept'})
               ['body']['subscriptions']) == 1


# -- the loop-back listener ---------------------------------------------------

def listener(running):
    return http.client.HTTPConnection('127.0.0.1', running.server.notification_port,
                                      timeout=10)


@pytest.mark.parametrize('method, headers, body, status', [
    ('GET', {}, None, 405),
    ('PUT', {'Content-Length': '2'}, b'{}', 405),
    ('POST', {'Transfer-Encoding': 'chunked'}, b'2\r\n{}\r\n0\r\n\r\n', 400),
    ('POST', {'Content-Length': '2'}, b'{}', 404),  # no such connection
])
def test_the_listener_refuses_what_is_not_a_notification(running, method, headers, body,
                                                         status):
    conn = listener(running)
    conn.putrequest(method, '/0123456789abcdef', skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders(body)
    assert conn.getresponse().status == status
    conn.close()


def test_the_listener_forwards_a_post_to_its_connection(running, ws):
    subscribe(ws, 'direct')
    sid = ws.call('subscription_list', {'queue_name': 'direct'})['body']['subscriptions']
    url = sid[0]['subscriber']
    conn = listener(running)
    for n in range(2):  # one kept-alive connection, as the notifier's
        conn.request('POST', '/' + url.rsplit('/', 1)[1], body=json.dumps({'n': n}),
                     headers={'Content-Type': 'application/json'})
        response = conn.getresponse()
        response.read()
        assert response.status == 204
        assert ws.recv() == {'n': n}
    conn.close()


def test_a_wildcard_notification_bind_puts_the_host_name_in_the_url(store, tmp_path_factory):
    server = RunningServer(make_conf(store, tmp_path_factory,
                                     '[drivers:transport:websocket]\n'
                                     'notification_bind = 0.0.0.0\n'))
    try:
        port = server.server.notification_port
        assert server.server.subscriber_base == f'http://{socket.gethostname()}:{port}/'
        with Caller(server.url) as ws:
            subscribe(ws, 'named')
            ws.call('message_post', {'queue_name': 'named', 'messages': [{'body': 'hi'}]})
            assert ws.recv()['body'] == 'hi'
    finally:
        server.stop()

