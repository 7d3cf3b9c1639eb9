"""API v1.1 at /v1.1, served by the v2 controllers (api-v2.md section 8).

Each route of v1.1, then each difference from v2 (zaqar/transport/wsgi/
versions.py names them), shown side by side on one app that serves both.
Like every tests/api module this runs on every store; pools and flavors,
which need pooling, run over the redis-servers of test_pools.py.
"""

import json
import re

import pytest

from tests.api.helpers import (
    A_TIMESTAMP,
    AN_AGE,
    AN_ID,
    ID,
    Api,
    error,
    expect,
    invalid_body,
    matches,
    next_link,
)
from tests.api.test_pools import ADMIN, pooled_app, redis_servers  # noqa: F401 - fixture

V1 = '/v1.1/queues'
V2 = '/v2/queues'
PATCH_TYPE = {'Content-Type': 'application/openstack-messaging-v2.0-json-patch'}
V1_1_ENTRY = {
    'id': '1.1', 'status': 'DEPRECATED', 'updated': '2016-7-29T02:22:47Z',
    'media-types': [{'base': 'application/json',
                     'type': 'application/vnd.openstack.messaging-v1_1+json'}],
    'links': [{'href': '/v1.1/', 'rel': 'self'}]}
V2_ENTRY = {
    'id': '2', 'status': 'CURRENT', 'updated': '2014-9-24T04:06:47Z',
    'media-types': [{'base': 'application/json',
                     'type': 'application/vnd.openstack.messaging-v2+json'}],
    'links': [{'href': '/v2/', 'rel': 'self'}]}
V1_1_RELS = {
    'rel/queues', 'rel/queue', 'rel/queue_stats', 'rel/messages', 'rel/post_messages',
    'rel/messages_delete', 'rel/message_delete', 'rel/message_get', 'rel/claim',
    'rel/post_claim', 'rel/patch_claim', 'rel/delete_claim', 'rel/ping',
}
ADMIN_RELS = {'rel/pools', 'rel/pool', 'rel/flavors', 'rel/flavor', 'rel/health'}
RESERVED_DEFAULTS = {
    '_max_messages_post_size': 262144, '_default_message_ttl': 3600,
    '_default_message_delay': 0, '_dead_letter_queue': None,
    '_dead_letter_queue_messages_ttl': None, '_max_claim_count': None,
    '_enable_encrypt_messages': False}


@pytest.fixture
def api(make_app):
    """A caller of an app that serves v1.1 beside v2."""
    return Api(make_app(enable_deprecated_api_versions='1.1'))


def message(queue, body, mid, ttl=3600, claim_id=None):
    """A v1.1 message: v2's shape, with /v1.1 hrefs."""
    href = f'{V1}/{queue}/messages/{mid}' + (f'?claim_id={claim_id}' if claim_id else '')
    return {'id': mid, 'href': href, 'ttl': ttl, 'age': AN_AGE, 'body': body}


def post(api, queue, *bodies, prefix=V1, **fields):
    response = api.post(f'{prefix}/{queue}/messages',
                        {'messages': [{'body': b, **fields} for b in bodies]})
    expect(response, 201)
    return [href.rsplit('/', 1)[1] for href in response.json['resources']]


# -- the version is served, and listed, only when enabled ---------------------------

def test_versions_document(api):
    expect(api.get('/'), 300, {'versions': [V1_1_ENTRY, V2_ENTRY]})


def test_off_by_default(make_app):
    caller = Api(make_app())
    expect(caller.get('/'), 300, {'versions': [V2_ENTRY]})
    for path in ('/v1.1/', f'{V1}', f'{V1}/q', '/v1.1/ping'):
        expect(caller.get(path), 404, error('404 Not Found'))


def test_home_document(api):
    response = api.get('/v1.1/')
    expect(response, 200)
    assert response.headers['Content-Type'] == 'application/json-home'
    assert response.headers['Cache-Control'] == 'max-age=86400'
    resources = json.loads(response.body)['resources']
    assert set(resources) == V1_1_RELS
    for rel, resource in resources.items():
        assert resource['href-template'].startswith('/v1.1/'), rel
    assert resources['rel/queue']['hints']['allow'] == ['GET', 'PUT', 'DELETE']
    assert resources['rel/queues']['href-template'] == '/v1.1/queues{?marker,limit,detailed}'
    expect(api.get('/v1.1'), 404, error('404 Not Found'))


