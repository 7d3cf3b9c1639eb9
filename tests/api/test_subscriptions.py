"""Subscriptions over HTTP (api-v2.md section 4.6): same bodies on every store."""

import pytest

from tests.api.helpers import AN_ID, NO_BODY, bad_request, error, expect, invalid_body

HOOK = 'http://127.0.0.1:9/hook'
MAIL = 'mailto:ops@example.org'
CONFLICT = error('Resource conflict', 'Such subscription already exists.Subscriptions '
                 'are unique by project + queue + subscriber URI.')
TYPES = "['http', 'https', 'mailto', 'trust+http', 'trust+https']"


def subscribe(api, body, queue='q'):
    return api.post(f'/v2/queues/{queue}/subscriptions', body)


def subscription(api, sid, queue='q'):
    return api.get(f'/v2/queues/{queue}/subscriptions/{sid}')


def test_create_get_list(api):
    response = subscribe(api, {'subscriber': HOOK, 'ttl': 600, 'options': {'k': 'v'}})
    expect(response, 201, {'subscription_id': AN_ID})
    assert response.headers['Location'].endswith('/v2/queues/q/subscriptions')
    sid = response.json['subscription_id']
    expected = {'id': sid, 'source': 'q', 'subscriber': HOOK, 'ttl': 600, 'age': 0,
                'options': {'k': 'v'}, 'confirmed': False}
    expect(subscription(api, sid), 200, expected)
    response = api.get('/v2/queues/q/subscriptions')
    expect(response, 200, {'subscriptions': [expected], 'links': [
        {'rel': 'next', 'href': f'/v2/queues/q/subscriptions?marker={sid}'}]})


def test_defaults_and_the_lazy_queue(api):
    sid = subscribe(api, {'subscriber': MAIL}).json['subscription_id']
    found = subscription(api, sid).json
    assert (found['ttl'], found['options']) == (3600, {})
    names = [q['name'] for q in api.get('/v2/queues').json['queues']]
    assert names == ['q']


def test_paging(api):
    ids = [subscribe(api, {'subscriber': f'{HOOK}/{n}'}).json['subscription_id']
           for n in range(3)]
    page = api.get('/v2/queues/q/subscriptions?limit=2').json
    assert [s['id'] for s in page['subscriptions']] == ids[:2]
    page = api.get(page['links'][0]['href']).json
    assert [s['id'] for s in page['subscriptions']] == ids[2:]
    page = api.get(page['links'][0]['href']).json
    assert page == {'subscriptions': [], 'links': []}


def test_unknown_queue_lists_nothing(api):
    expect(api.get('/v2/queues/nonesuch/subscriptions'), 200,
           {'subscriptions': [], 'links': []})


@pytest.mark.parametrize('query, description', [
    ('limit=0', 'Limit must be at least 1 and may not be greater than 20.'),
    ('limit=21', 'Limit must be at least 1 and may not be greater than 20.'),
])
def test_bad_limits(api, query, description):
    expect(api.get(f'/v2/queues/q/subscriptions?{query}'), 400, bad_request(description))


def test_duplicate_unconfirmed_gives_the_same_id(api):
    sid = subscribe(api, {'subscriber': HOOK}).json['subscription_id']
    expect(subscribe(api, {'subscriber': HOOK, 'ttl': 900}), 201, {'subscription_id': sid})
    assert subscription(api, sid).json['ttl'] == 3600


def test_duplicate_confirmed_is_409(api):
    sid = subscribe(api, {'subscriber': HOOK}).json['subscription_id']
    expect(api.put(f'/v2/queues/q/subscriptions/{sid}/confirm', {'confirmed': True}), 204)
    response = subscribe(api, {'subscriber': HOOK})
    expect(response, 409, CONFLICT)
    assert response.headers['Location'].endswith('/v2/queues/q/subscriptions')


@pytest.mark.parametrize('body, expected', [
    (NO_BODY, bad_request('Missing parameter subscriber in body.')),
    ({}, bad_request('Missing parameter subscriber in body.')),
    ({'ttl': 600}, bad_request('Missing parameter subscriber in body.')),
    ([], bad_request('No subscription to create.')),
    ([1], bad_request('Subscriptions must be a dict.')),
    ({'subscriber': 'fake://x'}, bad_request(
        f'The subscriber type of subscription must be supported in the list {TYPES}.')),
    ({'subscriber': 'email://x'}, bad_request(
        f'The subscriber type of subscription must be supported in the list {TYPES}.')),
    ({'subscriber': 42}, bad_request(
        f'The subscriber type of subscription must be supported in the list {TYPES}.')),
    ({'subscriber': HOOK, 'options': 'x'}, bad_request('Options must be a dict.')),
    ({'subscriber': HOOK, 'ttl': 'x'}, bad_request('TTL must be an integer.')),
    ({'subscriber': HOOK, 'ttl': 59}, bad_request(
        'The TTL for a subscription must be at least 60 seconds long.')),
    ({'subscriber': HOOK, 'ttl': 99999999999999999}, bad_request(
        'The TTL seconds for a subscription plus current time must be less than '
        '9999-12-31 23:59:59.999999.')),
    ({'subscriber': HOOK, 'color': 'red'}, bad_request('Unknown fields: color.')),
])
def test_bad_creates(api, body, expected):
    expect(subscribe(api, body), 400, expected)
    expect(api.get('/v2/queues/q/subscriptions'), 200, {'subscriptions': [], 'links': []})


