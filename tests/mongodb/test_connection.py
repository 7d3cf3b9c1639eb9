"""The MongoDB driver's connection: URIs, TLS options, laziness, the
durability rule and the indexes it creates."""

import logging
import time

import pytest
from pymongo import errors as mongo_errors

from zaqar import bootstrap
from zaqar import conf as zconf
from zaqar.conf import mongodb as mongodb_conf
from zaqar.storage import errors
from zaqar.storage.mongodb import connection
from zaqar.storage.mongodb import driver as mongodb_driver

GROUP = mongodb_conf.MESSAGE_GROUP


def _conf(uri=None, unreliable=True, **options):
    conf = zconf.new(args=[])
    conf.set_override('unreliable', unreliable)
    if uri is not None:
        conf.set_override('uri', uri, group=GROUP)
    for name, value in options.items():
        conf.set_override(name, value, group=GROUP)
    return conf


@pytest.fixture
def live(mongodb_database):
    """A driver on this session's server, in a database of the test's own."""
    uri, database = mongodb_database
    drivers = []

    def build(**options):
        options.setdefault('database', f'{database}_conn')
        drivers.append(mongodb_driver.DataDriver(_conf(uri, **options)))
        return drivers[-1]

    yield build
    for driver in drivers:
        driver.close()


class TestUri:
    @pytest.mark.parametrize('uri', [
        'mongodb://127.0.0.1:1', 'mongodb://u:p@h1:1,h2:2/admin?replicaSet=rs&w=majority',
        'mongodb.fifo://127.0.0.1:1', 'mongodb+srv://cluster.example.org/?tls=true',
    ])
    def test_accepted_without_touching_the_network(self, uri):
        # Port 1 on loopback: nothing listens there. Building the driver
        # must not even try.
        mongodb_driver.DataDriver(_conf(uri)).close()

    @pytest.mark.parametrize('uri', ['redis://127.0.0.1', 'mongodb://', 'mongodb://h:x',
                                     '127.0.0.1:27017'])
    def test_malformed_uri_stops_start_up(self, uri):
        conf = _conf(uri)
        conf.set_override('message_store', 'mongodb', group='drivers')
        with pytest.raises(bootstrap.DriverLoadError, match='Invalid MongoDB URI'):
            _ = bootstrap.Bootstrap(conf).storage

    def test_unset_uri_is_the_local_server(self):
        assert connection.parse_uri(None) == 'mongodb://127.0.0.1:27017'

    def test_timeouts_default_unless_the_uri_sets_them(self):
        opts = _conf()[GROUP]
        kwargs = connection.client_kwargs(opts, 'mongodb://h/?sockettimeoutms=5')
        assert kwargs['serverSelectionTimeoutMS'] == 1000
        assert 'socketTimeoutMS' not in kwargs


class TestTls:
    def test_ssl_options_apply_only_with_tls(self):
        opts = _conf(ssl_ca_certs='/ca.pem', ssl_certfile='/client.pem')[GROUP]
        assert 'tlsCAFile' not in connection.client_kwargs(opts, 'mongodb://h')
        for query in ('tls=true', 'ssl=true', 'TLS=True'):
            kwargs = connection.client_kwargs(opts, f'mongodb://h/?{query}')
            assert kwargs['tlsCAFile'] == '/ca.pem'
            assert kwargs['tlsCertificateKeyFile'] == '/client.pem'

    @pytest.mark.parametrize('reqs,insecure', [
        ('CERT_REQUIRED', False), ('CERT_OPTIONAL', False), ('CERT_NONE', True)])
    def test_cert_reqs(self, reqs, insecure):
        kwargs = connection.tls_kwargs(_conf(ssl_cert_reqs=reqs)[GROUP])
        assert kwargs.get('tlsAllowInvalidCertificates', False) is insecure

    def test_separate_key_and_certificate_are_combined(self, tmp_path):
        (tmp_path / 'c.pem').write_text('CERT\n')
        (tmp_path / 'k.pem').write_text('KEY\n')
        opts = _conf(ssl_certfile=str(tmp_path / 'c.pem'),
                     ssl_keyfile=str(tmp_path / 'k.pem'))[GROUP]
        assert connection.needs_combined_pem(opts)
        path = connection.combine_pem(opts)
        with open(path) as combined:
            assert combined.read() == 'CERT\nKEY\n'


