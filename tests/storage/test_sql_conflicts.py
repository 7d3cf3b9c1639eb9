"""A transaction chosen as a deadlock victim runs again.

Two real transactions on PostgreSQL and MariaDB lock two rows in opposite
orders, so the server must roll one back; both operations still succeed.
(SQLite has no such deadlock: its writers take the file lock up front.)
"""

import threading

import pytest
import sqlalchemy as sa

from zaqar.storage import errors
from zaqar.storage.sqlalchemy import database

PROBE = sa.Table('conflict_probe', sa.MetaData(),
                 sa.Column('id', sa.Integer, primary_key=True),
                 sa.Column('hits', sa.Integer, nullable=False))


@pytest.fixture(params=['postgresql', 'mysql'])
def db(request):
    uri = request.getfixturevalue(f'{request.param}_database')
    db = database.Database(lambda: database.url_of(uri, None), 4, 'message')
    with db.write() as conn:
        PROBE.drop(conn, checkfirst=True)
        PROBE.create(conn)
        conn.execute(sa.insert(PROBE), [{'id': 1, 'hits': 0}, {'id': 2, 'hits': 0}])
    yield db
    with db.write() as conn:
        PROBE.drop(conn)
    db.close()


@database.retry_conflicts
class Crossing:
    """Bumps two rows in a given order; the first run of each waits for
    the other, so that each holds the lock the other wants next."""

    def __init__(self, db, barrier):
        self.db = db
        self.barrier = barrier
        self.runs = 0

    def bump(self, first, second):
        self.runs += 1
        with self.db.write() as conn:
            _hit(conn, first)
            if self.runs == 1:
                self.barrier.wait(timeout=30)
            _hit(conn, second)


def _hit(conn, row):
    conn.execute(sa.update(PROBE).where(PROBE.c.id == row).values(hits=PROBE.c.hits + 1))


def test_a_deadlock_victim_runs_again(db):
    barrier = threading.Barrier(2)
    crossings = [Crossing(db, barrier), Crossing(db, barrier)]
    failures = []

    def run(crossing, order):
        try:
            crossing.bump(*order)
        except Exception as exc:  # reported below, with the thread's error
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(crossings[0], (1, 2))),
               threading.Thread(target=run, args=(crossings[1], (2, 1)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    # One of them lost the deadlock and ran twice; each bump counted once.
    assert sorted(crossing.runs for crossing in crossings) == [1, 2]
    with db.read() as conn:
        assert dict(conn.execute(sa.select(PROBE.c.id, PROBE.c.hits)).all()) == {1: 2, 2: 2}


def test_conflicts_that_persist_answer_as_an_unavailable_store():
    calls = []

    @database.retry_conflicts
    class AlwaysLosing:
        def work(self):
            calls.append(1)
            raise database.TransactionConflict()

    with pytest.raises(errors.ConnectionError):
        AlwaysLosing().work()
    assert len(calls) == database.CONFLICT_ATTEMPTS