def test_home_document_in_admin_mode(make_app):
    caller = Api(make_app(enable_deprecated_api_versions='1.1', admin_mode=True))
    resources = json.loads(caller.get('/v1.1/').body)['resources']
    assert set(resources) == V1_1_RELS | ADMIN_RELS
    assert resources['rel/health']['href'] == '/v1.1/health'
    assert resources['rel/pools']['href-template'] == '/v1.1/pools{?marker,limit,detailed}'


def test_headers_are_checked_as_in_v2(api):
    expect(api.get(f'{V1}', headers={'Client-ID': None}), 400, error(
        'Missing header value', 'The "Client-Id" header is required.'))
    expect(api.get(f'{V1}', headers={'X-Project-ID': None}), 400, error(
        'Project-Id Missing', 'The header X-PROJECT-ID was missing'))
    expect(api.put(f'{V1}/bad$name'), 400, error(
        'Invalid queue identification',
        'The format of the submitted queue name or project id is not valid.'))


# -- routes ----------------------------------------------------------------------------

def test_queue_lifecycle(api):
    response = api.put(f'{V1}/q', {'colour': 'blue'})
    expect(response, 201, None)
    assert response.headers['Location'] == f'{V1}/q'
    expect(api.put(f'{V1}/q', {'colour': 'red'}), 204, None)  # exists: unchanged
    expect(api.get(f'{V1}/q'), 200, {'colour': 'blue'})
    expect(api.get(f'{V1}'), 200, {
        'queues': [{'name': 'q', 'href': f'{V1}/q'}],
        'links': [next_link(V1, marker='q')]})
    expect(api.get(f'{V1}?detailed=true'), 200, {
        'queues': [{'name': 'q', 'href': f'{V1}/q', 'metadata': {'colour': 'blue'}}],
        'links': [next_link(V1, marker='q', detailed=True)]})
    expect(api.delete(f'{V1}/q'), 204, None)
    expect(api.delete(f'{V1}/q'), 204, None)
    expect(api.get(f'{V1}'), 200, {'queues': [], 'links': []})


def test_queue_listing_pages(api):
    for name in 'abc':
        api.put(f'{V1}/{name}')
    first = api.get(f'{V1}?limit=2')
    expect(first, 200, {'queues': [{'name': n, 'href': f'{V1}/{n}'} for n in 'ab'],
                        'links': [next_link(V1, marker='b', limit=2)]})
    expect(api.get(first.json['links'][0]['href']), 200, {
        'queues': [{'name': 'c', 'href': f'{V1}/c'}],
        'links': [next_link(V1, marker='c', limit=2)]})
    expect(api.get(f'{V1}?limit=21'), 400, error(
        'Invalid API request', 'Limit must be at least 1 and no greater than 20.'))


def test_reserved_keys_are_validated_on_put(api):
    expect(api.put(f'{V1}/q', {'_default_message_ttl': 'long'}), 400, error(
        'Invalid API request', '_default_message_ttl must be integer.'))


def test_stats(api):
    ids = post(api, 'q', 1, 2)
    point = {'age': AN_AGE, 'created': A_TIMESTAMP}
    expect(api.get(f'{V1}/q/stats'), 200, {'messages': {
        'claimed': 0, 'free': 2, 'total': 2,
        'oldest': {'href': f'{V1}/q/messages/{ids[0]}', **point},
        'newest': {'href': f'{V1}/q/messages/{ids[1]}', **point}}})
    expect(api.get(f'{V1}/nowhere/stats'), 200, {'messages': {
        'claimed': 0, 'free': 0, 'total': 0}})


def test_messages(api):
    response = api.post(f'{V1}/q/messages', {'messages': [
        {'body': {'event': 'BackupStarted'}, 'ttl': 300}, {'body': 'text'}]})
    expect(response, 201, {'resources': [matches(rf'{V1}/q/messages/{ID}')] * 2})
    ids = [href.rsplit('/', 1)[1] for href in response.json['resources']]
    assert response.headers['Location'] == f'{V1}/q/messages?ids={",".join(ids)}'
    first, second = (message('q', {'event': 'BackupStarted'}, ids[0], ttl=300),
                     message('q', 'text', ids[1]))
    expect(api.get(f'{V1}/q/messages?echo=true'), 200, {
        'messages': [first, second],
        'links': [next_link(f'{V1}/q/messages', echo=True)]})
    expect(api.get(f'{V1}/q/messages'), 200, {'messages': [], 'links': []})  # echo off
    expect(api.get(f'{V1}/q/messages/{ids[1]}'), 200, second)
    response = api.get(f'{V1}/q/messages?ids={",".join(ids)}')
    expect(response, 200)
    assert sorted(response.json['messages'], key=lambda m: m['id'] != ids[0]) == [
        first, second]
    expect(api.delete(f'{V1}/q/messages/{ids[1]}'), 204, None)
    expect(api.get(f'{V1}/q/messages/{ids[1]}'), 404)
    expect(api.delete(f'{V1}/q/messages?ids={ids[0]}'), 204, None)
    expect(api.get(f'{V1}/q/messages?ids={ids[0]}'), 404)


