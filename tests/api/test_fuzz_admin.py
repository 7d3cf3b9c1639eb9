"""Hostile pool and flavor bodies (admin, with pooling): never a 5xx.

Every URI here is refused without connecting anywhere: unknown schemes,
malformed URIs and SQLite paths.
"""

import pytest
import webtest

from tests.api import helpers
from tests.api.helpers import Api

# (Reachable-looking loopback URIs are left out: each costs the driver's
# reconnection attempts.)
URIS = ['', 'x', 'foo://bar', 'sqlite:///\x00', 'sqlite:///a\x00b', 'redis://[::1',
        'redis://127.0.0.1:99999', 'a' * 256, 'sqlite:///tab\there', 'http://127.0.0.1:1']
OPTIONS = [None, {'partitions': 'x'}, [1], 'x']
FLAVORS = [{'pool_list': []}, {'pool_list': ['nope']}, {'pool_list': [1]},
           {'pool_list': 'x'}, {'pool_list': [None]}, {'x': 1}, [], {}]


@pytest.fixture(scope='module')
def admin(tmp_path_factory):
    app, _, _ = helpers.embedded_app(tmp_path_factory, 'admin',
                                     'admin_mode = true\npooling = true\n')
    return Api(webtest.TestApp(app))


def _clean_4xx(response):
    assert 400 <= response.status_int < 500, response.body
    assert set(response.json) == {'title', 'description'}, response.json


@pytest.mark.parametrize('options', OPTIONS, ids=repr)
@pytest.mark.parametrize('uri', URIS, ids=repr)
def test_odd_pool_uris_are_refused_cleanly(admin, uri, options):
    body = {'weight': 1, 'uri': uri}
    if options is not None:
        body['options'] = options
    for method in ('PUT', 'PATCH'):
        _clean_4xx(admin.call(method, '/v2/pools/p', body, headers={'X-Roles': 'admin'}))


@pytest.mark.parametrize('body', FLAVORS, ids=repr)
def test_odd_flavors_are_refused_cleanly(admin, body):
    for method in ('PUT', 'PATCH'):
        _clean_4xx(admin.call(method, '/v2/flavors/f', body, headers={'X-Roles': 'admin'}))
