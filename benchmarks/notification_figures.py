"""Notification figures: what notify() costs the posting request, and how
long deliveries take to reach a webhook receiver on loopback, with 0, 1 and
10 subscriptions per queue.

For each subscription count:
  * notify cost: the time notify() takes in the caller (what a post pays),
    as calls/s and p50/p99 microseconds, over a burst of posts;
  * delivery throughput: webhook POSTs delivered per second over that burst,
    until the notifier is idle;
  * delivery latency: notify() to arrival at the receiver, p50/p95/p99,
    with posts paced (``--rate`` per second) so that queues stay short.

The receiver is an HTTP/1.1 server (keep-alive, 204) in a process of its
own on this machine; latencies compare CLOCK_MONOTONIC readings of both
processes. Example:

    .venv/bin/python benchmarks/notification_figures.py --posts 2000 --rate 200
"""

import argparse
import http.server
import json
import subprocess
import sys
import threading
import time
import urllib.request

from zaqar import conf as zconf
from zaqar.notification import notifier as notifier_module


def serve():
    """The receiver process: records arrival - sent of every notification;
    GET /take answers (and forgets) them as a JSON list."""
    latencies = []
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def do_POST(self):
            body = self.rfile.read(int(self.headers['Content-Length']))
            arrived = time.monotonic()
            with lock:
                latencies.append(arrived - json.loads(body)['body']['sent'])
            self.send_response(204)
            self.send_header('Content-Length', '0')
            self.end_headers()

        def do_GET(self):
            with lock:
                answer = json.dumps(latencies).encode()
                latencies.clear()
            self.send_response(200)
            self.send_header('Content-Length', str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


class Receiver:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, __file__, '--serve'],
                                        stdout=subprocess.PIPE, text=True)
        port = int(self.process.stdout.readline())
        self.url = f'http://127.0.0.1:{port}/hook'

    def take(self):
        with urllib.request.urlopen(self.url.replace('/hook', '/take'), timeout=60) as answer:
            return json.loads(answer.read())

    def close(self):
        self.process.terminate()
        self.process.wait(10)


def percentile(values, p):
    if not values:
        return float('nan')
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def subscriptions(url, count):
    return [{'id': f's{n}', 'source': 'bench', 'subscriber': f'{url}?s={n}', 'ttl': 3600,
             'options': {}, 'confirmed': True} for n in range(count)]


def post(notifier, subs):
    message = {'body': {'sent': time.monotonic(), 'event': 'BackupStarted'},
               'ttl': 3600}
    started = time.perf_counter()
    notifier.notify('bench', 'project', [message], subs, {})
    return time.perf_counter() - started


def burst(notifier, receiver, subs, posts):
    costs = []
    started = time.perf_counter()
    for _ in range(posts):
        costs.append(post(notifier, subs))
    posting = time.perf_counter() - started
    notifier.wait_idle(300)
    delivering = time.perf_counter() - started
    delivered = len(receiver.take())
    return {'calls_per_s': posts / posting,
            'notify_p50_us': percentile(costs, 50) * 1e6,
            'notify_p99_us': percentile(costs, 99) * 1e6,
            'deliveries': delivered,
            'deliveries_per_s': delivered / delivering if subs else float('nan')}


def paced(notifier, receiver, subs, posts, rate):
    interval = 1.0 / rate
    next_at = time.perf_counter()
    for _ in range(posts):
        now = time.perf_counter()
        if next_at > now:
            time.sleep(next_at - now)
        next_at += interval
        post(notifier, subs)
    notifier.wait_idle(300)
    latencies = receiver.take()
    return {f'latency_p{p}_ms': percentile(latencies, p) * 1e3 for p in (50, 95, 99)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--posts', type=int, default=2000, help='posts per burst')
    parser.add_argument('--rate', type=float, default=50, help='paced posts per second')
    parser.add_argument('--paced-posts', type=int, default=1000)
    parser.add_argument('--workers', type=int, default=10, help='max_notifier_workers')
    parser.add_argument('--serve', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve()

    conf = zconf.new()
    conf.set_override('max_notifier_workers', args.workers, group='notification')
    conf.set_override('max_pending_deliveries', 10 ** 6, group='notification')
    receiver = Receiver()
    notifier = notifier_module.Notifier(conf)
    post(notifier, subscriptions(receiver.url, 1))  # start the threads, open a connection
    notifier.wait_idle(10)
    receiver.take()

    print(f'workers={args.workers} burst={args.posts} posts, paced={args.paced_posts} posts '
          f'at {args.rate:g}/s, one message per post')
    header = ('subs', 'notify calls/s', 'notify p50 us', 'notify p99 us', 'deliveries/s',
              'latency p50 ms', 'p95 ms', 'p99 ms')
    print(' | '.join(header))
    for count in (0, 1, 10):
        subs = subscriptions(receiver.url, count)
        figures = burst(notifier, receiver, subs, args.posts)
        assert figures['deliveries'] == args.posts * count, figures
        figures.update(paced(notifier, receiver, subs, args.paced_posts, args.rate))
        print(' | '.join([
            f'{count}', f'{figures["calls_per_s"]:.0f}', f'{figures["notify_p50_us"]:.1f}',
            f'{figures["notify_p99_us"]:.1f}', f'{figures["deliveries_per_s"]:.0f}',
            f'{figures["latency_p50_ms"]:.2f}', f'{figures["latency_p95_ms"]:.2f}',
            f'{figures["latency_p99_ms"]:.2f}']))
    notifier.stop(10)
    receiver.close()


if __name__ == '__main__':
    main()
