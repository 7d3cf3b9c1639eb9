"""Frames and envelopes (api-v2.md section 9.1).

A text frame carries JSON and a binary frame MessagePack; a response goes
back in the encoding of its request. Requests are ``{"action", "headers",
"body"}``; responses echo the request and carry ``{"status": N}`` headers.
"""

import dataclasses
import json

import msgpack

API = 'v2'

UNEXPECTED_TYPE = 'Unexpected body type. Expected dict or dict like.'


class UndecodableFrame(ValueError):
    """A frame that is not JSON (text) or MessagePack (binary)."""

    def __init__(self, binary, exc):
        kind = 'binary (MessagePack)' if binary else 'text (JSON)'
        super().__init__(f"Can't decode {kind} request. {type(exc).__name__}: {exc}")


@dataclasses.dataclass
class Request:
    """A request as the client sent it; ``binary`` is its frame type."""

    action: object = None
    headers: dict = dataclasses.field(default_factory=dict)
    body: object = dataclasses.field(default_factory=dict)
    binary: bool = False

    @classmethod
    def from_payload(cls, payload, binary):
        return cls(action=payload.get('action'), headers=payload.get('headers') or {},
                   body=payload.get('body', {}), binary=binary)

    def echo(self):
        return {'action': self.action, 'body': self.body, 'headers': self.headers,
                'api': API}


def decode(frame):
    """(payload, binary) of a frame; raise UndecodableFrame."""
    binary = isinstance(frame, bytes)
    try:
        if binary:
            payload = msgpack.unpackb(frame, raw=False)
            # Bytes (MessagePack "bin") and the like have no JSON form: a
            # JSON client could never read them back.
            json.dumps(payload)
        else:
            payload = json.loads(frame)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise UndecodableFrame(binary, exc) from None
    return payload, binary


def envelope(request, status, body):
    return {'request': request.echo(), 'body': body, 'headers': {'status': status}}


def encode(document, binary):
    """The frame of a response (or a pushed notification) document."""
    if binary:
        return msgpack.packb(document)
    return json.dumps(document)


def response(request, status, body):
    """The frame answering ``request``."""
    return encode(envelope(request, status, body), request.binary)
