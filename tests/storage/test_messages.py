"""MessageController contract (zaqar/storage/base.py)."""

import time

import pytest

from tests.storage.helpers import CLIENT, OTHER_CLIENT, ids_of, message
from zaqar.storage import errors

MALFORMED_IDS = ['abc', '-1', '', '1.5', 'ffffffffffffffffffffffffffffffffffff']
MESSAGE_KEYS = {'id', 'ttl', 'age', 'body', 'claim_id', 'claim_count', 'created'}


def by_id(items):
    return sorted(items, key=lambda item: item['id'])


def list_all(messages, project, queue='q', limit=3, **kwargs):
    """Follow markers until an empty page; return every item and page size."""
    items, sizes, marker = [], [], None
    while True:
        page = messages.list(queue, project, marker=marker, limit=limit, **kwargs)
        sizes.append(len(page.items))
        if not page.items:
            assert page.marker is None
            return items, sizes
        items.extend(page.items)
        marker = page.marker


class TestPost:
    def test_returns_string_ids_in_input_order(self, messages, project):
        batch = [{'ttl': 60, 'body': i, 'delay': 0} for i in range(4)]
        ids = messages.post('q', batch, CLIENT, project)
        assert len(ids) == 4 and len(set(ids)) == 4
        assert all(isinstance(mid, str) for mid in ids)
        assert [messages.get('q', mid, project)['body'] for mid in ids] == [0, 1, 2, 3]

    def test_stored_message_dict(self, messages, project):
        [mid] = messages.post('q', [{'ttl': 90, 'body': {'event': 'x'}, 'delay': 0}],
                              CLIENT, project)
        got = messages.get('q', mid, project)
        assert got == message(mid, {'event': 'x'}, ttl=90)
        assert (type(got['age']), type(got['ttl']), type(got['created'])) == (
            int, int, float)

    def test_bodies_of_any_json_type_round_trip(self, messages, project):
        bodies = ['text', 239, 1.5, [1, 3], None, True, {'a': 'é', 'n': {'x': []}}]
        ids = messages.post('q', [{'ttl': 60, 'body': b, 'delay': 0} for b in bodies],
                            CLIENT, project)
        assert [messages.get('q', mid, project)['body'] for mid in ids] == bodies

    def test_all_or_nothing(self, messages, project):
        batch = [{'ttl': 60, 'body': 'fine', 'delay': 0},
                 {'ttl': 60, 'body': object(), 'delay': 0}]  # not JSON
        with pytest.raises(Exception):  # noqa: B017 - any error will do
            messages.post('q', batch, CLIENT, project)
        assert messages.list('q', project, include_claimed=True) == ([], None)

    def test_checksum_is_stored_and_returned(self, messages, claims, project):
        checksum = 'MD5:82eb2714b7c0237d373947c046cac78d'
        [mid] = messages.post(
            'q', [{'ttl': 60, 'body': {'event': 'BackupStarted'}, 'delay': 0,
                   'checksum': checksum}], CLIENT, project)
        expected = message(mid, {'event': 'BackupStarted'}, checksum=checksum)
        assert messages.get('q', mid, project) == expected
        assert messages.list('q', project).items == [expected]
        assert messages.bulk_get('q', [mid], project) == [expected]
        _, claimed = claims.create('q', project, ttl=60, grace=60)
        assert claimed[0]['checksum'] == checksum

    def test_no_checksum_key_without_checksum(self, messages, post, project):
        [mid] = post(1)
        assert set(messages.get('q', mid, project)) == MESSAGE_KEYS
        assert set(messages.list('q', project).items[0]) == MESSAGE_KEYS


