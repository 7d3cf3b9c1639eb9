"""The delivery engine: a bounded pool of worker threads, and one scheduler
thread holding a heap of retries that are not due yet.

A ``Delivery`` is everything one post (or one confirmation) owes one
subscriber. A worker sends its notifications in order; when one fails in a
way worth retrying, the delivery goes back to the scheduler with the time of
its next attempt, and the worker moves on. No thread sleeps on behalf of a
subscriber, so a subscriber that is down delays nobody else.

A destination (a webhook's host and port; the mail server for e-mail)
whose last attempt failed in a way worth retrying is "struggling": it gets
one worker at a time until it delivers again, and its other deliveries
wait their turn, in order, without a thread. So a subscriber that accepts
connections and never answers holds one worker, not all of them.

Memory is bounded: at most ``max_pending`` deliveries are accepted and not
finished at any time (queued, being sent, or waiting for a retry); past it,
new ones are refused (the caller logs and drops them). Retries of accepted
deliveries never count twice.
"""

import collections
import heapq
import itertools
import logging
import queue
import threading
import time
from urllib import parse

from zaqar.notification import tasks

LOG = logging.getLogger(__name__)


class Delivery:
    """One subscriber's share of one post: its notifications, in order."""

    __slots__ = ('task', 'subscription', 'notifications', 'policy', 'index', 'retry',
                 'attempts', 'destination')

    def __init__(self, task, subscription, notifications, policy):
        self.task = task
        self.subscription = subscription
        self.destination = destination(subscription['subscriber'])
        self.notifications = notifications
        self.policy = policy
        self.index = 0      # the next notification to send
        self.retry = 0      # retries spent on that notification
        self.attempts = 0   # attempts made at it, for the log

    @property
    def subscriber(self):
        return redact(self.subscription['subscriber'])

    def step(self):
        """Send what is left, in order; the outcome of the last attempt."""
        while self.index < len(self.notifications):
            notification = self.notifications[self.index]
            self.attempts += 1
            outcome = self.task.deliver(self.subscription, notification)
            if outcome.status is not tasks.Status.DELIVERED:
                return outcome
            self._log_delivered(notification)
            self.index += 1
            self.retry, self.attempts = 0, 0
        return tasks.DELIVERED

    def _log_delivered(self, notification):
        if self.attempts > 1:
            LOG.info('Notification for queue %s delivered to %s at attempt %d',
                     notification.queue_name, self.subscriber, self.attempts)
        else:
            LOG.debug('Notification for queue %s delivered to %s',
                      notification.queue_name, self.subscriber)

    @property
    def queue_name(self):
        return self.notifications[self.index].queue_name

    def next_delay(self):
        """Seconds before the next attempt (policy units); None when spent."""
        delay = self.policy.delay(self.retry)
        self.retry += 1
        return delay


class _Gate:
    """Which destinations are struggling, how many workers each has, and the
    deliveries waiting for a struggling one. Guarded by the dispatcher's lock."""

    REMEMBERED = 10000  # struggling destinations remembered at most

    def __init__(self):
        self.busy = {}                            # destination -> workers on it
        self.waiting = {}                         # destination -> deque of deliveries
        self.struggling = collections.OrderedDict()

    def enter(self, delivery):
        """True if a worker may take it now; else it waits its turn."""
        key = delivery.destination
        if key in self.struggling and (self.busy.get(key) or key in self.waiting):
            self.waiting.setdefault(key, collections.deque()).append(delivery)
            return False
        self.busy[key] = self.busy.get(key, 0) + 1
        return True

    def leave(self, delivery, outcome):
        """Record how it went; the deliveries this lets through, the first
        of which the same worker takes at once (the rest go to the queue)."""
        key = delivery.destination
        if outcome.status is tasks.Status.RETRY:
            self.struggling[key] = True
            self.struggling.move_to_end(key)
            while len(self.struggling) > self.REMEMBERED:
                self.struggling.popitem(last=False)
        elif outcome.status is tasks.Status.DELIVERED:
            self.struggling.pop(key, None)
        waiting = self.waiting.get(key)
        if not waiting:
            self._release(key)
            return ()
        # The worker's place goes to the next in line; when the destination
        # delivers again, the others go back to the queue (and enter anew).
        if key in self.struggling:
            released = (waiting.popleft(),)
        else:
            released, waiting = tuple(waiting), None
        if not waiting:
            del self.waiting[key]
        return released

    def _release(self, key):
        if self.busy[key] == 1:
            del self.busy[key]
        else:
            self.busy[key] -= 1

    def drop_waiting(self):
        dropped = sum(len(w) for w in self.waiting.values())
        self.waiting.clear()
        return dropped


