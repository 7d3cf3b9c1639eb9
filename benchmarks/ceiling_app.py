"""The ceiling: a WSGI app doing exactly one Redis round trip per request.

Served by benchmarks/compare.py under the same WSGI server and settings as
the Zaqar servers, it answers every request with the RPUSH of its body and a
201, so the requests/s it reaches is what the WSGI server, the client and
Redis allow on this machine with no application work at all.
CEILING_REDIS_URL names the Redis database (redis-py connects lazily, on
the first request of each worker).
"""

import os

import redis

_CLIENT = redis.Redis.from_url(os.environ.get('CEILING_REDIS_URL', 'redis://127.0.0.1:6379/6'))
_BODY = b'{"resources": ["/v2/queues/ceiling/messages/0"]}'
_HEADERS = [('Content-Type', 'application/json'), ('Content-Length', str(len(_BODY))),
            ('Location', '/v2/queues/ceiling/messages?ids=0')]


def application(environ, start_response):
    length = int(environ.get('CONTENT_LENGTH') or 0)
    body = environ['wsgi.input'].read(length) if length else b''
    _CLIENT.rpush('ceiling', body)
    start_response('201 Created', list(_HEADERS))
    return [_BODY]
