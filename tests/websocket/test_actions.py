"""Every action of api-v2.md section 9.3 over a real connection, on each
store: status and whole body, and the request echoed in every response."""

import uuid

import pytest

from tests.api.helpers import A_TIMESTAMP, AN_AGE, AN_ID
from tests.websocket.client import answer


def test_the_response_echoes_the_request(ws):
    body = {'queue_name': 'echoed'}
    response = ws.call('queue_create', body)
    assert response == {
        'request': {'action': 'queue_create', 'body': body, 'headers': ws.headers,
                    'api': 'v2'},
        'body': 'Queue echoed created.',
        'headers': {'status': 201}}


# -- queues ------------------------------------------------------------------

def test_queue_create_get_list_delete(ws):
    assert answer(ws.call('queue_create', {'queue_name': 'q1', 'metadata': {'k': 'v'}})) \
        == (201, 'Queue q1 created.')
    assert answer(ws.call('queue_create', {'queue_name': 'q1'})) == (204, 'Queue q1 created.')
    status, metadata = answer(ws.call('queue_get', {'queue_name': 'q1'}))
    assert status == 200
    assert metadata['k'] == 'v'
    assert answer(ws.call('queue_create', {'queue_name': 'q2'}))[0] == 201
    assert answer(ws.call('queue_list', {})) == (200, {'queues': [{'name': 'q1'},
                                                                   {'name': 'q2'}]})
    assert answer(ws.call('queue_list', {'limit': 1, 'marker': 'q1'})) == (
        200, {'queues': [{'name': 'q2'}]})
    status, body = answer(ws.call('queue_list', {'detailed': True, 'limit': 1}))
    assert status == 200
    assert body['queues'][0]['name'] == 'q1'
    assert body['queues'][0]['metadata']['k'] == 'v'
    assert answer(ws.call('queue_delete', {'queue_name': 'q1'})) == (204, 'Queue q1 removed.')
    assert answer(ws.call('queue_list')) == (200, {'queues': [{'name': 'q2'}]})


def test_queue_get_of_a_missing_queue_is_its_defaults(ws):
    status, metadata = answer(ws.call('queue_get', {'queue_name': 'missing'}))
    assert status == 200
    assert '_default_message_ttl' in metadata


def test_queue_create_rejects_bad_names_and_metadata(ws):
    assert answer(ws.call('queue_create', {'queue_name': 'bad name'})) == (400, {
        'exception': 'The format of the submitted queue name or project id is not valid.',
        'error': 'Invalid queue identification'})
    assert answer(ws.call('queue_create', {'queue_name': 'q', 'metadata': {
        '_default_message_ttl': 5}})) == (400, {
            'exception': '_default_message_ttl must be at least 60 and may not be greater '
                         'than 1209600.',
            'error': 'Invalid API request'})


def test_queue_stats_and_purge(ws):
    ws.call('message_post', {'queue_name': 'st', 'messages': [{'body': 1}, {'body': 2}]})
    status, body = answer(ws.call('queue_get_stats', {'queue_name': 'st'}))
    point = {'id': AN_ID, 'age': AN_AGE, 'created': A_TIMESTAMP}
    assert (status, body) == (200, {'messages': {
        'claimed': 0, 'free': 2, 'total': 2, 'oldest': point, 'newest': point}})
    assert answer(ws.call('queue_purge', {'queue_name': 'st',
                                          'resource_types': ['messages']})) == (204, {})
    assert answer(ws.call('queue_get_stats', {'queue_name': 'st'})) == (
        200, {'messages': {'claimed': 0, 'free': 0, 'total': 0}})
    assert answer(ws.call('queue_purge', {'queue_name': 'st',
                                          'resource_types': ['nothing']}))[0] == 400


def test_stats_of_a_missing_queue_is_404_with_zero_counts(ws):
    assert answer(ws.call('queue_get_stats', {'queue_name': 'nowhere'})) == (
        404, {'messages': {'claimed': 0, 'free': 0, 'total': 0}})


