"""Connections cost no thread: many idle ones are held by the server's
event loop, and each is served in turn by the bounded worker pool."""

import asyncio
import json
import threading
import uuid

from websockets.asyncio import client as ws_client

HELD = 300


def test_idle_connections_cost_no_thread_and_all_are_served(running):
    headers = {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': str(uuid.uuid4())}
    request = json.dumps({'action': 'queue_list', 'headers': headers, 'body': {}})

    async def hold():
        conns = await asyncio.gather(*(ws_client.connect(running.url) for _ in range(HELD)))
        during = threading.active_count()
        try:
            await asyncio.gather(*(c.send(request) for c in conns))
            answers = await asyncio.gather(*(c.recv() for c in conns))
        finally:
            await asyncio.gather(*(c.close() for c in conns))
        return during, [json.loads(a)['headers']['status'] for a in answers]

    before = threading.active_count()
    during, statuses = asyncio.run(hold())
    # None per connection (the asyncio client adds none either); other tests'
    # threads may come and go meanwhile.
    assert during - before < HELD // 10
    assert statuses == [200] * HELD
    workers = [t for t in threading.enumerate() if t.name.startswith('zaqar-websocket')]
    assert len(workers) <= running.conf['drivers:transport:websocket'].threads
