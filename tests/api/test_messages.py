"""Messages: post, list, get, delete, pop, delayed queues (api-v2.md 4.4, 6)."""

import json
import time

import pytest

from tests.api.helpers import (
    AN_AGE,
    AN_ID,
    ID,
    Api,
    Shape,
    bad_request,
    claimed,
    error,
    expect,
    invalid_body,
    matches,
    message,
    next_link,
)

MESSAGES = '/v2/queues/q/messages'
A_TEXT = Shape('some text', lambda v: isinstance(v, str) and v.strip())
TTL_RANGE = ('The TTL for a message may not exceed 1209600 seconds, and must be at '
             'least 60 seconds long.')
CLAIMED = error('Unable to delete',
                'This message is claimed; it cannot be deleted without a valid claim ID.')
EMPTY = {'messages': [], 'links': []}


def posted(*bodies):
    return {'messages': [{'body': b} for b in bodies]}


def ids_query(ids):
    return ','.join(ids)


# -- post ---------------------------------------------------------------------

def test_post(api):
    response = api.post(MESSAGES, {'messages': [
        {'body': {'event': 'BackupStarted'}, 'ttl': 300},
        {'body': 'text', 'ttl': 60},
        {'body': None},
    ]})
    expect(response, 201, {'resources': [
        matches(rf'/v2/queues/q/messages/{ID}') for _ in range(3)]})
    ids = [href.rsplit('/', 1)[1] for href in response.json['resources']]
    assert len(set(ids)) == 3
    assert response.headers['Location'] == f'{MESSAGES}?ids={ids_query(ids)}'
    listed = api.get(f'{MESSAGES}?echo=true')
    expect(listed, 200, {
        'messages': [message('q', {'event': 'BackupStarted'}, ttl=300, mid=ids[0]),
                     message('q', 'text', ttl=60, mid=ids[1]),
                     message('q', None, mid=ids[2])],
        'links': [next_link(MESSAGES, echo=True)]})


def test_post_creates_the_queue(api):
    api.post_messages('lazy', 1)
    expect(api.get('/v2/queues'), 200, {
        'queues': [{'name': 'lazy', 'href': '/v2/queues/lazy'}],
        'links': [next_link('/v2/queues', marker='lazy')]})


@pytest.mark.parametrize('body', [
    0, '', [], {}, False, 'ŝ', {'nested': {'deep': [1, {'x': None}]}}, 1.5, 2 ** 63 - 1,
], ids=['zero', 'empty-str', 'empty-list', 'empty-obj', 'false', 'unicode', 'nested',
        'float', 'int64-max'])
def test_post_any_json_body(api, body):
    (mid,) = api.post_messages('q', body)
    expect(api.get(f'{MESSAGES}/{mid}'), 200, message('q', body, mid=mid))


def test_post_ttl_bounds(api):
    low, high = api.post_messages('q', 1, ttl=60) + api.post_messages('q', 2, ttl=1209600)
    expect(api.get(f'{MESSAGES}/{low}'), 200, message('q', 1, ttl=60, mid=low))
    expect(api.get(f'{MESSAGES}/{high}'), 200, message('q', 2, ttl=1209600, mid=high))


def test_post_uses_the_queue_default_ttl(api):
    api.create_queue('q', {'_default_message_ttl': 120})
    (mid,) = api.post_messages('q', 1)
    expect(api.get(f'{MESSAGES}/{mid}'), 200, message('q', 1, ttl=120, mid=mid))


def test_post_drops_delay_and_unknown_keys_on_a_plain_queue(api):
    response = api.post(MESSAGES, {'messages': [{'body': 1, 'delay': 300, 'x': 'y'}]})
    expect(response, 201)
    other = api.other_client()
    expect(other.get(MESSAGES), 200, {
        'messages': [message('q', 1)], 'links': [next_link(MESSAGES)]})


def test_post_many_in_one_request(api):
    response = api.post(MESSAGES, posted(*range(25)))
    expect(response, 201)
    assert len(response.json['resources']) == 25


NO_MESSAGES_FOUND = bad_request('No messages were found in the request body.')


