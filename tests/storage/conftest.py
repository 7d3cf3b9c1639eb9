"""Bind the storage contract suite to every backend.

Each backend is a *factory* in ``BACKENDS``: given the pytest request, it
returns a ``Backend`` (entry point name and config overrides), which is
plain data so that other processes can build their own driver from it.
To add a driver (Redis, MongoDB), write one factory and add it to
``BACKENDS``; every test in tests/storage then runs against it.

Tests share a backend's database, so each test works in its own project
(a fresh uuid) and nothing ever wipes shared state.

PostgreSQL: ZAQAR_TEST_POSTGRESQL_URL names the server (any database on it,
default postgres@127.0.0.1:5432); the session creates a database
zaqar_test_<hex> there and drops it at the end. An unreachable server skips
those tests, or fails them under CI=true.
"""

import os
import uuid

import pytest

from tests.conftest import require_service
from tests.storage.helpers import CLIENT, Backend, build_driver

SQLALCHEMY_GROUP = 'drivers:message_store:sqlalchemy'
POSTGRESQL_URL = os.environ.get(
    'ZAQAR_TEST_POSTGRESQL_URL', 'postgresql://postgres@127.0.0.1:5432/postgres')
REDIS_GROUP = 'drivers:message_store:redis'
REDIS_URL = os.environ.get('ZAQAR_TEST_REDIS_URL', 'redis://127.0.0.1:6379')


# -- backends ---------------------------------------------------------------

def sqlite_backend(request):
    tmp_path = request.getfixturevalue('tmp_path')
    uri = f'sqlite:///{tmp_path / "zaqar.sqlite"}'
    return Backend('sqlalchemy', ((SQLALCHEMY_GROUP, 'uri', uri),))


def postgresql_backend(request):
    uri = request.getfixturevalue('postgresql_database')
    return Backend('sqlalchemy', ((SQLALCHEMY_GROUP, 'uri', uri),))


def redis_backend(request):
    uri = request.getfixturevalue('redis_prefix_uri')
    return Backend('redis', ((REDIS_GROUP, 'uri', uri),))


BACKENDS = {
    'sqlite': sqlite_backend,
    'postgresql': postgresql_backend,
    'redis': redis_backend,
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


@pytest.fixture(params=sorted(BACKENDS))
def backend(request):
    return BACKENDS[request.param](request)


@pytest.fixture
def driver(backend):
    driver = build_driver(backend)
    yield driver
    driver.close()


# -- per-test names and shortcuts -------------------------------------------

@pytest.fixture
def project():
    return uuid.uuid4().hex


@pytest.fixture
def other_project():
    return uuid.uuid4().hex


@pytest.fixture
def queues(driver):
    return driver.queue_controller


@pytest.fixture
def messages(driver):
    return driver.message_controller


@pytest.fixture
def claims(driver):
    return driver.claim_controller


@pytest.fixture
def post(messages, project):
    """post(n, queue='q', ttl=60, ...) -> ids: post n messages {'n': i}."""

    def post(n, queue='q', ttl=60, delay=0, client=CLIENT, project=project,
             start=0):
        batch = [{'ttl': ttl, 'body': {'n': start + i}, 'delay': delay}
                 for i in range(n)]
        return messages.post(queue, batch, client, project)

    return post

