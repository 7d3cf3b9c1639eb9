"""Subscriptions of the Redis store: one script per action (common.lua
describes the keys), so uniqueness per subscriber holds under races."""

import re
import time
import uuid

from zaqar.storage import base, errors
from zaqar.storage.redis import records

_ID = re.compile(r'[0-9a-f]{32}')


def _is_id(text):
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def _subscription(record, queue, now):
    sid, subscriber, ttl, expires, options, confirmed = record
    ttl = int(ttl)
    return {'id': records.text(sid), 'source': queue, 'subscriber': records.text(subscriber),
            'ttl': ttl, 'age': max(0, int(now - (float(expires) - ttl))),
            'options': records.unpack(options), 'confirmed': confirmed == b'1'}


class SubscriptionController(base.SubscriptionController):
    def __init__(self, driver):
        self._driver = driver

    def _run(self, name, queue, project, now, *args):
        with self._driver.session() as session:
            return session.script(name, project, queue, now, *args)

    def list(self, queue, project, marker=None, limit=10):
        now = time.time()
        found = self._run('sub_list', queue, project, now, marker or '', limit)
        items = [_subscription(record, queue, now) for record in found]
        return base.Page(items, items[-1]['id'] if items else None)

    def get(self, queue, subscription_id, project):
        if _is_id(subscription_id):
            now = time.time()
            record = self._run('sub_get', queue, project, now, subscription_id, '')
            if record:
                return _subscription(record, queue, now)
        raise errors.SubscriptionDoesNotExist(subscription_id)

    def get_with_subscriber(self, queue, subscriber, project):
        now = time.time()
        record = self._run('sub_get', queue, project, now, '', subscriber)
        return _subscription(record, queue, now) if record else None

    def create(self, queue, subscriber, ttl, options, project, confirmed=False):
        sid = uuid.uuid4().hex
        created = self._run('sub_create', queue, project, time.time(), sid, subscriber,
                            ttl, records.pack(options or {}), records.flag(confirmed))
        return sid if created == 1 else None

    def update(self, queue, subscription_id, project, **fields):
        options = fields.get('options')
        self._update(queue, subscription_id, project, fields.get('subscriber', ''),
                     fields.get('ttl', ''), '' if options is None else records.pack(options),
                     '')

    def confirm(self, queue, subscription_id, project, confirmed=True):
        self._update(queue, subscription_id, project, '', '', '', records.flag(confirmed))

    def _update(self, queue, subscription_id, project, *args):
        if not _is_id(subscription_id):
            raise errors.SubscriptionDoesNotExist(subscription_id)
        result = self._run('sub_update', queue, project, time.time(), subscription_id, *args)
        if result == 0:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        if result == -1:
            raise errors.SubscriptionAlreadyExists()

    def delete(self, queue, subscription_id, project):
        if _is_id(subscription_id):
            self._run('sub_delete', queue, project, time.time(), subscription_id)

    def purge(self, queue, project):
        self._run('sub_delete', queue, project, time.time(), '')
