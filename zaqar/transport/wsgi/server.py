"""zaqar-server's HTTP server: gunicorn, embedded, with threaded workers."""

import json
import logging
import socket

from gunicorn import util as gunicorn_util
from gunicorn.app import base as gunicorn_base
from gunicorn.workers import gthread

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


class _TimedSocket(socket.socket):
    """A client socket whose blocking mode has a timeout.

    gunicorn's gthread worker switches a connection to blocking mode for
    each request and then reads headers and body with no time limit: a
    client that sends part of a request and stalls holds a thread for
    ever (a few such clients hold them all).
    """

    __slots__ = ()
    client_timeout = None

    def setblocking(self, flag):
        if flag:
            self.settimeout(self.client_timeout)
        else:
            super().setblocking(False)


def _quiet_timeouts(record):
    """One line, not a traceback, for each stalled client gthread drops."""
    if record.exc_info and isinstance(record.exc_info[1], TimeoutError):
        record.msg, record.args, record.exc_info = (
            'Closed the connection of a client that stalled (client_timeout)', (), None)
        record.levelno, record.levelname = logging.INFO, 'INFO'
    return True


def _write_json_error(sock, status, reason, description):
    """gunicorn's own error answers (a request line or headers it cannot
    parse or that are too large: 400, 414, 431), as the API's JSON errors."""
    body = json.dumps({'title': f'{status} {reason}',
                       'description': description or reason}).encode()
    head = (f'HTTP/1.1 {status} {reason}\r\nConnection: close\r\n'
            f'Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n')
    gunicorn_util.write_nonblock(sock, head.encode('latin-1') + body)


class Worker(gthread.ThreadWorker):
    """gunicorn's gthread worker, whose reads from a client time out, and
    whose own errors are JSON with a title and a description.

    ``client_timeout`` seconds per read or write (30 by default); usable on
    its own under gunicorn: worker_class = 'zaqar.transport.wsgi.server.Worker'.
    """

    client_timeout = 30.0

    def init_process(self):
        self.log.error_log.addFilter(_quiet_timeouts)
        gunicorn_util.write_error = _write_json_error  # this worker process only
        self._socket_class = type('_TimedSocket', (_TimedSocket,),
                                  {'__slots__': (), 'client_timeout': self.client_timeout})
        super().init_process()  # runs the worker until it stops

    def enqueue_req(self, conn):
        if type(conn.sock) is socket.socket:  # new, and not TLS-wrapped
            conn.sock.__class__ = self._socket_class
        super().enqueue_req(conn)


def worker_class(client_timeout):
    return type('Worker', (Worker,), {'client_timeout': client_timeout})


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
        'worker_class': worker_class(group.client_timeout),
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
