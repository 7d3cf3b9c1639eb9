"""QueueController contract (zaqar/storage/base.py)."""

import pytest

from tests.storage.helpers import A_MOMENT, now
from zaqar.storage import errors

EMPTY_STATS = {'claimed': 0, 'free': 0, 'total': 0}


def names(page):
    return [item['name'] for item in page.items]


class TestCreate:
    def test_create_returns_true_then_false(self, queues, project):
        assert queues.create('q', project) is True
        assert queues.create('q', project) is False

    def test_recreate_leaves_metadata_untouched(self, queues, project):
        queues.create('q', project, metadata={'a': 1})
        queues.create('q', project, metadata={'b': 2})
        assert queues.get_metadata('q', project) == {'a': 1}

    def test_create_without_metadata_stores_empty_dict(self, queues, project):
        queues.create('q', project)
        assert queues.get_metadata('q', project) == {}

    def test_names_are_case_sensitive(self, queues, project):
        queues.create('q', project)
        assert queues.create('Q', project) is True
        assert queues.count(project) == 2


class TestExists:
    def test_exists(self, queues, project):
        assert queues.exists('q', project) is False
        queues.create('q', project)
        assert queues.exists('q', project) is True

    def test_post_creates_the_queue(self, queues, post, project):
        post(1, queue='lazy')
        assert queues.exists('lazy', project) is True


class TestMetadata:
    def test_get_metadata_as_stored(self, queues, project):
        meta = {'_default_message_ttl': 120, 'nested': {'x': [1, 'two', None]}}
        queues.create('q', project, metadata=meta)
        assert queues.get_metadata('q', project) == meta

    def test_set_metadata_replaces(self, queues, project):
        queues.create('q', project, metadata={'a': 1, 'b': 2})
        queues.set_metadata('q', {'c': 3}, project)
        assert queues.get_metadata('q', project) == {'c': 3}

    def test_get_metadata_of_missing_queue(self, queues, project):
        with pytest.raises(errors.QueueDoesNotExist):
            queues.get_metadata('missing', project)

    def test_set_metadata_of_missing_queue(self, queues, project):
        with pytest.raises(errors.QueueDoesNotExist):
            queues.set_metadata('missing', {'a': 1}, project)
        assert queues.exists('missing', project) is False


class TestList:
    def test_sorted_by_name_in_byte_order(self, queues, project):
        for name in ['b', 'a', 'B', '_x', '1', '-']:
            queues.create(name, project)
        page = queues.list(project, limit=10)
        assert names(page) == ['-', '1', 'B', '_x', 'a', 'b']
        assert page.marker == 'b'

    def test_items_have_only_name_unless_detailed(self, queues, project):
        queues.create('q', project, metadata={'a': 1})
        assert queues.list(project).items == [{'name': 'q'}]
        assert queues.list(project, detailed=True).items == [
            {'name': 'q', 'metadata': {'a': 1}}]

    def test_limit_and_exclusive_marker(self, queues, project):
        for name in ['q1', 'q2', 'q3', 'q4', 'q5']:
            queues.create(name, project)
        first = queues.list(project, limit=2)
        assert first.items == [{'name': 'q1'}, {'name': 'q2'}]
        assert first.marker == 'q2'
        second = queues.list(project, marker=first.marker, limit=2)
        assert names(second) == ['q3', 'q4']
        third = queues.list(project, marker=second.marker, limit=2)
        assert (names(third), third.marker) == (['q5'], 'q5')
        assert queues.list(project, marker=third.marker, limit=2) == ([], None)

    def test_marker_need_not_be_a_queue(self, queues, project):
        for name in ['a', 'c', 'e']:
            queues.create(name, project)
        assert names(queues.list(project, marker='b')) == ['c', 'e']

    def test_empty_project(self, queues, project):
        assert queues.list(project) == ([], None)

    def test_name_filter_is_a_substring(self, queues, project):
        for name in ['fizz', 'buzz', 'fizzbuzz', 'other']:
            queues.create(name, project)
        assert names(queues.list(project, name='zz')) == ['buzz', 'fizz', 'fizzbuzz']
        assert names(queues.list(project, name='fizzb')) == ['fizzbuzz']
        assert names(queues.list(project, name='nope')) == []

    def test_kfilter_with_string_value(self, queues, project):
        queues.create('red', project, metadata={'colour': 'red', 'size': 1})
        queues.create('blue', project, metadata={'colour': 'blue', 'size': 1})
        queues.create('plain', project)
        page = queues.list(project, kfilter={'colour': 'red'}, detailed=True)
        assert page.items == [{'name': 'red', 'metadata': {'colour': 'red', 'size': 1}}]

    def test_kfilter_with_int_value(self, queues, project):
        queues.create('one', project, metadata={'size': 1})
        queues.create('two', project, metadata={'size': 2})
        queues.create('text', project, metadata={'size': '1'})
        assert names(queues.list(project, kfilter={'size': 1})) == ['one']
        assert names(queues.list(project, kfilter={'size': 2})) == ['two']

    def test_kfilter_with_several_keys(self, queues, project):
        queues.create('both', project, metadata={'a': 1, 'b': 'x'})
        queues.create('only_a', project, metadata={'a': 1})
        assert names(queues.list(project, kfilter={'a': 1, 'b': 'x'})) == ['both']

    def test_paging_with_name_filter(self, queues, project):
        for name in ['xa', 'b', 'xb', 'c', 'xc']:
            queues.create(name, project)
        first = queues.list(project, name='x', limit=2)
        assert names(first) == ['xa', 'xb']
        assert names(queues.list(project, name='x', marker=first.marker)) == ['xc']


