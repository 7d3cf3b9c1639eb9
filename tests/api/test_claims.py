"""Claims: create, get, renew, release, dead-letter queues (api-v2.md 4.5, 6.2, 6.4)."""

import pytest

from tests.api.helpers import (
    A_TIMESTAMP,
    AN_AGE,
    ID,
    NO_BODY,
    bad_request,
    claimed,
    error,
    expect,
    invalid_body,
    matches,
    message,
    next_link,
)

CLAIMS = '/v2/queues/q/claims'
MESSAGES = '/v2/queues/q/messages'
CLAIM_TTL = ('The TTL for a claim may not exceed 43200 seconds, and must be at least 60 '
             'seconds long.')
CLAIM_GRACE = ('The grace for a claim may not exceed 43200 seconds, and must be at least '
               '60 seconds long.')
LIMIT_ERROR = bad_request('Limit must be at least 1 and may not be greater than 20.')


def claim_id_of(response):
    location = response.headers['Location']
    assert location == matches(rf'{CLAIMS}/{ID}')
    return location.rsplit('/', 1)[1]


def not_found(api, claim_id, queue='q'):
    return error('Not found',
                 f'Claim {claim_id} does not exist in queue {queue} for project {api.project}')


# -- create -------------------------------------------------------------------

def test_create(api):
    ids = api.post_messages('q', 0, 1, 2)
    response = api.post(f'{CLAIMS}?limit=2', {'ttl': 100, 'grace': 60})
    claim_id = claim_id_of(response)
    expect(response, 201, {'messages': [claimed('q', claim_id, ids[0], 0),
                                        claimed('q', claim_id, ids[1], 1)]})
    expect(api.get(f'{CLAIMS}/{claim_id}'), 200, {
        'age': AN_AGE, 'ttl': 100, 'href': f'{CLAIMS}/{claim_id}',
        'messages': [claimed('q', claim_id, ids[0], 0), claimed('q', claim_id, ids[1], 1)]})


@pytest.mark.parametrize('document', [NO_BODY, {}], ids=['no-body', 'empty-object'])
def test_create_with_defaults(api, document):
    api.post_messages('q', *range(12))
    response = api.post(CLAIMS, document)
    claim_id = claim_id_of(response)
    expect(response, 201)
    assert [m['body'] for m in response.json['messages']] == list(range(10))
    expect(api.get(f'{CLAIMS}/{claim_id}'), 200, {
        'age': AN_AGE, 'ttl': 300, 'href': f'{CLAIMS}/{claim_id}',
        'messages': response.json['messages']})


def test_claimed_message_ttl_is_extended_to_outlive_the_claim(api):
    (mid,) = api.post_messages('q', 'short', ttl=60)
    response = api.post(CLAIMS, {'ttl': 300, 'grace': 100})
    claim_id = claim_id_of(response)
    expect(response, 201, {'messages': [claimed('q', claim_id, mid, 'short', ttl=400)]})


def test_claims_take_free_messages_oldest_first(api):
    ids = api.post_messages('q', 0, 1, 2)
    first, _ = api.claim('q', limit=1)
    response = api.post(f'{CLAIMS}?limit=5')
    second = claim_id_of(response)
    expect(response, 201, {'messages': [claimed('q', second, ids[1], 1),
                                        claimed('q', second, ids[2], 2)]})
    assert first != second


def test_claims_ignore_echo(api):
    (mid,) = api.post_messages('q', 'mine')
    response = api.post(CLAIMS)
    expect(response, 201, {'messages': [claimed('q', claim_id_of(response), mid, 'mine')]})


def test_claimed_messages_leave_the_listing(api):
    ids = api.post_messages('q', 0, 1)
    api.claim('q', limit=1)
    expect(api.get(f'{MESSAGES}?echo=true'), 200, {
        'messages': [message('q', 1, mid=ids[1])],
        'links': [next_link(MESSAGES, echo=True)]})


def test_nothing_to_claim(api):
    api.create_queue('q')
    expect(api.post(CLAIMS), 204, None)
    api.post_messages('q', 1)
    api.claim('q')
    expect(api.post(CLAIMS), 204, None)


def test_claim_on_unknown_queue(api):
    expect(api.post('/v2/queues/nowhere/claims', {'ttl': 60, 'grace': 60}), 204, None)


def test_unknown_query_parameters_are_ignored(api):
    api.post_messages('q', 1)
    expect(api.post(f'{CLAIMS}?foo=bar&limit=1'), 201)