def test_bad_json(api):
    expect(api.post('/v2/queues/q/subscriptions', raw=b'{'), 400,
           invalid_body('Request body could not be parsed.'))


def test_update(api):
    sid = subscribe(api, {'subscriber': HOOK}).json['subscription_id']
    path = f'/v2/queues/q/subscriptions/{sid}'
    response = api.patch(path, {'subscriber': MAIL, 'ttl': 7200, 'options': {'a': 1}})
    expect(response, 204, None)
    assert response.headers['Location'].endswith(path)
    expect(subscription(api, sid), 200, {
        'id': sid, 'source': 'q', 'subscriber': MAIL, 'ttl': 7200, 'age': 0,
        'options': {'a': 1}, 'confirmed': False})


@pytest.mark.parametrize('body, expected', [
    (NO_BODY, bad_request('No subscription to create.')),
    ({}, bad_request('No subscription to create.')),
    ([1], bad_request('Subscriptions must be a dict.')),
    ({'ttl': 1}, bad_request('The TTL for a subscription must be at least 60 seconds long.')),
    ({'subscriber': 'fake://x'}, bad_request(
        f'The subscriber type of subscription must be supported in the list {TYPES}.')),
])
def test_bad_updates(api, body, expected):
    sid = subscribe(api, {'subscriber': HOOK}).json['subscription_id']
    expect(api.patch(f'/v2/queues/q/subscriptions/{sid}', body), 400, expected)


def test_update_to_a_taken_subscriber_is_409(api):
    subscribe(api, {'subscriber': HOOK})
    sid = subscribe(api, {'subscriber': MAIL}).json['subscription_id']
    expect(api.patch(f'/v2/queues/q/subscriptions/{sid}', {'subscriber': HOOK}), 409,
           error('Resource conflict', 'Such subscription already exists. Subscriptions '
                 'are unique by project + queue + subscriber URI.'))


@pytest.mark.parametrize('method, suffix, body', [
    ('GET', '', NO_BODY), ('PATCH', '', {'ttl': 600}),
    ('PUT', '/confirm', {'confirmed': True}),
])
@pytest.mark.parametrize('sid', ['123', 'ffffffffffffffffffffffffffffffff'])
def test_unknown_subscription_is_404(api, method, suffix, body, sid):
    expect(api.call(method, f'/v2/queues/q/subscriptions/{sid}{suffix}', body), 404,
           error('Not found', f'Subscription {sid} does not exist'))


def test_wrong_queue_or_project_is_404(api):
    sid = subscribe(api, {'subscriber': HOOK}).json['subscription_id']
    expect(subscription(api, sid, queue='other'), 404,
           error('Not found', f'Subscription {sid} does not exist'))
    expect(subscription(api.other_project(), sid), 404,
           error('Not found', f'Subscription {sid} does not exist'))
    expect(api.other_project().delete(f'/v2/queues/q/subscriptions/{sid}'), 204, None)
    expect(subscription(api, sid), 200)


def test_delete_is_always_204(api):
    sid = subscribe(api, {'subscriber': HOOK}).json['subscription_id']
    for _ in range(2):
        expect(api.delete(f'/v2/queues/q/subscriptions/{sid}'), 204, None)
    expect(subscription(api, sid), 404)
    expect(api.delete('/v2/queues/q/subscriptions/123'), 204, None)


@pytest.mark.parametrize('body', [NO_BODY, {}, {'confirmed': 'yes'}, {'confirmed': 1}, [True]])
def test_bad_confirms(api, body):
    sid = subscribe(api, {'subscriber': HOOK}).json['subscription_id']
    expect(api.put(f'/v2/queues/q/subscriptions/{sid}/confirm', body), 400,
           bad_request("The 'confirmed' should be boolean."))


def test_confirm_and_unconfirm(api):
    sid = subscribe(api, {'subscriber': HOOK}).json['subscription_id']
    path = f'/v2/queues/q/subscriptions/{sid}/confirm'
    response = api.put(path, {'confirmed': True})
    expect(response, 204, None)
    assert response.headers['Location'].endswith(path)
    assert subscription(api, sid).json['confirmed'] is True
    expect(api.put(path, {'confirmed': False}), 204, None)
    assert subscription(api, sid).json['confirmed'] is False


def test_purge_removes_subscriptions_and_queue_delete_keeps_them(api):
    sid = subscribe(api, {'subscriber': HOOK}).json['subscription_id']
    expect(api.delete('/v2/queues/q'), 204)
    expect(subscription(api, sid), 200)
    expect(api.post('/v2/queues/q/purge', {'resource_types': ['messages']}), 204)
    expect(subscription(api, sid), 200)
    expect(api.post('/v2/queues/q/purge', {'resource_types': ['subscriptions']}), 204)
    expect(subscription(api, sid), 404)


def test_methods(api):
    response = api.call('PUT', '/v2/queues/q/subscriptions')
    expect(response, 405)
    assert response.headers['Allow'] == 'GET, POST'
    response = api.call('POST', '/v2/queues/q/subscriptions/1/confirm')
    expect(response, 405)
    assert response.headers['Allow'] == 'PUT'
