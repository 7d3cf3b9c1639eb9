"""What pooling adds per request, and where it places queues.

In-process (no HTTP server): the same requests through the WSGI app on one
Redis store, then pooled over pools on the same Redis (SQLite management
store): the difference is the catalogue and pool lookups. Then 300 queues
placed over three pools of weights 1, 2 and 0.

    .venv/bin/python benchmarks/pooling_overhead.py
"""

import collections
import json
import statistics
import tempfile
import time
import uuid

import webtest

import zaqar.conf
from zaqar.storage.sqlalchemy import control
from zaqar.transport.wsgi import app as wsgi_app

REDIS = 'redis://127.0.0.1:6379'


def build(state, pooled):
    conf = zaqar.conf.new(args=[])
    conf.set_override('state_path', state)
    if pooled:
        conf.set_override('pooling', True)
        pools = control.ControlDriver(conf).pools_controller
        for name, weight in (('a', 1), ('b', 2), ('c', 0)):
            pools.create(name, weight, f'{REDIS}?prefix=zpool-{name}-{uuid.uuid4().hex[:6]}')
    else:
        conf.set_override('message_store', 'redis', group='drivers')
        conf.set_override('uri', f'{REDIS}?prefix=zplain-{uuid.uuid4().hex[:6]}',
                          group='drivers:message_store:redis')
    return webtest.TestApp(wsgi_app.build(conf)), conf


def per_request(app, n=2000):
    headers = {'Client-ID': uuid.uuid4().hex, 'X-Project-ID': 'bench',
               'Content-Type': 'application/json'}
    body = json.dumps({'messages': [{'body': 1}]}).encode()
    timings = []
    for _ in range(n):
        start = time.perf_counter()
        app.post('/v2/queues/q/messages', body, headers=headers)
        app.get('/v2/queues/q', headers=headers)
        timings.append((time.perf_counter() - start) / 2)
    return statistics.median(timings[n // 10:]) * 1e6


def main():
    plain, _ = build(tempfile.mkdtemp(), False)
    pooled, conf = build(tempfile.mkdtemp(), True)
    rounds = [(per_request(plain), per_request(pooled)) for _ in range(3)]
    for plain_us, pooled_us in rounds:
        print(f'one store {plain_us:.0f} us/request, pooled {pooled_us:.0f} us/request, '
              f'pooling adds {pooled_us - plain_us:.0f} us')
    headers = {'Client-ID': uuid.uuid4().hex, 'X-Project-ID': 'placement'}
    for n in range(300):
        pooled.put(f'/v2/queues/q{n}', headers=headers)
    catalogue = control.ControlDriver(conf).catalogue_controller
    counts = collections.Counter(catalogue.get('placement', f'q{n}') for n in range(300))
    print('placement of 300 queues over weights a=1, b=2, c=0:', dict(sorted(counts.items())))


if __name__ == '__main__':
    main()
