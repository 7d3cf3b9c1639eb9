"""Documents of the MongoDB store, and the values in them.

A queue document (collection ``queues``, unique on ``p, q``)::

    p project, q queue name, m metadata (JSON bytes), c marker counter,
    x present (true) once the queue is deleted

A deleted queue keeps its document, with empty metadata and its counter:
a queue created again under the same name goes on counting, so a message
id is never given twice in one queue and a stale delete never hits a
newer message.

A message document (collections ``messages_p<N>``)::

    p project, q queue, k marker (the queue's counter: FIFO order, and the
    message id in decimal), b body (JSON bytes), t ttl, c created (epoch
    seconds), e expires (a date: the TTL index reads it), d delay until,
    u client id, n claim count, ce claim expires (0 when never claimed),
    ci claim id (an ObjectId; absent when released), ct claim ttl,
    cc claim (re)started, cs checksum (when one was given)

A message is held by the claim ``ci`` while ``ce`` is in the future. Bodies
and metadata are stored as JSON text: any JSON value survives unchanged
(keys holding ``.``, ``$`` or NUL, integers past 64 bits, lone
surrogates), where a BSON document would refuse some of them.
"""

import datetime
import json
import re

import bson

_MESSAGE_ID = re.compile(r'[0-9]{1,18}')
_OBJECT_ID = re.compile(r'[0-9a-f]{24}')


def message_marker(text):
    """The marker of a well-formed message id (or page marker), else None."""
    if isinstance(text, str) and _MESSAGE_ID.fullmatch(text):
        return bson.Int64(text)
    return None


def message_markers(texts):
    return sorted({marker for marker in map(message_marker, texts) if marker is not None})


def object_id(text):
    """The ObjectId of a well-formed claim or subscription id, else None."""
    if isinstance(text, str) and _OBJECT_ID.fullmatch(text):
        return bson.ObjectId(text)
    return None


def dumps(value):
    """JSON bytes; surrogatepass keeps lone surrogates as the SQL store does."""
    text = json.dumps(value, separators=(',', ':'), ensure_ascii=False)
    return bson.Binary(text.encode('utf-8', 'surrogatepass'))


def loads(data):
    return json.loads(bytes(data).decode('utf-8', 'surrogatepass'))


EMPTY_METADATA = dumps({})


def date(seconds):
    """A BSON date (what a TTL index reads) for epoch seconds."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def seconds(value):
    return value.timestamp()


def live_claim(doc, now):
    return 'ci' in doc and doc['ce'] > now


def message(doc, now):
    """The message dict of base.py from a message document."""
    result = {
        'id': str(doc['k']),
        'ttl': doc['t'],
        'age': int(now - doc['c']),
        'body': loads(doc['b']),
        'claim_id': str(doc['ci']) if live_claim(doc, now) else None,
        'claim_count': doc['n'],
        'created': doc['c'],
    }
    if 'cs' in doc:
        result['checksum'] = doc['cs']
    return result


def messages(docs, now):
    return [message(doc, now) for doc in docs]


def new_message(message, project, queue, client, now):
    """A message document without its marker (``k``), from base.py's shape."""
    ttl = int(message['ttl'])
    doc = {
        'p': project, 'q': queue, 'b': dumps(message['body']), 't': ttl,
        'c': now, 'e': date(now + ttl), 'd': now + (message.get('delay') or 0),
        'u': client, 'n': 0, 'ce': 0.0,
    }
    if message.get('checksum') is not None:
        doc['cs'] = message['checksum']
    return doc


def lease(now, ttl, grace):
    """What a claim (or its renewal) sets: claim expiry, ttl and start."""
    return {'ce': now + ttl, 'ct': int(ttl), 'cc': now}


def extension(doc, now, ttl, grace):
    """The fields that make a claimed message outlive its claim by
    ``grace`` (base.py): new expiry and ttl, or {} when it lives long
    enough already."""
    until = now + ttl + grace
    if seconds(doc['e']) >= until:
        return {}
    return {'e': date(until), 't': int(ttl + grace)}
