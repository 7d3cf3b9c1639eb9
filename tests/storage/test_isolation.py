"""Projects are invisible to each other, even with equal queue names."""

import uuid

import pytest

from tests.storage.helpers import ids_of
from zaqar.storage import errors


@pytest.fixture
def a_ids(queues, post, project):
    """Project A's queue 'q' with metadata and three messages."""
    queues.create('q', project, metadata={'owner': 'a'})
    return post(3)


@pytest.fixture
def b(other_project, a_ids):
    """Project B, which has a queue 'q' of its own but no messages."""
    return other_project


class TestQueues:
    def test_queue_listing_and_count(self, queues, project, b, a_ids):
        queues.create('only_a', project)
        assert queues.count(b) == 0
        assert queues.list(b) == ([], None)
        assert queues.exists('q', b) is False
        queues.create('q', b, metadata={'owner': 'b'})
        assert queues.list(b, detailed=True).items == [
            {'name': 'q', 'metadata': {'owner': 'b'}}]
        assert queues.count(b) == 1
        assert queues.get_metadata('q', project) == {'owner': 'a'}

    def test_metadata(self, queues, project, b, a_ids):
        with pytest.raises(errors.QueueDoesNotExist):
            queues.get_metadata('q', b)
        with pytest.raises(errors.QueueDoesNotExist):
            queues.set_metadata('q', {'owner': 'b'}, b)
        assert queues.get_metadata('q', project) == {'owner': 'a'}

    def test_stats(self, queues, project, b, a_ids):
        assert queues.stats('q', b) == {'claimed': 0, 'free': 0, 'total': 0}
        assert queues.stats('q', project)['total'] == 3

    def test_delete(self, queues, messages, project, b, a_ids):
        queues.delete('q', b)
        assert queues.exists('q', project) is True
        assert ids_of(messages.list('q', project).items) == a_ids


class TestMessages:
    def test_list(self, messages, post, project, b, a_ids):
        b_ids = post(1, project=b)
        assert ids_of(messages.list('q', b, include_claimed=True).items) == b_ids
        assert ids_of(messages.list('q', project).items) == a_ids

    def test_get_and_bulk_get(self, messages, b, a_ids):
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get('q', a_ids[0], b)
        assert messages.bulk_get('q', a_ids, b) == []

    def test_delete_and_bulk_delete(self, messages, project, b, a_ids):
        messages.delete('q', a_ids[0], b)
        messages.bulk_delete('q', a_ids, b)
        assert ids_of(messages.list('q', project).items) == a_ids

    def test_pop(self, messages, project, b, a_ids):
        assert messages.pop('q', 10, b) == []
        assert ids_of(messages.list('q', project).items) == a_ids

    def test_empty_project_is_a_project(self, queues, messages, post, project):
        queue = f'q_{uuid.uuid4().hex}'
        mine = post(1, queue=queue)
        assert messages.list(queue, '').items == []
        theirs = post(1, queue=queue, project='')
        assert ids_of(messages.list(queue, '').items) == theirs
        assert ids_of(messages.list(queue, project).items) == mine
        queues.delete(queue, '')  # the one test outside its own project


class TestClaims:
    def test_claim(self, claims, messages, project, b, a_ids):
        assert claims.create('q', b, ttl=60, grace=60) == (None, [])
        assert ids_of(messages.list('q', project).items) == a_ids

    def test_claim_takes_only_own_messages(self, claims, post, project, b, a_ids):
        b_ids = post(2, project=b)
        _, claimed = claims.create('q', b, ttl=60, grace=60, limit=10)
        assert ids_of(claimed) == b_ids

    def test_foreign_claim_cannot_delete_message(self, claims, messages, project,
                                                 b, a_ids):
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        messages.delete('q', a_ids[0], b, claim=claim_id)
        messages.bulk_delete('q', a_ids, b, claim_ids=[claim_id])
        assert ids_of(messages.list('q', project, include_claimed=True).items) == a_ids
