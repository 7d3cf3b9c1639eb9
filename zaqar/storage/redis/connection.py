"""The Redis client: URI parsing, lazy connection, error translation.

URI forms (parsed by ``parse_uri`` into a ``Settings``, without I/O):

* one server: ``redis://[[user]:password@]host[:port][?query]``;
* a Unix socket: ``redis://[[user]:password@]/path/to.sock[?query]`` or
  ``unix://[[user]:password@]/path/to.sock[?query]``;
* Sentinel: ``redis://host1[:port],host2[:port]?master=NAME[&query]`` or
  ``redis+sentinel://host1[:port],...?master=NAME[&query]`` (sentinel ports
  default to 26379). ``master`` makes even a one-host ``redis://`` URI a
  Sentinel URI. The client asks the sentinels for the master's address on
  every new connection, so it follows a failover by itself.

Query keys, in every form: ``socket_timeout`` (seconds, also bounds
connecting), ``dbid`` (database index), ``prefix`` (key prefix, default
``zaqar``), and for Sentinel ``master``, ``sentinel_username`` and
``sentinel_password`` (credentials of the sentinels themselves; the
``user:password@`` part authenticates to the Redis servers). A password
needs its leading ``:`` even without a user. Percent-escapes are decoded.
"""

import contextlib
import dataclasses
import logging
import re
import threading
import urllib.parse

import redis
from redis import backoff, retry
from redis import exceptions as redis_exc
from redis import sentinel as redis_sentinel

from zaqar.storage import errors
from zaqar.storage.redis import scripts

LOG = logging.getLogger(__name__)

DEFAULT_PREFIX = 'zaqar'
DEFAULT_PORT = 6379
DEFAULT_SENTINEL_PORT = 26379
# Without a socket_timeout, connecting still gives up after this many
# seconds (the OS default, minutes, would hold every request that long).
DEFAULT_CONNECT_TIMEOUT = 5.0
SCHEMES = ('redis', 'redis+sentinel', 'unix')
QUERY_KEYS = ('socket_timeout', 'dbid', 'prefix', 'master',
              'sentinel_username', 'sentinel_password')


@dataclasses.dataclass(frozen=True)
class Settings:
    """What a Redis URI says; exactly one of host, unix_socket_path and
    sentinels is set."""

    host: str | None = None
    port: int | None = None
    unix_socket_path: str | None = None
    sentinels: tuple = ()  # ((host, port), ...)
    master: str | None = None
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    db: int = 0
    socket_timeout: float | None = None
    prefix: str = DEFAULT_PREFIX
    sentinel_username: str | None = None
    sentinel_password: str | None = dataclasses.field(default=None, repr=False)

    @property
    def connect_timeout(self):
        return self.socket_timeout or DEFAULT_CONNECT_TIMEOUT

    def server_kwargs(self):
        """Keyword arguments of a connection to a Redis server (not its address)."""
        return {'username': self.username, 'password': self.password, 'db': self.db,
                'socket_timeout': self.socket_timeout,
                'socket_connect_timeout': self.connect_timeout}

    def sentinel_kwargs(self):
        """Keyword arguments of a connection to a sentinel. No retries: the
        client asks the next sentinel instead."""
        return {'username': self.sentinel_username, 'password': self.sentinel_password,
                'socket_timeout': self.socket_timeout,
                'socket_connect_timeout': self.connect_timeout,
                'retry': retry.Retry(backoff.NoBackoff(), 0)}


def redact(uri):
    """``uri`` with its passwords replaced by ``***``, for messages and logs."""
    uri = str(uri)
    scheme, sep, rest = uri.partition('://')
    if sep:
        rest, question, query = rest.partition('?')
        userinfo, at, location = rest.rpartition('@')
        if at:  # without a ':' the whole userinfo may be a password
            user, colon, _ = userinfo.partition(':')
            rest = (user + ':***@' if colon else '***@') + location
        query = re.sub(r'((?:^|&)sentinel_password=)[^&#]*', r'\1***', query)
        uri = scheme + sep + rest + question + query
    return uri