@pytest.mark.parametrize('raw, expected', [
    (None, invalid_body('Request body can not be empty')),
    (b'{', invalid_body('Request body could not be parsed.')),
    (b'[', invalid_body('Request body could not be parsed.')),
    (b'.', invalid_body('Request body could not be parsed.')),
    (b'123', invalid_body('Request body could not be parsed.')),
    (b'"messages"', invalid_body('Request body could not be parsed.')),
    (b'null', invalid_body('Request body could not be parsed.')),
    (b'{}', NO_MESSAGES_FOUND),
    (b'[]', NO_MESSAGES_FOUND),
    (b'[{"body": 1, "ttl": 60}]', NO_MESSAGES_FOUND),
    (b'{"message": [{"body": 1}]}', NO_MESSAGES_FOUND),
    (b'{"messages": []}', bad_request('No messages to enqueu.')),
    (b'{"messages": {}}', invalid_body(A_TEXT)),
    (b'{"messages": {"body": 1}}', invalid_body(A_TEXT)),
    (b'{"messages": "x"}', invalid_body(A_TEXT)),
    (b'{"messages": [1]}', invalid_body(A_TEXT)),
    (b'{"messages": [[]]}', invalid_body(A_TEXT)),
    (b'{"messages": [{"body": 1}, null]}', invalid_body(A_TEXT)),
    (b'{"messages": [{"ttl": 60}]}', invalid_body('Missing "body" field.')),
    (b'{"messages": [{"body": 1}, {"ttl": 60}]}', invalid_body('Missing "body" field.')),
    (b'{"messages": [{"body": 1, "ttl": "x"}]}',
     invalid_body('The value of the "ttl" field must be a int.')),
    (b'{"messages": [{"body": 1, "ttl": "60"}]}',
     invalid_body('The value of the "ttl" field must be a int.')),
    (b'{"messages": [{"body": 1, "ttl": 60.5}]}',
     invalid_body('The value of the "ttl" field must be a int.')),
    (b'{"messages": [{"body": 1, "ttl": 59}]}', bad_request(TTL_RANGE)),
    (b'{"messages": [{"body": 1, "ttl": -1}]}', bad_request(TTL_RANGE)),
    (b'{"messages": [{"body": 1, "ttl": 1209601}]}', bad_request(TTL_RANGE)),
    (b'{"messages": [{"body": 1, "ttl": 99999999999999999999}]}',
     invalid_body('JSON contains integer that is too large.')),
], ids=lambda v: repr(v)[:60] if isinstance(v, bytes) else None)
def test_post_invalid(api, raw, expected):
    expect(api.post(MESSAGES, raw=raw), 400, expected)
    expect(api.other_client().get(MESSAGES), 200, EMPTY)


def test_post_oversize(api):
    document = json.dumps(posted('x' * 262144)).encode()
    expect(api.post(MESSAGES, raw=document), 400,
           bad_request('Message collection size is too large. Max size 262144'))


def test_post_of_exactly_the_maximum_size(api):
    head, tail = b'{"messages": [{"body": "', b'"}]}'
    document = head + b'x' * (262144 - len(head) - len(tail)) + tail
    expect(api.post(MESSAGES, raw=document), 201)


def test_post_over_the_queue_size_limit(api):
    api.create_queue('q', {'_max_messages_post_size': 100})
    document = json.dumps(posted('x' * 100)).encode()
    expect(api.post(MESSAGES, raw=document), 400, bad_request(
        'Message collection size is too large. The max size for current queue is 100. '
        'It is calculated by max size = min(max_messages_post_size_config: 262144, '
        'max_messages_post_size_queue: 100).'))
    expect(api.post(MESSAGES, posted('x')), 201)


# -- list -----------------------------------------------------------------------

def test_list_unknown_queue(api):
    expect(api.get('/v2/queues/nowhere/messages'), 200, EMPTY)


def test_list_is_fifo_through_next_links(api):
    ids = api.post_messages('q', *range(7))
    reader = api.other_client()
    seen = []
    path = f'{MESSAGES}?limit=3'
    while True:
        response = reader.get(path)
        page = ids[len(seen):len(seen) + 3]
        expect(response, 200, {
            'messages': [message('q', ids.index(mid), mid=mid) for mid in page],
            'links': [next_link(MESSAGES, limit=3)] if page else []})
        if not page:
            break
        seen.extend(page)
        path = response.json['links'][0]['href']
    assert seen == ids


