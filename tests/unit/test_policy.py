"""Policy in code, overridable by a policy file that is re-read when changed."""

import time

import pytest

from zaqar import conf as zaqar_conf
from zaqar import policy
from zaqar.api import errors
from zaqar.api.context import RequestContext

MEMBER = RequestContext('p', roles=('member',))
ADMIN = RequestContext('p', roles=('admin',))


def _enforcer(tmp_path, rules=None):
    conf = zaqar_conf.new(args=[])
    path = tmp_path / 'policy.yaml'
    if rules is not None:
        path.write_text(rules)
    conf.set_override('policy_file', str(path), group='oslo_policy')
    return policy.Enforcer(conf), path


@pytest.mark.parametrize('rule,member_allowed', [
    ('queues:get', True), ('messages:create', True), ('ping:get', True),
    ('flavors:get', True), ('health:get', False), ('pools:create', False),
    ('flavors:delete', False),
])
def test_defaults_are_upstreams(tmp_path, rule, member_allowed):
    enforcer, _ = _enforcer(tmp_path)
    enforcer.enforce(rule, ADMIN)
    if member_allowed:
        enforcer.enforce(rule, MEMBER)
    else:
        with pytest.raises(errors.Forbidden):
            enforcer.enforce(rule, MEMBER)


def test_policy_file_overrides_and_changes_are_picked_up(tmp_path):
    enforcer, path = _enforcer(tmp_path, '"queues:get": "role:admin"\n')
    with pytest.raises(errors.Forbidden) as info:
        enforcer.enforce('queues:get', MEMBER)
    assert info.value.description == 'You are not authorized to complete this action.'
    enforcer.enforce('queues:get', ADMIN)

    path.write_text('"queues:get": ""\n"queues:create": "role:nobody"\n')
    time.sleep(policy._Enforcer.RECHECK_SECONDS + 0.1)  # files are re-read once a second
    enforcer.enforce('queues:get', MEMBER)
    with pytest.raises(errors.Forbidden):
        enforcer.enforce('queues:create', ADMIN)
