"""Key layout, for the plain commands; scripts/common.lua mirrors it.

Every key starts with the prefix of the URI (``?prefix=``, default
``zaqar``). Names are length-prefixed (``<bytes>:<name>``), so projects and
queues may hold any character and no two (project, queue) pairs share a key:

    <prefix>:p:<project>:queues     zset, queue name -> 0 (ZRANGEBYLEX paging)
    <prefix>:p:<project>:meta       hash, queue name -> msgpack metadata
    <prefix>:p:<project>:dlq        hash, queue name -> msgpack dead-letter policy
    <prefix>:q:<project><queue>:ids zset, message id -> id (FIFO)
    <prefix>:q:<project><queue>:m:<id>  hash, one message (key TTL)
    <prefix>:q:<project><queue>:c:<claim id>  hash, one claim (key TTL)
    <prefix>:seq                    counter of message ids
    <prefix>:expiry                 zset, message key -> expires (gc)
"""

# Fields of a message hash, in the order records.message() reads them.
RECORD_FIELDS = ('b', 't', 'c', 'e', 'd', 'u', 'k', 'n', 'ci', 'ce')


def enc(name):
    data = name.encode()
    return b'%d:%s' % (len(data), data)


def project_key(prefix, project, what):
    return b'%s:p:%s:%s' % (prefix.encode(), enc(project), what)


def queues(prefix, project):
    return project_key(prefix, project, b'queues')


def meta(prefix, project):
    return project_key(prefix, project, b'meta')


def queue_base(prefix, project, queue):
    return b'%s:q:%s%s' % (prefix.encode(), enc(project), enc(queue))


def message(prefix, project, queue, message_id):
    return b'%s:m:%s' % (queue_base(prefix, project, queue), message_id.encode())
