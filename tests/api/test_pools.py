"""Pools and flavors (api-v2.md 4.9-4.10), placement by weight, and a pool
that goes down, over real redis-server processes."""

import collections
import uuid

import pytest
import webtest

import zaqar.conf
from tests.api.helpers import Api, error, expect
from tests.redis import servers
from tests.servers import free_port
from zaqar.transport.wsgi import app as wsgi_app

ADMIN = {'X-Roles': 'admin'}


@pytest.fixture(scope='module')
def redis_servers(tmp_path_factory):
    """Three redis-server processes of this module's own: {port: Processes}."""
    processes = servers.Processes(tmp_path_factory.mktemp('pool-servers'))
    ports = [free_port() for _ in range(3)]
    for port in ports:
        processes.start(port)
    yield processes, [f'redis://127.0.0.1:{port}' for port in ports]
    processes.stop_all()


def pooled_app(tmp_path, **defaults):
    conf = zaqar.conf.new(args=[])
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('pooling', True)
    for name, value in defaults.items():
        conf.set_override(name, value)
    return webtest.TestApp(wsgi_app.build(conf))


@pytest.fixture
def admin(tmp_path):
    api = Api(pooled_app(tmp_path, admin_mode=True))
    api.app.app_state_path = str(tmp_path)
    return api


def put_pool(api, name, uri, weight=1, **fields):
    return api.put(f'/v2/pools/{name}', {'uri': uri, 'weight': weight, **fields},
                   headers=ADMIN)


def test_routes_need_admin_mode_and_pooling(tmp_path):
    expect(Api(pooled_app(tmp_path)).get('/v2/pools', headers=ADMIN), 404)
    conf = zaqar.conf.new(args=[])
    conf.set_override('state_path', str(tmp_path / 'plain'))
    conf.set_override('admin_mode', True)
    expect(Api(webtest.TestApp(wsgi_app.build(conf))).get('/v2/pools', headers=ADMIN), 404)


def test_pool_lifecycle(admin, redis_servers):
    _, uris = redis_servers
    response = put_pool(admin, 'one', uris[0], weight=10, options={'max_reconnect_attempts': 2})
    expect(response, 201, None)
    assert response.headers['Location'].endswith('/v2/pools/one')
    expect(admin.get('/v2/pools/one', headers=ADMIN), 200, {
        'name': 'one', 'uri': uris[0], 'weight': 10, 'flavor': None, 'href': '/v2/pools/one'})
    expect(admin.get('/v2/pools/one?detailed=true', headers=ADMIN), 200, {
        'name': 'one', 'uri': uris[0], 'weight': 10, 'flavor': None,
        'options': {'max_reconnect_attempts': 2}, 'href': '/v2/pools/one'})
    response = admin.get('/v2/pools', headers=ADMIN)
    expect(response, 200, {
        'pools': [{'name': 'one', 'uri': uris[0], 'weight': 10, 'flavor': None,
                   'href': '/v2/pools/one'}],
        'links': [{'rel': 'next', 'href': '/v2/pools?marker=one&detailed=false'}]})
    assert response.headers['Content-Location'] == '/v2/pools'
    response = admin.patch('/v2/pools/one', {'weight': 3}, headers=ADMIN)
    expect(response, 200, {'name': 'one', 'uri': uris[0], 'weight': 3, 'flavor': None,
                           'href': '/v2/pools/one'})
    expect(admin.delete('/v2/pools/one', headers=ADMIN), 204, None)
    expect(admin.delete('/v2/pools/one', headers=ADMIN), 204, None)
    expect(admin.get('/v2/pools/one', headers=ADMIN), 404,
           error('Not found', 'Pool one does not exist'))
    expect(admin.get('/v2/pools', headers=ADMIN), 200, {'pools': [], 'links': []})


@pytest.mark.parametrize('body, description', [
    ({'uri': 'redis://x'}, '"weight" is a required property.'),
    ({'weight': 1}, '"uri" is a required property.'),
    ({'uri': 'redis://x', 'weight': -1}, '"weight" must be an integer from 0 to 4294967295.'),
    ({'uri': 'redis://x', 'weight': 'heavy'},
     '"weight" must be an integer from 0 to 4294967295.'),
    ({'uri': 'redis://x', 'weight': 1, 'color': 'red'}, 'Unknown fields: color.'),
    ({'uri': 'redis://x', 'weight': 1, 'options': []}, '"options" must be a JSON object.'),
    ({'uri': 'x' * 256, 'weight': 1}, '"uri" must be a string of at most 255 characters.'),
])
def test_bad_pools(admin, body, description):
    expect(admin.put('/v2/pools/p', body, headers=ADMIN), 400,
           error('Invalid request body', description))


