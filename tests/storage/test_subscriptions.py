"""The SubscriptionController contract (zaqar/storage/base.py), every store."""

import threading
import time

import pytest

from zaqar.storage import errors

HOOK = 'http://127.0.0.1:9/hook'


def test_create_then_get(subscriptions, project):
    sid = subscriptions.create('q', HOOK, 600, {'a': [1, 'x']}, project)
    assert isinstance(sid, str) and sid
    assert subscriptions.get('q', sid, project) == {
        'id': sid, 'source': 'q', 'subscriber': HOOK, 'ttl': 600, 'age': 0,
        'options': {'a': [1, 'x']}, 'confirmed': False}


def test_create_confirmed(subscriptions, project):
    sid = subscriptions.create('q', HOOK, 600, {}, project, confirmed=True)
    assert subscriptions.get('q', sid, project)['confirmed'] is True


def test_a_subscriber_once_per_queue(subscriptions, project, other_project):
    sid = subscriptions.create('q', HOOK, 600, {}, project)
    assert subscriptions.create('q', HOOK, 900, {'x': 1}, project) is None
    assert subscriptions.get('q', sid, project)['ttl'] == 600
    # Other queues and projects are other keys.
    assert subscriptions.create('r', HOOK, 600, {}, project) not in (None, sid)
    assert subscriptions.create('q', HOOK, 600, {}, other_project) not in (None, sid)
    assert subscriptions.get_with_subscriber('q', HOOK, project)['id'] == sid
    assert subscriptions.get_with_subscriber('q', 'mailto:x@example.org', project) is None


def test_concurrent_creates_make_one(subscriptions, project):
    results = []

    def create():
        results.append(subscriptions.create('q', HOOK, 600, {}, project))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([r for r in results if r is not None]) == 1
    assert len(subscriptions.list('q', project, limit=20).items) == 1


@pytest.mark.parametrize('sid', ['123', 'nonesuch', '', 'ffffffffffffffffffffffffffffffff',
                                 '999999999'])
def test_unknown_or_malformed_ids(subscriptions, project, sid):
    subscriptions.create('q', HOOK, 600, {}, project)
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.get('q', sid, project)
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.update('q', sid, project, ttl=100)
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.confirm('q', sid, project)
    subscriptions.delete('q', sid, project)  # silent


def test_invisible_through_another_queue_or_project(subscriptions, project, other_project):
    sid = subscriptions.create('q', HOOK, 600, {}, project)
    for queue, owner in (('r', project), ('q', other_project)):
        with pytest.raises(errors.SubscriptionDoesNotExist):
            subscriptions.get(queue, sid, owner)
        with pytest.raises(errors.SubscriptionDoesNotExist):
            subscriptions.update(queue, sid, owner, ttl=100)
        with pytest.raises(errors.SubscriptionDoesNotExist):
            subscriptions.confirm(queue, sid, owner)
        subscriptions.delete(queue, sid, owner)
        subscriptions.purge(queue, owner)
        assert subscriptions.list(queue, owner).items == []
    assert subscriptions.get('q', sid, project)['id'] == sid


def test_list_pages_in_creation_order(subscriptions, project):
    hooks = [f'http://127.0.0.1:9/{n}' for n in range(5)]
    ids = [subscriptions.create('q', hook, 600, {}, project) for hook in hooks]
    page = subscriptions.list('q', project, limit=2)
    assert [s['subscriber'] for s in page.items] == hooks[:2]
    assert page.marker == ids[1]
    page = subscriptions.list('q', project, marker=page.marker, limit=2)
    assert [s['id'] for s in page.items] == ids[2:4]
    page = subscriptions.list('q', project, marker=page.marker, limit=2)
    assert [s['id'] for s in page.items] == ids[4:]
    page = subscriptions.list('q', project, marker=page.marker, limit=2)
    assert page == ([], None)
    assert subscriptions.list('nonesuch', project) == ([], None)


