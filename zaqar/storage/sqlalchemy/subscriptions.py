"""Subscriptions of the SQL store: one row each, unique per subscriber.

An expired row is invisible; creating over it replaces it in the same
transaction, so the unique constraint only ever guards live rows.
"""

import hashlib
import json
import time

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import database, tables, utils

S = tables.subscriptions


def _hash(subscriber):
    return hashlib.sha256(subscriber.encode('utf-8', 'surrogatepass')).hexdigest()


def _mine(queue, project, now):
    return sa.and_(S.c.project == project, S.c.source == queue, S.c.expires > now)


def _subscription(row, now):
    return {
        'id': str(row.id), 'source': row.source, 'subscriber': row.subscriber,
        'ttl': row.ttl, 'age': max(0, int(now - (row.expires - row.ttl))),
        'options': json.loads(row.options), 'confirmed': bool(row.confirmed),
    }


@database.retry_conflicts
class SubscriptionController(base.SubscriptionController):
    def __init__(self, driver):
        self._driver = driver

    def list(self, queue, project, marker=None, limit=10):
        now = time.time()
        query = sa.select(S).where(_mine(queue, project, now)).order_by(S.c.id).limit(limit)
        if marker is not None:
            after = utils.message_id(marker)
            if after is None:
                return base.Page([], None)
            query = query.where(S.c.id > after)
        with self._driver.read() as conn:
            items = [_subscription(row, now) for row in conn.execute(query)]
        return base.Page(items, items[-1]['id'] if items else None)

    def get(self, queue, subscription_id, project):
        now = time.time()
        sid = utils.message_id(subscription_id)
        if sid is not None:
            with self._driver.read() as conn:
                row = conn.execute(sa.select(S).where(
                    _mine(queue, project, now), S.c.id == sid)).first()
            if row is not None:
                return _subscription(row, now)
        raise errors.SubscriptionDoesNotExist(subscription_id)

    def get_with_subscriber(self, queue, subscriber, project):
        now = time.time()
        with self._driver.read() as conn:
            row = conn.execute(sa.select(S).where(
                _mine(queue, project, now),
                S.c.subscriber_hash == _hash(subscriber))).first()
        return None if row is None else _subscription(row, now)

    def create(self, queue, subscriber, ttl, options, project, confirmed=False):
        now = time.time()
        key = (S.c.project == project, S.c.source == queue,
               S.c.subscriber_hash == _hash(subscriber))
        row = {'project': project, 'source': queue, 'subscriber': subscriber,
               'subscriber_hash': _hash(subscriber), 'ttl': ttl, 'expires': now + ttl,
               'options': utils.dumps(options or {}), 'confirmed': confirmed}
        try:
            with self._driver.write() as conn:
                conn.execute(sa.delete(S).where(*key, S.c.expires <= now))
                result = conn.execute(sa.insert(S).values(row))
                return str(result.inserted_primary_key[0])
        except sa_exc.IntegrityError:
            return None  # a live subscription holds the key

    def update(self, queue, subscription_id, project, **fields):
        now = time.time()
        values = {}
        if 'subscriber' in fields:
            values['subscriber'] = fields['subscriber']
            values['subscriber_hash'] = _hash(fields['subscriber'])
        if 'ttl' in fields:
            values['ttl'] = fields['ttl']
            values['expires'] = now + fields['ttl']
        if 'options' in fields:
            values['options'] = utils.dumps(fields['options'])
        self._update(queue, subscription_id, project, now, values)

    def confirm(self, queue, subscription_id, project, confirmed=True):
        self._update(queue, subscription_id, project, time.time(),
                     {'confirmed': confirmed})

    def _update(self, queue, subscription_id, project, now, values):
        sid = utils.message_id(subscription_id)
        if sid is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        where = sa.and_(_mine(queue, project, now), S.c.id == sid)
        try:
            with self._driver.write() as conn:
                if 'subscriber_hash' in values:
                    # An expired holder of the new subscriber gives way.
                    conn.execute(sa.delete(S).where(
                        S.c.project == project, S.c.source == queue,
                        S.c.subscriber_hash == values['subscriber_hash'],
                        S.c.expires <= now))
                stmt = sa.update(S).where(where).values(**values) if values else \
                    sa.select(S.c.id).where(where)
                found = conn.execute(stmt)
                found = found.rowcount if values else len(found.all())
        except sa_exc.IntegrityError:
            raise errors.SubscriptionAlreadyExists() from None
        if not found:
            raise errors.SubscriptionDoesNotExist(subscription_id)

    def delete(self, queue, subscription_id, project):
        sid = utils.message_id(subscription_id)
        if sid is None:
            return
        with self._driver.write() as conn:
            conn.execute(sa.delete(S).where(
                S.c.project == project, S.c.source == queue, S.c.id == sid))

    def purge(self, queue, project):
        with self._driver.write() as conn:
            conn.execute(sa.delete(S).where(S.c.project == project, S.c.source == queue))

    def remove_expired(self, limit):
        """Delete up to ``limit`` expired subscriptions; return how many."""
        now = time.time()
        doomed = sa.select(S.c.id).where(S.c.expires <= now).limit(limit)
        with self._driver.write() as conn:
            ids = [row.id for row in conn.execute(doomed)]
            if ids:
                conn.execute(sa.delete(S).where(S.c.id.in_(ids)))
        return len(ids)
