"""The OpenAPI document (zaqar/transport/wsgi/openapi.py) against the real routes.

For each configuration that changes the routes (admin_mode, pooling), the
routes the Pecan app of a real service serves are read from its controllers
(tests/docs/routes.py) and compared with the document both ways; then every
documented operation is called through the complete WSGI app (it must be
routed: neither "404 Not Found" nor 405), and every method the document
does not give a documented path must be refused by the real routing.
"""

import json

import pecan
import pytest
import webob

from tests.api import helpers
from tests.docs import routes
from tests.docs.test_api_reference import probe
from zaqar import conf as zaqar_conf
from zaqar.transport.wsgi import app as wsgi_app
from zaqar.transport.wsgi import openapi

METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')
HEADERS = {'Client-ID': '3381af92-2b9e-11e3-b191-71861300734c',
           'X-Project-ID': 'openapi', 'X-Roles': 'admin'}
SAMPLES = {'{queue_name}': 'q', '{topic_name}': 't', '{message_id}': 'm1',
           '{claim_id}': 'c1', '{subscription_id}': 's1', '{pool_name}': 'p1',
           '{flavor_name}': 'f1'}
CONFIGS = {
    'default': '',
    'admin': 'admin_mode = true\n',
    'pooling': 'admin_mode = true\npooling = true\n',
}


def _pecan_root(app):
    """The root controller of the Pecan app inside the middleware chain."""
    seen = app
    while not isinstance(seen, pecan.Pecan):
        seen = getattr(seen, 'app', None) or seen._app
    return seen.root


def _documented(document):
    return {(method.upper(), path) for path, item in document['paths'].items()
            for method in item}


@pytest.fixture(scope='module', params=sorted(CONFIGS))
def setup(request, tmp_path_factory):
    app, conf, state = helpers.embedded_app(
        tmp_path_factory, 'openapi',
        f'{CONFIGS[request.param]}[signed_url]\nsecret_key = openapi\n')
    if conf.pooling:  # a pool for the queues the probes create
        pool = webob.Request.blank('/v2/pools/base', method='PUT', headers=HEADERS,
                                   json={'weight': 100, 'uri': f'sqlite:///{state}/pool.db'})
        assert pool.get_response(app).status_int == 201
    served = {(method, '/v2/' if path == '/v2' else path)
              for method, path in routes.walk(_pecan_root(app))
              if path == '/' or path == '/v2' or path.startswith('/v2/')}
    served.add(('GET', openapi.PATH))  # answered by middleware.OpenAPI
    return app, served, openapi.document(conf)


def test_every_served_route_is_documented(setup):
    _, served, document = setup
    assert sorted(served - _documented(document)) == []


def test_every_documented_route_is_served(setup):
    _, served, document = setup
    assert sorted(_documented(document) - served) == []


def test_the_walk_sees_the_api(setup):
    # Guards the walker: an empty walk would make the two tests above vacuous.
    _, served, _ = setup
    assert len(served) > 40
    assert ('PUT', '/v2/queues/{queue_name}/subscriptions/{subscription_id}/confirm') in served


def _concrete(path):
    for placeholder, value in SAMPLES.items():
        path = path.replace(placeholder, value)
    assert '{' not in path, path
    return path


def test_each_documented_operation_is_routed(setup):
    app, _, document = setup
    refused = [(method, path) for method, path in sorted(_documented(document))
               if probe(app, method, _concrete(path)) != 'ok']
    assert refused == []


def test_no_undocumented_method_is_routed(setup):
    app, _, document = setup
    documented = _documented(document)
    extra = [(method, path) for path in document['paths'] for method in METHODS
             if (method, path) not in documented
             and probe(app, method, _concrete(path)) == 'ok']
    assert extra == []


def test_the_document_is_served_without_any_header(setup):
    app, _, document = setup
    response = webob.Request.blank(openapi.PATH).get_response(app)
    assert response.status_int == 200
    assert response.content_type == 'application/json'
    assert json.loads(response.body) == document
    assert response.headers['X-OpenStack-Request-Id'].startswith('req-')


def test_every_reference_resolves(setup):
    _, _, document = setup
    refs = set(_refs(document))
    assert refs, 'no $ref at all'
    for ref in refs:
        prefix, section, name = ref.split('/', 3)[1:]
        assert prefix == 'components'
        assert name in document['components'][section], ref


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == '$ref':
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_admin_routes_follow_the_configuration(tmp_path):
    def paths(extra):
        path = tmp_path / f'{len(extra)}.conf'
        path.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\n{extra}')
        return set(openapi.document(
            zaqar_conf.new(args=[], config_files=[str(path)]))['paths'])

    assert not {'/v2/health', '/v2/pools'} & paths('')
    assert '/v2/health' in paths('admin_mode = true\n') - paths('')
    assert '/v2/pools/{pool_name}' in paths('admin_mode = true\npooling = true\n')


def test_with_keystone_the_token_is_documented_and_the_document_public(tmp_path):
    path = tmp_path / 'zaqar.conf'
    path.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\nauth_strategy = keystone\n'
                    '[keystone_authtoken]\nauth_type = password\n'
                    'auth_url = http://127.0.0.1:9/v3\n'
                    'www_authenticate_uri = http://keystone.test/v3\n')
    conf = zaqar_conf.new(args=[], config_files=[str(path)])
    document = openapi.document(conf)
    assert document['security'] == [{'keystone': []}]
    assert document['components']['parameters']['X-Project-ID']['required'] is False
    assert document['paths']['/']['get']['security'] == []
    app = wsgi_app.build(conf)
    assert webob.Request.blank(openapi.PATH).get_response(app).status_int == 200
    # Everything else still needs the token.
    assert webob.Request.blank('/v2/queues', headers=HEADERS).get_response(
        app).status_int == 401