def test_list_default_limit_is_ten(api):
    api.post_messages('q', *range(12))
    response = api.other_client().get(MESSAGES)
    assert [m['body'] for m in response.json['messages']] == list(range(10))


def test_echo(api):
    (mine,) = api.post_messages('q', 'mine')
    other = api.other_client()
    (theirs,) = other.post_messages('q', 'theirs')
    expect(api.get(MESSAGES), 200, {'messages': [message('q', 'theirs', mid=theirs)],
                                    'links': [next_link(MESSAGES)]})
    expect(api.get(f'{MESSAGES}?echo=false'), 200, {
        'messages': [message('q', 'theirs', mid=theirs)], 'links': [next_link(MESSAGES)]})
    expect(api.get(f'{MESSAGES}?echo=true'), 200, {
        'messages': [message('q', 'mine', mid=mine), message('q', 'theirs', mid=theirs)],
        'links': [next_link(MESSAGES, echo=True)]})
    expect(other.get(MESSAGES), 200, {'messages': [message('q', 'mine', mid=mine)],
                                      'links': [next_link(MESSAGES)]})


def test_include_claimed(api):
    ids = api.post_messages('q', 0, 1, 2)
    claim_id, _ = api.claim('q', limit=2)
    expect(api.get(f'{MESSAGES}?echo=true'), 200, {
        'messages': [message('q', 2, mid=ids[2])],
        'links': [next_link(MESSAGES, echo=True)]})
    expect(api.get(f'{MESSAGES}?echo=true&include_claimed=true'), 200, {
        'messages': [claimed('q', claim_id, ids[0], 0), claimed('q', claim_id, ids[1], 1),
                     message('q', 2, mid=ids[2])],
        'links': [next_link(MESSAGES, echo=True, include_claimed=True)]})


LIMIT_ERROR = bad_request('Limit must be at least 1 and may not be greater than 20.')


def invalid_parameter(name, kind='int'):
    if kind == 'int':
        return error('Invalid parameter',
                     f'The "{name}" parameter is invalid. The value must be an integer.')
    return error('Invalid parameter', f'The "{name}" parameter is invalid. The value of '
                 'the parameter must be "true" or "false".')


@pytest.mark.parametrize('query, expected', [
    ('limit=0', LIMIT_ERROR),
    ('limit=-1', LIMIT_ERROR),
    ('limit=21', LIMIT_ERROR),
    ('limit=x', invalid_parameter('limit')),
    ('echo=None', invalid_parameter('echo', 'bool')),
    ('include_claimed=2', invalid_parameter('include_claimed', 'bool')),
    ('include_delayed=maybe', invalid_parameter('include_delayed', 'bool')),
])
def test_list_invalid_parameters(api, query, expected):
    expect(api.get(f'{MESSAGES}?{query}'), 400, expected)


def test_list_with_an_unknown_marker(api):
    api.post_messages('q', 1)
    response = api.get(f'{MESSAGES}?echo=true&marker=999999999')
    expect(response, 200, EMPTY)


# -- checksum ---------------------------------------------------------------------

CHECKSUMS = [
    ({'event': 'BackupStarted'}, 'MD5:82eb2714b7c0237d373947c046cac78d'),
    ('test123', 'MD5:71ed1ef7bae9e07faa6e0a6b0a476eea'),
    (239, 'MD5:555d6702c950ecb729a966504af0a635'),
    ([1, 3], 'MD5:ad1ef70ad05826c2944514e28ffb62fa'),
    ({'a': 'é'}, 'MD5:b61e59fffb433d9dc2a6f1fa17ca206d'),
]


@pytest.fixture
def checksum_api(make_app):
    return Api(make_app(enable_checksum=True))


@pytest.mark.parametrize('body, checksum', CHECKSUMS,
                         ids=['object', 'string', 'number', 'array', 'non-ascii'])
