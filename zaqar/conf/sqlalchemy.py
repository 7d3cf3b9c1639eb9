"""[drivers:message_store:sqlalchemy] and [drivers:management_store:sqlalchemy]."""

from oslo_config import cfg

MESSAGE_GROUP = 'drivers:message_store:sqlalchemy'
MANAGEMENT_GROUP = 'drivers:management_store:sqlalchemy'

MESSAGE_OPTS = [
    cfg.StrOpt('uri', secret=True,
               help='SQLAlchemy URL of the message store: postgresql://..., '
                    'mysql+pymysql://... or sqlite:///path. Unset: a SQLite '
                    'file zaqar.sqlite under [DEFAULT] state_path.'),
    cfg.IntOpt('gc_interval', default=60, min=0,
               help='Seconds between removals of expired messages by each '
                    'server process; 0 leaves it to zaqar-gc.'),
    cfg.IntOpt('pool_size', default=5, min=1,
               help='Connections kept open per process (not SQLite).'),
]

MANAGEMENT_OPTS = [
    cfg.StrOpt('uri', secret=True,
               help='SQLAlchemy URL of the management store (pools, flavors, '
                    'catalogue). Unset: a SQLite file zaqar-management.sqlite '
                    'under [DEFAULT] state_path.'),
]


def register_opts(conf):
    conf.register_opts(MESSAGE_OPTS, group=MESSAGE_GROUP)
    conf.register_opts(MANAGEMENT_OPTS, group=MANAGEMENT_GROUP)


def list_opts():
    return {MESSAGE_GROUP: MESSAGE_OPTS, MANAGEMENT_GROUP: MANAGEMENT_OPTS}
