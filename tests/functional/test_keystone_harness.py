"""The keystone harness itself (tests/keystone_server.py), against the real
keystone it runs: personas' tokens, revocation, expiry, and
keystonemiddleware's auth_token configured with ``authtoken_options()``."""

import pytest
import webtest
from keystonemiddleware import auth_token

PERSONAS = {
    # persona: (project, roles the token must carry, roles it must not)
    'admin': ('admin', {'admin', 'member', 'reader'}, set()),
    'member_a': ('zaqar-a', {'member', 'reader'}, {'admin'}),
    'reader_a': ('zaqar-a', {'reader'}, {'member', 'admin'}),
    'member_b': ('zaqar-b', {'member', 'reader'}, {'admin'}),
}


@pytest.fixture(scope='module')
def expired_token(keystone):
    return keystone.expired_token('member_a')


@pytest.fixture(scope='module')
def revoked_token(keystone):
    token = keystone.token('member_a')
    assert keystone.validate(token).status_code == 200
    keystone.revoke(token)
    return token


def test_urls(keystone):
    assert keystone.url.startswith('http://127.0.0.1:')
    assert keystone.auth_url == keystone.url + '/v3'


def test_projects_are_distinct(keystone):
    ids = {keystone.project_id(name) for name in ('admin', 'zaqar-a', 'zaqar-b', 'service')}
    assert len(ids) == 4


@pytest.mark.parametrize('persona', sorted(PERSONAS))
def test_persona_token_validates_with_project_and_roles(keystone, persona):
    project, has, lacks = PERSONAS[persona]
    token = keystone.token(persona)
    resp = keystone.validate(token)
    assert resp.status_code == 200, resp.text
    assert resp.headers['X-Subject-Token'] == token
    body = resp.json()['token']
    assert body['project']['id'] == keystone.project_id(project)
    assert body['project']['name'] == project
    assert body['user']['name'] == ('admin' if persona == 'admin' else persona)
    roles = {role['name'] for role in body['roles']}
    assert has <= roles and not lacks & roles, roles


def test_tokens_are_fresh(keystone):
    assert keystone.token('member_a') != keystone.token('member_a')


def test_revoked_token_no_longer_validates(keystone, revoked_token):
    assert keystone.validate(revoked_token).status_code == 404
    # Other tokens of the same user are untouched.
    assert keystone.validate(keystone.token('member_a')).status_code == 200


def test_expired_token_no_longer_validates(keystone, expired_token):
    assert keystone.validate(expired_token).status_code == 404


def _seen_headers(environ, start_response):
    """The service behind auth_token: echoes what the middleware told it."""
    seen = '\n'.join(f'{name}={environ.get(name, "")}' for name in (
        'HTTP_X_IDENTITY_STATUS', 'HTTP_X_PROJECT_ID', 'HTTP_X_PROJECT_NAME',
        'HTTP_X_USER_NAME', 'HTTP_X_ROLES'))
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [seen.encode()]


@pytest.fixture(scope='module')
def guarded(keystone):
    return webtest.TestApp(auth_token.AuthProtocol(_seen_headers, keystone.authtoken_options()))


def _parse(body):
    return dict(line.split('=', 1) for line in body.splitlines())


def test_middleware_passes_token_identity_and_replaces_forged_headers(keystone, guarded):
    token = keystone.token('reader_a')
    resp = guarded.get('/', headers={
        'X-Auth-Token': token,
        'X-Project-Id': keystone.project_id('zaqar-b'),  # forged by the client
        'X-Roles': 'admin'})
    seen = _parse(resp.text)
    assert seen['HTTP_X_IDENTITY_STATUS'] == 'Confirmed'
    assert seen['HTTP_X_PROJECT_ID'] == keystone.project_id('zaqar-a')
    assert seen['HTTP_X_PROJECT_NAME'] == 'zaqar-a'
    assert seen['HTTP_X_USER_NAME'] == 'reader_a'
    assert seen['HTTP_X_ROLES'].split(',') == ['reader']


def test_middleware_member_roles(keystone, guarded):
    seen = _parse(guarded.get('/', headers={'X-Auth-Token': keystone.token('member_b')}).text)
    assert seen['HTTP_X_PROJECT_ID'] == keystone.project_id('zaqar-b')
    assert {'member', 'reader'} <= set(seen['HTTP_X_ROLES'].split(','))


def test_middleware_without_token_is_401(keystone, guarded):
    resp = guarded.get('/', headers={'X-Project-Id': keystone.project_id('zaqar-a')},
                       status=401)
    assert resp.headers['WWW-Authenticate'] == f'Keystone uri="{keystone.auth_url}"'


def test_middleware_bogus_token_is_401(guarded):
    guarded.get('/', headers={'X-Auth-Token': 'not-a-token'}, status=401)


def test_middleware_sees_revocation_at_once(keystone, guarded):
    # Accepted once (and so cached, were caching on), then revoked: refused.
    token = keystone.token('member_a')
    guarded.get('/', headers={'X-Auth-Token': token}, status=200)
    keystone.revoke(token)
    guarded.get('/', headers={'X-Auth-Token': token}, status=401)


def test_middleware_revoked_token_is_401(guarded, revoked_token):
    guarded.get('/', headers={'X-Auth-Token': revoked_token}, status=401)


def test_middleware_expired_token_is_401(guarded, expired_token):
    guarded.get('/', headers={'X-Auth-Token': expired_token}, status=401)
