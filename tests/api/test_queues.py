"""Queues: create, get, list, patch, delete, stats, purge (api-v2.md 4.3, 5)."""

import json

import pytest

from tests.api.helpers import (
    A_TIMESTAMP,
    AN_AGE,
    NO_BODY,
    Shape,
    bad_request,
    error,
    expect,
    invalid_body,
    link_marker,
    next_link,
)

DEFAULTS = {
    '_max_messages_post_size': 262144,
    '_default_message_ttl': 3600,
    '_default_message_delay': 0,
    '_dead_letter_queue': None,
    '_dead_letter_queue_messages_ttl': None,
    '_max_claim_count': None,
    '_enable_encrypt_messages': False,
}
INVALID_NAME = bad_request(
    'The format of the submitted queue name or project id is not valid.',
    title='Invalid queue identification')
PATCH_TYPE = 'application/openstack-messaging-v2.0-json-patch'
A_TEXT = Shape('some text', lambda v: isinstance(v, str) and v.strip())


def with_defaults(**metadata):
    return {**DEFAULTS, **metadata}


def patch(api, name, document=NO_BODY, raw=None, content_type=PATCH_TYPE):
    return api.patch(f'/v2/queues/{name}', document, raw=raw,
                     headers={'Content-Type': content_type})


# -- create and get -----------------------------------------------------------

def test_create(api):
    response = api.put('/v2/queues/fizbit')
    expect(response, 201, None)
    assert response.headers['Location'] == '/v2/queues/fizbit'
    expect(api.get('/v2/queues/fizbit'), 200, DEFAULTS)


def test_create_again_keeps_the_metadata(api):
    expect(api.put('/v2/queues/q', {'a': 1}), 201, None)
    response = api.put('/v2/queues/q', {'a': 2, 'b': 3})
    expect(response, 204, None)
    assert response.headers['Location'] == '/v2/queues/q'
    expect(api.get('/v2/queues/q'), 200, with_defaults(a=1))


def test_create_with_metadata(api):
    metadata = {'a': 'b', 'nested': {'list': [1, 2.5, None, True]}, 'unicode': 'ŝ',
                '_default_message_ttl': 120, '_max_claim_count': 3}
    expect(api.put('/v2/queues/q', metadata), 201, None)
    expect(api.get('/v2/queues/q'), 200, with_defaults(**metadata))


def test_falsy_reserved_values_are_shown_as_defaults(api):
    api.create_queue('q', {'_max_claim_count': 0, '_dead_letter_queue': '',
                           '_enable_encrypt_messages': False})
    expect(api.get('/v2/queues/q'), 200, DEFAULTS)


def test_get_unknown_queue_gives_the_defaults(api):
    expect(api.get('/v2/queues/nowhere'), 200, DEFAULTS)


@pytest.mark.parametrize('name', ['a', 'a.b', 'A_b-C.d', '0', 'q' * 64])
def test_valid_names(api, name):
    expect(api.put(f'/v2/queues/{name}'), 201, None)
    expect(api.get(f'/v2/queues/{name}'), 200, DEFAULTS)


BAD_NAMES = {
    '65-chars': 'q' * 65,
    'symbols': '@$@^qw@',
    'non-ascii': 'qu%C3%A9ue',
    'space': 'a%20b',
}


@pytest.mark.parametrize('name', list(BAD_NAMES.values()), ids=list(BAD_NAMES))
@pytest.mark.parametrize('method, suffix', [
    ('PUT', ''), ('GET', ''), ('PATCH', ''), ('DELETE', ''), ('GET', '/stats'),
    ('POST', '/purge'), ('GET', '/messages'), ('POST', '/messages'),
    ('POST', '/claims'), ('GET', '/messages/1'), ('DELETE', '/claims/1'),
])
def test_invalid_queue_names(api, name, method, suffix):
    expect(api.call(method, f'/v2/queues/{name}{suffix}'), 400, INVALID_NAME)


@pytest.mark.parametrize('method', ['GET', 'PUT', 'PATCH', 'DELETE'])
def test_empty_name_after_the_slash(api, method):
    # falcon >= 3 validates the empty segment as a queue name (section 2.1).
    expect(api.call(method, '/v2/queues/'), 400, INVALID_NAME)


def test_project_id_longer_than_256(api):
    headers = {'X-Project-ID': 'p' * 257}
    expect(api.put('/v2/queues/q', headers=headers), 400, INVALID_NAME)
    expect(api.put('/v2/queues/q', headers={'X-Project-ID': 'p' * 256}), 201, None)


