"""SQL message store: SQLite, PostgreSQL or MySQL through SQLAlchemy.

Features:
    FIFO per queue (message ids come from one autoincrement key), atomic
    claims (one UPDATE; ``FOR UPDATE SKIP LOCKED`` where the backend has
    it), durability (every acknowledged write is committed), dead-letter
    queues, delayed messages, checksums. SQLite is the zero set-up default
    and is safe for several processes and threads on one file (WAL journal,
    ``BEGIN IMMEDIATE`` for writes, a 30 s busy timeout).

URI format:
    ``sqlite:////absolute/path/zaqar.sqlite`` (unset: ``zaqar.sqlite`` under
    ``[DEFAULT] state_path``), ``postgresql://user:password@host:5432/db``
    (psycopg2), ``mysql+pymysql://user:password@host:3306/db``.

Options (``[drivers:message_store:sqlalchemy]``):
    ``uri``: the URI above. ``gc_interval``: seconds between removals of
    expired messages in each server process (0: leave it to zaqar-gc).
    ``pool_size``: connections kept open per process (not SQLite).

The engine is built, and missing tables created, on first use: building
the driver never touches the database.
"""

import logging
import os

from zaqar.conf import sqlalchemy as sqlalchemy_conf
from zaqar.storage import base
from zaqar.storage.sqlalchemy import claims, database, messages, queues, subscriptions

LOG = logging.getLogger(__name__)

SQLITE_FILE = 'zaqar.sqlite'
GC_BATCH = 1000
GC_MAX_BATCHES = 100


class DataDriver(base.ControllersDriver):
    capabilities = (base.Capabilities.FIFO, base.Capabilities.CLAIMS,
                    base.Capabilities.DURABILITY, base.Capabilities.AOD)

    queue_class = queues.QueueController
    message_class = messages.MessageController
    claim_class = claims.ClaimController
    subscription_class = subscriptions.SubscriptionController

    def __init__(self, conf):
        self._opts = conf[sqlalchemy_conf.MESSAGE_GROUP]
        self._db = database.Database(self._url, self._opts.pool_size, 'message')
        self.write, self.read = self._db.write, self._db.read
        super().__init__(conf)

    def _url(self):
        return database.url_of(self._opts.uri,
                               os.path.join(self.conf.state_path, SQLITE_FILE))

    @property
    def gc_interval(self):
        return self._opts.gc_interval

    @property
    def engine(self):
        return self._db.engine

    def is_alive(self):
        return self._db.is_alive()

    def health(self):
        report = super().health()
        if report['storage_reachable']:
            report['message_volume'] = self._messages.volume()
        return report

    def gc(self):
        removed = 0
        for _ in range(GC_MAX_BATCHES):
            count = self._messages.remove_expired(GC_BATCH)
            removed += count
            if count < GC_BATCH:
                break
        self._subscriptions.remove_expired(GC_BATCH)
        return removed

    def close(self):
        self._db.close()