def test_pop(api):
    post(api, 'q', 0, 1)
    expect(api.delete(f'{V1}/q/messages?pop=1'), 200, {'messages': [{
        'id': AN_ID, 'age': AN_AGE, 'ttl': 3600, 'body': 0, 'claim_id': None,
        'claim_count': 0}]})
    expect(api.delete(f'{V1}/q/messages'), 400, error(
        'Invalid API request', 'The request should have either "ids" or "pop" parameter '
        'in the request, to be able to delete.'))


def test_claims(api):
    ids = post(api, 'q', 'a', 'b', 'c')
    response = api.post(f'{V1}/q/claims?limit=2', {'ttl': 60, 'grace': 60})
    expect(response, 201)
    location = response.headers['Location']
    assert re.fullmatch(rf'{V1}/q/claims/{ID}', location)
    claim_id = location.rsplit('/', 1)[1]
    held = [message('q', body, mid, claim_id=claim_id)
            for body, mid in zip('ab', ids, strict=False)]
    expect(response, 201, {'messages': held})
    expect(api.get(location), 200, {'age': AN_AGE, 'ttl': 60, 'messages': held,
                                     'href': location})
    expect(api.patch(location, {'ttl': 120}), 204, None)
    expect(api.delete(f'{V1}/q/messages/{ids[0]}'), 403, error(
        'Unable to delete',
        'This message is claimed; it cannot be deleted without a valid claim ID.'))
    expect(api.delete(f'{V1}/q/messages/{ids[0]}?claim_id={claim_id}'), 204, None)
    expect(api.delete(location), 204, None)
    expect(api.get(location), 404)
    expect(api.post(f'{V1}/nowhere/claims'), 204, None)


def test_ping(api):
    expect(api.get('/v1.1/ping'), 204, None)
    expect(api.call('HEAD', '/v1.1/ping'), 204, None)


def test_health_in_admin_mode_and_for_admins_only(make_app):
    caller = Api(make_app(enable_deprecated_api_versions='1.1', admin_mode=True))
    response = caller.get('/v1.1/health', headers=ADMIN)
    expect(response, 200)
    assert 'storage_reachable' in response.json
    # Policy is enforced in v1.1 too (upstream's v1.1 checked none).
    expect(caller.get('/v1.1/health'), 403, error(
        'Not authorized', 'You are not authorized to complete this action.'))
    expect(Api(make_app(enable_deprecated_api_versions='1.1')).get('/v1.1/health'), 404)


# -- differences from v2 ---------------------------------------------------------

@pytest.mark.parametrize('method, path', [
    ('GET', '/v1.1/topics'), ('PUT', '/v1.1/topics/t'),
    ('GET', f'{V1}/q/subscriptions'), ('POST', f'{V1}/q/subscriptions'),
    ('POST', f'{V1}/q/purge'), ('POST', f'{V1}/q/share'),
])
def test_routes_v1_1_does_not_have(api, method, path):
    expect(api.call(method, path, {}), 404, error('404 Not Found'))
    assert api.call(method, path.replace('/v1.1/', '/v2/'), {}).status_int != 404


def test_no_patch_on_queues(api):
    api.put(f'{V1}/q')
    patch = [{'op': 'add', 'path': '/metadata/colour', 'value': 'red'}]
    response = api.patch(f'{V1}/q', patch, headers=PATCH_TYPE)
    expect(response, 405, error('405 Method Not Allowed'))
    assert response.headers['Allow'] == 'GET, PUT, DELETE'
    assert api.call('POST', f'{V1}/q').headers['Allow'] == 'GET, PUT, DELETE'
    expect(api.patch(f'{V2}/q', patch, headers=PATCH_TYPE), 200)