class TestDurability:
    REPLICA = {'setName': 'rs0', 'isWritablePrimary': True}

    @pytest.mark.parametrize('hello,concern,ok', [
        ({'isWritablePrimary': True}, {'w': 'majority'}, False),
        (REPLICA, {}, False),
        (REPLICA, {'w': 1}, False),
        (REPLICA, {'w': 2}, True),
        (REPLICA, {'w': 'majority'}, True),
        ({'msg': 'isdbgrid'}, {'w': 'majority'}, True),
    ], ids=['standalone', 'rs-default', 'rs-w1', 'rs-w2', 'rs-majority', 'mongos'])
    def test_rule(self, hello, concern, ok):
        assert (connection.durability_problem(hello, concern) is None) is ok

    def test_a_lone_server_is_refused_unless_unreliable(self, live, caplog):
        # mongoeco is one server, never a replica set; the test URI asks
        # for no write concern, so a real MongoDB is refused as well.
        driver = live(unreliable=False)
        with caplog.at_level(logging.ERROR):
            with pytest.raises(errors.ConnectionError):
                driver.queue_controller.create('q', 'p')
        assert 'unreliable = true' in caplog.text
        assert driver.is_alive() is False
        assert live(unreliable=True).queue_controller.create('q', 'p') is True


def test_indexes_are_created_on_first_use(live):
    """Only the names are compared. mongoeco differs from MongoDB here in
    two ways: its index descriptions still carry the ``ns`` field (which
    MongoDB dropped in 4.4), and its indexes are metadata only: queries
    scan the collection (its explain() says ``usableVirtualIndexes``, not
    MongoDB's queryPlanner/IXSCAN), so whether a query uses its index
    cannot be checked on it. test_round_trips.py counts the commands
    instead; the index design is in connection.create_indexes."""
    driver = live(partitions=3)
    assert driver.is_alive()
    handles = driver.connection.handles()
    assert len(handles.partitions) == 3
    names = [set(c.index_information()) for c in (handles.queues, handles.subscriptions,
                                                  *handles.partitions)]
    assert names[0] == {'_id_', 'queue'}
    assert names[1] == {'_id_', 'subscriber', 'source', 'expiry'}
    assert all(found == {'_id_', 'active', 'claim', 'expiry'} for found in names[2:])


def test_one_client_per_process(live, monkeypatch):
    driver = live()
    first = driver.connection.handles()
    assert driver.connection.handles() is first
    # A forked child (gunicorn worker) must not use its parent's client.
    monkeypatch.setattr(connection.os, 'getpid', lambda: -1)
    assert driver.connection.handles() is not first


@pytest.mark.parametrize('failure', [
    mongo_errors.AutoReconnect('connection reset'),
    mongo_errors.WriteConcernError('waiting for replication timed out', 64, {}),
], ids=['connection-reset', 'not-replicated'])
def test_a_write_of_unknown_fate_is_not_retried(live, failure):
    """A write may have reached the server before the connection broke, or
    stayed on the primary alone: answer 503 rather than send it twice."""
    calls = []

    def broken(handles):
        calls.append(1)
        raise failure

    driver = live()
    with pytest.raises(errors.ConnectionError):
        driver.connection.run(broken)
    assert calls == [1]


def test_no_server_to_select_is_retried(live):
    """Then nothing was sent: try again, up to max_reconnect_attempts."""
    calls = []

    def unselectable(handles):
        calls.append(1)
        if len(calls) < 3:
            raise mongo_errors.ServerSelectionTimeoutError('no primary')
        return 'done'

    driver = live(max_reconnect_attempts=2, reconnect_sleep=0.01)
    assert driver.connection.run(unselectable) == 'done'
    calls.clear()
    driver = live(max_reconnect_attempts=1, reconnect_sleep=0.01)
    with pytest.raises(errors.ConnectionError):
        driver.connection.run(unselectable)
    assert len(calls) == 2


def test_health_counts_live_messages(live, mongodb_database):
    # A database of its own: the volume counts every queue of it.
    driver = live(partitions=2, database=f'{mongodb_database[1]}_health')
    messages = driver.message_controller
    for project in ('a', 'b', 'c'):  # spread over the partitions
        messages.post('q', [{'ttl': 60, 'body': n, 'delay': 0} for n in range(3)],
                      None, project)
    messages.post('q', [{'ttl': 1, 'body': 'gone', 'delay': 0}], None, 'a')
    driver.claim_controller.create('q', 'b', ttl=60, grace=60, limit=2)
    time.sleep(1.1)
    assert driver.health() == {'storage_reachable': True, 'message_volume': {
        'free': 7, 'claimed': 2, 'total': 9}}
