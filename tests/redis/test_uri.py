"""Redis URIs → settings, without a server; malformed URIs → ValueError."""

import pytest

from zaqar import conf as zconf
from zaqar.conf import redis as redis_conf
from zaqar.storage.redis import connection, driver
from zaqar.storage.redis.connection import Settings, parse_uri

CASES = {
    'redis://127.0.0.1': Settings(host='127.0.0.1', port=6379),
    'redis://example.org:6380': Settings(host='example.org', port=6380),
    'redis://[::1]:7000': Settings(host='::1', port=7000),
    'redis://[::1]': Settings(host='::1', port=6379),
    'REDIS://h': Settings(host='h', port=6379),
    'redis://:s3cret@h': Settings(host='h', port=6379, password='s3cret'),
    'redis://alice:s3cret@h:1': Settings(host='h', port=1, username='alice',
                                         password='s3cret'),
    'redis://alice:@h': Settings(host='h', port=6379, username='alice'),
    'redis://:p%40ss%2Fw%3Ard@h': Settings(host='h', port=6379, password='p@ss/w:rd'),
    'redis://:p@ss/w@h': Settings(host='h', port=6379, password='p@ss/w'),
    'redis://h?socket_timeout=0.1&dbid=3&prefix=t_1':
        Settings(host='h', port=6379, socket_timeout=0.1, db=3, prefix='t_1'),
    'redis://h/': Settings(host='h', port=6379),
    # Unix sockets.
    'redis:///run/redis.sock': Settings(unix_socket_path='/run/redis.sock'),
    'redis://:pw@/run/redis.sock?dbid=2&socket_timeout=1&prefix=p':
        Settings(unix_socket_path='/run/redis.sock', password='pw', db=2,
                 socket_timeout=1.0, prefix='p'),
    'unix:///tmp/r.sock': Settings(unix_socket_path='/tmp/r.sock'),
    'unix://u:pw@/tmp/r.sock?dbid=1': Settings(unix_socket_path='/tmp/r.sock',
                                               username='u', password='pw', db=1),
    # Sentinel.
    'redis://s1:26380,s2,s3:1?master=mymaster': Settings(
        sentinels=(('s1', 26380), ('s2', 26379), ('s3', 1)), master='mymaster'),
    'redis://s1?master=m': Settings(sentinels=(('s1', 26379),), master='m'),
    'redis+sentinel://s1:5,[::1]:6?master=m&dbid=4&prefix=x&socket_timeout=2':
        Settings(sentinels=(('s1', 5), ('::1', 6)), master='m', db=4, prefix='x',
                 socket_timeout=2.0),
    'redis://:pw@s1,s2?master=m&sentinel_username=su&sentinel_password=sp%26':
        Settings(sentinels=(('s1', 26379), ('s2', 26379)), master='m',
                 password='pw', sentinel_username='su', sentinel_password='sp&'),
}


@pytest.mark.parametrize('uri', list(CASES))
def test_parse(uri):
    settings = parse_uri(uri)
    assert settings == CASES[uri]
    # Passwords are compared too (dataclass equality), though not shown.
    assert settings.password == CASES[uri].password
    assert settings.sentinel_password == CASES[uri].sentinel_password


MALFORMED = {
    '': 'empty',
    '127.0.0.1:6379': 'expected scheme://',
    'http://h': "unsupported scheme 'http'",
    'rediss://h': "unsupported scheme 'rediss'",
    'redis://': 'needs a host or a Unix socket path',
    'redis:///': 'needs a host or a Unix socket path',
    'redis://h:': 'empty port',
    'redis://h:port': "port must be a number from 1 to 65535, not 'port'",
    'redis://h:0': 'port must be a number from 1 to 65535',
    'redis://h:65536': 'port must be a number from 1 to 65535',
    'redis://[::1': 'malformed IPv6 address',
    'redis://s3cret@h': "a password needs its leading ':'",
    'redis://:s3cret@:5': 'missing host',
    'redis://h/0': 'the database index goes in ?dbid=N',
    'redis://h?dbid=x': "dbid must be an integer, not 'x'",
    'redis://h?dbid=-1': 'dbid must be at least 0',
    'redis://h?socket_timeout=fast': 'socket_timeout must be a number',
    'redis://h?socket_timeout=0': 'socket_timeout must be a positive number',
    'redis://h?prefix=': 'prefix is empty',
    'redis://h?db=1': "unknown query key 'db'",
    'redis://h?dbid=1&dbid=2': "query key 'dbid' given twice",
    'redis://h?dbid': 'malformed query string',
    'redis://h#frag': 'unexpected #fragment',
    'redis://a,b': 'needs ?master=<name>',
    'redis+sentinel://a': 'needs ?master=<name>',
    'redis://a,?master=m': 'empty host',
    'redis://a?master=': 'master is empty',
    'redis://a/x?master=m': "unexpected path '/x'",
    'redis://h?sentinel_password=s3cret': 'sentinel_password needs a Sentinel URI',
    'unix://h/tmp/r.sock': 'a unix:// URI takes no host',
    'unix://': 'needs a host or a Unix socket path',
}


