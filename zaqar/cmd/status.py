"""zaqar-status upgrade check: is this configuration ready to serve?

Run it with the server's configuration files (``--config-file``), after
installing new code and before restarting the service. Each check answers
Success, Warning or Failure with what to change; the exit status is the
worst answer (0, 1, 2), or 255 when a check itself crashed, as with every
OpenStack ``*-status`` command. ``--json`` prints the results as JSON.

The checks read configuration and talk to the stores; they change nothing,
except that an embedded SQLite store not yet created is created empty.
"""

import sys
from importlib import metadata

import yaml
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log
from oslo_policy import opts as policy_opts
from oslo_upgradecheck import common_checks, upgradecheck

from zaqar import bootstrap, policy
from zaqar import conf as zaqar_conf

Result = upgradecheck.Result
SUCCESS, WARNING, FAILURE = (upgradecheck.Code.SUCCESS, upgradecheck.Code.WARNING,
                             upgradecheck.Code.FAILURE)

DATA_NAMESPACE = 'zaqar.data.storage'
CONTROL_NAMESPACE = 'zaqar.control.storage'
AUTHTOKEN = 'keystone_authtoken'


def _option(conf, group, name, default=None):
    """The option's value, or ``default`` when this build has no such option."""
    try:
        return conf[name] if group is None else conf[group][name]
    except cfg.NoSuchOptError:
        return default


def _installed(namespace):
    return sorted({ep.name for ep in metadata.entry_points(group=namespace)})


def check_store(conf, namespace, name, group):
    """Load the driver ``name`` of ``namespace`` and ask whether it answers."""
    try:
        driver = bootstrap.load_driver(namespace, name, conf)
    except bootstrap.DriverLoadError as exc:
        return Result(FAILURE, f'{exc}. Installed drivers: '
                               f'{", ".join(_installed(namespace)) or "none"}.')
    try:
        alive = driver.is_alive()
    finally:
        driver.close()
    if not alive:
        return Result(FAILURE, f'The {name} store was loaded but does not answer: '
                               f'check [{group}] uri and that its server is running.')
    return Result(SUCCESS, f'The {name} store answers.')


def check_keystone_auth(conf):
    """With auth_strategy = keystone, can the token-checking plugin be built?"""
    if _option(conf, None, 'auth_strategy', '') != 'keystone':
        return Result(SUCCESS, 'No authentication (auth_strategy is not keystone): '
                               'callers are trusted with the project in X-Project-ID '
                               'and the roles in X-Roles. Development or a trusted '
                               'network only.')
    auth_type = _option(conf, AUTHTOKEN, 'auth_type')
    if not auth_type:
        return Result(FAILURE, f'auth_strategy = keystone needs [{AUTHTOKEN}] auth_type '
                               '(e.g. password) and the service credentials that '
                               'validate tokens; zaqar-server will not start without it.')
    try:
        ks_loading.load_auth_from_conf_options(conf, AUTHTOKEN)
    except (ks_exceptions.NoMatchingPlugin, ks_exceptions.MissingRequiredOptions,
            ks_exceptions.OptionError) as exc:
        return Result(FAILURE, f'[{AUTHTOKEN}] auth_type = {auth_type} cannot be '
                               f'loaded: {exc}')
    return Result(SUCCESS, f'Keystone tokens, validated with the {auth_type} '
                           f'credentials of [{AUTHTOKEN}].')


def check_signed_urls(conf):
    """Subscription confirmation needs signed URLs."""
    key = _option(conf, 'signed_url', 'secret_key')
    confirm = _option(conf, 'notification', 'require_confirmation', False)
    if confirm and not key:
        return Result(FAILURE, '[notification] require_confirmation is on but '
                               '[signed_url] secret_key is unset: no confirmation '
                               'request can be signed, so no subscription is ever '
                               'confirmed and nothing is delivered. Set secret_key.')
    if not key:
        return Result(SUCCESS, '[signed_url] secret_key is unset: pre-signed URLs '
                               '(POST /v2/queues/{name}/share) are disabled.')
    return Result(SUCCESS, 'Pre-signed URLs are enabled.')


def check_policy_rules(conf):
    """Rules in the policy file that Zaqar does not know have no effect."""
    path = conf.find_file(conf.oslo_policy.policy_file)
    if not path:
        return Result(SUCCESS, 'No policy file: the defaults in code apply.')
    try:
        with open(path, encoding='utf-8') as stream:
            rules = yaml.safe_load(stream) or {}
    except (OSError, yaml.YAMLError) as exc:
        return Result(FAILURE, f'The policy file {path} cannot be read: {exc}')
    if not isinstance(rules, dict):
        return Result(FAILURE, f'The policy file {path} is not a mapping of rule '
                               'names to check strings.')
    known = {rule.name for rule in policy.list_rules()}
    unknown = sorted(set(rules) - known)
    if unknown:
        return Result(WARNING, f'The policy file {path} sets rules Zaqar does not have '
                               f'(misspelt?), which change nothing: {", ".join(unknown)}.')
    return Result(SUCCESS, f'{len(rules)} rule(s) of {path} override the defaults.')


class Checks(upgradecheck.UpgradeCommands):
    """The checks of ``zaqar-status upgrade check``, on one ConfigOpts."""

    def __init__(self, conf):
        super().__init__()
        self._conf = conf

    def _message_store(self):
        conf = self._conf
        if _option(conf, None, 'pooling', False):
            return Result(SUCCESS, 'Pooling is on: messages go to the pools of the '
                                   'management store; [drivers] message_store is unused.')
        name = conf.drivers.message_store
        return check_store(conf, DATA_NAMESPACE, name, f'drivers:message_store:{name}')

    def _management_store(self):
        conf = self._conf
        if not _option(conf, None, 'pooling', False):
            return Result(SUCCESS, 'Pooling is off: the management store is unused.')
        name = conf.drivers.management_store
        return check_store(conf, CONTROL_NAMESPACE, name,
                           f'drivers:management_store:{name}')

    def _keystone(self):
        return check_keystone_auth(self._conf)

    def _signed_urls(self):
        return check_signed_urls(self._conf)

    def _policy_rules(self):
        return check_policy_rules(self._conf)

    def _policy_json(self):
        return common_checks.check_policy_json(self, self._conf)

    _upgrade_checks = (
        ('Message store', _message_store),
        ('Management store', _management_store),
        ('Keystone authentication', _keystone),
        ('Signed URLs and confirmations', _signed_urls),
        ('Policy file rules', _policy_rules),
        ('Policy file format (JSON is deprecated)', _policy_json),
    )


def new_conf():
    """A ConfigOpts with the server's options registered, not yet parsed
    (oslo.upgradecheck adds its sub-command and parses it)."""
    from keystonemiddleware import auth_token

    conf = zaqar_conf.register_opts(cfg.ConfigOpts())
    log.register_options(conf)
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)
    policy_opts.set_defaults(conf, policy_file='policy.yaml')
    return conf


def main(argv=None):
    conf = new_conf()
    checks = Checks(conf)
    return upgradecheck.main(conf, project='zaqar', upgrade_command=checks,
                             argv=sys.argv[1:] if argv is None else argv)


if __name__ == '__main__':
    sys.exit(main())
