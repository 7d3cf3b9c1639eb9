"""Policy in code: upstream's rule names and defaults (api-v2.md section 12).

``list_rules`` feeds oslopolicy-sample-generator; ``Enforcer`` is built
once by bootstrap and injected into the service layer.
"""

import threading
import time

from oslo_policy import _checks, policy

from zaqar.api import errors

ADMIN = 'role:admin'
ANYONE = ''

_RESOURCES = {
    'queues': ('get_all', 'create', 'get', 'delete', 'update', 'stats', 'share',
               'purge'),
    'messages': ('get_all', 'create', 'get', 'delete', 'delete_all'),
    'claims': ('create', 'get', 'update', 'delete'),
    'subscription': ('get_all', 'create', 'get', 'delete', 'update', 'confirm'),
    'topics': ('get_all', 'create', 'get', 'delete', 'update', 'stats', 'purge'),
    'ping': ('get',),
    'health': ('get',),
    'pools': ('get_all', 'create', 'get', 'delete', 'update'),
    'flavors': ('get_all', 'create', 'get', 'delete', 'update'),
}

_ADMIN_ONLY = {'health:get', 'pools:get_all', 'pools:create', 'pools:get',
               'pools:delete', 'pools:update', 'flavors:create', 'flavors:update',
               'flavors:delete'}


def list_rules():
    rules = [
        policy.RuleDefault('context_is_admin', ADMIN,
                           description='Who counts as an administrator.'),
        policy.RuleDefault('admin_or_owner', 'is_admin:True or project_id:%(project_id)s',
                           description='An administrator or the owning project.'),
    ]
    for resource, actions in _RESOURCES.items():
        for action in actions:
            name = f'{resource}:{action}'
            rules.append(policy.RuleDefault(
                name, ADMIN if name in _ADMIN_ONLY else ANYONE,
                description=f'{action.replace("_", " ").capitalize()} on {resource}.'))
    return rules


class _Enforcer(policy.Enforcer):
    """oslo.policy's enforcer, looking for policy file changes at most once
    a second rather than on every request (a stat per call, measured at a
    fifth of a small request's time).

    One thread (re)loads while the others wait: oslo.policy fills its rules
    one by one, and a request checked against half-loaded rules was refused
    (403 on a new worker's first concurrent requests, seen by the soak test).
    """

    RECHECK_SECONDS = 1.0
    _next_check = 0.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loading = threading.Lock()

    def load_rules(self, force_reload=False):
        if not (force_reload or time.monotonic() >= self._next_check):
            return
        with self._loading:
            if force_reload or time.monotonic() >= self._next_check:
                super().load_rules(force_reload)
                self._next_check = time.monotonic() + self.RECHECK_SECONDS


class Enforcer:
    """Checks a request context against a rule; raises errors.Forbidden."""

    def __init__(self, conf):
        self._enforcer = _Enforcer(conf)
        self._enforcer.register_defaults(list_rules())

    def enforce(self, action, context, target=None):
        self._enforcer.load_rules()
        if isinstance(self._enforcer.rules.get(action), _checks.TrueCheck):
            return  # '' (anyone): skip building credentials and oslo's checks
        creds = context.policy_credentials()
        target = target if target is not None else {'project_id': context.project_id}
        if not self._enforcer.enforce(action, target, creds):
            raise errors.Forbidden('You are not authorized to complete this action.')


def get_enforcer_for_generator():
    from zaqar import conf as zconf

    return Enforcer(zconf.new())._enforcer
