"""What the service layer tells subscribers, through the notifier.

The notifier (zaqar/notification/) delivers off the request path; this
module decides what to hand it: every live (and, with
``[notification] require_confirmation``, confirmed) subscription of a
queue after a post, and confirmation requests for new subscriptions.
"""

import logging
import threading
import time

from zaqar.storage import errors as storage_errors

LOG = logging.getLogger(__name__)

FANOUT_PAGE = 100
# How long a process trusts its list of a queue's subscribers. Changes made
# through this process are seen at once; another process's within this
# time. It spares every post a storage round trip under load.
SUBSCRIBERS_TTL = 1.0
SUBSCRIBERS_CACHED = 10000  # queues remembered at most (then start afresh)


class Notifications:
    def __init__(self, conf, storage, notifier=None):
        self._store = storage.subscription_controller
        self._notifier = notifier
        group = getattr(conf, 'notification', None)
        self._require_confirmation = bool(group and group.require_confirmation)
        self._remembered = {}  # (scope, queue) -> (valid until, subscriptions)
        self._lock = threading.Lock()

    def stop(self, timeout=10.0):
        """Let deliveries in flight finish (up to ``timeout``), then stop."""
        if self._notifier is not None:
            self._notifier.stop(timeout)

    def forget(self, scope, queue):
        """The queue's subscriptions changed: read them again next time."""
        with self._lock:
            self._remembered.pop((scope, queue), None)

    def validate_options(self, options):
        """Raise ValueError for options the notifier could not honour."""
        if self._notifier is not None and options is not None:
            from zaqar.notification import notifier

            notifier.validate_options(options)

    def subscribers(self, queue, project):
        """Every subscription that should receive what is posted now."""
        key, now = (project, queue), time.monotonic()
        remembered = self._remembered.get(key)
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        found = self._read_subscribers(queue, project)
        with self._lock:
            if len(self._remembered) >= SUBSCRIBERS_CACHED:
                self._remembered.clear()
            self._remembered[key] = (now + SUBSCRIBERS_TTL, found)
        return found

    def _read_subscribers(self, queue, project):
        found, marker = [], None
        while True:
            page = self._store.list(queue, project, marker=marker, limit=FANOUT_PAGE)
            found.extend(s for s in page.items
                         if s['confirmed'] or not self._require_confirmation)
            if len(page.items) < FANOUT_PAGE:
                return found
            marker = page.marker

    def posted(self, ctx, queue, messages, metadata):
        if self._notifier is None:
            return
        try:
            subscriptions = self.subscribers(queue, ctx.scope)
            if subscriptions:
                self._notifier.notify(queue, ctx.project_id, messages, subscriptions,
                                      metadata)
        except storage_errors.ConnectionError:
            # The post is stored; its subscribers miss it. One line, no
            # traceback: the store being away is logged where it is seen.
            LOG.warning('Subscribers of queue %s of project %s not notified of a post: '
                        'the subscription store is unavailable', queue, ctx.project_id)
        except Exception:  # noqa: BLE001 - the post is stored: never fail it now
            LOG.exception('Notifications for a post to queue %s of project %s failed',
                          queue, ctx.project_id)

    def subscribed(self, ctx, queue, subscription):
        if self._notifier is not None and self._require_confirmation:
            self._notifier.send_confirmation(queue, ctx.project_id, subscription)

    def unsubscribed(self, ctx, queue, subscription):
        if self._notifier is not None and self._require_confirmation:
            self._notifier.send_unsubscribed(queue, ctx.project_id, subscription)
