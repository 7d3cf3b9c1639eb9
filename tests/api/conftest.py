"""The real WSGI app over a real store, once per backend.

Every test in tests/api runs against each backend of tests/backends.py
(SQLite, PostgreSQL, Redis). The same request must give the same status
and body on each, so the tests assert whole bodies and never branch on the
backend.

Apps are built once per (backend, configuration) and shared; each test
works in its own project (a fresh uuid) with its own Client-ID, so nothing
ever wipes shared state.
"""

import pytest
import webtest

from tests.api.helpers import Api
from tests.backends import BACKENDS
from zaqar import conf as zconf
from zaqar.transport.wsgi import app as wsgi_app


@pytest.fixture(scope='session', params=sorted(BACKENDS))
def make_app(request, tmp_path_factory):
    """``make_app(config_text=None, **overrides)``: the app of this backend.

    ``config_text`` is read as a zaqar.conf file (for options that only a
    file can set, such as a keystoneauth plugin's); ``name=value`` overrides
    [DEFAULT] and ``group__name=value`` another group. Apps with the same
    configuration are built once and shared by the session.
    """
    backend = BACKENDS[request.param](request)
    built = {}

    def make(config_text=None, **overrides):
        key = (config_text, tuple(sorted(overrides.items())))
        if key not in built:
            files = []
            if config_text:
                path = tmp_path_factory.mktemp('conf') / 'zaqar.conf'
                path.write_text(config_text)
                files.append(str(path))
            conf = backend.configure(zconf.new(args=[], config_files=files))
            for option, value in overrides.items():
                group, _, name = option.rpartition('__')
                conf.set_override(name, value, group=group or None)
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
