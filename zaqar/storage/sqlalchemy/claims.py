"""Claims of the SQL store: a claim is the messages carrying its id.

There is no claims table; a claim lives while its messages'
``claim_expires`` is in the future, so an expired claim needs no cleanup.
"""

import time
import uuid

import sqlalchemy as sa

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import database, utils

M = utils.M

_RELEASED = {'claim_id': None, 'claim_expires': None, 'claim_ttl': None,
             'claim_created': None}


@database.retry_conflicts
class ClaimController(base.ClaimController):
    def __init__(self, driver):
        self._driver = driver

    def create(self, queue, project, ttl, grace, limit=10):
        now = time.time()
        claim_id = uuid.uuid4().hex
        with self._driver.write() as conn:
            metadata = utils.queue_metadata(conn, project, queue)
            if metadata is None:
                return None, []
            picked = _candidates(project, queue, now, limit)
            policy = base.dead_letter_policy(metadata)
            if policy:
                picked = _dead_letter(conn, project, queue, picked, policy, now)
            values = [(M.c.claim_id, claim_id), (M.c.claim_count, M.c.claim_count + 1)]
            rows = _claim(conn, picked, values + _lease(now, ttl, grace))
        if not rows:
            return None, []
        return claim_id, utils.messages(rows, now)

    def get(self, queue, claim_id, project):
        now = time.time()
        rows = []
        if utils.is_claim_id(claim_id):
            query = (sa.select(M).where(*_held(project, queue, claim_id, now))
                     .order_by(M.c.id))
            with self._driver.read() as conn:
                rows = conn.execute(query).all()
        if not rows:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        claim = {'id': claim_id, 'ttl': rows[0].claim_ttl,
                 'age': int(now - rows[0].claim_created)}
        return claim, utils.messages(rows, now)

    def update(self, queue, claim_id, project, ttl, grace):
        now = time.time()
        renewed = 0
        if utils.is_claim_id(claim_id):
            stmt = (sa.update(M).where(*_held(project, queue, claim_id, now))
                    .ordered_values(*_lease(now, ttl, grace)))
            with self._driver.write() as conn:
                renewed = conn.execute(stmt).rowcount
        if not renewed:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)

    def delete(self, queue, claim_id, project):
        if not utils.is_claim_id(claim_id):
            return
        stmt = (sa.update(M)
                .where(utils.in_queue(project, queue), M.c.claim_id == claim_id)
                .values(_RELEASED))
        with self._driver.write() as conn:
            conn.execute(stmt)


def _held(project, queue, claim_id, now):
    """Conditions for the live messages of a live claim."""
    return (utils.in_queue(project, queue), M.c.claim_id == claim_id,
            utils.claimed(now), utils.live(now))


def _lease(now, ttl, grace):
    """SET values that (re)start a claim lease of ``ttl`` seconds."""
    return [(M.c.claim_expires, now + ttl), (M.c.claim_ttl, ttl),
            (M.c.claim_created, now)] + utils.extend_for_claim(now, ttl, grace)


def _candidates(project, queue, now, limit):
    """Ids of the oldest free, live, non-delayed messages, locked."""
    return (sa.select(M.c.id)
            .where(utils.in_queue(project, queue), utils.live(now), utils.free(now),
                   M.c.delay_until <= now)
            .order_by(M.c.id).limit(limit).with_for_update(skip_locked=True))


def _claim(conn, picked, values):
    """Apply ``values`` to the picked messages; return their rows."""
    if utils.one_statement(conn):
        stmt = (sa.update(M).where(M.c.id.in_(picked))
                .ordered_values(*values).returning(*M.c))
        return conn.execute(stmt).all()
    ids = picked if isinstance(picked, list) else conn.execute(picked).scalars().all()
    if not ids:
        return []
    conn.execute(sa.update(M).where(M.c.id.in_(ids)).ordered_values(*values))
    return conn.execute(sa.select(M).where(M.c.id.in_(ids))).all()


def _dead_letter(conn, project, queue, picked, policy, now):
    """Move candidates claimed ``max_count`` times to the dead-letter queue.

    Return the ids of the candidates left to claim.
    """
    max_count, dlq, dlq_ttl = policy
    rows = conn.execute(picked.add_columns(M.c.claim_count)).all()
    dead = [row.id for row in rows if row.claim_count >= max_count]
    if dead:
        utils.create_queue(conn, project, dlq, now)
        moved = dict(_RELEASED, queue=dlq, claim_count=0)
        if dlq_ttl:
            moved.update(ttl=int(dlq_ttl), expires=now + int(dlq_ttl))
        conn.execute(sa.update(M).where(M.c.id.in_(dead)).values(moved))
    return [row.id for row in rows if row.claim_count < max_count]
