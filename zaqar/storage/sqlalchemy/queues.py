"""Queues of the SQL store: one row per (project, name), metadata as JSON."""

import itertools
import json
import time

import sqlalchemy as sa

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import database, utils

M = utils.M
Q = utils.Q
_FILTER_BATCH = 100  # rows read per round while metadata filters thin a page


@database.retry_conflicts
class QueueController(base.QueueController):
    def __init__(self, driver):
        self._driver = driver

    def list(self, project, marker=None, limit=10, detailed=False, name=None,
             kfilter=None):
        query = (sa.select(Q.c.name, Q.c.metadata)
                 .where(Q.c.project == project).order_by(Q.c.name))
        batch = _FILTER_BATCH if kfilter else limit
        with self._driver.read() as conn:
            if name:
                query = query.where(_contains(conn, Q.c.name, name))
            rows = _scan(conn, query, marker, batch)
            matching = (row for row in rows if _matches(row, kfilter))
            items = [_item(row, detailed) for row in itertools.islice(matching, limit)]
        return base.Page(items, items[-1]['name'] if items else None)

    def count(self, project):
        query = sa.select(sa.func.count()).select_from(Q).where(Q.c.project == project)
        with self._driver.read() as conn:
            return conn.execute(query).scalar()

    def create(self, name, project, metadata=None):
        with self._driver.write() as conn:
            return utils.create_queue(conn, project, name, time.time(), metadata)

    def exists(self, name, project):
        query = sa.select(Q.c.id).where(Q.c.project == project, Q.c.name == name)
        with self._driver.read() as conn:
            return conn.execute(query).first() is not None

    def get_metadata(self, name, project):
        with self._driver.read() as conn:
            metadata = utils.queue_metadata(conn, project, name)
        if metadata is None:
            raise errors.QueueDoesNotExist(name, project)
        return metadata

    def set_metadata(self, name, metadata, project):
        stmt = (sa.update(Q).where(Q.c.project == project, Q.c.name == name)
                .values(metadata=utils.dumps(metadata)))
        with self._driver.write() as conn:
            updated = conn.execute(stmt).rowcount
        if not updated:
            raise errors.QueueDoesNotExist(name, project)

    def delete(self, name, project):
        # The queue row first: it waits for posts holding it (lock_queue),
        # so the messages they commit are deleted too, not orphaned.
        with self._driver.write() as conn:
            conn.execute(sa.delete(Q).where(Q.c.project == project, Q.c.name == name))
            conn.execute(sa.delete(M).where(utils.in_queue(project, name)))

    def purge(self, name, project):
        with self._driver.write() as conn:
            conn.execute(sa.delete(M).where(utils.in_queue(project, name)))

    def stats(self, name, project):
        now = time.time()
        with self._driver.read() as conn:
            total, claimed, oldest, newest = conn.execute(_counts(project, name, now)).one()
            ends = conn.execute(_ends(oldest, newest)).all() if total else []
        claimed = int(claimed or 0)
        stats = {'claimed': claimed, 'free': total - claimed, 'total': total}
        created = {row.id: row.created for row in ends}
        if oldest in created and newest in created:
            stats['oldest'] = _end(oldest, created[oldest], now)
            stats['newest'] = _end(newest, created[newest], now)
        return stats


def _contains(conn, column, text):
    """Case-sensitive plain substring match (SQLite's LIKE ignores case)."""
    if conn.dialect.name == 'postgresql':
        return sa.func.strpos(column, text) > 0
    return sa.func.instr(column, text) > 0


def _scan(conn, query, marker, batch):
    """Yield rows after ``marker`` by name, ``batch`` rows per query."""
    while True:
        page = query if marker is None else query.where(Q.c.name > marker)
        rows = conn.execute(page.limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        marker = rows[-1].name


def _matches(row, kfilter):
    if not kfilter:
        return True
    metadata = json.loads(row.metadata)
    return all(key in metadata and metadata[key] == value
               for key, value in kfilter.items())


def _item(row, detailed):
    item = {'name': row.name}
    if detailed:
        item['metadata'] = json.loads(row.metadata)
    return item


def _counts(project, name, now):
    claimed = sa.func.sum(sa.case((utils.claimed(now), 1), else_=0))
    return (sa.select(sa.func.count(), claimed, sa.func.min(M.c.id), sa.func.max(M.c.id))
            .where(utils.in_queue(project, name), utils.live(now)))


def _ends(oldest, newest):
    return sa.select(M.c.id, M.c.created).where(M.c.id.in_([oldest, newest]))


def _end(mid, created, now):
    return {'id': str(mid), 'age': int(now - created), 'created': created}
