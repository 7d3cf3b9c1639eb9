"""Queues of the Redis store: per project, a zset of names (lex paging) and
hashes of metadata and dead-letter policy, both msgpack."""

import time

from zaqar.storage import base, errors
from zaqar.storage.redis import keys, records

_FILTER_BATCH = 100  # names read per round while metadata filters thin a page


class QueueController(base.QueueController):
    def __init__(self, driver):
        self._driver = driver

    def list(self, project, marker=None, limit=10, detailed=False, name=None,
             kfilter=None):
        items = []
        start = '-' if marker is None else '(' + marker
        batch = _FILTER_BATCH if kfilter else limit
        with self._driver.session() as session:
            while len(items) < limit:
                names, metas = session.script(
                    'queue_list', project, '', time.time(), start, batch, name or '',
                    records.flag(detailed or kfilter))
                items.extend(_items(names, metas, detailed, kfilter))
                if len(names) < batch:
                    break
                start = '(' + names[-1].decode()
        items = items[:limit]
        return base.Page(items, items[-1]['name'] if items else None)

    def count(self, project):
        with self._driver.session() as session:
            return session.client.zcard(keys.queues(session.prefix, project))

    def create(self, name, project, metadata=None):
        metadata = metadata or {}
        with self._driver.session() as session:
            return bool(session.script('queue_create', project, name, time.time(),
                                       records.pack(metadata), _policy(metadata)))

    def exists(self, name, project):
        with self._driver.session() as session:
            score = session.client.zscore(keys.queues(session.prefix, project), name)
        return score is not None

    def get_metadata(self, name, project):
        with self._driver.session() as session:
            data = session.client.hget(keys.meta(session.prefix, project), name)
        if data is None:
            raise errors.QueueDoesNotExist(name, project)
        return records.unpack(data)

    def set_metadata(self, name, metadata, project):
        with self._driver.session() as session:
            updated = session.script('queue_set_metadata', project, name, time.time(),
                                     records.pack(metadata), _policy(metadata))
        if not updated:
            raise errors.QueueDoesNotExist(name, project)

    def delete(self, name, project):
        with self._driver.session() as session:
            session.script('queue_delete', project, name, time.time())

    def purge(self, name, project):
        with self._driver.session() as session:
            session.script('queue_purge', project, name, time.time())

    def stats(self, name, project):
        now = time.time()
        with self._driver.session() as session:
            total, claimed, *ends = session.script('stats', project, name, now)
        stats = {'claimed': claimed, 'free': total - claimed, 'total': total}
        if total:
            stats['oldest'] = _end(ends[0], ends[1], now)
            stats['newest'] = _end(ends[2], ends[3], now)
        return stats


def _policy(metadata):
    """The dead-letter policy, stored beside the metadata so that the claim
    script reads it without decoding metadata in Lua."""
    policy = base.dead_letter_policy(metadata)
    if policy is None:
        return ''
    max_count, dlq, dlq_ttl = policy
    return records.pack([max_count, str(dlq), int(dlq_ttl or 0)])


def _items(names, metas, detailed, kfilter):
    for index, raw in enumerate(names):
        metadata = records.unpack(metas[index]) if metas else None
        if kfilter and not all(key in metadata and metadata[key] == value
                               for key, value in kfilter.items()):
            continue
        item = {'name': raw.decode()}
        if detailed:
            item['metadata'] = metadata
        yield item


def _end(mid, created, now):
    created = float(created)
    return {'id': mid.decode(), 'age': int(now - created), 'created': created}