def test_queue_get_shows_no_reserved_defaults(api):
    api.put(f'{V1}/q', {'colour': 'blue', '_max_claim_count': 3})
    expect(api.get(f'{V1}/q'), 200, {'colour': 'blue', '_max_claim_count': 3})
    expect(api.get(f'{V2}/q'), 200, {**RESERVED_DEFAULTS, 'colour': 'blue',
                                     '_max_claim_count': 3})
    expect(api.get(f'{V1}/nowhere'), 200, {})
    expect(api.get(f'{V2}/nowhere'), 200, RESERVED_DEFAULTS)
    listed = api.get(f'{V1}?detailed=true').json['queues']
    assert [q['metadata'] for q in listed] == [{'colour': 'blue', '_max_claim_count': 3}]


def test_queue_listing_takes_no_filters(api):
    api.put(f'{V1}/red', {'colour': 'red'})
    api.put(f'{V1}/blue', {'colour': 'blue'})
    query = 'name=red&with_count=true&colour=red'
    response = api.get(f'{V1}?{query}')
    expect(response, 200, {
        'queues': [{'name': n, 'href': f'{V1}/{n}'} for n in ('blue', 'red')],
        'links': [next_link(V1, marker='red')]})
    assert 'name=' not in response.json['links'][0]['href']
    expect(api.get(f'{V2}?{query}'), 200, {
        'queues': [{'name': 'red', 'href': f'{V2}/red'}], 'count': 2,
        'links': [next_link(V2, marker='red', name='red', with_count=True)]})


def test_posts_ignore_the_queues_ttl_and_delay(api):
    api.put(f'{V2}/q', {'_default_message_ttl': 120, '_default_message_delay': 900})
    (v1_id,) = post(api, 'q', 'v1.1', delay=30)
    (v2_id,) = post(api, 'q', 'v2', prefix=V2)
    reader = api.other_client()
    # v1.1's message: the [transport] default ttl, no delay (visible at once).
    expect(reader.get(f'{V1}/q/messages'), 200, {
        'messages': [message('q', 'v1.1', v1_id)],
        'links': [next_link(f'{V1}/q/messages')]})
    # v2's: the queue's ttl and delay; v1.1 cannot ask for delayed messages.
    expect(reader.get(f'{V1}/q/messages?include_delayed=true'), 200, {
        'messages': [message('q', 'v1.1', v1_id)],
        'links': [next_link(f'{V1}/q/messages')]})
    listed = reader.get(f'{V2}/q/messages?include_delayed=true').json['messages']
    assert [(m['id'], m['ttl']) for m in listed] == [(v1_id, 3600), (v2_id, 120)]


def test_posts_ignore_the_queues_size_limit(api):
    api.put(f'{V2}/q', {'_max_messages_post_size': 100})
    body = {'messages': [{'body': 'x' * 200}]}
    expect(api.post(f'{V1}/q/messages', body), 201)
    expect(api.post(f'{V2}/q/messages', body), 400)


def test_bulk_delete_takes_no_claim_ids(make_app):
    caller = Api(make_app(enable_deprecated_api_versions='1.1',
                          transport__message_delete_with_claim_id=True))
    (mid,) = post(caller, 'q', 1)
    claim_id = caller.post(f'{V1}/q/claims').headers['Location'].rsplit('/', 1)[1]
    query = f'ids={mid}&claim_ids={claim_id}'
    expect(caller.delete(f'{V1}/q/messages?{query}'), 400, error(
        'Invalid API request', 'The request should have both "ids" and "claim_ids" '
        'parameter in the request when message_delete_with_claim_id is True.'))
    expect(caller.delete(f'{V2}/q/messages?{query}'), 204, None)
    expect(caller.get(f'{V1}/q/messages/{mid}'), 404)


# -- pools and flavors: `group` and `pool_group` for `flavor` and `pool_list` ---------

@pytest.fixture
def admin(tmp_path):
    return Api(pooled_app(tmp_path, admin_mode=True, enable_deprecated_api_versions='1.1'))


