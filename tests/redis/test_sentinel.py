"""Sentinel failover with real processes: one master, one replica, three
sentinels on free loopback ports. The master is SIGKILLed; the driver finds
the promoted replica through the sentinels, without being rebuilt.

What the driver guarantees: a post is acknowledged once the master has
it; Redis replicates asynchronously, so an acknowledged post can be lost if
the master dies before its replica has it. This test therefore counts a
post as "safe" only after ``WAIT 1`` confirmed the replica has it, and
asserts that every safe post survives the failover.
"""

import signal
import time
import uuid

import pytest
import redis

from tests.redis.servers import Processes, free_port, wait_until
from zaqar import conf as zconf
from zaqar.conf import redis as redis_conf
from zaqar.storage import errors
from zaqar.storage.redis import driver as redis_driver

MASTER = 'mymaster'
PROJECT = 'p'
QUEUE = 'failover'


def sentinel_config(port, master_port, directory):
    return (f'port {port}\nbind 127.0.0.1\ndir {directory}\n'
            f'sentinel monitor {MASTER} 127.0.0.1 {master_port} 2\n'
            f'sentinel down-after-milliseconds {MASTER} 1000\n'
            f'sentinel failover-timeout {MASTER} 5000\n')


@pytest.fixture
def cluster(tmp_path):
    processes = Processes(tmp_path)
    try:
        master, replica = free_port(), free_port()
        processes.start(master)
        processes.start(replica, '--replicaof', '127.0.0.1', str(master))
        sentinels = [free_port() for _ in range(3)]
        for port in sentinels:
            processes.start(port, '--sentinel', name=f'sentinel-{port}',
                            config=sentinel_config(port, master, tmp_path))
        _wait_for_sentinels(sentinels, replica)
        yield processes, master, replica, sentinels
    finally:
        processes.stop_all()


def _wait_for_sentinels(sentinels, replica):
    """Every sentinel knows the replica and the two other sentinels, and the
    replica has synced: a failover can happen."""
    clients = [redis.Redis(port=port, decode_responses=True, socket_timeout=1)
               for port in sentinels]
    replica_client = redis.Redis(port=replica, decode_responses=True, socket_timeout=1)

    def ready():
        states = [client.sentinel_master(MASTER) for client in clients]
        return (all(s['num-slaves'] >= 1 and s['num-other-sentinels'] >= 2
                    for s in states)
                and replica_client.info('replication')['master_link_status'] == 'up')

    try:
        wait_until(ready, 20, interval=0.1, what='sentinels to see replica and peers')
    finally:
        for client in [*clients, replica_client]:
            client.close()


def _post(driver, body):
    return driver.message_controller.post(
        QUEUE, [{'ttl': 300, 'body': body, 'delay': 0}], None, PROJECT)


def test_posts_survive_a_failover(cluster):
    processes, master, replica, sentinels = cluster
    conf = zconf.new(args=[])
    hosts = ','.join(f'127.0.0.1:{port}' for port in sentinels)
    conf.set_override('uri', f'redis://{hosts}?master={MASTER}'
                             f'&prefix=t_{uuid.uuid4().hex}&socket_timeout=2',
                      group=redis_conf.MESSAGE_GROUP)
    # Fail fast while no master is known; the test retries by itself.
    conf.set_override('max_reconnect_attempts', 1, group=redis_conf.MESSAGE_GROUP)
    conf.set_override('reconnect_sleep', 0.1, group=redis_conf.MESSAGE_GROUP)
    driver = redis_driver.DataDriver(conf)
    try:
        driver.queue_controller.create(QUEUE, PROJECT)
        safe = {}
        for i in range(20):
            safe[_post(driver, {'n': i})[0]] = {'n': i}
        raw = redis.Redis(port=master, socket_timeout=5)
        try:
            # WAIT waits for this connection's last write, so write once
            # here: the replication offset then covers every post above.
            # Acknowledged by the replica too: these posts must survive.
            raw.set('fence', 1)
            assert raw.execute_command('WAIT', 1, 1000) == 1
        finally:
            raw.close()

        processes.stop(master, signal.SIGKILL)
        killed = time.monotonic()
        refused = 0
        deadline = killed + 20
        while True:
            try:
                first_after = _post(driver, {'n': 'after'})[0]
                break
            except errors.ConnectionError:
                refused += 1
                assert time.monotonic() < deadline, 'no master 20 s after the kill'
                time.sleep(0.1)
        recovered = time.monotonic() - killed
        print(f'posts accepted again {recovered:.1f} s after the kill '
              f'({refused} refused meanwhile)')

        # The sentinels promoted the replica, and the driver writes there.
        assert driver.is_alive()
        promoted = redis.Redis(port=replica, socket_timeout=2, decode_responses=True)
        try:
            assert promoted.info('replication')['role'] == 'master'
        finally:
            promoted.close()

        messages = driver.message_controller.bulk_get(QUEUE, list(safe), PROJECT)
        assert {m['id']: m['body'] for m in messages} == safe
        listed = driver.message_controller.list(QUEUE, PROJECT, limit=100, echo=True)
        listed_ids = [m['id'] for m in listed.items]
        assert set(safe) <= set(listed_ids)
        assert listed_ids[-1] == first_after

        new_ids = [_post(driver, {'n': 'new'})[0] for _ in range(3)]
        claim_id, claimed = driver.claim_controller.create(
            QUEUE, PROJECT, ttl=60, grace=30, limit=100)
        assert claim_id is not None
        claimed_ids = [m['id'] for m in claimed]
        assert set(safe) | {first_after, *new_ids} <= set(claimed_ids)
        assert driver.message_controller.list(QUEUE, PROJECT, echo=True).items == []
    finally:
        driver.close()