class TestList:
    def test_fifo_across_posts(self, messages, post, project):
        ids = post(3) + post(2, start=3)
        page = messages.list('q', project, limit=10)
        assert page.items == [message(mid, {'n': n}) for n, mid in enumerate(ids)]
        assert page.marker == page.items[-1]['id']

    def test_default_limit_is_ten(self, messages, post, project):
        ids = post(12)
        assert ids_of(messages.list('q', project).items) == ids[:10]

    def test_paging_by_marker_until_empty(self, messages, post, project):
        ids = post(7)
        items, sizes = list_all(messages, project, limit=3)
        assert ids_of(items) == ids
        assert sizes == [3, 3, 1, 0]

    def test_paging_survives_deletion_of_the_marker(self, messages, post, project):
        ids = post(4)
        page = messages.list('q', project, limit=2)
        messages.delete('q', page.marker, project)
        assert ids_of(messages.list('q', project, marker=page.marker).items) == ids[2:]

    def test_missing_queue_gives_empty_page(self, messages, project):
        assert messages.list('missing', project) == ([], None)

    @pytest.mark.parametrize('marker', ['abc', '-1', '999999999999999'])
    def test_bad_or_unknown_marker_gives_empty_page(self, messages, post, project,
                                                    marker):
        post(2)
        assert messages.list('q', project, marker=marker) == ([], None)

    def test_echo_filters_by_client(self, messages, post, project):
        mine = post(2, client=CLIENT)
        theirs = post(2, client=OTHER_CLIENT, start=2)
        hidden = messages.list('q', project, client_uuid=CLIENT)
        assert ids_of(hidden.items) == theirs
        echoed = messages.list('q', project, echo=True, client_uuid=CLIENT)
        assert ids_of(echoed.items) == mine + theirs

    def test_echo_paging_skips_own_messages(self, messages, post, project):
        theirs = post(2, client=OTHER_CLIENT)
        post(3, client=CLIENT)
        theirs += post(2, client=OTHER_CLIENT)
        items, _ = list_all(messages, project, limit=2, client_uuid=CLIENT)
        assert ids_of(items) == theirs

    def test_include_claimed(self, messages, claims, post, project):
        ids = post(3)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60, limit=2)
        assert ids_of(messages.list('q', project).items) == ids[2:]
        page = messages.list('q', project, include_claimed=True)
        assert page.items == [
            message(ids[0], {'n': 0}, ttl=120, claim_id=claim_id, claim_count=1),
            message(ids[1], {'n': 1}, ttl=120, claim_id=claim_id, claim_count=1),
            message(ids[2], {'n': 2}),
        ]

    def test_include_delayed(self, messages, post, project):
        now = post(1)
        later = post(1, delay=60, start=1)
        assert ids_of(messages.list('q', project).items) == now
        page = messages.list('q', project, include_delayed=True)
        assert ids_of(page.items) == now + later


class TestGet:
    def test_get(self, messages, post, project):
        ids = post(2)
        assert messages.get('q', ids[1], project) == message(ids[1], {'n': 1})

    def test_get_delayed_message(self, messages, post, project):
        [mid] = post(1, delay=60)
        assert messages.get('q', mid, project)['id'] == mid

    def test_deleted_message(self, messages, post, project):
        [mid] = post(1)
        messages.delete('q', mid, project)
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get('q', mid, project)

    @pytest.mark.parametrize('mid', MALFORMED_IDS)
    def test_malformed_id(self, messages, post, project, mid):
        post(1)
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get('q', mid, project)

    def test_other_queue(self, messages, queues, post, project):
        [mid] = post(1, queue='q')
        queues.create('other', project)
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get('other', mid, project)

    def test_missing_queue(self, messages, post, project):
        [mid] = post(1, queue='q')
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get('missing', mid, project)

    def test_other_project(self, messages, post, project, other_project):
        [mid] = post(1)
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get('q', mid, other_project)


class TestBulkGet:
    def test_returns_existing_ones(self, messages, post, project):
        ids = post(3)
        got = messages.bulk_get('q', [ids[0], ids[2]], project)
        assert by_id(got) == by_id([message(ids[0], {'n': 0}),
                                    message(ids[2], {'n': 2})])

    def test_skips_missing_and_malformed(self, messages, post, project):
        ids = post(3)
        messages.delete('q', ids[1], project)
        got = messages.bulk_get('q', [*MALFORMED_IDS, ids[1], ids[2]], project)
        assert got == [message(ids[2], {'n': 2})]

    def test_skips_other_queue(self, messages, post, project):
        mine = post(1, queue='q')
        other = post(1, queue='other')
        assert ids_of(messages.bulk_get('q', mine + other, project)) == mine

    def test_nothing_found(self, messages, project):
        assert messages.bulk_get('missing', ['abc'], project) == []
        assert messages.bulk_get('missing', [], project) == []