def test_project_id_any_characters(api):
    headers = {'X-Project-ID': 'JAM Project'}
    expect(api.put('/v2/queues/q', {'a': 1}, headers=headers), 201, None)
    expect(api.get('/v2/queues/q', headers=headers), 200, with_defaults(a=1))


@pytest.mark.parametrize('raw, expected', [
    (b'[]', invalid_body(A_TEXT)),
    (b'{', invalid_body('Request body could not be parsed.')),
    (b'.', invalid_body('Request body could not be parsed.')),
    (b' ', invalid_body('Request body could not be parsed.')),
    (b'"a"', invalid_body('Request body could not be parsed.')),
    (b'123', invalid_body('Request body could not be parsed.')),
    (b'{"_max_claim_count": "123"}', bad_request('_max_claim_count must be integer.')),
    (b'{"_default_message_ttl": "3600"}',
     bad_request('_default_message_ttl must be integer.')),
    (b'{"_default_message_ttl": 59}', bad_request(A_TEXT)),
    (b'{"_default_message_ttl": 1209601}', bad_request(A_TEXT)),
    (b'{"_default_message_delay": 901}', bad_request(A_TEXT)),
    (b'{"_max_messages_post_size": 262145}', bad_request(A_TEXT)),
    (b'{"_dead_letter_queue_messages_ttl": 59}', bad_request(A_TEXT)),
    (b'{"_enable_encrypt_messages": "yes"}', bad_request(A_TEXT)),
], ids=['array', 'brace', 'dot', 'space', 'string', 'number', 'claim-count-str',
        'ttl-str', 'ttl-59', 'ttl-too-long', 'delay-901', 'post-size', 'dlq-ttl',
        'encrypt-str'])
def test_create_with_invalid_metadata(api, raw, expected):
    expect(api.put('/v2/queues/q', raw=raw), 400, expected)
    expect(api.get('/v2/queues?detailed=true'), 200, {'queues': [], 'links': []})


def test_oversize_metadata(api):
    document = json.dumps({'a': 'x' * 65536}).encode()
    expect(api.put('/v2/queues/q', raw=document), 400,
           bad_request('Queue metadata is too large. Max size: 65536'))


def test_metadata_of_exactly_the_maximum_size(api):
    document = b'{"a": "' + b'x' * (65536 - 9) + b'"}'
    assert len(document) == 65536
    expect(api.put('/v2/queues/q', raw=document), 201, None)


# -- list ---------------------------------------------------------------------

def test_list_empty(api):
    expect(api.get('/v2/queues'), 200, {'queues': [], 'links': []})


def queue(name, **metadata):
    item = {'name': name, 'href': f'/v2/queues/{name}'}
    if metadata:
        item['metadata'] = with_defaults(**metadata['metadata'])
    return item


def test_list_pages_through_next_links(api):
    names = ['b', 'a', 'c.1', 'C', '_', 'd']
    for name in names:
        api.create_queue(name)
    order = sorted(names)  # byte order: 'C' < '_' < 'a'
    seen = []
    path = '/v2/queues?limit=2'
    for _ in range(4):
        response = api.get(path)
        page = order[len(seen):len(seen) + 2]
        expect(response, 200, {
            'queues': [queue(n) for n in page],
            'links': [next_link('/v2/queues', marker=page[-1], limit=2)] if page else [],
        })
        seen.extend(page)
        if not page:
            break
        path = response.json['links'][0]['href']
    assert seen == order


def test_list_default_limit_is_ten(api):
    for i in range(12):
        api.create_queue(f'q{i:02d}')
    response = api.get('/v2/queues')
    expect(response, 200, {'queues': [queue(f'q{i:02d}') for i in range(10)],
                           'links': [next_link('/v2/queues', marker='q09')]})
    expect(api.get(response.json['links'][0]['href']), 200, {
        'queues': [queue('q10'), queue('q11')],
        'links': [next_link('/v2/queues', marker='q11')]})


def test_list_marker_is_exclusive(api):
    for name in 'abc':
        api.create_queue(name)
    response = api.get('/v2/queues?marker=a')
    expect(response, 200, {'queues': [queue('b'), queue('c')],
                           'links': [next_link('/v2/queues', marker='c')]})
    assert link_marker(response.json['links'][0]) == 'c'


