"""ClaimController contract (zaqar/storage/base.py)."""

import time

import pytest

from tests.storage.helpers import A_MOMENT, CLIENT, ids_of, message
from zaqar.storage import errors

# A fixed well-formed id: pytest-xdist needs the same test ids in every worker.
BAD_CLAIM_IDS = ['abc', '', '-1', '4dcf477ca16c448993b8acc9a5ae58f3', '0' * 24]
DLQ_METADATA = {'_max_claim_count': 1, '_dead_letter_queue': 'dlq',
                '_dead_letter_queue_messages_ttl': 120}


def by_id(items):
    return sorted(items, key=lambda item: item['id'])


class TestCreate:
    def test_claims_oldest_first_up_to_limit(self, claims, post, project):
        ids = post(5)
        claim_id, claimed = claims.create('q', project, ttl=60, grace=60, limit=3)
        assert isinstance(claim_id, str)
        assert claimed == [message(mid, {'n': n}, ttl=120, claim_id=claim_id,
                                   claim_count=1)
                           for n, mid in enumerate(ids[:3])]

    def test_next_claim_takes_the_next_messages(self, claims, post, project):
        ids = post(5)
        first, _ = claims.create('q', project, ttl=60, grace=60, limit=3)
        second, claimed = claims.create('q', project, ttl=60, grace=60, limit=3)
        assert second != first
        assert ids_of(claimed) == ids[3:]

    def test_default_limit_is_ten(self, claims, post, project):
        ids = post(12)
        _, claimed = claims.create('q', project, ttl=60, grace=60)
        assert ids_of(claimed) == ids[:10]

    def test_nothing_to_claim(self, claims, queues, post, project):
        queues.create('empty', project)
        assert claims.create('empty', project, ttl=60, grace=60) == (None, [])
        assert claims.create('missing', project, ttl=60, grace=60) == (None, [])
        post(1)
        claims.create('q', project, ttl=60, grace=60)
        assert claims.create('q', project, ttl=60, grace=60) == (None, [])

    def test_claims_ignore_the_posting_client(self, claims, post, project):
        ids = post(2, client=CLIENT)
        _, claimed = claims.create('q', project, ttl=60, grace=60)
        assert ids_of(claimed) == ids

    def test_claimed_messages_carry_the_claim_id(self, claims, messages, post,
                                                 project):
        ids = post(2)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60, limit=1)
        assert messages.get('q', ids[0], project)['claim_id'] == claim_id
        assert messages.get('q', ids[1], project)['claim_id'] is None
        page = messages.list('q', project, include_claimed=True)
        assert [m['claim_id'] for m in page.items] == [claim_id, None]

    def test_claim_count_increments(self, claims, messages, post, project):
        [mid] = post(1)
        for expected in (1, 2, 3):
            claim_id, claimed = claims.create('q', project, ttl=60, grace=60)
            assert claimed[0]['claim_count'] == expected
            claims.delete('q', claim_id, project)
        assert messages.get('q', mid, project)['claim_count'] == 3

    def test_grace_extends_short_lived_messages(self, claims, messages, post,
                                                project):
        [mid] = post(1, ttl=60)
        claim_id, claimed = claims.create('q', project, ttl=100, grace=60)
        assert claimed[0]['ttl'] == 160
        assert messages.get('q', mid, project)['ttl'] == 160

    def test_long_lived_messages_keep_their_ttl(self, claims, messages, post,
                                                project):
        [mid] = post(1, ttl=3600)
        _, claimed = claims.create('q', project, ttl=100, grace=60)
        assert claimed[0]['ttl'] == 3600
        assert messages.get('q', mid, project)['ttl'] == 3600


class TestGet:
    def test_get(self, claims, post, project):
        ids = post(3)
        claim_id, claimed = claims.create('q', project, ttl=100, grace=60, limit=2)
        meta, held = claims.get('q', claim_id, project)
        assert meta == {'id': claim_id, 'ttl': 100, 'age': A_MOMENT}
        assert by_id(held) == by_id(claimed)
        assert ids_of(by_id(held)) == sorted(ids[:2])

    def test_after_release(self, claims, post, project):
        post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        claims.delete('q', claim_id, project)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get('q', claim_id, project)

    @pytest.mark.parametrize('claim_id', BAD_CLAIM_IDS)
    def test_malformed_or_unknown(self, claims, post, project, claim_id):
        post(1)
        claims.create('q', project, ttl=60, grace=60)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get('q', claim_id, project)

    def test_other_project(self, claims, post, project, other_project):
        post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get('q', claim_id, other_project)

    def test_other_queue(self, claims, queues, post, project):
        post(1)
        queues.create('other', project)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get('other', claim_id, project)

    def test_claim_without_messages_left(self, claims, messages, post, project):
        [mid] = post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        messages.delete('q', mid, project, claim=claim_id)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get('q', claim_id, project)

    def test_lists_only_remaining_messages(self, claims, messages, post, project):
        ids = post(2)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        messages.delete('q', ids[0], project, claim=claim_id)
        _, held = claims.get('q', claim_id, project)
        assert ids_of(held) == [ids[1]]


