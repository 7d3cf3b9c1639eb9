"""One SQL database: its engine, built on first use per process, and
transactions for readers and writers. The message store and the
management store each have one.

SQLite is safe for several processes and threads on one file (WAL
journal, ``BEGIN IMMEDIATE`` for writes, a 30 s busy timeout).
"""

import contextlib
import functools
import logging
import os
import random
import threading
import time

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy import pool as sa_pool

from zaqar.storage import errors

LOG = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT = 30  # seconds a writer waits for the file lock
DEFAULT_DRIVERS = {'postgresql': 'postgresql+psycopg2', 'mysql': 'mysql+pymysql'}
_SCHEMA_LOCK = 0x7A617161  # PostgreSQL advisory lock key while creating tables
CONFLICT_ATTEMPTS = 5  # runs of an operation whose transaction lost a deadlock
_MYSQL_CONFLICTS = {1213, 1205}  # deadlock, lock wait timeout
_PG_CONFLICTS = {'40P01', '40001'}  # deadlock detected, serialization failure


class TransactionConflict(errors.ConnectionError):
    """The database rolled the transaction back to break a deadlock; running
    the operation again is safe. Left to the caller after
    CONFLICT_ATTEMPTS runs, it answers like an unavailable store (503)."""


def is_conflict(exc):
    orig = getattr(exc, 'orig', None)
    if getattr(orig, 'pgcode', None) in _PG_CONFLICTS:
        return True
    args = getattr(orig, 'args', ())
    return bool(args) and args[0] in _MYSQL_CONFLICTS


@contextlib.contextmanager
def translate_errors():
    """Turn "the database is away" into errors.ConnectionError.

    The one place where SQLAlchemy errors are translated; anything else
    (a bug, a constraint violation) propagates unchanged.
    """
    try:
        yield
    except sa_exc.DBAPIError as exc:
        if is_conflict(exc):
            LOG.info('Transaction lost a deadlock, rolled back: %s', exc.orig)
            raise TransactionConflict() from exc
        if not isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)) \
                and not exc.connection_invalidated:
            raise
        LOG.warning('Message store unavailable: %s', exc)
        raise errors.ConnectionError() from exc
    except sa_exc.TimeoutError as exc:  # no pooled connection came free
        LOG.warning('Message store connection pool exhausted: %s', exc)
        raise errors.ConnectionError() from exc


def retry_conflicts(cls):
    """Class decorator: each public method of ``cls`` runs again (up to
    CONFLICT_ATTEMPTS times, after a short random pause) when its
    transaction is chosen as a deadlock victim. MySQL and PostgreSQL
    may pick any of two concurrent claims or deletes; their documentation
    asks the application to re-issue it. A method's only effects are its
    transactions, and the failed one was rolled back."""
    for name, method in list(vars(cls).items()):
        if not name.startswith('_') and callable(method):
            setattr(cls, name, _retried(method))
    return cls


def _retried(method):
    @functools.wraps(method)
    def run(*args, **kwargs):
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                return method(*args, **kwargs)
            except TransactionConflict:
                if attempt == CONFLICT_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, 0.005 * attempt))
    return run


