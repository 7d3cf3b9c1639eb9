"""Messages of the MongoDB store: one document each, ordered by the
queue's marker counter.

Post is two round trips: reserve the markers on the queue document (which
also creates the queue and checks its metadata) and insert the batch.
Markers are handed out in reservation order, so two producers' batches
never interleave and each batch keeps its order; a reader paging by marker
while producers post can however see a later reservation stored before an
earlier one (no transaction orders the inserts), and so page past a
message stored a moment late. Claims, which take the oldest free messages
whatever was read before, never miss one.
"""

import time

import bson
from pymongo import UpdateOne
from pymongo import errors as mongo_errors

from zaqar.storage import base, errors
from zaqar.storage.mongodb import queues as queues_module
from zaqar.storage.mongodb import records
from zaqar.storage.mongodb.connection import operation

POP_HOLD = 60  # seconds popped messages stay claimed if their deletion fails


def in_queue(project, queue, now):
    """Live messages of one queue."""
    return {'p': project, 'q': queue, 'e': {'$gt': records.date(now)}}


def free(now):
    return {'ce': {'$lte': now}}


def take_free(collection, project, queue, docs, changes, now):
    """Apply ``changes(doc)`` to each of ``docs`` still as read and free:
    one bulk write, each update guarded by the claim count read (every
    claim changes it) so that a message claimed and released meanwhile is
    left alone. Return how many were taken."""
    if not docs:
        return 0
    guard = {**in_queue(project, queue, now), **free(now)}
    result = collection.bulk_write(
        [UpdateOne({**guard, '_id': doc['_id'], 'n': doc['n']}, changes(doc))
         for doc in docs], ordered=False)
    return result.modified_count


class MessageController(base.MessageController):
    def __init__(self, driver):
        self._driver = driver

    def post(self, queue, messages, client_uuid, project, expect_metadata=None):
        now = time.time()
        client = '' if client_uuid is None else str(client_uuid)
        # Built (bodies serialised) before anything is sent: a bad body
        # stores nothing.
        docs = [records.new_message(m, project, queue, client, now) for m in messages]
        return self._post(queue, docs, project, expect_metadata)

    @operation
    def _post(self, handles, queue, docs, project, expect_metadata):
        last = queues_module.reserve(handles, project, queue, len(docs), expect_metadata)
        first = last - len(docs) + 1
        for offset, doc in enumerate(docs):
            doc['k'] = bson.Int64(first + offset)
        if docs:
            _insert(handles.messages(project), docs, project, queue)
        return [str(doc['k']) for doc in docs]

    @operation
    def list(self, handles, queue, project, marker=None, limit=10, echo=False,
             client_uuid=None, include_claimed=False, include_delayed=False):
        after = bson.Int64(0) if marker is None else records.message_marker(marker)
        if after is None or limit <= 0:
            return base.Page([], None)
        now = time.time()
        query = {**in_queue(project, queue, now), 'k': {'$gt': after}}
        if not echo and client_uuid is not None:
            query['u'] = {'$ne': str(client_uuid)}
        if not include_claimed:
            query.update(free(now))
        if not include_delayed:
            query['d'] = {'$lte': now}
        docs = handles.messages(project).find(query).sort('k', 1).limit(limit)
        items = records.messages(docs, now)
        return base.Page(items, items[-1]['id'] if items else None)

    @operation
    def get(self, handles, queue, message_id, project):
        marker = records.message_marker(message_id)
        now = time.time()
        doc = None
        if marker is not None:
            doc = handles.messages(project).find_one(
                {**in_queue(project, queue, now), 'k': marker})
        if doc is None:
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return records.message(doc, now)

    @operation
    def bulk_get(self, handles, queue, message_ids, project):
        markers = records.message_markers(message_ids)
        if not markers:
            return []
        now = time.time()
        docs = handles.messages(project).find(
            {**in_queue(project, queue, now), 'k': {'$in': markers}}).sort('k', 1)
        return records.messages(docs, now)

    @operation
    def delete(self, handles, queue, message_id, project, claim=None):
        marker = records.message_marker(message_id)
        if marker is None:
            return
        now = time.time()
        collection = handles.messages(project)
        query = {'p': project, 'q': queue, 'k': marker}
        if claim is None:
            deleted = collection.delete_one({**query, **free(now)}).deleted_count
        else:
            cid = records.object_id(claim)
            deleted = cid is not None and collection.delete_one(
                {**query, 'ci': cid, 'ce': {'$gt': now}}).deleted_count
        if deleted:
            return
        # Not deleted: say why, if the message is there at all.
        doc = collection.find_one({**in_queue(project, queue, now), 'k': marker},
                                  {'ci': 1, 'ce': 1})
        if doc is not None:
            _refuse(doc, message_id, claim, queue, project, now)

    @operation
    def bulk_delete(self, handles, queue, message_ids, project, claim_ids=None):
        markers = records.message_markers(message_ids)
        if not markers:
            return
        query = {'p': project, 'q': queue, 'k': {'$in': markers}}
        if claim_ids is not None:
            cids = [cid for cid in map(records.object_id, claim_ids) if cid is not None]
            if not cids:
                return
            query.update(ci={'$in': cids}, ce={'$gt': time.time()})
        handles.messages(project).delete_many(query)

    @operation
    def pop(self, handles, queue, limit, project):
        if limit <= 0:
            return []
        now = time.time()
        collection = handles.messages(project)
        docs = list(collection.find({**in_queue(project, queue, now), **free(now)})
                    .sort('k', 1).limit(limit))
        # Taken under a claim of our own, then deleted: a message is
        # returned by one pop only, and is not lost if the deletion fails.
        hold = bson.ObjectId()
        taken = take_free(collection, project, queue, docs,
                          lambda doc: {'$set': {'ci': hold, 'ce': now + POP_HOLD}}, now)
        if taken < len(docs):
            won = {doc['k'] for doc in collection.find({'p': project, 'q': queue,
                                                        'ci': hold}, {'k': 1})}
            docs = [doc for doc in docs if doc['k'] in won]
        if docs:
            collection.delete_many({'p': project, 'q': queue, 'ci': hold})
        return records.messages(docs, now)

def _insert(collection, docs, project, queue):
    try:
        collection.insert_many(docs, ordered=True)
    except mongo_errors.BulkWriteError:
        # All or nothing: take back what went in before the failure.
        collection.delete_many({'p': project, 'q': queue,
                                'k': {'$in': [doc['k'] for doc in docs]}})
        raise


def _refuse(doc, message_id, claim, queue, project, now):
    """Raise why a live message could not be deleted (see base.py)."""
    holder = doc['ci'] if records.live_claim(doc, now) else None
    if claim is None:
        if holder is not None:
            raise errors.MessageIsClaimed(message_id)
        return
    if records.object_id(claim) is None:
        raise errors.ClaimDoesNotExist(claim, queue, project)
    if holder is None:
        raise errors.MessageNotClaimed(message_id)
    raise errors.MessageNotClaimedBy(message_id, claim)
