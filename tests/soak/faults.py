"""Faults injected in a cycle while the load runs, and what the API said.

One cycle, each step followed by a pause of normal service:

* slow: every proxy adds LATENCY to each chunk, for SLOW seconds;
* drop: every open connection to the stores is reset;
* kill a worker: SIGKILL one gunicorn worker (its master starts another);
* outage: the proxies stop listening and reset everything; each server
  must answer 503 with a title and a description, within FAST seconds, to
  a post, a claim, a listing and a stats read; then the proxies listen
  again and each server must serve again by itself within RECOVERY;
* restart the store (where the test runs it): stopped (SIGTERM and
  SIGKILL in turn), the same 503s, started again, the same recovery;
* kill a server: SIGKILL the zaqar-server process group, start it again.

Steps that need a proxy or a store process of the test's own are not in
the cycle when there is none (an embedded SQLite store has neither).
"""

import collections
import signal
import threading
import time

import requests

from tests.soak import cluster as soak_cluster
from tests.soak import load as soak_load

LATENCY = 0.03  # seconds per chunk, each way
SLOW = 1.0  # seconds
OUTAGE = 1.0  # seconds at least, probes included
PAUSE = 0.5  # seconds of normal service after each step
AFTERMATH = 2.0  # seconds after a step in which a 503 is still the fault's
FAST = 15.0  # seconds a request may take to answer 503, queued behind the load
RECOVERY = 30.0  # seconds a server may take to serve again
PROBE_QUEUE = 'soak-probe'
PROBES = [
    ('post', 'POST', f'/v2/queues/{PROBE_QUEUE}/messages',
     {'messages': [{'body': 'probe', 'ttl': 60}]}),
    ('claim', 'POST', f'/v2/queues/{PROBE_QUEUE}/claims', {'ttl': 60, 'grace': 60}),
    ('list', 'GET', f'/v2/queues/{PROBE_QUEUE}/messages?echo=true', None),
    ('stats', 'GET', f'/v2/queues/{PROBE_QUEUE}/stats', None),
]


class Faults:
    def __init__(self, cluster, project, proxies=(), store=None):
        self.cluster = cluster
        self.project = project
        self.proxies = list(proxies)
        self.store = store
        self.counts = collections.Counter()
        self.findings = []
        self.recoveries = []  # seconds from restore to serving, per server
        self.windows = []  # (step, start, end): each step and its aftermath, monotonic
        self.slowest_503 = 0.0
        self._kill_signals = [signal.SIGTERM, signal.SIGKILL]

    def cycle(self):
        steps = []
        if self.proxies:
            steps += [self.slow, self.drop]
        steps.append(self.kill_worker)
        if self.proxies:
            steps.append(self.outage)
        if self.store is not None:
            steps.append(self.restart_store)
        steps.append(self.kill_server)
        return steps

    def run(self, seconds):
        """Run whole cycles until ``seconds`` have passed (one at least)."""
        started = time.monotonic()
        time.sleep(PAUSE)
        while True:
            for step in self.cycle():
                begun = time.monotonic()
                step()
                self.windows.append((step.__name__, begun, time.monotonic() + AFTERMATH))
                time.sleep(PAUSE)
            self.counts['cycles'] += 1
            if time.monotonic() - started >= seconds:
                return

    def restore(self):
        """Everything back, whatever happened."""
        for proxy in self.proxies:
            proxy.restore()
        if self.store is not None and not self.store.running:
            self.store.start()
        for server in self.cluster.servers:
            if server.process.poll() is not None:
                server.start()

    def by_step(self, moments):
        """How many of ``moments`` each step accounts for: the latest one
        begun before, if the moment is in its window ('none' otherwise)."""
        found = collections.Counter()
        for moment in moments:
            begun = [(a, name, b) for name, a, b in self.windows if a <= moment]
            latest = max(begun, default=None)
            found[latest[1] if latest and moment <= latest[2] else 'none'] += 1
        return found

    def summary(self):
        recoveries = sorted(self.recoveries)
        worst = f'{recoveries[-1]:.1f}' if recoveries else '-'
        return (', '.join(f'{k}={v}' for k, v in sorted(self.counts.items()))
                + f'; slowest 503 {self.slowest_503:.1f} s, slowest recovery {worst} s')

    def slow(self):
        for proxy in self.proxies:
            proxy.slow(LATENCY)
        time.sleep(SLOW)
        for proxy in self.proxies:
            proxy.slow(0)
        self.counts['slow'] += 1

    def drop(self):
        self.counts['dropped connections'] += sum(proxy.cut() for proxy in self.proxies)
        self.counts['drop'] += 1

    def kill_worker(self):
        self.cluster.gunicorn.kill_worker()
        self.counts['worker SIGKILL'] += 1

    def kill_server(self):
        server = self.cluster.zaqar_server
        server.kill()
        time.sleep(PAUSE)  # the load meets a refused connection meanwhile
        server.start()
        self.counts['server SIGKILL'] += 1

    def outage(self):
        started = time.monotonic()
        for proxy in self.proxies:
            self.counts['dropped connections'] += proxy.refuse()
        self.expect_unavailable('outage')
        time.sleep(max(0.0, OUTAGE - (time.monotonic() - started)))
        for proxy in self.proxies:
            proxy.restore()
        self.expect_recovery()
        self.counts['outage'] += 1

    def restart_store(self):
        sig = self._kill_signals[self.counts['store restart'] % 2]
        self.store.stop(sig)
        self.expect_unavailable(f'store stopped ({sig.name})')
        self.store.start()
        self.expect_recovery()
        self.counts['store restart'] += 1

    def expect_unavailable(self, what):
        """Each probe, on each server at once, answers 503 with a body."""
        threads = [threading.Thread(target=self._probe, args=(what, server.url, probe))
                   for server in self.cluster.servers for probe in PROBES]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _probe(self, what, url, probe):
        name, method, path, body = probe
        headers = {'Client-ID': 'b6c7a4e8-0000-4000-8000-000000000002',
                   'X-Project-ID': self.project}
        started = time.monotonic()
        try:
            response = requests.request(method, url + path, json=body, headers=headers,
                                        timeout=soak_load.TIMEOUT)
        except requests.RequestException as exc:
            self.findings.append(f'{what}: {name} on {url}: no reply: {exc}')
            return
        took = time.monotonic() - started
        self.slowest_503 = max(self.slowest_503, took)
        try:
            reply = response.json()
        except ValueError:
            reply = response.text
        if response.status_code != 503 or not soak_load.is_unavailable(reply):
            self.findings.append(f'{what}: {name} on {url}: {response.status_code} '
                                 f'{reply!r}, not 503 with a title and description')
        elif 'storage backend' not in reply['description']:
            self.findings.append(f'{what}: {name}: the description does not say what '
                                 f'is away: {reply!r}')
        elif took > FAST:
            self.findings.append(f'{what}: {name} on {url}: 503 after {took:.1f} s')
        else:
            self.counts['503 probes'] += 1

    def expect_recovery(self):
        for server in self.cluster.servers:
            try:
                self.recoveries.append(
                    soak_cluster.wait_healthy(server.url, self.project, RECOVERY))
            except AssertionError as exc:
                self.findings.append(f'{server.name} did not recover: {exc}')
