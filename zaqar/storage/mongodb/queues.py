"""Queues of the MongoDB store: one document per (project, name), which
also holds the queue's marker counter (see records.py)."""

import re
import time

import bson
from pymongo import ReturnDocument
from pymongo import errors as mongo_errors

from zaqar.storage import base, errors
from zaqar.storage.mongodb import records
from zaqar.storage.mongodb.connection import operation

LIVE = {'x': {'$exists': False}}
_FILTER_BATCH = 100  # queues read per round while metadata filters thin a page


def current_metadata(handles, project, name):
    """The stored metadata dict, or None when the queue does not exist."""
    doc = handles.queues.find_one({'p': project, 'q': name, **LIVE}, {'m': 1})
    return None if doc is None else records.loads(doc['m'])


def reserve(handles, project, name, count, expect=None):
    """Reserve ``count`` markers of a queue, creating (or reviving) it when
    needed: one round trip. Return the last marker reserved.

    With ``expect`` (a metadata dict), reserve only if the stored metadata
    is that one (a missing queue counts as {}); else raise
    QueueMetadataChanged with what is stored, and create nothing.
    """
    query = {'p': project, 'q': name}
    update = {'$inc': {'c': bson.Int64(count)}, '$unset': {'x': ''}}
    if expect is None:
        update['$setOnInsert'] = {'m': records.EMPTY_METADATA}
    elif expect == {}:
        query['m'] = records.EMPTY_METADATA  # a deleted queue's metadata too
    else:
        query.update(m=records.dumps(expect), **LIVE)
    upsert = expect is None or expect == {}
    doc = _reserve(handles, query, update, upsert, expect)
    if doc is None:
        raise errors.QueueMetadataChanged(
            name, current_metadata(handles, project, name) or {})
    return doc['c']


def _reserve(handles, query, update, upsert, expect):
    def attempt():
        return handles.queues.find_one_and_update(
            query, update, {'c': 1}, upsert=upsert, return_document=ReturnDocument.AFTER)

    try:
        return attempt()
    except mongo_errors.DuplicateKeyError:
        # The queue came into being between the server's lookup and its
        # insert (MongoDB 4.2+ retries that case itself, other servers may
        # not), or, with expected metadata, it exists with other metadata:
        # a second attempt tells which.
        pass
    try:
        return attempt()
    except mongo_errors.DuplicateKeyError:
        if expect is None:
            raise
        return None


class QueueController(base.QueueController):
    def __init__(self, driver):
        self._driver = driver

    @operation
    def list(self, handles, project, marker=None, limit=10, detailed=False, name=None,
             kfilter=None):
        query = {'p': project, **LIVE}
        if name:
            query['q'] = {'$regex': re.escape(name)}
        fields = {'q': 1, 'm': 1} if detailed or kfilter else {'q': 1}
        batch = _FILTER_BATCH if kfilter else limit
        items = []
        while len(items) < limit:
            if marker is not None:
                query['q'] = dict(query.get('q', {}), **{'$gt': marker})
            docs = list(handles.queues.find(query, fields).sort('q', 1).limit(batch))
            items.extend(_items(docs, detailed, kfilter))
            if len(docs) < batch:
                break
            marker = docs[-1]['q']
        items = items[:limit]
        return base.Page(items, items[-1]['name'] if items else None)

    @operation
    def count(self, handles, project):
        return handles.queues.count_documents({'p': project, **LIVE})

    @operation
    def create(self, handles, name, project, metadata=None):
        try:
            handles.queues.update_one(
                {'p': project, 'q': name, 'x': {'$exists': True}},
                {'$set': {'m': records.dumps(metadata or {})}, '$unset': {'x': ''},
                 '$setOnInsert': {'c': bson.Int64(0)}},
                upsert=True)
        except mongo_errors.DuplicateKeyError:
            return False  # it exists (and is not deleted)
        return True

    @operation
    def exists(self, handles, name, project):
        return handles.queues.find_one({'p': project, 'q': name, **LIVE}, {'_id': 1}) \
            is not None

    @operation
    def get_metadata(self, handles, name, project):
        metadata = current_metadata(handles, project, name)
        if metadata is None:
            raise errors.QueueDoesNotExist(name, project)
        return metadata

    @operation
    def set_metadata(self, handles, name, metadata, project):
        result = handles.queues.update_one({'p': project, 'q': name, **LIVE},
                                           {'$set': {'m': records.dumps(metadata)}})
        if not result.matched_count:
            raise errors.QueueDoesNotExist(name, project)

    @operation
    def delete(self, handles, name, project):
        # The document stays, with its counter (records.py).
        handles.queues.update_one({'p': project, 'q': name, **LIVE},
                                  {'$set': {'m': records.EMPTY_METADATA, 'x': True}})
        handles.messages(project).delete_many({'p': project, 'q': name})

    @operation
    def purge(self, handles, name, project):
        handles.messages(project).delete_many({'p': project, 'q': name})

    @operation
    def stats(self, handles, name, project):
        now = time.time()
        found = list(handles.messages(project).aggregate(_stats_pipeline(project, name, now)))
        if not found:
            return {'claimed': 0, 'free': 0, 'total': 0}
        counts = found[0]
        total, claimed = counts['total'], counts['claimed']
        return {'claimed': claimed, 'free': total - claimed, 'total': total,
                'oldest': _end(counts['oldest'], now), 'newest': _end(counts['newest'], now)}


def _stats_pipeline(project, name, now):
    """Counts and both ends of a queue's live messages: one round trip."""
    return [
        {'$match': {'p': project, 'q': name, 'e': {'$gt': records.date(now)}}},
        {'$sort': {'k': 1}},
        {'$group': {
            '_id': None,
            'total': {'$sum': 1},
            'claimed': {'$sum': {'$cond': [{'$gt': ['$ce', now]}, 1, 0]}},
            'oldest': {'$first': {'k': '$k', 'c': '$c'}},
            'newest': {'$last': {'k': '$k', 'c': '$c'}},
        }},
    ]


def _end(found, now):
    return {'id': str(found['k']), 'age': int(now - found['c']), 'created': found['c']}


def _items(docs, detailed, kfilter):
    for doc in docs:
        metadata = records.loads(doc['m']) if 'm' in doc else None
        if kfilter and not all(key in metadata and metadata[key] == value
                               for key, value in kfilter.items()):
            continue
        item = {'name': doc['q']}
        if detailed:
            item['metadata'] = metadata
        yield item
