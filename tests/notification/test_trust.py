"""Trust webhooks: the POST carries the token the provider gives for the
subscription's trust. A stub provider stands in for Keystone here; the
Keystone provider is exercised against a closed port and without settings
(a test against a real Keystone trust is still to come)."""

import logging

import pytest

from tests.notification.receivers import subscription
from tests.servers import free_port
from zaqar.notification.tasks import trust


class Tokens:
    """A token provider that records the trusts asked for. ``errors``: raised
    by the first calls, in order."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.asked = []

    def __call__(self, trust_id):
        self.asked.append(trust_id)
        if self.errors:
            raise self.errors.pop(0)
        return f'token-for-{trust_id}'


def trust_subscription(hook, **options):
    return subscription('trust+' + hook.url, dict({'trust_id': 'trust-1'}, **options))


def test_token_header_sent_to_the_plain_url(make_notifier, receiver):
    hook = receiver()
    tokens = Tokens()
    notifier = make_notifier(token_provider=tokens)
    notifier.notify('fruits', 'p', [{'body': 'b', 'ttl': 60}],
                    [trust_subscription(hook, post_headers={'X-Project-ID': 'p2'})], {})
    [request] = hook.wait_for(1)
    assert request.path == '/hook'
    assert request.headers['X-Auth-Token'] == 'token-for-trust-1'
    assert request.headers['X-Project-ID'] == 'p2'
    assert request.json() == {'ttl': 60, 'body': 'b', 'Message_Type': 'Notification',
                              'queue_name': 'fruits'}
    assert tokens.asked == ['trust-1']


def test_keystone_outage_is_retried(make_notifier, receiver):
    hook = receiver()
    tokens = Tokens(trust.TokenError('Keystone unreachable', retry=True))
    notifier = make_notifier(token_provider=tokens)
    notifier.notify('q', 'p', [{'body': 'b', 'ttl': 60}], [trust_subscription(hook)], {})
    hook.wait_for(1)
    assert tokens.asked == ['trust-1', 'trust-1']


def test_a_revoked_trust_is_not_retried(make_notifier, receiver, caplog):
    hook = receiver()
    tokens = Tokens(trust.TokenError('Keystone answered 404 Not Found', retry=False))
    notifier = make_notifier(token_provider=tokens)
    notifier.notify('q', 'p', [{'body': 'b', 'ttl': 60}], [trust_subscription(hook)], {})
    assert notifier.wait_idle(15)
    assert hook.requests == [] and tokens.asked == ['trust-1']
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert 'no token for trust trust-1: Keystone answered 404' in error


def test_no_trust_id_no_delivery(make_notifier, receiver, caplog):
    hook = receiver()
    notifier = make_notifier(token_provider=Tokens())
    notifier.notify('q', 'p', [{'body': 'b', 'ttl': 60}],
                    [subscription('trust+' + hook.url)], {})
    assert notifier.wait_idle(15)
    assert hook.requests == []
    assert any('no trust_id in the subscription options' in r.getMessage()
               for r in caplog.records)


def test_keystone_provider_without_settings_fails_for_good():
    from tests.notification.conftest import make_conf

    with pytest.raises(trust.TokenError, match='auth_type is not set') as raised:
        trust.KeystoneTrustTokens(make_conf())('trust-1')
    assert raised.value.retry is False


def test_keystone_provider_retries_an_unreachable_keystone(tmp_path):
    from zaqar import conf as zconf

    config = tmp_path / 'zaqar.conf'
    config.write_text(f"""
[trustee]
auth_type = password
auth_url = http://127.0.0.1:{free_port()}/v3
username = zaqar
password = secret
user_domain_name = Default
timeout = 2
""")
    conf = zconf.new(config_files=[str(config)])
    with pytest.raises(trust.TokenError, match='Keystone unreachable') as raised:
        trust.KeystoneTrustTokens(conf)('trust-1')
    assert raised.value.retry is True
