"""The storage contract.

Every data driver implements these abstract classes; their docstrings are
the contract, and tests/storage is its executable form, run against every
driver. Shared rules (paging shape, dead-letter parameters, message dict
shape) live here so that a backend supplies only data access.

Conventions for every method:

* ``project`` is a string (possibly empty); resources of one project are
  invisible to every other project.
* Times are seconds. ``age`` is whole seconds since creation.
* A *message dict* has exactly the keys ``id`` (str), ``ttl`` (int), ``age``
  (int), ``body`` (any JSON value), ``claim_id`` (str of the live claim that
  holds it, else None), ``claim_count`` (int), ``created`` (float, epoch),
  and ``checksum`` when one was stored.
* Expired messages and expired claims are invisible at once, whether or not
  garbage collection has removed them yet.
* Any failure to reach the backend raises ``errors.ConnectionError``.
"""

import abc
import collections
import enum

Page = collections.namedtuple('Page', ['items', 'marker'])
Page.__doc__ = """One page of a listing: ``items`` (list) and ``marker``, the
opaque string to pass as ``marker`` for the next page (None when ``items``
is empty)."""


class Capabilities(enum.IntEnum):
    FIFO = 1
    CLAIMS = 2
    DURABILITY = 3
    AOD = 4
    HIGH_THROUGHPUT = 5


def dead_letter_policy(metadata):
    """Return (max_claim_count, dlq_name, dlq_ttl) or None for a queue.

    Dead-lettering applies only when both ``_max_claim_count`` and
    ``_dead_letter_queue`` are set (truthy).
    """
    max_count = metadata.get('_max_claim_count')
    dlq = metadata.get('_dead_letter_queue')
    if not max_count or not dlq:
        return None
    return int(max_count), dlq, metadata.get('_dead_letter_queue_messages_ttl') or None


class DataDriverBase(abc.ABC):
    """A message store: queues, messages and claims of every project.

    Constructed with the service's ``cfg.ConfigOpts``; it connects lazily,
    so construction never touches the network.
    """

    capabilities = ()

    def __init__(self, conf):
        self.conf = conf

    @property
    @abc.abstractmethod
    def queue_controller(self):
        """The QueueController of this store."""

    @property
    @abc.abstractmethod
    def message_controller(self):
        """The MessageController of this store."""

    @property
    @abc.abstractmethod
    def claim_controller(self):
        """The ClaimController of this store."""

    @property
    @abc.abstractmethod
    def subscription_controller(self):
        """The SubscriptionController of this store."""

    @abc.abstractmethod
    def is_alive(self):
        """Return True when the backend answers, False otherwise; never raise."""

    @abc.abstractmethod
    def gc(self):
        """Remove expired messages and claims; return how many messages went.

        Must not block requests for long: it works in bounded batches.
        """

    def close(self):  # noqa: B027 - optional: most drivers have nothing to close
        """Release connections. Safe to call more than once."""

    def health(self):
        """The health report of api-v2.md 4.8: ``storage_reachable``, and
        ``message_volume`` ({"free", "claimed", "total"} over every queue)
        where the store can count it in one cheap query."""
        return {'storage_reachable': self.is_alive()}


class ControllersDriver(DataDriverBase):
    """A data driver whose controllers are built once, each from a class
    taking the driver. Subclasses name the classes and call super().__init__
    last, once what the controllers need is in place."""

    queue_class = message_class = claim_class = subscription_class = None

    def __init__(self, conf):
        super().__init__(conf)
        self._queues = self.queue_class(self)
        self._messages = self.message_class(self)
        self._claims = self.claim_class(self)
        self._subscriptions = self.subscription_class(self)

    @property
    def queue_controller(self):
        return self._queues

    @property
    def message_controller(self):
        return self._messages

    @property
    def claim_controller(self):
        return self._claims

    @property
    def subscription_controller(self):
        return self._subscriptions