class TestUpdate:
    def test_renews_ttl_and_extends_messages(self, claims, messages, post, project):
        [mid] = post(1, ttl=60)
        claim_id, _ = claims.create('q', project, ttl=100, grace=60)
        claims.update('q', claim_id, project, ttl=200, grace=60)
        meta, held = claims.get('q', claim_id, project)
        assert meta == {'id': claim_id, 'ttl': 200, 'age': A_MOMENT}
        assert held == [message(mid, {'n': 0}, ttl=260, claim_id=claim_id,
                                claim_count=1)]

    def test_renewal_does_not_count_as_a_claim(self, claims, messages, post,
                                               project):
        [mid] = post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        claims.update('q', claim_id, project, ttl=90, grace=60)
        assert messages.get('q', mid, project)['claim_count'] == 1

    @pytest.mark.parametrize('claim_id', BAD_CLAIM_IDS)
    def test_malformed_or_unknown(self, claims, post, project, claim_id):
        post(1)
        claims.create('q', project, ttl=60, grace=60)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.update('q', claim_id, project, ttl=60, grace=60)

    def test_released_claim(self, claims, post, project):
        post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        claims.delete('q', claim_id, project)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.update('q', claim_id, project, ttl=60, grace=60)

    def test_other_project(self, claims, messages, post, project, other_project):
        [mid] = post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.update('q', claim_id, other_project, ttl=500, grace=60)
        assert messages.get('q', mid, project)['ttl'] == 120


class TestDelete:
    def test_release_frees_messages_at_once(self, claims, messages, post, project):
        ids = post(2)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        claims.delete('q', claim_id, project)
        assert ids_of(messages.list('q', project).items) == ids
        assert messages.get('q', ids[0], project)['claim_id'] is None
        _, claimed = claims.create('q', project, ttl=60, grace=60)
        assert ids_of(claimed) == ids

    @pytest.mark.parametrize('claim_id', BAD_CLAIM_IDS)
    def test_silent_when_missing(self, claims, project, claim_id):
        assert claims.delete('q', claim_id, project) is None

    def test_release_twice_is_silent(self, claims, post, project):
        post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        claims.delete('q', claim_id, project)
        claims.delete('q', claim_id, project)

    def test_other_project_cannot_release(self, claims, messages, post, project,
                                          other_project):
        [mid] = post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        claims.delete('q', claim_id, other_project)
        assert messages.get('q', mid, project)['claim_id'] == claim_id


class TestTiming:
    def test_expired_claim(self, claims, messages, queues, post, project):
        ids = post(2)
        claim_id, _ = claims.create('q', project, ttl=1, grace=60)
        time.sleep(1.2)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get('q', claim_id, project)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.update('q', claim_id, project, ttl=60, grace=60)
        assert ids_of(messages.list('q', project).items) == ids
        assert messages.get('q', ids[0], project)['claim_id'] is None
        assert queues.stats('q', project)['claimed'] == 0
        with pytest.raises(errors.MessageNotClaimed):
            messages.delete('q', ids[0], project, claim=claim_id)
        again, claimed = claims.create('q', project, ttl=60, grace=60)
        assert (ids_of(claimed), claimed[0]['claim_count']) == (ids, 2)
        assert again != claim_id

    def test_delayed_messages_are_claimed_after_the_delay(self, claims, post,
                                                          project):
        [mid] = post(1, delay=1)
        assert claims.create('q', project, ttl=60, grace=60) == (None, [])
        time.sleep(1.2)
        _, claimed = claims.create('q', project, ttl=60, grace=60)
        assert ids_of(claimed) == [mid]


class TestDeadLetter:
    def test_moves_message_after_max_claims(self, claims, messages, queues, post,
                                            project):
        queues.create('q', project, metadata=DLQ_METADATA)
        queues.create('dlq', project)
        [mid] = post(1, ttl=3600)
        claim_id, claimed = claims.create('q', project, ttl=60, grace=60)
        assert ids_of(claimed) == [mid]
        claims.delete('q', claim_id, project)
        assert claims.create('q', project, ttl=60, grace=60) == (None, [])
        assert messages.list('q', project, include_claimed=True) == ([], None)
        [moved] = messages.list('dlq', project, include_claimed=True).items
        assert (moved['body'], moved['ttl']) == ({'n': 0}, 120)

    def test_moves_only_exhausted_messages(self, claims, messages, queues, post,
                                           project):
        queues.create('q', project, metadata=DLQ_METADATA)
        queues.create('dlq', project)
        [old] = post(1)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        claims.delete('q', claim_id, project)
        [new] = post(1, start=1)
        _, claimed = claims.create('q', project, ttl=60, grace=60)
        assert ids_of(claimed) == [new]
        dead = messages.list('dlq', project, include_claimed=True).items
        assert [m['body'] for m in dead] == [{'n': 0}]

    def test_dlq_keeps_message_ttl_without_dlq_ttl(self, claims, messages, queues,
                                                   post, project):
        queues.create('q', project, metadata={'_max_claim_count': 1,
                                               '_dead_letter_queue': 'dlq'})
        queues.create('dlq', project)
        post(1, ttl=3600)
        claim_id, _ = claims.create('q', project, ttl=60, grace=60)
        claims.delete('q', claim_id, project)
        assert claims.create('q', project, ttl=60, grace=60) == (None, [])
        [moved] = messages.list('dlq', project, include_claimed=True).items
        assert moved['ttl'] == 3600

    def test_needs_both_keys(self, claims, queues, post, project):
        queues.create('q', project, metadata={'_max_claim_count': 1})
        [mid] = post(1)
        for _ in range(2):
            claim_id, claimed = claims.create('q', project, ttl=60, grace=60)
            assert ids_of(claimed) == [mid]
            claims.delete('q', claim_id, project)