class TestCount:
    def test_count(self, queues, project):
        assert queues.count(project) == 0
        for name in ['a', 'b', 'c']:
            queues.create(name, project)
        assert queues.count(project) == 3
        queues.delete('b', project)
        assert queues.count(project) == 2


class TestDelete:
    def test_delete(self, queues, project):
        queues.create('q', project)
        queues.delete('q', project)
        assert queues.exists('q', project) is False
        assert queues.list(project) == ([], None)

    def test_delete_missing_is_silent(self, queues, project):
        assert queues.delete('missing', project) is None

    def test_delete_removes_messages(self, queues, messages, post, project):
        ids = post(3)
        queues.delete('q', project)
        queues.create('q', project)
        assert messages.list('q', project, include_claimed=True) == ([], None)
        assert messages.bulk_get('q', ids, project) == []
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get('q', ids[0], project)
        assert queues.stats('q', project) == EMPTY_STATS

    def test_delete_removes_claims(self, queues, claims, post, project):
        post(2)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        queues.delete('q', project)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get('q', claim_id, project)


class TestPurge:
    def test_purge_removes_free_and_claimed_messages_and_keeps_metadata(
            self, queues, messages, claims, post, project, other_project):
        queues.create('q', project, {'color': 'red'})
        post(3)
        post(1, project=other_project)
        claims.create('q', project, ttl=60, grace=60, limit=2)
        queues.purge('q', project)
        assert queues.stats('q', project) == EMPTY_STATS
        assert queues.get_metadata('q', project) == {'color': 'red'}
        assert queues.stats('q', other_project)['total'] == 1

    def test_purge_missing_is_silent(self, queues, project):
        assert queues.purge('missing', project) is None
        assert queues.exists('missing', project) is False


class TestStats:
    def test_missing_queue_gives_zeros(self, queues, project):
        assert queues.stats('missing', project) == EMPTY_STATS

    def test_empty_queue_gives_zeros(self, queues, project):
        queues.create('q', project)
        assert queues.stats('q', project) == EMPTY_STATS

    def test_counts_and_oldest_newest(self, queues, claims, post, project):
        ids = post(5)
        claims.create('q', project, ttl=60, grace=60, limit=2)
        oldest = {'id': ids[0], 'age': A_MOMENT, 'created': now()}
        newest = {'id': ids[-1], 'age': A_MOMENT, 'created': now()}
        assert queues.stats('q', project) == {
            'claimed': 2, 'free': 3, 'total': 5, 'oldest': oldest, 'newest': newest}

    def test_oldest_is_older_than_newest(self, queues, post, project):
        post(1)
        post(1)
        stats = queues.stats('q', project)
        assert stats['oldest']['created'] <= stats['newest']['created']
        assert type(stats['oldest']['age']) is int

    def test_delayed_messages_count_as_free(self, queues, post, project):
        [mid] = post(1, delay=60)
        moment = {'id': mid, 'age': A_MOMENT, 'created': now()}
        assert queues.stats('q', project) == {
            'claimed': 0, 'free': 1, 'total': 1, 'oldest': moment, 'newest': moment}

    def test_deleted_messages_are_not_counted(self, queues, messages, post, project):
        ids = post(3)
        messages.bulk_delete('q', ids[:2], project)
        stats = queues.stats('q', project)
        assert (stats['total'], stats['oldest']['id'], stats['newest']['id']) == (
            1, ids[2], ids[2])

