"""Hostile input never gets a 500: always a 4xx with a title and a description.

Each row: method, path, raw body (or None), extra headers, expected status,
expected body.
"""

import pytest

from tests.api.helpers import bad_request, error, expect, invalid_body

UNPARSABLE = invalid_body('Request body could not be parsed.')
TOO_LARGE_INT = invalid_body('JSON contains integer that is too large.')
INVALID_NAME = bad_request(
    'The format of the submitted queue name or project id is not valid.',
    title='Invalid queue identification')
BAD_QUERY = error('Invalid parameter', 'The query string is not valid UTF-8.')
DEEP = b'[' * 100000 + b']' * 100000
DEEP_SMALL = b'[' * 30000 + b']' * 30000  # under the 64 KiB metadata limit
FORM = {'Content-Type': 'application/x-www-form-urlencoded'}
MESSAGES = '/v2/queues/q/messages'

CASES = {
    'deep-array': ('POST', MESSAGES, DEEP, None, 400, UNPARSABLE),
    'deep-body': ('POST', MESSAGES, b'{"messages": [{"body": ' + DEEP + b'}]}', None,
                  400, UNPARSABLE),
    'deep-metadata': ('PUT', '/v2/queues/q', b'{"a": ' + DEEP_SMALL + b'}', None,
                      400, UNPARSABLE),
    'deep-claim': ('POST', '/v2/queues/q/claims', DEEP, None, 400, UNPARSABLE),
    'deep-patch': ('PATCH', '/v2/queues/q', DEEP_SMALL,
                   {'Content-Type': 'application/openstack-messaging-v2.0-json-patch'},
                   400, UNPARSABLE),
    'non-utf8-body': ('POST', MESSAGES, b'\xff\xfe\x00', None, 400, UNPARSABLE),
    'non-utf8-string': ('POST', MESSAGES, b'{"messages": [{"body": "\xff"}]}', None,
                        400, UNPARSABLE),
    'latin1-metadata': ('PUT', '/v2/queues/q', '{"a": "é"}'.encode('latin-1'), None,
                        400, UNPARSABLE),
    'int-2**70': ('POST', MESSAGES, b'{"messages": [{"body": %d}]}' % 2 ** 70, None,
                  400, TOO_LARGE_INT),
    'int--2**70': ('POST', MESSAGES, b'{"messages": [{"body": -%d}]}' % 2 ** 70, None,
                   400, TOO_LARGE_INT),
    'int-2**63': ('POST', MESSAGES, b'{"messages": [{"body": %d}]}' % 2 ** 63, None,
                  400, TOO_LARGE_INT),
    'int-ttl': ('POST', MESSAGES, b'{"messages": [{"body": 1, "ttl": %d}]}' % 2 ** 70,
                None, 400, TOO_LARGE_INT),
    'int-metadata': ('PUT', '/v2/queues/q', b'{"a": %d}' % 2 ** 70, None, 400,
                     TOO_LARGE_INT),
    'int-claim-ttl': ('POST', '/v2/queues/q/claims', b'{"ttl": %d}' % 2 ** 70, None,
                      400, TOO_LARGE_INT),
    'form-non-utf8': ('POST', MESSAGES, b'a=%ff\xff', FORM, 400,
                      bad_request('Content-Type must be application/json.',
                                  title='Invalid Content-Type')),
    'non-utf8-path': ('GET', '/v2/queues/%ff', None, None, 400, INVALID_NAME),
    'non-utf8-path-messages': ('POST', '/v2/queues/%ff/messages', b'{}', None, 400,
                               INVALID_NAME),
    'non-utf8-route': ('GET', '/v2/%ff', None, None, 404, error('404 Not Found')),
    'non-utf8-query': ('GET', '/v2/queues?marker=%ff', None, None, 400, BAD_QUERY),
    'non-utf8-query-key': ('GET', f'{MESSAGES}?%ff=1', None, None, 400, BAD_QUERY),
    'huge-limit': ('GET', '/v2/queues?limit=99999999999999999999', None, None, 400,
                   bad_request('Limit must be at least 1 and no greater than 20.')),
    'huge-pop': ('DELETE', f'{MESSAGES}?pop=99999999999999999999', None, None, 400,
                 bad_request('Pop value must be at least 1 and may not be greater '
                             'than 20.')),
    'long-name': ('PUT', '/v2/queues/' + 'q' * 10000, None, None, 400, INVALID_NAME),
    'nul-client-id': ('GET', '/v2/queues', None, {'Client-ID': '\x00'}, 400,
                      error('Wrong UUID value', 'Malformed hexadecimal UUID.')),
}


