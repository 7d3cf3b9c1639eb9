"""Message actions of the service layer."""

import hashlib
import json

from zaqar.api import errors
from zaqar.storage import errors as storage_errors

POST_ATTEMPTS = 3
_CLAIMED = 'This message is claimed; it cannot be deleted without a valid claim ID.'
_DELETE_ERRORS = {
    storage_errors.MessageIsClaimed: (errors.Forbidden, _CLAIMED),
    storage_errors.MessageNotClaimedBy: (errors.Forbidden, _CLAIMED),
    storage_errors.ClaimDoesNotExist: (
        errors.BadRequest, 'The specified claim does not exist or has expired.'),
    storage_errors.MessageNotClaimed: (
        errors.BadRequest, 'A claim was specified, but the message is not currently claimed.'),
}


def checksum(body):
    """Upstream's checksum: MD5 of json.dumps with default separators."""
    if body is None:
        return None
    return 'MD5:' + hashlib.md5(json.dumps(body).encode()).hexdigest()


def raw(message):
    """A storage message as the pop response shows it."""
    return {key: value for key, value in message.items() if key != 'created'}


class Messages:
    def __init__(self, deps, queues):
        self._deps = deps
        self._queues = queues
        self._store = deps.storage.message_controller
        self._limits = deps.validate.limits  # read once per option
        self._checksum = deps.conf.enable_checksum

    def post(self, ctx, queue, document, content_length, queue_limits=True):
        """Post with remembered metadata, checked by the store atomically:
        one round trip when the memory is right, a retry when it is not.

        ``queue_limits``: the queue's _default_message_ttl,
        _max_messages_post_size and _default_message_delay apply (API v2;
        v1.1 knows only the [transport] limits)."""
        self._deps.enforce('messages:create', ctx)
        metadata = self._queues.cache.get(ctx.scope, queue)
        fresh = metadata is None
        if fresh:
            metadata = self._queues.metadata_or_empty(ctx, queue)
        for _ in range(POST_ATTEMPTS):
            try:
                messages = self._prepare(document, content_length, metadata, queue_limits)
            except errors.BadRequest:
                if fresh:
                    raise
                # Judge a rejection by the stored metadata, not by memory.
                metadata, fresh = self._queues.metadata_or_empty(ctx, queue), True
                continue
            try:
                ids = self._store.post(queue, messages, ctx.client_id,
                                       ctx.scope, expect_metadata=metadata)
                break
            except storage_errors.QueueMetadataChanged as exc:
                metadata, fresh = exc.metadata, True
                self._queues.cache.put(ctx.scope, queue, metadata)
        else:
            # Metadata changing under every attempt: post on the latest read.
            metadata = self._queues.metadata_or_empty(ctx, queue)
            messages = self._prepare(document, content_length, metadata, queue_limits)
            ids = self._store.post(queue, messages, ctx.client_id, ctx.scope)
        self._deps.notifications.posted(ctx, queue, messages, metadata)
        return ids

    def _prepare(self, document, content_length, metadata, queue_limits=True):
        if not queue_limits:
            metadata = {}
        self._deps.validate.message_post_length(
            content_length, metadata.get('_max_messages_post_size'))
        return self._sanitize(document, metadata)

    def _sanitize(self, document, metadata):
        if not isinstance(document, dict) or 'messages' not in document:
            raise errors.BadRequest('No messages were found in the request body.')
        posted = document['messages']
        if not isinstance(posted, list):
            raise errors.InvalidBody('"messages" must be a JSON array.')
        if not posted:
            raise errors.BadRequest('No messages to enqueu.')
        default_ttl = metadata.get('_default_message_ttl') or self._limits.default_message_ttl
        default_delay = metadata.get('_default_message_delay') or 0
        return [self._message(m, default_ttl, default_delay) for m in posted]

    def _message(self, posted, default_ttl, default_delay):
        if not isinstance(posted, dict):
            raise errors.InvalidBody('Each message must be a JSON object.')
        if 'body' not in posted:
            raise errors.InvalidBody('Missing "body" field.')
        ttl = self._int_field(posted, 'ttl', default_ttl)
        self._deps.validate.message_ttl(ttl)
        delay = 0
        if default_delay:  # delays apply to delayed queues only
            delay = self._int_field(posted, 'delay', default_delay)
            self._deps.validate.message_delay(delay)
        message = {'ttl': ttl, 'body': posted['body'], 'delay': delay}
        if self._checksum and posted['body'] is not None:
            message['checksum'] = checksum(posted['body'])
        return message

    @staticmethod
    def _int_field(posted, field, default):
        value = posted.get(field)
        if value is None:
            return default
        if not isinstance(value, int):
            raise errors.InvalidBody(f'The value of the "{field}" field must be a int.')
        return value

    def list(self, ctx, queue, marker=None, limit=None, echo=False,
             include_claimed=False, include_delayed=False):
        self._deps.enforce('messages:get_all', ctx)
        self._deps.validate.message_listing(limit)
        return self._store.list(
            queue, ctx.scope, marker=marker, limit=limit or 10, echo=echo,
            client_uuid=ctx.client_id, include_claimed=include_claimed,
            include_delayed=include_delayed)

    def get(self, ctx, queue, message_id):
        self._deps.enforce('messages:get', ctx)
        try:
            return self._store.get(queue, message_id, ctx.scope)
        except storage_errors.MessageDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def bulk_get(self, ctx, queue, ids):
        self._deps.enforce('messages:get_all', ctx)
        self._deps.validate.message_ids(ids)
        found = self._store.bulk_get(queue, ids, ctx.scope)
        if not found:
            raise errors.NotFound(
                f'No messages with IDs: {ids!r} found in the queue {queue} for project '
                f'{ctx.project_id}.')
        return found

    def delete(self, ctx, queue, message_id, claim_id=None):
        self._deps.enforce('messages:delete', ctx)
        try:
            self._store.delete(queue, message_id, ctx.scope, claim=claim_id)
        except tuple(_DELETE_ERRORS) as exc:
            error, description = _DELETE_ERRORS[type(exc)]
            raise error(description, title='Unable to delete') from None

    def bulk_delete(self, ctx, queue, ids, claim_ids=None):
        self._deps.enforce('messages:delete_all', ctx)
        self._deps.validate.message_ids(ids)
        self._deps.validate.claim_ids(claim_ids)
        if self._limits.message_delete_with_claim_id and not claim_ids:
            raise errors.BadRequest(
                'The request should have both "ids" and "claim_ids" parameter in the '
                'request when message_delete_with_claim_id is True.')
        self._store.bulk_delete(queue, ids, ctx.scope, claim_ids=claim_ids or None)

    def pop(self, ctx, queue, count):
        self._deps.enforce('messages:delete_all', ctx)
        self._deps.validate.pop(count)
        return [raw(m) for m in self._store.pop(queue, count, ctx.scope)]
