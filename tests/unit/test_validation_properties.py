"""Property tests of the validation layer: any input is accepted or refused
with a documented 4xx error (an APIError with a title and a description),
never another exception.

Covers zaqar/api/validation.py, patch.py and signed_urls.py, and the HTTP
parsing in front of them (body and query string). Bounded for CI by the
settings below; HYPOTHESIS_PROFILE=long runs each about 65 times longer.
"""

import json
import os
import urllib.parse

import pytest
import webob
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zaqar import conf as zaqar_conf
from zaqar.api import errors, patch, signed_urls, validation
from zaqar.transport.wsgi import driver, utils

settings.register_profile('ci', max_examples=75, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile('long', max_examples=5000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'ci'))

SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(-2 ** 70, 2 ** 70)
           | st.floats() | st.text())
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)
# Strings of every odd shape: control characters, surrogates, huge, dots.
ODD_TEXT = st.text() | st.text(st.characters(max_codepoint=0x7f)) | st.sampled_from(
    ['', '.', '..', '/', '%2F', '\x00', '\ud800', 'a' * 65, 'a' * 100000, ' ', 'q\n'])
RESERVED = ('_max_messages_post_size', '_default_message_ttl', '_default_message_delay',
            '_dead_letter_queue', '_dead_letter_queue_messages_ttl', '_max_claim_count',
            '_enable_encrypt_messages')


def documented(call, *args):
    """Run ``call``; an exception must be a 4xx APIError with title and description."""
    try:
        return call(*args)
    except errors.APIError as exc:
        assert 400 <= exc.code < 500, exc
        assert exc.title and exc.description, exc
        return exc


def _validator(client_id_mode='strict'):
    conf = zaqar_conf.new(args=[])
    conf.set_override('client_id_uuid_safe', client_id_mode, group='transport')
    return validation.Validator(conf)


@pytest.fixture(scope='module')
def validate():
    return _validator()


@pytest.fixture(scope='module', params=['strict', 'off'])
def client_id_validator(request):
    return _validator(request.param)


@given(name=ODD_TEXT, project=st.none() | ODD_TEXT, noun=st.sampled_from(['queue', 'topic']))
def test_queue_identification(validate, name, project, noun):
    result = documented(validate.queue_identification, name, project, noun)
    if result is None:
        assert validation.QUEUE_NAME.match(name) and len(name) <= 64


@given(client_id=st.none() | ODD_TEXT | st.uuids().map(str) | st.uuids().map(lambda u: u.hex))
def test_client_id(client_id_validator, client_id):
    documented(client_id_validator.client_id, client_id)


@given(value=st.none() | st.integers() | st.integers(-2 ** 80, 2 ** 80))
def test_limits_and_sizes(validate, value):
    for check in (validate.queue_listing, validate.message_listing, validate.claim_limit,
                  validate.subscription_listing, validate.pool_listing,
                  validate.flavor_listing, validate.queue_metadata_length,
                  validate.message_post_length):
        documented(check, value)
    if value is not None:
        for check in (validate.pop, validate.message_ttl, validate.message_delay):
            documented(check, value)
    documented(validate.message_post_length, value, 1000)


@given(ids=st.lists(ODD_TEXT, max_size=40))
def test_message_ids(validate, ids):
    result = documented(validate.message_ids, ids)
    assert (result is None) == (1 <= len(ids) <= 20)


@given(value=JSON)
def test_claim_ttl_and_grace(validate, value):
    documented(validate.claim_ttl, value)
    documented(validate.claim_grace, value)


@given(metadata=st.dictionaries(st.sampled_from(RESERVED) | st.text(max_size=8), JSON,
                                max_size=6))
def test_queue_metadata(validate, metadata):
    documented(validate.queue_metadata, metadata)


@given(document=JSON | st.fixed_dictionaries(
    {}, optional={'subscriber': ODD_TEXT | st.sampled_from(
        ['http://a', 'mailto:a@b', 'trust+https://x', 'ftp://x', 'http://\ud800']),
        'ttl': JSON | st.integers(), 'options': JSON}), creating=st.booleans())
def test_subscription(validate, document, creating):
    documented(validate.subscription, document, creating)
    documented(validation.Validator.subscription_confirming, document)


# -- JSON-Patch (every op, every odd pointer) ---------------------------------

POINTERS = ODD_TEXT | st.sampled_from(
    ['/metadata/a', '/metadata/', '/metadata', '/Metadata/a~0b', '/metadata/a~1b',
     '/metadata/a~2', '/metadata/a/b', '//a', 'metadata/a', '/other/a', '/metadata/~'])
OPERATION = st.fixed_dictionaries(
    {}, optional={'op': st.sampled_from(['add', 'replace', 'remove', 'move', 'copy',
                                         'test', '']) | JSON,
                  'path': POINTERS | JSON, 'value': JSON, 'from': POINTERS})


