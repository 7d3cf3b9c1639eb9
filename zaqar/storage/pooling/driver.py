"""The pooled data driver: every queue lives on one pool of the catalogue.

``[DEFAULT] pooling = true`` makes bootstrap load this instead of a single
message store. It keeps the data contract (base.py) by routing, not by
re-implementing it:

* Every controller method of base.py that names a queue is routed by one
  generic wrapper (``_routed``): it reads the queue and project from the
  call's arguments (by the contract's parameter names), asks the catalogue
  for the queue's pool and makes the same call on that pool's driver.
* The calls that bring a queue into being (queue create, message post,
  subscription create) first place an unknown queue: a pool is drawn by
  weight among the pools of the queue's flavor (``_flavor`` metadata) and
  recorded in the catalogue, atomically, so racing placements agree.
* Any other call on a queue the catalogue does not know goes to a private,
  always empty in-memory store, whose answers are those of a store without
  the queue ("not found", empty pages, zero stats). So the answer is the
  same as on a single store, and a pool that is down is never asked about
  a queue it does not hold: only its own queues answer 503.
* Listing and counting a project's queues span every pool.
"""

import functools
import inspect
import logging
import random
import time

from zaqar.storage import base, errors
from zaqar.storage.pooling import pools as pool_drivers

LOG = logging.getLogger(__name__)

# Seconds a process trusts its read of a pool's record (URI, options): an
# admin's change reaches every process within this time.
POOL_TTL = 5.0
PLACING = frozenset({('queue', 'create'), ('message', 'post'), ('subscription', 'create')})


class Router:
    """Finds (and places) the pool of a queue."""

    def __init__(self, conf, control):
        self._control = control
        self._catalogue = control.catalogue_controller
        self._pools = control.pools_controller
        self._drivers = pool_drivers.PoolDrivers(conf)
        self._known = {}  # pool name -> (valid until, pool dict)
        self.empty = pool_drivers.build(conf, 'sqlite://', {})

    def _pool(self, name):
        remembered = self._known.get(name)
        if remembered is not None and remembered[0] > time.monotonic():
            return remembered[1]
        try:
            pool = self._pools.get(name, detailed=True)
        except errors.PoolDoesNotExist:
            LOG.error('Pool %s of the catalogue is not registered', name)
            raise errors.ConnectionError(f'Pool {name} is not registered.') from None
        self._known[name] = (time.monotonic() + POOL_TTL, pool)
        return pool

    def forget_pool(self, name):
        """An admin changed the pool: read its record again next time."""
        self._known.pop(name, None)

    def lookup(self, project, queue):
        """The driver holding the queue, or None when the catalogue has none."""
        name = self._catalogue.get(project, queue)
        return None if name is None else self._drivers.get(self._pool(name))

    def place(self, project, queue, flavor=None, exclude=()):
        """(driver, placed now): the queue's driver, placing it on a pool
        (not one of ``exclude``) when it has none."""
        name = self._catalogue.get(project, queue)
        if name is None:
            chosen = self.choose(flavor, exclude)
            name = self._catalogue.insert(project, queue, chosen['name'])
            if name == chosen['name']:
                LOG.debug('Queue %s of project %s placed on pool %s', queue, project, name)
                return self._drivers.get(chosen), name
        return self._drivers.get(self._pool(name)), None

    def choose(self, flavor=None, exclude=()):
        """A pool drawn by weight among those of ``flavor``."""
        candidates = [p for p in self._pools.all() if p['flavor'] == flavor
                      and p['weight'] > 0 and p['name'] not in exclude]
        if not candidates:
            raise errors.NoPoolFound(
                f'No pool with weight above 0 for flavor {flavor}.' if flavor
                else 'No pool with weight above 0 and no flavor is registered.')
        return random.choices(candidates, weights=[p['weight'] for p in candidates])[0]

    def pool_of(self, project, queue):
        return self._catalogue.get(project, queue)

    def pin(self, project, queue, pool):
        """Place the queue on ``pool`` unless it has a pool; return its pool."""
        return self._catalogue.insert(project, queue, pool)

    def forget(self, project, queue):
        self._catalogue.delete(project, queue)

    def driver_of_pool(self, pool):
        return self._drivers.get(pool)

    def all_drivers(self):
        return [self._drivers.get(pool) for pool in self._pools.all()]

    def close(self):
        self._drivers.close()
        self.empty.close()