def url_of(uri, default_sqlite_path):
    """The URL to connect to: ``uri``, or a SQLite file when it is unset."""
    if uri:
        url = sa.engine.make_url(uri)
        # The extras install these; SQLAlchemy 2.1's defaults differ.
        return url.set(drivername=DEFAULT_DRIVERS.get(url.drivername, url.drivername))
    path = os.path.expanduser(default_sqlite_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return sa.engine.URL.create('sqlite', database=path)


class Database:
    """A database reached at ``url`` (a callable, so that building this
    touches nothing), holding the tables of ``store`` (migrations.STORES)."""

    def __init__(self, url, pool_size, store):
        self._url = url
        self._pool_size = pool_size
        self._store = store
        self._engine = None
        self._pid = None
        self._engine_lock = threading.Lock()
        # An in-memory SQLite database is one shared connection: one
        # transaction at a time.
        self._serial = contextlib.nullcontext()

    @property
    def engine(self):
        """The engine, built (with the tables) on first use in a process."""
        if self._engine is not None and self._pid == os.getpid():
            return self._engine
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._connect()
            elif self._pid != os.getpid():
                # Forked (gunicorn): never share the parent's connections.
                self._engine.dispose(close=False)
            self._pid = os.getpid()
        return self._engine

    def _connect(self):
        url = self._url()
        engine = build_engine(url, self._pool_size)
        if is_memory(url):
            self._serial = threading.RLock()
        try:
            create_schema(engine, self._store)
        except sa_exc.SQLAlchemyError:
            engine.dispose()
            raise
        return engine

    @contextlib.contextmanager
    def write(self):
        """A connection in a read-write transaction, committed on exit."""
        with translate_errors():
            engine = self.engine
            with self._serial, engine.connect() as conn:
                conn.execution_options(sqlite_begin='IMMEDIATE')
                with conn.begin():
                    yield conn

    @contextlib.contextmanager
    def read(self):
        """A connection for reads; its transaction is rolled back on exit."""
        with translate_errors():
            engine = self.engine
            with self._serial, engine.connect() as conn:
                yield conn

    def is_alive(self):
        try:
            with self.read() as conn:
                conn.execute(sa.text('SELECT 1'))
        except (errors.StorageError, sa_exc.SQLAlchemyError, ImportError,
                OSError) as exc:
            LOG.warning('Database is not alive: %s', exc)
            return False
        return True

    def close(self):
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def is_memory(url):
    return url.get_backend_name() == 'sqlite' and (
        url.database in (None, '', ':memory:')
        or url.query.get('mode') == 'memory')


def build_engine(url, pool_size):
    if url.get_backend_name() != 'sqlite':
        return sa.create_engine(url, pool_size=pool_size, pool_recycle=3600)
    kwargs = {'connect_args': {'check_same_thread': False,
                               'timeout': SQLITE_BUSY_TIMEOUT}}
    if is_memory(url):
        kwargs['poolclass'] = sa_pool.StaticPool
    elif url.database and not url.database.startswith('file:'):
        os.makedirs(os.path.dirname(os.path.abspath(url.database)), exist_ok=True)
    engine = sa.create_engine(url, **kwargs)
    event.listen(engine, 'connect', _sqlite_connect)
    event.listen(engine, 'begin', _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_conn, _record):
    # Let SQLAlchemy's "begin" event, not pysqlite, issue BEGIN (see below).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute(f'PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT * 1000}')
    cursor.execute('PRAGMA journal_mode = WAL')
    cursor.execute('PRAGMA foreign_keys = ON')
    cursor.close()


def _sqlite_begin(conn):
    # Writers take the write lock up front (IMMEDIATE): a deferred
    # transaction that reads and then writes can fail at once with
    # "database is locked" instead of waiting for the busy timeout.
    mode = conn.get_execution_options().get('sqlite_begin', 'DEFERRED')
    conn.exec_driver_sql(f'BEGIN {mode}')


def create_schema(engine, store):
    """Upgrade the store's tables to the latest revision; safe when several
    processes start at once (one waits for the other's lock)."""
    from zaqar.storage.sqlalchemy import migrations

    with engine.connect() as conn:
        conn.execution_options(sqlite_begin='IMMEDIATE')
        with conn.begin():
            dialect = conn.dialect.name
            if dialect == 'postgresql':
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
            elif dialect == 'mysql':
                conn.execute(sa.text(f"SELECT GET_LOCK('zaqar_schema_{store}', 60)"))
            try:
                migrations.upgrade(conn, store)
            finally:
                if dialect == 'mysql':
                    conn.execute(sa.text(f"SELECT RELEASE_LOCK('zaqar_schema_{store}')"))