class TestDelete:
    def test_delete(self, messages, post, project):
        ids = post(2)
        assert messages.delete('q', ids[0], project) is None
        assert ids_of(messages.list('q', project).items) == ids[1:]

    def test_silent_when_missing(self, messages, post, project):
        [mid] = post(1)
        messages.delete('q', mid, project)
        messages.delete('q', mid, project)
        for bad in MALFORMED_IDS:
            messages.delete('q', bad, project)

    def test_silent_on_missing_queue(self, messages, post, project):
        [mid] = post(1)
        messages.delete('missing', mid, project)
        assert ids_of(messages.list('q', project).items) == [mid]

    def test_claimed_message_without_claim(self, messages, claims, post, project):
        [mid] = post(1)
        claims.create('q', project, ttl=60, grace=60)
        with pytest.raises(errors.MessageIsClaimed):
            messages.delete('q', mid, project)
        assert messages.get('q', mid, project)['id'] == mid

    def test_claimed_message_with_its_claim(self, messages, claims, post, project):
        [mid] = post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        messages.delete('q', mid, project, claim=claim_id)
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get('q', mid, project)

    @pytest.mark.parametrize('claim', ['abc', '123', '-1'])
    def test_malformed_claim_id(self, messages, claims, post, project, claim):
        [mid] = post(1)
        claims.create('q', project, ttl=60, grace=60)
        with pytest.raises(errors.ClaimDoesNotExist):
            messages.delete('q', mid, project, claim=claim)
        assert messages.get('q', mid, project)['id'] == mid

    def test_claim_given_for_unclaimed_message(self, messages, claims, post, project):
        [mid] = post(1)
        released, _ = claims.create('q', project, ttl=60, grace=60)
        claims.delete('q', released, project)
        with pytest.raises(errors.MessageNotClaimed):
            messages.delete('q', mid, project, claim=released)
        assert messages.get('q', mid, project)['id'] == mid

    def test_claimed_by_another_claim(self, messages, claims, post, project):
        first, second = post(2)
        claim_1, _ = claims.create('q', project, ttl=60, grace=60, limit=1)
        claim_2, _ = claims.create('q', project, ttl=60, grace=60, limit=1)
        with pytest.raises(errors.MessageNotClaimedBy):
            messages.delete('q', first, project, claim=claim_2)
        assert messages.get('q', first, project)['claim_id'] == claim_1

    def test_after_release_without_claim(self, messages, claims, post, project):
        [mid] = post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        claims.delete('q', claim_id, project)
        messages.delete('q', mid, project)
        assert messages.bulk_get('q', [mid], project) == []


class TestBulkDelete:
    def test_deletes_named_messages(self, messages, post, project):
        ids = post(4)
        messages.bulk_delete('q', [ids[0], ids[2]], project)
        assert ids_of(messages.list('q', project).items) == [ids[1], ids[3]]

    def test_silent_for_missing_and_malformed(self, messages, post, project):
        ids = post(2)
        messages.bulk_delete('q', [*MALFORMED_IDS, ids[0]], project)
        messages.bulk_delete('q', [ids[0]], project)
        messages.bulk_delete('missing', ids, project)
        assert ids_of(messages.list('q', project).items) == ids[1:]

    def test_deletes_claimed_messages_without_claim_ids(self, messages, claims, post,
                                                        project):
        ids = post(2)
        claims.create('q', project, ttl=60, grace=60)
        messages.bulk_delete('q', ids, project)
        assert messages.bulk_get('q', ids, project) == []

    def test_with_claim_ids(self, messages, claims, post, project):
        ids = post(3)
        claim_1, _ = claims.create('q', project, ttl=60, grace=60, limit=1)
        claim_2, _ = claims.create('q', project, ttl=60, grace=60, limit=1)
        messages.bulk_delete('q', ids, project, claim_ids=[claim_1])
        # Only the message under claim_1 goes: claim_2's and the free one stay.
        assert ids_of(by_id(messages.bulk_get('q', ids, project))) == ids[1:]
        messages.bulk_delete('q', ids, project, claim_ids=[claim_1, claim_2])
        assert ids_of(messages.bulk_get('q', ids, project)) == [ids[2]]


