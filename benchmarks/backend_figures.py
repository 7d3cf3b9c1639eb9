"""Post and claim+delete figures for one message store, through a real server.

Starts zaqar-server on a free port with the given store URI, then drives it
over HTTP from threads on this machine and prints messages/s and latency
percentiles. Example:

    .venv/bin/python benchmarks/backend_figures.py --uri sqlite:////tmp/b.sqlite
    .venv/bin/python benchmarks/backend_figures.py \
        --uri postgresql://postgres@127.0.0.1:5432/zaqar_bench
    .venv/bin/python benchmarks/backend_figures.py --uri redis://127.0.0.1:6379?prefix=bench
    .venv/bin/python benchmarks/backend_figures.py --uri mongodb://127.0.0.1:27017
"""

import argparse
import concurrent.futures
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import requests


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def store_of(uri):
    """The message store driver for a URI, by its scheme."""
    scheme = uri.split(':', 1)[0]
    if scheme.startswith('redis') or scheme == 'unix':
        return 'redis'
    if scheme.startswith('mongodb'):
        return 'mongodb'
    return 'sqlalchemy'


def start_server(uri, workers, state):
    port = free_port()
    config = os.path.join(state, 'zaqar.conf')
    store = store_of(uri)
    # A benchmark may run against a lone MongoDB server (or mongoeco), which
    # the durability rule would refuse.
    unreliable = 'unreliable = true\n' if store == 'mongodb' else ''
    with open(config, 'w') as handle:
        handle.write(f'[DEFAULT]\nstate_path = {state}\n{unreliable}'
                     f'[drivers]\nmessage_store = {store}\n'
                     f'[drivers:message_store:{store}]\nuri = {uri}\n'
                     f'[drivers:transport:wsgi]\nport = {port}\nworkers = {workers}\n')
    script = os.path.join(os.path.dirname(sys.executable), 'zaqar-server')
    proc = subprocess.Popen([script, '--config-file', config],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f'http://127.0.0.1:{port}'
    for _ in range(100):
        try:
            requests.get(url + '/', timeout=1)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit('server did not start')


def percentiles(samples):
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return pick(0.50), pick(0.95), pick(0.99)


def run(worker, threads, seconds):
    """Run ``threads`` workers until the deadline (or until they stop);
    return (elapsed seconds, messages, latencies)."""
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda _: worker(start + seconds), range(threads)))
    latencies = [lat for lats, _ in results for lat in lats]
    messages = sum(count for _, count in results)
    return time.monotonic() - start, messages, latencies


def session(project):
    http = requests.Session()
    http.headers.update({'Client-ID': str(uuid.uuid4()), 'X-Project-ID': project,
                         'Content-Type': 'application/json'})
    return http


def producer(url, project):
    def work(deadline):
        http, lats, count = session(project), [], 0
        body = '{"messages": [{"body": {"event": "bench", "n": 1}, "ttl": 3600}]}'
        while time.monotonic() < deadline:
            start = time.perf_counter()
            response = http.post(f'{url}/v2/queues/bench/messages', data=body)
            lats.append(time.perf_counter() - start)
            count += response.status_code == 201
        return lats, count
    return work


def consumer(url, project):
    def work(deadline):
        http, lats, count = session(project), [], 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            response = http.post(f'{url}/v2/queues/bench/claims?limit=10',
                                 data='{"ttl": 60, "grace": 60}')
            if response.status_code != 201:
                break  # the queue is drained: the phase ends here
            ids = [m['id'] for m in response.json()['messages']]
            http.delete(f'{url}/v2/queues/bench/messages', params={'ids': ','.join(ids)})
            count += len(ids)
            lats.append(time.perf_counter() - start)
        return lats, count
    return work


def report(name, seconds, messages, latencies):
    """Print messages/s, requests/s (claim+delete counts as one) and latency."""
    p50, p95, p99 = percentiles(latencies)
    print(f'{name:<14} {messages / seconds:9.0f} msg/s {len(latencies) / seconds:8.0f} req/s'
          f'  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--uri', required=True)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--threads', type=int, default=8)
    parser.add_argument('--seconds', type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        proc, url = start_server(args.uri, args.workers, state)
        project = f'bench-{uuid.uuid4().hex[:8]}'
        try:
            print(f'store {args.uri.split(":")[0]}, {args.workers} workers, '
                  f'{args.threads} client threads, {args.seconds:.0f} s per phase')
            # Consumers drain what the producers posted; their rate is
            # measured over the time they took, not the phase's length.
            report('post (1 msg)', *run(producer(url, project), args.threads, args.seconds))
            report('claim10+delete',
                   *run(consumer(url, project), args.threads, args.seconds))
        finally:
            proc.terminate()
            proc.wait()


if __name__ == '__main__':
    main()
