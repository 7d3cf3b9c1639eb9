"""Subscription actions of the service layer (api-v2.md section 4.6).

Confirmation messages go out through the notifier when one is configured;
delivery of posted messages is wired in messages.py.
"""

from zaqar.api import errors
from zaqar.storage import errors as storage_errors

CONFLICT = ('Such subscription already exists.Subscriptions are unique by project + '
            'queue + subscriber URI.')


class Subscriptions:
    def __init__(self, deps, queues):
        self._deps = deps
        self._queues = queues
        self._store = deps.storage.subscription_controller
        self._default_ttl = deps.conf.transport.default_subscription_ttl

    def list(self, ctx, queue, marker=None, limit=None):
        self._deps.enforce('subscription:get_all', ctx)
        self._deps.validate.subscription_listing(limit)
        return self._store.list(queue, ctx.scope, marker=marker, limit=limit or 10)

    def get(self, ctx, queue, subscription_id):
        self._deps.enforce('subscription:get', ctx)
        return self._get(ctx, queue, subscription_id)

    def _get(self, ctx, queue, subscription_id):
        try:
            return self._store.get(queue, subscription_id, ctx.scope)
        except storage_errors.SubscriptionDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def create(self, ctx, queue, document):
        """Return (subscription id, created): an unconfirmed duplicate
        gives its id again (and its confirmation again); a confirmed one
        is a Conflict."""
        self._deps.enforce('subscription:create', ctx)
        document = {} if document is None else document
        self._deps.validate.subscription(document, creating=True)
        self._deps.validate_subscription_options(document.get('options'))
        subscriber = document['subscriber']
        ttl = document.get('ttl') or self._default_ttl
        options = document.get('options') or {}
        # Subscribing creates the queue, as posting does (lazy queues).
        self._queues.ensure(ctx, queue)
        sid = self._store.create(queue, subscriber, ttl, options, ctx.scope)
        self._deps.notifications.forget(ctx.scope, queue)
        if sid is not None:
            subscription = self._store.get(queue, sid, ctx.scope)
        else:
            subscription = self._store.get_with_subscriber(queue, subscriber, ctx.scope)
            if subscription is None:  # it expired in between: try once more
                return self.create(ctx, queue, document)
            if subscription['confirmed']:
                raise errors.Conflict(CONFLICT)
        self._deps.notifications.subscribed(ctx, queue, subscription)
        return subscription['id']

    def update(self, ctx, queue, subscription_id, document):
        self._deps.enforce('subscription:update', ctx)
        self._deps.validate.subscription(document, creating=False)
        if 'options' in document:
            self._deps.validate_subscription_options(document['options'])
        fields = {k: v for k, v in document.items() if v is not None}
        self._deps.notifications.forget(ctx.scope, queue)
        try:
            self._store.update(queue, subscription_id, ctx.scope, **fields)
        except storage_errors.SubscriptionDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        except storage_errors.SubscriptionAlreadyExists as exc:
            raise errors.Conflict(str(exc)) from None

    def delete(self, ctx, queue, subscription_id):
        self._deps.enforce('subscription:delete', ctx)
        self._store.delete(queue, subscription_id, ctx.scope)
        self._deps.notifications.forget(ctx.scope, queue)

    def confirm(self, ctx, queue, subscription_id, document):
        self._deps.enforce('subscription:confirm', ctx)
        self._deps.validate.subscription_confirming(document)
        confirmed = document['confirmed']
        self._deps.notifications.forget(ctx.scope, queue)
        try:
            self._store.confirm(queue, subscription_id, ctx.scope, confirmed)
        except storage_errors.SubscriptionDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        if not confirmed:
            subscription = self._get(ctx, queue, subscription_id)
            self._deps.notifications.unsubscribed(ctx, queue, subscription)

    def purge(self, ctx, queue):
        self._store.purge(queue, ctx.scope)
        self._deps.notifications.forget(ctx.scope, queue)