@given(document=st.lists(OPERATION | JSON, max_size=6) | JSON,
       metadata=st.dictionaries(st.sampled_from(RESERVED) | st.text(max_size=4), JSON,
                                max_size=4))
def test_json_patch(document, metadata):
    changes = documented(patch.validate, document)
    if isinstance(changes, errors.APIError):
        return
    assert all(op in patch.OPS for op, _, _ in changes)
    result = documented(patch.apply, metadata, changes, set(RESERVED))
    assert isinstance(result, (dict, errors.Conflict))


@given(path=POINTERS | JSON)
def test_json_pointer(path):
    parts = documented(patch.parse_pointer, path)
    if not isinstance(parts, errors.APIError):
        assert len(parts) == 2


# -- pre-signed URLs -----------------------------------------------------------

@given(value=JSON | ODD_TEXT | st.datetimes().map(lambda d: d.isoformat()))
def test_parse_expires(value):
    try:
        expires = signed_urls.parse_expires(value)
    except signed_urls.InvalidExpiry as exc:
        assert str(exc)
    else:
        assert expires.tzinfo is None and expires.microsecond == 0


HEADER = st.none() | ODD_TEXT


@given(key=st.none() | st.text(), method=HEADER, path=HEADER, project=HEADER,
       signature=HEADER, methods=HEADER, paths=HEADER, expires=HEADER)
def test_verify_never_raises_and_refuses_garbage(key, method, path, project, signature,
                                                 methods, paths, expires):
    allowed = signed_urls.verify(key, method, path, project, signature, methods, paths,
                                 expires)
    assert allowed is False


SIGNED = st.fixed_dictionaries({
    'key': st.text(min_size=1),
    'project': st.text(min_size=1).filter(lambda p: '\x00' not in p),
    'methods': st.lists(st.sampled_from(['GET', 'POST', 'DELETE']), min_size=1, unique=True),
    'queue': st.from_regex(r'\A[a-zA-Z0-9_.-]{1,64}\Z'),
})


@given(grant=SIGNED, other=st.text(min_size=1))
def test_a_signature_opens_its_grant_and_nothing_else(grant, other):
    expires = signed_urls.parse_expires('2999-01-01T00:00:00')
    path = f'/v2/queues/{grant["queue"]}/messages'
    signed = signed_urls.sign(grant['key'], [path], grant['methods'], grant['project'],
                              expires)
    headers = (signed['signature'], ','.join(signed['methods']), ','.join(signed['paths']),
               signed['expires'])
    method = grant['methods'][0]
    assert signed_urls.verify(grant['key'], method, path, grant['project'], *headers)
    assert signed_urls.verify(grant['key'], method, path + '/m1', grant['project'], *headers)
    # Another project, path, method, key or signature: refused.
    if other != grant['project']:
        assert not signed_urls.verify(grant['key'], method, path, other, *headers)
    if other != grant['key']:
        assert not signed_urls.verify(other, method, path, grant['project'], *headers)
    assert not signed_urls.verify(grant['key'], method, path + 'x', grant['project'],
                                  *headers)
    assert not signed_urls.verify(grant['key'], 'PATCH', path, grant['project'], *headers)
    assert not signed_urls.verify(grant['key'], method, path, grant['project'],
                                  '0' * 64, *headers[1:])


# -- the HTTP parsing in front of them -------------------------------------------

DEEP = st.integers(1, 200000).map(lambda n: b'[' * n + b']' * n)
BODIES = (st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()) | DEEP
          | st.sampled_from([b'\xff', b'{"a": "\xff"}', b'{', b'1' * 5000, b'"x"',
                             b'{"a": 1e999}', b'NaN', b'\xef\xbb\xbf{}']))


def _request(body=b'', query=''):
    return driver.Request(webob.Request.blank(
        '/v2/queues/q/messages' + (f'?{query}' if query else ''), method='POST',
        body=body).environ)


@given(body=BODIES)
@settings(max_examples=60)
def test_read_json(body):
    document = documented(utils.read_json, _request(body))
    assert isinstance(document, (dict, list, errors.InvalidBody))


QUERY_VALUES = st.text() | st.sampled_from(
    ['', '-1', '0', '21', '99999999999999999999', '1e3', ' 5 ', 'true', 'None', 'TRUE',
     '%ff', '%00', 'a,b,,c', ','])


@given(pairs=st.lists(st.tuples(st.sampled_from(['limit', 'pop', 'echo', 'ids', 'marker']),
                                QUERY_VALUES), max_size=6),
       raw=st.sampled_from(['', '%ff=1', 'limit=%ff', 'ids=%00', '&&', '=', 'limit']))
def test_query_values_and_duplicate_keys(pairs, raw):
    query = '&'.join(filter(None, [urllib.parse.urlencode(pairs), raw]))
    request = _request(query=query)
    for parse in (utils.get_int, utils.get_bool, utils.get_str, utils.get_list):
        for name in ('limit', 'pop', 'echo', 'ids', 'marker'):
            documented(parse, request, name)