# -- messages ----------------------------------------------------------------

def _post(ws, queue, *bodies, ttl=300):
    status, body = answer(ws.call('message_post', {
        'queue_name': queue, 'messages': [{'body': b, 'ttl': ttl} for b in bodies]}))
    assert status == 201, body
    return body['message_ids']


def test_message_post_list_get(ws):
    ids = _post(ws, 'm', {'n': 1}, {'n': 2})
    assert ids == [AN_ID, AN_ID]
    shown = [{'id': mid, 'claim_id': None, 'ttl': 300, 'age': AN_AGE, 'body': {'n': n}}
             for mid, n in zip(ids, (1, 2), strict=True)]
    assert answer(ws.call('message_list', {'queue_name': 'm', 'echo': True})) == (
        200, {'messages': shown})
    assert answer(ws.call('message_list', {'queue_name': 'm'})) == (200, {'messages': []})
    assert answer(ws.call('message_list', {'queue_name': 'm', 'echo': True, 'limit': 1})) \
        == (200, {'messages': shown[:1]})
    assert answer(ws.call('message_get', {'queue_name': 'm', 'message_id': ids[1]})) == (
        200, {'messages': shown[1]})
    assert answer(ws.call('message_get_many', {'queue_name': 'm', 'message_ids': ids})) == (
        200, {'messages': shown})


def test_message_get_missing_is_404_and_get_many_is_an_empty_list(ws):
    _post(ws, 'g', 'x')
    status, body = answer(ws.call('message_get', {'queue_name': 'g',
                                                  'message_id': 'ffffffffffffffffffffffff'}))
    assert status == 404
    assert body['error'] == 'Not found'
    assert answer(ws.call('message_get_many', {'queue_name': 'g', 'message_ids': [
        'ffffffffffffffffffffffff']})) == (200, {'messages': []})


def test_message_post_is_validated_by_the_service(ws):
    assert answer(ws.call('message_post', {'queue_name': 'v', 'messages': []})) == (
        400, {'exception': 'No messages to enqueu.', 'error': 'Invalid API request'})
    assert answer(ws.call('message_post', {'queue_name': 'v', 'messages': [{'body': 1,
                                                                           'ttl': 1}]})) == (
        400, {'exception': 'The TTL for a message may not exceed 1209600 seconds, and must '
                           'be at least 60 seconds long.', 'error': 'Invalid API request'})
    assert answer(ws.call('message_post', {'queue_name': 'v', 'messages': [1]})) == (
        400, {'exception': 'Each message must be a JSON object.',
              'error': 'Invalid request body'})


def test_message_delete_and_delete_many_and_pop(ws):
    ids = _post(ws, 'd', 1, 2, 3, 4)
    assert answer(ws.call('message_delete', {'queue_name': 'd', 'message_id': ids[0]})) == (
        204, {})
    assert answer(ws.call('message_delete_many', {'queue_name': 'd',
                                                  'message_ids': ids[1:2]})) == (204, {})
    assert answer(ws.call('message_delete_many', {'queue_name': 'd', 'pop': 1})) == (
        200, {'messages': [{'id': ids[2], 'claim_id': None, 'ttl': 300, 'age': AN_AGE,
                            'body': 3}]})
    assert [m['id'] for m in ws.call('message_list', {'queue_name': 'd', 'echo': True})
            ['body']['messages']] == [ids[3]]
    assert answer(ws.call('message_delete_many', {'queue_name': 'd'}))[0] == 400
    assert answer(ws.call('message_delete_many', {'queue_name': 'd', 'pop': 1,
                                                  'message_ids': ids}))[0] == 400


def test_claimed_message_needs_its_claim_to_be_deleted(ws):
    mid, = _post(ws, 'c', 'x')
    claim_id = ws.call('claim_create', {'queue_name': 'c'})['body']['claim_id']
    assert answer(ws.call('message_delete', {'queue_name': 'c', 'message_id': mid})) == (
        403, {'exception': 'This message is claimed; it cannot be deleted without a valid '
                           'claim ID.', 'error': 'Unable to delete'})
    assert answer(ws.call('message_delete', {'queue_name': 'c', 'message_id': mid,
                                             'claim_id': claim_id})) == (204, {})


