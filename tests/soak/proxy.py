"""A TCP proxy on loopback that makes a backend slow, cuts it, or refuses it.

The server processes of the soak test reach every network store through
one of these, so the test can hurt the network between them without
touching the shared servers:

* ``slow(seconds)``: every chunk, in either direction, waits that long;
* ``cut()``: every open connection is reset (both ends see an RST), new
  ones are still accepted;
* ``refuse()``: resets every open connection and stops listening, so a
  new connection is refused (ECONNREFUSED), as when the store is down;
* ``mute()``: the store's replies are swallowed (its requests still
  reach it), until ``restore()``, so that a ``cut()`` loses a reply whose
  request was carried out;
* ``restore()``: listens again on the same port, without latency or mute.

Threads, two per connection: the proxies carry a few dozen connections.
"""

import contextlib
import socket
import struct
import threading
import time

ACCEPT_POLL = 0.1  # seconds; how soon a closed listener's thread notices
CHUNK = 65536


class Proxy:
    """Forwards 127.0.0.1:<port> to ``upstream`` ((host, port))."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.latency = 0.0
        self.muted = None  # bytes of replies swallowed while muted; None: not muted
        self.port = None
        self.accepted = 0
        self.cuts = 0  # connections reset by cut() or refuse()
        self._generation = 0  # cut() calls so far
        self._links = set()
        self._lock = threading.Lock()
        self._listener = None
        self._listen()

    @property
    def address(self):
        return '127.0.0.1', self.port

    @property
    def listening(self):
        return self._listener is not None

    def slow(self, seconds):
        self.latency = seconds

    def mute(self):
        self.muted = 0

    def cut(self):
        """Reset every open connection; return how many there were."""
        with self._lock:
            links, self._links = self._links, set()
            self._generation += 1
        for link in links:
            link.reset()
        self.cuts += len(links)
        return len(links)

    def refuse(self):
        """Stop listening and reset every open connection."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        return self.cut()

    def restore(self):
        self.latency = 0.0
        self.muted = None
        if self._listener is None:
            self._listen()

    def close(self):
        self.refuse()

    def _listen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(('127.0.0.1', self.port or 0))
        listener.listen(128)
        listener.settimeout(ACCEPT_POLL)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True,
                         name=f'proxy-{self.port}').start()

    def _accept(self, listener):
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by refuse()
                return
            client.settimeout(None)
            self.accepted += 1
            threading.Thread(target=self._open, args=(client, self._generation),
                             daemon=True).start()

    def _open(self, client, generation):
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _reset(client)  # the store is down: so is its proxy
            return
        server.settimeout(None)
        link = _Link(client, server)
        with self._lock:
            cut = generation != self._generation
            if not cut:
                self._links.add(link)
        if cut:  # accepted before a cut() that could not see it yet
            link.reset()
            return
        pumps = [threading.Thread(target=self._pump, args=(link, *ends), daemon=True)
                 for ends in ((client, server, False), (server, client, True))]
        for pump in pumps:
            pump.start()
        for pump in pumps:
            pump.join()
        with self._lock:
            self._links.discard(link)
        link.close()

    def _pump(self, link, source, sink, replies):
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    with contextlib.suppress(OSError):
                        sink.shutdown(socket.SHUT_WR)
                    return
                if self.latency:
                    time.sleep(self.latency)
                if replies and self.muted is not None:
                    self.muted += len(data)
                    continue
                sink.sendall(data)
        except OSError:
            link.reset()


class _Link:
    """The two sockets of one proxied connection."""

    def __init__(self, client, server):
        self.sockets = (client, server)

    def reset(self):
        for sock in self.sockets:
            _reset(sock)

    def close(self):
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()


def _reset(sock):
    """Close with an RST, not a FIN: the peer sees a broken connection."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