def test_unreachable_or_unknown_uri(admin):
    port = free_port()
    expect(put_pool(admin, 'p', f'redis://127.0.0.1:{port}',
                    options={'max_reconnect_attempts': 1, 'reconnect_sleep': 0.01}),
           400, error('Invalid request body', f'cannot connect to redis://127.0.0.1:{port}'))
    response = put_pool(admin, 'p', 'gopher://x')
    assert (response.status_int, response.json['title']) == (400, 'Invalid request body')
    assert 'No storage driver for the URI scheme "gopher"' in response.json['description']


def test_uri_in_use_is_409(admin, redis_servers):
    _, uris = redis_servers
    expect(put_pool(admin, 'a', uris[0]), 201)
    expect(put_pool(admin, 'b', uris[0]), 409,
           error('Resource conflict', 'The database URI is in use by another pool.'))
    expect(put_pool(admin, 'a', uris[0], weight=5), 201)  # re-PUT replaces


def test_patch_needs_a_field(admin, redis_servers):
    put_pool(admin, 'a', redis_servers[1][0])
    expect(admin.patch('/v2/pools/a', {}, headers=ADMIN), 400, error(
        'Invalid request body',
        'One of `uri`, `weight`, `flavor`, or `options` needs to be specified'))
    expect(admin.patch('/v2/pools/nonesuch', {'weight': 1}, headers=ADMIN), 404)


def test_pools_are_for_admins(admin):
    for method, path in [('GET', '/v2/pools'), ('PUT', '/v2/pools/p'),
                         ('GET', '/v2/pools/p'), ('DELETE', '/v2/pools/p')]:
        expect(admin.call(method, path, {'uri': 'redis://x', 'weight': 1}), 403)


def test_flavors(admin, redis_servers):
    _, uris = redis_servers
    put_pool(admin, 'a', uris[0])
    put_pool(admin, 'b', uris[1])
    response = admin.put('/v2/flavors/fast', {'pool_list': ['a', 'b']}, headers=ADMIN)
    expect(response, 201, None)
    capabilities = ['AOD', 'CLAIMS', 'FIFO', 'HIGH_THROUGHPUT']
    expect(admin.get('/v2/flavors/fast'), 200, {
        'name': 'fast', 'capabilities': capabilities, 'pool_list': ['a', 'b'],
        'href': '/v2/flavors/fast'})
    expect(admin.get('/v2/flavors'), 200, {
        'flavors': [{'name': 'fast', 'pool_list': ['a', 'b'], 'href': '/v2/flavors/fast'}],
        'links': [{'rel': 'next', 'href': '/v2/flavors?marker=fast&detailed=false'}]})
    assert admin.get('/v2/pools/a', headers=ADMIN).json['flavor'] == 'fast'
    # The last pool of a flavor stays.
    response = admin.patch('/v2/flavors/fast', {'pool_list': ['b']}, headers=ADMIN)
    expect(response, 200, {'name': 'fast', 'capabilities': capabilities,
                           'pool_list': ['b'], 'href': '/v2/flavors/fast'})
    assert admin.get('/v2/pools/a', headers=ADMIN).json['flavor'] is None
    expect(admin.delete('/v2/pools/b', headers=ADMIN), 403, error(
        'Unable to delete', 'This pool is used by flavors fast; It cannot be deleted.'))
    expect(admin.patch('/v2/flavors/fast', {}, headers=ADMIN), 400,
           error('Invalid request body', '`pool_list` needs to be specified'))
    expect(admin.put('/v2/flavors/slow', {'pool_list': []}, headers=ADMIN), 400)
    expect(admin.put('/v2/flavors/slow', {'pool_list': ['nonesuch']}, headers=ADMIN), 400,
           error('Unable to create', 'Pools not found: nonesuch.'))
    expect(admin.put('/v2/flavors/fast', {'pool_list': ['a']}), 403)  # members
    expect(admin.delete('/v2/flavors/fast', headers=ADMIN), 204, None)
    assert admin.get('/v2/pools/b', headers=ADMIN).json['flavor'] is None
    expect(admin.get('/v2/flavors/fast'), 404, error('Not found', 'Flavor fast does not exist'))


