"""Real receivers on loopback: an HTTP server and an SMTP server that record
what they get, and a sendmail stand-in that files every mail it is given."""

import http.server
import json
import os
import socket
import stat
import threading
import time

from tests.servers import free_port


class Request:
    def __init__(self, method, path, headers, body, client):
        self.method, self.path, self.headers, self.body = method, path, headers, body
        self.client = client  # (address, port): the same port means the same connection
        self.at = time.monotonic()

    def json(self):
        return json.loads(self.body)


class WebhookReceiver:
    """An HTTP server thread recording every request.

    ``fail_first``: answer the first N requests with ``fail_status``;
    ``status``: the answer after that; ``sleep``: seconds to wait before
    answering; ``listening=False``: the port is taken but refuses
    connections until ``listen()``.
    """

    def __init__(self, fail_first=0, fail_status=500, status=204, sleep=0.0,
                 listening=True):
        self.fail_first, self.fail_status = fail_first, fail_status
        self.status, self.sleep = status, sleep
        self.requests = []
        self.answered = 0
        self._changed = threading.Condition()
        self._release = threading.Event()
        # Bound but not listening: a connection is refused, and the port
        # stays ours until the server takes the socket over.
        self._socket = socket.socket()
        self._socket.bind(('127.0.0.1', 0))
        self.port = self._socket.getsockname()[1]
        self._server = None
        if listening:
            self.listen()

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}/hook'

    def listen(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                request = Request('POST', self.path, dict(self.headers), body,
                                  self.client_address)
                status = receiver._record(request)
                if receiver.sleep:
                    receiver._release.wait(receiver.sleep)
                answer = b'' if status in (204, 304) else b'{"answer": "recorded"}'
                self.send_response(status)
                self.send_header('Content-Length', str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(('127.0.0.1', self.port), Handler,
                                                 bind_and_activate=False)
        server.socket.close()
        server.socket = self._socket
        server.daemon_threads = True
        self._socket.listen(64)
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def _record(self, request):
        with self._changed:
            self.requests.append(request)
            self.answered += 1
            status = self.fail_status if self.answered <= self.fail_first else self.status
            self._changed.notify_all()
        return status

    def wait_for(self, count, timeout=15.0):
        """The first ``count`` requests, once they have arrived."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f'{len(self.requests)} of {count} requests arrived '
                                     f'at {self.url} within {timeout} s')
            return list(self.requests[:count])

    def bodies(self):
        return [r.json() for r in self.requests]

    def close(self):
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        else:
            self._socket.close()


class SmtpReceiver:
    """aiosmtpd on loopback, recording envelopes. ``rcpt_replies``: replies
    to the first RCPT commands (e.g. '451 try later'); then 250."""

    def __init__(self, rcpt_replies=(), tls_context=None, implicit_tls=False):
        from aiosmtpd.controller import Controller

        self.envelopes = []
        self.rcpt_replies = list(rcpt_replies)
        self.rcpt_seen = 0
        self._changed = threading.Condition()
        self.port = free_port()
        kwargs = {}
        if tls_context is not None and implicit_tls:
            kwargs['ssl_context'] = tls_context
        elif tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        self._controller = Controller(self, hostname='127.0.0.1', port=self.port, **kwargs)
        self._controller.start()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._changed:
            self.rcpt_seen += 1
            reply = self.rcpt_replies.pop(0) if self.rcpt_replies else None
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        with self._changed:
            self.envelopes.append(envelope)
            self._changed.notify_all()
        return '250 Message accepted for delivery'

    def wait_for(self, count, timeout=15.0):
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.envelopes) >= count, timeout):
                raise AssertionError(f'{len(self.envelopes)} of {count} mails arrived')
            return list(self.envelopes[:count])

    def close(self):
        self._controller.stop()


SENDMAIL = """#!/bin/sh
# Files the mail on standard input; exits with the first code listed in
# $DIR/exits (one per line, consumed), else 0.
dir='{dir}'
printf '%s\\n' "$*" > "$dir/args"
mail="$dir/mail.$(date +%s%N).$$"
cat > "$mail"
code=0
if [ -s "$dir/exits" ]; then
    code=$(head -n 1 "$dir/exits")
    tail -n +2 "$dir/exits" > "$dir/exits.next" && mv "$dir/exits.next" "$dir/exits"
fi
[ "$code" = 0 ] || rm -f "$mail"
exit "$code"
"""


class Sendmail:
    """A recording sendmail command in ``directory``."""

    def __init__(self, directory, exits=()):
        self.dir = directory
        self.path = os.path.join(directory, 'sendmail')
        with open(self.path, 'w') as f:
            f.write(SENDMAIL.format(dir=directory))
        os.chmod(self.path, os.stat(self.path).st_mode | stat.S_IEXEC)
        with open(os.path.join(directory, 'exits'), 'w') as f:
            f.write(''.join(f'{code}\n' for code in exits))

    @property
    def command(self):
        return f'{self.path} -t -oi'

    def mails(self):
        names = sorted(n for n in os.listdir(self.dir) if n.startswith('mail.'))
        mails = []
        for name in names:
            with open(os.path.join(self.dir, name), 'rb') as f:
                mails.append(f.read())
        return mails

    def args(self):
        with open(os.path.join(self.dir, 'args')) as f:
            return f.read().split()


def subscription(subscriber, options=None, sid='sub-1', source='fruits', ttl=3600):
    return {'id': sid, 'source': source, 'subscriber': subscriber, 'ttl': ttl,
            'options': options or {}, 'confirmed': True}
