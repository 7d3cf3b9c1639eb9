"""Pre-signed URLs: POST /v2/queues/{q}/share and requests that use them.

api-v2.md section 4.3.8. The signature is checked against the documented
test vectors and against an HMAC computed here from the documented recipe,
so a change of the signed string cannot pass unnoticed.
"""

import datetime
import hashlib
import hmac

import pytest

from tests.api.helpers import NO_BODY, Api, bad_request, error, expect, invalid_body, matches

KEY = 'secret'
NOT_SIGNED = error('404 Not Found', 'The pre-signed URL does not allow this request: its '
                   'signature, expiry, project, methods or paths do not match.')


def recipe(paths, methods, project, expires, key=KEY):
    """The signed string as api-v2.md spells it, backslash-n and all."""
    text = '\\n'.join([','.join(sorted(paths)), ','.join(sorted(methods)), project, expires])
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def api(make_app):
    return Api(make_app(signed_url__secret_key=KEY))


def share(api, body=NO_BODY, queue='q'):
    return api.post(f'/v2/queues/{queue}/share', body)


def signed_headers(document, **changes):
    headers = {
        'URL-Signature': document['signature'],
        'URL-Expires': document['expires'],
        'URL-Methods': ','.join(document['methods']),
        'URL-Paths': ','.join(document['paths']),
        'X-Project-ID': document['project'],
    }
    headers.update(changes)
    return headers


def stranger(api):
    """A caller with only a Client-ID: what a signed URL is handed to."""
    return Api(api.app, project='')


def signed_call(api, method, path, document, **changes):
    headers = signed_headers(document, **changes)
    caller = stranger(api)
    sent = {'X-Project-ID': None, **headers}
    return caller.call(method, path, headers=sent)


# -- creating a share --------------------------------------------------------

def test_defaults_sign_get_on_messages_for_one_day(api):
    response = share(api, {})
    expect(response, 200)
    document = response.json
    assert set(document) == {'paths', 'methods', 'project', 'expires', 'signature'}
    assert document['paths'] == ['/v2/queues/q/messages']
    assert document['methods'] == ['GET']
    assert document['project'] == api.project
    expires = datetime.datetime.strptime(document['expires'], '%Y-%m-%dT%H:%M:%S')
    lifetime = expires - datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert datetime.timedelta(hours=23, minutes=59) < lifetime <= datetime.timedelta(days=1)
    assert document['signature'] == recipe(
        document['paths'], document['methods'], api.project, document['expires'])


@pytest.mark.parametrize('expires', [
    '2030-01-01T00:00:00', '2030-01-01T00:00:00.123456', '2030-01-01T02:00:00+02:00'])
def test_documented_test_vector(make_app, expires):
    api = Api(make_app(signed_url__secret_key=KEY), project='p')
    response = share(api, {'expires': expires})
    expect(response, 200, {
        'paths': ['/v2/queues/q/messages'], 'methods': ['GET'], 'project': 'p',
        'expires': '2030-01-01T00:00:00',
        'signature': '75e8eb995184cfed9aeca9a314497da9b9976b13105df69560fe425b171a2f28'})


def test_lists_come_back_sorted_and_signed_sorted(api):
    response = share(api, {'paths': ['messages', 'claims', 'subscriptions'],
                           'methods': ['POST', 'GET', 'DELETE'],
                           'expires': '2031-06-01T12:00:00Z'})
    expect(response, 200, {
        'paths': ['/v2/queues/q/claims', '/v2/queues/q/messages',
                  '/v2/queues/q/subscriptions'],
        'methods': ['DELETE', 'GET', 'POST'], 'project': api.project,
        'expires': '2031-06-01T12:00:00', 'signature': matches('[0-9a-f]{64}')})
    document = response.json
    assert document['signature'] == recipe(
        document['paths'], document['methods'], api.project, '2031-06-01T12:00:00')


@pytest.mark.parametrize('body, expected', [
    ({'project_id': 'x'}, bad_request("Unknown keys: {'project_id'}")),
    ({'paths': ['messages', 'stats']}, bad_request("Invalid paths: {'stats'}")),
    ({'paths': 'messages'}, bad_request('"paths" must be a list of strings.')),
    ({'methods': ['GET', 'FETCH']}, bad_request("Invalid methods: {'FETCH'}")),
    ({'methods': 'GET'}, bad_request('"methods" must be a list of strings.')),
    ({'expires': '1234'}, bad_request(
        '"expires" must be a date such as 2030-01-01T00:00:00, not an integer: 1234')),
    ({'expires': 1234}, bad_request(
        '"expires" must be an ISO 8601 date string, for example 2030-01-01T00:00:00.')),
    ({'expires': 'tomorrow'}, bad_request('"expires" is not an ISO 8601 date: tomorrow')),
    ({'expires': '2001-01-01T00:00:00'}, bad_request('"expires" must be in the future.')),
    ([], invalid_body('The share request must be a JSON object.')),
    (NO_BODY, invalid_body('Request body can not be empty')),
])
def test_bad_requests(api, body, expected):
    expect(share(api, body), 400, expected)


