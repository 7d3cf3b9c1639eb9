"""Every storage backend the suites run against, in one registry.

Each backend is a factory in ``BACKENDS``: given the pytest request, it
returns a ``Backend`` (entry point name and config overrides). It is plain
data, so other processes can build their own driver from it. To add a
driver (MongoDB, ...), write one factory and add it to ``BACKENDS``: the
storage contract suite and the HTTP API suite then both run against it.

Servers: ZAQAR_TEST_POSTGRESQL_URL names a PostgreSQL server (any database
on it, default postgres@127.0.0.1:5432), where each session creates a
database of its own and drops it at the end; ZAQAR_TEST_REDIS_URL names a
Redis server (default 127.0.0.1:6379), where each session uses a key prefix
of its own and deletes only those keys; ZAQAR_TEST_MYSQL_URL a MySQL or
MariaDB server (default root@127.0.0.1:3306), where each session creates
a database of its own. Pooling runs over three redis-server processes the
session starts and a SQLite pool. MongoDB: each session starts a
mongoeco server of its own (tests/mongodb/servers.py) and stops it at the
end, unless ZAQAR_TEST_MONGODB_URL names a real MongoDB, where each session
uses a database of its own and drops it at the end. An unreachable server
skips its tests, or fails them under CI=true (tests/conftest.py).
"""

import dataclasses
import os
import uuid

import pytest

from tests.conftest import require_service

SQLALCHEMY_GROUP = 'drivers:message_store:sqlalchemy'
REDIS_GROUP = 'drivers:message_store:redis'
MONGODB_GROUP = 'drivers:message_store:mongodb'
REDIS_MANAGEMENT_GROUP = 'drivers:management_store:redis'
POSTGRESQL_URL = os.environ.get(
    'ZAQAR_TEST_POSTGRESQL_URL', 'postgresql://postgres@127.0.0.1:5432/postgres')
REDIS_URL = os.environ.get('ZAQAR_TEST_REDIS_URL', 'redis://127.0.0.1:6379')
MYSQL_URL = os.environ.get('ZAQAR_TEST_MYSQL_URL', 'mysql+pymysql://root@127.0.0.1:3306/mysql')
MONGODB_URL = os.environ.get('ZAQAR_TEST_MONGODB_URL')


@dataclasses.dataclass(frozen=True)
class Backend:
    """What it takes to build a driver: picklable, for other processes."""

    entry_point: str
    options: tuple = ()  # ((group, name, value), ...); group 'DEFAULT' too

    def configure(self, conf):
        """Select the driver and apply the options."""
        conf.set_override('message_store', self.entry_point, group='drivers')
        return self.override(conf)

    def override(self, conf):
        """Apply the options only."""
        for group, name, value in self.options:
            conf.set_override(name, value, group=None if group == 'DEFAULT' else group)
        return conf


def sqlite_backend(request):
    tmp_path = request.getfixturevalue('tmp_path_factory').mktemp('sqlite')
    uri = f'sqlite:///{tmp_path / "zaqar.sqlite"}'
    return Backend('sqlalchemy', ((SQLALCHEMY_GROUP, 'uri', uri),))


def postgresql_backend(request):
    uri = request.getfixturevalue('postgresql_database')
    return Backend('sqlalchemy', ((SQLALCHEMY_GROUP, 'uri', uri),))


def mysql_backend(request):
    uri = request.getfixturevalue('mysql_database')
    return Backend('sqlalchemy', ((SQLALCHEMY_GROUP, 'uri', uri),))


def redis_backend(request):
    uri = request.getfixturevalue('redis_prefix_uri')
    return Backend('redis', ((REDIS_GROUP, 'uri', uri),))


def mongodb_backend(request):
    uri, database = request.getfixturevalue('mongodb_database')
    # mongoeco is one server, not a replica set (and a test server
    # need not be durable).
    return Backend('mongodb', ((MONGODB_GROUP, 'uri', uri),
                               (MONGODB_GROUP, 'database', database),
                               ('DEFAULT', 'unreliable', True)))


POOL_WEIGHTS = {'redis-a': 1, 'redis-b': 2, 'sql': 1}


def pooled_backend(request):
    """Pooling over three Redis servers of this session's own and a SQLite
    pool, with a Redis management store (the SQL one serves
    tests/api/test_pools.py; both pass tests/storage/test_control.py)."""
    tmp_path = request.getfixturevalue('tmp_path_factory').mktemp('pooled')
    management = request.getfixturevalue('redis_prefix_uri') + ':management'
    uris = request.getfixturevalue('redis_pool_uris')
    pools = {'redis-a': uris[0], 'redis-b': uris[1], 'redis-c': uris[2],
             'sql': f'sqlite:///{tmp_path / "pool.sqlite"}'}
    backend = Backend('sqlalchemy', (('DEFAULT', 'pooling', True),
                                     ('drivers', 'management_store', 'redis'),
                                     (REDIS_MANAGEMENT_GROUP, 'uri', management)))
    register_pools(backend, {name: (uri, POOL_WEIGHTS.get(name, 0))
                             for name, uri in pools.items()})
    return backend


