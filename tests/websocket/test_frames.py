"""Bad frames (api-v2.md section 9.1): each gets an error frame and the
connection goes on serving; a frame past ``max_frame_size`` closes it with
1009 (message too big)."""

import json

import msgpack
import pytest
from websockets.exceptions import ConnectionClosedError

from tests.websocket.client import answer

NO_REQUEST = {'action': None, 'body': {}, 'headers': {}, 'api': 'v2'}


def assert_still_serving(ws):
    assert answer(ws.call('queue_list', {})) == (200, {'queues': []})


@pytest.mark.parametrize('frame, error', [
    ('{', "Can't decode text (JSON) request. JSONDecodeError: Expecting property name "
          "enclosed in double quotes: line 1 column 2 (char 1)"),
    ('', "Can't decode text (JSON) request. JSONDecodeError: Expecting value: line 1 "
         "column 1 (char 0)"),
    (b'\xc1', "Can't decode binary (MessagePack) request. FormatError: "),
    (b'\x92\x01', "Can't decode binary (MessagePack) request. ValueError: Unpack failed: "
                  "incomplete input"),
    (msgpack.packb({'action': 'queue_list', 'body': b'raw bytes'}),
     "Can't decode binary (MessagePack) request. TypeError: Object of type bytes is not "
     "JSON serializable"),
])
def test_undecodable_frames(ws, frame, error):
    response = ws.raw(frame)
    assert response == {'request': NO_REQUEST, 'body': {'error': error},
                        'headers': {'status': 400}}
    assert_still_serving(ws)


@pytest.mark.parametrize('payload', [[], ['queue_list'], 'queue_list', 7, None])
@pytest.mark.parametrize('binary', [False, True])
def test_a_payload_that_is_not_an_object(ws, payload, binary):
    frame = msgpack.packb(payload) if binary else json.dumps(payload)
    assert ws.raw(frame) == {
        'request': NO_REQUEST, 'body': {'error': 'Unexpected body type. Expected dict or '
                                                 'dict like.'},
        'headers': {'status': 400}}
    assert_still_serving(ws)


@pytest.mark.parametrize('action', ['queue_explode', '', None, ['queue_list'], 'get_home_doc'])
def test_unknown_actions(ws, action):
    response = ws.call(action, {})
    assert answer(response) == (400, {'error': f'{action} is not a valid action'})
    assert response['request']['action'] == action
    assert_still_serving(ws)


@pytest.mark.parametrize('action, body, headers', [
    ('queue_create', {}, None),                                  # queue_name required
    ('queue_create', None, None),                                # body required
    ('queue_create', ['q'], None),                               # body not an object
    ('queue_create', {'queue_name': 7}, None),                   # wrong type
    ('queue_list', {'limit': '10'}, None),
    ('queue_list', {'limit': True}, None),                       # a bool is no integer
    ('message_list', {'queue_name': 'q', 'echo': 'yes'}, None),
    ('message_post', {'queue_name': 'q', 'messages': {'body': 1}}, None),
    ('message_get_many', {'queue_name': 'q'}, None),
    ('claim_create', {'queue_name': 'q', 'ttl': 60.5}, None),
    ('subscription_create', {'queue_name': 'q', 'options': 'x'}, None),
    ('queue_list', {}, {'Client-ID': None}),                     # required header missing
    ('queue_list', {}, {'X-Project-ID': None}),
    ('queue_list', {}, {'Client-ID': 42}),                       # header not a string
    ('authenticate', None, {'X-Auth-Token': None}),
])
def test_schema_violations(ws, action, body, headers):
    assert answer(ws.call(action, body, headers=headers)) == (
        400, {'error': 'Schema validation failed.'})
    assert_still_serving(ws)


def test_headers_that_are_not_an_object(ws):
    assert answer(ws.raw(json.dumps({'action': 'queue_list', 'headers': ['x']}))) == (
        400, {'error': 'Schema validation failed.'})
    assert answer(ws.raw(json.dumps({'action': 'queue_list'}))) == (
        400, {'error': 'Schema validation failed.'})


def test_a_frame_past_the_limit_closes_with_1009(running, connect):
    ws = connect()
    limit = running.conf['drivers:transport:websocket'].max_frame_size
    ws.send('message_post', {'queue_name': 'big', 'messages': [{'body': 'x' * limit}]})
    with pytest.raises(ConnectionClosedError) as closed:
        ws.recv()
    assert closed.value.rcvd.code == 1009
    # The server goes on serving other connections.
    assert_still_serving(connect())


def test_a_large_frame_within_the_limit_is_served_by_the_service(ws):
    status, body = answer(ws.call('message_post', {'queue_name': 'big', 'messages': [
        {'body': 'x' * 300000}]}))
    assert status == 400
    assert body['exception'].startswith('Message collection size is too large.')
