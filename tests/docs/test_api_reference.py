"""docs/api-reference.md against the routes the app really serves.

The routes are read from the Pecan controllers of an app built with every
optional part on (admin_mode, pooling); each documented route is also
called through the complete WSGI app, which must not answer 404 (no such
route) or 405 (no such method).
"""

import os
import re

import pytest
import webob

from tests.docs import routes
from tests.docs.conftest import ROOT, sqlite_config
from zaqar import bootstrap
from zaqar import conf as zaqar_conf
from zaqar.transport.wsgi import app as wsgi_app
from zaqar.transport.wsgi.controllers import root

REFERENCE = os.path.join(ROOT, 'docs', 'api-reference.md')
METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE')
ROW = re.compile(r'^\| (?P<method>[A-Z]+) \| `(?P<path>[^`]+)` \|', re.M)
HEADERS = {'Client-ID': '3381af92-2b9e-11e3-b191-71861300734c',
           'X-Project-ID': 'reference', 'X-Roles': 'admin'}
SAMPLES = {'{queue_name}': 'q', '{topic_name}': 't', '{message_id}': 'm1',
           '{claim_id}': 'c1', '{subscription_id}': 's1', '{pool_name}': 'p1',
           '{flavor_name}': 'f1'}


def documented():
    with open(REFERENCE, encoding='utf-8') as stream:
        rows = [(m['method'], m['path']) for m in ROW.finditer(stream.read())]
    assert len(rows) == len(set(rows)), 'a route is listed twice'
    return set(rows)


@pytest.fixture(scope='module')
def conf(tmp_path_factory):
    state = tmp_path_factory.mktemp('reference')
    path = sqlite_config(state, 'admin_mode = true\npooling = true\n'
                                '[signed_url]\nsecret_key = reference\n')
    return zaqar_conf.new(config_files=[str(path)])


@pytest.fixture(scope='module')
def served(conf):
    service = bootstrap.Bootstrap(conf).service
    # The v2 controller answers only /v2/ (with the slash): the home document.
    return {(method, '/v2/' if path == '/v2' else path)
            for method, path in routes.walk(root.Root(service, admin_mode=True))}


def test_every_served_route_is_documented(served):
    missing = sorted(served - documented(), key=lambda r: (r[1], r[0]))
    assert not missing, f'served but not in docs/api-reference.md: {missing}'


def test_every_documented_route_is_served(served):
    extra = sorted(documented() - served, key=lambda r: (r[1], r[0]))
    assert not extra, f'in docs/api-reference.md but not served: {extra}'


def test_the_walk_finds_the_whole_api(served):
    # Guards the walker itself: a broken walk would make both tests above vacuous.
    assert len(served) > 50
    assert ('PUT', '/v2/queues/{queue_name}/subscriptions/{subscription_id}/confirm') in served


def _concrete(path):
    for placeholder, value in SAMPLES.items():
        path = path.replace(placeholder, value)
    assert '{' not in path, f'no sample value for a placeholder of {path}'
    return path


@pytest.fixture(scope='module')
def app(conf):
    """The WSGI app, with one pool for the queues the probes create."""
    app = wsgi_app.build(conf)
    uri = f'sqlite:///{os.path.join(conf.state_path, "pool.sqlite")}'
    request = webob.Request.blank('/v2/pools/base', method='PUT', headers=HEADERS,
                                  json={'weight': 100, 'uri': uri})
    assert request.get_response(app).status_int == 201
    return app


def probe(app, method, path):
    """What the app says to ``method path``: 'ok', 'no route' or 'no method'."""
    request = webob.Request.blank(path, method=method, headers=HEADERS)
    if method in ('POST', 'PUT', 'PATCH'):
        request.body = b'{}'
        request.content_type = 'application/json'
    response = request.get_response(app)
    assert response.status_int < 500, f'{method} {path}: {response.body!r}'
    if response.status_int == 405:
        return 'no method'
    # A missing resource is 404 "Not found"; a missing route, "404 Not Found".
    if response.status_int == 404 and response.json_body['title'] == '404 Not Found':
        return 'no route'
    return 'ok'


@pytest.mark.parametrize('method, path', sorted(documented(), key=lambda r: (r[1], r[0])))
def test_documented_route_answers(app, method, path):
    assert probe(app, method, _concrete(path)) == 'ok'


@pytest.mark.parametrize('method, path, verdict', [
    ('GET', '/v2/nowhere', 'no route'), ('GET', '/v2/queues/q/nothing', 'no route'),
    ('POST', '/v2/queues', 'no method'), ('GET', '/v2/queues/q/claims', 'no method'),
    ('GET', '/v2/queues/q/messages/m1', 'ok'),  # no such message: still a route
])
def test_the_probe_tells_routes_from_resources(app, method, path, verdict):
    assert probe(app, method, path) == verdict


def test_only_http_methods_are_documented():
    assert {method for method, _ in documented()} <= set(METHODS)