def test_list_detailed(api):
    api.create_queue('a', {'x': 1, '_default_message_ttl': 60})
    api.create_queue('b')
    expect(api.get('/v2/queues?detailed=true'), 200, {
        'queues': [queue('a', metadata={'x': 1, '_default_message_ttl': 60}),
                   queue('b', metadata={})],
        'links': [next_link('/v2/queues', marker='b', detailed=True)]})


def test_list_with_count(api):
    for name in 'abc':
        api.create_queue(name)
    expect(api.get('/v2/queues?with_count=true&limit=2'), 200, {
        'queues': [queue('a'), queue('b')],
        'links': [next_link('/v2/queues', marker='b', limit=2, with_count=True)],
        'count': 3})
    expect(api.get('/v2/queues?with_count=false&limit=1'), 200, {
        'queues': [queue('a')], 'links': [next_link('/v2/queues', marker='a')]})


def test_list_with_count_of_no_queues(api):
    expect(api.get('/v2/queues?with_count=true'), 200, {'queues': [], 'links': []})


def test_list_name_filter(api):
    for name in ('apple', 'pineapple', 'pear', 'grape'):
        api.create_queue(name)
    expect(api.get('/v2/queues?name=apple'), 200, {
        'queues': [queue('apple'), queue('pineapple')],
        'links': [next_link('/v2/queues', marker='pineapple', name='apple')]})


def test_list_metadata_filter(api):
    api.create_queue('a', {'color': 'red', 'size': 3})
    api.create_queue('b', {'color': 'blue', 'size': 3})
    api.create_queue('c')
    expect(api.get('/v2/queues?color=red'), 200, {
        'queues': [queue('a')], 'links': [next_link('/v2/queues', marker='a')]})
    expect(api.get('/v2/queues?size=3'), 200, {
        'queues': [queue('a'), queue('b')], 'links': [next_link('/v2/queues', marker='b')]})
    expect(api.get('/v2/queues?size=3&color=blue'), 200, {
        'queues': [queue('b')], 'links': [next_link('/v2/queues', marker='b')]})
    expect(api.get('/v2/queues?color=green'), 200, {'queues': [], 'links': []})


LIMIT_ERROR = bad_request('Limit must be at least 1 and no greater than 20.')


@pytest.mark.parametrize('query, expected', [
    ('limit=0', LIMIT_ERROR),
    ('limit=-1', LIMIT_ERROR),
    ('limit=21', LIMIT_ERROR),
    ('limit=abc', error('Invalid parameter',
                        'The "limit" parameter is invalid. The value must be an integer.')),
    ('detailed=None', error('Invalid parameter', 'The "detailed" parameter is invalid. '
                            'The value of the parameter must be "true" or "false".')),
    ('with_count=TRUE', error('Invalid parameter', 'The "with_count" parameter is '
                              'invalid. The value of the parameter must be "true" or '
                              '"false".')),
])
def test_list_invalid_parameters(api, query, expected):
    expect(api.get(f'/v2/queues?{query}'), 400, expected)


@pytest.mark.parametrize('query', ['limit=1', 'limit=20', 'detailed=yes', 'detailed=0',
                                   'limit=', 'detailed='])
def test_list_valid_parameters(api, query):
    expect(api.get(f'/v2/queues?{query}'), 200, {'queues': [], 'links': []})


# -- patch ----------------------------------------------------------------------

def op(name, key, *value, root='metadata'):
    operation = {'op': name, 'path': f'/{root}/{key}'}
    if value:
        operation['value'] = value[0]
    return operation


