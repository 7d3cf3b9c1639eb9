"""Messages of the Redis store: one hash each, listed by a per-queue zset.

Every action is one round trip: a script, or (get, bulk get) plain reads.
"""

import time

from zaqar.storage import base, errors
from zaqar.storage.redis import keys, records


class MessageController(base.MessageController):
    def __init__(self, driver):
        self._driver = driver

    def post(self, queue, messages, client_uuid, project, expect_metadata=None):
        now = time.time()
        client = '' if client_uuid is None else str(client_uuid)
        # Serialised before anything is sent: a bad body stores nothing.
        expected = b'' if expect_metadata is None else records.pack(expect_metadata)
        args = [expected, client]
        for message in messages:
            args.extend(_fields(message, now))
        with self._driver.session() as session:
            first = session.script('post', project, queue, now, *args)
        if isinstance(first, list):  # the script found other metadata
            raise errors.QueueMetadataChanged(queue, records.unpack(first[0]))
        return [str(first + i) for i in range(len(messages))]

    def list(self, queue, project, marker=None, limit=10, echo=False,
             client_uuid=None, include_claimed=False, include_delayed=False):
        after = '0' if marker is None else marker
        if not records.is_message_id(after) or limit <= 0:
            return base.Page([], None)
        hide = '' if echo or client_uuid is None else str(client_uuid)
        now = time.time()
        with self._driver.session() as session:
            found = session.script('list', project, queue, now, after, limit, hide,
                                   records.flag(include_claimed),
                                   records.flag(include_delayed))
        items = records.messages(found, now)
        return base.Page(items, items[-1]['id'] if items else None)

    def get(self, queue, message_id, project):
        found = self._read(queue, [message_id], project) if records.is_message_id(
            message_id) else []
        if not found:
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return found[0]

    def bulk_get(self, queue, message_ids, project):
        return self._read(queue, records.message_ids(message_ids), project)

    def _read(self, queue, ids, project):
        """The live messages among well-formed ``ids``: one pipeline."""
        if not ids:
            return []
        now = time.time()
        with self._driver.session() as session:
            pipe = session.client.pipeline(transaction=False)
            for mid in ids:
                pipe.hmget(keys.message(session.prefix, project, queue, mid),
                           keys.RECORD_FIELDS)
            found = pipe.execute()
        return [records.message([mid.encode(), *fields], now)
                for mid, fields in zip(ids, found, strict=True)
                if fields[3] is not None and float(fields[3]) > now]

    def delete(self, queue, message_id, project, claim=None):
        if not records.is_message_id(message_id):
            return
        with self._driver.session() as session:
            outcome = session.script('delete', project, queue, time.time(),
                                     message_id, claim or '')
        if outcome[0] == 2:
            _refuse(message_id, claim, records.text(outcome[1]), queue, project)

    def bulk_delete(self, queue, message_ids, project, claim_ids=None):
        ids = records.message_ids(message_ids)
        if not ids:
            return
        claims = [] if claim_ids is None else [str(cid) for cid in claim_ids]
        with self._driver.session() as session:
            session.script('bulk_delete', project, queue, time.time(),
                           records.flag(claim_ids is not None), len(claims),
                           *claims, *ids)

    def pop(self, queue, limit, project):
        if limit <= 0:
            return []
        now = time.time()
        with self._driver.session() as session:
            found = session.script('pop', project, queue, now, limit)
        return records.messages(found, now)


def _fields(message, now):
    """Script arguments of one message (scripts/post.lua)."""
    ttl = int(message['ttl'])
    delay = message.get('delay') or 0
    return [ttl, repr(now + ttl), repr(now + delay), message.get('checksum') or '',
            records.pack(message['body']), records.px(ttl)]


def _refuse(message_id, claim, holder, queue, project):
    """Raise why a live message could not be deleted (see base.py)."""
    if claim is None:
        raise errors.MessageIsClaimed(message_id)
    if not records.is_claim_id(claim):
        raise errors.ClaimDoesNotExist(claim, queue, project)
    if holder is None:
        raise errors.MessageNotClaimed(message_id)
    raise errors.MessageNotClaimedBy(message_id, claim)
