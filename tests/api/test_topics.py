"""Topics (api-v2.md section 4.7): queues' code in a namespace of their own."""

import pytest

from tests.api.helpers import ID, error, expect, matches

TOPIC_DEFAULTS = {'_max_messages_post_size': 262144, '_default_message_ttl': 3600,
                  '_default_message_delay': 0}
PATCH = {'Content-Type': 'application/openstack-messaging-v2.0-json-patch'}


def test_lifecycle(api):
    response = api.put('/v2/topics/t', {'color': 'red'})
    expect(response, 201, None)
    assert response.headers['Location'].endswith('/v2/topics/t')
    expect(api.put('/v2/topics/t', {'color': 'red'}), 204, None)
    expect(api.get('/v2/topics/t'), 200, {'color': 'red', **TOPIC_DEFAULTS})
    response = api.patch('/v2/topics/t', [{'op': 'replace', 'path': '/metadata/color',
                                           'value': 'blue'}], headers=PATCH)
    expect(response, 200, {'color': 'blue', **TOPIC_DEFAULTS})
    expect(api.get('/v2/topics?detailed=true'), 200, {
        'topics': [{'name': 't', 'href': '/v2/topics/t',
                    'metadata': {'color': 'blue', **TOPIC_DEFAULTS}}],
        'links': [{'rel': 'next',
                   'href': '/v2/topics?marker=t&detailed=true'}]})
    expect(api.delete('/v2/topics/t'), 204, None)
    expect(api.get('/v2/topics'), 200, {'topics': [], 'links': []})
    expect(api.get('/v2/topics/t'), 200, TOPIC_DEFAULTS)


def test_patch_of_a_missing_topic(api):
    response = api.patch('/v2/topics/nonesuch', [{'op': 'add', 'path': '/metadata/x',
                                                  'value': 1}], headers=PATCH)
    expect(response, 404, error('Not found',
                                f'Topic nonesuch does not exist for project {api.project}'))


def test_topics_and_queues_of_one_name_are_apart(api):
    api.create_queue('same', {'kind': 'queue'})
    expect(api.put('/v2/topics/same', {'kind': 'topic'}), 201, None)
    api.post_messages('same', 'to the queue')
    response = api.post('/v2/topics/same/messages', {'messages': [{'body': 'to the topic'}]})
    expect(response, 201, {'resources': [matches(rf'/v2/topics/same/messages/{ID}')]})
    listed = api.get('/v2/topics/same/messages?echo=true').json['messages']
    assert [m['body'] for m in listed] == ['to the topic']
    assert [m['href'].rsplit('/', 1)[0] for m in listed] == ['/v2/topics/same/messages']
    queue_bodies = [m['body'] for m in api.get('/v2/queues/same/messages?echo=true')
                    .json['messages']]
    assert queue_bodies == ['to the queue']
    assert api.get('/v2/queues/same').json['kind'] == 'queue'
    assert api.get('/v2/topics/same').json['kind'] == 'topic'
    assert [q['name'] for q in api.get('/v2/queues').json['queues']] == ['same']
    stats = api.get('/v2/topics/same/stats').json['messages']
    assert (stats['total'], stats['oldest']['href'].split('/messages/')[0]) == (
        1, '/v2/topics/same')
    expect(api.post('/v2/topics/same/purge', {'resource_types': ['messages']}), 204)
    assert api.get('/v2/topics/same/stats').json['messages']['total'] == 0
    assert api.get('/v2/queues/same/stats').json['messages']['total'] == 1


def test_topic_messages_by_id(api):
    response = api.post('/v2/topics/t/messages', {'messages': [{'body': 1}, {'body': 2}]})
    ids = [href.rsplit('/', 1)[1] for href in response.json['resources']]
    got = api.get(f'/v2/topics/t/messages/{ids[0]}').json
    assert (got['body'], got['href']) == (1, f'/v2/topics/t/messages/{ids[0]}')
    expect(api.get(f'/v2/queues/t/messages/{ids[0]}'), 404)
    expect(api.delete(f'/v2/topics/t/messages/{ids[0]}'), 204)
    expect(api.get(f'/v2/topics/t/messages/{ids[0]}'), 404, error(
        'Not found', f'Message {ids[0]} does not exist in queue t for project {api.project}'))


def test_topic_subscriptions(api):
    response = api.post('/v2/topics/t/subscriptions', {'subscriber': 'http://127.0.0.1:9/'})
    expect(response, 201)
    sid = response.json['subscription_id']
    found = api.get(f'/v2/topics/t/subscriptions/{sid}').json
    assert (found['source'], found['subscriber']) == ('t', 'http://127.0.0.1:9/')
    expect(api.get(f'/v2/queues/t/subscriptions/{sid}'), 404)
    assert api.get('/v2/queues/t/subscriptions').json['subscriptions'] == []
    assert [t['name'] for t in api.get('/v2/topics').json['topics']] == ['t']


@pytest.mark.parametrize('path', ['/v2/topics/t/claims', '/v2/topics/t/share'])
def test_no_claims_or_shares_on_topics(api, path):
    expect(api.post(path, {'ttl': 60}), 404)


def test_bad_topic_name(api):
    expect(api.put('/v2/topics/bad*name'), 400, error(
        'Invalid topic identification',
        'The format of the submitted topic name or project id is not valid.'))


def test_no_count_for_topics(api):
    api.put('/v2/topics/t')
    body = api.get('/v2/topics?with_count=true').json
    assert 'count' not in body
