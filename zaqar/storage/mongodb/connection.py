"""The MongoDB client: URI and TLS options, lazy connection, indexes, the
durability check, retries and error translation.

Nothing here touches the network until the first operation: then the
client is built, the server is asked ``hello`` (never ``buildInfo``), the
durability rule is checked and the indexes are created (an idempotent
command when they exist).

Retries: an operation is tried again only when no server could be
selected, since then nothing was sent (pymongo itself retries a read once
after a network error, and a write once on a replica set, where the server
makes the retry safe). Any other connection failure answers at once with
errors.ConnectionError: a post that may have been stored is never sent
twice by us.
"""

import contextlib
import dataclasses
import functools
import logging
import os
import tempfile
import threading
import time
import urllib.parse
import zlib

import pymongo
from pymongo import IndexModel, uri_parser
from pymongo import errors as mongo_errors

from zaqar.storage import errors

LOG = logging.getLogger(__name__)

DEFAULT_URI = 'mongodb://127.0.0.1:27017'
SCHEMES = ('mongodb', 'mongodb+srv')
# Unless the URI says otherwise: how long one attempt waits for a server
# (pymongo's default, 30 s, would hold every request that long), how long
# a connection may take, and how long an answer.
DEFAULT_TIMEOUTS_MS = {'serverSelectionTimeoutMS': 1000, 'connectTimeoutMS': 5000,
                       'socketTimeoutMS': 30000}
QUEUES = 'queues'
MESSAGES = 'messages_p{}'
SUBSCRIPTIONS = 'subscriptions'
# Expired messages are invisible at once and gc() removes them; the TTL
# index is the backstop for a deployment where gc never runs, so it waits
# this long past expiry, leaving gc the work (and its count).
TTL_INDEX_DELAY = 3600


def parse_uri(uri):
    """Check a URI without I/O; return it with zaqar's variant schemes
    (``mongodb.fifo://``) read as ``mongodb://``."""
    uri = uri or DEFAULT_URI
    scheme, sep, rest = uri.partition('://')
    if not sep or scheme.split('.')[0] not in SCHEMES:
        raise ValueError('Invalid MongoDB URI: expected mongodb://host[:port][,...]'
                         '[/[db]][?options] or mongodb+srv://...')
    uri = scheme.split('.')[0] + '://' + rest
    if not uri.startswith('mongodb+srv://'):  # an SRV URI would need DNS now
        try:
            uri_parser.parse_uri(uri)
        except (mongo_errors.InvalidURI, mongo_errors.ConfigurationError,
                ValueError) as exc:
            raise ValueError(f'Invalid MongoDB URI: {exc}') from None
    return uri


def uri_options(uri):
    """The query options of a URI, keys lower-cased (as MongoDB reads them)."""
    query = urllib.parse.urlsplit(uri).query
    return {key.lower(): value for key, value in urllib.parse.parse_qsl(query)}


def client_kwargs(opts, uri):
    """Keyword arguments of the MongoClient: defaults the URI does not
    override, and the TLS files of the ssl_* options."""
    given = uri_options(uri)
    kwargs = {'connect': False, 'tz_aware': True, 'appname': 'zaqar'}
    kwargs.update({key: value for key, value in DEFAULT_TIMEOUTS_MS.items()
                   if key.lower() not in given})
    if given.get('tls', given.get('ssl', '')).lower() == 'true':
        kwargs.update(tls_kwargs(opts))
    return kwargs


def tls_kwargs(opts):
    kwargs = {}
    if opts.ssl_cert_reqs == 'CERT_NONE':
        kwargs['tlsAllowInvalidCertificates'] = True
        kwargs['tlsAllowInvalidHostnames'] = True
    # CERT_OPTIONAL means CERT_REQUIRED on a client (Python's ssl module):
    # pymongo's default.
    if opts.ssl_ca_certs:
        kwargs['tlsCAFile'] = opts.ssl_ca_certs
    key_file = opts.ssl_certfile or opts.ssl_keyfile
    if key_file:
        kwargs['tlsCertificateKeyFile'] = key_file
    return kwargs


def needs_combined_pem(opts):
    """pymongo reads the client key and certificate from one file."""
    return bool(opts.ssl_keyfile and opts.ssl_certfile
                and opts.ssl_keyfile != opts.ssl_certfile)


def combine_pem(opts):
    """Write certificate and key into one private file; return its path."""
    handle, path = tempfile.mkstemp(prefix='zaqar-mongodb-', suffix='.pem')
    with os.fdopen(handle, 'wb') as out:
        for name in (opts.ssl_certfile, opts.ssl_keyfile):
            with open(name, 'rb') as part:
                out.write(part.read().rstrip(b'\n') + b'\n')
    return path


def durability_problem(hello, write_concern):
    """Upstream's rule, as a sentence, or None when met: a replica set or a
    mongos (``hello`` tells which), written to with w=majority or w>=2."""
    if 'setName' not in hello and hello.get('msg') != 'isdbgrid':
        return ('MongoDB is neither a replica set nor a mongos: an acknowledged '
                'message could be lost.')
    w = write_concern.get('w')
    if not (w == 'majority' or (isinstance(w, int) and w >= 2)):
        return ('The MongoDB URI must ask for w=majority (or w>=2): an '
                'acknowledged message could be lost.')
    return None