@pytest.mark.parametrize('raw', [b'[', b'"Try"', b'[]', b'.', b'"123"', b'123', b'[{}]'],
                         ids=['bracket', 'string', 'array', 'dot', 'numeric-string',
                              'number', 'array-of-object'])
def test_create_with_invalid_body(api, raw):
    api.post_messages('q', 1)
    response = api.post(CLAIMS, raw=raw)
    assert response.status_int == 400, response.body
    assert response.json['title'] == 'Invalid request body'
    assert set(response.json) == {'title', 'description'}
    assert len(api.message_ids('q', 'echo=true')) == 1  # still free


@pytest.mark.parametrize('query, document, expected', [
    ('?limit=0', {}, LIMIT_ERROR),
    ('?limit=21', {}, LIMIT_ERROR),
    ('?limit=-1', {}, LIMIT_ERROR),
    ('?limit=x', {}, error('Invalid parameter', 'The "limit" parameter is invalid. The '
                                                'value must be an integer.')),
    ('', {'ttl': 59}, bad_request(CLAIM_TTL)),
    ('', {'ttl': 43201}, bad_request(CLAIM_TTL)),
    ('', {'ttl': 'x'}, bad_request(CLAIM_TTL)),
    ('', {'grace': 59}, bad_request(CLAIM_GRACE)),
    ('', {'grace': 43201}, bad_request(CLAIM_GRACE)),
    ('', {'ttl': 60, 'grace': 'x'}, bad_request(CLAIM_GRACE)),
], ids=['limit-0', 'limit-21', 'limit--1', 'limit-x', 'ttl-59', 'ttl-43201', 'ttl-str',
        'grace-59', 'grace-43201', 'grace-str'])
def test_create_out_of_range(api, query, document, expected):
    api.post_messages('q', 1)
    expect(api.post(f'{CLAIMS}{query}', document), 400, expected)


@pytest.mark.parametrize('document', [{'ttl': 60, 'grace': 60}, {'ttl': 43200, 'grace': 43200}],
                         ids=['minimum', 'maximum'])
def test_create_at_the_bounds(api, document):
    api.post_messages('q', 1)
    expect(api.post(f'{CLAIMS}?limit=20', document), 201)


# -- get ------------------------------------------------------------------------

@pytest.mark.parametrize('claim_id', ['123', 'abc', '0' * 32, 'a-b'])
def test_get_unknown(api, claim_id):
    api.post_messages('q', 1)
    api.claim('q')
    expect(api.get(f'{CLAIMS}/{claim_id}'), 404, not_found(api, claim_id))


def test_get_in_another_queue(api):
    api.post_messages('q', 1)
    claim_id, _ = api.claim('q')
    expect(api.get(f'/v2/queues/other/claims/{claim_id}'), 404,
           not_found(api, claim_id, queue='other'))


def test_get_after_release(api):
    api.post_messages('q', 1)
    claim_id, _ = api.claim('q')
    expect(api.delete(f'{CLAIMS}/{claim_id}'), 204, None)
    expect(api.get(f'{CLAIMS}/{claim_id}'), 404, not_found(api, claim_id))


def test_get_after_its_messages_are_deleted(api):
    (mid,) = api.post_messages('q', 1)
    claim_id, _ = api.claim('q')
    api.delete(f'{MESSAGES}/{mid}?claim_id={claim_id}')
    expect(api.get(f'{CLAIMS}/{claim_id}'), 404, not_found(api, claim_id))


# -- renew ------------------------------------------------------------------------

def test_renew(api):
    (mid,) = api.post_messages('q', 1, ttl=60)
    claim_id, _ = api.claim('q', ttl=60, grace=60)
    expect(api.patch(f'{CLAIMS}/{claim_id}', {'ttl': 500, 'grace': 100}), 204, None)
    expect(api.get(f'{CLAIMS}/{claim_id}'), 200, {
        'age': AN_AGE, 'ttl': 500, 'href': f'{CLAIMS}/{claim_id}',
        'messages': [claimed('q', claim_id, mid, 1, ttl=600)]})


def test_renew_with_defaults(api):
    api.post_messages('q', 1)
    claim_id, _ = api.claim('q')
    expect(api.patch(f'{CLAIMS}/{claim_id}', {}), 204, None)
    assert api.get(f'{CLAIMS}/{claim_id}').json['ttl'] == 300


