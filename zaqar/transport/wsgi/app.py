"""WSGI entry point for uWSGI, gunicorn or mod_wsgi.

``application`` builds the service on its first request, from the file named
by ZAQAR_CONFIG_FILE or oslo.config's usual places (/etc/zaqar/zaqar.conf,
...); nothing is built at import time.
"""

import os
import threading

from zaqar import bootstrap
from zaqar import conf as zaqar_conf
from zaqar.common import heap


def build(conf):
    """Return the WSGI app of a service configured by ``conf``."""
    return bootstrap.Bootstrap(conf).transport.app


class _LazyApplication:
    def __init__(self):
        self._app = None
        self._lock = threading.Lock()

    def _build(self):
        config_file = os.environ.get('ZAQAR_CONFIG_FILE')
        conf = zaqar_conf.new(config_files=[config_file] if config_file else None)
        from zaqar.common import log

        log.setup(conf)
        app = build(conf)
        heap.settle()
        return app

    def __call__(self, environ, start_response):
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._build()
        return self._app(environ, start_response)


application = _LazyApplication()