@dataclasses.dataclass(frozen=True)
class Handles:
    """The collections a controller works with."""

    client: pymongo.MongoClient
    queues: object
    subscriptions: object
    partitions: tuple

    def messages(self, project):
        """The message collection of a project's partition. By project, not
        by queue: a dead-letter queue (same project) is in the same one."""
        index = zlib.crc32(project.encode('utf-8', 'surrogatepass')) % len(self.partitions)
        return self.partitions[index]


def create_indexes(handles):
    """One index per query shape, each named after its use: one command per
    collection (nothing to do when they exist)."""
    handles.queues.create_indexes([
        IndexModel([('p', 1), ('q', 1)], name='queue', unique=True)])
    handles.subscriptions.create_indexes([
        # One live subscription per subscriber; listing in id order.
        IndexModel([('p', 1), ('s', 1), ('h', 1)], name='subscriber', unique=True),
        IndexModel([('p', 1), ('s', 1), ('_id', 1)], name='source'),
        IndexModel([('e', 1)], name='expiry', expireAfterSeconds=TTL_INDEX_DELAY)])
    for messages in handles.partitions:
        messages.create_indexes([
            # Listing, get by id, claims, pop and stats: a queue's messages
            # in marker order, with the claim expiry in the key so that
            # claimed messages are stepped over without reading them.
            IndexModel([('p', 1), ('q', 1), ('k', 1), ('ce', 1)], name='active'),
            # Claim get, renew, release and delete by claim: only claimed
            # messages carry ``ci``.
            IndexModel([('ci', 1)], name='claim', sparse=True),
            # gc() and the TTL backstop.
            IndexModel([('e', 1)], name='expiry', expireAfterSeconds=TTL_INDEX_DELAY)])


class Connection:
    """Builds the client on first use in each process (a MongoClient must
    not cross a fork); pymongo's pool is thread-safe."""

    def __init__(self, opts, unreliable):
        self._opts = opts
        self._unreliable = unreliable
        # Parsed now: a malformed URI stops the service at start, not at
        # its first request.
        self._uri = parse_uri(opts.uri)
        self.client_kwargs = client_kwargs(opts, self._uri)  # tests add listeners
        self._pem = None
        self._handles = None
        self._pid = None
        self._lock = threading.Lock()

    def handles(self):
        handles = self._handles
        if handles is not None and self._pid == os.getpid():
            return handles
        # Connecting waits for the server: not under the lock, or while it
        # is away every request would wait for each other's attempt in turn
        # (a request queued behind eight of them took 28 s to answer 503).
        handles = self._connect()
        with self._lock:
            if self._handles is None or self._pid != os.getpid():
                self._handles, self._pid = handles, os.getpid()
                return handles
            first = self._handles
        handles.client.close()  # another thread connected first
        return first

    def _connect(self):
        kwargs = dict(self.client_kwargs)
        if needs_combined_pem(self._opts):
            self._pem = self._pem or combine_pem(self._opts)
            kwargs['tlsCertificateKeyFile'] = self._pem
        client = pymongo.MongoClient(self._uri, **kwargs)
        try:
            self._check_durability(client)
            database = client[self._opts.database]
            handles = Handles(client, database[QUEUES], database[SUBSCRIPTIONS], tuple(
                database[MESSAGES.format(n)] for n in range(self._opts.partitions)))
            create_indexes(handles)
        except BaseException:
            client.close()
            raise
        return handles

    def _check_durability(self, client):
        if self._unreliable:
            return
        problem = durability_problem(client.admin.command('hello'),
                                     client.write_concern.document)
        if problem:
            raise errors.ConnectionError(problem + ' Or set [DEFAULT] unreliable = true.')

    def run(self, operation, *args, **kwargs):
        """Call ``operation(handles, *args, **kwargs)``, retrying while no
        server can be selected; translate "MongoDB is away"."""
        attempt = 0
        while True:
            try:
                with translate_errors(final=attempt >= self._opts.max_reconnect_attempts):
                    return operation(self.handles(), *args, **kwargs)
            except _Retry:
                time.sleep(self._opts.reconnect_sleep * 2 ** attempt)
                attempt += 1

    def close(self):
        with self._lock:
            handles, self._handles = self._handles, None
            pem, self._pem = self._pem, None
        if handles is not None:
            handles.client.close()
        if pem is not None:
            with contextlib.suppress(OSError):
                os.unlink(pem)


class _Retry(Exception):
    """No server could be selected: nothing was sent, try again."""


@contextlib.contextmanager
def translate_errors(final=True):
    """The one place where pymongo's connection errors are translated;
    anything else (a bug, a refused command) propagates unchanged."""
    try:
        yield
    except errors.ConnectionError as exc:
        LOG.error('Message store refused: %s', exc)
        raise
    except mongo_errors.ServerSelectionTimeoutError as exc:
        if not final:
            raise _Retry() from exc
        LOG.warning('Message store unavailable: %s', exc)
        raise errors.ConnectionError() from exc
    except mongo_errors.ConnectionFailure as exc:
        LOG.warning('Message store unavailable: %s', exc)
        raise errors.ConnectionError() from exc
    except mongo_errors.WriteConcernError as exc:
        # The primary has the write but could not have it replicated as the
        # URI asks (w, wtimeout): the write is not acknowledged as durable.
        LOG.warning('Message store could not replicate a write: %s', exc)
        raise errors.ConnectionError() from exc


def operation(method):
    """Decorate a controller method ``method(self, handles, ...)``: it is
    called with the collections, retried and translated as above."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        return self._driver.connection.run(functools.partial(method, self),
                                           *args, **kwargs)

    return wrapper
