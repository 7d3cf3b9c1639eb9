"""Round trips are designed, not discovered: the commands each storage
action sends to MongoDB, counted with pymongo's command monitoring.

Each row: the action, then the commands it sends, in order. ``insert``,
``update`` and ``delete`` carry a whole batch (insert_many, bulk_write and
update_many are one command each).
"""

import uuid

import pytest
from pymongo import monitoring

from tests.storage.helpers import CLIENT
from zaqar import conf as zconf
from zaqar.conf import mongodb as mongodb_conf
from zaqar.storage.mongodb import driver as mongodb_driver


class Commands(monitoring.CommandListener):
    def __init__(self):
        self.names = []

    def started(self, event):
        self.names.append(event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def build(mongodb_database, unreliable=True):
    """(driver, commands): a driver whose client reports its commands."""
    uri, database = mongodb_database
    conf = zconf.new(args=[])
    conf.set_override('unreliable', unreliable)
    conf.set_override('uri', uri, group=mongodb_conf.MESSAGE_GROUP)
    conf.set_override('database', f'{database}_trips', group=mongodb_conf.MESSAGE_GROUP)
    driver = mongodb_driver.DataDriver(conf)
    commands = Commands()
    driver.connection.client_kwargs['event_listeners'] = [commands]
    return driver, commands


@pytest.fixture
def counted(mongodb_database):
    driver, commands = build(mongodb_database)
    assert driver.is_alive()  # connect and create the indexes first
    yield driver, commands
    driver.close()


def test_connecting_asks_hello_never_buildinfo(mongodb_database):
    """The durability check reads ``hello``; nothing asks ``buildInfo``
    (pymongo's server_info()). mongoeco, unlike MongoDB, answers the
    legacy lower-case ``buildinfo`` with "unsupported wire command"; a
    driver depending on it would work on MongoDB only. (mongoeco's hello
    also carries version fields that MongoDB's does not: nothing here
    reads them.)"""
    driver, commands = build(mongodb_database, unreliable=False)
    assert driver.is_alive() is False  # one server, not a replica set
    assert commands.names == ['hello', 'endSessions']  # then the client is closed
    driver.close()
    driver, commands = build(mongodb_database)
    assert driver.is_alive() is True
    # One createIndexes per collection: queues, subscriptions, 2 partitions.
    assert commands.names == ['createIndexes'] * 4 + ['ping']
    driver.close()


def test_each_action_takes_the_commands_designed_for_it(counted):
    driver, commands = counted
    queues, messages = driver.queue_controller, driver.message_controller
    claims, project = driver.claim_controller, uuid.uuid4().hex

    def sent(action):
        del commands.names[:]
        result = action()
        return result, list(commands.names)

    batch = [{'ttl': 300, 'body': n, 'delay': 0} for n in range(12)]
    ids, trips = sent(lambda: messages.post('q', batch, CLIENT, project))
    assert trips == ['findAndModify', 'insert']  # the first post creates the queue
    _, trips = sent(lambda: messages.post('q', batch[:1], CLIENT, project,
                                          expect_metadata={}))
    assert trips == ['findAndModify', 'insert']
    (cid, claimed), trips = sent(lambda: claims.create('q', project, 60, 60, limit=5))
    assert len(claimed) == 5 and trips == ['find', 'update']
    expected = {
        'list': (lambda: messages.list('q', project, echo=True), ['find']),
        'get': (lambda: messages.get('q', ids[6], project), ['find']),
        'bulk get': (lambda: messages.bulk_get('q', ids[6:9], project), ['find']),
        'delete': (lambda: messages.delete('q', ids[6], project), ['delete']),
        'delete by claim': (lambda: messages.delete('q', ids[0], project, claim=cid),
                            ['delete']),
        'bulk delete': (lambda: messages.bulk_delete('q', ids[7:9], project), ['delete']),
        'claim get': (lambda: claims.get('q', cid, project), ['find']),
        'claim renew': (lambda: claims.update('q', cid, project, 90, 60), ['update']),
        'claim release': (lambda: claims.delete('q', cid, project), ['update']),
        'stats': (lambda: queues.stats('q', project), ['aggregate']),
        'pop': (lambda: messages.pop('q', 2, project), ['find', 'update', 'delete']),
        'queue create': (lambda: queues.create('r', project), ['update']),
        'queue exists': (lambda: queues.exists('r', project), ['find']),
        'metadata': (lambda: queues.get_metadata('r', project), ['find']),
        'set metadata': (lambda: queues.set_metadata('r', {'a': 1}, project), ['update']),
        'queue list': (lambda: queues.list(project), ['find']),
        'queue count': (lambda: queues.count(project), ['aggregate']),
        'purge': (lambda: queues.purge('r', project), ['delete']),
        'queue delete': (lambda: queues.delete('r', project), ['update', 'delete']),
    }
    found = {name: sent(action)[1] for name, (action, _) in expected.items()}
    assert found == {name: trips for name, (_, trips) in expected.items()}
