"""MongoDB message store (pymongo).

Features:
    FIFO per queue (each queue document holds a marker counter; a post
    reserves its markers there in one atomic update, so batches of
    concurrent producers never interleave), atomic claims (each message is
    taken by an update guarded by its claim state), durability (a replica
    set with w=majority; see below), at-least-once delivery, dead-letter
    queues, delayed messages, checksums. Post and claim each take two
    round trips, get and delete one, and every query has its index
    (connection.create_indexes), created on first use. Expired messages
    and claims are invisible at once (every query compares expiry with the
    API host's clock); ``gc()`` removes expired messages in bounded
    batches, and a TTL index removes whatever gc leaves an hour past
    expiry. Needs MongoDB 4.4 or newer (``hello``); transactions are not used.

URI format:
    ``mongodb://[user:password@]host1[:port1][,host2[:port2],...][/[authdb]]
    [?options]`` or ``mongodb+srv://...``; pymongo's options (replicaSet,
    w, tls, serverSelectionTimeoutMS, ...) go in the query. Unless
    ``[DEFAULT] unreliable = true``, the server must be a replica set or a
    mongos and the URI must ask for ``w=majority`` (or w>=2): otherwise an
    acknowledged message could be lost, and every request answers 503 (the
    log says why). Unset, the URI is ``mongodb://127.0.0.1:27017``.

Options (``[drivers:message_store:mongodb]``):
    ``uri``, ``database`` (default ``zaqar``), ``partitions`` (message
    collections, by project: never change it once deployed),
    ``max_reconnect_attempts`` and ``reconnect_sleep`` (retries, with
    doubling sleeps, while no server can be selected; then 503),
    ``gc_interval`` and ``gc_threshold`` (seconds between removals of
    expired messages in each server process, and messages per batch),
    ``ssl_keyfile``, ``ssl_certfile``, ``ssl_cert_reqs``, ``ssl_ca_certs``
    (applied when the URI says ``tls=true`` or ``ssl=true``).
    ``max_attempts``, ``max_retry_sleep`` and ``max_retry_jitter`` are
    accepted for compatibility: nothing here retries a post.

Limits (no transaction orders a post's two writes against others):
    a reader paging by marker while producers post may page past a message
    whose insert landed just after a later reservation's (claims never
    miss it); a post racing the deletion of its queue may leave its
    messages behind, listed under the deleted name until they expire.

The client is built on first use: building the driver never touches
MongoDB.
"""

import logging
import time

from pymongo import errors as mongo_errors

from zaqar.conf import mongodb as mongodb_conf
from zaqar.storage import base, errors
from zaqar.storage.mongodb import claims, connection, messages, queues, records, subscriptions

LOG = logging.getLogger(__name__)

GC_MAX_BATCHES = 100


class DataDriver(base.ControllersDriver):
    capabilities = tuple(base.Capabilities)

    queue_class = queues.QueueController
    message_class = messages.MessageController
    claim_class = claims.ClaimController
    subscription_class = subscriptions.SubscriptionController

    def __init__(self, conf):
        self._opts = conf[mongodb_conf.MESSAGE_GROUP]
        self.connection = connection.Connection(self._opts, conf.unreliable)
        super().__init__(conf)

    @property
    def gc_interval(self):
        return self._opts.gc_interval

    def is_alive(self):
        try:
            return self.connection.run(
                lambda handles: handles.client.admin.command('ping')['ok'] == 1)
        except (errors.StorageError, mongo_errors.PyMongoError) as exc:
            LOG.warning('Message store is not alive: %s', exc)
            return False

    def health(self):
        report = super().health()
        if report['storage_reachable']:
            report['message_volume'] = self.connection.run(_volume)
        return report

    def gc(self):
        """Expired messages of every partition, then expired subscriptions,
        each in batches of gc_threshold; return how many messages went."""
        handles = self.connection.run(lambda handles: handles)
        removed = 0
        for collection in handles.partitions:
            removed += self._remove_expired(collection)
        self._remove_expired(handles.subscriptions)
        return removed

    def _remove_expired(self, collection):
        batch, removed = self._opts.gc_threshold, 0
        for _ in range(GC_MAX_BATCHES):
            count = self.connection.run(lambda _: _remove_batch(collection, batch))
            removed += count
            if count < batch:
                break
        return removed

    def close(self):
        self.connection.close()


def _volume(handles):
    """{"free", "claimed", "total"} live messages over every queue: one
    aggregate per partition (an admin's health check, not a request path)."""
    now = time.time()
    pipeline = [{'$match': {'e': {'$gt': records.date(now)}}},
                {'$group': {'_id': None, 'total': {'$sum': 1}, 'claimed': {
                    '$sum': {'$cond': [{'$gt': ['$ce', now]}, 1, 0]}}}}]
    total = claimed = 0
    for collection in handles.partitions:
        for found in collection.aggregate(pipeline):
            total, claimed = total + found['total'], claimed + found['claimed']
    return {'free': total - claimed, 'claimed': claimed, 'total': total}


def _remove_batch(collection, batch):
    """Delete up to ``batch`` expired documents (``e`` passed); return how
    many went."""
    now = records.date(time.time())
    ids = [doc['_id'] for doc in collection.find({'e': {'$lte': now}}, {'_id': 1})
           .limit(batch)]
    if not ids:
        return 0
    return collection.delete_many({'_id': {'$in': ids}, 'e': {'$lte': now}}).deleted_count