def parse_uri(uri):
    """Return the ``Settings`` of a Redis URI; ValueError says what is wrong
    with a malformed one (never showing its passwords)."""
    try:
        return _parse(uri)
    except _Invalid as exc:
        raise ValueError(f'Invalid Redis URI {redact(uri)!r}: {exc}') from None


class _Invalid(Exception):
    pass


def _parse(uri):
    if not isinstance(uri, str) or not uri:
        raise _Invalid('empty')
    scheme, sep, rest = uri.partition('://')
    if not sep:
        raise _Invalid('expected scheme://..., e.g. redis://127.0.0.1:6379')
    if scheme.lower() not in SCHEMES:
        raise _Invalid(f'unsupported scheme {scheme!r}; use one of '
                       + ', '.join(s + '://' for s in SCHEMES))
    scheme = scheme.lower()
    rest, _, fragment = rest.partition('#')
    if fragment:
        raise _Invalid('unexpected #fragment')
    rest, _, query_text = rest.partition('?')
    # Credentials end at the last '@' (a password may hold '@' or '/'; a
    # socket path may not hold '@').
    userinfo, at, rest = rest.rpartition('@')
    hostlist, slash, path = rest.partition('/')
    path = slash + path
    options = _query(query_text)
    kwargs = {}
    if at:
        user, colon, password = userinfo.partition(':')
        if not colon:
            raise _Invalid("credentials must read [user]:password@ (a password "
                           "needs its leading ':' even without a user)")
        kwargs['username'] = _unquote(user) or None
        kwargs['password'] = _unquote(password) or None
    for key in ('prefix', 'master', 'sentinel_username', 'sentinel_password'):
        if key in options:
            if not options[key]:
                raise _Invalid(f'{key} is empty')
            kwargs[key] = options[key]
    if 'socket_timeout' in options:
        kwargs['socket_timeout'] = _number(options, 'socket_timeout', float)
    if 'dbid' in options:
        kwargs['db'] = _number(options, 'dbid', int, minimum=0)

    sentinel = scheme == 'redis+sentinel' or 'master' in options or ',' in hostlist
    if scheme == 'unix' or (not hostlist and not sentinel):
        if hostlist:
            raise _Invalid('a unix:// URI takes no host: unix:///path/to.sock')
        if path in ('', '/'):
            raise _Invalid('needs a host or a Unix socket path (redis:///path/to.sock)')
        _refuse_sentinel_keys(kwargs, 'a Unix socket URI')
        return Settings(unix_socket_path=_unquote(path), **kwargs)
    if path not in ('', '/'):
        raise _Invalid(f'unexpected path {path!r} after the host (the database '
                       'index goes in ?dbid=N)')
    if sentinel:
        if 'master' not in kwargs:
            raise _Invalid('a Sentinel URI (several hosts, or redis+sentinel://) '
                           'needs ?master=<name>')
        hosts = [_address(item, DEFAULT_SENTINEL_PORT) for item in hostlist.split(',')]
        return Settings(sentinels=tuple(hosts), **kwargs)
    _refuse_sentinel_keys(kwargs, 'a one-server URI')
    host, port = _address(hostlist, DEFAULT_PORT)
    return Settings(host=host, port=port, **kwargs)


def _query(text):
    try:
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True,
                                       strict_parsing=bool(text))
    except ValueError:
        raise _Invalid('malformed query string: expected key=value&...') from None
    options = {}
    for key, value in pairs:
        if key not in QUERY_KEYS:
            raise _Invalid(f'unknown query key {key!r}; known: {", ".join(QUERY_KEYS)}')
        if key in options:
            raise _Invalid(f'query key {key!r} given twice')
        options[key] = value
    return options


def _number(options, key, kind, minimum=None):
    try:
        value = kind(options[key])
    except ValueError:
        raise _Invalid(f'{key} must be a{"n integer" if kind is int else " number"}, '
                       f'not {options[key]!r}') from None
    if kind is float and not value > 0:
        raise _Invalid(f'{key} must be a positive number of seconds')
    if minimum is not None and value < minimum:
        raise _Invalid(f'{key} must be at least {minimum}')
    return value