PATCHES = [
    # (document, status, expected metadata or error body), queue holds {"a": 1}
    ([op('add', 'b', 2)], 200, with_defaults(a=1, b=2)),
    ([op('add', 'a', [1])], 200, with_defaults(a=[1])),
    ([op('replace', 'a', 'x')], 200, with_defaults(a='x')),
    ([op('remove', 'a')], 200, DEFAULTS),
    ([op('remove', '_max_claim_count')], 200, with_defaults(a=1)),
    ([op('replace', '_default_message_ttl', 120)], 200,
     with_defaults(a=1, _default_message_ttl=120)),
    ([op('add', 'b', 1), op('remove', 'b'), op('add', 'c', None)], 200,
     with_defaults(a=1, c=None)),
    ([op('add', 'b', 1), op('add', 'b', 2)], 200, with_defaults(a=1, b=2)),
    ([], 200, with_defaults(a=1)),
    ([op('add', 'x~1y', 1)], 200, with_defaults(**{'a': 1, 'x/y': 1})),
    ([op('add', 'b', 1, root='METADATA')], 200, with_defaults(a=1, b=1)),
    ([op('replace', 'x', 1)], 409,
     error('Resource conflict', "Can't replace non-existent object x.")),
    ([op('remove', 'x')], 409, error('Resource conflict', "Can't remove non-existent object x.")),
    ([op('add', '_max_claim_count', '123')], 400,
     bad_request('_max_claim_count must be integer.')),
    ([op('add', '_default_message_ttl', 1)], 400, bad_request(A_TEXT)),
    ({'op': 'add', 'path': '/metadata/b', 'value': 1}, 400, invalid_body(A_TEXT)),
    ([op('move', 'a', 1)], 400, invalid_body(A_TEXT)),
    ([{'path': '/metadata/a', 'value': 1}], 400, invalid_body(A_TEXT)),
    ([{'op': 'add', 'value': 1}], 400, invalid_body(A_TEXT)),
    ([op('add', 'a')], 400, invalid_body(A_TEXT)),
    ([{'op': 'add', 'path': 'metadata/a', 'value': 1}], 400, invalid_body(A_TEXT)),
    ([{'op': 'add', 'path': '/metadata//a', 'value': 1}], 400, invalid_body(A_TEXT)),
    ([{'op': 'add', 'path': '/metadata/a/', 'value': 1}], 400, invalid_body(A_TEXT)),
    ([{'op': 'add', 'path': '/metadata/a/b', 'value': 1}], 400, invalid_body(A_TEXT)),
    ([{'op': 'add', 'path': '/metadata', 'value': 1}], 400, invalid_body(A_TEXT)),
    ([{'op': 'add', 'path': '/metadata/a~2', 'value': 1}], 400, invalid_body(A_TEXT)),
    ([op('add', 'a', 1, root='other')], 400, invalid_body(A_TEXT)),
    ([1], 400, invalid_body(A_TEXT)),
    (['add'], 400, invalid_body(A_TEXT)),
]


@pytest.mark.parametrize('document, status, expected', PATCHES,
                         ids=[f'patch{i}' for i in range(len(PATCHES))])
def test_patch(api, document, status, expected):
    api.create_queue('q', {'a': 1})
    expect(patch(api, 'q', document), status, expected)
    stored = expected if status == 200 else with_defaults(a=1)
    expect(api.get('/v2/queues/q'), 200, stored)


@pytest.mark.parametrize('raw, expected', [
    (None, invalid_body('PATCH body could not be empty for update.')),
    (b'[', invalid_body('Request body could not be parsed.')),
    (b'"x"', invalid_body('Request body could not be parsed.')),
])
def test_patch_unusable_bodies(api, raw, expected):
    api.create_queue('q')
    expect(patch(api, 'q', raw=raw), 400, expected)


UNSUPPORTED_PATCH = error(
    '415 Unsupported Media Type',
    f"Accepted media type for PATCH: {{'Accept-Patch': '{PATCH_TYPE}'}}.")


@pytest.mark.parametrize('content_type', [
    'application/json', 'application/json-patch+json', 'text/plain',
])
def test_patch_needs_its_media_type(api, content_type):
    api.create_queue('q')
    expect(patch(api, 'q', [op('add', 'b', 1)], content_type=content_type), 415,
           UNSUPPORTED_PATCH)


def test_patch_unknown_queue(api):
    expect(patch(api, 'nowhere', [op('add', 'b', 1)]), 404,
           error('Not found', f'Queue nowhere does not exist for project {api.project}'))


def test_patch_oversize(api):
    api.create_queue('q')
    document = [op('add', 'b', 'x' * 65536)]
    expect(patch(api, 'q', document), 400,
           bad_request('Queue metadata is too large. Max size: 65536'))


def test_patch_the_way_python_zaqarclient_does(api):
    """GET (defaults included), then replace what it saw and remove the rest."""
    api.create_queue('q', {'a': 1, 'b': 2})
    seen = api.get('/v2/queues/q').json
    new = {'a': 5, 'c': 3}
    document = [op('replace', k, new[k]) for k in seen if k in new]
    document += [op('add', k, v) for k, v in new.items() if k not in seen]
    document += [op('remove', k) for k in seen if k not in new]
    expect(patch(api, 'q', document), 200, with_defaults(a=5, c=3))


