"""python-zaqarclient (v2, no auth) against a real zaqar-server process."""

import uuid

import pytest
from zaqarclient.queues import client as zaqar_client
from zaqarclient.transport import errors as client_errors


@pytest.fixture
def client(server_url):
    project = f'functional-{uuid.uuid4().hex[:8]}'
    return zaqar_client.Client(server_url, version=2, conf={
        'auth_opts': {'backend': 'noauth', 'options': {'os_project_id': project}}})


def test_queue_lifecycle(client):
    queue = client.queue('fq')
    queue.ensure_exists(force_create=True)
    queues, count = client.queues(with_count=True)
    assert ([q.name for q in queues], count) == (['fq'], 1)
    queue.delete()
    queues, count = client.queues(with_count=True)
    assert (list(queues), count) == ([], None)


def test_post_list_claim_delete(client):
    queue = client.queue('work')
    queue.post([{'body': {'n': i}, 'ttl': 300} for i in range(5)])

    listed = list(queue.messages(echo=True))
    assert [m.body for m in listed] == [{'n': i} for i in range(5)]

    claim = queue.claim(ttl=60, grace=60, limit=3)
    claimed = list(claim)
    assert [m.body for m in claimed] == [{'n': 0}, {'n': 1}, {'n': 2}]
    assert all(m.claim_id == claim.id for m in claimed)
    for message in claimed:
        message.delete()

    remaining = list(queue.messages(echo=True))
    assert [m.body for m in remaining] == [{'n': 3}, {'n': 4}]
    queue.delete()
    assert list(queue.messages(echo=True)) == []


def test_metadata_and_stats(client):
    queue = client.queue('meta')
    queue.ensure_exists(force_create=True)
    queue.metadata(new_meta={'color': 'blue', '_default_message_ttl': 120})
    assert queue.metadata(force_reload=True)['color'] == 'blue'
    queue.post({'body': 'x'})
    assert queue.stats['messages']['total'] == 1


def test_get_missing_message_is_not_found(client):
    queue = client.queue('missing')
    with pytest.raises(client_errors.ResourceNotFound):
        queue.message('1234567')
