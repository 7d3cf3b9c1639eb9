"""A minimal HTTP/1.1 keep-alive client: one socket, one request at a time.

http.client parses each response's headers with the email package, which
costs more CPU than the rest of a benchmark worker's loop; this client reads
only the status line and the headers that frame the body (Content-Length,
Transfer-Encoding, Connection), so it stays cheap next to the server under
test on the same machine.
"""

import socket
import ssl
import urllib.parse

_NO_BODY_STATUSES = frozenset((204, 304))


class HTTPError(OSError):
    """The server's answer could not be read as HTTP/1.1."""


class Response:
    __slots__ = ('status', 'headers', 'body')

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value (last one wins)
        self.body = body


def parse_head(head):
    """Parse a response head (status line and headers, without the blank
    line) into (status, headers)."""
    lines = head.decode('latin-1').split('\r\n')
    parts = lines[0].split(' ', 2)
    if len(parts) < 2 or not parts[0].startswith('HTTP/'):
        raise HTTPError(f'bad status line: {lines[0]!r}')
    try:
        status = int(parts[1])
    except ValueError:
        raise HTTPError(f'bad status line: {lines[0]!r}') from None
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(':')
        if sep:
            headers[name.strip().lower()] = value.strip()
    return status, headers


class Target:
    """Where requests go: scheme, host, port and a path prefix."""

    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ('http', 'https'):
            raise ValueError(f'unsupported URL scheme in {url!r}')
        self.tls = parsed.scheme == 'https'
        self.host = parsed.hostname or 'localhost'
        self.port = parsed.port or (443 if self.tls else 80)
        self.prefix = parsed.path.rstrip('/')
        default_port = self.port == (443 if self.tls else 80)
        self.netloc = self.host if default_port else f'{self.host}:{self.port}'


class Connection:
    """A keep-alive connection that reconnects when the server closed it."""

    def __init__(self, target, headers, timeout=30.0):
        self._target = target
        self._timeout = timeout
        fixed = {'Host': target.netloc, **headers}
        self._fixed = ''.join(f'{name}: {value}\r\n' for name, value in fixed.items())
        self._sock = None
        self._buffer = b''
        self._reused = False

    def close(self):
        if self._sock is not None:
            self._sock.close()
        self._sock, self._buffer, self._reused = None, b'', False

    def _connect(self):
        sock = socket.create_connection((self._target.host, self._target.port),
                                        timeout=self._timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._target.tls:
            sock = ssl.create_default_context().wrap_socket(
                sock, server_hostname=self._target.host)
        self._sock, self._buffer, self._reused = sock, b'', False

    def request(self, method, path, body=b''):
        """Send one request, return its Response. A request on a reused
        connection that the server had closed (no byte of an answer came
        back) is sent once more on a new connection."""
        data = (f'{method} {self._target.prefix}{path} HTTP/1.1\r\n{self._fixed}'
                f'Content-Length: {len(body)}\r\n\r\n').encode('latin-1') + body
        try:
            if self._sock is None:
                self._connect()
            elif self._reused:
                try:
                    return self._exchange(method, data)
                except (BrokenPipeError, ConnectionResetError, _ClosedBeforeAnswer):
                    self.close()
                    self._connect()
            return self._exchange(method, data)
        except (OSError, HTTPError, _ClosedBeforeAnswer) as exc:
            self.close()
            raise HTTPError(f'{method} {path}: {exc or type(exc).__name__}') from exc

    def _exchange(self, method, data):
        self._sock.sendall(data)
        status, headers = self._read_head()
        try:
            body = self._read_body(method, status, headers)
        except ConnectionResetError as exc:
            raise HTTPError(f'connection closed mid-answer: {exc}') from None
        if headers.get('connection', '').lower() == 'close':
            self.close()
        else:
            self._reused = True
        return Response(status, headers, body)

    def _read_body(self, method, status, headers):
        if method == 'HEAD' or status in _NO_BODY_STATUSES or status < 200:
            body = b''
        elif headers.get('transfer-encoding', '').lower() == 'chunked':
            body = self._read_chunked()
        elif 'content-length' in headers:
            body = self._read_exactly(int(headers['content-length']))
        else:
            body = self._read_to_close()
        return body

    def _recv(self):
        chunk = self._sock.recv(65536)
        if not chunk:
            raise ConnectionResetError('the server closed the connection')
        self._buffer += chunk

    def _read_head(self):
        while True:
            end = self._buffer.find(b'\r\n\r\n')
            if end >= 0:
                break
            try:
                self._recv()
            except ConnectionResetError as exc:
                if not self._buffer:
                    raise _ClosedBeforeAnswer() from None
                raise HTTPError(f'connection closed mid-answer: {exc}') from None
        head, self._buffer = self._buffer[:end], self._buffer[end + 4:]
        return parse_head(head)

    def _read_exactly(self, size):
        while len(self._buffer) < size:
            self._recv()
        body, self._buffer = self._buffer[:size], self._buffer[size:]
        return body

    def _read_line(self):
        while (end := self._buffer.find(b'\r\n')) < 0:
            self._recv()
        line, self._buffer = self._buffer[:end], self._buffer[end + 2:]
        return line

    def _read_chunked(self):
        parts = []
        while True:
            size = int(self._read_line().split(b';', 1)[0], 16)
            if size == 0:
                while self._read_line():  # trailers, up to the blank line
                    pass
                return b''.join(parts)
            parts.append(self._read_exactly(size))
            self._read_line()

    def _read_to_close(self):
        try:
            while True:
                self._recv()
        except ConnectionResetError:
            pass
        body = self._buffer
        self.close()
        return body


class _ClosedBeforeAnswer(Exception):
    """The server closed the connection before any byte of an answer."""
