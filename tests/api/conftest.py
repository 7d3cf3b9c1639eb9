"""The real WSGI app over a real database, once per backend.

Every test in tests/api runs against each backend in ``BACKENDS``: SQLite
(a file under the session's temporary directory) and PostgreSQL (a database
of its own, created for the session and dropped at the end). The same
request must give the same status and body on both, so the tests assert
whole bodies and never branch on the backend.

Apps are built once per (backend, configuration) and shared; each test
works in its own project (a fresh uuid) with its own Client-ID, so nothing
ever wipes shared state.

PostgreSQL: ZAQAR_TEST_POSTGRESQL_URL names the server (default
postgresql://postgres@127.0.0.1:5432/postgres). An unreachable server skips
those tests, or fails them under CI=true (tests/conftest.py).
"""

import os
import uuid

import pytest
import webtest

from tests.api.helpers import Api
from tests.conftest import require_service
from zaqar import conf as zconf
from zaqar.transport.wsgi import app as wsgi_app

SQLALCHEMY_GROUP = 'drivers:message_store:sqlalchemy'
POSTGRESQL_URL = os.environ.get(
    'ZAQAR_TEST_POSTGRESQL_URL', 'postgresql://postgres@127.0.0.1:5432/postgres')
BACKENDS = ('sqlite', 'postgresql')


@pytest.fixture(scope='session')
def sqlite_uri(tmp_path_factory):
    return f'sqlite:///{tmp_path_factory.mktemp("api") / "zaqar.sqlite"}'


@pytest.fixture(scope='session')
def postgresql_uri():
    """A database of its own for this session, dropped at the end."""
    import psycopg2
    import sqlalchemy as sa

    server = sa.engine.make_url(POSTGRESQL_URL)
    params = {'host': server.host or '127.0.0.1', 'port': server.port or 5432,
              'user': server.username or 'postgres', 'password': server.password,
              'dbname': server.database or 'postgres', 'connect_timeout': 5}
    name = f'zaqar_api_test_{uuid.uuid4().hex[:12]}'
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


@pytest.fixture(scope='session', params=BACKENDS)
def make_app(request):
    """``make_app(**defaults)``: the app of this backend with [DEFAULT] overrides.

    Apps with the same overrides are built once and shared by the session.
    """
    uri = request.getfixturevalue(f'{request.param}_uri')
    built = {}

    def make(**overrides):
        key = tuple(sorted(overrides.items()))
        if key not in built:
            conf = zconf.new(args=[])
            conf.set_override('uri', uri, group=SQLALCHEMY_GROUP)
            for name, value in overrides.items():
                conf.set_override(name, value)
            built[key] = webtest.TestApp(wsgi_app.build(conf))
        return built[key]

    return make


@pytest.fixture
def app(make_app):
    """The app in its default configuration."""
    return make_app()


@pytest.fixture
def api(app):
    """A caller with a project and a Client-ID of its own."""
    return Api(app)
