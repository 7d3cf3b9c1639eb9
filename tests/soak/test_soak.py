"""Soak: no acknowledged message lost, none under two live claims, through faults.

Two HTTP servers (gunicorn with two workers, and zaqar-server) share one
store; producers and consumers (load.py) run against both while faults
(faults.py) are injected in a cycle; at the end every acknowledged
message is accounted for (accounting.py) and the counts are printed.

* ``test_soak``: every backend of tests/backends.py, each network store
  behind a proxy that makes it slow, drops its connections and takes it
  away; gunicorn workers and zaqar-server killed with SIGKILL.
* ``test_soak_store_restart``: a Redis and a MongoDB-wire store the test
  runs itself, stopped and started again (SIGTERM and SIGKILL in turn).

ZAQAR_SOAK_SECONDS sets the length of each run: a run does whole fault
cycles until then, one at least (5 to 15 s). Unset, each run does one
cycle: the short form, for CI; a long run is e.g. 600.
"""

import os
import time

import pytest

from tests.backends import BACKENDS
from tests.soak import accounting
from tests.soak.cluster import Cluster, Network, wait_healthy
from tests.soak.faults import RECOVERY, Faults
from tests.soak.load import Load
from tests.soak.stores import STORES

SECONDS = float(os.environ.get('ZAQAR_SOAK_SECONDS', 0))


@pytest.mark.parametrize('name', sorted(BACKENDS))
def test_soak(name, request, tmp_path):
    network = Network(BACKENDS[name](request))
    try:
        with Cluster(network.backend, tmp_path) as cluster:
            soak(name, cluster, proxies=network.proxies)
    finally:
        network.close()


@pytest.mark.parametrize('name', sorted(STORES))
def test_soak_store_restart(name, tmp_path):
    store = STORES[name](tmp_path).start()
    try:
        with Cluster(store.backend(), tmp_path) as cluster:
            soak(name, cluster, store=store)
    finally:
        store.stop()


def soak(name, cluster, proxies=(), store=None):
    load = Load(cluster.urls)
    faults = Faults(cluster, load.project, proxies, store)
    started = time.monotonic()
    load.start()
    try:
        faults.run(SECONDS)
    finally:
        faults.restore()
        load.stop()
    stopped = time.monotonic()
    for server in cluster.servers:
        wait_healthy(server.url, load.project, RECOVERY)
    remaining = load.remaining()
    counts, findings = accounting.account(load.ledger, remaining, time.monotonic())
    timing = (f'{stopped - started:.0f} s under load, '
              f'{time.monotonic() - stopped:.1f} s to account')
    unavailable = faults.by_step(load.ledger.unavailable_at)
    findings += faults.findings + load.ledger.findings
    if unavailable['none']:
        findings.append(f'{unavailable["none"]} replies 503 while no fault was injected')
    print(f'\nsoak {name}: {timing}: {counts.line()}'
          f'\n  faults: {faults.summary()}'
          f'\n  503s by fault: {dict(sorted(unavailable.items()))}'
          f'\n  replies: {_replies(load.ledger)}')
    assert counts.acked > 0 and counts.consumed > 0, counts
    assert not findings, '\n'.join(findings[:30]) + '\n' + cluster.logs()


def _replies(ledger):
    return ', '.join(f'{kind} {status or "no reply"}: {n}'
                     for (kind, status), n in sorted(ledger.statuses.items(),
                                                     key=lambda item: str(item[0])))
