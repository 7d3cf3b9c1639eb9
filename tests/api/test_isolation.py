"""Another project never sees a project's queue of the same name (api-v2.md 1, 6.6).

Project A fills queue "q"; project B asks for the same names and gets what
a project with nothing gets.
"""

import pytest

from tests.api.helpers import NO_BODY, Api, error, expect

DEFAULTS = {
    '_max_messages_post_size': 262144, '_default_message_ttl': 3600,
    '_default_message_delay': 0, '_dead_letter_queue': None,
    '_dead_letter_queue_messages_ttl': None, '_max_claim_count': None,
    '_enable_encrypt_messages': False,
}


@pytest.fixture
def scene(api):
    """Project A: queue q with metadata, two messages, one claimed."""
    api.create_queue('q', {'owner': 'A'})
    ids = api.post_messages('q', 'first', 'second')
    claim_id, _ = api.claim('q', limit=1)
    return api, api.other_project(), ids, claim_id


def test_reads(scene):
    a, b, ids, claim_id = scene
    p = b.project
    mid = ids[1]
    table = [
        ('GET', '/v2/queues', 200, {'queues': [], 'links': []}),
        ('GET', '/v2/queues?detailed=true&with_count=true', 200,
         {'queues': [], 'links': []}),
        ('GET', '/v2/queues/q', 200, DEFAULTS),
        ('GET', '/v2/queues/q/stats', 200,
         {'messages': {'claimed': 0, 'free': 0, 'total': 0}}),
        ('GET', '/v2/queues/q/messages?echo=true&include_claimed=true', 200,
         {'messages': [], 'links': []}),
        ('GET', f'/v2/queues/q/messages/{mid}', 404,
         error('Not found', f'Message {mid} does not exist in queue q for project {p}')),
        ('GET', f'/v2/queues/q/messages?ids={ids[0]},{mid}', 404,
         error('Not found', f'No messages with IDs: {ids!r} found in the queue q for '
                            f'project {p}.')),
        ('GET', f'/v2/queues/q/claims/{claim_id}', 404,
         error('Not found', f'Claim {claim_id} does not exist in queue q for project {p}')),
        ('POST', '/v2/queues/q/claims', 204, None),
        ('DELETE', '/v2/queues/q/messages?pop=5', 200, {'messages': []}),
    ]
    for method, path, status, body in table:
        expect(b.call(method, path), status, body)


def test_writes_do_not_reach_the_other_project(scene):
    a, b, ids, claim_id = scene
    p = b.project
    table = [
        ('PATCH', '/v2/queues/q', [{'op': 'add', 'path': '/metadata/x', 'value': 1}],
         404, error('Not found', f'Queue q does not exist for project {p}')),
        ('PATCH', f'/v2/queues/q/claims/{claim_id}', {}, 404,
         error('Not found', f'Claim {claim_id} does not exist in queue q for project {p}')),
        ('DELETE', f'/v2/queues/q/claims/{claim_id}', NO_BODY, 204, None),
        ('DELETE', f'/v2/queues/q/messages/{ids[0]}', NO_BODY, 204, None),
        ('DELETE', f'/v2/queues/q/messages/{ids[1]}', NO_BODY, 204, None),
        ('DELETE', f'/v2/queues/q/messages/{ids[0]}?claim_id={claim_id}', NO_BODY, 204,
         None),
        ('DELETE', f'/v2/queues/q/messages?ids={ids[0]},{ids[1]}', NO_BODY, 204, None),
        ('POST', '/v2/queues/q/purge', NO_BODY, 204, None),
        ('DELETE', '/v2/queues/q', NO_BODY, 204, None),
    ]
    for method, path, document, status, body in table:
        headers = {'Content-Type': 'application/openstack-messaging-v2.0-json-patch'} \
            if path == '/v2/queues/q' and method == 'PATCH' else None
        expect(b.call(method, path, document, headers=headers), status, body)
    # Project A still has everything.
    expect(a.get('/v2/queues/q'), 200, dict(DEFAULTS, owner='A'))
    assert a.message_ids('q') == ids
    assert a.get(f'/v2/queues/q/claims/{claim_id}').status_int == 200
    assert a.get('/v2/queues/q/stats').json['messages']['claimed'] == 1


def test_same_name_queues_are_independent(scene):
    a, b, ids, claim_id = scene
    b.create_queue('q', {'owner': 'B'})
    (theirs,) = b.post_messages('q', 'B')
    expect(b.get('/v2/queues/q'), 200, dict(DEFAULTS, owner='B'))
    assert b.message_ids('q') == [theirs]
    assert a.message_ids('q') == ids
    expect(a.get('/v2/queues/q'), 200, dict(DEFAULTS, owner='A'))


def test_client_ids_do_not_cross_projects(api):
    """Same Client-ID in two projects: still two namespaces."""
    api.post_messages('q', 'A')
    b = Api(api.app, client_id=api.client_id)
    expect(b.get('/v2/queues/q/messages?echo=true'), 200, {'messages': [], 'links': []})
