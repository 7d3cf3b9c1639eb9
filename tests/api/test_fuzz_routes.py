"""Paths whose segments name the controllers' own attributes.

Pecan used to walk a path with getattr: "index", "get", "_lookup" or
"__class__" as a queue name, message id or extra segment reached controller
internals (the queue list, a 404, or a 500 inside Pecan). routing.py routes
by declared children only; these tests hold it to that, with a table and
with hypothesis drawing paths from the attribute names of every controller.
"""

import pytest
import webob
import webtest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api import helpers
from tests.api.helpers import Api, error, expect
from zaqar.transport.wsgi.controllers import claims, messages, pools, queues, root, subscriptions

INTERNAL = ['index', 'get', 'put', 'post', 'patch', 'delete', 'head', '_lookup', '_route',
            '__class__', '__init__', '__dict__', '_service', '_actions', '_name', '_path']
NO_ROUTE = error('404 Not Found')


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    app, _, _ = helpers.embedded_app(tmp_path_factory, 'routes',
                                     'admin_mode = true\n[signed_url]\nsecret_key = k\n')
    return app


@pytest.fixture
def api(app):
    return Api(webtest.TestApp(app))


@pytest.mark.parametrize('name', INTERNAL)
def test_internal_names_are_plain_queue_names(api, name):
    base = f'/v2/queues/{name}'
    expect(api.put(base), 201, None)
    (mid,) = api.post_messages(name, 'body')
    assert api.get(f'{base}/messages/{mid}').json['body'] == 'body'
    assert api.get(f'{base}/stats').json['messages']['total'] == 1
    assert {'name': name, 'href': base} in api.get('/v2/queues').json['queues']
    expect(api.delete(base), 204, None)


@pytest.mark.parametrize('name', INTERNAL)
@pytest.mark.parametrize('collection', ['messages', 'claims', 'subscriptions'])
def test_internal_names_are_plain_unknown_ids(api, name, collection):
    api.create_queue('q')
    response = api.get(f'/v2/queues/q/{collection}/{name}')
    assert response.status_int == 404
    assert response.json['title'] == 'Not found'


@pytest.mark.parametrize('name', INTERNAL)
@pytest.mark.parametrize('parent', ['', '/v2', '/v2/queues/q', '/v2/queues/q/stats',
                                    '/v2/queues/q/messages/m1', '/v2/ping'])
def test_internal_names_below_a_resource_are_no_route(api, parent, name):
    expect(api.get(f'{parent}/{name}'), 404, NO_ROUTE)


CONTROLLERS = (root.Root, root.API, queues.Collection, queues.Container, queues.Stats,
               messages.Messages, messages.Message, claims.Claims, claims.Claim,
               subscriptions.Subscriptions, subscriptions.Subscription,
               subscriptions.Confirm, pools.Pools, pools.Pool)
ATTRIBUTES = sorted({name for cls in CONTROLLERS for name in dir(cls)})
SEGMENTS = st.sampled_from(ATTRIBUTES + ['v2', 'queues', 'q', 'messages', 'claims',
                                         'subscriptions', 'confirm', 'stats', '', '..'])


@given(segments=st.lists(SEGMENTS, min_size=1, max_size=6),
       method=st.sampled_from(['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'HEAD']))
@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_path_of_attribute_names_is_a_clean_answer(app, segments, method):
    request = webob.Request.blank('/' + '/'.join(segments), method=method, headers={
        'Client-ID': '3381af92-2b9e-11e3-b191-71861300734c', 'X-Project-ID': 'routes',
        'X-Roles': 'admin'})
    if method in ('PUT', 'POST', 'PATCH'):
        request.body, request.content_type = b'{}', 'application/json'
    response = request.get_response(app)
    assert response.status_int < 500, (method, request.path, response.body)
    if response.status_int >= 400 and method != 'HEAD':
        body = response.json
        assert 'description' in body or body['title'] in ('404 Not Found',
                                                           '405 Method Not Allowed')