def test_without_a_secret_key_sharing_is_refused(make_app):
    expect(share(Api(make_app()), {}), 400, bad_request(
        'Pre-signed URLs are disabled: [signed_url] secret_key is not set.'))


# -- using a share -------------------------------------------------------------

@pytest.fixture
def shared(api):
    api.create_queue('q')
    ids = api.post_messages('q', 'hello')
    document = share(api, {'methods': ['GET', 'POST'], 'paths': ['messages']}).json
    return api, document, ids[0]


def test_signed_request_reads_and_writes_the_signed_paths(shared):
    api, document, mid = shared
    response = signed_call(api, 'GET', '/v2/queues/q/messages?echo=true', document)
    expect(response, 200)
    assert [m['body'] for m in response.json['messages']] == ['hello']
    expect(signed_call(api, 'GET', f'/v2/queues/q/messages/{mid}', document), 200)
    caller = stranger(api)
    response = caller.call('POST', '/v2/queues/q/messages', {'messages': [{'body': 'hi'}]},
                           headers={'X-Project-ID': None, **signed_headers(document)})
    expect(response, 201)
    assert len(api.message_ids('q')) == 2


@pytest.mark.parametrize('method, path', [
    ('DELETE', '/v2/queues/q/messages?pop=1'),  # method not signed
    ('GET', '/v2/queues/q'),  # path not signed
    ('GET', '/v2/queues/q/stats'),
    ('GET', '/v2/queues/q/messagesX'),
    ('GET', '/v2/queues/other/messages'),
    ('GET', '/v2/queues'),
])
def test_signed_request_outside_its_grant_is_404(shared, method, path):
    api, document, _ = shared
    expect(signed_call(api, method, path, document), 404, NOT_SIGNED)


@pytest.mark.parametrize('field, value', [
    ('URL-Signature', ''),
    ('URL-Signature', '0' * 64),
    ('URL-Methods', 'DELETE,GET,POST'),
    ('URL-Paths', '/v2/queues/q/claims,/v2/queues/q/messages'),
    ('URL-Expires', '2099-01-01T00:00:00'),
    ('URL-Expires', 'not a date'),
    ('X-Project-ID', 'another-project'),
])
def test_tampering_is_404(shared, field, value):
    api, document, _ = shared
    response = signed_call(api, 'GET', '/v2/queues/q/messages', document, **{field: value})
    expect(response, 404, NOT_SIGNED)


@pytest.mark.parametrize('missing', [
    'URL-Expires', 'URL-Methods', 'URL-Paths', 'X-Project-ID'])
def test_missing_signed_header_is_404(shared, missing):
    api, document, _ = shared
    response = signed_call(api, 'GET', '/v2/queues/q/messages', document, **{missing: None})
    expect(response, 404, NOT_SIGNED)


def test_expired_signature_is_404(shared):
    api, document, _ = shared
    past = '2001-01-01T00:00:00'
    forged = {**document, 'expires': past,
              'signature': recipe(document['paths'], document['methods'],
                                  api.project, past)}
    expect(signed_call(api, 'GET', '/v2/queues/q/messages', forged), 404, NOT_SIGNED)


def test_signature_made_with_another_key_is_404(shared):
    api, document, _ = shared
    forged = {**document, 'signature': recipe(
        document['paths'], document['methods'], api.project, document['expires'],
        key='guess')}
    expect(signed_call(api, 'GET', '/v2/queues/q/messages', forged), 404, NOT_SIGNED)


def test_signed_request_still_needs_a_client_id(shared):
    api, document, _ = shared
    response = signed_call(api, 'GET', '/v2/queues/q/messages', document)
    expect(response, 200)
    headers = {'X-Project-ID': None, 'Client-ID': None, **signed_headers(document)}
    expect(stranger(api).call('GET', '/v2/queues/q/messages', headers=headers), 400,
           error('Missing header value', 'The "Client-Id" header is required.'))