def test_pools(admin, redis_servers):  # noqa: F811 - the fixture
    _, uris = redis_servers
    response = admin.put('/v1.1/pools/one', {'uri': uris[0], 'weight': 10, 'group': 'g'},
                         headers=ADMIN)
    expect(response, 201, None)
    assert response.headers['Location'] == '/v1.1/pools/one'
    shown = {'name': 'one', 'uri': uris[0], 'weight': 10, 'group': 'g'}
    expect(admin.get('/v1.1/pools/one', headers=ADMIN), 200,
           {**shown, 'href': '/v1.1/pools/one'})
    expect(admin.get('/v2/pools/one', headers=ADMIN), 200, {
        'name': 'one', 'uri': uris[0], 'weight': 10, 'flavor': 'g', 'href': '/v2/pools/one'})
    response = admin.get('/v1.1/pools?detailed=true', headers=ADMIN)
    expect(response, 200, {
        'pools': [{**shown, 'options': {}, 'href': '/v1.1/pools/one'}],
        'links': [next_link('/v1.1/pools', marker='one', detailed=True)]})
    assert response.headers['Content-Location'] == '/v1.1/pools?detailed=true'
    expect(admin.patch('/v1.1/pools/one', {'group': ''}, headers=ADMIN), 200, {
        **shown, 'group': None, 'href': '/v1.1/pools/one'})
    expect(admin.patch('/v1.1/pools/one', {}, headers=ADMIN), 400, invalid_body(
        'One of `uri`, `weight`, `group`, or `options` needs to be specified'))
    expect(admin.put('/v1.1/pools/two', {'uri': uris[1], 'weight': 1, 'flavor': 'g'},
                     headers=ADMIN), 400, invalid_body('Unknown fields: flavor.'))
    expect(admin.get('/v1.1/pools', headers={'X-Roles': 'member'}), 403)
    expect(admin.delete('/v1.1/pools/one', headers=ADMIN), 204, None)
    expect(admin.get('/v1.1/pools/one', headers=ADMIN), 404)


def test_flavors(admin, redis_servers):  # noqa: F811 - the fixture
    _, uris = redis_servers
    for name, uri in (('a', uris[0]), ('b', uris[1])):
        admin.put(f'/v1.1/pools/{name}', {'uri': uri, 'weight': 1, 'group': 'g'},
                  headers=ADMIN)
    response = admin.put('/v1.1/flavors/fast', {'pool_group': 'g', 'capabilities': {}},
                         headers=ADMIN)
    expect(response, 201, None)
    assert response.headers['Location'] == '/v1.1/flavors/fast'
    capabilities = ['AOD', 'CLAIMS', 'FIFO', 'HIGH_THROUGHPUT']
    # The group's pools now make the flavor: their group is its name.
    expect(admin.get('/v1.1/flavors/fast'), 200, {
        'name': 'fast', 'capabilities': capabilities, 'pool_group': 'fast', 'pool': 'fast',
        'href': '/v1.1/flavors/fast'})
    expect(admin.get('/v2/flavors/fast'), 200, {
        'name': 'fast', 'capabilities': capabilities, 'pool_list': ['a', 'b'],
        'href': '/v2/flavors/fast'})
    assert admin.get('/v1.1/pools/a', headers=ADMIN).json['group'] == 'fast'
    expect(admin.get('/v1.1/flavors'), 200, {
        'flavors': [{'name': 'fast', 'pool_group': 'fast', 'pool': 'fast',
                     'href': '/v1.1/flavors/fast'}],
        'links': [next_link('/v1.1/flavors', marker='fast')]})
    expect(admin.patch('/v1.1/flavors/fast', {'capabilities': {}}, headers=ADMIN), 200, {
        'name': 'fast', 'capabilities': capabilities, 'pool_group': 'fast', 'pool': 'fast',
        'href': '/v1.1/flavors/fast'})
    expect(admin.put('/v1.1/flavors/slow', {'pool': 'nonesuch'}, headers=ADMIN), 400, error(
        'Unable to create', 'Flavor slow could not be created. Pool group nonesuch does '
        'not exist'))
    expect(admin.put('/v1.1/flavors/slow', {'pool_list': ['a']}, headers=ADMIN), 400,
           invalid_body('Unknown fields: pool_list.'))
    expect(admin.put('/v1.1/flavors/slow', {}, headers=ADMIN), 400,
           invalid_body('"pool_group" is a required property.'))
    expect(admin.patch('/v1.1/flavors/fast', {}, headers=ADMIN), 400, invalid_body(
        'One of `pool_group` or `capabilities` or `pool` needs to be specified'))
    # Only admins learn whether a group exists.
    expect(admin.put('/v1.1/flavors/slow', {'pool': 'nonesuch'}), 403)
    expect(admin.put('/v1.1/flavors/fast2', {'pool': 'fast'}, headers=ADMIN), 201)
    assert admin.get('/v1.1/flavors/fast').json['pool_group'] is None  # pools moved
    expect(admin.delete('/v1.1/flavors/fast2', headers=ADMIN), 204, None)
    expect(admin.get('/v1.1/flavors/fast2'), 404)
