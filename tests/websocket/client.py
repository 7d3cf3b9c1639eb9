"""A WebSocket caller of the API: one real connection, one project."""

import json
import uuid

import msgpack
from websockets.sync import client as ws_client

TIMEOUT = 10


class Caller:
    """Sends requests with this caller's Client-ID and X-Project-ID and
    returns the whole decoded response envelope."""

    def __init__(self, url, project=None, client_id=None, **connect):
        self.url = url
        self.project = project or str(uuid.uuid4())
        self.client_id = client_id or str(uuid.uuid4())
        self._connection = ws_client.connect(url, open_timeout=TIMEOUT, **connect)
        self.ws = self._connection.__enter__()

    @property
    def headers(self):
        return {'Client-ID': self.client_id, 'X-Project-ID': self.project}

    def send(self, action, body=None, headers=None, binary=False):
        """Send one request; ``headers`` are added to the caller's (None
        removes one)."""
        sent = dict(self.headers)
        for name, value in (headers or {}).items():
            if value is None:
                sent.pop(name, None)
            else:
                sent[name] = value
        payload = {'action': action, 'headers': sent}
        if body is not None:
            payload['body'] = body
        self.ws.send(msgpack.packb(payload) if binary else json.dumps(payload))

    def recv(self, timeout=TIMEOUT):
        frame = self.ws.recv(timeout=timeout)
        if isinstance(frame, bytes):
            return msgpack.unpackb(frame, raw=False)
        return json.loads(frame)

    def call(self, action, body=None, headers=None, binary=False):
        self.send(action, body, headers, binary)
        return self.recv()

    def status(self, action, body=None, **kwargs):
        return self.call(action, body, **kwargs)['headers']['status']

    def raw(self, frame):
        """Send a frame as is; the decoded answer."""
        self.ws.send(frame)
        return self.recv()

    def close(self):
        self._connection.__exit__(None, None, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def answer(response):
    """(status, body) of a response envelope."""
    return response['headers']['status'], response['body']