def _routed(base_cls, kind):
    """A subclass of ``base_cls`` whose queue methods route to the pools."""

    def make(name):
        signature = inspect.signature(getattr(base_cls, name))
        params = signature.parameters
        queue_arg = 'queue' if 'queue' in params else 'name'
        placing = (kind, name) in PLACING

        @functools.wraps(getattr(base_cls, name))
        def method(self, *args, **kwargs):
            call = signature.bind(self, *args, **kwargs).arguments
            queue, project = call[queue_arg], call['project']
            if not placing:
                driver = self._router.lookup(project, queue) or self._router.empty
                return getattr(getattr(driver, f'{kind}_controller'), name)(*args, **kwargs)
            flavor = (call.get('metadata') or {}).get('_flavor')
            down = set()
            while True:
                driver, placed = self._router.place(project, queue, flavor, exclude=down)
                try:
                    return getattr(getattr(driver, f'{kind}_controller'), name)(
                        *args, **kwargs)
                except errors.ConnectionError:
                    if placed is None:
                        raise  # an existing queue's pool is down: its 503
                    # A new queue drawn onto a pool that is down: draw again.
                    LOG.warning('Pool %s is down: placing queue %s elsewhere', placed, queue)
                    self._router.forget(project, queue)
                    down.add(placed)

        method.__isabstractmethod__ = False  # wraps() copied the contract's marker
        return method

    methods = {}
    for name in sorted(base_cls.__abstractmethods__):
        params = inspect.signature(getattr(base_cls, name)).parameters
        if 'project' in params and ('queue' in params or 'name' in params):
            methods[name] = make(name)

    def __init__(self, driver):  # noqa: N807 - a method of the built class
        self._router = driver.router

    methods['__init__'] = __init__
    return type(f'Pooled{base_cls.__name__}', (base_cls,), methods)


class QueueController(_routed(base.QueueController, 'queue')):
    """Routed, except what spans the pools or must also touch the catalogue."""

    def list(self, project, marker=None, limit=10, detailed=False, name=None,
             kfilter=None):
        items = []
        for driver in self._router.all_drivers():
            page = driver.queue_controller.list(project, marker=marker, limit=limit,
                                                detailed=detailed, name=name,
                                                kfilter=kfilter)
            items.extend(page.items)
        items = sorted(items, key=lambda q: q['name'].encode())[:limit]
        return base.Page(items, items[-1]['name'] if items else None)

    def count(self, project):
        return sum(d.queue_controller.count(project) for d in self._router.all_drivers())

    def create(self, name, project, metadata=None):
        policy = base.dead_letter_policy(metadata or {})
        if policy is not None:  # join the dead-letter queue's pool if it has one
            dlq_pool = self._router.pool_of(project, policy[1])
            if dlq_pool is not None:
                self._router.pin(project, name, dlq_pool)
        created = super().create(name, project, metadata)
        self._keep_dead_letters_together(name, project, metadata)
        return created

    def set_metadata(self, name, metadata, project):
        super().set_metadata(name, metadata, project)
        self._keep_dead_letters_together(name, project, metadata)

    def _keep_dead_letters_together(self, name, project, metadata):
        """Dead-lettering moves messages inside the queue's store, so the
        dead-letter queue must live on the same pool."""
        policy = base.dead_letter_policy(metadata or {})
        if policy is None:
            return
        pool = self._router.pool_of(project, name)
        placed = self._router.pin(project, policy[1], pool)
        if placed != pool:
            LOG.warning('Dead-letter queue %s of queue %s (project %s) is on pool %s, '
                        'not %s: dead-lettered messages will not be visible in it',
                        policy[1], name, project, placed, pool)

    def delete(self, name, project):
        driver = self._router.lookup(project, name)
        if driver is None:
            return
        driver.queue_controller.delete(name, project)
        # Subscriptions outlive their queue: keep the placement while any do.
        if not driver.subscription_controller.list(name, project, limit=1).items:
            self._router.forget(project, name)


MessageController = _routed(base.MessageController, 'message')
ClaimController = _routed(base.ClaimController, 'claim')


class SubscriptionController(_routed(base.SubscriptionController, 'subscription')):
    def purge(self, queue, project):
        driver = self._router.lookup(project, queue)
        if driver is None:
            return
        driver.subscription_controller.purge(queue, project)
        if not driver.queue_controller.exists(queue, project):
            self._router.forget(project, queue)


class DataDriver(base.ControllersDriver):
    """The data driver of a pooled deployment (built by bootstrap with the
    management store's control driver)."""

    queue_class = QueueController
    message_class = MessageController
    claim_class = ClaimController
    subscription_class = SubscriptionController

    def __init__(self, conf, control):
        self.control = control
        self.router = Router(conf, control)
        super().__init__(conf)

    @property
    def gc_interval(self):
        return 60

    def is_alive(self):
        try:
            drivers = self.router.all_drivers()
        except errors.StorageError as exc:
            LOG.warning('Management store is not alive: %s', exc)
            return False
        return self.control.is_alive() and all(d.is_alive() for d in drivers)

    def health(self):
        """Reachability of the catalogue and of each pool (api-v2.md 4.8)."""
        report = {'catalog_reachable': self.control.is_alive()}
        if report['catalog_reachable']:
            for pool in self.control.pools_controller.all():
                try:
                    report[pool['name']] = self.router.driver_of_pool(pool).health()
                except pool_drivers.InvalidPool:
                    report[pool['name']] = {'storage_reachable': False}
        # Not in upstream's pooled report; kept so that one key answers
        # "is everything up" with or without pooling.
        report['storage_reachable'] = report['catalog_reachable'] and all(
            value['storage_reachable'] for value in report.values() if isinstance(value, dict))
        return report

    def gc(self):
        return sum(driver.gc() for driver in self.router.all_drivers())

    def close(self):
        self.router.close()
        self.control.close()