def test_checksum(checksum_api, body, checksum):
    api = checksum_api
    (mid,) = api.post_messages('q', body)
    expected = message('q', body, mid=mid, checksum=checksum)
    expect(api.get(f'{MESSAGES}/{mid}'), 200, expected)
    expect(api.get(f'{MESSAGES}?echo=true'), 200,
           {'messages': [expected], 'links': [next_link(MESSAGES, echo=True)]})
    expect(api.get(f'{MESSAGES}?ids={mid}'), 200, {'messages': [expected]})
    response = api.post('/v2/queues/q/claims')
    claim_id = response.headers['Location'].rsplit('/', 1)[1]
    expect(response, 201, {'messages': [
        dict(claimed('q', claim_id, mid, body), checksum=checksum)]})


def test_no_checksum_for_a_null_body(checksum_api):
    (mid,) = checksum_api.post_messages('q', None)
    expect(checksum_api.get(f'{MESSAGES}/{mid}'), 200, message('q', None, mid=mid))


def test_no_checksum_by_default(api):
    (mid,) = api.post_messages('q', {'event': 'BackupStarted'})
    expect(api.get(f'{MESSAGES}/{mid}'), 200,
           message('q', {'event': 'BackupStarted'}, mid=mid))


# -- get ----------------------------------------------------------------------------

def not_found(api, mid, queue='q'):
    return error('Not found',
                 f'Message {mid} does not exist in queue {queue} for project {api.project}')


def test_get(api):
    (mid,) = api.post_messages('q', {'a': 1}, ttl=300)
    expect(api.get(f'{MESSAGES}/{mid}'), 200, {
        'id': mid, 'href': f'{MESSAGES}/{mid}', 'ttl': 300, 'age': AN_AGE,
        'body': {'a': 1}})


def test_get_claimed_message_shows_the_claim(api):
    (mid,) = api.post_messages('q', 1)
    claim_id, _ = api.claim('q')
    expect(api.get(f'{MESSAGES}/{mid}'), 200, claimed('q', claim_id, mid, 1))


def test_get_unknown(api):
    (mid,) = api.post_messages('q', 1)
    expect(api.get(f'{MESSAGES}/{mid}0'), 404, not_found(api, f'{mid}0'))
    expect(api.get(f'/v2/queues/other/messages/{mid}'), 404,
           not_found(api, mid, queue='other'))


@pytest.mark.parametrize('mid', ['abc', '-1', '5' * 30, 'a-b_c'])
def test_get_malformed_id(api, mid):
    api.post_messages('q', 1)
    expect(api.get(f'{MESSAGES}/{mid}'), 404, not_found(api, mid))


def test_get_deleted(api):
    (mid,) = api.post_messages('q', 1)
    api.delete(f'{MESSAGES}/{mid}')
    expect(api.get(f'{MESSAGES}/{mid}'), 404, not_found(api, mid))


# -- get many ---------------------------------------------------------------------------

def test_get_by_ids(api):
    ids = api.post_messages('q', 0, 1, 2)
    response = api.get(f'{MESSAGES}?ids={ids[2]},{ids[0]}')
    expect(response, 200)
    assert sorted(response.json['messages'], key=lambda m: m['body']) == [
        message('q', 0, mid=ids[0]), message('q', 2, mid=ids[2])]
    assert set(response.json) == {'messages'}


def test_get_by_ids_skips_unknown_ids(api):
    (mid,) = api.post_messages('q', 1)
    expect(api.get(f'{MESSAGES}?ids={mid},999999999,abc'), 200,
           {'messages': [message('q', 1, mid=mid)]})


def test_get_by_repeated_ids_parameter(api):
    ids = api.post_messages('q', 0, 1)
    response = api.get(f'{MESSAGES}?ids={ids[0]}&ids={ids[1]}')
    assert sorted(m['id'] for m in response.json['messages']) == sorted(ids)


def none_found(api, ids, queue='q'):
    return error('Not found', f'No messages with IDs: {ids!r} found in the queue {queue} '
                              f'for project {api.project}.')


@pytest.mark.parametrize('ids', [['999999999'], ['abc', '-1'], ['1', '2']])
def test_get_by_ids_none_found(api, ids):
    api.create_queue('q')
    expect(api.get(f'{MESSAGES}?ids={",".join(ids)}'), 404, none_found(api, ids))