def _address(text, default_port):
    """``host``, ``host:port``, ``[v6]`` or ``[v6]:port`` → (host, port)."""
    if text.startswith('['):
        host, bracket, port = text[1:].partition(']')
        if not bracket or not host or (port and not port.startswith(':')):
            raise _Invalid(f'malformed IPv6 address {text!r}; write [addr]:port')
        port = port[1:]
    else:
        host, _, port = text.partition(':')
        if not host:
            raise _Invalid(f'missing host in {text!r}' if text else 'empty host')
    if port == '':
        if text.endswith(':'):
            raise _Invalid(f'empty port in {text!r}')
        return host, default_port
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise _Invalid(f'port must be a number from 1 to 65535, not {port!r}')
    return host, int(port)


def _refuse_sentinel_keys(kwargs, what):
    for key in ('sentinel_username', 'sentinel_password'):
        if key in kwargs:
            raise _Invalid(f'{key} needs a Sentinel URI (?master=<name>), '
                           f'not {what}')


def _unquote(text):
    return urllib.parse.unquote(text) if text else text


class ConnectFailed(redis_exc.ConnectionError):
    """Connecting (or the handshake) failed: no command went out, so the
    command may be sent again."""


class _MarksConnectFailures:
    """Mixed into the pool's connection class: failures while connecting
    raise ConnectFailed, so that they alone are retried."""

    def connect_check_health(self, *args, **kwargs):
        try:
            return super().connect_check_health(*args, **kwargs)
        except ConnectFailed:
            raise
        except (redis_exc.ConnectionError, redis_exc.TimeoutError) as exc:
            raise ConnectFailed(str(exc)) from exc


def build_client(settings, retry_policy):
    """A redis.Redis for ``settings``; no I/O yet."""
    kwargs = dict(settings.server_kwargs(), retry=retry_policy)
    if settings.sentinels:
        manager = redis_sentinel.Sentinel(list(settings.sentinels),
                                          sentinel_kwargs=settings.sentinel_kwargs())
        client = manager.master_for(settings.master, **kwargs)
    elif settings.unix_socket_path:
        client = redis.Redis(unix_socket_path=settings.unix_socket_path, **kwargs)
    else:
        client = redis.Redis(host=settings.host, port=settings.port, **kwargs)
    pool = client.connection_pool
    pool.connection_class = type(f'Marked{pool.connection_class.__name__}',
                                 (_MarksConnectFailures, pool.connection_class), {})
    return client


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
        self._run = scripts.Runner(client.connection_pool)

    def script(self, name, project, queue, now, *args):
        """Run one script: one round trip. ``now`` goes to every script."""
        return self._run(name, (self.prefix, project, queue, repr(now), *args))

    def close(self):
        self._run.close()
        self.client.close()


class Connection:
    """Builds the client on first use; redis-py's pool is thread-safe and
    starts afresh in a forked child."""

    def __init__(self, opts):
        self._opts = opts
        # Parsed now: a malformed URI stops the service at start, not at
        # its first request.
        self._settings = parse_uri(opts.uri)
        self._session = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def session(self):
        with translate_errors():
            yield self._get()

    def _get(self):
        if self._session is not None:
            return self._session
        with self._lock:
            if self._session is None:
                client = build_client(self._settings, self._retry())
                self._session = Session(client, self._settings.prefix)
            return self._session

    def _retry(self):
        # Only failures to connect are retried (and a Sentinel that knows no
        # master): then nothing was sent. A connection lost once a script
        # was sent, or a timeout, is not: the script may have run, and
        # running a post twice would store its messages twice. A request to
        # a server that is away fails after max_reconnect_attempts *
        # reconnect_sleep seconds (plus the connect attempts, each bounded
        # by the connect timeout).
        return retry.Retry(backoff.ConstantBackoff(self._opts.reconnect_sleep),
                           self._opts.max_reconnect_attempts,
                           supported_errors=(ConnectFailed,
                                             redis_sentinel.MasterNotFoundError))

    def close(self):
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()
