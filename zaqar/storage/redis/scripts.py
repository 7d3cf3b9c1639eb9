"""The Lua scripts (scripts/*.lua), each prefixed with scripts/common.lua,
and the runner that calls them.

Every storage action but a few reads is one script call, so this is the
hot path of the Redis store. ``Runner`` sends EVALSHA on a connection of
the calling thread's own, packed by hiredis in one go, instead of through
redis-py's per-command machinery (pool lock, health poll with socket
mode switches, observability hooks): that halves the client's CPU per
call. The script is loaded again on NOSCRIPT (a Redis restart, SCRIPT
FLUSH), and the retry rules are redis-py's own, from the connection's
``retry``: only a failure to connect, when nothing was sent, is retried.
"""

import functools
import hashlib
import os
import pathlib
import select
import threading
import weakref

from redis import exceptions as redis_exc

try:
    from hiredis import pack_command
except ImportError:  # hiredis is in the redis extra; without it, redis-py packs
    pack_command = None

SCRIPT_DIR = pathlib.Path(__file__).parent / 'scripts'


@functools.cache
def source(name):
    common = (SCRIPT_DIR / 'common.lua').read_text()
    return common + '\n' + (SCRIPT_DIR / f'{name}.lua').read_text()


@functools.cache
def sha(name):
    return hashlib.sha1(source(name).encode()).hexdigest()


class Runner:
    """Runs the scripts on connections made by ``pool`` (so with its
    address, credentials, Sentinel lookup, timeouts and retry policy), one
    per thread, each kept for the next call of that thread."""

    def __init__(self, pool):
        self._pool = pool
        self._local = threading.local()
        self._connections = weakref.WeakSet()  # for close(); dead threads' go with them
        self._lock = threading.Lock()

    def __call__(self, name, argv):
        conn = self._connection()
        return conn.retry.call_with_retry(lambda: self._run(conn, name, argv),
                                          lambda error: conn.disconnect())

    def _connection(self):
        local = self._local
        conn = getattr(local, 'conn', None)
        if conn is None or local.pid != os.getpid():
            # A forked child never writes on its parent's socket.
            conn = local.conn = self._pool.make_connection()
            local.pid = os.getpid()
            with self._lock:
                self._connections.add(conn)
        elif conn._sock is not None and _readable(conn._sock):  # redis-py has no cheap public check
            # An idle connection has nothing to read unless the server
            # closed it (restart, timeout): connect afresh before sending,
            # when it is still certain that nothing ran.
            conn.disconnect()
        if conn._sock is None:
            # connect(), as redis-py's pool does: a Sentinel-managed
            # connection asks the sentinels for the master there.
            conn.connect()
        return conn

    def _run(self, conn, name, argv):
        self._send(conn, ('EVALSHA', sha(name), 0, *argv))
        try:
            return conn.read_response()
        except redis_exc.NoScriptError:
            self._send(conn, ('EVAL', source(name), 0, *argv))
            return conn.read_response()

    @staticmethod
    def _send(conn, command):
        if pack_command is None:
            conn.send_command(*command, check_health=False)
        else:
            conn.send_packed_command([pack_command(command)], check_health=False)

    def close(self):
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            conn.disconnect()


def _readable(sock):
    # poll, not select: a process with thousands of sockets (WebSocket
    # clients) has descriptors past select's limit.
    poller = select.poll()
    try:
        poller.register(sock, select.POLLIN)
    except (OSError, ValueError):  # closed under us: treat as gone
        return True
    return bool(poller.poll(0))
