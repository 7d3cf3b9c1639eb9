"""Security review of the auth paths: each upstream bypass, proven absent.

Auth paths (auth.py's Gate, hooks.py's project rule, the policy) do not
depend on the store, so these run on SQLite only. Already covered elsewhere,
and not repeated here:

* no token -> 401 on every route, client X-Roles ignored: test_auth.py;
* signed URLs outside their grant (method, path, project, expiry, key,
  missing headers): test_share.py;
* with a real Keystone, the token decides the project and the roles
  (client X-Project-ID / X-Roles ignored), empty URL-Signature and
  EXTRA-SPEC are no bypass: tests/functional/test_keystone.py, and every
  persona x route: tests/functional/test_persona_matrix.py;
* missing or empty X-Project-ID with auth off -> 400: test_headers.py;
* WebSocket requests naming another project: tests/websocket (auth tests).
"""

import pytest
import webtest

from tests.api import helpers, test_auth
from tests.api.helpers import Api, error, expect
from zaqar import conf as zaqar_conf
from zaqar.transport.wsgi import app as wsgi_app

KEY = 'k'  # test_auth's KEYSTONE_CONF signs with it too
KEYSTONE = test_auth.KEYSTONE_CONF
NOT_SIGNED = error('404 Not Found', 'The pre-signed URL does not allow this request: its '
                   'signature, expiry, project, methods or paths do not match.')
FORBIDDEN = error('Not authorized', 'You are not authorized to complete this action.')


@pytest.fixture(scope='module')
def build(tmp_path_factory):
    """``build(text)``: the app of a zaqar.conf that ends with ``text``."""
    built = {}

    def make(text=''):
        if text not in built:
            # Sections may repeat: oslo.config merges them.
            app, _, _ = helpers.embedded_app(
                tmp_path_factory, 'security',
                f'admin_mode = true\n[signed_url]\nsecret_key = {KEY}\n{text}')
            built[text] = webtest.TestApp(app)
        return built[text]

    return make


@pytest.fixture
def owner(build):
    """A project with a queue and one message, without auth."""
    api = Api(build())
    api.post_messages('q', 'secret')
    return api


def share(api, **grant):
    response = api.post('/v2/queues/q/share', grant or {'methods': ['GET', 'POST']})
    assert response.status_int == 200, response.body
    return response.json


def signed(document, **changes):
    headers = {'URL-Signature': document['signature'], 'URL-Expires': document['expires'],
               'URL-Methods': ','.join(document['methods']),
               'URL-Paths': ','.join(document['paths']), 'X-Project-ID': document['project']}
    headers.update(changes)
    return headers


# -- bugs 2161254 / 2164987: an empty URL-Signature skipped Keystone ------------

@pytest.mark.parametrize('value', ['', ' ', '\t', 'null', 'None'])
@pytest.mark.parametrize('auth', ['keystone', 'none'])
def test_an_empty_or_blank_signature_opens_nothing(build, owner, value, auth):
    document = share(owner)
    app = build(KEYSTONE if auth == 'keystone' else '')
    caller = Api(app, project=owner.project)
    body = {'messages': [{'body': 'forged'}]}
    for method, payload in (('GET', None), ('POST', body)):
        kwargs = {'body': payload} if payload else {}
        response = caller.call(method, '/v2/queues/q/messages',
                               headers=signed(document, **{'URL-Signature': value}), **kwargs)
        expect(response, 404, NOT_SIGNED)
    assert len(owner.message_ids('q')) == 1  # nothing was posted


# -- EXTRA-SPEC (13.0.0 to 22.x): it skipped Keystone; removed in 23.0.0 -------

@pytest.mark.parametrize('value', ['', 'messagecode:1', 'messagecode', ':', 'x' * 1000])
def test_extra_spec_does_not_skip_keystone(build, value):
    caller = Api(build(KEYSTONE))
    for method, path in (('GET', '/v2/queues'), ('POST', '/v2/queues/q/messages'),
                         ('GET', '/v2/health')):
        response = caller.call(method, path, headers={'EXTRA-SPEC': value, 'X-Roles': 'admin'})
        expect(response, 401)


def test_extra_spec_is_ignored_without_auth(owner):
    plain = owner.get('/v2/queues/q/messages?echo=true')
    with_spec = owner.get('/v2/queues/q/messages?echo=true',
                          headers={'EXTRA-SPEC': 'messagecode:1'})
    expect(with_spec, 200)
    assert [m['body'] for m in with_spec.json['messages']] == \
        [m['body'] for m in plain.json['messages']] == ['secret']


# -- signed URLs: the grant's own project, path and method only -----------------