class QueueController(abc.ABC):
    """Queues: named containers of messages, per project."""

    @abc.abstractmethod
    def list(self, project, marker=None, limit=10, detailed=False, name=None,
             kfilter=None):
        """Return a Page of queues sorted by name (byte order).

        Each item is ``{"name": str}``, plus ``"metadata": dict`` (as stored)
        when ``detailed``. ``marker`` is exclusive: the page starts after
        that name. ``name`` keeps only queues whose name contains it (plain
        substring). ``kfilter`` maps metadata keys to required values.
        The page's marker is the last name on it.
        """

    @abc.abstractmethod
    def count(self, project):
        """Return the number of queues of the project."""

    @abc.abstractmethod
    def create(self, name, project, metadata=None):
        """Create a queue; return True if created, False if it existed.

        An existing queue keeps its metadata untouched.
        """

    @abc.abstractmethod
    def exists(self, name, project):
        """Return True when the queue exists."""

    @abc.abstractmethod
    def get_metadata(self, name, project):
        """Return the stored metadata dict; raise QueueDoesNotExist."""

    @abc.abstractmethod
    def set_metadata(self, name, metadata, project):
        """Replace the metadata; raise QueueDoesNotExist."""

    @abc.abstractmethod
    def delete(self, name, project):
        """Delete the queue with its messages and claims. Silent if missing."""

    @abc.abstractmethod
    def purge(self, name, project):
        """Delete every message of the queue, claimed or not; keep the
        queue and its metadata. Silent if the queue is missing."""

    @abc.abstractmethod
    def stats(self, name, project):
        """Return message counts of a queue (zeros for a missing queue).

        ``{"claimed": int, "free": int, "total": int}`` counting live
        messages (claimed = under a live claim; delayed messages count as
        free), plus ``"oldest"`` and ``"newest"``, each
        ``{"id": str, "age": int, "created": float}``, when total > 0.
        """


class MessageController(abc.ABC):
    """Messages of a queue, in FIFO order per queue."""

    @abc.abstractmethod
    def post(self, queue, messages, client_uuid, project, expect_metadata=None):
        """Store messages; return their ids (str) in input order.

        With ``expect_metadata`` (a dict), first check, atomically with the
        post, that the queue's stored metadata equals it (a missing queue
        counts as ``{}``); if not, store nothing and raise
        QueueMetadataChanged carrying the current metadata. This lets the
        service layer build messages from metadata it remembers and still
        never post under stale rules, in one round trip.

        Each of ``messages`` is ``{"ttl": int, "body": ..., "delay": int}``
        (delay in seconds, 0 for none) and may carry ``"checksum"``.
        The queue is created if it does not exist. All or nothing: either
        every message is stored or none is (then an error is raised).
        Messages of one call are ordered as given; concurrent calls are
        ordered by commit.
        """

    @abc.abstractmethod
    def list(self, queue, project, marker=None, limit=10, echo=False,
             client_uuid=None, include_claimed=False, include_delayed=False):
        """Return a Page of message dicts, oldest first.

        Without ``echo``, messages posted by ``client_uuid`` are left out;
        without ``include_claimed``, messages under a live claim are left
        out; without ``include_delayed``, messages whose delay has not
        elapsed are left out. A missing queue or an unknown or malformed
        marker gives an empty page, never an error.
        """

    @abc.abstractmethod
    def get(self, queue, message_id, project):
        """Return one message dict; raise MessageDoesNotExist (also for a
        malformed id, a missing queue or another project's message)."""

    @abc.abstractmethod
    def bulk_get(self, queue, message_ids, project):
        """Return the message dicts among ``message_ids`` that exist.

        Missing, malformed and foreign ids are skipped silently.
        """

    @abc.abstractmethod
    def delete(self, queue, message_id, project, claim=None):
        """Delete one message. Silent if the message or queue is missing.

        Without ``claim``: raise MessageIsClaimed when it is under a live
        claim. With ``claim``: raise ClaimDoesNotExist when the claim id is
        malformed, MessageNotClaimed when the message is under no live
        claim, MessageNotClaimedBy when another live claim holds it.
        """

    @abc.abstractmethod
    def bulk_delete(self, queue, message_ids, project, claim_ids=None):
        """Delete the messages named; silent for missing ones.

        With ``claim_ids``, a message is deleted only when it is under a
        live claim whose id is in ``claim_ids``.
        """

    @abc.abstractmethod
    def pop(self, queue, limit, project):
        """Atomically remove and return up to ``limit`` unclaimed messages,
        oldest first. A missing queue gives []."""


