"""[DEFAULT] options: service-wide switches."""

import os

from oslo_config import cfg

GROUP = 'DEFAULT'


def _default_state_path():
    # Zero set-up for a user without root: the XDG state directory.
    base = os.environ.get('XDG_STATE_HOME') or os.path.join(
        os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'zaqar')


OPTS = [
    cfg.BoolOpt('admin_mode', default=False,
                help='Expose the admin API: health, pools and flavors.'),
    cfg.BoolOpt('pooling', default=False,
                deprecated_opts=[cfg.DeprecatedOpt('sharding')],
                help='Spread queues over the storage pools registered in the '
                     'management store.'),
    cfg.BoolOpt('unreliable', default=False,
                help='Allow a MongoDB that is not a replica set.'),
    cfg.ListOpt('enable_deprecated_api_versions', default=[],
                item_type=cfg.types.String(choices=('1.1',)),
                help='Deprecated API versions to serve beside v2: "1.1" serves '
                     'API v1.1 at /v1.1 (queues, messages, claims, health, pools, '
                     'flavors; no subscriptions or topics) and lists it at /.'),
    cfg.BoolOpt('enable_checksum', default=False,
                help='Store an MD5 checksum of each message body and return it.'),
    cfg.StrOpt('auth_strategy', default='',
               choices=[('', 'no authentication: X-Project-ID and X-Roles are trusted'),
                        ('keystone', 'Keystone tokens, checked by keystonemiddleware '
                                     'with the [keystone_authtoken] options')],
               help='How callers are authenticated. Pre-signed requests and '
                    'GET / never need a token.'),
    cfg.StrOpt('state_path', default=_default_state_path(),
               sample_default='~/.local/state/zaqar',
               help='Directory for local state, such as the embedded SQLite '
                    'message store.'),
]


def register_opts(conf):
    conf.register_opts(OPTS)


def list_opts():
    return {GROUP: OPTS}
