"""Queue (and topic) actions of the service layer."""

from zaqar.api import errors, kinds, metadata_cache, patch
from zaqar.storage import errors as storage_errors

RESOURCE_TYPES = ('messages', 'subscriptions')


def reserved_defaults(limits):
    """The reserved metadata keys and their reported defaults (section 5)."""
    return {
        '_max_messages_post_size': limits.max_messages_post_size,
        '_default_message_ttl': limits.default_message_ttl,
        '_default_message_delay': limits.default_message_delay,
        '_dead_letter_queue': None,
        '_dead_letter_queue_messages_ttl': None,
        '_max_claim_count': None,
        '_enable_encrypt_messages': False,
    }


class Queues:
    """Actions on one kind of container (kinds.py), queues by default.

    ``cache`` remembers metadata per storage scope; share one between the
    kinds and the messages service, so that an update is seen by posts.
    """

    def __init__(self, deps, kind=kinds.QUEUES, cache=None):
        self._deps = deps
        self._kind = kind
        self._store = deps.storage.queue_controller
        defaults = reserved_defaults(deps.conf.transport)
        self._defaults = {key: defaults[key] for key in kind.reserved}
        self.cache = cache or metadata_cache.MetadataCache()

    def _enforce(self, action, ctx):
        self._deps.enforce(f'{self._kind.name}:{action}', ctx)

    def with_defaults(self, metadata):
        shown = dict(metadata)
        for key, default in self._defaults.items():
            if not shown.get(key):
                shown[key] = default
        return shown

    def list(self, ctx, marker=None, limit=None, detailed=False, name=None,
             with_count=False, kfilter=None, show_defaults=True):
        """``show_defaults``: fill reserved keys in (API v2; v1.1 does not)."""
        self._enforce('get_all', ctx)
        self._deps.validate.queue_listing(limit)
        page = self._store.list(ctx.scope, marker=marker, limit=limit or 10,
                                detailed=detailed, name=name, kfilter=kfilter or None)
        if detailed and show_defaults:
            for queue in page.items:
                queue['metadata'] = self.with_defaults(queue['metadata'])
        count = self._store.count(ctx.scope) if with_count and self._kind.counts else 0
        return page, count

    def create(self, ctx, name, metadata):
        self._enforce('create', ctx)
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            raise errors.InvalidBody('Queue metadata must be a JSON object.')
        self._deps.validate.queue_metadata(metadata)
        self.cache.forget(ctx.scope, name)
        return self._store.create(name, ctx.scope, metadata)

    def get(self, ctx, name, show_defaults=True):
        self._enforce('get', ctx)
        metadata = self.metadata_or_empty(ctx, name)
        return self.with_defaults(metadata) if show_defaults else dict(metadata)

    def metadata_or_empty(self, ctx, name):
        """The stored metadata ({} for a missing queue), remembered."""
        try:
            metadata = self._store.get_metadata(name, ctx.scope)
        except storage_errors.QueueDoesNotExist:
            metadata = {}
        self.cache.put(ctx.scope, name, metadata)
        return metadata

    def update(self, ctx, name, document):
        self._enforce('update', ctx)
        changes = patch.validate(document)
        try:
            current = self._store.get_metadata(name, ctx.scope)
        except storage_errors.QueueDoesNotExist:
            raise errors.NotFound(f'{self._kind.noun} {name} does not exist for project '
                                  f'{ctx.project_id}') from None
        updated = patch.apply(current, changes, self._defaults)
        self._deps.validate.queue_metadata(updated)
        self.cache.forget(ctx.scope, name)
        self._store.set_metadata(name, updated, ctx.scope)
        return self.with_defaults(updated)

    def delete(self, ctx, name):
        self._enforce('delete', ctx)
        self.cache.forget(ctx.scope, name)
        self._store.delete(name, ctx.scope)

    def stats(self, ctx, name):
        self._enforce('stats', ctx)
        return self._store.stats(name, ctx.scope)

    def purge(self, ctx, name, document):
        self._enforce('purge', ctx)
        types = RESOURCE_TYPES
        if document is not None:
            if not isinstance(document, dict) or 'resource_types' not in document:
                raise errors.BadRequest('Post body must contain key "resource_types".')
            types = document['resource_types']
            if not isinstance(types, list) or not all(
                    isinstance(t, str) and t in RESOURCE_TYPES for t in types):
                raise errors.BadRequest(
                    f'Resource types must be a sub set of {set(RESOURCE_TYPES)}.')
        if 'messages' in types:
            # Unlike upstream's pop loop, claimed messages go too.
            self._store.purge(name, ctx.scope)
        if 'subscriptions' in types:
            self._deps.storage.subscription_controller.purge(name, ctx.scope)
            self._deps.notifications.forget(ctx.scope, name)

    def ensure(self, ctx, name):
        """Create the queue with no metadata unless it exists."""
        self._store.create(name, ctx.scope, {})