def test_get_by_ids_from_unknown_queue(api):
    expect(api.get('/v2/queues/nowhere/messages?ids=1,2'), 404,
           none_found(api, ['1', '2'], queue='nowhere'))


def test_get_by_ids_after_delete(api):
    ids = api.post_messages('q', 1)
    api.delete(f'{MESSAGES}?ids={ids[0]}')
    expect(api.get(f'{MESSAGES}?ids={ids[0]}'), 404, none_found(api, ids))


IDS_COUNT = bad_request('ids parameter should have at least 1 and not greater than 20 values.')


@pytest.mark.parametrize('method', ['GET', 'DELETE'])
def test_too_many_ids(api, method):
    ids = ','.join(str(i) for i in range(1, 22))
    expect(api.call(method, f'{MESSAGES}?ids={ids}'), 400, IDS_COUNT)


def test_twenty_ids_are_fine(api):
    ids = api.post_messages('q', *range(20))
    response = api.get(f'{MESSAGES}?ids={",".join(ids)}')
    assert len(response.json['messages']) == 20
    expect(api.delete(f'{MESSAGES}?ids={",".join(ids)}'), 204, None)


# -- delete ---------------------------------------------------------------------------------

def test_delete(api):
    ids = api.post_messages('q', 0, 1)
    expect(api.delete(f'{MESSAGES}/{ids[0]}'), 204, None)
    expect(api.delete(f'{MESSAGES}/{ids[0]}'), 204, None)
    assert api.message_ids('q') == [ids[1]]


@pytest.mark.parametrize('path', [
    '/v2/queues/nowhere/messages/1', f'{MESSAGES}/999999999', f'{MESSAGES}/abc',
    f'{MESSAGES}/-1',
])
def test_delete_unknown(api, path):
    api.post_messages('q', 1)
    expect(api.delete(path), 204, None)
    assert len(api.message_ids('q')) == 1


def test_delete_by_ids(api):
    ids = api.post_messages('q', 0, 1, 2)
    expect(api.delete(f'{MESSAGES}?ids={ids[0]},{ids[2]},999999999,abc'), 204, None)
    assert api.message_ids('q') == [ids[1]]
    expect(api.delete(f'{MESSAGES}?ids={ids[0]}'), 204, None)


def test_delete_by_ids_removes_claimed_messages(api):
    ids = api.post_messages('q', 0)
    api.claim('q')
    expect(api.delete(f'{MESSAGES}?ids={ids[0]}'), 204, None)
    assert api.message_ids('q') == []


def test_delete_by_ids_on_unknown_queue(api):
    expect(api.delete('/v2/queues/nowhere/messages?ids=1,2'), 204, None)


NEITHER = bad_request('The request should have either "ids" or "pop" parameter in the '
                      'request, to be able to delete.')
BOTH = bad_request('pop and id params cannot be present together in the delete request.')
POP_RANGE = bad_request('Pop value must be at least 1 and may not be greater than 20.')


@pytest.mark.parametrize('query, expected', [
    ('', NEITHER),
    ('?ids=', NEITHER),
    ('?pop=', NEITHER),
    ('?claim_id=1', NEITHER),
    ('?ids=1&pop=1', BOTH),
    ('?pop=0', POP_RANGE),
    ('?pop=21', POP_RANGE),
    ('?pop=-1', POP_RANGE),
    ('?pop=%20', invalid_parameter('pop')),
    ('?pop=x', invalid_parameter('pop')),
])
def test_bulk_delete_invalid(api, query, expected):
    api.post_messages('q', 1)
    expect(api.delete(f'{MESSAGES}{query}'), 400, expected)
    assert len(api.message_ids('q')) == 1


# -- pop ---------------------------------------------------------------------------------

def popped(body, ttl=3600):
    return {'id': AN_ID, 'age': AN_AGE, 'ttl': ttl, 'body': body, 'claim_id': None,
            'claim_count': 0}


def test_pop(api):
    ids = api.post_messages('q', 0, 1, 2)
    response = api.delete(f'{MESSAGES}?pop=2')
    expect(response, 200, {'messages': [popped(0), popped(1)]})
    assert [m['id'] for m in response.json['messages']] == ids[:2]
    assert api.message_ids('q') == ids[2:]


