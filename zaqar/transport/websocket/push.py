"""Push: notifications for subscribed connections (api-v2.md section 9.4).

A connection subscribes by creating a subscription without a subscriber:
its subscriber becomes ``http://<host>:<port>/<connection id>``, the URL of
a small HTTP listener in the WebSocket server process. Any Zaqar process
that stores a post to the queue, over HTTP or WebSocket, delivers to that
URL with its webhook task, as to any webhook, and the listener sends the
body to the connection as a frame (MessagePack when the subscription was
made over a binary frame).

The listener speaks just enough HTTP/1.1 for the notifier's webhook
client: POST with a Content-Length, answered 204 (delivered) or 404 (no
such connection: the notifier then stops retrying), connections kept
alive. Anything else is refused: 405 for another method, 400 without a
length, 413 past the largest frame.
"""

import asyncio
import json
import logging

LOG = logging.getLogger(__name__)

HEAD_LIMIT = 16 * 1024
_REASONS = {204: 'No Content', 400: 'Bad Request', 404: 'Not Found',
            405: 'Method Not Allowed', 413: 'Payload Too Large'}


class Listener:
    """Turns POSTs to /<connection id> into frames for that connection.

    ``connections`` maps ids to objects with ``async push(document)``.
    """

    def __init__(self, connections, max_body):
        self._connections = connections
        self._max_body = max_body
        self._server = None
        self._serving = set()  # tasks of open HTTP connections
        self.port = None

    async def start(self, host, port):
        self._server = await asyncio.start_server(self._serve, host, port,
                                                  limit=HEAD_LIMIT)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self):
        if self._server is not None:
            self._server.close()
            # Kept-alive connections of notifiers hold a task each.
            for task in list(self._serving):
                task.cancel()
            await asyncio.gather(*self._serving, return_exceptions=True)
            await self._server.wait_closed()

    async def _serve(self, reader, writer):
        task = asyncio.current_task()
        self._serving.add(task)
        try:
            while await self._one(reader, writer):
                pass
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                ValueError):
            pass  # a client gone or speaking something else: drop it
        finally:
            self._serving.discard(task)
            writer.close()

    async def _one(self, reader, writer):
        """Serve one request; False when the connection should close."""
        head = await reader.readuntil(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        method, target, _version = lines[0].split(' ', 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(':')
            headers[name.strip().lower()] = value.strip()
        length = headers.get('content-length', '')
        if method != 'POST':
            return await _answer(writer, 405, keep=False)
        if not length.isdigit() or 'transfer-encoding' in headers:
            return await _answer(writer, 400, keep=False)
        if int(length) > self._max_body:
            return await _answer(writer, 413, keep=False)
        data = await reader.readexactly(int(length))
        status = await self._deliver(target.lstrip('/'), data)
        return await _answer(writer, status, keep=headers.get('connection') != 'close')

    async def _deliver(self, connection_id, data):
        connection = self._connections.get(connection_id)
        if connection is None:
            return 404
        try:
            document = json.loads(data)
        except ValueError:
            return 400
        return 204 if await connection.push(document) else 404


async def _answer(writer, status, keep):
    closing = '' if keep else 'Connection: close\r\n'
    writer.write(f'HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Length: 0\r\n'
                 f'{closing}\r\n'.encode())
    await writer.drain()
    return keep