class ClaimController(abc.ABC):
    """Claims: leases on messages. Atomic under concurrent consumers: a
    message is under at most one live claim at a time."""

    @abc.abstractmethod
    def create(self, queue, project, ttl, grace, limit=10):
        """Claim up to ``limit`` free, non-delayed messages, oldest first.

        Return ``(claim_id, messages)``; ``(None, [])`` when nothing could
        be claimed (also for a missing queue). The claim lives ``ttl``
        seconds; a claimed message that would expire before the claim ends
        plus ``grace`` is extended to that time and its ``ttl`` rewritten to
        ``ttl + grace``. Each claim adds one to the messages' claim_count.
        When the queue's metadata sets a dead-letter policy
        (``dead_letter_policy``), candidates whose claim_count has reached
        the maximum are moved to the dead-letter queue (same project; ttl
        replaced by the DLQ ttl when set) instead of being claimed.
        """

    @abc.abstractmethod
    def get(self, queue, claim_id, project):
        """Return ``({"id", "ttl", "age"}, messages)`` of a live claim.

        Raise ClaimDoesNotExist when the claim id is malformed, unknown,
        expired, holds no message any more, or belongs to another
        queue or project. ``age`` counts from the last renewal.
        """

    @abc.abstractmethod
    def update(self, queue, claim_id, project, ttl, grace):
        """Renew a live claim to expire ``ttl`` seconds from now, extending
        its messages as ``create`` does. Raise ClaimDoesNotExist."""

    @abc.abstractmethod
    def delete(self, queue, claim_id, project):
        """Release a claim: its messages are free at once. Silent if the
        claim is missing or expired."""


class SubscriptionController(abc.ABC):
    """Subscriptions: a subscriber URI that receives what is posted to a
    queue (its ``source``), per project.

    A *subscription dict* has exactly the keys ``id`` (str), ``source``
    (the queue name), ``subscriber`` (str), ``ttl`` (int), ``age`` (int,
    seconds since it was created or its ttl last set), ``options`` (dict)
    and ``confirmed`` (bool). A subscription expires ``ttl`` seconds after
    it was created or its ttl last set, and is invisible from then on.
    (project, source, subscriber) is unique among live subscriptions, also
    under concurrent creates. Subscriptions outlive their queue: deleting
    a queue leaves them (as upstream does); purge removes them.
    """

    @abc.abstractmethod
    def list(self, queue, project, marker=None, limit=10):
        """Return a Page of subscription dicts in creation order."""

    @abc.abstractmethod
    def get(self, queue, subscription_id, project):
        """Return a subscription dict; raise SubscriptionDoesNotExist when
        the id is malformed, unknown, expired, or of another queue or
        project."""

    @abc.abstractmethod
    def get_with_subscriber(self, queue, subscriber, project):
        """Return the live subscription of ``subscriber`` to the queue, or
        None."""

    @abc.abstractmethod
    def create(self, queue, subscriber, ttl, options, project, confirmed=False):
        """Store a subscription; return its id, or None when the subscriber
        already has a live subscription to the queue (left unchanged)."""

    @abc.abstractmethod
    def update(self, queue, subscription_id, project, **fields):
        """Change ``subscriber``, ``ttl`` (restarting the expiry clock) or
        ``options``. Raise SubscriptionDoesNotExist, or
        SubscriptionAlreadyExists when the new subscriber is taken."""

    @abc.abstractmethod
    def confirm(self, queue, subscription_id, project, confirmed=True):
        """Set ``confirmed``; raise SubscriptionDoesNotExist."""

    @abc.abstractmethod
    def delete(self, queue, subscription_id, project):
        """Remove a subscription; silent when there is none."""

    @abc.abstractmethod
    def purge(self, queue, project):
        """Remove every subscription of the queue."""


