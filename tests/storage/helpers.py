"""Expected values and helpers shared by the storage tests."""

import time
import uuid

import pytest

import zaqar.conf

CLIENT = uuid.UUID('5f2b1e4a-9e8c-4f7a-8d1b-2c3d4e5f6a7b')
OTHER_CLIENT = uuid.UUID('0c8f6d2e-3b4a-4e5f-9a8b-7c6d5e4f3a2b')


def build_driver(backend):
    """Load the data driver as zaqar-server does (pooled or by entry point)."""
    from zaqar import bootstrap

    conf = backend.configure(zaqar.conf.new(args=[]))
    return bootstrap.Bootstrap(conf).storage


A_MOMENT = pytest.approx(0, abs=1)  # an age in whole seconds, just now


def now():
    return pytest.approx(time.time(), abs=5)


def message(mid, body, ttl=60, claim_id=None, claim_count=0, age=A_MOMENT,
            **extra):
    """The expected message dict (base.py) of a message posted a moment ago."""
    return {'id': mid, 'ttl': ttl, 'age': age, 'body': body,
            'claim_id': claim_id, 'claim_count': claim_count,
            'created': now(), **extra}


def ids_of(items):
    return [item['id'] for item in items]
