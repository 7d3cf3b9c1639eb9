"""Values to and from Redis: ids, msgpack, message dicts, script arguments."""

import re

import msgpack

# Message ids are a counter (unique per key prefix) in decimal; 15 digits
# keep them exact as zset scores (doubles).
_MESSAGE_ID = re.compile(r'[0-9]{1,15}')
_CLAIM_ID = re.compile(r'[0-9a-fA-F]{32}')
KEY_TTL_MARGIN_MS = 60_000  # keys outlive "expires" a little: API hosts' clocks differ


def is_message_id(text):
    return isinstance(text, str) and _MESSAGE_ID.fullmatch(text) is not None


def message_ids(texts):
    """The well-formed ids among ``texts``, once each, oldest first."""
    return sorted({t for t in texts if is_message_id(t)}, key=int)


def is_claim_id(text):
    return isinstance(text, str) and _CLAIM_ID.fullmatch(text) is not None


# JSON admits lone surrogates ("\ud800"); keep them as the SQL store does.
def pack(value):
    return msgpack.packb(value, use_bin_type=True, unicode_errors='surrogatepass')


def unpack(data):
    return msgpack.unpackb(data, raw=False, unicode_errors='surrogatepass')


def px(seconds):
    """A key lifetime in ms for something that lives ``seconds``."""
    return int(seconds * 1000) + KEY_TTL_MARGIN_MS


def flag(value):
    return '1' if value else '0'


def text(value):
    return None if value is None else value.decode()


def message(record, now):
    """The message dict of base.py from a script's record (scripts/common.lua:
    id, body, ttl, created, expires, delay until, client, checksum, claim
    count, claim id, claim expires)."""
    mid, body, ttl, created, _exp, _delay, _client, checksum, count, cid, cexp = record
    live_claim = cid is not None and float(cexp) > now
    created = float(created)
    result = {
        'id': text(mid), 'ttl': int(ttl), 'age': int(now - created),
        'body': unpack(body), 'claim_id': text(cid) if live_claim else None,
        'claim_count': int(count), 'created': created,
    }
    if checksum is not None:
        result['checksum'] = text(checksum)
    return result


def messages(records, now):
    return [message(record, now) for record in records]
