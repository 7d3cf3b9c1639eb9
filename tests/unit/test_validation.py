"""Limits and identifiers, with upstream's exact messages."""

import pytest

from zaqar import conf as zaqar_conf
from zaqar.api import errors, validation


@pytest.fixture
def validate():
    return validation.Validator(zaqar_conf.new(args=[]))


@pytest.mark.parametrize('name', ['', 'a' * 65, '@$@^qw@', 'caf\u00e9', 'a/b', 'a b'])
def test_bad_queue_names(validate, name):
    with pytest.raises(errors.BadRequest) as info:
        validate.queue_identification(name, 'p')
    assert info.value.title == 'Invalid queue identification'


@pytest.mark.parametrize('name', ['a', 'a' * 64, 'A.b-c_d', '123'])
def test_good_queue_names(validate, name):
    validate.queue_identification(name, 'JAM Project')


def test_project_id_longer_than_256_is_rejected(validate):
    with pytest.raises(errors.BadRequest):
        validate.queue_identification('q', 'p' * 257)


@pytest.mark.parametrize('client_id', [
    '3381af92-2b9e-11e3-b191-71861300734c', '3381af922b9e11e3b19171861300734c',
    '{3381af92-2b9e-11e3-b191-71861300734c}',
    'urn:uuid:3381af92-2b9e-11e3-b191-71861300734c'])
def test_uuid_client_ids(validate, client_id):
    validate.client_id(client_id)


def test_malformed_client_id(validate):
    with pytest.raises(errors.BadRequest) as info:
        validate.client_id('not-a-uuid')
    assert (info.value.title, info.value.description) == (
        'Wrong UUID value', 'Malformed hexadecimal UUID.')


def test_missing_client_id(validate):
    with pytest.raises(errors.InvalidHeader) as info:
        validate.client_id(None)
    assert info.value.description == 'The "Client-Id" header is required.'


@pytest.mark.parametrize('check,value,message', [
    ('queue_listing', 21, 'Limit must be at least 1 and no greater than 20.'),
    ('message_listing', 0, 'Limit must be at least 1 and may not be greater than 20.'),
    ('claim_limit', -1, 'Limit must be at least 1 and may not be greater than 20.'),
    ('pop', 21, 'Pop value must be at least 1 and may not be greater than 20.'),
    ('message_ttl', 59, 'The TTL for a message may not exceed 1209600 seconds, and '
                        'must be at least 60 seconds long.'),
    ('message_delay', 901, 'The Delay TTL for a message may not exceed 900 seconds,and '
                           'must be at least 0 seconds long.'),
    ('claim_ttl', 43201, 'The TTL for a claim may not exceed 43200 seconds, and must '
                         'be at least 60 seconds long.'),
    ('claim_grace', 'x', 'The grace for a claim may not exceed 43200 seconds, and must '
                         'be at least 60 seconds long.'),
    ('message_ids', [], 'ids parameter should have at least 1 and not greater than 20 '
                        'values.'),
    ('queue_metadata_length', 65537, 'Queue metadata is too large. Max size: 65536'),
    ('message_post_length', 262145, 'Message collection size is too large. Max size '
                                    '262144'),
])
def test_range_messages(validate, check, value, message):
    with pytest.raises(errors.BadRequest) as info:
        getattr(validate, check)(value)
    assert info.value.description == message


@pytest.mark.parametrize('metadata,message', [
    ({'_max_claim_count': '123'}, '_max_claim_count must be integer.'),
    ({'_default_message_ttl': 59}, '_default_message_ttl must be at least 60 and may '
                                   'not be greater than 1209600.'),
    ({'_enable_encrypt_messages': 'yes'}, '_enable_encrypt_messages must be bool.'),
])
def test_reserved_metadata(validate, metadata, message):
    with pytest.raises(errors.BadRequest) as info:
        validate.queue_metadata(metadata)
    assert info.value.description == message


def test_falsy_reserved_values_are_not_checked(validate):
    validate.queue_metadata({'_max_claim_count': 0, '_default_message_ttl': None,
                             '_dead_letter_queue': 'dlq'})