def test_queues_of_a_flavor_go_to_its_pools(admin, redis_servers):
    _, uris = redis_servers
    put_pool(admin, 'plain', uris[0])
    put_pool(admin, 'special', uris[1], flavor='gold')
    for n in range(10):
        expect(admin.put(f'/v2/queues/gold{n}', {'_flavor': 'gold'}), 201)
        expect(admin.put(f'/v2/queues/plain{n}'), 201)
    placed = _placements(admin, [f'gold{n}' for n in range(10)])
    assert set(placed) == {'special'}
    placed = _placements(admin, [f'plain{n}' for n in range(10)])
    assert set(placed) == {'plain'}


def _placements(api, queues):
    """Which pool holds each queue, read from the management store."""
    from zaqar.storage.sqlalchemy import control

    conf = zaqar.conf.new(args=[])
    conf.set_override('state_path', api.app.app_state_path)
    driver = control.ControlDriver(conf)
    try:
        return [driver.catalogue_controller.get(api.project, q) for q in queues]
    finally:
        driver.close()


def test_weights_are_honoured(tmp_path, redis_servers):
    _, uris = redis_servers
    api = Api(pooled_app(tmp_path, admin_mode=True))
    api.app.app_state_path = str(tmp_path)
    for name, uri, weight in zip('abc', uris, (1, 2, 0), strict=True):
        expect(put_pool(api, name, uri, weight), 201)
    queues = [f'q{n}' for n in range(300)]
    for queue in queues:
        api.post(f'/v2/queues/{queue}/messages', {'messages': [{'body': queue}]})
    counts = collections.Counter(_placements(api, queues))
    # Binomial(300, 1/3): mean 100, sd 8.2; the bounds are 5 sd away.
    assert counts['c'] == 0
    assert 59 <= counts['a'] <= 141 and counts['a'] + counts['b'] == 300, counts
    assert api.get('/v2/queues?with_count=true&limit=1').json['count'] == 300


def test_a_pool_that_is_down_fails_only_its_queues(tmp_path, redis_servers):
    processes, uris = redis_servers
    fragile_port = free_port()
    processes.start(fragile_port)
    fragile = f'redis://127.0.0.1:{fragile_port}'
    api = Api(pooled_app(tmp_path, admin_mode=True))
    api.app.app_state_path = str(tmp_path)
    options = {'max_reconnect_attempts': 1, 'reconnect_sleep': 0.01}
    expect(put_pool(api, 'stable', uris[2], options=options), 201)
    expect(put_pool(api, 'fragile', fragile, options=options), 201)
    queues = [f'q{n}' for n in range(40)]
    for queue in queues:
        api.post_messages(queue, queue)
    where = dict(zip(queues, _placements(api, queues), strict=True))
    on_fragile = [q for q in queues if where[q] == 'fragile']
    on_stable = [q for q in queues if where[q] == 'stable']
    assert on_fragile and on_stable, where
    processes.stop(fragile_port)
    for queue in on_fragile:
        response = api.get(f'/v2/queues/{queue}/messages?echo=true')
        expect(response, 503)
        assert response.json['title'] == 'Service temporarily unavailable'
    for queue in on_stable:
        response = api.get(f'/v2/queues/{queue}/messages?echo=true')
        assert [m['body'] for m in response.json['messages']] == [queue]
        expect(api.post(f'/v2/queues/{queue}/claims', {'ttl': 60, 'grace': 60}), 201)
    # New queues avoid the pool that is down.
    for _ in range(10):
        name = f'new-{uuid.uuid4().hex[:8]}'
        expect(api.post(f'/v2/queues/{name}/messages', {'messages': [{'body': 1}]}), 201)
        assert _placements(api, [name]) == ['stable']
    health = api.get('/v2/health', headers=ADMIN).json
    assert health['fragile'] == {'storage_reachable': False}
    assert health['stable']['storage_reachable'] is True
    assert health['storage_reachable'] is False