class Dispatcher:
    """Runs deliveries on ``workers`` threads, started on first use.

    ``delay_scale`` multiplies every retry delay: 1.0 in service, small in
    tests so a policy of seconds plays out in milliseconds.
    """

    def __init__(self, workers, max_pending, delay_scale=1.0, clock=time.monotonic):
        self._workers = workers
        self._max_pending = max_pending
        self._scale = delay_scale
        self._clock = clock
        self._ready = queue.SimpleQueue()
        self._due = []                      # heap of (time, seq, delivery)
        self._seq = itertools.count()
        self._lock = threading.Condition()  # guards _due, _pending, _state
        self._pending = 0
        self._state = 'new'                 # new -> running -> stopped
        self._threads = []
        self._gate = _Gate()

    @property
    def pending(self):
        return self._pending

    @property
    def stopped(self):
        return self._state == 'stopped'

    def submit(self, delivery):
        """Queue a delivery without blocking; False if full or stopped."""
        with self._lock:
            if self._state == 'stopped' or self._pending >= self._max_pending:
                return False
            self._pending += 1
            if self._state == 'new':
                self._start()
        self._ready.put(delivery)
        return True

    def _start(self):
        self._state = 'running'
        self._threads = [threading.Thread(target=self._schedule, name='zaqar-notify-timer',
                                          daemon=True)]
        self._threads += [threading.Thread(target=self._work, name=f'zaqar-notify-{n}',
                                           daemon=True) for n in range(self._workers)]
        for thread in self._threads:
            thread.start()

    def _work(self):
        delivery = None
        while True:
            if delivery is None:
                delivery = self._ready.get()
                if delivery is None:
                    return
                with self._lock:
                    if not self._gate.enter(delivery):
                        delivery = None
                        continue
            outcome = self._step(delivery)
            with self._lock:
                released = self._gate.leave(delivery, outcome)
            for other in released[1:]:
                self._ready.put(other)  # they enter the gate again: counted then
            self._conclude(delivery, outcome)
            delivery = released[0] if released else None

    def _conclude(self, delivery, outcome):
        if outcome.status is tasks.Status.RETRY and self._retry_later(delivery, outcome):
            return
        if outcome.status is tasks.Status.FAILED:
            LOG.error('Notification for queue %s not delivered to %s: %s '
                      '(attempt %d; not retried)', delivery.queue_name,
                      delivery.subscriber, outcome.detail, delivery.attempts)
        self._finished()

    @staticmethod
    def _step(delivery):
        try:
            return delivery.step()
        except Exception as exc:  # noqa: BLE001 - a task's bug must not kill the worker
            LOG.exception('Delivery to %s raised', delivery.subscriber)
            return tasks.failed(f'unexpected {type(exc).__name__} (a bug: see above)')

    def _retry_later(self, delivery, outcome):
        delay = delivery.next_delay()
        if delay is None:
            LOG.error('Notification for queue %s not delivered to %s: %s '
                      '(attempt %d; retries exhausted)', delivery.queue_name,
                      delivery.subscriber, outcome.detail, delivery.attempts)
            return False
        LOG.warning('Notification for queue %s not delivered to %s: %s (attempt %d); '
                    'retrying in %s s', delivery.queue_name, delivery.subscriber,
                    outcome.detail, delivery.attempts, delay)
        with self._lock:
            if self._state == 'stopped':
                return False
            if delay <= 0:
                self._ready.put(delivery)  # behind what is queued: no one waits on it
                return True
            due = self._clock() + delay * self._scale
            heapq.heappush(self._due, (due, next(self._seq), delivery))
            if self._due[0][2] is delivery:
                self._lock.notify_all()  # the timer sleeps for a later retry
        return True

    def _schedule(self):
        with self._lock:
            while self._state == 'running':
                now = self._clock()
                while self._due and self._due[0][0] <= now:
                    self._ready.put(heapq.heappop(self._due)[2])
                timeout = self._due[0][0] - now if self._due else None
                self._lock.wait(timeout)

    def _finished(self):
        with self._lock:
            self._pending -= 1
            if self._pending == 0:
                self._lock.notify_all()

    def wait_idle(self, timeout=None):
        """Block until every accepted delivery has finished; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout=10.0):
        """Refuse new deliveries, drop waiting retries, let the workers finish
        what is queued for at most ``timeout`` seconds. True if all stopped."""
        deadline = self._clock() + timeout
        with self._lock:
            started, self._state = self._state == 'running', 'stopped'
            dropped, self._due = len(self._due) + self._gate.drop_waiting(), []
            self._pending -= dropped
            self._lock.notify_all()
        if dropped:
            LOG.warning('Notifier stopping: %d deliveries waiting for a retry or a '
                        'struggling subscriber dropped', dropped)
        if not started:
            return True
        for _ in range(self._workers):
            self._ready.put(None)
        for thread in self._threads:
            thread.join(max(0.0, deadline - self._clock()))
        alive = sum(thread.is_alive() for thread in self._threads)
        if alive:
            LOG.warning('Notifier stopped with %d threads still delivering', alive)
        return not alive


def destination(uri):
    """Where a subscriber's notifications go: scheme, host and port of a
    webhook; the one mail server (or command) for every e-mail."""
    try:
        parts = parse.urlsplit(uri)
    except ValueError:
        return uri
    if parts.scheme == 'mailto':
        return 'mailto:'
    return f'{parts.scheme.removeprefix("trust+")}://{parts.netloc.rpartition("@")[2].lower()}'


def redact(uri):
    """A subscriber URI fit for a log: no password in it."""
    try:
        parts = parse.urlsplit(uri)
    except ValueError:
        return '(unparsable subscriber URI)'
    if parts.password is None:
        return uri
    host = parts.hostname or ''
    netloc = f'{parts.username}:***@{f"[{host}]" if ":" in host else host}'
    if parts.port:
        netloc += f':{parts.port}'
    return parse.urlunsplit(parts._replace(netloc=netloc))