class TestPop:
    def test_oldest_first(self, messages, post, project):
        ids = post(3)
        assert messages.pop('q', 2, project) == [message(ids[0], {'n': 0}),
                                                 message(ids[1], {'n': 1})]
        assert ids_of(messages.list('q', project, include_claimed=True).items) == ids[2:]

    def test_skips_claimed(self, messages, claims, post, project):
        ids = post(3)
        claims.create('q', project, ttl=60, grace=60, limit=2)
        assert ids_of(messages.pop('q', 5, project)) == ids[2:]
        assert messages.pop('q', 5, project) == []

    def test_missing_queue(self, messages, project):
        assert messages.pop('missing', 5, project) == []


class TestExpiry:
    def test_expired_messages_are_invisible(self, messages, queues, claims, post,
                                            project):
        [short] = post(1, ttl=1)
        [long] = post(1, ttl=60, start=1)
        time.sleep(1.2)
        assert ids_of(messages.list('q', project, include_claimed=True).items) == [long]
        assert messages.bulk_get('q', [short, long], project) == [
            message(long, {'n': 1}, age=pytest.approx(1, abs=1))]
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get('q', short, project)
        stats = queues.stats('q', project)
        assert (stats['total'], stats['free'], stats['oldest']['id']) == (1, 1, long)
        claim_id, claimed = claims.create('q', project, ttl=60, grace=60)
        assert ids_of(claimed) == [long]
        claims.delete('q', claim_id, project)
        messages.delete('q', short, project)  # silent
        assert ids_of(messages.pop('q', 5, project)) == [long]

    def test_gc_removes_expired_messages(self, driver, messages, post, project):
        post(1, ttl=1)
        [long] = post(1, ttl=60)
        time.sleep(1.2)
        assert driver.gc() >= 1
        assert ids_of(messages.list('q', project).items) == [long]


class TestPostExpectingMetadata:
    """post(expect_metadata=...) checks the stored metadata atomically."""

    def test_matching_metadata_posts(self, queues, messages, project):
        queues.create('q', project, {'_default_message_ttl': 120})
        ids = messages.post('q', [{'ttl': 60, 'body': 1, 'delay': 0}], CLIENT, project,
                            expect_metadata={'_default_message_ttl': 120})
        assert ids_of(messages.bulk_get('q', ids, project)) == ids

    def test_missing_queue_counts_as_empty_metadata(self, queues, messages, project):
        ids = messages.post('q', [{'ttl': 60, 'body': 1, 'delay': 0}], CLIENT, project,
                            expect_metadata={})
        assert len(ids) == 1
        assert queues.get_metadata('q', project) == {}

    @pytest.mark.parametrize('stored,expected', [
        ({'_default_message_ttl': 120}, {}),
        ({}, {'_default_message_delay': 5}),
        ({'a': 1}, {'a': 2}),
    ])
    def test_other_metadata_stores_nothing_and_says_what_is_stored(
            self, queues, messages, project, stored, expected):
        queues.create('q', project, stored)
        with pytest.raises(errors.QueueMetadataChanged) as info:
            messages.post('q', [{'ttl': 60, 'body': 1, 'delay': 0}], CLIENT, project,
                          expect_metadata=expected)
        assert info.value.metadata == stored
        assert messages.list('q', project, echo=True, include_claimed=True) == ([], None)

    def test_a_missing_queue_is_not_created_when_the_check_fails(
            self, queues, messages, project):
        with pytest.raises(errors.QueueMetadataChanged) as info:
            messages.post('q', [{'ttl': 60, 'body': 1, 'delay': 0}], CLIENT, project,
                          expect_metadata={'a': 1})
        assert info.value.metadata == {}
        assert queues.exists('q', project) is False