@pytest.mark.parametrize('method, path, raw, headers, status, expected',
                         list(CASES.values()), ids=list(CASES))
def test_hostile_request(api, method, path, raw, headers, status, expected):
    expect(api.call(method, path, raw=raw, headers=headers), status, expected)


# Odd but valid input: stored and returned, or refused, never a 500.

ODD_IDS = {
    'huge-message-id': f'{MESSAGES}/99999999999999999999999',
    'nul-message-id': f'{MESSAGES}/%00',
    'nul-claim-id': '/v2/queues/q/claims/%00',
    'huge-claim-id': '/v2/queues/q/claims/99999999999999999999999',
}


@pytest.mark.parametrize('path', list(ODD_IDS.values()), ids=list(ODD_IDS))
def test_odd_ids_are_not_found(api, path):
    api.post_messages('q', 1)
    response = api.get(path)
    assert response.status_int == 404, response.body
    assert set(response.json) == {'title', 'description'}
    assert api.delete(path).status_int == 204


@pytest.mark.parametrize('path,name', [
    ('/v2/queues?marker=%00', 'marker'), ('/v2/queues?name=%00', 'name'),
    (f'{MESSAGES}?marker=%00', 'marker'),
], ids=['queue-marker', 'queue-name', 'message-marker'])
def test_nul_in_a_query_value_is_an_invalid_parameter(api, path, name):
    api.create_queue('q')
    response = api.get(path)
    assert (response.status_int, response.json) == (400, {
        'title': 'Invalid parameter',
        'description': f'The "{name}" parameter is invalid.'})


@pytest.mark.parametrize('query', [
    'x=%00', 'x=99999999999999999999999', 'name=%25_', 'name=%5C', 'marker=%27%3B--',
], ids=['nul-filter', 'huge-filter', 'like-wildcards', 'backslash', 'sql-quote'])
def test_odd_queue_list_queries(api, query):
    api.create_queue('q')
    response = api.get(f'/v2/queues?{query}')
    assert response.status_int == 200, response.body
    assert response.json['queues'] in ([], [{'name': 'q', 'href': '/v2/queues/q'}])


@pytest.mark.parametrize('query', [
    'marker=99999999999999999999999', 'marker=-5', 'marker=abc',
    'ids=99999999999999999999999', 'ids=%00',
])
def test_odd_message_queries(api, query):
    api.post_messages('q', 1)
    response = api.get(f'{MESSAGES}?{query}')
    assert response.status_int in (200, 404), response.body
    assert api.delete(f'{MESSAGES}?ids=99999999999999999999999,%00').status_int == 204


@pytest.mark.parametrize('body', ['a\u0000b', {'k\u0000': 1}, '\ud800', '\U0001f600'],
                         ids=['nul', 'nul-key', 'lone-surrogate', 'astral'])
def test_odd_strings_round_trip(api, body):
    (mid,) = api.post_messages('q', body)
    assert api.get(f'{MESSAGES}/{mid}').json['body'] == body


@pytest.mark.parametrize('project', ['a\x00b', 'a\x1ftopics', 'tab\there', '\x7f'])
def test_control_characters_in_project_id_are_a_clean_400(api, project):
    response = api.put('/v2/queues/q', headers={'X-Project-ID': project})
    expect(response, 400, error('Invalid project identification',
                                'The project id may not contain control characters.'))