# -- the management store (pooling) ------------------------------------------

class ControlDriverBase(abc.ABC):
    """A management store: pools, flavors and the catalogue of which pool
    holds each queue. Like data drivers, built from ``cfg.ConfigOpts`` and
    connecting lazily."""

    def __init__(self, conf):
        self.conf = conf

    @property
    @abc.abstractmethod
    def pools_controller(self):
        """The PoolsController."""

    @property
    @abc.abstractmethod
    def flavors_controller(self):
        """The FlavorsController."""

    @property
    @abc.abstractmethod
    def catalogue_controller(self):
        """The CatalogueController."""

    @abc.abstractmethod
    def is_alive(self):
        """True when the store answers; never raises."""

    def close(self):  # noqa: B027 - optional
        """Release connections. Safe to call more than once."""


class ControlControllersDriver(ControlDriverBase):
    """A management store whose three controllers are built by the
    subclass and handed to this constructor."""

    def __init__(self, conf, pools, flavors, catalogue):
        super().__init__(conf)
        self._pools, self._flavors, self._catalogue = pools, flavors, catalogue

    @property
    def pools_controller(self):
        return self._pools

    @property
    def flavors_controller(self):
        return self._flavors

    @property
    def catalogue_controller(self):
        return self._catalogue


class PoolsController(abc.ABC):
    """Pools: data stores queues are placed on. A *pool dict* has the keys
    ``name``, ``uri``, ``weight`` (int), ``flavor`` (str or None) and, when
    asked for ``detailed``, ``options`` (dict)."""

    @abc.abstractmethod
    def list(self, marker=None, limit=10, detailed=False):
        """A Page of pool dicts sorted by name; marker is a name."""

    @abc.abstractmethod
    def get(self, name, detailed=False):
        """A pool dict; raise PoolDoesNotExist."""

    @abc.abstractmethod
    def all(self):
        """Every pool, detailed (for placement and routing)."""

    @abc.abstractmethod
    def create(self, name, weight, uri, flavor=None, options=None):
        """Create the pool, or replace every field of an existing one.
        Raise PoolUriInUse when another pool has ``uri``."""

    @abc.abstractmethod
    def update(self, name, **fields):
        """Change ``weight``, ``uri``, ``flavor`` or ``options``; raise
        PoolDoesNotExist or PoolUriInUse."""

    @abc.abstractmethod
    def delete(self, name):
        """Remove the pool; silent when missing."""


class FlavorsController(abc.ABC):
    """Flavors, per project: a name for the set of pools whose ``flavor``
    is that name. A *flavor dict* has ``name`` and ``capabilities`` (list)."""

    @abc.abstractmethod
    def list(self, project, marker=None, limit=10):
        """A Page of flavor dicts sorted by name."""

    @abc.abstractmethod
    def get(self, name, project):
        """A flavor dict; raise FlavorDoesNotExist."""

    @abc.abstractmethod
    def create(self, name, project, capabilities=()):
        """Create or replace the flavor."""

    @abc.abstractmethod
    def delete(self, name, project):
        """Remove the flavor; silent when missing."""


class CatalogueController(abc.ABC):
    """Which pool holds each (project, queue)."""

    @abc.abstractmethod
    def get(self, project, queue):
        """The pool name of the queue, or None."""

    @abc.abstractmethod
    def insert(self, project, queue, pool):
        """Record ``pool`` for the queue unless it has one; return the pool
        the queue is on afterwards (the existing one when it had one, also
        under concurrent inserts)."""

    @abc.abstractmethod
    def delete(self, project, queue):
        """Forget the queue; silent when unknown."""

    @abc.abstractmethod
    def count(self, pool):
        """How many queues are on ``pool``."""
