"""WebSocket figures: idle connections one server process holds, and how
fast posted messages are pushed to subscribed connections.

Starts ``zaqar-server`` with ``[drivers] transport = websocket`` (one
process) on a store, then from this process (asyncio, the ``websockets``
client):

1. opens ``--connections`` connections and keeps them open; reports the
   server's RSS and thread count before and after (no thread per
   connection), then one ``ping`` action on every connection at once
   (a storage round trip each) and a WebSocket ping frame on each;
2. subscribes ``--subscribers`` connections to one queue without a
   subscriber (push), posts ``--messages`` messages in posts of 10 from
   another connection, and reports the messages/s pushed (frames received
   by all subscribers / time from the first post to the last frame).

    .venv/bin/python benchmarks/websocket_figures.py --connections 5000 \\
        --uri redis://127.0.0.1:6379?prefix=zaqar-ws-bench
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

from websockets.asyncio import client as ws_client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from benchmarks.backend_figures import free_port, percentiles, store_of  # noqa: E402


def start_server(uri, state):
    port = free_port()
    store = store_of(uri)
    config = os.path.join(state, 'zaqar.conf')
    with open(config, 'w') as handle:
        handle.write(f'[DEFAULT]\nstate_path = {state}\n[drivers]\ntransport = websocket\n'
                     f'message_store = {store}\n[drivers:message_store:{store}]\nuri = {uri}\n'
                     f'[drivers:transport:websocket]\nport = {port}\n')
    script = os.path.join(os.path.dirname(sys.executable), 'zaqar-server')
    proc = subprocess.Popen([script, '--config-file', config],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f'ws://127.0.0.1:{port}'


def status_of(pid):
    """(RSS in MiB, threads) of a process."""
    fields = {}
    with open(f'/proc/{pid}/status') as handle:
        for line in handle:
            name, _, value = line.partition(':')
            fields[name] = value.split()
    return int(fields['VmRSS'][0]) / 1024, int(fields['Threads'][0])


class Conn:
    """One connection with a project and Client-ID."""

    def __init__(self, ws, project):
        self.ws = ws
        self.headers = {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': project}

    async def call(self, action, body=None):
        await self.ws.send(json.dumps({'action': action, 'headers': self.headers,
                                       'body': body or {}}))
        return json.loads(await self.ws.recv())


async def connect(url, project, attempts=100):
    for _ in range(attempts):
        try:
            ws = await ws_client.connect(url, compression=None, max_queue=None,
                                         open_timeout=60, ping_interval=None)
            return Conn(ws, project)
        except OSError:
            await asyncio.sleep(0.1)
    raise SystemExit(f'cannot connect to {url}')


async def timed(coroutine):
    start = time.perf_counter()
    await coroutine
    return time.perf_counter() - start


async def frame_ping(conn):
    start = time.perf_counter()
    await (await conn.ws.ping())
    return time.perf_counter() - start


async def held_connections(url, pid, count, project):
    await (await connect(url, project)).ws.close()  # the server is up
    rss0, threads0 = status_of(pid)
    start = time.perf_counter()
    conns = []
    for batch in range(0, count, 500):  # under the listen backlog
        conns += await asyncio.gather(*(connect(url, project)
                                        for _ in range(min(500, count - batch))))
    opened = time.perf_counter() - start
    rss1, threads1 = status_of(pid)
    start = time.perf_counter()
    pings = await asyncio.gather(*(timed(c.call('ping')) for c in conns))
    all_pinged = time.perf_counter() - start
    frames = await asyncio.gather(*(frame_ping(c) for c in conns))
    _, threads2 = status_of(pid)
    print(f'connections held: {len(conns)} (opened in {opened:.1f} s)')
    print(f'server RSS: {rss0:.0f} MiB idle -> {rss1:.0f} MiB with them '
          f'({(rss1 - rss0) * 1024 / count:.1f} KiB per connection); '
          f'threads {threads0} -> {threads1} (-> {threads2} once requests ran: the '
          f'bounded pool)')
    p50, p95, p99 = percentiles(pings)
    print(f'ping action on every connection at once: {all_pinged:.2f} s, '
          f'{count / all_pinged:.0f} req/s; round trip p50 {p50:.1f} ms, '
          f'p95 {p95:.1f} ms, p99 {p99:.1f} ms')
    p50, _, p99 = percentiles(frames)
    print(f'WebSocket ping frame round trip: p50 {p50:.1f} ms, p99 {p99:.1f} ms')
    return conns


async def pushed(url, subscribers, messages, project):
    queue = f'push-{uuid.uuid4().hex[:8]}'
    subs = [await connect(url, project) for _ in range(subscribers)]
    for sub in subs:
        answer = await sub.call('subscription_create', {'queue_name': queue})
        assert answer['headers']['status'] == 201, answer
    producer = await connect(url, project)
    expected = subscribers * messages

    async def drain(sub):
        for _ in range(messages):
            await sub.ws.recv()

    start = time.perf_counter()
    receiving = asyncio.gather(*(drain(s) for s in subs))
    for first in range(0, messages, 10):
        batch = [{'body': {'n': n}, 'ttl': 300} for n in range(first, min(messages, first + 10))]
        answer = await producer.call('message_post', {'queue_name': queue, 'messages': batch})
        assert answer['headers']['status'] == 201, answer
    posted = time.perf_counter() - start
    await asyncio.wait_for(receiving, 300)
    elapsed = time.perf_counter() - start
    print(f'push, {subscribers} subscribed connection(s): {messages} messages posted in '
          f'{posted:.2f} s; {expected} frames pushed in {elapsed:.2f} s = '
          f'{expected / elapsed:.0f} messages/s pushed')
    for conn in [*subs, producer]:
        await conn.ws.close()


async def main_async(args, url, pid):
    project = str(uuid.uuid4())
    conns = await held_connections(url, pid, args.connections, project)
    for conn in conns:
        await conn.ws.close()
    for subscribers in args.subscribers:
        await pushed(url, subscribers, args.messages, project)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--uri', default='redis://127.0.0.1:6379?prefix=zaqar-ws-bench',
                        help='message store URI (redis://..., sqlite:///..., ...)')
    parser.add_argument('--connections', type=int, default=2000)
    parser.add_argument('--subscribers', type=int, nargs='+', default=[1, 10])
    parser.add_argument('--messages', type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        proc, url = start_server(args.uri, state)
        try:
            asyncio.run(main_async(args, url, proc.pid))
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == '__main__':
    main()
