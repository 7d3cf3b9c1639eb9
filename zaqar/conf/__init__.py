"""Configuration options, one module per group.

Nothing is registered at import time: call ``register_opts(conf)`` on the
``cfg.ConfigOpts`` that bootstrap builds.
"""

from zaqar.conf import (
    default,
    drivers,
    mongodb,
    notification,
    redis,
    signed_url,
    sqlalchemy,
    transport,
    websocket,
    wsgi,
)

MODULES = (default, drivers, transport, wsgi, sqlalchemy, redis, mongodb, signed_url, notification,
           websocket)


def register_opts(conf):
    for module in MODULES:
        module.register_opts(conf)
    return conf


def _register_library_opts(conf):
    # [keystone_authtoken] is keystonemiddleware's; registered up front so
    # the file is parsed (and misspelt values rejected) at start-up.
    from keystonemiddleware import auth_token

    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)


def new(args=None, config_files=None):
    """Build, register and parse a fresh ConfigOpts."""
    from oslo_config import cfg
    from oslo_log import log
    from oslo_policy import opts as policy_opts

    conf = cfg.ConfigOpts()
    register_opts(conf)
    log.register_options(conf)
    _register_library_opts(conf)
    # [oslo_policy] is parsed with the rest, so policy_file can be set there.
    policy_opts.set_defaults(conf, policy_file='policy.yaml')
    kwargs = {'project': 'zaqar'}
    if config_files is not None:
        kwargs['default_config_files'] = config_files
    conf(args=args if args is not None else [], **kwargs)
    return conf