@pytest.mark.parametrize('uri', list(MALFORMED))
def test_malformed(uri):
    with pytest.raises(ValueError) as info:
        parse_uri(uri)
    message = str(info.value)
    assert message.startswith('Invalid Redis URI ')
    assert MALFORMED[uri] in message
    assert 's3cret' not in message


def test_redact_hides_every_password():
    uri = 'redis://u:p@ss@h1,h2?master=m&sentinel_password=sp&dbid=1'
    assert connection.redact(uri) == 'redis://u:***@h1,h2?master=m&sentinel_password=***&dbid=1'
    assert connection.redact('redis://secret@h') == 'redis://***@h'
    assert connection.redact('redis://h') == 'redis://h'


def test_settings_repr_hides_passwords():
    text = repr(parse_uri('redis://:s3cret@a?master=m&sentinel_password=s3cret'))
    assert 's3cret' not in text


@pytest.fixture
def conf():
    return zconf.new(args=[])


def client_of(conf, uri):
    """The client the driver would use (built without I/O)."""
    conf.set_override('uri', uri, group=redis_conf.MESSAGE_GROUP)
    return driver.DataDriver(conf)._connection._get().client


def test_client_for_one_server(conf):
    client = client_of(conf, 'redis://u:pw@h:7?dbid=3&socket_timeout=0.5')
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs['host'], kwargs['port'], kwargs['db']) == ('h', 7, 3)
    assert (kwargs['username'], kwargs['password']) == ('u', 'pw')
    assert kwargs['socket_timeout'] == 0.5
    assert kwargs['socket_connect_timeout'] == 0.5
    assert kwargs['retry'].get_retries() == 10


def test_client_for_a_unix_socket(conf):
    client = client_of(conf, 'unix://:pw@/tmp/r.sock?dbid=2')
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs['path'] == '/tmp/r.sock'
    assert (kwargs['password'], kwargs['db']) == ('pw', 2)


def test_client_for_sentinel(conf):
    conf.set_override('max_reconnect_attempts', 2, group=redis_conf.MESSAGE_GROUP)
    client = client_of(conf, 'redis://:pw@s1:1,s2?master=mm&dbid=5&prefix=x'
                             '&sentinel_username=su&sentinel_password=sp')
    pool = client.connection_pool
    assert pool.service_name == 'mm'
    assert pool.connection_kwargs['db'] == 5
    assert pool.connection_kwargs['password'] == 'pw'
    assert pool.connection_kwargs['retry'].get_retries() == 2
    sentinels = pool.sentinel_manager.sentinels
    assert [(s.connection_pool.connection_kwargs['host'],
             s.connection_pool.connection_kwargs['port']) for s in sentinels] == [
        ('s1', 1), ('s2', 26379)]
    sentinel_kwargs = sentinels[0].connection_pool.connection_kwargs
    assert (sentinel_kwargs['username'], sentinel_kwargs['password']) == ('su', 'sp')


def test_a_malformed_uri_fails_when_the_driver_is_built(conf):
    conf.set_override('uri', 'redis://h?dbid=x', group=redis_conf.MESSAGE_GROUP)
    with pytest.raises(ValueError, match='dbid must be an integer'):
        driver.DataDriver(conf)
