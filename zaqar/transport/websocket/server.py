"""The WebSocket server: one asyncio loop for every connection and the
push listener; blocking calls (storage, Keystone) on a bounded pool of
threads, so an idle connection costs a coroutine, never a thread.
"""

import asyncio
import concurrent.futures
import functools
import logging
import os
import signal
import socket

from oslo_utils import netutils
from websockets.asyncio import server as ws_server
from websockets.exceptions import ConnectionClosed

from zaqar.conf import websocket as ws_conf
from zaqar.transport.websocket import auth, push, session

LOG = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 1.0
WILDCARDS = ('0.0.0.0', '::', '')


class Server:
    """Serves ``service`` over WebSocket as ``[drivers:transport:websocket]`` says.

    ``start``/``stop`` run on the caller's loop; ``port`` and
    ``notification_port`` are the bound ports (the options may say 0).
    """

    def __init__(self, conf, service):
        self.service = service
        self._group = conf[ws_conf.GROUP]
        self.keystone = auth.Keystone(conf) if conf.auth_strategy == auth.KEYSTONE else None
        self.signing_key = conf.signed_url.secret_key
        self._executor = concurrent.futures.ThreadPoolExecutor(
            self._group.threads, thread_name_prefix='zaqar-websocket')
        self.sessions = {}
        self._listener = push.Listener(self.sessions, self._group.max_frame_size)
        self._server = None
        self.port = self.notification_port = None
        self.subscriber_base = None

    async def call(self, function, *args):
        """Run a blocking function on the worker threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(function, *args))

    async def start(self):
        group = self._group
        host = group.notification_bind or group.bind
        self.notification_port = await self._listener.start(host, group.notification_port)
        # A wildcard address listens everywhere but reaches nothing: name
        # this host in the URL instead, as upstream does.
        named = socket.gethostname() if host in WILDCARDS else netutils.escape_ipv6(host)
        self.subscriber_base = f'http://{named}:{self.notification_port}/'
        # No per-message compression: it would hold a zlib context per idle
        # connection, and notifications are small.
        self._server = await ws_server.serve(
            self._connection, group.bind, group.port, max_size=group.max_frame_size,
            compression=None)
        self.port = self._server.sockets[0].getsockname()[1]
        LOG.info('Serving WebSocket on ws://%s:%s, notifications on %s',
                 group.bind, self.port, self.subscriber_base)

    async def stop(self):
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await self._listener.stop()
        self._executor.shutdown(wait=True)

    async def _connection(self, websocket):
        connection = session.Session(websocket, self)
        self.sessions[connection.id] = connection
        try:
            async for frame in websocket:
                await websocket.send(await connection.handle(frame))
        except ConnectionClosed:
            pass  # closed by the client, by a frame too large, or by expiry
        finally:
            del self.sessions[connection.id]
            await connection.close()

    async def serve_forever(self):
        """Serve until SIGTERM or SIGINT, or until the parent process exits
        (when started beside the WSGI transport by zaqar-server)."""
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await self.start()
        parent = os.getppid()
        try:
            while not stopping.is_set():
                try:
                    await asyncio.wait_for(stopping.wait(), PARENT_CHECK_SECONDS)
                except asyncio.TimeoutError:
                    if os.getppid() != parent:
                        LOG.info('Parent process %d gone: stopping', parent)
                        break
        finally:
            await self.stop()
