"""The Redis client: URI parsing, lazy connection, error translation."""

import contextlib
import logging
import threading
import urllib.parse

import redis
from redis import backoff, retry
from redis import exceptions as redis_exc

from zaqar.storage import errors
from zaqar.storage.redis import scripts

LOG = logging.getLogger(__name__)

DEFAULT_PREFIX = 'zaqar'


def parse_uri(uri):
    """Return (redis.Redis keyword arguments, key prefix) for a URI.

    ``redis://[[user]:password@]host[:port][?socket_timeout=S&dbid=N&prefix=P]``
    or ``redis://[[user]:password@]/path/to.sock[?...]``.
    """
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme != 'redis':
        raise ValueError(f'Not a redis:// URI: {parts.scheme}://...')
    query = dict(urllib.parse.parse_qsl(parts.query))
    if 'master' in query or ',' in parts.netloc:
        raise ValueError('Redis Sentinel URIs are not supported yet')
    kwargs = {'username': _unquote(parts.username), 'password': _unquote(parts.password)}
    if parts.hostname:
        kwargs.update(host=parts.hostname, port=parts.port or 6379)
    elif parts.path not in ('', '/'):
        kwargs['unix_socket_path'] = parts.path
    else:
        raise ValueError('A redis:// URI needs a host or a socket path')
    if 'socket_timeout' in query:
        kwargs['socket_timeout'] = float(query['socket_timeout'])
    if 'dbid' in query:
        kwargs['db'] = int(query['dbid'])
    return kwargs, query.get('prefix') or DEFAULT_PREFIX


def _unquote(text):
    return urllib.parse.unquote(text) if text else None


@contextlib.contextmanager
def translate_errors():
    """Turn "Redis is away" into errors.ConnectionError: the one place where
    redis errors are translated; anything else (a script bug) propagates."""
    try:
        yield
    except (redis_exc.ConnectionError, redis_exc.TimeoutError) as exc:
        LOG.warning('Message store unavailable: %s', exc)
        raise errors.ConnectionError() from exc


class Session:
    """What a controller works with: the client, the scripts, the prefix."""

    def __init__(self, client, prefix):
        self.client = client
        self.prefix = prefix
        self._scripts = scripts.register(client)

    def script(self, name, project, queue, now, *args):
        """Run one script: one round trip. ``now`` goes to every script."""
        argv = [self.prefix, project, queue, repr(now), *args]
        return self._scripts[name](keys=[], args=argv, client=self.client)


class Connection:
    """Builds the client on first use; redis-py's pool is thread-safe and
    starts afresh in a forked child."""

    def __init__(self, opts):
        self._opts = opts
        self._session = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def session(self):
        with translate_errors():
            yield self._get()

    def _get(self):
        with self._lock:
            if self._session is None:
                kwargs, prefix = parse_uri(self._opts.uri)
                self._session = Session(redis.Redis(retry=self._retry(), **kwargs), prefix)
            return self._session

    def _retry(self):
        # Only failed connections are retried: a timed-out script may have
        # run, and running a post twice would store its messages twice.
        return retry.Retry(backoff.ConstantBackoff(self._opts.reconnect_sleep),
                           self._opts.max_reconnect_attempts,
                           supported_errors=(redis_exc.ConnectionError,))

    def close(self):
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.client.close()