@pytest.mark.parametrize('raw, expected', [
    (None, invalid_body('Request body can not be empty')),
    (b'[', invalid_body('Request body could not be parsed.')),
    (b'{"ttl": 59}', bad_request(CLAIM_TTL)),
    (b'{"ttl": 43201}', bad_request(CLAIM_TTL)),
], ids=['no-body', 'bracket', 'ttl-59', 'ttl-43201'])
def test_renew_invalid(api, raw, expected):
    api.post_messages('q', 1)
    claim_id, _ = api.claim('q')
    expect(api.patch(f'{CLAIMS}/{claim_id}', raw=raw), 400, expected)
    assert api.get(f'{CLAIMS}/{claim_id}').json['ttl'] == 60


def test_renew_unknown(api):
    api.create_queue('q')
    expect(api.patch(f'{CLAIMS}/123', {'ttl': 60}), 404, not_found(api, '123'))
    expect(api.patch('/v2/queues/nowhere/claims/123', {}), 404,
           not_found(api, '123', queue='nowhere'))


def test_renew_released(api):
    api.post_messages('q', 1)
    claim_id, _ = api.claim('q')
    api.delete(f'{CLAIMS}/{claim_id}')
    expect(api.patch(f'{CLAIMS}/{claim_id}', {}), 404, not_found(api, claim_id))


# -- release ------------------------------------------------------------------------

def test_release(api):
    ids = api.post_messages('q', 0, 1)
    claim_id, _ = api.claim('q')
    expect(api.delete(f'{CLAIMS}/{claim_id}'), 204, None)
    expect(api.delete(f'{CLAIMS}/{claim_id}'), 204, None)
    expect(api.get(f'{MESSAGES}?echo=true'), 200, {
        'messages': [message('q', 0, mid=ids[0]), message('q', 1, mid=ids[1])],
        'links': [next_link(MESSAGES, echo=True)]})
    response = api.post(CLAIMS)
    again = claim_id_of(response)
    expect(response, 201, {'messages': [claimed('q', again, ids[0], 0),
                                        claimed('q', again, ids[1], 1)]})


@pytest.mark.parametrize('path', ['/v2/queues/nowhere/claims/123', f'{CLAIMS}/123',
                                  f'{CLAIMS}/abc'])
def test_release_unknown(api, path):
    api.create_queue('q')
    expect(api.delete(path), 204, None)


# -- dead-letter queue ------------------------------------------------------------------

def test_dead_letter_queue(api):
    api.create_queue('dlq')
    api.create_queue('q', {'_max_claim_count': 1, '_dead_letter_queue': 'dlq'})
    (mid,) = api.post_messages('q', 'poison')
    claim_id, messages = api.claim('q')
    assert [m['id'] for m in messages] == [mid]
    expect(api.delete(f'{CLAIMS}/{claim_id}'), 204, None)
    expect(api.post(CLAIMS, {'ttl': 60, 'grace': 60}), 204, None)
    assert api.message_ids('q') == []
    response = api.get('/v2/queues/dlq/messages?echo=true&include_claimed=true')
    expect(response, 200, {
        'messages': [message('dlq', 'poison', mid=matches(ID))],
        'links': [next_link('/v2/queues/dlq/messages', echo=True, include_claimed=True)]})
    moved = response.json['messages'][0]['id']
    point = {'href': f'/v2/queues/dlq/messages/{moved}', 'age': AN_AGE,
             'created': A_TIMESTAMP}
    expect(api.get('/v2/queues/dlq/stats'), 200, {'messages': {
        'claimed': 0, 'free': 1, 'total': 1, 'oldest': point, 'newest': point}})


def test_dead_letter_queue_messages_ttl(api):
    api.create_queue('q', {'_max_claim_count': 1, '_dead_letter_queue': 'dlq',
                           '_dead_letter_queue_messages_ttl': 120})
    api.post_messages('q', 'poison')
    claim_id, _ = api.claim('q')
    api.delete(f'{CLAIMS}/{claim_id}')
    expect(api.post(CLAIMS), 204, None)
    expect(api.get('/v2/queues/dlq/messages?echo=true'), 200, {
        'messages': [message('dlq', 'poison', ttl=120)],
        'links': [next_link('/v2/queues/dlq/messages', echo=True)]})


def test_without_a_dead_letter_queue_claims_go_on(api):
    api.create_queue('q', {'_max_claim_count': 1})
    (mid,) = api.post_messages('q', 'poison')
    for _ in range(3):
        claim_id, messages = api.claim('q')
        assert [m['id'] for m in messages] == [mid]
        api.delete(f'{CLAIMS}/{claim_id}')
