"""Subscriptions of the MongoDB store (collection ``subscriptions``)::

    _id ObjectId (the id; listings follow it, so creation order by second,
    and by process within a second), p project, s source queue, u
    subscriber, h SHA-256 of the subscriber, t ttl, c when created or its
    ttl last set (epoch seconds), e expires (a date), o options (JSON
    bytes), k confirmed

A unique index on (p, s, h) keeps one subscription per subscriber, also
under concurrent creates; an expired one is removed before a create or an
update takes its subscriber, so the index only ever guards live ones.
"""

import hashlib
import time

import bson
from pymongo import errors as mongo_errors

from zaqar.storage import base, errors
from zaqar.storage.mongodb import records
from zaqar.storage.mongodb.connection import operation


def _hash(subscriber):
    return hashlib.sha256(subscriber.encode('utf-8', 'surrogatepass')).hexdigest()


def _mine(queue, project, now):
    return {'p': project, 's': queue, 'e': {'$gt': records.date(now)}}


def _expired_holder(queue, project, subscriber_hash, now):
    return {'p': project, 's': queue, 'h': subscriber_hash,
            'e': {'$lte': records.date(now)}}


def _subscription(doc, now):
    return {'id': str(doc['_id']), 'source': doc['s'], 'subscriber': doc['u'],
            'ttl': doc['t'], 'age': max(0, int(now - doc['c'])),
            'options': records.loads(doc['o']), 'confirmed': doc['k']}


def _ttl_fields(ttl, now):
    return {'t': int(ttl), 'c': now, 'e': records.date(now + ttl)}


class SubscriptionController(base.SubscriptionController):
    def __init__(self, driver):
        self._driver = driver

    @operation
    def list(self, handles, queue, project, marker=None, limit=10):
        now = time.time()
        query = _mine(queue, project, now)
        if marker is not None:
            after = records.object_id(marker)
            if after is None:
                return base.Page([], None)
            query['_id'] = {'$gt': after}
        docs = handles.subscriptions.find(query).sort('_id', 1).limit(limit)
        items = [_subscription(doc, now) for doc in docs]
        return base.Page(items, items[-1]['id'] if items else None)

    @operation
    def get(self, handles, queue, subscription_id, project):
        now = time.time()
        sid = records.object_id(subscription_id)
        if sid is not None:
            doc = handles.subscriptions.find_one({**_mine(queue, project, now), '_id': sid})
            if doc is not None:
                return _subscription(doc, now)
        raise errors.SubscriptionDoesNotExist(subscription_id)

    @operation
    def get_with_subscriber(self, handles, queue, subscriber, project):
        now = time.time()
        doc = handles.subscriptions.find_one(
            {**_mine(queue, project, now), 'h': _hash(subscriber)})
        return None if doc is None else _subscription(doc, now)

    @operation
    def create(self, handles, queue, subscriber, ttl, options, project, confirmed=False):
        now = time.time()
        doc = {'_id': bson.ObjectId(), 'p': project, 's': queue, 'u': subscriber,
               'h': _hash(subscriber), 'o': records.dumps(options or {}),
               'k': bool(confirmed), **_ttl_fields(ttl, now)}
        handles.subscriptions.delete_one(_expired_holder(queue, project, doc['h'], now))
        try:
            handles.subscriptions.insert_one(doc)
        except mongo_errors.DuplicateKeyError:
            return None  # a live subscription holds the subscriber
        return str(doc['_id'])

    def update(self, queue, subscription_id, project, **fields):
        now = time.time()
        values = {}
        if 'subscriber' in fields:
            values.update(u=fields['subscriber'], h=_hash(fields['subscriber']))
        if 'ttl' in fields:
            values.update(_ttl_fields(fields['ttl'], now))
        if 'options' in fields:
            values['o'] = records.dumps(fields['options'])
        self._update(queue, subscription_id, project, now, values)

    def confirm(self, queue, subscription_id, project, confirmed=True):
        self._update(queue, subscription_id, project, time.time(), {'k': bool(confirmed)})

    @operation
    def _update(self, handles, queue, subscription_id, project, now, values):
        sid = records.object_id(subscription_id)
        if sid is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        query = {**_mine(queue, project, now), '_id': sid}
        if 'h' in values:  # an expired holder of the new subscriber gives way
            handles.subscriptions.delete_one(
                _expired_holder(queue, project, values['h'], now))
        try:
            if values:
                found = handles.subscriptions.update_one(query, {'$set': values}).matched_count
            else:
                found = handles.subscriptions.find_one(query, {'_id': 1}) is not None
        except mongo_errors.DuplicateKeyError:
            raise errors.SubscriptionAlreadyExists() from None
        if not found:
            raise errors.SubscriptionDoesNotExist(subscription_id)

    @operation
    def delete(self, handles, queue, subscription_id, project):
        sid = records.object_id(subscription_id)
        if sid is not None:
            handles.subscriptions.delete_one({'p': project, 's': queue, '_id': sid})

    @operation
    def purge(self, handles, queue, project):
        handles.subscriptions.delete_many({'p': project, 's': queue})

