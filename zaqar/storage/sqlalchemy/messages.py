"""Messages of the SQL store: one row each, id = autoincrement key."""

import time

import sqlalchemy as sa

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import database, utils

M = utils.M


@database.retry_conflicts
class MessageController(base.MessageController):
    def __init__(self, driver):
        self._driver = driver

    def post(self, queue, messages, client_uuid, project, expect_metadata=None):
        now = time.time()
        client = '' if client_uuid is None else str(client_uuid)
        rows = [_row(message, project, queue, client, now) for message in messages]
        with self._driver.write() as conn:
            utils.lock_queue(conn, project, queue, now)
            if expect_metadata is not None:
                current = utils.queue_metadata(conn, project, queue) or {}
                if current != expect_metadata:
                    # Raising rolls back the whole transaction.
                    raise errors.QueueMetadataChanged(queue, current)
            ids = _insert(conn, rows) if rows else []
        return [str(mid) for mid in ids]

    def list(self, queue, project, marker=None, limit=10, echo=False,
             client_uuid=None, include_claimed=False, include_delayed=False):
        after = 0 if marker is None else utils.message_id(marker)
        if after is None:
            return base.Page([], None)
        now = time.time()
        query = (sa.select(M)
                 .where(utils.in_queue(project, queue), utils.live(now), M.c.id > after)
                 .order_by(M.c.id).limit(limit))
        if not echo and client_uuid is not None:
            query = query.where(M.c.client_id != str(client_uuid))
        if not include_claimed:
            query = query.where(utils.free(now))
        if not include_delayed:
            query = query.where(M.c.delay_until <= now)
        with self._driver.read() as conn:
            items = [utils.message(row, now) for row in conn.execute(query)]
        return base.Page(items, items[-1]['id'] if items else None)

    def get(self, queue, message_id, project):
        mid = utils.message_id(message_id)
        now = time.time()
        row = None
        if mid is not None:
            with self._driver.read() as conn:
                row = conn.execute(_visible(project, queue, now, [mid])).first()
        if row is None:
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return utils.message(row, now)

    def bulk_get(self, queue, message_ids, project):
        ids = utils.message_ids(message_ids)
        if not ids:
            return []
        now = time.time()
        with self._driver.read() as conn:
            rows = conn.execute(_visible(project, queue, now, ids)).all()
        return utils.messages(rows, now)

    def delete(self, queue, message_id, project, claim=None):
        mid = utils.message_id(message_id)
        if mid is None:
            return
        now = time.time()
        with self._driver.write() as conn:
            if _delete_one(conn, project, queue, mid, claim, now):
                return
            row = conn.execute(_visible(project, queue, now, [mid])).first()
        if row is not None:
            _refuse(row, message_id, claim, queue, project, now)

    def bulk_delete(self, queue, message_ids, project, claim_ids=None):
        ids = utils.message_ids(message_ids)
        if not ids:
            return
        stmt = sa.delete(M).where(utils.in_queue(project, queue), M.c.id.in_(ids))
        if claim_ids is not None:
            stmt = stmt.where(M.c.claim_id.in_(list(claim_ids)),
                              utils.claimed(time.time()))
        with self._driver.write() as conn:
            conn.execute(stmt)

    def pop(self, queue, limit, project):
        now = time.time()
        picked = (sa.select(M.c.id)
                  .where(utils.in_queue(project, queue), utils.live(now), utils.free(now))
                  .order_by(M.c.id).limit(limit).with_for_update(skip_locked=True))
        with self._driver.write() as conn:
            if utils.one_statement(conn):
                rows = conn.execute(
                    sa.delete(M).where(M.c.id.in_(picked)).returning(*M.c)).all()
            else:
                rows = _select_then_delete(conn, picked)
        return utils.messages(rows, now)

    def volume(self):
        """{"free", "claimed", "total"} live messages over every queue."""
        now = time.time()
        claimed = sa.func.sum(sa.case((utils.claimed(now), 1), else_=0))
        query = sa.select(sa.func.count(), claimed).where(utils.live(now))
        with self._driver.read() as conn:
            total, claimed = conn.execute(query).one()
        claimed = int(claimed or 0)
        return {'free': total - claimed, 'claimed': claimed, 'total': total}

    def remove_expired(self, batch):
        """Delete up to ``batch`` expired messages; return how many went."""
        now = time.time()
        expired = sa.select(M.c.id).where(M.c.expires <= now).limit(batch)
        with self._driver.write() as conn:
            ids = conn.execute(expired).scalars().all()
            if not ids:
                return 0
            return conn.execute(sa.delete(M).where(M.c.id.in_(ids))).rowcount


def _row(message, project, queue, client, now):
    ttl = message['ttl']
    return {
        'project': project, 'queue': queue, 'client_id': client,
        'body': utils.dumps(message['body']), 'ttl': ttl,
        'created': now, 'expires': now + ttl,
        'delay_until': now + (message.get('delay') or 0),
        'claim_count': 0, 'checksum': message.get('checksum'),
    }


def _insert(conn, rows):
    """Insert ``rows``; return their ids in input order."""
    if conn.dialect.insert_returning:
        stmt = sa.insert(M).returning(M.c.id, sort_by_parameter_order=True)
        return conn.execute(stmt, rows).scalars().all()
    return [conn.execute(sa.insert(M), row).inserted_primary_key[0] for row in rows]


def _visible(project, queue, now, ids):
    """Live messages of the queue among ``ids``, claimed or not."""
    return (sa.select(M)
            .where(utils.in_queue(project, queue), utils.live(now), M.c.id.in_(ids))
            .order_by(M.c.id))


def _delete_one(conn, project, queue, mid, claim, now):
    """The hot path: delete if allowed, in one statement; True if deleted."""
    stmt = sa.delete(M).where(M.c.id == mid, utils.in_queue(project, queue))
    if claim is None:
        stmt = stmt.where(utils.free(now))
    elif utils.is_claim_id(claim):
        stmt = stmt.where(M.c.claim_id == claim, utils.claimed(now))
    else:
        return False
    return conn.execute(stmt).rowcount > 0


def _refuse(row, message_id, claim, queue, project, now):
    """Raise why a live message could not be deleted (see base.py)."""
    holder = utils.message(row, now)['claim_id']
    if claim is None:
        if holder is not None:
            raise errors.MessageIsClaimed(message_id)
        return
    if not utils.is_claim_id(claim):
        raise errors.ClaimDoesNotExist(claim, queue, project)
    if holder is None:
        raise errors.MessageNotClaimed(message_id)
    raise errors.MessageNotClaimedBy(message_id, claim)


def _select_then_delete(conn, picked):
    """Pop without DELETE ... RETURNING (MySQL): lock, read, delete."""
    ids = conn.execute(picked).scalars().all()
    if not ids:
        return []
    rows = conn.execute(sa.select(M).where(M.c.id.in_(ids))).all()
    conn.execute(sa.delete(M).where(M.c.id.in_(ids)))
    return rows