@pytest.mark.parametrize('path', [
    '/v2/queues/q/messages/../../other/messages',
    '/v2/queues/q/messages/%2e%2e/%2e%2e/other/messages',
    '/v2/queues/q/messages/..%2F..%2Fother%2Fmessages',
    '/v2/queues/q/messages/../../../queues/other/stats',
    '/v2/queues/q/messages/..',
], ids=['dotdot', 'encoded-dots', 'encoded-slashes', 'to-stats', 'parent'])
def test_a_grant_cannot_be_walked_out_of(build, owner, path):
    owner.post_messages('other', 'not shared')
    document = share(owner)
    caller = Api(build(KEYSTONE), project=owner.project)
    response = caller.get(path, headers=signed(document))
    # Routed inside the grant (a message id that cannot exist) or refused:
    # never the other queue's data.
    assert response.status_int in (400, 404), response.body
    assert b'not shared' not in response.body


def test_a_signature_for_one_project_opens_no_other(build, owner):
    victim = owner.other_project()
    victim.post_messages('q', 'victim data')
    document = share(owner)  # same queue name, another project
    caller = Api(build(KEYSTONE), project=victim.project)
    response = caller.get('/v2/queues/q/messages?echo=true',
                          headers=signed(document, **{'X-Project-ID': victim.project}))
    expect(response, 404, NOT_SIGNED)


def test_a_signed_request_loses_the_identity_headers_it_sends(build, tmp_path):
    # Only admins may list messages, by this policy: a signed request that
    # claims the admin role must still be refused, proving its roles were
    # dropped; the same headers without a signature (auth off) pass.
    policy = tmp_path / 'policy.yaml'
    policy.write_text('"messages:get_all": "role:admin"\n')
    app = build(f'[oslo_policy]\npolicy_file = {policy}\n')
    owner = Api(app)
    owner.post_messages('q', 'for admins')
    document = share(owner)
    forged = {'X-Roles': 'admin', 'X-Role': 'admin', 'X-Is-Admin-Project': 'True',
              'X-Tenant-Id': 'other', 'X-User-Id': 'admin'}
    caller = Api(app, project=owner.project)
    expect(caller.get('/v2/queues/q/messages?echo=true', headers={**signed(document),
                                                                  **forged}),
           403, FORBIDDEN)
    expect(owner.get('/v2/queues/q/messages?echo=true', headers={'X-Roles': 'admin'}), 200)


# -- admin routes ------------------------------------------------------------------

@pytest.mark.parametrize('roles', [None, '', 'member', 'reader', 'admin_x', 'notadmin',
                                   'member;admin', 'ad min', ' , '])
def test_admin_routes_refuse_other_roles(build, roles):
    caller = Api(build())
    headers = {'X-Roles': roles} if roles is not None else {}
    expect(caller.get('/v2/health', headers=headers), 403, FORBIDDEN)


@pytest.mark.parametrize('roles', ['admin', 'member,admin', ' admin '])
def test_admin_routes_take_the_admin_role_without_auth(build, roles):
    # Upstream's rule without auth: X-Roles is trusted (api-v2.md 2.3).
    expect(Api(build()).get('/v2/health', headers={'X-Roles': roles}), 200)


def test_admin_routes_are_absent_without_admin_mode(tmp_path):
    path = tmp_path / 'zaqar.conf'
    path.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\n')
    app = webtest.TestApp(wsgi_app.build(zaqar_conf.new(args=[], config_files=[str(path)])))
    for route in ('/v2/health', '/v2/pools', '/v2/flavors'):
        expect(Api(app).get(route, headers={'X-Roles': 'admin'}), 404,
               error('404 Not Found'))


# -- what is public with auth on, and nothing more -------------------------------

@pytest.mark.parametrize('method, path, status', [
    ('GET', '/', 300), ('GET', '/v2/openapi.json', 200), ('GET', '/v2/openapi.json?x=1', 200),
    ('POST', '/v2/openapi.json', 405), ('DELETE', '/v2/openapi.json', 405),
    ('GET', '/v2/openapi.json/', 401), ('GET', '/v2//openapi.json', 401),
    ('GET', '/v2/openapi.json/../queues', 401), ('GET', '//', 401), ('GET', '/v2', 401),
    ('GET', '/v2/', 401), ('POST', '/', 405),
])
def test_only_the_public_documents_need_no_token(build, method, path, status):
    response = Api(build(KEYSTONE)).call(method, path, headers={
        'Client-ID': None, 'X-Project-ID': None})
    assert response.status_int == status, (method, path, response.body)


def test_cors_answers_options_itself_and_passes_nothing_else_unauthenticated(build):
    caller = Api(build(KEYSTONE))
    origin = {'Origin': 'http://app.example'}
    for method in ('GET', 'POST', 'DELETE'):
        expect(caller.call(method, '/v2/queues/q/messages', headers=origin), 401)
    # oslo.middleware answers every OPTIONS with an Origin as a preflight,
    # without the app: headers only, no data.
    expect(caller.call('OPTIONS', '/v2/queues/q/messages', headers=origin), 200, None)