# -- delete ---------------------------------------------------------------------

def test_delete(api):
    api.create_queue('q', {'a': 1})
    api.post_messages('q', 'hello')
    expect(api.delete('/v2/queues/q'), 204, None)
    expect(api.delete('/v2/queues/q'), 204, None)
    expect(api.get('/v2/queues/q'), 200, DEFAULTS)
    expect(api.get('/v2/queues'), 200, {'queues': [], 'links': []})
    expect(api.get('/v2/queues/q/messages?echo=true'), 200, {'messages': [], 'links': []})


def test_delete_unknown_queue(api):
    expect(api.delete('/v2/queues/nowhere'), 204, None)


# -- stats ----------------------------------------------------------------------

ZEROS = {'messages': {'claimed': 0, 'free': 0, 'total': 0}}


def test_stats_of_unknown_queue(api):
    expect(api.get('/v2/queues/nowhere/stats'), 200, ZEROS)


def test_stats_of_empty_queue(api):
    api.create_queue('q')
    expect(api.get('/v2/queues/q/stats'), 200, ZEROS)


def point(mid):
    return {'href': f'/v2/queues/q/messages/{mid}', 'age': AN_AGE, 'created': A_TIMESTAMP}


def test_stats_count_free_and_claimed(api):
    ids = api.post_messages('q', 1, 2, 3)
    expect(api.get('/v2/queues/q/stats'), 200, {'messages': {
        'claimed': 0, 'free': 3, 'total': 3,
        'oldest': point(ids[0]), 'newest': point(ids[-1])}})
    api.claim('q', limit=2)
    expect(api.get('/v2/queues/q/stats'), 200, {'messages': {
        'claimed': 2, 'free': 1, 'total': 3,
        'oldest': point(ids[0]), 'newest': point(ids[-1])}})


def test_stats_after_deletes(api):
    ids = api.post_messages('q', 1, 2)
    api.delete(f'/v2/queues/q/messages?ids={",".join(ids)}')
    expect(api.get('/v2/queues/q/stats'), 200, ZEROS)


# -- purge ----------------------------------------------------------------------

@pytest.mark.parametrize('document', [NO_BODY, {'resource_types': ['messages']},
                                      {'resource_types': ['messages', 'subscriptions']}],
                         ids=['no-body', 'messages', 'both'])
def test_purge_messages(api, document):
    api.create_queue('q', {'a': 1})
    api.post_messages('q', 1, 2, 3)
    api.claim('q', limit=1)
    expect(api.post('/v2/queues/q/purge', document), 204, None)
    expect(api.get('/v2/queues/q/stats'), 200, ZEROS)
    expect(api.get('/v2/queues/q/messages?echo=true&include_claimed=true'), 200,
           {'messages': [], 'links': []})
    expect(api.get('/v2/queues/q'), 200, with_defaults(a=1))


def test_purge_subscriptions_only_keeps_messages(api):
    api.post_messages('q', 1)
    expect(api.post('/v2/queues/q/purge', {'resource_types': ['subscriptions']}), 204, None)
    assert api.get('/v2/queues/q/stats').json['messages']['total'] == 1


def test_purge_unknown_queue(api):
    expect(api.post('/v2/queues/nowhere/purge'), 204, None)


SUB_SET = Shape('the sub-set message', lambda v: v in (
    "Resource types must be a sub set of {'messages', 'subscriptions'}.",
    "Resource types must be a sub set of {'subscriptions', 'messages'}."))
MISSING_KEY = bad_request('Post body must contain key "resource_types".')


@pytest.mark.parametrize('raw, expected', [
    (b'{}', MISSING_KEY),
    (b'{"types": ["messages"]}', MISSING_KEY),
    (b'{"resource_types": ["queues"]}', bad_request(SUB_SET)),
    (b'{"resource_types": ["messages", "x"]}', bad_request(SUB_SET)),
    (b'{"resource_types": "messages"}', bad_request(SUB_SET)),
    (b'[', invalid_body('Request body could not be parsed.')),
])
def test_purge_invalid_bodies(api, raw, expected):
    api.post_messages('q', 1)
    expect(api.post('/v2/queues/q/purge', raw=raw), 400, expected)
    assert api.get('/v2/queues/q/stats').json['messages']['total'] == 1