def register_pools(backend, pools):
    """Record ``pools`` ({name: (uri, weight)}) in the backend's management store."""
    import zaqar.conf
    from zaqar import bootstrap

    conf = backend.configure(zaqar.conf.new(args=[]))
    driver = bootstrap.load_driver(bootstrap.CONTROL_NAMESPACE, conf.drivers.management_store,
                                   conf)
    try:
        for name, (uri, weight) in pools.items():
            driver.pools_controller.create(name, weight, uri)
    finally:
        driver.close()


BACKENDS = {
    'sqlite': sqlite_backend,
    'postgresql': postgresql_backend,
    'mysql': mysql_backend,
    'redis': redis_backend,
    'mongodb': mongodb_backend,
    'pooled': pooled_backend,
}


@pytest.fixture(scope='session')
def postgresql_database():
    """A database of its own for this session, dropped at the end."""
    import psycopg2
    import sqlalchemy as sa

    server = sa.engine.make_url(POSTGRESQL_URL)
    params = {'host': server.host or '127.0.0.1', 'port': server.port or 5432,
              'user': server.username or 'postgres',
              'password': server.password, 'dbname': server.database or 'postgres',
              'connect_timeout': 5}
    name = f'zaqar_test_{uuid.uuid4().hex[:12]}'
    try:
        admin = psycopg2.connect(**params)
    except psycopg2.OperationalError as err:
        require_service('postgresql', str(err).strip())
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE {name}')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        admin.close()


@pytest.fixture(scope='session')
def mysql_database():
    """A MySQL/MariaDB database of its own for this session, dropped at the end."""
    import sqlalchemy as sa

    server = sa.engine.make_url(MYSQL_URL)
    name = f'zaqar_test_{uuid.uuid4().hex[:12]}'
    engine = sa.create_engine(server, isolation_level='AUTOCOMMIT',
                              connect_args={'connect_timeout': 5})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE {name} CHARACTER SET utf8mb4'))
    except sa.exc.OperationalError as err:
        engine.dispose()
        require_service('mysql', str(err.orig).strip())
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS {name}'))
        engine.dispose()


@pytest.fixture(scope='session')
def redis_prefix_uri():
    """REDIS_URL with a key prefix of this session's own, cleared at the end."""
    import redis

    prefix = f'zaqar_test_{uuid.uuid4().hex[:12]}'
    separator = '&' if '?' in REDIS_URL else '?'
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as err:
        require_service('redis', str(err).strip())
    try:
        yield f'{REDIS_URL}{separator}prefix={prefix}'
    finally:
        for key in client.scan_iter(match=f'{prefix}:*', count=1000):
            client.unlink(key)
        client.close()


@pytest.fixture(scope='session')
def mongodb_database(tmp_path_factory):
    """(uri, database name) of this session: a mongoeco server of its own,
    or a database of its own on ZAQAR_TEST_MONGODB_URL, dropped at the end
    with the databases named after it (tests/mongodb add suffixes)."""
    import pymongo

    from tests.mongodb import servers

    database = f'zaqar_test_{uuid.uuid4().hex[:12]}'
    if MONGODB_URL:
        if not servers.ping(MONGODB_URL, timeout_ms=5000):
            require_service('mongodb', f'no answer to ping at {MONGODB_URL}')
        try:
            yield MONGODB_URL, database
        finally:
            client = pymongo.MongoClient(MONGODB_URL, serverSelectionTimeoutMS=5000)
            for name in client.list_database_names():
                if name.startswith(database):
                    client.drop_database(name)
            client.close()
        return
    processes = servers.Mongoeco(tmp_path_factory.mktemp('mongoeco'))
    try:
        port = processes.start()
        yield servers.url(port), database
    finally:
        processes.stop_all()


@pytest.fixture(scope='session')
def redis_pool_uris(tmp_path_factory):
    """URIs of three redis-server processes of this session's own."""
    from tests.redis import servers
    from tests.servers import free_port

    if servers.redis_server_binary() is None:
        require_service('redis', 'no redis-server binary to start pools with')
    processes = servers.Processes(tmp_path_factory.mktemp('redis-pools'))
    try:
        ports = [free_port() for _ in range(3)]
        for port in ports:
            processes.start(port)
        yield [f'redis://127.0.0.1:{port}' for port in ports]
    finally:
        processes.stop_all()
