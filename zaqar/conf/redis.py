"""[drivers:message_store:redis] and [drivers:management_store:redis]."""

from oslo_config import cfg

MESSAGE_GROUP = 'drivers:message_store:redis'
MANAGEMENT_GROUP = 'drivers:management_store:redis'

_URI_HELP = ('Redis URI: redis://[[user]:password@]host[:port]'
             '[?socket_timeout=SECONDS&dbid=N&prefix=KEYPREFIX] or, for a '
             'Unix socket, redis://[[user]:password@]/path/to.sock[?...]; '
             'for Sentinel, redis://host1[:port],host2[:port]?master=NAME'
             '[&sentinel_username=U&sentinel_password=P&...]. A password '
             'needs its leading ":" even without a user. '
             '"prefix" (default "zaqar") starts every key, so several '
             'deployments (or test runs) can share one Redis database.')

_CONNECTION_OPTS = [
    cfg.StrOpt('uri', default='redis://127.0.0.1:6379', secret=True, help=_URI_HELP),
    cfg.IntOpt('max_reconnect_attempts', default=10, min=0,
               help='Times a command is retried when the connection to Redis '
                    'fails; with reconnect_sleep it bounds how long a request '
                    'waits for an absent server before answering 503.'),
    cfg.FloatOpt('reconnect_sleep', default=1.0, min=0,
                 help='Seconds to wait before each reconnection attempt.'),
]

MESSAGE_OPTS = _CONNECTION_OPTS + [
    cfg.IntOpt('gc_interval', default=60, min=0,
               help='Seconds between removals of expired messages by each '
                    'server process; 0 leaves it to zaqar-gc.'),
]

MANAGEMENT_OPTS = list(_CONNECTION_OPTS)


def register_opts(conf):
    conf.register_opts(MESSAGE_OPTS, group=MESSAGE_GROUP)
    conf.register_opts(MANAGEMENT_OPTS, group=MANAGEMENT_GROUP)


def list_opts():
    return {MESSAGE_GROUP: MESSAGE_OPTS, MANAGEMENT_GROUP: MANAGEMENT_OPTS}
