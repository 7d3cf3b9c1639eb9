"""[drivers:message_store:mongodb] and [drivers:management_store:mongodb].

Option names and defaults are upstream Zaqar's. The management group is
registered now, for the management store that pooling will bring.
"""

from oslo_config import cfg

MESSAGE_GROUP = 'drivers:message_store:mongodb'
MANAGEMENT_GROUP = 'drivers:management_store:mongodb'

_URI_HELP = ('MongoDB connection URI: mongodb://[user:password@]host1[:port1]'
             '[,host2[:port2],...][/[authdb]][?options], e.g. '
             'mongodb://db1,db2,db3/?replicaSet=rs0&w=majority; also '
             'mongodb+srv://. pymongo connection options go in the query '
             '(serverSelectionTimeoutMS, tls, ...). Unless [DEFAULT] '
             'unreliable is true, the server must be a replica set or a '
             'mongos and the URI must ask for w=majority (or w>=2). For TLS '
             '(tls=true or ssl=true in the URI) the ssl_* options below '
             'apply. Unset: mongodb://127.0.0.1:27017.')

_CONNECTION_OPTS = [
    cfg.StrOpt('uri', secret=True, help=_URI_HELP),
    cfg.StrOpt('database', default='zaqar', help='Database name.'),
    cfg.IntOpt('max_attempts', min=0, default=1000,
               help='Maximum number of times to retry a failed operation '
                    '(accepted for compatibility: this store reserves '
                    'message markers atomically and never retries a post).'),
    cfg.FloatOpt('max_retry_sleep', default=0.1,
                 help='Maximum sleep between retries of a failed operation '
                      '(accepted for compatibility, see max_attempts).'),
    cfg.FloatOpt('max_retry_jitter', default=0.005,
                 help='Maximum jitter added to that sleep (accepted for '
                      'compatibility, see max_attempts).'),
    cfg.IntOpt('max_reconnect_attempts', default=10, min=0,
               help='Times an operation is retried when no MongoDB server '
                    'can be selected (during a failover, or while the '
                    'server is away); then the request answers 503.'),
    cfg.FloatOpt('reconnect_sleep', default=0.020, min=0,
                 help='Base sleep before retrying after a failed server '
                      'selection; the sleep doubles with each retry.'),
    cfg.StrOpt('ssl_keyfile',
               help='Private key file of the client certificate (may be '
                    'left unset when ssl_certfile holds the key too).'),
    cfg.StrOpt('ssl_certfile',
               help='Client certificate file presented to mongod.'),
    cfg.StrOpt('ssl_cert_reqs', default='CERT_REQUIRED',
               choices=[('CERT_NONE', 'the server certificate is not checked'),
                        ('CERT_OPTIONAL', 'as CERT_REQUIRED: what Python\'s ssl '
                                          'module makes of it on a client'),
                        ('CERT_REQUIRED', 'the server certificate must be valid')],
               help='Whether the server certificate is required and checked.'),
    cfg.StrOpt('ssl_ca_certs',
               help='File of concatenated CA certificates that the server '
                    'certificate is checked against.'),
]

MESSAGE_OPTS = _CONNECTION_OPTS + [
    cfg.IntOpt('partitions', default=2, min=1,
               help='Number of collections across which message data is '
                    'spread (by project). Do not change it after the first '
                    'deployment: messages would be looked up in the wrong '
                    'collection.'),
    cfg.IntOpt('gc_interval', default=60, min=0,
               help='Seconds between removals of expired messages by each '
                    'server process; 0 leaves it to zaqar-gc (a TTL index '
                    'removes what both miss).'),
    cfg.IntOpt('gc_threshold', default=1000, min=1,
               help='Expired messages removed per batch by garbage '
                    'collection, so that no single removal holds the '
                    'collection for long.'),
]

MANAGEMENT_OPTS = list(_CONNECTION_OPTS)


def register_opts(conf):
    conf.register_opts(MESSAGE_OPTS, group=MESSAGE_GROUP)
    conf.register_opts(MANAGEMENT_OPTS, group=MANAGEMENT_GROUP)


def list_opts():
    return {MESSAGE_GROUP: MESSAGE_OPTS, MANAGEMENT_GROUP: MANAGEMENT_OPTS}