# -- claims ------------------------------------------------------------------

def test_claim_create_get_update_delete(ws):
    ids = _post(ws, 'cl', 'a', 'b')
    status, body = answer(ws.call('claim_create', {'queue_name': 'cl', 'ttl': 100,
                                                   'grace': 60, 'limit': 5}))
    claim_id = body['claim_id']
    assert (status, body) == (201, {'claim_id': AN_ID, 'messages': [
        {'id': mid, 'claim_id': claim_id, 'ttl': 300, 'age': AN_AGE, 'body': b}
        for mid, b in zip(ids, 'ab', strict=True)]})
    assert answer(ws.call('claim_create', {'queue_name': 'cl'})) == (204, {'claim_id': None})
    status, body = answer(ws.call('claim_get', {'queue_name': 'cl', 'claim_id': claim_id}))
    assert (status, body) == (200, {'age': AN_AGE, 'ttl': 100, 'messages': [
        {'id': mid, 'claim_id': claim_id, 'ttl': 300, 'age': AN_AGE, 'body': b}
        for mid, b in zip(ids, 'ab', strict=True)]})
    assert answer(ws.call('claim_update', {'queue_name': 'cl', 'claim_id': claim_id,
                                           'ttl': 200})) == (204, f'Claim {claim_id} updated.')
    assert ws.call('claim_get', {'queue_name': 'cl', 'claim_id': claim_id})['body']['ttl'] \
        == 200
    assert answer(ws.call('claim_delete', {'queue_name': 'cl', 'claim_id': claim_id})) == (
        204, f'Claim {claim_id} deleted.')
    assert answer(ws.call('claim_get', {'queue_name': 'cl', 'claim_id': claim_id}))[0] == 404
    assert answer(ws.call('claim_update', {'queue_name': 'cl', 'claim_id': claim_id,
                                           'ttl': 200}))[0] == 404


def test_claim_limits_are_the_service_layers(ws):
    assert answer(ws.call('claim_create', {'queue_name': 'cl', 'ttl': 1})) == (400, {
        'exception': 'The TTL for a claim may not exceed 43200 seconds, and must be at '
                     'least 60 seconds long.', 'error': 'Invalid API request'})
    assert answer(ws.call('claim_create', {'queue_name': 'cl', 'limit': 100000}))[0] == 400


# -- subscriptions -----------------------------------------------------------

def test_subscription_create_list_get_delete(ws):
    hook = 'http://127.0.0.1:9/hook'
    status, body = answer(ws.call('subscription_create', {
        'queue_name': 's', 'subscriber': hook, 'ttl': 600, 'options': {'a': 1}}))
    assert (status, body) == (201, {'subscription_id': AN_ID,
                                    'message': 'Subscription s created.'})
    sid = body['subscription_id']
    shown = {'id': sid, 'source': 's', 'subscriber': hook, 'ttl': 600, 'age': AN_AGE,
             'options': {'a': 1}, 'confirmed': False}
    assert answer(ws.call('subscription_get', {'queue_name': 's',
                                               'subscription_id': sid})) == (200, shown)
    assert answer(ws.call('subscription_list', {'queue_name': 's'})) == (
        200, {'subscriptions': [shown]})
    assert answer(ws.call('subscription_delete', {'queue_name': 's',
                                                  'subscription_id': sid})) == (
        204, f'Subscription {sid} removed.')
    assert answer(ws.call('subscription_get', {'queue_name': 's',
                                               'subscription_id': sid}))[0] == 404
    assert answer(ws.call('subscription_list', {'queue_name': 's'})) == (
        200, {'subscriptions': []})


