"""Post throughput through a real zaqar-server with 0, 1 and 10 webhook
subscribers per queue, and how long deliveries take to arrive.

Starts a redis-backed zaqar-server (2 workers) and an HTTP receiver (its
own process, keep-alive, 204), subscribes the receiver N times to the
benchmark queue, drives it with ``zaqar-bench`` producers, then reports the
bench's msgs/s and latency and the deliveries the receiver counted.

    .venv/bin/python benchmarks/post_with_subscribers.py --seconds 8
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from benchmarks.backend_figures import percentiles, start_server  # noqa: E402

RECEIVER = r'''
import http.server, json, sys, threading, time
got, lock = [], threading.Lock()
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        now = time.monotonic()
        sent = body['body'].get('sent') if isinstance(body.get('body'), dict) else None
        with lock:
            got.append(None if sent is None else now - sent)
        self.send_response(204); self.send_header('Content-Length', '0'); self.end_headers()
    def do_GET(self):
        with lock:
            answer = json.dumps(got).encode(); got.clear()
        self.send_response(200); self.send_header('Content-Length', str(len(answer)))
        self.end_headers(); self.wfile.write(answer)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
'''


class Receiver:
    """A webhook receiver process: counts deliveries, and the latency of
    those whose body carries its CLOCK_MONOTONIC send time."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, '-c', RECEIVER],
                                        stdout=subprocess.PIPE, text=True)
        self.url = f'http://127.0.0.1:{int(self.process.stdout.readline())}/hook'

    def take(self):
        return requests.get(self.url, timeout=60).json()

    def close(self):
        self.process.terminate()
        self.process.wait(10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seconds', type=int, default=8)
    parser.add_argument('--redis', default='redis://127.0.0.1:6379')
    args = parser.parse_args()
    state = tempfile.mkdtemp()
    prefix = f'zbench-{uuid.uuid4().hex[:8]}'
    server, url = start_server(f'{args.redis}?prefix={prefix}', 2, state)
    receiver = Receiver()
    headers = {'Client-ID': uuid.uuid4().hex, 'X-Project-ID': 'bench'}
    bench = os.path.join(os.path.dirname(sys.executable), 'zaqar-bench')
    rows = []
    try:
        for count in (0, 1, 10):
            queue_prefix = f'subs{count}'
            for n in range(count):
                requests.post(f'{url}/v2/queues/{queue_prefix}-0/subscriptions',
                              json={'subscriber': f'{receiver.url}/{n}'},
                              headers=headers, timeout=10).raise_for_status()
            receiver.take()
            out = subprocess.run(
                [bench, '-s', url, '-q', queue_prefix, '-qno', '1', '-pp', '1', '-pw', '8',
                 '-ow', '0', '-t', str(args.seconds), '--project', 'bench',
                 '--skip_queue_reset', '--json', '--no-progress'],
                capture_output=True, text=True, check=True).stdout
            producer = json.loads(out)['producer']
            time.sleep(3)  # let deliveries drain
            delivered = len(receiver.take())
            # Latency: posts paced at 50/s, each carrying its send time.
            for _ in range(100 if count else 0):
                requests.post(f'{url}/v2/queues/{queue_prefix}-0/messages', headers=headers,
                              json={'messages': [{'body': {'sent': time.monotonic()}}]},
                              timeout=10)
                time.sleep(0.02)
            time.sleep(2)
            latencies = sorted(x for x in receiver.take() if x is not None)
            rows.append((count, producer, delivered, latencies))
    finally:
        receiver.close()
        server.terminate()
        server.wait(30)
    print(f'{"subs":>4} {"posts/s":>8} {"p50 ms":>7} {"p99 ms":>7} {"delivered":>9} '
          f'{"delivery p50/p95/p99 ms":>24}')
    for count, producer, delivered, latencies in rows:
        spread = '-'
        if latencies:
            spread = ' / '.join(f'{ms:.1f}' for ms in percentiles(latencies))

        post = producer['latency_ms']['post']
        print(f'{count:>4} {producer["msgs_per_sec"]:>8.0f} {post["p50"]:>7.1f} '
              f'{post["p99"]:>7.1f} {delivered:>9} {spread:>24}')


if __name__ == '__main__':
    main()
