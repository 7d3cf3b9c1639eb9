"""Posts never follow stale queue metadata, even when another process
changed it (the service remembers metadata per process, and the store
checks it with the post).

Two app instances on one store stand for two server processes.
"""

import pytest

from tests.api.helpers import Api, expect

PATCH_TYPE = {'Content-Type': 'application/openstack-messaging-v2.0-json-patch'}


@pytest.fixture
def here_and_there(make_app):
    here = Api(make_app())
    # Another app instance: the memory of another server process.
    there = Api(make_app(admin_mode=False), project=here.project)
    return here, there


def _set(api, queue, key, value):
    response = api.patch(f'/v2/queues/{queue}',
                         [{'op': 'add', 'path': f'/metadata/{key}', 'value': value}],
                         headers=PATCH_TYPE)
    expect(response, 200)


def test_default_ttl_changed_elsewhere_applies_at_once(here_and_there):
    here, there = here_and_there
    here.post_messages('q', 'before')  # "here" now remembers the metadata
    _set(there, 'q', '_default_message_ttl', 120)
    (mid,) = here.post_messages('q', 'after')
    assert here.get(f'/v2/queues/q/messages/{mid}').json['ttl'] == 120


def test_delay_set_elsewhere_applies_at_once(here_and_there):
    here, there = here_and_there
    here.post_messages('q', 'before')
    _set(there, 'q', '_default_message_delay', 60)
    here.post_messages('q', 'delayed')
    listed = here.get('/v2/queues/q/messages?echo=true').json['messages']
    assert [m['body'] for m in listed] == ['before']


def test_size_cap_lowered_elsewhere_rejects(here_and_there):
    here, there = here_and_there
    here.post_messages('q', 'before')
    _set(there, 'q', '_max_messages_post_size', 64)
    response = here.post('/v2/queues/q/messages', {'messages': [{'body': 'x' * 100}]})
    assert response.status_int == 400
    assert response.json['title'] == 'Invalid API request'


def test_size_cap_raised_elsewhere_accepts(here_and_there):
    here, there = here_and_there
    expect(there.put('/v2/queues/q'), 201)
    _set(there, 'q', '_max_messages_post_size', 64)
    response = here.post('/v2/queues/q/messages', {'messages': [{'body': 'x' * 100}]})
    expect(response, 400)  # "here" remembers the cap of 64
    _set(there, 'q', '_max_messages_post_size', 1024)
    here.post_messages('q', 'x' * 100)


def test_queue_deleted_and_recreated_elsewhere(here_and_there):
    here, there = here_and_there
    expect(there.put('/v2/queues/q', {'_default_message_ttl': 300}), 201)
    (first,) = here.post_messages('q', 'one')
    assert here.get(f'/v2/queues/q/messages/{first}').json['ttl'] == 300
    expect(there.delete('/v2/queues/q'), 204)
    (second,) = here.post_messages('q', 'two')
    assert here.get(f'/v2/queues/q/messages/{second}').json['ttl'] == 3600
    assert here.get(f'/v2/queues/q/messages/{first}').status_int == 404