def test_pop_skips_claimed_messages(api):
    ids = api.post_messages('q', 0, 1, 2)
    api.claim('q', limit=1)
    response = api.delete(f'{MESSAGES}?pop=20')
    expect(response, 200, {'messages': [popped(1), popped(2)]})
    assert api.message_ids('q') == ids[:1]


def test_pop_empty_or_unknown_queue(api):
    api.create_queue('q')
    expect(api.delete(f'{MESSAGES}?pop=1'), 200, {'messages': []})
    expect(api.delete('/v2/queues/nowhere/messages?pop=1'), 200, {'messages': []})


# -- delete with claims ----------------------------------------------------------------------

def test_delete_claimed_message(api):
    (mid,) = api.post_messages('q', 1)
    claim_id, _ = api.claim('q')
    expect(api.delete(f'{MESSAGES}/{mid}'), 403, CLAIMED)
    expect(api.delete(f'{MESSAGES}/{mid}?claim_id=123'), 400, error(
        'Unable to delete', 'The specified claim does not exist or has expired.'))
    expect(api.delete(f'{MESSAGES}/{mid}?claim_id={claim_id}'), 204, None)
    expect(api.get(f'{MESSAGES}/{mid}'), 404, not_found(api, mid))


def test_delete_claimed_message_with_another_claim(api):
    first, second = api.post_messages('q', 1, 2)
    claim_a, _ = api.claim('q', limit=1)
    claim_b, _ = api.claim('q', limit=1)
    expect(api.delete(f'{MESSAGES}/{first}?claim_id={claim_b}'), 403, CLAIMED)
    expect(api.delete(f'{MESSAGES}/{second}?claim_id={claim_a}'), 403, CLAIMED)
    assert len(api.message_ids('q')) == 2


def test_delete_with_a_claim_of_a_message_no_longer_claimed(api):
    (mid,) = api.post_messages('q', 1)
    claim_id, _ = api.claim('q')
    api.delete(f'/v2/queues/q/claims/{claim_id}')
    expect(api.delete(f'{MESSAGES}/{mid}?claim_id={claim_id}'), 400, error(
        'Unable to delete', 'A claim was specified, but the message is not currently '
                            'claimed.'))


# -- delayed queues ------------------------------------------------------------------------

def test_delayed_queue(api):
    api.create_queue('q', {'_default_message_delay': 1})
    (mid,) = api.post_messages('q', 'later')
    reader = api.other_client()
    expect(reader.get(MESSAGES), 200, EMPTY)
    expect(reader.get(f'{MESSAGES}?include_delayed=true'), 200, {
        'messages': [message('q', 'later', mid=mid)],
        'links': [next_link(MESSAGES, include_delayed=True)]})
    expect(reader.post('/v2/queues/q/claims'), 204, None)
    expect(reader.get(f'{MESSAGES}/{mid}'), 200, message('q', 'later', mid=mid))
    time.sleep(1.2)
    expect(reader.get(MESSAGES), 200, {
        'messages': [message('q', 'later', mid=mid)], 'links': [next_link(MESSAGES)]})
    assert reader.claim('q')[0] is not None


def test_delayed_queue_per_message_delay(api):
    api.create_queue('q', {'_default_message_delay': 900})
    response = api.post(MESSAGES, {'messages': [{'body': 'now', 'delay': 0},
                                                {'body': 'later'}]})
    expect(response, 201)
    now = response.json['resources'][0].rsplit('/', 1)[1]
    expect(api.other_client().get(MESSAGES), 200, {
        'messages': [message('q', 'now', mid=now)], 'links': [next_link(MESSAGES)]})


@pytest.mark.parametrize('delay', [-1, 901])
def test_delayed_queue_delay_out_of_range(api, delay):
    api.create_queue('q', {'_default_message_delay': 10})
    response = api.post(MESSAGES, {'messages': [{'body': 1, 'delay': delay}]})
    expect(response, 400, bad_request(
        'The Delay TTL for a message may not exceed 900 seconds,and must be at least 0 '
        'seconds long.'))
