"""Request checks every /v2 route shares, and the headers of every reply (api-v2.md 2)."""

import uuid

import pytest

from tests.api.helpers import bad_request, error, expect, next_link
from zaqar.transport.wsgi import middleware

MISSING_CLIENT_ID = error('Missing header value', 'The "Client-Id" header is required.')
WRONG_UUID = error('Wrong UUID value', 'Malformed hexadecimal UUID.')
PROJECT_MISSING = error('Project-Id Missing', 'The header X-PROJECT-ID was missing')
EMPTY_PROJECT = error(
    'Empty project header not allowed',
    'X-PROJECT-ID cannot be an empty string. Specify the right header X-PROJECT-ID '
    'and retry.')

NOT_ACCEPTABLE = {
    'title': '406 Not Acceptable',
    'description': 'Endpoint only serves `application/json`; specify client-side media '
                   'type support with the "Accept" header.',
    'link': {'text': '14.1 Accept, Hypertext Transfer Protocol -- HTTP/1.1',
             'href': 'http://www.w3.org/Protocols/rfc2616/rfc2616-sec14.html',
             'rel': 'help'},
}

PATHS = ['/v2/', '/v2/ping', '/v2/queues', '/v2/queues/q', '/v2/queues/q/stats',
         '/v2/queues/q/messages', '/v2/queues/q/claims/c']


@pytest.mark.parametrize('path', PATHS)
@pytest.mark.parametrize('headers, expected', [
    ({'Client-ID': None}, MISSING_CLIENT_ID),
    ({'Client-ID': 'not-a-uuid'}, WRONG_UUID),
    ({'Client-ID': ''}, WRONG_UUID),
    ({'X-Project-ID': None}, PROJECT_MISSING),
    ({'X-Project-ID': ''}, EMPTY_PROJECT),
], ids=['no-client-id', 'bad-client-id', 'empty-client-id', 'no-project',
        'empty-project'])
def test_required_headers(api, path, headers, expected):
    expect(api.get(path, headers=headers), 400, expected)


@pytest.mark.parametrize('client_id', [
    str(uuid.uuid4()), uuid.uuid4().hex, '{%s}' % uuid.uuid4(), f'urn:uuid:{uuid.uuid4()}',
], ids=['dashed', 'hex', 'braces', 'urn'])
def test_client_id_forms_python_accepts(api, client_id):
    expect(api.get('/v2/queues', headers={'Client-ID': client_id}), 200)


@pytest.mark.parametrize('name', ['X-Tenant-Id', 'X-Tenant'])
def test_project_from_tenant_headers(api, name):
    headers = {'X-Project-ID': None, name: api.project}
    api.create_queue('q')
    expect(api.get('/v2/queues', headers=headers), 200,
           {'queues': [{'name': 'q', 'href': '/v2/queues/q'}],
            'links': [next_link('/v2/queues', marker='q')]})


def test_form_urlencoded_body(api):
    response = api.post('/v2/queues/q/messages', raw=b'a=b',
                        headers={'Content-Type': 'application/x-www-form-urlencoded'})
    expect(response, 400, bad_request('Content-Type must be application/json.',
                                      title='Invalid Content-Type'))


def test_form_urlencoded_without_body_is_fine(api):
    response = api.get('/v2/queues/q',
                       headers={'Content-Type': 'application/x-www-form-urlencoded'})
    expect(response, 200)


@pytest.mark.parametrize('accept, status', [
    ('text/html', 406),
    ('application/xml', 406),
    ('application/json', 200),
    ('*/*', 200),
    ('text/html, application/json;q=0.5', 200),
])
def test_accept(api, accept, status):
    response = api.get('/v2/queues', headers={'Accept': accept})
    expect(response, status, NOT_ACCEPTABLE if status == 406 else {'queues': [], 'links': []})


@pytest.mark.parametrize('method, path', [
    ('GET', '/'), ('GET', '/v2/'), ('GET', '/v2'), ('GET', '/nowhere'),
    ('PUT', '/v2/queues/q'), ('HEAD', '/v2/queues/q'), ('GET', '/v2/queues/q/stats'),
    ('GET', '/v2/queues', ), ('POST', '/v2/queues/q/messages'),
])
def test_request_id_on_every_response(api, method, path):
    response = api.call(method, path)
    assert response.headers['X-OpenStack-Request-Id'].startswith('req-')


def test_request_id_even_without_headers(app):
    response = app.get('/v2/queues', expect_errors=True)
    assert response.status_int == 400
    assert response.headers['X-OpenStack-Request-Id'].startswith('req-')


def test_request_ids_differ(api):
    first, second = api.get('/v2/queues'), api.get('/v2/queues')
    assert (first.headers['X-OpenStack-Request-Id']
            != second.headers['X-OpenStack-Request-Id'])


def test_request_ids_are_version_4_uuids():
    for _ in range(200):
        request_id = middleware.new_request_id()
        assert request_id.startswith('req-')
        parsed = uuid.UUID(request_id[4:])
        assert str(parsed) == request_id[4:]
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)


@pytest.mark.parametrize('path', [
    '/nowhere', '/v1.1/queues', '/v2/nowhere', '/v2/queues/q/nowhere',
    '/v2/queues/q/messages/m/nowhere',
])
def test_unknown_route(api, path):
    expect(api.get(path), 404, error('404 Not Found'))


@pytest.mark.parametrize('method, path, allow', [
    ('HEAD', '/v2/queues/q', {'GET', 'PUT', 'PATCH', 'DELETE'}),
    ('POST', '/v2/queues/q', {'GET', 'PUT', 'PATCH', 'DELETE'}),
    ('DELETE', '/v2/queues', {'GET'}),
    ('PUT', '/v2/queues/q/messages', {'GET', 'POST', 'DELETE'}),
    ('PATCH', '/v2/queues/q/messages/m', {'GET', 'DELETE'}),
    ('GET', '/v2/queues/q/claims', {'POST'}),
    ('POST', '/v2/queues/q/claims/c', {'GET', 'PATCH', 'DELETE'}),
    ('POST', '/v2/queues/q/stats', {'GET'}),
    ('GET', '/v2/queues/q/purge', {'POST'}),
    ('POST', '/v2/ping', {'GET', 'HEAD'}),
])
def test_unsupported_method(api, method, path, allow):
    response = api.call(method, path)
    assert response.status_int == 405
    if method != 'HEAD':
        assert response.json == error('405 Method Not Allowed')
    assert {m.strip() for m in response.headers['Allow'].split(',')} == allow
