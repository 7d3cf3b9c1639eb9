"""Round trips to Redis per API action, counted by the server (MONITOR).

Starts a private redis-server on a free port, drives the real WSGI app
in-process, and counts the commands each request sent to Redis, leaving
out those a Lua script ran inside the server. Run:

    .venv/bin/python benchmarks/redis_round_trips.py
"""

import json
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import redis
import webtest

from zaqar import conf as zaqar_conf
from zaqar.transport.wsgi import app as wsgi_app


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Monitor:
    """Collects the commands clients send (script-internal ones excluded)."""

    def __init__(self, port):
        self._client = redis.Redis(port=port)
        self.commands = []
        self._lock = threading.Lock()
        threading.Thread(target=self._run, daemon=True).start()
        time.sleep(0.3)

    def _run(self):
        try:
            with self._client.monitor() as monitor:
                for event in monitor.listen():
                    if event.get('client_type') != 'lua':
                        with self._lock:
                            self.commands.append(event['command'].split()[0].upper())
        except redis.ConnectionError:
            pass  # the server was stopped: the measurement is over

    def take(self):
        time.sleep(0.2)  # let MONITOR deliver the last lines
        with self._lock:
            taken, self.commands = self.commands, []
        return taken


def actions(api, queue):
    mid = []
    claim = {}

    def post_one():
        body = api.post_json(f'/v2/queues/{queue}/messages',
                             {'messages': [{'body': 1}]}).json
        mid.append(body['resources'][0].rsplit('/', 1)[1])

    def claim_ten():
        response = api.post_json(f'/v2/queues/{queue}/claims?limit=10', {})
        claim['href'] = response.headers['Location']
        claim['ids'] = [m['id'] for m in response.json['messages']]

    return [
        ('first post, queue', post_one),  # this process has not seen the queue
        ('post 1 message', post_one),
        ('post 10 messages', lambda: api.post_json(
            f'/v2/queues/{queue}/messages', {'messages': [{'body': i} for i in range(10)]})),
        ('list page', lambda: api.get(f'/v2/queues/{queue}/messages?echo=true')),
        ('get by ids', lambda: api.get(f'/v2/queues/{queue}/messages?ids={mid[0]}')),
        ('claim 10', claim_ten),
        ('renew claim', lambda: api.patch_json(claim['href'], {'ttl': 100})),
        ('delete with claim', lambda: api.delete(
            f'/v2/queues/{queue}/messages/{claim["ids"][0]}?claim_id='
            f'{claim["href"].rsplit("/", 1)[1]}')),
        ('delete by ids', lambda: api.delete(
            f'/v2/queues/{queue}/messages?ids={",".join(claim["ids"][1:])}')),
        ('release claim', lambda: api.delete(claim['href'])),
        ('pop 1', lambda: api.delete(f'/v2/queues/{queue}/messages?pop=1')),
        ('stats', lambda: api.get(f'/v2/queues/{queue}/stats')),
    ]


def main():
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(['redis-server', '--port', str(port), '--save', '',
                                   '--appendonly', 'no', '--dir', tmp],
                                  stdout=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            conf = zaqar_conf.new(args=[])
            conf.set_override('message_store', 'redis', group='drivers')
            conf.set_override('uri', f'redis://127.0.0.1:{port}',
                              group='drivers:message_store:redis')
            api = webtest.TestApp(wsgi_app.build(conf), extra_environ={})
            api.extra_environ = {'HTTP_CLIENT_ID': str(uuid.uuid4()),
                                 'HTTP_X_PROJECT_ID': 'bench'}
            monitor = Monitor(port)
            warm = actions(api, 'warmup')
            for _, action in warm:  # loads every script once
                action()
            monitor.take()
            print(f'{"action":<20} round trips  commands')
            for name, action in actions(api, 'measured'):
                action()
                sent = monitor.take()
                print(f'{name:<20} {len(sent):>11}  {json.dumps(sent)}')
        finally:
            server.terminate()
            server.wait()


if __name__ == '__main__':
    main()
