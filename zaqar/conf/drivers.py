"""[drivers] options: which transport and storage drivers to load."""

from oslo_config import cfg

GROUP = 'drivers'

OPTS = [
    cfg.StrOpt('transport', default='wsgi',
               help='Transport driver (entry point in zaqar.transport).'),
    # Upstream defaults to mongodb; ours is the embedded SQL store so that a
    # fresh install serves with no backend to set up.
    cfg.StrOpt('message_store', default='sqlalchemy',
               deprecated_opts=[cfg.DeprecatedOpt('storage', group='drivers')],
               help='Message store driver (entry point in zaqar.data.storage).'),
    cfg.StrOpt('management_store', default='sqlalchemy',
               help='Management store driver (entry point in '
                    'zaqar.control.storage), used by pooling.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
