"""Limits that protect a real zaqar-server, spoken to over raw sockets.

Slow clients: a client that sends part of its headers, or its headers and
part of its body, and then stalls, is disconnected after
[drivers:transport:wsgi] client_timeout (here 1.5 s); meanwhile others are
served. Bodies: a Content-Length past the limit is refused before the body
is sent; a chunked body is read, and bounded.
"""

import json
import socket
import time
from urllib.parse import urlsplit

import pytest

from tests.fuzz.conftest import CLIENT_ID

TIMEOUT = 1.5
HEADERS = f'Client-ID: {CLIENT_ID}\r\nX-Project-ID: limits\r\n'


def _connect(url):
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.settimeout(10)
    return sock


def _read_all(sock):
    """Everything the server sends until it closes; and how long that took."""
    started, data = time.monotonic(), b''
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data, time.monotonic() - started


def _read_response(sock):
    """The first response on ``sock``, read up to its Content-Length."""
    data = b''
    while b'\r\n\r\n' not in data:
        data += sock.recv(65536)
    status, headers, body = _response(data)
    while len(body) < int(headers['Content-Length']):
        body += sock.recv(65536)
    return status, headers, body


def _response(data):
    head, _, body = data.partition(b'\r\n\r\n')
    status = int(head.split(b' ', 2)[1])
    headers = dict(line.split(': ', 1) for line in head.decode().split('\r\n')[1:])
    return status, headers, body


def test_stalled_clients_are_disconnected_and_others_served(limits_server):
    # Three stalled clients for two threads: the third waits for a thread,
    # then for its own timeout; the normal request after them all.
    bound = 3 * TIMEOUT + 5
    warm = _connect(limits_server)  # the store's first use is not timed
    warm.sendall(f'GET /v2/queues HTTP/1.1\r\nHost: x\r\n{HEADERS}\r\n'.encode())
    assert _read_response(warm)[0] == 200
    warm.close()
    stalled = []
    for _ in range(3):  # more than the worker's two threads
        sock = _connect(limits_server)
        sock.sendall(b'GET /v2/queues HTTP/1.1\r\nHost: x\r\n')  # headers never end
        stalled.append(sock)
    time.sleep(0.3)  # the threads are taken
    started = time.monotonic()
    normal = _connect(limits_server)
    normal.sendall(f'GET /v2/queues HTTP/1.1\r\nHost: x\r\n{HEADERS}'
                   'Connection: close\r\n\r\n'.encode())
    status, _, body = _response(_read_all(normal)[0])
    assert status == 200, body
    assert time.monotonic() - started < bound
    for sock in stalled:
        data, _ = _read_all(sock)
        assert data == b''  # closed without a word: its request never began
        sock.close()
    assert time.monotonic() - started < bound


def test_a_stalled_body_is_408(limits_server):
    sock = _connect(limits_server)
    sock.sendall(f'POST /v2/queues/q/messages HTTP/1.1\r\nHost: x\r\n{HEADERS}'
                 'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n'
                 '{"messa'.encode())
    started = time.monotonic()
    status, _, body = _read_response(sock)
    assert (status, json.loads(body)) == (408, {
        'title': 'Request timeout',
        'description': 'The request body did not arrive in time.'})
    assert TIMEOUT - 0.5 < time.monotonic() - started < TIMEOUT + 3


def test_a_body_past_the_limit_is_refused_unread(limits_server):
    sock = _connect(limits_server)
    # Only the headers are sent: the answer cannot wait for a gigabyte.
    sock.sendall(f'POST /v2/queues/q/messages HTTP/1.1\r\nHost: x\r\n{HEADERS}'
                 'Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n'
                 .encode())
    started = time.monotonic()
    status, _, body = _read_response(sock)
    assert (status, json.loads(body)) == (413, {
        'title': 'Request body too large',
        'description': 'The request body may not be larger than 1048576 bytes.'})
    assert time.monotonic() - started < TIMEOUT


def _chunked(sock, payload, size=4096):
    sock.sendall(f'POST /v2/queues/q/messages HTTP/1.1\r\nHost: x\r\n{HEADERS}'
                 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n'
                 'Connection: close\r\n\r\n'.encode())
    try:
        for start in range(0, len(payload), size):
            chunk = payload[start:start + size]
            sock.sendall(b'%x\r\n%s\r\n' % (len(chunk), chunk))
        sock.sendall(b'0\r\n\r\n')
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused before the end: the answer is already there
    return _response(_read_all(sock)[0])


def test_a_chunked_body_is_read(limits_server):
    body = json.dumps({'messages': [{'body': 'chunked'}]}).encode()
    status, _, answer = _chunked(_connect(limits_server), body, size=7)
    assert status == 201, answer
    assert len(json.loads(answer)['resources']) == 1


def test_a_chunked_body_past_the_limit_is_413(limits_server):
    payload = b'{"messages": [{"body": "' + b'x' * (2 * 1024 * 1024) + b'"}]}'
    status, headers, body = _chunked(_connect(limits_server), payload, size=65536)
    assert status == 413, body
    assert json.loads(body)['title'] == 'Request body too large'


@pytest.mark.parametrize('request_head, status', [
    (f'GET /v2/queues HTTP/1.1\r\nHost: x\r\nX-Big: {"a" * 10000}\r\n\r\n', 431),
    (f'GET /v2/queues?{"a" * 5000} HTTP/1.1\r\nHost: x\r\n\r\n', 414),
    ('GET /v2/queues HTTP/9.9\r\nHost: x\r\n\r\n', 400),
    ('G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n', 400),
    ('GET /v2/queues HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n', 400),
    ('GET /v2/queues HTTP/1.1\r\nHost: x\r\n' + 'X-A: 1\r\n' * 200 + '\r\n', 431),
], ids=['huge-header', 'huge-request-line', 'bad-version', 'nul-method', 'bad-header-name',
        'too-many-headers'])
def test_what_the_server_cannot_parse_is_a_json_error(limits_server, request_head, status):
    sock = _connect(limits_server)
    sock.sendall(request_head.encode('latin-1'))
    answer, headers, body = _read_response(sock)
    assert answer == status, body
    assert headers['Content-Type'] == 'application/json'
    assert set(json.loads(body)) == {'title', 'description'}
