"""zaqar-server's HTTP server: gunicorn, embedded, with threaded workers."""

import logging

from gunicorn.app import base as gunicorn_base

from zaqar.storage import collector

LOG = logging.getLogger(__name__)


class _Gunicorn(gunicorn_base.BaseApplication):
    def __init__(self, app, options):
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            if key in self.cfg.settings:  # newer settings are skipped on older gunicorn
                self.cfg.set(key, value)

    def load(self):
        return self._app


def serve(conf, app, storage, on_exit=None):
    group = conf['drivers:transport:wsgi']

    def post_fork(server, worker):
        # Each worker removes expired messages off the request path.
        collector.start(storage)

    def worker_exit(server, worker):
        if on_exit is not None:
            on_exit()

    options = {
        'bind': f'{group.bind}:{group.port}',
        'workers': group.workers,
        'threads': group.threads,
        'worker_class': 'gthread',
        'post_fork': post_fork,
        'worker_exit': worker_exit,
        # Idle keep-alive connections cost no thread under gthread; a longer
        # timeout than gunicorn's 2 s spares clients that pause between
        # requests a reset connection.
        'keepalive': 60,
        'accesslog': '-',
        'errorlog': '-',
        'proc_name': 'zaqar-server',
        # One control socket per user would clash between servers on a host.
        'control_socket_disable': True,
    }
    LOG.info('Serving on http://%s:%s with %d workers x %d threads',
             group.bind, group.port, group.workers, group.threads)
    _Gunicorn(app, options).run()
