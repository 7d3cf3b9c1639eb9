"""Redis message store.

Features:
    FIFO per queue (message ids come from one counter; each queue's ids sit
    in a sorted set), atomic claims (each claim is one Lua script), delayed
    messages, dead-letter queues, checksums, high throughput: every API
    action is one round trip (a Lua script, or one pipeline of reads).
    Message bodies and metadata are msgpack. Not durable: Redis persistence
    (AOF/RDB) decides what survives a crash. Expired messages and claims are
    invisible at once (scripts compare their expiry with the caller's
    ``now``); message and claim keys carry key TTLs, and ``gc()`` trims the
    indexes in bounded batches.

URI format:
    ``redis://[[user]:password@]host[:port][?socket_timeout=S&dbid=N&prefix=P]``,
    a Unix socket ``redis://[[user]:password@]/path/to.sock[?...]`` (or
    ``unix:///path/to.sock``), or Sentinel
    ``redis://host1[:port],host2[:port]?master=NAME[&sentinel_username=U&
    sentinel_password=P&...]`` (or ``redis+sentinel://...``): the client
    asks the sentinels for the master and follows a failover by itself.
    A password needs its ``:`` even without a user. ``prefix`` (default
    ``zaqar``) starts every key, so several deployments or test runs can
    share one database. See connection.py for the details.

    Durability: a post is acknowledged once the master has it. Redis
    replicates asynchronously, so a post acknowledged just before the
    master dies may be missing from the promoted replica.

Options (``[drivers:message_store:redis]``):
    ``uri``: the URI above. ``max_reconnect_attempts``, ``reconnect_sleep``:
    retries (and seconds between them) when connecting fails; they bound
    how long a request waits for an absent server (then: 503).
    ``gc_interval``: seconds between removals of expired messages in each
    server process (0: leave it to zaqar-gc).

The client is built on first use: building the driver never touches Redis.
Scripts name keys they derive (message and claim keys), so this store
needs one Redis server, not Redis Cluster.
"""

import logging
import time

from zaqar.conf import redis as redis_conf
from zaqar.storage import base
from zaqar.storage.redis import claims, connection, messages, queues, subscriptions

LOG = logging.getLogger(__name__)

GC_BATCH = 1000
GC_MAX_BATCHES = 100


class DataDriver(base.ControllersDriver):
    capabilities = (base.Capabilities.FIFO, base.Capabilities.CLAIMS,
                    base.Capabilities.AOD, base.Capabilities.HIGH_THROUGHPUT)

    queue_class = queues.QueueController
    message_class = messages.MessageController
    claim_class = claims.ClaimController
    subscription_class = subscriptions.SubscriptionController

    def __init__(self, conf):
        self._opts = conf[redis_conf.MESSAGE_GROUP]
        self._connection = connection.Connection(self._opts)
        super().__init__(conf)

    @property
    def gc_interval(self):
        return self._opts.gc_interval

    def session(self):
        """Context manager: a connection.Session, with redis errors translated."""
        return self._connection.session()

    def is_alive(self):
        try:
            with self.session() as session:
                return bool(session.client.ping())
        except Exception as exc:  # noqa: BLE001 - the contract: never raise
            LOG.warning('Message store is not alive: %s', exc)
            return False

    def gc(self):
        removed = 0
        for _ in range(GC_MAX_BATCHES):
            with self.session() as session:
                count = session.script('gc', '', '', time.time(), GC_BATCH)
            removed += count
            if count < GC_BATCH:
                break
        return removed

    def close(self):
        self._connection.close()