def test_update_fields(subscriptions, project):
    sid = subscriptions.create('q', HOOK, 600, {'a': 1}, project)
    subscriptions.update('q', sid, project, options={'b': 2})
    subscriptions.update('q', sid, project, ttl=1200)
    subscriptions.update('q', sid, project, subscriber='mailto:me@example.org')
    found = subscriptions.get('q', sid, project)
    assert found == {'id': sid, 'source': 'q', 'subscriber': 'mailto:me@example.org',
                     'ttl': 1200, 'age': 0, 'options': {'b': 2}, 'confirmed': False}
    # The old subscriber is free again; the new one is taken.
    assert subscriptions.create('q', HOOK, 600, {}, project) is not None
    assert subscriptions.create('q', 'mailto:me@example.org', 600, {}, project) is None


def test_update_to_a_taken_subscriber_conflicts(subscriptions, project):
    first = subscriptions.create('q', HOOK, 600, {}, project)
    second = subscriptions.create('q', 'mailto:me@example.org', 600, {}, project)
    with pytest.raises(errors.SubscriptionAlreadyExists):
        subscriptions.update('q', second, project, subscriber=HOOK)
    subscriptions.update('q', first, project, subscriber=HOOK)  # its own: fine
    assert subscriptions.get('q', second, project)['subscriber'] == 'mailto:me@example.org'


def test_confirm_and_unconfirm(subscriptions, project):
    sid = subscriptions.create('q', HOOK, 600, {}, project)
    subscriptions.confirm('q', sid, project)
    assert subscriptions.get('q', sid, project)['confirmed'] is True
    subscriptions.confirm('q', sid, project, confirmed=False)
    assert subscriptions.get('q', sid, project)['confirmed'] is False


def test_delete_and_purge(subscriptions, project):
    keep = subscriptions.create('r', HOOK, 600, {}, project)
    sid = subscriptions.create('q', HOOK, 600, {}, project)
    subscriptions.delete('q', sid, project)
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.get('q', sid, project)
    assert subscriptions.create('q', HOOK, 600, {}, project) is not None
    subscriptions.create('q', 'mailto:me@example.org', 600, {}, project)
    subscriptions.purge('q', project)
    assert subscriptions.list('q', project) == ([], None)
    assert subscriptions.create('q', HOOK, 600, {}, project) is not None
    assert subscriptions.get('r', keep, project)['id'] == keep


def test_queue_delete_leaves_subscriptions(queues, subscriptions, project):
    queues.create('q', project)
    sid = subscriptions.create('q', HOOK, 600, {}, project)
    queues.delete('q', project)
    queues.purge('q', project)
    assert subscriptions.get('q', sid, project)['id'] == sid


def test_expired_subscriptions_are_invisible_and_replaceable(subscriptions, project):
    sid = subscriptions.create('q', HOOK, 1, {}, project)
    other = subscriptions.create('q', 'mailto:me@example.org', 600, {}, project)
    time.sleep(1.1)
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.get('q', sid, project)
    assert [s['id'] for s in subscriptions.list('q', project).items] == [other]
    assert subscriptions.get_with_subscriber('q', HOOK, project) is None
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.update('q', sid, project, ttl=600)
    renewed = subscriptions.create('q', HOOK, 600, {}, project)
    assert renewed not in (None, sid)
    # An expired holder does not block taking its subscriber by update.
    gone = subscriptions.create('q', 'mailto:gone@example.org', 1, {}, project)
    time.sleep(1.1)
    subscriptions.update('q', other, project, subscriber='mailto:gone@example.org')
    assert subscriptions.get('q', other, project)['subscriber'] == 'mailto:gone@example.org'
    assert gone != other


def test_ttl_update_restarts_the_clock(subscriptions, project):
    sid = subscriptions.create('q', HOOK, 1, {}, project)
    subscriptions.update('q', sid, project, ttl=600)
    time.sleep(1.1)
    found = subscriptions.get('q', sid, project)
    assert found['ttl'] == 600
    assert found['age'] == 1
