"""Claims of the MongoDB store: a claim is the messages carrying its id
(``ci``) with a claim expiry (``ce``) in the future; there is no claim
document, so an expired claim needs no cleanup.

A claim takes two round trips: read the oldest free candidates, then one
bulk write that takes each of them only if it is still as read (its claim
count, which every claim changes) and free. What the write took is then
known without reading again, unless a concurrent consumer won some of the
candidates: then one more read finds which. The queue's dead-letter policy
is read only when a candidate has been claimed before, since only such a
message can have reached the maximum.
"""

import time

import bson
from pymongo import UpdateMany

from zaqar.storage import base, errors
from zaqar.storage.mongodb import messages as messages_module
from zaqar.storage.mongodb import queues as queues_module
from zaqar.storage.mongodb import records
from zaqar.storage.mongodb.connection import operation

in_queue = messages_module.in_queue


class ClaimController(base.ClaimController):
    def __init__(self, driver):
        self._driver = driver

    @operation
    def create(self, handles, queue, project, ttl, grace, limit=10):
        if limit <= 0:
            return None, []
        now = time.time()
        collection = handles.messages(project)
        docs = list(collection.find({**in_queue(project, queue, now),
                                     **messages_module.free(now), 'd': {'$lte': now}})
                    .sort('k', 1).limit(limit))
        if any(doc['n'] for doc in docs):
            docs = _dead_letter(handles, project, queue, docs, now)
        if not docs:
            return None, []
        cid = bson.ObjectId()

        def claim(doc):
            return {'$set': {'ci': cid, **records.lease(now, ttl, grace),
                             **records.extension(doc, now, ttl, grace)},
                    '$inc': {'n': 1}}

        taken = messages_module.take_free(collection, project, queue, docs, claim, now)
        if taken < len(docs):
            docs = list(collection.find({**in_queue(project, queue, now), 'ci': cid})
                        .sort('k', 1))
        else:
            for doc in docs:
                changes = claim(doc)
                doc.update(changes['$set'], n=doc['n'] + 1)
        if not docs:
            return None, []
        return str(cid), records.messages(docs, now)

    @operation
    def get(self, handles, queue, claim_id, project):
        now = time.time()
        cid = records.object_id(claim_id)
        docs = []
        if cid is not None:
            docs = list(handles.messages(project).find(_held(project, queue, cid, now))
                        .sort('k', 1))
        if not docs:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        claim = {'id': claim_id, 'ttl': docs[0]['ct'], 'age': int(now - docs[0]['cc'])}
        return claim, records.messages(docs, now)

    @operation
    def update(self, handles, queue, claim_id, project, ttl, grace):
        now = time.time()
        cid = records.object_id(claim_id)
        renewed = 0
        if cid is not None:
            renewed = _renew(handles.messages(project), project, queue, cid, now, ttl,
                             grace)
        if not renewed:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)

    @operation
    def delete(self, handles, queue, claim_id, project):
        cid = records.object_id(claim_id)
        if cid is None:
            return
        handles.messages(project).update_many(
            {'p': project, 'q': queue, 'ci': cid},
            {'$set': {'ce': 0.0}, '$unset': {'ci': '', 'ct': '', 'cc': ''}})


def _held(project, queue, cid, now):
    """The live messages of a live claim."""
    return {**in_queue(project, queue, now), 'ci': cid, 'ce': {'$gt': now}}


def _renew(collection, project, queue, cid, now, ttl, grace):
    """Restart the lease, then extend the messages that would expire before
    it ends plus grace: one bulk write. The second update finds exactly
    the messages of the first by the new claim expiry, so the count of
    messages matched is not zero exactly when the claim was live."""
    lease = records.lease(now, ttl, grace)
    until = now + ttl + grace
    result = collection.bulk_write([
        UpdateMany(_held(project, queue, cid, now), {'$set': lease}),
        UpdateMany({'p': project, 'q': queue, 'ci': cid, 'ce': lease['ce'],
                    'e': {'$lt': records.date(until)}},
                   {'$set': {'e': records.date(until), 't': int(ttl + grace)}}),
    ], ordered=True)
    return result.matched_count


def _dead_letter(handles, project, queue, docs, now):
    """Move the candidates that reached the queue's maximum claim count to
    its dead-letter queue (base.dead_letter_policy); return the others.

    A moved message gets a marker of the dead-letter queue (so a new id),
    is released, and its claim count starts again.
    """
    metadata = queues_module.current_metadata(handles, project, queue)
    policy = base.dead_letter_policy(metadata or {})
    if policy is None:
        return docs
    max_count, dlq, dlq_ttl = policy
    dead = [doc for doc in docs if doc['n'] >= max_count]
    if not dead:
        return docs
    last = queues_module.reserve(handles, project, dlq, len(dead))
    markers = iter(range(last - len(dead) + 1, last + 1))
    expiry = {'t': int(dlq_ttl), 'e': records.date(now + int(dlq_ttl))} if dlq_ttl else {}

    def move(doc):
        return {'$set': {'q': dlq, 'k': bson.Int64(next(markers)), 'n': 0, 'ce': 0.0,
                         **expiry},
                '$unset': {'ci': '', 'ct': '', 'cc': ''}}

    messages_module.take_free(handles.messages(project), project, queue, dead, move, now)
    return [doc for doc in docs if doc['n'] < max_count]
