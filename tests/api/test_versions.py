"""GET / (versions) and GET /v2/ (the JSON-Home document): api-v2.md 4.1, 4.2."""

import json

from tests.api.helpers import Api, error, expect

VERSIONS = {'versions': [{
    'id': '2',
    'status': 'CURRENT',
    'updated': '2014-9-24T04:06:47Z',
    'media-types': [{'base': 'application/json',
                     'type': 'application/vnd.openstack.messaging-v2+json'}],
    'links': [{'href': '/v2/', 'rel': 'self'}],
}]}

PUBLIC_RELS = {
    'rel/queues', 'rel/queue', 'rel/queue_stats', 'rel/queue_share', 'rel/queue_purge',
    'rel/messages', 'rel/post_messages', 'rel/messages_delete', 'rel/message_delete',
    'rel/message_get', 'rel/claim', 'rel/post_claim', 'rel/patch_claim',
    'rel/delete_claim', 'rel/subscriptions_get', 'rel/subscriptions_post',
    'rel/subscription', 'rel/subscription_patch', 'rel/ping',
}
ADMIN_RELS = {'rel/pools', 'rel/pool', 'rel/flavors', 'rel/flavor', 'rel/health'}


def test_versions_need_no_headers(app):
    expect(app.get('/', expect_errors=True), 300, VERSIONS)


def test_versions_ignore_the_usual_headers(api):
    expect(api.get('/'), 300, VERSIONS)


def test_home_document(api):
    response = api.get('/v2/')
    expect(response, 200)
    assert response.headers['Content-Type'] == 'application/json-home'
    assert response.headers['Cache-Control'] == 'max-age=86400'
    resources = json.loads(response.body)['resources']  # json-home: not +json
    assert set(resources) == PUBLIC_RELS
    for rel, resource in resources.items():
        assert resource['href-template'].startswith('/v2'), rel
        assert resource['hints']['formats'] == {'application/json': {}}, rel
    assert resources['rel/queues']['href-template'] == '/v2/queues{?marker,limit,detailed}'
    assert resources['rel/messages']['href-template'] == (
        '/v2/queues/{queue_name}/messages{?marker,limit,echo,include_claimed}')


def test_home_document_in_admin_mode(make_app):
    response = Api(make_app(admin_mode=True)).get('/v2/')
    expect(response, 200)
    resources = json.loads(response.body)['resources']  # json-home: not +json
    assert set(resources) == PUBLIC_RELS | ADMIN_RELS
    assert resources['rel/health']['href'] == '/v2/health'
    for rel, resource in resources.items():
        assert resource.get('href-template', resource.get('href')).startswith('/v2'), rel


def test_home_document_needs_the_trailing_slash(api):
    expect(api.get('/v2'), 404, error('404 Not Found'))
