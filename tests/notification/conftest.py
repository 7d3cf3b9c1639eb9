"""Notifiers with fast retries, and receivers that close after each test."""

import functools

import pytest

from tests.notification import receivers
from zaqar import conf as zconf
from zaqar.api import signed_urls

SECRET = 'notification-test-key'
# Policies in seconds play out in hundredths: the default policy's three
# minutes of retries take 1.8 s.
DELAY_SCALE = 0.01


def make_conf(**notification):
    conf = zconf.new()
    notification.setdefault('delivery_timeout', 10.0)
    for name, value in notification.items():
        conf.set_override(name, value, group='notification')
    return conf


@pytest.fixture
def make_notifier():
    """``make_notifier(token_provider=None, signer=..., **[notification] overrides)``."""
    from zaqar.notification import notifier as notifier_module

    built = []

    def make(token_provider=None, signer=functools.partial(signed_urls.sign, SECRET),
             delay_scale=DELAY_SCALE, **notification):
        notifier = notifier_module.Notifier(make_conf(**notification), signer=signer,
                                            token_provider=token_provider,
                                            delay_scale=delay_scale)
        built.append(notifier)
        return notifier

    yield make
    for notifier in built:
        notifier.stop(timeout=5)


@pytest.fixture
def receiver():
    """``receiver(**behaviour)``: a recording webhook receiver."""
    made = []

    def make(**kwargs):
        made.append(receivers.WebhookReceiver(**kwargs))
        return made[-1]

    yield make
    for r in made:
        r.close()

