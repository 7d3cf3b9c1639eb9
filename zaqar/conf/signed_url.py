"""[signed_url] options: pre-signed URLs."""

from oslo_config import cfg

GROUP = 'signed_url'

OPTS = [
    cfg.StrOpt('secret_key', secret=True,
               help='HMAC key for pre-signed URLs; unset disables /share.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