def test_subscription_create_is_validated_by_the_service(ws):
    assert answer(ws.call('subscription_create', {
        'queue_name': 's', 'subscriber': 'gopher://x'})) == (400, {
            'exception': "The subscriber type of subscription must be supported in the list "
                         "['http', 'https', 'mailto', 'trust+http', 'trust+https'].",
            'error': 'Invalid API request'})
    assert answer(ws.call('subscription_create', {
        'queue_name': 's', 'subscriber': 'http://x', 'ttl': 1}))[0] == 400


# -- node, binary frames, isolation -------------------------------------------

def test_ping_and_health(ws):
    assert answer(ws.call('ping_node')) == (204, {})
    assert answer(ws.call('ping')) == (204, {})
    assert answer(ws.call('check_node_health')) == (403, {
        'exception': 'You are not authorized to complete this action.',
        'error': 'Not authorized'})
    status, body = answer(ws.call('health', headers={'X-Roles': 'admin'}))
    assert (status, body['storage_reachable']) == (200, True)


def test_binary_frames_are_answered_in_messagepack(ws):
    response = ws.call('message_post', {'queue_name': 'b', 'messages': [
        {'body': {'packed': [1, 2.5, None]}}]}, binary=True)
    assert response['headers'] == {'status': 201}
    assert response['request']['action'] == 'message_post'
    listed = ws.call('message_list', {'queue_name': 'b', 'echo': True}, binary=True)
    assert [m['body'] for m in listed['body']['messages']] == [{'packed': [1, 2.5, None]}]


def test_another_project_sees_nothing(ws, connect):
    _post(ws, 'private', 'secret')
    other = connect()
    assert answer(other.call('message_list', {'queue_name': 'private', 'echo': True})) == (
        200, {'messages': []})
    assert answer(other.call('queue_list')) == (200, {'queues': []})


@pytest.mark.parametrize('headers, exception', [
    ({'Client-ID': 'not-a-uuid'}, 'Malformed hexadecimal UUID.'),
    ({'X-Project-ID': ''}, 'X-PROJECT-ID cannot be an empty string. Specify the right '
                           'header X-PROJECT-ID and retry.'),
    ({'X-Project-ID': 'a\x01b'}, 'The project id may not contain control characters.'),
])
def test_bad_headers_are_400(ws, headers, exception):
    status, body = answer(ws.call('queue_list', {}, headers=headers))
    assert status == 400
    assert body['exception'] == exception


def test_every_action_is_served(ws):
    from zaqar.transport.websocket import actions

    queue = f'all-{uuid.uuid4().hex[:6]}'
    for action in actions.ACTIONS:
        body = {'queue_name': queue, 'message_id': 'x', 'message_ids': ['x'],
                'messages': [{'body': 1}], 'claim_id': 'x', 'subscription_id': 'x'}
        status = ws.status(action, body, headers={'X-Roles': 'admin'})
        assert status < 500, action


def test_authenticate_without_auth_is_a_no_op(ws):
    response = ws.call('authenticate', headers={'X-Auth-Token': 'anything'})
    assert response == {'request': {'action': 'authenticate', 'body': {}, 'headers': {},
                                    'api': 'v2'},
                        'body': {'message': 'Authentication is not enabled.'},
                        'headers': {'status': 200}}
    assert answer(ws.call('queue_list', {}))[0] == 200


def test_subscribing_again_a_confirmed_subscriber_is_409(ws, http_api):
    hook = {'queue_name': 'confirmed', 'subscriber': 'http://127.0.0.1:9/confirmed'}
    sid = ws.call('subscription_create', hook)['body']['subscription_id']
    # Unconfirmed, the same subscriber gets its subscription again.
    assert answer(ws.call('subscription_create', hook)) == (
        201, {'subscription_id': sid, 'message': 'Subscription confirmed created.'})
    response = http_api.put(f'/v2/queues/confirmed/subscriptions/{sid}/confirm',
                            body={'confirmed': True})
    assert response.status_int == 204, response.body
    assert answer(ws.call('subscription_create', hook)) == (
        409, 'Subscription confirmed not created.')
